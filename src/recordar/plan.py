"""Planificación pura: (facturas, política, historial, hoy) → mensajes, tareas y omitidas. Sin E/S."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from recordar.cartera import Contacto, Factura, Omitida
from recordar.politica import InteresMoratorio, Paso, Politica

CENTAVO = Decimal("0.01")
ORDEN_RESPALDO = ("email", "whatsapp", "sms")
TODOS_LOS_CANALES = frozenset(ORDEN_RESPALDO)


@dataclass(frozen=True, slots=True)
class Ocurrencia:
    """Un paso en un día concreto: «seguimiento» se repite, «seguimiento#2» es su segunda vez."""

    paso: Paso
    indice: int  # posición del paso en la política (más alto = más firme)
    numero: int  # 1 = primera vez
    dias: int  # días respecto al vencimiento en que toca

    @property
    def id(self) -> str:
        return self.paso.id if self.numero == 1 else f"{self.paso.id}#{self.numero}"

    @property
    def orden(self) -> tuple[int, int]:
        return (self.indice, self.numero)


def ocurrencia_para(pasos: list[Paso], dias_vencido: int) -> Ocurrencia | None:
    """El paso más reciente alcanzado a `dias_vencido` días del vencimiento, o None.

    Las repeticiones de un paso se cortan donde empieza el siguiente, para que la escalada
    nunca retroceda al avanzar los días.
    """
    elegido = None
    for i, paso in enumerate(pasos):
        if paso.dias > dias_vencido:
            break
        elegido = i
    if elegido is None:
        return None
    paso = pasos[elegido]
    if not paso.repetir_cada:
        return Ocurrencia(paso, elegido, 1, paso.dias)
    tope = dias_vencido
    if paso.hasta is not None:
        tope = min(tope, paso.hasta)
    if elegido + 1 < len(pasos):
        tope = min(tope, pasos[elegido + 1].dias - 1)
    veces = max(tope - paso.dias, 0) // paso.repetir_cada
    return Ocurrencia(paso, elegido, veces + 1, paso.dias + veces * paso.repetir_cada)


def id_a_orden(pasos: list[Paso], id_ocurrencia: str) -> tuple[int, int] | None:
    """El orden de una ocurrencia guardada en la bitácora según la política de hoy."""
    nombre, _, numero = id_ocurrencia.partition("#")
    for i, paso in enumerate(pasos):
        if paso.id == nombre:
            return (i, int(numero) if numero.isdigit() else 1)
    return None


@dataclass(slots=True)
class Historial:
    """Lo que ya pasó según la bitácora: la entrada de la planificación sobre envíos anteriores."""

    # (número de factura, canal) → ids de ocurrencias ya enviadas; canal «tarea» para tareas.
    enviados: dict[tuple[str, str], set[str]] = field(default_factory=dict)
    # deudor → fecha del último envío real.
    ultimo_envio: dict[str, date] = field(default_factory=dict)


@dataclass(slots=True)
class Linea:
    """Una factura dentro de un mensaje o tarea, con lo calculado para hoy."""

    factura: Factura
    ocurrencia: Ocurrencia
    dias_vencido: int
    interes: Decimal
    compensacion: Decimal

    @property
    def total(self) -> Decimal:
        return self.factura.monto + self.interes + self.compensacion


@dataclass(slots=True)
class Mensaje:
    deudor: str
    cliente: str
    canal: str
    destinatario: str
    ocurrencia: Ocurrencia
    lineas: list[Linea]
    moneda: str
    asunto: str = ""
    cuerpo: str = ""
    html: str | None = None
    estado: str = "simulado"
    detalle: str = ""  # motivo de fallo o id del proveedor
    parametros: tuple[str, ...] = ()  # para plantillas aprobadas (WhatsApp)

    @property
    def numeros(self) -> list[str]:
        return [linea.factura.numero for linea in self.lineas]

    @property
    def total(self) -> Decimal:
        return sum((linea.factura.monto for linea in self.lineas), Decimal(0))

    @property
    def dias_vencido(self) -> int:
        return max(linea.dias_vencido for linea in self.lineas)

    @property
    def clave(self) -> str:
        """Clave de la bitácora: facturas, paso, canal y destinatario (no importes ni texto)."""
        return "|".join(
            (
                ",".join(sorted(self.numeros)),
                self.ocurrencia.id,
                self.canal,
                self.destinatario.lower(),
            )
        )


@dataclass(slots=True)
class Tarea:
    deudor: str
    cliente: str
    ocurrencia: Ocurrencia
    lineas: list[Linea]
    descripcion: str

    @property
    def numeros(self) -> list[str]:
        return [linea.factura.numero for linea in self.lineas]


@dataclass(slots=True)
class Plan:
    fecha: date
    mensajes: list[Mensaje] = field(default_factory=list)
    tareas: list[Tarea] = field(default_factory=list)
    omitidas: list[Omitida] = field(default_factory=list)


def calcular_interes(
    monto: Decimal, dias_vencido: int, regla: InteresMoratorio, vencimiento: date | None = None
) -> tuple[Decimal, Decimal]:
    """(interés simple diario, compensación fija) de una factura a `dias_vencido` días."""
    if dias_vencido <= 0 or dias_vencido < regla.desde_dias:
        return Decimal(0), Decimal(0)
    tasa = regla.tasa_para(vencimiento) if vencimiento else regla.tasa_anual
    interes = monto * tasa / 100 * dias_vencido / 365
    return interes.quantize(CENTAVO, ROUND_HALF_UP), regla.compensacion


def planificar(
    facturas: list[Factura],
    contactos: dict[str, Contacto],
    politica: Politica,
    hoy: date,
    historial: Historial | None = None,
    disponibles: frozenset[str] = TODOS_LOS_CANALES,
) -> Plan:
    """Decide qué recibe hoy cada deudor: un mensaje por deudor y canal, en el paso más firme."""
    historial = historial or Historial()
    plan = Plan(fecha=hoy)
    grupos: dict[tuple[str, str], list[Linea]] = defaultdict(list)
    for factura in facturas:
        dias = (hoy - factura.vencimiento).days
        ocurrencia = ocurrencia_para(politica.pasos, dias)
        if ocurrencia is None:
            plan.omitidas.append(_al_corriente(factura, politica.pasos))
            continue
        interes, compensacion = calcular_interes(
            factura.monto, dias, politica.interes_moratorio, factura.vencimiento
        )
        linea = Linea(factura, ocurrencia, dias, interes, compensacion)
        grupos[(factura.deudor, factura.moneda)].append(linea)
    for (deudor, moneda), lineas in grupos.items():
        contacto = contactos.get(deudor) or Contacto()
        _planificar_deudor(
            plan, deudor, moneda, lineas, contacto, politica, hoy, historial, disponibles
        )
    plan.mensajes.sort(key=lambda m: (-m.dias_vencido, m.cliente, m.canal))
    plan.tareas.sort(key=lambda t: t.cliente)
    plan.omitidas.sort(key=lambda o: o.fila)
    return plan


def _al_corriente(factura: Factura, pasos: list[Paso]) -> Omitida:
    primero = pasos[0] if pasos else None
    motivo = "al corriente: ningún paso toca todavía"
    if primero is not None:
        cuando = factura.vencimiento + timedelta(days=primero.dias)
        motivo = f"al corriente: el primer paso ({primero.id}) toca el {cuando.isoformat()}"
    return Omitida(factura.fila, factura.numero, motivo, factura.cliente)


def _omitir(plan: Plan, lineas: list[Linea], motivo: str) -> None:
    for linea in lineas:
        f = linea.factura
        plan.omitidas.append(Omitida(f.fila, f.numero, motivo, f.cliente))


def _ya_enviado(linea: Linea, canal: str, pasos: list[Paso], historial: Historial) -> bool:
    enviados = historial.enviados.get((linea.factura.numero, canal))
    if not enviados:
        return False
    objetivo = linea.ocurrencia.orden
    return any((o := id_a_orden(pasos, i)) is not None and o >= objetivo for i in enviados)


def _planificar_deudor(
    plan, deudor, moneda, lineas, contacto, politica, hoy, historial, disponibles
) -> None:
    tareas = [linea for linea in lineas if linea.ocurrencia.paso.es_tarea]
    mensajes = [linea for linea in lineas if not linea.ocurrencia.paso.es_tarea]
    cliente = lineas[0].factura.cliente
    if tareas:
        nuevas = [t for t in tareas if not _ya_enviado(t, "tarea", politica.pasos, historial)]
        _omitir(plan, [t for t in tareas if t not in nuevas], "tarea ya registrada en la bitácora")
        if nuevas:
            ocurrencia = max((t.ocurrencia for t in nuevas), key=lambda o: o.orden)
            descripcion = ocurrencia.paso.descripcion or f"Tarea manual: {ocurrencia.paso.id}"
            plan.tareas.append(Tarea(deudor, cliente, ocurrencia, nuevas, descripcion))
    if not mensajes:
        return
    ocurrencia = max((m.ocurrencia for m in mensajes), key=lambda o: o.orden)
    canales = elegir_canales(ocurrencia.paso.canales, contacto, disponibles)
    if not canales:
        if contacto.correos or contacto.telefonos:
            motivo = "sin canal: ningún canal configurado sirve para los contactos del deudor"
        else:
            motivo = "sin contacto: el deudor no tiene correo ni teléfono válidos"
        _omitir(plan, mensajes, motivo)
        return
    por_canal = [
        (canal, destinatario)
        for canal, destinatario in canales
        if any(not _ya_enviado(m, canal, politica.pasos, historial) for m in mensajes)
    ]
    if not por_canal:
        _omitir(plan, mensajes, f"ya enviado: el paso {ocurrencia.id} o uno posterior ya se mandó")
        return
    ultimo = historial.ultimo_envio.get(deudor)
    minimo = politica.limites.min_dias_entre_mensajes
    # Completar hoy por otro canal el mismo paso ya enviado (p. ej. el email falló y el SMS no)
    # no es un contacto nuevo.
    completa_paso = any(
        all(_ya_enviado(m, c, politica.pasos, historial) for m in mensajes)
        for c, _ in canales
        if (c, _) not in por_canal
    )
    if ultimo is not None and minimo and (hoy - ultimo).days < minimo and not completa_paso:
        motivo = (
            f"espera: último mensaje el {ultimo.isoformat()} (mínimo {minimo} días entre mensajes)"
        )
        _omitir(plan, mensajes, motivo)
        return
    for canal, destinatario in por_canal:
        plan.mensajes.append(
            Mensaje(deudor, cliente, canal, destinatario, ocurrencia, mensajes, moneda)
        )


def elegir_canales(
    canales_paso: tuple[str, ...],
    contacto: Contacto,
    disponibles: frozenset[str] = TODOS_LOS_CANALES,
) -> list[tuple[str, str]]:
    """(canal, destinatario) por los que va el mensaje: preferencia del deudor, paso, respaldo."""

    def destino(canal: str) -> str:
        if canal not in disponibles:
            return ""
        if canal == "email":
            return ", ".join(contacto.correos)
        return contacto.telefonos[0] if contacto.telefonos else ""

    if contacto.canal and destino(contacto.canal):
        return [(contacto.canal, destino(contacto.canal))]
    elegidos = [(c, destino(c)) for c in canales_paso if destino(c)]
    if elegidos:
        return elegidos
    for canal in ORDEN_RESPALDO:
        if destino(canal):
            return [(canal, destino(canal))]
    return []
