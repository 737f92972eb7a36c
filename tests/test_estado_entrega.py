"""`recordar estado`: lo que el proveedor dice de la entrega, anotado en la bitácora. Twilio se
consulta (GET …/Messages/{Sid}.json) en un servidor de 127.0.0.1; Meta llega en un archivo con
los `statuses` de su webhook."""

import json
import sqlite3
from datetime import timedelta

import pytest

from recordar.bitacora import Bitacora
from tests.conftest import CABECERA, HOY, escribir_xlsx
from tests.servidor_http import Respuesta

SID = "AC0123456789abcdef0123456789abcdef"
TOKEN = "tok-SeCrEtO-9f8e7d6c5b4a"
POLITICA = """
empresa: {nombre: "Ferretería López", contacto: "cobranza@ejemplo.com"}
pasos:
  - {id: recordatorio, dias: 1, canales: [CANAL], plantilla: recordatorio}
canales:
  sms: {tipo: twilio, cuenta_env: TWILIO_SID, token_env: TWILIO_TOKEN, remitente: "+15005550006",
        url_base: "URL", timeout: 2}
  whatsapp: {tipo: whatsapp_cloud, telefono_id: "106540352242922", token_env: WHATSAPP_TOKEN,
             url_base: "URL", timeout: 2,
             plantillas: {recordatorio: {nombre: recordatorio_pago, parametros: [cliente, total]}}}
"""
TELEFONOS = ["+52 55 1234 5678", "+52 55 2222 3333", "+52 55 4444 5555"]


def _carpeta(en_tmp, servidor, monkeypatch, canal="sms"):
    monkeypatch.setenv("TWILIO_SID", SID)
    monkeypatch.setenv("TWILIO_TOKEN", TOKEN)
    monkeypatch.setenv("WHATSAPP_TOKEN", "EAAG-token")
    monkeypatch.setenv("RECORDAR_ESPERA_REINTENTO", "0")
    texto = POLITICA.replace("URL", servidor.url).replace("CANAL", canal)
    (en_tmp / "politica.yaml").write_text(texto, encoding="utf-8")
    vence = HOY - timedelta(days=1)
    filas = [[f"Cliente {i}", "", tel, f"F-{i}", vence, 100 * (i + 1)]
             for i, tel in enumerate(TELEFONOS)]  # fmt: skip
    escribir_xlsx(en_tmp / "cartera.xlsx", [CABECERA, *filas])
    return en_tmp


@pytest.fixture
def carpeta(en_tmp, servidor, monkeypatch, correr):
    """Tres SMS enviados por Twilio (SM0, SM1, SM2)."""
    _carpeta(en_tmp, servidor, monkeypatch)
    servidor.responder(*[Respuesta(201, {"sid": f"SM{i}", "status": "queued"}) for i in range(3)])
    r = correr("enviar", "cartera.xlsx", "--hoy", HOY.isoformat())
    assert r.exit_code == 0, r.output
    return en_tmp


def mensaje(sid: str, estado: str, codigo=None, motivo=None) -> Respuesta:
    """El recurso Message de Twilio como lo devuelve GET …/Messages/{Sid}.json."""
    return Respuesta(200, {
        "sid": sid, "account_sid": SID, "status": estado, "error_code": codigo,
        "error_message": motivo, "to": "+525512345678", "from": "+15005550006",
        "date_updated": "Mon, 23 Nov 2026 18:00:00 +0000", "num_segments": "1",
    })  # fmt: skip


def filas(carpeta) -> dict[str, tuple]:
    con = sqlite3.connect(carpeta / "recordar-bitacora.sqlite")
    try:
        return {f[0]: f[1:] for f in con.execute(
            "SELECT proveedor_id, destinatario, estado, permanente, entrega, entrega_detalle "
            "FROM envios")}  # fmt: skip
    finally:
        con.close()


def _estado(correr, *extra):
    return correr("estado", "--hoy", HOY.isoformat(), *extra)


def test_consulta_cada_sid_y_anota_lo_que_dice_twilio(carpeta, servidor, correr):
    antes = len(servidor.peticiones)
    servidor.responder(mensaje("SM0", "delivered"),
                       mensaje("SM1", "undelivered", 30003, "Unreachable destination handset"),
                       mensaje("SM2", "sent"))  # fmt: skip
    r = _estado(correr)
    assert r.exit_code == 1, r.output  # hay uno sin entregar: cron se entera
    consultas = servidor.peticiones[antes:]
    assert [p.metodo for p in consultas] == ["GET"] * 3
    assert sorted(p.ruta for p in consultas) == [
        f"/2010-04-01/Accounts/{SID}/Messages/SM{i}.json" for i in range(3)]  # fmt: skip
    assert consultas[0].basic() == (SID, TOKEN)
    # Cada respuesta se anota en el envío de su SID (el servidor contesta en orden de llegada).
    dicho = {p.ruta.rsplit("/", 1)[1].removesuffix(".json"): e
             for p, e in zip(consultas, ("delivered", "undelivered", "sent"), strict=True)}  # fmt: skip
    ahora = filas(carpeta)
    for sid, entrega in dicho.items():
        assert ahora[sid][3] == entrega
    sin_entregar = next(s for s, e in dicho.items() if e == "undelivered")
    assert ahora[sin_entregar][1:3] == ("fallido", 0)
    assert "30003" in ahora[sin_entregar][4] and "Unreachable" in ahora[sin_entregar][4]
    assert "entregados 1, en camino 1, no entregados 1" in r.output
    assert "undelivered (código 30003)" in r.output and "la próxima «recordar enviar»" in r.output

    # El mismo día, enviar reenvía solo el que no llegó.
    servidor.responder(Respuesta(201, {"sid": "SM9"}))
    antes = len(servidor.peticiones)
    r = correr("enviar", "cartera.xlsx", "--hoy", HOY.isoformat())
    assert r.exit_code == 0, r.output
    (reenvio,) = servidor.peticiones[antes:]
    assert reenvio.metodo == "POST" and reenvio.formulario()["To"] == ahora[sin_entregar][0]
    # El reenvío es otro mensaje: no le queda nada de la entrega del anterior.
    con = sqlite3.connect(carpeta / "recordar-bitacora.sqlite")
    quedan = con.execute("SELECT entrega, entrega_detalle, entrega_en FROM envios "
                         "WHERE proveedor_id = 'SM9'").fetchall()  # fmt: skip
    con.close()
    assert quedan == [(None, None, None)]

    # Y la siguiente consulta solo pregunta por lo que aún no tiene estado final.
    servidor.responder(mensaje("X", "delivered"))
    antes = len(servidor.peticiones)
    r = _estado(correr)
    assert r.exit_code == 0, r.output
    consultados = sorted(p.ruta.rsplit("/", 1)[1] for p in servidor.peticiones[antes:])
    en_camino = next(s for s, e in dicho.items() if e == "sent")
    assert consultados == sorted([f"{en_camino}.json", "SM9.json"])


@pytest.mark.parametrize(
    ("codigo", "motivo", "permanente", "frase"),
    [
        (30005, "Unknown destination handset", 1, "corrige el teléfono"),
        (30006, "Landline or unreachable carrier", 1, "corrige el teléfono"),
        (21610, "Attempt to send to unsubscribed recipient", 1, "se registró su baja por sms"),
        (30007, "Message filtered", 0, "la próxima «recordar enviar»"),
    ],
)
def test_que_se_hace_con_cada_codigo_de_no_entrega(carpeta, servidor, correr, codigo, motivo,
                                                    permanente, frase):  # fmt: skip
    servidor.responder(mensaje("SM", "failed", codigo, motivo), mensaje("SM", "delivered"))
    antes = len(servidor.peticiones)
    r = _estado(correr)
    assert r.exit_code == 1, r.output
    primero = servidor.peticiones[antes].ruta.rsplit("/", 1)[1].removesuffix(".json")
    fila = filas(carpeta)[primero]
    assert fila[1:3] == ("fallido", permanente) and str(codigo) in fila[4]
    assert frase in " ".join(r.output.split())
    with Bitacora.abrir_lectura(carpeta / "recordar-bitacora.sqlite") as b:
        assert b.tiene_baja(fila[0], "sms") is (codigo == 21610)


def test_credencial_rechazada_al_consultar_para_y_no_cambia_nada(carpeta, servidor, correr):
    servidor.responder(Respuesta(401, {"code": 20003, "message": "Authenticate", "status": 401}))
    antes = len(servidor.peticiones)
    r = _estado(correr)
    assert r.exit_code == 1
    assert len(servidor.peticiones) == antes + 1
    assert "error: sms: Twilio rechazó" in r.output and "código 20003" in r.output
    assert TOKEN not in r.output
    assert {f[1] for f in filas(carpeta).values()} == {"enviado"}


def test_fuera_de_la_ventana_no_se_consulta(carpeta, servidor, correr):
    antes = len(servidor.peticiones)
    r = correr("estado", "--hoy", (HOY + timedelta(days=10)).isoformat(), "--dias", "7")
    assert r.exit_code == 0, r.output
    assert len(servidor.peticiones) == antes and "0 mensajes" in r.output


def test_sin_bitacora_lo_dice_y_no_la_crea(en_tmp, servidor, monkeypatch, correr):
    _carpeta(en_tmp, servidor, monkeypatch)
    r = _estado(correr)
    assert r.exit_code == 2 and "la bitácora no existe" in r.output
    assert not (en_tmp / "recordar-bitacora.sqlite").exists()


# --- Meta: solo por webhook; los estados llegan en un archivo -----------------------------------


def webhook(*estados) -> dict:
    """Un cuerpo del webhook de WhatsApp Cloud con esos `statuses`."""
    return {"object": "whatsapp_business_account", "entry": [{"id": "102290129340398", "changes": [{
        "field": "messages", "value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "15550783881", "phone_number_id": "106540352242922"},
            "statuses": list(estados),
        }}]}]}  # fmt: skip


def estado_meta(wamid: str, estado: str, momento: int, error=None) -> dict:
    datos = {"id": wamid, "status": estado, "timestamp": str(momento),
             "recipient_id": "5215512345678"}  # fmt: skip
    if error:
        datos["errors"] = [error]
    return datos


@pytest.fixture
def carpeta_whatsapp(en_tmp, servidor, monkeypatch, correr):
    """Tres WhatsApp enviados por la Cloud API (wamid.0, wamid.1, wamid.2)."""
    _carpeta(en_tmp, servidor, monkeypatch, canal="whatsapp")
    servidor.responder(
        *[
            Respuesta(200, {"messaging_product": "whatsapp", "messages": [{"id": f"wamid.{i}"}]})
            for i in range(3)
        ]
    )
    r = correr("enviar", "cartera.xlsx", "--hoy", HOY.isoformat())
    assert r.exit_code == 0, r.output
    return en_tmp


def test_meta_sin_archivo_explica_el_hueco(carpeta_whatsapp, servidor, correr):
    antes = len(servidor.peticiones)
    r = _estado(correr)
    assert r.exit_code == 0, r.output
    assert len(servidor.peticiones) == antes  # a Meta no se le pregunta
    assert "Meta solo informa la entrega por webhook" in " ".join(r.output.split())


def test_meta_archivo_del_webhook(carpeta_whatsapp, correr):
    sin_whatsapp = {"code": 131026, "title": "Message undeliverable",
                    "message": "Message undeliverable",
                    "error_data": {"details": "Message Undeliverable."}}  # fmt: skip
    cuerpos = [
        webhook(estado_meta("wamid.0", "sent", 1795456800)),
        webhook(estado_meta("wamid.0", "delivered", 1795456805),
                estado_meta("wamid.1", "failed", 1795456806, sin_whatsapp)),
        webhook(estado_meta("wamid.2", "sent", 1795456807),
                estado_meta("wamid.otro", "read", 1795456808)),
    ]  # fmt: skip
    # Una exportación con un cuerpo del webhook por línea.
    archivo = carpeta_whatsapp / "estados.jsonl"
    archivo.write_text("\n".join(json.dumps(c) for c in cuerpos) + "\n", encoding="utf-8")
    r = _estado(correr, "--archivo", str(archivo))
    assert r.exit_code == 1, r.output
    ahora = filas(carpeta_whatsapp)
    assert ahora["wamid.0"][3] == "delivered"
    assert ahora["wamid.1"][1:4] == ("fallido", 1, "failed")
    assert "131026" in ahora["wamid.1"][4] and "Message Undeliverable." in ahora["wamid.1"][4]
    assert ahora["wamid.2"][1:4] == ("enviado", 0, "sent")
    texto = " ".join(r.output.split())
    assert "1 estados del archivo son de mensajes que no están en esta bitácora" in texto
    assert "corrige el teléfono" in texto


def test_meta_archivo_como_un_solo_json_con_lista(carpeta_whatsapp, correr):
    archivo = carpeta_whatsapp / "estados.json"
    archivo.write_text(json.dumps([webhook(estado_meta(f"wamid.{i}", "read", 1795456800 + i))
                                   for i in range(3)]), encoding="utf-8")  # fmt: skip
    r = _estado(correr, "-a", str(archivo))
    assert r.exit_code == 0, r.output
    assert {f[3] for f in filas(carpeta_whatsapp).values()} == {"read"}


@pytest.mark.parametrize(
    ("contenido", "mensaje"),
    [
        ('{"statuses": [', "línea 1: no es JSON"),
        ('{"entry": []}', "no trae ningún estado"),
        (b"\xff\xfe\x00", "no se pudo leer"),
    ],
)
def test_meta_archivo_malo_es_una_frase(carpeta_whatsapp, correr, contenido, mensaje):
    archivo = carpeta_whatsapp / "estados.json"
    if isinstance(contenido, bytes):
        archivo.write_bytes(contenido)
    else:
        archivo.write_text(contenido, encoding="utf-8")
    r = _estado(correr, "--archivo", str(archivo))
    assert r.exit_code == 2
    assert f"{archivo}: " in " ".join(r.output.split()) and mensaje in r.output
    assert "Traceback" not in r.output
