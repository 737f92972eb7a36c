"""El informe al final de la corrida: sus datos (y su JSON) en `archivos`, los archivos (json,
csv, xlsx, html) en `formatos`, lo que se ve en la terminal en `vista`.

Se reexportan los nombres públicos para quien los importa desde `recordar.informe` (usuarios y
plugins); dentro de recordar se importa del módulo.
"""

from recordar.informe.archivos import (
    Resumen,
    a_dict,
    analizar,
    json_de_antemano,
    mensaje_a_dict,
    mensajes_a_json,
    resumir,
)
from recordar.informe.formatos import FORMATOS, TANDA_JSON, escribir_informe, neutralizar
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
