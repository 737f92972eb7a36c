"""WhatsApp que el proveedor entrega de verdad (#15, parte 1): plantillas de Content en Twilio
comparadas con su cliente oficial, el cuerpo de la Cloud API de Meta con la forma documentada
(parámetros posicionales, con nombre y botón de url), ningún parámetro vacío, el total que dice el
texto, el idioma de la política y --reintentar-inciertos con la misma petición, byte a byte."""

from __future__ import annotations

import json
import re
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest

from recordar.canales.base import Envio, NoEnviado
from recordar.canales.sms import CanalTwilio
from recordar.canales.whatsapp import CanalWhatsAppCloud
from recordar.errores import ErrorCanal
from tests.conftest import CABECERA, HOY, escribir_xlsx, leer_json
from tests.servidor_http import ABIERTOS, Respuesta

SID = "AC" + "0123456789abcdef" * 2
TOKEN = "twilio-token-SeCrEtO-987"
HX = "HX" + "fedcba9876543210" * 2
HX2 = "HX" + "00112233445566778899aabbccddeeff"
META = "EAAG-token-de-meta-SeCrEtO-123"
VALORES = {
    "cliente": 'José "Pepe" Núñez & Cía.',
    "facturas": "F-1, F-2",
    "total": "$1,734.50",
    "dias_vencido": "12",
    "enlace_pago": "https://pagos.ejemplo/p/F-1?monto=1734.50",
    "nombre_saludo": "Laura Gómez",
    "importe": "$1,700.00",
    "intereses": "$34.50",
    "gastos": "$0.00",
    "vencimiento": "11 de noviembre de 2026",
    "empresa": "Ferretería López",
}
ENVIO = Envio("k-1", "whatsapp", VALORES["cliente"], "+525512345678", "", "(texto)",
              paso="recordatorio", plantilla="recordatorio", parametros=VALORES)  # fmt: skip
ACEPTADO_META = Respuesta(200, {"messaging_product": "whatsapp",
                                "contacts": [{"input": "525512345678", "wa_id": "5215512345678"}],
                                "messages": [{"id": "wamid.HBgLNTIx"}]})  # fmt: skip
ACEPTADO_TWILIO = Respuesta(201, {"sid": "SM" + "1" * 32, "status": "queued"})


@pytest.fixture(autouse=True)
def secretos(monkeypatch):
    monkeypatch.setenv("TWILIO_ACCOUNT_SID", SID)
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", TOKEN)
    monkeypatch.setenv("WHATSAPP_TOKEN", META)


def twilio(url: str, **ajustes) -> CanalTwilio:
    config = {"tipo": "twilio", "cuenta_env": "TWILIO_ACCOUNT_SID", "token_env": "TWILIO_AUTH_TOKEN",
              "remitente": "+14155238886", "url_base": url, "timeout": 2,
              "plantillas": {"recordatorio": HX}}  # fmt: skip
    canal = CanalTwilio("whatsapp", {**config, **ajustes})
    ABIERTOS.append(canal)
    return canal


def cloud(url: str, **ajustes) -> CanalWhatsAppCloud:
    config = {"tipo": "whatsapp_cloud", "telefono_id": 106540352242922, "token_env": "WHATSAPP_TOKEN",
              "url_base": url, "timeout": 2}  # fmt: skip
    canal = CanalWhatsAppCloud("whatsapp", {**config, **ajustes})
    ABIERTOS.append(canal)
    return canal


# --- Twilio: lo mismo que manda su cliente oficial ----------------------------------------------


def _con_el_cliente_oficial(**argumentos) -> dict:
    """La petición que arma el paquete `twilio` (9.x) para messages.create, capturada con su
    propio gancho de cliente HTTP (sin red)."""
    from twilio.http import HttpClient
    from twilio.http.response import Response
    from twilio.rest import Client

    capturadas = []

    class Capturar(HttpClient):
        def __init__(self):
            super().__init__(logger=None, is_async=False)

        def request(self, method, uri, params=None, data=None, headers=None, auth=None,
                    timeout=None, allow_redirects=False):  # fmt: skip
            capturadas.append({"metodo": method, "uri": uri, "datos": data, "auth": auth,
                               "cabeceras": headers})  # fmt: skip
            return Response(201, json.dumps({"sid": "SM" + "2" * 32, "status": "queued"}))

    Client(SID, TOKEN, http_client=Capturar()).messages.create(**argumentos)
    (peticion,) = capturadas
    return peticion


def _igual_que_twilio(nuestra, oficial: dict) -> None:
    from urllib.parse import urlsplit

    assert nuestra.metodo == oficial["metodo"] == "POST"
    assert nuestra.ruta == urlsplit(oficial["uri"]).path
    assert nuestra.basic() == oficial["auth"]
    assert nuestra.formulario() == {k: str(v) for k, v in oficial["datos"].items()}
    for cabecera in ("Content-Type", "Accept"):
        assert nuestra.cabeceras[cabecera] == oficial["cabeceras"][cabecera]


def test_twilio_whatsapp_con_plantilla_posicional_igual_que_el_cliente_oficial(servidor):
    servidor.responder(ACEPTADO_TWILIO)
    plantillas = {"recordatorio": {"sid": HX, "parametros": ["nombre_saludo", "total", "facturas"]}}
    assert twilio(servidor.url, plantillas=plantillas).enviar(ENVIO) == "SM" + "1" * 32
    (nuestra,) = servidor.peticiones
    formulario = nuestra.formulario()
    assert "Body" not in formulario
    assert json.loads(formulario["ContentVariables"]) == {
        "1": "Laura Gómez", "2": "$1,734.50", "3": "F-1, F-2"}  # fmt: skip
    oficial = _con_el_cliente_oficial(
        to="whatsapp:+525512345678", from_="whatsapp:+14155238886", content_sid=HX,
        content_variables=formulario["ContentVariables"],
    )  # fmt: skip
    _igual_que_twilio(nuestra, oficial)


def test_twilio_whatsapp_con_nombres_y_servicio_de_mensajeria_igual_que_el_oficial(servidor):
    servidor.responder(ACEPTADO_TWILIO)
    plantillas = {
        "seguimiento": {"sid": HX2, "parametros": {"cliente": "cliente", "monto": "total"}}
    }
    envio = Envio("k-2", "whatsapp", "Ana", "+34600111222", "", "", paso="seguimiento#3",
                  plantilla="seguimiento", parametros=VALORES)  # fmt: skip
    canal = twilio(servidor.url, remitente=None, servicio_mensajeria="MG" + "a" * 32,
                   plantillas=plantillas)  # fmt: skip
    canal.enviar(envio)
    (nuestra,) = servidor.peticiones
    variables = nuestra.formulario()["ContentVariables"]
    assert json.loads(variables) == {"cliente": VALORES["cliente"], "monto": "$1,734.50"}
    oficial = _con_el_cliente_oficial(
        to="whatsapp:+34600111222", messaging_service_sid="MG" + "a" * 32, content_sid=HX2,
        content_variables=variables,
    )  # fmt: skip
    _igual_que_twilio(nuestra, oficial)


def test_twilio_forma_corta_manda_los_cinco_de_siempre(servidor):
    servidor.responder(ACEPTADO_TWILIO)
    twilio(servidor.url).enviar(ENVIO)
    variables = json.loads(servidor.peticiones[0].formulario()["ContentVariables"])
    assert variables == {"1": VALORES["cliente"], "2": "F-1, F-2", "3": "$1,734.50", "4": "12",
                         "5": VALORES["enlace_pago"]}  # fmt: skip


def test_twilio_sms_sigue_con_body_igual_que_el_cliente_oficial(servidor):
    servidor.responder(ACEPTADO_TWILIO)
    texto = (
        'Hola José "Pepe": 2 facturas por $1,734.50 & más; +info: https://pagos.ejemplo/p?a=1&b=2'
    )
    sms = Envio("k-3", "sms", "Ana", "+525512345678", "", texto, paso="recordatorio")
    twilio(servidor.url).enviar(sms)
    (nuestra,) = servidor.peticiones
    formulario = nuestra.formulario()
    assert formulario["Body"] == texto and "ContentSid" not in formulario
    oficial = _con_el_cliente_oficial(to="+525512345678", from_="+14155238886", body=texto)
    _igual_que_twilio(nuestra, oficial)


def test_consultar_la_entrega_es_el_mismo_get_que_el_cliente_oficial(servidor):
    """`recordar estado` pide GET …/Messages/{Sid}.json como messages(sid).fetch() del paquete."""
    from urllib.parse import urlsplit

    from twilio.http import HttpClient
    from twilio.http.response import Response
    from twilio.rest import Client

    mensaje = "SM" + "3" * 32
    cuerpo = {"sid": mensaje, "status": "undelivered", "error_code": 30005,
              "error_message": "Unknown destination handset"}  # fmt: skip
    capturadas = []

    class Capturar(HttpClient):
        def __init__(self):
            super().__init__(logger=None, is_async=False)

        def request(self, method, uri, params=None, data=None, headers=None, auth=None,
                    timeout=None, allow_redirects=False):  # fmt: skip
            capturadas.append((method, urlsplit(uri).path, auth, params, data))
            return Response(200, json.dumps(cuerpo))

    Client(SID, TOKEN, http_client=Capturar()).messages(mensaje).fetch()
    servidor.responder(Respuesta(200, cuerpo))
    estado = twilio(servidor.url).estado_de_entrega(mensaje)
    ((metodo, ruta, auth, consulta, datos),) = capturadas
    (nuestra,) = servidor.peticiones
    assert (nuestra.metodo, nuestra.ruta, nuestra.basic()) == (metodo, ruta, auth)
    assert not consulta and not datos and not nuestra.cuerpo
    assert (estado.estado, estado.codigo) == ("undelivered", "30005")


def test_twilio_sin_plantilla_para_el_paso_no_pide_nada(servidor):
    with pytest.raises(NoEnviado, match=r"canales\.whatsapp\.plantillas: .*del paso «aviso_final»"):
        twilio(servidor.url).enviar(
            Envio(
                "k",
                "whatsapp",
                "Ana",
                "+525512345678",
                "",
                "Hola",
                paso="aviso_final",
                plantilla="aviso_final",
                parametros=VALORES,
            )  # fmt: skip
        )
    assert servidor.peticiones == []


@pytest.mark.parametrize(
    ("plantillas", "mensaje"),
    [
        ({"recordatorio": "recordatorio_pago"}, r"plantillas\.recordatorio: debe ser el ContentSid"),
        ({"recordatorio": {"sid": HX, "boton_url": "enlace_pago"}},
         r"plantillas\.recordatorio\.boton_url: clave desconocida; admitidas: sid, parametros"),
        ({"recordatorio": {"sid": HX, "parametros": ["saldo"]}},
         r"parametros\.1: «saldo» no es un valor conocido; usa cliente, "),
        (["HX"], r"canales\.whatsapp\.plantillas: debe ser un mapa paso → plantilla"),
    ],
)  # fmt: skip
def test_twilio_plantillas_mal_escritas(plantillas, mensaje):
    with pytest.raises(ErrorCanal, match=mensaje):
        twilio("https://api.twilio.com", plantillas=plantillas)


def test_twilio_plantillas_en_el_canal_de_sms_se_rechazan():
    with pytest.raises(ErrorCanal, match=r"canales\.sms\.plantillas: .*solo sirven para WhatsApp"):
        CanalTwilio("sms", {"tipo": "twilio", "cuenta_env": "TWILIO_ACCOUNT_SID",
                            "token_env": "TWILIO_AUTH_TOKEN", "remitente": "+14155238886",
                            "plantillas": {"recordatorio": HX}})  # fmt: skip


# --- WhatsApp Cloud: la forma documentada del cuerpo ---------------------------------------------


def revisar_forma_meta(cuerpo: dict) -> None:
    """El mensaje de plantilla tal como lo documenta Meta (Cloud API, «Send message templates»):
    parámetros de texto no vacíos, todos posicionales o todos con parameter_name, y el botón de
    url con sub_type, index como texto y un único parámetro de texto."""
    assert set(cuerpo) == {"messaging_product", "to", "type", "template"}
    assert cuerpo["messaging_product"] == "whatsapp" and cuerpo["type"] == "template"
    assert re.fullmatch(r"[1-9]\d{6,14}", cuerpo["to"])
    plantilla = cuerpo["template"]
    assert set(plantilla) <= {"name", "language", "components"}
    assert re.fullmatch(r"[a-z0-9_]+", plantilla["name"])
    assert set(plantilla["language"]) == {"code"} and re.fullmatch(r"[a-z]{2,3}(_[A-Z]{2})?",
                                                                   plantilla["language"]["code"])  # fmt: skip
    for componente in plantilla.get("components", []):
        parametros = componente["parameters"]
        assert parametros, "un componente sin parámetros no se manda"
        for p in parametros:
            assert p["type"] == "text" and isinstance(p["text"], str) and p["text"].strip()
            assert "\n" not in p["text"] and "\t" not in p["text"] and "     " not in p["text"]
            assert set(p) <= {"type", "text", "parameter_name"}
        if componente["type"] == "body":
            assert set(componente) == {"type", "parameters"}
            con_nombre = {"parameter_name" in p for p in parametros}
            assert len(con_nombre) == 1, "no se mezclan posicionales y con nombre"
            for p in parametros:
                assert re.fullmatch(r"[a-z_][a-z0-9_]*", p.get("parameter_name", "x"))
        else:
            assert componente["type"] == "button"
            assert set(componente) == {"type", "sub_type", "index", "parameters"}
            assert componente["sub_type"] == "url" and componente["index"] == "0"
            assert len(parametros) == 1 and "parameter_name" not in parametros[0]


def test_cloud_parametros_posicionales_de_la_politica(servidor):
    servidor.responder(ACEPTADO_META)
    plantillas = {"recordatorio": {"nombre": "pago_pendiente",
                                   "parametros": ["cliente", "total", "facturas", "vencimiento"]}}  # fmt: skip
    cloud(servidor.url, plantillas=plantillas).enviar(ENVIO)
    cuerpo = servidor.peticiones[0].json()
    revisar_forma_meta(cuerpo)
    assert cuerpo["template"] == {
        "name": "pago_pendiente",
        "language": {"code": "es_MX"},
        "components": [{"type": "body", "parameters": [
            {"type": "text", "text": VALORES["cliente"]},
            {"type": "text", "text": "$1,734.50"},
            {"type": "text", "text": "F-1, F-2"},
            {"type": "text", "text": "11 de noviembre de 2026"},
        ]}],
    }  # fmt: skip


def test_cloud_parametros_con_nombre_y_boton_de_url(servidor):
    servidor.responder(ACEPTADO_META)
    plantillas = {"recordatorio": {
        "nombre": "pago_pendiente", "idioma": "es",
        "parametros": {"nombre_cliente": "nombre_saludo", "importe_total": "total"},
        "boton_url": {"variable": "enlace_pago", "base": "https://pagos.ejemplo/"},
    }}  # fmt: skip
    cloud(servidor.url, plantillas=plantillas).enviar(ENVIO)
    cuerpo = servidor.peticiones[0].json()
    revisar_forma_meta(cuerpo)
    assert cuerpo["template"] == {
        "name": "pago_pendiente",
        "language": {"code": "es"},
        "components": [
            {"type": "body", "parameters": [
                {"type": "text", "parameter_name": "nombre_cliente", "text": "Laura Gómez"},
                {"type": "text", "parameter_name": "importe_total", "text": "$1,734.50"},
            ]},
            {"type": "button", "sub_type": "url", "index": "0",
             "parameters": [{"type": "text", "text": "p/F-1?monto=1734.50"}]},
        ],
    }  # fmt: skip


def test_cloud_boton_con_el_valor_entero_y_forma_corta(servidor):
    servidor.responder(ACEPTADO_META)
    canal = cloud(servidor.url, plantillas={
        "recordatorio": {"nombre": "pagar", "boton_url": "facturas"}, "seguimiento": "seguimiento_v2"})  # fmt: skip
    canal.enviar(ENVIO)
    canal.enviar(Envio("k-2", "whatsapp", "Ana", "+525512345678", "", "", paso="seguimiento#2",
                       plantilla="seguimiento", parametros=VALORES))  # fmt: skip
    boton, corta = (p.json() for p in servidor.peticiones)
    for cuerpo in (boton, corta):
        revisar_forma_meta(cuerpo)
    assert boton["template"]["components"] == [
        {"type": "button", "sub_type": "url", "index": "0",
         "parameters": [{"type": "text", "text": "F-1, F-2"}]}]  # fmt: skip
    assert corta["template"]["name"] == "seguimiento_v2"
    assert [p["text"] for p in corta["template"]["components"][0]["parameters"]] == [
        VALORES[v] for v in ("cliente", "facturas", "total", "dias_vencido", "enlace_pago")]  # fmt: skip


@pytest.mark.parametrize(
    ("plantillas", "vacio", "mensaje"),
    [
        ({"recordatorio": {"nombre": "x", "parametros": ["cliente", "enlace_pago"]}}, "enlace_pago",
         r"plantillas\.recordatorio: lleva «enlace_pago» y para este deudor está vacío"),
        ({"recordatorio": {"nombre": "x", "boton_url": "enlace_pago"}}, "enlace_pago",
         r"plantillas\.recordatorio\.boton_url: lleva «enlace_pago» y para este deudor está vacío"),
        ({"recordatorio": "x"}, "enlace_pago", r"lleva «enlace_pago»"),
        ({"recordatorio": {"nombre": "x", "parametros": {"empresa": "empresa"}}}, "empresa",
         r"lleva «empresa»"),
    ],
)  # fmt: skip
def test_cloud_un_parametro_vacio_no_se_envia(servidor, plantillas, vacio, mensaje):
    envio = Envio("k", "whatsapp", "Ana", "+525512345678", "", "", paso="recordatorio",
                  plantilla="recordatorio", parametros={**VALORES, vacio: "  \n "})  # fmt: skip
    with pytest.raises(NoEnviado, match=mensaje):
        cloud(servidor.url, plantillas=plantillas).enviar(envio)
    assert servidor.peticiones == []


def test_cloud_boton_cuyo_enlace_no_empieza_con_la_base_no_se_envia(servidor):
    plantillas = {"recordatorio": {"nombre": "x", "boton_url": {"variable": "enlace_pago",
                                                                "base": "https://otro.ejemplo/"}}}  # fmt: skip
    with pytest.raises(NoEnviado, match=r"boton_url: .*no empieza con la base https://otro"):
        cloud(servidor.url, plantillas=plantillas).enviar(ENVIO)
    assert servidor.peticiones == []


@pytest.mark.parametrize(
    ("plantillas", "mensaje"),
    [
        ({"recordatorio": {"parametros": ["cliente"]}}, r"plantillas\.recordatorio\.nombre: falta"),
        ({"recordatorio": {"nombre": "x", "parametros": {"Nombre Cliente": "cliente"}}},
         r"parametros\.Nombre Cliente: el nombre de un parámetro va en minúsculas"),
        ({"recordatorio": {"nombre": "x", "parametros": "cliente"}}, r"parametros: pon una lista"),
        ({"recordatorio": {"nombre": "x", "boton_url": {"base": "https://a/"}}},
         r"boton_url: pon el valor del botón"),
        ({"recordatorio": {"nombre": "x", "sid": HX}}, r"recordatorio\.sid: clave desconocida"),
        ({"recordatorio": "Pago Pendiente"},
         r"plantillas\.recordatorio: el nombre de una plantilla de Meta va en minúsculas"),
    ],
)  # fmt: skip
def test_cloud_plantillas_mal_escritas(plantillas, mensaje):
    with pytest.raises(ErrorCanal, match=mensaje):
        cloud("https://graph.facebook.com", plantillas=plantillas)


def test_idioma_de_la_politica_salvo_que_el_canal_o_la_plantilla_digan_otro(servidor):
    from recordar.canales import configurar_canales

    servidor.responder(ACEPTADO_META)
    config = {"tipo": "whatsapp_cloud", "telefono_id": 1, "token_env": "WHATSAPP_TOKEN",
              "url_base": servidor.url, "plantillas": {"seguimiento": {"nombre": "s", "idioma": "es_AR"}}}  # fmt: skip
    de_la_politica = configurar_canales({"whatsapp": config}, idioma="es_ES")["whatsapp"]
    del_canal = configurar_canales({"whatsapp": {**config, "idioma": "es_CO"}}, idioma="es_ES")[
        "whatsapp"
    ]
    ABIERTOS.extend((de_la_politica, del_canal))  # fmt: skip
    seguimiento = Envio("k", "whatsapp", "Ana", "+525512345678", "", "", paso="seguimiento",
                        plantilla="seguimiento", parametros=VALORES)  # fmt: skip
    for canal, envio in ((de_la_politica, ENVIO), (del_canal, ENVIO), (del_canal, seguimiento)):
        canal.enviar(envio)
    assert [p.json()["template"]["language"]["code"] for p in servidor.peticiones] == [
        "es_ES", "es_CO", "es_AR"]  # fmt: skip


# --- De punta a punta con la CLI: la hoja, la política, la bitácora y el servidor local ----------

POLITICA = """
idioma: es_ES
moneda: EUR
region_telefono: ES
empresa: {{nombre: "Ferretería López", contacto: "cobranza@ejemplo.com"}}
interes_moratorio: {{tasa_anual: 36, desde_dias: 0, compensacion: 40}}
pasos:
  - {{id: recordatorio, dias: 1, canales: [whatsapp], plantilla: recordatorio}}
  - {{id: aviso_final, dias: 30, canales: [whatsapp], plantilla: aviso_final}}
limites: {{min_dias_entre_mensajes: 1}}
canales:
  whatsapp:
{canal}
"""
CLOUD = """    tipo: whatsapp_cloud
    telefono_id: "106540352242922"
    token_env: WHATSAPP_TOKEN
    url_base: {url}
    timeout: 0.5
    plantillas:
      recordatorio: {{nombre: pago_pendiente, parametros: [cliente, total], boton_url: {{variable: enlace_pago, base: "https://pagos.ejemplo/"}}}}
      aviso_final: {{nombre: aviso_final, parametros: {{cliente: cliente, total: total, atraso: dias_vencido}}}}
"""
TWILIO = """    tipo: twilio
    cuenta_env: TWILIO_ACCOUNT_SID
    token_env: TWILIO_AUTH_TOKEN
    remitente: "+14155238886"
    url_base: {url}
    timeout: 0.5
    plantillas:
      recordatorio: {{sid: %s, parametros: [cliente, total]}}
      aviso_final: %s
      promesa_incumplida: %s
""" % (HX, HX2, HX2)  # noqa: UP031


def _carpeta(carpeta: Path, monkeypatch, canal: str, url: str, enlaces=("p/F-1", "")) -> Path:
    monkeypatch.setenv("RECORDAR_ESPERA_REINTENTO", "0")
    texto = POLITICA.format(canal=canal.format(url=url))
    (carpeta / "politica.yaml").write_text(texto, encoding="utf-8")
    d = lambda n: HOY + timedelta(days=n)  # noqa: E731
    filas = [
        [*CABECERA, "Enlace de pago"],
        ["José Núñez", "", "612 345 678", "F-1", d(-1), 1500,
         f"https://pagos.ejemplo/{enlaces[0]}" if enlaces[0] else ""],
        ["Ana Peña", "", "622 345 678", "F-2", d(-1), 300,
         f"https://pagos.ejemplo/{enlaces[1]}" if enlaces[1] else ""],
    ]  # fmt: skip
    escribir_xlsx(carpeta / "cartera.xlsx", filas)
    return carpeta


def _enviar(correr, hoy=HOY, *extra):
    return correr("enviar", "cartera.xlsx", "--hoy", hoy.isoformat(), "--salida", "informe.json",
                  *extra)  # fmt: skip


def _mensajes(carpeta: Path) -> dict[str, dict]:
    return {m["cliente"]: m for m in leer_json(carpeta / "informe.json")["mensajes"]}


def test_enlace_vacio_no_se_envia_queda_anotado_y_sale_al_completar_la_hoja(
    en_tmp, servidor, correr, monkeypatch
):
    servidor.responder(ACEPTADO_META)
    _carpeta(en_tmp, monkeypatch, CLOUD, servidor.url)
    r = correr("validar", "cartera.xlsx", "--hoy", HOY.isoformat())
    salida = " ".join(r.output.split())
    assert "plantillas.recordatorio: no hay ningún paso" not in salida
    # La de recordatorio y, por la forma corta, la de los pasos sin plantilla en el mapa.
    assert "canales.whatsapp.plantillas.recordatorio, canales.whatsapp.plantillas (los pasos " \
           "que no están en el mapa): usa enlace_pago y 1 factura de la hoja no tiene enlace de " \
           "pago (p. ej. la fila 3)" in salida  # fmt: skip
    r = _enviar(correr)
    assert r.exit_code == 1, r.output
    (peticion,) = servidor.peticiones
    revisar_forma_meta(peticion.json())
    assert peticion.json()["template"]["components"][1]["parameters"] == [
        {"type": "text", "text": "p/F-1"}]  # fmt: skip
    ana = _mensajes(en_tmp)["Ana Peña"]
    assert ana["estado"] == "fallido"
    assert "canales.whatsapp.plantillas.recordatorio.boton_url: lleva «enlace_pago» y para este " \
           "deudor está vacío" in ana["detalle"]  # fmt: skip
    with sqlite3.connect(en_tmp / "recordar-bitacora.sqlite") as con:
        estado, permanente, detalle = con.execute(
            "SELECT estado, permanente, detalle FROM envios WHERE cliente = 'Ana Peña'").fetchone()  # fmt: skip
    assert (estado, permanente) == ("fallido", 0) and "no enviado:" in detalle
    # Con el enlace en la hoja, la siguiente ejecución lo manda (no quedó como fallo permanente).
    _carpeta(en_tmp, monkeypatch, CLOUD, servidor.url, enlaces=("p/F-1", "p/F-2"))
    r = _enviar(correr)
    assert r.exit_code == 0, r.output
    assert len(servidor.peticiones) == 2
    assert (
        servidor.peticiones[1].json()["template"]["components"][1]["parameters"][0]["text"]
        == "p/F-2"
    )


def test_el_total_del_parametro_es_el_que_dice_el_texto_con_intereses(
    en_tmp, servidor, correr, monkeypatch
):
    servidor.responder(ACEPTADO_META)
    _carpeta(en_tmp, monkeypatch, CLOUD, servidor.url, enlaces=("p/F-1", "p/F-2"))
    hoy = HOY + timedelta(days=29)  # 30 días de atraso: aviso_final, con intereses y gastos
    r = _enviar(correr, hoy)
    assert r.exit_code == 0, r.output
    mensajes = _mensajes(en_tmp)
    for peticion in servidor.peticiones:
        plantilla = peticion.json()["template"]
        revisar_forma_meta(peticion.json())
        assert plantilla["name"] == "aviso_final"
        assert plantilla["language"] == {"code": "es_ES"}  # el idioma de la política
        valores = {p["parameter_name"]: p["text"] for p in plantilla["components"][0]["parameters"]}
        assert valores["atraso"] == "30"
        texto = mensajes[valores["cliente"]]["cuerpo"]
        (total,) = re.findall(r"\*Total a pagar: (.+?)\*", texto)
        assert valores["total"] == total.replace("\u00a0", " ")
        assert "Intereses moratorios" in texto  # el total incluye intereses y gastos
    assert {json.dumps(p.json(), ensure_ascii=False).count("€") for p in servidor.peticiones} == {1}


@pytest.mark.parametrize("canal", [CLOUD, TWILIO], ids=["cloud", "twilio"])
def test_reintentar_inciertos_manda_la_misma_peticion_byte_a_byte(
    en_tmp, servidor, correr, monkeypatch, canal
):
    _carpeta(en_tmp, monkeypatch, canal, servidor.url, enlaces=("p/F-1", "p/F-2"))
    servidor.responder(Respuesta(demora=3))  # el proveedor no contesta a tiempo: incierto
    r = _enviar(correr)
    assert r.exit_code == 1, r.output
    primeras = {p.cuerpo for p in servidor.peticiones}
    assert len(primeras) == 2
    assert {m["estado"] for m in _mensajes(en_tmp).values()} == {"incierto"}
    # Días después (otro interés, otro texto): se reenvía exactamente lo que se pidió.
    servidor.responder(ACEPTADO_META if canal == CLOUD else ACEPTADO_TWILIO)
    r = _enviar(correr, HOY + timedelta(days=3), "--reintentar-inciertos")
    assert r.exit_code == 0, r.output
    segundas = [p.cuerpo for p in servidor.peticiones[2:]]
    assert sorted(segundas) == sorted(primeras)


def test_un_incierto_anotado_sin_parametros_no_se_reenvia_distinto(
    en_tmp, servidor, correr, monkeypatch
):
    _carpeta(en_tmp, monkeypatch, CLOUD, servidor.url, enlaces=("p/F-1", "p/F-2"))
    servidor.responder(Respuesta(demora=3))
    assert _enviar(correr).exit_code == 1
    # Como lo dejaría una versión anterior de recordar (sin la columna parametros).
    with sqlite3.connect(en_tmp / "recordar-bitacora.sqlite") as con:
        con.execute("UPDATE envios SET parametros = NULL")
    servidor.responder(ACEPTADO_META)
    r = _enviar(correr, HOY + timedelta(days=3), "--reintentar-inciertos")
    assert len(servidor.peticiones) == 2  # nada nuevo: no se inventan los parámetros
    assert "no trae los parámetros de la plantilla" in " ".join(r.output.split())
    reintentados = leer_json(en_tmp / "informe.json")["reintentados"]
    assert [r["estado"] for r in reintentados] == ["fallido", "fallido"]
    assert all("revisa en el proveedor si llegó" in r["detalle"] for r in reintentados)


def test_validar_avisa_de_una_clave_de_plantillas_que_no_es_ningun_paso(
    en_tmp, servidor, correr, monkeypatch
):
    _carpeta(en_tmp, monkeypatch, CLOUD.replace("      aviso_final:", "      aviso_finl:"),
             servidor.url, enlaces=("p/F-1", "p/F-2"))  # fmt: skip
    r = correr("validar", "cartera.xlsx", "--hoy", HOY.isoformat())
    assert "canales.whatsapp.plantillas.aviso_finl: no hay ningún paso ni plantilla de paso " \
           "«aviso_finl»; usa el id de un paso (aviso_final, promesa_incumplida, recordatorio)" \
           in " ".join(r.output.split())  # fmt: skip


def test_twilio_sin_plantilla_para_un_paso_validar_y_enviar_se_niegan_sin_pedir_nada(
    en_tmp, servidor, correr, monkeypatch
):
    sin_dos = "\n".join(linea for linea in TWILIO.splitlines()
                         if not linea.startswith(("      aviso_final", "      promesa")))  # fmt: skip
    _carpeta(en_tmp, monkeypatch, sin_dos, servidor.url)
    frase = ("canales.whatsapp.plantillas: falta la plantilla aprobada (ContentSid HX…) de los "
             "pasos «aviso_final», «promesa_incumplida»")  # fmt: skip
    r = correr("validar", "cartera.xlsx", "--hoy", HOY.isoformat())
    assert r.exit_code == 1 and frase in " ".join(r.output.split())
    assert "canales.whatsapp.plantillas.recordatorio" not in r.output  # esa sí existe
    r = _enviar(correr, HOY, "--simulacro")  # la vista previa dice lo mismo
    assert r.exit_code == 0 and f"AVISO: {frase}" in " ".join(r.output.split())
    r = _enviar(correr)
    assert r.exit_code == 2 and frase in " ".join(r.output.split())
    assert "Traceback" not in r.output
    assert servidor.peticiones == []
    assert not (en_tmp / "recordar-bitacora.sqlite").exists()


def test_una_bitacora_de_antes_de_guardar_parametros_se_migra_y_su_incierto_no_sale_distinto(
    en_tmp, servidor, correr, monkeypatch
):
    from recordar.bitacora_esquema import MIGRACIONES

    _carpeta(en_tmp, monkeypatch, CLOUD, servidor.url, enlaces=("p/F-1", "p/F-2"))
    # Una bitácora real de la versión anterior a la columna parametros, con un WhatsApp incierto.
    antes = next(i for i, m in enumerate(MIGRACIONES) if "ADD COLUMN parametros" in m)
    ruta = en_tmp / "recordar-bitacora.sqlite"
    con = sqlite3.connect(ruta, isolation_level=None)
    for numero in range(antes):
        con.executescript(
            f"BEGIN; {MIGRACIONES[numero]}; PRAGMA user_version = {numero + 1}; COMMIT;"
        )
    con.execute(
        "INSERT INTO envios (clave, facturas, paso, canal, destinatario, deudor, cliente, estado, "
        "cuerpo, plantilla, fecha_plan, creado, actualizado) VALUES ('F-9|recordatorio|whatsapp|"
        "+34699111222', '[\"F-9\"]', 'recordatorio', 'whatsapp', '+34699111222', 'luis', "
        "'Luis Ruiz', 'incierto', 'Hola Luis', 'recordatorio', '2026-11-20', "
        "'2026-11-20T10:00:00', '2026-11-20T10:00:00')"
    )
    con.close()
    r = correr("historial", "--inciertos")  # se lee sin migrarla en el archivo
    assert r.exit_code == 0 and "Luis Ruiz" in r.output
    servidor.responder(ACEPTADO_META)
    r = _enviar(correr, HOY + timedelta(days=3), "--reintentar-inciertos")
    assert "Luis Ruiz · whatsapp · recordatorio: fallido: no enviado: canales.whatsapp.plantillas" \
           ".recordatorio: el envío no trae los parámetros" in " ".join(r.output.split())  # fmt: skip
    assert not any(p.json()["to"] == "34699111222" for p in servidor.peticiones)
    with sqlite3.connect(ruta) as con:
        assert con.execute("PRAGMA user_version").fetchone()[0] == len(MIGRACIONES)
        assert con.execute(
            "SELECT parametros FROM envios WHERE cliente = 'Luis Ruiz'"
        ).fetchone() == (None,)
