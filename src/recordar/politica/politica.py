"""Política de cobranza (YAML): sus clases, la carga y la política predeterminada; la validación
está en validacion (con campos y escalada) y los valores de ejemplo en ejemplos."""

from __future__ import annotations

import codecs
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any

from recordar.errores import ErrorPolitica, RecordarError, causa
from recordar.politica.calendario import Calendario
from recordar.politica.cumplimiento import PAIS_DE_IDIOMA
from recordar.politica.lectura_yaml import explicar_error_yaml, leer_yaml

CANALES_MENSAJE = ("email", "sms", "whatsapp")
NOMBRE_PREDETERMINADA = "(política predeterminada)"


@dataclass(frozen=True, slots=True)
class Paso:
    """Un paso de la escalada: qué se manda y cuántos días después del vencimiento."""

    id: str
    dias: int
    canales: tuple[str, ...] = ()
    plantilla: str = ""
    repetir_cada: int | None = None
    hasta: int | None = None
    accion: str = "mensaje"  # mensaje | tarea
    descripcion: str = ""
    # Tarea: días que deben pasar desde el último aviso enviado antes de crearla (None = 0).
    tras_aviso: int | None = None

    @property
    def es_tarea(self) -> bool:
        return self.accion == "tarea"


@dataclass(frozen=True, slots=True)
class InteresMoratorio:
    tasa_anual: Decimal = Decimal(0)
    desde_dias: int = 0
    compensacion: Decimal = Decimal(0)
    # (desde, tasa) ordenada: la tasa del periodo en que vence la factura (p. ej. BOE semestral).
    tabla: tuple[tuple[date, Decimal], ...] = ()

    def tasa_para(self, vencimiento: date) -> Decimal:
        tasa = self.tasa_anual
        for desde, valor in self.tabla:
            if desde <= vencimiento:
                tasa = valor
        return tasa


@dataclass(frozen=True, slots=True)
class Limites:
    min_dias_entre_mensajes: int = 0
    max_por_semana: int | None = None  # en cualquier ventana de 7 días
    max_por_mes: int | None = None  # en cualquier ventana de 30 días
    # canal → (max_por_semana, max_por_mes)
    por_canal: dict[str, tuple[int | None, int | None]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Segmento:
    """Un grupo de deudores con su propia escalada: condiciones sobre columnas e historial."""

    nombre: str
    condiciones: dict[str, str]
    pasos: list[Paso] | None = None
    canales: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Cadencia:
    """Espaciar o acercar los seguimientos según cómo paga cada deudor (días, límites)."""

    min_intervalo: int
    max_intervalo: int


@dataclass(slots=True)
class Politica:
    pasos: list[Paso]
    empresa: dict[str, Any] = field(default_factory=dict)
    idioma: str = "es_MX"
    moneda: str = "MXN"
    zona_horaria: str = "America/Mexico_City"
    region_telefono: str = "MX"
    columnas: dict[str, str] = field(default_factory=dict)
    interes_moratorio: InteresMoratorio = field(default_factory=InteresMoratorio)
    limites: Limites = field(default_factory=Limites)
    canales: dict[str, dict[str, Any]] = field(default_factory=dict)
    ruta: Path | None = None
    calendario: Calendario = field(default_factory=Calendario)
    segmentos: list[Segmento] = field(default_factory=list)
    pie_baja: str = ""
    promesa_incumplida: Paso | None = None
    cadencia: Cadencia | None = None
    # Lo que conviene saber y no impide usarla (claves que reemplazan las del país…).
    notas: list[str] = field(default_factory=list)

    @property
    def carpeta(self) -> Path | None:
        """Carpeta de la política: ahí se buscan plantillas propias y la bitácora."""
        return self.ruta.parent if self.ruta else None

    @property
    def nombre(self) -> str:
        return str(self.ruta) if self.ruta else NOMBRE_PREDETERMINADA


def texto_predeterminado() -> str:
    """El YAML comentado de la política predeterminada (lo que escribe `recordar iniciar`)."""
    return resources.files("recordar").joinpath("datos/politica.yaml").read_text(encoding="utf-8")


# idioma → (moneda, zona horaria, región de teléfonos); el país de cumplimiento sale del idioma.
_PAISES = {
    "es_MX": ("MXN", "America/Mexico_City", "MX"),
    "es_ES": ("EUR", "Europe/Madrid", "ES"),
    "es_CO": ("COP", "America/Bogota", "CO"),
    "es_CL": ("CLP", "America/Santiago", "CL"),
    "en_US": ("USD", "America/New_York", "US"),
}


def texto_para_idioma(idioma: str) -> str:
    """La política de `recordar iniciar` para un idioma: idioma, moneda, zona, región y
    cumplimiento del país (horario, feriados e interés legal desde el primer día)."""
    import re

    clave = idioma.strip().replace("-", "_")
    clave = next((c for c in _PAISES if c.lower() == clave.lower()), None)
    if clave is None:
        raise RecordarError(
            f"--idioma: «{idioma}» no es un idioma con país preparado; usa "
            f"{', '.join(_PAISES)} (para otro país, edita idioma, moneda y cumplimiento en la "
            "política)"
        )
    moneda, zona_, region = _PAISES[clave]
    valores = {"idioma": clave, "moneda": moneda, "zona_horaria": zona_,
               "region_telefono": region, "cumplimiento": PAIS_DE_IDIOMA[clave]}  # fmt: skip
    texto = texto_predeterminado()
    for nombre, valor in valores.items():
        texto = re.sub(rf"(?m)^{nombre}: .*$", f"{nombre}: {valor}", texto, count=1)
    return texto


def ubicar_politica(ruta: str | Path | None) -> Path | None:
    """La política a usar: la indicada, o ./politica.yaml, o None para la predeterminada."""
    if ruta is not None:
        return Path(ruta)
    local = Path.cwd() / "politica.yaml"
    return local if local.is_file() else None


def cargar_politica(ruta: str | Path | None = None) -> Politica:
    """Carga y valida la política; sin ruta usa ./politica.yaml o la predeterminada."""
    import yaml

    from recordar.politica.validacion import validar_politica  # valida con estas clases

    elegida = ubicar_politica(ruta)
    if elegida is None:
        datos, repetidas = leer_yaml(texto_predeterminado())
        return validar_politica(datos, None, repetidas)
    texto = _leer_texto(elegida)
    try:
        datos, repetidas = leer_yaml(texto)
    except yaml.YAMLError as exc:
        raise ErrorPolitica(str(elegida), [explicar_error_yaml(exc, texto)]) from None
    return validar_politica(datos, elegida.resolve(), repetidas)


def _leer_texto(ruta: Path) -> str:
    """El texto del archivo de la política, o un ErrorPolitica que dice qué pasa con él."""
    if ruta.is_dir():
        dentro = ruta / "politica.yaml"
        que = f": --politica {dentro}" if dentro.is_file() else " (p. ej. politica.yaml)"
        raise ErrorPolitica(
            str(ruta), [f"es una carpeta, no un archivo; pasa el archivo de la política{que}"]
        )
    if not ruta.exists():
        raise ErrorPolitica(str(ruta), ["el archivo no existe; revisa la ruta de --politica"])
    try:
        datos = ruta.read_bytes()
    except OSError as exc:
        raise ErrorPolitica(str(ruta), [f"no se puede leer: {causa(exc)}"]) from None
    if datos.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise ErrorPolitica(str(ruta), ["está en UTF-16; guárdalo como UTF-8"])
    if datos.startswith(b"PK\x03\x04") or b"\x00" in datos:
        raise ErrorPolitica(
            str(ruta),
            ["no es un archivo de texto (¿es la hoja de cálculo?); pasa la política YAML con "
             "--politica"],
        )  # fmt: skip
    try:
        return datos.decode("utf-8")
    except UnicodeDecodeError:
        raise ErrorPolitica(str(ruta), ["no está en UTF-8; guárdalo como UTF-8"]) from None
