"""Los datos del informe (resumen, omitidas, mensajes, tareas, rechazos) y su codificación en
JSON; los archivos que se escriben con ellos están en `formatos`."""

from __future__ import annotations

import gc
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from json.encoder import c_make_encoder as _c_make_encoder
from json.encoder import encode_basestring as _texto_json
from operator import attrgetter
from typing import Any

from recordar.cartera.carga import Cartera
from recordar.mensajes.texto_sms import segmentos_sms
from recordar.plan import Mensaje, Plan, Tarea


@dataclass(slots=True)
class Resumen:
    filas: int
    facturas: int
    rechazadas: int
    omitidas: int
    mensajes: int
    tareas: int
    en_mensajes: int
    en_tareas: int
    avisos: int


def resumir(cartera: Cartera, plan: Plan) -> Resumen:
    return analizar(cartera, plan)[0]


def analizar(cartera: Cartera, plan: Plan) -> tuple[Resumen, list]:
    """El resumen y las omitidas juntos: los dos necesitan las facturas que van en mensajes.

    La vista previa y el informe lo usan los dos: se les puede pasar ya hecho (`analisis`).
    """
    en_mensajes = _facturas_en(plan.mensajes)
    vistas: set[str] = set()
    omitidas = list(cartera.omitidas)
    for o in plan.omitidas:
        if o.factura in en_mensajes or o.factura in vistas:
            continue
        vistas.add(o.factura)
        omitidas.append(o)
    omitidas.sort(key=attrgetter("fila"))
    resumen = Resumen(
        filas=cartera.filas,
        facturas=cartera.num_facturas,
        rechazadas=cartera.filas_rechazadas,
        omitidas=len(omitidas),
        mensajes=len(plan.mensajes),
        tareas=len(plan.tareas),
        en_mensajes=len(en_mensajes),
        en_tareas=len(_facturas_en(plan.tareas)),
        avisos=len(cartera.avisos),
    )
    return resumen, omitidas


def _facturas_en(grupos: list) -> set[str]:
    """Números de factura de mensajes o tareas (sin pasar por la propiedad, que arma una lista)."""
    return {linea.factura.numero for grupo in grupos for linea in grupo.lineas}


def _num(valor: Decimal) -> float | int:
    entero = int(valor)
    return entero if entero == valor else float(valor)


@dataclass(slots=True)
class _Cifras:
    numeros: list[str]
    dias_vencido: int
    total: Decimal
    interes: Decimal
    compensacion: Decimal


def _sumar(lineas: list) -> _Cifras:
    """Las cifras de un mensaje o tarea en una pasada por sus líneas.

    Dan lo mismo que las propiedades numeros, total y dias_vencido de Mensaje, que recorren las
    líneas cada vez que se leen.
    """
    numeros = []
    dias_vencido = lineas[0].dias_vencido
    total = interes = compensacion = Decimal(0)
    for linea in lineas:
        factura = linea.factura
        numeros.append(factura.numero)
        if linea.dias_vencido > dias_vencido:
            dias_vencido = linea.dias_vencido
        total += factura.monto
        interes += linea.interes
        compensacion += linea.compensacion
    return _Cifras(numeros, dias_vencido, total, interes, compensacion)


def mensaje_a_dict(m: Mensaje, cifras: tuple | None = None) -> dict[str, Any]:
    """El registro del informe de un mensaje; `cifras` (las de _cifras_de sus líneas), si ya
    se calcularon."""
    _, numeros, dias_vencido, total, interes, compensacion = cifras or _cifras_de(m.lineas)
    datos: dict[str, Any] = {
        "cliente": m.cliente,
        "facturas": numeros,
        "paso": m.ocurrencia.id,
        "canal": m.canal,
        "destinatario": m.destinatario,
        "dias_vencido": dias_vencido,
        "total": total,
        "moneda": m.moneda,
        "asunto": m.asunto,
        "cuerpo": m.cuerpo,
        "estado": m.estado,
        "interes": interes,
        "compensacion": compensacion,
        "plantilla": m.ocurrencia.paso.plantilla,
    }
    if m.detalle:
        datos["detalle"] = m.detalle
    if m.nota:
        datos["nota"] = m.nota
    if m.canal == "sms":
        caracteres, segmentos, codificacion = segmentos_sms(m.cuerpo)
        datos.update(caracteres=caracteres, segmentos=segmentos, codificacion=codificacion)
    return datos


def _cifras_de(lineas: list) -> tuple:
    """(líneas, números, días de atraso, total, interés, compensación) ya listos para el informe."""
    c = _sumar(lineas)
    return (lineas, c.numeros, c.dias_vencido, _num(c.total), _num(c.interes),
            _num(c.compensacion))  # fmt: skip


def _registros(mensajes: list[Mensaje]) -> Iterator[dict[str, Any]]:
    """mensaje_a_dict de cada mensaje."""
    return map(mensaje_a_dict, mensajes, _por_deudor(mensajes, _cifras_de))


def _por_deudor(mensajes: list[Mensaje], cifras_de: Callable[[list], tuple]) -> Iterator[tuple]:
    """cifras_de(m.lineas) de cada mensaje, calculadas una vez por deudor: sus mensajes por
    cada canal van seguidos en el plan y comparten la lista de líneas (el primer elemento)."""
    cifras: tuple = (None,)
    for m in mensajes:
        if cifras[0] is not m.lineas:
            cifras = cifras_de(m.lineas)
        yield cifras


class JsonHecho(bytes):
    """Registros del informe ya codificados en JSON y en UTF-8, unidos con «,\n» (se escriben
    tal cual). En bytes porque vienen de otro proceso: pickle copia bytes ~10 veces más rápido
    que texto con acentos (44 MB con 100k filas: 0,03 s en vez de 0,5 s, y otro tanto al leer)."""

    __slots__ = ()


@lru_cache(maxsize=1)
def _codificador() -> Callable[[Any], str]:
    # Sin sangría usa el codificador en C; sin check_circular porque el informe es un árbol
    # recién armado. JSONEncoder.encode arma el de C en cada llamada (~2 µs por registro, con
    # decenas de miles de registros); aquí se arma una vez, con los mismos parámetros.
    codificador = json.JSONEncoder(ensure_ascii=False, check_circular=False, default=_serializar)
    if _c_make_encoder is None:
        return codificador.encode
    en_c = _c_make_encoder(None, codificador.default, _texto_json, None, ": ", ", ", False,
                           False, True)  # fmt: skip

    def codificar(valor: Any) -> str:
        if isinstance(valor, str):  # como JSONEncoder.encode
            return _texto_json(valor)
        return "".join(en_c(valor, 0))

    return codificar


def mensajes_a_json(mensajes: list[Mensaje]) -> JsonHecho | None:
    """Los registros JSON de varios mensajes, idénticos a los que escribiría el informe .json
    (None si no hay mensajes).

    Sirve para codificarlos donde se generaron (en el proceso del render) y no después.
    """
    if not mensajes:
        return None
    registros = map(_registro_json, mensajes, _por_deudor(mensajes, _cifras_json))
    return JsonHecho(",\n".join(registros).encode())


def _cifras_json(lineas: list) -> tuple:
    """Las de _cifras_de, con la lista de números ya en JSON."""
    _, numeros, *resto = _cifras_de(lineas)
    return (lineas, "[" + ", ".join(map(_texto_json, numeros)) + "]", *resto)


def _registro_json(m: Mensaje, cifras: tuple) -> str:
    """_codificador()(mensaje_a_dict(m)) escrito directamente, sin armar el dict ni recorrerlo:
    en un simulacro de 100 000 filas, ~0,4 s menos de CPU. Mismas claves, mismo orden, mismos
    separadores; los números con repr, como json."""
    _, facturas, dias_vencido, total, interes, compensacion = cifras
    t = _texto_json
    ocurrencia = m.ocurrencia
    texto = (
        f'{{"cliente": {t(m.cliente)}, "facturas": {facturas}, "paso": {t(ocurrencia.id)}, '
        f'"canal": {t(m.canal)}, "destinatario": {t(m.destinatario)}, '
        f'"dias_vencido": {dias_vencido!r}, "total": {total!r}, "moneda": {t(m.moneda)}, '
        f'"asunto": {t(m.asunto)}, "cuerpo": {t(m.cuerpo)}, "estado": {t(m.estado)}, '
        f'"interes": {interes!r}, "compensacion": {compensacion!r}, '
        f'"plantilla": {t(ocurrencia.paso.plantilla)}'
    )
    if m.detalle:
        texto += f', "detalle": {t(m.detalle)}'
    if m.nota:
        texto += f', "nota": {t(m.nota)}'
    if m.canal == "sms":
        caracteres, segmentos, codificacion = segmentos_sms(m.cuerpo)
        texto += (
            f', "caracteres": {caracteres!r}, "segmentos": {segmentos!r}, '
            f'"codificacion": {t(codificacion)}'
        )
    return texto + "}"


def a_dict(
    cartera: Cartera, plan: Plan, simulacro: bool, con_mensajes: bool = True, analisis=None
) -> dict[str, Any]:
    """El informe completo; su forma JSON es el contrato estable para scripts.

    Con con_mensajes=False, "mensajes" queda vacío (para quien los pone ya codificados).
    """
    # Sin el recolector cíclico mientras se arman ~100 000 dicts y listas sin ciclos: con la
    # cartera y el plan en memoria, una pasada completa suya costaba más que armarlos.
    recolector = gc.isenabled()
    gc.disable()
    try:
        return _armar(cartera, plan, simulacro, con_mensajes, analisis or analizar(cartera, plan))
    finally:
        if recolector:
            gc.enable()


def _armar(
    cartera: Cartera, plan: Plan, simulacro: bool, con_mensajes: bool, analisis: tuple
) -> dict[str, Any]:
    r, omitidas = analisis
    return {
        "fecha": plan.fecha.isoformat(),
        "simulacro": simulacro,
        "cartera": str(cartera.ruta),
        "hoja": cartera.hoja,
        "otras_hojas": cartera.otras_hojas,
        "resumen": {
            "filas": r.filas,
            "facturas": r.facturas,
            "rechazadas": r.rechazadas,
            "omitidas": r.omitidas,
            "mensajes": r.mensajes,
            "tareas": r.tareas,
            "facturas_en_mensajes": r.en_mensajes,
            "facturas_en_tareas": r.en_tareas,
            "avisos": r.avisos,
        },
        "mensajes": list(_registros(plan.mensajes)) if con_mensajes else [],
        "omitidas": [
            {"fila": o.fila, "factura": o.factura, "cliente": o.cliente, "motivo": o.motivo}
            for o in omitidas
        ],
        "rechazos": [_rechazo(r) for r in cartera.rechazos],
        "avisos": [_rechazo(a) for a in cartera.avisos],
        "tareas": [_tarea_a_dict(t) for t in plan.tareas],
    }


def json_de_antemano(
    cartera: Cartera, plan: Plan, simulacro: bool, analisis=None
) -> Callable[[list[JsonHecho | None]], dict[str, Any]]:
    """Arma y codifica ya el informe .json salvo los mensajes (p. ej. mientras otro proceso
    los genera); devuelve la función que, con sus registros por tramos (mensajes_a_json),
    da el informe listo para escribir_informe, igual byte a byte al de a_dict."""
    datos = a_dict(cartera, plan, simulacro, con_mensajes=False, analisis=analisis)
    codificar = _codificador()
    for clave, valor in datos.items():
        if isinstance(valor, list) and valor:
            datos[clave] = [JsonHecho(",\n".join(map(codificar, valor)).encode())]

    def completar(registros: list[JsonHecho | None]) -> dict[str, Any]:
        datos["mensajes"] = [tramo for tramo in registros if tramo is not None]
        return datos

    return completar


def _tarea_a_dict(t: Tarea) -> dict[str, Any]:
    c = _sumar(t.lineas)
    return {
        "cliente": t.cliente,
        "facturas": c.numeros,
        "paso": t.ocurrencia.id,
        "descripcion": t.descripcion,
        "dias_vencido": c.dias_vencido,
        "total": _num(c.total),
        "moneda": t.lineas[0].factura.moneda,  # las de una tarea son de un deudor y una moneda
    }


def _rechazo(r) -> dict[str, Any]:
    return {"fila": r.fila, "columna": r.columna, "valor": r.valor, "motivo": r.motivo}


def _serializar(valor: Any) -> Any:
    if isinstance(valor, Decimal):
        return _num(valor)
    if isinstance(valor, date | datetime):
        return valor.isoformat()
    return str(valor)
