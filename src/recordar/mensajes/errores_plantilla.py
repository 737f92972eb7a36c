"""Por qué falló una plantilla, en español y diciendo qué hacer: los errores de Jinja2 (y de
Python dentro de una plantilla) traducidos, con las variables y claves que sí hay."""

from __future__ import annotations

import re
import traceback
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

import jinja2
from jinja2.exceptions import SecurityError

from recordar.errores import quisiste_decir


class _ErrorIndefinida(jinja2.UndefinedError):
    """UndefinedError que recuerda a qué le faltaba el atributo, para decir en español qué tiene."""

    def __init__(self, mensaje: str, obj: Any = jinja2.utils.missing, nombre: Any = None) -> None:
        super().__init__(mensaje)
        self.obj = obj
        self.nombre = nombre


class Indefinida(jinja2.StrictUndefined):
    """StrictUndefined cuyo error lleva el objeto y el nombre que faltaban (Jinja2 solo los
    pone en el texto). Solo se crea cuando algo falta: no cuesta nada en un render correcto."""

    __slots__ = ()

    def __init__(
        self,
        hint: str | None = None,
        obj: Any = jinja2.utils.missing,
        name: str | None = None,
        exc: type[jinja2.TemplateRuntimeError] = jinja2.UndefinedError,
    ) -> None:
        if exc is jinja2.UndefinedError:
            exc = partial(_ErrorIndefinida, obj=obj, nombre=name)  # type: ignore[assignment]
        super().__init__(hint, obj, name, exc)


# Lo que sigue solo se usa cuando algo ya falló: nada corre al generar un mensaje correcto.
_FILTROS_PROPIOS = ("dinero", "fecha", "fecha_corta")
_FILTROS_COMUNES = ("default", "join", "length", "lower", "replace", "round", "trim", "upper")
_PRUEBAS_COMUNES = ("defined", "divisibleby", "even", "none", "number", "odd", "string")
_ETIQUETAS = ("block", "call", "extends", "filter", "for", "from", "if", "import", "include",
              "macro", "raw", "set", "with")  # fmt: skip
_SIMBOLOS = {
    "end of print statement": "«}}»",
    "end of statement block": "«%}»",
    "begin of print statement": "«{{»",
    "begin of statement block": "«{%»",
    "end of template": "el final de la plantilla",
    "name": "un nombre",
    "integer": "un número",
    "float": "un número",
    "string": "un texto",
}
_TIPOS = {
    "str": "un texto", "Markup": "un texto", "int": "un número", "float": "un número",
    "decimal.Decimal": "un importe", "Decimal": "un importe", "datetime.date": "una fecha",
    "date": "una fecha", "datetime.datetime": "una fecha con hora", "list": "una lista",
    "tuple": "una lista", "dict": "un mapa", "NoneType": "un valor vacío", "bool": "un sí/no",
    "generator": "una secuencia",
}  # fmt: skip
_RE_INSEGURO = re.compile(r"access to attribute '(.+?)' of '(.+?)' object is unsafe")


def _simbolo(descripcion: str) -> str:
    return _SIMBOLOS.get(descripcion, f"«{descripcion}»")


def _tipo(nombre: str) -> str:
    return _TIPOS.get(nombre, f"un valor de tipo {nombre}")


def citar(valor: Any) -> str:
    """«valor» entre comillas, cortado a 40 caracteres."""
    texto = str(valor)
    return f"«{texto[:40]}…»" if len(texto) > 40 else f"«{texto}»"


def _enumerar(nombres: list[str], tope: int = 20) -> str:
    texto = ", ".join(nombres[:tope])
    return texto + (f"… (y {len(nombres) - tope} más)" if len(nombres) > tope else "")


def _inesperado(m: re.Match) -> str:
    que, esperado = m[1], m[2]
    if esperado:
        return f"«{que}» inesperado: falta cerrar con «{esperado}»"
    if que == "}":
        return "«}» inesperado: revisa que cada {{ cierre con }} y cada {% con %}"
    if que in (")", "]"):
        return f"«{que}» inesperado: sobra, o falta abrirlo antes"
    if que in _SIMBOLOS:
        return f"{_simbolo(que)} inesperado: falta algo antes (p. ej. el valor tras un operador)"
    return f"«{que}» inesperado: revisa la expresión"


def _caracter_inesperado(caracter: str) -> str:
    if caracter in "'\"":
        return f"comilla {caracter} sin cerrar: cada texto va entre dos comillas iguales"
    return f"carácter «{caracter}» inesperado dentro de {{{{ }}}} o {{% %}}: quítalo"


def _etiqueta_desconocida(m: re.Match) -> str:
    etiqueta, abierto = m[1], m[2]
    if abierto:
        return (
            f"{{% {etiqueta} %}} no va aquí: el bloque abierto es {{% {abierto} %}}; "
            f"ciérralo antes con {{% end{abierto} %}}"
        )
    if etiqueta.startswith("end") or etiqueta in ("else", "elif"):
        abre = etiqueta[3:] if etiqueta.startswith("end") else "if"
        return f"sobra {{% {etiqueta} %}}: no hay ningún {{% {abre} %}} abierto"
    return (
        f"no existe la etiqueta {{% {etiqueta} %}}{quisiste_decir(etiqueta, list(_ETIQUETAS))}; "
        f"las etiquetas son {', '.join(_ETIQUETAS)}"
    )


def _filtro_desconocido(m: re.Match) -> str:
    todos = sorted({*jinja2.filters.FILTERS, *_FILTROS_PROPIOS})
    return (
        f"no existe el filtro «{m[1]}»{quisiste_decir(m[1], todos)}; los filtros son "
        f"{', '.join(_FILTROS_PROPIOS)} y los de Jinja2 ({', '.join(_FILTROS_COMUNES)}…)"
    )


def _prueba_desconocida(m: re.Match) -> str:
    return (
        f"no existe la prueba «is {m[1]}»{quisiste_decir(m[1], sorted(jinja2.tests.TESTS))}; "
        f"las pruebas son {', '.join(_PRUEBAS_COMUNES)}…"
    )


def _operacion(m: re.Match) -> str:
    texto = f"no se puede usar «{m[1]}» entre {_tipo(m[2])} y {_tipo(m[3])}"
    return texto + ("; para unir textos usa «~»" if "str" in (m[2], m[3]) else "")


_TRADUCCIONES: list[tuple[re.Pattern, Callable[[re.Match], str]]] = [
    (re.compile(p), f)
    for p, f in (
        (r"unexpected char (['\"])(.)\1 at \d+", lambda m: _caracter_inesperado(m[2])),
        (r"unexpected end of template, expected '(.+?)'\.?",
         lambda m: f"la plantilla se acaba sin cerrar: falta {_simbolo(m[1])}"),
        (r"unexpected '(.+?)'(?:, expected '(.+?)')?", _inesperado),
        (r"Unexpected end of template\. Jinja was looking for the following tags: .*"
         r"The innermost block that needs to be closed is '(\w+)'\.",
         lambda m: f"falta cerrar el bloque {{% {m[1]} %}} con {{% end{m[1]} %}}"),
        (r"Unexpected end of template\. Jinja was looking for the following tags: '(\w+)'.*",
         lambda m: f"la plantilla se acaba sin {{% {m[1]} %}}"),
        (r"Encountered unknown tag '(\w+)'\.(?: Jinja was looking for the following tags: .*"
         r"The innermost block that needs to be closed is '(\w+)'\.)?", _etiqueta_desconocida),
        (r"No filter named '(.+?)'(?: found)?\.", _filtro_desconocido),
        (r"No test named '(.+?)'(?: found)?\.", _prueba_desconocida),
        (r"Missing end of comment tag", lambda m: "falta cerrar el comentario {# con #}"),
        (r"tag name expected",
         lambda m: "falta el nombre de la etiqueta después de «{%» (p. ej. {% if … %})"),
        (r"Expected an expression, got '(.+?)'",
         lambda m: f"falta un valor antes de {_simbolo(m[1])} (¿un {{{{ }}}} vacío o un "
                   "{% if %} sin condición?)"),
        (r"expected token '(.+?)', got '(.+?)'",
         lambda m: f"se esperaba {_simbolo(m[1])} y hay {_simbolo(m[2])}"),
        (r"unsupported operand type\(s\) for (.+?): '(.+?)' and '(.+?)'", _operacion),
        (r'can only concatenate str \(not "(.+?)"\) to str',
         lambda m: f"no se puede sumar un texto y {_tipo(m[1])}: para unir textos usa «~» "
                   "(p. ej. {{ cliente ~ ' ' ~ total|dinero }})"),
        (r"'(.+?)' not supported between instances of '(.+?)' and '(.+?)'",
         lambda m: f"no se puede comparar ({m[1]}) {_tipo(m[2])} con {_tipo(m[3])}"),
        (r"Range too big\. The sandbox blocks ranges larger than MAX_RANGE \((\d+)\)\.",
         lambda m: f"range() demasiado grande: el máximo es {int(m[1]):,} elementos".replace(
             ",", " ")),
        (r"'(.+?)' object is not callable",
         lambda m: f"{_tipo(m[1])} no es una función: quita los paréntesis"),
    )
]  # fmt: skip


def motivo_en_espanol(
    exc: BaseException, contexto: dict[str, Any] | None = None, carpetas: Sequence[str] = ()
) -> str:
    """Por qué falló una plantilla, en español y diciendo qué hacer; si el error no es de los
    conocidos, el texto original. `contexto`: las variables que veía (para listarlas).

    Nunca lanza: explicar un error no puede convertirse en otro (un valor prohibido por el
    entorno aislado usado como clave, p. ej. `facturas[cliente.__class__]`, falla al citarlo)."""
    try:
        return _motivo(exc, contexto, carpetas)
    except Exception:
        return _motivo_prudente(exc)


def _motivo_prudente(exc: BaseException) -> str:
    if isinstance(exc, SecurityError) or isinstance(getattr(exc, "nombre", None), jinja2.Undefined):
        return _PROHIBIDO_GENERICO
    return f"la plantilla falló ({type(exc).__name__}); revisa la expresión de esa línea"


_PROHIBIDO_GENERICO = (
    "usa algo que el entorno aislado no permite (atributos internos como __class__); "
    "una plantilla solo puede leer los datos, no modificarlos ni usar internos"
)


def _motivo(exc: BaseException, contexto: dict[str, Any] | None, carpetas: Sequence[str]) -> str:
    original = exc.message if isinstance(exc, jinja2.TemplateError) and exc.message else str(exc)
    if isinstance(exc, jinja2.TemplateNotFound):
        donde = f" (se busca en {' y '.join(carpetas)})" if carpetas else ""
        return (
            f"no se encuentra la plantilla incluida «{exc.name}»{donde}; créala o corrige el nombre"
        )
    if isinstance(exc, _ErrorIndefinida):
        if isinstance(exc.nombre, jinja2.Undefined):  # la clave misma era un valor prohibido
            return _PROHIBIDO_GENERICO
        return _indefinida(exc, contexto) or original
    if isinstance(exc, SecurityError) and (prohibido := _RE_INSEGURO.search(original)):
        return (
            f"no se permite usar «{prohibido[1]}» de un {prohibido[2]}: "
            "una plantilla solo puede leer los datos, no modificarlos ni usar internos"
        )
    if isinstance(exc, ZeroDivisionError):
        return "división entre cero; revisa la operación"
    for patron, traducir in _TRADUCCIONES:
        if m := patron.fullmatch(original):
            return traducir(m)
    return original


def _indefinida(exc: _ErrorIndefinida, contexto: dict[str, Any] | None) -> str | None:
    """Qué faltaba y qué hay: las variables del mensaje, las claves de la factura…"""
    obj, nombre = exc.obj, exc.nombre
    if obj is jinja2.utils.missing:
        disponibles = sorted(contexto or ())
        texto = f"la variable «{nombre}» no existe{quisiste_decir(str(nombre), disponibles)}"
        return texto + (f"; las disponibles son {_enumerar(disponibles)}" if disponibles else "")
    if isinstance(obj, dict):
        claves = sorted(str(c) for c in obj)
        texto = f"{_que_es(obj, contexto)} no tiene «{nombre}»{quisiste_decir(str(nombre), claves)}"
        texto += f"; tiene {_enumerar(claves)}" if claves else " (está vacío)"
        if contexto is not None and obj is contexto.get("empresa"):
            texto += "; añádelo en «empresa:» de la política"
        return texto
    if isinstance(obj, list | tuple):
        if isinstance(nombre, int):
            elementos = f"{len(obj)} elemento{'' if len(obj) == 1 else 's'}"
            return f"la lista tiene {elementos}: no hay posición {nombre} (se cuenta desde 0)"
        if contexto is not None and obj is contexto.get("facturas"):
            return (
                f"«facturas» es una lista y no tiene «{nombre}»: recórrela con {{% for f in "
                f"facturas %}}…{{{{ f.{nombre} }}}}…{{% endfor %}} o usa facturas[0].{nombre}"
            )
    return f"{citar(obj)} es {_tipo(type(obj).__name__)} y no tiene «{nombre}»"


def _que_es(obj: dict, contexto: dict[str, Any] | None) -> str:
    if contexto is not None:
        facturas = contexto.get("facturas")
        if isinstance(facturas, list) and any(obj is f for f in facturas):
            return "la factura"
        for clave, valor in contexto.items():
            if valor is obj:
                return f"«{clave}»"
    return "el mapa"


def linea_de_plantilla(exc: BaseException, archivo: str | None) -> int | None:
    """La línea de la plantilla `archivo` donde saltó `exc` (Jinja2 la pone en el traceback)."""
    linea = None
    for marco in traceback.extract_tb(exc.__traceback__):
        if archivo and marco.filename == archivo:
            linea = marco.lineno
    return linea
