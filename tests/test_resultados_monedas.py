"""`recordar resultados` nunca suma monedas distintas: cada cifra de dinero (y las de efectividad
y envíos con problemas) es de una moneda, la de la política o la de `--moneda`, y cada salida
dice cuántas facturas de otras monedas quedan fuera. Bitácoras reales, hechas con `recordar
enviar` sobre una hoja .xlsx con la columna «Moneda»; las cifras esperadas, a mano."""

from __future__ import annotations

import csv
import io
import sqlite3
from datetime import timedelta

import pytest

from tests.canal_falso import CanalMemoria
from tests.conftest import HOY, escribir_xlsx, leer_json, preparar_carpeta

POLITICA = """
empresa: {nombre: "Ferretería López", contacto: "cobranza@ejemplo.com"}
idioma: es_MX
moneda: MXN
pasos:
  - {id: recordatorio, dias: 1, canales: [email], plantilla: recordatorio}
canales:
  email: {tipo: memoria}
"""
CABECERA = ["Cliente", "Correo", "Factura", "Vencimiento", "Importe", "Moneda"]
PERIODO = ("--desde", (HOY - timedelta(days=30)).isoformat(), "--hasta",
           (HOY + timedelta(days=2)).isoformat())  # fmt: skip
NOTA_USD = "hay 3 facturas en USD que no se cuentan aquí; usa --moneda USD"
NOTA_MXN = "hay 2 facturas en MXN que no se cuentan aquí; usa --moneda MXN"


def _hoja(carpeta, segunda: bool = False) -> None:
    """El 23/11: José debe F-1 (1500 MXN) y F-5 (50 USD), Ana F-2 (200 USD), Luis F-3 (400 USD)
    y Eva F-4 (1000 MXN). El 25/11 José pagó F-1 (3 días tarde), Ana pagó F-2 (4 días tarde) y
    Luis abonó 100 USD (le quedan 300)."""
    d = lambda n: HOY + timedelta(days=n)  # noqa: E731
    filas = [CABECERA]
    if not segunda:
        filas.append(["José Núñez", "jose@ejemplo.com", "F-1", d(-1), 1500, "MXN"])
        filas.append(["Ana Peña", "ana@ejemplo.com", "F-2", d(-2), 200, "USD"])
    filas += [
        ["Luis Ruiz", "luis@ejemplo.com", "F-3", d(-6), 300 if segunda else 400, "USD"],
        ["Eva Soto", "eva@ejemplo.com", "F-4", d(-6), 1000, "MXN"],
        ["José Núñez", "jose@ejemplo.com", "F-5", d(-1), 50, "USD"],
    ]
    escribir_xlsx(carpeta / "cartera.xlsx", filas)


def _enviar(correr, dias: int):
    return correr("enviar", "cartera.xlsx", "--hoy", (HOY + timedelta(days=dias)).isoformat())


@pytest.fixture
def dos_monedas(en_tmp, monkeypatch, correr):
    """Dos envíos reales; el correo a Luis (su factura en USD) rebota."""
    preparar_carpeta(en_tmp, POLITICA, monkeypatch)
    CanalMemoria.fallos = {"luis@ejemplo.com": ["permanente"]}
    _hoja(en_tmp)
    assert _enviar(correr, 0).exit_code == 1  # el rebote de Luis
    _hoja(en_tmp, segunda=True)
    r = _enviar(correr, 2)
    assert r.exit_code in (0, 1), r.output
    return en_tmp


def _json(correr, en_tmp, *opciones) -> dict:
    r = correr("resultados", *PERIODO, *opciones, "--salida", "r.json")
    assert r.exit_code == 0, r.output
    return leer_json(en_tmp / "r.json")


def test_cada_moneda_con_sus_propias_cifras(dos_monedas, correr):
    # MXN: F-1 pagada (1500, vencida) y F-4 sigue vencida (1000): 1500 / 2500 = 60 %.
    # Avisadas por correo el 23/11: F-1 y F-4 (2 mensajes), pagada a los 2 días F-1: 50 %.
    mxn = _json(correr, dos_monedas)
    assert (mxn["moneda"], mxn["otras_monedas"], mxn["nota"]) == ("MXN", {"USD": 3}, NOTA_USD)
    assert mxn["recuperado"] == {"monto": 1500, "facturas": 1, "abonos": 0, "monto_abonos": 0,
                                 "monto_vencido": 1500, "porcentaje_vencido": 60.0}  # fmt: skip
    assert mxn["vencido_al_final"]["monto"] == 1000 and mxn["vencido_al_final"]["facturas"] == 1
    assert mxn["velocidad"]["pagos"] == 1 and mxn["velocidad"]["dias_tarde_mediana"] == 3
    (email,) = mxn["por_canal"]
    assert (email["mensajes"], email["facturas"], email["pagadas"]) == (2, 2, 1)
    assert (email["pagadas_7"], email["fallidos"]) == (50.0, 0)
    assert [m["recuperado"] for m in mxn["por_mes"]] == [0, 1500]
    assert mxn["por_mes"][-1]["saldo_vencido"] == 1000

    # USD: F-2 pagada (200) + el abono de Luis (100) = 300, todo vencido; siguen vencidas F-3
    # (300) y F-5 (50): 300 / 650 = 46,2 %. Correos: José (F-5) y Ana (F-2) salieron, el de
    # Luis rebotó: 2 mensajes, 2 facturas avisadas, F-2 pagada a los 2 días.
    usd = _json(correr, dos_monedas, "--moneda", "usd")
    assert (usd["moneda"], usd["otras_monedas"], usd["nota"]) == ("USD", {"MXN": 2}, NOTA_MXN)
    assert usd["recuperado"] == {"monto": 300, "facturas": 1, "abonos": 1, "monto_abonos": 100,
                                 "monto_vencido": 300, "porcentaje_vencido": 46.2}  # fmt: skip
    assert usd["vencido_al_final"]["monto"] == 350 and usd["vencido_al_final"]["facturas"] == 2
    assert usd["velocidad"]["pagos"] == 1 and usd["velocidad"]["dias_tarde_mediana"] == 4
    (email,) = usd["por_canal"]
    assert (email["mensajes"], email["facturas"], email["pagadas"]) == (2, 2, 1)
    assert (email["pagadas_7"], email["fallidos"]) == (50.0, 1)
    assert [m["recuperado"] for m in usd["por_mes"]] == [0, 300]
    assert usd["por_mes"][-1]["saldo_vencido"] == 350


def test_la_nota_en_la_terminal_y_en_cada_archivo(dos_monedas, correr, en_tmp):
    from openpyxl import load_workbook

    r = correr("resultados", *PERIODO)
    assert r.exit_code == 0, r.output
    lineas = r.output.splitlines()
    assert "· facturas y mensajes en MXN · 2 ejecuciones ·" in lineas[0]
    assert lineas[1] == f"Nota: {NOTA_USD}."
    assert "  Recuperado: $1,500.00" in lineas
    assert "  Saldo vencido al 25/11/2026: $1,000.00" in lineas
    assert "  Bajas (de todas las monedas): 0" in lineas

    r = correr("resultados", *PERIODO, "--moneda", "USD")
    lineas = r.output.splitlines()
    assert "· facturas y mensajes en USD ·" in lineas[0] and lineas[1] == f"Nota: {NOTA_MXN}."
    assert "  Recuperado: USD300.00" in lineas

    for nombre in ("r.html", "r.xlsx", "r.csv"):
        assert correr("resultados", *PERIODO, "--moneda", "USD", "--salida", nombre).exit_code == 0
    html = (en_tmp / "r.html").read_text(encoding="utf-8")
    assert f"Nota: {NOTA_MXN}." in html and "facturas y mensajes en USD" in html
    assert "<td>Recuperado</td><td>USD300.00</td>" in html
    hoja = load_workbook(en_tmp / "r.xlsx")["Lo recuperado"]
    filas = {f[0]: f[1] for f in hoja.iter_rows(min_row=2, values_only=True)}
    assert filas["Recuperado"] == 300 and "USD" in hoja["B2"].number_format
    assert filas["Moneda de los importes"] == "USD" and filas["Otras monedas"] == NOTA_MXN
    filas = list(csv.reader(io.StringIO((en_tmp / "r.csv").read_text(encoding="utf-8"))))
    assert ["resumen", "", "Recuperado", "300.00"] in filas
    assert ["resumen", "", "Otras monedas", NOTA_MXN] in filas


def test_sin_otras_monedas_no_hay_nota(dos_monedas, correr):
    # Solo Eva (F-4, MXN): las facturas en USD de otros clientes no son de este informe.
    datos = _json(correr, dos_monedas, "--cliente", "eva")
    assert (datos["moneda"], datos["otras_monedas"], datos["nota"]) == ("MXN", {}, None)
    assert datos["vencido_al_final"]["monto"] == 1000
    r = correr("resultados", *PERIODO, "--cliente", "eva")
    assert "Nota:" not in r.output and "Otras monedas" not in r.output


@pytest.mark.parametrize("moneda", ["EUR", "dolares"])
def test_una_moneda_que_la_bitacora_no_tiene_es_un_error(dos_monedas, correr, moneda):
    r = correr("resultados", *PERIODO, "--moneda", moneda, "--salida", "r.json")
    assert r.exit_code == 2, r.output
    salida = " ".join(r.output.split())
    assert f"--moneda {moneda.upper()}: la bitácora" in salida
    assert f"no tiene facturas en {moneda.upper()}; sus monedas son MXN y USD" in salida
    assert "Traceback" not in r.output and not (dos_monedas / "r.json").exists()


def test_una_moneda_de_la_bitacora_sin_facturas_en_el_periodo_da_ceros(dos_monedas, correr):
    """Un informe programado con --moneda no falla la semana en que esa moneda no tuvo nada."""
    r = correr("resultados", "--desde", "2026-01-01", "--hasta", "2026-01-31", "--moneda", "USD")
    assert r.exit_code == 0, r.output
    assert "  Recuperado: USD0.00" in r.output.splitlines()


def _a_bitacora_anterior(ruta) -> None:
    """Como una bitácora de antes de `saldos` (versión 6): la próxima apertura la migra y siembra
    cada factura abierta con su saldo conocido, sin moneda."""
    con = sqlite3.connect(ruta)
    try:
        con.executescript("DROP TABLE saldos; DROP TABLE ejecuciones; PRAGMA user_version = 6;")
    finally:
        con.close()


def test_bitacora_anterior_sin_moneda_cuenta_en_la_de_la_politica(en_tmp, monkeypatch, correr):
    """Sin moneda anotada ni mensajes, una factura es de la política: el saldo sembrado de Eva
    (1000) y el de Luis (400, su único saldo) cuentan en MXN, sin nota."""
    preparar_carpeta(en_tmp, POLITICA.replace("dias: 1", "dias: 30"), monkeypatch)  # sin avisos
    _hoja(en_tmp)
    assert _enviar(correr, 0).exit_code == 0
    _a_bitacora_anterior(en_tmp / "recordar-bitacora.sqlite")
    datos = _json(correr, en_tmp)
    assert (datos["moneda"], datos["otras_monedas"], datos["nota"]) == ("MXN", {}, None)
    # F-1 1500 + F-2 200 + F-3 400 + F-4 1000 + F-5 50, todas vencidas el 25/11.
    assert datos["vencido_al_final"]["monto"] == 3150
    r = correr("resultados", *PERIODO, "--moneda", "USD")
    assert r.exit_code == 2
    assert "no tiene facturas en USD; sus monedas son MXN, usa una" in " ".join(r.output.split())


def test_bitacora_anterior_se_completa_con_la_moneda_anotada_despues(dos_monedas, correr):
    """Tras actualizar, la siguiente ejecución anota la moneda de cada factura abierta: toda su
    historia cuenta en esa moneda; las pagadas antes, en la de sus mensajes."""
    bitacora = dos_monedas / "recordar-bitacora.sqlite"
    _a_bitacora_anterior(bitacora)
    _hoja(dos_monedas, segunda=True)
    assert _enviar(correr, 2).exit_code in (0, 1)  # migra y anota los saldos con su moneda
    con = sqlite3.connect(bitacora)
    try:
        sin_moneda = con.execute("SELECT COUNT(*) FROM saldos WHERE moneda IS NULL").fetchone()
    finally:
        con.close()
    assert sin_moneda == (3,)  # F-3, F-4, F-5 sembradas sin moneda (F-1 y F-2 ya pagadas)
    usd = _json(correr, dos_monedas, "--moneda", "USD")
    # F-2 (pagada, sin saldos: USD por su correo) 200; F-3 y F-5 siguen abiertas: 300 + 50.
    assert usd["recuperado"]["monto"] == 200 and usd["vencido_al_final"]["monto"] == 350
    assert usd["otras_monedas"] == {"MXN": 2}
    mxn = _json(correr, dos_monedas)
    assert mxn["recuperado"]["monto"] == 1500 and mxn["vencido_al_final"]["monto"] == 1000
