"""Canales de envío: la interfaz y el registro viven en base.py; cada transporte en su módulo."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from recordar.canales.base import Canal, Envio, ErrorEnvio, ServidorInalcanzable, crear_canal
from recordar.errores import ErrorCanal

NOMBRES = ("email", "sms", "whatsapp", "archivo")

__all__ = [
    "Canal",
    "Envio",
    "ErrorEnvio",
    "ServidorInalcanzable",
    "crear_canal",
    "configurar_canales",
]


def canales_disponibles(config: dict[str, dict[str, Any]]) -> frozenset[str]:
    """Canales de mensaje con transporte configurado; sin configuración, todos (para simulacros)."""
    if not config:
        return frozenset(("email", "sms", "whatsapp"))
    if "archivo" in config:
        return frozenset(("email", "sms", "whatsapp"))
    return frozenset(c for c in ("email", "sms", "whatsapp") if c in config)


def revisar_canales(
    config: dict[str, dict[str, Any]],
    carpeta_base: Path | None = None,
    contacto: str = "",
    idioma: str = "",
) -> list[str]:
    """Los problemas que `enviar` encontraría al crear los canales, todos a la vez y sin enviar
    ni conectar nada (para `validar`): tipo desconocido, clave que sobra o falta, secreto mal
    escrito, pasarela cuya petición cambia de forma con un valor hostil…"""
    problemas = []
    for nombre, ajustes in config.items():
        try:
            configurar_canales({nombre: ajustes}, carpeta_base, contacto, idioma)
        except ErrorCanal as exc:
            problemas.append(exc.mensaje)
    return problemas


def variables_sin_definir(
    config: dict[str, dict[str, Any]], carpeta_base: Path | None = None, contacto: str = ""
) -> list[str]:
    """Las variables de entorno de secretos que la política nombra y aquí no están definidas
    (un envío real se negaría); sin leer ningún valor. Los canales que no se pueden crear ya
    los dice `revisar_canales`."""
    problemas = []
    for nombre, ajustes in config.items():
        try:
            rutas = configurar_canales({nombre: ajustes}, carpeta_base, contacto)
        except ErrorCanal:
            continue
        for canal in {id(c): c for c in rutas.values()}.values():
            problemas += canal.revisar_entorno()
    return problemas


def configurar_canales(
    config: dict[str, dict[str, Any]],
    carpeta_base: Path | None = None,
    contacto: str = "",
    idioma: str = "",
) -> dict[str, Canal]:
    """Canal de mensaje (email, sms, whatsapp) → transporte configurado.

    `archivo`, si está, recibe los canales de mensaje que no tienen transporte propio. Las
    carpetas relativas se toman desde la carpeta de la política (cron no depende del cwd).
    """
    instancias: dict[str, Canal] = {}
    for nombre, ajustes in config.items():
        if nombre not in NOMBRES:
            raise ErrorCanal(f"canales.{nombre}: nombre desconocido; usa {', '.join(NOMBRES)}")
        ajustes = dict(ajustes)
        carpeta = ajustes.get("carpeta")
        if (
            carpeta_base is not None
            and isinstance(carpeta, str)
            and not Path(carpeta).is_absolute()
        ):
            ajustes["carpeta"] = str(carpeta_base / carpeta)
        instancias[nombre] = crear_canal(nombre, ajustes)
        if contacto and hasattr(instancias[nombre], "usar_contacto"):
            instancias[nombre].usar_contacto(contacto)  # Reply-To y baja por omisión
        if idioma and hasattr(instancias[nombre], "usar_idioma"):
            instancias[nombre].usar_idioma(idioma)  # language.code de WhatsApp por omisión
    rutas: dict[str, Canal] = {}
    for canal in ("email", "sms", "whatsapp"):
        transporte = instancias.get(canal) or instancias.get("archivo")
        if transporte is None:
            continue
        if canal not in transporte.canales:
            raise ErrorCanal(
                f"canales.{transporte.nombre}: el tipo {transporte.tipo} no sirve para {canal}; "
                f"sirve para {', '.join(transporte.canales)}"
            )
        rutas[canal] = transporte
    return rutas
