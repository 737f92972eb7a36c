import gc
from dataclasses import replace
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recordar.cartera.carga import Contacto, Factura
from recordar.interes import calcular_interes
from recordar.plan import Historial, ocurrencia_para, planificar
from recordar.politica.calendario import Calendario
from recordar.politica.politica import InteresMoratorio, Limites, cargar_politica
from recordar.politica.segmentos import Comportamiento
from recordar.politica.validacion import validar_politica
from tests.canal_falso import enviar_en_memoria

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
    # Sin horario ni feriados: aquí solo cuentan los días (cumplimiento: MX frenaría domingos).
    sin_calendario = replace(POLITICA, calendario=Calendario())
    plan = planificar([factura("F-1", vencimiento)], CONTACTOS, sin_calendario, hoy)
    esperado = ocurrencia_para(PASOS, dias)
    if esperado is None:
        assert plan.mensajes == [] and plan.tareas == [] and len(plan.omitidas) == 1
    elif esperado.paso.es_tarea:
        # Sin el aviso anterior enviado, la tarea espera: primero sale ese aviso.
        assert plan.tareas == [] and {m.ocurrencia.id for m in plan.mensajes} == {"aviso_final"}
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
    enviado = Historial(avisos={("F-1", "aviso_final"): HOY - timedelta(days=16)})
    plan = planificar([factura("F-1", HOY - timedelta(days=61))], CONTACTOS, POLITICA, HOY, enviado)
    assert plan.mensajes == []
    (t,) = plan.tareas
    assert t.ocurrencia.id == "agencia" and t.numeros == ["F-1"]
    historial = Historial(enviados={("F-1", "tarea"): {"agencia"}}, avisos=enviado.avisos)
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


@given(
    st.decimals(min_value=Decimal("-1e9"), max_value=Decimal("1e15"), places=2),
    st.decimals(min_value=Decimal("0"), max_value=Decimal("99.999"), places=3),
    st.integers(-5, 4000),
    st.integers(0, 60),
)
def test_interes_como_la_formula_con_enteros(monto, tasa, dias, desde):
    regla = InteresMoratorio(tasa_anual=tasa, desde_dias=desde, compensacion=Decimal("40"))
    esperado = (Decimal(0), Decimal(0))
    if dias > 0 and dias >= desde:
        interes = monto * tasa / 100 * dias / 365
        esperado = (interes.quantize(Decimal("0.01"), ROUND_HALF_UP), Decimal("40"))
    assert calcular_interes(monto, dias, regla) == esperado
    assert str(calcular_interes(monto, dias, regla)[0]) == str(esperado[0])


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


def test_tareas_nuevas_y_ya_registradas_del_mismo_deudor():
    facturas = [factura("F-1", HOY - timedelta(days=61)), factura("F-2", HOY - timedelta(days=70))]
    avisos = {(n, "aviso_final"): HOY - timedelta(days=20) for n in ("F-1", "F-2")}
    historial = Historial(enviados={("F-1", "tarea"): {"agencia"}}, avisos=avisos)
    plan = planificar(facturas, CONTACTOS, POLITICA, HOY, historial)
    (t,) = plan.tareas
    assert t.numeros == ["F-2"]
    assert [(o.factura, o.motivo) for o in plan.omitidas] == [
        ("F-1", "tarea ya registrada en la bitácora")
    ]


def test_entre_ocurrencias_igual_de_firmes_manda_la_primera_factura():
    # Dos promesas rotas del mismo día pesan igual; el mensaje lleva la de la primera factura.
    rota = HOY - timedelta(days=2)
    facturas = [
        Factura(2, "F-1", "Ana", "ana", Decimal("10"), HOY - timedelta(days=10), "MXN",
                promesa_pago=rota),
        Factura(3, "F-2", "Ana", "ana", Decimal("10"), HOY - timedelta(days=20), "MXN",
                promesa_pago=rota),
    ]  # fmt: skip
    plan = planificar(facturas, CONTACTOS, POLITICA, HOY)
    assert plan.mensajes
    assert {(m.ocurrencia.id, m.ocurrencia.dias) for m in plan.mensajes} == {
        ("promesa_incumplida@2026-11-21", 10)
    }


def test_orden_del_plan_por_atraso_cliente_y_canal():
    contactos = {
        d: Contacto(correos=[f"{d}@ejemplo.com"], telefonos=["+525512345678"])
        for d in ("ana", "luis", "eva")
    }
    facturas = [
        factura("F-1", HOY - timedelta(days=1), deudor="luis", fila=5),
        factura("F-2", HOY - timedelta(days=45), deudor="eva", fila=4),
        factura("F-3", HOY - timedelta(days=1), deudor="ana", fila=3),
        factura("F-4", HOY + timedelta(days=9), deudor="ana", fila=2),
    ]
    plan = planificar(facturas, contactos, POLITICA, HOY)
    assert [(m.dias_vencido, m.cliente, m.canal) for m in plan.mensajes] == [
        (45, "Eva", "email"),
        (45, "Eva", "sms"),
        (1, "Ana", "email"),
        (1, "Ana", "whatsapp"),
        (1, "Luis", "email"),
        (1, "Luis", "whatsapp"),
    ]
    assert [o.fila for o in plan.omitidas] == [2]


def test_planificar_deja_el_recolector_como_estaba():
    facturas = [factura("F-1", HOY - timedelta(days=1))]
    assert gc.isenabled()
    planificar(facturas, CONTACTOS, POLITICA, HOY)
    assert gc.isenabled()
    gc.disable()
    try:
        planificar(facturas, CONTACTOS, POLITICA, HOY)
        assert not gc.isenabled()
    finally:
        gc.enable()


# --- un deudor se planifica igual solo que junto a los demás -----------------------------------

POLITICA_VARIADA = validar_politica(
    {
        "pasos": [
            {"id": "previo", "dias": -3, "canales": ["email"], "plantilla": "previo"},
            {"id": "vencimiento", "dias": 0, "canales": ["email", "sms"], "plantilla": "vencimiento"},
            {"id": "seguimiento", "dias": 2, "repetir_cada": 3, "hasta": 40,
             "canales": ["email", "whatsapp"], "plantilla": "seguimiento"},
            {"id": "agencia", "dias": 45, "accion": "tarea"},
            {"id": "final", "dias": 60, "repetir_cada": 7, "canales": ["sms"],
             "plantilla": "aviso_final"},
        ],
        "interes_moratorio": {
            "tasa_anual": 12, "desde_dias": 5, "compensacion": 40,
            "tabla": [{"desde": "2026-10-01", "tasa_anual": 13.5}],
        },
        "limites": {"min_dias_entre_mensajes": 2, "max_por_semana": 3,
                    "por_canal": {"sms": {"max_por_semana": 1}}},
        "promesa_incumplida": {"canales": ["email", "sms"]},
        "cadencia_adaptativa": {"min_intervalo": 2, "max_intervalo": 9},
        "segmentos": [
            {"nombre": "grandes", "si": {"monto": ">= 5000"}, "canales": ["email"]},
            {"nombre": "rapidos", "si": {"tipo": "rapido"}, "pasos": [
                {"id": "aviso", "dias": 1, "repetir_cada": 4, "canales": ["sms"],
                 "plantilla": "recordatorio"},
            ]},
        ],
    },
    None,
)  # fmt: skip
DEUDORES = ("ana", "luis", "eva", "sol")
CONTACTOS_VARIADOS = {
    "ana": Contacto(correos=["ana@ejemplo.com"], telefonos=["+525512345678"]),
    "luis": Contacto(telefonos=["+525511111111"]),
    "eva": Contacto(correos=["eva@ejemplo.com"], canal="whatsapp", telefonos=["+525522222222"]),
    "sol": Contacto(correos=["sol@ejemplo.com", "pagos@sol.mx"]),
}

facturas_variadas_st = st.lists(
    st.tuples(
        st.sampled_from(DEUDORES),
        st.integers(-10, 120),  # días de atraso hoy
        st.sampled_from(["100", "7000.55", "33.33"]),  # el segmento «grandes» desde 5000
        st.sampled_from(["", "rapido"]),  # columna Tipo: el segmento «rapidos» trae sus pasos
        st.one_of(st.none(), st.integers(-3, 12)),  # promesa de pago, días antes de hoy
    ),
    min_size=1,
    max_size=12,
)


def _facturas_variadas(tuplas):
    return [
        Factura(i + 2, f"F-{i}", d.title(), d, Decimal(monto), HOY - timedelta(days=atraso), "MXN",
                extras={"tipo": tipo},
                promesa_pago=HOY - timedelta(days=promesa) if promesa is not None else None)
        for i, (d, atraso, monto, tipo, promesa) in enumerate(tuplas)
    ]  # fmt: skip


def _resumen(mensajes, tareas, omitidas):
    return (
        [(m.deudor, m.canal, m.destinatario, m.ocurrencia.id, m.numeros, m.nota,
          [(x.dias_vencido, x.interes, x.compensacion, x.propia and x.propia.id) for x in m.lineas])
         for m in mensajes],
        [(t.deudor, t.ocurrencia.id, t.numeros, t.descripcion) for t in tareas],
        [(o.fila, o.factura, o.motivo) for o in omitidas],
    )  # fmt: skip


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    facturas_variadas_st,
    st.lists(st.sampled_from([None, 1.0, 6.0, 12.0]), min_size=4, max_size=4),
    st.sampled_from([None, 1, 2, 5]),  # días desde un envío anterior de todo lo planificado
)
def test_cada_deudor_se_planifica_igual_solo_que_junto_a_los_demas(tuplas, pagos, antes):
    # Lo calculado una vez por planificación (por vencimiento, escalada o segmento) no debe
    # mezclar deudores con pasos, intervalos o historial distintos.
    facturas = _facturas_variadas(tuplas)
    historial = Historial(comportamiento={
        d: Comportamiento(pagos=2, dias_tras_aviso=p, dias_tarde=3.0)
        for d, p in zip(DEUDORES, pagos, strict=True) if p is not None
    })  # fmt: skip
    if antes is not None:
        dia_anterior = HOY - timedelta(days=antes)
        anterior = planificar(
            facturas, CONTACTOS_VARIADOS, POLITICA_VARIADA, dia_anterior, historial
        )
        enviar_en_memoria(anterior, historial)
    junto = planificar(facturas, CONTACTOS_VARIADOS, POLITICA_VARIADA, HOY, historial)
    solos = [
        planificar([f for f in facturas if f.deudor == d], CONTACTOS_VARIADOS, POLITICA_VARIADA,
                   HOY, historial)
        for d in DEUDORES
    ]  # fmt: skip
    mensajes = sorted(
        (m for p in solos for m in p.mensajes), key=lambda m: (-m.dias_vencido, m.cliente, m.canal)
    )
    tareas = sorted((t for p in solos for t in p.tareas), key=lambda t: t.cliente)
    omitidas = sorted((o for p in solos for o in p.omitidas), key=lambda o: o.fila)
    assert _resumen(junto.mensajes, junto.tareas, junto.omitidas) == _resumen(
        mensajes, tareas, omitidas
    )
    regla = POLITICA_VARIADA.interes_moratorio
    for linea in [x for m in junto.mensajes for x in m.lineas] + [
        x for t in junto.tareas for x in t.lineas
    ]:
        f = linea.factura
        esperado = calcular_interes(f.monto, linea.dias_vencido, regla, f.vencimiento)
        assert (linea.interes, linea.compensacion) == esperado
