"""La entrega en la bitácora: qué mensajes enviados falta confirmar y lo que el proveedor dijo de
cada uno (delivered, undelivered…). Un mensaje que no se entregó vuelve a «fallido»."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

# Estados de entrega que ya no cambian: no se vuelven a consultar.
ENTREGAS_FINALES = ("delivered", "read", "undelivered", "failed")


@dataclass(frozen=True, slots=True)
class EnvioAConfirmar:
    """Un mensaje enviado cuyo estado de entrega aún no es final."""

    clave: str
    canal: str
    destinatario: str
    cliente: str
    paso: str
    proveedor_id: str
    intentos: int


_COLUMNAS = "clave, canal, destinatario, cliente, paso, proveedor_id, intentos"


def _ahora() -> str:
    return datetime.now().astimezone().isoformat(timespec="seconds")


class EntregasDeLaBitacora:
    """Lo de la entrega de `Bitacora` (usa su conexión y sus transacciones)."""

    def por_confirmar(self, desde: date, canales: tuple[str, ...]) -> list[EnvioAConfirmar]:
        """Los enviados desde `desde` por esos canales con id del proveedor y sin estado final."""
        if self._con is None or not canales:
            return []
        marcas = ",".join("?" * len(canales))
        finales = ",".join("?" * len(ENTREGAS_FINALES))
        with self._leyendo():
            filas = self._con.execute(
                f"SELECT {_COLUMNAS} FROM envios WHERE estado = 'enviado' AND proveedor_id IS NOT "
                f"NULL AND fecha_plan >= ? AND canal IN ({marcas}) AND (entrega IS NULL OR "
                f"entrega NOT IN ({finales})) ORDER BY fecha_plan, id",
                (desde.isoformat(), *canales, *ENTREGAS_FINALES),
            ).fetchall()
        return [EnvioAConfirmar(*f) for f in filas]

    def por_proveedor(self, ids: list[str]) -> dict[str, EnvioAConfirmar]:
        """id del proveedor → su envío, de los ids que están en la bitácora."""
        if self._con is None or not ids:
            return {}
        encontrados = {}
        with self._leyendo():
            for i in range(0, len(ids), 500):
                trozo = ids[i : i + 500]
                for fila in self._con.execute(
                    f"SELECT {_COLUMNAS} FROM envios WHERE proveedor_id IN "
                    f"({','.join('?' * len(trozo))})",
                    trozo,
                ):
                    encontrados[fila[5]] = EnvioAConfirmar(*fila)
        return encontrados

    def anotar_entrega(self, clave: str, entrega: str, detalle: str,
                       reenviar: bool = False, permanente: bool = False) -> None:  # fmt: skip
        """Anota el estado de entrega; `reenviar` devuelve el mensaje a «fallido» (se reenvía en
        la próxima ejecución si el plan lo vuelve a pedir), `permanente` lo deja sin reenvío."""
        ahora = _ahora()
        with self._transaccion():
            self._con.execute(
                "UPDATE envios SET entrega = ?, entrega_detalle = ?, entrega_en = ? WHERE clave = ?",
                (entrega, detalle or None, ahora, clave),
            )
            if reenviar or permanente:
                self._con.execute(
                    "UPDATE envios SET estado = 'fallido', permanente = ?, detalle = ?, "
                    "actualizado = ? WHERE clave = ? AND estado = 'enviado'",
                    (int(permanente), f"no entregado: {detalle}", ahora, clave),
                )
