"""WhatsApp por la Cloud API de Meta, con plantillas aprobadas.

Fuera de la ventana de 24 horas desde el último mensaje del cliente, Meta solo deja enviar
plantillas aprobadas; por eso este canal manda siempre una plantilla, con los parámetros que
dice `plantillas` en la política (canales.aprobadas) tomados de `envio.parametros`.
https://developers.facebook.com/docs/whatsapp/cloud-api/guides/send-message-templates
"""

from __future__ import annotations

import json
import re
from typing import Any

from recordar.canales._http import ClienteHttp, Codigos, leer_timeout, leer_url
from recordar.canales.aprobadas import FORMA_CORTA, Aprobada, elegir, leer_plantillas
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
NOMBRE_DE_PLANTILLA = re.compile(r"[a-z0-9_]{1,512}")


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
        # El de la política (usar_idioma) salvo que el canal o la plantilla digan otro.
        self.idioma = str(self.config.get("idioma") or "").strip() or "es_MX"
        self._idioma_propio = bool(self.config.get("idioma"))
        self.plantillas = leer_plantillas(
            nombre, self.config.get("plantillas"), ("nombre", "idioma", "boton_url"),
            _nombre_de_meta, ejemplo="pago_pendiente",
        )  # fmt: skip
        url_base = leer_url(self, "url_base", "https://graph.facebook.com")
        self._url = f"{url_base}/{version}/{telefono_id}/messages"
        self._http = ClienteHttp(leer_timeout(self), codigos=codigos_meta(self))
        self._cabeceras: dict[str, str] = {}

    def usar_idioma(self, idioma: str) -> None:
        """El `idioma` de la política, para language.code si el canal no dice otro."""
        if idioma and not self._idioma_propio:
            self.idioma = idioma

    def abrir(self) -> None:
        if self._cabeceras:
            return
        token = self.secreto("token_env") or ""
        self._http.secretos.add(token)
        self._cabeceras = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def cerrar(self) -> None:
        self._http.cerrar()

    def enviar(self, envio: Envio) -> str:
        mensaje = self.mensaje(envio)  # antes de abrir: un mensaje que no sale no pide nada
        self.abrir()
        cuerpo = json.dumps(mensaje, ensure_ascii=False).encode("utf-8")
        respuesta = self._http.pedir("POST", self._url, cuerpo, self._cabeceras)
        return self._http.id_en(respuesta, "messages.0.id")

    def aprobada(self, envio: Envio) -> Aprobada:
        """La plantilla del paso; sin una en `plantillas`, la del mismo nombre que la de recordar
        con los cinco parámetros de siempre."""
        elegida = elegir(self.plantillas, envio)
        if elegida is not None:
            return elegida
        if not envio.plantilla:
            raise ErrorEnvio(
                "WhatsApp Cloud solo envía plantillas aprobadas y este mensaje no tiene",
                temporal=False,
            )
        donde = f"canales.{self.nombre}.plantillas.{envio.plantilla}"
        return Aprobada(donde, envio.plantilla, None, tuple((None, v) for v in FORMA_CORTA), None)

    def mensaje(self, envio: Envio) -> dict[str, Any]:
        """El JSON de un mensaje de plantilla para la Cloud API; NoEnviado si un parámetro
        queda vacío (Meta contestaría #100)."""
        aprobada = self.aprobada(envio)
        componentes: list[dict[str, Any]] = []
        valores = aprobada.valores(envio)
        if valores:
            componentes.append({"type": "body", "parameters": [_texto(n, v) for n, v in valores]})
        sufijo = aprobada.sufijo_boton(envio)
        if sufijo is not None:
            componentes.append({"type": "button", "sub_type": "url", "index": "0",
                                "parameters": [{"type": "text", "text": parametro(sufijo)}]})  # fmt: skip
        plantilla: dict[str, Any] = {
            "name": aprobada.nombre,
            "language": {"code": aprobada.idioma or self.idioma},
        }
        if componentes:
            plantilla["components"] = componentes
        return {
            "messaging_product": "whatsapp",
            "to": envio.destinatario.removeprefix("+"),
            "type": "template",
            "template": plantilla,
        }


def _nombre_de_meta(nombre: str) -> str | None:
    if NOMBRE_DE_PLANTILLA.fullmatch(nombre):
        return None
    return "el nombre de una plantilla de Meta va en minúsculas, cifras y _ (como pago_pendiente)"


def _texto(nombre: str | None, valor: str) -> dict[str, str]:
    """Un parámetro de texto; con nombre, el `parameter_name` de una plantilla con nombres."""
    if nombre is None:
        return {"type": "text", "text": parametro(valor)}
    return {"type": "text", "parameter_name": nombre, "text": parametro(valor)}
