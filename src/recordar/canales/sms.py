"""SMS y WhatsApp por Twilio o por una pasarela HTTP genérica (SMS Masivos y similares)."""

from __future__ import annotations

import base64
import os
import re
import uuid
from typing import Any
from urllib.parse import quote, urlencode

import jinja2
from jinja2 import StrictUndefined, meta
from jinja2.sandbox import SandboxedEnvironment

from recordar.canales._http import ClienteHttp, leer_timeout, leer_url
from recordar.canales.base import Canal, Envio, ErrorEnvio, no_es_variable, parece_variable
from recordar.errores import ErrorCanal

E164 = re.compile(r"\+[1-9]\d{6,14}")
# Remitente alfanumérico (España y otros países lo permiten para SMS): hasta 11 caracteres.
ALFANUMERICO = re.compile(r"(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11}")
FORMULARIO = "application/x-www-form-urlencoded"
# Cabeceras que casi seguro llevan una clave: su valor tiene que venir de secreto().
SECRETA = re.compile(r"authorization|token|api[-_]?key|secret", re.IGNORECASE)


def _con_prefijo(canal: str, numero: str) -> str:
    """Twilio distingue WhatsApp de SMS por el prefijo `whatsapp:` en To y From."""
    return f"whatsapp:{numero}" if canal == "whatsapp" else numero


class CanalTwilio(Canal):
    tipo = "twilio"
    descripcion = "SMS y WhatsApp por la API de mensajes de Twilio"
    canales = ("sms", "whatsapp")
    ajustes = ("cuenta_env", "token_env")
    opcionales = ("remitente", "servicio_mensajeria", "url_base", "timeout")

    def __init__(self, nombre: str, ajustes: dict[str, Any]) -> None:
        super().__init__(nombre, ajustes)
        self.url_base = leer_url(self, "url_base", "https://api.twilio.com")
        self.remitente = self._leer_remitente()
        self.servicio = str(self.config.get("servicio_mensajeria") or "").strip()
        if not self.remitente and not self.servicio:
            raise ErrorCanal(
                f"canales.{nombre}: falta remitente (número E.164 como +15005550006) "
                "o servicio_mensajeria (el SID MG… de un servicio de mensajería)"
            )
        self._http = ClienteHttp(leer_timeout(self))
        self._url = ""
        self._cabeceras: dict[str, str] = {}

    def _leer_remitente(self) -> str:
        remitente = str(self.config.get("remitente") or "").strip().removeprefix("whatsapp:")
        if remitente and not (E164.fullmatch(remitente) or ALFANUMERICO.fullmatch(remitente)):
            raise ErrorCanal(
                f"canales.{self.nombre}.remitente: debe ser un número E.164 como +15005550006 "
                "o un nombre de hasta 11 letras y números"
            )
        return remitente

    def abrir(self) -> None:
        if self._cabeceras:
            return
        cuenta = self.secreto("cuenta_env") or ""
        token = self.secreto("token_env") or ""
        credencial = base64.b64encode(f"{cuenta}:{token}".encode()).decode("ascii")
        self._http.secretos.update((token, credencial))
        self._url = f"{self.url_base}/2010-04-01/Accounts/{quote(cuenta, safe='')}/Messages.json"
        self._cabeceras = {
            "Authorization": f"Basic {credencial}",
            "Content-Type": FORMULARIO,
            "Accept": "application/json",
        }

    def cerrar(self) -> None:
        self._http.cerrar()

    def enviar(self, envio: Envio) -> str:
        self.abrir()
        campos = {"To": _con_prefijo(envio.canal, envio.destinatario), "Body": envio.cuerpo}
        if self.remitente:
            campos["From"] = _con_prefijo(envio.canal, self.remitente)
        if self.servicio:
            campos["MessagingServiceSid"] = self.servicio
        cuerpo = urlencode(campos).encode("utf-8")
        respuesta = self._http.pedir("POST", self._url, cuerpo, self._cabeceras)
        return self._http.id_en(respuesta, "sid")


VARIABLES = frozenset(
    {"destinatario", "destinatario_nacional", "texto", "cliente", "clave", "canal", "secreto"}
)


class CanalHttp(Canal):
    """Una pasarela de SMS cualquiera, descrita con plantillas Jinja2 en la política.

    `url`, `cabeceras` y `cuerpo` son plantillas con destinatario, destinatario_nacional,
    texto, cliente, clave y canal. Los secretos van siempre por la función secreto(), que
    los lee del entorno: `Authorization: "Bearer {{ secreto('SMSMASIVOS_APIKEY') }}"`.
    recordar rechaza un valor literal en Authorization, *token* o *api-key*, pero no puede
    reconocer cualquier cabecera (ni una clave en la url) por su nombre: nunca la escribas
    literal en la política.
    """

    tipo = "http"
    descripcion = "pasarela HTTP genérica de SMS (SMS Masivos y similares), con plantillas"
    canales = ("sms", "whatsapp")
    ajustes = ("url",)
    opcionales = ("metodo", "cabeceras", "cuerpo", "tipo_contenido", "campo_id", "timeout")

    def __init__(self, nombre: str, ajustes: dict[str, Any]) -> None:
        super().__init__(nombre, ajustes)
        leer_url(self, "url")
        self.metodo = str(self.config.get("metodo") or "POST").upper()
        if self.metodo not in ("POST", "GET"):
            raise ErrorCanal(f"canales.{nombre}.metodo: usa POST o GET")
        self.tipo_contenido = str(self.config.get("tipo_contenido") or FORMULARIO)
        self.campo_id = str(self.config.get("campo_id") or "")
        self._http = ClienteHttp(leer_timeout(self))
        self._entorno = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False)
        self._entorno.globals["secreto"] = self._leer_secreto
        self._usadas: set[str] = set()
        self._plantillas = self._compilar_todas()

    def _compilar_todas(self) -> dict[str, jinja2.Template]:
        cuerpo = self.config.get("cuerpo")
        if self.metodo == "POST" and not cuerpo:
            raise ErrorCanal(
                f"canales.{self.nombre}.cuerpo: falta; con POST di qué enviar, "
                "p. ej. numero={{ destinatario|urlencode }}&mensaje={{ texto|urlencode }}"
            )
        cabeceras = self.config.get("cabeceras") or {}
        if not isinstance(cabeceras, dict):
            raise ErrorCanal(f"canales.{self.nombre}.cabeceras: debe ser un mapa nombre → valor")
        for nombre, valor in cabeceras.items():
            if SECRETA.search(str(nombre)) and "secreto(" not in str(valor):
                raise ErrorCanal(
                    f"canales.{self.nombre}.cabeceras.{nombre}: no escribas secretos en la política; "
                    f"usa {{{{ secreto('VARIABLE') }}}} y exporta el secreto en esa variable de entorno"
                )
        fuentes = {"url": str(self.config["url"]).strip()}
        if cuerpo:
            fuentes["cuerpo"] = str(cuerpo)
        fuentes.update({f"cabeceras.{k}": str(v) for k, v in cabeceras.items()})
        return {donde: self._compilar(donde, fuente) for donde, fuente in fuentes.items()}

    def _compilar(self, donde: str, fuente: str) -> jinja2.Template:
        try:
            arbol = self._entorno.parse(fuente)
        except jinja2.TemplateSyntaxError as exc:
            raise ErrorCanal(
                f"canales.{self.nombre}.{donde}: línea {exc.lineno}: {exc.message}"
            ) from None
        usadas = meta.find_undeclared_variables(arbol)
        desconocidas = sorted(usadas - VARIABLES)
        if desconocidas:
            raise ErrorCanal(
                f"canales.{self.nombre}.{donde}: variable desconocida «{desconocidas[0]}»; "
                f"disponibles: {', '.join(sorted(VARIABLES - {'secreto'}))} y secreto('VARIABLE')"
            )
        self._usadas |= usadas
        return self._entorno.from_string(arbol)

    def _leer_secreto(self, variable: str) -> str:
        if not parece_variable(variable):
            raise ErrorCanal(
                no_es_variable(
                    f"canales.{self.nombre}: lo que va en secreto('…')", "SMSMASIVOS_APIKEY"
                )  # fmt: skip
            )
        valor = os.environ.get(str(variable))
        if not valor:
            raise ErrorCanal(
                f"canales.{self.nombre}: la variable de entorno {variable} de secreto('{variable}') "
                "no está definida; expórtala antes de ejecutar recordar"
            )
        self._http.secretos.add(valor)
        return valor

    def cerrar(self) -> None:
        self._http.cerrar()

    def enviar(self, envio: Envio) -> str:
        url, datos, cabeceras = self.peticion(envio)
        respuesta = self._http.pedir(self.metodo, url, datos, cabeceras)
        if self.campo_id:
            return self._http.id_en(respuesta, self.campo_id)
        return f"http{respuesta.estado}-{uuid.uuid4().hex[:20]}"

    def peticion(self, envio: Envio) -> tuple[str, bytes | None, dict[str, str]]:
        """(url, cuerpo, cabeceras) ya generados para un envío; con GET el cuerpo va en la url."""
        variables = self._variables(envio)
        url = self._renderizar("url", variables)
        cuerpo = self._renderizar("cuerpo", variables) if "cuerpo" in self._plantillas else ""
        cabeceras = {
            donde.removeprefix("cabeceras."): self._cabecera(donde, variables)
            for donde in self._plantillas
            if donde.startswith("cabeceras.")
        }
        datos = None
        if self.metodo == "GET" and cuerpo.strip():
            url = f"{url}{'&' if '?' in url else '?'}{cuerpo.strip()}"
        elif self.metodo == "POST":
            datos = cuerpo.encode("utf-8")
            if not any(nombre.lower() == "content-type" for nombre in cabeceras):
                cabeceras["Content-Type"] = self.tipo_contenido
        if any(c <= " " or c == "\x7f" for c in url):
            raise ErrorCanal(
                f"canales.{self.nombre}.url: la url generada lleva espacios o saltos de línea; "
                "pasa las variables por |urlencode"
            )
        return url, datos, cabeceras

    def _variables(self, envio: Envio) -> dict[str, str]:
        variables = {
            "destinatario": envio.destinatario,
            "texto": envio.cuerpo,
            "cliente": envio.cliente,
            "clave": envio.clave,
            "canal": envio.canal,
        }
        if "destinatario_nacional" in self._usadas:
            variables["destinatario_nacional"] = numero_nacional(envio.destinatario)
        return variables

    def _cabecera(self, donde: str, variables: dict[str, str]) -> str:
        valor = self._renderizar(donde, variables).strip()
        if "\r" in valor or "\n" in valor:
            raise ErrorCanal(
                f"canales.{self.nombre}.{donde}: el valor generado tiene saltos de línea"
            )
        return valor

    def _renderizar(self, donde: str, variables: dict[str, str]) -> str:
        try:
            return self._plantillas[donde].render(variables)
        except ErrorCanal:
            raise
        except (jinja2.TemplateError, TypeError, ValueError) as exc:
            raise ErrorCanal(f"canales.{self.nombre}.{donde}: {exc}") from None


def numero_nacional(destinatario: str) -> str:
    """Los dígitos del número sin + ni código de país (+52 55 1234 5678 → 5512345678)."""
    import phonenumbers

    try:
        numero = phonenumbers.parse(destinatario, None)
    except phonenumbers.NumberParseException:
        raise ErrorEnvio(
            f"el destinatario {destinatario} no es un número E.164 (+código de país)",
            temporal=False,
        ) from None
    return phonenumbers.national_significant_number(numero)
