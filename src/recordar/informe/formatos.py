"""Los archivos del informe: json, csv, xlsx y html, solo legibles por su dueño y con las celdas
de texto neutralizadas para que no se ejecuten como fórmulas."""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path
from typing import Any

from recordar.errores import RecordarError, causa
from recordar.informe.archivos import JsonHecho, _codificador

FORMATOS = (".json", ".csv", ".xlsx", ".html")
PELIGROSOS = ("=", "+", "-", "@", "\t", "\r")
TANDA_JSON = 100  # registros por escritura del informe JSON


def escribir_informe(ruta: str | Path, datos: dict[str, Any]) -> Path:
    ruta = Path(ruta)
    extension = ruta.suffix.lower()
    if extension not in FORMATOS:
        raise RecordarError(
            f"{ruta}: formato de informe «{extension or 'sin extensión'}» no admitido; "
            "usa .json, .csv, .xlsx o .html"
        )
    if not ruta.parent.exists():
        raise RecordarError(f"{ruta}: la carpeta {ruta.parent} no existe; créala o elige otra ruta")
    escritor = {".json": _json, ".csv": _csv, ".xlsx": _xlsx, ".html": _html}[extension]
    try:
        _solo_del_dueno(ruta)
        escritor(ruta, datos)
    except OSError as exc:
        raise RecordarError(f"{ruta}: no se pudo escribir el informe ({causa(exc)})") from None
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
    if primero in PELIGROSOS or _primero_visible(valor) in _FORMULA:
        return "'" + valor
    return valor


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


def _html(ruta: Path, datos: dict[str, Any]) -> None:
    from jinja2 import Environment

    entorno = Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True)
    plantilla = entorno.from_string(PLANTILLA_HTML)
    texto = plantilla.render(
        datos=datos,
        secciones=SECCIONES,
        ejecucion=lineas_de_ejecucion(datos),
        lista=lambda v: ", ".join(map(str, v)) if isinstance(v, list) else v,
    )
    ruta.write_text(texto, encoding="utf-8")


PLANTILLA_HTML = """<!doctype html>
<html lang="es"><head><meta charset="utf-8">
<title>recordar · informe del {{ datos.fecha }}</title>
<style>
body{font-family:system-ui,sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;margin-bottom:2em;font-size:.9em}
th,td{border:1px solid #ccc;padding:.3em .6em;vertical-align:top;text-align:left}
th{background:#f2f2f2} td.cuerpo{white-space:pre-wrap;max-width:40em}
</style></head><body>
<h1>Informe de recordar · {{ datos.fecha }}{% if datos.simulacro %} (simulacro: nada se envió){% endif %}</h1>
<table><tr>{% for k in datos.resumen %}<th>{{ k }}</th>{% endfor %}</tr>
<tr>{% for v in datos.resumen.values() %}<td>{{ v }}</td>{% endfor %}</tr></table>
{% for titulo, lineas in ejecucion %}
<h2>{{ titulo }}{% if titulo != "SMS" %} ({{ lineas|length }}){% endif %}</h2>{# el de SMS es una línea de cifras, no una lista #}
<ul>{% for linea in lineas %}<li>{{ linea }}</li>{% endfor %}</ul>
{% endfor %}
{% for seccion, campos in secciones.items() %}
<h2>{{ seccion|capitalize }} ({{ datos[seccion]|length }})</h2>
{% if datos[seccion] %}
<table><tr>{% for c in campos %}<th>{{ c }}</th>{% endfor %}</tr>
{% for r in datos[seccion] %}<tr>{% for c in campos %}<td{% if c == 'cuerpo' %} class="cuerpo"{% endif %}>{{ lista(r.get(c, '')) }}</td>{% endfor %}</tr>
{% endfor %}</table>
{% endif %}
{% endfor %}
</body></html>
"""
