"""La hoja «Resumen» del informe .xlsx: las cifras de dinero de la corrida (las de
`informe.cifras`, sin recalcular) como números con el formato de la moneda, la tabla de
antigüedad con su gráfica de barras nativa de Excel, lo vencido por paso, los que más deben,
las cuentas de la corrida y los avisos.

Un informe sin cifras (quien llama a `a_dict` sin `datos_de_ejecucion`) lleva solo las cuentas
y los avisos.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from recordar.informe.formatos import lineas_de_ejecucion, parece_formula
from recordar.informe.xlsx import _ILEGALES, HOJAS

# Las claves de datos["resumen"] con nombre para una persona (las desconocidas, tal cual).
CUENTAS = {
    "filas": "Filas leídas",
    "facturas": "Facturas abiertas",
    "rechazadas": "Filas rechazadas",
    "omitidas": "Facturas omitidas",
    "mensajes": "Mensajes",
    "tareas": "Tareas",
    "facturas_en_mensajes": "Facturas en los mensajes",
    "facturas_en_tareas": "Facturas en las tareas",
    "avisos": "Avisos de la hoja",
}
# (clave en cifras, etiqueta) de las cifras principales, en este orden.
PRINCIPALES = (
    ("abierto", "Saldo total"),
    ("vencido", "Vencido"),
    ("en_mensajes", "En los mensajes de hoy"),
    ("en_tareas", "En las tareas de hoy"),
    ("promesas", "Con promesa de pago vigente"),
    ("disputa", "En disputa"),
)
ANCHOS = {"A": 34, "B": 18, "C": 11, "D": 11}


def escribir_resumen(hoja, datos: dict[str, Any], estilos, moneda: str) -> None:
    from openpyxl.styles import Font

    grande, negrita = Font(bold=True, size=14), Font(bold=True)
    for columna, ancho in ANCHOS.items():
        hoja.column_dimensions[columna].width = ancho
    hoja["A1"] = "Informe de recordar"
    hoja["A1"].font = grande
    fila = 2
    fila = _par(hoja, fila, "Fecha", _fecha(datos.get("fecha")), estilos.fecha_formato)
    if "simulacro" in datos:
        texto = "sí: no se envió nada" if datos["simulacro"] else "no: envío de verdad"
        fila = _par(hoja, fila, "Simulacro", texto)
    if datos.get("cartera"):
        hoja_cartera = f" (hoja «{datos['hoja']}»)" if datos.get("hoja") else ""
        fila = _par(hoja, fila, "Cartera", f"{datos['cartera']}{hoja_cartera}")
    cifras = datos.get("cifras") or {}
    for bloque in cifras.get("monedas", []):
        fila = _bloque_de_moneda(hoja, fila + 1, bloque, cifras, estilos, negrita)
    fila += 1
    hoja.cell(fila, 1, "Cuentas de la corrida").font = negrita
    for clave, valor in (datos.get("resumen") or {}).items():
        fila += 1
        _par(hoja, fila, CUENTAS.get(clave, clave.replace("_", " ").capitalize()), valor)
    fila += 1
    for titulo, lineas in notas_de_ejecucion(datos):
        fila += 1
        hoja.cell(fila, 1, titulo).font = negrita
        for linea in lineas:
            fila += 1
            _celda(hoja, fila, 1, linea)


def _par(hoja, fila: int, etiqueta: str, valor: Any, formato: str | None = None) -> int:
    _celda(hoja, fila, 1, etiqueta)
    _celda(hoja, fila, 2, valor, formato)
    return fila + 1


def _bloque_de_moneda(hoja, fila: int, bloque: dict, cifras: dict, estilos, negrita) -> int:
    """Las cifras de una moneda: principales, antigüedad (con su gráfica), por paso y los que
    más deben. Devuelve la fila siguiente libre."""
    moneda = bloque["moneda"]
    dinero = estilos.formato_dinero(moneda)
    _cabecera(hoja, fila, [f"Cifras en {moneda}", "Importe", "Facturas", "%"], negrita)
    for clave, etiqueta in PRINCIPALES:
        fila += 1
        suma = bloque.get(clave) or {}
        hoja.cell(fila, 1, etiqueta)
        hoja.cell(fila, 2, suma.get("importe", 0)).number_format = dinero
        hoja.cell(fila, 3, suma.get("facturas", 0))
        if clave == "vencido":
            porcentaje = hoja.cell(fila, 4, (bloque.get("porcentaje_vencido") or 0) / 100)
            porcentaje.number_format = estilos.porcentaje
    for etiqueta, valor in (("Deudores", bloque.get("deudores")),
                            ("Deudores con vencido", bloque.get("deudores_vencidos")),
                            ("Tareas de hoy", cifras.get("tareas"))):  # fmt: skip
        if valor is not None:
            fila += 1
            hoja.cell(fila, 1, etiqueta)
            hoja.cell(fila, 3, valor)

    fila += 2
    inicio = fila
    _cabecera(hoja, fila, ["Antigüedad (días de atraso)", "Importe", "Facturas"], negrita)
    for tramo in bloque.get("antiguedad", []):
        fila += 1
        _celda(hoja, fila, 1, tramo["tramo"])
        hoja.cell(fila, 2, tramo["importe"]).number_format = dinero
        hoja.cell(fila, 3, tramo["facturas"])
    if fila > inicio:
        _grafica(hoja, inicio, fila, moneda, dinero)
        fila = max(fila, inicio + 15)  # la gráfica ocupa unas 15 filas a la derecha

    tablas = (
        ("Vencido por paso", "paso", bloque.get("por_paso", []), "importe", "facturas"),
        ("Los que más deben (vencido)", "cliente", bloque.get("principales", []), "vencido",
         "facturas"),
    )  # fmt: skip
    for titulo, nombre, filas, importe, cuantas in tablas:
        if not filas:
            continue
        fila += 2
        _cabecera(hoja, fila, [titulo, "Importe", "Facturas"], negrita)
        for registro in filas:
            fila += 1
            _celda(hoja, fila, 1, str(registro[nombre]))
            hoja.cell(fila, 2, registro[importe]).number_format = dinero
            hoja.cell(fila, 3, registro[cuantas])
    return fila + 1


def _grafica(hoja, cabecera: int, ultima: int, moneda: str, dinero: str) -> None:
    """Barras de lo abierto por tramo de antigüedad, con las celdas de la tabla como datos."""
    from openpyxl.chart import BarChart, Reference

    grafica = BarChart()
    grafica.type = "col"
    grafica.title = f"Antigüedad de lo abierto ({moneda})"
    grafica.legend = None
    grafica.y_axis.title = "Importe"
    grafica.y_axis.number_format = dinero
    grafica.y_axis.majorGridlines = None
    grafica.x_axis.delete = False  # openpyxl 3.1 oculta los ejes si no se dice
    grafica.y_axis.delete = False
    valores = Reference(hoja, min_col=2, min_row=cabecera, max_row=ultima)
    tramos = Reference(hoja, min_col=1, min_row=cabecera + 1, max_row=ultima)
    grafica.add_data(valores, titles_from_data=True)
    grafica.set_categories(tramos)
    grafica.width, grafica.height = 16, 7.5
    hoja.add_chart(grafica, f"F{cabecera}")


def _cabecera(hoja, fila: int, titulos: list[str], negrita) -> None:
    for i, titulo in enumerate(titulos, 1):
        _celda(hoja, fila, i, titulo).font = negrita


def _fecha(texto: Any) -> Any:
    if isinstance(texto, str):
        try:
            return date.fromisoformat(texto)
        except ValueError:
            return texto
    return texto


def _celda(hoja, fila: int, columna: int, valor: Any, formato: str | None = None):
    """Pone un valor en el resumen; un texto, a salvo: sin caracteres que Excel no admite y,
    si parece fórmula, como texto con prefijo de comilla (openpyxl tomaría «=…» por fórmula)."""
    celda = hoja.cell(fila, columna)
    if isinstance(valor, str):
        valor = _ILEGALES.sub("", valor)
        celda.value = valor
        if valor and parece_formula(valor):
            celda.data_type = "s"
            celda.quotePrefix = True
    else:
        celda.value = valor
    if formato:
        celda.number_format = formato
    return celda


def notas_de_ejecucion(datos: dict[str, Any]) -> list[tuple[str, list[str]]]:
    """Las líneas de `lineas_de_ejecucion` para el resumen; las secciones con hoja propia
    (deudores sin canal, tareas abiertas) solo dicen cuántos son y en qué hoja están."""
    con_hoja = {"Sin canal configurado": ("sin_canal", "deudor", "deudores"),
                "Tareas abiertas": ("tareas_abiertas", "tarea", "tareas")}  # fmt: skip
    notas = []
    for titulo, lineas in lineas_de_ejecucion(datos):
        if titulo in con_hoja:
            clave, una, varias = con_hoja[titulo]
            hoja = next(nombre for c, nombre, _ in HOJAS if c == clave)
            n = len(datos[clave])
            lineas = [f"{n} {una if n == 1 else varias}: ver la hoja «{hoja}»"]
        notas.append((titulo, lineas))
    return notas
