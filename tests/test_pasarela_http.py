"""La pasarela HTTP genérica: peticiones armadas como datos, la marca de éxito de la respuesta
(`campo_exito`, `valor_exito`) y los ejemplos de `ejemplos/canales/`, probados contra 127.0.0.1
con un cliente y un texto hostiles."""

import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest
import yaml

from recordar.canales.base import Envio, ErrorEnvio, crear_canal
from recordar.canales.sms import CanalHttp
from recordar.errores import ErrorCanal
from tests.conftest import CABECERA, HOY, escribir_xlsx
from tests.servidor_http import ABIERTOS, Respuesta

EJEMPLOS = Path(__file__).resolve().parent.parent / "ejemplos" / "canales"
CLAVE = "clave-SeCrEtA-123+/="
HOSTIL = Envio(
    "k-1", "sms", 'José "Pepe" Núñez & Cía.', "+525512345678", "",
    'Hola José "Pepe": debe $1,500 & más + IVA = 100%\nPaga en https://x.mx/p?a=1&b=2',
)  # fmt: skip


@pytest.fixture(autouse=True)
def entorno(monkeypatch):
    for variable in ("SMSMASIVOS_APIKEY", "INFOBIP_APIKEY", "PASARELA_CLAVE"):
        monkeypatch.setenv(variable, CLAVE)
    monkeypatch.setenv("SIGNALWIRE_PROYECTO", "PJ0123456789abcdef")
    monkeypatch.setenv("SIGNALWIRE_TOKEN", CLAVE)


def pasarela(url: str, **ajustes) -> CanalHttp:
    config = {"tipo": "http", "url": f"{url}/v1/sms", "tipo_contenido": "application/json",
              "cabeceras": {"Authorization": "Bearer {{ secreto('PASARELA_CLAVE') }}"},
              "cuerpo": {"to": "{{ destinatario }}", "text": "{{ texto }}"}, "timeout": 2}  # fmt: skip
    canal = CanalHttp("sms", {**config, **ajustes})
    ABIERTOS.append(canal)
    return canal


def ejemplo(nombre: str, url: str):
    """El canal de `ejemplos/canales/NOMBRE.yaml`, con su servidor cambiado por el local."""
    (ajustes,) = yaml.safe_load((EJEMPLOS / f"{nombre}.yaml").read_text("utf-8"))[
        "canales"
    ].values()
    for clave in ("url", "url_base"):
        if clave in ajustes:
            partes = ajustes[clave].split("/", 3)  # https: '' servidor ruta
            ajustes[clave] = url + ("/" + partes[3] if len(partes) > 3 else "")
    canal = crear_canal("sms", {**ajustes, "timeout": 2})
    ABIERTOS.append(canal)
    return canal


# --- la marca de éxito ------------------------------------------------------------------------


def test_200_sin_la_marca_de_exito_es_un_fallo_con_el_cuerpo(servidor):
    servidor.responder(Respuesta(200, {"success": False, "message": "Saldo insuficiente"}))
    with pytest.raises(ErrorEnvio) as info:
        pasarela(servidor.url, campo_exito="success").enviar(HOSTIL)
    error = info.value
    assert not error.entregado_quizas and error.temporal
    assert "success trae false" in error.motivo and "Saldo insuficiente" in error.motivo
    assert "HTTP 200" in error.motivo


def test_200_con_la_marca_de_exito_devuelve_el_id(servidor):
    servidor.responder(Respuesta(200, {"success": True, "data": {"id": "abc-1"}}))
    canal = pasarela(servidor.url, campo_exito="success", campo_id="data.id")
    assert canal.enviar(HOSTIL) == "abc-1"


@pytest.mark.parametrize(
    ("valor_exito", "respuesta", "exito"),
    [
        ("OK", {"status": "ok"}, True),  # sin distinguir mayúsculas
        ("OK", {"status": "ERROR"}, False),
        (0, {"status": 0}, True),  # un código numérico
        (0, {"status": "0"}, True),
        (0, {"status": 3}, False),
        ("OK", {"otra": "cosa"}, False),  # sin el campo
        ("OK", "OK", False),  # sin JSON
    ],
)
def test_valor_exito_compara_texto_numeros_y_falta(servidor, valor_exito, respuesta, exito):
    servidor.responder(Respuesta(200, respuesta))
    canal = pasarela(servidor.url, campo_exito="status", valor_exito=valor_exito)
    if exito:
        assert canal.enviar(HOSTIL).startswith("http200-")
    else:
        with pytest.raises(ErrorEnvio, match="status"):
            canal.enviar(HOSTIL)


def test_la_respuesta_sin_exito_no_muestra_la_clave(servidor):
    servidor.responder(Respuesta(200, {"success": False, "echo": f"apikey={CLAVE}"}))
    with pytest.raises(ErrorEnvio) as info:
        pasarela(servidor.url, campo_exito="success").enviar(HOSTIL)
    assert CLAVE not in info.value.motivo


def test_valor_exito_sin_campo_exito_es_un_error_de_la_politica(servidor):
    with pytest.raises(ErrorCanal, match=r"canales\.sms\.valor_exito: falta campo_exito"):
        pasarela(servidor.url, valor_exito="OK")


def test_enviar_anota_el_fallo_sin_exito_y_lo_reintenta_la_proxima_vez(en_tmp, servidor, correr,
                                                                        monkeypatch):  # fmt: skip
    monkeypatch.setenv("RECORDAR_ESPERA_REINTENTO", "0")
    (en_tmp / "politica.yaml").write_text(f"""
empresa: {{nombre: "Ferretería López", contacto: "cobranza@ejemplo.com"}}
pasos:
  - {{id: recordatorio, dias: 1, canales: [sms], plantilla: recordatorio}}
canales:
  sms:
    tipo: http
    url: {servidor.url}/v1/sms
    tipo_contenido: application/json
    cabeceras: {{Authorization: "Bearer {{{{ secreto('PASARELA_CLAVE') }}}}"}}
    cuerpo: {{to: "{{{{ destinatario }}}}", text: "{{{{ texto }}}}"}}
    campo_exito: success
""", encoding="utf-8")  # fmt: skip
    escribir_xlsx(en_tmp / "cartera.xlsx", [
        CABECERA, ['José "Pepe" Núñez', "", "+52 55 1234 5678", "F-1", HOY - timedelta(days=1), 100],
    ])  # fmt: skip
    servidor.responder(Respuesta(200, {"success": False, "error": "Saldo insuficiente"}))
    r = correr("enviar", "cartera.xlsx", "--hoy", HOY.isoformat())
    assert r.exit_code == 1, r.output
    con = sqlite3.connect(en_tmp / "recordar-bitacora.sqlite")
    estado, permanente, detalle = con.execute(
        "SELECT estado, permanente, detalle FROM envios").fetchone()  # fmt: skip
    con.close()
    assert (estado, permanente) == ("fallido", 0) and "Saldo insuficiente" in detalle
    servidor.responder(Respuesta(200, {"success": True}))
    r = correr("enviar", "cartera.xlsx", "--hoy", HOY.isoformat())
    assert r.exit_code == 0, r.output
    assert servidor.peticiones[-1].json()["to"] == "+525512345678"


# --- los ejemplos documentados ------------------------------------------------------------------


def test_ejemplo_sms_masivos(servidor):
    servidor.responder(Respuesta(200, {"success": True, "message": "Mensajes enviados"}))
    ejemplo("smsmasivos", servidor.url).enviar(HOSTIL)
    (peticion,) = servidor.peticiones
    assert peticion.metodo == "POST" and peticion.ruta == "/sms/send"
    assert peticion.cabeceras["apikey"] == CLAVE
    assert peticion.cabeceras["Content-Type"] == "application/x-www-form-urlencoded"
    assert peticion.formulario() == {
        "message": HOSTIL.cuerpo, "numbers": "5512345678", "country_code": "52"}  # fmt: skip


def test_ejemplo_sms_masivos_sin_exito_falla(servidor):
    servidor.responder(Respuesta(200, {"success": False, "message": "Número inválido"}))
    with pytest.raises(ErrorEnvio, match="Número inválido"):
        ejemplo("smsmasivos", servidor.url).enviar(HOSTIL)


def test_ejemplo_estilo_infobip(servidor):
    servidor.responder(Respuesta(200, {"bulkId": "b-1", "messages": [{
        "messageId": "m-123", "destination": "525512345678",
        "status": {"groupId": 1, "groupName": "PENDING", "id": 26, "name": "PENDING_ACCEPTED"},
    }]}))  # fmt: skip
    assert ejemplo("infobip", servidor.url).enviar(HOSTIL) == "m-123"
    (peticion,) = servidor.peticiones
    assert peticion.ruta == "/sms/3/messages"
    assert peticion.cabeceras["Authorization"] == f"App {CLAVE}"
    assert peticion.json() == {"messages": [{
        "sender": "FerreLopez", "destinations": [{"to": "+525512345678"}],
        "content": {"text": HOSTIL.cuerpo},
    }]}  # fmt: skip


def test_ejemplo_estilo_infobip_rechazado_falla(servidor):
    servidor.responder(Respuesta(200, {"bulkId": "b-1", "messages": [{
        "messageId": "m-9", "status": {"groupId": 5, "groupName": "REJECTED",
                                       "name": "REJECTED_DESTINATION"},
    }]}))  # fmt: skip
    with pytest.raises(ErrorEnvio, match="REJECTED"):
        ejemplo("infobip", servidor.url).enviar(HOSTIL)


def test_ejemplo_compatible_con_twilio(servidor):
    servidor.responder(Respuesta(201, {"sid": "SMabc", "status": "queued"}))
    assert ejemplo("twilio_compatible", servidor.url).enviar(HOSTIL) == "SMabc"
    (peticion,) = servidor.peticiones
    assert peticion.ruta == "/api/laml/2010-04-01/Accounts/PJ0123456789abcdef/Messages.json"
    assert peticion.basic() == ("PJ0123456789abcdef", CLAVE)
    assert peticion.formulario() == {
        "To": "+525512345678", "From": "+15005550006", "Body": HOSTIL.cuerpo}  # fmt: skip


def _con_ejemplo(en_tmp, nombre):
    """Una política con los canales del ejemplo `nombre` y una cartera de un deudor por SMS."""
    canales = (EJEMPLOS / f"{nombre}.yaml").read_text("utf-8")
    (en_tmp / "politica.yaml").write_text(
        'empresa: {nombre: "Ferretería López", contacto: "cobranza@ejemplo.com"}\n'
        "pasos:\n  - {id: recordatorio, dias: 1, canales: [sms], plantilla: recordatorio}\n"
        + canales, encoding="utf-8")  # fmt: skip
    escribir_xlsx(en_tmp / "cartera.xlsx", [
        CABECERA, ["Ana", "", "+52 55 1111 1111", "F-1", HOY - timedelta(days=1), 100]])  # fmt: skip


@pytest.mark.parametrize("nombre", ["smsmasivos", "infobip", "twilio_compatible"])
def test_los_ejemplos_pasan_validar(en_tmp, correr, nombre):
    _con_ejemplo(en_tmp, nombre)
    r = correr("validar", "cartera.xlsx", "--hoy", HOY.isoformat())
    assert r.exit_code == 0, r.output
    assert "Todo correcto" in r.output and "no está definida" not in r.output


@pytest.mark.parametrize(
    ("nombre", "variable", "frase"),
    [
        ("smsmasivos", "SMSMASIVOS_APIKEY",
         "la variable de entorno SMSMASIVOS_APIKEY de secreto('SMSMASIVOS_APIKEY') no está definida"),
        ("twilio_compatible", "SIGNALWIRE_TOKEN",
         "canales.sms.token_env: la variable de entorno SIGNALWIRE_TOKEN no está definida"),
    ],
)  # fmt: skip
def test_validar_avisa_del_secreto_sin_exportar(en_tmp, correr, monkeypatch, nombre, variable,
                                                frase):  # fmt: skip
    monkeypatch.delenv(variable)
    _con_ejemplo(en_tmp, nombre)
    r = correr("validar", "cartera.xlsx", "--hoy", HOY.isoformat())
    texto = " ".join(r.output.split())
    assert r.exit_code == 0, r.output  # puede validarse donde no están los secretos
    assert "Antes de enviar de verdad:" in texto and frase in texto
    r = correr("enviar", "cartera.xlsx", "--hoy", HOY.isoformat())
    assert r.exit_code == 2 and variable in r.output  # lo mismo que enviar dice
