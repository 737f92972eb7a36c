"""¿Llegó? El estado de entrega de lo enviado, según el proveedor, anotado en la bitácora.

Un 201 de Twilio quiere decir «en cola», no «entregado». Twilio se consulta por su API
(GET …/Messages/{Sid}.json); Meta (WhatsApp Cloud) solo lo dice por webhook, así que se leen los
`statuses` de un archivo JSON exportado. Un mensaje que no se entregó (undelivered, failed) vuelve
a «fallido»: la próxima `recordar enviar` lo reenvía por el mismo canal si el plan aún pide ese
paso; si el motivo es del número, queda permanente; si el destinatario pidió la baja, se registra.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from recordar.bitacora_entrega import EnvioAConfirmar
from recordar.canales.base import Canal, CanalDetenido, ErrorEnvio, EstadoEntrega
from recordar.errores import ErrorEntrega

DIAS_PREDETERMINADOS = 7
# Un mismo mensaje que no se entrega tantas veces ya no se reenvía (el número no recibe).
MAX_ENVIOS = 3
ENTREGADOS = frozenset({"delivered", "read"})
NO_ENTREGADOS = frozenset({"undelivered", "failed"})
# Códigos de entrega que son del número, no del momento: Twilio 21211 (no válido), 21614 (no
# es móvil), 30005 (no existe), 30006 (fijo o sin SMS); Meta 131026 (sin WhatsApp).
DEL_NUMERO = frozenset({"21211", "21614", "30005", "30006", "131026"})
# El destinatario pidió no recibir más: Twilio 21610 (STOP), Meta 131050 (dejó el marketing).
BAJAS = frozenset({"21610", "131050"})
# Más avanzado gana cuando un archivo trae varios estados del mismo mensaje.
_ORDEN = {"sent": 1, "delivered": 2, "read": 3, "undelivered": 3, "failed": 3}


@dataclass(slots=True)
class NoEntregado:
    """Un mensaje que el proveedor no entregó y qué hizo recordar."""

    envio: EnvioAConfirmar
    estado: EstadoEntrega
    que_pasa: str


@dataclass(slots=True)
class ResultadoEntrega:
    consultados: int = 0
    entregados: int = 0
    en_camino: int = 0
    no_entregados: list[NoEntregado] = field(default_factory=list)
    fuera_de_la_bitacora: int = 0  # estados de un archivo cuyo id no está en la bitácora
    sin_consulta: dict[str, str] = field(default_factory=dict)  # canal → por qué no se consulta
    errores: list[str] = field(default_factory=list)  # consultas que fallaron

    @property
    def con_problemas(self) -> bool:
        return bool(self.no_entregados or self.errores)


def consultar_entregas(bitacora, rutas: dict[str, Canal], desde: date) -> ResultadoEntrega:
    """Pregunta al proveedor por cada mensaje enviado desde `desde` sin estado final y lo anota.
    Los canales que no dejan consultar (Meta, correo) se dicen en `sin_consulta`."""
    resultado = ResultadoEntrega()
    consultables = {}
    for canal_mensaje, canal in rutas.items():
        if type(canal).estado_de_entrega is Canal.estado_de_entrega:
            resultado.sin_consulta[canal_mensaje] = _sin_consulta(canal)
        else:
            consultables[canal_mensaje] = canal
    detenidos: set[str] = set()
    for envio in bitacora.por_confirmar(desde, tuple(consultables)):
        canal = consultables[envio.canal]
        if canal.nombre in detenidos:
            continue
        try:
            estado = canal.estado_de_entrega(envio.proveedor_id)
        except CanalDetenido as exc:
            detenidos.add(canal.nombre)
            resultado.errores.append(f"{canal.nombre}: {exc.motivo}; no se consultó nada más")
            continue
        except ErrorEnvio as exc:
            resultado.errores.append(
                f"{envio.cliente} · {envio.canal} · {envio.paso}: {exc.motivo}"
            )
            continue
        if estado is not None:
            _anotar(bitacora, envio, estado, resultado)
    return resultado


def anotar_archivo(bitacora, ruta: Path) -> ResultadoEntrega:
    """Anota los estados de un archivo del webhook de WhatsApp Cloud (ver `leer_estados`)."""
    resultado = ResultadoEntrega()
    estados = leer_estados(ruta)
    envios = bitacora.por_proveedor(list(estados))
    for proveedor_id, estado in estados.items():
        envio = envios.get(proveedor_id)
        if envio is None:
            resultado.fuera_de_la_bitacora += 1
        else:
            _anotar(bitacora, envio, estado, resultado)
    return resultado


def leer_estados(ruta: Path) -> dict[str, EstadoEntrega]:
    """id del mensaje → su último estado, de un JSON con los `statuses` del webhook de Meta: el
    cuerpo entero que manda el webhook, una lista de cuerpos o de statuses, o un JSON por línea."""
    try:
        texto = Path(ruta).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        motivo = getattr(exc, "strerror", None) or "no es texto UTF-8"
        raise ErrorEntrega(f"{ruta}: no se pudo leer ({motivo})") from None
    try:
        datos: Any = json.loads(texto)
    except ValueError:
        datos = _lineas_json(ruta, texto)
    estados: dict[str, EstadoEntrega] = {}
    for objeto in _objetos_de_estado(datos):
        estado = _estado_de_meta(objeto)
        previo = estados.get(estado.proveedor_id)
        if previo is None or _ORDEN.get(estado.estado, 0) >= _ORDEN.get(previo.estado, 0):
            estados[estado.proveedor_id] = estado
    if not estados:
        raise ErrorEntrega(
            f"{ruta}: no trae ningún estado (objetos con «id» y «status», como los «statuses» "
            "del webhook de WhatsApp Cloud); revisa que sea la exportación de los estados"
        )
    return estados


def _lineas_json(ruta: Path, texto: str) -> list:
    datos = []
    for numero, linea in enumerate(texto.splitlines(), start=1):
        if linea.strip():
            try:
                datos.append(json.loads(linea))
            except ValueError as exc:
                raise ErrorEntrega(
                    f"{ruta}: línea {numero}: no es JSON ({exc.args[0].split(':')[0]}); el archivo "
                    "debe ser un JSON o un JSON por línea con los «statuses» del webhook"
                ) from None
    return datos


def _objetos_de_estado(datos: Any):
    """Cada objeto con «id» y «status» de texto, esté donde esté (entry → changes → value →
    statuses en el webhook)."""
    if isinstance(datos, dict):
        if isinstance(datos.get("id"), str) and isinstance(datos.get("status"), str):
            yield datos
            return
        for valor in datos.values():
            yield from _objetos_de_estado(valor)
    elif isinstance(datos, list):
        for valor in datos:
            yield from _objetos_de_estado(valor)


def _estado_de_meta(objeto: dict) -> EstadoEntrega:
    errores = objeto.get("errors")
    error = (
        errores[0] if isinstance(errores, list) and errores and isinstance(errores[0], dict) else {}
    )
    codigo = error.get("code")
    partes = [str(error.get(c)) for c in ("title", "message") if error.get(c)]
    datos = error.get("error_data")
    if isinstance(datos, dict) and datos.get("details"):
        partes.append(str(datos["details"]))
    momento = objeto.get("timestamp")
    if isinstance(momento, str | int) and str(momento).isdigit():
        cuando = datetime.fromtimestamp(int(momento), UTC).isoformat(timespec="seconds")
        partes.append(f"a las {cuando}")
    motivo = "; ".join(dict.fromkeys(partes))  # title y message suelen ser iguales
    return EstadoEntrega(objeto["id"], objeto["status"].lower(),
                         None if codigo in (None, "") else str(codigo), motivo)  # fmt: skip


def _anotar(bitacora, envio: EnvioAConfirmar, estado: EstadoEntrega, resultado) -> None:
    resultado.consultados += 1
    detalle = _detalle(estado)
    if estado.estado in ENTREGADOS:
        resultado.entregados += 1
        bitacora.anotar_entrega(envio.clave, estado.estado, detalle)
    elif estado.estado not in NO_ENTREGADOS:
        resultado.en_camino += 1
        bitacora.anotar_entrega(envio.clave, estado.estado, detalle)
    else:
        que_pasa = _no_entregado(bitacora, envio, estado, detalle)
        resultado.no_entregados.append(NoEntregado(envio, estado, que_pasa))


def _no_entregado(bitacora, envio: EnvioAConfirmar, estado: EstadoEntrega, detalle: str) -> str:
    """Anota un mensaje no entregado y devuelve la frase de qué se hizo."""
    if estado.codigo in BAJAS:
        bitacora.dar_de_baja(envio.destinatario, envio.canal, detalle)
        bitacora.anotar_entrega(envio.clave, estado.estado, detalle, permanente=True)
        return f"pidió no recibir más mensajes: se registró su baja por {envio.canal}"
    if estado.codigo in DEL_NUMERO:
        bitacora.anotar_entrega(envio.clave, estado.estado, detalle, permanente=True)
        return "el número no puede recibirlo: corrige el teléfono del cliente en la hoja"
    if envio.intentos >= MAX_ENVIOS:
        bitacora.anotar_entrega(envio.clave, estado.estado, detalle, permanente=True)
        return (f"no se entregó en {envio.intentos} envíos; no se reenvía más: revisa el número "
                "con el cliente")  # fmt: skip
    bitacora.anotar_entrega(envio.clave, estado.estado, detalle, reenviar=True)
    return "queda pendiente: la próxima «recordar enviar» lo reenvía si el paso sigue tocando"


def _detalle(estado: EstadoEntrega) -> str:
    """«undelivered (código 30003: Unreachable destination handset)»."""
    if not estado.codigo and not estado.motivo:
        return estado.estado
    codigo = f"código {estado.codigo}" if estado.codigo else ""
    return f"{estado.estado} ({': '.join(p for p in (codigo, estado.motivo) if p)})"


def _sin_consulta(canal: Canal) -> str:
    if canal.tipo == "whatsapp_cloud":
        return (f"{canal.nombre} ({canal.tipo}): Meta solo informa la entrega por webhook; "
                "exporta los «statuses» a un JSON y pásalo con --archivo")  # fmt: skip
    return f"{canal.nombre} ({canal.tipo}): este canal no deja consultar la entrega"
