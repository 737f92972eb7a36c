"""El envío nunca miente: si la bitácora deja de poder escribirse se para, lo dice y sale con 1;
lo que no salió por un canal caído queda «fallido» con su motivo; las bajas valen en cualquier
forma del dominio."""

import contextlib
import json
import os
import socket
import sqlite3
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from recordar.canales.base import ServidorInalcanzable, registrar
from tests.canal_falso import CanalMemoria
from tests.conftest import CABECERA, HOY, escribir_xlsx, leer_json, preparar_carpeta

POLITICA = """
pasos:
  - {id: recordatorio, dias: 1, canales: [email], plantilla: recordatorio}
canales:
  email: {tipo: averia}
"""
DEUDORES = 6


@registrar
class CanalAveria(CanalMemoria):
    """Envía en memoria y, justo tras el envío número `tras`, provoca la avería `averia()`."""

    tipo = "averia"
    tras = 2
    averia = None
    caido = False

    def enviar(self, envio):
        if CanalAveria.caido:
            raise ServidorInalcanzable("se cayó la conexión con memoria://averia")
        identificador = super().enviar(envio)
        if len(CanalMemoria.enviados) == self.tras and CanalAveria.averia is not None:
            CanalAveria.averia()
        return identificador


@pytest.fixture
def carpeta(en_tmp, monkeypatch):
    preparar_carpeta(en_tmp, POLITICA, monkeypatch)
    monkeypatch.setenv("RECORDAR_ESPERA_BITACORA", "0.3")
    filas = [[f"Cliente {i}", f"c{i}@ejemplo.com", "", f"F-{i}", HOY - timedelta(days=1), 100 + i]
             for i in range(DEUDORES)]  # fmt: skip
    escribir_xlsx(en_tmp / "cartera.xlsx", [CABECERA, *filas])
    yield en_tmp
    CanalAveria.averia = None
    CanalAveria.caido = False


def _estados(ruta: Path) -> dict[str, str]:
    con = sqlite3.connect(ruta)
    try:
        return dict(con.execute("SELECT destinatario, estado FROM envios").fetchall())
    finally:
        con.close()


def _comprobar_parada(r, carpeta: Path, motivo: str) -> None:
    """Lo que ve el usuario cuando la bitácora falla tras el segundo envío."""
    assert r.exit_code == 1, r.output
    assert "Traceback" not in r.output and "error inesperado" not in r.output
    assert motivo in r.output and "se dejó de enviar" in r.output
    # Se paró: el tercero ni se reclamó ni se mandó.
    assert [e.destinatario for e in CanalMemoria.enviados] == ["c0@ejemplo.com", "c1@ejemplo.com"]
    estados = {
        m["destinatario"]: m["estado"] for m in leer_json(carpeta / "informe.json")["mensajes"]
    }
    assert "simulado" not in estados.values()
    assert estados["c0@ejemplo.com"] == "enviado"
    assert estados["c1@ejemplo.com"] == "incierto"  # salió, pero la bitácora no lo pudo anotar
    assert [estados[f"c{i}@ejemplo.com"] for i in range(2, DEUDORES)] == ["pendiente"] * 4


def _segunda_ejecucion(correr, carpeta: Path, bitacora: Path, *extra) -> None:
    """Con la bitácora ya sana: lo anotado a medias queda incierto y no se reenvía; el resto sale."""
    CanalAveria.averia = None
    r = correr("enviar", "cartera.xlsx", "--hoy", HOY.isoformat(), *extra)
    assert r.exit_code == 1, r.output  # queda un incierto por revisar
    destinos = [e.destinatario for e in CanalMemoria.enviados]
    assert sorted(destinos) == sorted(f"c{i}@ejemplo.com" for i in range(DEUDORES))
    estados = _estados(bitacora)
    assert estados["c1@ejemplo.com"] == "incierto"
    assert {estados[f"c{i}@ejemplo.com"] for i in (0, 2, 3, 4, 5)} == {"enviado"}


def test_otro_proceso_bloquea_la_bitacora_a_mitad_del_envio(carpeta, correr):
    bitacora = carpeta / "recordar-bitacora.sqlite"
    codigo = (
        "import sqlite3, sys, time\n"
        "con = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
        "con.execute('BEGIN IMMEDIATE')\n"
        "print('listo', flush=True)\n"
        "time.sleep(120)\n"
    )
    procesos = []

    def bloquear():
        proceso = subprocess.Popen([sys.executable, "-c", codigo, str(bitacora)],
                                   stdout=subprocess.PIPE, text=True)  # fmt: skip
        procesos.append(proceso)
        assert proceso.stdout.readline().strip() == "listo"

    CanalAveria.averia = bloquear
    try:
        r = correr("enviar", "cartera.xlsx", "--hoy", HOY.isoformat(), "--salida", "informe.json")
        assert procesos, r.output
        _comprobar_parada(r, carpeta, "otro programa tiene bloqueada la bitácora")
        assert str(bitacora) in r.output
    finally:
        for proceso in procesos:
            proceso.kill()
            proceso.wait(10)
    # Lo enviado y anotado sigue enviado; nada quedó como si no hubiera pasado.
    estados = _estados(bitacora)
    assert estados["c0@ejemplo.com"] == "enviado"
    assert estados["c1@ejemplo.com"] in ("enviando", "incierto")
    # El historial lo cuenta como quedará: incierto, no «enviando» para siempre.
    r = correr("historial", "--inciertos", "--json", "--completo")
    assert r.exit_code == 0, r.output
    assert [(f["destinatario"], f["estado"]) for f in json.loads(r.output)] == [
        ("c1@ejemplo.com", "incierto")
    ]
    _segunda_ejecucion(correr, carpeta, bitacora)


@contextlib.contextmanager
def _disco_pequeno(carpeta: Path, tamano: str = "4m"):
    """Un tmpfs real (hace falta ser root, como en CI) que la prueba monta y desmonta."""
    assert os.geteuid() == 0, "esta prueba monta un tmpfs: hay que ejecutarla como root"
    carpeta.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={tamano}", "tmpfs", str(carpeta)],
                   check=True)  # fmt: skip
    try:
        yield carpeta
    finally:
        subprocess.run(["umount", "-l", str(carpeta)], check=True)


def llenar(carpeta: Path) -> None:
    """Escribe hasta que el disco no admite ni un byte más."""
    descriptor = os.open(carpeta / "relleno", os.O_CREAT | os.O_WRONLY | os.O_APPEND, 0o600)
    try:
        for tamano in (1 << 20, 1 << 12, 1):
            with contextlib.suppress(OSError):
                while True:
                    os.write(descriptor, b"\0" * tamano)
    finally:
        os.close(descriptor)


def test_disco_lleno_a_mitad_del_envio(carpeta, correr, tmp_path):
    with _disco_pequeno(tmp_path / "disco") as disco:
        bitacora = disco / "bitacora.sqlite"
        CanalAveria.averia = lambda: llenar(disco)
        r = correr("enviar", "cartera.xlsx", "--hoy", HOY.isoformat(), "--salida", "informe.json",
                   "--bitacora", bitacora)  # fmt: skip
        _comprobar_parada(r, carpeta, "el disco está lleno")
        os.unlink(disco / "relleno")
        _segunda_ejecucion(correr, carpeta, bitacora, "--bitacora", bitacora)


def test_disco_lleno_al_empezar_no_envia_nada_y_sale_con_2(carpeta, correr, tmp_path):
    with _disco_pequeno(tmp_path / "disco") as disco:
        bitacora = disco / "bitacora.sqlite"
        r = correr("enviar", "cartera.xlsx", "--hoy", HOY.isoformat(), "--bitacora", bitacora)
        assert r.exit_code == 0, r.output
        CanalMemoria.reiniciar()
        llenar(disco)
        filas = [[f"Nuevo {i}", f"n{i}@ejemplo.com", "", f"N-{i}", HOY - timedelta(days=1), 50]
                 for i in range(DEUDORES)]  # fmt: skip
        escribir_xlsx(carpeta / "cartera.xlsx", [CABECERA, *filas])
        r = correr("enviar", "cartera.xlsx", "--hoy", HOY.isoformat(), "--bitacora", bitacora)
        assert r.exit_code == 2, r.output
        assert "error inesperado" not in r.output and "Traceback" not in r.output
        assert f"{bitacora}: el disco está lleno" in r.output
        assert CanalMemoria.enviados == []


def _puerto_cerrado() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_servidor_que_rechaza_la_conexion_queda_fallido_con_motivo_e_intentos(carpeta, correr):
    (carpeta / "politica.yaml").write_text(
        POLITICA.replace(
            "{tipo: averia}",
            f"{{tipo: smtp, servidor: 127.0.0.1, puerto: {_puerto_cerrado()}, seguridad: ninguna,"
            ' remitente: "Cobranza <cobranza@ejemplo.com>"}',
        ),
        encoding="utf-8",
    )
    r = correr("enviar", "cartera.xlsx", "--hoy", HOY.isoformat())
    assert r.exit_code == 1, r.output
    r = correr("historial", "--json")
    assert r.exit_code == 0, r.output
    filas = json.loads(r.output)
    assert len(filas) == DEUDORES
    for fila in filas:
        assert fila["estado"] == "fallido"
        assert fila["intentos"] == 1
        assert "127.0.0.1" in fila["detalle"]


def test_servidor_que_se_cae_a_mitad_deja_lo_demas_fallido_con_motivo(carpeta, correr):
    def caer():
        CanalAveria.caido = True

    CanalAveria.averia = caer
    r = correr("enviar", "cartera.xlsx", "--hoy", HOY.isoformat())
    assert r.exit_code == 1, r.output
    filas = json.loads(correr("historial", "--json", "--completo").output)
    estados = {f["destinatario"]: (f["estado"], f["intentos"], f["detalle"]) for f in filas}
    assert estados["c0@ejemplo.com"][:2] == ("enviado", 1)
    assert estados["c1@ejemplo.com"][:2] == ("enviado", 1)
    for i in range(2, DEUDORES):
        estado, intentos, detalle = estados[f"c{i}@ejemplo.com"]
        assert (estado, intentos) == ("fallido", 1)
        assert "se cayó la conexión" in detalle


def test_fallo_temporal_reintentado_cuenta_cada_intento(carpeta, correr):
    CanalMemoria.fallos = {"c0@ejemplo.com": ["temporal"] * 3, "c1@ejemplo.com": ["temporal"]}
    r = correr("enviar", "cartera.xlsx", "--hoy", HOY.isoformat())
    assert r.exit_code == 1, r.output
    filas = json.loads(correr("historial", "--json", "--completo").output)
    estados = {f["destinatario"]: (f["estado"], f["intentos"], f["detalle"]) for f in filas}
    estado, intentos, detalle = estados["c0@ejemplo.com"]
    assert (estado, intentos) == ("fallido", 3)  # el primero y los 2 reintentos
    assert "451" in detalle
    assert estados["c1@ejemplo.com"][:2] == ("enviado", 2)
    assert estados["c2@ejemplo.com"][:2] == ("enviado", 1)


@pytest.mark.parametrize(
    ("baja", "en_la_hoja"),
    [
        ("pago@münchen.de", "pago@xn--mnchen-3ya.de"),
        ("pago@xn--mnchen-3ya.de", "pago@münchen.de"),
        ("Pago@MÜNCHEN.DE", "pago@xn--mnchen-3ya.de"),
        ("cobros@xn--caf-dma.xn--p1ai", "cobros@café.рф"),
        ("cobros@café.com", "cobros@xn--caf-dma.com"),
    ],
)
def test_baja_vale_en_unicode_y_en_punycode(carpeta, correr, baja, en_la_hoja):
    (carpeta / "politica.yaml").write_text(POLITICA.replace("averia", "memoria"), encoding="utf-8")
    escribir_xlsx(
        carpeta / "cartera.xlsx",
        [CABECERA, ["Ana", en_la_hoja, "", "F-1", HOY - timedelta(days=1), 100],
         ["Luis", "luis@ejemplo.com", "", "F-2", HOY - timedelta(days=1), 100]],
    )  # fmt: skip
    r = correr("baja", baja)
    assert r.exit_code == 0, r.output
    r = correr("enviar", "cartera.xlsx", "--hoy", HOY.isoformat())
    assert r.exit_code == 0, r.output
    assert [e.destinatario for e in CanalMemoria.enviados] == ["luis@ejemplo.com"]
