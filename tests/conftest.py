"""Utilidades de prueba: hojas reales escritas en tmp_path y el runner de la CLI."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

import pytest
from hypothesis import settings
from typer.testing import CliRunner

from recordar.cli import app

pytest_plugins = ["tests.servidor_http"]

# Sin plazo por ejemplo: una máquina de CI cargada no debe volver roja una propiedad correcta.
settings.register_profile("recordar", deadline=None)
settings.load_profile("recordar")

HOY = date(2026, 11, 23)
CABECERA = ["Cliente", "Correo", "Teléfono", "Factura", "Vencimiento", "Importe"]


def escribir_xlsx(
    ruta: Path, filas: list[list], titulo: str = "Cartera", hojas: dict | None = None
) -> Path:
    from openpyxl import Workbook

    libro = Workbook()
    hoja = libro.active
    hoja.title = titulo
    for fila in filas:
        hoja.append(fila)
    for nombre, otras in (hojas or {}).items():
        extra = libro.create_sheet(nombre)
        for fila in otras:
            extra.append(fila)
    libro.save(ruta)
    return ruta


def escribir_csv(
    ruta: Path, filas: list[list], separador: str = ",", codificacion: str = "utf-8"
) -> Path:
    texto = io.StringIO()
    csv.writer(texto, delimiter=separador, lineterminator="\r\n").writerows(filas)
    ruta.write_bytes(texto.getvalue().encode(codificacion))
    return ruta


def escribir_ods(ruta: Path, filas: list[list]) -> Path:
    import pandas as pd

    ancho = max(len(f) for f in filas)
    datos = [f + [None] * (ancho - len(f)) for f in filas]
    pd.DataFrame(datos).to_excel(
        ruta, engine="odf", header=False, index=False, sheet_name="Cartera"
    )
    return ruta


@pytest.fixture
def correr(monkeypatch, tmp_path_factory):
    """Ejecuta la CLI como lo haría un usuario; devuelve el resultado de Click."""
    # Nunca la bitácora real del usuario (la de la política predeterminada vive en XDG_DATA_HOME).
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path_factory.mktemp("datos_usuario")))
    monkeypatch.delenv("RECORDAR_BITACORA", raising=False)
    monkeypatch.setenv("RECORDAR_ANCHO", "200")
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.delenv("RECORDAR_DEPURAR", raising=False)
    runner = CliRunner()

    def _correr(*args: str, entrada: str | None = None):
        return runner.invoke(app, [str(a) for a in args], input=entrada, catch_exceptions=True)

    return _correr


@pytest.fixture
def en_tmp(tmp_path, monkeypatch):
    """Trabaja en una carpeta vacía (sin ./politica.yaml heredada)."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def leer_json(ruta: Path) -> dict:
    return json.loads(ruta.read_text(encoding="utf-8"))


def preparar_carpeta(carpeta: Path, politica: str, monkeypatch) -> Path:
    """Carpeta con la política dada, el canal en memoria vacío y reintentos sin espera."""
    from tests.canal_falso import CanalMemoria

    CanalMemoria.reiniciar()
    monkeypatch.setenv("RECORDAR_ESPERA_REINTENTO", "0")
    (carpeta / "politica.yaml").write_text(politica, encoding="utf-8")
    return carpeta
