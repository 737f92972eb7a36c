"""El interés moratorio de una factura (interés simple diario y compensación fija). Sin E/S."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from recordar.politica.politica import InteresMoratorio

CENTAVO = Decimal("0.01")
CERO = Decimal(0)
CIEN = Decimal(100)
ANIO = Decimal(365)


def calcular_interes(
    monto: Decimal, dias_vencido: int, regla: InteresMoratorio, vencimiento: date | None = None
) -> tuple[Decimal, Decimal]:
    """(interés simple diario, compensación fija) de una factura a `dias_vencido` días."""
    tasa = _tasa(dias_vencido, regla, vencimiento)
    if tasa is None:
        return CERO, CERO
    return _interes(monto, tasa, dias_vencido), regla.compensacion


def _tasa(dias_vencido: int, regla: InteresMoratorio, vencimiento: date | None) -> Decimal | None:
    """La tasa anual que corre a `dias_vencido` días, o None si aún no se cobra interés."""
    if dias_vencido <= 0 or dias_vencido < regla.desde_dias:
        return None
    return regla.tasa_para(vencimiento) if vencimiento else regla.tasa_anual


def _interes(monto: Decimal, tasa: Decimal, dias_vencido: int) -> Decimal:
    # Con CIEN y ANIO da lo mismo que con 100 y 365 (se convierten exactos), sin convertirlos.
    return (monto * tasa / CIEN * dias_vencido / ANIO).quantize(CENTAVO, ROUND_HALF_UP)
