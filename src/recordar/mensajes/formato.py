"""Dinero y fechas en el idioma de la política (los filtros dinero, fecha y fecha_corta)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

from recordar.mensajes.errores_plantilla import citar


class Formato:
    """Dinero y fechas en el idioma de la política, con Locale y cachés creados una vez."""

    def __init__(self, idioma: str, moneda: str) -> None:
        from babel import Locale

        self.locale = Locale.parse(idioma)
        self.moneda = moneda
        self._fecha = lru_cache(maxsize=8192)(self._formatear_fecha)
        self._patrones: dict[str, tuple[str, str, dict[int, str] | None, int]] = {}
        self._cortas: dict[date, str] = {}
        self._dineros: dict[tuple[Decimal, str], str] = {}

    def _patron(self, moneda: str) -> tuple[str, str, dict[int, str] | None, int]:
        """(prefijo, sufijo, tabla de separadores, decimales) según babel.

        Se calcula una vez por moneda formateando un número de muestra; luego cada importe
        se formatea con f-strings (babel por importe costaba ~120 µs). La tabla cambia los
        separadores de Python («,» y «.») por los del idioma; None si son los mismos.
        """
        patron = self._patrones.get(moneda)
        if patron is None:
            from babel.numbers import format_currency, get_currency_precision

            decimales = get_currency_precision(moneda)
            muestra = format_currency(Decimal("1234567.891"), moneda, locale=self.locale)
            digitos = [i for i, c in enumerate(muestra) if c.isdigit()]
            numero = muestra[digitos[0] : digitos[-1] + 1]
            miles = numero[1] if not numero[1].isdigit() else ""
            decimal = numero[-decimales - 1] if decimales else ""
            tabla = (
                None if (miles, decimal) in ((",", "."), (",", "")) else {44: miles, 46: decimal}
            )
            patron = (muestra[: digitos[0]], muestra[digitos[-1] + 1 :], tabla, decimales)
            self._patrones[moneda] = patron
        return patron

    def _formatear_fecha(self, valor: date, formato: str) -> str:
        from babel.dates import format_date

        return format_date(valor, format=formato, locale=self.locale)

    def dinero(self, valor: Any, moneda: str | None = None) -> str:
        """«$1,234.56» en es_MX, «1.234,56 €» en es_ES: lo mismo que babel, más rápido."""
        if not isinstance(valor, Decimal):
            valor = _importe(valor)
        moneda = moneda or self.moneda
        if not valor.is_finite():
            return self._dinero(valor, moneda)
        # El mismo importe se escribe en el correo, el SMS y los parámetros de un deudor.
        # Solo positivos: 0 y -0 son la misma clave pero se escriben distinto.
        clave = (valor, moneda)
        texto = self._dineros.get(clave)
        if texto is not None:
            return texto
        texto = self._dinero(valor, moneda)
        if valor > 0:
            if len(self._dineros) >= 4096:  # los repetidos están cerca: memoria acotada
                self._dineros.clear()
            self._dineros[clave] = texto
        return texto

    def _dinero(self, valor: Decimal, moneda: str) -> str:
        prefijo, sufijo, tabla, decimales = self._patron(moneda)
        texto = f"{valor:,.{decimales}f}"
        if texto[0] == "-":  # cada idioma pone el signo en otro sitio («MXN-1,50» en es_CL)
            from babel.numbers import format_currency

            return format_currency(valor, moneda, locale=self.locale)
        if tabla is not None:
            texto = texto.translate(tabla)
        return f"{prefijo}{texto}{sufijo}"

    def fecha(self, valor: Any, formato: str = "long") -> str:
        if isinstance(valor, datetime):
            valor = valor.date()
        if not isinstance(valor, date):
            return str(valor)
        return self._fecha(valor, formato)

    def fecha_corta(self, valor: Any) -> str:
        if isinstance(valor, datetime):
            valor = valor.date()
        if not isinstance(valor, date):
            return str(valor)
        texto = self._cortas.get(valor)
        if texto is None:
            formato = "%m/%d/%Y" if self.locale.territory == "US" else "%d/%m/%Y"
            texto = self._cortas[valor] = valor.strftime(formato)
        return texto


def _importe(valor: Any) -> Decimal:
    """El Decimal de lo que recibe el filtro dinero; si no es un importe, un error que lo dice
    (la plantilla lo informa con su archivo y línea)."""
    try:
        return Decimal(str(valor))
    except (ArithmeticError, ValueError, TypeError):
        raise ValueError(
            f"el filtro «dinero» no puede formatear {citar(valor)} (no es un importe)"
        ) from None
