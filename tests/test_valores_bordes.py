"""Bordes de los importes y las fechas que la prueba de mutación encontró sin vigilar (issue #17)."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from recordar.cartera.contactos import normalizar_telefonos
from recordar.cartera.valores import (
    como_texto,
    dia_primero_de,
    moneda_de_pesos,
    moneda_del_signo,
    parsear_fecha,
    parsear_monto,
)

# --- importes ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("texto", "esperado"),
    [("123,456", "123456.00"), ("123.456", "123456.00"), ("$123,456", "123456.00"),
     ("999.999 €", "999999.00"), ("12,345", "12345.00"), ("1,234", "1234.00"),
     # Cuatro cifras delante ya no son un grupo de miles: el separador es el decimal.
     ("1234,567", "1234.57"), ("$1234.567", "1234.57"), ("0.125 €", "0.13")],
)  # fmt: skip
def test_grupo_de_miles_de_una_a_tres_cifras_delante(texto, esperado):
    assert parsear_monto(texto)[0] == Decimal(esperado)


@pytest.mark.parametrize(
    ("texto", "moneda"),
    [("1,500 euros", "EUR"), ("1 euro", "EUR"), ("1500 MN", "MXN"), ("1500 mn", "MXN"),
     ("250 soles", "PEN"), ("S/ 250", "PEN"), ("100 dólares", "USD"), ("100 dolar", "USD"),
     ("100 usd", "USD"), ("£ 99", "GBP"), ("R$ 10", "BRL"), ("U$S 10", "USD"),
     ("Euros 1.500", "EUR")],
)  # fmt: skip
def test_moneda_dicha_con_una_palabra_o_un_simbolo(texto, moneda):
    importe, dicha = parsear_monto(texto, "MXN")
    assert dicha == moneda
    assert importe in (Decimal("1500.00"), Decimal("1.00"), Decimal("250.00"), Decimal("100.00"),
                       Decimal("99.00"), Decimal("10.00"))  # fmt: skip


@pytest.mark.parametrize(
    ("politica", "moneda"),
    [("CAD", "CAD"), ("AUD", "AUD"), ("NZD", "NZD"), ("USD", "USD"), ("EUR", "USD"),
     ("PEN", "USD"), ("GBP", "USD")],
)  # fmt: skip
def test_el_signo_de_peso_segun_la_moneda_de_la_politica(politica, moneda):
    assert parsear_monto("$1,500.00", politica) == (Decimal("1500.00"), moneda)
    assert parsear_monto("-$ 1.500,00", politica) == (Decimal("-1500.00"), moneda)
    assert moneda_del_signo(politica) == moneda
    # Sin la moneda de la política, «$» no decide nada (la usa quien llama).
    assert parsear_monto("$1,500.00") == (Decimal("1500.00"), None)


@pytest.mark.parametrize(
    ("politica", "moneda"), [("MXN", None), ("COP", None), ("PHP", None), ("CAD", "USD")]
)
def test_pesos_con_una_moneda_que_se_llama_asi_y_con_otra(politica, moneda):
    # «pesos» con la política en pesos es la moneda de la política (None: la de la política).
    if politica == "CAD":
        # En dólares canadienses «$» es CAD, pero «pesos» no dice de qué país.
        with pytest.raises(ValueError, match="pesos de qué país"):
            parsear_monto("1500 pesos", politica)
        assert moneda_de_pesos(politica) is None
        return
    assert parsear_monto("1500 pesos", politica) == (Decimal("1500.00"), moneda)
    assert moneda_de_pesos(politica) == politica


def test_pesos_con_la_politica_en_euros_pide_el_pais():
    mensaje = ("«1.500 pesos»: ¿pesos de qué país? Escribe el código de la moneda (MXN, COP, "
               "CLP, ARS…) en la celda o en una columna Moneda")  # fmt: skip
    with pytest.raises(ValueError) as error:
        parsear_monto("1.500 pesos", "EUR")
    assert str(error.value) == mensaje
    # Con una moneda dicha en la celda ya no hay duda.
    assert parsear_monto("$ 1.500 MXN", "EUR") == (Decimal("1500.00"), "MXN")
    assert parsear_monto("1.500 euros", "EUR") == (Decimal("1500.00"), "EUR")


@pytest.mark.parametrize("politica", ["MXN", "COP", "ARS"])
def test_el_signo_de_peso_con_una_politica_en_pesos_es_la_moneda_de_la_politica(politica):
    # None: la de la política (la pone quien llama), como con un importe sin símbolo.
    assert parsear_monto("$1,500.00", politica) == (Decimal("1500.00"), None)
    assert parsear_monto("$ 1,500.00 pesos", politica) == (Decimal("1500.00"), None)


@pytest.mark.parametrize(
    ("texto", "esperado"),
    [("(500", "500.00"), ("500)", "500.00"), ("$(500", "500.00"), ("(500)", "-500.00"),
     ("500-", "-500.00"), ("-500", "-500.00")],
)  # fmt: skip
def test_un_parentesis_sin_cerrar_no_hace_negativo_el_importe(texto, esperado):
    assert parsear_monto(texto)[0] == Decimal(esperado)


@pytest.mark.parametrize(
    "texto", ["1.2,3.4", "1,2.3,4", "1.234,5,6", "1,234.5.6", "$1.2,3.4", "1,23,456", "12.34.567",
              "1.2345.678", "EUR", "$", "()", "-", "1.5 kg", "12 a"],
)  # fmt: skip
def test_importes_ambiguos_o_sin_cifras_se_rechazan(texto):
    with pytest.raises(ValueError):
        parsear_monto(texto)


@pytest.mark.parametrize("valor", [True, False, float("nan"), float("inf"), float("-inf")])
def test_celdas_numericas_que_no_son_importes(valor):
    with pytest.raises(ValueError):
        parsear_monto(valor)


def test_importe_de_una_celda_que_no_es_texto_ni_numero():
    assert parsear_monto(12.345) == (Decimal("12.35"), None)  # medio centavo hacia arriba
    assert parsear_monto("2.675") == (Decimal("2675.00"), None)  # tres cifras: miles
    assert parsear_monto("2,5") == (Decimal("2.50"), None)
    assert parsear_monto("0,005") == (Decimal("0.01"), None)


def _con_miles(centavos: int, miles: str, decimal: str) -> str:
    entero, resto = divmod(abs(centavos), 100)
    grupos = f"{entero:,}".replace(",", miles)
    return ("-" if centavos < 0 else "") + f"{grupos}{decimal}{resto:02d}"


@given(st.integers(-(10**13), 10**13), st.sampled_from([(",", "."), (".", ","), (" ", ",")]),
       st.sampled_from(["{}", "$ {}", "{} €", "MXN {}", "{} EUR"]))  # fmt: skip
def test_importes_con_miles_ida_y_vuelta(centavos, separadores, forma):
    miles, decimal = separadores
    texto = forma.format(_con_miles(centavos, miles, decimal))
    assert parsear_monto(texto)[0] == Decimal(centavos) / 100


@given(st.integers(1000, 10**12), st.sampled_from([",", "."]))
def test_importe_entero_con_miles_ida_y_vuelta(entero, miles):
    texto = f"{entero:,}".replace(",", miles)
    assert parsear_monto(texto)[0] == Decimal(entero)
    assert parsear_monto(f"$ {texto}")[0] == Decimal(entero)


# --- fechas --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("columna", "idioma", "esperado"),
    [(["12/05/2026"], False, False), (["12/05/2026"], True, True),
     (["13/05/2026"], False, True), (["05/13/2026"], True, False),
     (["12/12/2026"], False, False), (["12/13/2026"], True, False),
     (["13/12/2026"], False, True)],
)  # fmt: skip
def test_el_doce_no_aclara_el_orden_y_el_trece_si(columna, idioma, esperado):
    assert dia_primero_de(columna, idioma) is esperado


def test_una_celda_que_no_es_texto_no_corta_la_columna():
    columna = [datetime(2026, 11, 5), 46000, None, "23/11/2026"]
    assert dia_primero_de(columna, False) is True
    assert dia_primero_de([date(2026, 1, 2), "11/23/2026"], True) is False
    assert dia_primero_de(["no es fecha", " 23/11/2026 "], False) is True


def test_limites_de_los_numeros_de_serie_de_excel_incluidos():
    assert parsear_fecha(18264) == date(1950, 1, 1)
    assert parsear_fecha(109939) == date(2200, 12, 31)
    assert parsear_fecha(18264.75) == date(1950, 1, 1)
    assert parsear_fecha("18264") == date(1950, 1, 1)
    for fuera in (18263, 18263.9, 109940, 109939.5, float("nan"), float("inf")):
        with pytest.raises(ValueError):
            parsear_fecha(fuera)


@pytest.mark.parametrize(
    ("valor", "texto"),
    [(datetime(2026, 3, 15), "2026-03-15"), (datetime(2026, 3, 15, 0, 0, 1), "2026-03-15 00:00:01"),
     (datetime(2026, 3, 15, 10, 30), "2026-03-15 10:30:00"), (date(2026, 3, 15), "2026-03-15"),
     (1023.0, "1023"), (1023.5, "1023.5"), ("  F-1 ", "F-1"), (None, ""), (float("nan"), ""),
     ("   ", ""), (0, "0")],
)  # fmt: skip
def test_como_se_ve_una_celda(valor, texto):
    assert como_texto(valor) == texto


@pytest.mark.parametrize(
    ("texto", "esperado"),
    [("1900-01-01", date(1900, 1, 1)), ("2200-12-31", date(2200, 12, 31)),
     ("31/12/99", date(2099, 12, 31)), ("01/01/00", date(2000, 1, 1)),
     ("March 5 2026", date(2026, 3, 5)), ("5 de mayo de 26", date(2026, 5, 5)),
     ("2026.3.5", date(2026, 3, 5))],
)  # fmt: skip
def test_fechas_en_los_bordes_de_los_anios_y_en_ingles(texto, esperado):
    assert parsear_fecha(texto) == esperado


@pytest.mark.parametrize(
    "texto", ["1899-12-31", "2201-01-01", "31/12/1899", "01/01/2201", "5 de mayo de 1899",
              "Foo 5 2026", "5 de foo de 2026", "1/2", "3 de marzo"],
)  # fmt: skip
def test_fechas_fuera_de_los_anios_admitidos_o_incompletas(texto):
    with pytest.raises(ValueError):
        parsear_fecha(texto)


@pytest.mark.parametrize(
    ("texto", "dia_primero", "esperado"),
    [("5 3 2026", True, date(2026, 3, 5)), ("5 3 2026", False, date(2026, 5, 3)),
     ("15 03 2026", False, date(2026, 3, 15)), ("Thu, 05 Mar 2026 10:30:00 GMT", True,
                                                date(2026, 3, 5))],
)  # fmt: skip
def test_formas_raras_con_dia_mes_y_anio_las_lee_dateutil(texto, dia_primero, esperado):
    assert parsear_fecha(texto, dia_primero) == esperado


@pytest.mark.parametrize("texto", ["marzo 2026", "15 2026 lunes", "Q1 2026"])
def test_sin_dia_mes_y_anio_no_se_inventa_una_fecha(texto):
    with pytest.raises(ValueError):
        parsear_fecha(texto)


# --- teléfonos -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("celda", "region", "validos", "malos"),
    [("+52 1 55 1234 5678", "MX", ("+525512345678",), ()),
     ("+52 1 55 1234 5678", "ES", ("+525512345678",), ()),  # con prefijo de país, en cualquier región
     ("521 55 1234 5678", "MX", ("+525512345678",), ()),
     ("(521) 234-5678", "US", ("+15212345678",), ()),  # un número de EE. UU. que empieza por 521
     ("+49 1512 3456789", "MX", ("+4915123456789",), ()),  # 14 caracteres sin ser un +521
     ("5512345678, , 5587654321", "MX", ("+525512345678", "+525587654321"), ()),
     (";55 1234 5678", "MX", ("+525512345678",), ()),
     ("55 1234 5678 o 12", "MX", ("+525512345678",), ("12",)),
     ("sin teléfono; 55 1234 5678; 33 3616 1234", "MX", ("+525512345678", "+523336161234"),
      ("sin teléfono",))],
)  # fmt: skip
def test_telefonos_del_movil_mexicano_antiguo_y_trozos_vacios(celda, region, validos, malos):
    assert normalizar_telefonos(celda, region) == (validos, malos)


# --- lo que la prueba de mutación destapó (#17) ---------------------------------------------


@pytest.mark.parametrize(
    ("texto", "politica"),
    [("1,500 M.N.", "USD"), ("1.500 m.n.", "EUR"), ("1.500,00 M.N.", "MXN"),
     ("1.500 pesos MXN", "EUR"), ("MXN 1,500 pesos", "COP")],
)  # fmt: skip
def test_moneda_nacional_y_pesos_con_codigo_son_pesos_mexicanos(texto, politica):
    # «M.N.» es moneda nacional (MXN) y no se leía; «pesos MXN» ya dice de qué país son.
    assert parsear_monto(texto, politica) == (Decimal("1500.00"), "MXN")


@pytest.mark.parametrize("texto", ["2026-03-05 10:30 CET", "2026 03 05", "2026.03.05 10:30 CET"])
def test_fecha_con_el_anio_delante_es_anio_mes_dia_aunque_la_columna_sea_dia_primero(texto):
    assert parsear_fecha(texto, dia_primero=True) == date(2026, 3, 5)
