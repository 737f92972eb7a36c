import pytest

from recordar.politica.segmentos import cumple


@pytest.mark.parametrize(
    ("valor", "condicion", "esperado"),
    [
        ("60000", ">= 50000", True),
        ("1,200", "< 5000", True),
        ("Habitual", "habitual", True),
        ("contado", "!= contado", False),
        ("", "!= contado", True),
        ("NaN", ">= 5", False),  # antes InvalidOperation al planificar
        ("inf", "< 5", False),
        ("NaN", "nan", True),  # como texto sí se compara
    ],
)
def test_cumple(valor, condicion, esperado):
    assert cumple(valor, condicion) is esperado
