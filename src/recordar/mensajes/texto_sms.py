"""El texto de un SMS: el alfabeto GSM-7, cuántos segmentos ocupa, quitar acentos fuera de GSM-7 y
elegir la variante que cabe."""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from typing import Any

# Alfabeto GSM 03.38: básico y extensión (estos cuentan doble).
GSM7_BASICO = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)


GSM7_EXTENSION = set("^{}\\[~]|€\f")


_GSM7 = frozenset(GSM7_BASICO | GSM7_EXTENSION)


def segmentos_sms(texto: str) -> tuple[int, int, str]:
    """(caracteres, segmentos, codificación): GSM-7 160/153, UCS-2 70/67."""
    letras = set(texto)
    if letras <= _GSM7:
        # Los de la extensión ocupan dos septetos.
        unidades = len(texto) + sum(texto.count(c) for c in letras & GSM7_EXTENSION)
        simple, partido, codificacion = 160, 153, "GSM-7"
    else:
        unidades = len(texto.encode("utf-16-le")) // 2
        simple, partido, codificacion = 70, 67, "UCS-2"
    if unidades <= simple:
        return unidades, 1 if unidades else 0, codificacion
    return unidades, -(-unidades // partido), codificacion


def elegir_sms(nucleo: Any, breve: Any = "", pago: Any = "", cierre: Any = "", contacto: Any = "",
               firma: Any = "", pie: str = "") -> str:  # fmt: skip
    """El SMS más completo que cabe en 1 segmento con el pie de baja que se añade después; si
    ninguno, el primero que cabe en 2; si tampoco, el breve sin firma.

    Variantes, de más a menos completa: núcleo + pago + cierre + contacto, sin cierre, sin
    contacto, solo con pago, solo el núcleo; luego lo mismo con el texto breve.
    """
    nucleo, breve, pago, cierre, contacto, firma = map(
        str, (nucleo, breve, pago, cierre, contacto, firma)
    )
    variantes = [nucleo + pago + cierre + contacto, nucleo + pago + contacto,
                 nucleo + pago + cierre, nucleo + pago, nucleo]  # fmt: skip
    if breve:
        variantes += [breve + pago + contacto, breve + pago, breve + contacto, breve]
    letras = set(pie).union(nucleo, breve, pago, cierre, contacto)
    if letras <= _GSM7:  # lo común: contar es sumar largos (la extensión cuenta doble)
        extension = letras & GSM7_EXTENSION

        def unidades(texto: str) -> int:
            return len(texto) + sum(map(texto.count, extension)) if extension else len(texto)

        uno, dos = 160, 306
    else:

        def unidades(texto: str) -> int:
            return len(texto.encode("utf-16-le")) // 2

        uno, dos = 70, 134
    for limite in (uno, dos):
        for texto in variantes:
            if unidades(texto + pie) <= limite:
                return texto
    ultimo = breve or nucleo
    return ultimo[len(firma) :] if firma and ultimo.startswith(firma) else ultimo


def a_gsm7(texto: Any) -> str:
    """El texto con cada letra acentuada fuera de GSM-7 sin su acento (í → i, Á → A): así un
    nombre como «Plomería» no hace que todo el SMS pase a UCS-2 (70 caracteres por segmento)."""
    texto = str(texto)
    return texto if set(texto) <= _GSM7 else _a_gsm7(texto)


@lru_cache(maxsize=4096)  # la firma, el contacto y los nombres se repiten entre mensajes
def _a_gsm7(texto: str) -> str:
    return "".join(c if c in _GSM7 else _SIN_ACENTO.get(c) or _letra_gsm7(c) for c in texto)


_SIN_ACENTO = {"“": '"', "”": '"', "‘": "'", "’": "'", "–": "-", "—": "-", "·": "-", "\u00a0": " "}


def _letra_gsm7(letra: str) -> str:
    base = unicodedata.normalize("NFD", letra)[0]
    return base if base in _GSM7 else letra
