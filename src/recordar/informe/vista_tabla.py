"""Los mensajes de hoy en la terminal: una fila por deudor (no por canal), con columnas que se
caen por prioridad cuando la terminal es estrecha; en un log (sin terminal), una línea por
mensaje con los mismos campos, para leerla y buscarla con grep.

Un correo, un teléfono, un importe o una fecha nunca se parten: cada celda va en una sola
línea y, si no cabe, se corta con «…» (o la columna no se muestra).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from rich.cells import cell_len

from recordar.mensajes.texto_sms import segmentos_sms
from recordar.plan import Mensaje

FILAS_EN_PANTALLA = 60  # deudores en la tabla; el resto, en el informe (--salida)
SEPARADOR = " · "
MIN_CLIENTE = 14  # el cliente entra siempre con al menos esto (o su nombre entero)
MIN_VISTA = 24  # la vista previa solo entra si le quedan estas celdas
MAX_FACTURAS = 32  # ancho máximo de la columna con los números de factura


@dataclass(slots=True)
class FilaDeudor:
    """Lo que recibe hoy un deudor en una moneda: sus mensajes por cada canal, juntos."""

    deudor: str
    cliente: str
    moneda: str
    mensajes: list[Mensaje] = field(default_factory=list)
    numeros: list[str] = field(default_factory=list)
    saldo: Decimal = Decimal(0)
    dias: int = 0
    paso: str = ""
    _indice: int = -1

    def sumar(self, m: Mensaje) -> None:
        primera = not self.mensajes
        self.mensajes.append(m)
        for linea in m.lineas:
            if linea.factura.numero not in self.numeros:
                self.numeros.append(linea.factura.numero)
                self.saldo += linea.factura.monto
            self.dias = linea.dias_vencido if primera else max(self.dias, linea.dias_vencido)
            primera = False
        if m.ocurrencia.indice > self._indice:
            self._indice, self.paso = m.ocurrencia.indice, m.ocurrencia.id

    @property
    def canales(self) -> str:
        return SEPARADOR.join(dict.fromkeys(m.canal for m in self.mensajes))

    @property
    def estado(self) -> str:
        """«enviado» si todos quedaron igual; si no, el de cada canal («email enviado · sms
        fallido»)."""
        estados = {m.estado for m in self.mensajes}
        if len(estados) == 1:
            return next(iter(estados))
        return SEPARADOR.join(f"{m.canal} {m.estado}" for m in self.mensajes)


def filas_de(mensajes: list[Mensaje], limite: int = FILAS_EN_PANTALLA) -> tuple[list, int]:
    """(las primeras `limite` filas por deudor y moneda, cuántas filas hay en total).

    Solo se arman las filas que se muestran: con 100 000 mensajes se cuentan los demás deudores,
    sin sumar ni formatear nada más.
    """
    filas: dict[tuple[str, str], FilaDeudor] = {}
    otras: set[tuple[str, str]] = set()
    for m in mensajes:
        clave = (m.deudor, m.moneda)
        fila = filas.get(clave)
        if fila is None:
            if len(filas) >= limite:
                otras.add(clave)
                continue
            fila = filas[clave] = FilaDeudor(m.deudor, m.cliente, m.moneda)
        fila.sumar(m)
    return list(filas.values()), len(filas) + len(otras)


def dias_de(dias: int) -> str:
    """«1 día», «-2 días» (negativos: aún no vence)."""
    return f"{dias} día" if abs(dias) == 1 else f"{dias} días"


def vista_previa(m: Mensaje) -> str:
    """El asunto de un correo; el texto de un SMS (con caracteres y segmentos) o de un WhatsApp."""
    texto = m.asunto if m.canal == "email" and m.asunto else " ".join(m.cuerpo.split())
    if m.canal == "sms" and m.cuerpo:
        caracteres, segmentos, codificacion = segmentos_sms(m.cuerpo)
        return f"[{caracteres} car., {segmentos} seg. {codificacion}] {texto}"
    return texto


def _vista_de_fila(fila: FilaDeudor) -> str:
    con_texto = [m for m in fila.mensajes if m.asunto or m.cuerpo]
    correo = [m for m in con_texto if m.canal == "email"]
    return vista_previa((correo or con_texto)[0]) if con_texto else ""


def facturas_de(numeros: list[str], ancho: int) -> str:
    """Los números si caben en `ancho`; si no, cuántas son («3 facturas», o «3» si tampoco)."""
    texto = ", ".join(numeros)
    if cell_len(texto) <= ancho:
        return texto
    cuenta = f"{len(numeros)} facturas" if len(numeros) != 1 else "1 factura"
    return cuenta if cell_len(cuenta) <= ancho else str(len(numeros))


@dataclass(slots=True)
class Columna:
    """Una columna candidata: entra con `minimo` celdas y crece, si sobra sitio, hasta `natural`.
    Las de ancho fijo (importe, días, paso…) tienen minimo == natural: van enteras o no van."""

    nombre: str
    valores: list[str]
    minimo: int = 0
    natural: int = 0
    derecha: bool = False

    def __post_init__(self) -> None:
        cabecera = cell_len(self.nombre)
        self.natural = max(cabecera, self.natural, *map(cell_len, self.valores), 0)
        self.minimo = min(max(self.minimo, cabecera), self.natural) if self.minimo else self.natural


def elegir_columnas(columnas: list[Columna], ancho: int,
                    reparto: list[tuple[str, int | None]]) -> dict[str, int]:  # fmt: skip
    """nombre → ancho de las columnas que caben en `ancho` celdas de tabla, por prioridad (el
    orden de la lista): la primera va siempre; cada otra entra con su mínimo si cabe. Lo que
    sobra se reparte en el orden de `reparto` (nombre, hasta cuánto; None: su ancho natural).

    Una tabla de n columnas ocupa la suma de sus anchos más 3n − 1 (padding y separadores).
    """
    elegidas: dict[str, int] = {}
    libre = ancho + 1
    for c in columnas:
        if not elegidas or c.minimo + 3 <= libre:
            elegidas[c.nombre] = c.minimo
            libre -= c.minimo + 3
    naturales = {c.nombre: c.natural for c in columnas}
    for nombre, hasta in reparto:
        if nombre in elegidas and libre > 0:
            tope = naturales[nombre] if hasta is None else min(hasta, naturales[nombre])
            mas = max(0, min(libre, tope - elegidas[nombre]))
            elegidas[nombre] += mas
            libre -= mas
    return elegidas


def tabla_de_mensajes(filas: list[FilaDeudor], dinero, ancho: int, simulacro: bool):
    """La tabla de rich para `ancho` columnas de terminal (una fila por deudor)."""
    from rich import box
    from rich.table import Table

    numeros = [", ".join(f.numeros) for f in filas]
    candidatas = [
        Columna("cliente", [f.cliente for f in filas], minimo=MIN_CLIENTE),
        Columna("saldo", [dinero(f.saldo, f.moneda) for f in filas], derecha=True),
        Columna("días", [str(f.dias) for f in filas], derecha=True),
        Columna("paso", [f.paso for f in filas]),
        # Estrecha, «nº» y cuántas; con sitio, «facturas» y sus números.
        Columna("nº", [str(len(f.numeros)) for f in filas],
                natural=min(max(map(cell_len, [*numeros, "facturas"])), MAX_FACTURAS)),
        Columna("canales", [f.canales for f in filas]),
    ]  # fmt: skip
    candidatas[4].minimo = max(map(cell_len, ["nº", *candidatas[4].valores]))
    if not simulacro:
        candidatas.append(Columna("estado", [f.estado for f in filas]))
    candidatas.append(Columna("vista previa", [_vista_de_fila(f) for f in filas], minimo=MIN_VISTA))
    reparto = [("cliente", 28), ("nº", None), ("vista previa", 60), ("cliente", None),
               ("vista previa", None)]  # fmt: skip
    anchos = elegir_columnas(candidatas, ancho, reparto)
    tabla = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=True, collapse_padding=False)
    elegidas = [c for c in candidatas if c.nombre in anchos]
    con_numeros = anchos.get("nº", 0) >= cell_len("facturas")
    for c in elegidas:
        tabla.add_column("facturas" if c.nombre == "nº" and con_numeros else c.nombre,
                         width=anchos[c.nombre], no_wrap=True, overflow="ellipsis",
                         justify="right" if c.derecha else "left")  # fmt: skip
    for i, f in enumerate(filas):
        celdas = {c.nombre: c.valores[i] for c in elegidas}
        if con_numeros:
            celdas["nº"] = facturas_de(f.numeros, anchos["nº"])
        tabla.add_row(*(celdas[c.nombre] for c in elegidas))
    return tabla


def lineas_de_mensajes(mensajes: list[Mensaje], dinero, ancho: int, simulacro: bool):
    """Una línea por mensaje para un log: cliente · facturas · saldo · días · paso · canal ·
    destinatario [· estado] · vista previa (cortada con «…» a lo que quede de `ancho`)."""
    for m in mensajes:
        campos = [m.cliente, ", ".join(m.numeros), dinero(m.total, m.moneda),
                  dias_de(m.dias_vencido), m.ocurrencia.id, m.canal, m.destinatario]  # fmt: skip
        if not simulacro:
            campos.append(m.estado + (f" ({m.detalle})" if m.detalle else ""))
        linea = SEPARADOR.join(campos)
        # cell_len recorre carácter a carácter un texto con acentos: solo si puede quedar sitio.
        resto = ancho - len(linea) - len(SEPARADOR)
        if resto >= 12:
            resto = ancho - cell_len(linea) - len(SEPARADOR)
        if resto >= 12 and (texto := vista_previa(m)):
            linea += SEPARADOR + recortar(texto, resto)
        yield linea


def recortar(texto: str, ancho: int) -> str:
    """`texto` en `ancho` celdas como mucho, con «…» al final si se cortó."""
    if cell_len(texto) <= ancho:
        return texto
    from rich.cells import set_cell_size

    return set_cell_size(texto, ancho - 1) + "…"
