"""La cabecera de la hoja: qué campo nombra cada encabezado (sinónimos y palabras), qué fila es
la cabecera y qué columna de importe se cobra (el saldo antes que el total)."""

from __future__ import annotations

import re

from recordar.cartera.valores import como_texto, normalizar

PUNTAJE_MINIMO = 3  # columnas reconocidas para aceptar una fila como cabecera
FILAS_BUSQUEDA_CABECERA = 30

# Sinónimos por campo, ya normalizados (minúsculas, sin acentos ni signos).
SINONIMOS: dict[str, tuple[str, ...]] = {
    "cliente": ("cliente", "nombre", "razon social", "customer", "nombre del cliente",
                "nombre cliente", "deudor", "client", "customer name", "name", "denominacion"),
    "correo": ("correo", "email", "e mail", "correo electronico", "mail", "correos", "emails"),
    "telefono": ("telefono", "celular", "movil", "whatsapp", "tel", "telefonos", "phone",
                 "mobile", "cel", "telefono movil", "numero de telefono", "numero de celular"),
    "monto": ("saldo", "pendiente", "saldo pendiente", "importe pendiente", "adeudo",
              "monto", "importe", "amount", "monto pendiente", "saldo insoluto", "por cobrar",
              "amount due", "balance", "total"),
    "vencimiento": ("vencimiento", "fecha de vencimiento", "fecha vencimiento", "fecha limite",
                    "fecha limite de pago", "vence", "due date", "due", "fecha de pago",
                    "f vencimiento", "fec vencimiento", "vto", "fecha vto"),
    "factura": ("factura", "folio", "numero", "n", "no", "num", "n factura", "no factura",
                "num factura", "numero de factura", "invoice", "invoice number", "invoice no",
                "documento", "n de factura", "nro", "nro factura", "comprobante",
                "n comprobante", "no comprobante", "nro comprobante", "numero de comprobante"),
    "moneda": ("moneda", "divisa", "currency"),
    "estado": ("estado", "pagado", "pagada", "status", "estatus", "situacion"),
    "canal": ("canal", "canal preferido", "channel", "medio"),
    "enlace_pago": ("enlace de pago", "enlace pago", "link de pago", "link pago", "payment link",
                    "enlace", "url de pago"),
    "pausa_hasta": ("pausa hasta", "pausa", "pausado hasta", "pausar hasta", "en pausa hasta"),
    "disputa": ("disputa", "en disputa", "disputada", "reclamacion", "aclaracion", "en aclaracion"),
    "promesa_pago": ("promesa pago", "promesa de pago", "fecha promesa", "promesa", "compromiso de pago",
                     "fecha compromiso"),
    "no_contactar": ("no contactar", "no molestar", "no llamar", "sin contacto"),
    "zona_horaria": ("zona horaria", "huso horario", "timezone", "tz"),
}  # fmt: skip
# Palabras que bastan aunque el encabezado diga más («Correo del contacto», «Nº de factura»).
CONTIENE: dict[str, tuple[str, ...]] = {
    "correo": ("correo", "email", "e mail"),
    "telefono": ("telefono", "celular", "movil", "whatsapp"),
    "vencimiento": ("vencimiento",),
    "monto": ("saldo", "adeudo", "importe", "monto"),  # antes que factura: «Saldo factura»
    "factura": ("factura", "folio", "invoice", "comprobante"),
    "enlace_pago": ("enlace de pago", "link de pago"),
}
OBLIGATORIOS = ("cliente", "factura", "monto", "vencimiento")
# Encabezados de importe que dicen lo que falta por cobrar (el saldo, no el total de la factura):
# con uno de estos y un «Importe», «Total» o «Amount», se cobra el saldo.
_RE_SALDO = re.compile(
    r"\b(saldos?|adeudos?|adeudad[oa]s?|insoluto|por cobrar|por pagar|pendientes?|restantes?|"
    r"resta|falta por pagar|falta pagar|debe|balance|amount due|due amount|outstanding|"
    r"remaining|unpaid|owed|owing)\b"
)
# Lo que, junto a esas palabras, dice que la columna no es el saldo: una fecha, unos días, lo
# ya pagado («Fecha de pago pendiente», «Días pendientes», «Saldo pagado»).
_RE_NO_SALDO = re.compile(
    r"\b(fechas?|dias?|dates?|days?|plazo|vencimiento|vence|vto|estado|estatus|status|notas?|"
    r"comentarios?|observaciones|pagad[oa]s?|paid|abonad[oa]s?|abonos?|cobrad[oa]s?|numero|"
    r"num|nro|folio|invoice number)\b"
)
# Importes ya pagados («Abonos», «Importe pagado», «Amount paid», «Pagos»): no son lo que se
# cobra. «Fecha de abono» o «Forma de pago» no son importes.
_RE_PAGADO = re.compile(
    r"\b(pagad[oa]s?|paid|abonad[oa]s?|abonos?|cobrad[oa]s?|pagos recibidos|payments received|"
    r"payments applied)\b|^(pagos|payments)$"
)
_RE_NO_PAGADO = re.compile(
    r"\b(fechas?|dates?|dias?|days?|forma|metodo|method|referencia|reference|condiciones|terms)\b"
)


def campo_de_encabezado(encabezado: str) -> str | None:
    """El campo de la cartera que nombra un encabezado, o None."""
    n = normalizar(encabezado)
    if not n:
        return None
    for campo, sinonimos in SINONIMOS.items():
        if n in sinonimos:
            return campo
    if n.startswith(("fecha", "f ", "fec ")) and "venc" not in n and "vto" not in n:
        return None  # «Fecha de factura», «Fecha de emisión»: otra fecha, no la de vencimiento
    if es_saldo(n):
        return "monto"
    if es_pagado(n):
        return None  # «Importe pagado», «Total abonado»: lo ya pagado, no lo que se cobra
    for campo, palabras in CONTIENE.items():
        if any(re.search(rf"\b{p}\b", n) for p in palabras):
            return campo
    return None


def es_saldo(encabezado: str) -> bool:
    """Si un encabezado ya normalizado nombra lo que falta por pagar («Saldo pendiente», «Por
    pagar», «Monto adeudado», «Open balance», «Outstanding»), no una fecha, unos días o lo
    pagado («Fecha de pago pendiente», «Días pendientes», «Amount paid»)."""
    return bool(_RE_SALDO.search(encabezado)) and not _RE_NO_SALDO.search(encabezado)


def es_pagado(encabezado: str) -> bool:
    """Si un encabezado ya normalizado nombra lo ya pagado («Abonos», «Importe pagado»)."""
    return bool(_RE_PAGADO.search(encabezado)) and not _RE_NO_PAGADO.search(encabezado)


def _mapear(cabecera: list, columnas: dict[str, str]) -> dict[str, int]:
    """campo → índice de columna; el mapa «columnas:» de la política manda."""
    mapa: dict[str, int] = {}
    forzados = {normalizar(v): k for k, v in columnas.items()}
    for j, celda in enumerate(cabecera):
        n = normalizar(como_texto(celda))
        if n in forzados and forzados[n] not in mapa:
            mapa[forzados[n]] = j
    prioridad: dict[str, int] = {}
    for j, celda in enumerate(cabecera):
        if j in mapa.values():
            continue
        texto = como_texto(celda)
        campo = campo_de_encabezado(texto)
        if campo is None or campo in columnas:
            continue
        n = normalizar(texto)
        sinonimos = SINONIMOS[campo]
        rango = sinonimos.index(n) if n in sinonimos else len(sinonimos)
        if campo == "monto" and not es_saldo(n):
            # Lo que se cobra es el saldo: «Saldo actual» antes que «Importe» o «Total».
            rango += 100
        if campo not in mapa or rango < prioridad[campo]:
            mapa[campo], prioridad[campo] = j, rango
    return mapa


def _buscar_cabecera(filas: list[list], columnas: dict[str, str]) -> tuple[int | None, int]:
    mejor, mejor_puntaje = None, 0
    for i, fila in enumerate(filas[:FILAS_BUSQUEDA_CABECERA]):
        mapa = _mapear(fila, columnas)
        puntaje = len(mapa) + 2 * sum(c in mapa for c in ("monto", "vencimiento"))
        if puntaje > mejor_puntaje:
            mejor, mejor_puntaje = i, puntaje
    return mejor, mejor_puntaje


def _identificador(encabezado: str) -> str:
    nombre = normalizar(encabezado).replace(" ", "_")
    if not nombre:
        return ""
    return f"col_{nombre}" if nombre[0].isdigit() else nombre
