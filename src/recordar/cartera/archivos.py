"""Abrir el archivo de la cartera: qué es por su firma (libro, texto disfrazado de .xls, página
web, PDF, libro cifrado), las hojas de un libro con calamine y el texto de un CSV (codificación,
fines de línea, separador)."""

from __future__ import annotations

import gc
import re
from itertools import compress, repeat
from operator import contains, not_
from pathlib import Path
from typing import TYPE_CHECKING

from recordar.cartera.cabecera import FILAS_BUSQUEDA_CABECERA, PUNTAJE_MINIMO, _buscar_cabecera
from recordar.cartera.carga import Rechazo
from recordar.errores import ErrorCartera

if TYPE_CHECKING:
    from recordar.cartera.formulas import Examen, Pendientes
    from recordar.cartera.libro import Libro


def _leer_excel(
    ruta: Path, hoja: str | None, columnas: dict[str, str], firma: bytes
) -> tuple[str, list[list], list[str], Pendientes | None]:
    """Las filas de la hoja elegida con calamine (python-calamine, el motor de pandas.read_excel),
    y lo que quedó de sus fórmulas sin calcular (libro.py revisa el archivo antes).

    Se usa calamine directamente: pandas.read_excel(engine="calamine") lee con el mismo motor
    pero arma un DataFrame que aquí habría que volver a convertir en filas.
    """
    from python_calamine import CalamineWorkbook

    from recordar.cartera import libro as revision

    _revisar_cifrado(ruta, firma)
    examen = revision.abrir(ruta, firma)
    # Las filas son cientos de miles de listas sin ciclos: el recolector solo estorba.
    recolector = gc.isenabled()
    gc.disable()
    try:
        return _leer_libro(ruta, CalamineWorkbook.from_path(str(ruta)), hoja, columnas, examen)
    except ErrorCartera:
        raise
    except BaseException as exc:  # calamine da errores de varios tipos para archivos dañados
        if not revision.es_error_del_lector(exc):
            raise
        conocido = revision.error_de_lectura(ruta, exc)
        if conocido is not None:
            raise conocido from None
        if firma.startswith((FIRMA_ZIP, FIRMA_OLE)):
            # ¿Un libro con la extensión de otro formato (un .xlsx renombrado a .ods)? Con el
            # archivo abierto, calamine reconoce el formato por el contenido.
            try:
                with ruta.open("rb") as f:
                    libro = CalamineWorkbook.from_filelike(f)
                    return _leer_libro(ruta, libro, hoja, columnas, examen)
            except ErrorCartera:
                raise
            except BaseException as otro:  # noqa: BLE001 - el error que se informa es el primero
                if not revision.es_error_del_lector(otro):
                    raise
                conocido = revision.error_de_lectura(ruta, otro)
                if conocido is not None:
                    raise conocido from None
        raise ErrorCartera(
            f"{ruta}: no se pudo abrir como libro de Excel/ODS ({_primera_linea(exc)}); "
            "ábrelo en Excel y guárdalo de nuevo"
        ) from None
    finally:
        if recolector:
            gc.enable()
        if examen is not None:
            examen.cerrar()


def _leer_libro(
    ruta: Path, libro, hoja: str | None, columnas: dict[str, str], examen: Libro | None = None
) -> tuple[str, list[list], list[str], Pendientes | None]:
    """(nombre, filas, otras hojas reconocibles que no se leen, fórmulas) de la hoja pedida o,
    sin --hoja, de la que tenga la cabecera más reconocible."""
    nombres = [str(n) for n in libro.sheet_names]
    if hoja is not None and hoja not in nombres:
        raise ErrorCartera(f"{ruta}: no tiene la hoja «{hoja}»; hojas: {', '.join(nombres)}")
    if hoja is None and len(nombres) > 1:
        return _hoja_reconocible(libro, nombres, columnas, examen)
    elegida = hoja if hoja is not None else nombres[0]
    revisada = examen.examinar(elegida) if examen is not None else None
    filas = _hoja(libro, elegida)
    return elegida, filas, [], _completar(filas, revisada)


def _completar(filas: list[list], revisada: Examen | None) -> Pendientes | None:
    from recordar.cartera.formulas import completar

    return completar(filas, revisada) if revisada is not None else None


def _hoja_reconocible(
    libro, nombres: list[str], columnas: dict[str, str], examen: Libro | None = None
) -> tuple[str, list[list], list[str], Pendientes | None]:
    """La hoja cuya cabecera se reconoce mejor, prefiriendo las visibles (una hoja oculta suele
    ser una copia vieja); cada hoja se analiza una sola vez. También las otras hojas
    reconocibles, que no se leen: la vista previa y el informe las nombran. Una hoja que no se
    puede leer (un gráfico, una hoja dañada o desmesurada) no impide leer las demás."""
    from recordar.cartera.libro import es_error_del_lector

    visibles = _hojas_visibles(libro, nombres)
    elegida, mejor, analizada, revisada, reconocibles = nombres[0], None, None, None, []
    primer_error: Exception | None = None
    for nombre in nombres:
        try:
            revision_hoja = examen.examinar(nombre) if examen is not None else None
            hoja = libro.get_sheet_by_name(nombre)
            muestra = hoja.to_python(skip_empty_area=False, nrows=FILAS_BUSQUEDA_CABECERA)
        except BaseException as exc:  # noqa: BLE001 - se informa si ninguna hoja se puede leer
            if not es_error_del_lector(exc):
                raise
            primer_error = primer_error or exc
            continue
        _, puntaje = _buscar_cabecera(muestra, columnas)
        reconocible = puntaje >= PUNTAJE_MINIMO
        if reconocible:
            reconocibles.append(nombre)
        clave = (reconocible, nombre in visibles, puntaje)
        if mejor is None or clave > mejor:
            elegida, mejor, analizada, revisada = nombre, clave, hoja, revision_hoja
    if analizada is None or (primer_error is not None and not mejor[0]):
        # Sin otra hoja reconocible, la que no se pudo leer era la cartera: se dice por qué.
        raise primer_error
    otras = [n if n in visibles else f"{n} (oculta)" for n in reconocibles if n != elegida]
    filas = analizada.to_python(skip_empty_area=False)
    return elegida, filas, otras, _completar(filas, revisada)


def _hojas_visibles(libro, nombres: list[str]) -> set[str]:
    """Las hojas que no están ocultas (todas, si calamine no lo sabe decir)."""
    try:
        return {str(m.name) for m in libro.sheets_metadata if str(m.visible).endswith("Visible")}
    except Exception:  # noqa: BLE001 - versiones de calamine sin metadatos
        return set(nombres)


def _hoja(libro, nombre: str, filas: int | None = None) -> list[list]:
    # skip_empty_area=False: la fila 0 es la fila 1 de Excel aunque arriba haya filas vacías.
    return libro.get_sheet_by_name(nombre).to_python(skip_empty_area=False, nrows=filas)


FIRMA_ZIP = b"PK\x03\x04"  # .xlsx, .xlsm, .ods, .xlsb
FIRMA_OLE = b"\xd0\xcf\x11\xe0"  # .xls (y un .xlsx cifrado)


def _firma(ruta: Path) -> bytes:
    """Los primeros bytes del archivo: dicen qué es, sea cual sea su extensión."""
    with ruta.open("rb") as f:
        return f.read(512)


def _es_texto_disfrazado(ruta: Path, extension: str, firma: bytes) -> bool:
    """Si un «libro» es en realidad texto: muchos sistemas «exportan a Excel» un CSV o una
    tabla separada por tabuladores con extensión .xls, que Excel abre sin quejarse. Ese texto se
    lee como CSV. Una página HTML o un PDF con esa extensión se rechazan diciendo qué son."""
    if not firma or firma.startswith((FIRMA_ZIP, FIRMA_OLE)):
        return False
    inicio = firma.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if inicio.startswith((b"<!doctype html", b"<html", b"<table", b"<?xml", b"<meta")):
        raise ErrorCartera(
            f"{ruta}: es una página web (HTML/XML) con extensión {extension}, no un libro de "
            "Excel; ábrela en Excel y guárdala como libro de Excel (.xlsx)"
        )
    if firma.startswith(b"%PDF"):
        raise ErrorCartera(
            f"{ruta}: es un PDF, no un libro de Excel; usa la hoja de cálculo original"
        )
    utf16 = firma.startswith((b"\xff\xfe", b"\xfe\xff")) or _utf16_sin_bom(firma) is not None
    return utf16 or b"\x00" not in firma


def _revisar_cifrado(ruta: Path, firma: bytes) -> None:
    # Un .xlsx/.xlsb protegido con contraseña es un contenedor OLE cifrado, no un zip; un .ods
    # cifrado lo dice en su manifiesto.
    from recordar.cartera.libro import revisar_cifrado

    revisar_cifrado(ruta, firma)


def _primera_linea(exc: Exception) -> str:
    texto = str(exc).strip().splitlines()
    return texto[0][:120] if texto else type(exc).__name__


def _leer_csv(ruta: Path, avisos: list[Rechazo] | None = None) -> list[list]:
    """Las filas del CSV; los avisos de la lectura (líneas con otra codificación que el resto)
    se suman a `avisos`."""
    filas, texto, de_lectura = _leer_csv_crudo(ruta)
    if avisos is not None:
        avisos.extend(de_lectura)
    if '="' in texto:  # algún ="000123": lo que escriben algunos sistemas para guardar ceros
        filas = [[_sin_formula_de_texto(c) for c in fila] for fila in filas]
    return filas


# El comienzo de un carácter de varios bytes de UTF-8 («é» es C3 A9): un byte inicial (C2–F4)
# seguido de uno de continuación (80–BF). En un texto en Windows-1252 casi nunca aparece (tras
# «é», E9, viene una letra ASCII): si no aparece, el archivo entero es Windows-1252. Se busca
# con translate y un «in», ~20 veces más rápido que una expresión regular sobre 10 MB.
_BYTES_UTF8 = bytes(
    76 if 0xC2 <= b <= 0xF4 else 67 if 0x80 <= b <= 0xBF else 46 for b in range(256)
)  # L, C, «.»
_RE_NO_ASCII = re.compile(rb"[\x80-\xff]")


def _decodificar(datos: bytes) -> tuple[str, list[Rechazo]]:
    """(texto, avisos) de los bytes del CSV: UTF-8 (con o sin BOM), UTF-16 (el «Texto Unicode»
    de Excel, con o sin BOM) o Windows-1252; un archivo que mezcla UTF-8 y Windows-1252 (una
    línea pegada de otro archivo) se decodifica línea por línea, y cada línea de la
    codificación minoritaria es un aviso. Un byte que no vale en ninguna queda como «�», que
    el lector rechaza en el cliente o la factura."""
    if datos.startswith((b"\xff\xfe", b"\xfe\xff")):  # «Texto Unicode» de Excel: UTF-16
        return datos.decode("utf-16", errors="replace"), []
    utf16 = _utf16_sin_bom(datos)
    if utf16:
        return datos.decode(utf16, errors="replace"), []
    if datos.startswith(b"\xef\xbb\xbf"):
        datos = datos[3:]
    try:
        return datos.decode("utf-8"), []
    except UnicodeDecodeError:
        pass
    if b"LC" not in datos.translate(_BYTES_UTF8):
        return datos.decode("cp1252", errors="replace"), []
    return _decodificar_por_linea(datos)


def _decodificar_por_linea(datos: bytes) -> tuple[str, list[Rechazo]]:
    partes: list[str] = []
    utf8: list[int] = []  # líneas con letras no ASCII, por codificación
    cp1252: list[int] = []
    for i, linea in enumerate(datos.split(b"\n"), start=1):
        try:
            partes.append(linea.decode("utf-8"))
            if _RE_NO_ASCII.search(linea):
                utf8.append(i)
        except UnicodeDecodeError:
            partes.append(linea.decode("cp1252", errors="replace"))
            cp1252.append(i)
    if len(utf8) >= len(cp1252):
        raras, leida, resto = cp1252, "Windows-1252 (Latin-1)", "UTF-8"
    else:
        raras, leida, resto = utf8, "UTF-8", "Windows-1252 (Latin-1)"
    avisos = [
        Rechazo(i, "(línea entera)", partes[i - 1].strip()[:60],
                f"la línea {i} está en {leida} y el resto del archivo "
                f"en {resto}: se leyó como {leida}; revisa sus acentos y guarda el archivo "
                "entero como UTF-8")
        for i in raras
    ]  # fmt: skip
    return "\n".join(partes), avisos


def _utf16_sin_bom(datos: bytes) -> str | None:
    """«utf-16-le» o «utf-16-be» si el texto lo es sin BOM (un byte 0 en cada carácter
    ASCII, siempre del mismo lado), None si no."""
    muestra = datos[:1024]
    if len(muestra) < 8 or b"\x00" not in muestra:
        return None
    pares, impares = muestra[0::2], muestra[1::2]
    if impares.count(0) > 0.7 * len(impares) and pares.count(0) == 0:
        return "utf-16-le"
    if pares.count(0) > 0.7 * len(pares) and impares.count(0) == 0:
        return "utf-16-be"
    return None


_RE_FORMULA_DE_TEXTO = re.compile(r'="(.*)"', re.DOTALL)


def _sin_formula_de_texto(celda: str) -> str:
    """«="000123"» → «000123» (la fórmula con la que un CSV obliga a Excel a dejar el texto)."""
    m = _RE_FORMULA_DE_TEXTO.fullmatch(celda.strip())
    return m.group(1) if m else celda


def _leer_csv_crudo(ruta: Path) -> tuple[list[list], str, list[Rechazo]]:
    """(filas, texto decodificado, avisos de la decodificación) del CSV."""
    import csv
    import io

    texto, avisos = _decodificar(ruta.read_bytes())
    lineas = _lineas(texto)
    separador = _detectar_separador(texto, lineas, ruta.suffix.lower())
    filas = _filas_de_lineas(lineas, separador) if lineas is not None else None
    if filas is not None:
        return filas, texto, avisos
    try:
        lector = csv.reader(io.StringIO(texto, newline=""), delimiter=separador)
        filas = list(lector)
        if lector.line_num == len(filas):  # una línea por fila: el índice ya es la línea
            return filas, texto, avisos
    except csv.Error:
        pass  # la lectura línea por línea de abajo dice dónde está el problema
    lector = csv.reader(io.StringIO(texto, newline=""), delimiter=separador)
    filas = []
    linea_anterior = 0
    try:
        for registro in lector:
            # Si un campo entre comillas abarca varias líneas, la fila sigue siendo la primera.
            while len(filas) < linea_anterior:
                filas.append([])
            filas.append(registro)
            linea_anterior = lector.line_num
    except csv.Error as exc:
        raise ErrorCartera(
            f"{ruta}: línea {lector.line_num}: CSV mal formado ({exc}); revisa las comillas"
        ) from None
    return filas, texto, avisos


# Fines de línea que str.splitlines reconoce y el módulo csv no (este solo \r, \n y \r\n), y
# NUL, que csv trata aparte.
_RAROS_PARA_CSV = "\v\f\x1c\x1d\x1e\x85\u2028\u2029\x00"


def _lineas(texto: str) -> list[str] | None:
    """Las líneas del texto tal como las separa csv, o None si tiene otros fines de línea."""
    if any(c in texto for c in _RAROS_PARA_CSV):
        return None
    return texto.splitlines()


def _filas_de_lineas(lineas: list[str], separador: str) -> list[list[str]] | None:
    """Las filas que daría csv.reader si cada fila ocupa una sola línea; None si no es así
    (un campo entre comillas con saltos de línea, comillas mal puestas, un campo enorme).

    Las líneas sin comillas se parten con str.split, ~2 veces más rápido que csv.reader; las
    que tienen comillas las lee csv.reader (estricto: ante cualquier duda, None).
    """
    import csv

    if lineas and max(map(len, lineas)) > csv.field_size_limit():
        return None
    filas = list(map(str.split, lineas, repeat(separador)))
    for i in compress(range(len(lineas)), map(not_, lineas)):
        filas[i] = []  # como csv.reader: una línea vacía es una fila sin celdas
    con_comillas = list(compress(range(len(lineas)), map(contains, lineas, repeat('"'))))
    if con_comillas:
        lector = csv.reader((lineas[i] for i in con_comillas), delimiter=separador, strict=True)
        try:
            leidas = list(lector)
        except csv.Error:
            return None
        # Si un campo siguió en la línea siguiente, hay menos filas que líneas.
        if len(leidas) != len(con_comillas):
            return None
        for i, fila in zip(con_comillas, leidas, strict=True):
            filas[i] = fila
    return filas


def _detectar_separador(texto: str, lineas: list[str] | None, extension: str) -> str:
    """El separador del CSV; `lineas` son las de texto.splitlines() si ya se calcularon."""
    if extension == ".tsv":
        return "\t"
    from collections import Counter

    if lineas is None:
        lineas = texto.splitlines()
    # Lo que va entre comillas no cuenta: «"a@x.com; b@y.com"» no dice nada del separador.
    muestra = [re.sub(r'"[^"]*"', "", linea) for linea in lineas[:40] if linea.strip()]
    mejor, mejor_puntaje = ",", -1
    for candidato in ("\t", ";", ","):
        cuentas = Counter(linea.count(candidato) for linea in muestra)
        cuentas.pop(0, None)
        if not cuentas:
            continue
        n, veces = cuentas.most_common(1)[0]
        puntaje = veces * 1000 + n
        if puntaje > mejor_puntaje:
            mejor, mejor_puntaje = candidato, puntaje
    return mejor
