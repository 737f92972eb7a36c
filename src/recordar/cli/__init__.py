"""CLI de recordar (Typer): opciones → biblioteca → salida y código de salida. Nada más.

Cada orden vive en su módulo (enviar, estado, preparar, programar, registro, resultados); aquí se
registran en el orden en que las muestra la ayuda."""

from __future__ import annotations

import contextlib
import os
import sys

from recordar.cli import enviar, estado, preparar, programar, registro, resultados
from recordar.cli.comun import _depurar, app

_ORDEN = "[OPCIONES]"
for _funcion in (enviar.enviar, preparar.validar, estado.estado, registro.historial,
                 resultados.resultados, registro.baja, registro.pagos, registro.tareas,
                 preparar.canales, preparar.iniciar, programar.programar):  # fmt: skip
    app.command(options_metavar=_ORDEN)(_funcion)

__all__ = ["app", "main"]

# Lo que una orden deja vivo hasta el final (cartera, plan): al salir no se libera objeto por
# objeto (~0,4 s con 100 000 filas), el sistema recupera la memoria del proceso de una vez.


def _salida_que_no_falla() -> None:
    """Una salida que no sabe escribir un carácter (Windows redirigido a un archivo o una tubería
    usa cp1252: sin «→», «✓» ni las líneas de las tablas) lo sustituye en vez de fallar con un
    UnicodeEncodeError a mitad de la salida. UTF-8 (la consola de Windows desde Python 3.6, Linux
    y macOS) no cambia."""
    import codecs

    for flujo in (sys.stdout, sys.stderr):
        codificacion = getattr(flujo, "encoding", None) or ""
        try:
            utf = codecs.lookup(codificacion).name.startswith("utf")
        except LookupError:
            utf = False
        if not utf and hasattr(flujo, "reconfigure"):
            with contextlib.suppress(ValueError, OSError):
                flujo.reconfigure(errors="replace")


def main() -> None:
    _salida_que_no_falla()
    try:
        app()
    except SystemExit as salida:
        from recordar.ejecucion import HASTA_EL_FINAL

        if not HASTA_EL_FINAL:
            raise
        codigo = salida.code
        # Todo lo escrito ya está cerrado (informe, bitácora); solo quedan stdout y stderr.
        for flujo in (sys.stdout, sys.stderr):
            # Tubería cerrada (`| head`) o flujo ya cerrado: no queda nada que hacer.
            with contextlib.suppress(OSError, ValueError):
                flujo.flush()
        os._exit(codigo if isinstance(codigo, int) else (0 if codigo is None else 1))
    except Exception:
        if _depurar():
            raise
        sys.exit(1)
