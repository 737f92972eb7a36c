"""Renderizar un plan entero: sus mensajes en tramos, repartidos entre este proceso y otros
(fork) cuando son muchos."""

from __future__ import annotations

import pickle
from collections.abc import Callable
from typing import Any

from recordar.mensajes.plantillas import Plantillas
from recordar.plan import Mensaje, Plan

# Desde este número de mensajes se reparte el trabajo en 2 procesos (fork: sin copiar el plan).
MINIMO_PARA_REPARTIR = 5000
# Mensajes por tramo: cada proceso toma el siguiente tramo libre hasta acabarlos.
TAMANO_TRAMO = 1000


def renderizar_plan(
    plan: Plan,
    plantillas: Plantillas,
    procesos: int | None = None,
    por_tramo: Callable[[list[Mensaje]], Any] | None = None,
    traer_textos: bool = True,
    mientras: Callable[[], Any] | None = None,
) -> list:
    """Genera todos los mensajes del plan; si una plantilla falla, no se produce nada.

    Con varios procesos, plan.mensajes se parte en tramos consecutivos que cada proceso va
    tomando; el primero lo genera siempre este proceso. `por_tramo(mensajes)`, si se da, se
    calcula en el proceso que generó cada tramo (p. ej. sus registros del informe ya
    codificados); se devuelve la lista de sus resultados, en orden.

    Con traer_textos=False, los mensajes generados en otro proceso no traen su texto a este
    (asunto, cuerpo, html y parámetros quedan vacíos): basta cuando solo se usan `por_tramo`
    y los primeros mensajes, los del primer tramo (la vista previa del simulacro).

    `mientras()`, si se da, se ejecuta aquí después del primer tramo, mientras los otros
    procesos siguen (p. ej. mostrar la vista previa); luego este proceso toma más tramos.
    """
    mensajes = plan.mensajes
    if not procesos:
        from recordar.procesos import cuantos_procesos

        procesos = cuantos_procesos(len(mensajes), MINIMO_PARA_REPARTIR)
    if procesos <= 1:
        for mensaje in mensajes:
            plantillas.renderizar(mensaje, plan.fecha)
        if mientras is not None:
            mientras()
        return [por_tramo(mensajes)] if por_tramo is not None else []
    from recordar.procesos import PROTOCOLO, Hijo, HijoPerdido, Turnos

    tramos = [mensajes[i : i + TAMANO_TRAMO] for i in range(0, len(mensajes), TAMANO_TRAMO)]

    def tramo(i: int) -> Any:
        for mensaje in tramos[i]:
            plantillas.renderizar(mensaje, plan.fecha)
        return por_tramo(tramos[i]) if por_tramo is not None else None

    def en_el_hijo(turnos: Turnos) -> dict[int, bytes]:
        # Cada tramo se serializa al terminarlo: al final solo queda enviar bytes, y el padre,
        # que a esa altura ya no tiene nada más que hacer, espera menos (~0,1 s con 100k filas).
        hechos = {}
        for i in turnos:
            resultado = tramo(i)
            textos = [(m.asunto, m.cuerpo, m.html, m.parametros) for m in tramos[i]]
            hechos[i] = pickle.dumps((textos if traer_textos else None, resultado), PROTOCOLO)
        return hechos

    turnos = Turnos(range(1, len(tramos)))
    hijos = []
    try:
        hijos = [Hijo(lambda: en_el_hijo(turnos)) for _ in range(procesos - 1)]
        hechos = {0: tramo(0)}
        if mientras is not None:
            mientras()
        hechos.update((i, tramo(i)) for i in turnos)
        for hijo in hijos:
            try:
                de_hijo = hijo.resultado()
            except HijoPerdido:
                continue  # sus tramos se generan abajo, aquí
            for i, datos in de_hijo.items():
                textos, resultado = pickle.loads(datos)
                if textos is not None:
                    for mensaje, partes in zip(tramos[i], textos, strict=True):
                        mensaje.asunto, mensaje.cuerpo, mensaje.html, mensaje.parametros = partes
                hechos[i] = resultado
        for i in range(len(tramos)):
            if i not in hechos:
                hechos[i] = tramo(i)
    finally:
        for hijo in hijos:
            hijo.cancelar()
        turnos.cerrar()
    return [hechos[i] for i in range(len(tramos))] if por_tramo is not None else []
