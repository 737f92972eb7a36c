"""`recordar programar` como biblioteca: un envío real que se repite, instalado con el programador
del propio sistema (el crontab del usuario en Linux, un agente de launchd en macOS, una tarea del
Programador de tareas en Windows).

Lo que se instala siempre es la misma orden, con rutas absolutas y el intérprete de ahora:
`python -m recordar programar CARTERA --politica P --ahora`, que gira el registro, anota la
salida de `recordar enviar` en él y devuelve su código. El cerrojo de la bitácora impide que dos
ejecuciones se solapen. Cada programa se llama como su cartera (nombre legible + 8 cifras de su
ruta): instalar otra vez la misma cartera actualiza el programa, nunca lo duplica.

`sistema` ("linux", "darwin", "win32") elige el artefacto; por omisión, el de este equipo.
"""

from __future__ import annotations

import hashlib
import os
import plistlib
import re
import shlex
import subprocess
import sys
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path, PurePath, PurePosixPath, PureWindowsPath

from recordar.errores import RecordarError, causa

CADAS = ("dia", "hora", "lunes-a-viernes")
MARCA_CRON = "# recordar-programar:"
PREFIJO_LAUNCHD = "local.recordar."
CARPETA_TAREAS = "recordar"
# Registro: se gira al pasar de 1 MiB y se guardan 3 anteriores (.1 … .3): unos 4 MiB como mucho,
# meses de ejecuciones diarias (cada una escribe unos pocos KB).
MAX_REGISTRO = 1 << 20
GIROS = 3
# schtasks rechaza un /TR de más de 261 caracteres (documentación de schtasks create).
MAX_TR = 261
DIAS_LABORABLES = "MON,TUE,WED,THU,FRI"


@dataclass(slots=True)
class Programa:
    """Un envío programado: qué se ejecuta, cuándo y dónde queda su salida."""

    nombre: str
    cartera: PurePath
    politica: PurePath
    cada: str
    hora: int
    minuto: int
    orden: list[str]  # la orden completa: intérprete, -m recordar programar … --ahora
    registro: PurePath
    variables: list[str] = field(default_factory=list)  # nombres, nunca valores
    sistema: str = ""

    def cuando(self) -> str:
        hhmm = f"{self.hora:02d}:{self.minuto:02d}"
        if self.cada == "hora":
            return f"cada hora, en el minuto {self.minuto:02d}"
        if self.cada == "lunes-a-viernes":
            return f"de lunes a viernes a las {hhmm}"
        return f"cada día a las {hhmm}"


def sistema_actual() -> str:
    if sys.platform == "win32":
        return "win32"
    return "darwin" if sys.platform == "darwin" else "linux"


def _ruta(valor, sistema: str) -> PurePath:
    """La ruta absoluta en el sistema de destino (la de este equipo se resuelve de verdad)."""
    if sistema == sistema_actual():
        return Path(valor).expanduser().resolve()
    clase = PureWindowsPath if sistema == "win32" else PurePosixPath
    ruta = clase(valor)
    if not ruta.is_absolute():
        raise RecordarError(f"{valor}: hace falta una ruta absoluta para programar en {sistema}")
    return ruta


def _leer_cuando(cada: str, hora: str) -> tuple[int, int]:
    """--cada y --hora revisados → (hora, minuto)."""
    h, m = leer_hora(hora)
    if cada not in CADAS:
        raise RecordarError(f"--cada: «{cada}» no vale; usa {', '.join(CADAS)}")
    return h, m


def leer_hora(valor: str) -> tuple[int, int]:
    """«09:30» o «9:30» → (9, 30)."""
    partes = re.fullmatch(r"\s*(\d{1,2})[:.](\d{2})\s*", valor or "")
    if partes is None or int(partes[1]) > 23 or int(partes[2]) > 59:
        raise RecordarError(
            f"--hora: «{valor}» no es una hora HH:MM de 00:00 a 23:59 (p. ej. 09:30)"
        )
    return int(partes[1]), int(partes[2])


def nombre_del_programa(cartera: PurePath, sistema: str) -> str:
    """Legible y estable: el nombre de la cartera en ASCII y 8 cifras de su ruta absoluta."""
    texto = str(cartera).lower() if sistema == "win32" else str(cartera)
    cifras = hashlib.sha256(texto.encode("utf-8")).hexdigest()[:8]
    ascii_ = unicodedata.normalize("NFKD", cartera.stem).encode("ascii", "ignore").decode()
    legible = re.sub(r"[^a-z0-9]+", "-", ascii_.lower()).strip("-")[:24] or "cartera"
    return f"{legible}-{cifras}"


def carpeta_de_registros() -> Path:
    from platformdirs import user_log_dir

    return Path(user_log_dir("recordar", appauthor=False))


def interprete(sistema: str, ejecutable: str | None = None) -> PurePath:
    """El Python de ahora; en Windows, pythonw.exe si está (la tarea no abre una consola).

    Sin resolver enlaces: el python de un entorno virtual es un enlace al del sistema, que no
    tiene instalado recordar."""
    if sistema == sistema_actual():
        ruta = Path(os.path.abspath(ejecutable or sys.executable))
    else:
        ruta = _ruta(ejecutable or sys.executable, sistema)
    if sistema == "win32" and ruta.name.lower() == "python.exe":
        ventana = ruta.with_name("pythonw.exe")
        if sistema != sistema_actual() or Path(ventana).exists():
            return ventana
    return ruta


def variables_de_canales(canales: dict) -> list[str]:
    """Los nombres de las variables de entorno que los canales leen (claves *_env), sin valores."""
    nombres = {
        str(valor)
        for ajustes in canales.values()
        if isinstance(ajustes, dict)
        for clave, valor in ajustes.items()
        if clave.endswith("_env") and isinstance(valor, str) and valor
    }
    return sorted(nombres)


def preparar(
    cartera,
    politica,
    cada: str = "dia",
    hora: str = "09:30",
    *,
    bitacora=None,
    hoja: str | None = None,
    variables: list[str] = (),
    sistema: str | None = None,
    ejecutable: str | None = None,
    registros=None,
) -> Programa:
    """El programa para `cartera` en `sistema`, sin instalar nada."""
    sistema = sistema or sistema_actual()
    h, m = _leer_cuando(cada, hora)
    cartera, politica = _ruta(cartera, sistema), _ruta(politica, sistema)
    nombre = nombre_del_programa(cartera, sistema)
    carpeta = _ruta(registros, sistema) if registros else _ruta(carpeta_de_registros(), sistema)
    orden = [str(interprete(sistema, ejecutable)), "-m", "recordar", "programar", str(cartera),
             "--politica", str(politica)]  # fmt: skip
    if bitacora is not None:
        orden += ["--bitacora", str(_ruta(bitacora, sistema))]
    if hoja:
        orden += ["--hoja", hoja]
    # En Linux y macOS el registro va escrito en la orden, como la bitácora: cron y launchd no
    # ven las variables de la terminal (XDG_STATE_HOME…) y lo pondrían en otra carpeta que la
    # que se dijo al instalar. En Windows la carpeta es %LOCALAPPDATA%, que la tarea sí ve (y
    # /TR no admite más de 261 caracteres).
    registro = carpeta / f"{nombre}.log"
    if sistema != "win32":
        orden += ["--registro", str(registro)]
    orden.append("--ahora")
    return Programa(nombre, cartera, politica, cada, h, m, orden, registro,
                    sorted(set(variables)), sistema)  # fmt: skip


def revisar_y_preparar(
    cartera, politica_ruta, cada: str = "dia", hora: str = "09:30", *, bitacora=None,
    hoja: str | None = None,
) -> Programa:  # fmt: skip
    """Lo que `recordar programar` instala, tras revisar como `validar`: RecordarError si un
    envío real se negaría (política predeterminada, valores de ejemplo, plantillas o canales con
    errores). La bitácora de ahora queda escrita en la orden (el programador no ve
    RECORDAR_BITACORA) y los nombres de las variables de los canales, en el programa."""
    from recordar.bitacora import ruta_predeterminada
    from recordar.politica.calendario import zona
    from recordar.politica.politica import cargar_politica
    from recordar.preparacion import exigir_lista_para_enviar
    from recordar.revision import revisar

    _leer_cuando(cada, hora)  # antes de leer la hoja: el error de uso primero
    politica = cargar_politica(politica_ruta)
    exigir_lista_para_enviar(politica)
    ahora = datetime.now(zona(politica.zona_horaria))
    revision = revisar(Path(cartera), politica, hoja, ahora.date(), ahora)
    problemas = revision.plantillas + revision.canales
    if problemas:
        lista = "\n".join(f"  - {p}" for p in problemas)
        raise RecordarError(
            f"{politica.ruta}: un envío real se negaría, así que no se programa nada; corrige "
            f"esto y vuelve a ejecutar (recordar validar lo muestra entero):\n{lista}"
        )
    return preparar(cartera, politica.ruta, cada, hora, hoja=hoja,
                    bitacora=bitacora or ruta_predeterminada(politica.carpeta),
                    variables=variables_de_canales(politica.canales))  # fmt: skip


# --- Linux: el crontab del usuario ------------------------------------------------------------


def linea_cron(p: Programa) -> str:
    """La línea del crontab: los cinco campos de la hora y la orden (con % escapado para cron)."""
    campos = {
        "dia": f"{p.minuto} {p.hora} * * *",
        "hora": f"{p.minuto} * * * *",
        "lunes-a-viernes": f"{p.minuto} {p.hora} * * 1-5",
    }[p.cada]
    orden = " ".join(shlex.quote(parte) for parte in p.orden).replace("%", r"\%")
    return f"{campos} {orden}"


def bloque_cron(p: Programa) -> list[str]:
    """La marca (que dice qué es, de qué cartera y qué variables necesita) y la línea."""
    variables = f" · necesita: {', '.join(p.variables)}" if p.variables else ""
    return [f"{MARCA_CRON}{p.nombre} {p.cartera}{variables}", linea_cron(p)]


def _sin_programa(lineas: list[str], nombre: str | None) -> list[str]:
    """Las líneas del crontab sin el bloque de `nombre` (o sin ninguno de recordar)."""
    quedan, saltar = [], False
    for linea in lineas:
        if saltar:
            saltar = False
            if _es_orden_programada(linea):
                continue  # la línea de la marca (si alguien la borró a mano, la siguiente se queda)
        if linea.startswith(MARCA_CRON) and (
            nombre is None or linea[len(MARCA_CRON) :].split(" ", 1)[0] == nombre
        ):
            saltar = True
            continue
        quedan.append(linea)
    return quedan


def _es_orden_programada(linea: str) -> bool:
    return not linea.lstrip().startswith("#") and " programar " in linea and "--ahora" in linea


def _programas_cron(lineas: list[str]) -> list[tuple[str, str]]:
    return [
        (linea[len(MARCA_CRON) :].split(" ", 1)[0], lineas[i + 1] if i + 1 < len(lineas) else "")
        for i, linea in enumerate(lineas)
        if linea.startswith(MARCA_CRON)
    ]


def _ejecutar(orden: list[str], entrada: str | None = None) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(orden, input=entrada, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise RecordarError(
            f"{orden[0]}: no está instalado, así que no hay programador del sistema que usar; "
            "instálalo (en Debian/Ubuntu: sudo apt install cron) y vuelve a programar"
        ) from None
    except OSError as exc:
        raise RecordarError(f"{orden[0]}: no se pudo ejecutar ({causa(exc)})") from None


def leer_crontab() -> list[str]:
    r = _ejecutar(["crontab", "-l"])
    if r.returncode != 0:
        if "no crontab" in (r.stderr or "").lower():
            return []
        raise RecordarError(f"crontab -l: {r.stderr.strip()}; revisa que cron esté instalado")
    return r.stdout.splitlines()


def escribir_crontab(lineas: list[str]) -> None:
    r = _ejecutar(["crontab", "-"], "\n".join(lineas) + "\n")
    if r.returncode != 0:
        raise RecordarError(f"crontab: no se pudo guardar ({r.stderr.strip()})")


# --- macOS: un agente de launchd ---------------------------------------------------------------


def etiqueta_launchd(p: Programa) -> str:
    return PREFIJO_LAUNCHD + p.nombre


def plist_launchd(p: Programa) -> bytes:
    """El plist del agente (claves de launchd.plist(5)); sin valores de variables de entorno."""
    momento = {"Minute": p.minuto} if p.cada == "hora" else {"Hour": p.hora, "Minute": p.minuto}
    intervalo = (
        [{"Weekday": dia, **momento} for dia in range(1, 6)]
        if p.cada == "lunes-a-viernes"
        else momento
    )
    salida = str(p.registro.with_name(f"{p.nombre}-launchd.log"))
    datos = {
        "Label": etiqueta_launchd(p),
        "ProgramArguments": list(p.orden),
        "StartCalendarInterval": intervalo,
        "StandardOutPath": salida,
        "StandardErrorPath": salida,
        "EnvironmentVariables": {"PYTHONIOENCODING": "utf-8"},
        "RunAtLoad": False,
    }
    return plistlib.dumps(datos)


def _agentes() -> Path:
    return Path.home() / "Library" / "LaunchAgents"


# --- Windows: el Programador de tareas ----------------------------------------------------------


def nombre_tarea(p: Programa) -> str:
    return f"{CARPETA_TAREAS}\\{p.nombre}"


def _entre_comillas(parte: str) -> str:
    return f'"{parte}"' if re.search(r'[\s&()^|<>"]', parte) or not parte else parte


def orden_schtasks(p: Programa) -> list[str]:
    """Los argumentos de `schtasks /Create` (documentados en «schtasks create»)."""
    tr = " ".join(_entre_comillas(parte) for parte in p.orden)
    if len(tr) > MAX_TR:
        raise RecordarError(
            f"{p.cartera}: la orden de la tarea ocupa {len(tr)} caracteres y el Programador de "
            f"tareas admite {MAX_TR}; mueve la cartera y la política a una carpeta de ruta más "
            "corta (p. ej. C:\\cobranza) y vuelve a programar"
        )
    hhmm = f"{p.hora:02d}:{p.minuto:02d}"
    if p.cada == "hora":
        cuando = ["/SC", "HOURLY", "/ST", f"00:{p.minuto:02d}"]
    elif p.cada == "lunes-a-viernes":
        cuando = ["/SC", "WEEKLY", "/D", DIAS_LABORABLES, "/ST", hhmm]
    else:
        cuando = ["/SC", "DAILY", "/ST", hhmm]
    return ["schtasks", "/Create", "/TN", nombre_tarea(p), "/TR", tr, *cuando, "/F"]


# --- instalar, ver, quitar ------------------------------------------------------------------------


def instalar(p: Programa) -> str:
    """Instala (o actualiza) el programa con el programador del sistema; devuelve dónde quedó."""
    Path(p.registro).parent.mkdir(parents=True, exist_ok=True)
    if p.sistema == "win32":
        r = _ejecutar(orden_schtasks(p))
        if r.returncode != 0:
            raise RecordarError(f"schtasks: no se pudo crear la tarea ({r.stderr.strip()})")
        return f"tarea «{nombre_tarea(p)}» del Programador de tareas"
    if p.sistema == "darwin":
        archivo = _agentes() / f"{etiqueta_launchd(p)}.plist"
        archivo.parent.mkdir(parents=True, exist_ok=True)
        _ejecutar(["launchctl", "unload", str(archivo)])  # si ya estaba: se actualiza
        archivo.write_bytes(plist_launchd(p))
        r = _ejecutar(["launchctl", "load", "-w", str(archivo)])
        if r.returncode != 0:
            raise RecordarError(f"{archivo}: launchctl no lo cargó ({r.stderr.strip()})")
        return f"agente de launchd {archivo}"
    lineas = _sin_programa(leer_crontab(), p.nombre)
    escribir_crontab(lineas + bloque_cron(p))
    return "crontab del usuario"


def ver(sistema: str | None = None) -> list[tuple[str, str]]:
    """(nombre, qué se ejecuta) de cada programa de recordar instalado en este usuario."""
    sistema = sistema or sistema_actual()
    if sistema == "win32":
        r = _ejecutar(["schtasks", "/Query", "/FO", "CSV", "/NH"])
        if r.returncode != 0:  # sin esto, «No hay envíos programados» aunque los haya
            raise RecordarError(f"schtasks: no se pudo consultar las tareas ({r.stderr.strip()})")
        prefijo = f"\\{CARPETA_TAREAS}\\"
        return [
            (campos[0][len(prefijo) :], campos[0])
            for campos in (linea.strip('"').split('","') for linea in r.stdout.splitlines())
            if campos and campos[0].startswith(prefijo)
        ]
    if sistema == "darwin":
        return [
            (a.stem[len(PREFIJO_LAUNCHD) :], str(a))
            for a in sorted(_agentes().glob(f"{PREFIJO_LAUNCHD}*.plist"))
        ]
    return _programas_cron(leer_crontab())


def quitar(cartera, sistema: str | None = None) -> bool:
    """Quita el programa de `cartera`; False si no había ninguno."""
    sistema = sistema or sistema_actual()
    nombre = nombre_del_programa(_ruta(cartera, sistema), sistema)
    if sistema == "win32":
        tarea = f"{CARPETA_TAREAS}\\{nombre}"
        return _ejecutar(["schtasks", "/Delete", "/TN", tarea, "/F"]).returncode == 0
    if sistema == "darwin":
        archivo = _agentes() / f"{PREFIJO_LAUNCHD}{nombre}.plist"
        if not archivo.exists():
            return False
        _ejecutar(["launchctl", "unload", "-w", str(archivo)])
        archivo.unlink()
        return True
    lineas = leer_crontab()
    quedan = _sin_programa(lineas, nombre)
    if quedan == lineas:
        return False
    escribir_crontab(quedan)
    return True


# --- lo que ejecuta el programador ----------------------------------------------------------------


def girar_registro(registro: Path, maximo: int = MAX_REGISTRO, giros: int = GIROS) -> None:
    """registro → registro.1 → … → registro.{giros} (el más viejo se borra) si pasa de `maximo`."""
    try:
        if registro.stat().st_size <= maximo:
            return
    except OSError:
        return
    for n in range(giros - 1, 0, -1):
        viejo = registro.with_name(f"{registro.name}.{n}")
        if viejo.exists():
            os.replace(viejo, registro.with_name(f"{registro.name}.{n + 1}"))
    os.replace(registro, registro.with_name(f"{registro.name}.1"))


def ejecutar_ahora(cartera: Path, politica: Path, bitacora: Path | None = None,
                   registros: Path | None = None, hoja: str | None = None,
                   registro: Path | None = None) -> int:  # fmt: skip
    """Lo que hace el programador: `recordar enviar` con su salida añadida al registro (girado);
    devuelve el código de salida de `enviar`. `registro`: el archivo que dijo la instalación (si
    no, el de la cartera en `registros` o en la carpeta de registros del usuario)."""
    cartera, politica = Path(cartera).resolve(), Path(politica).resolve()
    if registro is None:
        nombre = nombre_del_programa(cartera, sistema_actual())
        registro = Path(registros or carpeta_de_registros()) / f"{nombre}.log"
    registro = Path(registro)
    registro.parent.mkdir(parents=True, exist_ok=True)
    girar_registro(registro)
    orden = [sys.executable, "-m", "recordar", "enviar", str(cartera), "--politica", str(politica)]
    if bitacora is not None:
        orden += ["--bitacora", str(Path(bitacora).resolve())]
    if hoja:
        orden += ["--hoja", hoja]
    entorno = {**os.environ, "PYTHONIOENCODING": "utf-8", "RECORDAR_ANCHO": "100"}
    with open(registro, "a", encoding="utf-8", newline="") as salida:
        salida.write(f"== {datetime.now().astimezone():%Y-%m-%d %H:%M:%S %z} recordar enviar "
                     f"{cartera} ==\n")  # fmt: skip
        salida.flush()
        try:
            codigo = subprocess.run(orden, stdout=salida, stderr=subprocess.STDOUT,
                                    env=entorno, check=False).returncode  # fmt: skip
        except OSError as exc:
            salida.write(f"error: no se pudo ejecutar {orden[0]} ({causa(exc)})\n")
            codigo = 1
        salida.write(f"== fin: código de salida {codigo} ==\n")
    return codigo
