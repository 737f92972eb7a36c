"""Los valores de ejemplo de `recordar iniciar`: mientras sigan en la política, no se envía de
verdad."""

from __future__ import annotations

from typing import Any

from recordar.politica.politica import Politica

# Lo que `recordar iniciar` escribe como ejemplo (ahora y en versiones anteriores) y lo del
# ejemplo de la documentación: mientras siga en la política, no se envía de verdad. Se comparan
# los valores enteros (sin distinguir espacios ni mayúsculas), los dominios y las marcas.
_VALORES_DE_EJEMPLO = (
    "Mi Empresa S.A. de C.V.",
    "cobranza@miempresa.com · 55 1234 5678",
    "https://pagos.miempresa.com/?ref={{ factura }}",
    "CLABE 012 180 00123456789 0 (BBVA)",
    "Cobranza Mi Empresa <cobranza@miempresa.com>",
)


_DOMINIOS_DE_EJEMPLO = (
    "miempresa.com", "miempresa.ejemplo", "pagos.ejemplo.com", "ferreterialopez.ejemplo.mx",
)  # fmt: skip


_MARCAS_DE_EJEMPLO = ("EJEMPLO", "00123456789")


_CLAVES_EMPRESA = ("nombre", "contacto", "enlace_pago", "datos_bancarios")


_CLAVES_CANAL = ("remitente", "usuario", "servidor", "url")


def _normalizar_ejemplo(texto: str) -> str:
    return " ".join(texto.split()).casefold()


_EJEMPLOS = frozenset(map(_normalizar_ejemplo, _VALORES_DE_EJEMPLO))


def es_valor_de_ejemplo(valor: Any) -> bool:
    """True si el texto es (o contiene) uno de los valores de ejemplo de `recordar iniciar`."""
    import re

    if not isinstance(valor, str) or not valor.strip():
        return False
    if _normalizar_ejemplo(valor) in _EJEMPLOS or any(m in valor for m in _MARCAS_DE_EJEMPLO):
        return True
    for dominio in re.findall(r"(?:@|//|^)([\w-]+(?:\.[\w-]+)+)", valor.strip().casefold()):
        if any(dominio == d or dominio.endswith("." + d) for d in _DOMINIOS_DE_EJEMPLO):
            return True
    return False


def valores_de_ejemplo(politica: Politica) -> list[str]:
    """Las claves de la política que aún tienen un valor de ejemplo (empresa y canales)."""
    claves = [
        f"empresa.{clave}"
        for clave in _CLAVES_EMPRESA
        if es_valor_de_ejemplo(politica.empresa.get(clave))
    ]
    for canal, ajustes in politica.canales.items():
        claves += [
            f"canales.{canal}.{clave}"
            for clave in _CLAVES_CANAL
            if es_valor_de_ejemplo(ajustes.get(clave))
        ]
    return claves
