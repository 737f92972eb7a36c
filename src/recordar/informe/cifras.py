"""Las cifras de dinero de una corrida: lo abierto, lo vencido, lo que va en los mensajes de hoy,
la antigüedad por tramos, lo vencido por paso de la política y los deudores que más deben.

Lo usan la vista previa (el resumen sobre las tablas), el informe html (tarjetas y gráficas) y
el xlsx (hoja «Resumen»): las tres dicen lo mismo porque salen de aquí. Puro: sin E/S.

Cada moneda se suma aparte (no se suman pesos con dólares); la de la política va primero.
"""

from __future__ import annotations

import gc
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from recordar.cartera.carga import Cartera
from recordar.plan import Plan

# Tramos de antigüedad: (nombre, días de atraso desde, hasta); «al corriente» = aún no vence.
TRAMOS: tuple[tuple[str, int, int | None], ...] = (
    ("al corriente", -(10**9), 0),
    ("1–30", 1, 30),
    ("31–60", 31, 60),
    ("61–90", 61, 90),
    ("más de 90", 91, None),
)
PRINCIPALES = 10  # deudores en «los que más deben»


@dataclass(slots=True)
class Suma:
    """Un importe y cuántas facturas lo forman."""

    importe: Decimal = Decimal(0)
    facturas: int = 0

    def sumar(self, monto: Decimal) -> None:
        self.importe += monto
        self.facturas += 1


@dataclass(slots=True)
class Deudor:
    """Un deudor en «los que más deben»: su vencido, cuántas facturas y su mayor atraso."""

    cliente: str
    vencido: Decimal
    facturas: int
    dias: int


@dataclass(slots=True)
class CifrasMoneda:
    moneda: str
    abierto: Suma = field(default_factory=Suma)
    vencido: Suma = field(default_factory=Suma)
    en_mensajes: Suma = field(default_factory=Suma)  # facturas en los mensajes de hoy
    en_tareas: Suma = field(default_factory=Suma)
    promesas: Suma = field(default_factory=Suma)  # con promesa de pago vigente (hoy o después)
    disputa: Suma = field(default_factory=Suma)
    # nombre del tramo → suma, en el orden de TRAMOS (todos presentes, aunque estén en cero).
    antiguedad: dict[str, Suma] = field(default_factory=dict)
    # id del paso → vencido: el paso de su mensaje o tarea de hoy, o el último que ya le tocó.
    por_paso: dict[str, Suma] = field(default_factory=dict)
    principales: list[Deudor] = field(default_factory=list)  # por vencido, de mayor a menor
    deudores: int = 0
    deudores_vencidos: int = 0

    @property
    def porcentaje_vencido(self) -> Decimal:
        """Qué parte de lo abierto está vencida, en % con un decimal (0 si no hay nada abierto)."""
        if not self.abierto.importe:
            return Decimal(0)
        return (self.vencido.importe * 100 / self.abierto.importe).quantize(Decimal("0.1"))


@dataclass(slots=True)
class Cifras:
    fecha: date
    monedas: list[CifrasMoneda]  # la moneda de la política primero, luego por importe abierto
    mensajes: int
    tareas: int

    def de(self, moneda: str) -> CifrasMoneda | None:
        return next((c for c in self.monedas if c.moneda == moneda), None)


def tramo_de(dias: int) -> str:
    """El nombre del tramo de antigüedad de una factura con `dias` de atraso (≤ 0: al corriente)."""
    for nombre, desde, hasta in TRAMOS:
        if dias >= desde and (hasta is None or dias <= hasta):
            return nombre
    raise AssertionError(dias)  # los tramos cubren todos los enteros


# La última llamada: la vista previa y el informe de una misma corrida piden las mismas cifras
# (con 100 000 facturas, ~0,4 s cada vez). Se comparan los objetos mismos, no sus id.
_ultima: tuple = (None, None, None, None)


def calcular(cartera: Cartera, plan: Plan, politica=None) -> Cifras:
    """Las cifras de la cartera en la fecha del plan.

    `politica` (opcional) da el paso de las facturas vencidas que hoy no van en ningún mensaje
    ni tarea: el último cuyo día ya pasó (sin ella, van en «sin paso hoy»).
    """
    global _ultima
    c, p, po, cifras = _ultima
    if c is cartera and p is plan and po is politica and cifras.mensajes == len(plan.mensajes):
        return cifras
    # Sin el recolector cíclico mientras se suman 100 000 facturas con la cartera y el plan en
    # memoria: sus pasadas completas costaban ~0,2 s de los ~0,5 s (como en informe.archivos).
    recolector = gc.isenabled()
    gc.disable()
    try:
        cifras = _calcular(cartera, plan, politica)
    finally:
        if recolector:
            gc.enable()
    _ultima = (cartera, plan, politica, cifras)
    return cifras


def _calcular(cartera: Cartera, plan: Plan, politica) -> Cifras:
    hoy = plan.fecha
    paso_hoy: dict[str, str] = {}
    en_mensajes: set[str] = set()
    en_tareas: set[str] = set()
    for grupos, destino in ((plan.tareas, en_tareas), (plan.mensajes, en_mensajes)):
        for grupo in grupos:
            for linea in grupo.lineas:
                numero = linea.factura.numero
                destino.add(numero)
                paso_hoy[numero] = (linea.propia or linea.ocurrencia).paso.id
    pasos = sorted(
        (p for p in (politica.pasos if politica else []) if p.dias > 0), key=lambda p: p.dias
    )

    por_moneda: dict[str, CifrasMoneda] = {}
    # deudor → (cliente, vencido, facturas vencidas, mayor atraso), por moneda
    deudores: dict[str, dict[str, list]] = {}
    dias_de: dict[date, tuple[int, str]] = {}  # vencimiento → (días de atraso, tramo)
    paso_de_dias: dict[int, str] = {}
    for f in cartera.facturas:
        c = por_moneda.get(f.moneda)
        if c is None:
            c = por_moneda[f.moneda] = CifrasMoneda(
                f.moneda, antiguedad={nombre: Suma() for nombre, _, _ in TRAMOS}
            )
            deudores[f.moneda] = {}
        atraso = dias_de.get(f.vencimiento)
        if atraso is None:
            dias = (hoy - f.vencimiento).days
            atraso = dias_de[f.vencimiento] = (dias, tramo_de(dias))
        dias, tramo = atraso
        monto = f.monto
        c.abierto.sumar(monto)
        c.antiguedad[tramo].sumar(monto)
        if f.numero in en_mensajes:
            c.en_mensajes.sumar(monto)
        if f.numero in en_tareas:
            c.en_tareas.sumar(monto)
        if f.promesa_pago is not None and f.promesa_pago >= hoy:
            c.promesas.sumar(monto)
        if f.disputa:
            c.disputa.sumar(monto)
        deudor = deudores[f.moneda].get(f.deudor)
        if deudor is None:
            deudor = deudores[f.moneda][f.deudor] = [f.cliente, Decimal(0), 0, dias]
        if dias > 0:
            c.vencido.sumar(monto)
            paso = paso_hoy.get(f.numero)
            if paso is None:
                paso = paso_de_dias.get(dias)
                if paso is None:
                    anteriores = [p.id for p in pasos if p.dias <= dias]
                    paso = paso_de_dias[dias] = anteriores[-1] if anteriores else "sin paso hoy"
            suma = c.por_paso.get(paso)
            if suma is None:
                suma = c.por_paso[paso] = Suma()
            suma.sumar(monto)
            deudor[1] += monto
            deudor[2] += 1
            deudor[3] = max(deudor[3], dias)

    monedas = list(por_moneda.values())
    orden = {p.id: i for i, p in enumerate(politica.pasos)} if politica else {}
    for c in monedas:
        lista = deudores[c.moneda].values()
        c.deudores = len(lista)
        vencidos = [Deudor(*d) for d in lista if d[2]]
        c.deudores_vencidos = len(vencidos)
        vencidos.sort(key=lambda d: (-d.vencido, d.cliente))
        c.principales = vencidos[:PRINCIPALES]
        c.por_paso = dict(
            sorted(c.por_paso.items(), key=lambda kv: (orden.get(kv[0], len(orden)), kv[0]))
        )
    propia = politica.moneda if politica else None
    monedas.sort(key=lambda c: (c.moneda != propia, -c.abierto.importe, c.moneda))
    return Cifras(hoy, monedas, mensajes=len(plan.mensajes), tareas=len(plan.tareas))


def a_dict(cifras: Cifras) -> dict:
    """Las cifras para el informe (JSON y los demás formatos): importes como números, los tramos
    y pasos en su orden."""
    from recordar.informe.archivos import _num

    def suma(s: Suma) -> dict:
        return {"importe": _num(s.importe), "facturas": s.facturas}

    return {
        "fecha": cifras.fecha.isoformat(),
        "mensajes": cifras.mensajes,
        "tareas": cifras.tareas,
        "monedas": [
            {
                "moneda": c.moneda,
                "abierto": suma(c.abierto),
                "vencido": suma(c.vencido),
                "porcentaje_vencido": float(c.porcentaje_vencido),
                "en_mensajes": suma(c.en_mensajes),
                "en_tareas": suma(c.en_tareas),
                "promesas": suma(c.promesas),
                "disputa": suma(c.disputa),
                "deudores": c.deudores,
                "deudores_vencidos": c.deudores_vencidos,
                "antiguedad": [dict(tramo=k, **suma(v)) for k, v in c.antiguedad.items()],
                "por_paso": [dict(paso=k, **suma(v)) for k, v in c.por_paso.items()],
                "principales": [
                    {
                        "cliente": d.cliente,
                        "vencido": _num(d.vencido),
                        "facturas": d.facturas,
                        "dias": d.dias,
                    }
                    for d in c.principales
                ],  # fmt: skip
            }
            for c in cifras.monedas
        ],
    }
