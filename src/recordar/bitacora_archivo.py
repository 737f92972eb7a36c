"""El archivo de la bitácora: carpeta y permisos, qué archivo es una bitácora, el cerrojo y los
errores de SQLite dichos en español."""

from __future__ import annotations

import contextlib
import os
import sqlite3
from pathlib import Path

from recordar.errores import ErrorBitacora, causa

CABECERA_SQLITE = b"SQLite format 3\x00"
# Nombres, direcciones y cuerpos completos: solo los lee su dueño, sea cual sea la umask.
PERMISO_ARCHIVO = 0o600
PERMISO_CARPETA = 0o700


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
            f"{ruta}: la bitácora no se puede leer ({causa(exc)}); revisa sus permisos o indica "
            "otra con --bitacora"
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
        descriptor = os.open(temporal, os.O_CREAT | os.O_EXCL | os.O_WRONLY, PERMISO_ARCHIVO)
        os.fchmod(descriptor, PERMISO_ARCHIVO)
        os.close(descriptor)
        con = sqlite3.connect(temporal, isolation_level=None)
        try:
            con.execute("PRAGMA journal_mode=WAL")
            preparar(con)
        finally:
            con.close()
        with contextlib.suppress(FileExistsError):  # otra ejecución la creó a la vez: vale la suya
            os.link(temporal, ruta)
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


class Cerrojo:
    """El cerrojo tomado y su señal al lado: «PID identidad anotaciones», reescrita tras cada
    anotación confirmada (sin fsync: solo tiene que sobrevivir a que el proceso muera)."""

    def __init__(self, archivo, senal: Path, previo: str) -> None:
        self._archivo = archivo
        datos = os.fstat(archivo.fileno())
        self._inodo = (datos.st_dev, datos.st_ino)
        _ABIERTAS.add(self._inodo)
        self.senal = senal
        self.previo = previo  # lo que dejó la ejecución anterior
        self._descriptor: int | None = None
        with contextlib.suppress(OSError):  # sin permiso en la carpeta: sin señal
            self._descriptor = os.open(senal, os.O_CREAT | os.O_WRONLY, PERMISO_ARCHIVO)
            os.fchmod(self._descriptor, PERMISO_ARCHIVO)  # también la de una versión anterior

    def escribir(self, texto: str) -> None:
        if self._descriptor is not None:
            with contextlib.suppress(OSError):
                os.pwrite(self._descriptor, texto.ljust(64).encode("ascii"), 0)

    def anotaciones_previas(self, identidad: str) -> int | None:
        """Cuántas anotaciones tenía esta misma bitácora al final de la ejecución anterior."""
        partes = self.previo.split()
        if len(partes) == 3 and partes[1] == identidad and partes[2].isdigit():
            return int(partes[2])
        return None

    def close(self) -> None:
        if self._descriptor is not None:
            os.close(self._descriptor)
            self._descriptor = None
        if not self._archivo.closed:
            self._archivo.close()
            _ABIERTAS.discard(self._inodo)


def tomar_cerrojo(ruta: Path) -> Cerrojo:
    """Cerrojo sobre el archivo mismo de la bitácora (flock): vale por el archivo, no por la ruta
    (un enlace simbólico, un enlace duro o «..» llegan al mismo cerrojo) y lo libera el sistema
    aunque el proceso muera con SIGKILL. El PID queda al lado, para decir quién la tiene."""
    import fcntl

    senal = Path(os.path.realpath(ruta))
    senal = senal.with_name(senal.name + ".cerrojo")
    if _inodo(ruta) in _ABIERTAS:
        raise ErrorBitacora(
            f"{ruta}: otra ejecución de recordar (PID {os.getpid()}) está usando esta bitácora "
            "en este mismo proceso; ciérrala antes de volver a abrirla"
        )
    try:
        archivo = open(ruta, "rb")  # noqa: SIM115
    except OSError as exc:
        raise ErrorBitacora(
            f"{ruta}: la bitácora no se puede abrir ({causa(exc)}); revisa sus permisos o indica "
            "otra con --bitacora"
        ) from None
    try:
        previo = senal.read_text(encoding="ascii", errors="replace").strip()
    except OSError:
        previo = ""
    try:
        fcntl.flock(archivo.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        archivo.close()
        pid = previo.split()[0] if previo else "?"
        raise ErrorBitacora(
            f"{ruta}: otra ejecución de recordar (PID {pid}) está usando esta bitácora; "
            "espera a que termine y vuelve a intentarlo"
        ) from None
    return Cerrojo(archivo, senal, previo)


def en_uso(ruta: Path) -> bool:
    """Si una ejecución tiene ahora el cerrojo de la bitácora. Se mira antes de conectar con
    SQLite: cerrar otro descriptor del mismo archivo soltaría los cerrojos de SQLite."""
    import fcntl

    if _inodo(ruta) in _ABIERTAS:
        return True
    try:
        with open(ruta, "rb") as archivo:
            fcntl.flock(archivo.fileno(), fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    except OSError:
        return False
    return False


def restringir_permisos(ruta: Path) -> None:
    """La bitácora y sus archivos -wal y -shm, solo para su dueño (también las ya creadas)."""
    for resto in ("", "-wal", "-shm"):
        with contextlib.suppress(OSError):
            os.chmod(f"{ruta}{resto}", PERMISO_ARCHIVO)


def _disco_lleno(ruta: Path) -> bool:
    """SQLite dice «disk I/O error» cuando no puede agrandar el -shm o el -wal por falta de sitio."""
    try:
        datos = os.statvfs(ruta.parent)
    except OSError:
        return False
    return datos.f_bavail * datos.f_frsize < 1 << 20


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
