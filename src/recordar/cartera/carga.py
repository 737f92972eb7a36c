"""Leer la cartera (xlsx, xlsm, xls, ods, csv) → facturas, omitidas y rechazos con fila y columna."""

from __future__ import annotations

import gc
from array import array
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from recordar.cartera.cabecera import (
    FILAS_BUSQUEDA_CABECERA,
    PUNTAJE_MINIMO,
    _buscar_cabecera,
)
from recordar.cartera.valores import (
    MEDIANOCHE,
    como_texto,
    es_vacio,
    normalizar,
    normalizar_correos,
    normalizar_telefonos,
)
from recordar.errores import ErrorCartera

if TYPE_CHECKING:
    from recordar.cartera.filas import _Lector
    from recordar.procesos import Hijo

EXTENSIONES_EXCEL = {".xlsx", ".xlsm", ".xls", ".ods", ".xlsb"}
EXTENSIONES_TEXTO = {".csv", ".txt", ".tsv"}

CANALES = {
    "email": "email", "correo": "email", "e mail": "email", "mail": "email",
    "correo electronico": "email", "sms": "sms", "mensaje": "sms", "texto": "sms",
    "whatsapp": "whatsapp", "wa": "whatsapp", "whats": "whatsapp", "wsp": "whatsapp",
}  # fmt: skip


@dataclass(slots=True)
class Factura:
    """Una factura abierta y válida de la cartera."""

    fila: int
    numero: str
    cliente: str
    deudor: str  # clave que agrupa las facturas de un mismo deudor
    monto: Decimal
    vencimiento: date
    moneda: str
    enlace_pago: str = ""
    extras: dict[str, Any] = field(default_factory=dict)
    pausa_hasta: date | None = None
    disputa: bool = False
    promesa_pago: date | None = None


@dataclass(frozen=True, slots=True)
class Rechazo:
    """Una fila (o celda) que no se pudo usar: fila visible en Excel, columna, valor y motivo."""

    fila: int
    columna: str
    valor: str
    motivo: str

    def __str__(self) -> str:
        return f"fila {self.fila}, columna {self.columna}: {self.motivo}"


@dataclass(frozen=True, slots=True)
class Omitida:
    """Una factura válida que hoy no recibe mensaje, con el motivo."""

    fila: int
    factura: str
    motivo: str
    cliente: str = ""


@dataclass(slots=True)
class Contacto:
    """Cómo llegar a un deudor: lo reunido de todas sus filas."""

    correos: list[str] = field(default_factory=list)
    telefonos: list[str] = field(default_factory=list)
    canal: str = ""
    no_contactar: bool = False
    zona_horaria: str = ""


@dataclass(slots=True)
class Cartera:
    ruta: Path
    hoja: str | None
    fila_cabecera: int
    columnas: dict[str, str]  # campo → encabezado en la hoja
    extras: list[str]  # variables de plantilla que vienen de otras columnas
    facturas: list[Factura] = field(default_factory=list)
    omitidas: list[Omitida] = field(default_factory=list)  # pagadas, notas de crédito
    rechazos: list[Rechazo] = field(default_factory=list)  # filas que no se pueden usar
    avisos: list[Rechazo] = field(default_factory=list)  # celdas que no se usan, con su motivo
    # Otras hojas del libro con cabecera reconocible, que no se leyeron (se elige con --hoja).
    otras_hojas: list[str] = field(default_factory=list)
    contactos: dict[str, Contacto] = field(default_factory=dict)
    # Números de factura de filas rechazadas: su estado es desconocido (no son pagos).
    numeros_rechazados: set[str] = field(default_factory=set)
    # Lo que conviene saber de la hoja entera (qué columna se cobra): la vista previa y validar
    # lo muestran.
    notas: list[str] = field(default_factory=list)

    @property
    def filas_rechazadas(self) -> int:
        return len({r.fila for r in self.rechazos})

    @property
    def num_facturas(self) -> int:
        return len(self.facturas) + len(self.omitidas)

    @property
    def filas(self) -> int:
        return self.num_facturas + self.filas_rechazadas


def cargar_cartera(
    ruta: str | Path,
    *,
    hoja: str | None = None,
    columnas: dict[str, str] | None = None,
    idioma: str = "es_MX",
    moneda: str = "MXN",
    region_telefono: str = "MX",
) -> Cartera:
    """Lee la hoja, encuentra la cabecera y convierte cada fila en factura, omitida o rechazo."""
    from recordar.cartera import libro as revision
    from recordar.cartera.archivos import _es_texto_disfrazado, _firma, _leer_csv, _leer_excel
    from recordar.cartera.filas import _Lector

    ruta = Path(ruta)
    extension = ruta.suffix.lower()
    revision.revisar_archivo(ruta, extension in EXTENSIONES_EXCEL)
    columnas = columnas or {}
    otras_hojas: list[str] = []
    formulas = None
    avisos_lectura: list[Rechazo] = []
    firma = _firma(ruta) if extension in EXTENSIONES_EXCEL else b""
    libro = extension in EXTENSIONES_EXCEL and not _es_texto_disfrazado(ruta, extension, firma)
    if libro:
        nombre_hoja, filas, otras_hojas, formulas = _leer_excel(ruta, hoja, columnas, firma)
    elif extension in EXTENSIONES_TEXTO or extension in EXTENSIONES_EXCEL:
        if hoja:
            raise ErrorCartera(
                f"{ruta}: es un archivo de texto (CSV), no tiene hojas; quita --hoja"
            )
        nombre_hoja = None
        filas = _leer_csv(ruta, avisos_lectura)
    else:
        raise ErrorCartera(
            f"{ruta}: formato «{extension or 'sin extensión'}» no admitido; "
            "usa .xlsx, .xlsm, .xls, .ods, .csv, .tsv o .txt"
        )
    donde = f"{ruta}" + (f" (hoja «{nombre_hoja}»)" if nombre_hoja else "")
    if not any(not es_vacio(c) for fila in filas for c in fila):
        raise ErrorCartera(f"{donde}: la hoja está vacía; revisa que sea el archivo correcto")
    indice, puntaje = _buscar_cabecera(filas, columnas)
    if indice is None or puntaje < PUNTAJE_MINIMO:
        raise ErrorCartera(
            f"{donde}: no encontré una fila de encabezados reconocible en las primeras "
            f"{FILAS_BUSQUEDA_CABECERA} filas (busco columnas como Cliente, Factura, Importe y "
            "Vencimiento); renombra los encabezados o indícalos en «columnas:» de la política"
        )
    lector = _Lector(ruta, donde, filas, indice, columnas, moneda, region_telefono, libro=libro,
                     dia_primero=not idioma.lower().startswith("en_us"))  # fmt: skip
    # Sin el recolector cíclico mientras se crean cientos de miles de objetos sin ciclos:
    # con él, leer 100 000 filas tarda ~50 % más (sus pasadas recorren todo lo ya creado).
    recolector = gc.isenabled()
    gc.disable()
    try:
        cartera = lector.leer()
    finally:
        if recolector:
            gc.enable()
    cartera.hoja = nombre_hoja
    cartera.otras_hojas = otras_hojas
    if formulas is not None:
        from recordar.cartera.formulas import rechazar

        rechazar(cartera, filas, formulas)
    cartera.avisos[:0] = avisos_lectura
    return cartera


def clave_deudor(cliente: str) -> str:
    """La clave que agrupa las facturas de un deudor: el nombre sin mayúsculas, acentos ni
    signos. Un nombre sin letras latinas («李伟贸易») no queda vacío (todos esos nombres se
    juntaban en un solo deudor): se usa tal cual, en minúsculas y sin espacios de más."""
    return normalizar(cliente) or " ".join(cliente.casefold().split())


class _Columnas:
    """Cada columna de la hoja ya interpretada, fila por fila (None si la hoja no la tiene)."""

    def __init__(self, lector: _Lector, filas: list[list]) -> None:
        columnas, self.deudores, self.extras = _interpretar_columnas(lector, filas)
        self.clientes = columnas["cliente"]
        self.numeros = columnas["factura"]
        self.pagadas = columnas.get("estado")
        self.montos = columnas["monto"]
        self.vencimientos = columnas["vencimiento"]
        self.monedas = columnas.get("moneda")
        self.correos = columnas.get("correo")
        self.telefonos = columnas.get("telefono")
        self.no_contactar = columnas.get("no_contactar")
        self.zonas = columnas.get("zona_horaria")
        # Canal elegido: None si la celda está vacía, "" si no es un canal conocido.
        self.canales = columnas.get("canal")
        self.pausas = columnas.get("pausa_hasta")
        self.promesas = columnas.get("promesa_pago")
        self.disputas = columnas.get("disputa")
        self.enlaces = columnas.get("enlace_pago")


def _interpretar_columnas(lector: _Lector, filas: list[list]) -> tuple[dict, list, list]:
    """(campo → lo interpretado de cada fila, deudor de cada fila, columnas extra).

    Con una hoja grande, un proceso hijo interpreta las columnas más caras mientras este hace
    las demás; si el hijo falla, este las interpreta también y el resultado es el mismo.
    """
    celdas = lector.celdas
    interpretes = {c: f for c, f in _interpretes(lector).items() if c in celdas}
    del_hijo = [c for c in COLUMNAS_DEL_HIJO if c in celdas] if _repartir(len(filas)) else []
    hijo = _iniciar_hijo(celdas, interpretes, del_hijo) if del_hijo else None
    if hijo is None:
        del_hijo = []
    deudores = None
    try:
        columnas = {
            c: _por_valor(celdas[c], interpretes[c]) for c in interpretes if c not in del_hijo
        }
        if "cliente" in columnas:  # lo normal: el cliente no va al hijo
            deudores = _por_valor(columnas["cliente"], _cada(clave_deudor))
        extras = [
            (nombre, _por_valor(lector.columnas_hoja[j], _valores_extra))
            for j, nombre in lector.extras
        ]
        if hijo is not None:
            columnas.update(_recoger(hijo, celdas, interpretes, del_hijo))
    finally:
        if hijo is not None:
            hijo.cancelar()  # si ya se recogió, no hace nada
    if deudores is None:
        deudores = _por_valor(columnas["cliente"], _cada(clave_deudor))
    return columnas, deudores, extras


def _interpretes(lector: _Lector) -> dict[str, Callable[[list], list]]:
    """campo → la función que interpreta una lista de celdas de esa columna (cada una por su
    cuenta: el resultado de una celda no depende de las demás)."""
    region = lector.region
    return {
        "cliente": _textos,
        "factura": _textos,
        "estado": _cada(lector._pagada),
        "monto": lector._montos,
        "vencimiento": lambda valores: lector._fechas(
            valores, f"falta la fecha de vencimiento{lector.vacia}"
        ),
        "moneda": _cada(lector._codigo),
        "correo": lambda valores: _contactos(valores, normalizar_correos),
        "telefono": lambda valores: _contactos(valores, normalizar_telefonos, region),
        "no_contactar": _cada(lector._si),
        "zona_horaria": _textos,
        "canal": _cada(
            lambda v: None if es_vacio(v) else CANALES.get(normalizar(como_texto(v)), "")
        ),
        "pausa_hasta": lambda valores: lector._fechas(valores, None),
        "promesa_pago": lambda valores: lector._fechas(valores, None),
        "disputa": _cada(lector._si),
        "enlace_pago": _textos,
    }


def _cada(funcion: Callable[[Any], Any]) -> Callable[[list], list]:
    return lambda valores: list(map(funcion, valores))


def _textos(valores: list) -> list[str]:
    """como_texto de cada celda."""
    if _todo_texto(valores):  # para un str, como_texto es str.strip (lo vacío da «»)
        return list(map(str.strip, valores))
    return list(map(como_texto, valores))


def _valores_extra(valores: list) -> list:
    """_valor_extra de cada celda."""
    if _todo_texto(valores):  # para un str, _valor_extra es str.strip (lo vacío da «»)
        return list(map(str.strip, valores))
    return list(map(_valor_extra, valores))


def _contactos(valores: list, normalizar_contactos, *region: str) -> list[tuple | None]:
    """Correos o teléfonos de cada celda: None si está vacía, si no normalizar_contactos(texto)."""
    if _todo_texto(valores):  # para un str, vacía es «en blanco» y como_texto es str.strip
        return [normalizar_contactos(t, *region) if t else None for t in map(str.strip, valores)]
    return [None if es_vacio(v) else normalizar_contactos(como_texto(v), *region) for v in valores]


def _por_valor(valores: list, interprete: Callable[[list], list]) -> list:
    """interprete(valores), pero interpretando una sola vez cada valor distinto."""
    tabla = _distintos(valores)
    if tabla is None or len(tabla) == len(valores):  # todos distintos: agrupar no ahorra nada
        return interprete(valores)
    for v, resultado in zip(tabla, interprete(list(tabla)), strict=True):
        tabla[v] = resultado
    return list(map(tabla.__getitem__, valores))


def _todo_texto(valores: list) -> bool:
    """Si todas las celdas son str (siempre en un CSV); un str derivado no cuenta."""
    return set(map(type, valores)) <= {str}


def _distintos(valores: list) -> dict | None:
    """Los valores distintos en orden de aparición, o None si hay que ir uno por uno."""
    try:
        tabla = dict.fromkeys(valores)
    except TypeError:  # algún valor no se puede usar como clave
        return None
    # True == 1 y False == 0 como claves: si hay booleanos y números, uno por uno.
    if (True in tabla or False in tabla) and any(type(v) is bool for v in valores):
        return None
    return tabla


# Desde este número de filas, un proceso hijo (fork) interpreta las columnas más caras mientras
# el padre hace las demás. Con 100 000 filas: importe ~0,4 s y teléfono ~0,35 s en el hijo;
# cliente, factura, correo y el resto ~0,7 s en el padre.
FILAS_PARA_REPARTIR = 20_000
COLUMNAS_DEL_HIJO = ("monto", "telefono")


def _repartir(filas: int) -> bool:
    """Si las columnas se interpretan en dos procesos (ver procesos.cuantos_procesos)."""
    from recordar.procesos import cuantos_procesos

    return cuantos_procesos(filas, FILAS_PARA_REPARTIR) > 1


def _iniciar_hijo(celdas: dict, interpretes: dict, campos: list[str]) -> Hijo | None:
    from recordar.procesos import Hijo

    try:
        return Hijo(lambda: _interpretar_en_hijo(celdas, interpretes, campos))
    except OSError:  # sin procesos o sin memoria para otro: todo en este
        return None


def _interpretar_en_hijo(celdas: dict, interpretes: dict, campos: list[str]) -> list[tuple]:
    """Por columna, lo interpretado de cada valor distinto y el índice de cada fila en esa
    lista: ~2,5 MB por la tubería con 100 000 filas, y al padre solo le queda armar la lista."""
    enviados = []
    for campo in campos:
        resultados, indices = _interpretar_distintos(celdas[campo], interpretes[campo])
        if campo == "monto":
            resultados = _codificar_montos(resultados)
        enviados.append((resultados, indices))
    return enviados


def _recoger(hijo: Hijo, celdas: dict, interpretes: dict, campos: list[str]) -> dict[str, list]:
    """Las columnas del hijo, fila por fila; si el hijo falló, las interpreta este proceso."""
    try:
        recibidos = hijo.resultado()
        columnas = {}
        for campo, (resultados, indices) in zip(campos, recibidos, strict=True):
            if campo == "monto":
                resultados = _decodificar_montos(resultados)
            columnas[campo] = _por_fila(resultados, indices, len(celdas[campo]))
        return columnas
    except Exception:  # HijoPerdido, el error del hijo o datos que no cuadran
        return {c: _por_valor(celdas[c], interpretes[c]) for c in campos}


def _interpretar_distintos(
    valores: list, interprete: Callable[[list], list]
) -> tuple[list, array | None]:
    """(lo interpretado de cada valor distinto, índice de cada fila en esa lista); (por fila,
    None) si los valores no se pueden agrupar."""
    tabla = _distintos(valores)
    if tabla is None:
        return interprete(valores), None
    resultados = interprete(list(tabla))
    for i, v in enumerate(tabla):
        tabla[v] = i
    return resultados, array("I", map(tabla.__getitem__, valores))


def _por_fila(resultados: list, indices: array | None, filas: int) -> list:
    """Lo interpretado de cada fila, a partir de lo que devuelve _interpretar_distintos."""
    if indices is None:
        if len(resultados) != filas:
            raise ValueError("el hijo devolvió otro número de filas")
        return resultados
    if len(indices) != filas:
        raise ValueError("el hijo devolvió otro número de filas")
    return list(map(resultados.__getitem__, indices))


def _codificar_montos(montos: list[tuple]) -> tuple[list, list, list]:
    # pickle copia un Decimal ~6 veces más lento que su texto, del que vuelve idéntico
    # (mismo exponente: «1.50» sigue siendo 1.50).
    return [str(m[0]) for m in montos], [m[1] for m in montos], [m[2] for m in montos]


def _decodificar_montos(datos: tuple[list, list, list]) -> list[tuple]:
    textos, monedas, motivos = datos
    return list(zip(map(Decimal, textos), monedas, motivos, strict=True))


def _transponer(filas: list[list], ancho: int) -> list[tuple]:
    """Las celdas de cada columna (tuplas), al menos `ancho` columnas: las filas ya vienen
    completadas a ese ancho."""
    if not filas:
        return [()] * ancho
    return list(zip(*filas, strict=False))  # una fila más larga no cambia las primeras columnas


def _valor_extra(valor: Any) -> Any:
    # Con un str da lo mismo que str.strip (ver _por_valor).
    if es_vacio(valor):
        return ""
    if isinstance(valor, datetime):
        valor = datetime(*valor.timetuple()[:6])  # pandas.Timestamp → datetime
        return valor.date() if valor.time() == MEDIANOCHE else valor
    if isinstance(valor, float) and valor.is_integer():
        return int(valor)
    if isinstance(valor, str):
        return valor.strip()
    return valor
