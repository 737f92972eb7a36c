"""La pasarela HTTP y los secretos: ningún valor cambia la forma de la petición y ningún
secreto sale en un mensaje de error."""

import pytest

from recordar.canales.base import Envio, ErrorEnvio, crear_canal
from recordar.canales.sms import CanalHttp
from recordar.errores import ErrorCanal
from tests.servidor_http import ABIERTOS, Respuesta

CLAVE = "Hunter2!xq#9"
APIKEY = "key-SMSMASIVOS-123abc"


@pytest.fixture(autouse=True)
def entorno(monkeypatch):
    monkeypatch.setenv("SMSMASIVOS_APIKEY", APIKEY)


# --- secretos -------------------------------------------------------------------------------


@pytest.mark.parametrize("valor", [CLAVE, "Hunter2", "hunter two", "sk_live_51Hx", "12345678"])
def test_una_clave_escrita_donde_va_el_nombre_de_la_variable_no_se_muestra(valor):
    ajustes = {"tipo": "smtp", "servidor": "127.0.0.1", "puerto": 2525, "seguridad": "ssl",
               "usuario": "cobranza@ejemplo.com", "contrasena_env": valor,
               "remitente": "cobranza@ejemplo.com"}  # fmt: skip
    with pytest.raises(ErrorCanal) as info:
        crear_canal("email", ajustes)
    mensaje = str(info.value)
    assert valor not in mensaje
    assert mensaje.startswith("canales.email.contrasena_env no es el nombre de una variable")
    assert "no se muestra su valor" in mensaje and "RECORDAR_SMTP_CONTRASENA" in mensaje


def test_twilio_con_el_token_donde_va_el_nombre(monkeypatch):
    ajustes = {"tipo": "twilio", "cuenta_env": "TWILIO_SID", "token_env": "tok-SeCrEtO-9f8e",
               "remitente": "+15005550006"}  # fmt: skip
    with pytest.raises(ErrorCanal) as info:
        crear_canal("sms", ajustes)
    assert "tok-SeCrEtO-9f8e" not in str(info.value)
    assert "canales.sms.token_env no es el nombre" in str(info.value)


def test_un_nombre_en_minusculas_que_existe_sirve(monkeypatch, servidor):
    monkeypatch.setenv("mi_token_twilio", "tok-1")
    monkeypatch.setenv("TWILIO_SID", "AC1")
    servidor.responder(Respuesta(201, {"sid": "SM1"}))
    canal = crear_canal("sms", {"tipo": "twilio", "cuenta_env": "TWILIO_SID",
                                "token_env": "mi_token_twilio", "remitente": "+15005550006",
                                "url_base": servidor.url})  # fmt: skip
    ABIERTOS.append(canal)
    assert canal.enviar(Envio("k", "sms", "Ana", "+525512345678", "", "hola")) == "SM1"


def test_secreto_de_la_pasarela_con_la_clave_literal_no_la_muestra(servidor):
    canal = CanalHttp("sms", {"tipo": "http", "url": servidor.url + "/enviar",
                              "cuerpo": {"to": "{{ destinatario }}"},
                              "tipo_contenido": "application/json",
                              "cabeceras": {"Authorization": f"Bearer {{{{ secreto('{CLAVE}') }}}}"}})  # fmt: skip
    ABIERTOS.append(canal)
    with pytest.raises(ErrorCanal) as info:
        canal.enviar(Envio("k", "sms", "Ana", "+525512345678", "", "hola"))
    assert CLAVE not in str(info.value) and "no se muestra su valor" in str(info.value)
    assert servidor.peticiones == []


@pytest.mark.parametrize(
    "respuesta",
    [
        "header Authorization: Bearer zz-token-que-no-conozco-123 no válido",
        "callback https://usuario:Contra5enna@hooks.ejemplo.com/x falló",
        '{"error": "apikey=abcdef0123456789 revocada"}',
    ],
)
def test_los_errores_del_proveedor_no_repiten_credenciales(servidor, respuesta):
    servidor.responder(Respuesta(401, respuesta))
    canal = CanalHttp("sms", {"tipo": "http", "url": servidor.url + "/enviar",
                              "cuerpo": {"to": "{{ destinatario }}"},
                              "tipo_contenido": "application/json"})  # fmt: skip
    ABIERTOS.append(canal)
    with pytest.raises(ErrorEnvio) as info:
        canal.enviar(Envio("k", "sms", "Ana", "+525512345678", "", "hola"))
    motivo = info.value.motivo
    for secreto in ("zz-token-que-no-conozco-123", "Contra5enna", "abcdef0123456789"):
        assert secreto not in motivo
    assert "***" in motivo
