"""CLI de recordar (Typer): opciones → biblioteca → salida y código de salida. Nada más."""

from __future__ import annotations

import os
import sys
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from recordar.errores import RecordarError

app = typer.Typer(
    name="recordar",
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
        "--politica", "-p", help="Política YAML (por omisión ./politica.yaml o la predeterminada)."
    ),
]
OpcionHoja = Annotated[
    str | None,
    typer.Option(
        "--hoja", help="Hoja del libro a leer (por omisión, la que tenga encabezados reconocibles)."
    ),
]
OpcionHoy = Annotated[
    str | None,
    typer.Option(
        "--hoy", help="Fecha de la ejecución, AAAA-MM-DD (por omisión, hoy).", metavar="AAAA-MM-DD"
    ),
]


def _depurar() -> bool:
    return os.environ.get("RECORDAR_DEPURAR", "") not in ("", "0")


def _consola(error: bool = False):
    from rich.console import Console

    ancho = os.environ.get("RECORDAR_ANCHO")
    return Console(stderr=error, width=int(ancho) if ancho else None, highlight=False,
                   soft_wrap=False)  # fmt: skip


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


def _fecha(hoy: str | None) -> date:
    if hoy is None:
        return date.today()
    try:
        return date.fromisoformat(hoy)
    except ValueError:
        raise RecordarError(
            f"--hoy: «{hoy}» no es una fecha AAAA-MM-DD (p. ej. 2026-11-23)"
        ) from None


def _preparar(cartera_ruta: Path, politica_ruta, hoja, hoy):
    from recordar.cartera import cargar_cartera
    from recordar.plan import planificar
    from recordar.plantillas import Plantillas, renderizar_plan
    from recordar.politica import cargar_politica

    fecha = _fecha(hoy)
    politica = cargar_politica(politica_ruta)
    plantillas = Plantillas(politica)
    cartera = cargar_cartera(
        cartera_ruta,
        hoja=hoja,
        columnas=politica.columnas,
        idioma=politica.idioma,
        moneda=politica.moneda,
        region_telefono=politica.region_telefono,
    )
    plan = planificar(cartera.facturas, cartera.contactos, politica, fecha)
    renderizar_plan(plan, plantillas)
    return politica, cartera, plan


@app.command()
def enviar(
    cartera: Annotated[
        Path,
        typer.Argument(help="Hoja de la cartera: .xlsx, .xlsm, .xls, .ods, .csv, .tsv o .txt."),
    ],
    simulacro: Annotated[
        bool,
        typer.Option(
            "--simulacro",
            "-n",
            help="Muestra qué se enviaría y por qué, sin enviar ni registrar nada.",
        ),
    ] = False,
    politica: OpcionPolitica = None,
    hoja: OpcionHoja = None,
    hoy: OpcionHoy = None,
    salida: Annotated[
        Path | None,
        typer.Option(
            "--salida", "-o", help="Escribe el informe completo: .json, .csv, .xlsx o .html."
        ),
    ] = None,
) -> None:
    """Planifica los recordatorios de hoy y los envía (o, con --simulacro, los muestra)."""
    _ejecutar(_enviar, cartera, simulacro, politica, hoja, hoy, salida)


def _enviar(cartera_ruta, simulacro, politica_ruta, hoja, hoy, salida) -> None:
    from recordar.informe import a_dict, escribir_informe, mostrar

    if salida is not None:
        _revisar_salida(salida)
    if not simulacro:
        raise RecordarError(
            "el envío real todavía no está disponible en esta versión; usa --simulacro para ver "
            "qué se enviaría"
        )
    _, cartera, plan = _preparar(cartera_ruta, politica_ruta, hoja, hoy)
    mostrar(_consola(), cartera, plan, simulacro)
    if salida is not None:
        escribir_informe(salida, a_dict(cartera, plan, simulacro))
        _consola().print(f"Informe escrito en {salida}")


def _revisar_salida(salida: Path) -> None:
    from recordar.informe import FORMATOS

    if salida.suffix.lower() not in FORMATOS:
        raise RecordarError(
            f"--salida {salida}: formato «{salida.suffix or 'sin extensión'}» no admitido; "
            "usa .json, .csv, .xlsx o .html"
        )


@app.command()
def validar(
    cartera: Annotated[Path, typer.Argument(help="Hoja de la cartera a revisar.")],
    politica: OpcionPolitica = None,
    hoja: OpcionHoja = None,
    hoy: OpcionHoy = None,
) -> None:
    """Revisa la hoja, la política y las plantillas sin producir mensajes (sale con 1 si algo falla)."""
    _ejecutar(_validar, cartera, politica, hoja, hoy)


def _validar(cartera_ruta, politica_ruta, hoja, hoy) -> None:
    from recordar.informe import resumir

    politica, cartera, plan = _preparar(cartera_ruta, politica_ruta, hoja, hoy)
    _revisar_todas_las_plantillas(politica)
    consola = _consola()
    r = resumir(cartera, plan)
    consola.print(f"Política: {politica.nombre} ({len(politica.pasos)} pasos) · correcta")
    consola.print(
        f"Cartera: {cartera.ruta}"
        + (f" (hoja «{cartera.hoja}»)" if cartera.hoja else "")
        + f" · encabezados en la fila {cartera.fila_cabecera} · {r.filas} filas, "
        f"{r.facturas} facturas, {r.rechazadas} rechazadas, {r.avisos} avisos de contacto"
    )
    columnas = ", ".join(
        f"{campo}={encabezado!r}" for campo, encabezado in cartera.columnas.items()
    )
    consola.print(f"Columnas: {columnas}")
    if cartera.extras:
        consola.print(f"Variables extra para plantillas: {', '.join(cartera.extras)}")
    for problema in cartera.rechazos + cartera.avisos:
        consola.print(f"  {cartera.ruta}: {problema}")
    if cartera.rechazos or cartera.avisos:
        raise typer.Exit(1)
    consola.print("Todo correcto.")


def _revisar_todas_las_plantillas(politica) -> None:
    """Cada paso necesita su plantilla para cada canal que usa (compila aunque hoy no toque)."""
    from recordar.plantillas import Plantillas

    plantillas = Plantillas(politica)
    for paso in politica.pasos:
        for canal in paso.canales:
            plantillas.exigir(paso.plantilla, canal)


@app.command()
def iniciar(
    carpeta: Annotated[Path, typer.Argument(help="Carpeta donde crear los archivos.")] = Path("."),
) -> None:
    """Crea politica.yaml comentada, plantillas/ para personalizar y una cartera de ejemplo (no sobrescribe)."""
    _ejecutar(_iniciar, carpeta)


def _iniciar(carpeta: Path) -> None:
    import shutil

    from recordar.plantillas import carpeta_integrada
    from recordar.politica import texto_predeterminado

    carpeta.mkdir(parents=True, exist_ok=True)
    consola = _consola()
    creados, existentes = [], []

    def escribir(destino: Path, contenido: bytes | None = None, origen: Path | None = None) -> None:
        if destino.exists():
            existentes.append(destino)
            return
        destino.parent.mkdir(parents=True, exist_ok=True)
        if origen is not None:
            shutil.copyfile(origen, destino)
        else:
            destino.write_bytes(contenido or b"")
        creados.append(destino)

    escribir(carpeta / "politica.yaml", texto_predeterminado().encode("utf-8"))
    for origen in sorted(carpeta_integrada().glob("*.j2")):
        escribir(carpeta / "plantillas" / origen.name, origen=origen)
    ejemplo = _cartera_de_ejemplo()
    if ejemplo is not None:
        escribir(carpeta / "cartera-ejemplo.xlsx", origen=ejemplo)
    for ruta in creados:
        consola.print(f"creado   {ruta}")
    for ruta in existentes:
        consola.print(f"ya existe {ruta} (no se toca)")
    consola.print(f"Siguiente paso: recordar enviar {carpeta / 'cartera-ejemplo.xlsx'} "
                  f"--politica {carpeta / 'politica.yaml'} --simulacro")  # fmt: skip


def _cartera_de_ejemplo() -> Path | None:
    aqui = Path(__file__).resolve().parent
    for candidato in (
        aqui / "ejemplos" / "cartera.xlsx",
        aqui.parents[1] / "ejemplos" / "cartera.xlsx",
    ):
        if candidato.is_file():
            return candidato
    return None


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


def main() -> None:
    try:
        app()
    except SystemExit:
        raise
    except Exception:
        if _depurar():
            raise
        sys.exit(1)
