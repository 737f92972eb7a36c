"""Bitácora SQLite: la fuente de verdad de lo enviado. Esquema con migraciones, reclamar → registrar."""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import threading
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from recordar import bitacora_archivo as archivo
from recordar.bitacora_entrega import EntregasDeLaBitacora
from recordar.bitacora_esquema import MIGRACIONES, migrar, revisar_esquema
from recordar.bitacora_pagos import (  # noqa: F401  (parte de la API de la bitácora)
    MAX_DESAPARECIDAS,
    PARTE_DESAPARECIDAS,
    Pagos,
    PagosDeLaBitacora,
    demasiadas_desaparecidas,
)
from recordar.bitacora_tareas import TareasYBajasDeLaBitacora, _ahora
from recordar.destinos import clave_de_contacto
from recordar.errores import ErrorBitacora
from recordar.plan import Historial, Mensaje
from recordar.politica.segmentos import Comportamiento

NOMBRE_ARCHIVO = "recordar-bitacora.sqlite"
ESTADOS = ("pendiente", "enviando", "enviado", "fallido", "incierto")
# Lo que la planificación da por enviado: no se vuelve a mandar solo.
ESTADOS_HECHOS = ("enviado", "enviando", "incierto")
DETALLE_INTERRUMPIDA = "la ejecución se interrumpió durante el envío; no se sabe si llegó"
# Cada tantas transacciones (y tras preparar el lote, y al cerrar) lo anotado pasa del -wal al
# archivo principal: si alguien borra el -wal tras un corte, se pierde como mucho esto.
ESCRITURAS_POR_PUNTO = 64


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
    # Los de una plantilla aprobada de WhatsApp; None si no llevaba o si es de antes de guardarlos.
    parametros: dict[str, str] | None = None


class Bitacora(PagosDeLaBitacora, TareasYBajasDeLaBitacora, EntregasDeLaBitacora):
    """Acceso a la bitácora. `abrir_escritura` toma el cerrojo; `abrir_lectura` no escribe nada."""

    def __init__(self, ruta: Path, con: sqlite3.Connection | None, cerrojo=None) -> None:
        self.ruta = ruta
        self._con = con
        self._cerrojo_archivo = cerrojo
        self._hilo = threading.Lock()
        self._escrituras = 0
        self._identidad, self._anotaciones = "", 0
        self.solo_lectura = cerrojo is None
        # Leída sin que ninguna ejecución la tenga: lo que quedó «enviando» es de una que murió
        # (o que dejó de poder anotar) y se muestra como lo dejará la próxima: «incierto».
        self._sin_ejecucion = False

    # --- apertura ------------------------------------------------------------------------

    @classmethod
    def abrir_escritura(cls, ruta: str | Path) -> Bitacora:
        ruta = Path(ruta)
        archivo.crear_carpeta(ruta.parent, ruta)
        if archivo.revisar_existente(ruta):
            archivo.crear_nueva(ruta, migrar)
        cerrojo = archivo.tomar_cerrojo(ruta)
        con = None
        try:
            # Por su ruta real: el -wal se llama como ella, llegue uno por donde llegue.
            con = sqlite3.connect(os.path.realpath(ruta), isolation_level=None, check_same_thread=False,
                                  timeout=archivo.espera_bitacora())  # fmt: skip
            revisar_esquema(ruta, con)  # antes de cambiar nada en un archivo que no es nuestro
            con.execute("PRAGMA journal_mode=WAL")
            con.execute("PRAGMA synchronous=FULL")
            con.execute("PRAGMA foreign_keys=ON")
            migrar(con, ruta)
            identidad, anotaciones = con.execute(
                "SELECT identidad, anotaciones FROM contador"
            ).fetchone()
            _revisar_anotaciones(ruta, cerrojo, identidad, anotaciones)
            cerrojo.escribir(f"{os.getpid()} {identidad} {anotaciones}")
            archivo.restringir_permisos(ruta)
        except (sqlite3.Error, ErrorBitacora) as exc:
            if con is not None:
                con.close()
            cerrojo.close()
            if isinstance(exc, ErrorBitacora):
                raise
            raise ErrorBitacora(archivo.mensaje_sqlite(ruta, exc)) from None
        bitacora = cls(ruta, con, cerrojo)
        bitacora._identidad, bitacora._anotaciones = identidad, anotaciones
        return bitacora

    @classmethod
    def abrir_lectura(cls, ruta: str | Path) -> Bitacora:
        """Para simulacros e historial: si no existe, se comporta como vacía y no la crea."""
        ruta = Path(ruta)
        if archivo.revisar_existente(ruta):
            return cls(ruta, None)
        sin_ejecucion = not archivo.en_uso(ruta)  # antes de conectar (ver en_uso)
        try:
            con = _conectar_lectura(ruta)
            revisar_esquema(ruta, con)
            version = con.execute("PRAGMA user_version").fetchone()[0]
        except sqlite3.Error as exc:
            raise ErrorBitacora(archivo.mensaje_sqlite(ruta, exc)) from None
        if version > len(MIGRACIONES):
            raise ErrorBitacora(
                f"{ruta}: la bitácora es de una versión más nueva de recordar; actualízalo"
            )
        if version < len(MIGRACIONES):
            # Aún no migrada: una ejecución real la pondrá al día; aquí, una copia en memoria.
            try:
                memoria = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
                con.backup(memoria)
                migrar(memoria)
            except sqlite3.Error as exc:
                raise ErrorBitacora(archivo.mensaje_sqlite(ruta, exc)) from None
            finally:
                con.close()
            con = memoria
        bitacora = cls(ruta, con)
        bitacora._sin_ejecucion = sin_ejecucion
        return bitacora

    @classmethod
    def abrir_simulacro(cls, ruta: str | Path) -> Bitacora:
        """Para el simulacro: una copia en memoria que admite lo mismo que el envío real (marcar
        inciertos, detectar pagos) para planificar con el mismo historial, y que se tira al
        cerrar. En el archivo no se escribe nada (ni se crea si no existe)."""
        lectura = cls.abrir_lectura(ruta)
        memoria = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
        try:
            if lectura._con is not None:
                lectura._con.backup(memoria)
            else:
                migrar(memoria)
            identidad, anotaciones = memoria.execute(
                "SELECT identidad, anotaciones FROM contador"
            ).fetchone()
        except sqlite3.Error as exc:
            memoria.close()
            raise ErrorBitacora(archivo.mensaje_sqlite(Path(ruta), exc)) from None
        finally:
            lectura.cerrar()
        bitacora = cls(Path(ruta), memoria, _SinCerrojo())
        bitacora._identidad, bitacora._anotaciones = identidad, anotaciones
        return bitacora

    def cerrar(self) -> None:
        if self._con is not None:
            if not self.solo_lectura:
                self.asegurar()
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
        with self._leyendo():
            return self._historial()

    def _historial(self) -> Historial:
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
            (clave_de_contacto(c), canal)
            for c, canal in self._con.execute("SELECT contacto, canal FROM bajas")
        }
        for deudor, pagos, tras, tarde in self._con.execute(
            "SELECT deudor, COUNT(*), AVG(dias_tras_aviso), AVG(dias_tarde) FROM pagos GROUP BY deudor"
        ):
            historial.comportamiento[deudor] = Comportamiento(pagos, tras, tarde)
        self._fechas_de_avisos(historial)
        return historial

    def estados(self, claves: list[str]) -> dict[str, tuple[str, bool, str | None]]:
        """clave → (estado, permanente, detalle) de las claves que ya están en la bitácora."""
        if self._con is None or not claves:
            return {}
        with self._leyendo():
            return self._estados(claves)

    def _estados(self, claves: list[str]) -> dict[str, tuple[str, bool, str | None]]:
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
                "UPDATE envios SET estado = 'incierto', actualizado = ?, detalle = ? "
                "WHERE estado = 'enviando'",
                (_ahora(), DETALLE_INTERRUMPIDA),
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
                    "fecha_plan, creado, actualizado, parametros) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, 'pendiente', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (m.clave, json.dumps(sorted(m.numeros), ensure_ascii=False), m.ocurrencia.id,
                     m.canal, m.destinatario, m.deudor, m.cliente, m.asunto, m.cuerpo, m.html,
                     m.ocurrencia.paso.plantilla, str(m.total), m.moneda, m.dias_vencido,
                     fecha.isoformat(), ahora, ahora,
                     json.dumps(m.parametros, ensure_ascii=False) if m.parametros else None),
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
        self.asegurar()

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
                  proveedor_id: str | None = None, permanente: bool = False,
                  reintentos: int = 0) -> None:  # fmt: skip
        with self._transaccion():
            self._registrar(clave, estado, detalle, proveedor_id, permanente, reintentos)

    def _registrar(self, clave, estado, detalle=None, proveedor_id=None, permanente=False,
                   reintentos=0) -> None:  # fmt: skip
        """El resultado de un envío ya reclamado; `reintentos` (los temporales de esta misma
        ejecución) se suman al intento que contó la reclamación."""
        assert estado in ESTADOS
        ahora = _ahora()
        self._con.execute(
            "UPDATE envios SET estado = ?, detalle = ?, proveedor_id = COALESCE(?, proveedor_id), "
            "permanente = ?, actualizado = ?, intentos = intentos + ?, "
            "enviado_en = CASE WHEN ? = 'enviado' THEN ? ELSE enviado_en END, "
            # Un reenvío es otro mensaje del proveedor: su entrega (y su detalle) aún no se sabe.
            "entrega = CASE WHEN ? = 'enviado' THEN NULL ELSE entrega END, "
            "entrega_detalle = CASE WHEN ? = 'enviado' THEN NULL ELSE entrega_detalle END, "
            "entrega_en = CASE WHEN ? = 'enviado' THEN NULL ELSE entrega_en END WHERE clave = ?",
            (
                estado,
                detalle,
                proveedor_id,
                int(permanente),
                ahora,
                reintentos,
                estado,
                ahora,
                estado,
                estado,
                estado,
                clave,
            ),
        )

    def _transaccion(self):
        return _Transaccion(self)

    def asegurar(self, modo: str = "TRUNCATE") -> None:
        """Pasa lo anotado del -wal al archivo principal (checkpoint): si alguien borra el -wal
        tras un corte, solo se pierde lo anotado desde aquí. TRUNCATE además lo vacía y espera
        a que otro lector suelte; PASSIVE (el de cada lote durante el envío) no espera a nadie."""
        with self._hilo, contextlib.suppress(sqlite3.Error):
            self._con.execute(f"PRAGMA wal_checkpoint({modo})")

    @contextlib.contextmanager
    def _leyendo(self):
        """Un fallo de SQLite al leer (páginas dañadas, bloqueo) sale como ErrorBitacora."""
        try:
            yield
        except sqlite3.Error as exc:
            raise ErrorBitacora(archivo.mensaje_sqlite(self.ruta, exc)) from None

    def registrar_no_enviados(self, claves: list[str], detalle: str) -> None:
        """«fallido» con su motivo y un intento más: lo que no salió porque el canal no respondió."""
        with self._transaccion():
            self._con.executemany(
                "UPDATE envios SET estado = 'fallido', detalle = ?, intentos = intentos + 1, "
                "actualizado = ? WHERE clave = ? AND estado IN ('pendiente', 'fallido')",
                [(detalle, _ahora(), clave) for clave in claves],
            )

    # --- consultas --------------------------------------------------------------------------

    @property
    def existe(self) -> bool:
        """False si se abrió para leer una bitácora que aún no existe (se lee como vacía)."""
        return self._con is not None

    def leer(self, sql: str, parametros: tuple = ()) -> tuple[list[str], list[tuple]]:
        """(columnas, filas) de una consulta de lectura: lo que `recordar resultados` mide."""
        if self._con is None:
            return [], []
        with self._leyendo():
            cursor = self._con.execute(sql, parametros)
            return [d[0] for d in cursor.description], cursor.fetchall()

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
            if self._sin_ejecucion and "incierto" in estados:
                estados = (*estados, "enviando")
            condiciones.append(f"estado IN ({','.join('?' * len(estados))})")
            parametros += list(estados)
        donde = f"WHERE {' AND '.join(condiciones)}" if condiciones else ""
        with self._leyendo():
            filas = self._con.execute(
                "SELECT id, clave, facturas, paso, canal, destinatario, cliente, estado, permanente, "
                "intentos, proveedor_id, detalle, asunto, cuerpo, html, plantilla, fecha_plan, "
                f"actualizado, enviado_en, parametros FROM envios {donde} ORDER BY fecha_plan, id",
                parametros,
            ).fetchall()
        registros = [
            Registro(f[0], f[1], json.loads(f[2]), *f[3:8], bool(f[8]), *f[9:19],
                     json.loads(f[19]) if f[19] else None)
            for f in filas
        ]  # fmt: skip
        if self._sin_ejecucion:
            for r in registros:
                if r.estado == "enviando":
                    r.estado, r.detalle = "incierto", DETALLE_INTERRUMPIDA
        return registros


class _SinCerrojo:
    """El cerrojo de una copia en memoria (simulacro): no hay otra ejecución que excluir."""

    def escribir(self, _texto: str) -> None:
        pass

    def close(self) -> None:
        pass


class _Transaccion:
    def __init__(self, bitacora: Bitacora) -> None:
        self.b = bitacora

    def __enter__(self):
        if self.b._con is None or self.b.solo_lectura:
            raise ErrorBitacora(f"{self.b.ruta}: la bitácora está abierta solo para lectura")
        self.b._hilo.acquire()
        try:
            self.b._con.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            self.b._hilo.release()
            raise ErrorBitacora(archivo.mensaje_sqlite(self.b.ruta, exc)) from None
        return self

    def __exit__(self, tipo, valor, _traza):
        # Un fallo de SQLite (disco lleno, bitácora bloqueada, dañada) sale como ErrorBitacora.
        asegurar = False
        try:
            if tipo is None:
                try:
                    self.b._con.execute("UPDATE contador SET anotaciones = anotaciones + 1")
                    self.b._con.execute("COMMIT")
                except sqlite3.Error as exc:
                    with contextlib.suppress(sqlite3.Error):
                        self.b._con.execute("ROLLBACK")
                    raise ErrorBitacora(archivo.mensaje_sqlite(self.b.ruta, exc)) from None
                self.b._escrituras += 1
                self.b._anotaciones += 1
                self.b._cerrojo_archivo.escribir(
                    f"{os.getpid()} {self.b._identidad} {self.b._anotaciones}"
                )
                asegurar = self.b._escrituras % ESCRITURAS_POR_PUNTO == 0
                return False
            with contextlib.suppress(sqlite3.Error):
                self.b._con.execute("ROLLBACK")
            if isinstance(valor, sqlite3.Error):
                raise ErrorBitacora(archivo.mensaje_sqlite(self.b.ruta, valor)) from None
            return False
        finally:
            self.b._hilo.release()
            if asegurar:
                self.b.asegurar("PASSIVE")


def _conectar_lectura(ruta: Path) -> sqlite3.Connection:
    """Solo lectura. En un disco o carpeta de solo lectura SQLite no puede crear el -shm del modo
    WAL: ahí nadie puede estar escribiendo, así que se lee el archivo como inmutable."""
    uri = ruta.resolve().as_uri()
    try:
        con = sqlite3.connect(f"{uri}?mode=ro", uri=True, check_same_thread=False)
        con.execute("PRAGMA user_version").fetchone()
        return con
    except sqlite3.OperationalError:
        if os.access(ruta.parent, os.W_OK) and os.access(ruta, os.W_OK):
            raise
    return sqlite3.connect(f"{uri}?mode=ro&immutable=1", uri=True, check_same_thread=False)


def _revisar_anotaciones(ruta: Path, cerrojo, identidad: str, anotaciones: int) -> None:
    """Si la ejecución anterior llegó a más anotaciones de las que hay, se perdieron las últimas
    (su -wal se borró tras un corte) o es una copia anterior: se rechaza, o se reenviaría."""
    previas = cerrojo.anotaciones_previas(identidad)
    if previas is not None and previas > anotaciones:
        raise ErrorBitacora(
            f"{ruta}: a la bitácora le faltan anotaciones (tiene {anotaciones} y la ejecución "
            f"anterior llegó a {previas}): se perdió su archivo {ruta.name}-wal tras un corte o "
            "es una copia anterior, y lo enviado desde entonces volvería a salir; devuelve el "
            f"-wal junto a ella o, si restauraste una copia a propósito, borra {cerrojo.senal} "
            "y vuelve a ejecutar"
        )
