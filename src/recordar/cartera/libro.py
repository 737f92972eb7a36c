"""Revisar un libro antes de leerlo: el archivo, el cifrado, los tamaños y las fórmulas sin calcular.

calamine lee lo que el archivo dice sin preguntar: reserva el rectángulo entero entre la primera y
la última celda (una celda perdida en XFD1048576 pide 512 GiB y aborta el proceso) y toma el
valor guardado de una fórmula aunque nadie la haya calculado (xlsxwriter y openpyxl guardan 0 o
nada y piden a Excel que recalcule al abrir). Aquí se mira el zip y el XML antes.
"""

from __future__ import annotations

import errno
import os
import re
import zipfile
import zlib
from pathlib import Path, PurePosixPath

from recordar.cartera.calculo import columna, letras
from recordar.cartera.formulas import Buscador, Examen
from recordar.errores import ErrorCartera, abierto_en_otro_programa

# Límites (README, «Límites de lectura»). Excel no pasa de 1 048 576 filas ni 16 384 columnas;
# calamine guarda cada celda del rectángulo usado en 32 bytes: 25 millones son ~800 MB.
MAX_FILAS = 1_048_576
MAX_COLUMNAS = 16_384
MAX_CELDAS = 25_000_000
# Lo que ocupa descomprimido: una hoja de un millón de filas con texto en línea ocupa ~520 MB;
# las cadenas compartidas se guardan enteras en memoria.
MAX_BYTES_HOJA = 1536 * 2**20
MAX_BYTES_CADENAS = 256 * 2**20
MAX_BYTES_ODS = 1536 * 2**20

FIRMA_OLE = b"\xd0\xcf\x11\xe0"
_ZIP_ROTO = (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, KeyError)


def revisar_archivo(ruta: Path, es_libro: bool) -> None:
    """Que la ruta sea un archivo que se puede leer; si no, una frase que dice por qué."""
    try:
        estado = ruta.stat()
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise ErrorCartera(
                f"{ruta}: es un enlace que se apunta a sí mismo (un bucle de enlaces); indica "
                "el archivo real de la cartera"
            ) from None
        if ruta.is_symlink():
            destino = os.readlink(ruta)
            raise ErrorCartera(
                f"{ruta}: es un enlace a «{destino}», que no existe; indica el archivo real"
            ) from None
        if isinstance(exc, PermissionError):
            raise ErrorCartera(
                f"{ruta}: no tengo permiso para entrar en su carpeta; revisa los permisos"
            ) from None
        raise ErrorCartera(f"{ruta}: el archivo no existe; revisa la ruta") from None
    if ruta.is_dir():
        raise ErrorCartera(f"{ruta}: es una carpeta; indica el archivo de la cartera")
    try:
        with ruta.open("rb"):
            pass
    except PermissionError as exc:
        if cerrar := abierto_en_otro_programa(ruta, exc):
            raise ErrorCartera(f"{ruta}: otro programa lo tiene abierto; {cerrar}") from None
        raise ErrorCartera(
            f"{ruta}: no tengo permiso para leerlo; revisa sus permisos o cópialo a tu carpeta"
        ) from None
    except OSError as exc:
        raise ErrorCartera(f"{ruta}: no se pudo abrir ({exc.strerror or exc})") from None
    if es_libro and estado.st_size == 0:
        raise ErrorCartera(
            f"{ruta}: está vacío (0 bytes); vuelve a exportarlo o a copiarlo desde su origen"
        )


# ---------------------------------------------------------------------------------- cifrado


def _protegido(ruta: Path) -> ErrorCartera:
    if ruta.suffix.lower() == ".ods":
        return ErrorCartera(
            f"{ruta}: está protegido con contraseña; ábrelo en LibreOffice, guárdalo sin "
            "contraseña (Archivo → Guardar como, sin «Guardar con contraseña») y vuelve a ejecutar"
        )
    return ErrorCartera(
        f"{ruta}: el libro está protegido con contraseña; quítasela en Excel "
        "(Archivo → Información → Proteger libro) y guárdalo de nuevo"
    )


def revisar_cifrado(ruta: Path, firma: bytes) -> None:
    """Un libro cifrado se rechaza diciendo cómo quitar la contraseña, sea cual sea su extensión."""
    extension = ruta.suffix.lower()
    if firma.startswith(FIRMA_OLE):
        # Un .xlsx/.xlsb cifrado es un contenedor OLE con EncryptionInfo; un .xls cifrado lleva
        # un registro FILEPASS que calamine informa (ver error_de_lectura).
        nombres = _nombres_ole(ruta, firma)
        if "EncryptionInfo" in nombres or "EncryptedPackage" in nombres:
            raise _protegido(ruta)
        libro_xls = {"Workbook", "Book"} & nombres
        if extension in {".xlsx", ".xlsm", ".xlsb"} and not libro_xls:
            raise _protegido(ruta)
    elif extension == ".ods" or firma[30:38] == b"mimetype":
        try:
            with zipfile.ZipFile(ruta) as z:
                manifiesto = (
                    z.read("META-INF/manifest.xml") if _tiene(z, "META-INF/manifest.xml") else b""
                )
        except (zipfile.BadZipFile, OSError, KeyError):
            return
        if b"encryption-data" in manifiesto:
            raise _protegido(ruta)


def _tiene(z: zipfile.ZipFile, nombre: str) -> bool:
    try:
        z.getinfo(nombre)
    except KeyError:
        return False
    return True


def _nombres_ole(ruta: Path, firma: bytes) -> set[str]:
    """Los nombres del primer sector del directorio de un contenedor OLE (CFB)."""
    if len(firma) < 512:
        return set()
    tamano_sector = 1 << int.from_bytes(firma[30:32], "little")
    primero = int.from_bytes(firma[48:52], "little")
    if tamano_sector not in (512, 4096) or primero >= 0xFFFFFFFA:
        return set()
    with ruta.open("rb") as f:
        f.seek((primero + 1) * tamano_sector)
        directorio = f.read(tamano_sector)
    nombres = set()
    for i in range(0, len(directorio) - 127, 128):
        largo = int.from_bytes(directorio[i + 64 : i + 66], "little")
        if 2 <= largo <= 64:
            nombres.add(directorio[i : i + largo - 2].decode("utf-16-le", "replace"))
    return nombres


def es_error_del_lector(exc: BaseException) -> bool:
    """Si calamine falló leyendo el archivo: sus errores, y el pánico de Rust con que aborta
    ante algunos archivos dañados (pyo3 lo lanza como BaseException)."""
    return isinstance(exc, Exception) or type(exc).__name__ == "PanicException"


def error_de_lectura(ruta: Path, exc: BaseException) -> ErrorCartera | None:
    """La frase en español para un error de calamine que se entiende; None si no."""
    nombre = type(exc).__name__
    texto = str(exc)
    if nombre == "PasswordError" or "password protected" in texto:
        return _protegido(ruta)
    if nombre == "PanicException":
        return ErrorCartera(
            f"{ruta}: el archivo está dañado (el lector de libros no pudo interpretarlo); "
            "ábrelo en Excel o LibreOffice y guárdalo de nuevo"
        )
    if ruta.stat().st_size == 0:
        return ErrorCartera(
            f"{ruta}: está vacío (0 bytes); vuelve a exportarlo o a copiarlo desde su origen"
        )
    if nombre == "ZipError" or "Zip archive" in texto:
        return ErrorCartera(
            f"{ruta}: no se pudo abrir como libro: está dañado o incompleto (no es un zip válido, "
            f"como debe serlo un {ruta.suffix.lower() or 'libro'}); vuelve a descargarlo o a "
            "exportarlo"
        )
    return None


# ---------------------------------------------------------------------------------- tamaños

_RE_HOJA = re.compile(rb"<(?:\w+:)?sheet\b[^>]*>")
_RE_ATRIBUTO = re.compile(rb'([\w:]+)\s*=\s*"([^"]*)"')
_RE_RELACION = re.compile(rb"<(?:\w+:)?Relationship\b[^>]*>")
_RE_CALCULAR = re.compile(rb"<(?:\w+:)?calcPr\b[^>]*\bfullCalcOnLoad\s*=\s*\"(?:1|true)\"")
_RE_REF = re.compile(rb'\br="([A-Z]{1,3})(\d{1,7})"')
# Una referencia de celda más allá de la columna Z o de la fila 999 999.
_RE_LEJOS = re.compile(rb' r="(?:[A-Z]{2}|[A-Z]\d{7})')
_RE_REF_LEJANA = re.compile(rb' r="([A-Z]{1,4})(\d+)"')


def _atributos(etiqueta: bytes) -> dict[str, str]:
    return {
        k.decode().rsplit(":", 1)[-1] if k != b"r:id" else "r:id": v.decode("utf-8", "replace")
        for k, v in _RE_ATRIBUTO.findall(etiqueta)
    }


def abrir(ruta: Path, firma: bytes) -> Libro | None:
    """El libro abierto para revisar sus hojas antes de leerlas (.xlsx/.xlsm); en un .ods solo se
    revisa el tamaño. None si no es un zip de Office: el error lo dará calamine."""
    if not firma.startswith(b"PK"):
        return None
    try:
        z = zipfile.ZipFile(ruta)
    except (zipfile.BadZipFile, OSError):
        return None
    with z:
        nombres = set(z.namelist())
        contenido = z.getinfo("content.xml") if "content.xml" in nombres else None
    if contenido is not None and contenido.file_size > MAX_BYTES_ODS:
        raise ErrorCartera(
            f"{ruta}: su contenido ocupa {_mb(contenido.file_size)} descomprimido (el límite es "
            f"{_mb(MAX_BYTES_ODS)}); guarda solo la hoja de la cartera en un libro nuevo o "
            "expórtala a CSV"
        )
    if "xl/workbook.xml" not in nombres:
        return None
    try:
        return Libro(ruta)
    except _ZIP_ROTO:  # lo que no se puede descomprimir lo informa calamine
        return None


class Libro:
    """Un .xlsx/.xlsm abierto como zip: hojas, tamaños y fórmulas, sin calamine."""

    def __init__(self, ruta: Path) -> None:
        self.ruta = ruta
        self.zip = zipfile.ZipFile(ruta)
        try:
            libro = self._leer("xl/workbook.xml", 50 * 2**20)
            self.hojas = self._hojas(libro)
            self.recalcular = bool(_RE_CALCULAR.search(libro))
            self._revisar_cadenas()
        except BaseException:
            self.zip.close()
            raise

    def _revisar_cadenas(self) -> None:
        """Los textos compartidos se guardan enteros en memoria. Basta el tamaño que dice el zip:
        ni zipfile ni calamine descomprimen más de lo declarado (calamine lo da por dañado)."""
        info = self._info("xl/sharedStrings.xml")
        if info is not None and info.file_size > MAX_BYTES_CADENAS:
            raise ErrorCartera(
                f"{self.ruta}: sus textos ocupan {_mb(info.file_size)} descomprimidos (el límite "
                f"es {_mb(MAX_BYTES_CADENAS)}); ¿es el archivo correcto? Guarda solo la hoja de "
                "la cartera en un libro nuevo o expórtala a CSV"
            )

    def cerrar(self) -> None:
        self.zip.close()

    def _info(self, nombre: str) -> zipfile.ZipInfo | None:
        try:
            return self.zip.getinfo(nombre)
        except KeyError:
            return None

    def _leer(self, nombre: str, maximo: int) -> bytes:
        info = self._info(nombre)
        if info is None:
            return b""
        if info.file_size > maximo:
            raise ErrorCartera(
                f"{self.ruta}: «{nombre}» ocupa {_mb(info.file_size)} descomprimido (el límite "
                f"es {_mb(maximo)}); guarda solo la hoja de la cartera en un libro nuevo o "
                "expórtala a CSV"
            )
        return self.zip.read(info)

    def _hojas(self, libro: bytes) -> dict[str, str]:
        """Nombre de la hoja → parte del zip que la guarda."""
        relaciones = self._leer("xl/_rels/workbook.xml.rels", 50 * 2**20)
        destinos = {}
        for etiqueta in _RE_RELACION.findall(relaciones):
            a = _atributos(etiqueta)
            destino = a.get("Target", "")
            destino = destino[1:] if destino.startswith("/") else f"xl/{destino}"
            destinos[a.get("Id")] = str(PurePosixPath(os.path.normpath(destino)))
        hojas = {}
        for etiqueta in _RE_HOJA.findall(libro):
            a = _atributos(etiqueta)
            if "name" in a and a.get("r:id") in destinos:
                hojas[_xml_texto(a["name"])] = destinos[a["r:id"]]
        return hojas

    def examinar(self, nombre: str) -> Examen:
        """Revisa el tamaño de la hoja (ErrorCartera si pasa los límites) y busca sus fórmulas
        sin calcular, en una pasada mientras se descomprime."""
        parte = self.hojas.get(nombre)
        info = self._info(parte) if parte is not None else None
        if info is None:
            return Examen()
        donde = f"{self.ruta} (hoja «{nombre}»)"
        if info.file_size > MAX_BYTES_HOJA:
            self._leer(parte, MAX_BYTES_HOJA)  # la frase del tamaño
        try:
            medida, buscador = self._recorrer(info)
            filas, columnas, lejana = medida.rango()
            examen = buscador.terminar(lambda: self.zip.read(info))
        except _ZIP_ROTO:  # lo que no se puede descomprimir lo informa calamine
            return Examen()
        if filas > MAX_FILAS or columnas > MAX_COLUMNAS or filas * columnas > MAX_CELDAS:
            raise ErrorCartera(
                f"{donde}: usa {_n(filas)} filas × {_n(columnas)} columnas, hasta la celda "
                f"{lejana} (recordar lee hasta {_n(MAX_CELDAS)} celdas, {_n(MAX_FILAS)} filas y "
                f"{_n(MAX_COLUMNAS)} columnas); borra las filas y columnas que sobran (¿un dato "
                "perdido en esa celda?) y guarda el archivo"
            )
        return examen

    def _recorrer(self, info: zipfile.ZipInfo) -> tuple[_Medida, Buscador]:
        """Una pasada por la hoja en trozos de 1 MB: cada trozo se mide y se buscan sus
        fórmulas mientras está en caché; entre trozos se guarda un margen para lo que cruza."""
        medida, buscador = _Medida(), Buscador(self.recalcular)
        resto, desde = b"", 0
        with self.zip.open(info) as archivo:
            while True:
                trozo = archivo.read(_TROZO)
                datos = resto + trozo
                hasta = len(datos) if not trozo else max(desde, len(datos) - _MARGEN)
                medida.medir(datos, desde, hasta)
                buscador.buscar(datos, desde, hasta)
                if not trozo:
                    medida.cola = datos[-65536:]
                    return medida, buscador
                inicio = max(0, hasta - _MARGEN)
                resto, desde = datos[inicio:], hasta - inicio


_TROZO = 1 << 20
_MARGEN = 1 << 15  # lo más que se mira hacia atrás o adelante desde una fórmula


class _Medida:
    """Cuánto puede medir el rectángulo de celdas, sin mirar cada referencia en Python.

    La última fila está al final (las filas van en orden). Una sola búsqueda por trozo encuentra
    las referencias con dos o tres letras (más de 26 columnas) o con siete dígitos (un millón de
    filas o más); solo en los trozos donde aparecen se leen esas referencias una a una.
    """

    def __init__(self) -> None:
        self.columna = 26  # cota mientras no aparezca una columna de dos letras
        self.fila = 0
        self.lejana = ""
        self.cola = b""

    def medir(self, datos: bytes, desde: int, hasta: int) -> None:
        if _RE_LEJOS.search(datos, desde, hasta + 16) is None:
            return
        for letras_, numero in _RE_REF_LEJANA.findall(datos, desde, hasta + 16):
            col, fila = columna(letras_.decode()), int(numero)
            if col > 26 or len(numero) >= 7:  # una celda lejana, aunque no esté al final
                if col > self.columna:
                    self.columna, self.lejana = col, f"{letras_.decode()}{fila}"
                if fila > self.fila:
                    self.fila, self.lejana = fila, f"{letras_.decode()}{fila}"

    def rango(self) -> tuple[int, int, str]:
        ultima = max((int(n) for _, n in _RE_REF.findall(self.cola)), default=0)
        filas = max(ultima, self.fila)
        return filas, self.columna, self.lejana or f"{letras(self.columna)}{filas}"


def _n(numero: int) -> str:
    return f"{numero:,}".replace(",", " ")


def _mb(n: int) -> str:
    return f"{n / 2**20:,.0f} MB".replace(",", " ")


def _xml_texto(texto: str) -> str:
    import html

    return html.unescape(texto)
