"""Lo que un usuario de Windows (o macOS) encuentra: sin fcntl ni fork el envío real funciona
entero (bitácora, SMTP, segunda ejecución sin reenvíos, otra ejecución rechazada, cerrojo suelto
al morir), un libro abierto en Excel, rutas con barras invertidas, espacios, acentos y OneDrive,
y una salida en cp1252 que no revienta."""

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
from datetime import timedelta
from email import message_from_bytes
from email.utils import parseaddr
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from tests.conftest import CABECERA, HOY, escribir_xlsx

RAIZ = Path(__file__).resolve().parents[1]

# Como en Windows: `import fcntl` falla y os.fork no existe. Luego, la CLI de siempre.
SIN_POSIX = """\
import os, sys
sys.modules["fcntl"] = None
del os.fork
try:
    import fcntl
except ImportError:
    pass
else:
    raise SystemExit("fcntl sigue disponible")
"""
CLI = SIN_POSIX + "sys.argv[0] = 'recordar'\nfrom recordar.cli import main\nmain()\n"
RETENER = SIN_POSIX + (
    "import time\n"
    "from recordar.bitacora import Bitacora\n"
    "b = Bitacora.abrir_escritura(sys.argv[1])\n"
    "print('listo', flush=True)\n"
    "time.sleep(120)\n"
)


class Buzon:
    def __init__(self) -> None:
        self.para: list[str] = []
        self.cerrojo = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.cerrojo:
            self.para.append(parseaddr(message_from_bytes(envelope.content)["To"])[1])
        return "250 OK"


def _puerto_libre() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def buzon():
    buzon = Buzon()
    servidor = Controller(buzon, hostname="127.0.0.1", port=_puerto_libre())
    servidor.start()
    try:
        yield buzon, servidor.port
    finally:
        servidor.stop()


def _entorno(tmp_path) -> dict:
    entorno = dict(os.environ, RECORDAR_ESPERA_REINTENTO="0", RECORDAR_ANCHO="200",
                   RECORDAR_PROCESOS="2", XDG_DATA_HOME=str(tmp_path / "datos"),
                   PYTHONPATH=os.pathsep.join([str(RAIZ / "src"), str(RAIZ)]))  # fmt: skip
    entorno.pop("RECORDAR_DEPURAR", None)
    entorno.pop("RECORDAR_BITACORA", None)
    return entorno


def _como_windows(carpeta, *args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", CLI, *map(str, args)], cwd=carpeta,
                          env=_entorno(carpeta), capture_output=True, text=True,
                          timeout=120)  # fmt: skip


def _hoja(carpeta: Path, numeros) -> None:
    filas = [[f"Cliente {n}", f"c{n}@ejemplo.com", "", f"F-{n}", HOY - timedelta(days=1), 100 + n]
             for n in numeros]  # fmt: skip
    escribir_xlsx(carpeta / "cartera.xlsx", [CABECERA, *filas])


def test_envio_real_entero_sin_fcntl_ni_fork(tmp_path, buzon):
    buzon, puerto = buzon
    carpeta = tmp_path / "OneDrive - Ferretería López" / "Cobranza año"
    carpeta.mkdir(parents=True)
    (carpeta / "politica.yaml").write_text(
        "empresa: {nombre: Ferretería López, contacto: cobranza@ferreterialopez.mx}\n"
        "pasos:\n  - {id: recordatorio, dias: 1, canales: [email], plantilla: recordatorio}\n"
        f"canales:\n  email: {{tipo: smtp, servidor: 127.0.0.1, puerto: {puerto}, "
        'seguridad: ninguna, remitente: "Cobranza <cobranza@ferreterialopez.mx>"}\n',
        encoding="utf-8",
    )
    _hoja(carpeta, range(30))
    enviar = ("enviar", "cartera.xlsx", "--hoy", HOY.isoformat())

    r = _como_windows(carpeta, *enviar)
    assert r.returncode == 0, r.stdout + r.stderr
    assert sorted(buzon.para) == sorted(f"c{n}@ejemplo.com" for n in range(30))
    assert "error inesperado" not in r.stdout + r.stderr

    r = _como_windows(carpeta, *enviar)  # la segunda no reenvía nada
    assert r.returncode == 0, r.stdout + r.stderr
    assert len(buzon.para) == 30

    bitacora = carpeta / "recordar-bitacora.sqlite"
    otra = subprocess.Popen([sys.executable, "-c", RETENER, str(bitacora)], cwd=carpeta,
                            env=_entorno(carpeta), stdout=subprocess.PIPE, text=True)  # fmt: skip
    try:
        assert otra.stdout.readline().strip() == "listo"
        _hoja(carpeta, range(30, 33))
        r = _como_windows(carpeta, *enviar)
        assert r.returncode == 2, r.stdout + r.stderr
        frase = " ".join((r.stdout + r.stderr).split())
        assert (f"otra ejecución de recordar (PID {otra.pid}) en el equipo «{socket.gethostname()}», "
                f"empezada el ") in frase  # fmt: skip
        assert "espera a que termine y vuelve a intentarlo" in frase
        assert len(buzon.para) == 30
    finally:
        otra.send_signal(signal.SIGKILL)  # como una consola cerrada o un corte de luz
        otra.wait(10)
    r = _como_windows(carpeta, *enviar)  # el sistema soltó el cerrojo al morir
    assert r.returncode == 0, r.stdout + r.stderr
    assert sorted(buzon.para[-3:]) == [f"c{n}@ejemplo.com" for n in range(30, 33)]
    assert len(buzon.para) == len(set(buzon.para)) == 33
    con = sqlite3.connect(bitacora)
    assert con.execute("SELECT COUNT(*) FROM envios WHERE estado = 'enviado'").fetchone() == (33,)
    con.close()


# --- un libro abierto en Excel (PermissionError, como en Windows) -------------------------------

# Sin CAP_DAC_OVERRIDE, root respeta los permisos del archivo como cualquier usuario: un archivo
# 000 da PermissionError, lo mismo que Windows da al leer un libro que Excel tiene abierto.
SIN_PRIVILEGIOS = ["setpriv", "--bounding-set=-dac_override,-dac_read_search"]


def _sin_permiso(carpeta: Path, codigo: str) -> str:
    """Ejecuta `codigo` (la biblioteca, como la llama la CLI) sin privilegios; devuelve el error.

    Por la biblioteca y no por la CLI: Click mira antes con os.access, que en Windows no ve el
    bloqueo de Excel (y aquí sí ve el permiso 000), así que en Windows es este error el que llega."""
    programa = (
        "import sys\n"
        "from recordar.errores import RecordarError\n"
        "try:\n" + "".join(f"    {linea}\n" for linea in codigo.splitlines()) +
        "except RecordarError as exc:\n"
        "    print(exc.mensaje)\n"
        "    sys.exit(2)\n"
    )  # fmt: skip
    r = subprocess.run([*SIN_PRIVILEGIOS, sys.executable, "-c", programa], cwd=carpeta,
                       env=_entorno(carpeta), capture_output=True, text=True,
                       timeout=120)  # fmt: skip
    salida = r.stdout + r.stderr
    assert r.returncode == 2, salida
    assert "Traceback" not in salida
    return salida.strip()


@pytest.mark.parametrize(
    ("dueno", "programa"),
    [("~$cartera.xlsx", "Excel"), (".~lock.cartera.xlsx#", "LibreOffice"), (None, None)],
)
def test_libro_abierto_en_otro_programa(tmp_path, dueno, programa):
    _hoja(tmp_path, range(3))
    os.chmod(tmp_path / "cartera.xlsx", 0)
    if dueno:
        (tmp_path / dueno).write_bytes(b"\x00" * 165)  # el archivo que deja Excel al abrirlo
    salida = _sin_permiso(tmp_path, "import recordar\nrecordar.cargar_cartera('cartera.xlsx')")
    if programa:
        assert salida == (f"cartera.xlsx: otro programa lo tiene abierto; cierra «cartera.xlsx» "
                          f"en {programa} y vuelve a intentarlo")  # fmt: skip
    else:
        assert salida == (
            "cartera.xlsx: no tengo permiso para leerlo; revisa sus permisos o cópialo a tu carpeta"
        )


def test_informe_abierto_en_excel_al_escribir_salida(tmp_path):
    (tmp_path / "informe.xlsx").write_bytes(b"viejo")
    os.chmod(tmp_path / "informe.xlsx", 0)
    (tmp_path / "~$informe.xlsx").write_bytes(b"\x00" * 165)
    salida = _sin_permiso(
        tmp_path,
        "from recordar.informe.formatos import escribir_informe\n"
        "escribir_informe('informe.xlsx', {})",
    )
    assert salida == (
        "informe.xlsx: no se pudo escribir el informe (sin permiso de escritura); cierra "
        "«informe.xlsx» en Excel y vuelve a intentarlo"
    )
    assert (tmp_path / "informe.xlsx").stat().st_size == 5  # no se tocó


def test_bitacora_sin_permiso_lo_dice_en_una_frase(tmp_path):
    bitacora = tmp_path / "recordar-bitacora.sqlite"
    bitacora.write_bytes(b"SQLite format 3\x00" + b"\x00" * 100)
    os.chmod(bitacora, 0)
    salida = _sin_permiso(
        tmp_path,
        f"from recordar.bitacora import Bitacora\nBitacora.abrir_escritura({str(bitacora)!r})",
    )
    assert salida == (
        f"{bitacora}: la bitácora no se puede leer (sin permiso de escritura); revisa sus "
        "permisos o indica otra con --bitacora"
    )


# --- rutas de Windows: barras invertidas, espacios, acentos, OneDrive ---------------------------


def test_rutas_con_barras_invertidas_espacios_y_acentos(tmp_path, correr, monkeypatch):
    """En Linux «\\» es un carácter más del nombre: la ruta llega entera, sin partirse ni
    interpretarse, a --politica, --salida y carpeta:."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("RECORDAR_ESPERA_REINTENTO", "0")
    onedrive = tmp_path / r"OneDrive - Ferretería López\Cobranza año"
    onedrive.mkdir()
    (onedrive / "política de cobro.yaml").write_text(
        "empresa: {nombre: Ferretería López, contacto: cobranza@ferreterialopez.mx}\n"
        "pasos:\n  - {id: recordatorio, dias: 1, canales: [email], plantilla: recordatorio}\n"
        r"canales:" "\n" r"  archivo: {tipo: archivo, carpeta: 'Envíos\correo de hoy'}" "\n",
        encoding="utf-8",
    )  # fmt: skip
    _hoja(tmp_path, range(3))
    salida = tmp_path / r"Informes año\informe de hoy.json"
    r = correr("enviar", "cartera.xlsx", "--politica", onedrive / "política de cobro.yaml",
               "--hoy", HOY.isoformat(), "--salida", salida)  # fmt: skip
    assert r.exit_code == 0, r.output
    assert salida.is_file()
    assert len(list((onedrive / r"Envíos\correo de hoy").glob("*.eml"))) == 3
    assert (onedrive / "recordar-bitacora.sqlite").is_file()


def test_ruta_de_windows_entre_comillas_dobles_en_la_politica(tmp_path, correr, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "politica.yaml").write_text(
        "pasos:\n  - {id: recordatorio, dias: 1, canales: [email], plantilla: recordatorio}\n"
        "canales:\n  archivo:\n    tipo: archivo\n"
        '    carpeta: "C:\\Users\\María\\OneDrive - Ferretería\\Cobranza"\n',
        encoding="utf-8",
    )
    _hoja(tmp_path, range(1))
    r = correr("validar", "cartera.xlsx")
    assert r.exit_code == 2
    frase = " ".join(r.output.split())
    assert "politica.yaml: 1 problema en la política" in frase, frase
    assert ("línea 6, columna 19: dentro de comillas dobles «\\» empieza un código especial; "
            "usa comillas simples o escribe «\\\\»") in frase  # fmt: skip


# --- la consola: cp1252 (Windows redirigido) no revienta ----------------------------------------


def test_salida_en_cp1252_sustituye_lo_que_no_sabe_escribir(tmp_path):
    escribir_xlsx(tmp_path / "cartera.xlsx", [CABECERA, ["Łukasz Żółć → Ñandú", "l@ejemplo.com",
                  "", "F-1", HOY - timedelta(days=5), 100]])  # fmt: skip
    entorno = _entorno(tmp_path)
    entorno["PYTHONIOENCODING"] = "cp1252"
    r = subprocess.run([sys.executable, "-m", "recordar", "enviar", "cartera.xlsx", "--simulacro",
                        "--hoy", HOY.isoformat()], cwd=tmp_path, env=entorno,
                       capture_output=True, timeout=120)  # fmt: skip
    texto = (r.stdout + r.stderr).decode("cp1252")
    assert r.returncode == 0, texto
    assert "Simulacro: nada se envía ni se registra" in texto  # los acentos, bien
    assert "Ñandú" in texto and "?ukasz" in texto  # lo que cp1252 no tiene, sustituido
    assert "error inesperado" not in texto


def test_sin_fork_el_mismo_simulacro_en_un_solo_proceso(tmp_path):
    """RECORDAR_PROCESOS=2 pide repartir columnas y mensajes en dos procesos: sin os.fork (Windows)
    se hace todo en uno, con el mismo resultado."""
    _hoja(tmp_path, range(300))
    orden = ["enviar", "cartera.xlsx", "--simulacro", "--hoy", HOY.isoformat(), "--salida"]
    con_fork = subprocess.run([sys.executable, "-m", "recordar", *orden, "con.json"],
                              cwd=tmp_path, env=_entorno(tmp_path), capture_output=True,
                              text=True, timeout=120)  # fmt: skip
    sin_fork = _como_windows(tmp_path, *orden, "sin.json")
    assert con_fork.returncode == sin_fork.returncode == 0, sin_fork.stdout + sin_fork.stderr
    assert sin_fork.stdout.replace("sin.json", "con.json") == con_fork.stdout
    assert "300 filas" in sin_fork.stdout
    con, sin = (
        json.loads((tmp_path / n).read_text(encoding="utf-8")) for n in ("con.json", "sin.json")
    )
    assert con["mensajes"] == sin["mensajes"] and len(sin["mensajes"]) == 300


def test_el_cerrojo_de_sqlite_es_solo_del_dueno_y_esta_junto_a_la_bitacora(tmp_path):
    from recordar.bitacora import Bitacora

    anterior = os.umask(0)
    try:
        ruta = tmp_path / "b.sqlite"
        with Bitacora.abrir_escritura(ruta):
            en_uso = tmp_path / "b.sqlite.en-uso"
            assert en_uso.stat().st_size == 0  # una base vacía: solo sirve de cerrojo
            assert oct(en_uso.stat().st_mode & 0o777) == oct(0o600)
            texto = (tmp_path / "b.sqlite.cerrojo").read_text(encoding="ascii").split()
            assert texto[0] == str(os.getpid()) and texto[3] == socket.gethostname()
    finally:
        os.umask(anterior)


@pytest.mark.parametrize("orden", ["enviar", "validar"])
def test_por_la_cli_un_libro_sin_permiso_da_la_frase_en_espanol(tmp_path, orden):
    """Click miraba antes con os.access y contestaba en inglés («path … is not readable»)."""
    _hoja(tmp_path, range(3))
    (tmp_path / "~$cartera.xlsx").write_bytes(b"\x00" * 165)
    os.chmod(tmp_path / "cartera.xlsx", 0)
    argumentos = ["cartera.xlsx", "--simulacro"] if orden == "enviar" else ["cartera.xlsx"]
    r = subprocess.run([*SIN_PRIVILEGIOS, sys.executable, "-m", "recordar", orden, *argumentos],
                       cwd=tmp_path, env=_entorno(tmp_path), capture_output=True, text=True,
                       timeout=120)  # fmt: skip
    salida = " ".join((r.stdout + r.stderr).split())
    assert r.returncode == 2, salida
    assert "not readable" not in salida and "Traceback" not in salida
    assert "cierra «cartera.xlsx» en Excel y vuelve a intentarlo" in salida
