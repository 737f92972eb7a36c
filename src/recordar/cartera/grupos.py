"""Filas de la hoja que no son facturas: filas de grupo con el cliente («Cliente: Ana») encima
de sus facturas, filas de totales («Total Ana», «Gran total») y filas vacías."""

from __future__ import annotations

import re
from typing import Any

from recordar.cartera.valores import como_texto, es_vacio, normalizar

_RE_TOTAL = re.compile(
    r"^(sub ?)?total(es)?( general| cartera| adeudado| pendiente)?$|^gran total$|^suma( total)?$"
)
# Rótulos de subtotal con algo detrás («Total Ana», «TOTAL MXN», «Subtotal vencido»): cuentan
# como totales solo si la fila no tiene fecha de vencimiento (un cliente «Total Play» sí la tiene).
_RE_SUBTOTAL = re.compile(r"^(sub ?)?total(es)? |^gran total |^suma ")


# «Cliente: Ana», «Customer - Ana», «Cliente 001 Ana» en una fila de grupo.
_RE_ROTULO_CLIENTE = re.compile(
    r"^\s*(cliente|customer|client|deudor|razon social|raz[oó]n social|nombre)\s*[:\-–]\s*",
    re.IGNORECASE,
)
_ROTULOS_CLIENTE = {"cliente", "customer", "client", "deudor", "razon social", "nombre"}


def _texto_de_grupo(fila: list) -> str:
    return " ".join(como_texto(c) for c in fila if not es_vacio(c))


def _cliente_de_fila_de_grupo(fila: list) -> str:
    """El cliente de una fila de grupo: una sola celda de texto («Cliente: Ana», «Ana») o dos,
    rótulo y nombre («Cliente:», «Ana»); "" si la fila no es así."""
    llenas = [c for c in fila if not es_vacio(c)]
    if not llenas or len(llenas) > 2 or not all(type(c) is str for c in llenas):
        return ""
    if len(llenas) == 2:
        if normalizar(llenas[0]) not in _ROTULOS_CLIENTE:
            return ""
        nombre = llenas[1].strip()
    else:
        nombre = _RE_ROTULO_CLIENTE.sub("", llenas[0]).strip()
    # Un nombre tiene letras; una fecha, un importe o un folio sueltos no son un grupo.
    if not any(ch.isalpha() for ch in nombre) or normalizar(nombre) in _ROTULOS_CLIENTE:
        return ""
    return nombre


def _dato_evidente(primera: Any) -> bool:
    """Si la primera celda ya basta para saber que la fila tiene datos y no es de totales:
    empieza con letra o cifra que no es la de «Total», «Suma» o «Gran total»."""
    return type(primera) is str and primera[:1].isalnum() and primera[0] not in "tsgTSG"


def _fila_vacia(fila: list) -> bool:
    for c in fila:
        if c is None or c == "" or (isinstance(c, str) and c.isspace()) or c != c:  # NaN
            continue
        return False
    return True
