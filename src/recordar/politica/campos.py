"""Leer un valor suelto de la política (texto, entero, número) y anotar su problema si no vale."""

from __future__ import annotations

import math
from decimal import Decimal, InvalidOperation
from typing import Any

SI_NO = (
    "sin comillas, yes/no/on/off/true/false se leen como sí o no: escribe el texto entre comillas"
)


# Topes de cordura: más allá son erratas (y un paso a 10¹² días desborda las fechas).
MAX_DIAS = 3650


def _texto_libre(valor: Any, donde: str, problemas: list[str]) -> str:
    """Un texto opcional (vacío si falta); un número vale como texto."""
    if valor is None:
        return ""
    if isinstance(valor, str):
        return valor
    if isinstance(valor, int | float) and not isinstance(valor, bool) and math.isfinite(valor):
        return str(valor)
    problemas.append(
        f"{donde}: debe ser un texto" + (f"; {SI_NO}" if isinstance(valor, bool) else "")
    )
    return ""


def _entero(
    datos: dict,
    clave: str,
    donde: str,
    problemas: list[str],
    requerido: bool = False,
    minimo: int | None = None,
    maximo: int | None = None,
) -> int | None:
    valor = datos.get(clave)
    if valor is None:
        if requerido:
            problemas.append(f"{donde}.{clave}: falta; debe ser un número entero")
        return None
    if isinstance(valor, bool) or not isinstance(valor, int):
        problemas.append(f"{donde}.{clave}: debe ser un número entero, no «{valor}»")
        return None
    if minimo is not None and valor < minimo:
        como = {0: "no puede ser negativo", 1: "debe ser un número entero mayor que 0"}
        problemas.append(f"{donde}.{clave}: {como.get(minimo, f'debe ser {minimo} o más')}")
        return None
    if maximo is not None and valor > maximo:
        problemas.append(f"{donde}.{clave}: no puede pasar de {maximo}")
        return None
    return valor


def _decimal(datos: dict, clave: str, donde: str, problemas: list[str]) -> Decimal:
    valor = datos.get(clave)
    if valor is None:
        return Decimal(0)
    try:
        if isinstance(valor, bool) or not isinstance(valor, int | float | str):
            raise InvalidOperation
        numero = Decimal(str(valor).strip())
        if not numero.is_finite():
            raise InvalidOperation
    except InvalidOperation:
        problemas.append(f"{donde}.{clave}: debe ser un número, no «{valor}»")
        return Decimal(0)
    if numero < 0:
        problemas.append(f"{donde}.{clave}: no puede ser negativo")
    return numero
