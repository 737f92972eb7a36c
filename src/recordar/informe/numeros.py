"""Cómo escribe números el idioma de la política, para los informes que se abren en una hoja de
cálculo: el formato de moneda y de porcentaje de Excel (xlsx) y la coma decimal (csv).

Los informes de quien llama a `a_dict` sin `datos_de_ejecucion` no traen idioma ni moneda: se
usan los de la política predeterminada (es_MX, MXN).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

IDIOMA = "es_MX"
MONEDA = "MXN"
_ESPACIOS = frozenset(" \u00a0\u202f\u2009")


def idioma_y_moneda(datos: dict[str, Any]) -> tuple[str, str]:
    """El idioma y la moneda de la política del informe, o los predeterminados."""
    return datos.get("idioma") or IDIOMA, datos.get("moneda") or MONEDA


@lru_cache(maxsize=64)
def formato_moneda(idioma: str, moneda: str) -> str:
    """El formato de número de Excel de un importe: «"$"#,##0.00» en es_MX, «#,##0.00 "€"» en
    es_ES; del patrón de moneda de babel para ese idioma, con los decimales de la moneda.

    Excel escribe «,» y «.» con los separadores del equipo que abre el archivo: el formato solo
    dice dónde va el símbolo y cuántos decimales lleva.
    """
    from babel import Locale
    from babel.numbers import get_currency_precision, get_currency_symbol

    locale = Locale.parse(idioma)
    patron = locale.currency_formats["standard"]
    simbolo = get_currency_symbol(moneda, locale=locale)
    decimales = get_currency_precision(moneda)
    numero = "#,##0" + ("." + "0" * decimales if decimales else "")
    (antes, antes_neg), (despues, despues_neg) = patron.prefix, patron.suffix
    positivo = _literal(antes, simbolo) + numero + _literal(despues, simbolo)
    if (antes_neg, despues_neg) in (("-" + antes, despues), (antes, despues)):
        return positivo  # Excel pone el signo delante, como el idioma
    # Otro sitio para el signo (p. ej. «$-1.500» en es_CL): una sección para los negativos.
    negativo = _literal(antes_neg, simbolo) + numero + _literal(despues_neg, simbolo)
    return f"{positivo};{negativo}"


@lru_cache(maxsize=16)
def formato_porcentaje(idioma: str) -> str:
    """«0.0%» o «0.0 %» (es_ES) con un decimal, como el idioma escribe el signo de porcentaje."""
    from babel import Locale

    sufijo = Locale.parse(idioma).percent_formats[None].suffix[0]
    return "0.0" + (" " if sufijo[:1] in _ESPACIOS else "") + "%"


def formato_fecha(idioma: str) -> str:
    """El formato de fecha corta de Excel, el mismo orden que `Formato.fecha_corta`."""
    return "mm/dd/yyyy" if idioma.replace("-", "_").endswith("_US") else "dd/mm/yyyy"


def _literal(texto: str, simbolo: str) -> str:
    """Un prefijo o sufijo de babel en un formato de Excel: los espacios de los extremos tal
    cual, el resto entre comillas (el símbolo puede ser «US$» o llevar letras que Excel leería
    como código; el «-» de una sección de negativos es texto)."""
    texto = "".join(" " if c in _ESPACIOS else c for c in texto).replace("¤", simbolo)
    centro = texto.strip()
    if not centro:
        return texto
    izquierda = texto[: len(texto) - len(texto.lstrip())]
    derecha = texto[len(texto.rstrip()) :]
    return f'{izquierda}"{centro}"{derecha}'


@lru_cache(maxsize=16)
def usa_coma_decimal(idioma: str) -> bool:
    """Si el idioma escribe los decimales con coma (es_ES, es_AR, es_CO, es_CL…)."""
    from babel.numbers import get_decimal_symbol

    return get_decimal_symbol(idioma) == ","
