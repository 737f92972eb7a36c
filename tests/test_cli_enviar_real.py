"""`recordar enviar` de verdad: una vez y solo una, con un canal en memoria y la bitácora real."""

from datetime import timedelta

import pytest

from tests.canal_falso import CanalMemoria
from tests.conftest import CABECERA, HOY, escribir_xlsx, leer_json, preparar_carpeta

POLITICA = """
empresa: {nombre: "Ferretería López", contacto: "cobranza@ejemplo.com"}
pasos:
  - {id: previo, dias: -3, canales: [email], plantilla: previo}
  - {id: vencimiento, dias: 0, canales: [email], plantilla: vencimiento}
  - {id: recordatorio, dias: 1, canales: [email, sms], plantilla: recordatorio}
  - {id: seguimiento, dias: 6, repetir_cada: 5, hasta: 26, canales: [email], plantilla: seguimiento}
limites: {min_dias_entre_mensajes: 1}
canales:
  email: {tipo: memoria}
  sms: {tipo: memoria}
"""


@pytest.fixture
def carpeta(en_tmp, monkeypatch):
    preparar_carpeta(en_tmp, POLITICA, monkeypatch)
    d = lambda n: HOY + timedelta(days=n)  # noqa: E731
    escribir_xlsx(
        en_tmp / "cartera.xlsx",
        [
            CABECERA,
            ["José Núñez", "jose@ejemplo.com", "55 1234 5678", "F-1", d(-1), 1500],
            ["José Núñez", "", "", "F-2", d(-1), 200],
            ["Ana Peña", "ana@ejemplo.com", "", "F-3", d(3), 300],
            ["Luis Ruiz", "luis@ejemplo.com", "", "F-4", d(-6), 400],
        ],
    )
    return en_tmp


def _enviar(correr, hoy=HOY, *extra):
    return correr(
        "enviar", "cartera.xlsx", "--hoy", hoy.isoformat(), "--salida", "informe.json", *extra
    )


def test_mismo_dia_dos_veces_y_al_dia_siguiente_solo_lo_nuevo(carpeta, correr):
    r = _enviar(correr)
    assert r.exit_code == 0, r.output
    primeros = [(e.destinatario, e.paso) for e in CanalMemoria.enviados]
    assert sorted(primeros) == sorted([
        ("jose@ejemplo.com", "recordatorio"), ("+525512345678", "recordatorio"),
        ("ana@ejemplo.com", "previo"), ("luis@ejemplo.com", "seguimiento"),
    ])  # fmt: skip
    assert {m["estado"] for m in leer_json(carpeta / "informe.json")["mensajes"]} == {"enviado"}
    assert (carpeta / "recordar-bitacora.sqlite").exists()

    r = _enviar(correr)
    assert r.exit_code == 0, r.output
    assert len(CanalMemoria.enviados) == 4  # nada nuevo el mismo día
    datos = leer_json(carpeta / "informe.json")
    assert datos["resumen"]["mensajes"] == 0
    assert any(o["motivo"].startswith("ya enviado") for o in datos["omitidas"])

    r = _enviar(correr, HOY + timedelta(days=3))  # F-3 vence: solo «vencimiento» para Ana
    assert r.exit_code == 0, r.output
    assert [(e.destinatario, e.paso) for e in CanalMemoria.enviados[4:]] == [
        ("ana@ejemplo.com", "vencimiento")
    ]


def test_simulacro_lee_la_bitacora_y_no_escribe(carpeta, correr):
    assert _enviar(correr).exit_code == 0
    bitacora = carpeta / "recordar-bitacora.sqlite"
    antes = bitacora.read_bytes()
    r = _enviar(correr, HOY, "--simulacro")
    assert r.exit_code == 0, r.output
    assert leer_json(carpeta / "informe.json")["resumen"]["mensajes"] == 0
    assert bitacora.read_bytes() == antes
    assert len(CanalMemoria.enviados) == 4


def test_simulacro_sin_bitacora_no_la_crea(carpeta, correr):
    assert _enviar(correr, HOY, "--simulacro").exit_code == 0
    assert not (carpeta / "recordar-bitacora.sqlite").exists()
    assert CanalMemoria.enviados == []


def test_temporal_se_reintenta_y_permanente_se_registra_sin_reintentar(carpeta, correr):
    CanalMemoria.fallos = {"ana@ejemplo.com": ["temporal"], "luis@ejemplo.com": ["permanente"]}
    r = _enviar(correr)
    assert r.exit_code == 1, r.output
    estados = {
        m["destinatario"]: (m["estado"], m.get("detalle", ""))
        for m in leer_json(carpeta / "informe.json")["mensajes"]
    }
    assert estados["ana@ejemplo.com"][0] == "enviado"
    assert estados["luis@ejemplo.com"] == ("fallido", "550 5.1.1 buzón inexistente")
    assert "550 5.1.1 buzón inexistente" in r.output
    # Al día siguiente el permanente no se reintenta: se vuelve a informar.
    r = _enviar(correr, HOY + timedelta(days=1))
    assert r.exit_code == 1
    assert "luis@ejemplo.com" not in [e.destinatario for e in CanalMemoria.enviados]
    (luis,) = [
        m for m in leer_json(carpeta / "informe.json")["mensajes"] if m["cliente"] == "Luis Ruiz"
    ]
    assert luis["estado"] == "fallido" and "corrige el contacto" in luis["detalle"]


def test_temporal_que_no_se_recupera_se_reintenta_en_la_siguiente_ejecucion(carpeta, correr):
    CanalMemoria.fallos = {"ana@ejemplo.com": ["temporal"] * 3}
    assert _enviar(correr).exit_code == 1
    assert "ana@ejemplo.com" not in [e.destinatario for e in CanalMemoria.enviados]
    assert _enviar(correr).exit_code == 0
    assert [e.destinatario for e in CanalMemoria.enviados].count("ana@ejemplo.com") == 1


def test_corte_tras_entregar_queda_incierto_y_solo_se_reenvia_si_se_pide(carpeta, correr):
    CanalMemoria.fallos = {"ana@ejemplo.com": ["quizas"]}
    r = _enviar(correr)
    assert r.exit_code == 1
    assert "ana@ejemplo.com" not in [e.destinatario for e in CanalMemoria.enviados]
    r = _enviar(correr)
    assert r.exit_code == 1  # sigue incierto: cron debe enterarse
    assert "Envíos inciertos sin resolver (1)" in r.output
    assert "ana@ejemplo.com" not in [e.destinatario for e in CanalMemoria.enviados]
    h = correr("historial", "--inciertos")
    assert h.exit_code == 0 and "Ana Peña" in h.output and "a***@ejemplo.com" in h.output
    r = _enviar(correr, HOY, "--reintentar-inciertos")
    assert r.exit_code == 0, r.output
    assert [e.destinatario for e in CanalMemoria.enviados].count("ana@ejemplo.com") == 1


def test_servidor_inalcanzable_no_registra_nada_como_enviado(carpeta, correr):
    (carpeta / "politica.yaml").write_text(
        POLITICA.replace("email: {tipo: memoria}", "email: {tipo: memoria, apagado: true}"),
        encoding="utf-8",
    )
    r = _enviar(correr)
    assert r.exit_code == 1
    assert "email: no se pudo conectar con memoria://apagado" in r.output
    correos = [m for m in leer_json(carpeta / "informe.json")["mensajes"] if m["canal"] == "email"]
    assert correos and {m["estado"] for m in correos} == {"fallido"}
    CanalMemoria.reiniciar()
    (carpeta / "politica.yaml").write_text(POLITICA, encoding="utf-8")
    assert _enviar(correr).exit_code == 0
    assert len([e for e in CanalMemoria.enviados if e.canal == "email"]) == len(correos)


def test_historial_filtra_y_enmascara(carpeta, correr):
    assert _enviar(correr).exit_code == 0
    r = correr("historial", "--cliente", "josé")
    assert r.exit_code == 0
    assert "j***@ejemplo.com" in r.output and "jose@ejemplo.com" not in r.output
    assert "+52******5678" in r.output
    r = correr("historial", "--factura", "F-4", "--completo", "--json")
    assert r.exit_code == 0
    assert '"destinatario": "luis@ejemplo.com"' in r.output and "José" not in r.output


def test_sin_canales_configurados_es_error_de_configuracion(carpeta, correr):
    (carpeta / "politica.yaml").write_text(POLITICA.split("\ncanales:")[0], encoding="utf-8")
    r = _enviar(correr)
    assert r.exit_code == 2
    assert "no hay canales configurados" in r.output


def test_secreto_literal_en_la_politica_se_rechaza(carpeta, correr):
    texto = POLITICA.replace(
        "email: {tipo: memoria}", "email: {tipo: memoria, contrasena: hunter2}"
    )
    (carpeta / "politica.yaml").write_text(texto, encoding="utf-8")
    r = _enviar(correr)
    assert r.exit_code == 2
    assert "canales.email.contrasena: no escribas secretos en la política" in r.output
    assert "hunter2" not in r.output


def test_bitacora_ocupada_por_otra_ejecucion(carpeta, correr):
    from recordar.bitacora import Bitacora

    with Bitacora.abrir_escritura(carpeta / "recordar-bitacora.sqlite"):
        r = _enviar(correr)
    assert r.exit_code == 2
    assert "otra ejecución de recordar" in r.output
    assert CanalMemoria.enviados == []


def test_canales_lista_tipos_y_configuracion(carpeta, correr):
    r = correr("canales")
    assert r.exit_code == 0, r.output
    for tipo in ("archivo", "memoria", "twilio", "http", "whatsapp_cloud"):
        assert tipo in r.output
    assert "configurado" in r.output
