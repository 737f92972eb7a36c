"""`recordar resultados`: lo que consiguió la cobranza, leído de la bitácora."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from recordar.cli.comun import (
    OpcionBitacora,
    OpcionPolitica,
    _avisar_si_otra_bitacora,
    _consola,
    _ejecutar,
    _fecha,
    _ruta_bitacora,
)


def resultados(
    desde: Annotated[
        str | None,
        typer.Option(
            "--desde",
            help="Desde esta fecha (por omisión, 90 días antes de --hasta).",
            metavar="AAAA-MM-DD",
        ),
    ] = None,
    hasta: Annotated[
        str | None,
        typer.Option(
            "--hasta", help="Hasta esta fecha, incluida (por omisión, hoy).", metavar="AAAA-MM-DD"
        ),
    ] = None,
    cliente: Annotated[
        str | None,
        typer.Option(
            "--cliente", metavar="TEXTO", help="Solo este cliente (coincidencia parcial)."
        ),
    ] = None,
    moneda: Annotated[
        str | None,
        typer.Option(
            "--moneda",
            metavar="XXX",
            help="Cifras en esta moneda (por omisión, la de la política); las demás no se suman.",
        ),
    ] = None,
    salida: Annotated[
        Path | None,
        typer.Option(
            "--salida",
            "-o",
            metavar="RUTA",
            help="Escribe también los resultados: .html, .xlsx, .json o .csv.",
            readable=False,
        ),
    ] = None,
    politica: OpcionPolitica = None,
    bitacora: OpcionBitacora = None,
) -> None:
    """Qué consiguió la cobranza: lo recuperado, en cuánto se paga y qué pasos y canales funcionan."""
    _ejecutar(_resultados, desde, hasta, cliente, moneda, salida, politica, bitacora)


def _resultados(desde, hasta, cliente, moneda, salida, politica_ruta, bitacora_ruta) -> None:
    from recordar.politica.politica import cargar_politica
    from recordar.resultados import calcular_resultados
    from recordar.resultados_salida import Escritura, escribir_resultados, imprimir

    politica = cargar_politica(politica_ruta)
    ruta = _ruta_bitacora(bitacora_ruta, politica)
    _avisar_si_otra_bitacora(ruta)
    fecha_desde = _fecha(desde, "--desde") if desde else None
    fecha_hasta = _fecha(hasta, "--hasta") if hasta else None
    r = calcular_resultados(ruta, fecha_desde, fecha_hasta, cliente, moneda, politica.moneda)
    escritura = Escritura(politica.idioma, r.moneda)
    consola = _consola()
    imprimir(r, escritura, consola)
    if salida is not None:
        escrito = escribir_resultados(salida, r, escritura)
        consola.print(f"\nResultados escritos en {escrito}", markup=False, soft_wrap=True)
