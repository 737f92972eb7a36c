from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from recordar.cartera import Contacto, Factura
from recordar.plan import Historial, calcular_interes, ocurrencia_para, planificar
from recordar.politica import InteresMoratorio, Limites, cargar_politica

HOY = date(2026, 11, 23)
POLITICA = cargar_politica(None)  # la predeterminada (sin ./politica.yaml en tests/)
PASOS = POLITICA.pasos


def factura(numero, vencimiento, monto="100", deudor="ana", moneda="MXN", fila=2):
    return Factura(fila, numero, deudor.title(), deudor, Decimal(monto), vencimiento, moneda)


CONTACTOS = {"ana": Contacto(correos=["ana@ejemplo.com"], telefonos=["+525512345678"])}


def test_politica_predeterminada_tiene_la_cadencia_recomendada():
    resumen = [(p.id, p.dias, p.repetir_cada, p.accion) for p in PASOS]
    assert resumen == [
        ("previo", -3, None, "mensaje"),
        ("vencimiento", 0, None, "mensaje"),
        ("recordatorio", 1, None, "mensaje"),
        ("seguimiento", 6, 5, "mensaje"),
        ("aviso_formal", 30, None, "mensaje"),
        ("aviso_final", 45, None, "mensaje"),
        ("agencia", 60, None, "tarea"),
    ]


def test_ocurrencias_por_dia():
    def id_(d):
        o = ocurrencia_para(PASOS, d)
        return o.id if o else None

    assert [id_(d) for d in (-4, -3, -1, 0, 1, 5, 6, 10, 11, 26, 29, 30, 44, 45, 60, 400)] == [
        None, "previo", "previo", "vencimiento", "recordatorio", "recordatorio", "seguimiento",
        "seguimiento", "seguimiento#2", "seguimiento#5", "seguimiento#5", "aviso_formal",
        "aviso_formal", "aviso_final", "agencia", "agencia",
    ]  # fmt: skip


@given(st.integers(-400, 400), st.integers(0, 400))
def test_el_paso_elegido_nunca_retrocede_al_avanzar_los_dias(d, avance):
    antes = ocurrencia_para(PASOS, d)
    despues = ocurrencia_para(PASOS, d + avance)
    if antes is not None:
        assert despues is not None and despues.orden >= antes.orden


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31)), st.integers(-10, 120))
def test_dias_vencido_en_fines_de_mes_y_bisiestos(vencimiento, dias):
    # La fecha de hoy es vencimiento + dias exactos, crucen o no febrero o un 29 de febrero.
    hoy = vencimiento + timedelta(days=dias)
    plan = planificar([factura("F-1", vencimiento)], CONTACTOS, POLITICA, hoy)
    esperado = ocurrencia_para(PASOS, dias)
    if esperado is None:
        assert plan.mensajes == [] and plan.tareas == [] and len(plan.omitidas) == 1
    elif esperado.paso.es_tarea:
        assert [t.ocurrencia.id for t in plan.tareas] == [esperado.id]
    else:
        assert {m.ocurrencia.id for m in plan.mensajes} == {esperado.id}
        assert all(m.dias_vencido == dias for m in plan.mensajes)


def test_un_mensaje_por_deudor_y_canal_en_el_paso_mas_firme():
    facturas = [
        factura("F-1", HOY - timedelta(days=1)),
        factura("F-2", HOY - timedelta(days=31)),
        factura("F-3", HOY + timedelta(days=3)),
        factura("F-4", HOY + timedelta(days=40)),
    ]
    plan = planificar(facturas, CONTACTOS, POLITICA, HOY)
    (m,) = plan.mensajes  # aviso_formal va solo por email
    assert (m.canal, m.ocurrencia.id, m.destinatario) == (
        "email",
        "aviso_formal",
        "ana@ejemplo.com",
    )
    assert sorted(m.numeros) == ["F-1", "F-2", "F-3"]
    assert m.dias_vencido == 31
    assert [(o.factura, o.motivo.split(":")[0]) for o in plan.omitidas] == [("F-4", "al corriente")]


def test_paso_ya_enviado_no_se_repite_y_tras_dias_sin_correr_solo_el_ultimo():
    f = factura("F-1", HOY - timedelta(days=12))  # toca seguimiento#2 (día 11)
    plan = planificar([f], CONTACTOS, POLITICA, HOY)
    assert {m.ocurrencia.id for m in plan.mensajes} == {"seguimiento#2"}
    assert {m.canal for m in plan.mensajes} == {"email", "sms"}
    historial = Historial(
        enviados={("F-1", "email"): {"seguimiento#2"}, ("F-1", "sms"): {"recordatorio"}}
    )
    plan = planificar([f], CONTACTOS, POLITICA, HOY, historial)
    assert [(m.canal, m.ocurrencia.id) for m in plan.mensajes] == [("sms", "seguimiento#2")]
    historial.enviados[("F-1", "sms")] = {"seguimiento#2"}
    plan = planificar([f], CONTACTOS, POLITICA, HOY, historial)
    assert plan.mensajes == []
    assert plan.omitidas[0].motivo.startswith("ya enviado")


def test_minimo_de_dias_entre_mensajes():
    politica = cargar_politica(None)
    politica.limites = Limites(min_dias_entre_mensajes=3)
    f = factura("F-1", HOY - timedelta(days=1))
    historial = Historial(envios={"ana": [(HOY - timedelta(days=2), "email")]})
    plan = planificar([f], CONTACTOS, politica, HOY, historial)
    assert plan.mensajes == [] and plan.omitidas[0].motivo.startswith("espera")
    historial.envios["ana"] = [(HOY - timedelta(days=3), "email")]
    assert planificar([f], CONTACTOS, politica, HOY, historial).mensajes


def test_sin_contacto_se_informa():
    plan = planificar([factura("F-1", HOY - timedelta(days=1), deudor="nadie")], {}, POLITICA, HOY)
    assert plan.mensajes == []
    assert plan.omitidas[0].motivo.startswith("sin contacto")


def test_canal_preferido_y_respaldo():
    solo_tel = {"ana": Contacto(telefonos=["+525512345678"])}
    plan = planificar([factura("F-1", HOY - timedelta(days=31))], solo_tel, POLITICA, HOY)
    assert [(m.canal, m.destinatario) for m in plan.mensajes] == [("whatsapp", "+525512345678")]
    prefiere = {
        "ana": Contacto(correos=["ana@ejemplo.com"], telefonos=["+525512345678"], canal="sms")
    }
    plan = planificar([factura("F-1", HOY - timedelta(days=31))], prefiere, POLITICA, HOY)
    assert [m.canal for m in plan.mensajes] == ["sms"]


def test_tarea_de_agencia_sin_mensaje():
    plan = planificar([factura("F-1", HOY - timedelta(days=61))], CONTACTOS, POLITICA, HOY)
    assert plan.mensajes == []
    (t,) = plan.tareas
    assert t.ocurrencia.id == "agencia" and t.numeros == ["F-1"]
    historial = Historial(enviados={("F-1", "tarea"): {"agencia"}})
    assert (
        planificar(
            [factura("F-1", HOY - timedelta(days=61))], CONTACTOS, POLITICA, HOY, historial
        ).tareas
        == []
    )


def test_interes_simple_diario_y_compensacion():
    regla = InteresMoratorio(tasa_anual=Decimal("10"), desde_dias=30, compensacion=Decimal("40"))
    assert calcular_interes(Decimal("36500"), 29, regla) == (Decimal(0), Decimal(0))
    assert calcular_interes(Decimal("36500"), 30, regla) == (Decimal("300.00"), Decimal("40"))
    assert calcular_interes(Decimal("1000"), -3, regla) == (Decimal(0), Decimal(0))


def test_monedas_distintas_van_en_mensajes_distintos():
    facturas = [
        factura("F-1", HOY - timedelta(days=31)),
        factura("F-2", HOY - timedelta(days=31), moneda="USD"),
    ]
    plan = planificar(facturas, CONTACTOS, POLITICA, HOY)
    assert sorted((m.moneda, tuple(m.numeros)) for m in plan.mensajes) == [
        ("MXN", ("F-1",)),
        ("USD", ("F-2",)),
    ]
