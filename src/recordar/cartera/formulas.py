"""Fórmulas que nadie calculó: encontrarlas en el XML de la hoja, calcular las sencillas y
rechazar las filas de las demás.

xlsxwriter, openpyxl y muchos sistemas escriben la fórmula con el valor 0 o sin valor y marcan el
libro para que Excel recalcule al abrirlo (``<calcPr fullCalcOnLoad="1"/>``). calamine lee ese 0:
una factura con saldo «=D2-E2» desaparecía como «saldo 0». Se calculan a mano (calculo.py), sin eval, las
cuentas de la misma hoja (+ - * / ^ %, paréntesis, SUM/SUMA, MIN, MAX, ROUND, ABS y referencias
a otras celdas); lo demás deja la celda vacía y la fila se rechaza diciendo qué hacer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html import unescape
from typing import TYPE_CHECKING

from recordar.cartera.calculo import Calculo, NoSoportada, columna, desplazar, letras

if TYPE_CHECKING:
    from recordar.cartera.carga import Cartera

SIN_CALCULAR = (
    "la celda {ref} tiene una fórmula sin calcular ({formula}); abre el archivo en Excel o "
    "LibreOffice y guárdalo"
)


@dataclass
class Examen:
    """Las fórmulas de una hoja cuyo valor guardado no sirve: (fila, columna) 0-based → texto."""

    recalcular: bool = False
    formulas: dict[tuple[int, int], str] = field(default_factory=dict)
    # Sin fullCalcOnLoad, las que guardan un 0: valen si la cuenta da 0 o no se sabe hacer; si
    # da otra cosa, el 0 es de un libro guardado sin recalcular (LibreOffice sin interfaz).
    dudosas: dict[tuple[int, int], str] = field(default_factory=dict)


@dataclass
class Pendientes:
    """Lo que quedó de las fórmulas tras leer la hoja: calculadas y sin calcular."""

    recalcular: bool = False
    calculadas: list[tuple[int, int, str]] = field(default_factory=list)  # (fila0, col0, texto)
    sin_calcular: list[tuple[int, int, str]] = field(default_factory=list)


_RE_RAIZ = re.compile(rb"<(\w+:)?worksheet\b")
_RE_ATRIBUTOS = re.compile(rb'([\w:]+)\s*=\s*"([^"]*)"')
_RE_CELDA = re.compile(r"\$?([A-Z]{1,3})\$?(\d+)")
_RE_TIPO = re.compile(rb'<(?:\w+:)?c\s[^>]*\bt="(\w+)"[^>]*>\s*$')


def _patron(prefijo: bytes, recalcular: bool) -> re.Pattern[bytes]:
    p = re.escape(prefijo)
    # Un 0 guardado: con el libro marcado para recalcular no vale (es lo que escriben); sin la
    # marca, es dudoso (grupo 3).
    valor = rb"\s*(0(?:\.0+)?)?\s*"
    return re.compile(
        rb"<" + p + rb"f(\s[^>]*?)?(?:/>|>([^<]*)</" + p + rb"f>)\s*"
        rb"(?:<" + p + rb"v\s*/>|<" + p + rb"v>" + valor + rb"</" + p + rb"v>)?\s*</" + p + rb"c>"
    )


class Buscador:
    """Busca, trozo a trozo mientras se descomprime la hoja, las fórmulas sin valor calculado.

    El patrón empieza por «<f»: re recorre el trozo a la velocidad de find y solo devuelve las
    fórmulas sin valor (o, con fullCalcOnLoad, con un 0); las calculadas por Excel no cuestan
    nada en Python.
    """

    def __init__(self, recalcular: bool) -> None:
        self.examen = Examen(recalcular=recalcular)
        self.recalcular = recalcular
        self.compartidas: list[tuple[int, int, str]] = []
        self.prefijo: bytes | None = None

    def buscar(self, datos: bytes, desde: int, hasta: int) -> None:
        """Las fórmulas que empiezan entre desde y hasta (después de hasta hay margen)."""
        if self.prefijo is None:
            raiz = _RE_RAIZ.search(datos, 0, 4096)
            self.prefijo = (raiz.group(1) or b"") if raiz else b""
            self.patron = _patron(self.prefijo, self.recalcular)
        for m in self.patron.finditer(datos, desde):
            if m.start() >= hasta:
                break
            self._anotar(datos, m)

    def _anotar(self, datos: bytes, m: re.Match) -> None:
        celda = _referencia(datos, self.prefijo, m.start())
        if celda is None:
            return
        if not self.recalcular and b"<" + self.prefijo + b"v>" in m.group(0):
            # «<c t="str"><f>…</f><v></v></c>»: Excel calculó un texto vacío (=SI(A2="";"";…)).
            tipo = _RE_TIPO.search(datos, max(0, m.start() - 512), m.start())
            if tipo is not None and tipo.group(1) == b"str":
                return
        atributos = dict(_RE_ATRIBUTOS.findall(m.group(1) or b""))
        texto = unescape((m.group(2) or b"").decode("utf-8", "replace")).strip()
        if m.group(3) and not self.recalcular:
            if texto:  # una compartida con 0 guardado se deja como está
                self.examen.dudosas[celda] = texto
        elif not texto and atributos.get(b"t") == b"shared":
            self.compartidas.append((*celda, atributos.get(b"si", b"").decode()))
        else:
            self.examen.formulas[celda] = texto or "?"

    def terminar(self, releer) -> Examen:
        """El examen; las fórmulas compartidas se traducen desde su celda maestra (releer()
        devuelve la hoja entera: solo hace falta con fórmulas compartidas sin valor)."""
        if self.compartidas:
            maestras = _maestras(releer(), self.prefijo or b"")
            for fila, col, si in self.compartidas:
                origen = maestras.get(si)
                self.examen.formulas[(fila, col)] = (
                    desplazar(origen[2], fila - origen[0], col - origen[1]) if origen else "?"
                )
        return self.examen


def _referencia(datos: bytes, prefijo: bytes, fin: int) -> tuple[int, int] | None:
    """(fila, columna) 0-based de la celda cuya fórmula empieza en fin (la fórmula es su primer
    hijo, así que la etiqueta de la celda está justo antes)."""
    inicio = datos.rfind(b"<" + prefijo + b"c", max(0, fin - 512), fin)
    if inicio < 0:
        return None
    atributos = dict(_RE_ATRIBUTOS.findall(datos[inicio:fin]))
    m = _RE_CELDA.fullmatch(atributos.get(b"r", b"").decode())
    return (int(m.group(2)) - 1, columna(m.group(1)) - 1) if m else None


def _maestras(datos: bytes, prefijo: bytes) -> dict[str, tuple[int, int, str]]:
    p = re.escape(prefijo)
    patron = re.compile(rb"<" + p + rb"f\s([^>]*\bt=\"shared\"[^>]*)>([^<]+)</" + p + rb"f>")
    maestras = {}
    for m in patron.finditer(datos):
        celda = _referencia(datos, prefijo, m.start())
        si = dict(_RE_ATRIBUTOS.findall(m.group(1))).get(b"si")
        if celda and si is not None:
            maestras[si.decode()] = (*celda, unescape(m.group(2).decode("utf-8", "replace")))
    return maestras


# ------------------------------------------------------------------------ en la cartera


def completar(filas: list[list], examen: Examen) -> Pendientes:
    """Pone en las filas el valor de cada fórmula sin calcular que se sabe calcular; las demás
    quedan vacías (nunca el 0 guardado) y se devuelven para rechazar sus filas."""
    pendientes = Pendientes(recalcular=examen.recalcular)
    if not examen.formulas and not examen.dudosas:
        return pendientes
    calculo = Calculo(filas, examen.formulas | examen.dudosas, examen.dudosas)
    resultados = {}
    for (fila, col), texto in examen.dudosas.items():
        valor = calculo.celda(fila, col)
        if valor != 0 and valor is not None:  # la cuenta no da el 0 guardado
            resultados[(fila, col)] = valor
            pendientes.calculadas.append((fila, col, texto))
    for (fila, col), texto in examen.formulas.items():
        try:
            resultados[(fila, col)] = calculo.celda(fila, col)
            pendientes.calculadas.append((fila, col, texto))
        except (NoSoportada, ArithmeticError, ValueError):
            resultados[(fila, col)] = None
            pendientes.sin_calcular.append((fila, col, texto))
    for (fila, col), valor in resultados.items():
        if fila >= len(filas):
            continue
        celdas = filas[fila]
        if col >= len(celdas):
            celdas.extend([None] * (col + 1 - len(celdas)))
        celdas[col] = valor
    return pendientes


def rechazar(cartera: Cartera, filas: list[list], pendientes: Pendientes) -> None:
    """Las filas con una fórmula sin calcular en una columna con encabezado se rechazan con la
    celda, la fórmula y qué hacer; si hubo fórmulas sin calcular en filas leídas, un aviso."""
    from recordar.cartera.carga import Omitida, Rechazo
    from recordar.cartera.valores import como_texto

    if not pendientes.calculadas and not pendientes.sin_calcular:
        return
    cabecera = [como_texto(c) for c in filas[cartera.fila_cabecera - 1]]
    leidas = {f.fila: f for f in cartera.facturas} | {o.fila: o for o in cartera.omitidas}
    rechazadas = {r.fila for r in cartera.rechazos}

    def en_uso(fila: int, col: int) -> bool:
        n = fila + 1
        return (n in leidas or n in rechazadas) and col < len(cabecera) and bool(cabecera[col])

    malas: dict[int, list[tuple[int, str]]] = {}
    for fila, col, texto in pendientes.sin_calcular:
        if en_uso(fila, col):
            malas.setdefault(fila + 1, []).append((col, texto))
    for n, celdas in malas.items():
        resultado = leidas.pop(n, None)
        if resultado is not None:
            numero = resultado.factura if type(resultado) is Omitida else resultado.numero
            cartera.numeros_rechazados.add(numero)
        columnas = {cabecera[col] for col, _ in celdas}
        cartera.rechazos[:] = [
            r for r in cartera.rechazos if not (r.fila == n and r.columna in columnas)
        ]
        for col, texto in celdas:
            ref = f"{letras(col + 1)}{n}"
            motivo = SIN_CALCULAR.format(ref=ref, formula=f"={texto}")
            cartera.rechazos.append(Rechazo(n, cabecera[col], f"={texto}", motivo))
    if malas:
        cartera.facturas[:] = [f for f in cartera.facturas if f.fila not in malas]
        cartera.omitidas[:] = [o for o in cartera.omitidas if o.fila not in malas]
        cartera.rechazos.sort(key=lambda r: r.fila)
    _avisar(cartera, cabecera, pendientes, en_uso, len(malas))


def _avisar(
    cartera: Cartera, cabecera: list[str], pendientes: Pendientes, en_uso, malas: int
) -> None:
    from recordar.cartera.carga import Rechazo

    calculadas = [(f, c, t) for f, c, t in pendientes.calculadas if en_uso(f, c)]
    sin_calcular = [(f, c, t) for f, c, t in pendientes.sin_calcular if en_uso(f, c)]
    if not calculadas and not sin_calcular:
        return
    fila, col, texto = min(calculadas + sin_calcular)
    causa = (
        "el programa que generó el libro dejó sus fórmulas para que Excel las calcule al abrirlo"
        if pendientes.recalcular
        else "el libro tiene fórmulas guardadas sin su valor calculado o con un 0 que no es su "
        "resultado (se guardó sin recalcular)"
    )
    partes = []
    if calculadas:
        partes.append(
            f"recordar calculó {len(calculadas)} celda{'s' if len(calculadas) != 1 else ''}"
        )
    if sin_calcular:
        partes.append(f"rechazó {malas} fila{'s' if malas != 1 else ''} que no sabe calcular")
    motivo = (
        f"{causa} (como {letras(col + 1)}{fila + 1}); {' y '.join(partes)}; para usar los "
        "valores de Excel, ábrelo en Excel o LibreOffice y guárdalo"
    )
    cartera.avisos.insert(0, Rechazo(fila + 1, cabecera[col], f"={texto}", motivo))
