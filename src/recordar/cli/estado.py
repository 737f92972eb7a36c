"""`recordar estado`: si llegó lo enviado (Twilio por su API, Meta por un archivo) → bitácora."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Annotated

import typer

from recordar.cli.comun import (
    OpcionBitacora,
    OpcionHoy,
    OpcionPolitica,
    _consola,
    _ejecutar,
    _momento,
    _ruta_bitacora,
)
from recordar.errores import RecordarError


def estado(
    archivo: Annotated[
        Path | None,
        typer.Option(
            "--archivo",
            "-a",
            metavar="RUTA",
            help="JSON con los «statuses» del webhook de WhatsApp Cloud (Meta) en lugar de "
            "consultar a Twilio.",
            readable=False,
        ),
    ] = None,
    dias: Annotated[
        int,
        typer.Option(
            "--dias", min=1, metavar="N", help="Consulta lo enviado en los últimos N días."
        ),
    ] = 7,
    politica: OpcionPolitica = None,
    bitacora: OpcionBitacora = None,
    hoy: OpcionHoy = None,
) -> None:
    """Consulta si llegaron los SMS y WhatsApp enviados y lo anota en la bitácora; lo no
    entregado se reenvía en el próximo envío."""
    _ejecutar(_estado, archivo, dias, politica, bitacora, hoy)


def _estado(archivo, dias, politica_ruta, bitacora_ruta, hoy) -> None:
    from recordar.bitacora import Bitacora
    from recordar.entrega import anotar_archivo, consultar_entregas
    from recordar.politica.politica import cargar_politica

    politica = cargar_politica(politica_ruta)
    ruta = _ruta_bitacora(bitacora_ruta, politica)
    if not ruta.exists():
        raise RecordarError(
            f"{ruta}: la bitácora no existe, así que no hay envíos cuyo estado consultar; indica "
            "la de tus envíos con --bitacora o --politica"
        )
    if archivo is not None:
        with Bitacora.abrir_escritura(ruta) as b:
            resultado = anotar_archivo(b, archivo)
    else:
        rutas = _canales(politica)
        fecha, _ = _momento(hoy, politica.zona_horaria)
        try:
            with Bitacora.abrir_escritura(ruta) as b:
                resultado = consultar_entregas(b, rutas, fecha - timedelta(days=dias))
        finally:
            for canal in {id(c): c for c in rutas.values()}.values():
                canal.cerrar()
    _mostrar(resultado, ruta, archivo)
    if resultado.con_problemas:
        raise typer.Exit(1)


def _canales(politica) -> dict:
    from recordar.canales import configurar_canales

    config = {n: a for n, a in politica.canales.items() if n in ("sms", "whatsapp")}
    if not config:
        raise RecordarError(
            f"{politica.nombre}: no hay canales sms ni whatsapp en «canales:»; la entrega se "
            "consulta en el proveedor que envió (Twilio) o con --archivo (Meta)"
        )
    rutas = configurar_canales(config, politica.carpeta)
    return {c: rutas[c] for c in ("sms", "whatsapp") if c in rutas}


def _mostrar(resultado, ruta: Path, archivo: Path | None) -> None:
    consola, errores = _consola(), _consola(error=True)
    origen = f"archivo {archivo}" if archivo is not None else "consulta al proveedor"
    consola.print(
        f"Estado de entrega ({origen}) · bitácora {ruta}: {resultado.consultados} mensajes; "
        f"entregados {resultado.entregados}, en camino {resultado.en_camino}, no entregados "
        f"{len(resultado.no_entregados)}",
        markup=False,
    )
    for n in resultado.no_entregados:
        e = n.envio
        consola.print(f"  {e.cliente} · {e.canal} · {e.paso}: {n.estado.estado}"
                      + (f" (código {n.estado.codigo})" if n.estado.codigo else "")
                      + f": {n.que_pasa}", markup=False)  # fmt: skip
    if resultado.fuera_de_la_bitacora:
        consola.print(f"  {resultado.fuera_de_la_bitacora} estados del archivo son de mensajes "
                      "que no están en esta bitácora (no se tocó nada)", markup=False)  # fmt: skip
    for motivo in resultado.sin_consulta.values():
        consola.print(f"  nota: {motivo}", markup=False)
    for error in resultado.errores:
        errores.print(f"error: {error}", markup=False)
