"""`recordar validar`, `recordar canales` y `recordar iniciar`: preparar y revisar antes de enviar."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from recordar.cli.comun import (
    OpcionHoja,
    OpcionHoy,
    OpcionPolitica,
    _consola,
    _ejecutar,
    _fallar,
    _momento,
)
from recordar.errores import RecordarError, causa


def validar(
    cartera: Annotated[
        Path,
        typer.Argument(metavar="CARTERA", help="Hoja de la cartera a revisar.", readable=False),
    ],
    politica: OpcionPolitica = None,
    hoja: OpcionHoja = None,
    hoy: OpcionHoy = None,
) -> None:
    """Revisa la hoja, la política y las plantillas sin producir mensajes (sale con 1 si algo falla)."""
    _ejecutar(_validar, cartera, politica, hoja, hoy)


def _validar(cartera_ruta, politica_ruta, hoja, hoy) -> None:
    from rich.markup import escape

    from recordar.cartera.valores import cantidad
    from recordar.informe.archivos import resumir
    from recordar.informe.vista import mostrar_notas, mostrar_otras_hojas
    from recordar.politica.politica import cargar_politica
    from recordar.revision import revisar

    politica = cargar_politica(politica_ruta)
    fecha, ahora = _momento(hoy, politica.zona_horaria)
    revision = revisar(cartera_ruta, politica, hoja, fecha, ahora)
    if revision.plantillas:  # escape: el texto de una plantilla puede parecer marcado de rich
        lista = "\n".join(f"  - {escape(problema)}" for problema in revision.plantillas)
        _fallar(
            f"{cantidad(len(revision.plantillas), 'problema')} en las plantillas; corrígelos y "
            f"vuelve a ejecutar:\n{lista}",
            1,
        )
    cartera, consola = revision.cartera, _consola()
    r = resumir(cartera, revision.plan)
    consola.print(
        f"Política: {politica.nombre} ({cantidad(len(politica.pasos), 'paso')}) · correcta"
        + (" para simulacros" if revision.ejemplo or politica.ruta is None else "")
    )
    for problema in revision.canales:
        consola.print(f"  error: {problema}", markup=False)
    if revision.antes_de_enviar:
        consola.print("Antes de enviar de verdad:")
    for linea in revision.antes_de_enviar + [f"nota: {n}" for n in politica.notas]:
        consola.print(f"  {linea}", markup=False)
    consola.print(
        f"Cartera: {cartera.ruta}"
        + (f" (hoja «{cartera.hoja}»)" if cartera.hoja else "")
        + f" · encabezados en la fila {cartera.fila_cabecera} · {cantidad(r.filas, 'fila')}, "
        f"{cantidad(r.facturas, 'factura')}, {cantidad(r.rechazadas, 'rechazada')}, "
        f"{cantidad(r.avisos, 'aviso')}"
    )
    mostrar_otras_hojas(consola, cartera)
    mostrar_notas(consola, cartera)
    columnas = ", ".join(
        f"{campo}={encabezado!r}" for campo, encabezado in cartera.columnas.items()
    )
    consola.print(f"Columnas: {columnas}")
    if cartera.extras:
        consola.print(f"Variables extra para plantillas: {', '.join(cartera.extras)}")
    for problema in cartera.rechazos + cartera.avisos:
        consola.print(f"  {cartera.ruta}: {problema}")
    if revision.codigo_salida:
        raise typer.Exit(revision.codigo_salida)
    consola.print("Todo correcto.")


def canales(
    cartera: Annotated[
        Path | None,
        typer.Argument(
            metavar="[CARTERA]",
            help="Hoja de la cartera: cuenta los deudores que solo alcanzan canales sin transporte.",
            show_default=False,
            readable=False,
        ),
    ] = None,
    politica: OpcionPolitica = None,
    hoja: OpcionHoja = None,
) -> None:
    """Lista los tipos de canal instalados (incluidos plugins), si la política los configura y los que usan los pasos sin transporte."""
    _ejecutar(_canales, politica, cartera, hoja)


def _canales(politica_ruta, cartera_ruta=None, hoja=None) -> None:
    from rich.table import Table

    from recordar.canales.base import crear_canal, tipos_de_canal
    from recordar.errores import RecordarError as _Error
    from recordar.politica.politica import cargar_politica

    politica = cargar_politica(politica_ruta)
    consola = _consola()
    tabla = Table(title="Tipos de canal instalados")
    for columna in ("tipo", "sirve para", "módulo", "ajustes obligatorios"):
        tabla.add_column(columna, overflow="fold")
    for tipo, clase in sorted(tipos_de_canal().items()):
        if isinstance(clase, str):
            tabla.add_row(tipo, "", clase, "")
        else:
            tabla.add_row(
                tipo, ", ".join(clase.canales), clase.__module__, ", ".join(clase.ajustes)
            )
    consola.print(tabla)
    _canales_sin_transporte(consola, politica, cartera_ruta, hoja)
    if not politica.canales:
        consola.print(f"{politica.nombre}: ningún canal configurado en «canales:».")
        return
    tabla = Table(title=f"Canales de {politica.nombre}")
    for columna in ("canal", "tipo", "estado"):
        tabla.add_column(columna, overflow="fold")
    for nombre, ajustes in politica.canales.items():
        try:
            crear_canal(nombre, ajustes)
            estado = "configurado"
        except _Error as exc:
            estado = f"con problemas: {exc}"
        tabla.add_row(nombre, str(ajustes.get("tipo", "")), estado)
    consola.print(tabla)


def _canales_sin_transporte(consola, politica, cartera_ruta, hoja) -> None:
    """Los canales que usan los pasos y no tienen transporte (con la hoja, a cuántos deudores
    solo se llegaría por ellos)."""
    from recordar.preparacion import canales_sin_transporte, configurados, usos_de_canales

    if cartera_ruta is not None:
        from recordar.ejecucion import cargar

        lineas = canales_sin_transporte(politica, cargar(cartera_ruta, politica, hoja).contactos)
    else:
        hay = configurados(politica)
        lineas = [
            f"{canal}: sin transporte en «canales:»; lo usan los pasos {', '.join(pasos)}"
            for canal, pasos in usos_de_canales(politica).items()
            if canal not in hay
        ]
    for linea in lineas:
        consola.print(f"{politica.nombre}: {linea}", markup=False)


def iniciar(
    carpeta: Annotated[
        Path,
        typer.Argument(metavar="CARPETA", help="Carpeta donde crear los archivos.", readable=False),
    ] = Path("."),
    idioma: Annotated[
        str,
        typer.Option(
            "--idioma",
            metavar="IDIOMA",
            help="es_MX, es_ES, es_CO, es_CL o en_US: fija moneda, zona, región y cumplimiento.",
        ),
    ] = "es_MX",
) -> None:
    """Crea politica.yaml comentada, plantillas/ para personalizar y una cartera de ejemplo (no sobrescribe)."""
    _ejecutar(_iniciar, carpeta, idioma)


def _iniciar(carpeta: Path, idioma: str = "es_MX") -> None:
    import shutil

    from recordar.mensajes.plantillas import carpeta_integrada
    from recordar.politica.politica import texto_para_idioma

    texto = texto_para_idioma(idioma)

    if carpeta.exists() and not carpeta.is_dir():
        raise RecordarError(f"{carpeta}: ya existe y no es una carpeta; indica otra carpeta")
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

    try:
        carpeta.mkdir(parents=True, exist_ok=True)
        escribir(carpeta / "politica.yaml", texto.encode("utf-8"))
        for origen in sorted(carpeta_integrada().glob("*.j2")):
            escribir(carpeta / "plantillas" / origen.name, origen=origen)
        ejemplo = _cartera_de_ejemplo()
        if ejemplo is not None:
            escribir(carpeta / "cartera-ejemplo.xlsx", origen=ejemplo)
    except OSError as exc:
        raise RecordarError(
            f"{exc.filename or carpeta}: no se pudo crear ({causa(exc)}); revisa los "
            "permisos o elige otra carpeta"
        ) from None
    for ruta in creados:
        consola.print(f"creado   {ruta}")
    for ruta in existentes:
        consola.print(f"ya existe {ruta} (no se toca)")
    consola.print(f"Siguiente paso: recordar enviar {carpeta / 'cartera-ejemplo.xlsx'} "
                  f"--politica {carpeta / 'politica.yaml'} --simulacro")  # fmt: skip
    consola.print("Antes de enviar de verdad, cambia en politica.yaml los valores de ejemplo "
                  "(empresa y canales); mientras sigan, recordar no envía.")  # fmt: skip


def _cartera_de_ejemplo() -> Path | None:
    # Dentro del paquete instalado (recordar/ejemplos) o en el repositorio (ejemplos/).
    paquete = Path(__file__).resolve().parents[1]
    for candidato in (
        paquete / "ejemplos" / "cartera.xlsx",
        paquete.parents[1] / "ejemplos" / "cartera.xlsx",
    ):
        if candidato.is_file():
            return candidato
    return None
