"""El informe al final de la corrida: los archivos (json, csv, xlsx, html) en `archivos`, lo que
se ve en la terminal en `vista`.

Se reexportan los nombres públicos para quien los importa desde `recordar.informe` (usuarios y
plugins); dentro de recordar se importa del módulo.
"""

from recordar.informe.archivos import (
    FORMATOS,
    TANDA_JSON,
    Resumen,
    a_dict,
    analizar,
    escribir_informe,
    json_de_antemano,
    mensaje_a_dict,
    mensajes_a_json,
    neutralizar,
    resumir,
)
from recordar.informe.vista import (
    mostrar,
    mostrar_envio,
    mostrar_notas,
    mostrar_otras_hojas,
    registro_a_dict,
)

__all__ = [
    "FORMATOS",
    "TANDA_JSON",
    "Resumen",
    "a_dict",
    "analizar",
    "escribir_informe",
    "json_de_antemano",
    "mensaje_a_dict",
    "mensajes_a_json",
    "mostrar",
    "mostrar_envio",
    "mostrar_notas",
    "mostrar_otras_hojas",
    "neutralizar",
    "registro_a_dict",
    "resumir",
]
