"""Armar correos RFC 5322 a mano (cabeceras RFC 2047, quoted-printable, 7 bits), rápido y seguro.

Con EmailMessage cada correo costaba ~4 ms de CPU, más que la ida y vuelta SMTP entera. Ningún
dato de la hoja puede añadir cabeceras ni destinatarios. Lo usan los canales smtp y archivo.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import time
from dataclasses import dataclass
from email.utils import formatdate, parseaddr

from recordar.canales.base import Envio, ErrorEnvio

# Saltos de línea para Python (str.splitlines) y controles: nunca en una cabecera.
_SIN_CONTROLES = {i: " " for i in (*range(32), 127, 0x85, 0x2028, 0x2029)}
_LOCAL = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")
_DOMINIO = re.compile(
    r"[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*"
)
_ATEXTO = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~ -]*")
# 42 bytes → 56 caracteres base64: «Subject: =?utf-8?b?…?=» cabe en 78 columnas.
_BYTES_POR_PALABRA = 42


@dataclass(frozen=True, slots=True)
class Correo:
    """Un mensaje listo para la transacción SMTP."""

    message_id: str
    destinatarios: tuple[str, ...]
    datos: bytes  # RFC 5322 con CRLF, 7 bits, sin el punto final


class Redactor:
    """Arma los correos; From, Reply-To y List-Unsubscribe se codifican una sola vez."""

    def __init__(
        self,
        remitente: tuple[str, str],
        responder_a: tuple[str, str] | None = None,
        baja: str | None = None,
    ) -> None:
        self.sobre = remitente[1]  # MAIL FROM
        self.dominio = remitente[1].rpartition("@")[2]
        fijas = [f"From: {direccion_con_nombre(*remitente)}"]
        if responder_a:
            fijas.append(f"Reply-To: {direccion_con_nombre(*responder_a)}")
        if baja:
            fijas.append(f"List-Unsubscribe: {baja}")
            if "<https://" in baja.lower():
                fijas.append("List-Unsubscribe-Post: List-Unsubscribe=One-Click")
        fijas.append("MIME-Version: 1.0")
        self._fijas = "\r\n".join(fijas)

    def redactar(self, envio: Envio) -> Correo:
        """El correo de un envío; un destinatario inválido es ErrorEnvio permanente."""
        destinatarios = leer_destinatarios(envio.destinatario)
        nombre = " ".join(sin_controles(envio.cliente).split())
        huella = hashlib.sha256(envio.clave.encode("utf-8")).hexdigest()
        message_id = f"<{huella[:32]}@{self.dominio}>"
        para = ",\r\n ".join(direccion_con_nombre(nombre, d) for d in destinatarios)
        cabeceras = (
            f"{self._fijas}\r\n"
            f"To: {para}\r\n"
            f"Subject: {texto_de_cabecera(sin_controles(envio.asunto))}\r\n"
            f"Date: {_fecha()}\r\n"
            f"Message-ID: {message_id}\r\n"
        )
        if envio.html:
            frontera = f"=_recordar_{huella[32:56]}"
            cuerpo = (
                f'Content-Type: multipart/alternative; boundary="{frontera}"\r\n\r\n'
                f"--{frontera}\r\n{_parte('plain', envio.cuerpo)}\r\n"
                f"--{frontera}\r\n{_parte('html', envio.html)}\r\n"
                f"--{frontera}--\r\n"
            )
        else:
            cuerpo = _parte("plain", envio.cuerpo)
        return Correo(message_id, destinatarios, (cabeceras + cuerpo).encode("ascii"))


# --- piezas del mensaje ----------------------------------------------------------------


def sin_controles(texto: str) -> str:
    """El texto sin CR, LF ni otros controles: un dato de la hoja no puede añadir cabeceras."""
    return texto.translate(_SIN_CONTROLES)


def leer_destinatarios(texto: str) -> tuple[str, ...]:
    """Las direcciones de `destinatario` («a@x.com, b@y.com»), ya validadas para el sobre."""
    direcciones = []
    for parte in filter(None, (p.strip() for p in texto.split(","))):
        if "<" in parte and not con_controles(parte):
            parte = parseaddr(parte)[1]
        direcciones.append(normalizar_direccion(parte) if not con_controles(parte) else "")
    if not direcciones or not all(direcciones):
        raise ErrorEnvio(
            f"el destinatario «{sin_controles(texto)}» no es una dirección de correo válida",
            temporal=False,
        )
    return tuple(direcciones)


def normalizar_direccion(direccion: str) -> str:
    """La dirección con el dominio en ASCII (IDNA), o "" si no sirve para SMTP sin SMTPUTF8."""
    local, arroba, dominio = direccion.strip().rpartition("@")
    if not arroba or not _LOCAL.fullmatch(local) or len(local) > 64:
        return ""
    try:
        dominio = dominio.encode("idna").decode("ascii")
    except UnicodeError:
        return ""
    if not _DOMINIO.fullmatch(dominio) or len(dominio) > 253:
        return ""
    return f"{local}@{dominio}"


def direccion_con_nombre(nombre: str, direccion: str) -> str:
    """«Nombre <dir>» con el nombre entre comillas o en palabras RFC 2047 si hace falta."""
    if not nombre:
        return direccion
    if "=?" in nombre or not nombre.isascii():
        frase = _palabras_codificadas(nombre)
    elif _ATEXTO.fullmatch(nombre):
        frase = nombre
    else:
        frase = '"' + nombre.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return f"{frase} <{direccion}>"


def texto_de_cabecera(texto: str) -> str:
    """Un texto libre (Subject) tal cual si es ASCII corto, si no en palabras RFC 2047."""
    if texto.isascii() and "=?" not in texto and len(texto) <= 900:
        return texto
    return _palabras_codificadas(texto)


def _palabras_codificadas(texto: str) -> str:
    datos = texto.encode("utf-8")
    palabras = []
    inicio = 0
    while inicio < len(datos):
        fin = min(inicio + _BYTES_POR_PALABRA, len(datos))
        while fin < len(datos) and datos[fin] & 0xC0 == 0x80:
            fin -= 1  # no partir un carácter UTF-8 entre dos palabras
        espacio = datos.rfind(b" ", inicio, fin)
        if fin < len(datos) and espacio > inicio:
            # Partir tras un espacio y dejarlo dentro: el lector une las palabras sin más.
            fin = espacio + 1
        palabras.append(f"=?utf-8?b?{base64.b64encode(datos[inicio:fin]).decode('ascii')}?=")
        inicio = fin
    return "\r\n ".join(palabras)


def _parte(subtipo: str, texto: str) -> str:
    """Una parte de texto UTF-8 en quoted-printable (binascii, en C): siempre 7 bits."""
    datos = texto.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\r\n").encode("utf-8")
    # b2a_qp parte las líneas largas con LF solo si el texto no tiene ningún CRLF.
    codificado = binascii.b2a_qp(datos, istext=True).replace(b"\r\n", b"\n")
    codificado = codificado.replace(b"\n", b"\r\n").decode("ascii")
    return (
        f'Content-Type: text/{subtipo}; charset="utf-8"\r\n'
        "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
        f"{codificado}"
    )


def con_controles(texto: str) -> bool:
    return texto != sin_controles(texto)


_ultima_fecha: tuple[int, str] = (0, "")


def _fecha() -> str:
    """La cabecera Date de este segundo; formatdate() cuesta tanto como armar un cuerpo."""
    global _ultima_fecha
    segundo = int(time.time())
    if _ultima_fecha[0] != segundo:
        _ultima_fecha = (segundo, formatdate(segundo, localtime=True))
    return _ultima_fecha[1]
