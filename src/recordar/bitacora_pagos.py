"""Pagos que la bitácora deduce de una hoja a la siguiente, y cómo deshacer los deducidos
solo porque la factura desapareció."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from recordar.cartera.carga import Factura

# Desaparecen a la vez más de este número de facturas abiertas y más de esta parte de ellas:
# no es un día de cobros, es otra hoja (filtrada, de otra sucursal, la equivocada).
MAX_DESAPARECIDAS = 5
PARTE_DESAPARECIDAS = 0.2


def demasiadas_desaparecidas(desaparecidas: int, previas: int) -> bool:
    return desaparecidas > MAX_DESAPARECIDAS and desaparecidas > PARTE_DESAPARECIDAS * previas


@dataclass(slots=True)
class Pagos:
    """Lo que detectar_pagos vio: los pagos registrados y si se retuvieron los deducidos."""

    detectados: list[dict] = field(default_factory=list)
    previas: int = 0  # facturas abiertas en la hoja anterior
    desaparecidas: int = 0  # de ellas, las que ya no están (sin constar pagadas en la hoja)
    retenidos: bool = False  # demasiadas desaparecidas: no se registró ninguna como pagada


class PagosDeLaBitacora:
    """Lo de los pagos de `Bitacora` (usa su conexión y sus transacciones)."""

    def detectar_pagos(
        self,
        abiertas: list[Factura],
        cerradas: set[str],
        hoy: date,
        dudosas: set[str] = frozenset(),
        confirmar: bool = False,
        anotar_abiertas: bool = True,
    ) -> Pagos:
        """Facturas que estaban abiertas en la hoja anterior y ahora están pagadas o ya no están.

        Registra cada pago (fecha, días de atraso, qué aviso lo precedió) y recuerda las abiertas.
        Que una factura desaparezca no prueba que se pagó: si desaparecen demasiadas a la vez
        (ver `demasiadas_desaparecidas`) no se registra ninguna sin `confirmar`.
        """
        hoy_txt = hoy.isoformat()
        numeros_abiertos = {f.numero for f in abiertas}
        pagos = Pagos()
        with self._transaccion():
            vistas = self._con.execute(
                "SELECT numero, deudor, cliente, monto, vencimiento, primera_vez FROM facturas_vistas"
            ).fetchall()
            cerradas_ya = [
                v for v in vistas if v[0] not in numeros_abiertos and v[0] not in dudosas
            ]
            pagos.previas = len(vistas)
            pagos.desaparecidas = sum(1 for v in cerradas_ya if v[0] not in cerradas)
            pagos.retenidos = not confirmar and demasiadas_desaparecidas(
                pagos.desaparecidas, len(vistas)
            )
            for numero, deudor, cliente, monto, vencimiento, primera_vez in cerradas_ya:
                desaparecida = numero not in cerradas
                if desaparecida and pagos.retenidos:
                    continue
                venc = date.fromisoformat(vencimiento)
                aviso = self._ultimo_aviso(numero)
                tras = (hoy - date.fromisoformat(aviso[1])).days if aviso else None
                self._con.execute(
                    "INSERT OR IGNORE INTO pagos (numero, deudor, cliente, monto, vencimiento, fecha, "
                    "dias_tarde, ultimo_aviso, fecha_ultimo_aviso, dias_tras_aviso, por_desaparicion, "
                    "primera_vez) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (numero, deudor, cliente, monto, vencimiento, hoy_txt, max((hoy - venc).days, 0),
                     aviso[0] if aviso else None, aviso[1] if aviso else None, tras,
                     int(desaparecida), primera_vez),
                )  # fmt: skip
                self._con.execute("DELETE FROM facturas_vistas WHERE numero = ?", (numero,))
                pagos.detectados.append({"factura": numero, "cliente": cliente,
                                         "dias_tarde": max((hoy - venc).days, 0),
                                         "ultimo_aviso": aviso[0] if aviso else None,
                                         "pagada_en_hoja": not desaparecida})  # fmt: skip
            if not anotar_abiertas:  # simulacro: la copia se tira, no hace falta recordarlas
                return pagos
            self._anotar_saldos(abiertas, hoy_txt)
            self._con.executemany(
                "INSERT INTO facturas_vistas (numero, deudor, cliente, monto, vencimiento, primera_vez, "
                "ultima_vez) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(numero) DO UPDATE SET "
                "monto = excluded.monto, vencimiento = excluded.vencimiento, ultima_vez = excluded.ultima_vez",
                [(f.numero, f.deudor, f.cliente, str(f.monto), f.vencimiento.isoformat(), hoy_txt, hoy_txt)
                 for f in abiertas],
            )  # fmt: skip
        return pagos

    def _anotar_saldos(self, abiertas: list[Factura], hoy_txt: str) -> None:
        """El saldo de las facturas nuevas o que cambiaron desde su última anotación (un abono,
        otro vencimiento, una promesa, una disputa) y la fecha de esta ejecución: de ahí
        `recordar resultados` reconstruye lo cobrado y el saldo vencido de cada día. Se compara
        con la última anotación de las que seguían abiertas (facturas_vistas, sin las pagadas)."""
        antes = {
            fila[0]: fila[1:]
            for fila in self._con.execute(
                "SELECT s.numero, s.monto, s.vencimiento, s.moneda, s.promesa, s.disputa "
                "FROM facturas_vistas v JOIN saldos s ON s.numero = v.numero AND s.fecha = "
                "(SELECT MAX(fecha) FROM saldos WHERE numero = v.numero)"
            )
        }
        cambios = []
        for f in abiertas:
            promesa = f.promesa_pago.isoformat() if f.promesa_pago else None
            estado = (str(f.monto), f.vencimiento.isoformat(), f.moneda, promesa, int(f.disputa))
            if antes.get(f.numero) != estado:
                cambios.append((f.numero, hoy_txt, f.deudor, f.cliente, *estado))
        self._con.executemany(
            "INSERT OR REPLACE INTO saldos (numero, fecha, deudor, cliente, monto, vencimiento, "
            "moneda, promesa, disputa) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            cambios,
        )
        self._con.execute(
            "INSERT OR REPLACE INTO ejecuciones (fecha, abiertas, creado) VALUES (?, ?, ?)",
            (hoy_txt, len(abiertas), datetime.now().astimezone().isoformat(timespec="seconds")),
        )

    def pagos_por_desaparicion(self) -> list[tuple[str, str, str, str]]:
        """(fecha, factura, cliente, monto) de los pagos deducidos porque la factura ya no estaba."""
        if self._con is None:
            return []
        with self._leyendo():
            return self._con.execute(
                "SELECT fecha, numero, cliente, monto FROM pagos WHERE por_desaparicion = 1 "
                "ORDER BY fecha, numero"
            ).fetchall()

    def deshacer_pagos(self, fecha: date) -> list[str]:
        """Vuelve a abrir las facturas que se dieron por pagadas ese día porque desaparecieron."""
        with self._transaccion():
            filas = self._con.execute(
                "SELECT numero, deudor, cliente, monto, vencimiento, primera_vez FROM pagos "
                "WHERE fecha = ? AND por_desaparicion = 1 ORDER BY numero",
                (fecha.isoformat(),),
            ).fetchall()
            self._con.executemany(
                "INSERT OR IGNORE INTO facturas_vistas (numero, deudor, cliente, monto, vencimiento, "
                "primera_vez, ultima_vez) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    (n, d, c, m, v, p or fecha.isoformat(), fecha.isoformat())
                    for n, d, c, m, v, p in filas
                ],
            )
            self._con.execute(
                "DELETE FROM pagos WHERE fecha = ? AND por_desaparicion = 1", (fecha.isoformat(),)
            )
        return [fila[0] for fila in filas]

    def _ultimo_aviso(self, numero: str) -> tuple[str, str] | None:
        fila = self._con.execute(
            "SELECT e.paso, e.fecha_plan FROM envios e JOIN envio_facturas ef ON ef.envio_id = e.id "
            "WHERE ef.factura = ? AND e.estado = 'enviado' ORDER BY e.fecha_plan DESC, e.id DESC LIMIT 1",
            (numero,),
        ).fetchone()
        return (fila[0], fila[1]) if fila else None
