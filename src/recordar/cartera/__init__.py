"""La cartera: leer la hoja de cuentas por cobrar (carga), interpretar sus celdas (valores) y
revisar y calcular sus fórmulas (libro, formulas, calculo).

Se reexportan los nombres públicos de `recordar.cartera.carga` para quien los importa desde
`recordar.cartera` (usuarios y plugins); dentro de recordar se importa del módulo.
"""

from recordar.cartera.carga import (
    EXTENSIONES_EXCEL,
    EXTENSIONES_TEXTO,
    Cartera,
    Contacto,
    Factura,
    Omitida,
    Rechazo,
    cargar_cartera,
    clave_deudor,
)

__all__ = [
    "EXTENSIONES_EXCEL",
    "EXTENSIONES_TEXTO",
    "Cartera",
    "Contacto",
    "Factura",
    "Omitida",
    "Rechazo",
    "cargar_cartera",
    "clave_deudor",
]
