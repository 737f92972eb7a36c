"""Validar la política completa: las claves de primer nivel, el interés moratorio, los límites y
la cadencia; junta todos los problemas antes de fallar."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from recordar.errores import ErrorPolitica, quisiste_decir
from recordar.politica.calendario import Calendario, leer_fecha, leer_feriados, leer_horario
from recordar.politica.campos import MAX_DIAS, SI_NO, _decimal, _entero, _texto_libre
from recordar.politica.cumplimiento import PAIS_DE_IDIOMA, aplicar_preset
from recordar.politica.escalada import _pasos, _promesa, _segmentos
from recordar.politica.politica import (
    CANALES_MENSAJE,
    NOMBRE_PREDETERMINADA,
    Cadencia,
    InteresMoratorio,
    Limites,
    Politica,
)

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


TASA_MAXIMA = 1000


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
