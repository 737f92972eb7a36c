from datetime import date, datetime
from decimal import Decimal

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from recordar.cartera.contactos import _telefono_directo, normalizar_correos, normalizar_telefonos
from recordar.cartera.valores import (
    cantidad,
    montos_simples,
    normalizar,
    parsear_fecha,
    parsear_monto,
)


@pytest.mark.parametrize(
    ("texto", "esperado", "moneda"),
    [
        ("1234.5", "1234.50", None),
        ("$1,234.50", "1234.50", None),
        ("1.234,56 €", "1234.56", "EUR"),
        ("MXN 2,000", "2000.00", "MXN"),
        ("2.000", "2000.00", None),
        ("1,234", "1234.00", None),
        ("1.234", "1234.00", None),  # en España, 1234 (no 1,234 €)
        ("$12,500", "12500.00", None),
        ("12.500", "12500.00", None),
        ("1234,5", "1234.50", None),
        ("12450,50", "12450.50", None),
        ("0,125", "0.13", None),  # «0» delante: decimal, no miles
        ("1234.567", "1234.57", None),
        ("1,234,567.89", "1234567.89", None),
        ("1.234.567", "1234567.00", None),
        ("-1500", "-1500.00", None),
        ("(1,500.00)", "-1500.00", None),
        ("\u2212250.00", "-250.00", None),  # signo menos de Unicode (pegado de un PDF)
        ("–1.250,00 €", "-1250.00", "EUR"),  # semirraya de Word
        ("US$ 99.90", "99.90", "USD"),
        ("1 234,56", "1234.56", None),
        ("$ 12,450.00 pesos", "12450.00", None),
        # El signo junto a la moneda, del lado que sea.
        ("$-500", "-500.00", None),
        ("MXN -1,500.00", "-1500.00", "MXN"),
        ("$(500.00)", "-500.00", None),
        ("(500) €", "-500.00", "EUR"),
        ("1.234,56- EUR", "-1234.56", "EUR"),
        # «.-» y «,-»: sin centavos (Argentina, Chile), no negativo.
        ("1500.-", "1500.00", None),
        ("$ 1.500,-", "1500.00", None),
        ("$ 1.500.-", "1500.00", None),
    ],
)
def test_importes_como_los_escribe_la_gente(texto, esperado, moneda):
    assert parsear_monto(texto) == (Decimal(esperado), moneda)


@pytest.mark.parametrize("texto", ["pendiente de revisar", "", "abc", "1,2,3", "12.34.5"])
def test_importes_no_validos(texto):
    with pytest.raises(ValueError):
        parsear_monto(texto)


def _monto_o_none(texto: str) -> str | None:
    """Lo que debe dar montos_simples: el importe si parsear_monto lo lee sin moneda."""
    try:
        importe, moneda = parsear_monto(texto)
    except ValueError:
        return None
    return None if moneda else str(importe)


def test_montos_simples_como_parsear_monto():
    textos = ["1234", " 1234.5 ", "12450,50", "-7", "-0,05", "0", "007.1", "١٢٣", "", "  ",
              "$1,234.50", "1.234,56", "1,234", "12.345", "1e5", "1_000", "nan", "12\n34",
              "1234.567", "+5", "5-", "abc", "\t99,9\n"]  # fmt: skip
    simples = montos_simples(textos)
    assert len(simples) == len(textos)
    for texto, importe in zip(textos, simples, strict=True):
        if importe is not None:  # mismo valor y mismo exponente («1234.50», no «1234.5»)
            assert str(importe) == _monto_o_none(texto), texto
    # Los de forma simple no se quedan sin convertir (si no, el atajo no ahorraría nada).
    assert [t for t, m in zip(textos, simples, strict=True) if m is not None] == [
        "1234", " 1234.5 ", "12450,50", "-7", "-0,05", "0", "007.1", "١٢٣", "\t99,9\n"]  # fmt: skip


@given(st.lists(st.text(alphabet="0123456789-,. $€\n", max_size=8), max_size=30))
def test_montos_simples_propiedad(textos):
    for texto, importe in zip(textos, montos_simples(textos), strict=True):
        if importe is not None:
            assert str(importe) == _monto_o_none(texto)


def test_importe_numerico_de_excel():
    assert parsear_monto(1500.5) == (Decimal("1500.50"), None)
    assert parsear_monto(3) == (Decimal("3.00"), None)


@pytest.mark.parametrize(
    ("valor", "esperado"),
    [
        ("15/03/2026", date(2026, 3, 15)),
        ("2026-03-15", date(2026, 3, 15)),
        ("2026-03-15 00:00:00", date(2026, 3, 15)),
        ("15-mar-2026", date(2026, 3, 15)),
        ("15 de marzo de 2026", date(2026, 3, 15)),
        ("15 de Marzo del 2026", date(2026, 3, 15)),
        ("5/1/26", date(2026, 1, 5)),
        ("15.03.2026", date(2026, 3, 15)),
        ("2026/03/15", date(2026, 3, 15)),
        ("1 sept 2026", date(2026, 9, 1)),
        (46000, date(2025, 12, 9)),
        (46000.0, date(2025, 12, 9)),
        ("46000", date(2025, 12, 9)),
        (datetime(2026, 3, 15, 10, 30), date(2026, 3, 15)),
        (date(2026, 3, 15), date(2026, 3, 15)),
    ],
)
def test_fechas(valor, esperado):
    assert parsear_fecha(valor, dia_primero=True) == esperado


def test_iso_nunca_se_lee_al_reves():
    # dateutil con dayfirst lee 2025-11-05 como 11 de mayo; aquí no.
    assert parsear_fecha("2025-11-05", dia_primero=True) == date(2025, 11, 5)


@pytest.mark.parametrize("numero", [30, 1, 0, 18263, 109940, 30.0])
def test_numero_pequeno_no_es_una_fecha(numero):
    # Un «30» en la columna de vencimiento es un día escrito a medias, no el 29/01/1900.
    with pytest.raises(ValueError):
        parsear_fecha(numero)


def test_numero_de_serie_de_excel():
    assert parsear_fecha(46349) == date(2026, 11, 23)
    assert parsear_fecha("46349") == date(2026, 11, 23)


def test_mes_primero_en_ingles_de_estados_unidos():
    assert parsear_fecha("03/15/2026", dia_primero=False) == date(2026, 3, 15)


@pytest.mark.parametrize(
    "texto", ["31/02/2026", "30 de febrero de 2026", "mañana", "15/13/2026", "0", "marzo"]
)
def test_fechas_no_validas(texto):
    with pytest.raises(ValueError):
        parsear_fecha(texto)


@given(st.dates(min_value=date(1901, 1, 1), max_value=date(2199, 12, 31)))
def test_fecha_ida_y_vuelta_en_formatos_de_texto(d):
    assert parsear_fecha(d.strftime("%d/%m/%Y")) == d
    assert parsear_fecha(d.isoformat()) == d


def test_telefonos_a_e164_y_el_uno_mexicano():
    validos, malos = normalizar_telefonos("55 1234 5678; +52 1 55 8765 4321", "MX")
    assert validos == ("+525512345678", "+525587654321")
    assert malos == ()
    assert normalizar_telefonos("612 345 678", "ES") == (("+34612345678",), ())
    assert normalizar_telefonos("123", "MX") == ((), ("123",))


def _telefono_con_phonenumbers(crudo: str, region: str) -> str | None:
    import phonenumbers

    try:
        numero = phonenumbers.parse(crudo, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(numero):
        return None
    return phonenumbers.format_number(numero, phonenumbers.PhoneNumberFormat.E164)


_DIGITOS = st.text(alphabet="0123456789", min_size=1, max_size=14)


@settings(max_examples=600, deadline=None)
@given(
    region=st.sampled_from(["MX", "ES", "CL", "GT", "CO", "US", "AR"]),
    digitos=st.one_of(
        _DIGITOS,
        st.sampled_from(
            ["55", "33", "81", "664", "6", "7", "9", "2", "00", "0", "1", "52", "34"]
        ).flatmap(
            lambda inicio: st.text(alphabet="0123456789", max_size=11).map(lambda r: inicio + r)
        ),
    ),
    mas=st.sampled_from(["", "+", "+52", "+34", "+56", "+1"]),
)
def test_el_atajo_de_telefonos_dice_lo_mismo_que_phonenumbers(region, digitos, mas):
    # El atajo sin parse() (regiones sin prefijo nacional) nunca contradice a phonenumbers:
    # o da el mismo E.164, o cede el número al camino general.
    crudo = mas + digitos
    directo = _telefono_directo(crudo, region)
    if directo is not None:
        assert directo == _telefono_con_phonenumbers(crudo, region)


def test_el_atajo_de_telefonos_cubre_los_casos_comunes():
    assert _telefono_directo("5512345678", "MX") == "+525512345678"
    assert _telefono_directo("+525512345678", "MX") == "+525512345678"
    assert _telefono_directo("612345678", "ES") == "+34612345678"
    assert _telefono_directo("0052551234567", "MX") is None  # internacional: camino general
    assert _telefono_directo("3001234567", "CO") is None  # Colombia tiene prefijo nacional


def test_correos_varios_en_una_celda():
    validos, malos = normalizar_correos(" ana@ejemplo.com ; luis@ejemplo.mx, juan@ ")
    assert validos == ("ana@ejemplo.com", "luis@ejemplo.mx")
    assert malos == ("juan@",)


def test_normalizar_quita_acentos_y_signos():
    assert normalizar("  Razón Social: ") == "razon social"
    assert normalizar("Nº Factura") == "no factura" or normalizar("Nº Factura") == "n factura"


@given(st.emails().filter(lambda c: not any(x in c for x in ";,/<>\"' ")))
@example("NOC@A.AC")  # buzón de RFC 2142: email-validator lo pasa a minúsculas
@example("Postmaster@Ejemplo.MX")
def test_atajo_de_correos_ascii_coincide_con_email_validator(correo):
    # Sin los caracteres que separan varios correos en una celda: eso es otra regla.
    from email_validator import EmailNotValidError, validate_email

    try:
        esperado = validate_email(correo, check_deliverability=False).normalized
    except EmailNotValidError:
        esperado = None
    validos, _ = normalizar_correos.__wrapped__(correo)
    assert (validos[0] if validos else None) == esperado


def test_cantidad_en_singular_y_plural():
    assert cantidad(1, "fila") == "1 fila"
    assert [cantidad(n, "día") for n in (0, 2)] == ["0 días", "2 días"]
    assert cantidad(1, "aviso de contacto", "avisos de contacto") == "1 aviso de contacto"
    assert cantidad(3, "aviso de contacto", "avisos de contacto") == "3 avisos de contacto"


@pytest.mark.parametrize(
    "texto",
    ["2026/11/01 10:30", "2026/11/01 00:00:00", "2026.11.01 10:30", "2026-11-01T10:30:00Z",
     "2026-11-01T10:30:00-06:00", "01/11/2026 10:30", "01/11/2026 12:00:00 a. m."],
)  # fmt: skip
def test_fecha_con_hora_no_cambia_dia_por_mes(texto):
    # Antes caían en dateutil con día primero: 2026/11/01 10:30 era el 11 de enero.
    assert parsear_fecha(texto, dia_primero=True) == date(2026, 11, 1)


def test_orden_dia_mes_lo_dice_la_columna():
    from recordar.cartera.valores import dia_primero_de

    assert dia_primero_de(["11/05/2026", "11/23/2026 12:00:00 AM"], True) is False
    assert dia_primero_de(["05/11/2026", "23/11/2026"], False) is True
    assert dia_primero_de(["05/11/2026", "01/02/2026"], True) is True  # nada lo aclara
    assert dia_primero_de(["23/11/2026", "11/23/2026"], True) is True  # de los dos: el idioma


@pytest.mark.parametrize(
    "valor", [1e15, -1e15, 10**15, 1e30, "1" * 27, "1e30", "3\x00 0", "1 50", "3 0", "1\u200b500"]
)
def test_importes_enormes_o_con_controles_no_valen(valor):
    with pytest.raises(ValueError):
        parsear_monto(valor)


@pytest.mark.parametrize(
    ("valor", "esperado"),
    [(999_999_999_999_999.0, "999999999999999.00"), (10**15 - 1, "999999999999999.00"),
     ("-999.999.999.999.999,99", "-999999999999999.99"), ("1 500 000,50", "1500000.50")],
)  # fmt: skip
def test_importes_hasta_el_tope_y_miles_con_espacio_valen(valor, esperado):
    assert parsear_monto(valor)[0] == Decimal(esperado)


def test_fecha_con_caracter_de_control_no_vale():
    with pytest.raises(ValueError):
        parsear_fecha("15/11\x00/2026")
