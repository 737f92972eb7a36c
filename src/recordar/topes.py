"""Los frenos de un envío que no dependen de lo ya planificado: el horario y los días hábiles del
calendario, y los topes por semana y mes (ventanas móviles de 7 y 30 días). Sin E/S.

`dia` es el _Dia de plan.py (lo común a todos los deudores); va sin anotar porque este módulo
está debajo de plan y no lo importa."""

from __future__ import annotations

from datetime import date, timedelta

from recordar.cartera.carga import Contacto
from recordar.cartera.valores import cantidad
from recordar.politica.calendario import zona


def _fuera_de_ventana(dia, contacto: Contacto) -> str | None:
    calendario = dia.politica.calendario
    if not calendario.activo:
        return None
    if dia.ahora is None:
        return calendario.motivo_inhabil(dia.hoy)
    local = dia.ahora.astimezone(zona(contacto.zona_horaria or dia.politica.zona_horaria))
    return calendario.motivo_fuera(local)


def _aplicar_topes(dia, deudor: str, pendientes: list[tuple[str, str]]):
    """Los canales que caben en los topes por semana y mes (ventanas móviles de 7 y 30 días)."""
    limites = dia.politica.limites
    if limites.max_por_semana is None and limites.max_por_mes is None and not limites.por_canal:
        return list(pendientes), ""
    envios = list(dia.historial.envios.get(deudor, ()))
    if not envios and len(pendientes) <= dia.tope_menor:
        return list(pendientes), ""  # sin envíos previos, lo de hoy cabe en cualquier tope
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
            libre = _dia_habil_desde(dia, _libre_desde(envios, dia.hoy, largo, tope, solo))
            motivo = (
                f"tope {nombre}: {tope} en {cantidad(largo, 'día')}; podrá enviarse desde el "
                f"{libre.isoformat()}"
            )
    return enviables, motivo


def tope_menor(limites) -> int | float:
    """El tope más bajo de la política (por semana, por mes o de un canal); sin topes, infinito."""
    topes = [limites.max_por_semana, limites.max_por_mes]
    topes += [t for par in limites.por_canal.values() for t in par]
    return min((t for t in topes if t is not None), default=float("inf"))


def _en_ventana(envios, hoy: date, largo: int, canal: str | None) -> int:
    inicio = hoy - timedelta(days=largo - 1)
    return sum(1 for fecha, c in envios if fecha >= inicio and (canal is None or c == canal))


def _libre_desde(envios, hoy: date, largo: int, tope: int, canal: str | None) -> date:
    fechas = sorted(
        f for f, c in envios if f > hoy - timedelta(days=largo) and (canal is None or c == canal)
    )
    return fechas[len(fechas) - tope] + timedelta(days=largo)


def _dia_habil_desde(dia, fecha: date) -> date:
    """El primer día desde `fecha` en que el calendario de la política deja enviar: la fecha que
    se promete es la del envío, no solo la del tope (un domingo o un feriado no valen)."""
    calendario = dia.politica.calendario
    if not calendario.activo:
        return fecha
    for _ in range(60):  # un calendario que no deja ningún día no cuelga la planificación
        if calendario.motivo_inhabil(fecha) is None:
            return fecha
        fecha += timedelta(days=1)
    return fecha
