"""WhatsApp Cloud API (plantillas aprobadas) contra un servidor HTTP real en 127.0.0.1."""

from importlib.metadata import entry_points

import pytest

from recordar.canales.base import CanalDetenido, Envio, ErrorEnvio, ServidorInalcanzable
from recordar.canales.whatsapp import CanalWhatsAppCloud, parametro
from recordar.errores import ErrorCanal
from tests.servidor_http import ABIERTOS, Respuesta, puerto_cerrado

TOKEN = "EAAG-token-de-meta-SeCrEtO-123"
ENVIO = Envio(
    clave="k-1",
    canal="whatsapp",
    cliente="José Núñez",
    destinatario="+525512345678",
    asunto="",
    cuerpo="(vista previa)",
    plantilla="recordatorio",
    parametros={
        "cliente": "José Núñez",
        "facturas": "F-1",
        "total": "$1,234.50",
        "dias_vencido": "12",
        "enlace_pago": "https://pagos.ejemplo/?ref=F-1",
    },
)
ACEPTADO = Respuesta(
    200,
    {
        "messaging_product": "whatsapp",
        "contacts": [{"input": "525512345678", "wa_id": "5215512345678"}],
        "messages": [{"id": "wamid.HBgLNTIxNTUxMjM0NTY3OBUCABEYEjQ"}],
    },
)


@pytest.fixture(autouse=True)
def entorno(monkeypatch):
    monkeypatch.setenv("WHATSAPP_TOKEN", TOKEN)


def whatsapp(url: str, **ajustes) -> CanalWhatsAppCloud:
    config = {
        "tipo": "whatsapp_cloud",
        "telefono_id": 106540352242922,  # YAML lo lee como número
        "token_env": "WHATSAPP_TOKEN",
        "url_base": url,
        "plantillas": {"recordatorio": "recordatorio_pago"},
        "timeout": 2,
    }
    canal = CanalWhatsAppCloud("whatsapp", {**config, **ajustes})
    ABIERTOS.append(canal)
    return canal


def test_el_tipo_se_registra_por_entry_points():
    (punto,) = entry_points(group="recordar.canales", name="whatsapp_cloud")
    assert punto.load() is CanalWhatsAppCloud


def test_forma_del_mensaje_de_plantilla(servidor):
    servidor.responder(ACEPTADO)
    assert whatsapp(servidor.url).enviar(ENVIO) == "wamid.HBgLNTIxNTUxMjM0NTY3OBUCABEYEjQ"
    (peticion,) = servidor.peticiones
    assert (peticion.metodo, peticion.ruta) == ("POST", "/v21.0/106540352242922/messages")
    assert peticion.cabeceras["Authorization"] == f"Bearer {TOKEN}"
    assert peticion.cabeceras["Content-Type"] == "application/json"
    assert peticion.json() == {
        "messaging_product": "whatsapp",
        "to": "525512345678",
        "type": "template",
        "template": {
            "name": "recordatorio_pago",
            "language": {"code": "es_MX"},
            "components": [
                {
                    "type": "body",
                    "parameters": [
                        {"type": "text", "text": "José Núñez"},
                        {"type": "text", "text": "F-1"},
                        {"type": "text", "text": "$1,234.50"},
                        {"type": "text", "text": "12"},
                        {"type": "text", "text": "https://pagos.ejemplo/?ref=F-1"},
                    ],
                }
            ],
        },
    }


def test_sin_parametros_no_hay_componentes_y_sin_mapa_usa_el_nombre(servidor):
    servidor.responder(ACEPTADO)
    envio = Envio("k-2", "whatsapp", "Ana", "+34600111222", "", "", plantilla="aviso_vencido",
                  parametros=ENVIO.parametros)  # fmt: skip
    canal = whatsapp(servidor.url, idioma="es_ES", version="v20.0",
                     plantillas={"recordatorio": {"nombre": "sin_variables"}})  # fmt: skip
    canal.enviar(envio)
    canal.enviar(ENVIO)
    primera, segunda = servidor.peticiones
    assert primera.ruta == "/v20.0/106540352242922/messages"
    assert primera.json()["template"]["name"] == "aviso_vencido"  # sin mapa: el mismo nombre
    assert len(primera.json()["template"]["components"][0]["parameters"]) == 5
    assert segunda.json()["template"] == {"name": "sin_variables", "language": {"code": "es_ES"}}


def test_plantilla_inexistente_detiene_el_canal_con_el_motivo_de_meta(servidor):
    servidor.responder(
        Respuesta(
            404,
            {
                "error": {
                    "message": "(#132001) Template name does not exist in the translation",
                    "type": "OAuthException",
                    "code": 132001,
                    "fbtrace_id": "AbCdEf",
                }
            },
        )
    )
    with pytest.raises(ErrorEnvio) as info:
        whatsapp(servidor.url).enviar(ENVIO)
    assert isinstance(info.value, CanalDetenido)
    assert "Template name does not exist" in info.value.motivo and "132001" in info.value.motivo


def test_limite_de_ritmo_de_meta_en_un_400_es_temporal(servidor):
    servidor.responder(
        Respuesta(400, {"error": {"message": "(#130429) Rate limit hit", "code": 130429}})
    )
    with pytest.raises(ErrorEnvio) as info:
        whatsapp(servidor.url).enviar(ENVIO)
    assert info.value.temporal and "Rate limit hit" in info.value.motivo


def test_token_caducado_detiene_el_canal_y_no_se_filtra(servidor):
    servidor.responder(
        Respuesta(
            401,
            {
                "error": {
                    "message": f"Error validating access token {TOKEN}: Session has expired",
                    "code": 190,
                }
            },
        )
    )
    with pytest.raises(ErrorEnvio) as info:
        whatsapp(servidor.url).enviar(ENVIO)
    assert isinstance(info.value, CanalDetenido) and "Session has expired" in info.value.motivo
    assert TOKEN not in str(info.value) and TOKEN not in info.value.motivo


def test_5xx_es_temporal_y_timeout_quizas_entregado(servidor):
    servidor.responder(
        Respuesta(503, {"error": {"message": "Service temporarily unavailable", "code": 131016}})
    )
    with pytest.raises(ErrorEnvio) as info:
        whatsapp(servidor.url).enviar(ENVIO)
    assert info.value.temporal and not info.value.entregado_quizas
    servidor.responder(Respuesta(demora=5))
    with pytest.raises(ErrorEnvio) as info:
        whatsapp(servidor.url, timeout=0.3).enviar(ENVIO)
    assert info.value.temporal and info.value.entregado_quizas


def test_puerto_cerrado_es_servidor_inalcanzable():
    with pytest.raises(ServidorInalcanzable, match="127.0.0.1"):
        whatsapp(f"http://127.0.0.1:{puerto_cerrado()}").enviar(ENVIO)


def test_parametros_sin_saltos_de_linea_ni_muchos_espacios():
    assert parametro("Calle 1\nCol. Centro\t CDMX") == "Calle 1 Col. Centro  CDMX"
    assert parametro("a          b") == "a    b"


@pytest.mark.parametrize(
    ("ajustes", "mensaje"),
    [
        (
            {"telefono_id": "mi-numero"},
            r"canales\.whatsapp\.telefono_id: debe ser el identificador",
        ),
        ({"version": "21"}, r"canales\.whatsapp\.version: debe ser como v21\.0"),
        ({"plantillas": ["recordatorio"]}, r"canales\.whatsapp\.plantillas: debe ser un mapa"),
        (
            {"url_base": "graph.facebook.com"},
            r"canales\.whatsapp\.url_base: debe empezar con http://",
        ),
        ({"token": "EAAG123"}, r"canales\.whatsapp\.token: "),
    ],
)
def test_ajustes_invalidos(ajustes, mensaje):
    with pytest.raises(ErrorCanal, match=mensaje):
        whatsapp("https://graph.facebook.com", **ajustes)


def test_token_sin_definir_nombra_la_variable(monkeypatch):
    monkeypatch.delenv("WHATSAPP_TOKEN")
    with pytest.raises(ErrorCanal, match=r"canales\.whatsapp\.token_env: .*WHATSAPP_TOKEN"):
        whatsapp("https://graph.facebook.com").abrir()
