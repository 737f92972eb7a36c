"""Interpretar celdas tal como la gente las escribe: importes y fechas (los teléfonos y los
correos, en contactos.py)."""

from __future__ import annotations

import math
import re
import unicodedata
import warnings
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache
from itertools import compress, repeat

CENTAVO = Decimal("0.01")
EPOCA_EXCEL = date(1899, 12, 30)
MEDIANOCHE = time(0)

MESES = {
    "ene": 1, "enero": 1, "jan": 1, "january": 1,
    "feb": 2, "febrero": 2, "february": 2,
    "mar": 3, "marzo": 3, "march": 3,
    "abr": 4, "abril": 4, "apr": 4, "april": 4,
    "may": 5, "mayo": 5,
    "jun": 6, "junio": 6, "june": 6,
    "jul": 7, "julio": 7, "july": 7,
    "ago": 8, "agosto": 8, "aug": 8, "august": 8,
    "sep": 9, "sept": 9, "set": 9, "septiembre": 9, "setiembre": 9, "september": 9,
    "oct": 10, "octubre": 10, "october": 10,
    "nov": 11, "noviembre": 11, "november": 11,
    "dic": 12, "diciembre": 12, "dec": 12, "december": 12,
}  # fmt: skip

SIMBOLOS_MONEDA = {"€": "EUR", "US$": "USD", "U$S": "USD", "£": "GBP", "S/": "PEN", "R$": "BRL"}
PALABRAS_MONEDA = {
    "pesos": None, "peso": None, "mn": "MXN", "m.n.": "MXN", "euros": "EUR", "euro": "EUR",
    "dolares": "USD", "dolar": "USD", "usd": "USD", "soles": "PEN",
}  # fmt: skip

# Hasta 15 cifras enteras: los más largos van por el camino lento, que los rechaza (MONTO_MAXIMO).
_RE_MONTO_SIMPLE = re.compile(r"-?\d{1,15}(?:[.,]\d{1,2})?")
# Un importe de mil billones (10^15) o más no es una deuda plausible sino un error de la hoja
# (celdas pegadas, un número de cuenta en la columna del importe); además, más allá de 28 cifras
# Decimal ya no sabe redondear a centavos. Se rechaza como cualquier importe que no vale.
MONTO_MAXIMO = Decimal(10) ** 15
# Caracteres de control (NUL, BEL…), invisibles de formato (espacio de ancho cero, marcas de
# dirección, BOM) y el carácter de reemplazo de una decodificación fallida: dentro de un valor
# nunca son parte de él, y quitarlos en silencio cambiaría el valor («3\\0 0» se leía 30).
_RE_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff\ufffd]")
# Espacios que separan miles («1 500», «1 500», «1 500»): solo entre grupos de tres cifras.
_ESPACIOS_DE_MILES = " \u00a0\u2009\u202f"
_RE_CIFRAS_CON_ESPACIO = re.compile(r"\d\s+\d")
_RE_MILES_CON_ESPACIO = re.compile(
    r"[-+(]?\d{1,3}(?:([ \u00a0\u2009\u202f])\d{3})(?:\1\d{3})*(?:[.,]\d+)?[-)]?"
)
_RE_NO_ALFANUMERICO = re.compile(r"[^a-z0-9]+")
_RE_CODIGO = re.compile(r"\b([A-Z]{3})\b")
_RE_PALABRAS_MONEDA = re.compile(
    r"(?i)\b(pesos?|euros?|d[oó]lares|d[oó]lar|soles|[a-z]{3})\b|\bm\.?n\b\.?|\$"
)
_RE_LETRAS = re.compile(r"[^\W\d_]")
_RE_NUMERO = re.compile(r"[^\d,.\-()]")
# La hora que a veces acompaña a la fecha («10:30», «12:00:00 a. m.», «T10:30:00Z», «-06:00»):
# se ignora; sin quitarla, la fecha caía en dateutil, que con día primero leía 2026/11/01 10:30
# como 11 de enero.
_HORA = (r"(?:[ t]+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:[ap]\.?\s?m\.?)?"
         r"\s*(?:z|[+-]\d{2}:?\d{2})?)?")  # fmt: skip
_RE_FECHA_NUM = re.compile(rf"^(\d{{1,2}})[/.\-](\d{{1,2}})[/.\-](\d{{2}}|\d{{4}}){_HORA}$")
_RE_FECHA_AMD = re.compile(rf"^(\d{{4}})[/.\-](\d{{1,2}})[/.\-](\d{{1,2}}){_HORA}$")
_RE_FECHA_TXT = re.compile(r"^(\d{1,2}) ([a-z]+) (\d{2}|\d{4})$")
_RE_FECHA_TXT_EN = re.compile(r"^([a-z]+) (\d{1,2}) (\d{4})$")
_RE_ISO = re.compile(rf"^(\d{{4}})-(\d{{2}})-(\d{{2}}){_HORA}$")


def normalizar(texto: object) -> str:
    """Minúsculas, sin acentos ni signos: «Razón Social:» → «razon social»."""
    return _normalizar(texto if isinstance(texto, str) else str(texto))


@lru_cache(maxsize=131072)
def _normalizar(texto: str) -> str:
    s = unicodedata.normalize("NFKD", texto).encode("ascii", "ignore").decode("ascii")
    return _RE_NO_ALFANUMERICO.sub(" ", s.lower()).strip()


def tiene_control(texto: str) -> bool:
    """Si el texto tiene un carácter de control, un invisible de formato o «�» (ver _RE_CONTROL)."""
    return _RE_CONTROL.search(texto) is not None


def mostrar_control(texto: str) -> str:
    """El texto con cada carácter de control a la vista: «3\\x00 0»."""
    return _RE_CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), texto)


def es_vacio(valor: object) -> bool:
    if valor is None or valor == "":
        return True
    if isinstance(valor, str):
        return valor.isspace()
    if isinstance(valor, float):
        return math.isnan(valor)
    return False


def como_texto(valor: object) -> str:
    """Texto de una celda tal como la vería el usuario (1023.0 → «1023»)."""
    if es_vacio(valor):
        return ""
    if isinstance(valor, float) and valor.is_integer():
        return str(int(valor))
    if isinstance(valor, datetime):
        return valor.date().isoformat() if valor.time() == MEDIANOCHE else valor.isoformat(sep=" ")
    if isinstance(valor, date):
        return valor.isoformat()
    return str(valor).strip()


# Monedas que se escriben con «$» y las que se llaman «pesos». Con otra moneda en la política
# (EUR, PEN…), «$» es el dólar de EE. UU. y «pesos» no dice de qué país.
CON_SIGNO_PESO = {"MXN", "COP", "CLP", "ARS", "UYU", "DOP", "CUP", "USD", "CAD", "AUD", "NZD",
                  "SGD", "HKD", "TWD", "NIO", "BSD", "BZD", "JMD", "TTD", "XCD", "GYD", "SRD"}  # fmt: skip
LLAMADAS_PESOS = {"MXN", "COP", "CLP", "ARS", "UYU", "DOP", "CUP", "PHP"}


def moneda_del_signo(predeterminada: str) -> str:
    """La moneda que «$» quiere decir con la moneda de la política."""
    return predeterminada if predeterminada in CON_SIGNO_PESO else "USD"


def moneda_de_pesos(predeterminada: str) -> str | None:
    """La moneda que «pesos» quiere decir, o None si la de la política no se llama así."""
    return predeterminada if predeterminada in LLAMADAS_PESOS else None


def parsear_monto(valor: object, predeterminada: str | None = None) -> tuple[Decimal, str | None]:
    """Importe y moneda (si la celda la dice): «$1,234.50», «1.234,56 €», «MXN 2,000».

    El separador decimal sale del propio texto, no del idioma ni del separador del CSV: con los
    dos, el decimal es el último; uno solo seguido de exactamente tres cifras es de miles
    («1,234» y «1.234» son 1234 en México y en España: ningún importe se escribe con tres
    decimales); con una, dos o más de tres cifras detrás es el decimal («12,5», «1234.567»).

    Con `predeterminada` (la moneda de la política), «$» y «pesos» se resuelven con ella (ver
    moneda_del_signo); si es una moneda sin «$» (EUR, PEN), «$» es USD y «pesos» sin país es un
    ValueError que lo dice. Sin ella, dan None (la moneda de la política, sea cual sea).
    Lanza ValueError si no es un importe.
    """
    if type(valor) is str:  # lo más común primero: el texto de un CSV
        s = valor.strip()
    elif isinstance(valor, bool):
        raise ValueError
    elif isinstance(valor, int | float):
        if isinstance(valor, float) and not math.isfinite(valor):
            raise ValueError
        # MONTO_MAXIMO como float: comparar un float con un Decimal es ~10 veces más lento.
        if not -1e15 < valor < 1e15:
            raise ValueError(_demasiado_grande(como_texto(valor)))
        return Decimal(repr(valor)).quantize(CENTAVO, ROUND_HALF_UP), None
    else:
        s = str(valor).strip()
    if _RE_MONTO_SIMPLE.fullmatch(s):  # «1234», «1234.5», «12450,50»: el caso más común
        return Decimal(s.replace(",", ".")).quantize(CENTAVO, ROUND_HALF_UP), None
    return _parsear_monto_texto(s, predeterminada)


def montos_simples(textos: list[str]) -> list[Decimal | None]:
    """El importe de cada texto escrito en la forma simple («1234», «-1234.5», «12450,50»),
    el mismo que daría parsear_monto; None para los demás (vacíos, con símbolos o miles).

    Para una columna entera: lo hace de una vez, sin una llamada por texto.
    """
    limpios = list(map(str.strip, textos))
    simples = list(map(_RE_MONTO_SIMPLE.fullmatch, limpios))
    cifras = map(str.replace, compress(limpios, simples), repeat(","), repeat("."))
    importes = map(Decimal.quantize, map(Decimal, cifras), repeat(CENTAVO), repeat(ROUND_HALF_UP))
    if all(simples):
        return list(importes)
    siguiente = importes.__next__
    return [siguiente() if simple else None for simple in simples]


# Signos de menos que no son el guion ASCII: el de Unicode (lo que se pega de un PDF o de una
# web), la raya numérica, la semirraya que Word pone en «–250» y sus formas de ancho completo.
_MENOS = str.maketrans({"\u2212": "-", "\u2012": "-", "\u2013": "-", "\ufe63": "-",
                        "\uff0d": "-"})  # fmt: skip


def _demasiado_grande(texto: str) -> str:
    return (f"«{texto}» es un importe demasiado grande (mil billones o más): revisa la celda; "
            "¿se pegaron dos valores o es otro número?")  # fmt: skip


def _parsear_monto_texto(s: str, predeterminada: str | None) -> tuple[Decimal, str | None]:
    if tiene_control(s):
        raise ValueError(
            f"«{mostrar_control(s)}» tiene un carácter de control (como NUL) dentro del importe: "
            "escríbelo de nuevo a mano"
        )
    s = s.translate(_MENOS)
    moneda = None
    resto = s
    for simbolo, codigo in SIMBOLOS_MONEDA.items():
        if simbolo in resto:
            moneda = codigo
            resto = resto.replace(simbolo, " ")
    pesos = False
    palabras = normalizar(resto).split()
    for palabra in palabras:
        if palabra in PALABRAS_MONEDA:
            if PALABRAS_MONEDA[palabra]:
                moneda = PALABRAS_MONEDA[palabra]
            else:
                pesos = True
    if "m n" in " ".join(palabras):  # «M.N.» (moneda nacional): normalizar lo deja en «m n»
        moneda = "MXN"
    m = _RE_CODIGO.search(resto.upper())
    if m:  # el código escrito gana: «1.500 pesos MXN» ya dice de qué país son los pesos
        moneda = m.group(1)
    if moneda is None and predeterminada is not None and predeterminada not in LLAMADAS_PESOS:
        if pesos:
            raise ValueError(
                f"«{s}»: ¿pesos de qué país? Escribe el código de la moneda (MXN, COP, CLP, "
                "ARS…) en la celda o en una columna Moneda"
            )
        if "$" in resto:
            moneda = moneda_del_signo(predeterminada)
    # Lo que queda sin moneda decide el signo: «$-500», «MXN -1,500.00», «$(500.00)»,
    # «1.234,56- EUR» son negativos como «-$500» o «(500)».
    nucleo = _RE_PALABRAS_MONEDA.sub(" ", resto).strip()
    if _RE_LETRAS.search(nucleo):
        raise ValueError
    if nucleo.endswith((".-", ",-")):  # «1.500,-»: sin centavos (Argentina, Chile), no negativo
        nucleo = nucleo[:-2]
    if _RE_CIFRAS_CON_ESPACIO.search(nucleo):
        # «1 500» es 1500 (miles con espacio, como en España o Francia); «3 0» o «1 50» no son
        # un número: antes se juntaban las cifras en silencio.
        if not _RE_MILES_CON_ESPACIO.fullmatch(nucleo):
            raise ValueError(
                f"«{s}»: las cifras separadas por espacios no forman grupos de miles de tres; "
                "escribe el importe sin espacios"
            )
        nucleo = nucleo.translate({ord(c): None for c in _ESPACIOS_DE_MILES})
    negativo = (nucleo.startswith("-") or nucleo.endswith("-")
                or (nucleo.startswith("(") and nucleo.endswith(")")))  # fmt: skip
    cifras = _RE_NUMERO.sub("", nucleo).replace("(", "").replace(")", "").replace("-", "")
    if not cifras or not any(c.isdigit() for c in cifras):
        raise ValueError
    cifras = _normalizar_separadores(cifras)
    try:
        numero = Decimal(cifras)
    except InvalidOperation:
        raise ValueError from None
    if numero and numero.adjusted() >= 15:  # |numero| >= MONTO_MAXIMO, sin comparar Decimales
        raise ValueError(_demasiado_grande(s))
    if negativo:
        numero = -numero
    return numero.quantize(CENTAVO, ROUND_HALF_UP), moneda


def _normalizar_separadores(c: str) -> str:
    comas, puntos = c.count(","), c.count(".")
    if comas and puntos:
        decimal_sep = "," if c.rfind(",") > c.rfind(".") else "."
        miles = "." if decimal_sep == "," else ","
        if c.count(decimal_sep) > 1:
            raise ValueError
        return c.replace(miles, "").replace(decimal_sep, ".")
    for sep in (",", "."):
        n = c.count(sep)
        if not n:
            continue
        partes = c.split(sep)
        grupos_de_miles = all(len(p) == 3 for p in partes[1:]) and 1 <= len(partes[0]) <= 3
        if n > 1:
            if not grupos_de_miles:
                raise ValueError
            return c.replace(sep, "")
        # Un solo separador: tres cifras detrás (y delante una a tres que no son «0») es de
        # miles; si no, el decimal («1234,5» = 1234.5; «0,125» = 0.125).
        if grupos_de_miles and partes[0] != "0":
            return c.replace(sep, "")
        return c.replace(sep, ".")
    return c


def parsear_fecha(valor: object, dia_primero: bool = True) -> date:
    """Fecha de una celda: fecha de Excel, número de serie, ISO, «15/03/2026», «15 de marzo de 2026».

    Lanza ValueError si no es una fecha válida.
    """
    if isinstance(valor, datetime):
        return valor.date()
    if isinstance(valor, date):
        return valor
    if isinstance(valor, bool):
        raise ValueError
    if isinstance(valor, int | float):
        return _desde_serie(valor)
    if hasattr(valor, "to_pydatetime"):  # pandas.Timestamp
        return valor.to_pydatetime().date()
    texto = str(valor).strip()
    if tiene_control(texto):  # «2026-11-\\x0001»: dateutil lo leía como fecha
        raise ValueError
    return _parsear_fecha_texto(texto, dia_primero)


# Números de serie de Excel entre 1950 y 2200: un «30» o un «1» en la columna de vencimiento
# es un día escrito a medias, no el 29/01/1900.
SERIE_MINIMA, SERIE_MAXIMA = 18264, 109939


def _desde_serie(numero: float) -> date:
    if not math.isfinite(numero) or not SERIE_MINIMA <= numero <= SERIE_MAXIMA:
        raise ValueError
    return EPOCA_EXCEL + timedelta(days=int(numero))


@lru_cache(maxsize=65536)
def _parsear_fecha_texto(s: str, dia_primero: bool) -> date:
    minusculas = s.lower()
    m = _RE_ISO.match(minusculas)
    if m:
        return _fecha(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    m = _RE_FECHA_NUM.match(minusculas)
    if m:
        a, b, anio = int(m.group(1)), int(m.group(2)), _anio(m.group(3))
        return _fecha(anio, b, a) if dia_primero else _fecha(anio, a, b)
    m = _RE_FECHA_AMD.match(minusculas)
    if m:
        return _fecha(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    if re.fullmatch(r"\d{5}(\.\d+)?", s):
        return _desde_serie(float(s))
    palabras = [p for p in normalizar(s).split() if p not in ("de", "del")]
    texto = " ".join(palabras)
    m = _RE_FECHA_TXT.match(texto)
    if m and m.group(2) in MESES:
        return _fecha(_anio(m.group(3)), MESES[m.group(2)], int(m.group(1)))
    m = _RE_FECHA_TXT_EN.match(texto)
    if m and m.group(1) in MESES:
        return _fecha(int(m.group(3)), MESES[m.group(1)], int(m.group(2)))
    return _fecha_con_dateutil(s, dia_primero)


def dia_primero_de(valores: list, predeterminado: bool) -> bool:
    """Si las fechas de una columna escritas con números («05/11/2026») llevan el día primero.

    Lo dice la propia columna cuando alguna fecha solo vale en un orden («23/11/2026» o
    «11/23/2026», p. ej. la de un Excel en inglés de Estados Unidos); si hay de los dos órdenes
    o ninguna lo aclara, el del idioma de la política.
    """
    dia = mes = False
    for valor in valores:
        if type(valor) is not str:
            continue
        m = _RE_FECHA_NUM.match(valor.strip().lower())
        if m:
            a, b = int(m.group(1)), int(m.group(2))
            dia = dia or (a > 12 >= b)
            mes = mes or (b > 12 >= a)
    return predeterminado if dia == mes else dia


_RE_ANIO_PRIMERO = re.compile(r"\s*\d{4}[\s/.\-]+\d{1,2}[\s/.\-]+\d{1,2}\b")


def _fecha_con_dateutil(s: str, dia_primero: bool) -> date:
    # Último recurso; exige día, mes y año para no inventar fechas a partir de texto suelto.
    if len(re.findall(r"\d+", s)) < 3:
        raise ValueError
    from dateutil import parser

    # Con el año delante («2026-03-05 10:30 CET», «2026 03 05») el orden es año-mes-día (ISO),
    # diga lo que diga la columna: con dayfirst, dateutil leía el 5 de marzo como 3 de mayo.
    anio_primero = bool(_RE_ANIO_PRIMERO.match(s))
    try:
        with warnings.catch_warnings():  # «CET»: la zona no importa para una fecha sin hora
            warnings.simplefilter("ignore")
            return parser.parse(s, dayfirst=dia_primero and not anio_primero,
                                yearfirst=anio_primero).date()  # fmt: skip
    except (ValueError, OverflowError, parser.ParserError):
        raise ValueError from None


def _anio(texto: str) -> int:
    anio = int(texto)
    return anio + 2000 if anio < 100 else anio


def _fecha(anio: int, mes: int, dia: int) -> date:
    if not 1900 <= anio <= 2200:
        raise ValueError
    return date(anio, mes, dia)  # ValueError para 31/02


# Condiciones de los segmentos: «>= 50000», «!= contado», «habitual» (sin operador es «=»).
OPERADORES = (">=", "<=", "!=", ">", "<", "=")


def partir_condicion(condicion: str) -> tuple[str, str]:
    """(operador, valor esperado) de una condición."""
    texto = condicion.strip()
    operador = next((op for op in OPERADORES if texto.startswith(op)), "")
    return operador or "=", texto[len(operador) :].strip()


def numero_de_condicion(valor: object) -> Decimal | None:
    """El número de una celda o de una condición («1,200» → 1200); None si es texto (también
    «NaN» o «inf»: se comparan como texto)."""
    if isinstance(valor, bool):
        return None
    try:
        numero = Decimal(str(valor).replace(",", ""))
    except InvalidOperation:
        return None
    return numero if numero.is_finite() else None


def cantidad(n: int, singular: str, plural: str | None = None) -> str:
    """«1 fila», «0 filas», «3 filas»; `plural` si no es el singular con «s»."""
    return f"{n} {singular}" if n == 1 else f"{n} {plural or singular + 's'}"
