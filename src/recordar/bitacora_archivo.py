"""El archivo de la bitácora: carpeta y permisos, qué archivo es una bitácora, el cerrojo y los
errores de SQLite dichos en español.

Todo lo de aquí funciona igual en Linux, macOS y Windows: el cerrojo lo tiene SQLite (que usa el
del sistema en cada uno) y lo que solo existe en POSIX (flock) es un refuerzo opcional.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import sqlite3
from datetime import datetime
from pathlib import Path

from recordar.errores import ErrorBitacora, abierto_en_otro_programa, causa

CABECERA_SQLITE = b"SQLite format 3\x00"
# Nombres, direcciones y cuerpos completos: solo los lee su dueño, sea cual sea la umask.
PERMISO_ARCHIVO = 0o600
PERMISO_CARPETA = 0o700
# En Windows, os.open abre en modo texto si no se pide binario.
_BINARIO = getattr(os, "O_BINARY", 0)
# La señal: «PID identidad anotaciones equipo inicio», reescrita en su sitio (sin truncar).
ANCHO_SENAL = 160


# (dispositivo, inodo) de las bitácoras que este proceso tiene abiertas para escribir. Cerrar
# cualquier otro descriptor del mismo archivo soltaría los cerrojos POSIX de SQLite sobre él:
# mientras tanto, este proceso no lo vuelve a abrir por su cuenta.
_ABIERTAS: set[tuple[int, int]] = set()


def _inodo(ruta: Path) -> tuple[int, int] | None:
    try:
        datos = os.stat(ruta)
    except OSError:
        return None
    return datos.st_dev, datos.st_ino


def espera_bitacora() -> float:
    """Segundos que se espera a que otro programa suelte la bitácora antes de darla por ocupada."""
    try:
        return max(float(os.environ.get("RECORDAR_ESPERA_BITACORA", "30")), 0.0)
    except ValueError:
        return 30.0


def crear_carpeta(carpeta: Path, ruta: Path) -> None:
    """Crea las carpetas que faltan con permiso 0700 (las que ya existen no se tocan)."""
    faltan = []
    actual = carpeta
    while not actual.exists() and actual != actual.parent:
        faltan.append(actual)
        actual = actual.parent
    try:
        for nueva in reversed(faltan):
            with contextlib.suppress(FileExistsError):
                nueva.mkdir(mode=PERMISO_CARPETA)
                os.chmod(nueva, PERMISO_CARPETA)
    except OSError as exc:
        raise ErrorBitacora(
            f"{ruta}: no se pudo crear la carpeta de la bitácora {exc.filename or carpeta} "
            f"({causa(exc)}); revisa los permisos o indica otra con --bitacora"
        ) from None


def revisar_existente(ruta: Path) -> bool:
    """True si la bitácora no existe (se creará); error si existe y no es una bitácora.

    Un archivo vacío nunca se toma por una bitácora nueva: se vació o truncó, y empezar de cero
    volvería a enviar todo lo ya enviado.
    """
    if _inodo(ruta) in _ABIERTAS:
        return False  # este mismo proceso la tiene abierta: es una bitácora
    try:
        with open(ruta, "rb") as archivo:
            cabecera = archivo.read(len(CABECERA_SQLITE))
    except FileNotFoundError:
        return True
    except OSError as exc:
        raise ErrorBitacora(
            f"{ruta}: la bitácora no se puede leer ({causa(exc)}); {que_hacer_si_no_se_abre(ruta, exc)}"
        ) from None
    if not cabecera:
        raise ErrorBitacora(
            f"{ruta}: la bitácora está vacía (0 bytes): se vació o truncó y tomarla por nueva "
            "volvería a enviar todo lo ya enviado; restáurala de una copia de seguridad (o, si "
            "de verdad quieres empezar de cero, bórrala o indica otra con --bitacora)"
        )
    if cabecera != CABECERA_SQLITE:
        raise ErrorBitacora(
            f"{ruta}: no es una bitácora de recordar (no es una base SQLite); restaura la "
            "bitácora de una copia de seguridad o indica otra con --bitacora (no se tocó nada)"
        )
    return False


def crear_nueva(ruta: Path, preparar) -> None:
    """Crea la bitácora completa en un archivo aparte (0600) y la pone en su sitio de una vez:
    nunca queda a medias un archivo vacío con el nombre de la bitácora."""
    temporal = ruta.with_name(f".{ruta.name}.{os.getpid()}.nueva")
    try:
        descriptor = os.open(
            temporal, os.O_CREAT | os.O_EXCL | os.O_WRONLY | _BINARIO, PERMISO_ARCHIVO
        )
        os.close(descriptor)
        os.chmod(temporal, PERMISO_ARCHIVO)
        con = sqlite3.connect(temporal, isolation_level=None)
        try:
            con.execute("PRAGMA journal_mode=WAL")
            preparar(con)
        finally:
            con.close()
        _poner_en_su_sitio(temporal, ruta)
    except OSError as exc:
        raise ErrorBitacora(
            f"{ruta}: no se pudo crear la bitácora ({causa(exc)}); revisa los permisos de la "
            "carpeta o indica otra con --bitacora"
        ) from None
    except sqlite3.Error as exc:
        raise ErrorBitacora(mensaje_sqlite(ruta, exc)) from None
    finally:
        for resto in ("", "-wal", "-shm", "-journal"):
            with contextlib.suppress(OSError):
                os.unlink(f"{temporal}{resto}")


def _poner_en_su_sitio(temporal: Path, ruta: Path) -> None:
    """Un enlace duro no pisa una bitácora que otra ejecución creó a la vez (vale la suya). Donde
    no hay enlaces duros (un pendrive FAT/exFAT, algunas carpetas de red) se renombra si sigue sin
    existir."""
    try:
        os.link(temporal, ruta)
    except FileExistsError:
        pass
    except (OSError, AttributeError, NotImplementedError):
        if not os.path.lexists(ruta):
            os.replace(temporal, ruta)


class Cerrojo:
    """El cerrojo tomado y su señal al lado: «PID identidad anotaciones equipo inicio», reescrita
    tras cada anotación confirmada (sin fsync: solo tiene que sobrevivir a que el proceso muera).

    El cerrojo es una transacción EXCLUSIVE abierta sobre un archivo SQLite vacío junto a la
    bitácora («….en-uso»): SQLite lo toma con el cerrojo del sistema (fcntl en Linux y macOS,
    LockFileEx en Windows), que el sistema suelta cuando el proceso muere (SIGKILL, una consola
    cerrada, un corte de luz) y que vale también entre dos equipos sobre una carpeta de red."""

    def __init__(self, archivo, senal: Path, previo: str, ocupada: sqlite3.Connection) -> None:
        self._archivo = archivo
        self._ocupada = ocupada
        self._inodo = _inodo_abierto(archivo)
        _ABIERTAS.add(self._inodo)
        self.senal = senal
        self.previo = previo  # lo que dejó la ejecución anterior
        self._sufijo = f"{_equipo()} {datetime.now().astimezone():%Y-%m-%dT%H:%M}"
        self._descriptor: int | None = None
        with contextlib.suppress(OSError):  # sin permiso en la carpeta: sin señal
            self._descriptor = os.open(senal, os.O_CREAT | os.O_WRONLY | _BINARIO, PERMISO_ARCHIVO)
            os.chmod(senal, PERMISO_ARCHIVO)  # también la de una versión anterior

    def escribir(self, texto: str) -> None:
        if self._descriptor is not None:
            linea = f"{texto} {self._sufijo}".ljust(ANCHO_SENAL)
            with contextlib.suppress(OSError):
                os.lseek(self._descriptor, 0, os.SEEK_SET)
                os.write(self._descriptor, linea.encode("ascii", "replace"))

    def anotaciones_previas(self, identidad: str) -> int | None:
        """Cuántas anotaciones tenía esta misma bitácora al final de la ejecución anterior."""
        partes = self.previo.split()
        if len(partes) >= 3 and partes[1] == identidad and partes[2].isdigit():
            return int(partes[2])
        return None

    def close(self) -> None:
        if self._descriptor is not None:
            os.close(self._descriptor)
            self._descriptor = None
        if self._ocupada is not None:
            self._ocupada.close()  # suelta el cerrojo
            self._ocupada = None
        if not self._archivo.closed:
            self._archivo.close()
            _ABIERTAS.discard(self._inodo)


def _inodo_abierto(archivo) -> tuple[int, int]:
    datos = os.fstat(archivo.fileno())
    return datos.st_dev, datos.st_ino


def _equipo() -> str:
    """El nombre de este equipo en ASCII y sin espacios (va en la señal, separada por espacios)."""
    try:
        nombre = socket.gethostname()
    except OSError:
        nombre = ""
    nombre = "".join(c if c.isascii() and c.isprintable() and not c.isspace() else "_"
                     for c in nombre)[:40]  # fmt: skip
    return nombre or "?"


def _rutas_del_cerrojo(ruta: Path) -> tuple[Path, Path]:
    """(señal, archivo del cerrojo), junto a la ruta real: un enlace simbólico o «..» llegan a
    los mismos."""
    real = Path(os.path.realpath(ruta))
    return real.with_name(real.name + ".cerrojo"), real.with_name(real.name + ".en-uso")


def _quien(ruta: Path, previo: str) -> str:
    """La frase que nombra la ejecución que tiene la bitácora, con lo que dejó en su señal."""
    partes = previo.split()
    pid = partes[0] if partes else "?"
    donde = ""
    if len(partes) >= 5:
        inicio = partes[4].replace("T", " ")
        donde = f" en el equipo «{partes[3]}», empezada el {inicio},"
    return (
        f"{ruta}: otra ejecución de recordar (PID {pid}){donde} está usando esta bitácora; "
        "espera a que termine y vuelve a intentarlo"
    )


def _lo_tiene_otra(exc: sqlite3.Error) -> bool:
    """Si SQLite no pudo porque otra conexión tiene el cerrojo."""
    return (exc.sqlite_errorname or "").startswith(("SQLITE_BUSY", "SQLITE_LOCKED"))


def _tomar_ocupada(ruta: Path, archivo_cerrojo: Path) -> sqlite3.Connection | None:
    """La conexión que tiene el cerrojo, o None si otra ejecución lo tiene ya."""
    con = None
    try:
        con = sqlite3.connect(archivo_cerrojo, timeout=0, isolation_level=None,
                              check_same_thread=False)  # fmt: skip
        con.execute("BEGIN EXCLUSIVE")
    except sqlite3.Error as exc:
        if con is not None:
            con.close()
        if _lo_tiene_otra(exc):
            return None
        raise ErrorBitacora(mensaje_sqlite(ruta, exc)) from None
    with contextlib.suppress(OSError):
        os.chmod(archivo_cerrojo, PERMISO_ARCHIVO)
    return con


def _flock(archivo, modo: str) -> bool | None:
    """Refuerzo en POSIX: flock sobre el archivo mismo de la bitácora, que alcanza también a sus
    enlaces duros (el cerrojo de SQLite va por nombre). None donde no hay flock (Windows)."""
    try:
        import fcntl
    except ImportError:
        return None
    bandera = fcntl.LOCK_EX if modo == "escribir" else fcntl.LOCK_SH
    try:
        fcntl.flock(archivo.fileno(), bandera | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    except OSError:
        return None  # p. ej. un sistema de archivos sin flock: queda el de SQLite
    return True


def tomar_cerrojo(ruta: Path) -> Cerrojo:
    """El cerrojo de una ejecución sobre la bitácora; error con el PID, el equipo y la hora de
    inicio de la otra si ya lo tiene otra."""
    senal, archivo_cerrojo = _rutas_del_cerrojo(ruta)
    if _inodo(ruta) in _ABIERTAS:
        raise ErrorBitacora(
            f"{ruta}: otra ejecución de recordar (PID {os.getpid()}) está usando esta bitácora "
            "en este mismo proceso; ciérrala antes de volver a abrirla"
        )
    try:
        archivo = open(ruta, "rb")  # noqa: SIM115
    except OSError as exc:
        raise ErrorBitacora(
            f"{ruta}: la bitácora no se puede abrir ({causa(exc)}); {que_hacer_si_no_se_abre(ruta, exc)}"
        ) from None
    try:
        previo = senal.read_text(encoding="ascii", errors="replace").strip()
    except OSError:
        previo = ""
    try:
        ocupada = _tomar_ocupada(ruta, archivo_cerrojo)
    except ErrorBitacora:
        archivo.close()
        raise
    if ocupada is None or _flock(archivo, "escribir") is False:
        if ocupada is not None:
            ocupada.close()
        archivo.close()
        raise ErrorBitacora(_quien(ruta, previo))
    return Cerrojo(archivo, senal, previo, ocupada)


def que_hacer_si_no_se_abre(ruta: Path, exc: OSError) -> str:
    """Qué hacer si la bitácora no se abre: en Windows, casi siempre que otro programa la tiene."""
    return abierto_en_otro_programa(ruta, exc) or "revisa sus permisos o indica otra con --bitacora"


def en_uso(ruta: Path) -> bool:
    """Si una ejecución tiene ahora el cerrojo de la bitácora. Se mira antes de conectar con
    SQLite: cerrar otro descriptor del mismo archivo soltaría los cerrojos de SQLite."""
    if _inodo(ruta) in _ABIERTAS:
        return True
    _senal, archivo_cerrojo = _rutas_del_cerrojo(ruta)
    if archivo_cerrojo.exists():
        uri = archivo_cerrojo.resolve().as_uri()
        try:
            con = sqlite3.connect(f"{uri}?mode=ro", uri=True, timeout=0)
            try:
                con.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
            finally:
                con.close()
        except sqlite3.Error as exc:
            if _lo_tiene_otra(exc):
                return True
    try:
        with open(ruta, "rb") as archivo:
            return _flock(archivo, "leer") is False
    except OSError:
        return False


def restringir_permisos(ruta: Path) -> None:
    """La bitácora y sus archivos -wal y -shm, solo para su dueño (también las ya creadas)."""
    for resto in ("", "-wal", "-shm"):
        with contextlib.suppress(OSError):
            os.chmod(f"{ruta}{resto}", PERMISO_ARCHIVO)


def _disco_lleno(ruta: Path) -> bool:
    """SQLite dice «disk I/O error» cuando no puede agrandar el -shm o el -wal por falta de sitio."""
    try:
        return shutil.disk_usage(ruta.parent).free < 1 << 20
    except OSError:
        return False


def mensaje_sqlite(ruta: Path, exc: sqlite3.Error) -> str:
    """El error de SQLite en una frase en español que nombra la bitácora y dice qué hacer."""
    nombre = getattr(exc, "sqlite_errorname", "") or ""
    texto = str(exc)
    if nombre.startswith(("SQLITE_READONLY", "SQLITE_PERM", "SQLITE_CANTOPEN", "SQLITE_AUTH")) or (
        "readonly" in texto or "unable to open" in texto
    ):
        return (
            f"{ruta}: la bitácora no se puede escribir (el archivo o su carpeta {ruta.parent} "
            "son de solo lectura o no tienes permiso); da permiso de escritura a los dos o "
            "indica otra bitácora con --bitacora"
        )
    if (
        nombre == "SQLITE_FULL"
        or "disk is full" in texto
        or (nombre.startswith("SQLITE_IOERR") and _disco_lleno(ruta))
    ):
        return (
            f"{ruta}: el disco está lleno y la bitácora no se pudo escribir; libera espacio en "
            f"{ruta.parent} y vuelve a ejecutar"
        )
    if nombre.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")) or "malformed" in texto:
        return (
            f"{ruta}: la bitácora está dañada (SQLite: {texto}); restáurala de una copia de "
            "seguridad o indica otra con --bitacora (no se borró nada)"
        )
    if nombre.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "locked" in texto:
        return (
            f"{ruta}: otro programa tiene bloqueada la bitácora desde hace más de "
            f"{espera_bitacora():g} s; ciérralo (p. ej. un visor de SQLite) y vuelve a ejecutar"
        )
    if nombre.startswith("SQLITE_IOERR"):
        return (
            f"{ruta}: error del disco al escribir la bitácora ({texto}); revisa el disco y "
            "vuelve a ejecutar"
        )
    return f"{ruta}: la bitácora no se pudo usar (SQLite: {texto}); indica otra con --bitacora"
