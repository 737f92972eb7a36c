"""Plantillas aprobadas de WhatsApp (Cloud API de Meta y Twilio): qué plantilla del proveedor va
con cada paso y qué valor lleva cada uno de sus parámetros.

En la política, `canales.whatsapp.plantillas` es un mapa paso → plantilla. La forma corta
(`recordatorio: pago_pendiente`, o el ContentSid `HX…` en Twilio) manda los cinco valores de
siempre, en orden (FORMA_CORTA); la larga dice cuáles y cómo se llaman:
`{nombre: pago_pendiente, idioma: es_MX, parametros: [cliente, total], boton_url: enlace_pago}`.
Meta y Twilio rechazan un parámetro vacío: un mensaje con uno vacío no se envía (NoEnviado).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from recordar.canales.base import Envio, NoEnviado
from recordar.errores import ErrorCanal

# Los valores que puede llevar un parámetro (los calcula mensajes.plantillas para cada mensaje).
VARIABLES: dict[str, str] = {
    "cliente": "nombre del deudor",
    "nombre_saludo": "la persona de la columna «Atención»/«Contacto», o el cliente",
    "facturas": "los números de factura, separados por comas",
    "total": "el total a pagar que dice el mensaje: importes más intereses y gastos de cobro",
    "importe": "la suma de los importes, sin intereses ni gastos",
    "intereses": "los intereses moratorios a la fecha",
    "gastos": "los gastos de cobro (compensación)",
    "dias_vencido": "el mayor atraso en días",
    "vencimiento": "el vencimiento más antiguo («15 de marzo de 2026»)",
    "enlace_pago": "el enlace que cobra todo el mensaje (o «F-1: enlace, F-2: enlace»)",
    "empresa": "empresa.nombre de la política",
}
# La forma corta de siempre: cinco parámetros posicionales.
FORMA_CORTA = ("cliente", "facturas", "total", "dias_vencido", "enlace_pago")
# Meta: `parameter_name` en minúsculas, cifras y _.
NOMBRE_DE_PARAMETRO = re.compile(r"[a-z_][a-z0-9_]*")


@dataclass(frozen=True, slots=True)
class Aprobada:
    """Una plantilla del proveedor y cómo se llenan sus parámetros."""

    donde: str  # canales.whatsapp.plantillas.recordatorio (para los mensajes)
    nombre: str  # Meta: el nombre de la plantilla; Twilio: su ContentSid (HX…)
    idioma: str | None  # solo Meta: el language.code de esta plantilla
    # (nombre del parámetro, o None si es posicional; variable de VARIABLES)
    parametros: tuple[tuple[str | None, str], ...]
    boton: tuple[str, str] | None  # (variable, base de la url que se quita) del botón de url

    def valores(self, envio: Envio) -> list[tuple[str | None, str]]:
        """(nombre o None, valor) de cada parámetro; NoEnviado si alguno queda vacío."""
        return [(nombre, self._valor(envio, variable)) for nombre, variable in self.parametros]

    def sufijo_boton(self, envio: Envio) -> str | None:
        """El valor del parámetro del botón de url (sin la base), o None si no lleva botón."""
        if self.boton is None:
            return None
        variable, base = self.boton
        valor = self._valor(envio, variable, f"{self.donde}.boton_url")
        if base:
            if not valor.startswith(base) or not valor[len(base) :].strip():
                raise NoEnviado(
                    f"{self.donde}.boton_url: el valor de «{variable}» para este deudor "
                    f"({valor[:80]}) no empieza con la base {base}; revisa la base o el enlace"
                )
            valor = valor[len(base) :]
        return valor

    def _valor(self, envio: Envio, variable: str, donde: str | None = None) -> str:
        donde = donde or self.donde
        parametros = mapa_de_parametros(envio.parametros)
        if not parametros:
            raise NoEnviado(
                f"{donde}: el envío no trae los parámetros de la plantilla (lo anotó una versión "
                "anterior de recordar); no se manda una petición distinta de la primera: revisa "
                "en el proveedor si llegó"
            )
        valor = " ".join(str(parametros.get(variable) or "").split())
        if not valor:
            raise NoEnviado(
                f"{donde}: lleva «{variable}» y para este deudor está vacío (Meta y Twilio "
                "rechazan parámetros vacíos); complétalo en la hoja o quítalo de la plantilla"
            )
        return valor


def mapa_de_parametros(parametros: Any) -> Mapping[str, str]:
    """Los parámetros de un envío por nombre; una tupla (la forma de antes) son los de FORMA_CORTA."""
    if isinstance(parametros, Mapping):
        return parametros
    return dict(zip(FORMA_CORTA, parametros or (), strict=False))


def leer_plantillas(
    canal: str, valor: Any, claves: tuple[str, ...], nombre_valido=None, ejemplo: str = ""
) -> dict[str, Aprobada]:
    """Las plantillas de `canales.CANAL.plantillas`; ErrorCanal con la clave si algo no vale.

    `claves`: las de la forma larga que admite el proveedor (además de parametros).
    `nombre_valido(nombre) -> motivo | None` revisa el nombre o el ContentSid."""
    donde = f"canales.{canal}.plantillas"
    if valor in (None, "", {}):
        return {}
    if not isinstance(valor, dict):
        raise ErrorCanal(
            f"{donde}: debe ser un mapa paso → plantilla aprobada, p. ej. {{recordatorio: {ejemplo}}}"
        )
    return {
        str(paso): _leer_una(f"{donde}.{paso}", v, claves, nombre_valido)
        for paso, v in valor.items()
    }


def _leer_una(donde: str, valor: Any, claves: tuple[str, ...], nombre_valido) -> Aprobada:
    clave_nombre = claves[0]
    if isinstance(valor, str | int) and not isinstance(valor, bool):
        nombre = _nombre(donde, valor, nombre_valido)
        return Aprobada(donde, nombre, None, tuple((None, v) for v in FORMA_CORTA), None)
    if not isinstance(valor, dict):
        raise ErrorCanal(f"{donde}: pon el nombre de la plantilla o un mapa con {clave_nombre}")
    admitidas = (*claves, "parametros")
    for clave in valor:
        if clave not in admitidas:
            raise ErrorCanal(
                f"{donde}.{clave}: clave desconocida; admitidas: {', '.join(admitidas)}"
            )
    if valor.get(clave_nombre) in (None, ""):
        raise ErrorCanal(f"{donde}.{clave_nombre}: falta")
    nombre = _nombre(f"{donde}.{clave_nombre}", valor[clave_nombre], nombre_valido)
    idioma = str(valor["idioma"]).strip() if valor.get("idioma") else None
    parametros = _leer_parametros(f"{donde}.parametros", valor.get("parametros"))
    boton = _leer_boton(f"{donde}.boton_url", valor.get("boton_url"))
    return Aprobada(donde, nombre, idioma, parametros, boton)


def _nombre(donde: str, valor: Any, nombre_valido) -> str:
    nombre = str(valor).strip()
    motivo = nombre_valido(nombre) if nombre_valido else None
    if not nombre or motivo:
        raise ErrorCanal(f"{donde}: {motivo or 'falta el nombre de la plantilla aprobada'}")
    return nombre


def _variable(donde: str, valor: Any) -> str:
    variable = str(valor).strip()
    if variable not in VARIABLES:
        raise ErrorCanal(
            f"{donde}: «{variable}» no es un valor conocido; usa {', '.join(VARIABLES)}"
        )
    return variable


def _leer_parametros(donde: str, valor: Any) -> tuple[tuple[str | None, str], ...]:
    if valor in (None, [], {}):
        return ()
    if isinstance(valor, list):
        return tuple((None, _variable(f"{donde}.{i + 1}", v)) for i, v in enumerate(valor))
    if isinstance(valor, dict):
        for nombre in valor:
            if not NOMBRE_DE_PARAMETRO.fullmatch(str(nombre)):
                raise ErrorCanal(
                    f"{donde}.{nombre}: el nombre de un parámetro va en minúsculas, cifras y _ "
                    "(como en la plantilla aprobada)"
                )
        return tuple((str(n), _variable(f"{donde}.{n}", v)) for n, v in valor.items())
    raise ErrorCanal(
        f"{donde}: pon una lista (parámetros {{{{1}}}}, {{{{2}}}}…) o un mapa nombre → valor"
    )


def _leer_boton(donde: str, valor: Any) -> tuple[str, str] | None:
    if valor in (None, ""):
        return None
    if isinstance(valor, str):
        return _variable(donde, valor), ""
    if isinstance(valor, dict) and set(valor) <= {"variable", "base"} and valor.get("variable"):
        base = str(valor.get("base") or "").strip()
        return _variable(f"{donde}.variable", valor["variable"]), base
    raise ErrorCanal(
        f"{donde}: pon el valor del botón (p. ej. enlace_pago) o {{variable: enlace_pago, "
        "base: https://…/}} si la url de la plantilla ya trae el principio"
    )


def elegir(plantillas: dict[str, Aprobada], envio: Envio) -> Aprobada | None:
    """La plantilla de un envío: la de su paso (sin «#n» ni «@fecha») o la de su plantilla."""
    paso = re.split(r"[#@]", envio.paso, maxsplit=1)[0]
    return plantillas.get(paso) or plantillas.get(envio.plantilla)


def usa(plantillas: dict[str, Aprobada], variable: str) -> list[str]:
    """Las claves (canales.whatsapp.plantillas.X) de las plantillas que usan esa variable."""
    return [a.donde for a in plantillas.values()
            if variable in {v for _, v in a.parametros} or (a.boton and a.boton[0] == variable)]  # fmt: skip
