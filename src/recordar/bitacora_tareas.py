"""Tareas y bajas en la bitácora: las tareas que deja el plan (registrarlas, listar las abiertas,
cerrarlas) y los contactos que no quieren más mensajes."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime

from recordar.destinos import clave_de_contacto
from recordar.plan import Historial, Tarea


# La hora de cada anotación; bitacora.py la importa de aquí (las capas van hacia abajo).
def _ahora() -> str:
    return datetime.now().astimezone().isoformat(timespec="seconds")


class TareasYBajasDeLaBitacora:
    """Lo de las tareas y las bajas de `Bitacora` (usa su conexión y sus transacciones)."""

    def dar_de_baja(self, contacto: str, canal: str = "*", motivo: str | None = None) -> bool:
        """Registra que un correo o teléfono no quiere más mensajes (en un canal o en todos)."""
        with self._transaccion():
            cur = self._con.execute(
                "INSERT OR REPLACE INTO bajas (contacto, canal, motivo, creado) VALUES (?, ?, ?, ?)",
                (clave_de_contacto(contacto), canal, motivo, _ahora()),
            )
        return cur.rowcount == 1

    def registrar_tareas(self, tareas: list[Tarea], fecha: date) -> None:
        ahora = _ahora()
        with self._transaccion():
            for t in tareas:
                clave = "|".join((",".join(sorted(t.numeros)), t.ocurrencia.id, "tarea"))
                cur = self._con.execute(
                    "INSERT OR IGNORE INTO tareas (clave, facturas, paso, deudor, cliente, descripcion, "
                    "fecha_plan, creado) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (clave, json.dumps(sorted(t.numeros), ensure_ascii=False), t.ocurrencia.id,
                     t.deudor, t.cliente, t.descripcion, fecha.isoformat(), ahora),
                )  # fmt: skip
                if cur.rowcount:
                    self._con.executemany(
                        "INSERT INTO tarea_facturas (tarea_id, factura) VALUES (?, ?)",
                        [(cur.lastrowid, n) for n in t.numeros],
                    )

    def _fechas_de_avisos(self, historial: Historial) -> None:
        """(factura, paso) → el primer día en que ese paso se envió de verdad: de ahí cuenta
        `tras_aviso` de una tarea."""
        for factura, paso, fecha in self._con.execute(
            "SELECT ef.factura, e.paso, MIN(e.fecha_plan) FROM envio_facturas ef "
            "JOIN envios e ON e.id = ef.envio_id WHERE e.estado = 'enviado' "
            "GROUP BY ef.factura, e.paso"
        ):
            historial.avisos[(factura, paso.partition("#")[0])] = date.fromisoformat(fecha)

    def tareas_abiertas(self) -> list[TareaAbierta]:
        """Las tareas registradas que nadie cerró, de la más antigua a la más nueva."""
        if self._con is None:
            return []
        filas = self._con.execute(
            "SELECT t.id, t.cliente, t.facturas, t.paso, t.descripcion, t.fecha_plan FROM tareas t "
            "WHERE t.id NOT IN (SELECT tarea_id FROM tareas_cerradas) ORDER BY t.fecha_plan, t.id"
        ).fetchall()
        return [TareaAbierta(f[0], f[1], json.loads(f[2]), f[3], f[4], f[5]) for f in filas]

    def cerrar_tarea(self, tarea_id: int) -> str:
        """Cierra una tarea: "cerrada", "ya cerrada" o "no existe"."""
        with self._transaccion():
            if (
                self._con.execute("SELECT 1 FROM tareas WHERE id = ?", (tarea_id,)).fetchone()
                is None
            ):
                return "no existe"
            cur = self._con.execute(
                "INSERT OR IGNORE INTO tareas_cerradas (tarea_id, cerrada) VALUES (?, ?)",
                (tarea_id, _ahora()),
            )
        return "cerrada" if cur.rowcount == 1 else "ya cerrada"

    def listar_bajas(self) -> list[tuple[str, str, str | None, str]]:
        """(contacto, canal, motivo, desde) de cada baja registrada."""
        if self._con is None:
            return []
        return self._con.execute(
            "SELECT contacto, canal, motivo, creado FROM bajas ORDER BY creado, contacto"
        ).fetchall()

    def quitar_baja(self, contacto: str, canal: str | None = None) -> int:
        """Deshace la baja de un contacto (en un canal o en todos); cuántas se quitaron."""
        # La forma normalizada (IDNA) y la de bitácoras anteriores (solo en minúsculas).
        formas = (clave_de_contacto(contacto), contacto.lower())
        with self._transaccion():
            if canal is None:
                cur = self._con.execute("DELETE FROM bajas WHERE contacto IN (?, ?)", formas)
            else:
                cur = self._con.execute(
                    "DELETE FROM bajas WHERE contacto IN (?, ?) AND canal = ?", (*formas, canal)
                )
        return cur.rowcount

    def tiene_baja(self, contacto: str, canal: str) -> bool:
        if self._con is None:
            return False
        fila = self._con.execute(
            "SELECT 1 FROM bajas WHERE contacto IN (?, ?) AND canal = ?",
            (clave_de_contacto(contacto), contacto.lower(), canal),
        ).fetchone()
        return fila is not None


@dataclass(slots=True)
class TareaAbierta:
    """Una tarea de la bitácora que sigue abierta."""

    id: int
    cliente: str
    facturas: list[str]
    paso: str
    descripcion: str
    desde: str

    def a_dict(self) -> dict:
        return {"id": self.id, "cliente": self.cliente, "facturas": self.facturas,
                "paso": self.paso, "descripcion": self.descripcion, "desde": self.desde}  # fmt: skip
