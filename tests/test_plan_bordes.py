"""Bordes de la planificación que la prueba de mutación encontró sin vigilar (issue #17).

Cada prueba mira lo que vería quien usa recordar: a quién va el mensaje, por qué canal, qué
factura se omite y con qué motivo, qué interés lleva.
"""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from recordar.cartera.carga import Contacto, Factura
from recordar.plan import Historial, planificar
from recordar.politica.politica import InteresMoratorio, Limites, cargar_politica
from recordar.politica.segmentos import Comportamiento
from recordar.politica.validacion import validar_politica

HOY = date(2026, 11, 23)  # lunes
CORREO, TEL = "ana@ejemplo.com", "+525512345678"
AMBOS = {"ana": Contacto(correos=[CORREO], telefonos=[TEL])}


def factura(numero, atraso, monto="100", vencimiento=None, fila=2):
    vence = vencimiento or HOY - timedelta(days=atraso)
    return Factura(fila, numero, "Ana", "ana", Decimal(monto), vence, "MXN")


def politica(**cambios):
    """La política predeterminada con otros límites o interés."""
    p = cargar_politica(None)
    for nombre, valor in cambios.items():
        setattr(p, nombre, valor)
    return p


def canales(plan):
    return sorted((m.canal, m.destinatario) for m in plan.mensajes)


def motivos(plan):
    return [(o.factura, o.motivo) for o in plan.omitidas]


# --- bajas en el canal preferido -----------------------------------------------------------------


@pytest.mark.parametrize("baja", [(TEL.lower(), "sms"), (TEL.lower(), "*")])
def test_baja_en_el_canal_preferido_no_se_ignora(baja):
    prefiere_sms = {"ana": Contacto(correos=[CORREO], telefonos=[TEL], canal="sms")}
    f = [factura("F-1", 31)]  # aviso_formal: solo por email
    sin_baja = planificar(f, prefiere_sms, cargar_politica(None), HOY)
    assert canales(sin_baja) == [("sms", TEL)]
    con_baja = planificar(f, prefiere_sms, cargar_politica(None), HOY, Historial(bajas={baja}))
    # El teléfono pidió la baja: ni un SMS; va por el canal del paso.
    assert canales(con_baja) == [("email", CORREO)]


def test_baja_del_unico_contacto_del_canal_preferido_se_informa():
    solo_tel = {"ana": Contacto(telefonos=[TEL], canal="whatsapp")}
    historial = Historial(bajas={(TEL.lower(), "*")})
    plan = planificar([factura("F-1", 31)], solo_tel, cargar_politica(None), HOY, historial)
    assert plan.mensajes == []
    assert motivos(plan) == [
        ("F-1", "baja: el deudor pidió no recibir más mensajes por sus contactos")
    ]


# --- topes por canal, sin tope general que los tape ----------------------------------------------


def test_tope_semanal_por_canal_frena_solo_ese_canal():
    p = politica(limites=Limites(por_canal={"sms": (1, None)}))
    f = [factura("F-1", 12)]  # seguimiento#2: email y sms
    historial = Historial(envios={"ana": [(HOY - timedelta(days=2), "sms")]})
    plan = planificar(f, AMBOS, p, HOY, historial)
    assert canales(plan) == [("email", CORREO)]
    # Un email reciente no cuenta para el tope de sms.
    historial = Historial(envios={"ana": [(HOY - timedelta(days=2), "email")]})
    assert canales(planificar(f, AMBOS, p, HOY, historial)) == [("email", CORREO), ("sms", TEL)]


def test_tope_mensual_por_canal_y_cuando_podra_enviarse():
    p = politica(limites=Limites(por_canal={"email": (None, 1)}))
    f = [factura("F-1", 31)]  # aviso_formal: solo email
    historial = Historial(envios={"ana": [(HOY - timedelta(days=20), "email")]})
    plan = planificar(f, AMBOS, p, HOY, historial)
    assert plan.mensajes == []
    assert motivos(plan) == [
        ("F-1", "tope mensual de email: 1 en 30 días; podrá enviarse desde el 2026-12-03")
    ]


# --- los bordes de las ventanas de 7 y 30 días ---------------------------------------------------


@pytest.mark.parametrize(
    ("limites", "largo", "nombre"),
    [(Limites(max_por_semana=1), 7, "semanal"), (Limites(max_por_mes=1), 30, "mensual"),
     (Limites(por_canal={"email": (1, None)}), 7, "semanal de email"),
     (Limites(por_canal={"email": (None, 1)}), 30, "mensual de email")],
)  # fmt: skip
def test_el_ultimo_dia_de_la_ventana_aun_cuenta(limites, largo, nombre):
    f = [factura("F-1", 31)]  # aviso_formal: solo email
    p = politica(limites=limites)
    # Enviado hace largo-1 días: aún dentro de la ventana; mañana se libera.
    dentro = Historial(envios={"ana": [(HOY - timedelta(days=largo - 1), "email")]})
    plan = planificar(f, AMBOS, p, HOY, dentro)
    assert plan.mensajes == []
    manana = (HOY + timedelta(days=1)).isoformat()
    assert motivos(plan) == [
        ("F-1", f"tope {nombre}: 1 en {largo} días; podrá enviarse desde el {manana}")
    ]
    # Enviado hace exactamente `largo` días: fuera de la ventana, se envía hoy.
    fuera = Historial(envios={"ana": [(HOY - timedelta(days=largo), "email")]})
    assert canales(planificar(f, AMBOS, p, HOY, fuera)) == [("email", CORREO)]


@given(st.lists(st.integers(0, 40), min_size=1, max_size=8), st.integers(1, 4))
@example(hace=[0, 0, 6], tope=3)  # dos envíos hoy: el día anterior al prometido es hoy mismo
def test_podra_enviarse_desde_es_el_primer_dia_en_que_cabe(hace, tope):
    # La fecha que promete el motivo es exacta: ese día cabe y el anterior todavía no.
    f = [factura("F-1", 31)]
    p = politica(limites=Limites(max_por_semana=tope))
    historial = Historial(envios={"ana": [(HOY - timedelta(days=d), "email") for d in hace]})
    plan = planificar(f, AMBOS, p, HOY, historial)
    if plan.mensajes:
        assert sum(1 for d in hace if d < 7) < tope
        return
    assert sum(1 for d in hace if d < 7) >= tope
    (omitida,) = plan.omitidas
    libre = date.fromisoformat(omitida.motivo.rsplit(" ", 1)[1])

    def cabe(dia):
        # Todo lo enviado ya es de hoy o antes, y el día que se prueba es hoy o después: el
        # historial que vería ese día es el entero (también lo enviado hoy mismo).
        return bool(planificar([factura("F-1", 0, vencimiento=f[0].vencimiento)], AMBOS, p,
                               dia, historial).mensajes)  # fmt: skip

    assert cabe(libre)
    assert not cabe(libre - timedelta(days=1))


# --- un paso posterior ya enviado ----------------------------------------------------------------


@pytest.mark.parametrize("posterior", ["aviso_final", "aviso_formal", "seguimiento#3"])
def test_un_paso_posterior_ya_enviado_impide_el_anterior(posterior):
    f = [factura("F-1", 12)]  # toca seguimiento#2 por email y sms
    historial = Historial(enviados={("F-1", "email"): {posterior}, ("F-1", "sms"): {posterior}})
    plan = planificar(f, AMBOS, cargar_politica(None), HOY, historial)
    assert plan.mensajes == []
    assert motivos(plan) == [
        ("F-1", "ya enviado: el paso seguimiento#2 o uno posterior ya se mandó")
    ]


@pytest.mark.parametrize("anterior", ["recordatorio", "seguimiento", "paso_que_ya_no_existe"])
def test_un_paso_anterior_o_desconocido_no_impide_el_de_hoy(anterior):
    f = [factura("F-1", 12)]
    historial = Historial(enviados={("F-1", "email"): {anterior}, ("F-1", "sms"): {anterior}})
    plan = planificar(f, AMBOS, cargar_politica(None), HOY, historial)
    assert canales(plan) == [("email", CORREO), ("sms", TEL)]


def test_tarea_posterior_registrada_impide_la_anterior():
    pasos = validar_politica(
        {"pasos": [
            {"id": "llamar", "dias": 5, "accion": "tarea"},
            {"id": "abogado", "dias": 50, "accion": "tarea"},
        ]},
        None,
    )  # fmt: skip
    historial = Historial(enviados={("F-1", "tarea"): {"abogado"}})
    plan = planificar([factura("F-1", 10)], AMBOS, pasos, HOY, historial)
    assert plan.tareas == []
    assert motivos(plan) == [("F-1", "tarea ya registrada en la bitácora")]


# --- interés moratorio en el plan ----------------------------------------------------------------


def _interes(plan):
    return [(x.factura.numero, x.interes, x.compensacion) for m in plan.mensajes[:1]
            for x in m.lineas]  # fmt: skip


def test_el_interes_empieza_el_dia_desde_dias_y_nunca_el_dia_del_vencimiento():
    regla = InteresMoratorio(Decimal("36.5"), desde_dias=6, compensacion=Decimal("40"))
    p = politica(interes_moratorio=regla)
    # seguimiento el día 6 (y su repetición el 11); 36,5 % anual = 0,1 % diario.
    assert _interes(planificar([factura("F-1", 6, "1000")], AMBOS, p, HOY)) == [
        ("F-1", Decimal("6.00"), Decimal("40"))
    ]
    assert _interes(planificar([factura("F-1", 5, "1000")], AMBOS, p, HOY)) == [
        ("F-1", Decimal("0"), Decimal("0"))
    ]
    desde_cero = politica(interes_moratorio=InteresMoratorio(Decimal("36.5"), 0, Decimal("40")))
    assert _interes(planificar([factura("F-1", 0, "1000")], AMBOS, desde_cero, HOY)) == [
        ("F-1", Decimal("0"), Decimal("0"))
    ]
    assert _interes(planificar([factura("F-1", 1, "1000")], AMBOS, desde_cero, HOY)) == [
        ("F-1", Decimal("1.00"), Decimal("40"))
    ]


@pytest.mark.parametrize(("monto", "interes"), [("25", "0.03"), ("5", "0.01"), ("15", "0.02")])
def test_medio_centavo_de_interes_se_redondea_hacia_arriba(monto, interes):
    # 36,5 % anual a un día: monto × 0,001 → 0,025 es 0,03 (no 0,02 como al redondear a par).
    p = politica(interes_moratorio=InteresMoratorio(Decimal("36.5"), 1, Decimal(0)))
    plan = planificar([factura("F-1", 1, monto)], AMBOS, p, HOY)
    assert _interes(plan) == [("F-1", Decimal(interes), Decimal(0))]


def test_la_tasa_es_la_del_periodo_en_que_vencio_la_factura():
    tabla = ((date(2026, 7, 1), Decimal("73")), (date(2026, 10, 1), Decimal("36.5")))
    p = politica(interes_moratorio=InteresMoratorio(Decimal("18.25"), 1, Decimal(0), tabla))
    # 1000 de cada una; las dos primeras ya van en la tarea de agencia, la tercera en un mensaje.
    facturas = [
        factura("F-1", 0, "1000", vencimiento=date(2026, 6, 30), fila=2),  # 146 días al 18,25 %
        factura("F-2", 0, "1000", vencimiento=date(2026, 7, 1), fila=3),  # 145 días al 73 %
        factura("F-3", 0, "1000", vencimiento=date(2026, 10, 1), fila=4),  # 53 días al 36,5 %
    ]
    plan = planificar(facturas, AMBOS, p, HOY)
    lineas = [x for m in plan.mensajes for x in m.lineas] + [
        x for t in plan.tareas for x in t.lineas
    ]
    assert {x.factura.numero: x.interes for x in lineas} == {
        "F-1": Decimal("73.00"),
        "F-2": Decimal("290.00"),
        "F-3": Decimal("53.00"),
    }


# --- segmentos por atraso y por cómo paga el deudor ----------------------------------------------

SEGMENTADA = validar_politica(
    {
        "pasos": [
            {"id": "aviso", "dias": 1, "canales": ["email"], "plantilla": "recordatorio"},
        ],
        "segmentos": [
            {"nombre": "muy_atrasados", "si": {"dias_vencido": ">= 40"}, "canales": ["sms"]},
            {"nombre": "buenos_pagadores", "si": {"pagos": ">= 3", "dias_tarde": "< 2"},
             "canales": ["whatsapp"]},
        ],
    },
    None,
)  # fmt: skip


def test_segmento_por_dias_de_atraso_mira_la_factura_mas_atrasada():
    junto = [factura("F-1", 3, fila=2), factura("F-2", 40, fila=3)]
    plan = planificar(junto, AMBOS, SEGMENTADA, HOY)
    assert [(m.canal, m.nota) for m in plan.mensajes] == [("sms", "segmento muy_atrasados")]
    plan = planificar([factura("F-1", 39)], AMBOS, SEGMENTADA, HOY)
    assert [(m.canal, m.nota) for m in plan.mensajes] == [("email", "")]


@pytest.mark.parametrize(
    ("comportamiento", "canal"),
    [(Comportamiento(pagos=3, dias_tras_aviso=None, dias_tarde=1.5), "whatsapp"),
     (Comportamiento(pagos=2, dias_tras_aviso=None, dias_tarde=1.5), "email"),
     (Comportamiento(pagos=5, dias_tras_aviso=None, dias_tarde=2.0), "email"),
     (None, "email")],
)  # fmt: skip
def test_segmento_por_como_paga_el_deudor(comportamiento, canal):
    historial = Historial(comportamiento={"ana": comportamiento} if comportamiento else {})
    plan = planificar([factura("F-1", 3)], AMBOS, SEGMENTADA, HOY, historial)
    assert [m.canal for m in plan.mensajes] == [canal]


# --- promesas incumplidas, tareas y motivos de omisión -------------------------------------------


def _con_promesa(numero, atraso, rota_hace, fila):
    return Factura(fila, numero, "Ana", "ana", Decimal("100"), HOY - timedelta(days=atraso), "MXN",
                   promesa_pago=HOY - timedelta(days=rota_hace))  # fmt: skip


def test_entre_promesas_rotas_manda_la_mas_reciente():
    facturas = [_con_promesa("F-1", 10, 5, 2), _con_promesa("F-2", 20, 2, 3)]
    plan = planificar(facturas, AMBOS, cargar_politica(None), HOY)
    assert {m.ocurrencia.id for m in plan.mensajes} == {"promesa_incumplida@2026-11-21"}
    assert all(sorted(m.numeros) == ["F-1", "F-2"] for m in plan.mensajes)
    # Cada línea recuerda su paso normal (el que tocaría sin la promesa).
    propias = {x.factura.numero: x.propia.id for x in plan.mensajes[0].lineas}
    assert propias == {"F-1": "seguimiento", "F-2": "seguimiento#3"}


def test_promesa_rota_sin_aviso_en_la_politica_sigue_su_paso_normal():
    p = politica(promesa_incumplida=None)
    plan = planificar([_con_promesa("F-1", 12, 3, 2)], AMBOS, p, HOY)
    assert {m.ocurrencia.id for m in plan.mensajes} == {"seguimiento#2"}


def test_la_tarea_lleva_el_deudor_y_su_descripcion():
    con_texto = validar_politica(
        {"pasos": [{"id": "llamar", "dias": 5, "accion": "tarea",
                    "descripcion": "Llamar al deudor"}]},
        None,
    )  # fmt: skip
    sin_texto = validar_politica({"pasos": [{"id": "llamar", "dias": 5, "accion": "tarea"}]}, None)
    for p, descripcion in ((con_texto, "Llamar al deudor"), (sin_texto, "Tarea manual: llamar")):
        (t,) = planificar([factura("F-1", 6)], AMBOS, p, HOY).tareas
        assert (t.deudor, t.cliente, t.descripcion, t.numeros) == ("ana", "Ana", descripcion,
                                                                  ["F-1"])  # fmt: skip


def test_sin_canal_configurado_para_los_contactos_del_deudor():
    solo_correo = {"ana": Contacto(correos=[CORREO])}
    plan = planificar([factura("F-1", 31)], solo_correo, cargar_politica(None), HOY,
                      disponibles=frozenset({"sms", "whatsapp"}))  # fmt: skip
    assert motivos(plan) == [
        ("F-1", "sin canal: ningún canal configurado sirve para los contactos del deudor")
    ]


def test_podra_enviarse_desde_con_tope_por_canal_solo_cuenta_ese_canal():
    p = politica(limites=Limites(por_canal={"email": (1, None)}))
    historial = Historial(envios={"ana": [(HOY - timedelta(days=3), "email"),
                                          (HOY - timedelta(days=1), "sms")]})  # fmt: skip
    plan = planificar([factura("F-1", 31)], AMBOS, p, HOY, historial)
    assert motivos(plan) == [
        ("F-1", "tope semanal de email: 1 en 7 días; podrá enviarse desde el 2026-11-27")
    ]


def test_promesa_y_pausa_que_vencen_hoy_aun_valen_hoy():
    vence_hoy = [
        Factura(2, "F-1", "Ana", "ana", Decimal("100"), HOY - timedelta(days=12), "MXN",
                promesa_pago=HOY),
        Factura(3, "F-2", "Ana", "ana", Decimal("100"), HOY - timedelta(days=12), "MXN",
                pausa_hasta=HOY),
    ]  # fmt: skip
    plan = planificar(vence_hoy, AMBOS, cargar_politica(None), HOY)
    assert plan.mensajes == []
    assert [(o.factura, o.cliente, o.motivo) for o in plan.omitidas] == [
        ("F-1", "Ana", "promesa vigente: pagará a más tardar el 2026-11-23"),
        ("F-2", "Ana", "pausada hasta el 2026-11-23"),
    ]


# --- espera entre mensajes, respaldo, varios correos, notas --------------------------------------


def test_la_espera_cuenta_desde_el_ultimo_envio_no_desde_el_primero():
    p = politica(limites=Limites(min_dias_entre_mensajes=3))
    historial = Historial(envios={"ana": [(HOY - timedelta(days=2), "sms"),
                                          (HOY - timedelta(days=10), "email")]})  # fmt: skip
    plan = planificar([factura("F-1", 31)], AMBOS, p, HOY, historial)
    assert motivos(plan) == [
        ("F-1", "espera: último mensaje el 2026-11-21 (mínimo 3 días entre mensajes)")
    ]


def test_completar_hoy_por_otro_canal_el_mismo_paso_no_espera():
    # Ayer salió el email de seguimiento#2 y el SMS no: hoy se completa el SMS.
    p = politica(limites=Limites(min_dias_entre_mensajes=3))
    f = [factura("F-1", 13)]
    historial = Historial(
        enviados={("F-1", "email"): {"seguimiento#2"}},
        envios={"ana": [(HOY - timedelta(days=1), "email")]},
    )
    assert canales(planificar(f, AMBOS, p, HOY, historial)) == [("sms", TEL)]
    # Un paso nuevo (aviso_formal) sí espera.
    plan = planificar([factura("F-1", 31)], AMBOS, p, HOY, historial)
    assert plan.mensajes == [] and motivos(plan)[0][1].startswith("espera: ")


def test_respaldo_por_sms_si_no_hay_whatsapp_configurado():
    solo_tel = {"ana": Contacto(telefonos=[TEL])}
    plan = planificar([factura("F-1", 31)], solo_tel, cargar_politica(None), HOY,
                      disponibles=frozenset({"email", "sms"}))  # fmt: skip
    assert canales(plan) == [("sms", TEL)]


def test_varios_correos_van_juntos_menos_el_que_se_dio_de_baja():
    dos = {"ana": Contacto(correos=[CORREO, "Pagos@Ana.mx"])}
    plan = planificar([factura("F-1", 31)], dos, cargar_politica(None), HOY)
    assert canales(plan) == [("email", f"{CORREO}, Pagos@Ana.mx")]
    historial = Historial(bajas={("pagos@ana.mx", "email")})
    plan = planificar([factura("F-1", 31)], dos, cargar_politica(None), HOY, historial)
    assert canales(plan) == [("email", CORREO)]


def test_no_contactar_se_respeta_y_se_dice():
    no = {"ana": Contacto(correos=[CORREO], no_contactar=True)}
    plan = planificar([factura("F-1", 31)], no, cargar_politica(None), HOY)
    assert plan.mensajes == []
    assert motivos(plan) == [("F-1", "no contactar: así lo indica la hoja")]


def test_la_nota_dice_el_segmento_y_la_cadencia():
    p = validar_politica(
        {"pasos": [{"id": "aviso", "dias": 1, "repetir_cada": 4, "canales": ["email"],
                    "plantilla": "recordatorio"}],
         "cadencia_adaptativa": {"min_intervalo": 2, "max_intervalo": 9},
         "segmentos": [{"nombre": "todos", "si": {"monto": ">= 0"}}]},
        None,
    )  # fmt: skip
    lento = Comportamiento(pagos=1, dias_tras_aviso=30.0, dias_tarde=10.0)
    plan = planificar([factura("F-1", 3)], AMBOS, p, HOY, Historial(comportamiento={"ana": lento}))
    (m,) = plan.mensajes
    assert m.ocurrencia.id == "aviso#2"  # cada 2 días: días 1 y 3
    assert m.nota == (
        "segmento todos; intervalo 2 d: suele pagar 30 d después del último aviso "
        "(1 pago registrado)"
    )


def test_al_corriente_dice_cuando_toca_el_primer_paso_y_de_quien_es():
    plan = planificar([factura("F-1", -10, fila=7)], AMBOS, cargar_politica(None), HOY)
    (o,) = plan.omitidas
    # Vence el 03/12/2026; previo toca 3 días antes.
    assert (o.fila, o.factura, o.cliente, o.motivo) == (
        7,
        "F-1",
        "Ana",
        "al corriente: el primer paso (previo) toca el 2026-11-30",
    )
    no = {"ana": Contacto(correos=[CORREO], no_contactar=True)}
    (o,) = planificar([factura("F-1", 31, fila=8)], no, cargar_politica(None), HOY).omitidas
    assert (o.fila, o.cliente) == (8, "Ana")


def test_completar_por_otro_canal_cuando_el_email_ya_llevaba_una_repeticion_posterior():
    # Con otra cadencia, ayer el email llevó seguimiento#3; el SMS de hoy (seguimiento#2) lo
    # completa y no espera.
    p = politica(limites=Limites(min_dias_entre_mensajes=3))
    historial = Historial(
        enviados={("F-1", "email"): {"seguimiento#3"}},
        envios={"ana": [(HOY - timedelta(days=1), "email")]},
    )
    assert canales(planificar([factura("F-1", 13)], AMBOS, p, HOY, historial)) == [("sms", TEL)]


def test_una_factura_al_corriente_no_deja_fuera_a_las_siguientes_del_deudor():
    facturas = [
        factura("F-1", -10, fila=2),
        factura("F-2", 31, fila=3),
        factura("F-3", -20, fila=4),
    ]
    plan = planificar(facturas, AMBOS, cargar_politica(None), HOY)
    assert [m.numeros for m in plan.mensajes] == [["F-2"]]
    assert [o.factura for o in plan.omitidas] == ["F-1", "F-3"]


def test_tareas_por_cliente_y_mensajes_por_canal_en_orden_alfabetico():
    p = validar_politica(
        {"pasos": [{"id": "aviso", "dias": 1, "canales": ["whatsapp", "email"],
                    "plantilla": "recordatorio"},
                   {"id": "llamar", "dias": 30, "accion": "tarea"}]},
        None,
    )  # fmt: skip
    contactos = {d: Contacto(correos=[f"{d}@ejemplo.com"], telefonos=[TEL]) for d in ("ana", "eva")}
    facturas = [
        Factura(2, "F-1", "Eva", "eva", Decimal("1"), HOY - timedelta(days=40), "MXN"),
        Factura(3, "F-2", "Ana", "ana", Decimal("1"), HOY - timedelta(days=40), "MXN"),
        Factura(4, "F-3", "Eva", "eva", Decimal("1"), HOY - timedelta(days=2), "MXN"),
    ]
    # La tarea llega cuando el aviso anterior ya se envió de verdad (y pasó `tras_aviso`).
    avisos = {
        ("F-1", "aviso"): HOY - timedelta(days=39),
        ("F-2", "aviso"): HOY - timedelta(days=39),
    }
    enviados = {(n, c): {"aviso"} for n in ("F-1", "F-2") for c in ("email", "whatsapp")}
    plan = planificar(facturas, contactos, p, HOY, Historial(enviados=enviados, avisos=avisos))
    assert [t.cliente for t in plan.tareas] == ["Ana", "Eva"]
    assert [(m.cliente, m.canal) for m in plan.mensajes] == [("Eva", "email"), ("Eva", "whatsapp")]


def test_segmento_por_monto_suma_las_facturas_del_deudor_sin_nada_mas():
    p = validar_politica(
        {"pasos": [{"id": "aviso", "dias": 1, "canales": ["email"], "plantilla": "recordatorio"}],
         "segmentos": [{"nombre": "grandes", "si": {"monto": ">= 100"}, "canales": ["sms"]}]},
        None,
    )  # fmt: skip
    justo = [factura("F-1", 3, "60", fila=2), factura("F-2", 5, "40", fila=3)]
    assert [m.canal for m in planificar(justo, AMBOS, p, HOY).mensajes] == ["sms"]
    debajo = [factura("F-1", 3, "60", fila=2), factura("F-2", 5, "39.99", fila=3)]
    assert [m.canal for m in planificar(debajo, AMBOS, p, HOY).mensajes] == ["email"]
