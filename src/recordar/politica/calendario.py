"""Cuándo se puede contactar: horario permitido, días hábiles y feriados, en la zona del deudor."""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from recordar.cartera.valores import normalizar
from recordar.errores import quisiste_decir

DIAS_SEMANA = {
    "lunes": 0, "martes": 1, "miercoles": 2, "jueves": 3, "viernes": 4, "sabado": 5, "domingo": 6,
    "lun": 0, "mar": 1, "mie": 2, "jue": 3, "vie": 4, "sab": 5, "dom": 6,
}  # fmt: skip
NOMBRES_DIA = ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo")
LABORABLES = frozenset(range(5))
TODOS = frozenset(range(7))
_RE_HORA = re.compile(r"(\d{1,2})(?::([0-5]\d))?")


@dataclass(frozen=True, slots=True)
class Horario:
    desde: time = time(0, 0)
    hasta: time = time(23, 59)
    dias: frozenset[int] = TODOS


@dataclass(slots=True)
class Calendario:
    """Horario y feriados de la política; sin ninguno de los dos, todo momento vale."""

    horario: Horario | None = None
    pais: str | None = None
    region: str | None = None
    fechas: frozenset[date] = field(default_factory=frozenset)

    @property
    def activo(self) -> bool:
        return self.horario is not None or self.pais is not None or bool(self.fechas)

    @property
    def dias_habiles(self) -> frozenset[int]:
        if self.horario is not None:
            return self.horario.dias
        return LABORABLES if self.activo else TODOS

    def feriado(self, dia: date) -> str | None:
        """El nombre del feriado de ese día, o None."""
        if dia in self.fechas:
            return "feriado"
        if self.pais:
            return _feriados(self.pais, self.region, dia.year).get(dia)
        return None

    def motivo_inhabil(self, dia: date) -> str | None:
        """Por qué ese día no se contacta («feriado: Navidad», «fin de semana»), o None."""
        nombre = self.feriado(dia)
        if nombre:
            return f"feriado ({nombre})"
        if dia.weekday() not in self.dias_habiles:
            return f"día no hábil ({NOMBRES_DIA[dia.weekday()]})"
        return None

    def motivo_fuera(self, momento: datetime) -> str | None:
        """None si en ese momento local se puede contactar; si no, el motivo y cuándo se podrá."""
        inhabil = self.motivo_inhabil(momento.date())
        if inhabil is None and (self.horario is None or self._en_horas(momento)):
            return None
        proximo = self.proximo(momento)
        cuando = (
            f"; elegible desde {proximo.strftime('%Y-%m-%d %H:%M')} ({momento.tzinfo})"
            if proximo
            else ""
        )
        if inhabil:
            return inhabil + cuando
        return f"fuera de horario ({self.horario.desde:%H:%M}–{self.horario.hasta:%H:%M}){cuando}"

    def _en_horas(self, momento: datetime) -> bool:
        actual = momento.timetz().replace(tzinfo=None)
        return self.horario.desde <= actual < self.horario.hasta

    def proximo(self, momento: datetime) -> datetime | None:
        """El próximo momento local en que se puede contactar (hasta 60 días adelante)."""
        desde = self.horario.desde if self.horario else time(0, 0)
        for n in range(61):
            dia = momento.date() + timedelta(days=n)
            if self.motivo_inhabil(dia):
                continue
            inicio = datetime.combine(dia, desde, tzinfo=momento.tzinfo)
            if n == 0:
                if self.horario is None or self._en_horas(momento):
                    return momento
                if momento < inicio:
                    return inicio
                continue
            return inicio
        return None


@lru_cache(maxsize=64)
def _feriados(pais: str, region: str | None, anio: int) -> dict[date, str]:
    import holidays

    return dict(holidays.country_holidays(pais, subdiv=region, years=anio, language="es"))


@lru_cache(maxsize=256)
def zona(nombre: str) -> ZoneInfo:
    return ZoneInfo(nombre)


def leer_horario(valor: Any, problemas: list[str]) -> Horario | None:
    """`horario: {desde: "09:00", hasta: "19:00", dias: [lunes, …, viernes]}`."""
    if valor is None:
        return None
    if not isinstance(valor, dict):
        problemas.append("horario: debe ser un mapa (desde, hasta, dias)")
        return None
    for clave in valor:
        if clave not in ("desde", "hasta", "dias"):
            problemas.append(f"horario.{clave}: clave desconocida (usa desde, hasta, dias)")
    desde = _hora(valor.get("desde", "00:00"), "horario.desde", problemas)
    hasta = _hora(valor.get("hasta", "23:59"), "horario.hasta", problemas)
    if desde and hasta and hasta <= desde:
        problemas.append("horario.hasta: debe ser posterior a horario.desde")
    dias = valor.get("dias", list(NOMBRES_DIA[:5]))
    numeros = set()
    if not isinstance(dias, list) or not dias:
        problemas.append("horario.dias: debe ser una lista de días (lunes, martes, …)")
    else:
        for i, d in enumerate(dias):
            n = DIAS_SEMANA.get(normalizar(d))
            if n is None:
                problemas.append(f"horario.dias[{i}]: «{d}» no es un día de la semana")
            else:
                numeros.add(n)
    return Horario(desde or time(0), hasta or time(23, 59), frozenset(numeros) or LABORABLES)


def _hora(valor: Any, donde: str, problemas: list[str]) -> time | None:
    """`9` es las 09:00; `9:30`, "9:30" y "09:30" son las 09:30."""
    if valor is None:
        problemas.append(f'{donde}: falta la hora; escríbela como "09:00"')
        return None
    if isinstance(valor, int) and not isinstance(valor, bool) and 0 <= valor <= 23:
        return time(valor)
    if isinstance(valor, str):
        partes = _RE_HORA.fullmatch(valor.strip())
        if partes and int(partes[1]) <= 23:
            return time(int(partes[1]), int(partes[2] or 0))
        with contextlib.suppress(ValueError):
            return time.fromisoformat(valor.strip())
    problemas.append(
        f'{donde}: «{valor}» no es una hora; escríbela como "09:00" (de 00:00 a 23:59)'
    )
    return None


def leer_fecha(valor: Any) -> date | None:
    """Una fecha de la política (2026-12-24, con o sin comillas; con hora, su día), o None."""
    if isinstance(valor, datetime):
        return valor.date()
    if isinstance(valor, date):
        return valor
    try:
        return datetime.fromisoformat(str(valor).strip()).date()
    except ValueError:
        return None


def leer_feriados(
    valor: Any, problemas: list[str]
) -> tuple[str | None, str | None, frozenset[date]]:
    """`feriados: MX`, `feriados: ES-MD`, una lista de fechas, o {pais, region, fechas}."""
    pais = region = None
    fechas, donde = [], "feriados"
    if valor is None or (isinstance(valor, str) and not valor.strip()):
        pass
    elif isinstance(valor, bool):
        problemas.append(
            "feriados: sin comillas, yes/no se leen como sí o no; para no usar feriados quita la "
            'clave y para Noruega escribe "NO" entre comillas'
        )
    elif isinstance(valor, str):
        escrito = valor.strip().upper()
        pais, _, region = escrito.partition("-")
        donde_pais = f"feriados: «{escrito}»: " if region else "feriados: "
        region = _region_feriados(pais, region or None, donde_pais, donde_pais, problemas)
    elif isinstance(valor, list):
        fechas = valor
    elif isinstance(valor, dict):
        pais, region, fechas = _feriados_en_mapa(valor, problemas)
        donde = "feriados.fechas"
    else:
        problemas.append(
            "feriados: usa un código de país (MX, ES-MD…), una lista de fechas o {pais, region, fechas}"
        )
    dias = set()
    for i, f in enumerate(fechas):
        dia = leer_fecha(f)
        if dia is None:
            problemas.append(f"{donde}[{i}]: «{f}» no es una fecha AAAA-MM-DD")
        else:
            dias.add(dia)
    return pais or None, region, frozenset(dias)


def _feriados_en_mapa(valor: dict, problemas: list[str]) -> tuple[str | None, str | None, list]:
    for clave in valor:
        if clave not in ("pais", "region", "fechas"):
            problemas.append(f"feriados.{clave}: clave desconocida (usa pais, region, fechas)")
    pais = _codigo(valor.get("pais"), "pais", "ES", problemas)
    region = _codigo(valor.get("region"), "region", "CT", problemas)
    if pais:
        region = _region_feriados(pais, region, "feriados.pais: ", "feriados.region: ", problemas)
    elif region:
        problemas.append("feriados.region: falta feriados.pais (p. ej. pais: ES)")
    fechas = valor.get("fechas")
    if fechas is None:
        fechas = []
    elif not isinstance(fechas, list):
        problemas.append(
            "feriados.fechas: debe ser una lista de fechas (p. ej. [2026-12-24, 2026-12-31])"
        )
        fechas = []
    return pais, region, fechas


def _codigo(valor: Any, clave: str, ejemplo: str, problemas: list[str]) -> str | None:
    if isinstance(valor, bool):
        problemas.append(
            f"feriados.{clave}: sin comillas, yes/no se leen como sí o no; para Noruega escribe "
            '"NO" entre comillas'
        )
    elif valor is not None and not isinstance(valor, str):
        que = "país" if clave == "pais" else "región"
        problemas.append(f"feriados.{clave}: debe ser un código de {que} (p. ej. {ejemplo})")
    elif valor and valor.strip():
        return valor.strip().upper() if clave == "pais" else valor.strip()
    return None


def _region_feriados(
    pais: str, region: str | None, donde_pais: str, donde_region: str, problemas: list[str]
) -> str | None:
    """El código de la región (AN, CT…; también por su nombre: Cataluña), o None."""
    regiones = _regiones(pais)
    if regiones is None:
        problemas.append(f"{donde_pais}«{pais}» no es un país conocido (MX, ES, CO, CL, US…)")
        return None
    if region is None or normalizar(region) in regiones:
        return region and regiones[normalizar(region)]
    codigos = list(dict.fromkeys(regiones.values()))
    if not codigos:
        problemas.append(
            f"{donde_region}{pais} no tiene regiones en el calendario de feriados; usa "
            f"feriados: {pais}"
        )
        return None
    sugerencia = quisiste_decir(region.upper(), codigos)
    problemas.append(
        f"{donde_region}la región «{region}» no existe en {pais}{sugerencia}; las regiones son "
        f"{', '.join(codigos)}"
    )
    return None


@lru_cache(maxsize=32)
def _regiones(pais: str) -> dict[str, str] | None:
    """Nombre o código normalizado → código de las regiones de feriados; None si no es un país."""
    import holidays

    if pais not in holidays.list_supported_countries():
        return None
    entidad = holidays.country_holidays(pais)
    regiones = {normalizar(c): c for c in entidad.subdivisions}
    for alias, codigo in getattr(entidad, "subdivisions_aliases", {}).items():
        regiones.setdefault(normalizar(alias), codigo)
    return regiones
