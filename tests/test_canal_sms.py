"""Twilio y la pasarela HTTP genérica contra un servidor HTTP real en 127.0.0.1."""

import base64
import json
import socket
from importlib.metadata import entry_points

import pytest

from recordar.canales.base import CanalDetenido, Envio, ErrorEnvio, ServidorInalcanzable
from recordar.canales.sms import CanalHttp, CanalTwilio, numero_nacional
from recordar.errores import ErrorCanal
from tests.servidor_http import ABIERTOS, Respuesta, puerto_cerrado

SID = "AC0123456789abcdef0123456789abcdef"
TOKEN = "tok-SeCrEtO-9f8e7d6c5b4a"
APIKEY = "key-SMSMASIVOS-123abc"
CREDENCIAL = base64.b64encode(f"{SID}:{TOKEN}".encode()).decode()
SMS = Envio(
    clave="k-1",
    canal="sms",
    cliente="José Núñez",
    destinatario="+525512345678",
    asunto="",
    cuerpo="Hola José: su factura F-1 por $1,234.50 vence mañana. ¿Dudas? 55 1234 5678 & más",
)


@pytest.fixture(autouse=True)
def entorno(monkeypatch):
    monkeypatch.setenv("TWILIO_SID", SID)
    monkeypatch.setenv("TWILIO_TOKEN", TOKEN)
    monkeypatch.setenv("SMSMASIVOS_APIKEY", APIKEY)


def twilio(url: str, nombre: str = "sms", **ajustes) -> CanalTwilio:
    config = {
        "tipo": "twilio",
        "cuenta_env": "TWILIO_SID",
        "token_env": "TWILIO_TOKEN",
        "remitente": "+15005550006",
        "url_base": url,
        "timeout": 2,
    }
    canal = CanalTwilio(nombre, {**config, **ajustes})
    ABIERTOS.append(canal)
    return canal


def enviar_error(canal, envio=SMS) -> ErrorEnvio:
    with pytest.raises(ErrorEnvio) as info:
        canal.enviar(envio)
    return info.value


def test_los_tipos_se_registran_por_entry_points():
    puntos = {p.name: p for p in entry_points(group="recordar.canales")}
    assert puntos["twilio"].load() is CanalTwilio
    assert puntos["http"].load() is CanalHttp


# --- Twilio ---------------------------------------------------------------------------


def test_twilio_forma_de_la_peticion(servidor):
    servidor.responder(Respuesta(201, {"sid": "SM0001", "status": "queued"}))
    canal = twilio(servidor.url)
    assert canal.enviar(SMS) == "SM0001"
    (peticion,) = servidor.peticiones
    assert peticion.metodo == "POST"
    assert peticion.ruta == f"/2010-04-01/Accounts/{SID}/Messages.json"
    assert peticion.basic() == (SID, TOKEN)
    assert peticion.cabeceras["Content-Type"] == "application/x-www-form-urlencoded"
    assert peticion.formulario() == {
        "To": "+525512345678",
        "From": "+15005550006",
        "Body": SMS.cuerpo,
    }


def test_twilio_whatsapp_lleva_el_prefijo_en_to_y_from(servidor):
    servidor.responder(Respuesta(201, {"sid": "SM0002"}))
    envio = Envio("k-2", "whatsapp", "Ana", "+34600111222", "", "Hola Ana", paso="recordatorio",
                  parametros={"cliente": "Ana"})  # fmt: skip
    sid = "HX" + "0123456789abcdef" * 2
    canal = twilio(servidor.url, "whatsapp", remitente="whatsapp:+14155238886",
                   plantillas={"recordatorio": {"sid": sid, "parametros": ["cliente"]}})  # fmt: skip
    assert canal.enviar(envio) == "SM0002"
    formulario = servidor.peticiones[0].formulario()
    assert (formulario["To"], formulario["From"]) == (
        "whatsapp:+34600111222",
        "whatsapp:+14155238886",
    )
    # Por WhatsApp, la plantilla de Content (ver test_whatsapp_contrato.py), no el texto.
    assert (formulario["ContentSid"], formulario["ContentVariables"]) == (sid, '{"1": "Ana"}')
    assert "Body" not in formulario


def test_twilio_con_servicio_de_mensajeria_sin_remitente(servidor):
    servidor.responder(Respuesta(201, {"sid": "SM0003"}))
    canal = twilio(servidor.url, remitente=None, servicio_mensajeria="MG0123")
    canal.enviar(SMS)
    formulario = servidor.peticiones[0].formulario()
    assert formulario["MessagingServiceSid"] == "MG0123" and "From" not in formulario


def test_twilio_reutiliza_la_conexion(servidor):
    servidor.responder(Respuesta(201, {"sid": "SM1"}))
    canal = twilio(servidor.url)
    canal.enviar(SMS)
    canal.enviar(SMS)
    canal.cerrar()
    primera, segunda = servidor.peticiones
    assert primera.puerto_cliente == segunda.puerto_cliente


def test_una_conexion_que_el_servidor_cerro_se_reemplaza(servidor):
    servidor.responder(
        Respuesta(201, {"sid": "SM1"}, cerrar_despues=True), Respuesta(201, {"sid": "SM2"})
    )
    canal = twilio(servidor.url)
    assert canal.enviar(SMS) == "SM1"
    assert servidor.cerradas.acquire(timeout=2)
    assert canal.enviar(SMS) == "SM2"
    assert servidor.peticiones[0].puerto_cliente != servidor.peticiones[1].puerto_cliente


@pytest.mark.parametrize("estado", [429, 500, 503])
def test_429_y_5xx_son_temporales(servidor, estado):
    servidor.responder(Respuesta(estado, {"code": 20429, "message": "Too Many Requests"}))
    error = enviar_error(twilio(servidor.url))
    assert error.temporal and not error.entregado_quizas
    assert f"HTTP {estado}" in error.motivo and "Too Many Requests" in error.motivo


def test_5xx_sin_json_lleva_un_extracto_del_cuerpo(servidor):
    servidor.responder(Respuesta(502, "<html><body>Bad   Gateway\n" + "x" * 500 + "</body></html>"))
    error = enviar_error(twilio(servidor.url))
    assert error.temporal
    assert "HTTP 502" in error.motivo and "Bad Gateway" in error.motivo
    assert len(error.motivo) < 300


def test_400_de_twilio_es_permanente_con_su_motivo(servidor):
    servidor.responder(
        Respuesta(
            400,
            {
                "code": 21211,
                "message": "The 'To' number +525512345678 is not a valid phone number.",
                "more_info": "https://www.twilio.com/docs/errors/21211",
                "status": 400,
            },
        )
    )
    error = enviar_error(twilio(servidor.url))
    assert not error.temporal and not error.entregado_quizas
    assert "HTTP 400" in error.motivo
    assert "is not a valid phone number" in error.motivo and "21211" in error.motivo


def test_401_detiene_el_canal(servidor):
    servidor.responder(Respuesta(401, {"code": 20003, "message": "Authenticate", "status": 401}))
    error = enviar_error(twilio(servidor.url))
    assert isinstance(error, CanalDetenido) and "Authenticate" in error.motivo


def test_puerto_cerrado_es_servidor_inalcanzable():
    puerto = puerto_cerrado()
    with pytest.raises(ServidorInalcanzable) as info:
        twilio(f"http://127.0.0.1:{puerto}").enviar(SMS)
    assert f"127.0.0.1:{puerto}" in str(info.value) and "rechazó la conexión" in str(info.value)


def test_servidor_que_no_existe_es_servidor_inalcanzable(monkeypatch):
    def sin_dns(*_args, **_kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", sin_dns)
    with pytest.raises(ServidorInalcanzable) as info:
        twilio("https://api.twilio.invalid").enviar(SMS)
    assert "api.twilio.invalid" in str(info.value)


def test_timeout_tras_enviar_es_temporal_y_quizas_entregado(servidor):
    servidor.responder(Respuesta(201, {"sid": "SM1"}, demora=5))
    error = enviar_error(twilio(servidor.url, timeout=0.3))
    assert error.temporal and error.entregado_quizas
    assert "0.3 s" in error.motivo
    assert len(servidor.peticiones) == 1


def test_conexion_cortada_sin_respuesta_es_quizas_entregado(servidor):
    servidor.responder(Respuesta(cortar=True))
    error = enviar_error(twilio(servidor.url))
    assert error.temporal and error.entregado_quizas


def test_2xx_sin_sid_es_quizas_entregado(servidor):
    servidor.responder(Respuesta(200, "OK"))
    error = enviar_error(twilio(servidor.url))
    assert not error.temporal and error.entregado_quizas and "sid" in error.motivo


@pytest.mark.parametrize("estado", [400, 401, 503])
def test_los_secretos_nunca_salen_en_los_errores(servidor, estado):
    eco = f"token {TOKEN} invalid; Authorization: Basic {CREDENCIAL} " + "y" * 300
    servidor.responder(Respuesta(estado, {"message": eco}))
    error = enviar_error(twilio(servidor.url))
    for secreto in (TOKEN, CREDENCIAL):
        assert secreto not in str(error) and secreto not in error.motivo
    assert "***" in error.motivo


def test_un_token_literal_en_la_politica_se_rechaza():
    with pytest.raises(ErrorCanal, match=r"canales\.sms\.token: ") as info:
        twilio("https://api.twilio.com", token="abc-literal")
    assert "abc-literal" not in str(info.value)


def test_variable_de_entorno_sin_definir_nombra_la_variable(servidor, monkeypatch):
    monkeypatch.delenv("TWILIO_TOKEN")
    with pytest.raises(
        ErrorCanal, match=r"canales\.sms\.token_env: la variable de entorno TWILIO_TOKEN"
    ):
        twilio(servidor.url).abrir()
    assert servidor.peticiones == []


@pytest.mark.parametrize(
    ("ajustes", "mensaje"),
    [
        (
            {"url_base": "ftp://api.twilio.com"},
            r"canales\.sms\.url_base: debe empezar con http:// o https://",
        ),
        ({"remitente": "5512345678"}, r"canales\.sms\.remitente: debe ser un número E\.164"),
        ({"remitente": None}, r"canales\.sms: falta remitente"),
        ({"timeout": 0}, r"canales\.sms\.timeout: debe ser un número"),
        ({"cuenta_env": ""}, r"canales\.sms: falta cuenta_env"),
    ],
)
def test_ajustes_invalidos_de_twilio(ajustes, mensaje):
    with pytest.raises(ErrorCanal, match=mensaje):
        twilio("https://api.twilio.com", **ajustes)


def test_remitente_alfanumerico_para_espana(servidor):
    servidor.responder(Respuesta(201, {"sid": "SM9"}))
    twilio(servidor.url, remitente="MiEmpresa").enviar(SMS)
    assert servidor.peticiones[0].formulario()["From"] == "MiEmpresa"


# --- Pasarela HTTP genérica -----------------------------------------------------------


def pasarela(servidor_url: str, **ajustes) -> CanalHttp:
    config = {
        "tipo": "http",
        "url": f"{servidor_url}/api/sms/send",
        "cuerpo": "numero={{ destinatario_nacional|urlencode }}&mensaje={{ texto|urlencode }}&pais=52",
        "cabeceras": {"apikey": "{{ secreto('SMSMASIVOS_APIKEY') }}"},
        "timeout": 2,
    }
    canal = CanalHttp("sms", {**config, **ajustes})
    ABIERTOS.append(canal)
    return canal


def test_pasarela_con_formulario_y_clave_en_cabecera(servidor):
    servidor.responder(Respuesta(200, {"success": True, "referencia": {"id": "ref-77"}}))
    canal = pasarela(servidor.url, campo_id="referencia.id")
    assert canal.enviar(SMS) == "ref-77"
    (peticion,) = servidor.peticiones
    assert (peticion.metodo, peticion.ruta) == ("POST", "/api/sms/send")
    assert peticion.cabeceras["apikey"] == APIKEY
    assert peticion.cabeceras["Content-Type"] == "application/x-www-form-urlencoded"
    assert peticion.formulario() == {"numero": "5512345678", "mensaje": SMS.cuerpo, "pais": "52"}


def test_pasarela_con_json_y_bearer(servidor):
    servidor.responder(Respuesta(202, {"accepted": True}))
    canal = pasarela(
        servidor.url,
        cuerpo='{"to": {{ destinatario|tojson }}, "text": {{ texto|tojson }}, "ref": {{ clave|tojson }}}',
        tipo_contenido="application/json",
        cabeceras={"Authorization": "Bearer {{ secreto('SMSMASIVOS_APIKEY') }}"},
    )
    envio = Envio("k-3", "sms", 'Ana "la jefa"', "+34600111222", "", 'Dijo "pague" <ya> & ñ\nfin')
    proveedor_id = canal.enviar(envio)
    assert proveedor_id.startswith("http202-")
    (peticion,) = servidor.peticiones
    assert peticion.cabeceras["Authorization"] == f"Bearer {APIKEY}"
    assert peticion.cabeceras["Content-Type"] == "application/json"
    assert peticion.json() == {"to": "+34600111222", "text": envio.cuerpo, "ref": "k-3"}


def test_pasarela_get_pone_el_cuerpo_en_la_consulta(servidor):
    canal = pasarela(
        servidor.url,
        metodo="get",
        url=servidor.url + "/send?apikey={{ secreto('SMSMASIVOS_APIKEY')|urlencode }}",
        cuerpo="to={{ destinatario|urlencode }}&msg={{ texto|urlencode }}",
        cabeceras={},
    )
    canal.enviar(SMS)
    (peticion,) = servidor.peticiones
    assert peticion.metodo == "GET" and peticion.cuerpo == b""
    assert peticion.consulta() == {"apikey": APIKEY, "to": "+525512345678", "msg": SMS.cuerpo}


def test_pasarela_que_responde_sin_el_id_da_el_motivo_del_proveedor(servidor):
    servidor.responder(Respuesta(200, {"success": False, "message": "Saldo insuficiente"}))
    error = enviar_error(pasarela(servidor.url, campo_id="referencia.id"))
    assert "Saldo insuficiente" in error.motivo and "referencia.id" in error.motivo


def test_pasarela_no_filtra_la_clave_que_el_proveedor_repite(servidor):
    servidor.responder(Respuesta(403, {"error": f"apikey {APIKEY} no autorizada"}))
    error = enviar_error(pasarela(servidor.url))
    assert isinstance(error, CanalDetenido)
    assert "no autorizada" in error.motivo and APIKEY not in str(error)


def test_pasarela_secreto_sin_definir_nombra_la_variable(servidor, monkeypatch):
    monkeypatch.delenv("SMSMASIVOS_APIKEY")
    with pytest.raises(ErrorCanal, match="SMSMASIVOS_APIKEY"):
        pasarela(servidor.url).enviar(SMS)
    assert servidor.peticiones == []


def test_pasarela_url_sin_urlencode_va_codificada(servidor):
    # Cada valor se codifica para la url aunque la plantilla no diga |urlencode.
    canal = pasarela(
        servidor.url, metodo="GET", url=servidor.url + "/send?msg={{ texto }}", cuerpo=None
    )
    canal.enviar(SMS)
    assert servidor.peticiones[0].consulta() == {"msg": SMS.cuerpo}


def test_pasarela_url_con_espacios_literales_se_explica(servidor):
    with pytest.raises(ErrorCanal, match=r"canales\.sms\.url: .*espacios"):
        pasarela(servidor.url, metodo="GET", url=servidor.url + "/send?msg=hola mundo", cuerpo=None)


@pytest.mark.parametrize(
    ("ajustes", "mensaje"),
    [
        ({"cuerpo": "numero={{ destinatario "}, r"canales\.sms\.cuerpo: línea 1"),
        (
            {"cuerpo": "numero={{ telefono }}"},
            r"canales\.sms\.cuerpo: variable desconocida «telefono»",
        ),
        ({"cuerpo": None}, r"canales\.sms\.cuerpo: falta"),
        (
            {"url": "smsmasivos.com.mx/api"},
            r"canales\.sms\.url: debe empezar con http:// o https://",
        ),
        ({"metodo": "PATCH"}, r"canales\.sms\.metodo: usa POST o GET"),
        (
            {"cabeceras": {"Authorization": "Bearer abc123"}},
            r"canales\.sms\.cabeceras\.Authorization: no escribas secretos",
        ),
        ({"cabeceras": ["apikey"]}, r"canales\.sms\.cabeceras: debe ser un mapa"),
    ],
)
def test_ajustes_invalidos_de_la_pasarela(ajustes, mensaje):
    with pytest.raises(ErrorCanal, match=mensaje):
        pasarela("https://api.smsmasivos.com.mx", **ajustes)


def test_numero_nacional():
    assert numero_nacional("+525512345678") == "5512345678"
    assert numero_nacional("+34600111222") == "600111222"
    with pytest.raises(ErrorEnvio):
        numero_nacional("no es un número")


def test_json_de_la_pasarela_es_valido_con_comillas_y_saltos(servidor):
    canal = pasarela(
        servidor.url, cuerpo='{"text": {{ texto|tojson }}}', tipo_contenido="application/json"
    )
    canal.enviar(Envio("k", "sms", "x", "+525512345678", "", 'a"b\\c\n</script>'))
    assert json.loads(servidor.peticiones[0].cuerpo) == {"text": 'a"b\\c\n</script>'}


def test_pasarela_una_cabecera_content_type_manda_sobre_tipo_contenido(servidor):
    canal = pasarela(
        servidor.url,
        cuerpo="{{ texto }}",
        cabeceras={"content-type": "text/plain; charset=utf-8"},
    )
    canal.enviar(SMS)
    (peticion,) = servidor.peticiones
    assert peticion.cabeceras.get_all("Content-Type") == ["text/plain; charset=utf-8"]
    assert peticion.cuerpo.decode("utf-8") == SMS.cuerpo
