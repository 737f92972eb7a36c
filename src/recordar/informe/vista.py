"""El informe en la terminal: el dinero de la corrida, los mensajes (una fila por deudor), las
tareas, las omitidas por nombre, los rechazos y el resumen, y lo que pasó al enviar (con los
destinatarios enmascarados).

En una terminal van tablas; cuando la salida no es una terminal (cron, `| tee`, `> log`), texto
llano sin cajas ni color, una línea por mensaje, para leerlo en un log y buscar con grep.
"""

from __future__ import annotations

from typing import Any

from recordar.cartera.carga import Cartera
from recordar.cartera.valores import cantidad
from recordar.informe.archivos import analizar
from recordar.informe.vista_dinero import (
    envolver,
    lineas_de_dinero,
    lineas_de_omitidas,
    omitidas_por_motivo,
)
from recordar.informe.vista_tabla import (
    FILAS_EN_PANTALLA,
    SEPARADOR,
    filas_de,
    lineas_de_mensajes,
    tabla_de_mensajes,
)
from recordar.plan import Plan


def es_terminal(consola) -> bool:
    """Tablas y color solo en una terminal; en un archivo o una tubería, texto llano."""
    return bool(consola.is_terminal)


def mostrar_otras_hojas(consola, cartera: Cartera) -> None:
    """Aviso de las otras hojas del libro que también parecen una cartera y no se leyeron."""
    if cartera.otras_hojas:
        otras = ", ".join(f"«{h}»" for h in cartera.otras_hojas)
        consola.print(
            f"[yellow]Aviso: solo se leyó la hoja «{cartera.hoja}»; el libro tiene otras con "
            f"encabezados de cartera ({otras}). Para leer otra: --hoja NOMBRE.[/yellow]"
        )


def mostrar(consola, cartera: Cartera, plan: Plan, simulacro: bool, *, politica,
            analisis=None) -> None:  # fmt: skip
    """Dinero, mensajes, tareas, omitidas, rechazos y el resumen, en la terminal o en un log."""
    from recordar.informe.cifras import calcular
    from recordar.mensajes.formato import Formato

    dinero = Formato(politica.idioma, politica.moneda).dinero
    terminal = es_terminal(consola)
    ancho = consola.width if terminal else None
    titulo = "Simulacro: nada se envía ni se registra" if simulacro else "Envío"
    consola.print(f"[bold]{titulo}[/bold] · {plan.fecha.isoformat()} · {cartera.ruta}"
                  + (f" (hoja «{cartera.hoja}»)" if cartera.hoja else ""))  # fmt: skip
    mostrar_otras_hojas(consola, cartera)
    mostrar_notas(consola, cartera)
    analisis = analisis or analizar(cartera, plan)
    for rotulo, piezas in lineas_de_dinero(calcular(cartera, plan, politica), dinero):
        for linea in envolver(rotulo, piezas, ancho):
            consola.print(linea, markup=False, highlight=False, soft_wrap=True)
    _mostrar_mensajes(consola, plan, dinero, simulacro, terminal)
    if plan.tareas:
        _mostrar_tareas(consola, plan, terminal)
    grupos = omitidas_por_motivo(analisis[1])
    for linea in lineas_de_omitidas(analisis[1], ancho, grupos):
        consola.print(linea, markup=False, highlight=False, soft_wrap=True)
    _mostrar_problemas(consola, "Filas rechazadas", "rechazada", cartera.rechazos, terminal)
    _mostrar_problemas(consola, "Avisos", "aviso", cartera.avisos, terminal)
    _mostrar_resumen(consola, analisis, grupos)


def _mostrar_mensajes(consola, plan: Plan, dinero, simulacro: bool, terminal: bool) -> None:
    if not plan.mensajes:
        return
    # En el log de un envío real va cada mensaje con su estado (para buscarlo con grep); en la
    # terminal y en el simulacro, los primeros deudores (el resto, en --salida).
    todos = not terminal and not simulacro
    filas, deudores = filas_de(plan.mensajes, len(plan.mensajes) if todos else FILAS_EN_PANTALLA)
    consola.print(f"[bold]Mensajes ({len(plan.mensajes)})[/bold] a "
                  f"{cantidad(deudores, 'deudor', 'deudores')}")  # fmt: skip
    if terminal:
        consola.print(tabla_de_mensajes(filas, dinero, consola.width, simulacro))
        mostrados = sum(len(f.mensajes) for f in filas)
    else:
        mensajes = [m for f in filas for m in f.mensajes]
        lineas = lineas_de_mensajes(mensajes, dinero, consola.width, simulacro)
        if todos:
            # Texto llano sin estilos: directo al archivo (rich tarda ~50 µs por línea y el log
            # de 10 000 envíos tendría 10 000).
            consola.file.write("".join(f"{linea}\n" for linea in lineas))
            consola.file.flush()
        else:
            for linea in lineas:
                consola.print(linea, markup=False, highlight=False, soft_wrap=True)
        mostrados = len(mensajes)
    if deudores > len(filas):
        consola.print(f"… y {len(plan.mensajes) - mostrados} mensajes más a "
                      f"{cantidad(deudores - len(filas), 'deudor', 'deudores')}; el informe "
                      "completo con --salida informe.json|csv|xlsx|html")  # fmt: skip
    notas = [m for f in filas for m in f.mensajes if m.nota]
    for m in notas:
        consola.print(f"  {m.cliente} · {m.canal} · {m.ocurrencia.id}: {m.nota}", markup=False)


def _mostrar_tareas(consola, plan: Plan, terminal: bool) -> None:
    from rich.table import Table

    if not terminal:
        consola.print(f"Tareas manuales ({len(plan.tareas)}):")
        for t in plan.tareas[:FILAS_EN_PANTALLA]:
            consola.print("tarea" + SEPARADOR + SEPARADOR.join(
                (t.cliente, ", ".join(t.numeros), t.ocurrencia.id, t.descripcion)), markup=False,
                soft_wrap=True)  # fmt: skip
    else:
        tabla = Table(title=f"Tareas manuales ({len(plan.tareas)})")
        for columna in ("cliente", "facturas", "paso", "descripción"):
            tabla.add_column(columna, overflow="ellipsis")
        for t in plan.tareas[:FILAS_EN_PANTALLA]:
            tabla.add_row(t.cliente, ", ".join(t.numeros), t.ocurrencia.id, t.descripcion)
        consola.print(tabla)
    if len(plan.tareas) > FILAS_EN_PANTALLA:
        consola.print(f"… y {len(plan.tareas) - FILAS_EN_PANTALLA} más; ver --salida")


def mostrar_notas(consola, cartera: Cartera) -> None:
    """Lo que conviene saber de la hoja entera (qué columna de importe se cobra)."""
    for nota in cartera.notas:
        consola.print(nota, markup=False)


def _mostrar_problemas(consola, titulo: str, que: str, problemas: list, terminal: bool) -> None:
    from rich.table import Table

    if not problemas:
        return
    if terminal:
        tabla = Table(title=f"{titulo} ({len(problemas)})")
        tabla.add_column("fila", justify="right", no_wrap=True)
        # Un correo o un importe nunca se parte: se corta con «…» (el informe lo trae entero).
        tabla.add_column("columna", overflow="ellipsis")
        tabla.add_column("valor", no_wrap=True, overflow="ellipsis", max_width=30)
        tabla.add_column("motivo", overflow="ellipsis", ratio=1)
        for p in problemas[:FILAS_EN_PANTALLA]:
            tabla.add_row(str(p.fila), p.columna, p.valor, p.motivo)
        consola.print(tabla)
    else:
        consola.print(f"{titulo} ({len(problemas)}):")
        for p in problemas[:FILAS_EN_PANTALLA]:
            consola.print(SEPARADOR.join((que, str(p.fila), p.columna, f"«{p.valor}»", p.motivo)),
                          markup=False, highlight=False, soft_wrap=True)  # fmt: skip
    if len(problemas) > FILAS_EN_PANTALLA:
        consola.print(f"… y {len(problemas) - FILAS_EN_PANTALLA} más en el informe (--salida)")


def _mostrar_resumen(consola, analisis: tuple, grupos: dict) -> None:
    r = analisis[0]
    # `grupos` ya va de más a menos facturas (omitidas_por_motivo).
    detalle = ", ".join(f"{sum(map(len, c.values()))} {m}" for m, c in grupos.items())
    facturas = cantidad(r.facturas, "factura")
    consola.print(
        f"[bold]Resumen:[/bold] {cantidad(r.filas, 'fila')} = {facturas} + "
        f"{cantidad(r.rechazadas, 'rechazada')}. {facturas} = {r.en_mensajes} en mensajes + "
        f"{r.en_tareas} en tareas + {cantidad(r.omitidas, 'omitida')}"
        + (f" ({detalle})" if detalle else "")
        + f". {cantidad(r.mensajes, 'mensaje')}, {cantidad(r.tareas, 'tarea')}"
        + (f", {cantidad(r.avisos, 'aviso')}" if r.avisos else "")
        + "."
    )


# --- envíos reales y bitácora -----------------------------------------------------------------


def enmascarar(destinatario: str) -> str:
    """«jose@ejemplo.com» → «j***@ejemplo.com»; «+525512345678» → «+52******5678»."""
    partes = []
    for d in destinatario.split(", "):
        if "@" in d:
            usuario, _, dominio = d.partition("@")
            partes.append(f"{usuario[:1]}***@{dominio}")
        elif len(d) > 6:
            partes.append(d[:3] + "*" * (len(d) - 7) + d[-4:])
        else:
            partes.append("***")
    return ", ".join(partes)


def registro_a_dict(r, completo: bool = False) -> dict[str, Any]:
    return {
        "fecha": r.fecha_plan,
        "enviado_en": r.enviado_en,
        "actualizado": r.actualizado,
        "cliente": r.cliente,
        "facturas": r.facturas,
        "paso": r.paso,
        "canal": r.canal,
        "destinatario": r.destinatario if completo else enmascarar(r.destinatario),
        "estado": r.estado,
        "intentos": r.intentos,
        "proveedor_id": r.proveedor_id,
        "detalle": r.detalle,
        "asunto": r.asunto,
    }


def mostrar_envio(consola, resultado, ruta_bitacora) -> None:
    """Lo que pasó al enviar: enviados, fallidos, inciertos; dónde está la bitácora."""
    from rich.table import Table

    if resultado.inciertos_nuevos:
        consola.print(
            f"[yellow]{cantidad(resultado.inciertos_nuevos, 'envío')} "
            + ("quedó" if resultado.inciertos_nuevos == 1 else "quedaron")
            + " a medias en una ejecución interrumpida: marcados «incierto», no se reenvían "
            "solos[/yellow]"
        )
    if resultado.sin_resolver and not es_terminal(consola):
        consola.print(f"Envíos inciertos sin resolver ({len(resultado.sin_resolver)}):")
        for r in resultado.sin_resolver[:FILAS_EN_PANTALLA]:
            consola.print(SEPARADOR.join(("incierto", r.fecha_plan, r.cliente, ", ".join(r.facturas),
                                          r.paso, r.canal, enmascarar(r.destinatario))),
                          markup=False, highlight=False, soft_wrap=True)  # fmt: skip
    elif resultado.sin_resolver:
        tabla = Table(title=f"Envíos inciertos sin resolver ({len(resultado.sin_resolver)})")
        for columna in ("fecha", "cliente", "facturas", "paso", "canal", "destinatario"):
            tabla.add_column(columna, overflow="ellipsis", no_wrap=columna == "destinatario")
        for r in resultado.sin_resolver[:FILAS_EN_PANTALLA]:
            tabla.add_row(
                r.fecha_plan,
                r.cliente,
                ", ".join(r.facturas),
                r.paso,
                r.canal,
                enmascarar(r.destinatario),
            )
        consola.print(tabla)
    if resultado.sin_resolver:
        consola.print(
            "Comprueba si llegaron; para reenviarlos: recordar enviar … --reintentar-inciertos"
        )
    consola.print(
        f"[bold]Envío:[/bold] {cantidad(resultado.enviados, 'enviado')}, "
        f"{cantidad(resultado.fallidos, 'fallido')}, {cantidad(resultado.inciertos, 'incierto')}. "
        f"Bitácora: {ruta_bitacora}"
    )
