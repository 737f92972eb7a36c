"""Canal SMTP contra un servidor aiosmtpd de verdad en 127.0.0.1."""

from __future__ import annotations

import asyncio
import base64
import logging
import shutil
import socket
import ssl
import subprocess
import traceback
from concurrent.futures import ThreadPoolExecutor
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from hypothesis import given, settings
from hypothesis import strategies as st

from recordar.canales import crear_canal
from recordar.canales.base import (
    CanalDetenido,
    Envio,
    ErrorEnvio,
    Limitador,
    ServidorInalcanzable,
)
from recordar.canales.correo import Correo, Redactor, sin_controles
from recordar.canales.email import CanalSmtp
from recordar.errores import ErrorCanal

REMITENTE = "Cobranza Ferretería López <cobranza@ejemplo.com>"
CONTRASENA = "s3creta-Ñandú"


class Buzon:
    """Handler de aiosmtpd: guarda lo que llega, cuenta conexiones y rechaza a pedido."""

    def __init__(self) -> None:
        self.sobres: list = []
        self.conexiones: list = []  # un objeto SMTP de aiosmtpd por conexión
        self.rechazos: dict[str, str] = {}  # dirección → respuesta a RCPT
        self.respuesta_datos = "250 2.0.0 OK: en cola"
        self.pausa_rcpt = 0.0
        self.pausa_datos = 0.0
        self.cortar_en_datos = False
        self.en_datos = 0
        self.max_en_datos = 0
        self.max_conexiones = 1000

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        if server not in self.conexiones and len(self.conexiones) >= self.max_conexiones:
            return ["421 4.7.0 demasiadas conexiones"]
        session.host_name = hostname
        if server not in self.conexiones:
            self.conexiones.append(server)
        return responses

    async def handle_HELO(self, server, session, envelope, hostname):
        return "421 4.7.0 demasiadas conexiones"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        await asyncio.sleep(self.pausa_rcpt)
        if address in self.rechazos:
            return self.rechazos[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.en_datos += 1
        self.max_en_datos = max(self.max_en_datos, self.en_datos)
        try:
            await asyncio.sleep(self.pausa_datos)
        finally:
            self.en_datos -= 1
        if self.cortar_en_datos:
            server.transport.abort()
            return "250 OK"
        self.sobres.append(envelope)
        return self.respuesta_datos

    def mensaje(self, i: int = -1):
        return message_from_bytes(self.sobres[i].content, policy=policy.default)


def puerto_libre() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def arrancar():
    """Arranca servidores aiosmtpd en 127.0.0.1 y los para al final."""
    controladores = []

    def _arrancar(**opciones) -> Controller:
        controlador = Controller(
            Buzon(),
            hostname="127.0.0.1",
            port=puerto_libre(),
            server_hostname="prueba.local",
            ready_timeout=5,
            **opciones,
        )
        controlador.start()
        controladores.append(controlador)
        return controlador

    yield _arrancar
    for controlador in controladores:
        controlador.stop()


@pytest.fixture
def servidor(arrancar) -> Controller:
    return arrancar()


@pytest.fixture
def abrir_canal():
    canales = []

    def _abrir(controlador: Controller | None = None, puerto: int | None = None, **ajustes):
        config = {
            "tipo": "smtp",
            "servidor": "127.0.0.1",
            "puerto": puerto or controlador.port,
            "seguridad": "ninguna",
            "remitente": REMITENTE,
            "timeout": 5,
            **ajustes,
        }
        canal = crear_canal("email", config)
        canales.append(canal)
        return canal

    yield _abrir
    for canal in canales:
        canal.cerrar()


def envio(n: int = 0, **campos) -> Envio:
    datos = {
        "clave": f"F-{n:04d}|recordatorio|email",
        "canal": "email",
        "cliente": "José Núñez",
        "destinatario": "jose@cliente.com",
        "asunto": "Recordatorio: factura vencida — año 2026, señor Núñez, ¿pagó ya?",
        "cuerpo": "Estimado José:\n\nSu factura F-0001 por 1.234,56 € venció.\n.\nGracias.\n",
        "html": "<p>Estimado <b>José</b>:</p><p>Su factura F-0001 por 1.234,56 € venció.</p>",
    }
    return Envio(**{**datos, **campos})


def cortar_conexiones(controlador: Controller) -> None:
    """El servidor cierra las conexiones abiertas, como uno que corta las ociosas."""

    async def cortar():
        for conexion in controlador.handler.conexiones:
            conexion.transport.close()
        await asyncio.sleep(0.05)

    asyncio.run_coroutine_threadsafe(cortar(), controlador.loop).result(5)


# --- el mensaje que llega --------------------------------------------------------------


def test_el_correo_llega_con_nombres_asunto_y_partes_intactos(servidor, abrir_canal):
    canal = abrir_canal(servidor)
    canal.abrir()
    message_id = canal.enviar(envio())

    sobre = servidor.handler.sobres[0]
    assert sobre.mail_from == "cobranza@ejemplo.com"
    assert sobre.rcpt_tos == ["jose@cliente.com"]
    assert sobre.content.isascii()
    mensaje = servidor.handler.mensaje()
    assert mensaje.defects == []
    (para,) = mensaje["To"].addresses
    assert (para.display_name, para.addr_spec) == ("José Núñez", "jose@cliente.com")
    (de,) = mensaje["From"].addresses
    assert (de.display_name, de.addr_spec) == ("Cobranza Ferretería López", "cobranza@ejemplo.com")
    assert mensaje["Subject"] == envio().asunto
    assert mensaje["Message-ID"] == message_id
    assert mensaje["Date"].datetime is not None
    assert mensaje.get_content_type() == "multipart/alternative"
    assert mensaje.get_body(("plain",)).get_content().replace("\r\n", "\n") == envio().cuerpo
    assert mensaje.get_body(("html",)).get_content().strip() == envio().html


@pytest.mark.parametrize("cuerpo", ["Hola", "Hola\n", ".\n..\nHola\r\n.", "ñ" * 300])
def test_sin_html_es_un_texto_simple(servidor, abrir_canal, cuerpo):
    abrir_canal(servidor).enviar(envio(html=None, cuerpo=cuerpo))
    mensaje = servidor.handler.mensaje()
    assert mensaje.get_content_type() == "text/plain"
    # SMTP termina siempre la última línea: el CRLF antes del punto final es del mensaje.
    esperado = cuerpo.replace("\r\n", "\n").removesuffix("\n") + "\n"
    assert mensaje.get_content().replace("\r\n", "\n") == esperado
    assert max(len(linea) for linea in servidor.handler.sobres[0].content.split(b"\r\n")) <= 78


def test_message_id_estable_para_la_misma_clave(servidor, abrir_canal):
    canal = abrir_canal(servidor)
    primero = canal.enviar(envio(1))
    reenvio = canal.enviar(envio(1, asunto="otro asunto"))
    otro = canal.enviar(envio(2))
    assert primero == reenvio != otro
    assert primero.startswith("<") and primero.endswith("@ejemplo.com>")
    assert [m["Message-ID"] for m in map(servidor.handler.mensaje, range(3))] == [
        primero,
        primero,
        otro,
    ]


def test_varios_destinatarios_con_el_nombre_del_cliente(servidor, abrir_canal):
    abrir_canal(servidor).enviar(envio(destinatario="jose@cliente.com, pagos@cliente.com"))
    assert servidor.handler.sobres[0].rcpt_tos == ["jose@cliente.com", "pagos@cliente.com"]
    direcciones = servidor.handler.mensaje()["To"].addresses
    assert [(d.display_name, d.addr_spec) for d in direcciones] == [
        ("José Núñez", "jose@cliente.com"),
        ("José Núñez", "pagos@cliente.com"),
    ]


@pytest.mark.parametrize(
    "cliente", ['Núñez, José "Pepe"', "O'Brien & Hijos", "=?utf-8?q?falso?=", "Ana  Pérez "]
)
def test_nombres_con_caracteres_especiales_vuelven_igual(servidor, abrir_canal, cliente):
    abrir_canal(servidor).enviar(envio(cliente=cliente))
    (para,) = servidor.handler.mensaje()["To"].addresses
    assert para.display_name == " ".join(cliente.split())
    assert para.addr_spec == "jose@cliente.com"


def test_responder_a_y_baja(servidor, abrir_canal):
    canal = abrir_canal(
        servidor,
        responder_a="Pagos <pagos@ejemplo.com>",
        baja="<mailto:baja@ejemplo.com>, https://ejemplo.com/baja?c=1",
    )
    canal.enviar(envio())
    mensaje = servidor.handler.mensaje()
    assert mensaje["Reply-To"].addresses[0].addr_spec == "pagos@ejemplo.com"
    assert mensaje["List-Unsubscribe"] == (
        "<mailto:baja@ejemplo.com>, <https://ejemplo.com/baja?c=1>"
    )
    assert mensaje["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_baja_solo_mailto_no_lleva_one_click(servidor, abrir_canal):
    abrir_canal(servidor, baja="mailto:baja@ejemplo.com").enviar(envio())
    mensaje = servidor.handler.mensaje()
    assert mensaje["List-Unsubscribe"] == "<mailto:baja@ejemplo.com>"
    assert mensaje["List-Unsubscribe-Post"] is None


def test_saltos_de_linea_en_cliente_y_asunto_no_inyectan_cabeceras(servidor, abrir_canal):
    malicioso = envio(
        cliente="José\r\nBcc: espia@malo.com",
        asunto="Factura\nBcc: espia@malo.com\r\n\r\ncuerpo falso",
    )
    abrir_canal(servidor).enviar(malicioso)
    sobre = servidor.handler.sobres[0]
    assert sobre.rcpt_tos == ["jose@cliente.com"]
    mensaje = servidor.handler.mensaje()
    assert mensaje["Bcc"] is None
    assert [d.addr_spec for d in mensaje["To"].addresses] == ["jose@cliente.com"]
    assert "\n" not in mensaje["Subject"] and "espia@malo.com" in mensaje["Subject"]
    cabeceras = sobre.content.split(b"\r\n\r\n", 1)[0]
    assert not any(linea.lower().startswith(b"bcc") for linea in cabeceras.split(b"\r\n"))


@pytest.mark.parametrize(
    "destinatario",
    [
        "jose@cliente.com\r\nBcc: espia@malo.com",
        "jose@cliente.com Bcc: espia@malo.com",
        "jose@cliente.com, espia@malo.com>",
        "José <jose@cliente.com>\nBcc: espia@malo.com",
        "no es correo",
        "josé@cliente.com",
        " , ",
        "",
    ],
)
def test_destinatario_invalido_es_permanente_y_no_se_envia(servidor, abrir_canal, destinatario):
    with pytest.raises(ErrorEnvio) as error:
        abrir_canal(servidor).enviar(envio(destinatario=destinatario))
    assert not error.value.temporal
    assert "no es una dirección de correo válida" in error.value.motivo
    assert servidor.handler.sobres == []


def test_destinatario_con_nombre_o_coma_sobrante(servidor, abrir_canal):
    abrir_canal(servidor).enviar(envio(destinatario="Pagos <pagos@cliente.com>, "))
    assert servidor.handler.sobres[0].rcpt_tos == ["pagos@cliente.com"]


def test_dominio_internacional_va_en_idna(servidor, abrir_canal):
    abrir_canal(servidor).enviar(envio(destinatario="pagos@ferretería.com"))
    assert servidor.handler.sobres[0].rcpt_tos == ["pagos@xn--ferretera-n5a.com"]


# --- conexiones ------------------------------------------------------------------------


def test_una_sola_conexion_para_veinte_correos(servidor, abrir_canal):
    canal = abrir_canal(servidor)
    canal.abrir()
    for n in range(20):
        canal.enviar(envio(n))
    assert len(servidor.handler.sobres) == 20
    assert len(servidor.handler.conexiones) == 1


def test_reconecta_si_el_servidor_corta_la_conexion(servidor, abrir_canal):
    canal = abrir_canal(servidor)
    canal.enviar(envio(1))
    cortar_conexiones(servidor)
    canal.enviar(envio(2))
    assert len(servidor.handler.sobres) == 2
    assert len(servidor.handler.conexiones) == 2


def test_reconecta_aunque_todas_las_libres_esten_cortadas(servidor, abrir_canal):
    servidor.handler.pausa_datos = 0.05
    canal = abrir_canal(servidor, conexiones=3)
    with ThreadPoolExecutor(3) as hilos:
        list(hilos.map(canal.enviar, [envio(n) for n in range(3)]))
    assert len(servidor.handler.conexiones) == 3
    cortar_conexiones(servidor)
    canal.enviar(envio(9))
    assert len(servidor.handler.sobres) == 4
    assert len(servidor.handler.conexiones) == 4


def test_tres_conexiones_para_tres_hilos(servidor, abrir_canal):
    servidor.handler.pausa_datos = 0.1
    canal = abrir_canal(servidor, conexiones=3)
    with ThreadPoolExecutor(3) as hilos:
        ids = list(hilos.map(canal.enviar, [envio(n) for n in range(9)]))
    assert len(set(ids)) == 9
    assert len(servidor.handler.sobres) == 9
    assert len(servidor.handler.conexiones) == 3
    assert servidor.handler.max_en_datos == 3


def test_si_el_servidor_admite_menos_conexiones_sigue_con_las_que_tiene(
    servidor, abrir_canal, caplog
):
    servidor.handler.max_conexiones = 1
    servidor.handler.pausa_datos = 0.02
    canal = abrir_canal(servidor, conexiones=3)
    canal.abrir()  # como el enviador: antes de lanzar los hilos
    with caplog.at_level(logging.WARNING), ThreadPoolExecutor(3) as hilos:
        ids = list(hilos.map(canal.enviar, [envio(n) for n in range(9)]))
    assert len(ids) == 9 and len(servidor.handler.sobres) == 9
    assert len(servidor.handler.conexiones) == 1
    assert "421 4.7.0 demasiadas conexiones; se sigue con menos conexiones" in caplog.text


def test_un_hilo_usa_una_sola_conexion_aunque_haya_varias(servidor, abrir_canal):
    canal = abrir_canal(servidor, conexiones=3)
    for n in range(5):
        canal.enviar(envio(n))
    assert len(servidor.handler.conexiones) == 1


def test_cerrar_y_volver_a_enviar(servidor, abrir_canal):
    canal = abrir_canal(servidor)
    canal.enviar(envio(1))
    canal.cerrar()
    canal.enviar(envio(2))
    assert len(servidor.handler.sobres) == 2


def test_servidor_inalcanzable_nombra_servidor_y_puerto(abrir_canal, monkeypatch):
    monkeypatch.setenv("CLAVE_SMTP", CONTRASENA)
    puerto = puerto_libre()  # nadie escucha
    canal = abrir_canal(puerto=puerto, usuario="cobranza", contrasena_env="CLAVE_SMTP")
    with pytest.raises(ServidorInalcanzable) as error:
        canal.abrir()
    assert f"127.0.0.1:{puerto}" in error.value.motivo
    assert "conexión rechazada" in error.value.motivo
    with pytest.raises(ServidorInalcanzable):
        canal.enviar(envio())
    assert CONTRASENA not in _todo(error.value)


def test_servidor_que_no_existe(abrir_canal, monkeypatch):
    def sin_dns(*args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", sin_dns)  # las pruebas no salen de 127.0.0.1
    canal = abrir_canal(puerto=25, servidor="no-existe.invalid")
    with pytest.raises(ServidorInalcanzable, match=r"no-existe\.invalid:25: no se encontró"):
        canal.abrir()


# --- clasificación de errores ----------------------------------------------------------


@pytest.mark.parametrize(
    ("respuesta", "temporal"),
    [("550 5.1.1 usuario desconocido", False), ("451 4.7.1 intente más tarde", True)],
)
def test_rechazo_del_destinatario(servidor, abrir_canal, respuesta, temporal):
    servidor.handler.rechazos["nadie@cliente.com"] = respuesta
    canal = abrir_canal(servidor)
    with pytest.raises(ErrorEnvio) as error:
        canal.enviar(envio(destinatario="nadie@cliente.com"))
    assert error.value.temporal is temporal
    assert not error.value.entregado_quizas
    assert respuesta in error.value.motivo and "nadie@cliente.com" in error.value.motivo
    # La misma conexión sirve para el siguiente.
    canal.enviar(envio(2))
    assert len(servidor.handler.sobres) == 1
    assert len(servidor.handler.conexiones) == 1


def test_un_destinatario_rechazado_entre_varios(servidor, abrir_canal, caplog):
    servidor.handler.rechazos["nadie@cliente.com"] = "550 5.1.1 usuario desconocido"
    with caplog.at_level(logging.WARNING):
        abrir_canal(servidor).enviar(envio(destinatario="nadie@cliente.com, jose@cliente.com"))
    assert servidor.handler.sobres[0].rcpt_tos == ["jose@cliente.com"]
    assert "550 5.1.1 usuario desconocido" in caplog.text


def test_rechazo_del_mensaje_es_permanente(servidor, abrir_canal):
    servidor.handler.respuesta_datos = "554 5.7.1 parece spam"
    with pytest.raises(ErrorEnvio) as error:
        abrir_canal(servidor).enviar(envio())
    assert not error.value.temporal
    assert "554 5.7.1 parece spam" in error.value.motivo


def test_corte_tras_enviar_los_datos_quizas_llego(servidor, abrir_canal):
    servidor.handler.cortar_en_datos = True
    with pytest.raises(ErrorEnvio) as error:
        abrir_canal(servidor).enviar(envio())
    assert error.value.temporal and error.value.entregado_quizas
    assert len(servidor.handler.conexiones) == 1  # no se reintenta: podría duplicarse


def test_timeout_esperando_la_respuesta_a_los_datos_quizas_llego(servidor, abrir_canal):
    servidor.handler.pausa_datos = 2
    with pytest.raises(ErrorEnvio) as error:
        abrir_canal(servidor, timeout=0.3).enviar(envio())
    assert error.value.temporal and error.value.entregado_quizas
    assert "no respondió en 0.3 s" in error.value.motivo


def test_timeout_antes_de_entregar_no_llego(servidor, abrir_canal):
    servidor.handler.pausa_rcpt = 2
    with pytest.raises(ErrorEnvio) as error:
        abrir_canal(servidor, timeout=0.2).enviar(envio())
    assert error.value.temporal and not error.value.entregado_quizas
    assert not isinstance(error.value, ServidorInalcanzable)
    assert len(servidor.handler.conexiones) == 2  # un reintento por otra conexión


# --- autenticación y TLS ---------------------------------------------------------------


def autenticador(usuario: str, contrasena: str, eco: bool = False):
    """Acepta un usuario; con `eco`, un servidor torpe que repite la contraseña al fallar."""

    def autenticar(server, session, envelope, mechanism, auth_data):
        assert isinstance(auth_data, LoginPassword)
        if auth_data.login == usuario.encode() and auth_data.password == contrasena.encode():
            return AuthResult(success=True)
        if eco:
            return AuthResult(
                success=False,
                handled=False,
                message=f"535 5.7.8 clave {auth_data.password.decode()} incorrecta",
            )
        return AuthResult(success=False, handled=False)

    return autenticar


@pytest.mark.parametrize("contrasena", ["s3creta-ascii", CONTRASENA])
def test_autenticacion_con_la_contrasena_del_entorno(
    arrancar, abrir_canal, monkeypatch, contrasena
):
    monkeypatch.setenv("RECORDAR_SMTP_CONTRASENA", contrasena)
    servidor = arrancar(authenticator=autenticador("cobranza", contrasena), auth_require_tls=False)
    canal = abrir_canal(servidor, usuario="cobranza", contrasena_env="RECORDAR_SMTP_CONTRASENA")
    canal.abrir()
    canal.enviar(envio())
    assert len(servidor.handler.sobres) == 1
    assert servidor.handler.conexiones[0].session.authenticated


def test_contrasena_no_ascii_por_auth_login(arrancar, abrir_canal, monkeypatch):
    monkeypatch.setenv("RECORDAR_SMTP_CONTRASENA", CONTRASENA)
    servidor = arrancar(
        authenticator=autenticador("cobranza", CONTRASENA),
        auth_require_tls=False,
        auth_exclude_mechanism=["PLAIN"],
    )
    canal = abrir_canal(servidor, usuario="cobranza", contrasena_env="RECORDAR_SMTP_CONTRASENA")
    canal.enviar(envio())
    assert servidor.handler.conexiones[0].session.authenticated


@pytest.mark.parametrize("contrasena", ["s3creta-ascii", CONTRASENA])
def test_contrasena_mala_detiene_el_canal_sin_la_contrasena(
    arrancar, abrir_canal, monkeypatch, contrasena
):
    monkeypatch.setenv("RECORDAR_SMTP_CONTRASENA", contrasena)
    servidor = arrancar(
        authenticator=autenticador("cobranza", "otra", eco=True), auth_require_tls=False
    )
    canal = abrir_canal(servidor, usuario="cobranza", contrasena_env="RECORDAR_SMTP_CONTRASENA")
    with pytest.raises(CanalDetenido) as error:
        canal.abrir()
    assert "rechazó el usuario o la contraseña" in str(error.value)
    assert "535" in str(error.value) and "***" in str(error.value)
    texto = _todo(error.value)
    assert contrasena not in texto
    assert base64.b64encode(contrasena.encode()).decode() not in texto
    with pytest.raises(CanalDetenido) as otra_vez:
        canal.enviar(envio())
    assert contrasena not in _todo(otra_vez.value)


def test_falta_la_variable_de_la_contrasena(servidor, abrir_canal, monkeypatch):
    monkeypatch.delenv("RECORDAR_SMTP_CONTRASENA", raising=False)
    canal = abrir_canal(servidor, usuario="cobranza", contrasena_env="RECORDAR_SMTP_CONTRASENA")
    with pytest.raises(ErrorCanal, match="RECORDAR_SMTP_CONTRASENA no está definida"):
        canal.abrir()


def test_servidor_sin_auth(servidor, abrir_canal, monkeypatch):
    monkeypatch.setenv("RECORDAR_SMTP_CONTRASENA", CONTRASENA)
    canal = abrir_canal(servidor, usuario="cobranza", contrasena_env="RECORDAR_SMTP_CONTRASENA")
    with pytest.raises(ErrorCanal, match=r"canales\.email\.usuario: .* no acepta AUTH"):
        canal.abrir()


@pytest.fixture(scope="module")
def certificado(tmp_path_factory):
    """Un certificado autofirmado para 127.0.0.1 (hace falta el programa openssl)."""
    if shutil.which("openssl") is None:
        pytest.skip("sin openssl para crear un certificado de prueba")
    carpeta = tmp_path_factory.mktemp("tls")
    cert, clave = carpeta / "cert.pem", carpeta / "clave.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-keyout", clave, "-out", cert, "-days", "2", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True,
        capture_output=True,
    )  # fmt: skip
    contexto = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    contexto.load_cert_chain(cert, clave)
    return cert, contexto


@pytest.mark.parametrize("seguridad", ["starttls", "ssl"])
def test_tls_con_autenticacion(arrancar, abrir_canal, monkeypatch, certificado, seguridad):
    cert, contexto = certificado
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    monkeypatch.setenv("RECORDAR_SMTP_CONTRASENA", "s3creta")
    autenticar = autenticador("cobranza", "s3creta")
    if seguridad == "starttls":
        servidor = arrancar(tls_context=contexto, require_starttls=True, authenticator=autenticar)
    else:
        # aiosmtpd solo cuenta STARTTLS como TLS para auth_require_tls.
        servidor = arrancar(ssl_context=contexto, authenticator=autenticar, auth_require_tls=False)
    canal = abrir_canal(
        servidor,
        seguridad=seguridad,
        usuario="cobranza",
        contrasena_env="RECORDAR_SMTP_CONTRASENA",
    )
    canal.enviar(envio())
    assert len(servidor.handler.sobres) == 1
    assert servidor.handler.conexiones[-1].session.authenticated


def test_certificado_no_confiable_es_inalcanzable(arrancar, abrir_canal, certificado):
    servidor = arrancar(ssl_context=certificado[1])
    with pytest.raises(ServidorInalcanzable, match="certificado TLS no es válido"):
        abrir_canal(servidor, seguridad="ssl").abrir()


def test_starttls_no_ofrecido(servidor, abrir_canal):
    with pytest.raises(ErrorCanal, match=r"canales\.email\.seguridad: .* no ofrece STARTTLS"):
        abrir_canal(servidor, seguridad="starttls").abrir()


# --- límite de envíos y ajustes --------------------------------------------------------


def test_espera_su_turno_antes_de_cada_envio(servidor, abrir_canal):
    canal = abrir_canal(servidor, por_minuto=30)
    ahora = [100.0]
    esperas: list[float] = []

    def dormir(segundos: float) -> None:
        esperas.append(segundos)
        ahora[0] += segundos

    canal.limitador = Limitador(30, reloj=lambda: ahora[0], dormir=dormir)
    for n in range(3):
        canal.enviar(envio(n))
    assert esperas == [2.0, 2.0]
    assert len(servidor.handler.sobres) == 3


def test_valores_predeterminados():
    canal = CanalSmtp(
        "email", {"tipo": "smtp", "servidor": "smtp.ejemplo.com", "remitente": REMITENTE}
    )
    assert (canal.seguridad, canal.puerto, canal.conexiones, canal.timeout) == (
        "starttls",
        587,
        1,
        30.0,
    )
    assert CanalSmtp("email", {**_base(), "seguridad": "ssl"}).puerto == 465


def _base() -> dict:
    return {"tipo": "smtp", "servidor": "smtp.ejemplo.com", "remitente": REMITENTE}


@pytest.mark.parametrize(
    ("ajustes", "mensaje"),
    [
        ({"puerto": "587"}, "canales.email.puerto: debe ser un número entero"),
        ({"puerto": 70000}, "canales.email.puerto: debe ser un número entero entre 1 y 65535"),
        ({"seguridad": "tls"}, "canales.email.seguridad: «tls» no vale"),
        ({"conexiones": 0}, "canales.email.conexiones: debe ser un número entero"),
        ({"conexiones": True}, "canales.email.conexiones: debe ser un número entero"),
        ({"timeout": -1}, "canales.email.timeout: debe ser un número"),
        ({"remitente": "Cobranza"}, "canales.email.remitente: debe ser una dirección"),
        ({"remitente": "a@b.com\r\nBcc: c@d.com"}, "canales.email.remitente: debe ser"),
        ({"responder_a": "no"}, "canales.email.responder_a: debe ser una dirección"),
        ({"baja": "ftp://x"}, "canales.email.baja: debe ser"),
        ({"servidor": "smtp ejemplo"}, "canales.email.servidor: debe ser un nombre"),
        ({"usuario": "cobranza"}, "canales.email.contrasena_env: falta"),
        ({"contrasena_env": "X"}, "canales.email.usuario: falta"),
        ({"contrasena": "x"}, "canales.email.contrasena: no escribas secretos"),
        ({"color": "rojo"}, "canales.email.color: ajuste desconocido"),
        (
            {"usuario": "c", "contrasena_env": "X", "seguridad": "ninguna"},
            "canales.email.seguridad: con usuario y seguridad ninguna la contraseña viajaría",
        ),
    ],
)
def test_ajustes_invalidos(ajustes, mensaje):
    with pytest.raises(ErrorCanal) as error:
        CanalSmtp("email", {**_base(), **ajustes})
    assert str(error.value).startswith(mensaje)


def test_el_tipo_smtp_esta_registrado():
    canal = crear_canal("email", _base())
    assert isinstance(canal, CanalSmtp)
    assert canal.canales == ("email",)


def _todo(exc: BaseException) -> str:
    """Todo lo que se vería de una excepción: mensaje, traza y excepciones encadenadas."""
    return "".join(traceback.format_exception(exc)) + repr(exc.args)


# --- propiedades del mensaje armado (sin red) ------------------------------------------

texto_libre = st.text(st.characters(blacklist_categories=("Cs",)), max_size=200)


@settings(max_examples=150, deadline=None)
@given(cliente=texto_libre, asunto=texto_libre, cuerpo=texto_libre, html=texto_libre)
def test_cualquier_texto_da_un_mensaje_valido_que_vuelve_igual(cliente, asunto, cuerpo, html):
    redactor = Redactor(("Cobranza Ferretería López", "cobranza@ejemplo.com"))
    correo = redactor.redactar(
        envio(cliente=cliente, asunto=asunto, cuerpo=cuerpo, html=html or None)
    )
    lineas = correo.datos.split(b"\r\n")
    assert correo.datos.isascii()
    assert not any(b"\r" in linea or b"\n" in linea for linea in lineas)
    assert max(map(len, lineas)) <= 998
    mensaje = message_from_bytes(correo.datos, policy=policy.default)
    assert mensaje.defects == [] and all(not p.defects for p in mensaje.walk())
    assert sorted(mensaje.keys()) == sorted(
        ["From", "To", "Subject", "Date", "Message-ID", "MIME-Version", "Content-Type"]
        + (["Content-Transfer-Encoding"] if not html else [])
    )
    (para,) = mensaje["To"].addresses
    # Un nombre de más de 42 bytes va en varias palabras RFC 2047 y Python, al leerlas en una
    # frase, conserva el espacio que las separa (los clientes de correo no): sin espacios.
    assert "".join(para.display_name.split()) == "".join(sin_controles(cliente).split())
    assert para.addr_spec == "jose@cliente.com"
    assert mensaje["Subject"].strip() == sin_controles(asunto).strip()
    normalizar = lambda t: t.replace("\r\n", "\n").replace("\r", "\n")  # noqa: E731
    assert normalizar(mensaje.get_body(("plain",)).get_content()) == normalizar(cuerpo)
    if html:
        assert normalizar(mensaje.get_body(("html",)).get_content()) == normalizar(html)


def test_lineas_que_empiezan_con_punto_llegan_intactas(servidor, abrir_canal):
    # QP ya escribe un punto inicial como =2E; esto prueba la transparencia SMTP por si acaso.
    datos = b"Subject: puntos\r\n\r\n.una\r\n..dos\r\n."
    correo = Correo("<x@ejemplo.com>", ("jose@cliente.com",), datos)
    abrir_canal(servidor)._transmitir(correo)
    assert servidor.handler.sobres[0].content == datos + b"\r\n"


def test_contrasena_rechazada_para_el_correo_y_los_sms_salen(arrancar, en_tmp, correr, monkeypatch):
    """Un usuario o contraseña que el servidor rechaza es del canal, no de cada mensaje (#15):
    el correo se detiene con una frase y código 1, los SMS salen, y al corregir la contraseña el
    mismo día sale el correo."""
    from datetime import timedelta

    from tests.canal_falso import CanalMemoria
    from tests.conftest import CABECERA, HOY, escribir_xlsx, preparar_carpeta

    servidor = arrancar(authenticator=autenticador("cobranza", "buena"), auth_require_tls=False)
    politica = f"""
empresa: {{nombre: "Ferretería López", contacto: "cobranza@ejemplo.com"}}
pasos:
  - {{id: recordatorio, dias: 1, canales: [email, sms], plantilla: recordatorio}}
canales:
  email: {{tipo: smtp, servidor: 127.0.0.1, puerto: {servidor.port}, seguridad: ninguna,
           remitente: "{REMITENTE}", usuario: cobranza, contrasena_env: RECORDAR_SMTP_CONTRASENA,
           timeout: 5}}
  sms: {{tipo: memoria}}
"""
    preparar_carpeta(en_tmp, politica, monkeypatch)
    vence = HOY - timedelta(days=1)
    escribir_xlsx(en_tmp / "cartera.xlsx", [
        CABECERA,
        ["Ana", "ana@ejemplo.com", "", "F-1", vence, 100],
        ["Beto", "", "55 1234 5678", "F-2", vence, 200],
    ])  # fmt: skip
    monkeypatch.setenv("RECORDAR_SMTP_CONTRASENA", "mala")
    r = correr("enviar", "cartera.xlsx", "--hoy", HOY.isoformat())
    salida = " ".join(r.output.split())
    assert r.exit_code == 1, r.output
    assert "rechazó el usuario o la contraseña" in salida and "mala" not in salida
    assert [e.destinatario for e in CanalMemoria.enviados] == ["+525512345678"]
    assert servidor.handler.sobres == []
    monkeypatch.setenv("RECORDAR_SMTP_CONTRASENA", "buena")
    r = correr("enviar", "cartera.xlsx", "--hoy", HOY.isoformat())
    assert r.exit_code == 0, r.output
    assert len(servidor.handler.sobres) == 1 and len(CanalMemoria.enviados) == 1
