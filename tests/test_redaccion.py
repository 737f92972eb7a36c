"""Lo que un usuario lee: --hoy en español, el resumen, saludos, puntos y el texto de cada país."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from tests.conftest import CABECERA, HOY, escribir_xlsx, leer_json, preparar_carpeta

POLITICA = """
empresa: {nombre: "Ferretería López", contacto: "cobranza@ejemplo.com"}
pasos:
  - {id: recordatorio, dias: 1, canales: [email], plantilla: recordatorio}
  - {id: seguimiento, dias: 6, repetir_cada: 5, canales: [email], plantilla: seguimiento}
canales:
  email: {tipo: memoria}
"""


@pytest.fixture
def carpeta(en_tmp, monkeypatch):
    preparar_carpeta(en_tmp, POLITICA, monkeypatch)
    return en_tmp


def _hoja(carpeta, filas, extra=()):
    escribir_xlsx(carpeta / "cartera.xlsx", [CABECERA + list(extra), *filas])


# --- --hoy -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "hoy", ["06/12/2026", "6/12/2026", "06-12-2026", "06.12.2026", "2026-12-06"]
)
def test_hoy_acepta_dia_primero_como_se_escribe_en_espanol(carpeta, correr, hoy):
    _hoja(carpeta, [["Ana", "ana@ejemplo.com", "", "F-1", date(2026, 12, 4), 100]])
    r = correr("enviar", "cartera.xlsx", "--simulacro", "--hoy", hoy, "--salida", "i.json")
    assert r.exit_code == 0, r.output
    datos = leer_json(carpeta / "i.json")
    assert datos["fecha"] == "2026-12-06"
    assert datos["mensajes"][0]["dias_vencido"] == 2


def test_hoy_con_hora_y_dia_primero(carpeta, correr):
    _hoja(carpeta, [["Ana", "ana@ejemplo.com", "", "F-1", date(2026, 12, 4), 100]])
    r = correr("enviar", "cartera.xlsx", "--simulacro", "--hoy", "06/12/2026 10:30",
               "--salida", "i.json")  # fmt: skip
    assert r.exit_code == 0, r.output
    assert leer_json(carpeta / "i.json")["fecha"] == "2026-12-06"


@pytest.mark.parametrize("hoy", ["31/02/2026", "12/31/2026", "mañana", "2026/13/01"])
def test_hoy_que_no_es_fecha_se_explica_en_una_frase(carpeta, correr, hoy):
    _hoja(carpeta, [["Ana", "ana@ejemplo.com", "", "F-1", date(2026, 12, 4), 100]])
    r = correr("enviar", "cartera.xlsx", "--simulacro", "--hoy", hoy)
    assert r.exit_code == 2
    assert f"--hoy: «{hoy}» no es una fecha AAAA-MM-DD ni DD/MM/AAAA" in r.output
    assert "Traceback" not in r.output


# --- resumen -----------------------------------------------------------------------------


def test_el_resumen_no_corta_un_motivo_en_los_dos_puntos_de_una_hora(en_tmp, correr, monkeypatch):
    preparar_carpeta(en_tmp, POLITICA + "cumplimiento: MX\n", monkeypatch)
    _hoja(en_tmp, [
        ["Ana", "ana@ejemplo.com", "", "F-1", date(2026, 12, 4), 100],
        ["Beto", "beto@ejemplo.com", "", "F-2", date(2026, 12, 3), 100],
    ])  # fmt: skip
    # Domingo 6 de diciembre de 2026 a las 10:00: día no hábil con el horario de MX.
    r = correr("enviar", "cartera.xlsx", "--simulacro", "--hoy", "2026-12-06T10:00")
    assert r.exit_code == 0, r.output
    resumen = " ".join(r.output[r.output.index("Resumen:") :].split())
    assert "(2 día no hábil)" in resumen, resumen
    assert "07," not in resumen and "elegible" not in resumen


# --- los textos de las plantillas integradas ---------------------------------------------

TODAS = """
empresa:
  nombre: "Comercial del Norte S.A. de C.V."
  contacto: "cobros@ejemplo.com"
  datos_bancarios: "Banco del Ejemplo, cuenta 0123 a nombre de Comercial del Norte S.A."
idioma: {idioma}
moneda: {moneda}
pasos:
  - {{id: previo, dias: -3, canales: [email, sms, whatsapp], plantilla: previo}}
  - {{id: vencimiento, dias: 0, canales: [email, sms, whatsapp], plantilla: vencimiento}}
  - {{id: recordatorio, dias: 1, canales: [email, sms, whatsapp], plantilla: recordatorio}}
  - {{id: seguimiento, dias: 6, canales: [email, sms, whatsapp], plantilla: seguimiento}}
  - {{id: aviso_formal, dias: 20, canales: [email, sms, whatsapp], plantilla: aviso_formal}}
  - {{id: aviso_final, dias: 45, canales: [email, sms, whatsapp], plantilla: aviso_final}}
promesa_incumplida: {{canales: [email, sms, whatsapp], plantilla: promesa_incumplida}}
canales:
  email: {{tipo: memoria}}
  sms: {{tipo: memoria}}
  whatsapp: {{tipo: memoria}}
{extra}
"""
CABECERA_PARCIAL = ["Cliente", "Correo", "Teléfono", "Factura", "Vencimiento", "Importe",
                    "Saldo", "Atención", "Promesa de pago"]  # fmt: skip


def _todas(carpeta, monkeypatch, correr, filas, idioma="es_MX", moneda="MXN", extra=""):
    """Una ejecución real (canales en memoria) con un deudor en cada paso integrado."""
    from tests.canal_falso import CanalMemoria

    politica = TODAS.format(idioma=idioma, moneda=moneda, extra=extra)
    preparar_carpeta(carpeta, politica, monkeypatch)
    escribir_xlsx(carpeta / "cartera.xlsx", [CABECERA_PARCIAL, *filas])
    r = correr("enviar", "cartera.xlsx", "--hoy", HOY.isoformat(), "--salida", "i.json")
    assert r.exit_code == 0, r.output
    return CanalMemoria.enviados


def _fila(cliente, dias, n, importe=1000, saldo=1000, atencion="", promesa=None):
    telefono = f"55 1234 {5600 + n:04d}"
    correo = f"d{n}@ejemplo.com"
    return [cliente, correo, telefono, f"A-{100 + n}", HOY - timedelta(days=dias), importe,
            saldo, atencion, promesa]  # fmt: skip


PASOS_DIAS = {"previo": -3, "vencimiento": 0, "recordatorio": 1, "seguimiento": 6,
              "aviso_formal": 20, "aviso_final": 45}  # fmt: skip


def _textos(envio) -> list[str]:
    return [t for t in (envio.asunto, envio.cuerpo, envio.html) if t]


def test_ningun_mensaje_pone_dos_puntos_finales_tras_un_nombre_que_acaba_en_punto(
    en_tmp, correr, monkeypatch
):
    filas = [
        _fila(f"Comercial Ruiz {n} S.A. de C.V.", d, n) for n, d in enumerate(PASOS_DIAS.values())
    ]
    filas.append(_fila("Pérez Hermanos S. de R.L.", 3, 9, promesa=HOY - timedelta(days=1)))
    enviados = _todas(en_tmp, monkeypatch, correr, filas)
    pasos = {(e.paso.split("#")[0].split("@")[0], e.canal) for e in enviados}
    assert pasos == {(p, c) for p in [*PASOS_DIAS, "promesa_incumplida"]
                     for c in ("email", "sms", "whatsapp")}  # fmt: skip
    for envio in enviados:
        for texto in _textos(envio):
            sin_suspensivos = texto.replace("...", "")
            assert ".." not in sin_suspensivos, (envio.paso, envio.canal, texto)
    # El nombre sigue entero donde no va al final de una frase.
    assert any("Comercial Ruiz 1 S.A. de C.V." in e.cuerpo for e in enviados)


def test_saludo_a_una_empresa_a_una_persona_y_a_la_persona_de_la_columna_atencion(
    en_tmp, correr, monkeypatch
):
    filas = [
        _fila("Hotel Las Águilas", 20, 1),
        _fila("José Núñez", 20, 2),
        _fila("Distribuidora Pérez, S.L.", 20, 3, atencion="Laura Gómez"),
        _fila("Grupo Sol", 20, 4, atencion="Sra. Marta Ruiz"),
        _fila("Abarrotes La Güera", 20, 5, atencion="55 1111 2222"),  # un teléfono no es un nombre
    ]
    enviados = _todas(en_tmp, monkeypatch, correr, filas)
    correos = {e.cliente: e for e in enviados if e.canal == "email"}
    whatsapp = {e.cliente: e for e in enviados if e.canal == "whatsapp"}
    esperado = {
        "Hotel Las Águilas": "Estimados señores de Hotel Las Águilas:",
        "José Núñez": "Estimado(a) José Núñez:",
        "Distribuidora Pérez, S.L.": "Estimado(a) Laura Gómez:",
        "Grupo Sol": "Estimada Sra. Marta Ruiz:",
        "Abarrotes La Güera": "Estimados señores de Abarrotes La Güera:",
    }
    for cliente, saludo in esperado.items():
        assert correos[cliente].cuerpo.lstrip().startswith(saludo), correos[cliente].cuerpo
        assert saludo.replace("&", "&amp;") in correos[cliente].html
        assert whatsapp[cliente].cuerpo.lstrip().startswith(saludo)
        assert "Estimado(a) Hotel" not in correos[cliente].cuerpo


def test_un_pago_parcial_se_lee_como_saldo_pendiente_de_la_factura(en_tmp, correr, monkeypatch):
    filas = [
        _fila(f"Ana Ruiz {n}", dias, n, importe=17300, saldo=9300)
        for n, dias in enumerate(PASOS_DIAS.values())
    ]
    filas.append(_fila("Beto Paz", 6, 8, importe="$17,300.00", saldo="$17,300.00"))  # sin abono
    enviados = _todas(en_tmp, monkeypatch, correr, filas)
    for envio in enviados:
        if envio.cliente == "Beto Paz":
            assert (
                "(de $17,300.00)" not in envio.cuerpo and "saldo pendiente de" not in envio.cuerpo
            )
            continue
        if envio.canal == "sms":
            continue  # los SMS dicen solo el total (los acorta otro cambio)
        for texto in (t for t in (envio.cuerpo, envio.html) if t):  # el asunto no lleva importe
            assert "$9,300.00" in texto, (envio.paso, envio.canal)
            assert "de $17,300.00" in texto, (envio.paso, envio.canal, texto)
        assert re.search(r"factura A-10\d, con saldo pendiente de \$9,300\.00 \(de \$17,300\.00\)",
                         envio.cuerpo) or envio.canal != "email", envio.cuerpo  # fmt: skip


def test_espana_sin_cobranza_y_aviso_final_igual_en_sms_y_correo(en_tmp, correr, monkeypatch):
    filas = [
        _fila(f"Talleres Martín {n} S.L.", dias, n) for n, dias in enumerate(PASOS_DIAS.values())
    ]
    enviados = _todas(en_tmp, monkeypatch, correr, filas, idioma="es_ES", moneda="EUR",
                      extra="")  # fmt: skip
    for envio in enviados:
        for texto in _textos(envio):
            assert "cobranza" not in texto.lower(), (envio.paso, envio.canal, texto)
    finales = {e.canal: e.cuerpo for e in enviados if e.paso.startswith("aviso_final")}
    assert set(finales) == {"email", "sms", "whatsapp"}
    for canal, cuerpo in finales.items():
        # El SMS va en GSM-7 (sin á, í, ó, ú: un segmento de 160 y no de 70): la misma frase sin tildes.
        cuerpo = _sin_tildes(cuerpo)
        assert "suspension del credito" in cuerpo, (canal, cuerpo)
        assert "servicio" not in cuerpo
        if canal != "sms":  # el SMS breve, para caber en un segmento, solo dice la suspensión
            assert "podra pasar a un proceso de reclamacion" in cuerpo, (canal, cuerpo)


def _sin_tildes(texto: str) -> str:
    import unicodedata

    return "".join(c for c in unicodedata.normalize("NFD", texto) if not unicodedata.combining(c))


def test_la_politica_puede_decir_que_se_suspende_el_servicio(en_tmp, correr, monkeypatch):
    filas = [_fila("Ana Ruiz", 45, 1)]
    politica_extra = ""
    enviados = _todas(en_tmp, monkeypatch, correr, filas, extra=politica_extra)
    assert all("suspension del credito" in _sin_tildes(e.cuerpo) for e in enviados)
    texto = (en_tmp / "politica.yaml").read_text(encoding="utf-8")
    (en_tmp / "politica.yaml").write_text(
        texto.replace('contacto: "cobros@ejemplo.com"',
                      'contacto: "cobros@ejemplo.com"\n  suspension: servicio'),
        encoding="utf-8",
    )  # fmt: skip
    from tests.canal_falso import CanalMemoria

    CanalMemoria.reiniciar()
    (en_tmp / "cartera.xlsx").unlink()
    escribir_xlsx(en_tmp / "cartera.xlsx", [CABECERA_PARCIAL, _fila("Beto Paz", 45, 2)])
    r = correr("enviar", "cartera.xlsx", "--hoy", HOY.isoformat())
    assert r.exit_code == 0, r.output
    assert CanalMemoria.enviados
    assert all("suspension del servicio" in _sin_tildes(e.cuerpo) for e in CanalMemoria.enviados)
