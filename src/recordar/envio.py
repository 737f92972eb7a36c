"""Enviar un plan ya generado: reclamar en la bitácora, llamar al canal, registrar el resultado."""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from recordar.bitacora import Bitacora, Registro
from recordar.canales.base import (
    BajaDelDestinatario,
    Canal,
    CanalDetenido,
    Envio,
    ErrorEnvio,
    NoEnviado,
)
from recordar.errores import ErrorBitacora, ErrorCanal
from recordar.plan import Mensaje, Plan

# Lo que dice cada mensaje que no se intentó porque la bitácora dejó de poder escribirse (el
# motivo completo va una vez, al final).
NO_ENVIADO = "no enviado: se dejó de enviar porque la bitácora no se pudo escribir"
# Lo más que se espera por un Retry-After de un mensaje, y en total por canal en una ejecución:
# más que eso y el canal se deja para la próxima ejecución (un cron no se queda colgado).
ESPERA_MAXIMA = 60.0
ESPERA_TOTAL_MAXIMA = 300.0


@dataclass(slots=True)
class Trabajo:
    """Un envío pendiente y dónde anotar su resultado."""

    clave: str
    envio: Envio
    anotar: Callable[[str, str], None]  # (estado, detalle)


@dataclass(slots=True)
class Resultado:
    enviados: int = 0
    fallidos: int = 0
    inciertos: int = 0
    inciertos_nuevos: int = 0  # los que dejó una ejecución interrumpida
    sin_resolver: list[Registro] = field(
        default_factory=list
    )  # inciertos que siguen en la bitácora
    inalcanzables: dict[str, str] = field(default_factory=dict)  # canal → motivo
    reintentados: list[tuple[Registro, str, str]] = field(default_factory=list)
    no_enviados: int = 0  # no se intentaron: la bitácora dejó de poder escribirse
    error_bitacora: str | None = None  # por qué se dejó de enviar (una frase)

    @property
    def con_problemas(self) -> bool:
        return bool(
            self.fallidos or self.inciertos or self.inalcanzables or self.sin_resolver
            or self.no_enviados or self.error_bitacora
        )  # fmt: skip


def envio_de(m: Mensaje) -> Envio:
    return Envio(
        clave=m.clave, canal=m.canal, cliente=m.cliente, destinatario=m.destinatario,
        asunto=m.asunto, cuerpo=m.cuerpo, html=m.html, paso=m.ocurrencia.id,
        plantilla=m.ocurrencia.paso.plantilla, facturas=tuple(m.numeros), parametros=m.parametros or {},
    )  # fmt: skip


def envio_de_registro(r: Registro) -> Envio:
    return Envio(
        clave=r.clave, canal=r.canal, cliente=r.cliente, destinatario=r.destinatario,
        asunto=r.asunto or "", cuerpo=r.cuerpo or "", html=r.html, paso=r.paso,
        plantilla=r.plantilla or "", facturas=tuple(r.facturas), parametros=r.parametros or {},
    )  # fmt: skip


class Enviador:
    """Envía con las garantías de la bitácora: nunca dos veces, nada se pierde."""

    def __init__(self, bitacora: Bitacora, rutas: dict[str, Canal], fecha: date,
                 reintentar_inciertos: bool = False, reintentos: int = 2, espera: float = 1.0,
                 avisar: Callable[[str], None] | None = None,
                 dormir: Callable[[float], None] = time.sleep,
                 al_anotar: Callable[[str], None] | None = None) -> None:  # fmt: skip
        self.bitacora = bitacora
        self.rutas = rutas
        self.fecha = fecha
        self.reintentar_inciertos = reintentar_inciertos
        self.reintentos = reintentos
        self.espera = espera
        self.avisar = avisar or (lambda _texto: None)
        self.al_anotar = al_anotar  # (estado) de cada mensaje, ya anotado: la barra de progreso
        self.resultado = Resultado()
        self._cerrojo = threading.Lock()
        self._dormir = dormir
        self._esperado: dict[str, float] = {}  # canal → segundos esperados por Retry-After

    def enviar(self, plan: Plan) -> Resultado:
        r = self.resultado
        previos = self.bitacora.estados([m.clave for m in plan.mensajes])
        trabajos: dict[int, list[Trabajo]] = {}
        por_enviar = []
        for m in plan.mensajes:
            estado, permanente, detalle = previos.get(m.clave, ("pendiente", False, None))
            if estado == "incierto" and not self.reintentar_inciertos:
                self._anotar_mensaje(
                    m, "incierto", detalle or "envío incierto de una ejecución anterior"
                )
            elif estado == "fallido" and permanente:
                self._anotar_mensaje(
                    m,
                    "fallido",
                    f"fallo permanente anterior ({detalle}); corrige el contacto en la hoja",
                )
            elif estado == "enviado":
                self._anotar_mensaje(m, "enviado", "ya constaba como enviado")
            else:
                por_enviar.append(m)
        self.bitacora.preparar(por_enviar, self.fecha)
        self.bitacora.registrar_tareas(plan.tareas, self.fecha)
        for m in por_enviar:
            canal = self.rutas[m.canal]
            trabajos.setdefault(id(canal), []).append(
                Trabajo(m.clave, envio_de(m), self._anotador(m))
            )
        if self.reintentar_inciertos:
            self._sumar_inciertos_viejos(trabajos, {m.clave for m in plan.mensajes})
        self._ejecutar(trabajos)
        try:
            r.sin_resolver = self.bitacora.consultar(estados=("incierto",))
        except ErrorBitacora as exc:
            self._dejar_de_enviar(exc)
        return r

    def _sumar_inciertos_viejos(self, trabajos, claves_de_hoy: set[str]) -> None:
        # Desde la bitácora: con los parámetros que se guardaron, la misma petición que la primera vez.
        for registro in self.bitacora.consultar(estados=("incierto",)):
            if registro.clave in claves_de_hoy or registro.canal not in self.rutas:
                continue
            canal = self.rutas[registro.canal]

            def anotar(estado, detalle, registro=registro):
                self._contar(estado)
                self.resultado.reintentados.append((registro, estado, detalle))
                if estado not in ("enviado", "pendiente"):
                    self.avisar(f"{registro.cliente} · {registro.canal} · {registro.paso}: "
                                f"{estado}: {detalle}")  # fmt: skip

            trabajos.setdefault(id(canal), []).append(
                Trabajo(registro.clave, envio_de_registro(registro), anotar)
            )

    def _anotador(self, m: Mensaje) -> Callable[[str, str], None]:
        return lambda estado, detalle: self._anotar_mensaje(m, estado, detalle)

    def _anotar_mensaje(self, m: Mensaje, estado: str, detalle: str) -> None:
        m.estado, m.detalle = estado, detalle
        self._contar(estado)
        if estado not in ("enviado", "pendiente"):  # los pendientes se resumen en una línea
            self.avisar(f"{m.cliente} · {m.canal} · {m.ocurrencia.id}: {estado}: {detalle}")

    def _contar(self, estado: str) -> None:
        with self._cerrojo:
            if estado == "enviado":
                self.resultado.enviados += 1
            elif estado == "incierto":
                self.resultado.inciertos += 1
            elif estado == "pendiente":
                self.resultado.no_enviados += 1
            else:
                self.resultado.fallidos += 1
        if self.al_anotar is not None:
            self.al_anotar(estado)

    def _ejecutar(self, trabajos: dict[int, list[Trabajo]]) -> None:
        try:
            self._abrir_y_enviar(trabajos)
        finally:  # también si un canal no se pudo abrir: los ya abiertos no quedan conectados
            for canal in {id(c): c for c in self.rutas.values()}.values():
                canal.cerrar()

    def _abrir_y_enviar(self, trabajos: dict[int, list[Trabajo]]) -> None:
        # Todos los canales se abren antes de que salga nada: un ErrorCanal (configuración, p. ej.
        # un secreto sin exportar) termina la ejecución sin que otro canal ya esté enviando.
        abiertos = []
        for lista in trabajos.values():
            canal = self.rutas[lista[0].envio.canal]
            try:
                canal.abrir()
            except CanalDetenido as exc:
                self._inalcanzable(canal, exc.motivo, lista)
            else:
                abiertos.append((canal, lista))
        hilos = []
        for canal, lista in abiertos:
            cola: queue.Queue[Trabajo] = queue.Queue()
            for t in lista:
                cola.put(t)
            for _ in range(max(1, int(canal.config.get("conexiones", 1) or 1))):
                hilo = threading.Thread(
                    target=self._trabajar_seguro, args=(canal, cola), daemon=True
                )
                hilo.start()
                hilos.append(hilo)
        for hilo in hilos:
            hilo.join()

    def _inalcanzable(self, canal: Canal, motivo: str, lista: list[Trabajo]) -> None:
        with self._cerrojo:
            self.resultado.inalcanzables[canal.nombre] = motivo
        detalle = f"no enviado: {motivo}"
        try:
            self.bitacora.registrar_no_enviados([t.clave for t in lista], detalle)
        except ErrorBitacora as exc:
            self._dejar_de_enviar(exc)
        for t in lista:
            t.anotar("fallido", detalle)

    def _dejar_de_enviar(self, exc: Exception) -> None:
        """La bitácora no se pudo escribir: no sale nada más por ningún canal (lo que no se
        anota podría mandarse dos veces)."""
        if not isinstance(exc, ErrorBitacora):
            exc = (
                f"{self.bitacora.ruta}: error inesperado al enviar o anotar "
                f"({type(exc).__name__}: {exc})"
            )
        with self._cerrojo:
            if self.resultado.error_bitacora is None:
                self.resultado.error_bitacora = str(exc)

    def _trabajar_seguro(self, canal: Canal, cola: queue.Queue[Trabajo]) -> None:
        """Un hilo nunca muere con una traza: un fallo inesperado para el envío como uno de la
        bitácora y lo que queda en la cola se cuenta como no enviado."""
        try:
            self._trabajar(canal, cola)
        except Exception as exc:
            self._dejar_de_enviar(exc)
            while True:
                try:
                    t = cola.get_nowait()
                except queue.Empty:
                    break
                t.anotar("pendiente", NO_ENVIADO)

    def _trabajar(self, canal: Canal, cola: queue.Queue[Trabajo]) -> None:
        # Cada resultado se confirma junto con la reclamación siguiente (una escritura
        # sincronizada por envío); con límite por minuto se confirma al momento. Un resultado
        # se cuenta y se muestra solo cuando ya está en la bitácora.
        fusionar = canal.limitador is None
        anterior: tuple[Trabajo, tuple] | None = None
        while True:
            try:
                t = cola.get_nowait()
            except queue.Empty:
                break
            if self.resultado.error_bitacora is not None:
                t.anotar("pendiente", NO_ENVIADO)
                continue
            if canal.nombre in self.resultado.inalcanzables:
                # El servidor dejó de responder a mitad: lo que queda, «fallido» en la bitácora
                # con el motivo (se reintenta en la próxima ejecución), no «pendiente» sin más.
                detalle = f"no enviado: {self.resultado.inalcanzables[canal.nombre]}"
                try:
                    self.bitacora.registrar_no_enviados([t.clave], detalle)
                except Exception as exc:
                    self._dejar_de_enviar(exc)
                    t.anotar("pendiente", NO_ENVIADO)
                    continue
                t.anotar("fallido", detalle)
                continue
            try:
                reclamado = self.bitacora.reclamar(
                    t.clave, self.fecha, self.reintentar_inciertos, anterior and anterior[1]
                )
            except Exception as exc:  # disco lleno, bitácora bloqueada o dañada: se para
                self._dejar_de_enviar(exc)
                self._sin_anotar(anterior)
                anterior = None
                t.anotar("pendiente", NO_ENVIADO)
                continue
            if anterior is not None:
                self._anotar_registro(*anterior)
                anterior = None
            if not reclamado:
                t.anotar("incierto", "otra ejecución ya lo estaba enviando")
                continue
            registro = (t.clave, *self._enviar_seguro(canal, t.envio))
            if fusionar:
                anterior = (t, registro)
                continue
            try:
                self.bitacora.registrar(*registro)
            except Exception as exc:
                self._dejar_de_enviar(exc)
                self._sin_anotar((t, registro))
                continue
            self._anotar_registro(t, registro)
        if anterior is not None:
            try:
                self.bitacora.registrar(*anterior[1])
            except Exception as exc:
                self._dejar_de_enviar(exc)
                self._sin_anotar(anterior)
            else:
                self._anotar_registro(*anterior)

    def _enviar_seguro(
        self, canal: Canal, envio: Envio
    ) -> tuple[str, str | None, str | None, bool]:
        try:
            return self._enviar_uno(canal, envio)
        except Exception as exc:  # un fallo inesperado del canal: no se sabe si salió
            return "incierto", f"error inesperado: {exc}", None, False

    @staticmethod
    def _anotar_registro(t: Trabajo, registro: tuple) -> None:
        _clave, estado, detalle, proveedor_id, _permanente, _reintentos = registro
        t.anotar(estado, detalle or proveedor_id or "")

    def _sin_anotar(self, pendiente: tuple[Trabajo, tuple] | None) -> None:
        """Un resultado que la bitácora no pudo guardar: allí sigue «enviando» (la próxima
        ejecución lo marca «incierto» y no lo reenvía); se intenta anotarlo una vez más."""
        if pendiente is None:
            return
        t, registro = pendiente
        _clave, estado, detalle, proveedor_id, _permanente, _reintentos = registro
        try:
            self.bitacora.registrar(*registro)
        except Exception:
            que = "el proveedor lo aceptó" if estado == "enviado" else f"quedó {estado}"
            t.anotar("incierto", f"{que}{f' (id {proveedor_id})' if proveedor_id else ''}, pero "
                     "no se pudo anotar en la bitácora; no se reenviará solo")  # fmt: skip
        else:
            t.anotar(estado, detalle or proveedor_id or "")

    def _enviar_uno(
        self, canal: Canal, envio: Envio
    ) -> tuple[str, str | None, str | None, bool, int]:
        """(estado, detalle, id del proveedor, permanente, reintentos hechos) tras reintentar lo
        temporal; los reintentos se suman a los intentos de la bitácora."""
        intento = 0
        while True:
            try:
                return "enviado", None, canal.enviar(envio), False, intento
            except CanalDetenido as exc:
                return self._detener(canal, exc.motivo, intento)
            except ErrorCanal as exc:  # p. ej. una conexión extra cuyo login se rechaza
                return "fallido", f"no enviado: {exc}", None, False, intento
            except NoEnviado as exc:  # no salió nada: se intenta otra vez en la próxima ejecución
                return "fallido", f"no enviado: {exc.motivo}", None, False, intento
            except BajaDelDestinatario as exc:
                return "fallido", self._dar_de_baja(envio, exc.motivo), None, True, intento
            except ErrorEnvio as exc:
                if exc.entregado_quizas:
                    return (
                        "incierto",
                        f"{exc.motivo} (puede que haya llegado)",
                        None,
                        False,
                        intento,
                    )
                if not exc.temporal:
                    return "fallido", exc.motivo, None, True, intento
                if intento >= self.reintentos:
                    detalle = f"{exc.motivo} (se reintentará en la próxima ejecución)"
                    return "fallido", detalle, None, False, intento
                espera = max(self.espera * 2**intento, exc.espera or 0.0)
                demasiado = self._demasiada_espera(canal, exc.espera)
                if demasiado:
                    return self._detener(canal, f"{exc.motivo}; {demasiado}", intento)
                self._dormir(espera)
                intento += 1

    def _dar_de_baja(self, envio: Envio, motivo: str) -> str:
        """Registra la baja que pidió el destinatario (como `recordar baja`, en ese canal)."""
        try:
            self.bitacora.dar_de_baja(envio.destinatario, envio.canal, motivo)
        except ErrorBitacora as exc:
            return (
                f"{motivo}; pero la baja no se pudo registrar ({exc}): regístrala con recordar baja"
            )
        return motivo

    def _demasiada_espera(self, canal: Canal, espera: float | None) -> str:
        """Por qué no se espera lo que pide un Retry-After ("" si se espera)."""
        if espera is None:
            return ""
        if espera > ESPERA_MAXIMA:
            return (f"el proveedor pide esperar {espera:g} s antes de reintentar (más de "
                    f"{ESPERA_MAXIMA:g})")  # fmt: skip
        with self._cerrojo:
            total = self._esperado.get(canal.nombre, 0.0) + espera
            if total > ESPERA_TOTAL_MAXIMA:
                return (f"el proveedor sigue pidiendo esperar (ya van {total - espera:g} s en "
                        "esta ejecución)")  # fmt: skip
            self._esperado[canal.nombre] = total
        return ""

    def _detener(self, canal: Canal, motivo: str, intento: int) -> tuple:
        """El canal no envía nada más en esta ejecución; lo que queda sigue pendiente (se
        reintenta en la próxima, no es un fallo del contacto)."""
        with self._cerrojo:
            self.resultado.inalcanzables.setdefault(canal.nombre, motivo)
        return "fallido", f"no enviado: {motivo}", None, False, intento
