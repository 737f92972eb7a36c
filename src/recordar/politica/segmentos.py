"""Tono por deudor: elegir su segmento y adaptar el intervalo de seguimiento a cómo paga."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from recordar.cartera.valores import normalizar, numero_de_condicion, partir_condicion
from recordar.politica.politica import Cadencia, Paso, Segmento

RAPIDO = 3  # días tras un aviso: quien paga así recibe seguimientos más espaciados
LENTO = 10  # y quien tarda esto o más, más frecuentes


@dataclass(frozen=True, slots=True)
class Comportamiento:
    """Cómo ha pagado un deudor, según los pagos detectados en la bitácora."""

    pagos: int
    dias_tras_aviso: float | None  # promedio de días entre el último aviso y el pago
    dias_tarde: float | None  # promedio de días de atraso al pagar


def variables_de_deudor(extras: dict[str, Any], total: Decimal, dias_vencido: int,
                        comportamiento: Comportamiento | None) -> dict[str, Any]:  # fmt: skip
    """Lo que pueden mirar las condiciones de un segmento."""
    variables = {normalizar(k).replace(" ", "_"): v for k, v in extras.items()}
    variables.update(monto=total, total=total, dias_vencido=dias_vencido)
    if comportamiento is not None:
        variables.update(
            pagos=comportamiento.pagos,
            dias_tras_aviso=comportamiento.dias_tras_aviso,
            dias_tarde=comportamiento.dias_tarde,
        )
    else:
        variables.update(pagos=0)
    return variables


def elegir_segmento(segmentos: list[Segmento], variables: dict[str, Any]) -> Segmento | None:
    """El primer segmento cuyas condiciones se cumplen todas."""
    for segmento in segmentos:
        if all(cumple(variables.get(normalizar(col).replace(" ", "_")), cond)
               for col, cond in segmento.condiciones.items()):  # fmt: skip
            return segmento
    return None


def cumple(valor: Any, condicion: str) -> bool:
    """`habitual`, `>= 50000`, `!= contado`, `< 5`: sin mayúsculas ni acentos para textos."""
    operador, esperado = partir_condicion(condicion)
    if valor is None or valor == "":
        return operador == "!=" and esperado != ""
    a, b = numero_de_condicion(valor), numero_de_condicion(esperado)
    if a is not None and b is not None:
        return {">=": a >= b, "<=": a <= b, ">": a > b, "<": a < b, "!=": a != b, "=": a == b}[
            operador
        ]
    if operador in ("=", "!="):
        igual = normalizar(valor) == normalizar(esperado)
        return igual if operador == "=" else not igual
    return False


def intervalo_adaptado(cadencia: Cadencia | None, pasos: list[Paso],
                       comportamiento: Comportamiento | None) -> tuple[int | None, str]:  # fmt: skip
    """(intervalo de repetición para este deudor, explicación) o (None, "") si no se adapta."""
    if cadencia is None or comportamiento is None or comportamiento.dias_tras_aviso is None:
        return None, ""
    base = next((p.repetir_cada for p in pasos if p.repetir_cada), None)
    if base is None:
        return None, ""
    tras = comportamiento.dias_tras_aviso
    if tras <= RAPIDO:
        intervalo = cadencia.max_intervalo
    elif tras >= LENTO:
        intervalo = cadencia.min_intervalo
    else:
        intervalo = min(max(base, cadencia.min_intervalo), cadencia.max_intervalo)
    nota = (f"intervalo {intervalo} d: suele pagar {tras:.0f} d después del último aviso "
            f"({comportamiento.pagos} pago{'s' if comportamiento.pagos != 1 else ''} registrado"
            f"{'s' if comportamiento.pagos != 1 else ''})")  # fmt: skip
    return intervalo, nota
