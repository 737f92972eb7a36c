"""WhatsApp por la Cloud API de Meta, con plantillas aprobadas.

Fuera de la ventana de 24 horas desde el último mensaje del cliente, Meta solo deja enviar
plantillas aprobadas; por eso este canal manda siempre una plantilla con `envio.parametros`.
"""

from __future__ import annotations

import json
import re
from typing import Any

from recordar.canales._http import ClienteHttp, Codigos, leer_timeout, leer_url
from recordar.canales.base import Canal, Envio, ErrorEnvio
from recordar.errores import ErrorCanal

# Errores de Meta que llegan como 4xx pero pasan solos: límites de ritmo y caídas breves.
# https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes
CODIGOS_TEMPORALES = (2, 4, 80007, 130429, 131000, 131048, 131056)
_PENDIENTES = "; los mensajes quedan pendientes para la próxima ejecución"


def codigos_meta(canal: Canal) -> Codigos:
    """Los códigos de Meta que paran el canal (token, plantilla, cuenta) o son del contacto."""
    plantillas = f"canales.{canal.nombre}.plantillas"
    token = f"revisa el token de acceso (variable {canal.config.get('token_env')}){_PENDIENTES}"
    return Codigos(
        proveedor="Meta",
        temporales=frozenset(str(c) for c in CODIGOS_TEMPORALES),
        de_canal={
            "190": f"el token de acceso caducó o no es válido: genera otro y expórtalo en "
            f"{canal.config.get('token_env')}{_PENDIENTES}",
            "132000": f"los parámetros no coinciden con los de la plantilla aprobada; revisa "
            f"{plantillas}{_PENDIENTES}",
            "132001": f"la plantilla no existe (o no en ese idioma) en la cuenta de WhatsApp "
            f"Business; revisa el nombre y el idioma en {plantillas}{_PENDIENTES}",
            "368": f"Meta restringió la cuenta por infringir sus políticas; revísalo en el "
            f"Business Manager{_PENDIENTES}",
            "131042": f"hay un problema con el método de pago de la cuenta de WhatsApp Business; "
            f"revísalo en el Business Manager{_PENDIENTES}",
        },
        de_contacto={
            "131026": "el número no tiene WhatsApp o no puede recibir el mensaje; corrige el "
            "teléfono del cliente en la hoja o usa otro canal",
        },
        credenciales=token,
    )


VERSION = re.compile(r"v\d+\.\d+")


def parametro(texto: str) -> str:
    """Meta rechaza parámetros con saltos de línea, tabuladores o más de 4 espacios seguidos."""
    return re.sub(r" {5,}", "    ", re.sub(r"[\r\n\t]+", " ", texto)).strip()


class CanalWhatsAppCloud(Canal):
    tipo = "whatsapp_cloud"
    descripcion = "WhatsApp por la Cloud API de Meta (plantillas aprobadas)"
    canales = ("whatsapp",)
    ajustes = ("telefono_id", "token_env")
    opcionales = ("version", "url_base", "idioma", "plantillas", "timeout")

    def __init__(self, nombre: str, ajustes: dict[str, Any]) -> None:
        super().__init__(nombre, ajustes)
        donde = f"canales.{nombre}"
        telefono_id = str(self.config["telefono_id"]).strip()
        if not telefono_id.isdigit():
            raise ErrorCanal(f"{donde}.telefono_id: debe ser el identificador numérico del número")
        version = str(self.config.get("version") or "v21.0")
        if not VERSION.fullmatch(version):
            raise ErrorCanal(f"{donde}.version: debe ser como v21.0")
        self.idioma = str(self.config.get("idioma") or "es_MX")
        self.plantillas = self.config.get("plantillas") or {}
        if not isinstance(self.plantillas, dict) or not all(self.plantillas.values()):
            raise ErrorCanal(
                f"{donde}.plantillas: debe ser un mapa plantilla de recordar → plantilla aprobada"
            )
        url_base = leer_url(self, "url_base", "https://graph.facebook.com")
        self._url = f"{url_base}/{version}/{telefono_id}/messages"
        self._http = ClienteHttp(leer_timeout(self), codigos=codigos_meta(self))
        self._cabeceras: dict[str, str] = {}

    def abrir(self) -> None:
        if self._cabeceras:
            return
        token = self.secreto("token_env") or ""
        self._http.secretos.add(token)
        self._cabeceras = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def cerrar(self) -> None:
        self._http.cerrar()

    def enviar(self, envio: Envio) -> str:
        self.abrir()
        cuerpo = json.dumps(self.mensaje(envio), ensure_ascii=False).encode("utf-8")
        respuesta = self._http.pedir("POST", self._url, cuerpo, self._cabeceras)
        return self._http.id_en(respuesta, "messages.0.id")

    def mensaje(self, envio: Envio) -> dict[str, Any]:
        """El JSON de un mensaje de plantilla para la Cloud API."""
        nombre = str(self.plantillas.get(envio.plantilla) or envio.plantilla)
        if not nombre:
            raise ErrorEnvio(
                "WhatsApp Cloud solo envía plantillas aprobadas y este mensaje no tiene",
                temporal=False,
            )
        plantilla: dict[str, Any] = {
            "name": nombre,
            "language": {"code": self.idioma},
        }
        if envio.parametros:
            valores = [{"type": "text", "text": parametro(p)} for p in envio.parametros]
            plantilla["components"] = [{"type": "body", "parameters": valores}]
        return {
            "messaging_product": "whatsapp",
            "to": envio.destinatario.removeprefix("+"),
            "type": "template",
            "template": plantilla,
        }
