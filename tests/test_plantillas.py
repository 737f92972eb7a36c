from decimal import Decimal

from babel.numbers import format_currency
from hypothesis import given
from hypothesis import strategies as st

from recordar.plantillas import Formato, segmentos_sms


@given(
    st.decimals(min_value=0, max_value=10**10, places=3, allow_nan=False, allow_infinity=False),
    st.sampled_from(["es_MX", "es_ES", "es_CO", "es_AR", "es_CL", "en_US"]),
    st.sampled_from(["MXN", "EUR", "USD", "COP", "CLP", "JPY"]),
)
def test_dinero_rapido_da_lo_mismo_que_babel(valor, idioma, moneda):
    assert Formato(idioma, "MXN").dinero(Decimal(valor), moneda) == format_currency(
        Decimal(valor), moneda, locale=idioma
    )


def test_dinero_en_el_idioma_de_la_politica():
    assert Formato("es_ES", "EUR").dinero(Decimal("1234.56")) == "1.234,56\xa0€"
    assert Formato("es_MX", "MXN").dinero(Decimal("1234.56")) == "$1,234.56"
    assert (
        Formato("es_MX", "MXN").fecha(__import__("datetime").date(2026, 3, 15))
        == "15 de marzo de 2026"
    )


def test_segmentos_sms():
    assert segmentos_sms("a" * 160) == (160, 1, "GSM-7")
    assert segmentos_sms("a" * 161) == (161, 2, "GSM-7")
    assert segmentos_sms("€" * 80) == (160, 1, "GSM-7")  # el euro cuenta doble
    assert segmentos_sms("á" * 70) == (70, 1, "UCS-2")
    assert segmentos_sms("ú" + "a" * 70) == (71, 2, "UCS-2")
    assert segmentos_sms("ñ" * 160) == (160, 1, "GSM-7")  # ñ está en GSM-7
