"""Antes de un envío real: valores de ejemplo, canales sin transporte, deudores sin canal y
lo que costarán los SMS. La vista previa, `validar`, `canales` y el informe dicen lo mismo."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from recordar.cartera.valores import cantidad
from recordar.errores import RecordarError
from recordar.politica.ejemplos import valores_de_ejemplo
from recordar.politica.politica import CANALES_MENSAJE, Politica

MAX_SEGMENTOS = 2  # `max_segmentos` de canales.sms cuando no lo indica


def exigir_lista_para_enviar(politica: Politica) -> None:
    """RecordarError (salida 2) si la política no sirve para un envío real: la predeterminada
    (solo para simulacros) o una con valores de ejemplo de `recordar iniciar`."""
    if politica.ruta is None:
        raise RecordarError(
            "la política predeterminada es solo para simulacros (--simulacro); para enviar de "
            "verdad crea la tuya con «recordar iniciar CARPETA», pon tus datos y pásala con "
            "--politica"
        )
    claves = valores_de_ejemplo(politica)
    if claves:
        raise RecordarError(
            f"{politica.nombre}: no se envía nada mientras la política tenga valores de ejemplo "
            f"en {', '.join(claves)}; pon los tuyos (o borra la clave) y vuelve a ejecutar"
        )


def aviso_de_ejemplo(politica: Politica) -> str | None:
    """La frase del simulacro cuando un envío real se negaría (o None)."""
    if politica.ruta is None:
        return (
            "AVISO: política predeterminada, solo para simulacros; para enviar de verdad crea "
            "la tuya con «recordar iniciar CARPETA»"
        )
    claves = valores_de_ejemplo(politica)
    if claves:
        return (
            "AVISO: valores de ejemplo en " + ", ".join(claves)
            + "; mientras sigan, el envío real se niega"
        )  # fmt: skip
    return None


def configurados(politica: Politica) -> frozenset[str]:
    """Los canales de mensaje con transporte en `canales:` (archivo sirve a los tres)."""
    if "archivo" in politica.canales:
        return frozenset(CANALES_MENSAJE)
    return frozenset(c for c in CANALES_MENSAJE if c in politica.canales)


def usos_de_canales(politica: Politica) -> dict[str, list[str]]:
    """canal → pasos que lo usan (de la política, de cada segmento y la promesa incumplida)."""
    usos: dict[str, list[str]] = {}
    grupos = [("", politica.pasos, ())] + [
        (f" (segmento {s.nombre})", s.pasos or politica.pasos, s.canales)
        for s in politica.segmentos
    ]
    for donde, pasos, canales_segmento in grupos:
        for paso in pasos:
            if paso.es_tarea:
                continue
            for canal in canales_segmento or paso.canales:
                usos.setdefault(canal, [])
                if f"{paso.id}{donde}" not in usos[canal]:
                    usos[canal].append(f"{paso.id}{donde}")
    return usos


def canales_sin_transporte(politica: Politica, contactos: dict) -> list[str]:
    """Una línea por canal que los pasos usan y no tiene transporte: qué pasos lo usan y cuántos
    deudores de la hoja solo se alcanzarían por canales sin transporte."""
    hay = configurados(politica)
    solo: dict[str, int] = {}
    for contacto in contactos.values():
        alcanza = _canales_de(contacto)
        if alcanza and not (alcanza & hay):
            for canal in alcanza:
                solo[canal] = solo.get(canal, 0) + 1
    lineas = []
    for canal, pasos in usos_de_canales(politica).items():
        if canal in hay:
            continue
        lineas.append(
            f"{canal}: sin transporte en «canales:»; lo usan los pasos {', '.join(pasos)}; "
            f"{cantidad(solo.get(canal, 0), 'deudor', 'deudores')} de la hoja solo se "
            f"{'alcanza' if solo.get(canal, 0) == 1 else 'alcanzan'} por canales sin transporte"
        )
    return lineas


def _canales_de(contacto) -> frozenset[str]:
    canales = set()
    if contacto.correos:
        canales.add("email")
    if contacto.telefonos:
        canales.update(("sms", "whatsapp"))
    return frozenset(canales)


def sin_canal(cartera, plan) -> list[dict[str, Any]]:
    """Los deudores que hoy se quedan sin mensaje porque ningún canal configurado les llega."""
    vistos: dict[str, dict[str, Any]] = {}
    for o in plan.omitidas:
        if not o.motivo.startswith("sin canal"):
            continue
        fila = vistos.setdefault(o.cliente, {"cliente": o.cliente, "facturas": [], "tiene": ""})
        fila["facturas"].append(o.factura)
    for factura in cartera.facturas if vistos else ():
        if factura.cliente in vistos and not vistos[factura.cliente]["tiene"]:
            contacto = cartera.contactos.get(factura.deudor)
            vistos[factura.cliente]["tiene"] = _que_tiene(contacto)
    return list(vistos.values())


def _que_tiene(contacto) -> str:
    if contacto is None:
        return "sin contacto"
    if contacto.correos and not contacto.telefonos:
        return "solo correo"
    if contacto.telefonos and not contacto.correos:
        return "solo teléfono"
    return "correo y teléfono"


def linea_sin_canal(filas: list[dict[str, Any]]) -> str | None:
    """«sin canal configurado: 1 — Carnicería Doña Begoña, solo teléfono»."""
    if not filas:
        return None
    nombres = "; ".join(f"{f['cliente']}, {f['tiene']}" for f in filas[:20])
    mas = f"; y {len(filas) - 20} más" if len(filas) > 20 else ""
    return f"sin canal configurado: {len(filas)} — {nombres}{mas}"


def costo_por_segmento(politica: Politica) -> Decimal | None:
    ajustes = politica.canales.get("sms") or {}
    valor = ajustes.get("costo_por_segmento")
    if valor is None or isinstance(valor, bool):
        return None
    try:
        return Decimal(str(valor))
    except InvalidOperation:
        return None


def problemas_de_ajustes_sms(politica: Politica) -> list[str]:
    """costo_por_segmento y max_segmentos mal escritos (se dicen en `validar`)."""
    ajustes = politica.canales.get("sms") or {}
    problemas = []
    if "costo_por_segmento" in ajustes and (
        costo_por_segmento(politica) is None or costo_por_segmento(politica) < 0
    ):
        problemas.append("canales.sms.costo_por_segmento: debe ser un número (p. ej. 0.45)")
    valor = ajustes.get("max_segmentos")
    if valor is not None and (isinstance(valor, bool) or not isinstance(valor, int) or valor < 1):
        problemas.append("canales.sms.max_segmentos: debe ser un número entero mayor que 0")
    return problemas


def max_segmentos(politica: Politica) -> int:
    valor = (politica.canales.get("sms") or {}).get("max_segmentos")
    return (
        valor
        if isinstance(valor, int) and not isinstance(valor, bool) and valor > 0
        else (MAX_SEGMENTOS)
    )


def contar_sms(mensajes) -> tuple[int, int]:
    """(SMS, segmentos) de unos mensajes ya generados (se cuenta donde se generan)."""
    from recordar.mensajes.texto_sms import segmentos_sms

    sms = [m for m in mensajes if m.canal == "sms"]
    return len(sms), sum(segmentos_sms(m.cuerpo)[1] for m in sms)


def resumen_sms(politica: Politica, cuentas) -> dict[str, Any] | None:
    """SMS de la ejecución, sus segmentos y el coste estimado (si el canal dice su precio);
    `cuentas` son los (SMS, segmentos) de contar_sms por tramo."""
    mensajes = sum(c[0] for c in cuentas)
    if not mensajes:
        return None
    segmentos = sum(c[1] for c in cuentas)
    costo = costo_por_segmento(politica)
    datos: dict[str, Any] = {"mensajes": mensajes, "segmentos": segmentos}
    if costo is not None:
        datos["costo_estimado"] = float(costo * segmentos)
    return datos


def linea_sms(datos: dict[str, Any] | None, politica: Politica) -> str | None:
    if not datos:
        return None
    texto = (
        f"SMS: {cantidad(datos['mensajes'], 'mensaje')}, {cantidad(datos['segmentos'], 'segmento')}"
    )
    if "costo_estimado" in datos:
        texto += f", coste estimado {datos['costo_estimado']:.2f} {politica.moneda}"
    return texto


def notas_de_politica(politica: Politica) -> list[str]:
    """Lo que se dice antes de la vista previa: valores de ejemplo y claves que reemplazan las
    del país."""
    aviso = aviso_de_ejemplo(politica)
    return (
        ([aviso] if aviso else [])
        + aviso_de_plantillas(politica)
        + [f"nota: {n}" for n in politica.notas]
    )


def aviso_de_plantillas(politica: Politica) -> list[str]:
    """En el simulacro, lo mismo que negaría el envío real: pasos sin plantilla aprobada en un
    WhatsApp por Twilio (un canal mal configurado ya lo dicen `validar` y `enviar`)."""
    if "whatsapp" not in politica.canales:
        return []
    from recordar.canales import configurar_canales

    try:
        rutas = configurar_canales({"whatsapp": politica.canales["whatsapp"]}, politica.carpeta)
    except RecordarError:
        return []
    return [
        f"AVISO: {p}; el envío real se niega" for p in pasos_sin_plantilla_aprobada(politica, rutas)
    ]


def notas_de_plan(politica: Politica, cartera, plan, cuentas_sms, abiertas=()) -> list[str]:
    """Lo que se dice después: deudores sin canal, SMS y su coste, tareas abiertas."""
    notas = []
    for linea in (linea_sin_canal(sin_canal(cartera, plan)),
                  linea_sms(resumen_sms(politica, cuentas_sms), politica)):  # fmt: skip
        if linea:
            notas.append(linea)
    for t in abiertas:
        notas.append(
            f"tarea abierta {t.id} desde el {t.desde}: {t.cliente} · {', '.join(t.facturas)} · "
            f"{t.paso} (ciérrala con «recordar tareas hecha {t.id}»)"
        )
    return notas


def datos_de_ejecucion(politica: Politica, cartera, plan, cuentas_sms, abiertas=()) -> dict:
    """Lo mismo para el informe (claves nuevas al final del JSON)."""
    from recordar.informe import cifras

    aviso = aviso_de_ejemplo(politica)
    return {
        "avisos_politica": ([aviso] if aviso else []) + politica.notas,
        "sin_canal": sin_canal(cartera, plan),
        "sms": resumen_sms(politica, cuentas_sms),
        "tareas_abiertas": [t.a_dict() for t in abiertas],
        # Para escribir importes y fechas como la política (informes html y xlsx).
        "idioma": politica.idioma,
        "moneda": politica.moneda,
        "cifras": cifras.a_dict(cifras.calcular(cartera, plan, politica)),
    }


def sms_largos(politica: Politica, cartera, plan, hoy) -> list[str]:
    """Las plantillas SMS que pasan de `max_segmentos` con algún deudor: los SMS de hoy y, para
    las que hoy no tocan, los deudores de nombre más largo y con más facturas de la hoja."""
    from recordar.mensajes.texto_sms import segmentos_sms

    maximo = max_segmentos(politica)
    problemas = {(p, ""): p for p in problemas_de_ajustes_sms(politica)}

    def anotar(mensaje, fila: int) -> None:
        segmentos = segmentos_sms(mensaje.cuerpo)[1]
        clave = (mensaje.ocurrencia.paso.plantilla, mensaje.ocurrencia.paso.id.split("@")[0])
        if segmentos > maximo and clave not in problemas:
            problemas[clave] = (
                f"sms: la plantilla «{clave[0]}.sms.j2» (paso {clave[1]}) da "
                f"{cantidad(segmentos, 'segmento')} con el deudor «{mensaje.cliente}» (fila "
                f"{fila}); el máximo es {maximo} (canales.sms.max_segmentos): acórtala"
            )

    for m in plan.mensajes:
        if m.canal == "sms" and m.cuerpo:
            anotar(m, m.lineas[0].factura.fila)
    for mensaje, fila in _sms_de_prueba(politica, cartera, hoy):
        anotar(mensaje, fila)
    return list(problemas.values())


def _sms_de_prueba(politica: Politica, cartera, hoy):
    """Cada plantilla SMS de la política generada con los deudores que la alargan más."""
    from recordar.errores import ErrorPlantilla
    from recordar.mensajes.plantillas import Plantillas
    from recordar.mensajes.revision_plantillas import (
        _facturas_de_ejemplo,
        _mensaje_de_ejemplo,
        _usos_de_plantillas,
    )

    if not cartera.facturas:
        return
    por_deudor: dict[str, int] = {}
    for f in cartera.facturas:
        por_deudor[f.deudor] = por_deudor.get(f.deudor, 0) + 1
    primeras = {}
    for f in cartera.facturas:
        primeras.setdefault(f.deudor, f)
    candidatos = sorted(primeras.values(), key=lambda f: -len(f.cliente))[:3]
    candidatos += [primeras[d] for d in sorted(por_deudor, key=lambda d: -por_deudor[d])[:3]]
    plantillas = Plantillas(politica)
    requeridas, _ = _usos_de_plantillas(politica)
    for (nombre, canal), (paso, indice, _quien) in requeridas.items():
        if canal != "sms" or not plantillas.existe(f"{nombre}.sms.j2"):
            continue
        for modelo in {id(f): f for f in candidatos}.values():
            for facturas in _facturas_de_ejemplo(politica, hoy, paso, modelo, ()):
                mensaje = _mensaje_de_ejemplo(politica, paso, indice, "sms", hoy, facturas)
                try:
                    plantillas.renderizar(mensaje, hoy)
                except ErrorPlantilla:
                    continue  # la revisión de plantillas ya lo dice
                yield mensaje, modelo.fila


# --- plantillas aprobadas de WhatsApp ---------------------------------------------------------


def _pasos_con_mensaje(politica: Politica) -> list:
    """Los pasos que mandan mensajes: los de la política, los de cada segmento y la promesa
    incumplida (cualquiera puede ir por WhatsApp: el deudor lo prefiere o no tiene otro canal)."""
    pasos = [*politica.pasos, *(p for s in politica.segmentos for p in s.pasos or ())]
    if politica.promesa_incumplida is not None:
        pasos.append(politica.promesa_incumplida)
    vistos: dict[tuple[str, str], Any] = {}
    for paso in pasos:
        if not paso.es_tarea:
            vistos.setdefault((paso.id, paso.plantilla), paso)
    return list(vistos.values())


def _pasos_sin_mapa(politica: Politica, plantillas: dict) -> list[str]:
    """Los ids de los pasos que no tienen plantilla aprobada en `plantillas`."""
    from recordar.canales.aprobadas import elegir
    from recordar.canales.base import Envio

    faltan = []
    for paso in _pasos_con_mensaje(politica):
        envio = Envio("", "whatsapp", "", "", "", "", paso=paso.id, plantilla=paso.plantilla)
        if elegir(plantillas, envio) is None and paso.id not in faltan:
            faltan.append(paso.id)
    return faltan


def pasos_sin_plantilla_aprobada(politica: Politica, rutas: dict) -> list[str]:
    """Una frase si el WhatsApp va por Twilio y algún paso no tiene plantilla de Content: un
    envío real se niega (Twilio no entrega WhatsApp sin plantilla fuera de las 24 horas)."""
    from recordar.canales.sms import CanalTwilio

    canal = rutas.get("whatsapp")
    if not isinstance(canal, CanalTwilio):
        return []
    faltan = _pasos_sin_mapa(politica, canal.plantillas)
    if not faltan:
        return []
    pasos = ", ".join(f"«{p}»" for p in faltan)
    return [
        f"canales.{canal.nombre}.plantillas: falta la plantilla aprobada (ContentSid HX…) de "
        f"{'el paso' if len(faltan) == 1 else 'los pasos'} {pasos}; Twilio no entrega por "
        "WhatsApp mensajes sin plantilla fuera de la ventana de 24 horas y cualquier paso puede "
        "ir por WhatsApp (si el deudor lo prefiere o no tiene otro canal): añádela con la clave "
        "del paso o de su plantilla"
    ]


def plantillas_sin_paso(politica: Politica, rutas: dict) -> list[str]:
    """Avisos de `validar`: claves de `canales.whatsapp.plantillas` que no son ni un paso ni la
    plantilla de un paso (una errata: ese paso usaría otra plantilla o ninguna)."""
    plantillas = getattr(rutas.get("whatsapp"), "plantillas", None) or {}
    pasos = _pasos_con_mensaje(politica)
    conocidas = {p.id for p in pasos} | {p.plantilla for p in pasos}
    return [
        f"{a.donde}: no hay ningún paso ni plantilla de paso «{clave}»; usa el id de un paso "
        f"({', '.join(sorted({p.id for p in pasos}))}) o el nombre de su plantilla"
        for clave, a in plantillas.items()
        if clave not in conocidas
    ]


def parametros_que_pueden_faltar(politica: Politica, cartera, rutas: dict) -> list[str]:
    """Avisos de `validar`: un valor que una plantilla aprobada de WhatsApp usa y que en la hoja
    (o en la política) puede quedar vacío; a esos deudores no se les manda ese WhatsApp."""
    from recordar.canales.aprobadas import FORMA_CORTA, usa

    canal = rutas.get("whatsapp")
    plantillas = getattr(canal, "plantillas", None)
    if canal is None or plantillas is None:
        return []
    # En la Cloud API, un paso sin plantilla en el mapa usa la del mismo nombre con los cinco
    # valores de siempre (FORMA_CORTA).
    sin_mapa = canal.tipo == "whatsapp_cloud" and bool(_pasos_sin_mapa(politica, plantillas))

    def donde(variable: str) -> list[str]:
        claves = usa(plantillas, variable)
        if sin_mapa and variable in FORMA_CORTA:
            claves.append(f"canales.{canal.nombre}.plantillas (los pasos que no están en el mapa)")
        return claves

    avisos = []
    if (claves := donde("enlace_pago")) and not politica.empresa.get("enlace_pago"):
        sin_enlace = [f for f in cartera.facturas if not f.enlace_pago]
        if sin_enlace:
            avisos.append(
                f"{', '.join(claves)}: usa enlace_pago y "
                f"{cantidad(len(sin_enlace), 'factura', 'facturas')} de la hoja no "
                f"{'tiene' if len(sin_enlace) == 1 else 'tienen'} enlace de pago (p. ej. la fila "
                f"{sin_enlace[0].fila}) ni hay empresa.enlace_pago; a esos deudores no se les "
                "manda ese WhatsApp (Meta y Twilio rechazan parámetros vacíos): completa la "
                "columna, pon empresa.enlace_pago o quita el parámetro"
            )
    if (claves := donde("empresa")) and not str(politica.empresa.get("nombre") or "").strip():
        avisos.append(
            f"{', '.join(claves)}: usa empresa y la política no tiene empresa.nombre; ese "
            "WhatsApp no se manda a nadie: ponlo o quita el parámetro"
        )
    return avisos
