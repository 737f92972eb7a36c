"""El informe .csv como lo abre Excel en el país de la política: «;» y coma decimal donde los
decimales se escriben con coma (es_ES, es_AR, es_CO, es_CL…), «,» y punto en los demás (es_MX,
en_US); siempre UTF-8 con BOM para que Excel vea los acentos."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest

from recordar.informe.csv_ import separador_csv
from recordar.informe.formatos import escribir_informe
from tests.conftest import HOY, escribir_xlsx

CABECERA = ["Cliente", "Correo", "Teléfono", "Factura", "Vencimiento", "Importe"]
BOM = b"\xef\xbb\xbf"


def _correr_con_idioma(en_tmp, correr, idioma: str | None) -> bytes:
    """Un simulacro real con la política de `recordar iniciar --idioma` (o la predeterminada)."""
    d = lambda dias: (HOY + timedelta(days=dias)).isoformat()  # noqa: E731
    escribir_xlsx(en_tmp / "cartera.xlsx", [
        CABECERA,
        ["José Núñez; Hijos", "jose@ejemplo.mx", "", "F-1", d(-5), 2500.5],
        ["Ana Peña", "ana@ejemplo.mx", "", "F-2", d(-40), 1234],
        ["@SUMA(1+1)", "s@ejemplo.mx", "", "F-3", d(-3), 99.75],
    ])  # fmt: skip
    politica = []
    if idioma:
        r = correr("iniciar", "cobro", "--idioma", idioma)
        assert r.exit_code == 0, r.output
        politica = ["--politica", "cobro/politica.yaml"]
    r = correr("enviar", "cartera.xlsx", "--simulacro", "--hoy", HOY.isoformat(), "-o", "i.csv",
               *politica)  # fmt: skip
    assert r.exit_code == 0, r.output
    return (en_tmp / "i.csv").read_bytes()


def _filas(contenido: bytes, separador: str) -> list[list[str]]:
    assert contenido.startswith(BOM)
    return list(csv.reader(io.StringIO(contenido[3:].decode("utf-8"), newline=""),
                           delimiter=separador))  # fmt: skip


def _mensajes(filas: list[list[str]]) -> dict[str, dict[str, str]]:
    cabecera = filas[0]
    return {f[1]: dict(zip(cabecera, f, strict=True)) for f in filas[1:] if f[0] == "mensaje"}


def test_es_mx_coma_y_punto_decimal(en_tmp, correr):
    contenido = _correr_con_idioma(en_tmp, correr, None)
    primera = contenido[3:].split(b"\r\n", 1)[0]
    assert primera.startswith(b"tipo,cliente,facturas,paso,") and b";" not in primera
    mensajes = _mensajes(_filas(contenido, ","))
    assert mensajes["José Núñez; Hijos"]["total"] == "2500.5"
    assert mensajes["Ana Peña"]["total"] == "1234"
    assert mensajes["'@SUMA(1+1)"]["total"] == "99.75"  # el texto, con apóstrofo; el importe no
    assert "$2,500.50" in mensajes["José Núñez; Hijos"]["cuerpo"]


def test_es_es_punto_y_coma_y_coma_decimal_con_bom(en_tmp, correr):
    contenido = _correr_con_idioma(en_tmp, correr, "es_ES")
    texto = contenido[3:].decode("utf-8")
    assert texto.startswith("tipo;cliente;facturas;paso;")
    # El «;» del nombre va entre comillas; las comas decimales no chocan con nada.
    assert '"José Núñez; Hijos"' in texto
    filas = _filas(contenido, ";")
    assert len({len(f) for f in filas if f[0] in ("mensaje", "omitida", "tarea")}) == 1
    mensajes = _mensajes(filas)
    assert mensajes["José Núñez; Hijos"]["total"] == "2500,5"
    assert mensajes["Ana Peña"]["total"] == "1234"
    assert mensajes["'@SUMA(1+1)"]["total"] == "99,75"
    assert mensajes["Ana Peña"]["dias_vencido"] == "40"
    assert mensajes["Ana Peña"]["interes"] == "13,73"  # interés legal de España (Ley 3/2004)
    assert "1.234,00 €" in mensajes["Ana Peña"]["cuerpo"].replace("\xa0", " ")


@pytest.mark.parametrize(("idioma", "separador"), [
    ("es_MX", ","), ("en_US", ","), ("es_ES", ";"), ("es_AR", ";"), ("es_CO", ";"), ("es_CL", ";"),
])  # fmt: skip
def test_separador_segun_el_idioma(tmp_path, idioma, separador):
    assert separador_csv(idioma) == separador
    datos = {"fecha": "2026-11-23", "simulacro": True, "resumen": {}, "idioma": idioma,
             "mensajes": [], "omitidas": [], "rechazos": [], "avisos": [],
             "tareas": [{"cliente": "Ana", "facturas": ["F-1", "F-2"], "paso": "agencia",
                         "dias_vencido": 61, "total": -250.5, "descripcion": "=llamar"}]}  # fmt: skip
    contenido = escribir_informe(tmp_path / "i.csv", datos).read_bytes()
    filas = _filas(contenido, separador)
    tarea = dict(zip(filas[0], filas[1], strict=True))
    decimal = "," if separador == ";" else "."
    assert tarea["total"] == f"-250{decimal}5"  # un número: sin apóstrofo aunque empiece por «-»
    assert tarea["descripcion"] == "'=llamar"
    assert tarea["facturas"] == "F-1, F-2"
