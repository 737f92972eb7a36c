"""recordar: recordatorios de cobranza escalonados a partir de la cartera en Excel.

Uso desde Python (lo mismo que hace la CLI, sin ella)::

    from datetime import date
    import recordar

    politica = recordar.cargar_politica("mi-cobranza/politica.yaml")
    cartera = recordar.cargar_cartera("cartera.xlsx", politica=politica)
    plan = recordar.planificar(cartera, politica, date(2026, 11, 23))
    ejecucion = recordar.ejecutar("cartera.xlsx", politica, simulacro=True)

Los nombres se importan al usarlos: `import recordar` no carga pandas, babel ni Jinja2.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["cargar_cartera", "cargar_politica", "ejecutar", "planificar", "__version__"]

if TYPE_CHECKING:
    from recordar.cartera import Cartera
    from recordar.ejecucion import Ejecucion
    from recordar.plan import Historial, Plan
    from recordar.politica import Politica


def cargar_politica(ruta: str | Path | None = None) -> Politica:
    """La política de un archivo YAML; sin ruta, ./politica.yaml o la predeterminada."""
    from recordar.politica import cargar_politica as cargar

    return cargar(ruta)


def cargar_cartera(
    ruta: str | Path, politica: Politica | None = None, hoja: str | None = None
) -> Cartera:
    """La cartera de una hoja (.xlsx, .xls, .ods, .csv…): facturas, contactos, omitidas,
    rechazos y avisos, leída con las columnas, el idioma y la moneda de la política."""
    from recordar.ejecucion import cargar

    return cargar(Path(ruta), politica or cargar_politica(None), hoja)


def planificar(
    cartera: Cartera,
    politica: Politica,
    fecha: date | None = None,
    historial: Historial | None = None,
    ahora: datetime | None = None,
) -> Plan:
    """Qué toca hoy: mensajes (sin generar), tareas y omitidas con su motivo. Puro: no lee ni
    escribe nada; `historial` es lo ya enviado (por omisión, nada)."""
    from recordar.canales import canales_disponibles
    from recordar.plan import planificar as planificar_plan

    return planificar_plan(
        cartera.facturas, cartera.contactos, politica, fecha or date.today(), historial,
        canales_disponibles(politica.canales), ahora,
    )  # fmt: skip


def ejecutar(
    cartera: str | Path,
    politica: Politica | None = None,
    *,
    simulacro: bool = True,
    fecha: date | None = None,
    bitacora: str | Path | None = None,
    **opciones: Any,
) -> Ejecucion:
    """Una ejecución completa, como `recordar enviar`: simulacro por omisión (no envía ni
    escribe nada); con `simulacro=False` envía por los canales de la política y lo anota en
    la bitácora. Devuelve la Ejecucion (cartera, plan con los mensajes generados, pagos
    detectados y, si se envió, el resultado). Errores: excepciones de recordar.errores."""
    from recordar.bitacora import ruta_predeterminada
    from recordar.ejecucion import Pedido
    from recordar.ejecucion import ejecutar as hacer

    politica = politica or cargar_politica(None)
    ruta = Path(bitacora) if bitacora is not None else ruta_predeterminada(politica.carpeta)
    pedido = Pedido(Path(cartera), politica, fecha or date.today(), ruta, simulacro=simulacro,
                    **opciones)  # fmt: skip
    return hacer(pedido)
