"""Lo que un usuario lee: --hoy en español, el resumen, saludos, puntos y el texto de cada país."""

from __future__ import annotations

from datetime import date

import pytest

from tests.conftest import CABECERA, escribir_xlsx, leer_json, preparar_carpeta

POLITICA = """
empresa: {nombre: "Ferretería López", contacto: "cobranza@ejemplo.com"}
pasos:
  - {id: recordatorio, dias: 1, canales: [email], plantilla: recordatorio}
  - {id: seguimiento, dias: 6, repetir_cada: 5, canales: [email], plantilla: seguimiento}
canales:
  email: {tipo: memoria}
"""


@pytest.fixture
def carpeta(en_tmp, monkeypatch):
    preparar_carpeta(en_tmp, POLITICA, monkeypatch)
    return en_tmp


def _hoja(carpeta, filas, extra=()):
    escribir_xlsx(carpeta / "cartera.xlsx", [CABECERA + list(extra), *filas])


# --- --hoy -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "hoy", ["06/12/2026", "6/12/2026", "06-12-2026", "06.12.2026", "2026-12-06"]
)
def test_hoy_acepta_dia_primero_como_se_escribe_en_espanol(carpeta, correr, hoy):
    _hoja(carpeta, [["Ana", "ana@ejemplo.com", "", "F-1", date(2026, 12, 4), 100]])
    r = correr("enviar", "cartera.xlsx", "--simulacro", "--hoy", hoy, "--salida", "i.json")
    assert r.exit_code == 0, r.output
    datos = leer_json(carpeta / "i.json")
    assert datos["fecha"] == "2026-12-06"
    assert datos["mensajes"][0]["dias_vencido"] == 2


def test_hoy_con_hora_y_dia_primero(carpeta, correr):
    _hoja(carpeta, [["Ana", "ana@ejemplo.com", "", "F-1", date(2026, 12, 4), 100]])
    r = correr("enviar", "cartera.xlsx", "--simulacro", "--hoy", "06/12/2026 10:30",
               "--salida", "i.json")  # fmt: skip
    assert r.exit_code == 0, r.output
    assert leer_json(carpeta / "i.json")["fecha"] == "2026-12-06"


@pytest.mark.parametrize("hoy", ["31/02/2026", "12/31/2026", "mañana", "2026/13/01"])
def test_hoy_que_no_es_fecha_se_explica_en_una_frase(carpeta, correr, hoy):
    _hoja(carpeta, [["Ana", "ana@ejemplo.com", "", "F-1", date(2026, 12, 4), 100]])
    r = correr("enviar", "cartera.xlsx", "--simulacro", "--hoy", hoy)
    assert r.exit_code == 2
    assert f"--hoy: «{hoy}» no es una fecha AAAA-MM-DD ni DD/MM/AAAA" in r.output
    assert "Traceback" not in r.output


# --- resumen -----------------------------------------------------------------------------


def test_el_resumen_no_corta_un_motivo_en_los_dos_puntos_de_una_hora(en_tmp, correr, monkeypatch):
    preparar_carpeta(en_tmp, POLITICA + "cumplimiento: MX\n", monkeypatch)
    _hoja(en_tmp, [
        ["Ana", "ana@ejemplo.com", "", "F-1", date(2026, 12, 4), 100],
        ["Beto", "beto@ejemplo.com", "", "F-2", date(2026, 12, 3), 100],
    ])  # fmt: skip
    # Domingo 6 de diciembre de 2026 a las 10:00: día no hábil con el horario de MX.
    r = correr("enviar", "cartera.xlsx", "--simulacro", "--hoy", "2026-12-06T10:00")
    assert r.exit_code == 0, r.output
    resumen = " ".join(r.output[r.output.index("Resumen:") :].split())
    assert "(2 día no hábil)" in resumen, resumen
    assert "07," not in resumen and "elegible" not in resumen
