"""La estructura de src/recordar sigue los datos: cartera → politica → plan → mensajes → canales,
con la bitácora al lado y el informe al final; la CLI arriba de todo.

Se leen los imports de cada archivo con `ast` (también los que están dentro de funciones o bajo
TYPE_CHECKING) y se agrupan por su paquete o módulo de primer nivel en src/recordar.
"""

from __future__ import annotations

import ast
import importlib
from collections import defaultdict
from pathlib import Path

RAIZ = Path(__file__).resolve().parents[1] / "src" / "recordar"

# De abajo arriba: cada paquete o módulo solo importa de capas más bajas (nunca de la suya ni de
# una más alta). Un módulo nuevo tiene que tener su sitio aquí.
CAPAS: list[set[str]] = [
    {"errores", "procesos", "recientes"},  # sin nada de recordar debajo
    {"cartera"},  # leer la hoja
    {"politica"},  # la política (lee importes y condiciones con cartera.valores)
    # piezas puras de la planificación que plan importa (no importan plan ni nada más arriba)
    {"interes", "destinos", "topes", "memoria"},
    {"control"},  # usa ORDEN_RESPALDO de destinos
    {"plan"},
    # mensajes del plan; canales (la interfaz de plugins, solo usa errores); la bitácora por partes
    {
        "mensajes",
        "canales",
        "bitacora_archivo",
        "bitacora_entrega",
        "bitacora_esquema",
        "bitacora_pagos",
        "bitacora_tareas",
    },
    {"bitacora"},
    {"envio", "entrega", "informe", "resultados"},
    # lo que se avisa antes de confiar en la ejecución (usa las cifras del informe); lo que se ve
    # de resultados (usa informe.graficas y formatos)
    {"preparacion", "resultados_salida"},
    {"ejecucion"},  # una ejecución, simulacro o real, por un solo camino
    {"revision"},  # `validar` como biblioteca
    {"programar"},  # `programar` como biblioteca (cron, launchd, schtasks; solo usa errores)
    {"__init__"},  # la API pública (cargar, planificar, ejecutar), importada al usarla
    {"cli"},
    {"__main__"},
]
# Los módulos sacados de plan.py (issue #13): tan puros como plan y debajo de él.
PIEZAS_DE_PLAN = ("interes", "destinos", "topes", "memoria", "control")
CAPA = {unidad: n for n, capa in enumerate(CAPAS) for unidad in capa}

# Aristas que rompen una regla y se aceptan a sabiendas: (de, a) → por qué. Hoy ninguna.
EXCEPCIONES: dict[tuple[str, str], str] = {}


def _unidad(ruta: Path) -> str:
    return ruta.relative_to(RAIZ).with_suffix("").parts[0]


def _existe(nombre: str) -> bool:
    return (RAIZ / f"{nombre}.py").is_file() or (RAIZ / nombre / "__init__.py").is_file()


def _destinos(nodo: ast.AST) -> list[str]:
    """Las unidades de recordar que importa un `import`/`from … import`."""
    if isinstance(nodo, ast.Import):
        modulos = [a.name for a in nodo.names]
    elif isinstance(nodo, ast.ImportFrom) and nodo.level == 0 and nodo.module:
        if nodo.module == "recordar":  # from recordar import recientes, __version__
            return [a.name if _existe(a.name) else "__init__" for a in nodo.names]
        modulos = [nodo.module]
    else:
        return []
    return [m.split(".")[1] for m in modulos if m.startswith("recordar.")]


def grafo() -> dict[str, dict[str, list[str]]]:
    """unidad → unidad importada → dónde («cartera/carga.py:20»)."""
    aristas: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for ruta in sorted(RAIZ.rglob("*.py")):
        de = _unidad(ruta)
        for nodo in ast.walk(ast.parse(ruta.read_text(encoding="utf-8"), str(ruta))):
            assert not (isinstance(nodo, ast.ImportFrom) and nodo.level), (
                f"{ruta}:{nodo.lineno}: import relativo; escríbelo como recordar.…"
            )
            for a in _destinos(nodo):
                if a != de:
                    aristas[de][a].append(f"{ruta.relative_to(RAIZ)}:{nodo.lineno}")
    return aristas


def test_el_grafo_lee_los_imports_de_dentro_de_las_funciones():
    aristas = grafo()
    # Imports de primer nivel…
    assert "cartera" in aristas["plan"] and "politica" in aristas["plan"]
    # …y los que solo están dentro de funciones (cli importa casi todo así; renderizado,
    # el reparto en procesos; cli, la versión desde recordar/__init__).
    assert {"ejecucion", "bitacora", "cartera", "informe", "mensajes"} <= set(aristas["cli"])
    assert "procesos" in aristas["mensajes"]
    assert "__init__" in aristas["cli"]


def test_cada_paquete_y_modulo_tiene_su_capa():
    unidades = {_unidad(r) for r in RAIZ.rglob("*.py")}
    sin_capa = sorted(unidades - set(CAPA))
    assert not sin_capa, f"añade {sin_capa} a CAPAS en tests/test_estructura.py"


def test_no_hay_ciclos_entre_paquetes():
    aristas = grafo()
    estado: dict[str, int] = {}  # 1: en el camino, 2: terminado
    ciclos = []

    def visitar(u: str, camino: list[str]) -> None:
        estado[u] = 1
        for v in sorted(aristas.get(u, {})):
            if (u, v) in EXCEPCIONES:
                continue
            if estado.get(v) == 1:
                ciclos.append(" → ".join([*camino[camino.index(v) :], v]))
            elif v not in estado:
                visitar(v, [*camino, v])
        estado[u] = 2

    for u in sorted(aristas):
        if u not in estado:
            visitar(u, [u])
    assert not ciclos, ciclos


def test_nada_importa_hacia_arriba():
    aristas = grafo()
    hacia_arriba = [
        f"{de} → {a} ({', '.join(donde)})"
        for de, destinos in sorted(aristas.items())
        for a, donde in sorted(destinos.items())
        if CAPA[a] >= CAPA[de] and (de, a) not in EXCEPCIONES
    ]
    assert not hacia_arriba, hacia_arriba


def test_las_reglas_del_flujo_de_datos():
    """Las del issue #13, escritas aparte de CAPAS para que cambiar CAPAS no las afloje."""
    aristas = grafo()
    bitacora = {u for u in CAPA if u.startswith("bitacora")}
    prohibidas = {
        "cartera": {"politica", "plan", "mensajes", "canales", "envio", "informe", "cli"}
        | bitacora,
        "politica": {"plan", "mensajes", "canales", "envio", "informe", "cli"} | bitacora,
        "plan": {"mensajes", "canales", "envio", "informe", "cli"} | bitacora,
        # las piezas de plan, además, no importan plan
        **dict.fromkeys(
            PIEZAS_DE_PLAN, {"plan", "mensajes", "canales", "envio", "informe", "cli"} | bitacora
        ),
        "mensajes": {"canales", "envio", "informe", "cli"} | bitacora,
    }
    rotas = [
        f"{de} → {a} ({', '.join(aristas[de][a])})"
        for de, prohibido in prohibidas.items()
        for a in sorted(prohibido & set(aristas.get(de, {})))
        if (de, a) not in EXCEPCIONES
    ]
    assert not rotas, rotas
    importan_cli = sorted(de for de, destinos in aristas.items() if "cli" in destinos)
    assert importan_cli == ["__main__"]


def test_los_paquetes_reexportan_lo_que_importan_usuarios_y_plugins():
    for paquete, modulos in {
        "recordar.cartera": ["recordar.cartera.carga"],
        "recordar.politica": [
            "recordar.politica.politica",
            "recordar.politica.validacion",
            "recordar.politica.ejemplos",
        ],
        "recordar.informe": [
            "recordar.informe.archivos",
            "recordar.informe.formatos",
            "recordar.informe.vista",
        ],
    }.items():
        reexporta = importlib.import_module(paquete)
        origen = [importlib.import_module(m) for m in modulos]
        assert reexporta.__all__
        for nombre in reexporta.__all__:
            objeto = getattr(reexporta, nombre)
            assert any(getattr(m, nombre, None) is objeto for m in origen), (paquete, nombre)
    from recordar.canales.base import Canal  # la interfaz pública de los plugins de canal
    from recordar.cartera import Cartera, cargar_cartera
    from recordar.politica import Politica, cargar_politica

    assert Canal.__module__ == "recordar.canales.base"
    assert cargar_cartera.__module__ == Cartera.__module__ == "recordar.cartera.carga"
    assert cargar_politica.__module__ == Politica.__module__ == "recordar.politica.politica"
