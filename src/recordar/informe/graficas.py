"""Gráficas de los informes html: SVG estático dibujado con matplotlib, listo para incrustar.

matplotlib se importa al dibujar la primera gráfica (tarda ~0,5 s): `--help`, el json, el csv
y el xlsx no lo pagan. El SVG no trae fechas ni identificadores al azar (el mismo informe da el
mismo archivo), ni tamaño fijo: se ajusta al ancho de su caja, también en un teléfono.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Sequence
from functools import lru_cache

COLORES = ("#1f5f8b", "#e07b39", "#3a9d5d", "#c0392b", "#7d5ba6", "#8c8c8c")
_TAMANO = re.compile(r'<svg([^>]*?) width="[^"]*" height="[^"]*"')
# Los metadatos RDF de matplotlib (autor, formato, enlaces a matplotlib.org y purl.org): nada
# que mostrar y direcciones de la red en un informe que no la usa.
_METADATOS = re.compile(r"\s*<metadata>.*?</metadata>", re.DOTALL)


@lru_cache(maxsize=1)
def _pyplot():
    import matplotlib

    matplotlib.use("Agg", force=False)
    matplotlib.rcParams.update({
        "svg.fonttype": "none",  # texto como texto: pesa menos y se puede buscar
        "svg.hashsalt": "recordar",  # identificadores estables
        # Los nombres de los deudores se escriben tal cual: «$5 y $10» no es una fórmula.
        "text.parse_math": False,
        "font.family": "sans-serif",
        "font.size": 10,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.titleweight": "bold",
        "axes.titlesize": 11,
    })  # fmt: skip
    from matplotlib import pyplot

    return pyplot


def _svg(figura, titulo: str) -> str:
    import warnings

    pyplot = _pyplot()
    salida = io.StringIO()
    with warnings.catch_warnings():
        # Un emoji o una escritura sin glifo en la fuente: el SVG lleva el texto igual (lo
        # dibuja el navegador); el aviso de matplotlib no debe salir en la terminal.
        warnings.filterwarnings("ignore", message="Glyph .* missing from font")
        figura.savefig(salida, format="svg", bbox_inches="tight", metadata={"Date": None})
    pyplot.close(figura)
    texto = salida.getvalue()
    texto = _METADATOS.sub("", texto[texto.index("<svg") :], count=1)
    # Sin ancho ni alto fijos: la caja (viewBox) escala al ancho del contenedor.
    texto = _TAMANO.sub(
        r'<svg\1 role="img" preserveAspectRatio="xMidYMid meet" '
        r'style="width:100%;height:auto;max-width:100%"',
        texto,
        count=1,
    )
    from html import escape

    return texto.replace(">", f"><title>{escape(titulo)}</title>", 1)


def barras(
    etiquetas: Sequence[str],
    valores: Sequence[float],
    titulo: str,
    formato: Callable[[float], str] = lambda v: f"{v:,.0f}",
    horizontal: bool = False,
    notas: Sequence[str] | None = None,
    vacio: str = "Sin datos",
) -> str:
    """Barras con su valor escrito (`formato`) y, si se dan, `notas` debajo del valor (p. ej.
    «3 facturas»). Horizontales para nombres largos (los deudores que más deben). Sin barras,
    la gráfica está igual, con el texto `vacio` en medio."""
    pyplot = _pyplot()
    n = max(len(etiquetas), 1)
    if horizontal:
        figura, ejes = pyplot.subplots(figsize=(6.4, 0.9 + 0.38 * n))
        posiciones = list(range(len(etiquetas)))[::-1]
        barras_ = ejes.barh(posiciones, valores, color=COLORES[0])
        ejes.set_yticks(posiciones, [_cortar(e, 32) for e in etiquetas])
        ejes.xaxis.set_visible(False)
        ejes.spines["bottom"].set_visible(False)
    else:
        figura, ejes = pyplot.subplots(figsize=(6.4, 3.4))
        posiciones = list(range(len(etiquetas)))
        barras_ = ejes.bar(posiciones, valores, color=COLORES[: len(etiquetas)] or COLORES[0])
        ejes.set_xticks(posiciones, [_cortar(e, 18) for e in etiquetas])
        ejes.yaxis.set_visible(False)
        ejes.spines["left"].set_visible(False)
    textos = [formato(v) + (f"\n{notas[i]}" if notas else "") for i, v in enumerate(valores)]
    ejes.bar_label(barras_, labels=textos, padding=3, fontsize=9)
    ejes.margins(x=0.15 if horizontal else 0.05, y=0.05 if horizontal else 0.25)
    if not etiquetas:
        ejes.set_axis_off()
        ejes.text(0.5, 0.5, vacio, ha="center", va="center", transform=ejes.transAxes,
                  color=COLORES[-1])  # fmt: skip
    ejes.set_title(titulo, loc="left")
    return _svg(figura, titulo)


def lineas(
    etiquetas: Sequence[str],
    series: dict[str, Sequence[float]],
    titulo: str,
    formato: Callable[[float], str] = lambda v: f"{v:,.0f}",
) -> str:
    """Una línea por serie sobre las mismas `etiquetas` (p. ej. meses), con su último valor
    escrito al final."""
    pyplot = _pyplot()
    figura, ejes = pyplot.subplots(figsize=(6.4, 3.4))
    posiciones = list(range(len(etiquetas)))
    for i, (nombre, valores) in enumerate(series.items()):
        color = COLORES[i % len(COLORES)]
        ejes.plot(posiciones, valores, marker="o", color=color, label=nombre)
        if len(valores):
            ejes.annotate(formato(valores[-1]), (posiciones[-1], valores[-1]),
                          textcoords="offset points", xytext=(4, 4), fontsize=9, color=color)  # fmt: skip
    ejes.set_xticks(posiciones, [_cortar(e, 12) for e in etiquetas])
    ejes.yaxis.set_major_formatter(lambda v, _pos: formato(v))
    if len(series) > 1:
        ejes.legend(frameon=False)
    ejes.set_title(titulo, loc="left")
    return _svg(figura, titulo)


def _cortar(texto: str, largo: int) -> str:
    return texto if len(texto) <= largo else texto[: largo - 1] + "…"
