"""CLI de recordar (Typer): opciones → biblioteca → salida y código de salida. Nada más."""

from __future__ import annotations

import contextlib
import os
import re
import sys
from datetime import date, datetime, time
from pathlib import Path
from typing import Annotated

import typer

from recordar.cli.espanol import en_espanol
from recordar.errores import RecordarError, causa

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

    if bitacora_ruta is None and politica_ruta is None and (texto := pista(ruta)):
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
    confirmar_pagos: Annotated[
        bool,
        typer.Option(
            "--confirmar-pagos",
            help="Da por pagadas las facturas que desaparecieron de la hoja aunque sean muchas.",
        ),
    ] = False,
) -> None:
    """Planifica los recordatorios de hoy y los envía (o, con --simulacro, los muestra)."""
    _ejecutar(
        _enviar, cartera, simulacro, politica, hoja, hoy, salida, bitacora, reintentar_inciertos,
        confirmar_pagos,
    )  # fmt: skip


def _enviar(
    cartera_ruta, simulacro, politica_ruta, hoja, hoy, salida, bitacora_ruta, reintentar,
    confirmar_pagos=False,
) -> None:  # fmt: skip
    from recordar.ejecucion import Pedido, ejecutar, espera_reintento
    from recordar.politica import cargar_politica

    if salida is not None:
        _revisar_salida(salida, cartera_ruta)
    politica = cargar_politica(politica_ruta)
    fecha, ahora = _momento(hoy, politica.zona_horaria)
    errores = _consola(error=True)
    informe_json = simulacro and salida is not None and salida.suffix.lower() == ".json"
    pedido = Pedido(
        cartera_ruta, politica, fecha, _ruta_bitacora(bitacora_ruta, politica), ahora,
        simulacro=simulacro, hoja=hoja, reintentar_inciertos=reintentar,
        confirmar_pagos=confirmar_pagos, informe_json=informe_json,
        traer_textos=salida is not None and not informe_json,
        espera_reintento=espera_reintento(),
        avisar=lambda texto: errores.print(f"aviso: {texto}", markup=False),
    )  # fmt: skip
    consola = _consola()
    if simulacro:
        ejecucion = ejecutar(pedido, mientras=_vista_previa(consola, informe_json))
        _mostrar_simulacro(consola, errores, ejecucion, salida)
    else:
        ejecucion = ejecutar(pedido)
        _mostrar_envio_real(consola, errores, ejecucion, salida)
    if ejecucion.codigo_salida:
        raise typer.Exit(ejecucion.codigo_salida)


def _vista_previa(consola, informe_json: bool):
    """Lo que se prepara mientras otro proceso sigue generando: la vista previa (se muestra
    solo si todo se generó bien) y el informe .json salvo los mensajes."""
    from recordar.informe import analizar, json_de_antemano, mostrar

    def preparar(cartera, plan):
        analisis = analizar(cartera, plan)
        with consola.capture() as captura:
            mostrar(consola, cartera, plan, simulacro=True, analisis=analisis)
        informe = (json_de_antemano(cartera, plan, simulacro=True, analisis=analisis)
                   if informe_json else None)  # fmt: skip
        return captura.get(), informe

    return preparar


def _mostrar_simulacro(consola, errores, ejecucion, salida) -> None:
    from recordar.informe import a_dict, escribir_informe
    from recordar.preparacion import datos_de_ejecucion, notas_de_plan, notas_de_politica

    politica, cartera, plan = ejecucion.pedido.politica, ejecucion.cartera, ejecucion.plan
    vista, informe = ejecucion.previo
    _avisar(consola, notas_de_politica(politica))
    consola.file.write(vista)
    consola.file.flush()
    _avisar(consola, notas_de_plan(politica, cartera, plan, ejecucion.cuentas_sms,
                                   ejecucion.abiertas))  # fmt: skip
    _mostrar_pagos(consola, errores, ejecucion.pagos, ejecucion.pedido.cartera, simulacro=True)
    if salida is not None:
        datos = informe(ejecucion.registros) if informe else a_dict(cartera, plan, simulacro=True)
        datos.update(datos_de_ejecucion(politica, cartera, plan, ejecucion.cuentas_sms,
                                        ejecucion.abiertas))  # fmt: skip
        datos["pagos_detectados"] = ejecucion.pagos.detectados
        escribir_informe(salida, datos)
        _consola().print(f"Informe escrito en {salida}")


def _mostrar_envio_real(consola, errores, ejecucion, salida) -> None:
    from recordar.informe import a_dict, escribir_informe, mostrar, mostrar_envio, registro_a_dict
    from recordar.preparacion import datos_de_ejecucion, notas_de_plan, notas_de_politica

    politica, cartera, plan = ejecucion.pedido.politica, ejecucion.cartera, ejecucion.plan
    resultado, cuentas, abiertas = ejecucion.resultado, ejecucion.cuentas_sms, ejecucion.abiertas
    mostrar(consola, cartera, plan, simulacro=False)
    _avisar(consola, notas_de_politica(politica) + notas_de_plan(politica, cartera, plan, cuentas,
                                                                   abiertas))  # fmt: skip
    mostrar_envio(consola, resultado, ejecucion.pedido.bitacora)
    _mostrar_pagos(consola, errores, ejecucion.pagos, ejecucion.pedido.cartera)
    for canal, motivo in resultado.inalcanzables.items():
        errores.print(f"error: {canal}: {motivo}; no se envió nada más por ese canal", markup=False)
    if resultado.error_bitacora:
        errores.print(
            f"error: {resultado.error_bitacora}; se dejó de enviar: "
            f"{resultado.no_enviados} sin enviar quedan pendientes para la próxima ejecución",
            markup=False,
        )
    if salida is not None:
        datos = a_dict(cartera, plan, simulacro=False)
        datos["inciertos"] = [registro_a_dict(r, completo=True) for r in resultado.sin_resolver]
        datos["pagos_detectados"] = ejecucion.pagos.detectados
        datos.update(datos_de_ejecucion(politica, cartera, plan, cuentas, abiertas))
        datos["reintentados"] = [
            dict(registro_a_dict(r, completo=True), estado=estado, detalle=detalle)
            for r, estado, detalle in resultado.reintentados
        ]
        escribir_informe(salida, datos)
        consola.print(f"Informe escrito en {salida}")


def _avisar(consola, notas: list[str]) -> None:
    """Avisos de la ejecución (valores de ejemplo, deudores sin canal, SMS…), uno por línea."""
    for nota in notas:
        consola.print(nota, markup=False, style="yellow" if nota.startswith("AVISO") else None)


def _mostrar_pagos(consola, errores, pagos, cartera_ruta, simulacro: bool = False) -> None:
    from recordar.bitacora import MAX_DESAPARECIDAS, PARTE_DESAPARECIDAS

    if pagos.detectados:
        donde = ("se registrarán al enviar de verdad" if simulacro else "registrados en la "
                 "bitácora; los deducidos porque la factura ya no está se ven con «recordar pagos»")  # fmt: skip
        consola.print(f"Pagos detectados desde la hoja anterior: {len(pagos.detectados)} ({donde})")
    if pagos.retenidos:
        errores.print(
            f"aviso: {cartera_ruta}: {pagos.desaparecidas} de las {pagos.previas} facturas "
            f"abiertas de la hoja anterior ya no están (más de {MAX_DESAPARECIDAS} y del "
            f"{PARTE_DESAPARECIDAS:.0%}): no se {'registrará' if simulacro else 'registró'} "
            "ninguna como pagada; si de verdad se pagaron, ejecuta con --confirmar-pagos",
            markup=False,
        )


def _revisar_salida(salida: Path, cartera: Path) -> None:
    from recordar.informe.archivos import FORMATOS

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
    from recordar.informe.vista import registro_a_dict
    from recordar.politica.politica import cargar_politica

    politica = cargar_politica(politica_ruta)
    ruta = _ruta_bitacora(bitacora_ruta, politica)
    _avisar_si_otra_bitacora(ruta)
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
    for f in filas:
        f["cuándo"] = _fecha_y_hora(f["enviado_en"] or f["actualizado"])
    if consola.width < 150:
        _historial_en_lineas(consola, filas, ruta)
        return
    tabla = Table(title=f"Historial ({len(filas)}) · {ruta}")
    # Fecha y hora del envío (o de la última anotación si no llegó a enviarse); el id del
    # proveedor en una línea, para copiarlo entero al reclamar o buscarlo en su panel.
    columnas = ("cuándo", "cliente", "facturas", "paso", "canal", "destinatario", "estado",
                "proveedor_id", "detalle")  # fmt: skip
    minimos = {"cliente": 10, "facturas": 7, "paso": 8, "canal": 5, "destinatario": 12,
               "detalle": 8}  # fmt: skip
    for columna in columnas:
        entero = columna in ("cuándo", "proveedor_id", "estado")
        tabla.add_column(columna, no_wrap=entero, min_width=minimos.get(columna),
                         overflow="ellipsis" if entero else "fold")  # fmt: skip
    for f in filas:
        tabla.add_row(
            *[", ".join(f[c]) if isinstance(f[c], list) else str(f[c] or "") for c in columnas]
        )
    consola.print(tabla)


def _historial_en_lineas(consola, filas: list[dict], ruta) -> None:
    """En una terminal estrecha (o un registro de cron): dos líneas por envío, sin cortar la
    fecha, el destinatario ni el id del proveedor."""
    consola.print(f"Historial ({len(filas)}) · {ruta}", markup=False, soft_wrap=True)
    for f in filas:
        consola.print(f"{f['cuándo']}  {f['estado']}  {f['canal']}  {f['destinatario']}",
                      markup=False, soft_wrap=True)  # fmt: skip
        detalle = [f["cliente"], ", ".join(f["facturas"]), f["paso"]]
        detalle += [f"id {f['proveedor_id']}"] if f["proveedor_id"] else []
        detalle += [f"{f['intentos']} intentos"] if (f["intentos"] or 0) > 1 else []
        detalle += [f["detalle"]] if f["detalle"] else []
        consola.print("    " + " · ".join(detalle), markup=False, soft_wrap=True)


def _fecha_y_hora(momento: str | None) -> str:
    """«2026-12-06 10:31» de un momento ISO con zona (la hora local de cuando se anotó)."""
    return (momento or "")[:16].replace("T", " ")


@app.command(options_metavar="[OPCIONES]")
def baja(
    contacto: Annotated[
        str | None,
        typer.Argument(
            metavar="EMAIL|TELEFONO",
            help="Correo o teléfono que no quiere más mensajes.",
            show_default=False,
        ),
    ] = None,
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
    lista: Annotated[
        bool, typer.Option("--lista", help="Lista las bajas registradas y termina.")
    ] = False,
    quitar: Annotated[
        str | None,
        typer.Option("--quitar", metavar="EMAIL|TELEFONO", help="Deshace la baja de ese contacto."),
    ] = None,
    token: Annotated[
        str | None,
        typer.Option(
            "--token",
            metavar="T",
            help="El token del enlace de baja de un correo (…?t=T) en lugar de EMAIL|TELEFONO.",
        ),
    ] = None,
) -> None:
    """Registra que un correo o teléfono pidió no recibir más recordatorios; toda ejecución posterior lo respeta."""
    if lista:
        _ejecutar(_listar_bajas, politica, bitacora)
    elif quitar is not None:
        _ejecutar(_quitar_baja, quitar, canal, politica, bitacora)
    elif token is not None:
        _ejecutar(_baja_por_token, token, motivo, politica, bitacora)
    elif contacto is None:
        from typer._click.exceptions import MissingParameter
        from typer._click.globals import get_current_context

        contexto = get_current_context()
        parametro = next(p for p in contexto.command.params if p.name == "contacto")
        raise MissingParameter(ctx=contexto, param=parametro)
    else:
        _ejecutar(_baja, contacto, canal, motivo, politica, bitacora)


def _listar_bajas(politica_ruta, bitacora_ruta) -> None:
    from recordar.bitacora import Bitacora
    from recordar.politica.politica import cargar_politica

    ruta = _ruta_bitacora(bitacora_ruta, cargar_politica(politica_ruta))
    _avisar_si_otra_bitacora(ruta)
    with Bitacora.abrir_lectura(ruta) as b:
        bajas = b.listar_bajas()
    consola = _consola()
    if not bajas:
        consola.print(f"Sin bajas registradas (bitácora: {ruta}).")
        return
    consola.print(f"Bajas registradas ({len(bajas)}) · {ruta}")
    for contacto, canal, motivo, desde in bajas:
        donde = "todos los canales" if canal == "*" else canal
        consola.print(f"  {contacto} · {donde} · desde {desde[:10]}" + (f" · {motivo}" if motivo
                      else ""), markup=False)  # fmt: skip


def _quitar_baja(contacto, canal, politica_ruta, bitacora_ruta) -> None:
    from recordar.bitacora import Bitacora
    from recordar.politica.politica import cargar_politica

    politica = cargar_politica(politica_ruta)
    normalizado = _contacto_normalizado(contacto, politica)
    ruta = _ruta_bitacora(bitacora_ruta, politica)
    if not ruta.exists():
        raise RecordarError(f"{ruta}: la bitácora no existe; no hay bajas que quitar")
    with Bitacora.abrir_escritura(ruta) as b:
        quitadas = b.quitar_baja(normalizado, canal)
    if not quitadas:
        raise RecordarError(
            f"{normalizado} no tiene baja registrada{f' por {canal}' if canal else ''} en {ruta}; "
            "mira las bajas con «recordar baja --lista»"
        )
    _consola().print(
        f"Baja quitada: {normalizado} vuelve a recibir recordatorios (bitácora: {ruta})."
    )


def _contacto_normalizado(contacto: str, politica) -> str:
    from recordar.cartera.valores import normalizar_correos, normalizar_telefonos

    if "@" in contacto:
        validos, _ = normalizar_correos(contacto)
    else:
        validos, _ = normalizar_telefonos(contacto, politica.region_telefono)
    if len(validos) != 1:
        raise RecordarError(
            f"«{contacto}» no es un correo ni un teléfono válido para la región {politica.region_telefono}"
        )
    return validos[0]


def _baja_por_token(token, motivo, politica_ruta, bitacora_ruta) -> None:
    """La baja que pidió quien hizo clic en List-Unsubscribe: el token dice quién y por qué canal."""
    from recordar.bitacora import Bitacora
    from recordar.canales.correo import leer_token_baja
    from recordar.cartera.valores import normalizar_correos
    from recordar.politica.politica import cargar_politica

    politica = cargar_politica(politica_ruta)
    claves = [(n, a["baja_secreto_env"]) for n, a in politica.canales.items()
              if isinstance(a, dict) and a.get("baja_secreto_env")]  # fmt: skip
    if not claves:
        raise RecordarError(
            f"{politica.nombre}: ningún canal tiene baja_secreto_env; sin ese secreto no se "
            "puede comprobar el token (ponlo en canales.email junto a baja)"
        )
    nombre, variable = claves[0]
    secreto = os.environ.get(str(variable))
    if not secreto:
        raise RecordarError(
            f"canales.{nombre}.baja_secreto_env: la variable de entorno {variable} no está "
            "definida; expórtala con el mismo valor que al enviar"
        )
    try:
        canal, destinatarios = leer_token_baja(secreto, token)
    except ValueError as exc:
        raise RecordarError(f"--token: {exc}; copia el valor entero de t= del enlace") from None
    destinatarios = tuple(d for x in destinatarios for d in normalizar_correos(x)[0])
    ruta = _ruta_bitacora(bitacora_ruta, politica)
    _exigir_bitacora_conocida(ruta, bitacora_ruta, politica_ruta)
    with Bitacora.abrir_escritura(ruta) as b:
        for destinatario in destinatarios:
            b.dar_de_baja(destinatario, canal, motivo or "clic en el enlace de baja del correo")
    _consola().print(
        f"Baja registrada: {', '.join(destinatarios)} no recibirá más recordatorios por {canal} "
        f"(bitácora: {ruta})."
    )


def _baja(contacto, canal, motivo, politica_ruta, bitacora_ruta) -> None:
    from recordar.bitacora import Bitacora
    from recordar.cartera.valores import normalizar_correos, normalizar_telefonos
    from recordar.politica.politica import CANALES_MENSAJE, cargar_politica

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
    _exigir_bitacora_conocida(ruta, bitacora_ruta, politica_ruta)
    with Bitacora.abrir_escritura(ruta) as b:
        ya_estaba = b.tiene_baja(validos[0], canal or "*")
        if not ya_estaba:  # repetirla no cambia nada (ni borra el motivo de la primera)
            b.dar_de_baja(validos[0], canal or "*", motivo)
    donde = f"por {canal}" if canal else "por ningún canal"
    if ya_estaba:
        _consola().print(f"{validos[0]} ya estaba dado de baja {donde}; no cambia nada "
                         f"(bitácora: {ruta}).")  # fmt: skip
        return
    _consola().print(
        f"Baja registrada: {validos[0]} no recibirá más recordatorios {donde} (bitácora: {ruta})."
    )


@app.command(options_metavar="[OPCIONES]")
def pagos(
    deshacer: Annotated[
        str | None,
        typer.Option(
            "--deshacer",
            metavar="AAAA-MM-DD",
            help="Vuelve a abrir las facturas dadas por pagadas ese día porque desaparecieron.",
        ),
    ] = None,
    politica: OpcionPolitica = None,
    bitacora: OpcionBitacora = None,
) -> None:
    """Lista por fecha los pagos deducidos porque la factura desapareció de la hoja (y los deshace)."""
    _ejecutar(_pagos, deshacer, politica, bitacora)


def _pagos(deshacer, politica_ruta, bitacora_ruta) -> None:
    from itertools import groupby

    from recordar.bitacora import Bitacora
    from recordar.cartera.valores import cantidad
    from recordar.politica.politica import cargar_politica

    politica = cargar_politica(politica_ruta)
    ruta = _ruta_bitacora(bitacora_ruta, politica)
    _avisar_si_otra_bitacora(ruta)
    consola = _consola()
    if deshacer is not None:
        fecha = _fecha(deshacer, "--deshacer")
        with Bitacora.abrir_escritura(ruta) as b:
            numeros = b.deshacer_pagos(fecha)
        if not numeros:
            raise RecordarError(
                f"{ruta}: no hay pagos deducidos por desaparición el {fecha.isoformat()}; "
                "«recordar pagos» lista las fechas que los tienen"
            )
        consola.print(
            f"Reabiertas: {cantidad(len(numeros), 'factura')} dadas por pagadas el {fecha.isoformat()}: "
            f"{', '.join(numeros)}; si siguen en la hoja, se vuelven a cobrar (bitácora: {ruta})."
        )
        return
    with Bitacora.abrir_lectura(ruta) as b:
        filas = b.pagos_por_desaparicion()
    if not filas:
        consola.print(f"Sin pagos deducidos por desaparición de la hoja (bitácora: {ruta}).")
        return
    for fecha, grupo in groupby(filas, key=lambda fila: fila[0]):
        grupo = list(grupo)
        consola.print(
            f"{fecha}: {cantidad(len(grupo), 'factura')} dada(s) por pagada(s) porque ya no "
            "estaba(n) en la hoja"
        )
        for _, numero, cliente, monto in grupo:
            consola.print(f"  {numero}  {cliente}  {monto}")
    consola.print("Para volver a abrir las de un día: recordar pagos --deshacer AAAA-MM-DD")


@app.command(options_metavar="[OPCIONES]")
def tareas(
    accion: Annotated[
        str | None,
        typer.Argument(
            metavar="[hecha]", help="«hecha ID» cierra la tarea ID.", show_default=False
        ),
    ] = None,
    tarea_id: Annotated[
        str | None,
        typer.Argument(metavar="[ID]", help="Número de la tarea (columna id).", show_default=False),
    ] = None,
    como_json: Annotated[bool, typer.Option("--json", help="Salida en JSON.")] = False,
    politica: OpcionPolitica = None,
    bitacora: OpcionBitacora = None,
) -> None:
    """Lista las tareas abiertas (cliente, facturas, paso, desde cuándo); «tareas hecha ID» cierra una."""
    _ejecutar(_tareas, accion, tarea_id, como_json, politica, bitacora)


def _tareas(accion, tarea_id, como_json, politica_ruta, bitacora_ruta) -> None:
    import json

    from recordar.bitacora import Bitacora
    from recordar.politica.politica import cargar_politica

    politica = cargar_politica(politica_ruta)
    ruta = _ruta_bitacora(bitacora_ruta, politica)
    _avisar_si_otra_bitacora(ruta)
    if accion is not None:
        _cerrar_tarea(ruta, accion, tarea_id)
        return
    with Bitacora.abrir_lectura(ruta) as b:
        abiertas = b.tareas_abiertas()
    if como_json:
        typer.echo(json.dumps([t.a_dict() for t in abiertas], ensure_ascii=False, indent=1))
        return
    consola = _consola()
    if not abiertas:
        consola.print(f"Sin tareas abiertas (bitácora: {ruta}).")
        return
    from rich.table import Table

    tabla = Table(title=f"Tareas abiertas ({len(abiertas)}) · {ruta}")
    for columna in ("id", "cliente", "facturas", "paso", "desde", "descripción"):
        tabla.add_column(columna, overflow="fold")
    for t in abiertas:
        tabla.add_row(str(t.id), t.cliente, ", ".join(t.facturas), t.paso, t.desde, t.descripcion)
    consola.print(tabla)
    consola.print("Cuando esté hecha: recordar tareas hecha ID")


def _cerrar_tarea(ruta: Path, accion: str, tarea_id: str | None) -> None:
    from recordar.bitacora import Bitacora

    if accion != "hecha":
        raise RecordarError(f"tareas: «{accion}» no es una acción; usa «recordar tareas hecha ID»")
    if tarea_id is None or not tarea_id.strip().isdigit():
        raise RecordarError(
            "tareas hecha: falta el número de la tarea (la columna id de «recordar tareas»)"
        )
    if not ruta.exists():
        raise RecordarError(f"{ruta}: la bitácora no existe; no hay tareas que cerrar")
    with Bitacora.abrir_escritura(ruta) as b:
        estado = b.cerrar_tarea(int(tarea_id))
    if estado == "no existe":
        raise RecordarError(
            f"tareas hecha {tarea_id}: no hay ninguna tarea con ese número en {ruta}; "
            "mira los números con «recordar tareas»"
        )
    texto = "ya estaba cerrada" if estado == "ya cerrada" else "cerrada"
    _consola().print(f"Tarea {tarea_id} {texto} (bitácora: {ruta}).")


@app.command(options_metavar="[OPCIONES]")
def canales(
    cartera: Annotated[
        Path | None,
        typer.Argument(
            metavar="[CARTERA]",
            help="Hoja de la cartera: cuenta los deudores que solo alcanzan canales sin transporte.",
            show_default=False,
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


@app.command(options_metavar="[OPCIONES]")
def iniciar(
    carpeta: Annotated[
        Path, typer.Argument(metavar="CARPETA", help="Carpeta donde crear los archivos.")
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


def main() -> None:
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
