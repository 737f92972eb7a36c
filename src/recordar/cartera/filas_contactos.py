"""Los contactos de cada deudor para el lector (_Lector hereda de _Contactos): correos y
teléfonos reunidos de todas sus filas, no contactar, zona horaria y canal."""

from __future__ import annotations

from recordar.cartera.carga import Cartera, Contacto
from recordar.cartera.columnas import _Columnas
from recordar.cartera.valores import como_texto


class _Contactos:
    """Los métodos de _Lector que reúnen el contacto de cada deudor."""

    def _contacto(self, deudor: str, cartera: Cartera) -> Contacto:
        contacto = cartera.contactos.get(deudor)
        if contacto is None:
            contacto = cartera.contactos[deudor] = Contacto()
        return contacto

    def _unir_contactos(
        self, k: int, n: int, campo: str, lista: list[str], encontrados: tuple, cartera: Cartera
    ) -> None:
        """Suma a `lista` (correos o teléfonos del contacto) los válidos de la fila k; cada
        uno que no vale es un aviso."""
        validos, malos = encontrados
        _unir(lista, validos)
        for malo in malos:
            motivo = (
                f"«{malo}» no es un correo válido"
                if campo == "correo"
                else f"«{malo}» no es un teléfono válido para la región {self.region}"
            )
            self._rechazo(cartera, n, campo, self.celdas[campo][k], motivo, aviso=True)

    def _contacto_opcional(
        self, k: int, n: int, contacto: Contacto, c: _Columnas, cartera: Cartera
    ) -> None:
        """No contactar, zona horaria y canal de la fila k, si la hoja tiene esas columnas."""
        if self._marca(k, n, "no_contactar", c.no_contactar, cartera):
            contacto.no_contactar = True
        zona = c.zonas[k] if c.zonas is not None else ""
        if zona and not contacto.zona_horaria:
            if _zona_valida(zona):
                contacto.zona_horaria = zona
            else:
                self._rechazo(cartera, n, "zona_horaria", zona,
                              f"«{zona}» no es una zona horaria (p. ej. America/Bogota)",
                              aviso=True)  # fmt: skip
        canal = c.canales[k] if c.canales is not None else None
        if canal is not None and not contacto.canal:
            if canal:
                contacto.canal = canal
            else:
                valor = self.celdas["canal"][k]
                self._rechazo(cartera, n, "canal", valor,
                              f"«{como_texto(valor)}» no es un canal; usa email, sms o whatsapp",
                              aviso=True)  # fmt: skip


def _unir(destino: list[str], nuevos: tuple[str, ...]) -> None:
    """Suma a `destino` los que no están; un correo que solo cambia en mayúsculas
    («Pagos@x.mx» y «pagos@x.mx») es el mismo buzón: se queda el primero."""
    for x in nuevos:
        if x in destino:
            continue
        if destino and "@" in x:
            bajo = x.casefold()
            if any(d.casefold() == bajo for d in destino):
                continue
        destino.append(x)


def _zona_valida(zona: str) -> bool:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(zona)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True
