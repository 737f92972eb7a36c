"""Valores por país (`cumplimiento:`): horario, topes, texto de baja e interés legal.

Son valores de partida para verificar con un asesor, no asesoría legal; cualquier clave de la
política los reemplaza.
"""

from __future__ import annotations

import copy
from typing import Any

PIE_BAJA = "Si no desea recibir más recordatorios por este medio, responda BAJA."

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
    # FDCPA / Regulation F: de 8:00 a 21:00 del deudor; forma clara de darse de baja.
    "US": {
        "horario": {
            "desde": "08:00",
            "hasta": "21:00",
            "dias": ["lunes", "martes", "miercoles", "jueves", "viernes", "sabado", "domingo"],
        },
        "feriados": "US",
        "limites": {"max_por_semana": 7, "por_canal": {"sms": {"max_por_semana": 3}}},
        "pie_baja": "Reply STOP to opt out / Responda BAJA para no recibir más mensajes.",
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


def aplicar_preset(datos: dict[str, Any], problemas: list[str]) -> dict[str, Any]:
    """La política con los valores del país debajo de los que escribió el usuario."""
    nombre = datos.get("cumplimiento")
    if nombre is None:
        return datos
    clave = str(nombre).strip().upper()
    if clave not in PRESETS:
        problemas.append(
            f"cumplimiento: «{nombre}» no es un país admitido (MX, ES, US, CO, CL o ninguno)"
        )
        return datos
    return _fusionar(copy.deepcopy(PRESETS[clave]), datos)


def _fusionar(base: dict[str, Any], encima: dict[str, Any]) -> dict[str, Any]:
    for clave, valor in encima.items():
        if isinstance(valor, dict) and isinstance(base.get(clave), dict):
            base[clave] = _fusionar(base[clave], valor)
        else:
            base[clave] = valor
    return base
