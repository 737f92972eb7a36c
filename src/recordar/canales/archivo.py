"""Mensajes escritos en una carpeta en vez de enviados: .eml para correo, .json para SMS y WhatsApp.

El nombre sale de la clave de la bitácora, así que reenviar sobrescribe el mismo archivo.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import tempfile
from email.utils import parseaddr
from pathlib import Path
from typing import Any

from recordar.canales.base import Canal, Envio, ServidorInalcanzable
from recordar.canales.correo import Redactor
from recordar.errores import ErrorCanal

REMITENTE = "recordar <recordar@localhost>"


def sin_saltos(valor: str) -> str:
    """Un valor de cabecera sin CR/LF: un dato de la hoja no puede inyectar cabeceras."""
    return re.sub(r"[\r\n]+", " ", valor).strip()


class CanalArchivo(Canal):
    tipo = "archivo"
    descripcion = (
        "escribe cada mensaje en una carpeta (.eml o .json) para revisarlo o enviarlo a mano"
    )
    canales = ("email", "sms", "whatsapp")
    ajustes = ("carpeta",)
    opcionales = ("remitente",)

    def __init__(self, nombre: str, ajustes: dict[str, Any]) -> None:
        super().__init__(nombre, ajustes)
        self.carpeta = Path(str(self.config["carpeta"])).expanduser().absolute()
        self.remitente = sin_saltos(str(self.config.get("remitente") or REMITENTE))
        direccion = parseaddr(self.remitente)[1]
        if "@" not in direccion:
            raise ErrorCanal(
                f"canales.{nombre}.remitente: debe ser una dirección como "
                "«Cobranza <cobranza@empresa.mx>»"
            )
        self.redactor = Redactor(parseaddr(self.remitente))
        self._lista = False

    def abrir(self) -> None:
        if self._lista:
            return
        try:
            self.carpeta.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ErrorCanal(
                f"canales.{self.nombre}.carpeta: no se pudo crear {self.carpeta}: {exc.strerror or exc}"
            ) from None
        self._lista = True

    def enviar(self, envio: Envio) -> str:
        self.abrir()
        huella = hashlib.sha256(envio.clave.encode("utf-8")).hexdigest()
        if envio.canal == "email":
            nombre, datos = f"email-{huella[:16]}.eml", self.correo(envio, huella)
        else:
            nombre, datos = f"{envio.canal}-{huella[:16]}.json", _json(envio)
        self._escribir(nombre, datos)
        return nombre

    def correo(self, envio: Envio, huella: str) -> bytes:
        """El mensaje como .eml (el mismo que saldría por SMTP), con saltos LF como Maildir."""
        return self.redactor.redactar(envio).datos.replace(b"\r\n", b"\n")

    def _escribir(self, nombre: str, datos: bytes) -> None:
        """Escribe a un temporal y lo renombra: nunca queda un archivo a medias."""
        try:
            descriptor, temporal = tempfile.mkstemp(
                dir=self.carpeta, prefix=f".{nombre}.", suffix=".tmp"
            )
            try:
                with os.fdopen(descriptor, "wb") as archivo:
                    archivo.write(datos)
                os.replace(temporal, self.carpeta / nombre)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(temporal)
                raise
        except OSError as exc:
            # Disco lleno o sin permiso: los demás mensajes fallarían igual.
            raise ServidorInalcanzable(
                f"no se pudo escribir en {self.carpeta}: {exc.strerror or exc}"
            ) from None


def _json(envio: Envio) -> bytes:
    datos = {
        "canal": envio.canal,
        "destinatario": envio.destinatario,
        "cliente": envio.cliente,
        "cuerpo": envio.cuerpo,
        "clave": envio.clave,
        "paso": envio.paso,
        "facturas": list(envio.facturas),
    }
    return json.dumps(datos, ensure_ascii=False, indent=2).encode("utf-8") + b"\n"
