"""El informe .xlsx: una hoja «Resumen» con las cifras de dinero y una gráfica nativa de la
antigüedad, y una hoja por sección (mensajes, tareas, omitidas, rechazos, avisos…) con
cabecera fija en negrita, autofiltro, anchos según el contenido, importes con formato de
moneda y fechas de verdad.

openpyxl arma el libro (resumen, gráfica, estilos, cabeceras, anchos, filtros); las filas de
las secciones se escriben aquí directamente en el XML de su hoja mientras se comprime el
archivo: con 100 000 filas de cartera son ~40 000 mensajes de 12 columnas, y pasar cada celda
por openpyxl costaba unas 10 veces lo que escribir todo el informe .json.

Las celdas de texto son texto (nunca fórmula, aunque empiecen por «=»); las que una hoja de
cálculo tomaría por fórmula al editarlas (= + - @, también tras espacios o caracteres
invisibles) llevan además el prefijo de comilla del formato (quotePrefix), que no se ve.
"""

from __future__ import annotations

import io
import re
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path, PurePosixPath
from typing import Any, NamedTuple

from recordar.informe.formatos import parece_formula
from recordar.informe.numeros import (
    formato_fecha,
    formato_moneda,
    formato_porcentaje,
    idioma_y_moneda,
)


class Columna(NamedTuple):
    clave: str
    titulo: str
    # texto, largo (se ajusta en varias líneas), lista, entero, dinero, fecha, fecha_hora, si_no
    tipo: str


def _columnas(*especificacion: str) -> tuple[Columna, ...]:
    return tuple(Columna(*c.split("|")) for c in especificacion)


_PROBLEMA = _columnas("fila|Fila|entero", "columna|Columna|texto", "valor|Valor|texto",
                      "motivo|Motivo|largo")  # fmt: skip
_REGISTRO = _columnas(
    "fecha|Fecha|fecha", "enviado_en|Enviado|fecha_hora", "cliente|Cliente|texto", "facturas|Facturas|lista", "paso|Paso|texto",
    "canal|Canal|texto", "destinatario|Destinatario|texto", "estado|Estado|texto",
    "intentos|Intentos|entero", "detalle|Detalle|largo", "asunto|Asunto|texto",
)  # fmt: skip

# (clave en los datos, nombre de la hoja, columnas). Las cinco primeras van siempre, aunque
# estén vacías (quien lee el libro con un programa las encuentra siempre); las demás, si hay.
HOJAS: tuple[tuple[str, str, tuple[Columna, ...]], ...] = (
    ("mensajes", "Mensajes", _columnas(
        "cliente|Cliente|texto", "facturas|Facturas|lista", "paso|Paso|texto",
        "canal|Canal|texto", "destinatario|Destinatario|texto",
        "dias_vencido|Días de atraso|entero", "total|Total|dinero", "moneda|Moneda|texto",
        "interes|Interés|dinero", "asunto|Asunto|texto", "cuerpo|Mensaje|largo",
        "estado|Estado|texto",
    )),
    ("tareas", "Tareas", _columnas(
        "cliente|Cliente|texto", "facturas|Facturas|lista", "paso|Paso|texto",
        "dias_vencido|Días de atraso|entero", "total|Total|dinero", "descripcion|Qué hacer|largo",
    )),
    ("omitidas", "Omitidas", _columnas(
        "fila|Fila|entero", "factura|Factura|texto", "cliente|Cliente|texto", "motivo|Motivo|largo",
    )),
    ("rechazos", "Rechazos", _PROBLEMA),
    ("avisos", "Avisos", _PROBLEMA),
    ("sin_canal", "Sin canal", _columnas(
        "cliente|Cliente|texto", "tiene|Tiene|texto", "facturas|Facturas|lista",
    )),
    ("tareas_abiertas", "Tareas abiertas", _columnas(
        "id|Nº|entero", "cliente|Cliente|texto", "facturas|Facturas|lista", "paso|Paso|texto",
        "descripcion|Qué hacer|largo", "desde|Desde|fecha",
    )),
    ("pagos_detectados", "Pagos detectados", _columnas(
        "factura|Factura|texto", "cliente|Cliente|texto", "dias_tarde|Días de atraso al pagar|entero",
        "ultimo_aviso|Último aviso|texto", "pagada_en_hoja|Pagada en la hoja|si_no",
    )),
    ("inciertos", "Envíos inciertos", _REGISTRO),
    ("reintentados", "Reintentados", _REGISTRO),
)  # fmt: skip
SIEMPRE = 5

MAX_FILAS = 1_048_576  # las de una hoja de Excel, con la cabecera
MAX_TEXTO = 32_767  # caracteres de una celda de Excel
ANCHO_MAX = {"largo": 80, "texto": 45, "lista": 30}
MUESTRA_ANCHO = 5000  # filas que se miden para el ancho de cada columna
ANCHO_FIJO = {"entero": 8, "dinero": 15, "fecha": 12, "fecha_hora": 17, "si_no": 6}
# Lo que una hoja de Excel no admite en XML: controles (salvo \t \n \r), sustitutos sueltos y
# los no caracteres U+FFFE y U+FFFF. Se quitan del informe (la cartera y el JSON lo conservan).
_ILEGALES = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_CONTROLES = bytes([*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20)])
_EPOCA = date(1899, 12, 30)  # el día 0 de las fechas de Excel (con su 29/02/1900)


def escribir_xlsx(ruta: Path, datos: dict[str, Any]) -> None:
    from openpyxl import Workbook

    idioma, moneda = idioma_y_moneda(datos)
    libro = Workbook()
    resumen = libro.active
    resumen.title = "Resumen"
    estilos = _Estilos(resumen, idioma)
    from recordar.informe.xlsx_resumen import escribir_resumen

    escribir_resumen(resumen, datos, estilos, moneda)
    secciones = []
    for i, (clave, titulo, columnas) in enumerate(HOJAS):
        registros = datos.get(clave) or []
        if i >= SIEMPRE and not registros:
            continue
        hoja = libro.create_sheet(titulo)
        filas = min(len(registros), MAX_FILAS - 2)
        _preparar_hoja(hoja, columnas, registros, filas, estilos)
        if any(c.tipo == "dinero" for c in columnas):  # un estilo por moneda, antes de guardar
            for otra in {r.get("moneda") or moneda for r in registros}:
                estilos.dinero(otra)
        secciones.append((titulo, columnas, registros, filas))
    estilos.dinero(moneda)
    armado = io.BytesIO()
    libro.save(armado)
    _empaquetar(ruta, armado, secciones, estilos, moneda)


class _Estilos:
    """Los índices de estilo (atributo s de cada celda) de las celdas de datos, registrados una
    vez en el libro antes de guardarlo: las filas se escriben después, directamente en XML."""

    def __init__(self, hoja, idioma: str) -> None:
        from openpyxl.cell.cell import Cell
        from openpyxl.styles import Alignment

        self._hoja = hoja
        self._celda = Cell
        self.idioma = idioma
        arriba = Alignment(vertical="top")
        ajustado = Alignment(vertical="top", wrap_text=True)
        self.texto = self._id(alignment=arriba)
        self.texto_comilla = self._id(alignment=arriba, quotePrefix=True)
        self.largo = self._id(alignment=ajustado)
        self.largo_comilla = self._id(alignment=ajustado, quotePrefix=True)
        self.numero = self._id(alignment=arriba)
        self.fecha = self._id(alignment=arriba, number_format=formato_fecha(idioma))
        self.fecha_hora = self._id(alignment=arriba,
                                   number_format=formato_fecha(idioma) + " hh:mm")  # fmt: skip
        self.fecha_formato = formato_fecha(idioma)
        self.porcentaje = formato_porcentaje(idioma)
        self._dinero: dict[str, int] = {}
        self._arriba = arriba

    def _id(self, **atributos) -> int:
        celda = self._celda(self._hoja)
        for nombre, valor in atributos.items():
            setattr(celda, nombre, valor)
        return celda.style_id

    def dinero(self, moneda: str) -> int:
        s = self._dinero.get(moneda)
        if s is None:
            s = self._dinero[moneda] = self._id(
                alignment=self._arriba, number_format=self.formato_dinero(moneda)
            )
        return s

    def formato_dinero(self, moneda: str) -> str:
        try:
            return formato_moneda(self.idioma, moneda)
        except (ValueError, LookupError):  # un código de moneda que babel no conoce
            return "#,##0.00"


def _preparar_hoja(hoja, columnas, registros: list, filas: int, estilos: _Estilos) -> None:
    """Cabecera en negrita, fija al desplazarse, con autofiltro sobre los datos y anchos."""
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    negrita = Font(bold=True)
    fondo = PatternFill("solid", fgColor="DDE5F0")
    hoja.append([c.titulo for c in columnas])
    for celda in hoja[1]:
        celda.font = negrita
        celda.fill = fondo
        celda.alignment = Alignment(vertical="top")
    hoja.freeze_panes = "A2"
    ultima = get_column_letter(len(columnas))
    hoja.auto_filter.ref = f"A1:{ultima}{filas + 1}"
    for i, c in enumerate(columnas, 1):
        hoja.column_dimensions[get_column_letter(i)].width = _ancho(c, registros)


def _ancho(columna: Columna, registros: list) -> float:
    """Ancho en caracteres: el del texto más largo de la columna (o uno fijo para números y
    fechas), con sitio para el botón del filtro, y con tope."""
    minimo = len(columna.titulo) + 4
    if columna.tipo in ANCHO_FIJO:
        return max(minimo, ANCHO_FIJO[columna.tipo])
    clave = columna.clave
    largo = 0
    for r in registros[:MUESTRA_ANCHO]:
        v = r.get(clave)
        if type(v) is str:
            n = len(v)
        elif isinstance(v, list):
            n = sum(len(str(x)) + 2 for x in v)
        else:
            continue
        if n > largo:
            largo = n
    return max(minimo, min(largo + 2, ANCHO_MAX[columna.tipo]))


def _empaquetar(ruta: Path, armado: io.BytesIO, secciones: list, estilos, moneda: str) -> None:
    """Copia el libro de openpyxl al archivo final, con las filas de cada sección escritas en
    el XML de su hoja (detrás de la cabecera)."""
    with zipfile.ZipFile(armado) as origen:
        rutas = _rutas_de_hojas(origen)
        por_hoja = {rutas[seccion[0]]: seccion for seccion in secciones}
        # Compresión rápida: el XML de las filas se repite mucho y comprime bien igual.
        with zipfile.ZipFile(ruta, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as destino:
            for info in origen.infolist():
                contenido = origen.read(info.filename)
                seccion = por_hoja.get(info.filename)
                if seccion is None:
                    destino.writestr(info.filename, contenido)
                    continue
                _, columnas, registros, filas = seccion
                xml = contenido.decode()
                ultima = _letra(len(columnas))
                xml = re.sub(r'<dimension ref="[^"]*"\s*/>',
                             f'<dimension ref="A1:{ultima}{filas + 1}"/>', xml, count=1)  # fmt: skip
                corte = xml.index("</sheetData>")
                # Primero a un temporal (solo del dueño, se borra al cerrarlo) y luego al
                # .xlsx con su tamaño ya sabido: zipfile usa ZIP64 solo si hace falta (Excel
                # es quisquilloso con ZIP64 y escribir sin él falla pasados 2 GiB).
                with tempfile.NamedTemporaryFile(prefix="recordar-", suffix=".xml") as f:
                    f.write(xml[:corte].encode())
                    _escribir_filas(f, columnas, registros, filas, estilos, moneda)
                    f.write(xml[corte:].encode())
                    f.flush()
                    destino.write(f.name, info.filename)


def _rutas_de_hojas(libro: zipfile.ZipFile) -> dict[str, str]:
    """Nombre de cada hoja → su archivo dentro del .xlsx (de workbook.xml y sus relaciones)."""
    from xml.etree import ElementTree

    ns = {
        "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
        "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
        "p": "http://schemas.openxmlformats.org/package/2006/relationships",
    }
    relaciones = ElementTree.fromstring(libro.read("xl/_rels/workbook.xml.rels"))
    destino = {r.get("Id"): r.get("Target") for r in relaciones.findall("p:Relationship", ns)}
    rutas = {}
    for hoja in ElementTree.fromstring(libro.read("xl/workbook.xml")).iterfind(".//m:sheet", ns):
        objetivo = destino[hoja.get(f"{{{ns['r']}}}id")]
        # Absoluta dentro del paquete («/xl/worksheets/…») o relativa a xl/.
        absoluta = objetivo.startswith("/")
        rutas[hoja.get("name")] = objetivo[1:] if absoluta else str(PurePosixPath("xl", objetivo))
    return rutas


def _letra(n: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(n)


TANDA = 500  # filas por escritura


def _escribir_filas(f, columnas, registros: list, filas: int, estilos, moneda: str) -> None:
    tanda: list[str] = []

    def volcar() -> None:
        # Los caracteres que XML no admite se quitan aquí, de un golpe: el marcado no los
        # lleva nunca, y mirar cada celda costaba más que todo lo demás de la celda.
        # En bytes (UTF-8): los controles son un byte cada uno y translate los borra en C;
        # los sustitutos sueltos ya salen como «?» al codificar.
        datos = "".join(tanda).encode("utf-8", "replace").translate(None, _CONTROLES)
        if b"\xef\xbf\xbe" in datos or b"\xef\xbf\xbf" in datos:  # U+FFFE, U+FFFF
            datos = datos.replace(b"\xef\xbf\xbe", b"").replace(b"\xef\xbf\xbf", b"")
        f.write(datos)
        tanda.clear()

    for fila in _filas_xml(columnas, registros[:filas], estilos, moneda):
        tanda.append(fila)
        if len(tanda) >= TANDA:
            volcar()
    if len(registros) > filas:  # más de las que caben en una hoja de Excel
        aviso = (f"… y {len(registros) - filas} más que no caben en una hoja de Excel; "
                 "están en el informe .json")  # fmt: skip
        tanda.append(f'<row r="{filas + 2}"><c r="A{filas + 2}" s="{estilos.texto}" '
                     f't="inlineStr"><is><t>{aviso}</t></is></c></row>')  # fmt: skip
    volcar()


def _filas_xml(columnas, registros: Iterable[dict], estilos, moneda: str) -> Iterator[str]:
    """El XML de cada fila de datos (desde la 2): celdas vacías omitidas, cada celda con su
    referencia y su estilo. Los textos pueden llevar aún caracteres que XML no admite (los
    quita quien escribe)."""
    letras = [_letra(i) for i in range(1, len(columnas) + 1)]
    plan = [(letra, c.clave, c.tipo) for letra, c in zip(letras, columnas, strict=True)]
    dinero = estilos.dinero
    numero, fecha = estilos.numero, estilos.fecha
    fechas = {"fecha": fecha, "fecha_hora": estilos.fecha_hora}
    texto, largo = estilos.texto, estilos.largo
    comillas = {texto: estilos.texto_comilla, largo: estilos.largo_comilla}
    for n, registro in enumerate(registros, 2):
        celdas = []
        for letra, clave, tipo in plan:
            v = registro.get(clave)
            if v is None or v == "":
                continue
            t = type(v)
            if t is str:
                if tipo in fechas and (serie := _serie_de_texto(v)) is not None:
                    celdas.append(f'<c r="{letra}{n}" s="{fechas[tipo]}"><v>{serie}</v></c>')
                    continue
                s = largo if tipo == "largo" else texto
            elif t is int or (t is float and v - v == 0):  # sin NaN ni infinitos
                s = dinero(registro.get("moneda") or moneda) if tipo == "dinero" else numero
                celdas.append(f'<c r="{letra}{n}" s="{s}"><v>{v!r}</v></c>')
                continue
            elif t is Decimal and v.is_finite():
                s = dinero(registro.get("moneda") or moneda) if tipo == "dinero" else numero
                celdas.append(f'<c r="{letra}{n}" s="{s}"><v>{float(v)!r}</v></c>')
                continue
            elif t is list or t is tuple:
                v, s = ", ".join(map(str, v)), texto
            elif t is bool:
                v, s = ("sí" if v else "no"), texto
            elif isinstance(v, date):
                s = fechas["fecha_hora"] if isinstance(v, datetime) else fecha
                celdas.append(f'<c r="{letra}{n}" s="{s}"><v>{_serie(v)}</v></c>')
                continue
            else:
                v, s = str(v), largo if tipo == "largo" else texto
            if not v[0].isalnum():
                if parece_formula(v):
                    s = comillas[s]
                espacio = ' xml:space="preserve"' if v[0].isspace() else ""
            else:
                espacio = ""
            if v[-1].isspace():
                espacio = ' xml:space="preserve"'
            if len(v) > MAX_TEXTO:
                v = v[: MAX_TEXTO - 1] + "…"
            if "&" in v or "<" in v or ">" in v or "\r" in v:
                v = v.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                v = v.replace("\r", "&#13;")
            celdas.append(
                f'<c r="{letra}{n}" s="{s}" t="inlineStr"><is><t{espacio}>{v}</t></is></c>'
            )
        yield f'<row r="{n}">{"".join(celdas)}</row>'


def _serie(d: date) -> int | float:
    if isinstance(d, datetime):
        return (d - datetime(1899, 12, 30, tzinfo=d.tzinfo)).total_seconds() / 86400
    return (d - _EPOCA).days


def _serie_de_texto(texto: str) -> int | float | None:
    """La fecha de Excel de un texto AAAA-MM-DD (o con hora, ISO); None si no lo es."""
    try:
        valor = datetime.fromisoformat(texto) if len(texto) > 10 else date.fromisoformat(texto)
    except ValueError:
        return None
    if isinstance(valor, datetime) and valor.tzinfo is not None:
        valor = valor.replace(tzinfo=None)
    return _serie(valor)
