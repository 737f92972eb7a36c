"""Valores por país (`cumplimiento:`): horario, topes, texto de baja e interés legal.

Son valores de partida para verificar con un asesor, no asesoría legal; cualquier clave de la
política los reemplaza.
"""

from __future__ import annotations

import copy
from typing import Any

# Sin acentos fuera de GSM-7: en un SMS, una «á» obliga a UCS-2 (70 caracteres por segmento).
PIE_BAJA = "Para no recibir estos avisos, responda BAJA."
# El país de cada idioma: `recordar iniciar --idioma` escribe el `cumplimiento` que le toca.
PAIS_DE_IDIOMA = {"es_MX": "MX", "es_ES": "ES", "es_CO": "CO", "es_CL": "CL", "en_US": "US"}

PRESETS: dict[str, dict[str, Any]] = {
    # Disposiciones de la CONDUSEF sobre despachos de cobranza: de 7:00 a 22:00 del deudor.
    "MX": {
        "horario": {
            "desde": "07:00",
            "hasta": "22:00",
            "dias": ["lunes", "martes", "miercoles", "jueves", "viernes", "sabado"],
        },
        "feriados": "MX",
        "limites": {"max_por_semana": 3, "max_por_mes": 8},
        "pie_baja": PIE_BAJA,
        # Código de Comercio, art. 362: sin tasa pactada, el 6 % anual desde la mora.
        "interes_moratorio": {"tasa_anual": 6, "desde_dias": 1},
    },
    # Ley 3/2004 (operaciones entre empresas): BCE + 8 puntos por semestre y 40 EUR por factura.
    "ES": {
        "horario": {
            "desde": "09:00",
            "hasta": "21:00",
            "dias": ["lunes", "martes", "miercoles", "jueves", "viernes"],
        },
        "feriados": "ES",
        "limites": {"max_por_semana": 2, "max_por_mes": 6},
        "pie_baja": PIE_BAJA,
        "interes_moratorio": {
            "desde_dias": 1,
            "compensacion": 40,
            # Tipo legal de demora publicado en el BOE para cada semestre (verifícalo y añade
            # el de cada semestre nuevo): se aplica el del semestre en que vence la factura.
            "tabla": [
                {"desde": "2024-01-01", "tasa_anual": 12.50},
                {"desde": "2024-07-01", "tasa_anual": 12.25},
                {"desde": "2025-01-01", "tasa_anual": 11.15},
                {"desde": "2025-07-01", "tasa_anual": 10.15},
                {"desde": "2026-01-01", "tasa_anual": 10.15},
            ],
        },
    },
    # FDCPA / Regulation F: de 8:00 a 21:00 del deudor; forma clara de darse de baja. Sin
    # domingos: la ley no los prohíbe, pero nadie agradece un cobro en domingo (amplía
    # `horario.dias` si de verdad quieres).
    "US": {
        "horario": {
            "desde": "08:00",
            "hasta": "21:00",
            "dias": ["lunes", "martes", "miercoles", "jueves", "viernes", "sabado"],
        },
        "feriados": "US",
        "limites": {"max_por_semana": 7, "por_canal": {"sms": {"max_por_semana": 3}}},
        "pie_baja": "Reply STOP to opt out / Responda BAJA para no recibir estos avisos.",
    },
    # Ley 2300 de 2023: lunes a viernes 7–19 h y sábados 8–15 h; una vez por semana por medio,
    # dos por semana en total.
    "CO": {
        "horario": {
            "desde": "07:00",
            "hasta": "19:00",
            "dias": ["lunes", "martes", "miercoles", "jueves", "viernes", "sabado"],
        },
        "feriados": "CO",
        "limites": {
            "max_por_semana": 2,
            "por_canal": {c: {"max_por_semana": 1} for c in ("email", "sms", "whatsapp")},
        },
        "pie_baja": PIE_BAJA,
    },
    # Ley 21.320 (modifica la Ley 19.496): lunes a sábado de 8 a 20 h, no más de dos veces por semana.
    "CL": {
        "horario": {
            "desde": "08:00",
            "hasta": "20:00",
            "dias": ["lunes", "martes", "miercoles", "jueves", "viernes", "sabado"],
        },
        "feriados": "CL",
        "limites": {"max_por_semana": 2},
        "pie_baja": PIE_BAJA,
    },
    "NINGUNO": {},
}


def aplicar_preset(
    datos: dict[str, Any], problemas: list[str], notas: list[str] | None = None
) -> dict[str, Any]:
    """La política con los valores del país debajo de los que escribió el usuario.

    Cada clave del usuario que reemplaza un valor distinto del país queda dicha en `notas`
    (la vista previa y `validar` las muestran): nada se ignora en silencio.
    """
    nombre = datos.get("cumplimiento")
    if nombre is None:
        return datos
    clave = str(nombre).strip().upper()
    if clave not in PRESETS:
        problemas.append(
            f"cumplimiento: «{nombre}» no es un país admitido (MX, ES, US, CO, CL o ninguno)"
        )
        return datos
    base = copy.deepcopy(PRESETS[clave])
    interes = datos.get("interes_moratorio")
    if isinstance(interes, dict) and "tasa_anual" in interes and "tabla" not in interes:
        # La tasa del usuario manda: con la tabla del país debajo, tasa_para la ignoraría.
        tabla = base.get("interes_moratorio", {}).pop("tabla", None)
        if tabla and notas is not None:
            notas.append(
                f"interes_moratorio.tasa_anual: tu tasa ({interes['tasa_anual']} %) reemplaza la "
                f"tabla de tasas legales de cumplimiento {clave}"
            )
    return _fusionar(base, datos, clave, "", notas)


def _fusionar(
    base: dict[str, Any], encima: dict[str, Any], pais: str = "", donde: str = "",
    notas: list[str] | None = None,
) -> dict[str, Any]:  # fmt: skip
    for clave, valor in encima.items():
        ruta = f"{donde}{clave}"
        if isinstance(valor, dict) and isinstance(base.get(clave), dict):
            base[clave] = _fusionar(base[clave], valor, pais, f"{ruta}.", notas)
            continue
        if notas is not None and clave in base and base[clave] != valor and ruta != "cumplimiento":
            notas.append(
                f"{ruta}: tu valor ({_corto(valor)}) reemplaza el de cumplimiento {pais} "
                f"({_corto(base[clave])})"
            )
        base[clave] = valor
    return base


def _corto(valor: Any) -> str:
    if isinstance(valor, list):
        return ", ".join(map(str, valor)) if len(valor) <= 7 else f"{len(valor)} valores"
    return str(valor)
