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
    ajustes = {"tipo": "http", "url": servidor.url + "/enviar", "cuerpo": {"to": "{{ destinatario }}"},
               "tipo_contenido": "application/json",
               "cabeceras": {"Authorization": f"Bearer {{{{ secreto('{CLAVE}') }}}}"}}  # fmt: skip
    with pytest.raises(ErrorCanal) as info:
        CanalHttp("sms", ajustes)
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


# --- la forma de la petición ----------------------------------------------------------------

PEPE = Envio(
    clave="k-7",
    canal="sms",
    cliente='José "Pepe" Núñez", "to": "+5215500000000',
    destinatario="+525512345678",
    asunto="",
    cuerpo='Hola "Pepe" & Cía.: $1,500 + IVA = 100% \\ fin\nsegunda línea',
)


def canal_http(servidor, **ajustes) -> CanalHttp:
    canal = CanalHttp("sms", {"tipo": "http", "url": servidor.url + "/enviar", **ajustes})
    ABIERTOS.append(canal)
    return canal


def test_json_escrito_a_mano_sin_tojson_es_valido_y_no_cambia_de_destinatario(servidor):
    canal = canal_http(
        servidor,
        tipo_contenido="application/json",
        cuerpo='{"to": "{{ destinatario }}", "sms": "{{ texto }}", "nombre": "{{ cliente }}"}',
    )
    canal.enviar(PEPE)
    (peticion,) = servidor.peticiones
    assert peticion.json() == {"to": "+525512345678", "sms": PEPE.cuerpo, "nombre": PEPE.cliente}


def test_cuerpo_como_mapa_en_json(servidor):
    canal = canal_http(
        servidor,
        tipo_contenido="application/json; charset=utf-8",
        cuerpo={"to": ["{{ destinatario }}"], "mensaje": {"texto": "{{ texto }}",
                "de": "{{ cliente }}"}, "prioridad": 1, "flash": False},
    )  # fmt: skip
    canal.enviar(PEPE)
    (peticion,) = servidor.peticiones
    assert peticion.cabeceras["Content-Type"] == "application/json; charset=utf-8"
    assert peticion.json() == {"to": ["+525512345678"], "prioridad": 1, "flash": False,
                               "mensaje": {"texto": PEPE.cuerpo, "de": PEPE.cliente}}  # fmt: skip


@pytest.mark.parametrize(
    "cuerpo",
    [
        "numero={{ destinatario }}&mensaje={{ texto }}&nombre={{ cliente }}",
        {"numero": "{{ destinatario }}", "mensaje": "{{ texto }}", "nombre": "{{ cliente }}"},
    ],
)
def test_formulario_codifica_cada_valor(servidor, cuerpo):
    canal_http(servidor, cuerpo=cuerpo).enviar(PEPE)
    (peticion,) = servidor.peticiones
    assert peticion.formulario() == {
        "numero": "+525512345678", "mensaje": PEPE.cuerpo, "nombre": PEPE.cliente,
    }  # fmt: skip


@pytest.mark.parametrize(
    "ajustes",
    [
        {"url": "{base}/enviar?to={{{{ destinatario }}}}&msg={{{{ texto }}}}"},
        {"url": "{base}/enviar", "cuerpo": "to={{{{ destinatario }}}}&msg={{{{ texto }}}}"},
        {
            "url": "{base}/enviar?x=1",
            "cuerpo": {"to": "{{{{ destinatario }}}}", "msg": "{{{{ texto }}}}"},
        },
    ],
)
def test_get_no_convierte_el_mas_en_espacio(servidor, ajustes):
    ajustes = {k: v.format(base=servidor.url) if isinstance(v, str) else
               {c: t.format() for c, t in v.items()} for k, v in ajustes.items()}  # fmt: skip
    canal = CanalHttp("sms", {"tipo": "http", "metodo": "GET", **ajustes})
    ABIERTOS.append(canal)
    canal.enviar(PEPE)
    (peticion,) = servidor.peticiones
    consulta = peticion.consulta()
    assert consulta["to"] == "+525512345678" and consulta["msg"] == PEPE.cuerpo
    assert peticion.cuerpo == b""


@pytest.mark.parametrize(
    ("ajustes", "parte"),
    [
        ({"tipo_contenido": "application/json", "cuerpo": '{"sms": {{ texto }}}'}, "cuerpo"),
        (
            {"tipo_contenido": "application/json", "cuerpo": '{"sms": "{{ texto|tojson }}"}'},
            "cuerpo",
        ),
        ({"cuerpo": "to={{ destinatario }}&{{ texto|urlencode|replace('%26', '&') }}"}, "cuerpo"),
    ],
)
def test_una_plantilla_que_deja_cambiar_la_forma_se_rechaza_al_crear_el_canal(
    servidor, ajustes, parte
):
    with pytest.raises(ErrorCanal, match=rf"canales\.sms\.{parte}"):
        canal_http(servidor, **ajustes)
    assert servidor.peticiones == []


def test_revisar_peticion_no_lee_secretos_ni_envia(servidor, monkeypatch):
    monkeypatch.delenv("SMSMASIVOS_APIKEY")
    canal = canal_http(servidor, tipo_contenido="application/json",
                       cuerpo='{"to": "{{ destinatario }}", "k": "{{ secreto(\'SMSMASIVOS_APIKEY\') }}"}',
                       cabeceras={"Authorization": "Bearer {{ secreto('SMSMASIVOS_APIKEY') }}"})  # fmt: skip
    canal.revisar_peticion()
    assert servidor.peticiones == []


def test_un_salto_de_linea_en_el_cliente_no_parte_una_cabecera(servidor):
    canal = canal_http(servidor, cuerpo={"to": "{{ destinatario }}"},
                       cabeceras={"X-Cliente": "{{ cliente }}", "X-Ref": "{{ clave }}"})  # fmt: skip
    canal.enviar(Envio("k-9", "sms", "Ana\r\nX-Inyectada: si", "+525512345678", "", "hola"))
    (peticion,) = servidor.peticiones
    assert peticion.cabeceras["X-Cliente"] == "Ana X-Inyectada: si"
    assert peticion.cabeceras["X-Inyectada"] is None
    assert peticion.formulario() == {"to": "+525512345678"}
