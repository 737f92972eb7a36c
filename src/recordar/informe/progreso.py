"""El progreso de un envío real: una barra en la terminal (enviados, fallidos, ritmo y lo que
falta) y, en un log, una línea cada pocos segundos más una al final: 10 000 correos tardan
cerca de un minuto y un minuto en silencio parece un cuelgue.

Los dos tienen la misma forma: empezar(total), anotar(estado) por cada mensaje (desde los hilos
del envío) y terminar().
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Callable

from recordar.cartera.valores import cantidad

INTERVALO = 5.0  # segundos entre líneas de progreso en un log (RECORDAR_PROGRESO_CADA)


def intervalo_de_log() -> float:
    """Segundos entre líneas de progreso en un log: RECORDAR_PROGRESO_CADA o 5."""
    try:
        return max(0.0, float(os.environ.get("RECORDAR_PROGRESO_CADA", INTERVALO)))
    except ValueError:
        return INTERVALO


def duracion(segundos: float) -> str:
    """«8 s», «2 min 5 s», «1 h 3 min»."""
    s = round(segundos)
    if s < 60:
        return f"{s} s"
    if s < 3600:
        return f"{s // 60} min {s % 60} s"
    return f"{s // 3600} h {s % 3600 // 60} min"


class _Cuenta:
    """Los mensajes hechos por estado (se anotan desde varios hilos)."""

    def __init__(self) -> None:
        self.total = 0
        self.estados: dict[str, int] = {}
        self.cerrojo = threading.Lock()

    @property
    def hechos(self) -> int:
        return sum(self.estados.values())

    def texto(self) -> str:
        e = self.estados
        partes = [
            cantidad(e.get("enviado", 0), "enviado"),
            cantidad(e.get("fallido", 0), "fallido"),
        ]
        if e.get("incierto"):
            partes.append(cantidad(e["incierto"], "incierto"))
        if e.get("pendiente"):
            partes.append(f"{e['pendiente']} sin enviar")
        return " · ".join(partes)


class ProgresoEnLog(_Cuenta):
    """Una línea «progreso: …» cada `intervalo` segundos (según `reloj`) y otra al terminar."""

    def __init__(self, escribir: Callable[[str], None], intervalo: float = INTERVALO,
                 reloj: Callable[[], float] = time.monotonic) -> None:  # fmt: skip
        super().__init__()
        self.escribir, self.intervalo, self.reloj = escribir, intervalo, reloj
        self.inicio = self.ultima = 0.0

    def empezar(self, total: int) -> None:
        self.total = total
        self.inicio = self.ultima = self.reloj()

    def anotar(self, estado: str) -> None:
        with self.cerrojo:
            self.estados[estado] = self.estados.get(estado, 0) + 1
            ahora = self.reloj()
            if ahora - self.ultima < self.intervalo:
                return
            self.ultima = ahora
            linea = self.linea(ahora)
        self._escribir(linea)

    def terminar(self) -> None:
        with self.cerrojo:
            if not self.hechos and not self.total:
                return
            linea = self.linea(self.reloj(), final=True)
        self._escribir(linea)

    def _escribir(self, linea: str) -> None:
        # Un log que ya no se puede escribir (tubería cerrada, disco lleno) no para el envío.
        with contextlib.suppress(OSError, ValueError):
            self.escribir(linea)

    def linea(self, ahora: float, final: bool = False) -> str:
        hechos, total = self.hechos, max(self.total, self.hechos)
        transcurrido = max(ahora - self.inicio, 1e-9)
        ritmo = hechos / transcurrido
        texto = f"progreso: {hechos} de {total} · {self.texto()} · {ritmo:.1f} por segundo"
        if final:
            return f"{texto} · terminado en {duracion(transcurrido)}"
        if ritmo > 0 and hechos < total:
            texto += f" · faltan ~{duracion((total - hechos) / ritmo)}"
        return texto


class ProgresoEnTerminal(_Cuenta):
    """La barra de rich: mensajes hechos de cuántos, enviados y fallidos, ritmo y lo que falta."""

    def __init__(self, consola) -> None:
        super().__init__()
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
        )

        self.barra = Progress(
            TextColumn("Enviando"), BarColumn(), MofNCompleteColumn(),
            TextColumn("{task.fields[cuenta]}"),
            TextColumn("{task.fields[ritmo]}"), TimeRemainingColumn(),
            console=consola, transient=False,
        )  # fmt: skip
        self.tarea = None
        self.inicio = 0.0

    def empezar(self, total: int) -> None:
        self.total = total
        self.inicio = time.monotonic()
        if total:  # sin mensajes no hay barra
            self.tarea = self.barra.add_task("envío", total=total, cuenta="", ritmo="")
            self.barra.start()

    def anotar(self, estado: str) -> None:
        if self.tarea is None:
            return
        with self.cerrojo:
            self.estados[estado] = self.estados.get(estado, 0) + 1
            hechos = self.hechos
            ritmo = hechos / max(time.monotonic() - self.inicio, 1e-9)
            cuenta = self.texto()
        self.barra.update(self.tarea, completed=hechos, total=max(self.total, hechos),
                          cuenta=cuenta, ritmo=f"{ritmo:.1f}/s")  # fmt: skip

    def terminar(self) -> None:
        if self.tarea is not None:
            self.barra.stop()


def progreso_para(consola):
    """La barra en una terminal; en un log, líneas cada RECORDAR_PROGRESO_CADA segundos."""
    if consola.is_terminal:
        return ProgresoEnTerminal(consola)
    return ProgresoEnLog(lambda texto: consola.print(texto, markup=False, highlight=False),
                         intervalo_de_log())  # fmt: skip
