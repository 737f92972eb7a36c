"""Leer la cartera (xlsx, xlsm, xls, ods, csv) → facturas, omitidas y rechazos con fila y columna."""

from __future__ import annotations

import gc
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from recordar.cartera.cabecera import FILAS_BUSQUEDA_CABECERA, PUNTAJE_MINIMO, _buscar_cabecera
from recordar.cartera.valores import es_vacio, normalizar
from recordar.errores import ErrorCartera

EXTENSIONES_EXCEL = {".xlsx", ".xlsm", ".xls", ".ods", ".xlsb"}
EXTENSIONES_TEXTO = {".csv", ".txt", ".tsv"}


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
