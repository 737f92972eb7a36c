"""Errores de recordar: una raíz, un mensaje en español que dice dónde y qué hacer."""

from __future__ import annotations


class RecordarError(Exception):
    """Error esperado: se muestra al usuario en una frase, sin traza."""

    codigo_salida = 2

    def __init__(self, mensaje: str) -> None:
        super().__init__(mensaje)
        self.mensaje = mensaje

    def __str__(self) -> str:
        return self.mensaje


class ErrorCartera(RecordarError):
    """La hoja no se puede leer o no tiene una cabecera reconocible."""


class ErrorPolitica(RecordarError):
    """La política YAML tiene problemas; se listan todos a la vez."""

    def __init__(self, ruta: str, problemas: list[str]) -> None:
        self.ruta = ruta
        self.problemas = problemas
        lineas = "\n".join(f"  - {p}" for p in problemas)
        n = len(problemas)
        titulo = f"{ruta}: {n} problema{'s' if n != 1 else ''} en la política; corrígelos y vuelve a ejecutar:"
        super().__init__(f"{titulo}\n{lineas}")


class ErrorPlantilla(RecordarError):
    """Una plantilla no compila o falla al generarse; nombra archivo y línea."""


class ErrorCanal(RecordarError):
    """Un canal está mal configurado o no se puede usar."""


class ErrorBitacora(RecordarError):
    """La bitácora no se puede abrir o está bloqueada por otra ejecución."""


class ErrorEntrega(RecordarError):
    """Un archivo de estados de entrega (`recordar estado --archivo`) que no se puede leer."""


# Lo que el sistema dice en inglés (strerror) de los fallos más comunes al escribir.
_CAUSAS = {
    "EACCES": "sin permiso de escritura",
    "EPERM": "sin permiso",
    "EEXIST": "ya existe un archivo con ese nombre",
    "ENOTDIR": "una parte de la ruta es un archivo, no una carpeta",
    "EISDIR": "es una carpeta",
    "ENOSPC": "el disco está lleno",
    "EROFS": "el disco es de solo lectura",
    "ENOENT": "la carpeta no existe",
    "ENAMETOOLONG": "el nombre es demasiado largo",
}


def causa(exc: OSError) -> str:
    """La causa de un OSError en español para los casos comunes; si no, la del sistema."""
    import errno

    nombre = errno.errorcode.get(exc.errno or 0, "")
    return _CAUSAS.get(nombre) or exc.strerror or str(exc)


def abierto_en_otro_programa(ruta, exc: OSError) -> str | None:
    """«cierra «x» en Excel y vuelve a intentarlo» si el archivo no se abre porque otro programa
    lo tiene: en Windows, Excel impide leer y escribir el libro que tiene abierto
    (PermissionError); Excel y LibreOffice dejan al lado «~$nombre» o «.~lock.nombre#»."""
    import os
    from pathlib import Path

    if not isinstance(exc, PermissionError):
        return None
    ruta = Path(ruta)
    nombre = ruta.name
    duenos = (f"~${nombre}", f"~${nombre[2:]}", f".~lock.{nombre}#")
    if os.name != "nt" and not any((ruta.parent / d).exists() for d in duenos):
        return None
    programa = "LibreOffice" if (ruta.parent / duenos[2]).exists() else "Excel"
    if ruta.suffix.lower() not in {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods", ".csv"}:
        programa = "el programa que lo tenga abierto"
    return f"cierra «{nombre}» en {programa} y vuelve a intentarlo"


def quisiste_decir(nombre: object, opciones) -> str:
    """« (¿quisiste decir «x»?)» con la opción más parecida a un nombre mal escrito, o ""."""
    import difflib

    parecidas = difflib.get_close_matches(str(nombre), list(opciones), n=1, cutoff=0.6)
    return f" (¿quisiste decir «{parecidas[0]}»?)" if parecidas else ""
