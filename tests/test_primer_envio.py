"""El primer envío real de un usuario nuevo: nada de ejemplo ni nada sin canal sale, y los
valores de partida (país, interés, SMS) se pueden creer."""

from datetime import date, timedelta

import pytest

from tests.canal_falso import CanalMemoria
from tests.conftest import CABECERA, HOY, escribir_xlsx, leer_json

DOMINGO = date(2026, 11, 22)
MIOS = {
    '"Mi Empresa EJEMPLO S.A. de C.V."': '"Ferretería Ruiz S.A. de C.V."',
    '"cobranza@miempresa.ejemplo · 55 0000 0000"': '"cobranza@ferreteriaruiz.mx · 33 3615 0000"',
    '"https://pagos.ejemplo.com/?ref={{ factura }}"': '"https://pagar.ferreteriaruiz.mx/{{ factura }}"',
    '"CLABE 000 000 00123456789 0 (EJEMPLO)"': '"CLABE 072 320 01234567891 2 (Banorte)"',
}  # fmt: skip


def _cartera(carpeta, hoy=HOY):
    d = lambda n: hoy + timedelta(days=n)  # noqa: E731
    return escribir_xlsx(
        carpeta / "cartera.xlsx",
        [
            CABECERA,
            ["José Núñez", "jose@ferreteria.mx", "55 1234 5678", "F-1", d(-1), 1500],
            ["Ana Peña", "ana@ferreteria.mx", "", "F-2", d(-6), 300],
            ["Carnicería Doña Begoña", "", "33 3616 1234", "F-3", d(-6), 800],
        ],
    )


def _iniciar(correr, carpeta, cambios: dict[str, str], canales: str, *extra) -> str:
    r = correr("iniciar", carpeta / "mi-cobranza", *extra)
    assert r.exit_code == 0, r.output
    ruta = carpeta / "mi-cobranza" / "politica.yaml"
    texto = ruta.read_text(encoding="utf-8")
    for viejo, nuevo in cambios.items():
        assert viejo in texto
        texto = texto.replace(viejo, nuevo)
    ruta.write_text(texto + canales, encoding="utf-8")
    return str(ruta)


@pytest.fixture
def memoria(monkeypatch):
    CanalMemoria.reiniciar()
    monkeypatch.setenv("RECORDAR_ESPERA_REINTENTO", "0")
    return CanalMemoria


SOLO_EMAIL = "\ncanales:\n  email: {tipo: memoria}\n"


def test_con_valores_de_ejemplo_el_envio_real_se_niega_y_validar_los_nombra(
    en_tmp, correr, memoria
):
    # El usuario cambia nombre y contacto, pero deja el enlace y la CLABE de ejemplo.
    cambios = dict(list(MIOS.items())[:2])
    politica = _iniciar(correr, en_tmp, cambios, SOLO_EMAIL)
    _cartera(en_tmp)
    r = correr("validar", "cartera.xlsx", "-p", politica, "--hoy", HOY.isoformat())
    assert r.exit_code == 0, r.output
    assert "correcta para simulacros" in r.output
    assert "empresa.enlace_pago: valor de ejemplo" in r.output
    assert "empresa.datos_bancarios: valor de ejemplo" in r.output
    assert "empresa.nombre: valor" not in r.output

    r = correr("enviar", "cartera.xlsx", "-p", politica, "--hoy", HOY.isoformat())
    assert r.exit_code == 2
    assert "valores de ejemplo en empresa.enlace_pago, empresa.datos_bancarios;" in " ".join(
        r.output.split()
    )
    assert memoria.enviados == []
    assert not (en_tmp / "mi-cobranza" / "recordar-bitacora.sqlite").exists()

    r = correr("enviar", "cartera.xlsx", "-p", politica, "--hoy", HOY.isoformat(), "-n")
    assert r.exit_code == 0, r.output
    assert r.output.startswith(
        "AVISO: valores de ejemplo en empresa.enlace_pago, empresa.datos_bancarios"
    )


def test_con_los_datos_propios_se_envia(en_tmp, correr, memoria):
    politica = _iniciar(correr, en_tmp, MIOS, SOLO_EMAIL)
    _cartera(en_tmp)
    r = correr("enviar", "cartera.xlsx", "-p", politica, "--hoy", HOY.isoformat())
    assert r.exit_code == 0, r.output
    assert "AVISO" not in r.output
    assert memoria.enviados and all("pagar.ferreteriaruiz.mx" in e.cuerpo for e in memoria.enviados)


@pytest.mark.parametrize(
    ("clave", "valor"),
    [
        ("enlace_pago", "https://pagos.miempresa.com/?ref={{ factura }}"),
        ("datos_bancarios", "CLABE  012 180   00123456789 0 (BBVA)"),
        ("nombre", "  Mi Empresa S.A. de C.V. "),
        ("contacto", "cobranza@miempresa.com · 55 1234 5678"),
        ("enlace_pago", "https://pagos.ejemplo.com/pagar?folio={{ factura }}"),
    ],
)
def test_los_valores_de_ejemplo_de_versiones_anteriores_tambien_se_niegan(
    en_tmp, correr, memoria, clave, valor
):
    nombre = "" if clave == "nombre" else 'nombre: "Ferretería Ruiz", '
    (en_tmp / "politica.yaml").write_text(
        f'empresa: {{{nombre}{clave}: "{valor}"}}\n'
        "pasos:\n  - {id: aviso, dias: 1, canales: [email], plantilla: recordatorio}\n"
        "canales:\n  email: {tipo: memoria}\n",
        encoding="utf-8",
    )
    _cartera(en_tmp)
    r = correr("enviar", "cartera.xlsx", "--hoy", HOY.isoformat())
    assert r.exit_code == 2
    assert f"valores de ejemplo en empresa.{clave};" in " ".join(r.output.split())
    assert memoria.enviados == []


def test_la_politica_predeterminada_no_envia_de_verdad(en_tmp, correr):
    _cartera(en_tmp)
    r = correr("enviar", "cartera.xlsx", "--hoy", HOY.isoformat())
    assert r.exit_code == 2
    assert "recordar iniciar" in r.output and "solo para simulacros" in r.output
    r = correr("enviar", "cartera.xlsx", "--hoy", HOY.isoformat(), "--simulacro")
    assert r.exit_code == 0 and "AVISO: política predeterminada" in r.output


def test_canales_sin_transporte_y_deudores_sin_canal(en_tmp, correr, memoria):
    politica = _iniciar(correr, en_tmp, MIOS, SOLO_EMAIL)
    _cartera(en_tmp)
    r = correr("validar", "cartera.xlsx", "-p", politica, "--hoy", HOY.isoformat())
    texto = " ".join(r.output.split())
    assert r.exit_code == 0, r.output
    assert (
        "sms: sin transporte en «canales:»; lo usan los pasos vencimiento, seguimiento, "
        "aviso_final; 1 deudor de la hoja solo se alcanza por canales sin transporte" in texto
    )
    assert "whatsapp: sin transporte en «canales:»; lo usan los pasos recordatorio" in texto
    assert "email: sin transporte" not in texto

    r = correr("canales", "cartera.xlsx", "-p", politica)
    assert r.exit_code == 0, r.output
    assert "aviso_final; 1 deudor de la hoja solo se alcanza" in " ".join(r.output.split())

    r = correr("enviar", "cartera.xlsx", "-p", politica, "--hoy", HOY.isoformat(), "-n",
               "-o", "simulacro.json")  # fmt: skip
    assert r.exit_code == 0, r.output
    assert "sin canal configurado: 1 — Carnicería Doña Begoña, solo teléfono" in r.output
    simulacro = leer_json(en_tmp / "simulacro.json")
    assert simulacro["sin_canal"] == [
        {"cliente": "Carnicería Doña Begoña", "facturas": ["F-3"], "tiene": "solo teléfono"}
    ]

    r = correr("enviar", "cartera.xlsx", "-p", politica, "--hoy", HOY.isoformat(),
               "-o", "real.json")  # fmt: skip
    assert r.exit_code == 0, r.output
    assert "sin canal configurado: 1 — Carnicería Doña Begoña, solo teléfono" in r.output
    real = leer_json(en_tmp / "real.json")
    assert real["sin_canal"] == simulacro["sin_canal"]

    # El simulacro mostró exactamente lo que salió: mismos mensajes, canales y textos.
    def mensajes(datos):
        return sorted(
            (m["cliente"], tuple(m["facturas"]), m["paso"], m["canal"], m["destinatario"],
             m["cuerpo"]) for m in datos["mensajes"]
        )  # fmt: skip

    assert mensajes(simulacro) == mensajes(real)
    assert len(memoria.enviados) == len(real["mensajes"]) == 2
    assert {m["estado"] for m in real["mensajes"]} == {"enviado"}


def test_sms_de_un_segmento_y_su_coste(en_tmp, correr):
    (en_tmp / "politica.yaml").write_text(
        'empresa: {nombre: "Ferretería Ruiz S.A. de C.V.", firma_sms: "Ferreteria Ruiz",\n'
        '          contacto: "33 3615 0000", enlace_pago: "https://frz.mx/{{ factura }}"}\n'
        "cumplimiento: MX\n"
        "pasos:\n"
        "  - {id: previo, dias: -3, canales: [sms], plantilla: previo}\n"
        "  - {id: vencimiento, dias: 0, canales: [sms], plantilla: vencimiento}\n"
        "  - {id: recordatorio, dias: 1, canales: [sms], plantilla: recordatorio}\n"
        "  - {id: seguimiento, dias: 6, canales: [sms], plantilla: seguimiento}\n"
        "  - {id: aviso_formal, dias: 30, canales: [sms], plantilla: aviso_formal}\n"
        "  - {id: aviso_final, dias: 45, canales: [sms], plantilla: aviso_final}\n"
        "canales:\n"
        "  sms: {tipo: twilio, cuenta_env: SID, token_env: TOKEN, remitente: '+15005550006',\n"
        "        costo_por_segmento: 0.5}\n",
        encoding="utf-8",
    )
    d = lambda n: HOY + timedelta(days=n)  # noqa: E731
    filas = [CABECERA]
    for i, atraso in enumerate((-3, 0, 1, 6, 30, 45)):
        filas.append([f"Plomería Hernández {i}", "", f"55 1234 56{i:02d}", f"F-{i}", d(-atraso),
                      12450.5])  # fmt: skip
    filas.append(["Ingeniería Eléctrica del Bajío y Asociados Internacionales S. de R.L. de C.V.",
                  "", "55 9999 0000", "F-9", d(-45), 1854.87])  # fmt: skip
    escribir_xlsx(en_tmp / "cartera.xlsx", filas)
    r = correr("enviar", "cartera.xlsx", "--hoy", HOY.isoformat(), "-n", "-o", "i.json")
    assert r.exit_code == 0, r.output
    datos = leer_json(en_tmp / "i.json")
    sms = {m["cliente"]: m for m in datos["mensajes"]}
    assert len(sms) == 7
    for i in range(6):
        m = sms[f"Plomería Hernández {i}"]
        assert (m["segmentos"], m["codificacion"]) == (1, "GSM-7"), m["cuerpo"]
        assert m["cuerpo"].startswith("Ferreteria Ruiz: ")
        assert m["cuerpo"].count("33 3615 0000") <= 1
    assert (
        sms["Ingeniería Eléctrica del Bajío y Asociados Internacionales S. de R.L. de C.V."][
            "segmentos"
        ]
        <= 2
    )
    total = sum(m["segmentos"] for m in sms.values())
    assert datos["sms"] == {"mensajes": 7, "segmentos": total, "costo_estimado": total * 0.5}
    assert f"SMS: 7 mensajes, {total} segmentos, coste estimado {total * 0.5:.2f} MXN" in r.output


def test_validar_senala_el_sms_de_mas_segmentos_con_su_deudor(en_tmp, correr):
    (en_tmp / "plantillas").mkdir()
    (en_tmp / "plantillas" / "aviso.sms.j2").write_text(
        "{{ cliente }}: " + "le recordamos su saldo pendiente con nosotros. " * 4,
        encoding="utf-8",
    )
    (en_tmp / "politica.yaml").write_text(
        "pasos:\n  - {id: aviso, dias: 30, canales: [sms], plantilla: aviso}\n"
        'canales:\n  sms: {tipo: twilio, cuenta_env: SID, token_env: TOKEN, remitente: "+15005550006",\n'
        "        max_segmentos: 1}\n",
        encoding="utf-8",
    )
    largo = "Distribuidora de Materiales para la Construcción del Noroeste"
    escribir_xlsx(
        en_tmp / "cartera.xlsx",
        [CABECERA, ["Ana", "", "55 1234 5678", "F-1", HOY + timedelta(days=9), 10],
         [largo, "", "55 1234 5679", "F-2", HOY + timedelta(days=9), 10]],
    )  # fmt: skip
    r = correr("validar", "cartera.xlsx", "--hoy", HOY.isoformat())
    texto = " ".join(r.output.split())
    assert r.exit_code == 0, r.output
    assert "la plantilla «aviso.sms.j2» (paso aviso) da" in texto
    assert f"con el deudor «{largo}» (fila 3); el máximo es 1 (canales.sms.max_segmentos)" in texto


def test_iniciar_por_idioma_fija_el_pais_sin_domingos_y_con_el_interes_legal(en_tmp, correr):
    politica = _iniciar(correr, en_tmp, MIOS, SOLO_EMAIL, "--idioma", "es_ES")
    texto = (en_tmp / "mi-cobranza" / "politica.yaml").read_text(encoding="utf-8")
    assert "\ncumplimiento: ES\n" in texto and "\nmoneda: EUR\n" in texto
    assert "\ninteres_moratorio:" not in texto  # nada fijo que contradiga al país
    _cartera(en_tmp, DOMINGO)
    r = correr("enviar", "cartera.xlsx", "-p", politica, "--hoy", DOMINGO.isoformat(), "-n",
               "-o", "domingo.json")  # fmt: skip
    assert r.exit_code == 0, r.output
    domingo = leer_json(en_tmp / "domingo.json")
    assert domingo["mensajes"] == []
    assert {o["motivo"] for o in domingo["omitidas"]} >= {"día no hábil (domingo)"}

    lunes = DOMINGO + timedelta(days=1)
    r = correr("enviar", "cartera.xlsx", "-p", politica, "--hoy", lunes.isoformat(), "-n",
               "-o", "lunes.json")  # fmt: skip
    ana = next(
        m for m in leer_json(en_tmp / "lunes.json")["mensajes"] if m["cliente"] == "Ana Peña"
    )
    assert ana["compensacion"] == 40 and ana["interes"] > 0  # Ley 3/2004 desde el primer día


def test_mexico_6_por_ciento_legal_y_la_tasa_propia_manda_y_se_dice(en_tmp, correr):
    base = (
        "empresa: {nombre: Ferretería Ruiz}\ncumplimiento: {pais}\n"
        "pasos:\n  - {id: aviso, dias: 1, canales: [email], plantilla: recordatorio}\n"
    )
    escribir_xlsx(
        en_tmp / "cartera.xlsx",
        [CABECERA, ["Ana", "ana@ferreteria.mx", "", "F-1", HOY - timedelta(days=73), 36500]],
    )

    def interes(politica: str) -> tuple[float, str]:
        (en_tmp / "politica.yaml").write_text(politica, encoding="utf-8")
        r = correr("enviar", "cartera.xlsx", "--hoy", HOY.isoformat(), "-n", "-o", "i.json")
        assert r.exit_code == 0, r.output
        (m,) = leer_json(en_tmp / "i.json")["mensajes"]
        return m["interes"], " ".join(r.output.split())

    assert interes(base.replace("{pais}", "MX"))[0] == 438  # 36500 × 6 % × 73 / 365
    valor, salida = interes(base.replace("{pais}", "ES") + "interes_moratorio: {tasa_anual: 10}\n")
    assert valor == 730  # su 10 %, no la tabla del BOE
    assert "nota: interes_moratorio.tasa_anual: tu tasa (10 %) reemplaza la tabla" in salida
    valor, salida = interes(base.replace("{pais}", "MX") + "interes_moratorio: {tasa_anual: 18}\n")
    assert valor == 1314
    assert (
        "interes_moratorio.tasa_anual: tu valor (18) reemplaza el de cumplimiento MX (6)" in salida
    )


@pytest.mark.parametrize("pais", ["MX", "ES", "US", "CO", "CL"])
def test_ningun_pais_contacta_en_domingo(en_tmp, correr, pais):
    (en_tmp / "politica.yaml").write_text(
        f"cumplimiento: {pais}\n"
        "pasos:\n  - {id: aviso, dias: 1, canales: [email], plantilla: recordatorio}\n",
        encoding="utf-8",
    )
    _cartera(en_tmp, DOMINGO)
    r = correr("enviar", "cartera.xlsx", "--hoy", f"{DOMINGO.isoformat()}T11:00", "-n",
               "-o", "i.json")  # fmt: skip
    assert r.exit_code == 0, r.output
    assert leer_json(en_tmp / "i.json")["mensajes"] == []


def test_sin_pais_ni_horario_o_con_otro_pais_se_avisa(en_tmp, correr):
    pasos = "pasos:\n  - {id: aviso, dias: 1, canales: [email], plantilla: recordatorio}\n"
    _cartera(en_tmp)
    (en_tmp / "politica.yaml").write_text("idioma: es_CO\n" + pasos, encoding="utf-8")
    r = correr("validar", "cartera.xlsx", "--hoy", HOY.isoformat())
    texto = " ".join(r.output.split())
    assert "los mensajes pueden salir en domingo o en feriado: indica el país (p. ej. " in texto
    assert "cumplimiento: CO)" in texto
    (en_tmp / "politica.yaml").write_text(
        "idioma: es_ES\ncumplimiento: MX\n" + pasos, encoding="utf-8"
    )
    r = correr("enviar", "cartera.xlsx", "--hoy", HOY.isoformat(), "-n")
    assert "nota: cumplimiento: MX no es el país de idioma es_ES (ES); revisa ambos" in " ".join(
        r.output.split()
    )


def test_tras_aviso_solo_en_una_tarea(en_tmp, correr):
    (en_tmp / "politica.yaml").write_text(
        "pasos:\n  - {id: aviso, dias: 1, canales: [email], plantilla: recordatorio, "
        "tras_aviso: 5}\n",
        encoding="utf-8",
    )
    _cartera(en_tmp)
    r = correr("validar", "cartera.xlsx")
    assert r.exit_code == 2
    assert "pasos[0].tras_aviso: solo tiene sentido en un paso con accion: tarea" in r.output


def test_sin_firma_cuando_el_remitente_ya_nombra_la_empresa(en_tmp, correr):
    (en_tmp / "politica.yaml").write_text(
        'empresa: {nombre: "Ferretería Ruiz S.A. de C.V.", firma_sms: ""}\n'
        "pasos:\n  - {id: recordatorio, dias: 1, canales: [sms], plantilla: recordatorio}\n",
        encoding="utf-8",
    )
    _cartera(en_tmp)
    r = correr("enviar", "cartera.xlsx", "--hoy", HOY.isoformat(), "-n", "-o", "i.json")
    assert r.exit_code == 0, r.output
    (m,) = [m for m in leer_json(en_tmp / "i.json")["mensajes"] if m["cliente"] == "José Núñez"]
    assert m["cuerpo"].startswith(
        "Hola José Nuñez: su factura F-1 por $1,500.00"
    )  # é está en GSM-7
    assert (m["segmentos"], m["codificacion"]) == (1, "GSM-7")


def test_el_remitente_de_ejemplo_de_los_canales_tambien_se_niega(en_tmp, correr, memoria):
    (en_tmp / "politica.yaml").write_text(
        'empresa: {nombre: "Ferretería Ruiz"}\n'
        "pasos:\n  - {id: aviso, dias: 1, canales: [email], plantilla: recordatorio}\n"
        "canales:\n  email: {tipo: smtp, servidor: smtp.miempresa.ejemplo,\n"
        '          remitente: "Cobranza Mi Empresa <cobranza@miempresa.ejemplo>"}\n',
        encoding="utf-8",
    )
    _cartera(en_tmp)
    r = correr("enviar", "cartera.xlsx", "--hoy", HOY.isoformat())
    assert r.exit_code == 2
    assert "en canales.email.remitente, canales.email.servidor;" in " ".join(r.output.split())
    r = correr("canales")
    assert r.exit_code == 0, r.output
    assert "sin transporte" not in r.output


@pytest.mark.parametrize("formato", ["html", "xlsx", "csv"])
def test_los_informes_html_xlsx_y_csv_listan_los_deudores_sin_canal(en_tmp, correr, formato):
    politica = _iniciar(correr, en_tmp, MIOS, SOLO_EMAIL)
    _cartera(en_tmp)
    r = correr("enviar", "cartera.xlsx", "-p", politica, "--hoy", HOY.isoformat(), "-n",
               "-o", f"informe.{formato}")  # fmt: skip
    assert r.exit_code == 0, r.output
    esperado = "Carnicería Doña Begoña — solo teléfono (facturas F-3)"
    if formato == "xlsx":
        from openpyxl import load_workbook

        libro = load_workbook(en_tmp / "informe.xlsx")
        filas = [tuple(c.value for c in fila) for fila in libro["Sin canal"].iter_rows()]
        assert filas == [("Cliente", "Tiene", "Facturas"),
                         ("Carnicería Doña Begoña", "solo teléfono", "F-3")]  # fmt: skip
        resumen = [c.value for fila in libro["Resumen"].iter_rows() for c in fila]
        assert "1 deudor: ver la hoja «Sin canal»" in resumen
    elif formato == "csv":
        import csv

        with (en_tmp / "informe.csv").open(encoding="utf-8-sig", newline="") as f:
            filas = list(csv.DictReader(f))
        assert {"tipo": "Sin canal configurado", "motivo": esperado}.items() <= next(
            fila for fila in filas if fila["tipo"] == "Sin canal configurado"
        ).items()
    else:
        texto = (en_tmp / "informe.html").read_text(encoding="utf-8")
        assert "<h2>Sin canal configurado (1)</h2>" in texto and esperado in texto
