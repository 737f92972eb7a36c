"""HTTP compartido por los canales de API: conexiones persistentes y errores clasificados.

Solo biblioteca estándar (http.client). Un fallo al conectar es ServidorInalcanzable; un
401/403 o un código del proveedor que es de la cuenta (credencial, plantilla, pago), CanalDetenido;
una baja (STOP), BajaDelDestinatario; una respuesta 429 o 5xx o un código temporal, ErrorEnvio
temporal con el Retry-After; otro 4xx, ErrorEnvio permanente con la razón del proveedor; un corte
o un timeout tras enviar, temporal con `entregado_quizas`.
Ningún mensaje de error lleva un secreto: se tachan antes de recortar.
"""

from __future__ import annotations

import http.client
import json
import re
import select
import socket
import ssl
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import SplitResult, quote, urlsplit

from markupsafe import escape as escapar_xml

from recordar.canales.base import (
    BajaDelDestinatario,
    Canal,
    CanalDetenido,
    ErrorEnvio,
    ServidorInalcanzable,
)
from recordar.errores import ErrorCanal

TIMEOUT_PREDETERMINADO = 20.0
LARGO_EXTRACTO = 200
TACHADO = "***"
# Credenciales que pueden colarse en un mensaje de error aunque no se conozca el secreto: el
# usuario:contraseña de una url y el valor de una cabecera Authorization repetida por el servidor.
_URL_CON_CREDENCIALES = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/\s@]+@")
_CREDENCIAL = re.compile(
    r"(?i)\b(bearer|basic)(\s+)[\w.~+/=-]{8,}"
    r"|\b(api[-_]?key|access_token|token|authorization|password|contrase(?:n|ñ)a)"
    r"(\s*[:=]\s*[\"']?(?:(?:bearer|basic|token)\s+)?)[^\s,;\"'&]+"
)


@dataclass(frozen=True, slots=True)
class Codigos:
    """Qué quiere decir cada código de error de un proveedor (el `code` de su JSON)."""

    proveedor: str = "el proveedor"  # para los mensajes: Twilio, Meta, la pasarela
    temporales: frozenset[str] = frozenset()  # llegan como 4xx pero se arreglan esperando
    de_canal: Mapping[str, str] = field(default_factory=dict)  # código → qué hacer
    de_contacto: Mapping[str, str] = field(default_factory=dict)  # código → qué hacer
    de_baja: frozenset[str] = frozenset()  # el destinatario pidió no recibir más
    credenciales: str = "revisa las credenciales del canal"  # qué hacer con un 401 o 403


@dataclass(frozen=True, slots=True)
class Respuesta:
    sitio: str  # servidor:puerto, para los mensajes
    estado: int
    cuerpo: bytes
    reintentar_tras: str | None = None  # la cabecera Retry-After, tal cual

    def json(self) -> Any:
        """El cuerpo como JSON, o None si no lo es."""
        try:
            return json.loads(self.cuerpo)
        except ValueError:
            return None


class ClienteHttp:
    """Peticiones con timeout, una conexión reutilizable por servidor y errores en español."""

    def __init__(self, timeout: float, codigos: Codigos | None = None) -> None:
        self.timeout = timeout
        # Los canales añaden aquí cada secreto que usan; se tachan de todo mensaje de error.
        self.secretos: set[str] = set()
        self.codigos = codigos or Codigos()
        self._libres: dict[tuple[str, str, int | None], list[http.client.HTTPConnection]] = {}
        self._cerrojo = threading.Lock()

    def pedir(
        self,
        metodo: str,
        url: str,
        cuerpo: bytes | None = None,
        cabeceras: dict[str, str] | None = None,
    ) -> Respuesta:
        """Hace la petición; devuelve la respuesta 2xx o lanza ErrorEnvio / ServidorInalcanzable."""
        partes = urlsplit(url)
        sitio = partes.netloc.rpartition("@")[2]  # nunca usuario:contraseña en un mensaje
        ruta = partes.path or "/"
        if partes.query:
            ruta = f"{ruta}?{partes.query}"
        conexion = self._tomar(partes)
        try:
            respuesta, cerrar = self._intercambiar(
                conexion, sitio, metodo, ruta, cuerpo, cabeceras or {}
            )
        except BaseException:
            conexion.close()
            raise
        if cerrar:
            conexion.close()
        else:
            self._devolver(partes, conexion)
        return self._clasificar(respuesta)

    def ocultar(self, texto: str) -> str:
        for secreto in sorted(
            self.secretos, key=len, reverse=True
        ):  # copia: otro hilo puede añadir
            if secreto:
                texto = texto.replace(secreto, TACHADO)
        texto = _URL_CON_CREDENCIALES.sub(rf"\1{TACHADO}@", texto)
        return _CREDENCIAL.sub(_tachar, texto)

    def cerrar(self) -> None:
        with self._cerrojo:
            conexiones = [c for libres in self._libres.values() for c in libres]
            self._libres.clear()
        for conexion in conexiones:
            conexion.close()

    def _tomar(self, partes: SplitResult) -> http.client.HTTPConnection:
        with self._cerrojo:
            libres = self._libres.get(_clave(partes), [])
            while libres:
                conexion = libres.pop()
                if not _cortada(conexion):
                    return conexion
                conexion.close()
        clase = (
            http.client.HTTPSConnection if partes.scheme == "https" else http.client.HTTPConnection
        )
        return clase(partes.hostname or "", partes.port, timeout=self.timeout)

    def _devolver(self, partes: SplitResult, conexion: http.client.HTTPConnection) -> None:
        with self._cerrojo:
            self._libres.setdefault(_clave(partes), []).append(conexion)

    def _intercambiar(
        self, conexion, sitio, metodo, ruta, cuerpo, cabeceras
    ) -> tuple[Respuesta, bool]:
        if conexion.sock is None:
            self._conectar(conexion, sitio)
        try:
            conexion.request(metodo, ruta, body=cuerpo, headers=cabeceras)
            respuesta = conexion.getresponse()
            datos = respuesta.read()
        except (
            http.client.InvalidURL,
            ValueError,
        ) as exc:  # caracteres no permitidos: no salió nada
            raise ErrorEnvio(
                f"petición inválida para {sitio}: {self.ocultar(str(exc))}", temporal=False
            ) from None
        except TimeoutError:
            raise ErrorEnvio(
                f"{sitio} no respondió en {self.timeout:g} s; el mensaje pudo haberse enviado",
                temporal=True,
                entregado_quizas=True,
            ) from None
        except (OSError, http.client.HTTPException) as exc:
            raise ErrorEnvio(
                f"se cortó la conexión con {sitio} ({self.ocultar(_describir(exc))}); "
                "el mensaje pudo haberse enviado",
                temporal=True,
                entregado_quizas=True,
            ) from None
        tras = respuesta.getheader("Retry-After")
        return Respuesta(sitio, respuesta.status, datos, tras), respuesta.will_close

    def _conectar(self, conexion: http.client.HTTPConnection, sitio: str) -> None:
        try:
            conexion.connect()
        except socket.gaierror:
            motivo = f"no se encontró el servidor {conexion.host}; revisa la url y la conexión a internet"
        except ConnectionRefusedError:
            motivo = f"{sitio} rechazó la conexión; revisa la url y que el servicio esté en marcha"
        except TimeoutError:
            motivo = f"no se pudo conectar con {sitio} en {self.timeout:g} s"
        except ssl.SSLError as exc:
            motivo = f"no se pudo establecer una conexión segura con {sitio} ({exc.reason or exc})"
        except OSError as exc:
            motivo = f"no se pudo conectar con {sitio} ({_describir(exc)})"
        else:
            return
        conexion.close()
        raise ServidorInalcanzable(motivo)

    def id_en(self, respuesta: Respuesta, ruta: str) -> str:
        """El id del mensaje en la respuesta 2xx; si no está, el proveedor pudo aceptarlo igual."""
        valor = extraer(respuesta.json(), ruta)
        if valor in (None, "") or isinstance(valor, dict | list):
            raise ErrorEnvio(
                f"{respuesta.sitio} respondió HTTP {respuesta.estado} sin {ruta}: "
                f"{self._razon(respuesta)[0]}; revisa en el proveedor si el mensaje salió",
                temporal=False,
                entregado_quizas=True,
            )
        return str(valor)

    def _razon(self, respuesta: Respuesta) -> tuple[str, str | None]:
        razon, codigo, extra = razon_del_proveedor(respuesta.cuerpo)
        razon = recortar(self.ocultar(razon)) or "sin detalle"
        if extra:  # details de Meta, more_info de Twilio: también van a la bitácora
            razon = f"{razon} [{recortar(self.ocultar(extra))}]"
        return razon, codigo

    def _clasificar(self, respuesta: Respuesta) -> Respuesta:
        sitio, estado = respuesta.sitio, respuesta.estado
        if 200 <= estado < 300:
            return respuesta
        razon, codigo = self._razon(respuesta)
        codigos = self.codigos
        if codigo in codigos.de_baja:
            raise BajaDelDestinatario(
                f"{codigos.proveedor} dice que el destinatario pidió no recibir más mensajes "
                f"(HTTP {estado}: {razon}); se registra su baja y no se le vuelve a escribir"
            )
        if codigo in codigos.de_canal or estado in (401, 403):
            que_hacer = codigos.de_canal.get(codigo or "", codigos.credenciales)
            raise CanalDetenido(
                f"{codigos.proveedor} rechazó el envío por un problema de la cuenta, no del "
                f"contacto (HTTP {estado}: {razon}); {que_hacer}"
            )
        if estado == 429 or estado >= 500 or codigo in codigos.temporales:
            raise ErrorEnvio(f"{sitio} respondió HTTP {estado}: {razon}", temporal=True,
                             espera=segundos_de_espera(respuesta.reintentar_tras))  # fmt: skip
        que_hacer = codigos.de_contacto.get(codigo or "")
        sufijo = f"; {que_hacer}" if que_hacer else ""
        raise ErrorEnvio(
            f"{sitio} rechazó el mensaje (HTTP {estado}): {razon}{sufijo}", temporal=False
        )


def segundos_de_espera(valor: str | None) -> float | None:
    """Los segundos de una cabecera Retry-After (un número o una fecha HTTP), o None."""
    if not valor:
        return None
    valor = valor.strip()
    try:
        segundos = float(valor)
    except ValueError:
        try:
            segundos = parsedate_to_datetime(valor).timestamp() - time.time()
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
    return max(0.0, segundos) if segundos == segundos else None  # NaN: como si no viniera


def razon_del_proveedor(cuerpo: bytes) -> tuple[str, str | None, str]:
    """(razón, código, más detalle) de un cuerpo de error: Meta `error.message` con
    `error_data.details`, Twilio `message` con `more_info`, o el texto."""
    texto = cuerpo.decode("utf-8", "replace")
    try:
        datos = json.loads(texto)
    except ValueError:
        return " ".join(texto.split()), None, ""
    if isinstance(datos, dict):
        error = datos.get("error")
        fuente = error if isinstance(error, dict) else datos
        for clave in ("message", "mensaje", "detail", "error_description", "error"):
            mensaje = fuente.get(clave)
            if isinstance(mensaje, str) and mensaje:
                codigo = fuente.get("code")
                codigo = None if codigo in (None, "") else str(codigo)
                sufijo = f" (código {codigo})" if codigo else ""
                return " ".join(mensaje.split()) + sufijo, codigo, _mas_detalle(fuente)
    return " ".join(texto.split()), None, ""


def _mas_detalle(fuente: dict) -> str:
    """`error_data.details` (Meta) y `more_info` (Twilio), si vienen."""
    partes = []
    datos = fuente.get("error_data")
    detalles = datos.get("details") if isinstance(datos, dict) else None
    if isinstance(detalles, str) and detalles.strip():
        partes.append(" ".join(detalles.split()))
    for clave in ("more_info", "href"):
        valor = fuente.get(clave)
        if isinstance(valor, str) and valor.strip():
            partes.append(valor.strip())
    return "; ".join(partes)


def _tachar(coincidencia: re.Match) -> str:
    nombre, separador = (
        coincidencia.group(1, 2) if coincidencia.group(1) else coincidencia.group(3, 4)
    )
    return f"{nombre}{separador}{TACHADO}"


def recortar(texto: str, largo: int = LARGO_EXTRACTO) -> str:
    return texto if len(texto) <= largo else texto[: largo - 1] + "…"


def extraer(datos: Any, ruta: str) -> Any:
    """El valor en `ruta` con puntos (`messages.0.id`) dentro de un JSON, o None."""
    for paso in ruta.split("."):
        if isinstance(datos, dict):
            datos = datos.get(paso)
        elif isinstance(datos, list) and paso.isdigit() and int(paso) < len(datos):
            datos = datos[int(paso)]
        else:
            return None
    return datos


def leer_url(canal: Canal, clave: str, predeterminada: str | None = None) -> str:
    """Una url http(s) de los ajustes, sin la barra final."""
    url = str(canal.config.get(clave) or predeterminada or "").strip()
    if not url.lower().startswith(("http://", "https://")):
        raise ErrorCanal(f"canales.{canal.nombre}.{clave}: debe empezar con http:// o https://")
    try:
        partes = urlsplit(url)
        partes.port  # noqa: B018 - valida el puerto
    except ValueError:
        partes = None
    if partes is None or not partes.hostname:
        raise ErrorCanal(
            f"canales.{canal.nombre}.{clave}: no es una url válida (revisa el servidor y el puerto)"
        )
    return url.rstrip("/")


def leer_timeout(canal: Canal) -> float:
    valor = canal.config.get("timeout", TIMEOUT_PREDETERMINADO)
    if isinstance(valor, bool) or not isinstance(valor, int | float) or valor <= 0:
        raise ErrorCanal(
            f"canales.{canal.nombre}.timeout: debe ser un número de segundos mayor que 0"
        )
    return float(valor)


def _clave(partes: SplitResult) -> tuple[str, str, int | None]:
    return partes.scheme, partes.hostname or "", partes.port


def _cortada(conexion: http.client.HTTPConnection) -> bool:
    """True si el servidor cerró una conexión en reposo (sería legible sin haber pedido nada)."""
    if conexion.sock is None:
        return True
    try:
        legibles, _, _ = select.select([conexion.sock], [], [], 0)
    except (OSError, ValueError):
        return True
    return bool(legibles)


def _describir(exc: BaseException) -> str:
    return getattr(exc, "strerror", None) or str(exc) or type(exc).__name__


# --- valores en plantillas de peticiones -----------------------------------------------------


class Crudo(str):
    """Un valor ya escapado por un filtro (|urlencode, |tojson): no se vuelve a escapar."""

    __slots__ = ()


def formato_de(tipo_contenido: str) -> str:
    """Cómo se escapa un valor en un cuerpo con ese Content-Type."""
    tipo = tipo_contenido.split(";")[0].strip().lower()
    if tipo == "application/json" or tipo.endswith("+json"):
        return "json"
    if tipo == "application/x-www-form-urlencoded":
        return "formulario"
    if tipo.endswith(("/xml", "+xml")) or tipo == "text/html":
        return "xml"
    return "texto"


def _en_json(valor: str) -> str:
    return json.dumps(valor, ensure_ascii=False)[1:-1]


def _en_url(valor: str) -> str:
    return quote(valor, safe="")


def _en_cabecera(valor: str) -> str:
    # Un salto de línea en un valor (un nombre pegado con Intro) no parte la cabecera en dos.
    return " ".join(valor.splitlines())


_ESCAPES = {
    "cabecera": _en_cabecera,
    "json": _en_json,
    "formulario": _en_url,
    "consulta": _en_url,
    "xml": lambda v: str(escapar_xml(v)),
}


def escapador(formato: str):
    """El `finalize` de Jinja2 para un formato: escapa cada {{ valor }} para donde va."""
    escapar = _ESCAPES.get(formato)
    if escapar is None:  # valores de un cuerpo-mapa (se serializan después) y texto plano
        return None

    def finalizar(valor: Any) -> Any:
        return valor if isinstance(valor, Crudo) else escapar(str(valor))

    return finalizar


def filtro_urlencode(valor: Any) -> Crudo:
    """|urlencode: codifica todo (también / + & =) y marca el valor como ya escapado."""
    if isinstance(valor, dict):
        valor = valor.items()
    if not isinstance(valor, str) and hasattr(valor, "__iter__"):
        return Crudo("&".join(f"{_en_url(str(k))}={_en_url(str(v))}" for k, v in valor))
    return Crudo(_en_url(str(valor)))


def filtro_tojson(valor: Any, sangria: int | None = None) -> Crudo:
    """|tojson: el valor como JSON (con sus comillas), ya escapado."""
    return Crudo(json.dumps(valor, ensure_ascii=False, indent=sangria))


def forma_json(datos: Any) -> Any:
    """Las claves y los tipos de un JSON, sin los valores de texto."""
    if isinstance(datos, dict):
        return {k: forma_json(v) for k, v in datos.items()}
    if isinstance(datos, list):
        return [forma_json(v) for v in datos]
    return type(datos).__name__
