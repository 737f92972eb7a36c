"""Bitácora SQLite: la fuente de verdad de lo enviado. Esquema con migraciones, reclamar → registrar."""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from recordar.cartera import Factura
from recordar.errores import ErrorBitacora, causa
from recordar.plan import Historial, Mensaje, Tarea
from recordar.segmentos import Comportamiento

NOMBRE_ARCHIVO = "recordar-bitacora.sqlite"
ESTADOS = ("pendiente", "enviando", "enviado", "fallido", "incierto")
# Lo que la planificación da por enviado: no se vuelve a mandar solo.
ESTADOS_HECHOS = ("enviado", "enviando", "incierto")


# Migraciones numeradas: la posición + 1 es la versión (PRAGMA user_version). Solo se añaden al final.
MIGRACIONES: list[str] = [
    """
        CREATE TABLE envios (
            id INTEGER PRIMARY KEY,
            clave TEXT NOT NULL UNIQUE,
            facturas TEXT NOT NULL,
            paso TEXT NOT NULL,
            canal TEXT NOT NULL,
            destinatario TEXT NOT NULL,
            deudor TEXT NOT NULL,
            cliente TEXT NOT NULL,
            estado TEXT NOT NULL,
            permanente INTEGER NOT NULL DEFAULT 0,
            intentos INTEGER NOT NULL DEFAULT 0,
            proveedor_id TEXT,
            detalle TEXT,
            asunto TEXT,
            cuerpo TEXT,
            html TEXT,
            plantilla TEXT,
            total TEXT,
            moneda TEXT,
            dias_vencido INTEGER,
            fecha_plan TEXT NOT NULL,
            creado TEXT NOT NULL,
            actualizado TEXT NOT NULL,
            enviado_en TEXT
        );
        CREATE TABLE envio_facturas (
            envio_id INTEGER NOT NULL REFERENCES envios(id),
            factura TEXT NOT NULL,
            paso_propio TEXT
        );
        CREATE INDEX envio_facturas_factura ON envio_facturas(factura);
        CREATE INDEX envios_estado ON envios(estado);
        CREATE INDEX envios_deudor ON envios(deudor);
        CREATE TABLE tareas (
            id INTEGER PRIMARY KEY,
            clave TEXT NOT NULL UNIQUE,
            facturas TEXT NOT NULL,
            paso TEXT NOT NULL,
            deudor TEXT NOT NULL,
            cliente TEXT NOT NULL,
            descripcion TEXT NOT NULL,
            fecha_plan TEXT NOT NULL,
            creado TEXT NOT NULL
        );
        CREATE TABLE tarea_facturas (
            tarea_id INTEGER NOT NULL REFERENCES tareas(id),
            factura TEXT NOT NULL
        );
    """,
    """
        CREATE TABLE bajas (
            contacto TEXT NOT NULL,
            canal TEXT NOT NULL DEFAULT '*',
            motivo TEXT,
            creado TEXT NOT NULL,
            PRIMARY KEY (contacto, canal)
        );
        CREATE TABLE facturas_vistas (
            numero TEXT PRIMARY KEY,
            deudor TEXT NOT NULL,
            cliente TEXT NOT NULL,
            monto TEXT NOT NULL,
            vencimiento TEXT NOT NULL,
            primera_vez TEXT NOT NULL,
            ultima_vez TEXT NOT NULL
        );
        CREATE TABLE pagos (
            numero TEXT PRIMARY KEY,
            deudor TEXT NOT NULL,
            cliente TEXT NOT NULL,
            monto TEXT NOT NULL,
            vencimiento TEXT NOT NULL,
            fecha TEXT NOT NULL,
            dias_tarde INTEGER NOT NULL,
            ultimo_aviso TEXT,
            fecha_ultimo_aviso TEXT,
            dias_tras_aviso INTEGER
        );
    """,
    # Tareas cerradas a mano (`recordar tareas hecha ID`): las demás siguen abiertas.
    """
        CREATE TABLE tareas_cerradas (
            tarea_id INTEGER PRIMARY KEY REFERENCES tareas(id),
            cerrada TEXT NOT NULL
        );
    """,
]


def ruta_predeterminada(carpeta_politica: Path | None) -> Path:
    """Junto a la política; con la política predeterminada, en la carpeta de datos del usuario."""
    variable = os.environ.get("RECORDAR_BITACORA")
    if variable:
        return Path(variable)
    if carpeta_politica is not None:
        return carpeta_politica / NOMBRE_ARCHIVO
    from platformdirs import user_data_dir

    return Path(user_data_dir("recordar", appauthor=False)) / NOMBRE_ARCHIVO


@dataclass(slots=True)
class Registro:
    """Una fila de la bitácora, para el historial."""

    id: int
    clave: str
    facturas: list[str]
    paso: str
    canal: str
    destinatario: str
    cliente: str
    estado: str
    permanente: bool
    intentos: int
    proveedor_id: str | None
    detalle: str | None
    asunto: str | None
    cuerpo: str | None
    html: str | None
    plantilla: str | None
    fecha_plan: str
    actualizado: str
    enviado_en: str | None


def _ahora() -> str:
    return datetime.now().astimezone().isoformat(timespec="seconds")


class Bitacora:
    """Acceso a la bitácora. `abrir_escritura` toma el cerrojo; `abrir_lectura` no escribe nada."""

    def __init__(self, ruta: Path, con: sqlite3.Connection | None, cerrojo=None) -> None:
        self.ruta = ruta
        self._con = con
        self._cerrojo_archivo = cerrojo
        self._hilo = threading.Lock()
        self.solo_lectura = cerrojo is None

    # --- apertura ------------------------------------------------------------------------

    @classmethod
    def abrir_escritura(cls, ruta: str | Path) -> Bitacora:
        ruta = Path(ruta)
        try:
            ruta.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ErrorBitacora(
                f"{ruta}: no se pudo crear la carpeta de la bitácora ({causa(exc)})"
            ) from None
        cerrojo = _tomar_cerrojo(ruta)
        try:
            con = sqlite3.connect(ruta, isolation_level=None, check_same_thread=False, timeout=30)
            con.execute("PRAGMA journal_mode=WAL")
            con.execute("PRAGMA synchronous=FULL")
            con.execute("PRAGMA foreign_keys=ON")
            _migrar(con)
        except sqlite3.DatabaseError as exc:
            cerrojo.close()
            raise ErrorBitacora(
                f"{ruta}: la bitácora no es una base SQLite válida ({exc}); indica otra con --bitacora"
            ) from None
        return cls(ruta, con, cerrojo)

    @classmethod
    def abrir_lectura(cls, ruta: str | Path) -> Bitacora:
        """Para simulacros e historial: si no existe, se comporta como vacía y no la crea."""
        ruta = Path(ruta)
        if not ruta.exists():
            return cls(ruta, None)
        try:
            con = sqlite3.connect(
                f"{ruta.resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False
            )
            version = con.execute("PRAGMA user_version").fetchone()[0]
        except sqlite3.DatabaseError as exc:
            raise ErrorBitacora(f"{ruta}: la bitácora no se puede leer ({exc})") from None
        if version > len(MIGRACIONES):
            raise ErrorBitacora(
                f"{ruta}: la bitácora es de una versión más nueva de recordar; actualízalo"
            )
        if version < len(MIGRACIONES):
            con.close()  # aún no migrada: una ejecución real la pondrá al día
            return cls(ruta, None) if version == 0 else cls(ruta, _migrada_en_memoria(ruta))
        return cls(ruta, con)

    def cerrar(self) -> None:
        if self._con is not None:
            self._con.close()
            self._con = None
        if self._cerrojo_archivo is not None:
            self._cerrojo_archivo.close()
            self._cerrojo_archivo = None

    def __enter__(self) -> Bitacora:
        return self

    def __exit__(self, *exc) -> None:
        self.cerrar()

    # --- lo que lee la planificación -------------------------------------------------------

    def historial(self) -> Historial:
        historial = Historial()
        if self._con is None:
            return historial
        marcas = ",".join("?" * len(ESTADOS_HECHOS))
        filas = self._con.execute(
            f"SELECT ef.factura, e.canal, e.paso, ef.paso_propio FROM envio_facturas ef "
            f"JOIN envios e ON e.id = ef.envio_id "
            f"WHERE e.estado IN ({marcas})",
            ESTADOS_HECHOS,
        )
        for factura, canal, paso, propio in filas:
            pasos = historial.enviados.setdefault((factura, canal), set())
            pasos.add(paso)
            if propio:
                pasos.add(propio)
        for factura, paso in self._con.execute(
            "SELECT tf.factura, t.paso FROM tarea_facturas tf JOIN tareas t ON t.id = tf.tarea_id"
        ):
            historial.enviados.setdefault((factura, "tarea"), set()).add(paso)
        for deudor, fecha, canal in self._con.execute(
            "SELECT deudor, fecha_plan, canal FROM envios WHERE estado = 'enviado'"
        ):
            historial.envios.setdefault(deudor, []).append((date.fromisoformat(fecha), canal))
        historial.bajas = {
            (c, canal) for c, canal in self._con.execute("SELECT contacto, canal FROM bajas")
        }
        for deudor, pagos, tras, tarde in self._con.execute(
            "SELECT deudor, COUNT(*), AVG(dias_tras_aviso), AVG(dias_tarde) FROM pagos GROUP BY deudor"
        ):
            historial.comportamiento[deudor] = Comportamiento(pagos, tras, tarde)
        self._fechas_de_avisos(historial)
        return historial

    def dar_de_baja(self, contacto: str, canal: str = "*", motivo: str | None = None) -> bool:
        """Registra que un correo o teléfono no quiere más mensajes (en un canal o en todos)."""
        with self._transaccion():
            cur = self._con.execute(
                "INSERT OR REPLACE INTO bajas (contacto, canal, motivo, creado) VALUES (?, ?, ?, ?)",
                (contacto.lower(), canal, motivo, _ahora()),
            )
        return cur.rowcount == 1

    def detectar_pagos(
        self,
        abiertas: list[Factura],
        cerradas: set[str],
        hoy: date,
        dudosas: set[str] = frozenset(),
    ) -> list[dict]:
        """Facturas que estaban abiertas en la hoja anterior y ahora están pagadas o ya no están.

        Registra cada pago (fecha, días de atraso, qué aviso lo precedió) y recuerda las abiertas.
        """
        hoy_txt = hoy.isoformat()
        numeros_abiertos = {f.numero for f in abiertas}
        nuevos = []
        with self._transaccion():
            vistas = self._con.execute(
                "SELECT numero, deudor, cliente, monto, vencimiento FROM facturas_vistas"
            ).fetchall()
            for numero, deudor, cliente, monto, vencimiento in vistas:
                if numero in numeros_abiertos or numero in dudosas:
                    continue
                venc = date.fromisoformat(vencimiento)
                aviso = self._ultimo_aviso(numero)
                tras = (hoy - date.fromisoformat(aviso[1])).days if aviso else None
                self._con.execute(
                    "INSERT OR IGNORE INTO pagos (numero, deudor, cliente, monto, vencimiento, fecha, "
                    "dias_tarde, ultimo_aviso, fecha_ultimo_aviso, dias_tras_aviso) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (numero, deudor, cliente, monto, vencimiento, hoy_txt, max((hoy - venc).days, 0),
                     aviso[0] if aviso else None, aviso[1] if aviso else None, tras),
                )  # fmt: skip
                self._con.execute("DELETE FROM facturas_vistas WHERE numero = ?", (numero,))
                nuevos.append({"factura": numero, "cliente": cliente, "dias_tarde": max((hoy - venc).days, 0),
                               "ultimo_aviso": aviso[0] if aviso else None,
                               "pagada_en_hoja": numero in cerradas})  # fmt: skip
            self._con.executemany(
                "INSERT INTO facturas_vistas (numero, deudor, cliente, monto, vencimiento, primera_vez, "
                "ultima_vez) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(numero) DO UPDATE SET "
                "monto = excluded.monto, vencimiento = excluded.vencimiento, ultima_vez = excluded.ultima_vez",
                [(f.numero, f.deudor, f.cliente, str(f.monto), f.vencimiento.isoformat(), hoy_txt, hoy_txt)
                 for f in abiertas],
            )  # fmt: skip
        return nuevos

    def _ultimo_aviso(self, numero: str) -> tuple[str, str] | None:
        fila = self._con.execute(
            "SELECT e.paso, e.fecha_plan FROM envios e JOIN envio_facturas ef ON ef.envio_id = e.id "
            "WHERE ef.factura = ? AND e.estado = 'enviado' ORDER BY e.fecha_plan DESC, e.id DESC LIMIT 1",
            (numero,),
        ).fetchone()
        return (fila[0], fila[1]) if fila else None

    def estados(self, claves: list[str]) -> dict[str, tuple[str, bool, str | None]]:
        """clave → (estado, permanente, detalle) de las claves que ya están en la bitácora."""
        if self._con is None or not claves:
            return {}
        resultado = {}
        for i in range(0, len(claves), 500):
            trozo = claves[i : i + 500]
            marcas = ",".join("?" * len(trozo))
            for clave, estado, permanente, detalle in self._con.execute(
                f"SELECT clave, estado, permanente, detalle FROM envios WHERE clave IN ({marcas})",
                trozo,
            ):
                resultado[clave] = (estado, bool(permanente), detalle)
        return resultado

    # --- escritura ------------------------------------------------------------------------

    def marcar_inciertos(self) -> int:
        """Lo que quedó «enviando» de una ejecución interrumpida pasa a «incierto»."""
        with self._transaccion():
            cur = self._con.execute(
                "UPDATE envios SET estado = 'incierto', actualizado = ?, "
                "detalle = 'la ejecución se interrumpió durante el envío; no se sabe si llegó' "
                "WHERE estado = 'enviando'",
                (_ahora(),),
            )
        return cur.rowcount

    def preparar(self, mensajes: list[Mensaje], fecha: date) -> None:
        """Registra como «pendiente» lo planificado que aún no está en la bitácora (una transacción)."""
        ahora = _ahora()
        with self._transaccion():
            for m in mensajes:
                cur = self._con.execute(
                    "INSERT OR IGNORE INTO envios (clave, facturas, paso, canal, destinatario, deudor, "
                    "cliente, estado, asunto, cuerpo, html, plantilla, total, moneda, dias_vencido, "
                    "fecha_plan, creado, actualizado) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, 'pendiente', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (m.clave, json.dumps(sorted(m.numeros), ensure_ascii=False), m.ocurrencia.id,
                     m.canal, m.destinatario, m.deudor, m.cliente, m.asunto, m.cuerpo, m.html,
                     m.ocurrencia.paso.plantilla, str(m.total), m.moneda, m.dias_vencido,
                     fecha.isoformat(), ahora, ahora),
                )  # fmt: skip
                if cur.rowcount:
                    self._con.executemany(
                        "INSERT INTO envio_facturas (envio_id, factura, paso_propio) VALUES (?, ?, ?)",
                        [
                            (
                                cur.lastrowid,
                                linea.factura.numero,
                                linea.propia.id if linea.propia else None,
                            )
                            for linea in m.lineas
                        ],  # fmt: skip
                    )

    def reclamar(self, clave: str, fecha: date, reintentar_inciertos: bool = False,
                 anterior: tuple[str, str, str | None] | None = None) -> bool:  # fmt: skip
        """Pasa a «enviando» y lo confirma en disco antes de llamar al proveedor.

        `anterior` es el resultado de otro envío (clave, estado, detalle) que se confirma en la
        misma transacción: así cada envío cuesta una sola escritura sincronizada.
        """
        permitidos = ["pendiente", "fallido"] + (["incierto"] if reintentar_inciertos else [])
        marcas = ",".join("?" * len(permitidos))
        with self._transaccion():
            if anterior is not None:
                self._registrar(*anterior)
            cur = self._con.execute(
                f"UPDATE envios SET estado = 'enviando', intentos = intentos + 1, actualizado = ?, "
                f"fecha_plan = ? WHERE clave = ? AND permanente = 0 AND estado IN ({marcas})",
                (_ahora(), fecha.isoformat(), clave, *permitidos),
            )
        return cur.rowcount == 1

    def registrar(self, clave: str, estado: str, detalle: str | None = None,
                  proveedor_id: str | None = None, permanente: bool = False) -> None:  # fmt: skip
        with self._transaccion():
            self._registrar(clave, estado, detalle, proveedor_id, permanente)

    def _registrar(self, clave, estado, detalle=None, proveedor_id=None, permanente=False) -> None:
        assert estado in ESTADOS
        ahora = _ahora()
        self._con.execute(
            "UPDATE envios SET estado = ?, detalle = ?, proveedor_id = COALESCE(?, proveedor_id), "
            "permanente = ?, actualizado = ?, enviado_en = CASE WHEN ? = 'enviado' THEN ? ELSE enviado_en END "
            "WHERE clave = ?",
            (estado, detalle, proveedor_id, int(permanente), ahora, estado, ahora, clave),
        )

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

    def _transaccion(self):
        return _Transaccion(self)

    # --- consultas --------------------------------------------------------------------------

    def consultar(self, cliente: str | None = None, factura: str | None = None,
                  desde: date | None = None, estados: tuple[str, ...] | None = None) -> list[Registro]:  # fmt: skip
        if self._con is None:
            return []
        condiciones, parametros = [], []
        if cliente:
            condiciones.append("(lower(cliente) LIKE ? OR deudor LIKE ?)")
            parametros += [f"%{cliente.lower()}%", f"%{cliente.lower()}%"]
        if factura:
            condiciones.append("id IN (SELECT envio_id FROM envio_facturas WHERE factura = ?)")
            parametros.append(factura)
        if desde:
            condiciones.append("fecha_plan >= ?")
            parametros.append(desde.isoformat())
        if estados:
            condiciones.append(f"estado IN ({','.join('?' * len(estados))})")
            parametros += list(estados)
        donde = f"WHERE {' AND '.join(condiciones)}" if condiciones else ""
        filas = self._con.execute(
            "SELECT id, clave, facturas, paso, canal, destinatario, cliente, estado, permanente, "
            "intentos, proveedor_id, detalle, asunto, cuerpo, html, plantilla, fecha_plan, actualizado, "
            f"enviado_en FROM envios {donde} ORDER BY fecha_plan, id",
            parametros,
        ).fetchall()
        return [Registro(f[0], f[1], json.loads(f[2]), *f[3:8], bool(f[8]), *f[9:]) for f in filas]

    # --- tareas y bajas ---------------------------------------------------------------------

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
        with self._transaccion():
            if canal is None:
                cur = self._con.execute("DELETE FROM bajas WHERE contacto = ?", (contacto.lower(),))
            else:
                cur = self._con.execute(
                    "DELETE FROM bajas WHERE contacto = ? AND canal = ?", (contacto.lower(), canal)
                )
        return cur.rowcount

    def tiene_baja(self, contacto: str, canal: str) -> bool:
        if self._con is None:
            return False
        fila = self._con.execute(
            "SELECT 1 FROM bajas WHERE contacto = ? AND canal = ?", (contacto.lower(), canal)
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


class _Transaccion:
    def __init__(self, bitacora: Bitacora) -> None:
        self.b = bitacora

    def __enter__(self):
        if self.b._con is None or self.b.solo_lectura:
            raise ErrorBitacora(f"{self.b.ruta}: la bitácora está abierta solo para lectura")
        self.b._hilo.acquire()
        self.b._con.execute("BEGIN IMMEDIATE")
        return self

    def __exit__(self, tipo, *_):
        try:
            self.b._con.execute("ROLLBACK" if tipo else "COMMIT")
        finally:
            self.b._hilo.release()


def _migrar(con: sqlite3.Connection) -> None:
    version = con.execute("PRAGMA user_version").fetchone()[0]
    if version > len(MIGRACIONES):
        raise ErrorBitacora("la bitácora es de una versión más nueva de recordar; actualízalo")
    for numero in range(version, len(MIGRACIONES)):
        # executescript confirma lo pendiente antes de empezar: la transacción va dentro del guion.
        try:
            con.executescript(
                f"BEGIN IMMEDIATE;\n{MIGRACIONES[numero]};\nPRAGMA user_version = {numero + 1};\nCOMMIT;"
            )
        except sqlite3.Error:
            if con.in_transaction:
                con.execute("ROLLBACK")
            raise


def _migrada_en_memoria(ruta: Path) -> sqlite3.Connection:
    """Copia en memoria migrada, para leer una bitácora vieja sin modificarla."""
    origen = sqlite3.connect(f"{ruta.resolve().as_uri()}?mode=ro", uri=True)
    memoria = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
    origen.backup(memoria)
    origen.close()
    _migrar(memoria)
    return memoria


def _tomar_cerrojo(ruta: Path):
    """Cerrojo de archivo: lo libera el sistema aunque el proceso muera con SIGKILL."""
    import fcntl

    archivo = open(ruta.with_name(ruta.name + ".cerrojo"), "a+", encoding="utf-8")  # noqa: SIM115
    try:
        fcntl.flock(archivo.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        archivo.seek(0)
        pid = archivo.read().strip() or "?"
        archivo.close()
        raise ErrorBitacora(
            f"{ruta}: otra ejecución de recordar (PID {pid}) está usando esta bitácora; "
            "espera a que termine y vuelve a intentarlo"
        ) from None
    archivo.seek(0)
    archivo.truncate()
    archivo.write(str(os.getpid()))
    archivo.flush()
    return archivo
