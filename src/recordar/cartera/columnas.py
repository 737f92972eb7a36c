"""Las columnas de la hoja, interpretadas cada una de una vez: cada valor distinto una sola vez
(clientes, fechas, contactos y monedas se repiten mucho) y, con una hoja grande, las columnas
más caras (importe, teléfono) en un proceso hijo mientras este hace las demás."""

from __future__ import annotations

from array import array
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from recordar.cartera.carga import clave_deudor
from recordar.cartera.contactos import normalizar_correos, normalizar_telefonos
from recordar.cartera.valores import (
    MEDIANOCHE,
    como_texto,
    es_vacio,
    normalizar,
)

if TYPE_CHECKING:
    from recordar.cartera.filas import _Lector
    from recordar.procesos import Hijo


CANALES = {
    "email": "email", "correo": "email", "e mail": "email", "mail": "email",
    "correo electronico": "email", "sms": "sms", "mensaje": "sms", "texto": "sms",
    "whatsapp": "whatsapp", "wa": "whatsapp", "whats": "whatsapp", "wsp": "whatsapp",
}  # fmt: skip


class _Columnas:
    """Cada columna de la hoja ya interpretada, fila por fila (None si la hoja no la tiene)."""

    def __init__(self, lector: _Lector, filas: list[list]) -> None:
        columnas, self.deudores, self.extras = _interpretar_columnas(lector, filas)
        self.clientes = columnas["cliente"]
        self.numeros = columnas["factura"]
        self.pagadas = columnas.get("estado")
        self.montos = columnas["monto"]
        self.vencimientos = columnas["vencimiento"]
        self.monedas = columnas.get("moneda")
        self.correos = columnas.get("correo")
        self.telefonos = columnas.get("telefono")
        self.no_contactar = columnas.get("no_contactar")
        self.zonas = columnas.get("zona_horaria")
        # Canal elegido: None si la celda está vacía, "" si no es un canal conocido.
        self.canales = columnas.get("canal")
        self.pausas = columnas.get("pausa_hasta")
        self.promesas = columnas.get("promesa_pago")
        self.disputas = columnas.get("disputa")
        self.enlaces = columnas.get("enlace_pago")


def _interpretar_columnas(lector: _Lector, filas: list[list]) -> tuple[dict, list, list]:
    """(campo → lo interpretado de cada fila, deudor de cada fila, columnas extra).

    Con una hoja grande, un proceso hijo interpreta las columnas más caras mientras este hace
    las demás; si el hijo falla, este las interpreta también y el resultado es el mismo.
    """
    celdas = lector.celdas
    interpretes = {c: f for c, f in _interpretes(lector).items() if c in celdas}
    del_hijo = [c for c in COLUMNAS_DEL_HIJO if c in celdas] if _repartir(len(filas)) else []
    hijo = _iniciar_hijo(celdas, interpretes, del_hijo) if del_hijo else None
    if hijo is None:
        del_hijo = []
    deudores = None
    try:
        columnas = {
            c: _por_valor(celdas[c], interpretes[c]) for c in interpretes if c not in del_hijo
        }
        if "cliente" in columnas:  # lo normal: el cliente no va al hijo
            deudores = _por_valor(columnas["cliente"], _cada(clave_deudor))
        extras = [
            (nombre, _por_valor(lector.columnas_hoja[j], _valores_extra))
            for j, nombre in lector.extras
        ]
        if hijo is not None:
            columnas.update(_recoger(hijo, celdas, interpretes, del_hijo))
    finally:
        if hijo is not None:
            hijo.cancelar()  # si ya se recogió, no hace nada
    if deudores is None:
        deudores = _por_valor(columnas["cliente"], _cada(clave_deudor))
    return columnas, deudores, extras


def _interpretes(lector: _Lector) -> dict[str, Callable[[list], list]]:
    """campo → la función que interpreta una lista de celdas de esa columna (cada una por su
    cuenta: el resultado de una celda no depende de las demás)."""
    region = lector.region
    return {
        "cliente": _textos,
        "factura": _textos,
        "estado": _cada(lector._pagada),
        "monto": lector._montos,
        "vencimiento": lambda valores: lector._fechas(
            valores, f"falta la fecha de vencimiento{lector.vacia}"
        ),
        "moneda": _cada(lector._codigo),
        "correo": lambda valores: _contactos(valores, normalizar_correos),
        "telefono": lambda valores: _contactos(valores, normalizar_telefonos, region),
        "no_contactar": _cada(lector._si),
        "zona_horaria": _textos,
        "canal": _cada(
            lambda v: None if es_vacio(v) else CANALES.get(normalizar(como_texto(v)), "")
        ),
        "pausa_hasta": lambda valores: lector._fechas(valores, None),
        "promesa_pago": lambda valores: lector._fechas(valores, None),
        "disputa": _cada(lector._si),
        "enlace_pago": _textos,
    }


def _cada(funcion: Callable[[Any], Any]) -> Callable[[list], list]:
    return lambda valores: list(map(funcion, valores))


def _textos(valores: list) -> list[str]:
    """como_texto de cada celda."""
    if _todo_texto(valores):  # para un str, como_texto es str.strip (lo vacío da «»)
        return list(map(str.strip, valores))
    return list(map(como_texto, valores))


def _valores_extra(valores: list) -> list:
    """_valor_extra de cada celda."""
    if _todo_texto(valores):  # para un str, _valor_extra es str.strip (lo vacío da «»)
        return list(map(str.strip, valores))
    return list(map(_valor_extra, valores))


def _contactos(valores: list, normalizar_contactos, *region: str) -> list[tuple | None]:
    """Correos o teléfonos de cada celda: None si está vacía, si no normalizar_contactos(texto)."""
    if _todo_texto(valores):  # para un str, vacía es «en blanco» y como_texto es str.strip
        return [normalizar_contactos(t, *region) if t else None for t in map(str.strip, valores)]
    return [None if es_vacio(v) else normalizar_contactos(como_texto(v), *region) for v in valores]


def _por_valor(valores: list, interprete: Callable[[list], list]) -> list:
    """interprete(valores), pero interpretando una sola vez cada valor distinto."""
    tabla = _distintos(valores)
    if tabla is None or len(tabla) == len(valores):  # todos distintos: agrupar no ahorra nada
        return interprete(valores)
    for v, resultado in zip(tabla, interprete(list(tabla)), strict=True):
        tabla[v] = resultado
    return list(map(tabla.__getitem__, valores))


def _todo_texto(valores: list) -> bool:
    """Si todas las celdas son str (siempre en un CSV); un str derivado no cuenta."""
    return set(map(type, valores)) <= {str}


def _distintos(valores: list) -> dict | None:
    """Los valores distintos en orden de aparición, o None si hay que ir uno por uno."""
    try:
        tabla = dict.fromkeys(valores)
    except TypeError:  # algún valor no se puede usar como clave
        return None
    # True == 1 y False == 0 como claves: si hay booleanos y números, uno por uno.
    if (True in tabla or False in tabla) and any(type(v) is bool for v in valores):
        return None
    return tabla


# Desde este número de filas, un proceso hijo (fork) interpreta las columnas más caras mientras
# el padre hace las demás. Con 100 000 filas: importe ~0,4 s y teléfono ~0,35 s en el hijo;
# cliente, factura, correo y el resto ~0,7 s en el padre.
FILAS_PARA_REPARTIR = 20_000
COLUMNAS_DEL_HIJO = ("monto", "telefono")


def _repartir(filas: int) -> bool:
    """Si las columnas se interpretan en dos procesos (ver procesos.cuantos_procesos)."""
    from recordar.procesos import cuantos_procesos

    return cuantos_procesos(filas, FILAS_PARA_REPARTIR) > 1


def _iniciar_hijo(celdas: dict, interpretes: dict, campos: list[str]) -> Hijo | None:
    from recordar.procesos import Hijo

    try:
        return Hijo(lambda: _interpretar_en_hijo(celdas, interpretes, campos))
    except OSError:  # sin procesos o sin memoria para otro: todo en este
        return None


def _interpretar_en_hijo(celdas: dict, interpretes: dict, campos: list[str]) -> list[tuple]:
    """Por columna, lo interpretado de cada valor distinto y el índice de cada fila en esa
    lista: ~2,5 MB por la tubería con 100 000 filas, y al padre solo le queda armar la lista."""
    enviados = []
    for campo in campos:
        resultados, indices = _interpretar_distintos(celdas[campo], interpretes[campo])
        if campo == "monto":
            resultados = _codificar_montos(resultados)
        enviados.append((resultados, indices))
    return enviados


def _recoger(hijo: Hijo, celdas: dict, interpretes: dict, campos: list[str]) -> dict[str, list]:
    """Las columnas del hijo, fila por fila; si el hijo falló, las interpreta este proceso."""
    try:
        recibidos = hijo.resultado()
        columnas = {}
        for campo, (resultados, indices) in zip(campos, recibidos, strict=True):
            if campo == "monto":
                resultados = _decodificar_montos(resultados)
            columnas[campo] = _por_fila(resultados, indices, len(celdas[campo]))
        return columnas
    except Exception:  # HijoPerdido, el error del hijo o datos que no cuadran
        return {c: _por_valor(celdas[c], interpretes[c]) for c in campos}


def _interpretar_distintos(
    valores: list, interprete: Callable[[list], list]
) -> tuple[list, array | None]:
    """(lo interpretado de cada valor distinto, índice de cada fila en esa lista); (por fila,
    None) si los valores no se pueden agrupar."""
    tabla = _distintos(valores)
    if tabla is None:
        return interprete(valores), None
    resultados = interprete(list(tabla))
    for i, v in enumerate(tabla):
        tabla[v] = i
    return resultados, array("I", map(tabla.__getitem__, valores))


def _por_fila(resultados: list, indices: array | None, filas: int) -> list:
    """Lo interpretado de cada fila, a partir de lo que devuelve _interpretar_distintos."""
    if indices is None:
        if len(resultados) != filas:
            raise ValueError("el hijo devolvió otro número de filas")
        return resultados
    if len(indices) != filas:
        raise ValueError("el hijo devolvió otro número de filas")
    return list(map(resultados.__getitem__, indices))


def _codificar_montos(montos: list[tuple]) -> tuple[list, list, list]:
    # pickle copia un Decimal ~6 veces más lento que su texto, del que vuelve idéntico
    # (mismo exponente: «1.50» sigue siendo 1.50).
    return [str(m[0]) for m in montos], [m[1] for m in montos], [m[2] for m in montos]


def _decodificar_montos(datos: tuple[list, list, list]) -> list[tuple]:
    textos, monedas, motivos = datos
    return list(zip(map(Decimal, textos), monedas, motivos, strict=True))


def _transponer(filas: list[list], ancho: int) -> list[tuple]:
    """Las celdas de cada columna (tuplas), al menos `ancho` columnas: las filas ya vienen
    completadas a ese ancho."""
    if not filas:
        return [()] * ancho
    return list(zip(*filas, strict=False))  # una fila más larga no cambia las primeras columnas


def _valor_extra(valor: Any) -> Any:
    # Con un str da lo mismo que str.strip (ver _por_valor).
    if es_vacio(valor):
        return ""
    if isinstance(valor, datetime):
        valor = datetime(*valor.timetuple()[:6])  # pandas.Timestamp → datetime
        return valor.date() if valor.time() == MEDIANOCHE else valor
    if isinstance(valor, float) and valor.is_integer():
        return int(valor)
    if isinstance(valor, str):
        return valor.strip()
    return valor
