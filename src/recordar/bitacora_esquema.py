"""El esquema de la bitácora: migraciones numeradas y qué base SQLite es una bitácora."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from recordar.errores import ErrorBitacora

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
    # 3: pagos deducidos porque la factura desapareció de la hoja: se marcan para poder
    # deshacerlos (y devolver la factura a las abiertas con su primera fecha).
    # También cuántas anotaciones lleva (y una identidad al azar): la señal del cerrojo guarda
    # la cifra de la última ejecución y así se nota si se perdió el -wal de una que murió.
    """
        ALTER TABLE pagos ADD COLUMN por_desaparicion INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE pagos ADD COLUMN primera_vez TEXT;
        CREATE TABLE contador (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            identidad TEXT NOT NULL,
            anotaciones INTEGER NOT NULL
        );
        INSERT INTO contador VALUES (1, lower(hex(randomblob(8))), 0);
    """,
    # 4: tareas cerradas a mano (`recordar tareas hecha ID`): las demás siguen abiertas.
    """
        CREATE TABLE tareas_cerradas (
            tarea_id INTEGER PRIMARY KEY REFERENCES tareas(id),
            cerrada TEXT NOT NULL
        );
    """,
    # 5: los parámetros de una plantilla aprobada de WhatsApp (JSON nombre → valor), para que
    # --reintentar-inciertos mande la misma petición. Las filas de antes quedan en NULL.
    """
        ALTER TABLE envios ADD COLUMN parametros TEXT;
    """,
    # 6: lo que el proveedor dice de la entrega (`recordar estado`): delivered, undelivered…, con
    # su código y motivo, y cuándo se supo. Se busca por el id del proveedor (archivos de Meta).
    """
        ALTER TABLE envios ADD COLUMN entrega TEXT;
        ALTER TABLE envios ADD COLUMN entrega_detalle TEXT;
        ALTER TABLE envios ADD COLUMN entrega_en TEXT;
        CREATE INDEX envios_proveedor ON envios(proveedor_id);
    """,
    # 7: para `recordar resultados`. `saldos` guarda el saldo de cada factura abierta cada vez
    # que cambia (primera vez vista, abono, cambio de vencimiento, moneda, promesa o disputa):
    # un registro de cambios, no una copia diaria, para que un año de ejecuciones siga siendo
    # pequeño. `ejecuciones`, la fecha de cada envío real. Las facturas ya vistas se siembran
    # con su saldo conocido en su primera fecha. Los envíos, por fecha: resultados lee un
    # período. Repetible (IF NOT EXISTS, OR IGNORE).
    """
        CREATE TABLE IF NOT EXISTS saldos (
            numero TEXT NOT NULL,
            fecha TEXT NOT NULL,
            deudor TEXT NOT NULL,
            cliente TEXT NOT NULL,
            monto TEXT NOT NULL,
            moneda TEXT,
            vencimiento TEXT NOT NULL,
            promesa TEXT,
            disputa INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (numero, fecha)
        );
        CREATE TABLE IF NOT EXISTS ejecuciones (
            fecha TEXT PRIMARY KEY,
            abiertas INTEGER NOT NULL,
            creado TEXT NOT NULL
        );
        CREATE INDEX IF NOT EXISTS envios_fecha_plan ON envios(fecha_plan);
        INSERT OR IGNORE INTO saldos (numero, fecha, deudor, cliente, monto, vencimiento)
            SELECT numero, primera_vez, deudor, cliente, monto, vencimiento FROM facturas_vistas;
    """,
]


def migrar(con: sqlite3.Connection, ruta: Path | str = "bitácora") -> None:
    version = con.execute("PRAGMA user_version").fetchone()[0]
    if version > len(MIGRACIONES):
        raise ErrorBitacora(
            f"{ruta}: la bitácora es de una versión más nueva de recordar; actualízalo"
        )
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


def revisar_esquema(ruta: Path, con: sqlite3.Connection) -> None:
    """Una base SQLite que no es una bitácora de recordar no se toma por una nueva."""
    version = con.execute("PRAGMA user_version").fetchone()[0]
    tablas = {t for (t,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if "envios" not in tablas:
        raise ErrorBitacora(
            f"{ruta}: no es una bitácora de recordar (es una base SQLite "
            + ("vacía" if not tablas else f"con otras tablas: {', '.join(sorted(tablas)[:3])}")
            + f", versión {version}); restaura la bitácora de una copia de seguridad o indica "
            "otra con --bitacora (no se tocó nada)"
        )
