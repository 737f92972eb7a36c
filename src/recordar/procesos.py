"""Trabajo en procesos hijos (fork) para usar los dos núcleos con carteras grandes.

Un hijo creado con fork ve, sin copiarlo, todo lo que este proceso ya tenía en memoria (la
cartera, el plan, las plantillas); solo su resultado vuelve, serializado, por una tubería.
"""

from __future__ import annotations

import os
import pickle
import signal
import struct
from collections.abc import Callable, Iterable, Iterator
from typing import Any

PROTOCOLO = pickle.HIGHEST_PROTOCOL


class HijoPerdido(Exception):
    """El hijo terminó sin devolver nada (lo mataron o falló al enviar su resultado)."""


def cuantos_procesos(trabajo: int, minimo: int) -> int:
    """Procesos para un trabajo de tamaño `trabajo`: los de RECORDAR_PROCESOS si está (1 = todo
    en este), si no 2 desde `minimo` con 2 núcleos o más. Siempre 1 sin fork, y sin pedirlo
    tampoco si hay otros hilos (el hijo los heredaría a medias)."""
    import multiprocessing
    import threading

    # Windows no tiene fork (y multiprocessing lo sigue anunciando si solo falta os.fork).
    if not hasattr(os, "fork") or "fork" not in multiprocessing.get_all_start_methods():
        return 1
    pedido = os.environ.get("RECORDAR_PROCESOS", "")
    if pedido.isdigit():
        return max(1, int(pedido))
    if trabajo < minimo or threading.active_count() > 1:
        return 1
    return min(2, os.cpu_count() or 1)


class Hijo:
    """funcion() ejecutada en un proceso hijo; `resultado()` la espera y devuelve lo que dio.

    Si funcion() lanza una excepción, `resultado()` la relanza aquí. El hijo sale con
    os._exit: no corre manejadores atexit ni vacía búferes heredados.
    """

    def __init__(self, funcion: Callable[[], Any]) -> None:
        lectura, escritura = os.pipe()
        try:
            pid = os.fork()
        except OSError:
            os.close(lectura)
            os.close(escritura)
            raise
        if pid == 0:
            codigo = 0
            try:
                os.close(lectura)
                with os.fdopen(escritura, "wb") as tubo:
                    tubo.write(_empaquetar(funcion))
            except BaseException:  # noqa: BLE001 - el padre lo verá como HijoPerdido
                codigo = 1
            finally:
                os._exit(codigo)
        os.close(escritura)
        self.pid: int | None = pid
        self._lectura = lectura

    def resultado(self) -> Any:
        if self.pid is None:
            raise HijoPerdido("el resultado ya se recogió o el hijo se canceló")
        try:
            with os.fdopen(self._lectura, "rb") as tubo:
                datos = tubo.read()
        finally:
            os.waitpid(self.pid, 0)
            self.pid = None
        try:
            bien, valor = pickle.loads(datos)
        except Exception as exc:  # vacío o cortado: el hijo murió antes de terminar
            raise HijoPerdido("el proceso hijo terminó sin devolver su resultado") from exc
        if bien:
            return valor
        raise valor

    def cancelar(self) -> None:
        """Termina el hijo sin esperar su resultado."""
        if self.pid is None:
            return
        try:
            os.kill(self.pid, getattr(signal, "SIGKILL", signal.SIGTERM))
            os.waitpid(self.pid, 0)
            os.close(self._lectura)
        except OSError:
            pass
        finally:
            self.pid = None


def _empaquetar(funcion: Callable[[], Any]) -> bytes:
    try:
        return pickle.dumps((True, funcion()), protocol=PROTOCOLO)
    except Exception as exc:  # noqa: BLE001 - se relanza en el padre
        try:
            datos = pickle.dumps((False, exc), protocol=PROTOCOLO)
            pickle.loads(datos)  # algunas excepciones no se pueden reconstruir
            return datos
        except Exception:  # noqa: BLE001
            return pickle.dumps((False, RuntimeError(f"{type(exc).__name__}: {exc}")))


class Turnos:
    """Números de tramo que varios procesos se reparten: cada uno toma el siguiente libre.

    Una tubería con un número por tramo, ya cerrada para escribir: leer 4 bytes es atómico,
    así que ningún tramo se toma dos veces, y al vaciarse cada proceso ve el final.
    Se crea antes del fork. Admite hasta 16 000 tramos (lo que cabe en la tubería).
    """

    def __init__(self, numeros: Iterable[int]) -> None:
        datos = b"".join(struct.pack("<I", n) for n in numeros)
        if len(datos) > 65536:
            raise ValueError("demasiados tramos para una tubería")
        self._lectura, escritura = os.pipe()
        try:
            os.write(escritura, datos)
        finally:
            os.close(escritura)

    def __iter__(self) -> Iterator[int]:
        while len(dato := os.read(self._lectura, 4)) == 4:
            yield struct.unpack("<I", dato)[0]

    def cerrar(self) -> None:
        os.close(self._lectura)
