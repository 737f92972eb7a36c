"""Fórmulas que nadie calculó: encontrarlas en el XML de la hoja, calcular las sencillas y
rechazar las filas de las demás.

xlsxwriter, openpyxl y muchos sistemas escriben la fórmula con el valor 0 o sin valor y marcan el
libro para que Excel recalcule al abrirlo (``<calcPr fullCalcOnLoad="1"/>``). calamine lee ese 0:
una factura con saldo «=D2-E2» desaparecía como «saldo 0». Aquí se calculan a mano, sin eval, las
cuentas de la misma hoja (+ - * / ^ %, paréntesis, SUM/SUMA, MIN, MAX, ROUND, ABS y referencias
a otras celdas); lo demás deja la celda vacía y la fila se rechaza diciendo qué hacer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from html import unescape
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from recordar.cartera import Cartera

SIN_CALCULAR = (
    "la celda {ref} tiene una fórmula sin calcular ({formula}); abre el archivo en Excel o "
    "LibreOffice y guárdalo"
)


@dataclass
class Examen:
    """Las fórmulas de una hoja cuyo valor guardado no sirve: (fila, columna) 0-based → texto."""

    recalcular: bool = False
    formulas: dict[tuple[int, int], str] = field(default_factory=dict)


@dataclass
class Pendientes:
    """Lo que quedó de las fórmulas tras leer la hoja: calculadas y sin calcular."""

    recalcular: bool = False
    calculadas: list[tuple[int, int, str]] = field(default_factory=list)  # (fila0, col0, texto)
    sin_calcular: list[tuple[int, int, str]] = field(default_factory=list)


_RE_RAIZ = re.compile(rb"<(\w+:)?worksheet\b")
_RE_ATRIBUTOS = re.compile(rb'([\w:]+)\s*=\s*"([^"]*)"')
_RE_CELDA = re.compile(r"\$?([A-Z]{1,3})\$?(\d+)")


def _patron(prefijo: bytes, recalcular: bool) -> re.Pattern[bytes]:
    p = re.escape(prefijo)
    # Con el libro marcado para recalcular, un 0 guardado tampoco vale: es lo que escriben.
    valor = rb"\s*(?:0(?:\.0+)?)?\s*" if recalcular else rb"\s*"
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
        atributos = dict(_RE_ATRIBUTOS.findall(m.group(1) or b""))
        texto = unescape((m.group(2) or b"").decode("utf-8", "replace")).strip()
        if not texto and atributos.get(b"t") == b"shared":
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
                    _desplazar(origen[2], fila - origen[0], col - origen[1]) if origen else "?"
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
    return (int(m.group(2)) - 1, _columna(m.group(1)) - 1) if m else None


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


def _columna(letras: str) -> int:
    n = 0
    for letra in letras:
        n = n * 26 + ord(letra) - 64
    return n


def _letras(columna: int) -> str:
    texto = ""
    while columna:
        columna, resto = divmod(columna - 1, 26)
        texto = chr(65 + resto) + texto
    return texto


_RE_REF_RELATIVA = re.compile(r"(?<![A-Za-z0-9_.!'\"])(\$?)([A-Z]{1,3})(\$?)(\d+)(?![\w(])")


def _desplazar(texto: str, filas: int, columnas: int) -> str:
    """La fórmula compartida vista desde otra celda: las referencias sin $ se mueven."""

    def mover(m: re.Match) -> str:
        col = m.group(2) if m.group(1) else _letras(_columna(m.group(2)) + columnas)
        fila = m.group(4) if m.group(3) else str(int(m.group(4)) + filas)
        return f"{m.group(1)}{col}{m.group(3)}{fila}"

    return _RE_REF_RELATIVA.sub(mover, texto)


# ------------------------------------------------------------------------------ cálculo


class NoSoportada(Exception):
    """Una fórmula que aquí no se calcula (otra hoja, texto, una función que no está…)."""


_RE_TOKEN = re.compile(
    r"\s*(?:"
    r"(?P<rango>\$?[A-Z]{1,3}\$?\d+:\$?[A-Z]{1,3}\$?\d+)"
    r"|(?P<funcion>[A-Z][A-Z0-9.]*)\s*\("
    r"|(?P<ref>\$?[A-Z]{1,3}\$?\d+)(?![\w(!])"
    r"|(?P<numero>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)"
    r"|(?P<op>[-+*/^(),%;])"
    r")"
)
_FUNCIONES = {"SUM", "SUMA", "MIN", "MAX", "ROUND", "REDONDEAR", "ABS"}


def _tokens(texto: str) -> list[tuple[str, str]]:
    tokens, pos = [], 0
    texto = texto.strip().removeprefix("=")
    while pos < len(texto):
        m = _RE_TOKEN.match(texto, pos)
        if not m or m.end() == pos:
            if texto[pos:].strip() == "":
                break
            raise NoSoportada(texto)
        tipo = m.lastgroup
        tokens.append((tipo, m.group(tipo)))
        pos = m.end()
    return tokens


class _Calculo:
    """Calcula las fórmulas de una hoja con los valores que calamine leyó."""

    def __init__(self, filas: list[list], formulas: dict[tuple[int, int], str]) -> None:
        self.filas = filas
        self.formulas = formulas
        self.hechas: dict[tuple[int, int], Any] = {}
        self.en_curso: set[tuple[int, int]] = set()

    def celda(self, fila: int, col: int) -> Any:
        clave = (fila, col)
        if clave in self.formulas:
            if clave not in self.hechas:
                if clave in self.en_curso:
                    raise NoSoportada("referencia circular")
                self.en_curso.add(clave)
                try:
                    self.hechas[clave] = self.calcular(self.formulas[clave])
                finally:
                    self.en_curso.discard(clave)
            return self.hechas[clave]
        if fila < len(self.filas) and col < len(self.filas[fila]):
            return self.filas[fila][col]
        return None

    def calcular(self, texto: str) -> Any:
        # Una referencia a otra fórmula la calcula a media fórmula: se guarda dónde se iba.
        guardado = getattr(self, "tokens", []), getattr(self, "pos", 0)
        self.tokens, self.pos = _tokens(texto), 0
        try:
            valor = self._suma()
            if self.pos != len(self.tokens):
                raise NoSoportada(texto)
            return _escalar(valor)
        finally:
            self.tokens, self.pos = guardado

    def _ver(self) -> tuple[str, str] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def _tomar(self) -> tuple[str, str]:
        token = self._ver()
        if token is None:
            raise NoSoportada("fórmula incompleta")
        self.pos += 1
        return token

    def _suma(self) -> Any:
        valor = self._producto()
        while (t := self._ver()) and t[1] in "+-" and t[0] == "op":
            self.pos += 1
            otro = self._producto()
            valor = _sumar(valor, otro) if t[1] == "+" else _restar(valor, otro)
        return valor

    def _producto(self) -> Any:
        valor = self._potencia()
        while (t := self._ver()) and t[0] == "op" and t[1] in "*/":
            self.pos += 1
            a, b = _numero(valor), _numero(self._potencia())
            if t[1] == "/" and b == 0:
                raise NoSoportada("división entre cero")
            valor = a * b if t[1] == "*" else a / b
        return valor

    def _potencia(self) -> Any:
        valor = self._unario()
        if (t := self._ver()) and t == ("op", "^"):
            self.pos += 1
            valor = _numero(valor) ** _numero(self._potencia())
        return valor

    def _unario(self) -> Any:
        t = self._ver()
        if t and t[0] == "op" and t[1] in "+-":
            self.pos += 1
            valor = _numero(self._unario())
            return -valor if t[1] == "-" else valor
        valor = self._primario()
        while (t := self._ver()) and t == ("op", "%"):
            self.pos += 1
            valor = _numero(valor) / 100
        return valor

    def _primario(self) -> Any:
        tipo, texto = self._tomar()
        if tipo == "numero":
            return float(texto)
        if tipo == "ref":
            return _escalar(self._valor_ref(texto))
        if tipo == "funcion":
            return self._funcion(texto.upper())
        if (tipo, texto) == ("op", "("):
            valor = self._suma()
            if self._tomar() != ("op", ")"):
                raise NoSoportada("paréntesis")
            return valor
        raise NoSoportada(texto)

    def _valor_ref(self, ref: str) -> Any:
        m = _RE_CELDA.fullmatch(ref)
        return self.celda(int(m.group(2)) - 1, _columna(m.group(1)) - 1)

    def _funcion(self, nombre: str) -> Any:
        if nombre not in _FUNCIONES:
            raise NoSoportada(nombre)
        argumentos: list[list[Any]] = []
        if self._ver() == ("op", ")"):
            self.pos += 1
        else:
            while True:
                t = self._ver()
                if t and t[0] == "rango":
                    self.pos += 1
                    argumentos.append(self._rango(t[1]))
                else:
                    argumentos.append([self._suma()])
                separador = self._tomar()
                if separador == ("op", ")"):
                    break
                if separador not in (("op", ","), ("op", ";")):
                    raise NoSoportada(nombre)
        if nombre in ("ROUND", "REDONDEAR"):
            if len(argumentos) != 2:
                raise NoSoportada(nombre)
            return round(_numero(argumentos[0][0]), int(_numero(argumentos[1][0])))
        if nombre == "ABS":
            if len(argumentos) != 1 or len(argumentos[0]) != 1:
                raise NoSoportada(nombre)
            return abs(_numero(argumentos[0][0]))
        # SUM, MIN, MAX: como en Excel, en un rango solo cuentan los números.
        numeros = [
            float(v) for grupo in argumentos for v in grupo
            if type(v) in (int, float)
        ]  # fmt: skip
        if any(isinstance(v, (date, str)) and v != "" for g in argumentos for v in g):
            raise NoSoportada(nombre)  # fechas o textos en la suma: mejor que lo calcule Excel
        if nombre in ("SUM", "SUMA"):
            return sum(numeros)
        if not numeros:
            return 0.0
        return min(numeros) if nombre == "MIN" else max(numeros)

    def _rango(self, texto: str) -> list[Any]:
        inicio, fin = texto.split(":")
        a, b = _RE_CELDA.fullmatch(inicio), _RE_CELDA.fullmatch(fin)
        f1, f2 = sorted((int(a.group(2)) - 1, int(b.group(2)) - 1))
        c1, c2 = sorted((_columna(a.group(1)) - 1, _columna(b.group(1)) - 1))
        if (f2 - f1 + 1) * (c2 - c1 + 1) > 2_000_000:
            raise NoSoportada(texto)
        return [self.celda(f, c) for f in range(f1, f2 + 1) for c in range(c1, c2 + 1)]


def _escalar(valor: Any) -> Any:
    if valor is None or valor == "":
        return 0.0
    if type(valor) is bool:
        return float(valor)
    if isinstance(valor, (int, float, date)):
        return valor
    raise NoSoportada(str(valor))  # texto en una cuenta: #¡VALOR! en Excel


def _numero(valor: Any) -> float:
    valor = _escalar(valor)
    if isinstance(valor, date):
        raise NoSoportada("fecha")
    return float(valor)


def _sumar(a: Any, b: Any) -> Any:
    a, b = _escalar(a), _escalar(b)
    if isinstance(a, date) and isinstance(b, date):
        raise NoSoportada("fecha + fecha")
    if isinstance(b, date):
        a, b = b, a
    if isinstance(a, date):
        return _mover_fecha(a, float(b))
    return float(a) + float(b)


def _restar(a: Any, b: Any) -> Any:
    a, b = _escalar(a), _escalar(b)
    if isinstance(a, date) and isinstance(b, date):
        if type(a) is not type(b):
            raise NoSoportada("fechas")
        return (a - b) / timedelta(days=1)
    if isinstance(b, date):
        raise NoSoportada("número - fecha")
    if isinstance(a, date):
        return _mover_fecha(a, -float(b))
    return float(a) - float(b)


def _mover_fecha(fecha: date, dias: float) -> date:
    if type(fecha) is date and dias != int(dias):
        fecha = datetime(fecha.year, fecha.month, fecha.day)
    return fecha + timedelta(days=dias)


# ------------------------------------------------------------------------ en la cartera


def completar(filas: list[list], examen: Examen) -> Pendientes:
    """Pone en las filas el valor de cada fórmula sin calcular que se sabe calcular; las demás
    quedan vacías (nunca el 0 guardado) y se devuelven para rechazar sus filas."""
    pendientes = Pendientes(recalcular=examen.recalcular)
    if not examen.formulas:
        return pendientes
    calculo = _Calculo(filas, examen.formulas)
    resultados = {}
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
    from recordar.cartera import Omitida, Rechazo
    from recordar.valores import como_texto

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
            ref = f"{_letras(col + 1)}{n}"
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
    from recordar.cartera import Rechazo

    calculadas = [(f, c, t) for f, c, t in pendientes.calculadas if en_uso(f, c)]
    sin_calcular = [(f, c, t) for f, c, t in pendientes.sin_calcular if en_uso(f, c)]
    if not calculadas and not sin_calcular:
        return
    fila, col, texto = min(calculadas + sin_calcular)
    causa = (
        "el programa que generó el libro dejó sus fórmulas para que Excel las calcule al abrirlo"
        if pendientes.recalcular
        else "el libro tiene fórmulas guardadas sin su valor calculado"
    )
    partes = []
    if calculadas:
        partes.append(
            f"recordar calculó {len(calculadas)} celda{'s' if len(calculadas) != 1 else ''}"
        )
    if sin_calcular:
        partes.append(f"rechazó {malas} fila{'s' if malas != 1 else ''} que no sabe calcular")
    motivo = (
        f"{causa} (como {_letras(col + 1)}{fila + 1}); {' y '.join(partes)}; para usar los "
        "valores de Excel, ábrelo en Excel o LibreOffice y guárdalo"
    )
    cartera.avisos.insert(0, Rechazo(fila + 1, cabecera[col], f"={texto}", motivo))
