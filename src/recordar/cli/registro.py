"""`recordar historial`, `baja`, `pagos` y `tareas`: lo que dice y guarda la bitácora."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from recordar.cli.comun import (
    OpcionBitacora,
    OpcionPolitica,
    _avisar_si_otra_bitacora,
    _consola,
    _ejecutar,
    _exigir_bitacora_conocida,
    _fecha,
    _ruta_bitacora,
)
from recordar.errores import RecordarError


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
    from recordar.cartera.contactos import normalizar_correos, normalizar_telefonos

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
    from recordar.cartera.contactos import normalizar_correos
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
    from recordar.politica.politica import CANALES_MENSAJE, cargar_politica

    politica = cargar_politica(politica_ruta)
    if canal is not None and canal not in CANALES_MENSAJE:
        raise RecordarError(f"--canal: «{canal}» no es un canal; usa email, sms o whatsapp")
    validos = [_contacto_normalizado(contacto, politica)]
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
