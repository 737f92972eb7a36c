"""CLI de recordar (Typer): opciones → biblioteca → salida y código de salida. Nada más."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Annotated

import typer

from recordar.errores import RecordarError, causa


def _en_espanol() -> None:
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
    import re

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


_en_espanol()

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


def _fecha(valor: str | None, opcion: str = "--hoy") -> date:
    if valor is None:
        return date.today()
    try:
        return date.fromisoformat(valor)
    except ValueError:
        raise RecordarError(
            f"{opcion}: «{valor}» no es una fecha AAAA-MM-DD (p. ej. 2026-11-23)"
        ) from None


def _momento(hoy: str | None, zona_politica: str) -> tuple[date, datetime | None]:
    """(fecha del plan, momento con zona para el horario) de --hoy AAAA-MM-DD[THH:MM] o de ahora.

    Con solo una fecha distinta de hoy no hay hora: cuentan los días hábiles, no el horario.
    """
    from recordar.calendario import zona

    tz = zona(zona_politica)
    if hoy is None:
        ahora = datetime.now(tz)
        return ahora.date(), ahora
    if "T" in hoy or " " in hoy.strip():
        try:
            momento = datetime.fromisoformat(hoy.strip())
        except ValueError:
            raise RecordarError(f"--hoy: «{hoy}» no es AAAA-MM-DD ni AAAA-MM-DDTHH:MM") from None
        momento = momento if momento.tzinfo else momento.replace(tzinfo=tz)
        return momento.astimezone(tz).date(), momento
    fecha = _fecha(hoy)
    ahora = datetime.now(tz)
    return fecha, (ahora if fecha == ahora.date() else None)


def _cargar(cartera_ruta: Path, politica, hoja):
    from recordar.cartera import cargar_cartera
    from recordar.plantillas import precompilar

    try:
        tamano = cartera_ruta.stat().st_size
    except OSError:
        tamano = 0  # cargar_cartera dice qué pasa con el archivo
    # Con una cartera grande, las plantillas se compilan en otro núcleo mientras se lee.
    with precompilar(politica, tamano) or contextlib.nullcontext(), _fijar():
        cartera = cargar_cartera(
            cartera_ruta,
            hoja=hoja,
            columnas=politica.columnas,
            idioma=politica.idioma,
            moneda=politica.moneda,
            region_telefono=politica.region_telefono,
        )
    return cartera


@contextlib.contextmanager
def _fijar() -> Iterator[None]:
    """Crea sin el recolector cíclico lo que vive hasta el final de la orden (cartera, plan) y
    luego lo saca de sus pasadas (gc.freeze).

    No tiene ciclos; sin esto, cada pasada completa recorre cientos de miles de objetos (~0,5 s
    con 100 000 filas) y, tras el fork del render en dos procesos, el hijo copiaría páginas solo
    por recorrerlas. Sin recolector hasta congelar, tampoco hay la pasada que cargar_cartera y
    planificar harían al reactivarlo (~0,2 s tras planificar 100 000 facturas).
    """
    import gc

    estaba = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if estaba:
            gc.enable()


def _planificar(
    politica, cartera, fecha, historial=None, disponibles=None, ahora=None, simulacro=False,
    por_tramo=None, traer_textos=True, mientras=None,
):  # fmt: skip
    """(plan de hoy con sus mensajes generados, lo que `por_tramo` devolvió para cada tramo
    en el proceso que lo generó); `mientras(plan)` se hace aquí mientras otro proceso genera.
    Ver renderizado.renderizar_plan."""
    from recordar.canales import canales_disponibles
    from recordar.plan import planificar
    from recordar.plantillas import Plantillas
    from recordar.renderizado import renderizar_plan

    plantillas = Plantillas(politica, html_una_vez=simulacro)
    disponibles = disponibles or canales_disponibles(politica.canales)
    with _fijar():
        plan = planificar(
            cartera.facturas, cartera.contactos, politica, fecha, historial, disponibles, ahora
        )
    resultados = renderizar_plan(
        plan, plantillas, por_tramo=por_tramo, traer_textos=traer_textos,
        mientras=(lambda: mientras(plan)) if mientras is not None else None,
    )  # fmt: skip
    return plan, resultados


def _ruta_bitacora(bitacora: Path | None, politica) -> Path:
    from recordar.bitacora import NOMBRE_ARCHIVO, ruta_predeterminada

    ruta = bitacora if bitacora is not None else ruta_predeterminada(politica.carpeta)
    if ruta.is_dir():
        raise RecordarError(
            f"{ruta}: la bitácora debe ser un archivo y es una carpeta; indica un archivo con "
            f"--bitacora o RECORDAR_BITACORA (p. ej. {ruta / NOMBRE_ARCHIVO})"
        )
    return ruta


OpcionBitacora = Annotated[
    Path | None,
    typer.Option(
        "--bitacora",
        metavar="RUTA",
        help="Bitácora SQLite (por omisión junto a la política, o RECORDAR_BITACORA).",
        show_default=False,
    ),
]


@app.command(options_metavar="[OPCIONES]")
def enviar(
    cartera: Annotated[
        Path,
        typer.Argument(
            metavar="CARTERA",
            help="Hoja de la cartera: .xlsx, .xlsm, .xls, .ods, .csv, .tsv o .txt.",
        ),
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
            "--salida",
            "-o",
            metavar="RUTA",
            help="Escribe el informe completo: .json, .csv, .xlsx o .html.",
        ),
    ] = None,
    bitacora: OpcionBitacora = None,
    reintentar_inciertos: Annotated[
        bool,
        typer.Option(
            "--reintentar-inciertos",
            help="Reenvía los mensajes «inciertos» de ejecuciones interrumpidas.",
        ),
    ] = False,
) -> None:
    """Planifica los recordatorios de hoy y los envía (o, con --simulacro, los muestra)."""
    _ejecutar(
        _enviar, cartera, simulacro, politica, hoja, hoy, salida, bitacora, reintentar_inciertos
    )


def _enviar(
    cartera_ruta, simulacro, politica_ruta, hoja, hoy, salida, bitacora_ruta, reintentar
) -> None:
    from recordar.bitacora import Bitacora
    from recordar.informe import (
        a_dict,
        analizar,
        escribir_informe,
        json_de_antemano,
        mensajes_a_json,
        mostrar,
    )
    from recordar.politica import cargar_politica

    if salida is not None:
        _revisar_salida(salida, cartera_ruta)
    politica = cargar_politica(politica_ruta)
    fecha, ahora = _momento(hoy, politica.zona_horaria)
    ruta_bitacora = _ruta_bitacora(bitacora_ruta, politica)
    if simulacro:
        with Bitacora.abrir_lectura(ruta_bitacora) as b:
            historial = b.historial()
        cartera = _cargar(cartera_ruta, politica, hoja)
        # En un simulacro el registro JSON de cada mensaje ya es definitivo: se codifica al
        # generarlo, repartido entre los procesos del render. Sin informe completo (csv, xlsx,
        # html), del texto solo hace falta el de la vista previa.
        json_hecho = salida is not None and salida.suffix.lower() == ".json"
        consola, vista, informe = _consola(), [], []

        def preparar_vista(plan) -> None:
            # Mientras otro proceso sigue generando: la vista previa (se muestra solo si todo
            # se generó bien) y el informe .json salvo los mensajes.
            analisis = analizar(cartera, plan)
            with consola.capture() as captura:
                mostrar(consola, cartera, plan, simulacro=True, analisis=analisis)
            vista.append(captura.get())
            if json_hecho:
                informe.append(json_de_antemano(cartera, plan, simulacro=True, analisis=analisis))

        plan, registros = _planificar(
            politica, cartera, fecha, historial, ahora=ahora, simulacro=True,
            por_tramo=mensajes_a_json if json_hecho else None,
            traer_textos=salida is not None and not json_hecho, mientras=preparar_vista,
        )  # fmt: skip
        _HASTA_EL_FINAL.append((cartera, plan))
        consola.file.write(vista[0])
        consola.file.flush()
        if salida is not None:
            datos = informe[0](registros) if json_hecho else a_dict(cartera, plan, simulacro=True)
            escribir_informe(salida, datos)
            _consola().print(f"Informe escrito en {salida}")
        return
    codigo = _enviar_de_verdad(
        cartera_ruta, politica, hoja, (fecha, ahora), salida, ruta_bitacora, reintentar
    )
    if codigo:
        raise typer.Exit(codigo)


def _enviar_de_verdad(
    cartera_ruta, politica, hoja, momento, salida, ruta_bitacora, reintentar
) -> int:
    from recordar.bitacora import Bitacora
    from recordar.canales import configurar_canales
    from recordar.envio import Enviador
    from recordar.errores import ErrorCanal
    from recordar.informe import a_dict, escribir_informe, mostrar, mostrar_envio, registro_a_dict

    if not politica.canales:
        raise ErrorCanal(
            f"{politica.nombre}: no hay canales configurados en «canales:»; configura email, sms, "
            "whatsapp o archivo (o usa --simulacro para ver qué se enviaría)"
        )
    rutas = configurar_canales(politica.canales, politica.carpeta)
    cartera = _cargar(cartera_ruta, politica, hoja)
    consola, errores = _consola(), _consola(error=True)
    with Bitacora.abrir_escritura(ruta_bitacora) as b:
        # Lo que quedó «enviando» de una ejecución muerta cuenta como hecho al planificar.
        fecha, ahora = momento
        inciertos_nuevos = b.marcar_inciertos()
        cerradas = {o.factura for o in cartera.omitidas}
        pagos = b.detectar_pagos(cartera.facturas, cerradas, fecha, cartera.numeros_rechazados)
        plan, _ = _planificar(politica, cartera, fecha, b.historial(), frozenset(rutas), ahora)
        _HASTA_EL_FINAL.append((cartera, plan))
        espera = float(os.environ.get("RECORDAR_ESPERA_REINTENTO", "1"))
        enviador = Enviador(b, rutas, fecha, reintentar_inciertos=reintentar, espera=espera,
                            avisar=lambda texto: errores.print(f"aviso: {texto}", markup=False))  # fmt: skip
        resultado = enviador.enviar(plan)
        resultado.inciertos_nuevos = inciertos_nuevos
    mostrar(consola, cartera, plan, simulacro=False)
    mostrar_envio(consola, resultado, ruta_bitacora)
    if pagos:
        consola.print(
            f"Pagos detectados desde la hoja anterior: {len(pagos)} (registrados en la bitácora)"
        )
    for canal, motivo in resultado.inalcanzables.items():
        errores.print(f"error: {canal}: {motivo}; no se envió nada más por ese canal", markup=False)
    if salida is not None:
        datos = a_dict(cartera, plan, simulacro=False)
        datos["inciertos"] = [registro_a_dict(r, completo=True) for r in resultado.sin_resolver]
        datos["pagos_detectados"] = pagos
        datos["reintentados"] = [
            dict(registro_a_dict(r, completo=True), estado=estado, detalle=detalle)
            for r, estado, detalle in resultado.reintentados
        ]
        escribir_informe(salida, datos)
        consola.print(f"Informe escrito en {salida}")
    return 1 if resultado.con_problemas else 0


def _revisar_salida(salida: Path, cartera: Path) -> None:
    from recordar.informe import FORMATOS

    if salida.suffix.lower() not in FORMATOS:
        raise RecordarError(
            f"--salida {salida}: formato «{salida.suffix or 'sin extensión'}» no admitido; "
            "usa .json, .csv, .xlsx o .html"
        )
    if _mismo_archivo(salida, cartera):
        raise RecordarError(
            f"--salida {salida}: es la cartera que se lee y el informe la reemplazaría; "
            f"elige otro nombre (p. ej. informe{salida.suffix.lower()})"
        )


def _mismo_archivo(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return a.resolve() == b.resolve()


@app.command(options_metavar="[OPCIONES]")
def validar(
    cartera: Annotated[
        Path, typer.Argument(metavar="CARTERA", help="Hoja de la cartera a revisar.")
    ],
    politica: OpcionPolitica = None,
    hoja: OpcionHoja = None,
    hoy: OpcionHoy = None,
) -> None:
    """Revisa la hoja, la política y las plantillas sin producir mensajes (sale con 1 si algo falla)."""
    _ejecutar(_validar, cartera, politica, hoja, hoy)


def _validar(cartera_ruta, politica_ruta, hoja, hoy) -> None:
    from recordar.informe import mostrar_notas, mostrar_otras_hojas, resumir
    from recordar.politica import cargar_politica

    politica = cargar_politica(politica_ruta)
    cartera = _cargar(cartera_ruta, politica, hoja)
    fecha, ahora = _momento(hoy, politica.zona_horaria)
    _revisar_todas_las_plantillas(politica, cartera, fecha)
    plan, _ = _planificar(politica, cartera, fecha, ahora=ahora, simulacro=True, traer_textos=False)
    consola = _consola()
    r = resumir(cartera, plan)
    from recordar.valores import cantidad

    consola.print(
        f"Política: {politica.nombre} ({cantidad(len(politica.pasos), 'paso')}) · correcta"
    )
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
    if cartera.rechazos or cartera.avisos:
        raise typer.Exit(1)
    consola.print("Todo correcto.")


def _revisar_todas_las_plantillas(politica, cartera, fecha) -> None:
    """Todas las plantillas que la política puede usar, aunque hoy no toquen, compiladas y
    generadas con un deudor de ejemplo; si alguna falla, se dicen todas y sale con 1."""
    from rich.markup import escape

    from recordar.revision_plantillas import revisar_plantillas
    from recordar.valores import cantidad

    modelo = cartera.facturas[0] if cartera.facturas else None
    problemas = revisar_plantillas(politica, fecha, modelo, cartera.extras)
    if problemas:  # escape: el texto de una plantilla puede parecer marcado de rich ([b]…)
        lista = "\n".join(f"  - {escape(problema)}" for problema in problemas)
        _fallar(
            f"{cantidad(len(problemas), 'problema')} en las plantillas; corrígelos y vuelve a "
            f"ejecutar:\n{lista}",
            1,
        )


@app.command(options_metavar="[OPCIONES]")
def historial(
    cliente: Annotated[
        str | None,
        typer.Option(
            "--cliente", metavar="TEXTO", help="Solo este cliente (coincidencia parcial)."
        ),
    ] = None,
    factura: Annotated[
        str | None,
        typer.Option(
            "--factura", metavar="FACTURA", help="Solo los envíos que incluyen esta factura."
        ),
    ] = None,
    desde: Annotated[
        str | None,
        typer.Option("--desde", help="Desde esta fecha, AAAA-MM-DD.", metavar="AAAA-MM-DD"),
    ] = None,
    inciertos: Annotated[
        bool,
        typer.Option("--inciertos", help="Solo los envíos inciertos (ejecución interrumpida)."),
    ] = False,
    completo: Annotated[
        bool,
        typer.Option(
            "--completo", help="Muestra destinatarios completos (por omisión, enmascarados)."
        ),
    ] = False,
    como_json: Annotated[bool, typer.Option("--json", help="Salida en JSON.")] = False,
    politica: OpcionPolitica = None,
    bitacora: OpcionBitacora = None,
) -> None:
    """Qué se envió, cuándo, por qué canal, a quién y con qué resultado (el registro para aclaraciones)."""
    _ejecutar(
        _historial, cliente, factura, desde, inciertos, completo, como_json, politica, bitacora
    )


def _historial(
    cliente, factura, desde, inciertos, completo, como_json, politica_ruta, bitacora_ruta
) -> None:
    import json

    from rich.table import Table

    from recordar.bitacora import Bitacora
    from recordar.informe import registro_a_dict
    from recordar.politica import cargar_politica

    politica = cargar_politica(politica_ruta)
    ruta = _ruta_bitacora(bitacora_ruta, politica)
    fecha_desde = _fecha(desde, "--desde") if desde else None
    with Bitacora.abrir_lectura(ruta) as b:
        registros = b.consultar(cliente, factura, fecha_desde, ("incierto",) if inciertos else None)
    filas = [registro_a_dict(r, completo) for r in registros]
    if como_json:
        typer.echo(json.dumps(filas, ensure_ascii=False, indent=1))
        return
    consola = _consola()
    if not filas:
        consola.print(f"Sin envíos registrados que coincidan (bitácora: {ruta}).")
        return
    tabla = Table(title=f"Historial ({len(filas)}) · {ruta}")
    columnas = (
        "fecha",
        "cliente",
        "facturas",
        "paso",
        "canal",
        "destinatario",
        "estado",
        "proveedor_id",
        "detalle",
    )
    for columna in columnas:
        tabla.add_column(columna, overflow="fold")
    for f in filas:
        tabla.add_row(
            *[", ".join(f[c]) if isinstance(f[c], list) else str(f[c] or "") for c in columnas]
        )
    consola.print(tabla)


@app.command(options_metavar="[OPCIONES]")
def baja(
    contacto: Annotated[
        str,
        typer.Argument(
            metavar="EMAIL|TELEFONO", help="Correo o teléfono que no quiere más mensajes."
        ),
    ],
    canal: Annotated[
        str | None,
        typer.Option(
            "--canal",
            metavar="CANAL",
            help="Solo este canal (email, sms, whatsapp); por omisión, todos.",
        ),
    ] = None,
    motivo: Annotated[
        str | None,
        typer.Option("--motivo", metavar="TEXTO", help="Por qué (queda en la bitácora)."),
    ] = None,
    politica: OpcionPolitica = None,
    bitacora: OpcionBitacora = None,
) -> None:
    """Registra que un correo o teléfono pidió no recibir más recordatorios; toda ejecución posterior lo respeta."""
    _ejecutar(_baja, contacto, canal, motivo, politica, bitacora)


def _baja(contacto, canal, motivo, politica_ruta, bitacora_ruta) -> None:
    from recordar.bitacora import Bitacora
    from recordar.politica import CANALES_MENSAJE, cargar_politica
    from recordar.valores import normalizar_correos, normalizar_telefonos

    politica = cargar_politica(politica_ruta)
    if canal is not None and canal not in CANALES_MENSAJE:
        raise RecordarError(f"--canal: «{canal}» no es un canal; usa email, sms o whatsapp")
    if "@" in contacto:
        validos, _ = normalizar_correos(contacto)
    else:
        validos, _ = normalizar_telefonos(contacto, politica.region_telefono)
    if len(validos) != 1:
        raise RecordarError(
            f"«{contacto}» no es un correo ni un teléfono válido para la región {politica.region_telefono}"
        )
    ruta = _ruta_bitacora(bitacora_ruta, politica)
    with Bitacora.abrir_escritura(ruta) as b:
        b.dar_de_baja(validos[0], canal or "*", motivo)
    donde = f"por {canal}" if canal else "por ningún canal"
    _consola().print(
        f"Baja registrada: {validos[0]} no recibirá más recordatorios {donde} (bitácora: {ruta})."
    )


@app.command(options_metavar="[OPCIONES]")
def canales(politica: OpcionPolitica = None) -> None:
    """Lista los tipos de canal instalados (incluidos plugins) y si la política los configura."""
    _ejecutar(_canales, politica)


def _canales(politica_ruta) -> None:
    from rich.table import Table

    from recordar.canales.base import crear_canal, tipos_de_canal
    from recordar.errores import RecordarError as _Error
    from recordar.politica import cargar_politica

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


@app.command(options_metavar="[OPCIONES]")
def iniciar(
    carpeta: Annotated[
        Path, typer.Argument(metavar="CARPETA", help="Carpeta donde crear los archivos.")
    ] = Path("."),
) -> None:
    """Crea politica.yaml comentada, plantillas/ para personalizar y una cartera de ejemplo (no sobrescribe)."""
    _ejecutar(_iniciar, carpeta)


def _iniciar(carpeta: Path) -> None:
    import shutil

    from recordar.plantillas import carpeta_integrada
    from recordar.politica import texto_predeterminado

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
        escribir(carpeta / "politica.yaml", texto_predeterminado().encode("utf-8"))
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


# Lo que una orden deja vivo hasta el final (cartera, plan): al salir no se libera objeto por
# objeto (~0,4 s con 100 000 filas), el sistema recupera la memoria del proceso de una vez.
_HASTA_EL_FINAL: list = []


def main() -> None:
    try:
        app()
    except SystemExit as salida:
        if not _HASTA_EL_FINAL:
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
