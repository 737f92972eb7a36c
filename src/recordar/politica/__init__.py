"""La política de cobranza: leer y validar el YAML (politica, lectura_yaml), los presets de cada
país (cumplimiento), el calendario de envíos (calendario) y los segmentos de deudores
(segmentos). Alimenta el plan.

Se reexportan los nombres públicos de `recordar.politica.politica`, `validacion` y `ejemplos`
para quien los importa desde `recordar.politica` (usuarios y plugins); dentro de recordar se
importa del módulo.
"""

from recordar.politica.ejemplos import valores_de_ejemplo
from recordar.politica.politica import (
    CANALES_MENSAJE,
    Cadencia,
    InteresMoratorio,
    Limites,
    Paso,
    Politica,
    Segmento,
    cargar_politica,
    texto_para_idioma,
    texto_predeterminado,
    ubicar_politica,
)
from recordar.politica.validacion import validar_politica

__all__ = [
    "CANALES_MENSAJE",
    "Cadencia",
    "InteresMoratorio",
    "Limites",
    "Paso",
    "Politica",
    "Segmento",
    "cargar_politica",
    "texto_para_idioma",
    "texto_predeterminado",
    "ubicar_politica",
    "validar_politica",
    "valores_de_ejemplo",
]
