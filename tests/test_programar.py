"""`recordar programar`: el crontab real (instalar, ver, actualizar, quitar y ejecutar la línea
instalada con un shell), el plist de launchd y la orden de schtasks contra sus claves y argumentos
documentados, el registro girado y la negativa ante una política que un envío real negaría."""

import os
import plistlib
import re
import shlex
import shutil
import sqlite3
import subprocess
import sys
from datetime import date, timedelta
from pathlib import PureWindowsPath

import pytest

from recordar import programar as prog
from recordar.errores import RecordarError
from tests.conftest import CABECERA, escribir_xlsx

POLITICA = """\
empresa: {nombre: "Ferretería López", contacto: "cobranza@ferreterialopez.mx"}
pasos:
  - {id: recordatorio, dias: 1, canales: [email], plantilla: recordatorio}
canales:
  archivo: {tipo: archivo, carpeta: salida}
"""
MIA = ["# mi tarea de siempre", "0 3 * * * /bin/true"]


@pytest.fixture
def crontab_propio():
    """El crontab del usuario, guardado antes y devuelto tal cual después (nada queda atrás);
    la prueba empieza con una línea ajena que recordar no debe tocar."""
    crontab = shutil.which("crontab")  # con su ruta: una prueba puede vaciar PATH
    antes = subprocess.run([crontab, "-l"], capture_output=True, text=True)
    subprocess.run([crontab, "-"], input="\n".join(MIA) + "\n", text=True, check=True)
    try:
        yield
    finally:
        if antes.returncode == 0:
            subprocess.run([crontab, "-"], input=antes.stdout, text=True, check=True)
        else:
            subprocess.run([crontab, "-r"], capture_output=True)


def _crontab() -> list[str]:
    return subprocess.run(
        ["crontab", "-l"], capture_output=True, text=True, check=True
    ).stdout.splitlines()


@pytest.fixture
def carpeta(tmp_path, monkeypatch):
    """Una carpeta con espacios y acentos (como «Mis documentos/Cobranza año»)."""
    carpeta = tmp_path / "Mis documentos" / "Cobranza año 100%"
    carpeta.mkdir(parents=True)
    monkeypatch.chdir(carpeta)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "estado"))
    (carpeta / "politica.yaml").write_text(POLITICA, encoding="utf-8")
    vencida = date.today() - timedelta(days=3)
    filas = [
        [f"Cliente {n}", f"c{n}@ejemplo.com", "", f"F-{n}", vencida, 100 + n] for n in range(4)
    ]
    escribir_xlsx(carpeta / "cartera.xlsx", [CABECERA, *filas])
    return carpeta


def _bloques(lineas):
    return [linea for linea in lineas if linea.startswith(prog.MARCA_CRON)]


def _ejecutar_linea(linea: str) -> subprocess.CompletedProcess:
    """Lo que hará cron: la orden (sin los cinco campos de la hora) en /bin/sh, con \\% → %.
    Sin XDG_STATE_HOME, como cron (que no ve las variables de la terminal que instaló)."""
    orden = linea.split(None, 5)[5].replace(r"\%", "%")
    entorno = {k: v for k, v in os.environ.items() if k != "XDG_STATE_HOME"}
    return subprocess.run(["/bin/sh", "-c", orden], capture_output=True, text=True, cwd="/",
                          env=entorno, timeout=120)  # fmt: skip


def test_programar_en_el_crontab_instala_actualiza_ejecuta_y_quita(
    carpeta, correr, crontab_propio, tmp_path
):
    r = correr("programar", "cartera.xlsx", "--politica", "politica.yaml", "--cada",
               "lunes-a-viernes", "--hora", "07:45")  # fmt: skip
    assert r.exit_code == 0, r.output
    assert "de lunes a viernes a las 07:45" in r.output and "crontab del usuario" in r.output
    lineas = _crontab()
    assert lineas[:2] == MIA  # lo ajeno, intacto
    assert len(_bloques(lineas)) == 1
    linea = lineas[lineas.index(_bloques(lineas)[0]) + 1]
    assert linea.startswith("45 7 * * 1-5 ")
    # Rutas absolutas, el intérprete de ahora, la bitácora de ahora; % escapado para cron.
    partes = shlex.split(linea.split(None, 5)[5].replace(r"\%", "%"))
    assert partes[:4] == [sys.executable, "-m", "recordar", "programar"]
    assert partes[4] == str(carpeta / "cartera.xlsx")
    assert partes[partes.index("--politica") + 1] == str(carpeta / "politica.yaml")
    assert partes[partes.index("--bitacora") + 1] == str(carpeta / "recordar-bitacora.sqlite")
    assert partes[-1] == "--ahora"
    # El registro que se dijo al instalar va en la orden (cron no ve XDG_STATE_HOME).
    dicho = re.search(r"Registro: (\S+\.log)", " ".join(r.output.split())).group(1)
    assert partes[partes.index("--registro") + 1] == dicho
    assert r"100\%" in linea

    # Otra vez, con otra hora y por otro camino: se actualiza, no se duplica.
    (carpeta / "sub").mkdir()
    r = correr("programar", str(carpeta / "sub" / ".." / "cartera.xlsx"), "--politica",
               "politica.yaml", "--hora", "10:05")  # fmt: skip
    assert r.exit_code == 0, r.output
    lineas = _crontab()
    assert lineas[:2] == MIA and len(_bloques(lineas)) == 1
    linea = lineas[lineas.index(_bloques(lineas)[0]) + 1]
    assert linea.startswith("5 10 * * * ")
    r = correr("programar", "--ver")
    assert r.exit_code == 0 and linea in r.output, r.output

    # La línea instalada, ejecutada con un shell, envía de verdad y anota en el registro.
    hecho = _ejecutar_linea(linea)
    assert hecho.returncode == 0, hecho.stdout + hecho.stderr
    assert len(list((carpeta / "salida").glob("*.eml"))) == 4
    registros = list((tmp_path / "estado" / "recordar" / "log").glob("cartera-*.log"))
    assert len(registros) == 1
    texto = registros[0].read_text(encoding="utf-8")
    assert "recordar enviar" in texto and "== fin: código de salida 0 ==" in texto
    # Otra vez el mismo día: no se envía nada (la bitácora), y el registro crece.
    assert _ejecutar_linea(linea).returncode == 0
    assert len(list((carpeta / "salida").glob("*.eml"))) == 4
    con = sqlite3.connect(carpeta / "recordar-bitacora.sqlite")
    assert con.execute("SELECT COUNT(*) FROM envios WHERE estado = 'enviado'").fetchone() == (4,)
    con.close()
    assert registros[0].read_text(encoding="utf-8").count("== fin: código de salida 0 ==") == 2

    # Quitar: queda lo ajeno; quitar otra vez dice que no había nada.
    r = correr("programar", "cartera.xlsx", "--quitar")
    assert r.exit_code == 0 and "Quitado" in r.output, r.output
    assert _crontab() == MIA
    r = correr("programar", "cartera.xlsx", "--quitar")
    assert r.exit_code == 1 and "No había ningún envío programado" in r.output
    r = correr("programar", "--ver")
    assert r.exit_code == 0 and "No hay envíos programados" in r.output


def test_la_ejecucion_programada_no_se_solapa_con_otra(carpeta, correr, crontab_propio, tmp_path):
    assert correr("programar", "cartera.xlsx", "--politica", "politica.yaml").exit_code == 0
    linea = _crontab()[-1]
    codigo = (
        "import sys, time\n"
        "from recordar.bitacora import Bitacora\n"
        "b = Bitacora.abrir_escritura(sys.argv[1])\n"
        "print('listo', flush=True)\n"
        "time.sleep(120)\n"
    )
    otra = subprocess.Popen([sys.executable, "-c", codigo, str(carpeta / "recordar-bitacora.sqlite")],
                            stdout=subprocess.PIPE, text=True)  # fmt: skip
    try:
        assert otra.stdout.readline().strip() == "listo"
        hecho = _ejecutar_linea(linea)
    finally:
        otra.kill()
        otra.wait(10)
    assert hecho.returncode == 2
    registro = next((tmp_path / "estado" / "recordar" / "log").glob("cartera-*.log"))
    texto = registro.read_text(encoding="utf-8")
    assert f"otra ejecución de recordar (PID {otra.pid})" in texto.replace("\n", " ")
    assert not (carpeta / "salida").exists()


@pytest.mark.parametrize(
    ("politica", "motivo"),
    [
        (None, "la política predeterminada es solo para simulacros"),
        (POLITICA.replace("plantilla: recordatorio", "plantilla: no_existe"), "no_existe"),
        (POLITICA.replace("tipo: archivo", "tipo: palomas"), "palomas"),
        (POLITICA.replace("Ferretería López", "Mi Empresa S.A. de C.V."), "valores de ejemplo"),
    ],
)
def test_no_programa_lo_que_un_envio_real_negaria(
    carpeta, correr, crontab_propio, politica, motivo
):
    (carpeta / "politica.yaml").unlink()
    opciones = []
    if politica is not None:
        (carpeta / "mia.yaml").write_text(politica, encoding="utf-8")
        opciones = ["--politica", "mia.yaml"]
    r = correr("programar", "cartera.xlsx", *opciones)
    assert r.exit_code == 2, r.output
    assert motivo in r.output
    assert "Traceback" not in r.output
    assert _crontab() == MIA  # nada instalado


@pytest.mark.parametrize(
    ("opciones", "motivo"),
    [
        (["--hora", "25:00"], "--hora: «25:00» no es una hora HH:MM"),
        (["--hora", "nueve"], "--hora: «nueve» no es una hora HH:MM"),
        (["--cada", "semana"], "--cada: «semana» no vale; usa dia, hora, lunes-a-viernes"),
    ],
)
def test_opciones_mal_escritas(carpeta, correr, crontab_propio, opciones, motivo):
    r = correr("programar", "cartera.xlsx", "--politica", "politica.yaml", *opciones)
    assert r.exit_code == 2 and motivo in r.output, r.output
    assert _crontab() == MIA


def test_variables_de_los_canales_por_nombre_nunca_su_valor(
    carpeta, correr, crontab_propio, monkeypatch
):
    monkeypatch.setenv("RECORDAR_SMTP_CONTRASENA", "secreto-que-no-sale")
    (carpeta / "politica.yaml").write_text(
        POLITICA.replace(
            "archivo: {tipo: archivo, carpeta: salida}",
            "email: {tipo: smtp, servidor: 127.0.0.1, puerto: 2525, usuario: yo, "
            "contrasena_env: RECORDAR_SMTP_CONTRASENA, remitente: cobranza@ferreterialopez.mx}",
        ),
        encoding="utf-8",
    )
    r = correr("programar", "cartera.xlsx", "--politica", "politica.yaml")
    assert r.exit_code == 0, r.output
    assert "RECORDAR_SMTP_CONTRASENA" in r.output and "crontab -e" in r.output
    crontab = "\n".join(_crontab())
    assert "necesita: RECORDAR_SMTP_CONTRASENA" in crontab
    assert "secreto-que-no-sale" not in r.output + crontab


# --- macOS y Windows: el artefacto que se instalaría -------------------------------------------


def _preparar(sistema, cartera, politica, cada="dia", hora="09:30", **extra):
    return prog.preparar(cartera, politica, cada, hora, sistema=sistema, **extra)


@pytest.mark.parametrize(
    ("cada", "intervalo"),
    [
        ("dia", {"Hour": 9, "Minute": 30}),
        ("hora", {"Minute": 30}),
        ("lunes-a-viernes", [{"Weekday": d, "Hour": 9, "Minute": 30} for d in range(1, 6)]),
    ],
)
def test_plist_de_launchd(cada, intervalo):
    documentos = "/Users/maría/Library/Mobile Documents/com~apple~CloudDocs/Cobranza"
    p = _preparar("darwin", f"{documentos}/cartera año.xlsx", f"{documentos}/politica.yaml", cada,
                  ejecutable="/Library/Frameworks/Python.framework/Versions/3.12/bin/python3",
                  registros="/Users/maría/Library/Logs/recordar",
                  variables=["RECORDAR_SMTP_CONTRASENA"])  # fmt: skip
    datos = plistlib.loads(prog.plist_launchd(p))
    # Claves documentadas en launchd.plist(5), con sus tipos.
    assert set(datos) <= {"Label", "ProgramArguments", "StartCalendarInterval", "StandardOutPath",
                          "StandardErrorPath", "EnvironmentVariables", "RunAtLoad"}  # fmt: skip
    assert re.fullmatch(r"local\.recordar\.cartera-ano-[0-9a-f]{8}", datos["Label"])
    assert datos["ProgramArguments"] == [
        "/Library/Frameworks/Python.framework/Versions/3.12/bin/python3", "-m", "recordar",
        "programar", f"{documentos}/cartera año.xlsx", "--politica", f"{documentos}/politica.yaml",
        "--registro", str(p.registro), "--ahora",
    ]  # fmt: skip
    assert datos["StartCalendarInterval"] == intervalo
    assert datos["StandardOutPath"] == datos["StandardErrorPath"]
    assert datos["StandardOutPath"].startswith("/Users/maría/Library/Logs/recordar/")
    assert datos["EnvironmentVariables"] == {"PYTHONIOENCODING": "utf-8"}  # ningún secreto
    assert datos["RunAtLoad"] is False
    assert str(p.registro) == f"/Users/maría/Library/Logs/recordar/{p.nombre}.log"


SCHTASKS_DOCUMENTADOS = {"/Create", "/TN", "/TR", "/SC", "/ST", "/D", "/MO", "/F", "/RU", "/SD"}
ONEDRIVE = r"C:\Users\María José\OneDrive - Ferretería\Cobranza"


@pytest.mark.parametrize(
    ("cada", "cuando"),
    [
        ("dia", ["/SC", "DAILY", "/ST", "09:30"]),
        ("hora", ["/SC", "HOURLY", "/ST", "00:30"]),
        ("lunes-a-viernes", ["/SC", "WEEKLY", "/D", "MON,TUE,WED,THU,FRI", "/ST", "09:30"]),
    ],
)
def test_orden_de_schtasks(cada, cuando):
    p = _preparar("win32", ONEDRIVE + r"\cartera.xlsx", ONEDRIVE + r"\politica.yaml", cada,
                  ejecutable=r"C:\Python312\python.exe",
                  registros=r"C:\Users\María José\AppData\Local\recordar\Logs")  # fmt: skip
    orden = prog.orden_schtasks(p)
    assert orden[:2] == ["schtasks", "/Create"] and orden[-1] == "/F"  # /F: reemplaza, no duplica
    assert {a for a in orden if a.startswith("/") and len(a) <= 7} <= SCHTASKS_DOCUMENTADOS
    assert orden[orden.index("/TN") + 1] == rf"recordar\{p.nombre}"
    assert orden[orden.index("/SC") : orden.index("/F")] == cuando
    tr = orden[orden.index("/TR") + 1]
    # pythonw (sin ventana de consola) y cada ruta con espacios entre comillas dobles.
    assert tr == (
        r'C:\Python312\pythonw.exe -m recordar programar "' + ONEDRIVE + r'\cartera.xlsx" '
        r'--politica "' + ONEDRIVE + r'\politica.yaml" --ahora'
    )
    assert len(tr) <= prog.MAX_TR
    assert str(p.registro) == rf"C:\Users\María José\AppData\Local\recordar\Logs\{p.nombre}.log"


def test_schtasks_con_una_orden_demasiado_larga_dice_que_hacer():
    carpeta = ONEDRIVE + "\\" + "\\".join(["Una carpeta con nombre largo"] * 6)
    p = _preparar("win32", carpeta + r"\cartera.xlsx", carpeta + r"\politica.yaml",
                  ejecutable=r"C:\Python312\python.exe", registros=r"C:\logs")  # fmt: skip
    with pytest.raises(RecordarError, match=r"admite 261; mueve la cartera .* C:\\cobranza"):
        prog.orden_schtasks(p)


def test_el_nombre_sale_de_la_ruta_de_la_cartera():
    win = [prog.nombre_del_programa(PureWindowsPath(r), "win32")
           for r in (ONEDRIVE + r"\Cartera.xlsx", ONEDRIVE.upper() + r"\CARTERA.XLSX")]  # fmt: skip
    assert win[0] == win[1]  # Windows no distingue mayúsculas
    otra = prog.nombre_del_programa(PureWindowsPath(r"D:\otra\Cartera.xlsx"), "win32")
    assert otra != win[0] and otra.startswith("cartera-")
    with pytest.raises(RecordarError, match="ruta absoluta"):
        _preparar("win32", r"cartera.xlsx", r"C:\p.yaml")


def test_el_registro_se_gira_y_guarda_tres_anteriores(tmp_path):
    registro = tmp_path / "cartera.log"
    for n in range(5):
        registro.write_bytes(str(n).encode() * 2000)
        prog.girar_registro(registro, maximo=1000)
        assert not registro.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "cartera.log.1", "cartera.log.2", "cartera.log.3"
    ]  # fmt: skip
    assert (tmp_path / "cartera.log.1").read_bytes()[:1] == b"4"
    assert (tmp_path / "cartera.log.3").read_bytes()[:1] == b"2"
    registro.write_bytes(b"poco")
    prog.girar_registro(registro, maximo=1000)
    assert registro.read_bytes() == b"poco"


def test_una_marca_huerfana_no_se_lleva_la_linea_de_otro(carpeta, correr, crontab_propio):
    """Si alguien borró a mano la orden y dejó la marca, la línea de debajo es suya: se queda."""
    nombre = prog.nombre_del_programa(carpeta / "cartera.xlsx", "linux")
    ajena = "15 4 * * * /usr/bin/copia-de-seguridad"
    subprocess.run(["crontab", "-"], input=f"{prog.MARCA_CRON}{nombre} vieja\n{ajena}\n",
                   text=True, check=True)  # fmt: skip
    assert correr("programar", "cartera.xlsx", "--politica", "politica.yaml").exit_code == 0
    lineas = _crontab()
    assert lineas[0] == ajena and len(_bloques(lineas)) == 1 and len(lineas) == 3
    assert correr("programar", "cartera.xlsx", "--quitar").exit_code == 0
    assert _crontab() == [ajena]


def test_sin_crontab_instalado_lo_dice(carpeta, correr, crontab_propio, monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path / "vacia"))
    r = correr("programar", "cartera.xlsx", "--politica", "politica.yaml")
    assert r.exit_code == 2, r.output
    assert "crontab: no está instalado" in " ".join(r.output.split())
    monkeypatch.undo()
    assert _crontab() == MIA


def test_ver_en_windows_si_schtasks_falla_no_dice_que_no_hay_nada(monkeypatch):
    fallo = subprocess.CompletedProcess([], 1, stdout="", stderr="ERROR: Acceso denegado.")
    monkeypatch.setattr(prog, "_ejecutar", lambda orden, entrada=None: fallo)
    with pytest.raises(RecordarError, match="schtasks: no se pudo consultar las tareas"):
        prog.ver("win32")
