"""El entorno Jinja2 de las plantillas: aislado e inmutable, el cargador que lee UTF-8 y dice
dónde no lo es, la caché de plantillas compiladas en memoria y los atajos de rendimiento (map,
globales fijas)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import jinja2
from jinja2.sandbox import SandboxedEnvironment, modifies_known_mutable

from recordar.errores import ErrorPlantilla

_METODOS_DE_DICT = frozenset(dir(dict))


# Los métodos que modifican una lista, un dict, un set o una deque (los que el entorno
# inmutable de Jinja2 prohíbe); se miran aquí antes de preguntarle, que es más lento.
_MODIFICADORES = frozenset(
    [
        "append",
        "appendleft",
        "add",
        "clear",
        "difference_update",
        "discard",
        "extend",
        "extendleft",
        "insert",
        "intersection_update",
        "pop",
        "popitem",
        "popleft",
        "remove",
        "reverse",
        "rotate",
        "setdefault",
        "sort",
        "symmetric_difference_update",
        "update",
    ]
)


class _Entorno(SandboxedEnvironment):
    """El entorno aislado e inmutable (una plantilla no puede modificar listas ni dicts del
    contexto), con `f.numero` más rápido sobre los dict del contexto.

    Para un dict, Jinja2 prueba primero el atributo (que falla con una excepción salvo para
    los métodos de dict) y luego la clave; aquí se va directo a la clave cuando el nombre
    no es un método de dict. El resultado es el mismo.
    """

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) is dict and attribute not in _METODOS_DE_DICT:
            try:
                return obj[attribute]
            except KeyError:
                pass
        return super().getattr(obj, attribute)

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        if not super().is_safe_attribute(obj, attr, value):
            return False
        return attr not in _MODIFICADORES or not modifies_known_mutable(obj, attr)


class _Compiladas(jinja2.BytecodeCache):
    """Plantillas ya compiladas, en memoria del proceso (no se escribe nada a disco: un
    simulacro no deja rastro). Jinja2 las valida con una suma del texto de la plantilla,
    así que una plantilla editada se vuelve a compilar."""

    def __init__(self) -> None:
        self.datos: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        datos = self.datos.get(bucket.key)
        if datos is not None:
            bucket.bytecode_from_string(datos)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.datos[bucket.key] = bucket.bytecode_to_string()


# Una por entorno (texto y HTML con escape automático compilan distinto).
_COMPILADAS = {False: _Compiladas(), True: _Compiladas()}


class _Cargador(jinja2.FileSystemLoader):
    """Lee las plantillas en UTF-8 sin la marca del principio (BOM, la que pone el Bloc de notas
    al guardar en UTF-8); si un archivo no está en UTF-8, lo dice con el byte y la línea.
    Se lee una vez por plantilla, no por mensaje."""

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        try:
            texto, ruta, al_dia = super().get_source(environment, template)
        except UnicodeDecodeError:
            raise ErrorPlantilla(_no_esta_en_utf8(self._ruta(template))) from None
        return texto.removeprefix("\ufeff"), ruta, al_dia

    def _ruta(self, template: str) -> str:
        partes = jinja2.loaders.split_template_path(template)
        for carpeta in self.searchpath:
            ruta = Path(carpeta, *partes)
            if ruta.is_file():
                return str(ruta)
        return template


def _no_esta_en_utf8(ruta: str) -> str:
    """«ruta: no está en UTF-8 (byte 0xF3 en la línea 2); guárdala como UTF-8»."""
    try:
        datos = Path(ruta).read_bytes()
        datos.decode("utf-8")
    except UnicodeDecodeError as exc:
        linea = datos.count(b"\n", 0, exc.start) + 1
        return (
            f"{ruta}: no está en UTF-8 (byte 0x{datos[exc.start]:02X} en la línea {linea}); "
            "guárdala como UTF-8"
        )
    except OSError:  # se borró o cambió entre leerla y mirar dónde falla
        pass
    return f"{ruta}: no está en UTF-8; guárdala como UTF-8"


_MAP_DE_JINJA = jinja2.filters.FILTERS["map"]


@jinja2.pass_context
def _map(contexto: jinja2.runtime.Context, valor: Any, *args: Any, **kwargs: Any) -> Any:
    """El filtro map de Jinja2; `map(attribute='numero')` sin pasar por su preparación (que
    se repetía en cada mensaje). Da lo mismo: environment.getitem con cada elemento."""
    atributo = kwargs.get("attribute")
    simple = type(atributo) is str and "." not in atributo and not atributo.isdigit()
    if args or len(kwargs) != 1 or not simple:
        return _MAP_DE_JINJA(contexto, valor, *args, **kwargs)
    return _por_atributo(contexto.environment.getitem, valor, atributo)


def _por_atributo(getitem: Callable[[Any, Any], Any], valor: Any, atributo: str) -> Any:
    if valor:
        for elemento in valor:
            yield getitem(elemento, atributo)


def _globales_fijas(plantilla: jinja2.Template) -> jinja2.Template:
    """Las globales de la plantilla como dict: Jinja2 las guarda en un ChainMap que recorre en
    cada render (unos µs por mensaje); aquí no cambian después de crear el entorno."""
    plantilla.globals = dict(plantilla.globals)
    return plantilla
