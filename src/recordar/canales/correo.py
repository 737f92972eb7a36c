"""Armar correos RFC 5322 a mano (cabeceras RFC 2047, quoted-printable, 7 bits), rápido y seguro.

Con EmailMessage cada correo costaba ~4 ms de CPU, más que la ida y vuelta SMTP entera. Ningún
dato de la hoja puede añadir cabeceras ni destinatarios. Lo usan los canales smtp y archivo.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import logging
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
_ATOMO = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+")
_ATEXTO = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~ -]*")
# 42 bytes → 56 caracteres base64: «Subject: =?utf-8?b?…?=» cabe en 78 columnas.
_BYTES_POR_PALABRA = 42
# RFC 5322 §2.1.1: cada línea de cabecera debería tener ≤ 78 caracteres y debe tener ≤ 998.
ANCHO_CABECERA = 78
# Un nombre más largo no identifica mejor a nadie y hace la cabecera enorme: se recorta.
LARGO_MAXIMO_NOMBRE = 200
_PALABRA_LARGA = ANCHO_CABECERA - 10  # una palabra ASCII mayor no cabe en una línea: RFC 2047

registro = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Correo:
    """Un mensaje listo para la transacción SMTP."""

    message_id: str
    destinatarios: tuple[str, ...]
    datos: bytes  # RFC 5322 con CRLF, 7 bits, sin el punto final


class Redactor:
    """Arma los correos; From, Reply-To y List-Unsubscribe (sin {token}) se codifican una vez."""

    def __init__(
        self,
        remitente: tuple[str, str],
        responder_a: tuple[str, str] | None = None,
        baja: str | None = None,
        secreto_baja: str | None = None,
    ) -> None:
        self.sobre = remitente[1]  # MAIL FROM
        self.dominio = remitente[1].rpartition("@")[2]
        fijas = [plegar("From", _piezas_de_direccion(*remitente))]
        if responder_a:
            fijas.append(plegar("Reply-To", _piezas_de_direccion(*responder_a)))
        # Con {token}, List-Unsubscribe lleva la firma de cada destinatario (RFC 8058); sin
        # secreto no hay firma, y una baja que no identifica a nadie no se ofrece.
        if baja and "{token}" in baja and not secreto_baja:
            baja = None
        self._baja_por_destinatario = baja if baja and "{token}" in baja else None
        self._secreto_baja = secreto_baja
        if baja:
            # List-Unsubscribe sin List-Id (RFC 2919) es una lista «a medias» para los filtros.
            fijas.append(f"List-Id: Recordatorios de pago <recordar.{self.dominio}>")
            if self._baja_por_destinatario is None:
                fijas.append(plegar("List-Unsubscribe", baja.split(" ")))
            if "<https://" in baja.lower():
                fijas.append("List-Unsubscribe-Post: List-Unsubscribe=One-Click")
        fijas.append("MIME-Version: 1.0")
        self._fijas = "\r\n".join(fijas)

    def redactar(self, envio: Envio) -> Correo:
        """El correo de un envío; un destinatario inválido es ErrorEnvio permanente."""
        destinatarios = leer_destinatarios(envio.destinatario)
        nombre = nombre_para_cabecera(envio.cliente)
        huella = hashlib.sha256(envio.clave.encode("utf-8")).hexdigest()
        message_id = f"<{huella[:32]}@{self.dominio}>"
        para: list[str] = []
        for direccion in destinatarios:
            if para:
                para[-1] += ","
            para.extend(_piezas_de_direccion(nombre, direccion))
        if self._baja_por_destinatario and self._secreto_baja:
            token = firmar_baja(self._secreto_baja, "email", destinatarios)
            if len(token) > 600:  # muchos destinatarios: la línea pasaría de 998 caracteres
                token = firmar_baja(self._secreto_baja, "email", destinatarios[:1])
            baja = self._baja_por_destinatario.replace("{token}", token)
            para_baja = f"{plegar('List-Unsubscribe', baja.split(' '))}\r\n"
        else:
            para_baja = ""
        cabeceras = (
            f"{self._fijas}\r\n{para_baja}"
            f"{plegar('To', para)}\r\n"
            f"{plegar('Subject', _piezas_de_texto(sin_controles(envio.asunto)))}\r\n"
            f"Date: {_fecha()}\r\n"
            f"Message-ID: {message_id}\r\n"
        )
        if envio.html:
            frontera = f"=_recordar_{huella[32:56]}"
            cuerpo = (
                f'Content-Type: multipart/alternative;\r\n boundary="{frontera}"\r\n\r\n'
                f"--{frontera}\r\n{_parte('plain', envio.cuerpo)}\r\n"
                f"--{frontera}\r\n{_parte('html', envio.html)}\r\n"
                f"--{frontera}--\r\n"
            )
        else:
            cuerpo = _parte("plain", envio.cuerpo)
        return Correo(message_id, destinatarios, (cabeceras + cuerpo).encode("ascii"))


# --- baja con un clic (RFC 8058): un token firmado que dice quién pide la baja ------------


def firmar_baja(secreto: str, canal: str, destinatarios: tuple[str, ...]) -> str:
    """«destinatarios en base64url».«HMAC-SHA256 en base64url»; sin secreto no se falsifica."""
    datos = f"{canal}:{','.join(destinatarios)}".encode()
    firma = hmac.new(secreto.encode("utf-8"), datos, hashlib.sha256).digest()
    return f"{_b64url(datos)}.{_b64url(firma)}"


def leer_token_baja(secreto: str, token: str) -> tuple[str, tuple[str, ...]]:
    """(canal, destinatarios) de un token de firmar_baja; ValueError si no es válido."""
    datos_b64, punto, firma_b64 = token.strip().partition(".")
    try:
        datos = base64.urlsafe_b64decode(datos_b64 + "=" * (-len(datos_b64) % 4))
        firma = base64.urlsafe_b64decode(firma_b64 + "=" * (-len(firma_b64) % 4))
    except (binascii.Error, ValueError):
        raise ValueError("no es un token de baja de recordar") from None
    esperada = hmac.new(secreto.encode("utf-8"), datos, hashlib.sha256).digest()
    if not punto or not hmac.compare_digest(firma, esperada):
        raise ValueError("la firma no coincide: el token está incompleto o es de otro secreto")
    canal, _, lista = datos.decode("utf-8", "replace").partition(":")
    return canal, tuple(d for d in lista.split(",") if d)


def _b64url(datos: bytes) -> str:
    return base64.urlsafe_b64encode(datos).rstrip(b"=").decode("ascii")


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


def nombre_para_cabecera(nombre: str) -> str:
    """El nombre en una línea y sin espacios repetidos; si pasa de LARGO_MAXIMO_NOMBRE
    caracteres se recorta (con aviso en el registro): la cabecera seguiría siendo enorme."""
    nombre = " ".join(sin_controles(nombre).split())
    if len(nombre) <= LARGO_MAXIMO_NOMBRE:
        return nombre
    recortado = nombre[: LARGO_MAXIMO_NOMBRE - 1].rsplit(" ", 1)[0].rstrip(" ,;") + "…"
    registro.warning(
        "el nombre «%s…» tiene %d caracteres; en la cabecera To va recortado a «%s»",
        nombre[:40],
        len(nombre),
        recortado,
    )
    return recortado


def _piezas_de_direccion(nombre: str, direccion: str) -> list[str]:
    """«Nombre <dir>» en piezas separadas por un espacio, que es donde se puede plegar."""
    nombre = " ".join(nombre.split())
    if not nombre:
        return [direccion]
    palabras = nombre.split(" ")
    if "=?" in nombre or not nombre.isascii() or max(map(len, palabras)) > _PALABRA_LARGA:
        piezas = _frase_codificada(palabras)
    elif _ATEXTO.fullmatch(nombre):
        piezas = palabras
    else:
        citado = nombre.replace("\\", "\\\\").replace('"', '\\"')
        piezas = f'"{citado}"'.split(" ")  # el espacio de una cadena citada también se pliega
    return [*piezas, f"<{direccion}>"]


def _frase_codificada(palabras: list[str]) -> list[str]:
    """Como hace el paquete email: solo las palabras que lo necesitan van en RFC 2047 (las
    seguidas, juntas con su espacio dentro); las demás quedan legibles y el lector no tiene
    que adivinar si el espacio entre dos palabras codificadas cuenta."""
    piezas: list[str] = []
    seguidas: list[str] = []
    for palabra in palabras:
        if _ATOMO.fullmatch(palabra) and "=?" not in palabra and len(palabra) <= _PALABRA_LARGA:
            if seguidas:
                piezas.extend(_palabras_codificadas(" ".join(seguidas)))
                seguidas = []
            piezas.append(palabra)
        else:
            seguidas.append(palabra)
    if seguidas:
        piezas.extend(_palabras_codificadas(" ".join(seguidas)))
    return piezas


def _piezas_de_texto(texto: str) -> list[str]:
    palabras = texto.split(" ")
    if texto.isascii() and "=?" not in texto and max(map(len, palabras)) <= _PALABRA_LARGA:
        return palabras
    return _palabras_codificadas(texto)


def plegar(campo: str, piezas: list[str]) -> str:
    """«Campo: piezas» unidas por un espacio y plegadas (CRLF + espacio) antes de la columna 78.

    Ninguna pieza pasa de 998 caracteres (una dirección tiene como mucho 318).
    """
    lineas = []
    linea = f"{campo}:"
    for pieza in piezas:
        # Una pieza que no cabe tras «Campo:» (un enlace largo) empieza la línea siguiente.
        if len(linea) + 1 + len(pieza) > ANCHO_CABECERA:
            lineas.append(linea)
            linea = ""
        linea += " " + pieza
    lineas.append(linea)
    return "\r\n".join(lineas)


def _palabras_codificadas(texto: str) -> list[str]:
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
    return palabras


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
