"""`recordar programar`: instalar, ver y quitar un envío real que se repite."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from recordar.cli.comun import OpcionHoja, OpcionPolitica, _consola, _ejecutar
from recordar.errores import RecordarError


def programar(
    cartera: Annotated[
        Path | None,
        typer.Argument(
            metavar="CARTERA",
            help="Hoja de la cartera que se enviará cada vez.",
            show_default=False,
            readable=False,
        ),  # fmt: skip
    ] = None,
    politica: OpcionPolitica = None,
    cada: Annotated[
        str,
        typer.Option("--cada", metavar="dia|hora|lunes-a-viernes", help="Cada cuánto se envía."),
    ] = "dia",
    hora: Annotated[
        str,
        typer.Option("--hora", metavar="HH:MM", help="A qué hora (con --cada hora, el minuto)."),
    ] = "09:30",
    bitacora: Annotated[
        Path | None,
        typer.Option(
            "--bitacora",
            metavar="RUTA",
            help="Bitácora a usar (por omisión, la del envío).",
            show_default=False,
            readable=False,
        ),  # fmt: skip
    ] = None,
    hoja: OpcionHoja = None,
    ver: Annotated[
        bool, typer.Option("--ver", help="Muestra lo programado y no instala nada.")
    ] = False,
    quitar: Annotated[
        bool, typer.Option("--quitar", help="Quita lo programado para esta cartera.")
    ] = False,
    registro: Annotated[
        Path | None,
        typer.Option(
            "--registro",
            hidden=True,
            readable=False,
            help="Con --ahora: el registro que dijo la instalación.",
        ),  # fmt: skip
    ] = None,
    ahora: Annotated[
        bool,
        typer.Option(
            "--ahora",
            help="Envía ya, como lo hará el programador, con la salida en su "
            "registro (es la orden que se instala).",
        ),  # fmt: skip
    ] = False,
) -> None:
    """Programa un envío real que se repite con el programador del sistema (cron, launchd o el Programador de tareas de Windows)."""
    codigo = _ejecutar(
        _programar, cartera, politica, cada, hora, bitacora, hoja, ver, quitar, ahora, registro
    )
    if codigo:
        raise typer.Exit(codigo)


def _programar(
    cartera, politica_ruta, cada, hora, bitacora, hoja, ver, quitar, ahora, registro=None
) -> int:
    from recordar import programar as prog

    consola = _consola()
    if ver:
        instalados = prog.ver()
        if not instalados:
            consola.print("No hay envíos programados de recordar.")
        for nombre, que in instalados:
            consola.print(f"{nombre}: {que}", markup=False, soft_wrap=True)
        return 0
    if cartera is None:
        raise RecordarError("falta CARTERA: indica la hoja de la cartera (o usa --ver)")
    if quitar:
        if prog.quitar(cartera):
            consola.print(f"Quitado el envío programado de {cartera}.", markup=False)
            return 0
        consola.print(f"No había ningún envío programado de {cartera}.", markup=False)
        return 1
    if ahora:
        if politica_ruta is None:
            raise RecordarError("--ahora: falta --politica (la orden instalada siempre la lleva)")
        return prog.ejecutar_ahora(cartera, politica_ruta, bitacora, hoja=hoja, registro=registro)
    return _instalar(consola, prog, cartera, politica_ruta, cada, hora, bitacora, hoja)


def _instalar(consola, prog, cartera, politica_ruta, cada, hora, bitacora, hoja) -> int:
    p = prog.revisar_y_preparar(cartera, politica_ruta, cada, hora, bitacora=bitacora, hoja=hoja)
    donde = prog.instalar(p)
    consola.print(f"Programado: recordar enviar {p.cartera} {p.cuando()} ({donde}).", markup=False)
    consola.print(f"  Orden: {' '.join(p.orden)}", markup=False, soft_wrap=True)
    consola.print(f"  Registro: {p.registro} (se gira al pasar de 1 MiB)", markup=False)
    if p.variables:
        consola.print(
            f"  Variables de entorno que necesita (el programador no ve las de esta terminal): "
            f"{', '.join(p.variables)}; {_como_definirlas(p.sistema)}",
            markup=False,
        )
    consola.print("  Para verlo: recordar programar --ver · para quitarlo: recordar programar "
                  f"{p.cartera} --quitar", markup=False)  # fmt: skip
    return 0


def _como_definirlas(sistema: str) -> str:
    if sistema == "win32":
        return "defínelas con «setx NOMBRE valor» (una vez; valen para las tareas)"
    if sistema == "darwin":
        return "defínelas con «launchctl setenv NOMBRE valor» (hasta reiniciar la sesión)"
    return "añade «NOMBRE=valor» al principio de tu crontab con «crontab -e»"
