"""El informe .csv: todas las secciones en una tabla, con una columna «tipo».

Como lo abre Excel en el país de la política: si el idioma escribe los decimales con coma
(es_ES, es_AR, es_CO, es_CL…), separador «;» y números con coma decimal («250,5»), que es lo
que Excel espera allí; si no (es_MX, en_US), «,» y punto decimal. Siempre UTF-8 con BOM, para
que Excel reconozca los acentos. Las celdas de texto que Excel tomaría por fórmula van con un
apóstrofo delante (un CSV no tiene tipos: es la única forma).
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

from recordar.informe.formatos import SECCIONES, lineas_de_ejecucion, neutralizar
from recordar.informe.numeros import idioma_y_moneda, usa_coma_decimal


def separador_csv(idioma: str) -> str:
    """«;» si el idioma escribe los decimales con coma, «,» si no."""
    return ";" if usa_coma_decimal(idioma) else ","


def escribir_csv(ruta: Path, datos: dict[str, Any]) -> None:
    idioma, _ = idioma_y_moneda(datos)
    celda = _celda_con_coma if usa_coma_decimal(idioma) else _celda
    with ruta.open("w", encoding="utf-8-sig", newline="") as f:
        escritor = csv.writer(f, delimiter=separador_csv(idioma))
        filas = _filas_planas(datos, celda)
        columnas = next(filas)
        escritor.writerow(columnas)
        escritor.writerows(filas)
        for titulo, lineas in lineas_de_ejecucion(datos):
            for linea in lineas:  # en la columna «motivo», con su sección como «tipo»
                escritor.writerow([_celda(titulo)] + [_celda(linea) if c == "motivo" else ""
                                                      for c in columnas[1:]])  # fmt: skip


def _celda(valor: Any) -> Any:
    if isinstance(valor, list):
        valor = ", ".join(str(v) for v in valor)
    return neutralizar(valor)


def _celda_con_coma(valor: Any) -> Any:
    """Como _celda, con los números con coma decimal («-250,5»)."""
    t = type(valor)
    if t is float or t is Decimal:
        return str(valor).replace(".", ",")
    return _celda(valor)


def _filas_planas(datos: dict[str, Any], celda=_celda) -> Iterator[list]:
    """Todas las secciones en una sola tabla, con una columna «tipo»."""
    columnas = ["tipo"]
    for campos in SECCIONES.values():
        columnas += [c for c in campos if c not in columnas]
    yield columnas
    for seccion, campos in SECCIONES.items():
        tipo = seccion[:-1] if seccion != "omitidas" else "omitida"
        for registro in datos.get(seccion) or []:
            yield [tipo] + [celda(registro.get(c, "")) if c in campos else "" for c in columnas[1:]]
