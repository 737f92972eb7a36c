"""Lo que comparten las órdenes de la CLI: la app de Typer, las opciones comunes, la consola y
el único sitio donde los errores se vuelven códigos de salida."""

from __future__ import annotations

import os
import re
from datetime import date, datetime, time
from pathlib import Path
from typing import Annotated

import typer

from recordar.cli.espanol import en_espanol
from recordar.errores import RecordarError

en_espanol()

app = typer.Typer(
    name="recordar",
    options_metavar="[OPCIONES]",
    subcommand_metavar="ORDEN [ARGUMENTOS]...",
    help="Recordatorios de cobranza escalonados a partir de tu cartera en Excel, ODS o CSV.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

OpcionPolitica = Annotated[
    Path | None,
    typer.Option(
        "--politica",
        "-p",
        metavar="RUTA",
        help="Política YAML (por omisión ./politica.yaml o la predeterminada).",
        readable=False,
    ),
]
OpcionHoja = Annotated[
    str | None,
    typer.Option(
        "--hoja",
        metavar="NOMBRE",
        help="Hoja del libro a leer (por omisión, la que tenga encabezados reconocibles).",
    ),
]
OpcionHoy = Annotated[
    str | None,
    typer.Option(
        "--hoy",
        help="Fecha de la ejecución, AAAA-MM-DD o DD/MM/AAAA (por omisión, hoy).",
        metavar="AAAA-MM-DD",
    ),
]


def _depurar() -> bool:
    return os.environ.get("RECORDAR_DEPURAR", "") not in ("", "0")


def _consola(error: bool = False):
    """La consola de rich: color y cajas solo en una terminal (y sin color con NO_COLOR); en un
    archivo o una tubería, texto llano sin cortes de línea añadidos, para grep.

    El ancho es el de la terminal, o COLUMNS, o RECORDAR_ANCHO si se da (80 en un archivo)."""
    from rich.console import Console

    ancho = os.environ.get("RECORDAR_ANCHO")
    consola = Console(stderr=error, width=int(ancho) if ancho else None, highlight=False,
                      soft_wrap=False)  # fmt: skip
    if not consola.is_terminal:
        consola.soft_wrap = True
        consola.no_color = True
    return consola


def _fallar(mensaje: str, codigo: int = 2) -> None:
    _consola(error=True).print(f"[red]error:[/red] {mensaje}", markup=True, highlight=False)
    raise typer.Exit(codigo)


def _ejecutar(funcion, *args, **kwargs):
    """El único sitio donde los errores se vuelven códigos de salida."""
    try:
        return funcion(*args, **kwargs)
    except typer.Exit:
        raise
    except RecordarError as exc:
        if _depurar():
            raise
        _fallar(exc.mensaje, exc.codigo_salida)
    except KeyboardInterrupt:
        _fallar("interrumpido por el usuario", 130)
    except Exception as exc:
        if _depurar() or "PYTEST_CURRENT_TEST" in os.environ:
            raise
        _fallar(
            f"error inesperado ({type(exc).__name__}: {exc}); vuelve a ejecutar con "
            "RECORDAR_DEPURAR=1 para ver el detalle y repórtalo",
            1,
        )


_FECHA_DIA_PRIMERO = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")


def _fecha(valor: str | None, opcion: str = "--hoy") -> date:
    """AAAA-MM-DD o, como se escribe en español, DD/MM/AAAA (también con - o .)."""
    if valor is None:
        return date.today()
    valor = valor.strip()
    try:
        return date.fromisoformat(valor)
    except ValueError:
        pass
    partes = _FECHA_DIA_PRIMERO.fullmatch(valor)
    try:
        if partes is None:
            raise ValueError
        dia, mes, anio = map(int, partes.groups())
        return date(anio, mes, dia)
    except ValueError:
        raise RecordarError(
            f"{opcion}: «{valor}» no es una fecha AAAA-MM-DD ni DD/MM/AAAA "
            "(p. ej. 2026-11-23 o 23/11/2026)"
        ) from None


def _momento(hoy: str | None, zona_politica: str) -> tuple[date, datetime | None]:
    """(fecha del plan, momento con zona para el horario) de --hoy AAAA-MM-DD[THH:MM] o de ahora.

    Con solo una fecha distinta de hoy no hay hora: cuentan los días hábiles, no el horario.
    """
    from recordar.politica.calendario import zona

    tz = zona(zona_politica)
    if hoy is None:
        ahora = datetime.now(tz)
        return ahora.date(), ahora
    if "T" in hoy or " " in hoy.strip():
        try:
            momento = datetime.fromisoformat(hoy.strip())
        except ValueError:
            momento = _momento_dia_primero(hoy)
        momento = momento if momento.tzinfo else momento.replace(tzinfo=tz)
        return momento.astimezone(tz).date(), momento
    fecha = _fecha(hoy)
    ahora = datetime.now(tz)
    return fecha, (ahora if fecha == ahora.date() else None)


def _momento_dia_primero(hoy: str) -> datetime:
    """«DD/MM/AAAA HH:MM» (o con T); RecordarError si tampoco es eso."""
    fecha, _, hora = hoy.strip().replace("T", " ", 1).partition(" ")
    try:
        return datetime.combine(_fecha(fecha), time.fromisoformat(hora.strip()))
    except (RecordarError, ValueError):
        raise RecordarError(
            f"--hoy: «{hoy}» no es AAAA-MM-DD ni AAAA-MM-DDTHH:MM (ni DD/MM/AAAA HH:MM)"
        ) from None


def _ruta_bitacora(bitacora: Path | None, politica) -> Path:
    from recordar.bitacora import NOMBRE_ARCHIVO, ruta_predeterminada

    ruta = bitacora if bitacora is not None else ruta_predeterminada(politica.carpeta)
    if ruta.is_dir():
        raise RecordarError(
            f"{ruta}: la bitácora debe ser un archivo y es una carpeta; indica un archivo con "
            f"--bitacora o RECORDAR_BITACORA (p. ej. {ruta / NOMBRE_ARCHIVO})"
        )
    return ruta


def _avisar_si_otra_bitacora(ruta: Path) -> None:
    """Si la bitácora encontrada no existe y un envío real reciente usó otra, lo dice (stderr)."""
    from recordar.recientes import pista

    if texto := pista(ruta):
        _consola(error=True).print(texto, markup=False)


def _exigir_bitacora_conocida(ruta: Path, bitacora_ruta, politica_ruta) -> None:
    """Anotar una baja en una bitácora nueva del sitio predeterminado cuando los envíos usan otra
    sería una baja que nadie respeta: sin --bitacora ni --politica, se niega y dice cuál."""
    from recordar.recientes import pista

    elegida = (
        bitacora_ruta is not None
        or politica_ruta is not None
        or os.environ.get("RECORDAR_BITACORA")
    )
    if not elegida and (texto := pista(ruta)):
        raise RecordarError(
            texto.removeprefix("aviso: ") + " (o con --bitacora " + str(ruta) + " para crearla ahí)"
        )


OpcionBitacora = Annotated[
    Path | None,
    typer.Option(
        "--bitacora",
        metavar="RUTA",
        help="Bitácora SQLite (por omisión junto a la política, o RECORDAR_BITACORA).",
        show_default=False,
        readable=False,
    ),
]


@app.callback(invoke_without_command=True)
def _principal(
    version: Annotated[
        bool, typer.Option("--version", help="Muestra la versión y termina.")
    ] = False,
) -> None:
    if version:
        from recordar import __version__

        typer.echo(f"recordar {__version__}")
        raise typer.Exit(0)
