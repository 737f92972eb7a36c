"""`recordar enviar`: opciones → ejecucion.ejecutar → vista previa o resultado del envío."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from recordar.cli.comun import (
    OpcionBitacora,
    OpcionHoja,
    OpcionHoy,
    OpcionPolitica,
    _consola,
    _ejecutar,
    _momento,
    _ruta_bitacora,
)
from recordar.errores import RecordarError


def enviar(
    cartera: Annotated[
        Path,
        typer.Argument(
            metavar="CARTERA",
            help="Hoja de la cartera: .xlsx, .xlsm, .xls, .ods, .csv, .tsv o .txt.",
            readable=False,
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
            readable=False,
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
    ver: Annotated[
        str | None,
        typer.Option(
            "--ver",
            metavar="CLIENTE",
            help="Muestra completos los mensajes de hoy de ese cliente (una parte del nombre basta).",
        ),
    ] = None,
) -> None:
    """Planifica los recordatorios de hoy y los envía (o, con --simulacro, los muestra)."""
    _ejecutar(
        _enviar, cartera, simulacro, politica, hoja, hoy, salida, bitacora, reintentar_inciertos,
        confirmar_pagos, ver,
    )  # fmt: skip


def _enviar(
    cartera_ruta, simulacro, politica_ruta, hoja, hoy, salida, bitacora_ruta, reintentar,
    confirmar_pagos=False, ver=None,
) -> None:  # fmt: skip
    from recordar.ejecucion import Pedido, ejecutar, espera_reintento
    from recordar.informe.progreso import progreso_para
    from recordar.politica.politica import cargar_politica

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
        traer_textos=(salida is not None and not informe_json) or ver is not None,
        espera_reintento=espera_reintento(),
        avisar=lambda texto: errores.print(f"aviso: {texto}", markup=False),
    )  # fmt: skip
    consola = _consola()
    buscado: list = []
    if simulacro:
        ejecucion = ejecutar(
            pedido, mientras=_vista_previa(consola, informe_json, politica, ver, buscado)
        )
        _mostrar_simulacro(consola, errores, ejecucion, salida)
    else:
        pedido.progreso = progreso_para(consola)
        ejecucion = ejecutar(pedido, mientras=_buscar(ver, buscado) if ver else None)
        _mostrar_envio_real(consola, errores, ejecucion, salida)
    if buscado:
        _mostrar_detalle(consola, ejecucion, *buscado)
    if ejecucion.codigo_salida:
        raise typer.Exit(ejecucion.codigo_salida)


def _buscar(ver: str, buscado: list):
    """Antes de enviar nada: el deudor de --ver (error si no hay ninguno o hay varios)."""
    from recordar.informe.vista_detalle import buscar_deudor

    def buscar(cartera, plan):
        buscado[:] = buscar_deudor(ver, cartera, plan)

    return buscar


def _mostrar_detalle(consola, ejecucion, deudor: str, cliente: str) -> None:
    from recordar.informe.archivos import analizar
    from recordar.informe.vista_detalle import lineas_de_detalle
    from recordar.mensajes.formato import Formato

    politica, plan = ejecucion.pedido.politica, ejecucion.plan
    dinero = Formato(politica.idioma, politica.moneda).dinero
    omitidas = analizar(ejecucion.cartera, plan)[1]
    for linea in lineas_de_detalle(deudor, cliente, plan, politica, dinero, omitidas):
        consola.print(linea, markup=False, highlight=False)


def _vista_previa(consola, informe_json: bool, politica, ver: str | None = None, buscado=None):
    """Lo que se prepara mientras otro proceso sigue generando: la vista previa (se muestra
    solo si todo se generó bien), el deudor de --ver y el informe .json salvo los mensajes."""
    from recordar.informe.archivos import analizar, json_de_antemano
    from recordar.informe.vista import mostrar

    def preparar(cartera, plan):
        if ver is not None:
            _buscar(ver, buscado)(cartera, plan)
        analisis = analizar(cartera, plan)
        with consola.capture() as captura:
            mostrar(consola, cartera, plan, simulacro=True, analisis=analisis, politica=politica)
        informe = (json_de_antemano(cartera, plan, simulacro=True, analisis=analisis)
                   if informe_json else None)  # fmt: skip
        return captura.get(), informe

    return preparar


def _mostrar_simulacro(consola, errores, ejecucion, salida) -> None:
    from recordar.informe.archivos import a_dict
    from recordar.informe.formatos import escribir_informe
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
    from recordar.informe.archivos import a_dict
    from recordar.informe.formatos import escribir_informe
    from recordar.informe.vista import mostrar, mostrar_envio, registro_a_dict
    from recordar.preparacion import datos_de_ejecucion, notas_de_plan, notas_de_politica

    politica, cartera, plan = ejecucion.pedido.politica, ejecucion.cartera, ejecucion.plan
    resultado, cuentas, abiertas = ejecucion.resultado, ejecucion.cuentas_sms, ejecucion.abiertas
    mostrar(consola, cartera, plan, simulacro=False, politica=politica)
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
    from recordar.informe.formatos import FORMATOS

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
