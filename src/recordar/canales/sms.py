"""SMS y WhatsApp por Twilio o por una pasarela HTTP genérica (SMS Masivos y similares)."""

from __future__ import annotations

import base64
import json
import os
import re
import uuid
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

import jinja2
from jinja2 import StrictUndefined, meta
from jinja2.sandbox import SandboxedEnvironment

from recordar.canales._http import (
    ClienteHttp,
    Codigos,
    escapador,
    extraer,
    filtro_tojson,
    filtro_urlencode,
    forma_json,
    formato_de,
    leer_timeout,
    leer_url,
    recortar,
)
from recordar.canales.aprobadas import Aprobada, elegir, leer_plantillas
from recordar.canales.base import (
    IDENTIFICADOR,
    Canal,
    Envio,
    ErrorEnvio,
    EstadoEntrega,
    NoEnviado,
    no_es_variable,
    parece_variable,
)
from recordar.errores import ErrorCanal

E164 = re.compile(r"\+[1-9]\d{6,14}")
# Remitente alfanumérico (España y otros países lo permiten para SMS): hasta 11 caracteres.
ALFANUMERICO = re.compile(r"(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11}")
FORMULARIO = "application/x-www-form-urlencoded"
# El SID de una plantilla de Content de Twilio (Content Template Builder).
CONTENT_SID = re.compile(r"HX[0-9a-fA-F]{32}")
# Cabeceras que casi seguro llevan una clave: su valor tiene que venir de secreto().
SECRETA = re.compile(r"authorization|token|api[-_]?key|secret", re.IGNORECASE)
SECRETO_EN_PLANTILLA = re.compile(r"""secreto\(\s*['"]([^'"]+)['"]\s*\)""")


def codigos_twilio(canal: Canal) -> Codigos:
    """Los códigos de error de Twilio que no son «este mensaje falló»: la cuenta, el número
    mal escrito, la baja (STOP). https://www.twilio.com/docs/api/errors"""
    credenciales = (
        f"revisa la cuenta y el token de Twilio (variables {canal.config.get('cuenta_env')} y "
        f"{canal.config.get('token_env')}); los mensajes quedan pendientes para la próxima ejecución"
    )
    remitente = (
        f"revisa canales.{canal.nombre}.remitente (o servicio_mensajeria): Twilio no acepta ese "
        "remitente en esta cuenta; los mensajes quedan pendientes para la próxima ejecución"
    )
    return Codigos(
        proveedor="Twilio",
        temporales=frozenset({"20429"}),
        # 21212: From no válido; 21606: From que no puede enviar SMS; 21660: From de otra cuenta.
        de_canal={
            "20003": credenciales,
            "21212": remitente,
            "21606": remitente,
            "21660": remitente,
        },  # fmt: skip
        de_contacto={"21211": "el número no es válido; corrige el teléfono del cliente en la hoja"},
        de_baja=frozenset({"21610"}),
        credenciales=credenciales,
    )


def _con_prefijo(canal: str, numero: str) -> str:
    """Twilio distingue WhatsApp de SMS por el prefijo `whatsapp:` en To y From."""
    return f"whatsapp:{numero}" if canal == "whatsapp" else numero


class CanalTwilio(Canal):
    tipo = "twilio"
    descripcion = "SMS y WhatsApp por la API de mensajes de Twilio"
    canales = ("sms", "whatsapp")
    ajustes = ("cuenta_env", "token_env")
    opcionales = ("remitente", "servicio_mensajeria", "url_base", "timeout", "plantillas")

    def __init__(self, nombre: str, ajustes: dict[str, Any]) -> None:
        super().__init__(nombre, ajustes)
        self.url_base = leer_url(self, "url_base", "https://api.twilio.com")
        # Por WhatsApp, Twilio solo entrega fuera de la ventana de 24 horas plantillas de
        # Content aprobadas (error 63016): ContentSid + ContentVariables en lugar de Body.
        self.plantillas = leer_plantillas(nombre, self.config.get("plantillas"), ("sid",),
                                          _content_sid, ejemplo="HX…")  # fmt: skip
        if self.plantillas and nombre == "sms":
            raise ErrorCanal(
                "canales.sms.plantillas: las plantillas de Content solo sirven para WhatsApp; "
                "ponlas en canales.whatsapp (los SMS van con el texto)"
            )
        self.remitente = self._leer_remitente()
        self.servicio = str(self.config.get("servicio_mensajeria") or "").strip()
        if not self.remitente and not self.servicio:
            raise ErrorCanal(
                f"canales.{nombre}: falta remitente (número E.164 como +15005550006) "
                "o servicio_mensajeria (el SID MG… de un servicio de mensajería)"
            )
        self._http = ClienteHttp(leer_timeout(self), codigos=codigos_twilio(self))
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

    def aprobada(self, envio: Envio) -> Aprobada | None:
        """La plantilla de Content de un WhatsApp (None para un SMS); NoEnviado si no la hay."""
        if envio.canal != "whatsapp":
            return None
        elegida = elegir(self.plantillas, envio)
        if elegida is None:
            raise NoEnviado(sin_plantilla(self.nombre, envio.paso))
        return elegida

    def enviar(self, envio: Envio) -> str:
        aprobada = self.aprobada(envio)  # antes de abrir: un mensaje que no sale no pide nada
        self.abrir()
        campos = {"To": _con_prefijo(envio.canal, envio.destinatario)}
        if aprobada is None:
            campos["Body"] = envio.cuerpo
        else:
            campos["ContentSid"] = aprobada.nombre
            variables = {n or str(i): v for i, (n, v) in enumerate(aprobada.valores(envio), 1)}
            if variables:
                campos["ContentVariables"] = json.dumps(variables, ensure_ascii=False)
        if self.remitente:
            campos["From"] = _con_prefijo(envio.canal, self.remitente)
        if self.servicio:
            campos["MessagingServiceSid"] = self.servicio
        cuerpo = urlencode(campos).encode("utf-8")
        respuesta = self._http.pedir("POST", self._url, cuerpo, self._cabeceras)
        return self._http.id_en(respuesta, "sid")

    def estado_de_entrega(self, proveedor_id: str) -> EstadoEntrega:
        """GET …/Messages/{Sid}.json: status y error_code del mensaje."""
        self.abrir()
        url = f"{self._url.removesuffix('.json')}/{quote(proveedor_id, safe='')}.json"
        cabeceras = {k: v for k, v in self._cabeceras.items() if k != "Content-Type"}
        datos = self._http.pedir("GET", url, None, cabeceras).json()
        if not isinstance(datos, dict) or not isinstance(datos.get("status"), str):
            raise ErrorEnvio(f"Twilio no dijo el estado de {proveedor_id}", temporal=True)
        codigo = datos.get("error_code")
        return EstadoEntrega(
            proveedor_id, datos["status"], None if codigo in (None, "", 0) else str(codigo),
            str(datos.get("error_message") or ""),
        )  # fmt: skip


def sin_plantilla(canal: str, paso: str) -> str:
    """La frase de un paso sin plantilla aprobada en un canal de Twilio por WhatsApp."""
    return (
        f"canales.{canal}.plantillas: falta la plantilla aprobada (ContentSid HX…) del paso "
        f"«{paso}»; Twilio no entrega por WhatsApp mensajes sin plantilla fuera de la ventana de "
        "24 horas, así que no se envía: añádela"
    )


def _content_sid(valor: str) -> str | None:
    if CONTENT_SID.fullmatch(valor):
        return None
    return (
        "debe ser el ContentSid de una plantilla aprobada de Twilio (HX y 32 cifras hexadecimales)"
    )


VARIABLES = frozenset(
    {"destinatario", "destinatario_nacional", "texto", "cliente", "clave", "canal", "secreto"}
)
# Lo que `revisar_peticion` pone en cada variable: comillas, &, +, =, saltos de línea… Si con
# esto la petición cambia de forma (otras claves, un JSON que no se lee), la plantilla está mal.
HOSTIL = Envio(
    clave='k-1"&x=2', canal="sms", cliente='José "Pepe" Núñez & Cía. + 100%\n<b>{x}</b>',
    destinatario="+525512345678", asunto="",
    cuerpo='Hola "Pepe": debe $1,500 & más + IVA = 100%\\ {fin}\n#?\r\n</script>\'',
)  # fmt: skip
INOFENSIVO = Envio("k1", "sms", "Ana", "+525512345678", "", "Hola Ana")
SECRETO_DE_MUESTRA = 'S3cr3t+/=&"x'


class CanalHttp(Canal):
    """Una pasarela de SMS cualquiera, descrita con plantillas Jinja2 en la política.

    `url`, `cabeceras` y `cuerpo` son plantillas con destinatario, destinatario_nacional,
    texto, cliente, clave y canal. Cada valor se escapa para donde va (url y formulario:
    codificado; JSON: dentro de su cadena), así que ningún nombre de cliente cambia la forma
    de la petición; `cuerpo` puede ser también un mapa cuyos valores son plantillas, que se
    serializa con json o urlencode. Los secretos van siempre por secreto(), que los lee del
    entorno: `Authorization: "Bearer {{ secreto('SMSMASIVOS_APIKEY') }}"`.
    """

    tipo = "http"
    descripcion = "pasarela HTTP genérica de SMS (SMS Masivos y similares), con plantillas"
    canales = ("sms", "whatsapp")
    ajustes = ("url",)
    opcionales = ("metodo", "cabeceras", "cuerpo", "tipo_contenido", "campo_id", "campo_exito",
                  "valor_exito", "timeout")  # fmt: skip

    def __init__(self, nombre: str, ajustes: dict[str, Any]) -> None:
        super().__init__(nombre, ajustes)
        leer_url(self, "url")
        self.metodo = str(self.config.get("metodo") or "POST").upper()
        if self.metodo not in ("POST", "GET"):
            raise ErrorCanal(f"canales.{nombre}.metodo: usa POST o GET")
        self.tipo_contenido = str(self.config.get("tipo_contenido") or FORMULARIO)
        self.campo_id = str(self.config.get("campo_id") or "")
        self.campo_exito = str(self.config.get("campo_exito") or "")
        self.valor_exito = self._leer_valor_exito()
        self._http = ClienteHttp(leer_timeout(self), codigos=Codigos(
            proveedor=f"la pasarela de canales.{nombre}",
            credenciales=f"revisa la clave que la política toma con secreto('…') en canales.{nombre}"
            "; los mensajes quedan pendientes para la próxima ejecución",
        ))  # fmt: skip
        self._muestra = False
        self._usadas: set[str] = set()
        cabeceras = self._leer_cabeceras()
        declarado = next((str(v) for k, v in cabeceras.items() if str(k).lower() == "content-type"),
                         self.tipo_contenido)  # fmt: skip
        # Dónde va el cuerpo decide cómo se escapa cada valor: con GET, en la url.
        self.formato = "consulta" if self.metodo == "GET" else formato_de(declarado)
        formatos = ("crudo", "cabecera", "consulta", self.formato)
        self._entornos = {f: self._entorno(f) for f in formatos}
        self._plantillas = self._compilar_todas(cabeceras)
        self._cuerpo = self._compilar_cuerpo()
        self.revisar_peticion()

    def _leer_valor_exito(self) -> str | None:
        """El valor de `campo_exito` que significa «enviado» (sin campo_exito no se mira)."""
        valor = self.config.get("valor_exito")
        if valor is not None and not self.campo_exito:
            raise ErrorCanal(
                f"canales.{self.nombre}.valor_exito: falta campo_exito (dónde lo dice la "
                "respuesta, p. ej. campo_exito: success)"
            )
        if isinstance(valor, dict | list):
            raise ErrorCanal(
                f"canales.{self.nombre}.valor_exito: debe ser un texto, un número o true/false"
            )
        return None if not self.campo_exito else _comparable(True if valor is None else valor)

    def _entorno(self, formato: str) -> SandboxedEnvironment:
        entorno = SandboxedEnvironment(
            undefined=StrictUndefined, autoescape=False, finalize=escapador(formato)
        )
        entorno.globals["secreto"] = self._leer_secreto
        entorno.filters["urlencode"] = filtro_urlencode
        entorno.filters["tojson"] = filtro_tojson
        return entorno

    def _leer_cabeceras(self) -> dict:
        cabeceras = self.config.get("cabeceras") or {}
        if not isinstance(cabeceras, dict):
            raise ErrorCanal(f"canales.{self.nombre}.cabeceras: debe ser un mapa nombre → valor")
        for nombre, valor in cabeceras.items():
            if SECRETA.search(str(nombre)) and "secreto(" not in str(valor):
                raise ErrorCanal(
                    f"canales.{self.nombre}.cabeceras.{nombre}: no escribas secretos en la política; "
                    f"usa {{{{ secreto('VARIABLE') }}}} y exporta el secreto en esa variable de entorno"
                )
        return cabeceras

    def _compilar_todas(self, cabeceras: dict) -> dict[str, jinja2.Template]:
        plantillas = {"url": self._compilar("url", str(self.config["url"]).strip(), "consulta")}
        for k, v in cabeceras.items():
            plantillas[f"cabeceras.{k}"] = self._compilar(f"cabeceras.{k}", str(v), "cabecera")
        return plantillas

    def _compilar_cuerpo(self) -> Any:
        """El cuerpo: una plantilla (texto) o el mapa con una plantilla en cada valor de texto."""
        cuerpo = self.config.get("cuerpo")
        donde = f"canales.{self.nombre}.cuerpo"
        if cuerpo in (None, "", {}, []):
            if self.metodo == "POST":
                raise ErrorCanal(
                    f"{donde}: falta; con POST di qué enviar, p. ej. "
                    "cuerpo: {numero: '{{ destinatario_nacional }}', mensaje: '{{ texto }}'}"
                )
            return None
        if isinstance(cuerpo, str):
            return self._compilar("cuerpo", cuerpo, self.formato)
        if not isinstance(cuerpo, dict | list):
            return self._compilar("cuerpo", str(cuerpo), self.formato)
        if self.formato == "json":
            return self._compilar_arbol("cuerpo", cuerpo)
        if self.formato in ("formulario", "consulta") and isinstance(cuerpo, dict):
            for clave, valor in cuerpo.items():
                if isinstance(valor, dict | list):
                    raise ErrorCanal(
                        f"{donde}.{clave}: un formulario o una consulta solo lleva textos y "
                        "números; para datos anidados usa tipo_contenido: application/json"
                    )
            return self._compilar_arbol("cuerpo", cuerpo)
        raise ErrorCanal(
            f"{donde}: como mapa se envía en JSON o como formulario; pon tipo_contenido: "
            f"application/json o {FORMULARIO}, o escribe el cuerpo como texto"
        )

    def _compilar_arbol(self, donde: str, valor: Any) -> Any:
        if isinstance(valor, dict):
            return {str(k): self._compilar_arbol(f"{donde}.{k}", v) for k, v in valor.items()}
        if isinstance(valor, list):
            return [self._compilar_arbol(f"{donde}.{i}", v) for i, v in enumerate(valor)]
        if isinstance(valor, str):
            return self._compilar(donde, valor, "crudo")
        return valor  # números, sí/no, null: tal cual

    def _compilar(self, donde: str, fuente: str, formato: str) -> jinja2.Template:
        entorno = self._entornos[formato]
        try:
            arbol = entorno.parse(fuente)
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
        plantilla = entorno.from_string(arbol)
        plantilla.donde = donde  # type: ignore[attr-defined]
        return plantilla

    def _leer_secreto(self, variable: str) -> str:
        if not parece_variable(variable) and not (
            self._muestra and IDENTIFICADOR.fullmatch(str(variable))
        ):
            raise ErrorCanal(
                no_es_variable(
                    f"canales.{self.nombre}: lo que va en secreto('…')", "SMSMASIVOS_APIKEY"
                )  # fmt: skip
            )
        if self._muestra:
            return SECRETO_DE_MUESTRA
        valor = os.environ.get(str(variable))
        if not valor:
            raise ErrorCanal(
                f"canales.{self.nombre}: la variable de entorno {variable} de secreto('{variable}') "
                "no está definida; expórtala antes de ejecutar recordar"
            )
        self._http.secretos.add(valor)
        return valor

    def revisar_entorno(self) -> list[str]:
        """Cada variable de secreto('…') de la url, las cabeceras o el cuerpo que no está definida."""
        problemas = []
        for variable in sorted(set(SECRETO_EN_PLANTILLA.findall(_fuentes(self.config)))):
            if parece_variable(variable) and not os.environ.get(variable):
                problemas.append(
                    f"canales.{self.nombre}: la variable de entorno {variable} de "
                    f"secreto('{variable}') no está definida; expórtala antes de ejecutar recordar"
                )
        return super().revisar_entorno() + problemas

    def revisar_peticion(self) -> None:
        """ErrorCanal si un valor con comillas, &, +, = o saltos de línea cambiaría la forma de
        la petición (otras claves, un JSON que no se lee). No lee secretos ni envía nada."""
        self._muestra = True
        try:
            formas = [self._forma(self.peticion(envio)) for envio in (INOFENSIVO, HOSTIL)]
        except ErrorEnvio as exc:
            raise ErrorCanal(f"canales.{self.nombre}: {exc.motivo}") from None
        finally:
            self._muestra = False
        for parte, inofensiva, hostil in zip(("url", "cuerpo"), *formas, strict=True):
            if inofensiva != hostil:
                raise ErrorCanal(
                    f"canales.{self.nombre}.{parte}: con comillas, &, + o saltos de línea en el "
                    "texto o el cliente la petición cambia de forma; no armes la url ni el cuerpo "
                    "con |safe ni pegando valores sin comillas, o escribe el cuerpo como mapa"
                )

    def _forma(self, peticion: tuple[str, bytes | None, dict[str, str]]) -> tuple:
        """(claves de la consulta, forma del cuerpo): lo que ningún valor debe poder cambiar."""
        url, datos, _ = peticion
        consulta = [k for k, _ in parse_qsl(urlsplit(url).query, keep_blank_values=True)]
        if datos is None:
            return consulta, None
        texto = datos.decode("utf-8")
        if self.formato == "json":
            return consulta, forma_json(json.loads(texto))
        if self.formato == "formulario":
            return consulta, [k for k, _ in parse_qsl(texto, keep_blank_values=True)]
        return consulta, None

    def abrir(self) -> None:
        # Un secreto sin exportar para el canal antes del primer envío, como en Twilio: no
        # es un fallo de cada mensaje.
        problemas = self.revisar_entorno()
        if problemas:
            raise ErrorCanal(problemas[0])

    def cerrar(self) -> None:
        self._http.cerrar()

    def enviar(self, envio: Envio) -> str:
        url, datos, cabeceras = self.peticion(envio)
        respuesta = self._http.pedir(self.metodo, url, datos, cabeceras)
        if self.campo_exito:
            self._exigir_exito(respuesta)
        if self.campo_id:
            return self._http.id_en(respuesta, self.campo_id)
        return f"http{respuesta.estado}-{uuid.uuid4().hex[:20]}"

    def _exigir_exito(self, respuesta) -> None:
        """Un 2xx sin la marca de éxito (`{"success": false}`) es un fallo, con el cuerpo."""
        datos = respuesta.json()
        valor = extraer(datos, self.campo_exito) if datos is not None else None
        if valor is not None and _comparable(valor) == self.valor_exito:
            return
        visto = "no lo trae" if valor is None else f"trae {json.dumps(valor, ensure_ascii=False)}"
        texto = (json.dumps(datos, ensure_ascii=False) if datos is not None
                 else respuesta.cuerpo.decode("utf-8", "replace"))  # fmt: skip
        cuerpo = recortar(self._http.ocultar(" ".join(texto.split()))) or "vacío"
        raise ErrorEnvio(
            f"{respuesta.sitio} respondió HTTP {respuesta.estado} pero {self.campo_exito} "
            f"{visto} (se esperaba {self.valor_exito}); el proveedor no lo envió. "
            f"Respuesta: {cuerpo}",
            temporal=True,
        )

    def peticion(self, envio: Envio) -> tuple[str, bytes | None, dict[str, str]]:
        """(url, cuerpo, cabeceras) ya generados para un envío; con GET el cuerpo va en la url."""
        variables = self._variables(envio)
        url = self._renderizar(self._plantillas["url"], variables)
        cuerpo = self._cuerpo_de(variables)
        cabeceras = {
            donde.removeprefix("cabeceras."): self._cabecera(plantilla, variables)
            for donde, plantilla in self._plantillas.items()
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
                "quítalos de la url (los valores de las variables ya van codificados)"
            )
        return url, datos, cabeceras

    def _cuerpo_de(self, variables: dict[str, str]) -> str:
        if self._cuerpo is None:
            return ""
        if isinstance(self._cuerpo, jinja2.Template):
            texto = self._renderizar(self._cuerpo, variables)
            if self.formato == "json":
                try:
                    json.loads(texto)
                except ValueError as exc:
                    raise ErrorEnvio(
                        f"canales.{self.nombre}.cuerpo: el JSON generado no es válido ({exc}); "
                        "pon cada variable entre comillas o escribe el cuerpo como mapa",
                        temporal=False,
                    ) from None
            return texto
        datos = self._llenar(self._cuerpo, variables)
        if self.formato == "json":
            return json.dumps(datos, ensure_ascii=False)
        return urlencode({k: _texto_de_campo(v) for k, v in datos.items()}, quote_via=quote)

    def _llenar(self, valor: Any, variables: dict[str, str]) -> Any:
        if isinstance(valor, dict):
            return {k: self._llenar(v, variables) for k, v in valor.items()}
        if isinstance(valor, list):
            return [self._llenar(v, variables) for v in valor]
        if isinstance(valor, jinja2.Template):
            return self._renderizar(valor, variables)
        return valor

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

    def _cabecera(self, plantilla: jinja2.Template, variables: dict[str, str]) -> str:
        valor = self._renderizar(plantilla, variables).strip()
        if "\r" in valor or "\n" in valor:
            raise ErrorCanal(
                f"canales.{self.nombre}.{plantilla.donde}: el valor generado tiene saltos de línea"  # type: ignore[attr-defined]
            )
        return valor

    def _renderizar(self, plantilla: jinja2.Template, variables: dict[str, str]) -> str:
        try:
            return plantilla.render(variables)
        except ErrorCanal:
            raise
        except (jinja2.TemplateError, TypeError, ValueError) as exc:
            donde = plantilla.donde  # type: ignore[attr-defined]
            raise ErrorCanal(f"canales.{self.nombre}.{donde}: {exc}") from None


def _fuentes(valor: Any) -> str:
    """Todo el texto de unos ajustes (mapas y listas anidados), para buscar secreto('…')."""
    if isinstance(valor, dict):
        return "\n".join(_fuentes(v) for v in valor.values())
    if isinstance(valor, list):
        return "\n".join(_fuentes(v) for v in valor)
    return str(valor) if isinstance(valor, str) else ""


def _comparable(valor: Any) -> str:
    """Un valor de éxito como texto comparable: true/false, números y textos sin mayúsculas."""
    if isinstance(valor, bool):
        return "true" if valor else "false"
    if isinstance(valor, float) and valor.is_integer():
        valor = int(valor)
    return str(valor).strip().lower()


def _texto_de_campo(valor: Any) -> str:
    """Un valor de formulario: los sí/no y null como los escribiría un formulario web."""
    if valor is None:
        return ""
    if isinstance(valor, bool):
        return "true" if valor else "false"
    return str(valor)


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
