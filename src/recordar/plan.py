"""Planificación pura: (facturas, política, historial, hoy) → mensajes, tareas y omitidas. Sin E/S."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from operator import attrgetter
from typing import NamedTuple

from recordar.cartera.carga import Contacto, Factura, Omitida
from recordar.cartera.valores import cantidad
from recordar.control import _control, _promesas_avisadas
from recordar.destinos import (
    TODOS_LOS_CANALES,
    _alcanzable,
    _motivo_sin_canal,
    elegir_canales,
)
from recordar.interes import CERO, _interes, _tasa
from recordar.memoria import _Memo, _sin_recolector
from recordar.politica.politica import InteresMoratorio, Paso, Politica
from recordar.politica.segmentos import (
    Comportamiento,
    elegir_segmento,
    intervalo_adaptado,
    variables_de_deudor,
)
from recordar.topes import _aplicar_topes, _fuera_de_ventana, tope_menor

_DIAS_VENCIDO = attrgetter("dias_vencido")  # para max() sin una función de Python por línea


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
    # (número de factura, id del paso sin «#n») → primer día en que se envió de verdad.
    avisos: dict[tuple[str, str], date] = field(default_factory=dict)

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
    # Para plantillas aprobadas de WhatsApp: valor por nombre (canales.aprobadas.VARIABLES).
    # None en los demás canales (sin un dict vacío por mensaje en una cartera grande).
    parametros: dict[str, str] | None = None
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


class _Tramo(NamedTuple):
    """Lo que toca hoy a toda factura con un vencimiento dado."""

    dias: int  # días de atraso
    propia: Ocurrencia | None  # su paso normal, o None si aún no toca ninguno
    tasa: Decimal | None  # la de calcular_interes: None si aún no corre interés
    al_corriente: str  # motivo de omisión si no toca ningún paso


class _Escalada:
    """Unos pasos (de la política o de un segmento) con su intervalo de repetición, hoy.

    Lo que solo depende del vencimiento se calcula una vez por planificación: 100 000
    facturas vencen en unos pocos cientos de fechas distintas.
    """

    __slots__ = ("pasos", "tramos", "ordenes")

    def __init__(self, pasos: list[Paso], intervalo: int | None, hoy: date,
                 regla: InteresMoratorio) -> None:  # fmt: skip
        def tramo(vencimiento: date) -> _Tramo:
            dias = (hoy - vencimiento).days
            propia = ocurrencia_para(pasos, dias, intervalo)
            motivo = "" if propia else _al_corriente(vencimiento, pasos)
            return _Tramo(dias, propia, _tasa(dias, regla, vencimiento), motivo)

        self.pasos = pasos
        self.tramos: dict[date, _Tramo] = _Memo(tramo)
        # id de una ocurrencia de la bitácora → id_a_orden(pasos, id)
        self.ordenes = _Memo(lambda id_ocurrencia: id_a_orden(pasos, id_ocurrencia))


@dataclass(slots=True)
class _Dia:
    """Lo común a todos los deudores en una planificación."""

    politica: Politica
    hoy: date
    ahora: datetime | None
    historial: Historial
    disponibles: frozenset[str]
    plan: Plan
    escaladas: dict[tuple[int, int | None], _Escalada] = field(default_factory=dict)
    # días de atraso → mensajes, para ordenar el plan (ver _ordenar)
    mensajes: dict[int, list[Mensaje]] = field(default_factory=lambda: defaultdict(list))
    # Si hoy puede frenar un envío el horario, la espera mínima o los topes (ver _enviables).
    frenos: bool = field(init=False)
    # El tope más bajo de la política: sin envíos previos, lo que cabe debajo no se recorre.
    tope_menor: int | float = field(init=False)

    def __post_init__(self) -> None:
        limites = self.politica.limites
        self.tope_menor = tope_menor(limites)
        self.frenos = bool(
            self.politica.calendario.activo
            or (limites.min_dias_entre_mensajes and self.historial.envios)
            or limites.max_por_semana is not None
            or limites.max_por_mes is not None
            or limites.por_canal
        )

    def escalada(self, pasos: list[Paso], intervalo: int | None) -> _Escalada:
        # Por identidad: los pasos son la lista de la política o la de un segmento, y la
        # escalada guarda la lista, así que su id no se reutiliza mientras dure el día.
        clave = (id(pasos), intervalo)
        escalada = self.escaladas.get(clave)
        if escalada is None:
            regla = self.politica.interes_moratorio
            escalada = self.escaladas[clave] = _Escalada(pasos, intervalo, self.hoy, regla)
        return escalada


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
    with _sin_recolector():
        plan = _planificar(dia, facturas, contactos)
        del dia  # lo intermedio se libera antes de volver a activar el recolector
    return plan


def _planificar(dia: _Dia, facturas: list[Factura], contactos: dict[str, Contacto]) -> Plan:
    grupos: dict[tuple[str, str], list[Factura]] = defaultdict(list)
    for factura in facturas:
        grupos[(factura.deudor, factura.moneda)].append(factura)
    for (deudor, moneda), grupo in grupos.items():
        _planificar_deudor(dia, deudor, moneda, grupo, contactos.get(deudor) or Contacto())
    plan = dia.plan
    plan.mensajes = _ordenar(dia.mensajes)
    plan.tareas.sort(key=attrgetter("cliente"))
    plan.omitidas.sort(key=attrgetter("fila"))
    return plan


def _ordenar(por_dias: dict[int, list[Mensaje]]) -> list[Mensaje]:
    """Los más atrasados primero; a igual atraso, por cliente y canal (orden estable).

    Por grupos de días de atraso (unos cientos): menos comparaciones de nombres que ordenar
    todos los mensajes por (-días, cliente, canal), con el mismo resultado.
    """
    mensajes = []
    for dias in sorted(por_dias, reverse=True):
        mensajes += sorted(por_dias[dias], key=attrgetter("cliente", "canal"))
    return mensajes


def _al_corriente(vencimiento: date, pasos: list[Paso]) -> str:
    if not pasos:
        return "al corriente: ningún paso toca todavía"
    primero = pasos[0]
    cuando = vencimiento + timedelta(days=primero.dias)
    return f"al corriente: el primer paso ({primero.id}) toca el {cuando.isoformat()}"


def _omitir(plan: Plan, lineas: list[Linea], motivo: str) -> None:
    for linea in lineas:
        f = linea.factura
        plan.omitidas.append(Omitida(f.fila, f.numero, motivo, f.cliente))


def _ya_enviado(linea: Linea, canal: str, escalada: _Escalada, historial: Historial) -> bool:
    enviados = historial.enviados.get((linea.factura.numero, canal))
    if not enviados:
        return False
    if linea.ocurrencia.id in enviados:
        return True
    objetivo, ordenes = linea.ocurrencia.orden, escalada.ordenes
    return any((o := ordenes[i]) is not None and o >= objetivo for i in enviados)


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


def _lineas(dia: _Dia, facturas: list[Factura], escalada: _Escalada) -> list[Linea]:
    hoy, omitidas, regla = dia.hoy, dia.plan.omitidas, dia.politica.interes_moratorio
    tramos = escalada.tramos
    avisadas = None
    lineas = []
    for f in facturas:
        promesa = None
        # Casi ninguna factura tiene disputa, pausa o promesa: se mira de una vez.
        if f.disputa or f.pausa_hasta is not None or f.promesa_pago is not None:
            motivo = _control(f, hoy)
            if motivo:
                omitidas.append(Omitida(f.fila, f.numero, motivo, f.cliente))
                continue
            if avisadas is None:
                avisadas = _promesas_avisadas(dia, facturas)
            promesa = _promesa_rota(dia, f, escalada.pasos, avisadas)
        dias, propia, tasa, al_corriente = tramos[f.vencimiento]
        if promesa is None and propia is None:
            omitidas.append(Omitida(f.fila, f.numero, al_corriente, f.cliente))
            continue
        # Lo mismo que calcular_interes, con la tasa del vencimiento ya elegida.
        if tasa is None:
            interes = compensacion = CERO
        else:
            interes, compensacion = _interes(f.monto, tasa, dias), regla.compensacion
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
    intervalo, nota = None, ""  # sin historial de pagos no hay cadencia adaptativa
    if comportamiento is not None:
        intervalo, nota = intervalo_adaptado(politica.cadencia, pasos, comportamiento)
    escalada = dia.escalada(pasos, intervalo)
    lineas = _lineas(dia, facturas, escalada)
    if not lineas:
        return
    cliente = lineas[0].factura.cliente
    tareas, mensajes = [], []
    for linea in lineas:
        (tareas if linea.ocurrencia.paso.es_tarea else mensajes).append(linea)
    if tareas and _alcanzable(dia, contacto):
        tareas = _tareas_a_tiempo(dia, tareas, escalada, mensajes)
    if tareas:
        _planificar_tareas(dia, deudor, cliente, tareas, escalada)
    if not mensajes:
        return
    if contacto.no_contactar:
        _omitir(dia.plan, mensajes, "no contactar: así lo indica la hoja")
        return
    ocurrencia = _mas_firme(mensajes)
    canales_paso = (
        segmento.canales if segmento and segmento.canales else ()
    ) or ocurrencia.paso.canales
    canales = elegir_canales(canales_paso, contacto, dia.disponibles, historial.bajas)
    if not canales:
        _omitir(dia.plan, mensajes, _motivo_sin_canal(contacto, dia))
        return
    pendientes = _pendientes(canales, mensajes, escalada, historial)
    if not pendientes:
        _omitir(
            dia.plan, mensajes, f"ya enviado: el paso {ocurrencia.id} o uno posterior ya se mandó"
        )
        return
    enviables, motivo = _enviables(dia, deudor, contacto, mensajes, canales, pendientes, escalada)
    if not enviables:
        _omitir(dia.plan, mensajes, motivo)
        return
    if segmento is not None:
        nota = f"segmento {segmento.nombre}" + (f"; {nota}" if nota else "")
    mismo_atraso = dia.mensajes[max(map(_DIAS_VENCIDO, mensajes))]  # Mensaje.dias_vencido
    for canal, destino in enviables:
        mismo_atraso.append(
            Mensaje(deudor, cliente, canal, destino, ocurrencia, mensajes, moneda, nota=nota)
        )


def _enviables(dia: _Dia, deudor, contacto, mensajes, canales, pendientes, escalada):
    """Los (canal, destino) pendientes que hoy pasan horario, espera y topes; si ninguno, por qué."""
    if not dia.frenos:
        return pendientes, ""
    motivo = _fuera_de_ventana(dia, contacto) or _espera(
        dia, deudor, mensajes, canales, pendientes, escalada
    )
    if motivo:
        return [], motivo
    return _aplicar_topes(dia, deudor, pendientes)


def _mas_firme(lineas: list[Linea]) -> Ocurrencia:
    """La ocurrencia más firme de las líneas (la primera, si empatan): max() por `orden`."""
    # Un bucle: max(key=...) cuesta más que esto en listas de 1 a 3 líneas, y las líneas de
    # un mismo vencimiento comparten la ocurrencia. (indice, numero) es Ocurrencia.orden.
    mejor = lineas[0].ocurrencia
    for linea in lineas:
        o = linea.ocurrencia
        if o is not mejor and (o.indice, o.numero) > (mejor.indice, mejor.numero):
            mejor = o
    return mejor


def _pendientes(canales, mensajes: list[Linea], escalada: _Escalada, historial: Historial):
    """Los (canal, destino) por los que falta mandar alguna de las líneas."""
    if not historial.enviados:
        return canales
    return [
        (canal, destino)
        for canal, destino in canales
        if any(not _ya_enviado(m, canal, escalada, historial) for m in mensajes)
    ]


def _aviso_previo(pasos: list[Paso], indice: int) -> tuple[int, Paso] | None:
    """El último paso que manda mensaje antes de la tarea en `indice` (el aviso que la precede)."""
    for i in range(indice - 1, -1, -1):
        if not pasos[i].es_tarea:
            return i, pasos[i]
    return None


def _tareas_a_tiempo(dia: _Dia, tareas: list[Linea], escalada: _Escalada,
                     mensajes: list[Linea]) -> list[Linea]:  # fmt: skip
    """Las líneas cuya tarea ya toca: su aviso previo se envió de verdad y pasaron `tras_aviso`
    días. Sin el aviso enviado, la factura recibe ese aviso (va a `mensajes`); en la espera,
    queda omitida con la fecha en que tocará."""
    listas = []
    for linea in tareas:
        paso = linea.ocurrencia.paso
        previo = _aviso_previo(escalada.pasos, linea.ocurrencia.indice)
        if previo is None:
            listas.append(linea)
            continue
        indice, aviso = previo
        enviado = dia.historial.avisos.get((linea.factura.numero, aviso.id))
        if enviado is None:
            ocurrencia = Ocurrencia(aviso, indice, 1, aviso.dias)
            mensajes.append(replace(linea, ocurrencia=ocurrencia))
            continue
        toca = enviado + timedelta(days=paso.tras_aviso or 0)
        if dia.hoy < toca:
            f = linea.factura
            dia.plan.omitidas.append(Omitida(f.fila, f.numero, (
                f"tarea {paso.id} en espera: {aviso.id} se envió el {enviado.isoformat()}; "
                f"toca el {toca.isoformat()} ({cantidad(paso.tras_aviso or 0, 'día')} después)"
            ), f.cliente))  # fmt: skip
            continue
        listas.append(linea)
    return listas


def _planificar_tareas(dia: _Dia, deudor: str, cliente: str, tareas: list[Linea],
                       escalada: _Escalada) -> None:  # fmt: skip
    nuevas = tareas
    if dia.historial.enviados:  # sin envíos anteriores, ninguna está registrada
        nuevas, registradas = [], []
        for t in tareas:
            (registradas if _ya_enviado(t, "tarea", escalada, dia.historial) else nuevas).append(t)
        _omitir(dia.plan, registradas, "tarea ya registrada en la bitácora")
    if nuevas:
        ocurrencia = _mas_firme(nuevas)
        descripcion = ocurrencia.paso.descripcion or f"Tarea manual: {ocurrencia.paso.id}"
        dia.plan.tareas.append(Tarea(deudor, cliente, ocurrencia, nuevas, descripcion))


def _espera(dia: _Dia, deudor, mensajes, canales, pendientes, escalada) -> str | None:
    minimo = dia.politica.limites.min_dias_entre_mensajes
    if not minimo:
        return None
    ultimo = dia.historial.ultimo_envio(deudor)
    if ultimo is None or (dia.hoy - ultimo).days >= minimo:
        return None
    # Completar hoy por otro canal el mismo paso ya enviado (p. ej. el email falló y el SMS no)
    # no es un contacto nuevo.
    completa_paso = any(
        all(_ya_enviado(m, c, escalada, dia.historial) for m in mensajes)
        for c, d in canales
        if (c, d) not in pendientes
    )
    if completa_paso:
        return None
    return (
        f"espera: último mensaje el {ultimo.isoformat()} (mínimo {cantidad(minimo, 'día')} entre "
        "mensajes)"
    )
