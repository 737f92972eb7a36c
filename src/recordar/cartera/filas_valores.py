"""Lo que vale cada celda de una fila para el lector (_Lector hereda de _Valores): importes,
fechas, monedas, estados de pago y sí/no, con sus vocabularios."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

from recordar.cartera.carga import Cartera
from recordar.cartera.columnas import _Columnas, _todo_texto
from recordar.cartera.monedas import _codigo_moneda, es_moneda
from recordar.cartera.valores import (
    como_texto,
    dia_primero_de,
    es_vacio,
    montos_simples,
    normalizar,
    parsear_fecha,
    parsear_monto,
)

SI = {"si", "x", "yes", "true", "1", "verdadero", "s"}
NO = {"no", "n", "false", "0", "falso", "ninguno", "ninguna", "nada", "sin disputa",
      "sin reclamo", "no aplica", "na", "n a"}  # fmt: skip
PAGADO = {
    "pagado", "pagada", "paid", "liquidado", "liquidada", "cobrado", "cobrada", "cancelado",
    "cancelada", "saldado", "saldada", "si", "x", "yes", "true", "1", "ok",
    "pagado total", "pagada total", "pago total", "settled",
}  # fmt: skip
# Lo que, detrás de «Pagado…», dice que no se pagó todo.
_RE_A_MEDIAS = re.compile(
    r"\b(no|parcial|parcialmente|parte|cuenta|anticipo|abono|resta|restan|falta|faltan|"
    r"pendiente|devuelto|rebotado|saldo|menos)\b"
)
# Marcas de sí y de no (en Estado, ✓ es pagada; en Disputa o No contactar, sí).
MARCAS_SI = {"✓", "✔", "☑", "✅", "✔️", "🗸"}
MARCAS_NO = {"✗", "✘", "❌", "☐"}
# Lo que dice que la factura sigue abierta (o pagada solo en parte: se sigue cobrando el resto).
PENDIENTE = {
    "pendiente", "pendientes", "vencida", "vencido", "por cobrar", "por pagar", "no", "abierta",
    "abierto", "sin pagar", "impaga", "impagada", "impagado", "adeudo", "adeudada", "debe",
    "en proceso", "en tramite", "parcial", "pago parcial", "abono parcial", "pagada parcialmente",
    "pagado parcialmente", "pagada parcial", "pagado parcial", "0", "false", "open", "unpaid",
    "overdue", "due", "pending", "partial", "partially paid", "no pagada", "no pagado",
}  # fmt: skip


# Los errores de fórmula de Excel, en inglés y en español, tal como quedan en un CSV.
_RE_ERROR_EXCEL = re.compile(
    r"#(?:N/A|N/D|¡?REF!|VALUE!|¡VALOR!|¡?DIV/0!|NAME\?|¿NOMBRE\?|¡?NUM!|NULL!|¡NULO!|"
    r"SPILL!|¡DESBORDAMIENTO!|¡?CALC!|GETTING_DATA)",
    re.IGNORECASE,
)


def _no_vale(valor: Any, que: str, cual: str) -> str:
    """««x» no es un importe válido», o que es un error de fórmula si lo es."""
    texto = como_texto(valor)
    if _RE_ERROR_EXCEL.fullmatch(texto):
        return f"«{texto}» es un error de fórmula de Excel; corrige la fórmula o escribe {cual}"
    return f"«{texto}» no es {que}"


class _Valores:
    """Los métodos de _Lector que interpretan una celda o una columna de valores."""

    def _si(self, valor: Any) -> bool | str:
        """Una celda de sí/no (disputa, no contactar): True, False o, si no se entiende, su
        texto, que se toma como sí por precaución (no se cobra / no se contacta) con un aviso."""
        if isinstance(valor, bool):
            return valor
        if es_vacio(valor):
            return False
        crudo = como_texto(valor)
        texto = normalizar(crudo)
        if texto in SI or crudo in MARCAS_SI or texto.split(" ", 1)[0] == "si":
            return True  # «sí», «x», ✓, «Sí (nota de crédito)»
        if texto in NO or crudo in MARCAS_NO:
            return False
        return crudo

    def _marca(self, k: int, n: int, campo: str, valores: list | None, cartera: Cartera) -> bool:
        """La celda de sí/no de la fila k; una que no se entiende cuenta como sí, con un aviso."""
        valor = valores[k] if valores is not None else False
        if type(valor) is str:
            self._rechazo(cartera, n, campo, valor,
                          f"«{valor}» no es sí ni no: se toma como sí por precaución; escribe "
                          "«sí» o «no»", aviso=True)  # fmt: skip
            return True
        return valor

    def _fecha_opcional(self, k: int, n: int, campo: str, fechas, cartera: Cartera) -> date | None:
        if fechas is None:
            return None
        fecha, motivo = fechas[k]
        if motivo:
            self._rechazo(cartera, n, campo, self.celdas[campo][k], motivo)
        return fecha

    def _pagada(self, estado: Any) -> bool | str:
        """True si la celda de estado dice pagada, False si está vacía o dice pendiente; si no
        se reconoce, el texto de la celda (se toma como pendiente, con un aviso)."""
        if es_vacio(estado):
            return False
        if isinstance(estado, bool):
            return estado
        crudo = como_texto(estado)
        texto = normalizar(crudo)
        if texto in PAGADO or crudo in MARCAS_SI:
            return True
        if texto in PENDIENTE or crudo in MARCAS_NO:
            return False
        # «Liquidada el 05/11», «Cobrada (transferencia)»: empieza como pagada y nada dice que
        # sea a medias («Pagado 50%», «Pagado: No», «Pagado a cuenta», «Pagado $5,000 resta…»).
        primera = texto.split(" ", 1)[0]
        if (primera in PAGADO and len(primera) > 2 and not _RE_A_MEDIAS.search(texto)
                and not any(c in crudo for c in "%$?")):  # fmt: skip
            return True
        return crudo

    def _monto(self, valor: Any) -> tuple[Decimal, str | None, str]:
        """(importe, moneda escrita en la celda, motivo si no vale)."""
        if es_vacio(valor):
            return Decimal(0), None, f"falta el importe{self.vacia}"
        try:
            return (*parsear_monto(valor, self.moneda), "")
        except ValueError as exc:
            return Decimal(0), None, str(exc) or _no_vale(valor, "un importe válido", "el importe")

    def _montos(self, valores: list) -> list[tuple[Decimal, str | None, str]]:
        """_monto de cada celda; las de texto simple («1234», «12450,50») se convierten juntas."""
        if not _todo_texto(valores):
            return list(map(self._monto, valores))
        simples = montos_simples(valores)
        return [
            (importe, None, "") if importe is not None else self._monto(v)
            for importe, v in zip(simples, valores, strict=True)
        ]

    def _fechas(self, valores: list, falta: str | None) -> list[tuple[date | None, str]]:
        """_fecha de cada celda de una columna, en el orden día/mes que la columna deja ver."""
        dia_primero = dia_primero_de(valores, self.dia_primero)
        return [self._fecha(v, falta, dia_primero) for v in valores]

    def _fecha(self, valor: Any, falta: str | None, dia_primero: bool) -> tuple[date | None, str]:
        """(fecha, motivo si no vale); una celda vacía es `falta` (o None si es opcional)."""
        if es_vacio(valor):
            return (date.min, falta) if falta else (None, "")
        try:
            return parsear_fecha(valor, dia_primero), ""
        except (ValueError, OverflowError):
            return (date.min if falta else None), _no_vale(valor, "una fecha válida", "la fecha")

    def _codigo(self, valor: Any) -> str | None:
        """Código de la moneda de la celda: "" si está vacía, None si no es una moneda."""
        return "" if es_vacio(valor) else _codigo_moneda(como_texto(valor), self.moneda)

    def _moneda(
        self, k: int, n: int, moneda_celda: str | None, c: _Columnas, cartera: Cartera
    ) -> str:
        codigo = c.monedas[k] if c.monedas is not None else ""
        if codigo == "":
            if moneda_celda and not es_moneda(moneda_celda):
                importe = self.celdas["monto"][k]
                self._rechazo(
                    cartera,
                    n,
                    "monto",
                    importe,
                    f"«{como_texto(importe)}»: «{moneda_celda}» no es una moneda reconocida",
                )
            return moneda_celda or self.moneda
        if moneda_celda and moneda_celda != codigo:  # «US$ 1,500» con Moneda MXN: ¿cuál vale?
            importe = self.celdas["monto"][k]
            motivo = (
                f"«{como_texto(importe)}» dice {moneda_celda} y la columna de moneda dice {codigo};"
                " deja la moneda en un solo sitio"
                if es_moneda(moneda_celda)
                else f"«{como_texto(importe)}»: «{moneda_celda}» no es una moneda reconocida"
            )
            self._rechazo(cartera, n, "monto", importe, motivo)
            return codigo
        if codigo is None:
            valor = self.celdas["moneda"][k]
            self._rechazo(
                cartera,
                n,
                "moneda",
                valor,
                f"«{como_texto(valor)}» no es una moneda reconocida; usa un código como MXN, EUR o USD",
            )
            return self.moneda
        return codigo
