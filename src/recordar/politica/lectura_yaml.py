"""Lectura de YAML: claves repetidas, sin números en base 60 y los errores de PyYAML en español."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any


def leer_yaml(texto: str) -> tuple[Any, list[str]]:
    """(datos, claves repetidas): PyYAML se queda callado con la última de dos claves iguales."""
    cargador = _cargador()(texto)
    try:
        return cargador.get_single_data(), [p for _, p in sorted(cargador.repetidas)]
    finally:
        cargador.dispose()


@lru_cache(maxsize=1)
def _cargador():
    import yaml

    class Cargador(yaml.SafeLoader):
        def __init__(self, texto: str) -> None:
            super().__init__(texto)
            self.repetidas: list[tuple[int, str]] = []

        def construct_mapping(self, node, deep=False):
            vistas: dict[str, int] = {}
            for clave, _ in node.value:
                # `<<: *base` seguido de una clave de base no es una repetición: la reemplaza.
                if isinstance(clave, yaml.ScalarNode) and clave.tag != "tag:yaml.org,2002:merge":
                    linea = clave.start_mark.line + 1
                    if clave.value in vistas:
                        self.repetidas.append((linea, (
                            f"línea {linea}: «{clave.value}» está repetida (ya está en la línea "
                            f"{vistas[clave.value]}); deja una sola"
                        )))  # fmt: skip
                    vistas.setdefault(clave.value, linea)
            return super().construct_mapping(node, deep)

    # Sin la base 60 de YAML 1.1: `desde: 9:30` es el texto "9:30", no el entero 570.
    numeros = ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float")
    Cargador.yaml_implicit_resolvers = {
        inicial: [(tag, regex) for tag, regex in resolvedores if tag not in numeros]
        for inicial, resolvedores in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    Cargador.add_implicit_resolver(numeros[0], _RE_ENTERO_YAML, list("-+0123456789"))
    Cargador.add_implicit_resolver(numeros[1], _RE_REAL_YAML, list("-+0123456789."))
    return Cargador


# Los de yaml.resolver.Resolver sin la forma sexagesimal (1:30 = 90).
_RE_ENTERO_YAML = re.compile(
    r"^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+)$"
)
_RE_REAL_YAML = re.compile(
    r"^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
)


def explicar_error_yaml(exc: Exception, texto: str) -> str:
    """El error de sintaxis de PyYAML como una frase que dice qué hacer, con línea y columna."""
    import yaml

    if isinstance(exc, yaml.reader.ReaderError):
        antes = texto[: exc.position]
        linea, columna = antes.count("\n") + 1, len(antes) - antes.rfind("\n")
        return (
            f"línea {linea}, columna {columna}: hay un carácter de control (#x{exc.character:X}) "
            "que no es texto; bórralo"
        )
    error = _ErrorYaml(exc, texto.splitlines())
    for explicar in _EXPLICACIONES:
        explicado = explicar(error)
        if explicado:
            marca, frase = explicado
            return f"{marca}: {frase}"
    problema = getattr(exc, "problem", None) or "YAML mal formado"
    return f"{error.donde(error.marca)}: {problema} (revisa sangrías, dos puntos y comillas)"


class _ErrorYaml:
    """Lo que dice PyYAML de un error (en inglés) y las líneas del archivo, para explicarlo."""

    def __init__(self, exc: Exception, lineas: list[str]) -> None:
        self.problema = getattr(exc, "problem", None) or ""
        self.contexto = getattr(exc, "context", None) or ""
        self.marca = getattr(exc, "problem_mark", None)
        self.marca_contexto = getattr(exc, "context_mark", None)
        self.lineas = lineas

    def donde(self, marca) -> str:
        return f"línea {marca.line + 1}, columna {marca.column + 1}" if marca else "YAML"

    def linea(self, marca) -> str:
        return self.lineas[marca.line] if marca and marca.line < len(self.lineas) else ""

    def caracter(self, marca) -> str:
        linea = self.linea(marca)
        return linea[marca.column] if marca and marca.column < len(linea) else ""


def _con_comillas(linea: str) -> str:
    """`clave: valor` con el valor entre comillas (las simples si lleva comillas o «\\»)."""
    clave, _, valor = linea.strip().removeprefix("- ").partition(":")
    valor = valor.split(" #")[0].strip()
    if '"' in valor or "\\" in valor:
        return f"{clave}: '{valor.replace(chr(39), chr(39) * 2)}'"
    return f'{clave}: "{valor}"'


def _dos_puntos_en_valor(e: _ErrorYaml):
    if e.problema != "mapping values are not allowed here":
        return None
    linea = e.linea(e.marca)
    if re.search(r":\s", linea[: e.marca.column]):
        frase = "hay dos puntos «:» dentro de un valor; pon el valor entre comillas"
        return e.donde(e.marca), f"{frase}: {_con_comillas(linea)}"
    anteriores = [
        n for n in range(e.marca.line) if e.lineas[n].strip() and e.lineas[n].lstrip()[0] != "#"
    ]
    if anteriores and ":" not in e.lineas[anteriores[-1]]:
        return f"línea {anteriores[-1] + 1}", _sin_dos_puntos(e.lineas[anteriores[-1]])
    return e.donde(e.marca), (
        "la sangría no cuadra con la de las líneas de arriba: esta línea tiene más espacios que "
        "la clave anterior"
    )


def _sin_dos_puntos(linea: str) -> str:
    return f"a «{linea.strip().removeprefix('- ')}» le faltan los dos puntos «:» (clave: valor)"


def _falta_dos_puntos(e: _ErrorYaml):
    if e.problema != "could not find expected ':'":
        return None
    frase = _sin_dos_puntos(e.linea(e.marca_contexto))
    return e.donde(e.marca_contexto), (
        f"{frase}, o la sangría no cuadra con la de las líneas de arriba"
    )


def _tabulador(e: _ErrorYaml):
    if "'\\t'" in e.problema or "tab character" in e.problema:
        return e.donde(e.marca), "hay un tabulador; usa espacios para sangrar"
    return None


_SANGRIAS = {
    "'-'": "hay un elemento de lista («-») entre las claves de un mapa; quita el «-» o revisa la "
    "sangría",
    "'?'": "la sangría no cuadra con la de las líneas de arriba: esta clave está a la altura de "
    "los «-» de la lista; alinéala con las claves de su elemento (después del «- »)",
    "'<block mapping start>'": "la sangría no cuadra con la de las líneas de arriba; las claves "
    "de un mismo mapa van alineadas",
    "'<block sequence start>'": "la sangría de este «-» no cuadra con la de las líneas de "
    "arriba; alinea los elementos de la lista",
    "'<scalar>'": "hay texto después de cerrar las comillas; pon el valor entero entre comillas "
    '(si lleva comillas dentro, usa las del otro tipo: "l\'a")',
}


def _sangria(e: _ErrorYaml):
    prefijo = "expected <block end>, but found "
    if not e.problema.startswith(prefijo):
        return None
    hallado = e.problema.removeprefix(prefijo)
    if hallado in ("'}'", "']'"):
        return e.donde(e.marca), f"sobra «{hallado[1]}»; quítalo o revisa las llaves y corchetes"
    frase = _SANGRIAS.get(hallado)
    return (e.donde(e.marca), frase) if frase else None


_PARES = (("{", "}", "esta llave", ""), ("[", "]", "este corchete", " de la lista"))


def _sin_cerrar(e: _ErrorYaml):
    if "quoted scalar" in e.contexto and "end of stream" in e.problema:
        comilla = e.caracter(e.marca_contexto)
        return e.donde(e.marca_contexto), (
            f"estas comillas no se cierran; añade la comilla de cierre («{comilla}») al final "
            "del valor"
        )
    for abre, cierra, nombre, final in _PARES:
        if e.problema.startswith(f"expected ',' or '{cierra}'"):
            if not e.marca_contexto:
                return None
            if e.problema.endswith("':'") and e.marca.line == e.marca_contexto.line:
                return e.donde(e.marca), (
                    "hay dos puntos «:» dentro de un valor entre llaves; pon el valor entre "
                    "comillas"
                )
            return e.donde(e.marca_contexto), (
                f"{nombre} «{abre}» no se cierra; añade «{cierra}» al final{final}"
            )
    return None


def _no_puede_empezar(e: _ErrorYaml):
    # «C:\Users\…» entre comillas dobles: «\U» pide 8 cifras hexadecimales (ruta de Windows).
    if "escape character" in e.problema or "escape sequence" in e.problema:
        return e.donde(e.marca), (
            "dentro de comillas dobles «\\» empieza un código especial; usa comillas simples "
            "o escribe «\\\\»"
        )
    ancla = e.contexto in ("while scanning an anchor", "while scanning an alias")
    especial = (
        ancla
        or "cannot start any token" in e.problema
        or "undefined alias" in e.problema
        or ("expected the node content" in e.problema and "block node" in e.contexto)
    )
    if not especial:
        return None
    marca = e.marca_contexto if ancla else e.marca
    return e.donde(marca), (
        f"un valor no puede empezar con «{e.caracter(marca)}»; pon el valor entre comillas: "
        f"{_con_comillas(e.linea(marca))}"
    )


def _otras(e: _ErrorYaml):
    if "another document" in e.problema:
        return e.donde(e.marca), (
            "hay una línea «---» que empieza otro documento; la política es uno solo: quítala"
        )
    etiqueta = re.match(r"could not determine a constructor for the tag '(.*)'", e.problema)
    if etiqueta:
        nombre = etiqueta[1].replace("tag:yaml.org,2002:", "!!")
        return e.donde(e.marca), (
            f"la etiqueta «{nombre}» no se admite; quítala o pon el valor entre comillas"
        )
    if "unhashable key" in e.problema:
        return e.donde(e.marca), "una clave no puede ser una lista ni un mapa"
    if "chomping or indentation indicators" in e.problema:
        return e.donde(e.marca), (
            "después de «|» o «>» el texto va en las líneas siguientes, con sangría; si no, pon "
            "el valor entre comillas"
        )
    if e.problema == "expected the node content, but found ','":
        return e.donde(e.marca), "sobra una coma, o falta un elemento entre dos comas"
    return None


_EXPLICACIONES = (
    _tabulador,
    _dos_puntos_en_valor,
    _falta_dos_puntos,
    _sangria,
    _sin_cerrar,
    _no_puede_empezar,
    _otras,
)
