"""La ayuda y los errores de uso de Typer/Click en español: la interfaz habla español y Typer
los escribe en inglés. Adapta detalles internos de Typer (fijado a 0.29 en pyproject.toml;
tests/test_cli_uso.py lo comprueba)."""

from __future__ import annotations

import re
import sys

import typer


def en_espanol() -> None:
    """Los textos fijos de la ayuda de Typer/Click, en español (la interfaz habla español)."""
    import typer.core as nucleo

    traducciones = {
        "Arguments": "Argumentos", "Options": "Opciones", "Commands": "Órdenes",
        "[default: {}]": "[por omisión: {}]", "[required]": "[obligatorio]",
        "default: {default}": "por omisión: {default}", "required": "obligatorio",
        "Aborted!": "Cancelado.", "Missing command.": "Falta la orden.",
        "No such command {name!r}.": "No existe la orden {name!r}.",
    }  # fmt: skip
    nucleo._ = lambda texto: traducciones.get(texto, texto)
    try:
        from typer._click.core import Command
    except ImportError:  # Typer con Click externo: se queda la ayuda en inglés
        return
    original_ayuda = Command.get_help_option

    def ayuda(self, ctx):
        opcion = original_ayuda(self, ctx)
        if opcion is not None:
            opcion.help = "Muestra esta ayuda y termina."
        return opcion

    def uso(self, ctx, formatter):
        formatter.write_usage(ctx.command_path, " ".join(self.collect_usage_pieces(ctx)), "Uso: ")

    Command.get_help_option, Command.format_usage = ayuda, uso  # type: ignore[method-assign]
    _argumentos_sin_tipo(nucleo)
    _errores_de_uso_en_espanol()


def _argumentos_sin_tipo(nucleo) -> None:
    """Un argumento con metavar se muestra con su nombre: «CARTERA», no «CARTERA <path>» en la
    ayuda ni «{CARTERA}» en la línea de uso (Typer 0.29 añade el tipo en inglés)."""
    argumento = getattr(nucleo, "TyperArgument", None)
    if argumento is None:
        return
    if hasattr(argumento, "display_type_rich"):
        original_tipo = argumento.display_type_rich

        def tipo(self, ctx):
            return None if self.metavar is not None else original_tipo(self, ctx)

        argumento.display_type_rich = tipo
    if hasattr(argumento, "_usage_display_name"):
        original_nombre = argumento._usage_display_name

        def nombre(self):
            if self.metavar is None or not self.required or self.nargs != 1:
                return original_nombre(self)
            return self.metavar

        argumento._usage_display_name = nombre


# Los mensajes de uso que Click arma en inglés, con lo que cambia entre paréntesis.
_USO_EN_INGLES = (
    (r"Got unexpected extra argument(?:s|\(s\))? \((.*)\)",
     "sobra «{0}» (¿una ruta con espacios sin comillas?)"),
    (r"Option '(.+)' requires an argument\.?", "la opción {0} necesita un valor"),
    (r"Option '(.+)' requires (\d+) arguments\.?", "la opción {0} necesita {1} valores"),
    (r"Option '(.+)' does not take a value\.?", "la opción {0} no lleva valor"),
    (r"(.+)\. Did you mean (.+)\?", "{0} (¿quisiste decir {1}?)"),
)  # fmt: skip


def mensaje_de_uso(error) -> str:
    """El error de uso de Click (opción que no existe, argumento que falta…) en español."""

    from typer._click.exceptions import BadParameter, MissingParameter, NoSuchOption

    if isinstance(error, NoSuchOption):
        mensaje = f"no existe la opción {error.option_name}"
        if error.possibilities:
            mensaje += f" (¿quisiste decir {', '.join(sorted(error.possibilities))}?)"
        return mensaje
    if isinstance(error, MissingParameter) and error.param is not None:
        parametro = error.param
        if parametro.param_type_name == "argument":
            return f"falta el argumento {parametro.metavar or parametro.name.upper()}"
        return f"falta la opción {parametro.opts[0]}"
    texto = error.message
    for patron, traduccion in _USO_EN_INGLES:
        if coincidencia := re.fullmatch(patron, texto):
            texto = traduccion.format(*coincidencia.groups())
            break
    if isinstance(error, BadParameter):
        parametro = error.param
        nombre = (parametro.opts[0] if getattr(parametro, "opts", None) else
                  getattr(parametro, "metavar", None) or getattr(parametro, "name", ""))  # fmt: skip
        return f"valor no válido para {nombre}: {texto}" if nombre else texto
    return texto[:1].lower() + texto[1:].rstrip(".")


def _errores_de_uso_en_espanol() -> None:
    """Los errores de uso salen como los demás: la línea de uso y una frase en español que dice
    qué falta o sobra y dónde ver la ayuda (Click los escribe en inglés)."""
    try:
        from typer._click.exceptions import UsageError
    except ImportError:
        return

    def mostrar(self, file=None) -> None:
        destino = file if file is not None else sys.stderr
        ayuda = ""
        if self.ctx is not None:
            typer.echo(self.ctx.get_usage(), file=destino)
            ayuda = f"; usa «{self.ctx.command_path} -h» para ver las opciones"
        typer.echo(f"error: {mensaje_de_uso(self)}{ayuda}", file=destino)

    UsageError.show = mostrar  # type: ignore[method-assign]
