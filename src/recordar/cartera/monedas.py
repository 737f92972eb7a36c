"""La moneda de una celda: símbolos, palabras («pesos», «dólares») y códigos ISO 4217."""

from __future__ import annotations

from functools import lru_cache

from recordar.cartera.valores import normalizar


@lru_cache(maxsize=4096)
def _codigo_moneda(texto: str, predeterminada: str) -> str | None:
    from recordar.cartera.valores import (
        PALABRAS_MONEDA,
        SIMBOLOS_MONEDA,
        moneda_de_pesos,
        moneda_del_signo,
    )

    t = texto.strip()
    if t in ("$",):
        return moneda_del_signo(predeterminada)
    if t in SIMBOLOS_MONEDA:
        return SIMBOLOS_MONEDA[t]
    n = normalizar(t)
    if n in PALABRAS_MONEDA:
        return PALABRAS_MONEDA[n] or moneda_de_pesos(predeterminada)
    codigo = t.upper()
    return codigo if es_moneda(codigo) else None


def es_moneda(codigo: str) -> bool:
    from babel.numbers import list_currencies

    return codigo in _monedas(list_currencies)


_CACHE_MONEDAS: set[str] = set()


def _monedas(list_currencies) -> set[str]:
    if not _CACHE_MONEDAS:
        _CACHE_MONEDAS.update(list_currencies())
    return _CACHE_MONEDAS
