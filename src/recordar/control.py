"""El control de cobro de una factura: disputa, pausa y promesa de pago vigente, y los avisos de
promesa incumplida que el deudor ya recibió. Sin E/S.

`dia` es el _Dia de plan.py (lo común a todos los deudores); va sin anotar porque este módulo
está debajo de plan y no lo importa."""

from __future__ import annotations

from datetime import date

from recordar.cartera.carga import Factura
from recordar.destinos import ORDEN_RESPALDO


def _control(factura: Factura, hoy: date) -> str | None:
    """Por qué una factura no se cobra hoy aunque toque: disputa, pausa, promesa vigente."""
    if factura.disputa:
        return "en disputa: no se cobra mientras siga en disputa"
    if factura.pausa_hasta is not None and factura.pausa_hasta >= hoy:
        return f"pausada hasta el {factura.pausa_hasta.isoformat()}"
    if factura.promesa_pago is not None and factura.promesa_pago >= hoy:
        return f"promesa vigente: pagará a más tardar el {factura.promesa_pago.isoformat()}"
    return None


def _promesas_avisadas(dia, facturas: list[Factura]) -> set[str]:
    """Los avisos de promesa incumplida que el deudor ya recibió (por cualquier factura)."""
    return {
        paso
        for f in facturas
        if f.promesa_pago is not None
        for canal in ORDEN_RESPALDO
        for paso in dia.historial.enviados.get((f.numero, canal), ())
        if "@" in paso
    }
