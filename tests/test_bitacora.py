import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import date, timedelta
from decimal import Decimal

import pytest

from recordar.bitacora import MIGRACIONES, Bitacora
from recordar.cartera.carga import Contacto, Factura
from recordar.errores import ErrorBitacora
from recordar.plan import planificar
from recordar.politica.politica import cargar_politica

HOY = date(2026, 11, 23)
POLITICA = cargar_politica(None)


def _plan(dias=1, hoy=HOY, historial=None):
    f = Factura(2, "F-1", "Ana", "ana", Decimal("100"), hoy - timedelta(days=dias), "MXN")
    contactos = {"ana": Contacto(correos=["ana@ejemplo.com"], telefonos=["+525512345678"])}
    return planificar([f], contactos, POLITICA, hoy, historial)


def test_esquema_versionado_y_wal(tmp_path):
    ruta = tmp_path / "b.sqlite"
    with Bitacora.abrir_escritura(ruta):
        pass
    con = sqlite3.connect(ruta)
    assert con.execute("PRAGMA user_version").fetchone()[0] == len(MIGRACIONES)
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    tablas = {t for (t,) in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"envios", "envio_facturas", "tareas", "tarea_facturas"} <= tablas


def test_reclamar_registrar_y_el_historial_que_ve_el_plan(tmp_path):
    plan = _plan(dias=1)
    claves = [m.clave for m in plan.mensajes]
    with Bitacora.abrir_escritura(tmp_path / "b.sqlite") as b:
        b.preparar(plan.mensajes, HOY)
        assert b.estados(claves) == {c: ("pendiente", False, None) for c in claves}
        assert b.reclamar(claves[0], HOY)
        assert not b.reclamar(claves[0], HOY)  # ya está «enviando»
        b.registrar(claves[0], "enviado", proveedor_id="id-1")
        assert not b.reclamar(claves[0], HOY)
        historial = b.historial()
    canal = plan.mensajes[0].canal
    assert historial.enviados == {("F-1", canal): {"recordatorio"}}
    assert historial.ultimo_envio("ana") == HOY
    siguiente = _plan(dias=1, historial=historial)
    assert canal not in {m.canal for m in siguiente.mensajes}


def test_enviando_de_una_ejecucion_muerta_pasa_a_incierto(tmp_path):
    plan = _plan()
    clave = plan.mensajes[0].clave
    with Bitacora.abrir_escritura(tmp_path / "b.sqlite") as b:
        b.preparar(plan.mensajes, HOY)
        b.reclamar(clave, HOY)
    with Bitacora.abrir_escritura(tmp_path / "b.sqlite") as b:
        assert b.marcar_inciertos() == 1
        assert b.estados([clave])[clave][0] == "incierto"
        assert not b.reclamar(clave, HOY)
        assert b.reclamar(clave, HOY, reintentar_inciertos=True)


def test_fallo_permanente_no_se_reclama_y_temporal_si(tmp_path):
    plan = _plan()
    a, b_ = (m.clave for m in plan.mensajes)
    with Bitacora.abrir_escritura(tmp_path / "b.sqlite") as b:
        b.preparar(plan.mensajes, HOY)
        b.reclamar(a, HOY)
        b.registrar(a, "fallido", "550 no existe", permanente=True)
        b.reclamar(b_, HOY)
        b.registrar(b_, "fallido", "451 más tarde")
        assert not b.reclamar(a, HOY)
        assert b.reclamar(b_, HOY)


def test_simulacro_no_crea_ni_modifica_la_bitacora(tmp_path):
    ruta = tmp_path / "b.sqlite"
    with Bitacora.abrir_lectura(ruta) as b:
        assert b.historial().enviados == {}
    assert not ruta.exists()
    with Bitacora.abrir_escritura(ruta):
        pass
    antes = ruta.read_bytes()
    with Bitacora.abrir_lectura(ruta) as b, pytest.raises(ErrorBitacora, match="solo para lectura"):
        b.preparar(_plan().mensajes, HOY)
    assert ruta.read_bytes() == antes


def test_cerrojo_impide_dos_ejecuciones_a_la_vez(tmp_path):
    ruta = tmp_path / "b.sqlite"
    with (
        Bitacora.abrir_escritura(ruta),
        pytest.raises(ErrorBitacora, match=r"otra ejecución de recordar \(PID \d+\)"),
    ):
        Bitacora.abrir_escritura(ruta)
    with Bitacora.abrir_escritura(ruta):
        pass  # liberado al cerrar


def test_cerrojo_se_libera_si_el_proceso_muere_con_sigkill(tmp_path):
    ruta = tmp_path / "b.sqlite"
    codigo = (
        "import sys, time\n"
        "from recordar.bitacora import Bitacora\n"
        f"b = Bitacora.abrir_escritura({str(ruta)!r})\n"
        "print('listo', flush=True)\n"
        "time.sleep(60)\n"
    )
    proceso = subprocess.Popen([sys.executable, "-c", codigo], stdout=subprocess.PIPE, text=True)
    try:
        assert proceso.stdout.readline().strip() == "listo"
        with pytest.raises(ErrorBitacora):
            Bitacora.abrir_escritura(ruta)
        os.kill(proceso.pid, signal.SIGKILL)
        proceso.wait(10)
        time.sleep(0.05)
        with Bitacora.abrir_escritura(ruta):
            pass
    finally:
        if proceso.poll() is None:
            proceso.kill()
