"""`recordar enviar --ver CLIENTE`: los mensajes completos de un deudor, como salen: asunto y
cuerpo del correo, el SMS con sus segmentos, la plantilla de WhatsApp con sus parámetros.

El deudor se busca por su nombre (una parte basta, sin distinguir mayúsculas ni acentos) o por
su clave; si coinciden varios, se nombran y no se elige ninguno.
"""

from __future__ import annotations

import unicodedata

from recordar.cartera.carga import Cartera
from recordar.errores import RecordarError
from recordar.informe.vista_tabla import dias_de
from recordar.mensajes.texto_sms import segmentos_sms
from recordar.plan import Mensaje, Plan

CANDIDATOS = 10  # nombres en el mensaje de «coincide con varios»


def normalizar(texto: str) -> str:
    """Sin acentos, mayúsculas ni espacios de más: «  JOSÉ  Núñez» → «jose nunez»."""
    sin_acentos = "".join(
        c for c in unicodedata.normalize("NFKD", texto) if not unicodedata.combining(c)
    )
    return " ".join(sin_acentos.casefold().split())


def buscar_deudor(buscado: str, cartera: Cartera, plan: Plan) -> tuple[str, str]:
    """(clave del deudor, cliente) que corresponde a `buscado`; RecordarError si no hay ninguno
    o si hay varios (los nombra)."""
    clientes: dict[str, str] = {}
    for m in plan.mensajes:
        clientes.setdefault(m.deudor, m.cliente)
    for f in cartera.facturas:
        clientes.setdefault(f.deudor, f.cliente)
    q = normalizar(buscado)
    if not q:
        raise RecordarError("--ver: escribe el nombre del cliente (o una parte) que quieres ver")
    for prueba in (
        lambda d, c: d == buscado or normalizar(c) == q or normalizar(d) == q,
        lambda d, c: q in normalizar(c) or q in normalizar(d),
    ):
        hallados = {d: c for d, c in clientes.items() if prueba(d, c)}
        if len(hallados) == 1:
            return next(iter(hallados.items()))
        if hallados:
            nombres = sorted(set(hallados.values()), key=normalizar)
            lista = "; ".join(f"«{n}»" for n in nombres[:CANDIDATOS])
            mas = f" y {len(nombres) - CANDIDATOS} más" if len(nombres) > CANDIDATOS else ""
            raise RecordarError(
                f"--ver «{buscado}»: coincide con {len(hallados)} clientes ({lista}{mas}); "
                "escribe más del nombre, tal como está en la hoja"
            )
    raise RecordarError(
        f"--ver «{buscado}»: ningún cliente de la hoja {cartera.ruta} se llama así ni lo "
        "contiene; revisa cómo está escrito en la columna del cliente"
    )


def lineas_de_detalle(deudor: str, cliente: str, plan: Plan, politica, dinero,
                      omitidas=()) -> list[str]:  # fmt: skip
    """Los mensajes completos de hoy para el deudor o, si hoy no recibe ninguno, por qué."""
    mensajes = [m for m in plan.mensajes if m.deudor == deudor]
    if not mensajes:
        lineas = [f"{cliente}: hoy no recibe ningún mensaje."]
        for o in omitidas:
            if o.cliente == cliente:
                lineas.append(f"  factura {o.factura} (fila {o.fila}): {o.motivo}")
        return lineas
    lineas = [f"Mensajes de hoy para {cliente} ({len(mensajes)}):"]
    for m in mensajes:
        lineas += ["", *_detalle(m, politica, dinero)]
    return lineas


def _detalle(m: Mensaje, politica, dinero) -> list[str]:
    cabecera = (f"── {m.canal} · {m.destinatario} · paso {m.ocurrencia.id} · "
                f"{', '.join(m.numeros)} · {dinero(m.total, m.moneda)} · {dias_de(m.dias_vencido)}")  # fmt: skip
    if m.estado != "simulado":
        cabecera += f" · {m.estado}" + (f" ({m.detalle})" if m.detalle else "")
    lineas = [cabecera]
    if m.canal == "email":
        lineas.append(f"Asunto: {m.asunto}")
    elif m.canal == "sms":
        caracteres, segmentos, codificacion = segmentos_sms(m.cuerpo)
        lineas.append(f"SMS: {caracteres} caracteres, {segmentos} "
                      f"{'segmento' if segmentos == 1 else 'segmentos'} ({codificacion})")  # fmt: skip
    elif m.canal == "whatsapp":
        lineas += _plantilla_aprobada(m, politica)
    lineas += m.cuerpo.rstrip("\n").splitlines()
    return lineas


def _plantilla_aprobada(m: Mensaje, politica) -> list[str]:
    """La plantilla aprobada de un WhatsApp y los parámetros que llevaría, como los arma el canal
    (canales.aprobadas): posicionales («parámetro 1») o con nombre, el botón de url, y por qué no
    saldría si alguno queda vacío."""
    from recordar.canales.aprobadas import (
        FORMA_CORTA,
        Aprobada,
        elegir,
        leer_plantillas,
        mapa_de_parametros,
    )
    from recordar.canales.base import Envio, NoEnviado
    from recordar.errores import ErrorCanal

    ajustes = (politica.canales.get("whatsapp") or {}) if politica else {}
    ajustes = ajustes if isinstance(ajustes, dict) else {}
    plantilla = m.ocurrencia.paso.plantilla
    claves = ("sid",) if ajustes.get("tipo") == "twilio" else ("nombre", "idioma", "boton_url")
    try:
        plantillas = leer_plantillas("whatsapp", ajustes.get("plantillas"), claves)
    except ErrorCanal as exc:
        return [f"Plantilla de WhatsApp: {exc}"]
    envio = Envio(m.clave, m.canal, m.cliente, m.destinatario, m.asunto, m.cuerpo,
                  plantilla=plantilla, paso=m.ocurrencia.id, parametros=m.parametros)  # fmt: skip
    aprobada = elegir(plantillas, envio) or Aprobada(
        "canales.whatsapp.plantillas", plantilla, None, tuple((None, v) for v in FORMA_CORTA), None
    )
    lineas = [f"Plantilla de WhatsApp: «{aprobada.nombre}»"]
    valores = mapa_de_parametros(m.parametros)
    vacios = []
    for i, (nombre, variable) in enumerate(aprobada.parametros, 1):
        valor = " ".join(str(valores.get(variable) or "").split())
        lineas.append(f"  {nombre or f'parámetro {i}'} ({variable}): {valor or '(vacío)'}")
        vacios += [] if valor else [variable]
    try:
        boton = aprobada.sufijo_boton(envio)
        if boton is not None:
            lineas.append(f"  botón de url: {boton}")
    except NoEnviado as exc:
        lineas.append(f"  botón de url: no saldría: {exc.motivo}")
    if vacios:
        lineas.append(f"  no saldría: {', '.join(vacios)} queda vacío para este deudor (Meta y "
                      "Twilio rechazan parámetros vacíos); complétalo en la hoja o quítalo de "
                      "la plantilla")  # fmt: skip
    return lineas
