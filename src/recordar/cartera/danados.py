"""Texto dañado en una celda: caracteres de control, «�» y texto UTF-8 leído como Windows-1252
(«JosÃ© NÃºÃ±ez»), con el motivo que se da al rechazarlo."""

from __future__ import annotations

import re

from recordar.cartera.valores import mostrar_control, tiene_control

# Texto que ya llegó estropeado: UTF-8 leído como Windows-1252 («JosÃ© NÃºÃ±ez», «NÂº»). «Ã» o
# «Â» seguidos de lo que Windows-1252 muestra para los bytes 80–BF nunca aparecen en español
# ni en portugués («SÃO PAULO» no es eso).
_MOJIBAKE = (
    "[ÂÃ][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc"
    "\u2013\u2014\u2018-\u201a\u201c-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]"
)
_RE_MOJIBAKE = re.compile(_MOJIBAKE)
# Lo que se puede quitar de un nombre sin cambiar lo que dice (no «�» ni texto estropeado).
_RE_CONTROL_QUITABLE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]"
)
_RE_SOSPECHOSO = re.compile(
    "[ÂÃ\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff\ufffd]"
)
_RE_TEXTO_DANADO = re.compile(
    _MOJIBAKE + "|[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff\ufffd]"
)


def _motivo_danado(texto: str) -> str:
    if tiene_control(texto):
        return (f"«{mostrar_control(texto)}» tiene un carácter de control o ilegible (como NUL o "
                "«�»): escríbelo de nuevo o guarda el archivo como UTF-8")  # fmt: skip
    try:
        arreglado = texto.encode("cp1252").decode("utf-8")
    except UnicodeError:
        arreglado = ""
    quiso = f" (¿«{arreglado}»?)" if arreglado and not _RE_MOJIBAKE.search(arreglado) else ""
    return (f"«{texto}» es texto mal decodificado{quiso}: corrige la celda, o exporta de "
            "nuevo el archivo como UTF-8")  # fmt: skip
