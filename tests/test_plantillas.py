import json
from decimal import Decimal

from babel.numbers import format_currency
from hypothesis import given, settings
from hypothesis import strategies as st

from recordar.plantillas import Formato, segmentos_sms


@settings(max_examples=400)
@given(
    st.decimals(
        min_value=-(10**10), max_value=10**10, places=3, allow_nan=False, allow_infinity=False
    ),
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


def _plan_de_prueba(n=40):
    from datetime import date, timedelta

    from recordar.cartera import Contacto, Factura
    from recordar.plan import planificar
    from recordar.politica import cargar_politica

    hoy = date(2026, 11, 23)
    politica = cargar_politica(None)
    facturas = [
        Factura(
            i + 2,
            f"F-{i}",
            f"Cliente {i}",
            f"c{i}",
            Decimal(100 + i),
            hoy - timedelta(days=i % 50),
            "MXN",
        )
        for i in range(n)
    ]
    contactos = {
        f"c{i}": Contacto(correos=[f"c{i}@ejemplo.com"], telefonos=["+525512345678"])
        for i in range(n)
    }
    return politica, planificar(facturas, contactos, politica, hoy)


def test_generar_en_dos_procesos_da_lo_mismo_que_en_uno():
    from recordar.plantillas import Plantillas, renderizar_plan

    politica, uno = _plan_de_prueba()
    renderizar_plan(uno, Plantillas(politica), procesos=1)
    _, dos = _plan_de_prueba()
    renderizar_plan(dos, Plantillas(politica), procesos=2)
    partes = lambda plan: [(m.asunto, m.cuerpo, m.html, m.parametros) for m in plan.mensajes]  # noqa: E731
    assert len(uno.mensajes) > 10
    assert partes(uno) == partes(dos)


def test_error_de_plantilla_en_el_otro_proceso_llega_entero(tmp_path):
    import pytest

    from recordar.errores import ErrorPlantilla
    from recordar.plantillas import Plantillas, renderizar_plan

    politica, plan = _plan_de_prueba()
    for nombre in (
        "previo",
        "vencimiento",
        "recordatorio",
        "seguimiento",
        "aviso_formal",
        "aviso_final",
    ):
        for canal in ("email", "sms", "whatsapp"):
            cuerpo = "Asunto: x\n\n{{ cliente }}" if canal == "email" else "{{ cliente }}"
            if nombre == "recordatorio":
                cuerpo += "\n{{ no_existe }}"
            (tmp_path / f"{nombre}.{canal}.j2").write_text(cuerpo, encoding="utf-8")
    with pytest.raises(
        ErrorPlantilla, match=r"recordatorio\.(email|sms)\.j2: línea \d: .no_existe. is undefined"
    ):
        renderizar_plan(plan, Plantillas(politica, carpeta_propia=tmp_path), procesos=2)


def test_enlace_de_pago_con_marcadores_y_con_jinja(tmp_path):
    from dataclasses import replace

    from recordar.plantillas import Plantillas

    politica, plan = _plan_de_prueba(8)
    mensaje = plan.mensajes[0]
    numero, cliente = mensaje.lineas[0].factura.numero, mensaje.cliente

    def enlace(texto):
        empresa = dict(politica.empresa, enlace_pago=texto)
        plantillas = Plantillas(replace(politica, empresa=empresa), carpeta_propia=tmp_path)
        return plantillas.contexto(mensaje, plan.fecha)["enlace_pago"]

    # Texto y marcadores simples (se arma sin Jinja2) y lo mismo escrito con Jinja2.
    simple = enlace("https://pagar.ejemplo/?f={{ factura }}&c={{cliente}}&t={{ total }}")
    assert simple == f"https://pagar.ejemplo/?f={numero}&c={cliente}&t={mensaje.total}"
    con_jinja = enlace(
        "https://pagar.ejemplo/?f={{ factura|string }}&c={{ cliente }}&t={{ total }}"
    )
    assert con_jinja == simple
    assert enlace("https://pagar.ejemplo/{{ factura|lower }}") == (
        f"https://pagar.ejemplo/{numero.lower()}"
    )
    assert enlace("https://pagar.ejemplo/fijo") == "https://pagar.ejemplo/fijo"


def test_despues_se_calcula_donde_se_genera_cada_mensaje():
    import os

    from recordar.informe import mensaje_a_dict, mensaje_a_json
    from recordar.plantillas import Plantillas, renderizar_plan

    politica, uno = _plan_de_prueba()
    en_uno = renderizar_plan(uno, Plantillas(politica), procesos=1, despues=mensaje_a_json)
    _, dos = _plan_de_prueba()
    en_dos = renderizar_plan(
        dos, Plantillas(politica), procesos=2, despues=lambda m: (m.cuerpo, os.getpid())
    )
    assert len(en_uno) == len(en_dos) == len(uno.mensajes) > 10
    # En el orden del plan, con lo generado, y una parte hecha en el otro proceso.
    assert [cuerpo for cuerpo, _ in en_dos] == [m.cuerpo for m in dos.mensajes]
    assert {pid for _, pid in en_dos} - {os.getpid()}
    # El registro JSON hecho al generar es el mismo que el informe haría después.
    assert [json.loads(r) for r in en_uno] == [
        json.loads(json.dumps(mensaje_a_dict(m), default=str)) for m in uno.mensajes
    ]
