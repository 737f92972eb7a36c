"""Informes (--salida): ninguna celda de texto llega a Excel como fórmula y el archivo es 0600."""

import csv
import os
import stat
from pathlib import Path

import pytest
from openpyxl import load_workbook

from recordar.informe.formatos import escribir_informe

# Textos que Excel (o LibreOffice) tomaría por fórmula, directamente o tras quitar lo invisible.
HOSTILES = [
    "=1+1",
    '\x02=HYPERLINK("http://x","y")',
    "\x00\x1f@SUMA(1)",
    " =1+1",
    "\u00a0+1+1",
    "\u200b=1+1",
    "\ufeff-1+1",
    "\u3000=1",
    '\uff1dHYPERLINK("http://x")',  # ＝ de ancho completo
    "\uff0b1+1",  # ＋
    "\uff0d1+1",  # －
    "\uff20SUMA(1)",  # ＠
    "\ufe66cmd",  # ﹦ pequeño
    "\t=1",
    "\r=1",
    "\n=1+1",
    "-2+3",
]


def _datos(hostil: str) -> dict:
    mensaje = {
        "cliente": hostil, "facturas": [hostil, "F-2"], "paso": "recordatorio",
        "canal": "email", "destinatario": "a@ejemplo.com", "dias_vencido": 3,
        "total": -1500, "moneda": "MXN", "interes": 0, "asunto": hostil, "cuerpo": hostil,
        "estado": "simulado",
    }  # fmt: skip
    problema = {"fila": 7, "columna": "Cliente", "valor": hostil, "motivo": hostil}
    return {
        "fecha": "2026-11-23",
        "simulacro": True,
        "resumen": {"filas": 1, "mensajes": 1},
        "mensajes": [mensaje],
        "tareas": [
            {
                "cliente": hostil,
                "facturas": ["F-3"],
                "paso": "agencia",
                "dias_vencido": 60,
                "total": -250.5,
                "descripcion": hostil,
            }
        ],  # fmt: skip
        "omitidas": [{"fila": 3, "factura": hostil, "cliente": hostil, "motivo": hostil}],
        "rechazos": [problema],
        "avisos": [problema],
    }


def _peligrosa(texto: str) -> bool:
    """Lo que Excel ejecutaría: el primer carácter visible, ya normalizado, es = + - @."""
    import unicodedata

    visible = "".join(
        c for c in unicodedata.normalize("NFKC", texto)
        if unicodedata.category(c)[0] not in "CZ"
    )  # fmt: skip
    return visible[:1] in ("=", "+", "-", "@") and not texto.startswith("'")


def _numero(texto: str) -> bool:
    try:
        float(texto)
    except ValueError:
        return False
    return True


@pytest.mark.parametrize("hostil", HOSTILES)
def test_xlsx_ninguna_celda_es_formula(tmp_path, hostil):
    ruta = escribir_informe(tmp_path / "informe.xlsx", _datos(hostil))
    libro = load_workbook(ruta)
    vistas = 0
    for hoja in libro:
        for fila in hoja.iter_rows():
            for celda in fila:
                assert celda.data_type != "f", (hoja.title, celda.coordinate, celda.value)
                if isinstance(celda.value, str):
                    # Texto, sin apóstrofo visible; si parece fórmula, con prefijo de comilla
                    # (una hoja de cálculo no lo ejecuta ni al editar la celda).
                    assert celda.data_type == "s", (hoja.title, celda.coordinate)
                    if _peligrosa(celda.value):
                        assert celda.quotePrefix, (hoja.title, celda.coordinate, celda.value)
                        vistas += 1
                    assert not celda.value.startswith("'"), (hoja.title, celda.value)
                    vistas += hostil.strip("\x00\x02\x1f") in celda.value and not _peligrosa(
                        celda.value
                    )
    assert vistas >= 8
    # Los importes negativos siguen siendo números (no texto con apóstrofo).
    assert libro["Mensajes"]["G2"].value == -1500
    assert libro["Tareas"]["E2"].value == -250.5


@pytest.mark.parametrize("hostil", HOSTILES)
def test_csv_ninguna_celda_empieza_como_formula(tmp_path, hostil):
    ruta = escribir_informe(tmp_path / "informe.csv", _datos(hostil))
    with ruta.open(encoding="utf-8-sig", newline="") as f:
        filas = list(csv.reader(f))
    celdas = [c for fila in filas for c in fila]
    assert sum(c.startswith("'") for c in celdas) >= 8
    assert not [c for c in celdas if _peligrosa(c) and not _numero(c)]
    mensaje = next(f for f in filas if f[0] == "mensaje")
    assert "-1500" in mensaje


def test_texto_normal_no_cambia(tmp_path):
    datos = _datos("José «Pepe» Núñez")
    ruta = escribir_informe(tmp_path / "informe.csv", datos)
    texto = ruta.read_text(encoding="utf-8-sig")
    assert "José «Pepe» Núñez" in texto and "'José" not in texto


@pytest.mark.parametrize("extension", [".json", ".csv", ".xlsx", ".html"])
def test_informe_solo_lo_lee_su_dueno(tmp_path, extension):
    viejo = os.umask(0o022)
    try:
        existente = tmp_path / f"viejo{extension}"
        existente.write_text("x")
        existente.chmod(0o644)
        for ruta in (tmp_path / f"nuevo{extension}", existente):
            escribir_informe(ruta, _datos("Ana"))
            assert stat.S_IMODE(Path(ruta).stat().st_mode) == 0o600, ruta
    finally:
        os.umask(viejo)
