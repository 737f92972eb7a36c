"""Política de cobranza (YAML): carga, validación completa y la política predeterminada."""

from __future__ import annotations

import codecs
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from importlib import resources
from pathlib import Path
from typing import Any

from recordar.cartera.valores import numero_de_condicion, partir_condicion
from recordar.errores import ErrorPolitica, RecordarError, causa, quisiste_decir
from recordar.politica.calendario import Calendario, leer_fecha, leer_feriados, leer_horario
from recordar.politica.cumplimiento import PAIS_DE_IDIOMA, aplicar_preset
from recordar.politica.lectura_yaml import explicar_error_yaml, leer_yaml

CANALES_MENSAJE = ("email", "sms", "whatsapp")
CAMPOS_COLUMNA = (
    "cliente",
    "correo",
    "telefono",
    "monto",
    "vencimiento",
    "factura",
    "moneda",
    "estado",
    "canal",
    "enlace_pago",
    "pausa_hasta",
    "disputa",
    "promesa_pago",
    "no_contactar",
    "zona_horaria",
)
CLAVES_RAIZ = {
    "empresa",
    "idioma",
    "moneda",
    "zona_horaria",
    "region_telefono",
    "columnas",
    "pasos",
    "interes_moratorio",
    "limites",
    "canales",
    "cumplimiento",
    "horario",
    "feriados",
    "segmentos",
    "pie_baja",
    "promesa_incumplida",
    "cadencia_adaptativa",
}
CLAVES_PASO = {
    "id",
    "dias",
    "repetir_cada",
    "hasta",
    "canales",
    "plantilla",
    "accion",
    "descripcion",
    "tras_aviso",
}
NOMBRE_PREDETERMINADA = "(política predeterminada)"
SI_NO = (
    "sin comillas, yes/no/on/off/true/false se leen como sí o no: escribe el texto entre comillas"
)
# Topes de cordura: más allá son erratas (y un paso a 10¹² días desborda las fechas).
MAX_DIAS = 3650
TASA_MAXIMA = 1000


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


def validar_politica(datos: Any, ruta: Path | None, previos: Sequence[str] = ()) -> Politica:
    """Convierte el YAML en una Politica; junta todos los problemas (y los previos) antes de fallar."""
    problemas: list[str] = list(previos)
    nombre = str(ruta) if ruta else NOMBRE_PREDETERMINADA
    if datos is None:
        vacia = (
            "está vacía; escribe al menos los pasos (recordar iniciar crea una política comentada)"
        )
        raise ErrorPolitica(nombre, [*problemas, vacia])
    if not isinstance(datos, dict):
        raise ErrorPolitica(nombre, [*problemas, "debe ser un mapa de claves (empresa, pasos, …)"])
    notas: list[str] = []
    datos = aplicar_preset(datos, problemas, notas)
    for clave in datos:
        if clave not in CLAVES_RAIZ:
            problemas.append(f"{clave}: clave desconocida{quisiste_decir(clave, CLAVES_RAIZ)}")

    empresa = _empresa(datos.get("empresa"), problemas)
    idioma = _texto(datos, "idioma", "es_MX", problemas)
    _validar_idioma(idioma, problemas)
    moneda = _texto(datos, "moneda", "MXN", problemas).upper()
    if not (len(moneda) == 3 and moneda.isalpha()):
        problemas.append(f"moneda: «{moneda}» no es un código ISO de moneda (MXN, EUR, USD…)")
    zona = _texto(datos, "zona_horaria", "America/Mexico_City", problemas)
    _validar_zona(zona, problemas)
    region = _texto(datos, "region_telefono", "MX", problemas).upper()
    _validar_region(region, problemas)

    columnas = _columnas(datos.get("columnas"), problemas)
    pasos = _pasos(datos.get("pasos"), problemas)
    interes = _interes(datos.get("interes_moratorio"), problemas)
    limites = _limites(datos.get("limites"), problemas)
    canales = {} if datos.get("canales") is None else datos["canales"]
    if not isinstance(canales, dict) or not all(isinstance(v, dict) for v in canales.values()):
        problemas.append(
            "canales: debe ser un mapa de canal → ajustes (p. ej. email: {tipo: smtp})"
        )
        canales = {}

    horario = leer_horario(datos.get("horario"), problemas)
    pais, region_feriados, fechas = leer_feriados(datos.get("feriados"), problemas)
    segmentos = _segmentos(datos.get("segmentos"), problemas)
    pie_baja = _texto_libre(datos.get("pie_baja"), "pie_baja", problemas)
    promesa = _promesa(datos.get("promesa_incumplida"), problemas)
    cadencia = _cadencia(datos.get("cadencia_adaptativa"), problemas)
    notas += _notas_de_pais(datos, idioma)

    if problemas:
        raise ErrorPolitica(nombre, problemas)
    return Politica(
        calendario=Calendario(horario, pais, region_feriados, fechas),
        segmentos=segmentos,
        pie_baja=pie_baja.strip(),
        promesa_incumplida=promesa,
        cadencia=cadencia,
        notas=notas,
        pasos=pasos,
        empresa=empresa,
        idioma=idioma,
        moneda=moneda,
        zona_horaria=zona,
        region_telefono=region,
        columnas=columnas,
        interes_moratorio=interes,
        limites=limites,
        canales=canales,
        ruta=ruta,
    )


def _notas_de_pais(datos: dict, idioma: str) -> list[str]:
    """Avisos cuando el país de `cumplimiento` no es el del idioma, o cuando no hay ni país ni
    horario ni feriados (los mensajes saldrían también en domingo y en feriado)."""
    pais = PAIS_DE_IDIOMA.get(idioma)
    elegido = datos.get("cumplimiento")
    if elegido is None:
        if datos.get("horario") is None and datos.get("feriados") is None:
            sugerencia = f" (p. ej. cumplimiento: {pais})" if pais else ""
            return [
                "cumplimiento: no está, ni horario ni feriados; los mensajes pueden salir en "
                f"domingo o en feriado: indica el país{sugerencia}"
            ]
        return []
    elegido = str(elegido).strip().upper()
    if pais and elegido not in (pais, "NINGUNO"):
        return [f"cumplimiento: {elegido} no es el país de idioma {idioma} ({pais}); revisa ambos"]
    return []


def _texto(datos: dict, clave: str, defecto: str, problemas: list[str]) -> str:
    valor = datos.get(clave, defecto)
    if valor is None:
        return defecto
    if not isinstance(valor, str) or not valor.strip():
        si_no = f"; {SI_NO}" if isinstance(valor, bool) else ""
        problemas.append(f"{clave}: debe ser un texto (p. ej. {defecto}){si_no}")
        return defecto
    return valor.strip()


def _texto_libre(valor: Any, donde: str, problemas: list[str]) -> str:
    """Un texto opcional (vacío si falta); un número vale como texto."""
    if valor is None:
        return ""
    if isinstance(valor, str):
        return valor
    if isinstance(valor, int | float) and not isinstance(valor, bool) and math.isfinite(valor):
        return str(valor)
    problemas.append(
        f"{donde}: debe ser un texto" + (f"; {SI_NO}" if isinstance(valor, bool) else "")
    )
    return ""


def _empresa(valor: Any, problemas: list[str]) -> dict[str, Any]:
    """Los datos de la empresa para las plantillas; las claves propias (logo…) pasan tal cual."""
    if valor is None:
        valor = {}
    if not isinstance(valor, dict):
        problemas.append("empresa: debe ser un mapa (nombre, contacto, enlace_pago)")
        valor = {}
    empresa = {str(k): ("" if v is None else v) for k, v in valor.items()}
    for clave in ("nombre", "contacto", "enlace_pago"):
        empresa.setdefault(clave, "")
    for clave in ("nombre", "contacto", "enlace_pago", "datos_bancarios"):
        if clave in empresa:  # las que usan las plantillas que vienen con recordar
            empresa[clave] = _texto_libre(empresa[clave], f"empresa.{clave}", problemas)
    return empresa


def _validar_idioma(idioma: str, problemas: list[str]) -> None:
    from babel import Locale, UnknownLocaleError

    try:
        Locale.parse(idioma)
    except (UnknownLocaleError, ValueError, TypeError):
        problemas.append(f"idioma: «{idioma}» no es un idioma conocido (usa es_MX, es_ES, es_CO…)")


def _validar_zona(zona: str, problemas: list[str]) -> None:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(zona)
    except (ZoneInfoNotFoundError, ValueError):
        problemas.append(
            f"zona_horaria: «{zona}» no es una zona horaria (usa America/Mexico_City, Europe/Madrid…)"
        )


def _validar_region(region: str, problemas: list[str]) -> None:
    import phonenumbers

    if region not in phonenumbers.SUPPORTED_REGIONS:
        problemas.append(f"region_telefono: «{region}» no es un código de país (MX, ES, CO, AR…)")


def _columnas(valor: Any, problemas: list[str]) -> dict[str, str]:
    if valor is None:
        return {}
    if not isinstance(valor, dict):
        problemas.append("columnas: debe ser un mapa campo → encabezado de tu hoja")
        return {}
    columnas: dict[str, str] = {}
    for campo, encabezado in valor.items():
        if campo not in CAMPOS_COLUMNA:
            problemas.append(
                f"columnas.{campo}: campo desconocido{quisiste_decir(str(campo), CAMPOS_COLUMNA)}"
                f" (campos: {', '.join(CAMPOS_COLUMNA)})"
            )
        elif (
            isinstance(encabezado, bool)
            or not isinstance(encabezado, str | int)
            or not str(encabezado).strip()
        ):
            problemas.append(f"columnas.{campo}: debe ser el encabezado de una columna de tu hoja")
        else:
            columnas[campo] = str(encabezado).strip()
    return columnas


def _pasos(valor: Any, problemas: list[str]) -> list[Paso]:
    if not isinstance(valor, list) or not valor:
        problemas.append(
            "pasos: debe ser una lista con al menos un paso (id, dias, canales, plantilla)"
        )
        return []
    pasos: list[Paso] = []
    vistos: set[str] = set()
    for i, bruto in enumerate(valor):
        donde = f"pasos[{i}]"
        if not isinstance(bruto, dict):
            problemas.append(f"{donde}: debe ser un mapa (id, dias, canales, plantilla)")
            continue
        paso = _paso(bruto, donde, problemas)
        if paso is None:
            continue
        if paso.id in vistos:
            problemas.append(
                f"{donde}.id: «{paso.id}» está repetido; cada paso necesita un id único"
            )
        vistos.add(paso.id)
        pasos.append(paso)
    pasos.sort(key=lambda p: p.dias)
    return pasos


def _paso(bruto: dict, donde: str, problemas: list[str]) -> Paso | None:
    antes = len(problemas)
    for clave in bruto:
        if clave not in CLAVES_PASO:
            problemas.append(
                f"{donde}.{clave}: clave desconocida{quisiste_decir(str(clave), CLAVES_PASO)}"
            )
    id_ = bruto.get("id")
    if id_ is None or not str(id_).strip():
        problemas.append(f"{donde}.id: falta el identificador del paso (p. ej. id: recordatorio)")
        id_ = f"paso{donde}"
    elif isinstance(id_, bool) or not isinstance(id_, str | int):
        problemas.append(f"{donde}.id: debe ser un texto (p. ej. id: recordatorio), no «{id_}»")
        id_ = f"paso{donde}"
    id_ = str(id_).strip()
    if "#" in id_:
        problemas.append(f"{donde}.id: no puede contener «#»")
    rango = {"minimo": -MAX_DIAS, "maximo": MAX_DIAS}
    dias = _entero(bruto, "dias", donde, problemas, requerido=True, **rango)
    repetir = _entero(bruto, "repetir_cada", donde, problemas, minimo=1, maximo=MAX_DIAS)
    hasta = _entero(bruto, "hasta", donde, problemas, **rango)
    if hasta is not None and dias is not None and hasta < dias:
        problemas.append(f"{donde}.hasta: debe ser mayor o igual que dias ({dias})")
    if hasta is not None and bruto.get("repetir_cada") is None:
        problemas.append(f"{donde}.hasta: solo tiene sentido junto con repetir_cada")
    accion = bruto.get("accion", "mensaje")
    if accion not in ("mensaje", "tarea"):
        problemas.append(f"{donde}.accion: debe ser «mensaje» o «tarea», no «{accion}»")
    canales: tuple[str, ...] = ()
    plantilla = ""
    if accion != "tarea":
        canales = _canales_paso(bruto.get("canales", ["email"]), donde, problemas)
        plantilla = bruto.get("plantilla", id_)
        if not isinstance(plantilla, str) or not plantilla.strip():
            problemas.append(
                f"{donde}.plantilla: debe ser el nombre de una plantilla (p. ej. recordatorio)"
            )
            plantilla = id_
    descripcion = _texto_libre(bruto.get("descripcion"), f"{donde}.descripcion", problemas)
    tras_aviso = _entero(bruto, "tras_aviso", donde, problemas, minimo=0, maximo=MAX_DIAS)
    if tras_aviso is not None and accion != "tarea":
        problemas.append(f"{donde}.tras_aviso: solo tiene sentido en un paso con accion: tarea")
    if len(problemas) > antes:
        return None
    return Paso(
        id=id_,
        dias=dias,
        canales=canales,
        plantilla=plantilla.strip(),
        repetir_cada=repetir,
        hasta=hasta,
        accion=accion,
        descripcion=descripcion,
        tras_aviso=tras_aviso,
    )


def _canales_paso(valor: Any, donde: str, problemas: list[str]) -> tuple[str, ...]:
    if isinstance(valor, str):
        valor = [valor]
    if not isinstance(valor, list) or not valor:
        problemas.append(f"{donde}.canales: debe ser una lista de canales (email, sms, whatsapp)")
        return ()
    canales = []
    for j, c in enumerate(valor):
        if c not in CANALES_MENSAJE:
            problemas.append(
                f"{donde}.canales[{j}]: «{c}» no es un canal; usa email, sms o whatsapp"
            )
        elif c not in canales:
            canales.append(c)
    return tuple(canales)


def _entero(
    datos: dict,
    clave: str,
    donde: str,
    problemas: list[str],
    requerido: bool = False,
    minimo: int | None = None,
    maximo: int | None = None,
) -> int | None:
    valor = datos.get(clave)
    if valor is None:
        if requerido:
            problemas.append(f"{donde}.{clave}: falta; debe ser un número entero")
        return None
    if isinstance(valor, bool) or not isinstance(valor, int):
        problemas.append(f"{donde}.{clave}: debe ser un número entero, no «{valor}»")
        return None
    if minimo is not None and valor < minimo:
        como = {0: "no puede ser negativo", 1: "debe ser un número entero mayor que 0"}
        problemas.append(f"{donde}.{clave}: {como.get(minimo, f'debe ser {minimo} o más')}")
        return None
    if maximo is not None and valor > maximo:
        problemas.append(f"{donde}.{clave}: no puede pasar de {maximo}")
        return None
    return valor


def _decimal(datos: dict, clave: str, donde: str, problemas: list[str]) -> Decimal:
    valor = datos.get(clave)
    if valor is None:
        return Decimal(0)
    try:
        if isinstance(valor, bool) or not isinstance(valor, int | float | str):
            raise InvalidOperation
        numero = Decimal(str(valor).strip())
        if not numero.is_finite():
            raise InvalidOperation
    except InvalidOperation:
        problemas.append(f"{donde}.{clave}: debe ser un número, no «{valor}»")
        return Decimal(0)
    if numero < 0:
        problemas.append(f"{donde}.{clave}: no puede ser negativo")
    return numero


def _tasa(datos: dict, donde: str, problemas: list[str]) -> Decimal:
    tasa = _decimal(datos, "tasa_anual", donde, problemas)
    if tasa > TASA_MAXIMA:
        problemas.append(f"{donde}.tasa_anual: no puede pasar de {TASA_MAXIMA} (% anual)")
    return tasa


def _interes(valor: Any, problemas: list[str]) -> InteresMoratorio:
    if valor is None:
        return InteresMoratorio()
    if not isinstance(valor, dict):
        problemas.append(
            "interes_moratorio: debe ser un mapa (tasa_anual, desde_dias, compensacion)"
        )
        return InteresMoratorio()
    for clave in valor:
        if clave not in ("tasa_anual", "desde_dias", "compensacion", "tabla"):
            problemas.append(f"interes_moratorio.{clave}: clave desconocida")
    desde = _entero(valor, "desde_dias", "interes_moratorio", problemas, minimo=0, maximo=MAX_DIAS)
    desde = desde or 0
    tabla = _tabla_interes(valor.get("tabla"), problemas)
    return InteresMoratorio(
        tasa_anual=_tasa(valor, "interes_moratorio", problemas),
        desde_dias=desde,
        compensacion=_decimal(valor, "compensacion", "interes_moratorio", problemas),
        tabla=tabla,
    )


def _tabla_interes(valor: Any, problemas: list[str]) -> tuple[tuple[date, Decimal], ...]:
    """`tabla: [{desde: 2025-01-01, tasa_anual: 11.15}, …]`: la tasa de cada periodo."""
    if valor is None:
        return ()
    if not isinstance(valor, list):
        problemas.append(
            "interes_moratorio.tabla: debe ser una lista de periodos "
            "(- {desde: AAAA-MM-DD, tasa_anual: N})"
        )
        return ()
    tabla = []
    for i, fila in enumerate(valor):
        donde = f"interes_moratorio.tabla[{i}]"
        for clave in fila if isinstance(fila, dict) else ():
            if clave not in ("desde", "tasa_anual"):
                problemas.append(f"{donde}.{clave}: clave desconocida (usa desde, tasa_anual)")
        if not isinstance(fila, dict) or "desde" not in fila or "tasa_anual" not in fila:
            problemas.append(f"{donde}: debe tener desde (AAAA-MM-DD) y tasa_anual")
            continue
        inicio = leer_fecha(fila["desde"])
        if inicio is None:
            problemas.append(f"{donde}.desde: «{fila['desde']}» no es una fecha AAAA-MM-DD")
            continue
        tabla.append((inicio, _tasa(fila, donde, problemas)))
    return tuple(sorted(tabla))


def _limites(valor: Any, problemas: list[str]) -> Limites:
    if valor is None:
        return Limites()
    if not isinstance(valor, dict):
        problemas.append(
            "limites: debe ser un mapa (min_dias_entre_mensajes, max_por_semana, max_por_mes)"
        )
        return Limites()
    for clave in valor:
        if clave not in ("min_dias_entre_mensajes", "max_por_semana", "max_por_mes", "por_canal"):
            problemas.append(f"limites.{clave}: clave desconocida")
    minimo = _entero(
        valor, "min_dias_entre_mensajes", "limites", problemas, minimo=0, maximo=MAX_DIAS
    )
    semana, mes = _topes(valor, "limites", problemas)
    por_canal = {}
    bruto = {} if valor.get("por_canal") is None else valor["por_canal"]
    if not isinstance(bruto, dict):
        problemas.append(
            "limites.por_canal: debe ser un mapa canal → {max_por_semana, max_por_mes}"
        )
        bruto = {}
    for canal, topes in bruto.items():
        donde = f"limites.por_canal.{canal}"
        if canal not in CANALES_MENSAJE:
            problemas.append(f"{donde}: «{canal}» no es un canal; usa email, sms o whatsapp")
        elif not isinstance(topes, dict):
            problemas.append(f"{donde}: debe ser un mapa {{max_por_semana, max_por_mes}}")
        else:
            for clave in topes:
                if clave not in ("max_por_semana", "max_por_mes"):
                    problemas.append(
                        f"{donde}.{clave}: clave desconocida (usa max_por_semana, max_por_mes)"
                    )
            por_canal[canal] = _topes(topes, donde, problemas)
    return Limites(minimo or 0, semana, mes, por_canal)


def _topes(valor: dict, donde: str, problemas: list[str]) -> tuple[int | None, int | None]:
    topes = []
    for clave in ("max_por_semana", "max_por_mes"):
        topes.append(_entero(valor, clave, donde, problemas, minimo=1))
    return topes[0], topes[1]


def _segmentos(valor: Any, problemas: list[str]) -> list[Segmento]:
    if valor is None:
        return []
    if not isinstance(valor, list):
        problemas.append("segmentos: debe ser una lista (nombre, si, pasos, canales)")
        return []
    segmentos = []
    for i, bruto in enumerate(valor):
        donde = f"segmentos[{i}]"
        if not isinstance(bruto, dict):
            problemas.append(f"{donde}: debe ser un mapa (nombre, si, pasos, canales)")
            continue
        for clave in bruto:
            if clave not in ("nombre", "si", "pasos", "canales"):
                problemas.append(
                    f"{donde}.{clave}: clave desconocida (usa nombre, si, pasos, canales)"
                )
        condiciones = _condiciones(bruto.get("si"), f"{donde}.si", problemas)
        pasos = None
        if "pasos" in bruto:
            antes = len(problemas)
            pasos = _pasos(bruto["pasos"], problemas)
            problemas[antes:] = [p.replace("pasos", f"{donde}.pasos", 1) for p in problemas[antes:]]
        canales = _canales_paso(bruto["canales"], donde, problemas) if "canales" in bruto else ()
        nombre = _texto_libre(bruto.get("nombre"), f"{donde}.nombre", problemas)
        nombre = nombre.strip() or f"segmento{i + 1}"
        segmentos.append(Segmento(nombre, condiciones, pasos, canales))
    return segmentos


def _condiciones(valor: Any, donde: str, problemas: list[str]) -> dict[str, str]:
    """`si: {tipo: habitual, monto: ">= 50000"}`: columna → valor o comparación."""
    if not isinstance(valor, dict) or not valor:
        problemas.append(f"{donde}: debe ser un mapa columna → condición (p. ej. tipo: habitual)")
        return {}
    condiciones = {}
    for columna, condicion in valor.items():
        aqui = f"{donde}.{columna}"
        if isinstance(condicion, bool):
            problemas.append(f"{aqui}: {SI_NO}")
        elif isinstance(condicion, list | dict):
            problemas.append(
                f'{aqui}: debe ser un valor o una comparación (p. ej. habitual o ">= 50000"), '
                "no una lista ni un mapa"
            )
        elif condicion is None or not str(condicion).strip():
            problemas.append(f"{aqui}: falta la condición (p. ej. tipo: habitual)")
        else:
            texto = str(condicion).strip()
            problema = _problema_condicion(texto)
            if problema:
                problemas.append(f"{aqui}: {problema}")
            condiciones[str(columna)] = texto
    return condiciones


def _problema_condicion(texto: str) -> str | None:
    """Lo que falla en una condición, como la lee segmentos.cumple (o None)."""
    operador, esperado = partir_condicion(texto)
    if esperado.lower().lstrip("+-") in ("nan", "snan"):
        return f"«{texto}» no es un valor que se pueda comparar"
    if operador in (">=", "<=", ">", "<") and numero_de_condicion(esperado) is None:
        return f'«{texto}»: con >=, <=, > o < va un número (p. ej. ">= 50000")'
    return None


def _promesa(valor: Any, problemas: list[str]) -> Paso:
    valor = {} if valor is None else valor
    if not isinstance(valor, dict):
        problemas.append("promesa_incumplida: debe ser un mapa (canales, plantilla)")
        valor = {}
    for clave in valor:
        if clave not in ("canales", "plantilla"):
            problemas.append(
                f"promesa_incumplida.{clave}: clave desconocida (usa canales, plantilla)"
            )
    canales = _canales_paso(valor.get("canales", ["email", "sms"]), "promesa_incumplida", problemas)
    plantilla = valor.get("plantilla", "promesa_incumplida")
    if not isinstance(plantilla, str) or not plantilla.strip():
        problemas.append(
            "promesa_incumplida.plantilla: debe ser el nombre de una plantilla "
            "(p. ej. promesa_incumplida)"
        )
        plantilla = "promesa_incumplida"
    return Paso(id="promesa_incumplida", dias=0, canales=canales, plantilla=plantilla.strip())


def _cadencia(valor: Any, problemas: list[str]) -> Cadencia | None:
    if valor is None:
        return None
    if not isinstance(valor, dict):
        problemas.append("cadencia_adaptativa: debe ser un mapa (min_intervalo, max_intervalo)")
        return None
    for clave in valor:
        if clave not in ("min_intervalo", "max_intervalo"):
            problemas.append(
                f"cadencia_adaptativa.{clave}: clave desconocida (usa min_intervalo, max_intervalo)"
            )
    minimo, maximo = (
        _entero(valor, clave, "cadencia_adaptativa", problemas, requerido=True, maximo=MAX_DIAS)
        for clave in ("min_intervalo", "max_intervalo")
    )
    if minimo is None or maximo is None:
        return None
    if not 1 <= minimo <= maximo:
        problemas.append("cadencia_adaptativa: debe cumplirse 1 ≤ min_intervalo ≤ max_intervalo")
        return None
    return Cadencia(minimo, maximo)


# Lo que `recordar iniciar` escribe como ejemplo (ahora y en versiones anteriores) y lo del
# ejemplo de la documentación: mientras siga en la política, no se envía de verdad. Se comparan
# los valores enteros (sin distinguir espacios ni mayúsculas), los dominios y las marcas.
_VALORES_DE_EJEMPLO = (
    "Mi Empresa S.A. de C.V.",
    "cobranza@miempresa.com · 55 1234 5678",
    "https://pagos.miempresa.com/?ref={{ factura }}",
    "CLABE 012 180 00123456789 0 (BBVA)",
    "Cobranza Mi Empresa <cobranza@miempresa.com>",
)
_DOMINIOS_DE_EJEMPLO = (
    "miempresa.com", "miempresa.ejemplo", "pagos.ejemplo.com", "ferreterialopez.ejemplo.mx",
)  # fmt: skip
_MARCAS_DE_EJEMPLO = ("EJEMPLO", "00123456789")
_CLAVES_EMPRESA = ("nombre", "contacto", "enlace_pago", "datos_bancarios")
_CLAVES_CANAL = ("remitente", "usuario", "servidor", "url")


def _normalizar_ejemplo(texto: str) -> str:
    return " ".join(texto.split()).casefold()


_EJEMPLOS = frozenset(map(_normalizar_ejemplo, _VALORES_DE_EJEMPLO))


def es_valor_de_ejemplo(valor: Any) -> bool:
    """True si el texto es (o contiene) uno de los valores de ejemplo de `recordar iniciar`."""
    import re

    if not isinstance(valor, str) or not valor.strip():
        return False
    if _normalizar_ejemplo(valor) in _EJEMPLOS or any(m in valor for m in _MARCAS_DE_EJEMPLO):
        return True
    for dominio in re.findall(r"(?:@|//|^)([\w-]+(?:\.[\w-]+)+)", valor.strip().casefold()):
        if any(dominio == d or dominio.endswith("." + d) for d in _DOMINIOS_DE_EJEMPLO):
            return True
    return False


def valores_de_ejemplo(politica: Politica) -> list[str]:
    """Las claves de la política que aún tienen un valor de ejemplo (empresa y canales)."""
    claves = [
        f"empresa.{clave}"
        for clave in _CLAVES_EMPRESA
        if es_valor_de_ejemplo(politica.empresa.get(clave))
    ]
    for canal, ajustes in politica.canales.items():
        claves += [
            f"canales.{canal}.{clave}"
            for clave in _CLAVES_CANAL
            if es_valor_de_ejemplo(ajustes.get(clave))
        ]
    return claves
