"""Planificación pura: (facturas, política, historial, hoy) → mensajes, tareas y omitidas. Sin E/S."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from recordar.calendario import zona
from recordar.cartera import Contacto, Factura, Omitida
from recordar.politica import InteresMoratorio, Paso, Politica
from recordar.segmentos import (
    Comportamiento,
    elegir_segmento,
    intervalo_adaptado,
    variables_de_deudor,
)

CENTAVO = Decimal("0.01")
ORDEN_RESPALDO = ("email", "whatsapp", "sms")
TODOS_LOS_CANALES = frozenset(ORDEN_RESPALDO)
TUPLA_CANALES = ("email", "sms", "whatsapp")


@dataclass(frozen=True, slots=True)
class Ocurrencia:
    """Un paso en un día concreto: «seguimiento» se repite, «seguimiento#2» es su segunda vez."""

    paso: Paso
    indice: int  # posición del paso en la política (más alto = más firme)
    numero: int  # 1 = primera vez
    dias: int  # días respecto al vencimiento en que toca

    @property
    def id(self) -> str:
        if self.numero == 1 or "@" in self.paso.id:
            return self.paso.id
        return f"{self.paso.id}#{self.numero}"

    @property
    def orden(self) -> tuple[int, int]:
        return (self.indice, self.numero)


def ocurrencia_para(
    pasos: list[Paso], dias_vencido: int, intervalo: int | None = None
) -> Ocurrencia | None:
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
    cada = intervalo or paso.repetir_cada
    veces = max(tope - paso.dias, 0) // cada
    return Ocurrencia(paso, elegido, veces + 1, paso.dias + veces * cada)


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
    # deudor → [(fecha, canal)] de los envíos reales, para los topes por semana y mes.
    envios: dict[str, list[tuple[date, str]]] = field(default_factory=dict)
    # (contacto normalizado, canal o "*") que pidieron no recibir más mensajes.
    bajas: set[tuple[str, str]] = field(default_factory=set)
    comportamiento: dict[str, Comportamiento] = field(default_factory=dict)

    def ultimo_envio(self, deudor: str) -> date | None:
        """La fecha del último envío real a ese deudor."""
        envios = self.envios.get(deudor)
        return max(fecha for fecha, _ in envios) if envios else None


@dataclass(slots=True)
class Linea:
    """Una factura dentro de un mensaje o tarea, con lo calculado para hoy."""

    factura: Factura
    ocurrencia: Ocurrencia
    dias_vencido: int
    interes: Decimal
    compensacion: Decimal
    propia: Ocurrencia | None = None  # su paso normal, si el mensaje va por una promesa rota

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
    nota: str = ""  # por qué este ritmo (cadencia adaptativa, segmento)

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


@dataclass(slots=True)
class _Dia:
    """Lo común a todos los deudores en una planificación."""

    politica: Politica
    hoy: date
    ahora: datetime | None
    historial: Historial
    disponibles: frozenset[str]
    plan: Plan


def planificar(
    facturas: list[Factura],
    contactos: dict[str, Contacto],
    politica: Politica,
    hoy: date,
    historial: Historial | None = None,
    disponibles: frozenset[str] = TODOS_LOS_CANALES,
    ahora: datetime | None = None,
) -> Plan:
    """Decide qué recibe hoy cada deudor: un mensaje por deudor y canal, en el paso más firme.

    `ahora` (con zona) activa el horario permitido; sin él solo cuentan los días hábiles.
    """
    dia = _Dia(politica, hoy, ahora, historial or Historial(), disponibles, Plan(fecha=hoy))
    grupos: dict[tuple[str, str], list[Factura]] = defaultdict(list)
    for factura in facturas:
        grupos[(factura.deudor, factura.moneda)].append(factura)
    for (deudor, moneda), grupo in grupos.items():
        _planificar_deudor(dia, deudor, moneda, grupo, contactos.get(deudor) or Contacto())
    plan = dia.plan
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
    if linea.ocurrencia.id in enviados:
        return True
    objetivo = linea.ocurrencia.orden
    return any((o := id_a_orden(pasos, i)) is not None and o >= objetivo for i in enviados)


def _control(factura: Factura, hoy: date) -> str | None:
    """Por qué una factura no se cobra hoy aunque toque: disputa, pausa, promesa vigente."""
    if factura.disputa:
        return "en disputa: no se cobra mientras siga en disputa"
    if factura.pausa_hasta is not None and factura.pausa_hasta >= hoy:
        return f"pausada hasta el {factura.pausa_hasta.isoformat()}"
    if factura.promesa_pago is not None and factura.promesa_pago >= hoy:
        return f"promesa vigente: pagará a más tardar el {factura.promesa_pago.isoformat()}"
    return None


def _promesas_avisadas(dia: _Dia, facturas: list[Factura]) -> set[str]:
    """Los avisos de promesa incumplida que el deudor ya recibió (por cualquier factura)."""
    return {
        paso
        for f in facturas
        if f.promesa_pago is not None
        for canal in ORDEN_RESPALDO
        for paso in dia.historial.enviados.get((f.numero, canal), ())
        if "@" in paso
    }


def _promesa_rota(
    dia: _Dia, factura: Factura, pasos: list[Paso], avisadas: set[str]
) -> Ocurrencia | None:
    """La ocurrencia «promesa incumplida» si la promesa venció y aún no se avisó al deudor."""
    promesa = factura.promesa_pago
    base = dia.politica.promesa_incumplida
    if promesa is None or promesa >= dia.hoy or base is None:
        return None
    paso = replace(base, id=f"{base.id}@{promesa.isoformat()}")
    if paso.id in avisadas:
        return None
    # Por encima de cualquier paso; entre promesas, manda la más reciente.
    return Ocurrencia(paso, len(pasos), promesa.toordinal(), (dia.hoy - factura.vencimiento).days)


def _lineas(dia: _Dia, facturas: list[Factura], pasos, intervalo) -> list[Linea]:
    lineas = []
    avisadas = _promesas_avisadas(dia, facturas)
    for f in facturas:
        motivo = _control(f, dia.hoy)
        if motivo:
            dia.plan.omitidas.append(Omitida(f.fila, f.numero, motivo, f.cliente))
            continue
        dias = (dia.hoy - f.vencimiento).days
        propia = ocurrencia_para(pasos, dias, intervalo)
        promesa = _promesa_rota(dia, f, pasos, avisadas)
        if promesa is None and propia is None:
            dia.plan.omitidas.append(_al_corriente(f, pasos))
            continue
        interes, compensacion = calcular_interes(
            f.monto, dias, dia.politica.interes_moratorio, f.vencimiento
        )
        if promesa is not None:
            lineas.append(Linea(f, promesa, dias, interes, compensacion, propia))
        else:
            lineas.append(Linea(f, propia, dias, interes, compensacion))
    return lineas


def _planificar_deudor(dia: _Dia, deudor: str, moneda: str, facturas: list[Factura],
                       contacto: Contacto) -> None:  # fmt: skip
    politica, historial = dia.politica, dia.historial
    comportamiento = historial.comportamiento.get(deudor)
    segmento = None
    if politica.segmentos:
        total = sum((f.monto for f in facturas), Decimal(0))
        atraso = max((dia.hoy - f.vencimiento).days for f in facturas)
        variables = variables_de_deudor(facturas[0].extras, total, atraso, comportamiento)
        segmento = elegir_segmento(politica.segmentos, variables)
    pasos = segmento.pasos if segmento and segmento.pasos else politica.pasos
    intervalo, nota = intervalo_adaptado(politica.cadencia, pasos, comportamiento)
    lineas = _lineas(dia, facturas, pasos, intervalo)
    if not lineas:
        return
    cliente = lineas[0].factura.cliente
    tareas = [linea for linea in lineas if linea.ocurrencia.paso.es_tarea]
    mensajes = [linea for linea in lineas if not linea.ocurrencia.paso.es_tarea]
    if tareas:
        _planificar_tareas(dia, deudor, cliente, tareas, pasos)
    if not mensajes:
        return
    if contacto.no_contactar:
        _omitir(dia.plan, mensajes, "no contactar: así lo indica la hoja")
        return
    ocurrencia = max((m.ocurrencia for m in mensajes), key=lambda o: o.orden)
    canales_paso = (
        segmento.canales if segmento and segmento.canales else ()
    ) or ocurrencia.paso.canales
    canales = elegir_canales(canales_paso, contacto, dia.disponibles, historial.bajas)
    if not canales:
        _omitir(dia.plan, mensajes, _motivo_sin_canal(contacto, dia))
        return
    pendientes = [
        (canal, destino)
        for canal, destino in canales
        if any(not _ya_enviado(m, canal, pasos, historial) for m in mensajes)
    ]
    if not pendientes:
        _omitir(
            dia.plan, mensajes, f"ya enviado: el paso {ocurrencia.id} o uno posterior ya se mandó"
        )
        return
    motivo = _fuera_de_ventana(dia, contacto) or _espera(
        dia, deudor, mensajes, canales, pendientes, pasos
    )
    if motivo:
        _omitir(dia.plan, mensajes, motivo)
        return
    enviables, motivo = _aplicar_topes(dia, deudor, pendientes)
    if not enviables:
        _omitir(dia.plan, mensajes, motivo)
        return
    if segmento is not None:
        nota = f"segmento {segmento.nombre}" + (f"; {nota}" if nota else "")
    for canal, destino in enviables:
        mensaje = Mensaje(deudor, cliente, canal, destino, ocurrencia, mensajes, moneda)
        mensaje.nota = nota
        dia.plan.mensajes.append(mensaje)


def _planificar_tareas(dia: _Dia, deudor: str, cliente: str, tareas: list[Linea], pasos) -> None:
    nuevas = [t for t in tareas if not _ya_enviado(t, "tarea", pasos, dia.historial)]
    _omitir(dia.plan, [t for t in tareas if t not in nuevas], "tarea ya registrada en la bitácora")
    if nuevas:
        ocurrencia = max((t.ocurrencia for t in nuevas), key=lambda o: o.orden)
        descripcion = ocurrencia.paso.descripcion or f"Tarea manual: {ocurrencia.paso.id}"
        dia.plan.tareas.append(Tarea(deudor, cliente, ocurrencia, nuevas, descripcion))


def _motivo_sin_canal(contacto: Contacto, dia: _Dia) -> str:
    if not (contacto.correos or contacto.telefonos):
        return "sin contacto: el deudor no tiene correo ni teléfono válidos"
    if elegir_canales(TUPLA_CANALES, contacto, dia.disponibles):
        return "baja: el deudor pidió no recibir más mensajes por sus contactos"
    return "sin canal: ningún canal configurado sirve para los contactos del deudor"


def _fuera_de_ventana(dia: _Dia, contacto: Contacto) -> str | None:
    calendario = dia.politica.calendario
    if not calendario.activo:
        return None
    if dia.ahora is None:
        return calendario.motivo_inhabil(dia.hoy)
    local = dia.ahora.astimezone(zona(contacto.zona_horaria or dia.politica.zona_horaria))
    return calendario.motivo_fuera(local)


def _espera(dia: _Dia, deudor, mensajes, canales, pendientes, pasos) -> str | None:
    ultimo = dia.historial.ultimo_envio(deudor)
    minimo = dia.politica.limites.min_dias_entre_mensajes
    if ultimo is None or not minimo or (dia.hoy - ultimo).days >= minimo:
        return None
    # Completar hoy por otro canal el mismo paso ya enviado (p. ej. el email falló y el SMS no)
    # no es un contacto nuevo.
    completa_paso = any(
        all(_ya_enviado(m, c, pasos, dia.historial) for m in mensajes)
        for c, d in canales
        if (c, d) not in pendientes
    )
    if completa_paso:
        return None
    return f"espera: último mensaje el {ultimo.isoformat()} (mínimo {minimo} días entre mensajes)"


def _aplicar_topes(dia: _Dia, deudor: str, pendientes: list[tuple[str, str]]):
    """Los canales que caben en los topes por semana y mes (ventanas móviles de 7 y 30 días)."""
    limites = dia.politica.limites
    envios = list(dia.historial.envios.get(deudor, ()))
    enviables, motivo = [], ""
    for canal, destino in pendientes:
        topes = [
            (limites.max_por_semana, 7, "semanal", None),
            (limites.max_por_mes, 30, "mensual", None),
        ]
        semana, mes = limites.por_canal.get(canal, (None, None))
        topes += [
            (semana, 7, f"semanal de {canal}", canal),
            (mes, 30, f"mensual de {canal}", canal),
        ]
        exceso = next(
            (
                t
                for t in topes
                if t[0] is not None and _en_ventana(envios, dia.hoy, t[1], t[3]) >= t[0]
            ),
            None,
        )
        if exceso is None:
            enviables.append((canal, destino))
            envios.append((dia.hoy, canal))
        elif not motivo:
            tope, largo, nombre, solo = exceso
            libre = _libre_desde(envios, dia.hoy, largo, tope, solo)
            motivo = f"tope {nombre}: {tope} en {largo} días; podrá enviarse desde el {libre.isoformat()}"
    return enviables, motivo


def _en_ventana(envios, hoy: date, largo: int, canal: str | None) -> int:
    inicio = hoy - timedelta(days=largo - 1)
    return sum(1 for fecha, c in envios if fecha >= inicio and (canal is None or c == canal))


def _libre_desde(envios, hoy: date, largo: int, tope: int, canal: str | None) -> date:
    fechas = sorted(
        f for f, c in envios if f > hoy - timedelta(days=largo) and (canal is None or c == canal)
    )
    return fechas[len(fechas) - tope] + timedelta(days=largo)


def elegir_canales(
    canales_paso: tuple[str, ...],
    contacto: Contacto,
    disponibles: frozenset[str] = TODOS_LOS_CANALES,
    bajas: set[tuple[str, str]] = frozenset(),
) -> list[tuple[str, str]]:
    """(canal, destinatario) por los que va el mensaje: preferencia del deudor, paso, respaldo.

    Un contacto dado de baja en un canal (o en todos, «*») no se usa por ese canal.
    """

    def activos(valores: list[str], canal: str) -> list[str]:
        return [
            v for v in valores if (v.lower(), "*") not in bajas and (v.lower(), canal) not in bajas
        ]

    def destino(canal: str) -> str:
        if canal not in disponibles:
            return ""
        if canal == "email":
            return ", ".join(activos(contacto.correos, canal))
        telefonos = activos(contacto.telefonos, canal)
        return telefonos[0] if telefonos else ""

    if contacto.canal and destino(contacto.canal):
        return [(contacto.canal, destino(contacto.canal))]
    elegidos = [(c, destino(c)) for c in canales_paso if destino(c)]
    if elegidos:
        return elegidos
    for canal in ORDEN_RESPALDO:
        if destino(canal):
            return [(canal, destino(canal))]
    return []
