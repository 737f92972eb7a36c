"""`recordar resultados` (#14, sección 4): lo que se ve en la terminal y en los archivos, los
envíos fallidos e inciertos por canal, las bajas, el simulacro que no anota nada y los errores.
Las cifras de una historia larga están en test_resultados_historia.py."""

from __future__ import annotations

import csv
import io
import re
import sqlite3
from datetime import date, timedelta

import pytest

from tests.canal_falso import CanalMemoria
from tests.conftest import CABECERA, HOY, escribir_xlsx, leer_json, preparar_carpeta

POLITICA = """
empresa: {nombre: "Ferretería López", contacto: "cobranza@ejemplo.com"}
idioma: IDIOMA
moneda: MONEDA
pasos:
  - {id: previo, dias: -3, canales: [email], plantilla: previo}
  - {id: vencimiento, dias: 0, canales: [email], plantilla: vencimiento}
  - {id: recordatorio, dias: 1, canales: [email, sms], plantilla: recordatorio}
  - {id: seguimiento, dias: 6, canales: [email], plantilla: seguimiento}
canales:
  email: {tipo: memoria}
  sms: {tipo: memoria}
"""
PERIODO = ("--desde", (HOY - timedelta(days=30)).isoformat(), "--hasta",
           (HOY + timedelta(days=2)).isoformat())  # fmt: skip


def _hoja(carpeta, *, pagada: bool = False, saldo_luis: int = 400):
    d = lambda n: HOY + timedelta(days=n)  # noqa: E731
    filas = [CABECERA]
    if not pagada:
        filas.append(["José Núñez", "jose@ejemplo.com", "55 1234 5678", "F-1", d(-1), 1500])
    filas += [
        ["Ana Peña", "ana@ejemplo.com", "", "F-3", d(3), 300],
        ["+Luis Ruiz", "luis@ejemplo.com", "", "F-4", d(-6), saldo_luis],
    ]
    escribir_xlsx(carpeta / "cartera.xlsx", filas)


def _enviar(correr, dia: date, *extra):
    return correr("enviar", "cartera.xlsx", "--hoy", dia.isoformat(), *extra)


@pytest.fixture
def historia(en_tmp, monkeypatch, correr):
    """Dos ejecuciones reales: el 23/11 José recibe el recordatorio (correo y SMS), el previo de
    Ana queda incierto (se cortó tras entregarlo) y el seguimiento de Luis falla (buzón
    inexistente); el 25/11 José ya pagó (3 días tarde, 2 tras el aviso) y Luis abonó 100."""

    def preparar(idioma: str = "es_MX", moneda: str = "MXN"):
        politica = POLITICA.replace("IDIOMA", idioma).replace("MONEDA", moneda)
        preparar_carpeta(en_tmp, politica, monkeypatch)
        CanalMemoria.fallos = {"ana@ejemplo.com": ["quizas"], "luis@ejemplo.com": ["permanente"]}
        _hoja(en_tmp)
        assert _enviar(correr, HOY).exit_code == 1  # un incierto y un fallido
        _hoja(en_tmp, pagada=True, saldo_luis=300)
        assert _enviar(correr, HOY + timedelta(days=2)).exit_code == 1  # sigue el incierto
        return en_tmp

    return preparar


def test_en_un_registro_es_texto_llano_con_el_dinero_del_idioma(historia, correr):
    historia()
    r = correr("resultados", *PERIODO)
    assert r.exit_code == 0, r.output
    assert not set("│─┃━┏┡") & set(r.output)  # sin cajas: se lee en un log y grep funciona
    lineas = r.output.splitlines()
    assert lineas[0].startswith(
        "Resultados del 24/10/2026 al 25/11/2026 · facturas y mensajes en MXN · 2 ejecuciones"
    )
    # 1500 de José + el abono de 100 de Luis.
    assert "  Recuperado: $1,600.00" in lineas
    assert "  Abonos (pagos parciales): 1" in lineas
    assert "  Días de atraso al pagar: mediana: 3" in lineas
    assert "  Días del último aviso al pago: mediana: 2" in lineas
    # Por canal: email 1 enviado (José), 1 fallido (Luis), 1 incierto (Ana); sms 1 (José).
    email, email_problemas = [x.split() for x in lineas if x.split()[:1] == ["email"]]
    assert email[1:3] == ["1", "1"] and email_problemas == ["email", "1", "1"]
    sms, sms_problemas = [x.split() for x in lineas if x.split()[:1] == ["sms"]]
    assert sms[1:3] == ["1", "1"] and sms_problemas == ["sms", "0", "0"]


def test_en_una_terminal_son_tablas(historia, en_tmp):
    from rich.console import Console

    from recordar.resultados import calcular_resultados
    from recordar.resultados_salida import Escritura, imprimir

    historia()
    consola = Console(force_terminal=True, width=120, record=True, color_system=None)
    r = calcular_resultados(en_tmp / "recordar-bitacora.sqlite", HOY - timedelta(days=30),
                            HOY + timedelta(days=2))  # fmt: skip
    imprimir(r, Escritura("es_MX", "MXN"), consola)
    texto = consola.export_text()
    assert "Por canal" in texto and "───" in texto  # la raya bajo los encabezados
    assert "$1,600.00" in texto


def test_en_una_terminal_de_80_columnas_no_se_corta_ninguna_cifra(historia, en_tmp):
    from rich.console import Console

    from recordar.resultados import calcular_resultados
    from recordar.resultados_salida import Escritura, imprimir

    historia()
    r = calcular_resultados(en_tmp / "recordar-bitacora.sqlite", HOY - timedelta(days=30),
                            HOY + timedelta(days=2))  # fmt: skip
    for ancho in (80, 100, 160):
        consola = Console(force_terminal=True, width=ancho, record=True, color_system=None)
        imprimir(r, Escritura("es_MX", "MXN"), consola)
        texto = consola.export_text()
        tablas = texto.split("\n", 1)[1]  # la primera línea (con la ruta) puede ser más larga
        assert "…" not in tablas
        assert max(len(linea) for linea in tablas.splitlines()) <= ancho
        # La fila de noviembre entera, con sus importes y su atraso medio.
        (noviembre,) = [x.split() for x in tablas.splitlines() if x.strip().startswith("2026-11")]
        assert noviembre[1:4] == ["$1,600.00", "1", "1"]


def test_los_archivos_en_el_idioma_de_la_politica(historia, correr, en_tmp):
    from openpyxl import load_workbook

    historia("es_ES", "EUR")
    for nombre in ("r.json", "r.csv", "r.xlsx", "r.html"):
        r = correr("resultados", *PERIODO, "--salida", nombre)
        assert r.exit_code == 0, r.output
        assert f"Resultados escritos en {nombre}" in r.output
        assert (en_tmp / nombre).stat().st_mode & 0o077 == 0  # solo su dueño
    datos = leer_json(en_tmp / "r.json")
    assert datos["recuperado"]["monto"] == 1600 and datos["desde"] == "2026-10-24"
    (email,) = [c for c in datos["por_canal"] if c["canal"] == "email"]
    assert (email["mensajes"], email["fallidos"], email["inciertos"]) == (1, 1, 1)

    # CSV para Excel en español de España: «;», coma decimal y BOM.
    crudo = (en_tmp / "r.csv").read_bytes()
    assert crudo.startswith(b"\xef\xbb\xbf")
    filas = list(csv.reader(io.StringIO(crudo.decode("utf-8-sig")), delimiter=";"))
    assert filas[0] == ["seccion", "grupo", "indicador", "valor"]
    assert ["resumen", "", "Recuperado", "1600,00"] in filas
    assert ["envios_con_problemas", "email", "fallidos", "1"] in filas

    libro = load_workbook(en_tmp / "r.xlsx")
    assert libro.sheetnames == ["Lo recuperado", "Velocidad de pago", "Por mes", "Por paso",
                                "Por canal", "Envíos fallidos e inciertos",
                                "Promesas, disputas y bajas"]  # fmt: skip
    hoja = libro["Lo recuperado"]
    assert hoja["A1"].font.bold and hoja.freeze_panes == "A2" and hoja.auto_filter.ref
    assert hoja["B2"].value == 1600 and "EUR" in hoja["B2"].number_format
    mes = libro["Por mes"]
    assert [c.value for c in mes[1]][:3] == ["mes", "recuperado", "facturas"]
    assert (mes["A2"].value, mes["B2"].value) == ("2026-10", 0)  # el período empieza el 24/10
    assert (mes["A3"].value, mes["B3"].value) == ("2026-11", 1600)

    html = (en_tmp / "r.html").read_text(encoding="utf-8")
    assert '<meta name="viewport"' in html
    assert html.count("<svg") == 2  # tendencia por mes y pagadas a 30 días por paso
    assert "<td>Recuperado</td><td>1.600,00\xa0€</td>" in html
    # Autocontenido: nada que cargar de la red.
    for fuera in ("<script", "<link", "src=", "@import", "<img"):
        assert fuera not in html
    assert not re.findall(r"url\((?!#)", html)  # solo referencias dentro del propio SVG
    assert all(h.startswith("#") for h in re.findall(r'href="([^"]*)"', html))


def test_un_nombre_que_empieza_con_igual_no_es_formula_en_csv_ni_xlsx(historia, correr, en_tmp):
    """El cliente «+Luis Ruiz» llega a los archivos como texto en la columna de grupo."""
    from openpyxl import load_workbook

    historia()
    import recordar.resultados as modulo

    r = correr("resultados", *PERIODO, "--cliente", "luis", "--salida", "r.csv")
    assert r.exit_code == 0, r.output
    assert "cliente «luis»" in r.output
    datos = modulo.calcular_resultados(en_tmp / "recordar-bitacora.sqlite",
                                       HOY - timedelta(days=30), HOY + timedelta(days=2), "luis")  # fmt: skip
    assert datos.recuperado["monto"] == 100 and datos.recuperado["facturas"] == 0
    r = correr("resultados", *PERIODO, "--salida", "r.xlsx")
    assert r.exit_code == 0, r.output
    for hoja in load_workbook(en_tmp / "r.xlsx"):
        for fila in hoja.iter_rows(values_only=True):
            assert not any(isinstance(v, str) and v.startswith("+") for v in fila)


def test_el_simulacro_no_anota_saldos_ni_ejecuciones(historia, correr, en_tmp):
    historia()
    bitacora = en_tmp / "recordar-bitacora.sqlite"
    antes = bitacora.read_bytes()
    _hoja(en_tmp, pagada=True, saldo_luis=50)  # otro abono, visto solo por un simulacro
    r = _enviar(correr, HOY + timedelta(days=5), "--simulacro")
    assert r.exit_code == 0, r.output
    assert bitacora.read_bytes() == antes
    con = sqlite3.connect(bitacora)
    try:
        assert con.execute("SELECT COUNT(*) FROM ejecuciones").fetchone() == (2,)
        assert con.execute("SELECT MIN(CAST(monto AS REAL)) FROM saldos").fetchone() == (300.0,)
    finally:
        con.close()


def test_las_bajas_del_periodo_por_canal_y_del_cliente(historia, correr):
    historia()
    assert correr("baja", "jose@ejemplo.com").exit_code == 0
    assert correr("baja", "+525512345678", "--canal", "sms").exit_code == 0
    assert correr("baja", "otra@ejemplo.com").exit_code == 0
    hoy = date.today().isoformat()
    r = correr("resultados", "--hasta", hoy, "--salida", "r.json")  # la baja es de hoy
    assert r.exit_code == 0, r.output
    datos = leer_json(__import__("pathlib").Path("r.json"))
    assert datos["desde"] == (date.today() - timedelta(days=89)).isoformat()  # 90 días
    assert datos["bajas"] == {"total": 3, "por_canal": {"sms": 1, "todos": 2}}
    r = correr("resultados", "--cliente", "josé", "--salida", "r.json")
    datos = leer_json(__import__("pathlib").Path("r.json"))
    assert datos["bajas"] == {"total": 2, "por_canal": {"sms": 1, "todos": 1}}


@pytest.mark.parametrize(
    ("opciones", "frase"),
    [
        (("--desde", "2026-12-01", "--hasta", "2026-11-01"),
         "--desde 2026-12-01 es posterior a --hasta 2026-11-01"),
        (("--hasta", "31/02/2026"), "--hasta: «31/02/2026» no es una fecha"),
        (("--salida", "r.pdf"), "r.pdf: formato «.pdf» no admitido para los resultados; usa .html"),
        (("--salida", "no/hay/r.json"), "la carpeta no/hay no existe"),
    ],
)  # fmt: skip
def test_errores_en_una_frase(historia, correr, opciones, frase):
    historia()
    r = correr("resultados", *opciones)
    assert r.exit_code == 2, r.output
    assert frase in " ".join(r.output.split())
    assert "Traceback" not in r.output


def test_sin_bitacora_dice_de_donde_salen_los_resultados(en_tmp, correr):
    r = correr("resultados", "--bitacora", "no-existe.sqlite")
    assert r.exit_code == 2
    salida = " ".join(r.output.split())
    assert "no-existe.sqlite: la bitácora no existe" in salida
    assert "recordar enviar sin --simulacro" in salida
    assert not (en_tmp / "no-existe.sqlite").exists()


def test_resultados_abiertos_en_excel_lo_dicen_como_el_informe(historia):
    """Los resultados se escriben por el mismo camino que el informe (informe.formatos.
    escribir_archivo): un .xlsx abierto en Excel da la frase de cerrarlo, no un error de permisos."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    carpeta = historia()
    (carpeta / "resultados.xlsx").write_bytes(b"viejo")
    os.chmod(carpeta / "resultados.xlsx", 0)
    (carpeta / "~$resultados.xlsx").write_bytes(b"\x00" * 165)  # lo que deja Excel al abrirlo
    raiz = Path(__file__).resolve().parents[1]
    entorno = dict(os.environ, PYTHONPATH=os.pathsep.join([str(raiz / "src"), str(raiz)]))
    r = subprocess.run(
        ["setpriv", "--bounding-set=-dac_override,-dac_read_search", sys.executable, "-m",
         "recordar", "resultados", *PERIODO, "--salida", "resultados.xlsx"],
        cwd=carpeta, env=entorno, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    salida = " ".join((r.stdout + r.stderr).split())
    assert r.returncode == 2, salida
    assert "resultados.xlsx: no se pudieron escribir los resultados" in salida
    assert "cierra «resultados.xlsx» en Excel y vuelve a intentarlo" in salida
