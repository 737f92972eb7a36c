"""Las cifras de dinero de una corrida (informe/cifras.py) y las gráficas SVG (informe/graficas.py)."""

import xml.etree.ElementTree as ET
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from recordar.cartera.carga import Cartera, Factura
from recordar.informe.cifras import TRAMOS, calcular, tramo_de
from recordar.informe.graficas import barras, lineas
from recordar.plan import Linea, Mensaje, Ocurrencia, Plan, Tarea
from recordar.politica.politica import Paso, Politica

HOY = date(2026, 11, 23)
AMABLE = Paso("amable", -3, ("email",), "amable")
FIRME = Paso("firme", 15, ("email",), "firme")
AVISO = Paso("aviso", 45, ("email",), "aviso")
AGENCIA = Paso("agencia", 90, accion="tarea", descripcion="Pasar a la agencia")
POLITICA = Politica(pasos=[AMABLE, FIRME, AVISO, AGENCIA], moneda="MXN")


def factura(numero, cliente, monto, dias, moneda="MXN", **extra):
    return Factura(2, numero, cliente, cliente.lower(), Decimal(monto),
                   HOY - timedelta(days=dias), moneda, **extra)  # fmt: skip


def test_tramos_cubren_cada_dia_de_atraso_sin_huecos():
    assert [tramo_de(d) for d in (-400, 0, 1, 30, 31, 60, 61, 90, 91, 5000)] == [
        "al corriente", "al corriente", "1–30", "1–30", "31–60", "31–60",
        "61–90", "61–90", "más de 90", "más de 90",
    ]  # fmt: skip
    assert [t[0] for t in TRAMOS][0] == "al corriente"


def test_cifras_de_una_cartera_suman_a_mano():
    facturas = [
        factura("A1", "Ana", "1000.50", -5),  # al corriente
        factura("A2", "Ana", "200", 20),  # 1–30, paso firme (en mensaje hoy)
        factura("B1", "Beto", "3000", 50, disputa=True),  # 31–60, aviso (sin mensaje hoy)
        factura("C1", "Cora", "700", 95, promesa_pago=HOY + timedelta(days=2)),  # > 90
        factura("C2", "Cora", "100", 61),  # 61–90
        factura("D1", "Dan", "50", 10, moneda="USD"),  # otra moneda, 1–30
        factura("E1", "Eva", "9", 2),  # vencida, antes del primer paso tras vencer
    ]
    cartera = Cartera(Path("c.csv"), None, 1, {}, [], facturas=facturas)
    firme = Ocurrencia(FIRME, 1, 1, 15)
    agencia = Ocurrencia(AGENCIA, 3, 1, 90)
    lin = Linea(facturas[1], firme, 20, Decimal(0), Decimal(0))
    plan = Plan(
        HOY,
        mensajes=[Mensaje("ana", "Ana", "email", "a@x.mx", firme, [lin], "MXN")],
        tareas=[Tarea("cora", "Cora", agencia,
                      [Linea(facturas[3], agencia, 95, Decimal(0), Decimal(0))], "Agencia")],
    )  # fmt: skip
    cifras = calcular(cartera, plan, POLITICA)
    assert [c.moneda for c in cifras.monedas] == ["MXN", "USD"]
    mxn = cifras.de("MXN")
    assert (mxn.abierto.importe, mxn.abierto.facturas) == (Decimal("5009.50"), 6)
    assert (mxn.vencido.importe, mxn.vencido.facturas) == (Decimal("4009"), 5)
    assert mxn.porcentaje_vencido == Decimal("80.0")  # 4009 / 5009.5
    assert (mxn.en_mensajes.importe, mxn.en_tareas.importe) == (Decimal(200), Decimal(700))
    assert (mxn.disputa.importe, mxn.promesas.importe) == (Decimal(3000), Decimal(700))
    assert {k: (v.importe, v.facturas) for k, v in mxn.antiguedad.items()} == {
        "al corriente": (Decimal("1000.50"), 1),
        "1–30": (Decimal(209), 2),
        "31–60": (Decimal(3000), 1),
        "61–90": (Decimal(100), 1),
        "más de 90": (Decimal(700), 1),
    }
    # Hoy: A2 en «firme», C1 en la tarea «agencia»; B1 (50 días) ya pasó «aviso»; C2 (61 días)
    # también; E1 (2 días) aún no llega a «firme». En el orden de la política.
    assert {k: (v.importe, v.facturas) for k, v in mxn.por_paso.items()} == {
        "firme": (Decimal(200), 1),
        "aviso": (Decimal(3100), 2),
        "agencia": (Decimal(700), 1),
        "sin paso hoy": (Decimal(9), 1),
    }
    assert list(mxn.por_paso) == ["firme", "aviso", "agencia", "sin paso hoy"]
    assert [(d.cliente, d.vencido, d.facturas, d.dias) for d in mxn.principales] == [
        ("Beto", Decimal(3000), 1, 50),
        ("Cora", Decimal(800), 2, 95),
        ("Ana", Decimal(200), 1, 20),
        ("Eva", Decimal(9), 1, 2),
    ]
    assert (mxn.deudores, mxn.deudores_vencidos) == (4, 4)
    usd = cifras.de("USD")
    assert (usd.abierto.importe, usd.vencido.importe, usd.deudores) == (Decimal(50), Decimal(50), 1)
    assert (cifras.mensajes, cifras.tareas) == (1, 1)


def test_sin_politica_las_vencidas_sin_mensaje_van_sin_paso():
    cartera = Cartera(Path("c.csv"), None, 1, {}, [], facturas=[factura("X", "Xe", "10", 40)])
    mxn = calcular(cartera, Plan(HOY), None).monedas[0]
    assert list(mxn.por_paso) == ["sin paso hoy"]
    assert mxn.principales[0].cliente == "Xe"


def test_cartera_vacia_no_divide_entre_cero():
    cifras = calcular(Cartera(Path("c.csv"), None, 1, {}, []), Plan(HOY), POLITICA)
    assert cifras.monedas == []


def _raiz(svg):
    return ET.fromstring(svg)


def test_barras_es_svg_valido_sin_tamano_fijo_con_titulo_y_valores():
    svg = barras(["al corriente", "1–30", "más de 90"], [1000.5, 209, 700], "Antigüedad",
                 formato=lambda v: f"${v:,.2f}", notas=["1 factura", "2 facturas", "1 factura"])  # fmt: skip
    raiz = _raiz(svg)
    assert raiz.tag.endswith("svg")
    assert "width" not in raiz.attrib and "viewBox" in raiz.attrib
    textos = "".join(raiz.itertext())
    for esperado in ("Antigüedad", "$1,000.50", "$209.00", "2 facturas", "más de 90"):
        assert esperado in textos
    assert svg == barras(["al corriente", "1–30", "más de 90"], [1000.5, 209, 700], "Antigüedad",
                         formato=lambda v: f"${v:,.2f}",
                         notas=["1 factura", "2 facturas", "1 factura"])  # fmt: skip


def test_barras_horizontales_cortan_nombres_largos_y_lineas_dibujan_series():
    nombre = "Comercializadora Internacional de Refacciones del Bajío"
    textos = "".join(_raiz(barras([nombre, "Beto"], [10, 5], "Los que más deben",
                                  horizontal=True)).itertext())  # fmt: skip
    assert "Comercializadora Internacional …" in textos and nombre not in textos, textos
    svg = lineas(
        ["ene", "feb", "mar"], {"Recuperado": [1, 5, 3], "Vencido": [9, 7, 4]}, "Tendencia"
    )
    textos = "".join(_raiz(svg).itertext())
    assert "Recuperado" in textos and "Vencido" in textos and "Tendencia" in textos


def test_la_vista_y_el_informe_de_una_corrida_comparten_las_cifras():
    cartera = Cartera(Path("c.csv"), None, 1, {}, [], facturas=[factura("X", "Xe", "10", 40)])
    plan = Plan(HOY)
    primera = calcular(cartera, plan, POLITICA)
    assert calcular(cartera, plan, POLITICA) is primera  # la misma corrida: no se recalcula
    otra = Cartera(Path("c.csv"), None, 1, {}, [], facturas=[factura("Y", "Ye", "20", 40)])
    assert calcular(otra, plan, POLITICA).de("MXN").abierto.importe == Decimal(20)
