"""Los archivos del informe: json, csv, xlsx y html, solo legibles por su dueño y con las celdas
de texto neutralizadas para que no se ejecuten como fórmulas."""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from recordar.errores import RecordarError, abierto_en_otro_programa, causa
from recordar.informe.archivos import JsonHecho, _codificador

FORMATOS = (".json", ".csv", ".xlsx", ".html")
PELIGROSOS = ("=", "+", "-", "@", "\t", "\r")
TANDA_JSON = 100  # registros por escritura del informe JSON


def escribir_informe(ruta: str | Path, datos: dict[str, Any]) -> Path:
    from recordar.informe import html

    escritores = {".json": _json, ".csv": _csv, ".xlsx": _xlsx, ".html": html.escribir}
    return escribir_archivo(
        ruta,
        {extension: partial(escritor, datos=datos) for extension, escritor in escritores.items()},
        no_admitido="formato de informe «{}» no admitido",
        fallo="no se pudo escribir el informe",
    )


def escribir_archivo(
    ruta: str | Path,
    escritores: dict[str, Callable[[Path], None]],
    no_admitido: str = "formato «{}» no admitido",
    fallo: str = "no se pudo escribir",
) -> Path:
    """Escribe `ruta` con el escritor de su extensión, solo legible por su dueño (lleva nombres e
    importes de los deudores). Los errores, en una frase: extensión que no está en `escritores`
    (`no_admitido` con la extensión en {}; usa …), carpeta que no existe, sin permiso, disco lleno o
    archivo abierto en Excel («{fallo} (…); cierra …»)."""
    ruta = Path(ruta)
    extension = ruta.suffix.lower()
    if extension not in escritores:
        *primeras, ultima = escritores
        raise RecordarError(
            f"{ruta}: {no_admitido.format(extension or 'sin extensión')}; "
            f"usa {', '.join(primeras)} o {ultima}"
        )
    if not ruta.parent.exists():
        raise RecordarError(f"{ruta}: la carpeta {ruta.parent} no existe; créala o elige otra ruta")
    try:
        _solo_del_dueno(ruta)
        escritores[extension](ruta)
    except OSError as exc:
        cerrar = abierto_en_otro_programa(ruta, exc)  # Windows: el archivo abierto en Excel
        que_hacer = f"; {cerrar}" if cerrar else ""
        raise RecordarError(f"{ruta}: {fallo} ({causa(exc)}){que_hacer}") from None
    return ruta


def _solo_del_dueno(ruta: Path) -> None:
    """Crea (o vacía) el informe con permisos 0600 antes de escribirlo, sea cual sea la umask:
    lleva nombres, teléfonos, correos e importes de los deudores. Los escritores abren luego el
    archivo existente, que conserva esos permisos."""
    descriptor = os.open(ruta, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        if hasattr(os, "fchmod"):
            os.fchmod(descriptor, 0o600)  # un informe anterior pudo quedar 0644
    finally:
        os.close(descriptor)


def _json(ruta: Path, datos: dict[str, Any]) -> None:
    # Un registro por línea, las listas por tandas de registros: pocas llamadas a write, sin
    # armar el informe entero en una sola cadena. En binario: los tramos ya vienen en UTF-8.
    codificar_dict = _codificador()

    def codificar(valor: Any) -> bytes:
        return valor if type(valor) is JsonHecho else codificar_dict(valor).encode()

    with ruta.open("wb") as f:
        f.write(b"{")
        for i, (clave, valor) in enumerate(datos.items()):
            f.write((b"," if i else b"") + codificar(clave) + b":")
            if isinstance(valor, list):
                f.write(b"[")
                for inicio in range(0, len(valor), TANDA_JSON):
                    tanda = valor[inicio : inicio + TANDA_JSON]
                    f.write(b",\n" if inicio else b"\n")
                    if any(type(v) is JsonHecho for v in tanda):
                        # Tramos ya codificados (megas cada uno): de a uno, sin juntarlos en
                        # una cadena aún más grande.
                        for k, v in enumerate(tanda):
                            if k:
                                f.write(b",\n")
                            f.write(v)
                    else:
                        f.write(",\n".join(map(codificar_dict, tanda)).encode())
                f.write(b"]")
            else:
                f.write(codificar(valor))
        f.write(b"}\n")


def neutralizar(valor: Any) -> Any:
    """Evita que una celda de texto se ejecute como fórmula al abrir el informe en Excel.

    Excel y LibreOffice saltan lo invisible del principio (espacios, controles, caracteres de
    ancho cero) y leen «＝» como «=»: se mira el primer carácter visible ya normalizado (NFKC),
    no el primero del texto. Los números de verdad (p. ej. -1500) no son texto y no se tocan.
    """
    if type(valor) is not str or not valor:
        return valor
    primero = valor[0]
    if primero.isalnum() or primero == "'":  # lo habitual: sin más trabajo
        return valor
    return "'" + valor if parece_formula(valor) else valor


def parece_formula(texto: str) -> bool:
    """Si una hoja de cálculo leería el texto (no vacío) como fórmula al editar la celda."""
    primero = texto[0]
    if primero.isalnum():
        return False
    return primero in PELIGROSOS or _primero_visible(texto) in _FORMULA


_FORMULA = frozenset("=+-@\u2212")  # también el signo menos tipográfico (−)


def _primero_visible(texto: str) -> str:
    """El primer carácter que no es espacio, control ni de formato, normalizado con NFKC."""
    for c in texto:
        if unicodedata.category(c)[0] not in "CZ":
            return unicodedata.normalize("NFKC", c)[:1]
    return ""


SECCIONES = {
    "mensajes": ("cliente", "facturas", "paso", "canal", "destinatario", "dias_vencido", "total",
                 "moneda", "interes", "asunto", "cuerpo", "estado"),
    "tareas": ("cliente", "facturas", "paso", "dias_vencido", "total", "descripcion"),
    "omitidas": ("fila", "factura", "cliente", "motivo"),
    "rechazos": ("fila", "columna", "valor", "motivo"),
    "avisos": ("fila", "columna", "valor", "motivo"),
}  # fmt: skip


def lineas_de_ejecucion(datos: dict[str, Any]) -> list[tuple[str, list[str]]]:
    """Lo que hay que ver antes de confiar en la ejecución, para cualquier formato de informe:
    avisos de la política, deudores sin canal configurado, SMS y su coste, tareas abiertas."""
    secciones: list[tuple[str, list[str]]] = []
    if datos.get("avisos_politica"):
        secciones.append(("Avisos de la política", list(datos["avisos_politica"])))
    if datos.get("sin_canal"):
        secciones.append(("Sin canal configurado", [
            f"{d['cliente']} — {d['tiene']} (facturas {', '.join(d['facturas'])})"
            for d in datos["sin_canal"]
        ]))  # fmt: skip
    if sms := datos.get("sms"):
        texto = f"{sms['mensajes']} SMS, {sms['segmentos']} segmentos"
        if "costo_estimado" in sms:
            texto += f", coste estimado {sms['costo_estimado']:.2f}"
        secciones.append(("SMS", [texto]))
    if datos.get("tareas_abiertas"):
        secciones.append(("Tareas abiertas", [
            f"#{t['id']} {t['cliente']} · {', '.join(t['facturas'])} · {t['paso']} · desde "
            f"{t['desde']}" for t in datos["tareas_abiertas"]
        ]))  # fmt: skip
    return secciones


def _csv(ruta: Path, datos: dict[str, Any]) -> None:
    from recordar.informe.csv_ import escribir_csv

    escribir_csv(ruta, datos)


def _xlsx(ruta: Path, datos: dict[str, Any]) -> None:
    from recordar.informe.xlsx import escribir_xlsx

    escribir_xlsx(ruta, datos)
