"""Sobre las tablas de la vista previa: el dinero de la corrida (lo abierto, lo vencido, lo que va
en los mensajes de hoy y la antigüedad por tramos, por moneda, de informe.cifras) y, debajo, las
facturas omitidas por nombre bajo su motivo.

En la terminal, una línea larga se parte solo entre piezas («abierto $1,234.00 (3 facturas)»
va entera); en un log, cada cosa va en una sola línea.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from rich.cells import cell_len

from recordar.cartera.valores import cantidad
from recordar.informe.cifras import Cifras
from recordar.informe.vista_tabla import SEPARADOR, recortar

NOMBRES_POR_MOTIVO = 8  # deudores nombrados bajo cada motivo; el resto, «… y N más»

_RE_FIN_DE_CLASE = re.compile(r": |; | \(|:$")


def lineas_de_dinero(cifras: Cifras, dinero) -> list[tuple[str, list[str]]]:
    """(rótulo, piezas) del resumen de dinero: dos líneas por moneda."""
    lineas = []
    varias = len(cifras.monedas) > 1
    for c in cifras.monedas:
        en = f" en {c.moneda}" if varias else ""
        abierto = [
            f"abierto {dinero(c.abierto.importe, c.moneda)} ({cantidad(c.abierto.facturas, 'factura')})",
            f"vencido {dinero(c.vencido.importe, c.moneda)} ({cantidad(c.vencido.facturas, 'factura')})",
            f"en los mensajes de hoy {dinero(c.en_mensajes.importe, c.moneda)} "
            f"({cantidad(c.en_mensajes.facturas, 'factura')})",
        ]
        lineas.append((f"Dinero{en}:", abierto))
        tramos = [
            f"{nombre}{'' if nombre == 'al corriente' else ' días'} "
            f"{dinero(s.importe, c.moneda)} ({s.facturas})"
            for nombre, s in c.antiguedad.items()
        ]
        lineas.append((f"Antigüedad{en}:", tramos))
    return lineas


def envolver(
    rotulo: str, piezas: list[str], ancho: int | None, sangria: str = "  "
) -> Iterator[str]:
    """El rótulo y las piezas unidas con « · »; con `ancho`, en líneas de ese ancho partidas solo
    entre piezas (una pieza que no cabe ni sola se corta con «…»). Sin `ancho`, una línea."""
    if ancho is None:
        yield f"{rotulo} {SEPARADOR.join(piezas)}".strip()
        return
    linea, en_linea = (f"{rotulo} " if rotulo else ""), 0
    for pieza in piezas:
        candidata = linea + (SEPARADOR if en_linea else "") + pieza
        if cell_len(candidata) <= ancho:
            linea, en_linea = candidata, en_linea + 1
            continue
        if linea.strip():
            yield linea.rstrip()
        linea, en_linea = recortar(sangria + pieza, ancho), 1
    if linea.strip():
        yield linea.rstrip()


def clase_de_motivo(motivo: str) -> str:
    """«día no hábil (domingo); elegible desde 2026-12-07 07:00 (…)» → «día no hábil»: se corta
    en «: », «; » o « (», nunca en los «:» de una hora."""
    return _RE_FIN_DE_CLASE.split(motivo, maxsplit=1)[0]


def omitidas_por_motivo(omitidas: Iterable) -> dict[str, dict[str, list[str]]]:
    """motivo → cliente → números de factura, los motivos de más a menos facturas."""
    grupos: dict[str, dict[str, list[str]]] = {}
    clases: dict[str, str] = {}  # muchos motivos se repiten tal cual («saldo 0», «pagada…»)
    for o in omitidas:
        clase = clases.get(o.motivo)
        if clase is None:
            clase = clases[o.motivo] = clase_de_motivo(o.motivo)
        clientes = grupos.get(clase)
        if clientes is None:
            clientes = grupos[clase] = {}
        numeros = clientes.get(o.cliente)
        if numeros is None:
            numeros = clientes[o.cliente] = []
        numeros.append(o.factura)
    return dict(sorted(grupos.items(), key=lambda kv: -sum(map(len, kv[1].values()))))


def lineas_de_omitidas(omitidas: list, ancho: int | None, grupos: dict) -> Iterator[str]:
    """«Omitidas (13):» y, bajo cada motivo (`grupos`, de `omitidas_por_motivo`), los deudores
    por nombre con sus facturas."""
    if not omitidas:
        return
    yield f"Omitidas ({len(omitidas)}):"
    for motivo, clientes in grupos.items():
        facturas = sum(map(len, clientes.values()))
        piezas = [f"{cliente or '?'} ({', '.join(numeros)})" for cliente, numeros in
                  list(clientes.items())[:NOMBRES_POR_MOTIVO]]  # fmt: skip
        if len(clientes) > NOMBRES_POR_MOTIVO:
            piezas.append(f"… y {len(clientes) - NOMBRES_POR_MOTIVO} más; ver --salida")
        rotulo = f"  {motivo} ({cantidad(facturas, 'factura')}):"
        yield from envolver(rotulo, piezas, ancho, sangria="    ")
