"""Correo por SMTP (smtplib): conexiones reutilizadas, reconexión y errores clasificados.

El mensaje lo arma canales/correo.py. Ningún mensaje de error lleva la contraseña.
"""

from __future__ import annotations

import base64
import functools
import ipaddress
import logging
import queue
import re
import smtplib
import socket
import ssl
import threading
from email.utils import parseaddr
from typing import Any

from recordar.canales.base import (
    Canal,
    CanalDetenido,
    Envio,
    ErrorEnvio,
    ServidorInalcanzable,
)
from recordar.canales.correo import Correo, Redactor, con_controles, normalizar_direccion
from recordar.errores import ErrorCanal

registro = logging.getLogger(__name__)

PUERTOS = {"ninguna": 25, "starttls": 587, "ssl": 465}
TIMEOUT_PREDETERMINADO = 30.0
MAX_CONEXIONES = 50
LARGO_MINIMO_SECRETO = 16
TACHADO = "***"
_PUNTO_INICIAL = re.compile(rb"^\.", re.MULTILINE)


class RechazoSmtp(ErrorEnvio):
    """El servidor respondió con un código 4xx o 5xx; `codigo` lo conserva."""

    def __init__(self, motivo: str, codigo: int) -> None:
        super().__init__(motivo, temporal=not 500 <= codigo <= 599)
        self.codigo = codigo


class _Cortada(Exception):
    """La conexión se cayó antes de entregar el mensaje: se puede reintentar por otra."""


class CanalSmtp(Canal):
    tipo = "smtp"
    descripcion = "correo por SMTP (smtplib), con conexiones reutilizadas y STARTTLS o SSL"
    canales = ("email",)
    ajustes = ("servidor", "remitente")
    opcionales = (
        "puerto",
        "seguridad",
        "usuario",
        "contrasena_env",
        "conexiones",
        "responder_a",
        "baja",
        "baja_secreto_env",
        "timeout",
    )

    def __init__(self, nombre: str, ajustes: dict[str, Any]) -> None:
        super().__init__(nombre, ajustes)
        self.donde = f"canales.{nombre}"
        self.servidor = self._leer_servidor()
        self.seguridad = self._leer_seguridad()
        self.puerto = self._leer_entero("puerto", PUERTOS[self.seguridad], 1, 65535)
        self.conexiones = self._leer_entero("conexiones", 1, 1, MAX_CONEXIONES)
        self.timeout = self._leer_timeout()
        self.usuario = self._leer_usuario()
        self.sitio = f"{self.servidor}:{self.puerto}"
        self.redactor = Redactor(
            remitente=self._leer_direccion("remitente"),
            responder_a=self._leer_direccion("responder_a")
            if self.config.get("responder_a")
            else None,
            baja=self._leer_baja(),
            secreto_baja=self._leer_secreto_baja(),
        )
        self._contrasena: str | None = None
        self._contexto_tls: ssl.SSLContext | None = None
        # Una plaza por conexión: None si aún no está abierta. LIFO: con un solo hilo se
        # reutiliza siempre la misma y no se abren las demás.
        self._libres: queue.LifoQueue[smtplib.SMTP | None] = queue.LifoQueue()
        for _ in range(self.conexiones):
            self._libres.put(None)
        self._abiertas = 0
        self._cerrojo = threading.Lock()

    # --- ajustes ---------------------------------------------------------------------

    def _leer_servidor(self) -> str:
        servidor = self.config["servidor"]
        if (
            not isinstance(servidor, str)
            or not servidor.strip()
            or any(c.isspace() for c in servidor.strip())
        ):
            raise ErrorCanal(
                f"{self.donde}.servidor: debe ser un nombre o una IP, como smtp.empresa.com"
            )
        return servidor.strip()

    def _leer_seguridad(self) -> str:
        seguridad = self.config.get("seguridad", "starttls")
        if not isinstance(seguridad, str) or seguridad not in PUERTOS:
            raise ErrorCanal(
                f"{self.donde}.seguridad: «{seguridad}» no vale; usa ninguna, starttls o ssl"
            )
        return seguridad

    def _leer_entero(self, clave: str, predeterminado: int, minimo: int, maximo: int) -> int:
        valor = self.config.get(clave, predeterminado)
        if isinstance(valor, bool) or not isinstance(valor, int) or not minimo <= valor <= maximo:
            raise ErrorCanal(
                f"{self.donde}.{clave}: debe ser un número entero entre {minimo} y {maximo}"
            )
        return valor

    def _leer_timeout(self) -> float:
        valor = self.config.get("timeout", TIMEOUT_PREDETERMINADO)
        if isinstance(valor, bool) or not isinstance(valor, int | float) or valor <= 0:
            raise ErrorCanal(f"{self.donde}.timeout: debe ser un número de segundos mayor que 0")
        return float(valor)

    def _leer_usuario(self) -> str | None:
        usuario = self.config.get("usuario")
        variable = self.config.get("contrasena_env")
        if usuario in (None, ""):
            if variable:
                raise ErrorCanal(
                    f"{self.donde}.usuario: falta; contrasena_env sin usuario no sirve"
                )
            return None
        if not isinstance(usuario, str) or con_controles(usuario):
            raise ErrorCanal(f"{self.donde}.usuario: debe ser un texto de una línea")
        if not variable or not isinstance(variable, str):
            raise ErrorCanal(
                f"{self.donde}.contrasena_env: falta el nombre de la variable de entorno "
                "con la contraseña del usuario"
            )
        if self.seguridad == "ninguna" and not _es_local(self.servidor):
            raise ErrorCanal(
                f"{self.donde}.seguridad: con usuario y seguridad ninguna la contraseña viajaría "
                f"sin cifrar hasta {self.servidor}; usa starttls o ssl"
            )
        return usuario

    def _leer_direccion(self, clave: str) -> tuple[str, str]:
        valor = self.config.get(clave)
        nombre = direccion = ""
        if isinstance(valor, str) and not con_controles(valor):
            nombre, direccion = parseaddr(valor)
            direccion = normalizar_direccion(direccion)
        if not direccion:
            raise ErrorCanal(
                f"{self.donde}.{clave}: debe ser una dirección como «Cobranza <cobranza@empresa.com>»"
            )
        return nombre.strip(), direccion

    def _leer_baja(self) -> str | None:
        valor = self.config.get("baja")
        if valor in (None, ""):
            return None
        partes = [p.strip().strip("<>").strip() for p in str(valor).split(",")]
        validas = [p for p in partes if _uri_de_baja(p)]
        if not isinstance(valor, str) or len(validas) != len(partes) or len(valor) > 300:
            raise ErrorCanal(
                f"{self.donde}.baja: debe ser «<mailto:baja@empresa.com>» o una URL https "
                "(puede llevar {token}), o ambas separadas por coma, en menos de 300 caracteres"
            )
        return ", ".join(f"<{p}>" for p in validas)

    def _leer_secreto_baja(self) -> str | None:
        """El secreto que firma el {token} de la URL de baja (nunca se muestra)."""
        baja = self.config.get("baja")
        con_token = isinstance(baja, str) and "{token}" in baja
        if not con_token:
            return None
        if not self.config.get("baja_secreto_env"):
            raise ErrorCanal(
                f"{self.donde}.baja_secreto_env: falta; la URL de baja usa {{token}} y hace falta "
                "el nombre de una variable de entorno con un secreto para firmarlo"
            )
        secreto = self.secreto("baja_secreto_env") or ""
        if len(secreto) < LARGO_MINIMO_SECRETO:
            raise ErrorCanal(
                f"{self.donde}.baja_secreto_env: la variable {self.config['baja_secreto_env']} "
                f"debe tener al menos {LARGO_MINIMO_SECRETO} caracteres (p. ej. la salida de "
                "«openssl rand -hex 32»)"
            )
        return secreto

    def usar_contacto(self, contacto: str) -> None:
        """Sin responder_a ni baja en la política, los toma del correo de empresa.contacto."""
        correo = _correo_de(contacto)
        if not correo or (self.config.get("responder_a") and self.config.get("baja")):
            return
        nombre, remitente = self._leer_direccion("remitente")
        self.redactor = Redactor(
            remitente=(nombre, remitente),
            responder_a=self._leer_direccion("responder_a")
            if self.config.get("responder_a")
            else ((nombre, correo) if correo != remitente else None),
            baja=self._leer_baja() or f"<mailto:{correo}?subject=BAJA>",
            secreto_baja=self._leer_secreto_baja(),
        )

    # --- conexiones ------------------------------------------------------------------

    def abrir(self) -> None:
        """Abre una conexión ya, para que un servidor o una contraseña mal puestos se vean antes."""
        self._libres.put(self._tomar())

    def cerrar(self) -> None:
        """Cierra las conexiones libres; llámalo cuando ningún hilo esté enviando."""
        cerradas = 0
        while True:
            try:
                conexion = self._libres.get_nowait()
            except queue.Empty:
                break
            if conexion is not None:
                try:
                    conexion.quit()
                except (smtplib.SMTPException, OSError):
                    conexion.close()
                with self._cerrojo:
                    self._abiertas -= 1
            cerradas += 1
        for _ in range(cerradas):
            self._libres.put(None)

    def _tomar(self, nueva: bool = False) -> smtplib.SMTP:
        """Una conexión libre (o nueva). Si no se puede abrir otra pero hay alguna viva, se
        renuncia a esa plaza y se espera a la viva: el servidor admite menos conexiones."""
        while True:
            conexion = self._libres.get()
            if nueva:  # solo la primera vuelta: no cerrar después las vivas que se esperan
                conexion, nueva = self._descartar(conexion), False
            if conexion is not None:
                return conexion
            try:
                conexion = self._conectar()
            except ServidorInalcanzable as exc:
                with self._cerrojo:
                    sola = self._abiertas == 0
                if sola:
                    self._libres.put(None)
                    raise
                registro.warning("%s; se sigue con menos conexiones", exc.motivo)
                continue
            except BaseException:
                self._libres.put(None)
                raise
            with self._cerrojo:
                self._abiertas += 1
            return conexion

    def _descartar(self, conexion: smtplib.SMTP | None) -> None:
        if conexion is not None:
            conexion.close()
            with self._cerrojo:
                self._abiertas -= 1
        return None

    def _reiniciar(self, conexion: smtplib.SMTP) -> smtplib.SMTP | None:
        """RSET tras un rechazo, para reutilizar la conexión; si falla, se descarta."""
        try:
            codigo, _ = conexion.rset()
        except (smtplib.SMTPException, OSError):
            codigo = 0
        return conexion if codigo == 250 else self._descartar(conexion)

    def _conectar(self) -> smtplib.SMTP:
        conexion = None
        try:
            conexion = self._abrir_socket()
            if self.seguridad == "starttls":
                conexion.ehlo_or_helo_if_needed()
                if not conexion.has_extn("starttls"):
                    raise ErrorCanal(
                        f"{self.donde}.seguridad: {self.sitio} no ofrece STARTTLS; "
                        "usa seguridad: ssl (puerto 465) o pregunta a tu proveedor"
                    )
                conexion.starttls(context=self._tls())
            conexion.ehlo_or_helo_if_needed()
            if self.usuario:
                self._autenticar(conexion, self.usuario, self._leer_contrasena())
            return conexion
        except BaseException as exc:
            if conexion is not None:
                conexion.close()
            error = self._error_al_conectar(exc)
            if error is exc:
                raise
            raise error from None

    def _autenticar(self, conexion: smtplib.SMTP, usuario: str, clave: str) -> None:
        if (usuario + clave).isascii():
            conexion.login(usuario, clave)  # elige CRAM-MD5, PLAIN o LOGIN
            return
        # smtplib codifica las credenciales en ASCII; PLAIN (RFC 4616) las lleva en UTF-8.
        if not conexion.has_extn("auth"):
            raise smtplib.SMTPNotSupportedError("AUTH")
        metodos = conexion.esmtp_features["auth"].upper().split()
        if "PLAIN" in metodos:
            codigo, texto = conexion.docmd("AUTH", "PLAIN " + _b64(f"\0{usuario}\0{clave}"))
        elif "LOGIN" in metodos:
            codigo, texto = conexion.docmd("AUTH", "LOGIN " + _b64(usuario))
            if codigo == 334:
                codigo, texto = conexion.docmd(_b64(clave))
        else:
            raise ErrorCanal(
                f"{self.donde}.usuario: {self.sitio} no admite AUTH PLAIN ni LOGIN, y smtplib "
                "solo sabe otros métodos con usuario y contraseña ASCII"
            )
        if codigo != 235:
            raise smtplib.SMTPAuthenticationError(codigo, texto)

    def _abrir_socket(self) -> smtplib.SMTP:
        nombre = _nombre_local()
        if self.seguridad == "ssl":
            return smtplib.SMTP_SSL(
                self.servidor, self.puerto, nombre, timeout=self.timeout, context=self._tls()
            )
        return smtplib.SMTP(self.servidor, self.puerto, nombre, timeout=self.timeout)

    def _tls(self) -> ssl.SSLContext:
        if self._contexto_tls is None:
            self._contexto_tls = ssl.create_default_context()
        return self._contexto_tls

    def _leer_contrasena(self) -> str:
        if self._contrasena is None:
            self._contrasena = self.secreto("contrasena_env") or ""
        return self._contrasena

    def _error_al_conectar(self, exc: BaseException) -> BaseException:
        """ErrorCanal si es de configuración, CanalDetenido si el servidor rechaza la cuenta,
        ServidorInalcanzable si es del servidor o la red."""
        if isinstance(exc, ErrorCanal):
            return exc
        if isinstance(exc, smtplib.SMTPNotSupportedError):
            return ErrorCanal(
                f"{self.donde}.usuario: {self.sitio} no acepta AUTH en esta conexión; "
                "prueba seguridad: starttls o ssl, o quita usuario si no pide contraseña"
            )
        if isinstance(exc, smtplib.SMTPAuthenticationError) and exc.smtp_code >= 500:
            # Del canal, no de cada mensaje: no se envía nada más por él en esta ejecución (los
            # demás canales siguen) y lo pendiente sale al corregirla, también el mismo día.
            return CanalDetenido(
                f"{self.donde}: el servidor {self.sitio} rechazó el usuario o la contraseña "
                f"({self._describir(exc)}); revisa usuario y la variable "
                f"{self.config.get('contrasena_env')}; los mensajes quedan pendientes para la "
                "próxima ejecución"
            )
        if isinstance(exc, OSError | smtplib.SMTPException):
            # También un 4xx a AUTH (454: demasiadas sesiones, pruebe más tarde).
            return ServidorInalcanzable(
                f"{self.donde}: no se pudo conectar con {self.sitio}: {self._describir(exc)}"
            )
        return exc

    # --- envío -----------------------------------------------------------------------

    def enviar(self, envio: Envio) -> str:
        """Envía un correo y devuelve su Message-ID (el mismo si se reenvía la misma clave)."""
        self.esperar_turno()
        correo = self.redactor.redactar(envio)
        try:
            self._transmitir(correo)
        except _Cortada:
            # Los servidores cierran las conexiones en reposo: se reintenta una vez con una nueva
            # (las demás libres pueden estar cortadas también).
            try:
                self._transmitir(correo, nueva=True)
            except _Cortada as exc:
                raise ErrorEnvio(
                    f"se cortó la conexión con {self.sitio} antes de entregar el mensaje ({exc})",
                    temporal=True,
                ) from None
        return correo.message_id

    def _transmitir(self, correo: Correo, nueva: bool = False) -> None:
        conexion: smtplib.SMTP | None = self._tomar(nueva)
        try:
            self._entregar(conexion, correo)
        except RechazoSmtp as exc:
            # 421: el servidor cierra esta conexión; con otro código sigue sirviendo tras RSET.
            cerrada = exc.codigo == 421
            conexion = self._descartar(conexion) if cerrada else self._reiniciar(conexion)
            raise
        except BaseException:
            # Cortada, a medias o interrumpida: su estado es incierto, no se reutiliza.
            conexion = self._descartar(conexion)
            raise
        finally:
            self._libres.put(conexion)

    def _entregar(self, conexion: smtplib.SMTP, correo: Correo) -> None:
        """MAIL, RCPT, DATA; un corte antes de terminar DATA es _Cortada (no llegó)."""
        try:
            # docmd y no mail()/rcpt(): las direcciones ya están validadas y así no se
            # vuelven a analizar con parseaddr en cada envío.
            codigo, texto = conexion.docmd("MAIL", f"FROM:<{self.redactor.sobre}>")
            if codigo != 250:
                raise self._rechazo(codigo, texto, "el remitente " + self.redactor.sobre)
            self._destinatarios(conexion, correo.destinatarios)
            codigo, texto = conexion.docmd("DATA")
            if codigo != 354:
                raise self._rechazo(codigo, texto, "el mensaje")
            datos = correo.datos
            if datos.startswith(b".") or b"\n." in datos:  # rara vez: QP ya escribe =2E
                datos = _PUNTO_INICIAL.sub(b"..", datos)
            conexion.send(datos + (b".\r\n" if datos.endswith(b"\r\n") else b"\r\n.\r\n"))
        except smtplib.SMTPServerDisconnected as exc:
            raise _Cortada(self._describir(exc)) from None
        try:
            codigo, texto = conexion.getreply()
        except smtplib.SMTPServerDisconnected as exc:
            raise ErrorEnvio(
                f"se cortó la conexión con {self.sitio} después de enviar el mensaje "
                f"({self._describir(exc)}); puede que haya llegado: compruébalo antes de reenviar",
                temporal=True,
                entregado_quizas=True,
            ) from None
        if codigo != 250:
            raise self._rechazo(codigo, texto, "el mensaje")

    def _destinatarios(self, conexion: smtplib.SMTP, destinatarios: tuple[str, ...]) -> None:
        rechazos = []
        for destinatario in destinatarios:
            codigo, texto = conexion.docmd("RCPT", f"TO:<{destinatario}>")
            if codigo not in (250, 251):
                rechazos.append(self._rechazo(codigo, texto, destinatario))
        if len(rechazos) == len(destinatarios):
            # Si algún rechazo es temporal, reintentar puede servir.
            rechazos.sort(key=lambda r: not r.temporal)
            raise rechazos[0]
        for rechazo in rechazos:
            registro.warning("%s; el mensaje va a los demás destinatarios", rechazo.motivo)

    def _rechazo(self, codigo: int, texto: bytes, que: str) -> RechazoSmtp:
        return RechazoSmtp(
            f"el servidor {self.sitio} rechazó {que}: {self._respuesta(codigo, texto)}", codigo
        )

    # --- textos sin secretos ---------------------------------------------------------

    def _respuesta(self, codigo: int, texto: bytes | str) -> str:
        if isinstance(texto, bytes):
            texto = texto.decode("utf-8", "replace")
        return self._tachar(f"{codigo} {' '.join(texto.split())}".strip())

    def _describir(self, exc: BaseException) -> str:
        causa = exc.__context__ if isinstance(exc, smtplib.SMTPServerDisconnected) else None
        if isinstance(exc, TimeoutError) or isinstance(causa, TimeoutError):
            texto = f"no respondió en {self.timeout:g} s"
        elif isinstance(exc, ConnectionRefusedError):
            texto = "conexión rechazada: nada escucha en ese puerto"
        elif isinstance(exc, socket.gaierror):
            texto = "no se encontró ese nombre de servidor"
        elif isinstance(exc, ssl.SSLCertVerificationError):
            texto = f"el certificado TLS no es válido ({exc.verify_message})"
        elif isinstance(exc, smtplib.SMTPServerDisconnected):
            texto = "el servidor cerró la conexión"
            if isinstance(causa, OSError) and causa.strerror:
                texto += f" ({causa.strerror})"
        elif isinstance(exc, smtplib.SMTPResponseException):
            texto = self._respuesta(exc.smtp_code, exc.smtp_error)
        else:
            texto = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
        return self._tachar(texto)

    def _tachar(self, texto: str) -> str:
        """Quita la contraseña, también en base64 (AUTH PLAIN/LOGIN), por si el servidor la repite."""
        if not self._contrasena:
            return texto
        clave = self._contrasena
        formas = (clave, _b64(clave), _b64(f"\0{self.usuario}\0{clave}"))
        for forma in formas:
            texto = texto.replace(forma, TACHADO)
        return texto


def _correo_de(texto: str) -> str:
    """El primer correo válido de un texto libre («cobranza@x.mx · 55 1234 5678»), o ""."""
    for parte in re.split(r"[\s,;·|()<>]+", str(texto or "")):
        if "@" in parte:
            direccion = normalizar_direccion(parte.strip(".:"))
            if direccion:
                return direccion
    return ""


def _uri_de_baja(uri: str) -> bool:
    return (
        uri.lower().startswith(("mailto:", "https://", "http://"))
        and uri.isascii()
        and not any(c.isspace() or c in '<>"' for c in uri)
    )


def _b64(texto: str) -> str:
    return base64.b64encode(texto.encode("utf-8")).decode("ascii")


def _es_local(servidor: str) -> bool:
    if servidor.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(servidor.strip("[]")).is_loopback
    except ValueError:
        return False


@functools.cache
def _nombre_local() -> str:
    """El nombre para EHLO; smtplib llamaría a getfqdn() (DNS inverso) en cada conexión."""
    return socket.getfqdn()
