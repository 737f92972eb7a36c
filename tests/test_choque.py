"""Prueba de choque: un `recordar enviar` real muere con SIGKILL a mitad del envío y se vuelve a correr.

Cada mensaje que tocaba se entregó como mucho una vez; los no entregados los manda la segunda
ejecución o quedan «inciertos» en la bitácora (nunca se reenvían a ciegas).
"""

import asyncio
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import timedelta
from email import message_from_bytes

from aiosmtpd.controller import Controller

from tests.conftest import CABECERA, HOY, escribir_xlsx

DEUDORES = 120


class Registro:
    def __init__(self) -> None:
        self.ids: list[str] = []
        self.cerrojo = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(0.01)  # un servidor lento: el SIGKILL cae a mitad del lote
        mensaje = message_from_bytes(envelope.content)
        with self.cerrojo:
            self.ids.append(mensaje["Message-ID"])
        return "250 OK"


def _puerto_libre() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _correr(carpeta):
    entorno = dict(os.environ, RECORDAR_ESPERA_REINTENTO="0", RECORDAR_ANCHO="120")
    entorno.pop("RECORDAR_DEPURAR", None)
    return subprocess.Popen(
        [sys.executable, "-m", "recordar", "enviar", "cartera.xlsx", "--hoy", HOY.isoformat()],
        cwd=carpeta, env=entorno, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip


def test_sigkill_a_mitad_del_envio_y_segunda_ejecucion(tmp_path):
    registro = Registro()
    puerto = _puerto_libre()
    servidor = Controller(registro, hostname="127.0.0.1", port=puerto)
    servidor.start()
    try:
        (tmp_path / "politica.yaml").write_text(
            "pasos:\n  - {id: recordatorio, dias: 1, canales: [email], plantilla: recordatorio}\n"
            f"canales:\n  email: {{tipo: smtp, servidor: 127.0.0.1, puerto: {puerto}, seguridad: ninguna,"
            ' remitente: "Cobranza <cobranza@ejemplo.com>"}\n',
            encoding="utf-8",
        )
        filas = [[f"Cliente {i}", f"c{i}@ejemplo.com", "", f"F-{i}", HOY - timedelta(days=1), 100 + i]
                 for i in range(DEUDORES)]  # fmt: skip
        escribir_xlsx(tmp_path / "cartera.xlsx", [CABECERA, *filas])

        proceso = _correr(tmp_path)
        limite = time.monotonic() + 60
        while len(registro.ids) < DEUDORES // 4 and time.monotonic() < limite:
            time.sleep(0.005)
        os.kill(proceso.pid, signal.SIGKILL)
        proceso.wait(10)
        entregados_antes = len(registro.ids)
        assert 0 < entregados_antes < DEUDORES, "el SIGKILL debía caer a mitad del envío"

        segunda = _correr(tmp_path)
        salida = segunda.communicate(timeout=120)[0].decode()
        assert segunda.returncode in (0, 1), salida

        # Nunca dos veces el mismo mensaje.
        assert len(registro.ids) == len(set(registro.ids)), "un mensaje llegó dos veces"
        con = sqlite3.connect(tmp_path / "recordar-bitacora.sqlite")
        estados = dict(
            con.execute("SELECT estado, COUNT(*) FROM envios GROUP BY estado").fetchall()
        )
        # Todo lo que tocaba: entregado una vez, o incierto (a lo sumo el que estaba en vuelo).
        assert estados.get("enviado", 0) + estados.get("incierto", 0) == DEUDORES, estados
        assert estados.get("incierto", 0) <= 1
        assert len(registro.ids) in (DEUDORES, DEUDORES - estados.get("incierto", 0))
        assert len(registro.ids) >= estados["enviado"]
        if estados.get("incierto"):
            assert segunda.returncode == 1 and "incierto" in salida
        # Una tercera ejecución el mismo día no envía nada más.
        tercera = _correr(tmp_path)
        tercera.communicate(timeout=120)
        assert len(registro.ids) == len(set(registro.ids))
        assert len(registro.ids) <= DEUDORES
    finally:
        servidor.stop()
