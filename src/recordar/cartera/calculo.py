"""Calcular a mano, sin eval, las fórmulas sencillas de una hoja: números, referencias a celdas
de la misma hoja, + - * / ^ %, paréntesis y SUM/SUMA, MIN, MAX, ROUND/REDONDEAR, ABS; con
fechas, fecha ± días y fecha - fecha. Lo demás es NoSoportada."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Any


def columna(letras: str) -> int:
    """El número de columna (1 = A) de sus letras."""
    n = 0
    for letra in letras.upper():
        n = n * 26 + ord(letra) - 64
    return n


def letras(columna: int) -> str:
    """Las letras de la columna número `columna` (1 = A)."""
    texto = ""
    while columna:
        columna, resto = divmod(columna - 1, 26)
        texto = chr(65 + resto) + texto
    return texto


_RE_REF_RELATIVA = re.compile(r"(?<![A-Za-z0-9_.!'\"])(\$?)([A-Z]{1,3})(\$?)(\d+)(?![\w(])")


def desplazar(texto: str, filas: int, columnas: int) -> str:
    """La fórmula compartida vista desde otra celda: las referencias sin $ se mueven."""

    def mover(m: re.Match) -> str:
        col = m.group(2) if m.group(1) else letras(columna(m.group(2)) + columnas)
        fila = m.group(4) if m.group(3) else str(int(m.group(4)) + filas)
        return f"{m.group(1)}{col}{m.group(3)}{fila}"

    return _RE_REF_RELATIVA.sub(mover, texto)


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


class Calculo:
    """Calcula las fórmulas de una hoja con los valores que calamine leyó.

    Cada forma de fórmula (=E2-F2, =E3-F3… son la misma vista desde su celda) se compila una
    vez en funciones de Python; luego cada celda solo la llama con su fila y columna.
    """

    def __init__(self, filas: list[list], formulas: dict[tuple[int, int], str],
                 dudosas: dict | None = None) -> None:  # fmt: skip
        self.filas = filas
        self.formulas = formulas
        self.dudosas = dudosas or {}
        self.hechas: dict[tuple[int, int], Any] = {}
        self.en_curso: set[tuple[int, int]] = set()
        self.compiladas: dict[str, Any] = {}
        self.por_columna: dict[int, list[int]] = {}
        for fila, col in formulas:
            self.por_columna.setdefault(col, []).append(fila)

    def celda(self, fila: int, col: int) -> Any:
        clave = (fila, col)
        if clave in self.formulas:
            if clave not in self.hechas:
                if clave in self.en_curso:
                    raise NoSoportada("referencia circular")
                self.en_curso.add(clave)
                try:
                    self.hechas[clave] = self.calcular(self.formulas[clave], fila, col)
                except (NoSoportada, ArithmeticError, ValueError):
                    if clave not in self.dudosas:
                        raise
                    self.hechas[clave] = self.filas[fila][col]  # el 0 guardado
                finally:
                    self.en_curso.discard(clave)
            return self.hechas[clave]
        if fila < len(self.filas) and col < len(self.filas[fila]):
            return self.filas[fila][col]
        return None

    def columna(self, col: int, desde: int, hasta: int) -> list[Any]:
        """Los valores de una columna entre dos filas; las celdas con fórmula, calculadas. Sin
        fórmulas en el tramo (la =SUMA del pie sobre 100 000 filas), sin pasar celda a celda."""
        filas_con_formula = self.por_columna.get(col, ())
        if any(desde <= f <= hasta for f in filas_con_formula):
            return [self.celda(i, col) for i in range(desde, hasta + 1)]
        return [
            fila[col] if col < len(fila) else None for fila in self.filas[desde : hasta + 1]
        ] + [None] * max(0, hasta + 1 - max(desde, len(self.filas)))

    def calcular(self, texto: str, fila: int, col: int) -> Any:
        forma = _forma(texto, fila, col)
        funcion = self.compiladas.get(forma)
        if funcion is None:
            try:
                funcion = _Compilador(_tokens(texto), fila, col).compilar()
            except NoSoportada as exc:
                funcion = exc
            self.compiladas[forma] = funcion
        if isinstance(funcion, NoSoportada):
            raise funcion
        return _escalar(funcion(self, fila, col))


def _forma(texto: str, fila: int, col: int) -> str:
    """La fórmula con sus referencias relativas escritas respecto a su celda."""

    def relativa(m: re.Match) -> str:
        c = m.group(2) if m.group(1) else f"C{columna(m.group(2)) - 1 - col}"
        f = m.group(4) if m.group(3) else f"R{int(m.group(4)) - 1 - fila}"
        return f"{m.group(1)}{c}{m.group(3)}{f}|"

    return _RE_REF_RELATIVA.sub(relativa, texto)


class _Compilador:
    """Descenso recursivo sobre los tokens; cada regla devuelve una función (calculo, fila,
    columna) → valor. Sin eval: solo números, referencias, + - * / ^ %, paréntesis y
    SUM/MIN/MAX/ROUND/ABS."""

    def __init__(self, tokens: list[tuple[str, str]], fila: int, col: int) -> None:
        self.tokens, self.pos, self.fila, self.col = tokens, 0, fila, col

    def compilar(self):
        funcion = self._suma()
        if self.pos != len(self.tokens):
            raise NoSoportada("fórmula")
        return funcion

    def _ver(self) -> tuple[str, str] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def _tomar(self) -> tuple[str, str]:
        token = self._ver()
        if token is None:
            raise NoSoportada("fórmula incompleta")
        self.pos += 1
        return token

    def _suma(self):
        izquierda = self._producto()
        while (t := self._ver()) and t[0] == "op" and t[1] in "+-":
            self.pos += 1
            derecha, operacion = self._producto(), _sumar if t[1] == "+" else _restar
            izquierda = _binaria(operacion, izquierda, derecha)
        return izquierda

    def _producto(self):
        izquierda = self._potencia()
        while (t := self._ver()) and t[0] == "op" and t[1] in "*/":
            self.pos += 1
            izquierda = _binaria(_multiplicar if t[1] == "*" else _dividir, izquierda,
                                 self._potencia())  # fmt: skip
        return izquierda

    def _potencia(self):
        base = self._unario()
        if self._ver() == ("op", "^"):
            self.pos += 1
            return _binaria(_elevar, base, self._potencia())
        return base

    def _unario(self):
        t = self._ver()
        if t and t[0] == "op" and t[1] in "+-":
            self.pos += 1
            interior = self._unario()
            if t[1] == "+":
                return lambda c, f, k: _numero(interior(c, f, k))
            return lambda c, f, k: -_numero(interior(c, f, k))
        funcion = self._primario()
        while self._ver() == ("op", "%"):
            self.pos += 1
            funcion = _binaria(_dividir, funcion, lambda c, f, k: 100.0)
        return funcion

    def _primario(self):
        tipo, texto = self._tomar()
        if tipo == "numero":
            valor = float(texto)
            return lambda c, f, k: valor
        if tipo == "ref":
            df, dc, fija_f, fija_c = self._relativa(texto)
            return lambda c, f, k: _escalar(
                c.celda(df if fija_f else f + df, dc if fija_c else k + dc)
            )
        if tipo == "funcion":
            return self._funcion(texto.upper())
        if (tipo, texto) == ("op", "("):
            interior = self._suma()
            if self._tomar() != ("op", ")"):
                raise NoSoportada("paréntesis")
            return interior
        raise NoSoportada(texto)

    def _relativa(self, ref: str) -> tuple[int, int, bool, bool]:
        m = _RE_CELDA_FIJA.fullmatch(ref)
        fila, col = int(m.group(4)) - 1, columna(m.group(2)) - 1
        fija_c, fija_f = bool(m.group(1)), bool(m.group(3))
        return (fila if fija_f else fila - self.fila, col if fija_c else col - self.col,
                fija_f, fija_c)  # fmt: skip

    def _funcion(self, nombre: str):
        if nombre not in _FUNCIONES:
            raise NoSoportada(nombre)
        argumentos = []
        if self._ver() == ("op", ")"):
            self.pos += 1
        else:
            while True:
                t = self._ver()
                if t and t[0] == "rango":
                    self.pos += 1
                    argumentos.append(self._rango(t[1]))
                else:
                    interior = self._suma()
                    argumentos.append(lambda c, f, k, i=interior: [i(c, f, k)])
                separador = self._tomar()
                if separador == ("op", ")"):
                    break
                if separador not in (("op", ","), ("op", ";")):
                    raise NoSoportada(nombre)
        if nombre in ("ROUND", "REDONDEAR"):
            if len(argumentos) != 2:
                raise NoSoportada(nombre)
            valor, cifras = argumentos
            return lambda c, f, k: round(
                _numero(valor(c, f, k)[0]), int(_numero(cifras(c, f, k)[0]))
            )
        if nombre == "ABS":
            if len(argumentos) != 1:
                raise NoSoportada(nombre)
            return lambda c, f, k: abs(_numero(_unico(argumentos[0](c, f, k))))
        return lambda c, f, k: _agregar(nombre, [a(c, f, k) for a in argumentos])

    def _rango(self, texto: str):
        inicio, fin = texto.split(":")
        a, b = self._relativa(inicio), self._relativa(fin)

        def celdas(c, f, k) -> list[Any]:
            f1, f2 = sorted(x[0] if x[2] else f + x[0] for x in (a, b))
            c1, c2 = sorted(x[1] if x[3] else k + x[1] for x in (a, b))
            if (f2 - f1 + 1) * (c2 - c1 + 1) > 2_000_000:
                raise NoSoportada(texto)
            return [v for j in range(c1, c2 + 1) for v in c.columna(j, f1, f2)]

        return celdas


_RE_CELDA_FIJA = re.compile(r"(\$?)([A-Z]{1,3})(\$?)(\d+)")


def _binaria(operacion, izquierda, derecha):
    return lambda c, f, k: operacion(izquierda(c, f, k), derecha(c, f, k))


def _multiplicar(a: Any, b: Any) -> float:
    return _numero(a) * _numero(b)


def _dividir(a: Any, b: Any) -> float:
    divisor = _numero(b)
    if divisor == 0:
        raise NoSoportada("división entre cero")
    return _numero(a) / divisor


def _elevar(a: Any, b: Any) -> float:
    return _numero(a) ** _numero(b)


def _unico(valores: list[Any]) -> Any:
    if len(valores) != 1:
        raise NoSoportada("rango")
    return valores[0]


def _agregar(nombre: str, grupos: list[list[Any]]) -> float:
    # SUM, MIN, MAX: como en Excel, en un rango solo cuentan los números; fechas o textos en la
    # suma, mejor que lo calcule Excel.
    numeros = []
    for grupo in grupos:
        for v in grupo:
            if type(v) in (int, float):
                numeros.append(float(v))
            elif isinstance(v, (date, str)) and v != "":
                raise NoSoportada(nombre)
    if nombre in ("SUM", "SUMA"):
        return sum(numeros)
    if not numeros:
        return 0.0
    return min(numeros) if nombre == "MIN" else max(numeros)


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
