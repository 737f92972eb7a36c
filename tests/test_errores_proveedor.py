"""Lo que dice el proveedor decide qué pasa: parar el canal, corregir el contacto, dar de baja o
reintentar. Cuerpos de error documentados (Twilio `{code, message, more_info, status}`, Meta
`{error: {message, type, code, error_data: {details}, fbtrace_id}}`) servidos desde 127.0.0.1."""

import sqlite3
from datetime import timedelta

import pytest

from recordar.bitacora import Bitacora
from recordar.canales.base import BajaDelDestinatario, CanalDetenido, Envio, ErrorEnvio
from recordar.canales.sms import CanalHttp, CanalTwilio
from recordar.canales.whatsapp import CanalWhatsAppCloud
from recordar.envio import ESPERA_MAXIMA, Enviador
from tests.conftest import CABECERA, HOY, escribir_xlsx
from tests.servidor_http import ABIERTOS, Respuesta

SID = "AC0123456789abcdef0123456789abcdef"
TOKEN = "tok-SeCrEtO-9f8e7d6c5b4a"
META = "EAAG-token-de-meta-SeCrEtO-123"
SMS = Envio("k-1", "sms", "José Núñez", "+525512345678", "", "Hola José: su factura F-1 vence")
WHATSAPP = Envio("k-1", "whatsapp", "José Núñez", "+525512345678", "", "(vista previa)",
                 plantilla="recordatorio",
                 parametros=("José Núñez", "F-1", "$1,500.00", "12", "https://pagos.ejemplo.mx/F-1"))  # fmt: skip


def twilio_error(estado: int, codigo: int, mensaje: str) -> Respuesta:
    return Respuesta(estado, {"code": codigo, "message": mensaje, "status": estado,
                              "more_info": f"https://www.twilio.com/docs/errors/{codigo}"})  # fmt: skip


def meta_error(estado: int, codigo: int, mensaje: str, detalles: str) -> Respuesta:
    return Respuesta(estado, {"error": {
        "message": mensaje, "type": "OAuthException", "code": codigo,
        "error_data": {"messaging_product": "whatsapp", "details": detalles},
        "fbtrace_id": "AE9jPfwk6-lgxrhmyNUuovy",
    }})  # fmt: skip


@pytest.fixture(autouse=True)
def entorno(monkeypatch):
    monkeypatch.setenv("TWILIO_SID", SID)
    monkeypatch.setenv("TWILIO_TOKEN", TOKEN)
    monkeypatch.setenv("WHATSAPP_TOKEN", META)
    monkeypatch.setenv("PASARELA_CLAVE", "clave-de-pasarela-123")


def twilio(url: str) -> CanalTwilio:
    canal = CanalTwilio("sms", {"tipo": "twilio", "cuenta_env": "TWILIO_SID",
                                "token_env": "TWILIO_TOKEN", "remitente": "+15005550006",
                                "url_base": url, "timeout": 2})  # fmt: skip
    ABIERTOS.append(canal)
    return canal


def whatsapp(url: str) -> CanalWhatsAppCloud:
    canal = CanalWhatsAppCloud("whatsapp", {
        "tipo": "whatsapp_cloud", "telefono_id": 106540352242922, "token_env": "WHATSAPP_TOKEN",
        "url_base": url, "plantillas": {"recordatorio": "recordatorio_pago"}, "timeout": 2,
    })  # fmt: skip
    ABIERTOS.append(canal)
    return canal


def error_de(canal, envio) -> ErrorEnvio:
    with pytest.raises(ErrorEnvio) as info:
        canal.enviar(envio)
    return info.value


# --- clasificación, un código cada vez --------------------------------------------------------

DE_CANAL_TWILIO = [
    (401, 20003, "Authenticate", "TWILIO_SID y TWILIO_TOKEN"),
    (403, 20003, "Permission Denied", "TWILIO_SID y TWILIO_TOKEN"),
    (400, 21606, "The 'From' phone number provided is not a valid message-capable Twilio phone "
     "number for this destination/account", "canales.sms.remitente"),
    (400, 21212, "Invalid From Number", "canales.sms.remitente"),
    (400, 21660, "Mismatch between the 'From' number and the account", "canales.sms.remitente"),
]  # fmt: skip


@pytest.mark.parametrize(("estado", "codigo", "mensaje", "que_hacer"), DE_CANAL_TWILIO)
def test_twilio_credencial_rechazada_detiene_el_canal(servidor, estado, codigo, mensaje, que_hacer):
    servidor.responder(twilio_error(estado, codigo, mensaje))
    error = error_de(twilio(servidor.url), SMS)
    assert isinstance(error, CanalDetenido)
    assert f"código {codigo}" in error.motivo and que_hacer in error.motivo
    assert f"https://www.twilio.com/docs/errors/{codigo}" in error.motivo  # more_info
    assert "corrige el" not in error.motivo and TOKEN not in error.motivo


@pytest.mark.parametrize(
    ("codigo", "mensaje", "detalles", "que_hacer"),
    [
        (190, "Error validating access token: Session has expired on Sunday, 06-Dec-26",
         "Session has expired", "genera otro y expórtalo en WHATSAPP_TOKEN"),
        (132000, "(#132000) Number of parameters does not match the expected number of params",
         "body: number of localizable_params (2) does not match the expected number of params (5)",
         "canales.whatsapp.plantillas"),
        (132001, "(#132001) Template name does not exist in the translation",
         "template name (recordatorio_pago) does not exist in es_MX", "nombre y el idioma"),
        (368, "(#368) Temporarily blocked for policies violations",
         "The account is restricted for violating WhatsApp Business policies", "restringió"),
        (131042, "(#131042) Business eligibility payment issue",
         "Message failed to send because there were one or more errors related to your payment "
         "method", "método de pago"),
    ],
)  # fmt: skip
def test_meta_problema_de_la_cuenta_detiene_el_canal(servidor, codigo, mensaje, detalles,
                                                      que_hacer):  # fmt: skip
    servidor.responder(meta_error(401 if codigo == 190 else 400, codigo, mensaje, detalles))
    error = error_de(whatsapp(servidor.url), WHATSAPP)
    assert isinstance(error, CanalDetenido)
    assert f"código {codigo}" in error.motivo and que_hacer in error.motivo
    assert detalles in error.motivo  # error_data.details llega a la bitácora
    assert META not in error.motivo


@pytest.mark.parametrize("estado", [401, 403])
def test_pasarela_que_rechaza_la_clave_detiene_el_canal(servidor, estado):
    servidor.responder(Respuesta(estado, {"error": "Invalid apikey"}))
    canal = CanalHttp("sms", {"tipo": "http", "url": f"{servidor.url}/send",
                              "cabeceras": {"apikey": "{{ secreto('PASARELA_CLAVE') }}"},
                              "cuerpo": {"numero": "{{ destinatario }}", "mensaje": "{{ texto }}"},
                              "timeout": 2})  # fmt: skip
    ABIERTOS.append(canal)
    error = error_de(canal, SMS)
    assert isinstance(error, CanalDetenido)
    assert f"HTTP {estado}" in error.motivo and "canales.sms" in error.motivo
    assert "clave-de-pasarela-123" not in error.motivo


def test_twilio_21211_es_del_contacto_y_dice_que_corregirlo(servidor):
    servidor.responder(twilio_error(
        400, 21211, "Invalid 'To' Phone Number: +52551234XXXX"))  # fmt: skip
    error = error_de(twilio(servidor.url), SMS)
    assert type(error) is ErrorEnvio and not error.temporal
    assert "código 21211" in error.motivo and "corrige el teléfono" in error.motivo
    assert "https://www.twilio.com/docs/errors/21211" in error.motivo


def test_meta_131026_es_del_contacto_y_dice_que_corregirlo(servidor):
    servidor.responder(
        meta_error(
            400,
            131026,
            "(#131026) Message Undeliverable",
            "Unable to deliver message: recipient is not a WhatsApp user",
        )
    )
    error = error_de(whatsapp(servidor.url), WHATSAPP)
    assert type(error) is ErrorEnvio and not error.temporal
    assert "código 131026" in error.motivo and "corrige el teléfono" in error.motivo
    assert "recipient is not a WhatsApp user" in error.motivo


def test_twilio_21610_es_una_baja(servidor):
    servidor.responder(twilio_error(400, 21610, "Attempt to send to unsubscribed recipient"))
    error = error_de(twilio(servidor.url), SMS)
    assert isinstance(error, BajaDelDestinatario) and not error.temporal
    assert "21610" in error.motivo and "baja" in error.motivo


@pytest.mark.parametrize(
    ("estado", "cuerpo"),
    [
        (429, {"code": 20429, "message": "Too Many Requests", "status": 429}),
        (500, {"code": 20500, "message": "Internal Server Error", "status": 500}),
        (503, {"code": 20503, "message": "Service Unavailable", "status": 503}),
    ],
)
def test_twilio_temporal_con_retry_after(servidor, estado, cuerpo):
    servidor.responder(Respuesta(estado, cuerpo, cabeceras={"Retry-After": "7"}))
    error = error_de(twilio(servidor.url), SMS)
    assert type(error) is ErrorEnvio and error.temporal and error.espera == 7


@pytest.mark.parametrize(
    ("estado", "codigo", "mensaje"),
    [
        (400, 130429, "(#130429) Rate limit hit"),
        (400, 131056, "(#131056) (Business Account, Consumer Account) pair rate limit hit"),
        (500, 131000, "(#131000) Something went wrong"),
    ],
)
def test_meta_temporal(servidor, estado, codigo, mensaje):
    servidor.responder(meta_error(estado, codigo, mensaje, "try again later"))
    error = error_de(whatsapp(servidor.url), WHATSAPP)
    assert type(error) is ErrorEnvio and error.temporal and not error.entregado_quizas
    assert f"código {codigo}" in error.motivo


def test_retry_after_como_fecha_http(servidor):
    servidor.responder(
        Respuesta(503, "busy", cabeceras={"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"})
    )
    error = error_de(twilio(servidor.url), SMS)
    assert error.temporal and error.espera == 0  # una fecha pasada: reintentar ya


# --- lo que hace el envío con cada clase de error -------------------------------------------------

POLITICA = """
empresa: {nombre: "Ferretería López", contacto: "cobranza@ejemplo.com"}
pasos:
  - {id: recordatorio, dias: 1, canales: [sms], plantilla: recordatorio}
canales:
  sms: {tipo: twilio, cuenta_env: TWILIO_SID, token_env: TWILIO_TOKEN, remitente: "+15005550006",
        url_base: "URL", timeout: 2}
"""
TELEFONOS = ["+52 55 1234 5678", "+52 55 2222 3333", "+52 55 4444 5555"]


@pytest.fixture
def carpeta(en_tmp, servidor, monkeypatch):
    monkeypatch.setenv("RECORDAR_ESPERA_REINTENTO", "0")
    (en_tmp / "politica.yaml").write_text(POLITICA.replace("URL", servidor.url), encoding="utf-8")
    vence = HOY - timedelta(days=1)
    filas = [[f"Cliente {i}", "", tel, f"F-{i}", vence, 100 * (i + 1)]
             for i, tel in enumerate(TELEFONOS)]  # fmt: skip
    escribir_xlsx(en_tmp / "cartera.xlsx", [CABECERA, *filas])
    return en_tmp


def _enviar(correr, hoy=HOY):
    return correr("enviar", "cartera.xlsx", "--hoy", hoy.isoformat())


def _filas(carpeta) -> list[tuple]:
    con = sqlite3.connect(carpeta / "recordar-bitacora.sqlite")
    try:
        return con.execute(
            "SELECT destinatario, estado, permanente, detalle FROM envios ORDER BY id"
        ).fetchall()
    finally:
        con.close()


def _aceptar(servidor):
    servidor.responder(Respuesta(201, {"sid": "SM0123456789abcdef0123456789abcdef",
                                       "status": "queued"}))  # fmt: skip


def test_credencial_rechazada_para_el_canal_y_sale_todo_al_arreglarla(carpeta, servidor, correr):
    servidor.responder(twilio_error(401, 20003, "Authenticate"))
    r = _enviar(correr)
    assert r.exit_code == 1, r.output
    assert len(servidor.peticiones) == 1  # los demás no llegan a la API
    assert "error: sms: Twilio rechazó el envío por un problema de la cuenta" in r.output
    assert "código 20003" in r.output and "TWILIO_SID y TWILIO_TOKEN" in r.output
    assert "corrige el" not in r.output
    filas = _filas(carpeta)
    assert len(filas) == 3 and {(f[1], f[2]) for f in filas} == {("fallido", 0)}
    # El mismo día, con la credencial arreglada, sale todo.
    _aceptar(servidor)
    r = _enviar(correr)
    assert r.exit_code == 0, r.output
    assert len(servidor.peticiones) == 4
    assert {f[1] for f in _filas(carpeta)} == {"enviado"}


def test_21610_registra_la_baja_y_no_se_le_vuelve_a_escribir(carpeta, servidor, correr):
    servidor.responder(twilio_error(400, 21610, "Attempt to send to unsubscribed recipient"),
                       *[Respuesta(201, {"sid": f"SM{i}"}) for i in range(9)])  # fmt: skip
    r = _enviar(correr)
    assert r.exit_code == 1, r.output
    baja = next(f for f in _filas(carpeta) if f[1] == "fallido")
    assert baja[2] == 1 and "21610" in baja[3]
    r = correr("baja", "--lista")
    assert r.exit_code == 0 and baja[0] in r.output and "sms" in r.output
    with Bitacora.abrir_lectura(carpeta / "recordar-bitacora.sqlite") as b:
        assert b.tiene_baja(baja[0], "sms")
    antes = len(servidor.peticiones)
    _enviar(correr, HOY + timedelta(days=7))
    destinos = [p.formulario()["To"] for p in servidor.peticiones[antes:]]
    assert baja[0] not in destinos


def test_21211_queda_permanente_y_el_resto_sale(carpeta, servidor, correr):
    servidor.responder(twilio_error(400, 21211, "Invalid 'To' Phone Number"),
                       Respuesta(201, {"sid": "SM1"}), Respuesta(201, {"sid": "SM2"}))  # fmt: skip
    r = _enviar(correr)
    assert r.exit_code == 1
    assert "corrige el teléfono del cliente en la hoja" in r.output
    assert sorted(f[1] for f in _filas(carpeta)) == ["enviado", "enviado", "fallido"]
    assert len(servidor.peticiones) == 3


# --- Retry-After en el Enviador (un reloj inyectado: ninguna prueba espera de verdad) ----------


def _mensajes(carpeta, politica):
    from recordar.ejecucion import cargar, planificar_y_generar
    from recordar.plan import Historial

    cartera = cargar(carpeta / "cartera.xlsx", politica, None)
    plan, _ = planificar_y_generar(politica, cartera, HOY, Historial(), frozenset({"sms"}), None)
    return plan


@pytest.fixture
def enviar_con_reloj(carpeta, servidor):
    from recordar.canales import configurar_canales
    from recordar.politica.politica import cargar_politica

    politica = cargar_politica(carpeta / "politica.yaml")
    esperas: list[float] = []

    def enviar():
        rutas = configurar_canales(politica.canales, politica.carpeta)
        ABIERTOS.append(rutas["sms"])
        with Bitacora.abrir_escritura(carpeta / "bitacora.sqlite") as b:
            enviador = Enviador(b, rutas, HOY, espera=0, dormir=esperas.append)
            return enviador.enviar(_mensajes(carpeta, politica))

    return enviar, esperas


def test_se_espera_lo_que_pide_retry_after(enviar_con_reloj, servidor):
    enviar, esperas = enviar_con_reloj
    servidor.responder(Respuesta(429, {"code": 20429, "message": "Too Many Requests"},
                                 cabeceras={"Retry-After": "7"}),
                       Respuesta(201, {"sid": "SM1"}))  # fmt: skip
    resultado = enviar()
    assert esperas == [7.0]
    assert resultado.enviados == 3 and resultado.fallidos == 0


def test_retry_after_demasiado_largo_detiene_el_canal_sin_esperar(enviar_con_reloj, servidor):
    enviar, esperas = enviar_con_reloj
    servidor.responder(Respuesta(429, {"code": 20429, "message": "Too Many Requests"},
                                 cabeceras={"Retry-After": "3600"}))  # fmt: skip
    resultado = enviar()
    assert esperas == [] and len(servidor.peticiones) == 1
    assert "3600 s" in resultado.inalcanzables["sms"]
    assert f"más de {ESPERA_MAXIMA:g}" in resultado.inalcanzables["sms"]
    assert resultado.fallidos == 3 and resultado.enviados == 0


def test_retry_after_que_se_repite_tiene_un_tope_por_canal(enviar_con_reloj, servidor):
    enviar, esperas = enviar_con_reloj
    servidor.responder(Respuesta(503, {"code": 20503, "message": "Service Unavailable"},
                                 cabeceras={"Retry-After": "55"}))  # fmt: skip
    resultado = enviar()
    assert sum(esperas) <= 300 and esperas
    assert "sigue pidiendo esperar" in resultado.inalcanzables["sms"]
    assert resultado.enviados == 0


def test_meta_plantilla_que_no_existe_para_whatsapp_y_sale_al_arreglarla(carpeta, servidor,
                                                                          correr, monkeypatch):  # fmt: skip
    texto = (carpeta / "politica.yaml").read_text("utf-8").replace("canales: [sms]",
                                                                   "canales: [whatsapp]")  # fmt: skip
    texto += (f'  whatsapp: {{tipo: whatsapp_cloud, telefono_id: "106540352242922", '
              f'token_env: WHATSAPP_TOKEN, url_base: "{servidor.url}", '
              "plantillas: {recordatorio: {nombre: recordatorio_pago, "
              "parametros: [cliente, total]}}, timeout: 2}\n")  # fmt: skip
    (carpeta / "politica.yaml").write_text(texto, encoding="utf-8")
    detalles = "template name (recordatorio_pago) does not exist in es_MX"
    servidor.responder(meta_error(404, 132001, "(#132001) Template name does not exist in the "
                                  "translation", detalles))  # fmt: skip
    r = _enviar(correr)
    assert r.exit_code == 1, r.output
    assert len(servidor.peticiones) == 1
    texto = " ".join(r.output.split())
    assert "error: whatsapp: Meta rechazó el envío" in texto and "código 132001" in texto
    filas = _filas(carpeta)
    assert {(f[1], f[2]) for f in filas} == {("fallido", 0)} and detalles in filas[0][3]
    servidor.responder(Respuesta(200, {"messaging_product": "whatsapp",
                                       "messages": [{"id": "wamid.1"}]}))  # fmt: skip
    assert _enviar(correr).exit_code == 0
    assert {f[1] for f in _filas(carpeta)} == {"enviado"} and len(servidor.peticiones) == 4


def test_secreto_sin_exportar_en_un_canal_no_deja_salir_nada_por_los_otros(en_tmp, correr,
                                                                           monkeypatch):  # fmt: skip
    """Un ErrorCanal al abrir (configuración) termina con 2 antes de que salga nada: no con el
    correo enviándose de fondo mientras la ejecución ya terminó."""
    import time

    from recordar.canales import base
    from recordar.errores import ErrorCanal
    from tests.canal_falso import CanalMemoria
    from tests.conftest import preparar_carpeta

    class CanalSinSecreto(CanalMemoria):
        tipo = "sin_secreto"

        def abrir(self):
            time.sleep(0.3)  # el tiempo de que un canal ya abierto envíe
            raise ErrorCanal("canales.sms: la variable de entorno SMS_CLAVE no está definida")

    monkeypatch.setitem(base._REGISTRO, "sin_secreto", CanalSinSecreto)
    preparar_carpeta(en_tmp, "pasos:\n  - {id: recordatorio, dias: 1, canales: [email, sms], "
                     "plantilla: recordatorio}\ncanales:\n  email: {tipo: memoria}\n"
                     "  sms: {tipo: sin_secreto}\n", monkeypatch)  # fmt: skip
    vence = HOY - timedelta(days=1)
    escribir_xlsx(en_tmp / "cartera.xlsx", [CABECERA,
        ["Ana", "ana@ejemplo.com", "", "F-1", vence, 100],
        ["Luis", "", "+52 55 2222 3333", "F-2", vence, 200]])  # fmt: skip
    r = correr("enviar", "cartera.xlsx", "--hoy", HOY.isoformat())
    assert r.exit_code == 2 and "SMS_CLAVE" in r.output, r.output
    time.sleep(0.2)
    assert CanalMemoria.enviados == []
