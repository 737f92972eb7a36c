"""Lo falso de las pruebas: un canal en memoria que registra lo que «envía» y falla a demanda,
y un envío exitoso reflejado en el historial (como lo dejaría la bitácora)."""

from __future__ import annotations

import threading

from recordar.canales.base import Canal, Envio, ErrorEnvio, ServidorInalcanzable, registrar
from recordar.plan import Historial


@registrar
class CanalMemoria(Canal):
    tipo = "memoria"
    canales = ("email", "sms", "whatsapp")
    opcionales = ("conexiones", "apagado")

    enviados: list[Envio] = []
    # destinatario → lista de fallos a devolver en orden: "temporal", "permanente", "quizas"
    fallos: dict[str, list[str]] = {}
    _cerrojo = threading.Lock()

    @classmethod
    def reiniciar(cls) -> None:
        cls.enviados = []
        cls.fallos = {}

    def abrir(self) -> None:
        if self.config.get("apagado"):
            raise ServidorInalcanzable("no se pudo conectar con memoria://apagado")

    def enviar(self, envio: Envio) -> str:
        with self._cerrojo:
            pendientes = self.fallos.get(envio.destinatario)
            fallo = pendientes.pop(0) if pendientes else None
        if fallo == "temporal":
            raise ErrorEnvio("451 intente más tarde", temporal=True)
        if fallo == "permanente":
            raise ErrorEnvio("550 5.1.1 buzón inexistente", temporal=False)
        if fallo == "quizas":
            raise ErrorEnvio("se cortó tras enviar los datos", temporal=True, entregado_quizas=True)
        with self._cerrojo:
            self.enviados.append(envio)
            return f"mem-{len(self.enviados)}"


def enviar_en_memoria(plan, historial: Historial) -> None:
    """Lo que haría un envío exitoso, reflejado en el historial (la bitácora de las pruebas)."""
    for m in plan.mensajes:
        for linea in m.lineas:
            # Como la bitácora: el paso del mensaje y, si va por una promesa rota, el propio.
            cubiertos = {m.ocurrencia.id} | ({linea.propia.id} if linea.propia else set())
            historial.enviados.setdefault((linea.factura.numero, m.canal), set()).update(cubiertos)
        historial.envios.setdefault(m.deudor, []).append((plan.fecha, m.canal))
    for t in plan.tareas:
        for numero in t.numeros:
            historial.enviados.setdefault((numero, "tarea"), set()).add(t.ocurrencia.id)
