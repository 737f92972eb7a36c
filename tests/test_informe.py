import gc
import json
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from recordar.cartera.carga import Cartera, Factura, Omitida
from recordar.informe.archivos import (
    _num,
    a_dict,
    analizar,
    json_de_antemano,
    mensaje_a_dict,
    mensajes_a_json,
    resumir,
)
from recordar.informe.formatos import TANDA_JSON, escribir_informe
from recordar.plan import Linea, Mensaje, Ocurrencia, Plan, Tarea
from recordar.politica.politica import Paso

HOY = date(2026, 11, 23)
PASO = Paso("recordatorio", 3, ("email",), "recordatorio")
OCURRENCIA = Ocurrencia(PASO, 1, 1, 3)
AGENCIA = Ocurrencia(
    Paso("agencia", 60, accion="tarea", descripcion="Pasar a la agencia"), 5, 1, 60
)
DINERO = st.decimals(min_value=-(10**6), max_value=10**6, places=2, allow_nan=False)


def linea(numero, monto, dias=10, interes="0", compensacion="0"):
    factura = Factura(2, numero, "Ana", "ana", Decimal(monto), HOY - timedelta(days=dias), "MXN")
    return Linea(factura, OCURRENCIA, dias, Decimal(interes), Decimal(compensacion))


def mensaje(lineas):
    return Mensaje("ana", "Ana", "email", "ana@ejemplo.com", OCURRENCIA, lineas, "MXN",
                   asunto="Recordatorio", cuerpo="Hola Ana")  # fmt: skip


@given(st.lists(st.tuples(DINERO, st.integers(-30, 400), DINERO, DINERO), min_size=1, max_size=6))
def test_cifras_del_mensaje_como_las_propiedades_del_plan(datos):
    lineas = [linea(f"F-{i}", m, d, i_, c) for i, (m, d, i_, c) in enumerate(datos)]
    m = mensaje(lineas)
    d = mensaje_a_dict(m)
    assert d["facturas"] == m.numeros
    assert d["dias_vencido"] == m.dias_vencido
    assert d["total"] == _num(m.total) and type(d["total"]) is type(_num(m.total))
    interes = _num(sum((x.interes for x in lineas), Decimal(0)))
    compensacion = _num(sum((x.compensacion for x in lineas), Decimal(0)))
    assert (d["interes"], d["compensacion"]) == (interes, compensacion)


def test_num_entero_si_no_hay_centavos():
    assert [_num(Decimal(v)) for v in ("12.00", "-3", "0.00", "12.50", "-0.10")] == [
        12,
        -3,
        0,
        12.5,
        -0.1,
    ]
    assert type(_num(Decimal("12.00"))) is int


def _cartera_y_plan():
    cartera = Cartera(Path("cartera.csv"), None, 1, {}, [])
    cartera.omitidas = [Omitida(9, "P-1", "pagada", "Ana")]
    m = mensaje([linea("F-1", "100"), linea("F-2", "50.5", dias=40, interes="1.25")])
    tarea = Tarea("ana", "Ana", AGENCIA, [linea("F-3", "10", dias=61), linea("F-4", "5")],
                  "Pasar a la agencia")  # fmt: skip
    plan = Plan(HOY, mensajes=[m], tareas=[tarea])
    plan.omitidas = [
        Omitida(5, "F-1", "espera: 2 días"),  # va en el mensaje: no cuenta como omitida
        Omitida(7, "F-9", "sin contacto", "Luis"),
        Omitida(7, "F-9", "sin contacto", "Luis"),  # la misma factura por otro canal
        Omitida(3, "F-8", "al corriente", "Eva"),
    ]
    return cartera, plan


def test_resumen_y_omitidas_cuadran():
    cartera, plan = _cartera_y_plan()
    r = resumir(cartera, plan)
    _, omitidas = analizar(cartera, plan)
    assert [o.factura for o in omitidas] == ["F-8", "F-9", "P-1"]  # por fila
    assert (r.omitidas, r.en_mensajes, r.en_tareas) == (3, 2, 2)
    datos = a_dict(cartera, plan, simulacro=True)
    (t,) = datos["tareas"]
    assert (t["facturas"], t["dias_vencido"], t["total"]) == (["F-3", "F-4"], 61, 15)
    assert datos["resumen"]["omitidas"] == len(datos["omitidas"]) == 3


def test_json_un_registro_por_linea_tambien_entre_tandas(tmp_path):
    registros = [{"n": i, "texto": f"línea\n«{i}»", "monto": Decimal("1.50")}
                 for i in range(2 * TANDA_JSON + 1)]  # fmt: skip
    datos = {"fecha": "2026-11-23", "vacia": [], "mensajes": registros, "resumen": {"a": 1}}
    ruta = escribir_informe(tmp_path / "informe.json", datos)

    def codificar(valor):
        return json.dumps(valor, ensure_ascii=False, default=float)

    esperado = (
        '{"fecha":"2026-11-23","vacia":[],"mensajes":['
        + ",".join("\n" + codificar(r) for r in registros)
        + '],"resumen":{"a": 1}}\n'
    )
    assert ruta.read_text(encoding="utf-8") == esperado


def test_json_de_antemano_escribe_lo_mismo_que_a_dict(tmp_path):
    cartera, plan = _cartera_y_plan()
    plan.mensajes += [mensaje([linea(f"G-{i}", f"{i}.5")]) for i in range(2 * TANDA_JSON)]
    esperado = escribir_informe(tmp_path / "a_dict.json", a_dict(cartera, plan, simulacro=True))
    completar = json_de_antemano(cartera, plan, simulacro=True)
    # Registros por tramos de distinto largo, con un tramo vacío, como los da el render.
    tramos = [plan.mensajes[:1], [], plan.mensajes[1:150], plan.mensajes[150:]]
    datos = completar([mensajes_a_json(t) for t in tramos])
    hecho = escribir_informe(tmp_path / "antemano.json", datos)
    assert hecho.read_bytes() == esperado.read_bytes()
    assert len(json.loads(hecho.read_text(encoding="utf-8"))["mensajes"]) == len(plan.mensajes)


def test_a_dict_deja_el_recolector_como_estaba():
    cartera, plan = _cartera_y_plan()
    assert gc.isenabled()
    a_dict(cartera, plan, simulacro=True)
    assert gc.isenabled()
    gc.disable()
    try:
        a_dict(cartera, plan, simulacro=True)
        assert not gc.isenabled()
    finally:
        gc.enable()


TEXTOS_RAROS = ["", 'comillas " y \\ barra', "línea\nnueva\ty tab", "\x00\x1f control", "ñ € 😀 \u2028",
                "=SUMA(A1)", "\u00a0espacio duro"]  # fmt: skip


@given(
    st.lists(st.tuples(DINERO, st.integers(-30, 400), DINERO, DINERO), min_size=1, max_size=4),
    st.sampled_from(["email", "sms", "whatsapp"]),
    st.sampled_from(TEXTOS_RAROS),
    st.sampled_from(TEXTOS_RAROS),
    st.booleans(),
)
def test_registro_json_directo_igual_al_del_codificador(datos, canal, texto, otro, extras):
    from recordar.informe.archivos import _codificador

    lineas = [linea(f"F-{i}{texto}", m, d, i_, c) for i, (m, d, i_, c) in enumerate(datos)]
    m = Mensaje("ana", f"Ana {texto}", canal, f"dest{otro}", OCURRENCIA, lineas, "MXN",
                asunto=otro, cuerpo=texto + otro, detalle=otro if extras else "",
                nota=texto if extras else "")  # fmt: skip
    esperado = _codificador()(mensaje_a_dict(m))
    assert mensajes_a_json([m]) == esperado.encode()
    assert json.loads(esperado)["facturas"] == m.numeros


def test_registros_json_de_varios_deudores_seguidos():
    from recordar.informe.archivos import _codificador

    comunes = [linea("A-1", "10.50"), linea("A-2", "3")]
    mensajes = [mensaje(comunes), mensaje(comunes), mensaje([linea("B-1", "7", 40, "1.25")])]
    mensajes[1].canal = "sms"
    esperado = ",\n".join(_codificador()(mensaje_a_dict(m)) for m in mensajes)
    assert mensajes_a_json(mensajes) == esperado.encode()


VALORES_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text()
    | st.decimals(allow_nan=False, allow_infinity=False, places=2) | st.dates(),
    lambda hijos: st.lists(hijos, max_size=4) | st.dictionaries(st.text(), hijos, max_size=4),
    max_leaves=12,
)  # fmt: skip


@given(VALORES_JSON)
def test_codificador_igual_al_de_json(valor):
    from recordar.informe.archivos import _codificador, _serializar

    esperado = json.JSONEncoder(ensure_ascii=False, check_circular=False, default=_serializar)
    assert _codificador()(valor) == esperado.encode(valor)


def test_informe_xlsx_sin_caracteres_de_control(en_tmp, correr):
    from openpyxl import load_workbook

    from tests.conftest import CABECERA, HOY, escribir_csv

    fila = ["Ana\x0bLópez\x01", "ana@ejemplo.com", "", "F-1", HOY.isoformat(), "10"]
    escribir_csv(en_tmp / "c.csv", [CABECERA, fila])
    r = correr("enviar", "c.csv", "--simulacro", "--hoy", HOY.isoformat(), "-o", "i.xlsx")
    assert r.exit_code == 0, r.output
    celdas = [c.value for c in load_workbook(en_tmp / "i.xlsx")["Mensajes"]["A"]]
    assert "AnaLópez" in celdas
