"""El informe en la terminal: tablas de mensajes, tareas, rechazos y el resumen de la corrida,
y lo que pasó al enviar (con los destinatarios enmascarados)."""

from __future__ import annotations

import re
from typing import Any

from recordar.cartera.carga import Cartera
from recordar.cartera.valores import cantidad
from recordar.informe.archivos import analizar
from recordar.mensajes.texto_sms import segmentos_sms
from recordar.plan import Mensaje, Plan

FILAS_EN_PANTALLA = 60


def mostrar_otras_hojas(consola, cartera: Cartera) -> None:
    """Aviso de las otras hojas del libro que también parecen una cartera y no se leyeron."""
    if cartera.otras_hojas:
        otras = ", ".join(f"«{h}»" for h in cartera.otras_hojas)
        consola.print(
            f"[yellow]Aviso: solo se leyó la hoja «{cartera.hoja}»; el libro tiene otras con "
            f"encabezados de cartera ({otras}). Para leer otra: --hoja NOMBRE.[/yellow]"
        )


def mostrar(consola, cartera: Cartera, plan: Plan, simulacro: bool, analisis=None) -> None:
    """Tablas de mensajes, tareas, rechazos y el resumen, en la terminal."""
    from rich.table import Table

    titulo = "Simulacro: nada se envía ni se registra" if simulacro else "Envío"
    consola.print(f"[bold]{titulo}[/bold] · {plan.fecha.isoformat()} · {cartera.ruta}"
                  + (f" (hoja «{cartera.hoja}»)" if cartera.hoja else ""))  # fmt: skip
    mostrar_otras_hojas(consola, cartera)
    mostrar_notas(consola, cartera)
    if plan.mensajes:
        tabla = Table(title=f"Mensajes ({len(plan.mensajes)})", show_lines=False)
        for columna in ("cliente", "facturas", "días", "paso", "canal", "destinatario"):
            tabla.add_column(
                columna, overflow="fold", justify="right" if columna == "días" else "left"
            )
        if not simulacro:
            tabla.add_column("estado", overflow="fold")
        ancho = max(16, consola.width // 3)
        tabla.add_column("vista previa", overflow="ellipsis", no_wrap=True, max_width=ancho)
        for m in plan.mensajes[:FILAS_EN_PANTALLA]:
            celdas = [m.cliente, ", ".join(m.numeros), str(m.dias_vencido), m.ocurrencia.id, m.canal,
                      m.destinatario]  # fmt: skip
            if not simulacro:
                celdas.append(m.estado)
            tabla.add_row(*celdas, _vista_previa(m))
        consola.print(tabla)
        if len(plan.mensajes) > FILAS_EN_PANTALLA:
            consola.print(f"… y {len(plan.mensajes) - FILAS_EN_PANTALLA} mensajes más; "
                          "el informe completo con --salida informe.json|csv|xlsx|html")  # fmt: skip
    notas = [m for m in plan.mensajes if m.nota]
    for m in notas[:FILAS_EN_PANTALLA]:
        consola.print(f"  {m.cliente} · {m.canal} · {m.ocurrencia.id}: {m.nota}", markup=False)
    if plan.tareas:
        tabla = Table(title=f"Tareas manuales ({len(plan.tareas)})")
        for columna in ("cliente", "facturas", "paso", "descripción"):
            tabla.add_column(columna, overflow="fold")
        for t in plan.tareas[:FILAS_EN_PANTALLA]:
            tabla.add_row(t.cliente, ", ".join(t.numeros), t.ocurrencia.id, t.descripcion)
        consola.print(tabla)
    _tabla_problemas(consola, "Filas rechazadas", cartera.rechazos)
    _tabla_problemas(consola, "Avisos", cartera.avisos)
    _mostrar_resumen(consola, analisis or analizar(cartera, plan))


def mostrar_notas(consola, cartera: Cartera) -> None:
    """Lo que conviene saber de la hoja entera (qué columna de importe se cobra)."""
    for nota in cartera.notas:
        consola.print(nota, markup=False)


def _vista_previa(m: Mensaje) -> str:
    texto = m.asunto if m.canal == "email" and m.asunto else " ".join(m.cuerpo.split())
    if m.canal == "sms":
        caracteres, segmentos, codificacion = segmentos_sms(m.cuerpo)
        return f"[{caracteres} car., {segmentos} seg. {codificacion}] {texto}"
    return texto


def _tabla_problemas(consola, titulo: str, problemas: list) -> None:
    from rich.table import Table

    if not problemas:
        return
    tabla = Table(title=f"{titulo} ({len(problemas)})")
    for columna in ("fila", "columna", "valor", "motivo"):
        tabla.add_column(columna, overflow="fold")
    for p in problemas[:FILAS_EN_PANTALLA]:
        tabla.add_row(str(p.fila), p.columna, p.valor, p.motivo)
    consola.print(tabla)
    if len(problemas) > FILAS_EN_PANTALLA:
        consola.print(f"… y {len(problemas) - FILAS_EN_PANTALLA} más en el informe (--salida)")


_RE_FIN_DE_CLASE = re.compile(r": |; | \(|:$")


def _mostrar_resumen(consola, analisis: tuple) -> None:
    r, omitidas = analisis
    motivos: dict[str, int] = {}
    for o in omitidas:
        # «día no hábil (domingo); elegible desde 2026-12-07 07:00 (…)» cuenta como «día no
        # hábil»: se corta en «: », «; » o « (», nunca en los «:» de una hora.
        clave = _RE_FIN_DE_CLASE.split(o.motivo, maxsplit=1)[0]
        motivos[clave] = motivos.get(clave, 0) + 1
    detalle = ", ".join(f"{n} {m}" for m, n in sorted(motivos.items(), key=lambda x: -x[1]))
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
    if resultado.sin_resolver:
        tabla = Table(title=f"Envíos inciertos sin resolver ({len(resultado.sin_resolver)})")
        for columna in ("fecha", "cliente", "facturas", "paso", "canal", "destinatario"):
            tabla.add_column(columna, overflow="fold")
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
        consola.print(
            "Comprueba si llegaron; para reenviarlos: recordar enviar … --reintentar-inciertos"
        )
    consola.print(
        f"[bold]Envío:[/bold] {cantidad(resultado.enviados, 'enviado')}, "
        f"{cantidad(resultado.fallidos, 'fallido')}, {cantidad(resultado.inciertos, 'incierto')}. "
        f"Bitácora: {ruta_bitacora}"
    )
