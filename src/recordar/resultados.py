"""`recordar resultados` como biblioteca: lo que consiguió la cobranza, leído de la bitácora (no
de la hoja) con pandas sobre consultas SQL.

Cada cifra sale de lo que la bitácora guarda de los envíos reales: los envíos (`envios`,
`envio_facturas`), los pagos detectados de una hoja a la siguiente (`pagos`), el saldo de cada
factura cada vez que cambió (`saldos`: primera vez vista, abonos, promesas, disputas), las fechas
de las ejecuciones y las bajas. Una bitácora anterior a `saldos` se lee igual: sus facturas se
siembran con el saldo conocido en su primera fecha (sin los abonos de antes).

Las fechas de pago son las de la ejecución que lo notó (la factura ya no estaba abierta en la
hoja). pandas se importa aquí dentro, solo cuando se calcula.

Cada cifra es de una sola moneda (nunca se suman pesos con dólares): la de `--moneda` o la de la
política. La moneda de una factura es la última que se le anotó en `saldos`; sin ninguna (una
bitácora anterior a la moneda en `saldos`, un pago sin saldos), la de la política. Los avisos y
los envíos fallidos, por la moneda de su mensaje. Las facturas de otras monedas se cuentan para
decirlo en una nota.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from recordar.errores import ErrorBitacora, RecordarError

VENTANAS = (7, 15, 30)  # días tras un aviso en los que se mira si la factura se pagó
DIAS_POR_OMISION = 90


@dataclass(slots=True)
class Resultados:
    """Las cifras de un período; importes en Decimal, porcentajes y días con un decimal."""

    bitacora: str
    desde: date
    hasta: date
    cliente: str | None
    moneda: str = "MXN"  # la de todos los importes y de las facturas que se cuentan
    otras_monedas: dict[str, int] = field(default_factory=dict)  # moneda → facturas no contadas
    ejecuciones: int = 0  # envíos reales del período con fecha anotada (de todas las monedas)
    recuperado: dict[str, Any] = field(default_factory=dict)
    velocidad: dict[str, Any] = field(default_factory=dict)
    por_mes: list[dict[str, Any]] = field(default_factory=list)
    por_paso: list[dict[str, Any]] = field(default_factory=list)
    por_canal: list[dict[str, Any]] = field(default_factory=list)
    promesas: dict[str, Any] = field(default_factory=dict)
    disputas: dict[str, Any] = field(default_factory=dict)
    bajas: dict[str, Any] = field(default_factory=dict)
    vencido_al_final: dict[str, Any] = field(default_factory=dict)

    def a_dict(self) -> dict[str, Any]:
        """Para JSON: fechas AAAA-MM-DD, importes como números con dos decimales."""
        return _plano(
            {
                "bitacora": self.bitacora,
                "desde": self.desde,
                "hasta": self.hasta,
                "cliente": self.cliente,
                "moneda": self.moneda,
                "otras_monedas": self.otras_monedas,
                "nota": nota_monedas(self),
                "ejecuciones": self.ejecuciones,
                "recuperado": self.recuperado,
                "velocidad": self.velocidad,
                "por_mes": self.por_mes,
                "por_paso": self.por_paso,
                "por_canal": self.por_canal,
                "promesas": self.promesas,
                "disputas": self.disputas,
                "bajas": self.bajas,
                "vencido_al_final": self.vencido_al_final,
            }
        )


def nota_monedas(r: Resultados) -> str | None:
    """Una frase si el período tiene facturas en otras monedas, que no entran en ninguna cifra."""
    if not r.otras_monedas:
        return None
    orden = sorted(r.otras_monedas.items(), key=lambda x: (-x[1], x[0]))
    partes = [f"{n} {'factura' if n == 1 else 'facturas'} en {m}" if i == 0 else f"{n} en {m}"
              for i, (m, n) in enumerate(orden)]  # fmt: skip
    cuantas = _enumerar(partes)
    verbo = "cuenta" if sum(r.otras_monedas.values()) == 1 else "cuentan"
    usa = " o ".join(f"--moneda {m}" for m, _ in orden)
    return f"hay {cuantas} que no se {verbo} aquí; usa {usa}"


def _enumerar(partes: list[str]) -> str:
    """«a», «a y b», «a, b y c»."""
    return partes[0] if len(partes) == 1 else f"{', '.join(partes[:-1])} y {partes[-1]}"


def _plano(valor: Any) -> Any:
    if isinstance(valor, dict):
        return {k: _plano(v) for k, v in valor.items()}
    if isinstance(valor, list):
        return [_plano(v) for v in valor]
    if isinstance(valor, Decimal):
        return float(valor)
    if isinstance(valor, date):
        return valor.isoformat()
    return valor


def periodo(desde: date | None, hasta: date | None) -> tuple[date, date]:
    """(desde, hasta): por omisión, los últimos 90 días hasta hoy (los dos incluidos)."""
    hasta = hasta or date.today()
    desde = desde or hasta - timedelta(days=DIAS_POR_OMISION - 1)
    if desde > hasta:
        raise RecordarError(
            f"--desde {desde.isoformat()} es posterior a --hasta {hasta.isoformat()}; "
            "indica un período que empiece antes de terminar"
        )
    return desde, hasta


def calcular_resultados(
    ruta: str | Path, desde: date | None = None, hasta: date | None = None,
    cliente: str | None = None, moneda: str | None = None, moneda_politica: str = "MXN",
) -> Resultados:  # fmt: skip
    """Las cifras de la bitácora en `ruta` entre `desde` y `hasta` (incluidos), de un cliente
    (coincidencia parcial, sin distinguir mayúsculas) o de todos, en `moneda` (por omisión la de
    la política, que es también la de las facturas anotadas sin moneda)."""
    from recordar.bitacora import Bitacora

    desde, hasta = periodo(desde, hasta)
    ruta = Path(ruta)
    monedas = _Monedas(moneda_politica.strip().upper(), (moneda or moneda_politica).strip().upper(),
                       explicita=moneda is not None)  # fmt: skip
    with Bitacora.abrir_lectura(ruta) as b:
        if not b.existe:
            raise ErrorBitacora(
                f"{ruta}: la bitácora no existe; los resultados se miden con lo que anotan los "
                "envíos reales (recordar enviar sin --simulacro) o indica otra con --bitacora"
            )
        datos = _Datos.leer(b, desde, hasta, cliente, monedas, ruta)
    r = _Calculo(datos, desde, hasta).resultados(str(ruta), cliente)
    r.moneda, r.otras_monedas = monedas.elegida, datos.otras_monedas
    return r


@dataclass(slots=True)
class _Monedas:
    politica: str  # la de las facturas anotadas sin moneda
    elegida: str  # la de todas las cifras
    explicita: bool  # la pidió --moneda: si la bitácora no la tiene, es un error

    def revisar(self, b, presentes: set[str], ruta: Path) -> None:
        """Una --moneda que la bitácora no tiene (ni en el período ni antes) es un error: lo
        más probable es un código mal escrito, y sus cifras serían todas cero."""
        if not self.explicita or self.elegida in presentes | {self.politica}:
            return
        todas = {m or self.politica for (m,) in b.leer("SELECT DISTINCT moneda FROM saldos")[1]}
        if self.elegida in todas:
            return
        lista = sorted(todas | presentes | {self.politica})
        raise RecordarError(
            f"--moneda {self.elegida}: la bitácora {ruta} no tiene facturas en {self.elegida}; "
            f"sus monedas son {_enumerar(lista)}, usa una de ellas"
        )


# Fechas como número de día (días desde 1970-01-01): SQLite las convierte sin crear un texto por
# fila y las cuentas de días son restas de enteros.
_DIA = "CAST(julianday({}) - 2440587.5 AS INTEGER)"


def _dia(fecha: date) -> int:
    return (fecha - date(1970, 1, 1)).days


def _fecha(dia: int) -> date:
    return date(1970, 1, 1) + timedelta(days=int(dia))


class _Datos:
    """Las tablas de la bitácora en DataFrames, del cliente: los pagos y los saldos hasta
    `hasta` (para reconstruir el saldo de cada fecha), los envíos solo los del período."""

    @classmethod
    def leer(cls, b, desde: date, hasta: date, cliente: str | None, monedas: _Monedas,
             ruta: Path) -> _Datos:  # fmt: skip
        import pandas as pd

        inicio, tope = desde.isoformat(), hasta.isoformat()
        quien = ", cliente, deudor" if cliente else ""

        def tabla(sql: str, parametros: tuple = ()) -> pd.DataFrame:
            columnas, filas = b.leer(sql, parametros)
            return pd.DataFrame.from_records(filas, columns=columnas)

        d = cls()
        # Los pagos del período; los saldos con la fecha del pago de su factura (si la hubo hasta
        # `hasta`), en orden de factura y fecha.
        d.pagos = tabla(
            f"SELECT {_DIA.format('fecha')} AS fecha, CAST(monto AS REAL) AS monto, dias_tarde, "
            f"dias_tras_aviso, numero{quien} FROM pagos WHERE fecha BETWEEN ? AND ?",
            (inicio, tope),
        )
        d.saldos = tabla(
            f"SELECT {_DIA.format('s.fecha')} AS fecha, {_DIA.format('s.vencimiento')} AS "
            f"vencimiento, CAST(s.monto AS REAL) AS monto, {_DIA.format('s.promesa')} AS promesa, "
            f"s.disputa, {_DIA.format('p.fecha')} AS pago, s.numero, s.moneda"
            f"{quien.replace(', ', ', s.')} FROM saldos s "
            "LEFT JOIN pagos p ON p.numero = s.numero AND p.fecha <= ? "
            # Sin las facturas pagadas antes del período (salvo lo anotado después del pago, una
            # factura reabierta, y las promesas que vencen en él): no cuentan en nada.
            "WHERE s.fecha <= ? AND (p.fecha IS NULL OR p.fecha >= ? OR s.fecha >= p.fecha "
            "OR s.promesa >= ?) ORDER BY s.numero, s.fecha",
            (tope, tope, inicio, inicio),
        )
        # Un pago sin ningún saldo anotado (bitácora anterior): abierto desde su primera fecha.
        d.sembradas = tabla(
            f"SELECT {_DIA.format('COALESCE(primera_vez, fecha)')} AS fecha, "
            f"{_DIA.format('vencimiento')} AS vencimiento, CAST(monto AS REAL) AS monto, "
            f"NULL AS promesa, 0 AS disputa, {_DIA.format('fecha')} AS pago, numero, "
            f"NULL AS moneda{quien} "
            "FROM pagos WHERE fecha <= ? AND numero NOT IN (SELECT numero FROM saldos)",
            (tope,),
        )
        if cliente:
            for nombre in ("pagos", "saldos", "sembradas"):
                setattr(d, nombre, _del_cliente(getattr(d, nombre), cliente))
        d.preparar(monedas, lambda numeros: _monedas_de_envios(b, numeros))
        monedas.revisar(b, d.presentes, ruta)
        d.problemas = tabla(
            f"SELECT canal, estado{quien} FROM envios WHERE estado IN ('fallido', 'incierto', "
            "'enviando') AND fecha_plan BETWEEN ? AND ? AND COALESCE(moneda, ?) = ?",
            (inicio, tope, monedas.politica, monedas.elegida),
        )
        d.ejecuciones = [
            f for (f,) in b.leer(
                f"SELECT {_DIA.format('fecha')} FROM ejecuciones WHERE fecha <= ? ORDER BY fecha",
                (tope,),
            )[1]
        ]  # fmt: skip
        d.bajas = tabla(
            "SELECT contacto, canal FROM bajas WHERE substr(creado, 1, 10) BETWEEN ? AND ?",
            (inicio, tope),
        )
        d.destinatarios = None
        if cliente:
            d.problemas = _del_cliente(d.problemas, cliente)
            d.destinatarios = _del_cliente(
                tabla("SELECT DISTINCT destinatario, cliente, deudor FROM envios"), cliente
            )
        deudores = None if d.destinatarios is None else sorted(set(d.destinatarios["deudor"]))
        d.avisos = _avisos(b, inicio, tope, deudores, monedas)
        return d

    def preparar(self, monedas: _Monedas, de_envios) -> None:
        """Importes en centavos enteros (sumas exactas); cada factura de los saldos con un código
        entero (sus filas seguidas, en orden de fecha); solo las facturas de la moneda elegida
        (las demás, contadas por moneda en `otras_monedas`)."""
        import numpy as np
        import pandas as pd

        s = self.saldos
        if len(self.sembradas):
            s = pd.concat([s, self.sembradas], ignore_index=True) if len(s) else self.sembradas
        for tabla in (self.pagos, s):
            tabla["centavos"] = (
                (tabla["monto"].astype(float).fillna(0) * 100).round().astype("int64")
            )
        # Las filas de cada factura van seguidas: su código cambia donde cambia el número.
        numero = s["numero"].to_numpy()
        s["codigo"] = np.cumsum(np.append(True, numero[1:] != numero[:-1])) if len(s) else 0
        s["disputa"] = s["disputa"].fillna(0).astype(int)
        s["pago"] = s["pago"].astype(float)
        # Una moneda por factura, la última anotada (GroupBy.last salta los NULL): una factura no
        # cambia de cifras a mitad de su historia. Sin ninguna (sembrada de una bitácora
        # anterior y pagada antes de que se anotara su moneda), la de sus mensajes; si no tuvo,
        # la de la política.
        if len(s):
            moneda = s["moneda"].groupby(s["codigo"]).transform("last")
            sin = moneda.isna().to_numpy()
            if sin.any():
                numeros = s["numero"].to_numpy()
                moneda = moneda.fillna(s["numero"].map(de_envios(sorted(set(numeros[sin])))))
            s["moneda"] = moneda.fillna(monedas.politica)
        factura = s.drop_duplicates("codigo", keep="last")
        por_moneda = factura["moneda"].value_counts()
        self.presentes = set(por_moneda.index)
        self.otras_monedas = {
            str(m): int(n) for m, n in sorted(por_moneda.items()) if m != monedas.elegida
        }
        if self.otras_monedas:
            s = s[s["moneda"].to_numpy() == monedas.elegida].reset_index(drop=True)
            p = self.pagos
            moneda_pago = p["numero"].map(factura.set_index("numero")["moneda"])
            self.pagos = p[moneda_pago.fillna(monedas.politica).to_numpy() == monedas.elegida]
            self.pagos = self.pagos.reset_index(drop=True)
        self.saldos = s


def _monedas_de_envios(b, numeros: list[str]) -> dict[str, str]:
    """factura → moneda de su último mensaje, para las facturas sin moneda en `saldos`."""
    import json

    filas = b.leer(
        "SELECT ef.factura, e.moneda FROM envio_facturas ef JOIN envios e ON e.id = ef.envio_id "
        "WHERE ef.factura IN (SELECT value FROM json_each(?)) AND e.moneda IS NOT NULL "
        "ORDER BY e.id",
        (json.dumps(numeros, ensure_ascii=False),),
    )[1]
    return dict(filas)


def _avisos(b, inicio: str, tope: str, deudores: list[str] | None, monedas: _Monedas
            ) -> dict[str, dict]:  # fmt: skip
    """Lo enviado en el período, ya contado en SQLite (un año son cientos de miles de avisos):
    por paso y por canal, cuántas facturas avisadas se pagaron a cuántos días del aviso (None: no
    constan pagadas hasta `tope`), y cuántos mensajes salieron.

    Por paso, una factura cuenta una vez por ocurrencia y día (el correo y el SMS del mismo
    recordatorio son un aviso); por canal, una vez por mensaje. «seguimiento#2» y
    «promesa_incumplida@2026-03-20» cuentan en su paso. Solo los mensajes de la moneda elegida
    (cada mensaje es de una moneda)."""
    import json

    filtro, extra = " AND COALESCE(e.moneda, ?) = ?", (monedas.politica, monedas.elegida)
    if deudores is not None:
        filtro += " AND e.deudor IN (SELECT value FROM json_each(?))"
        extra += (json.dumps(deudores),)
    desde = (
        "FROM envios e JOIN envio_facturas ef ON ef.envio_id = e.id "
        "LEFT JOIN pagos p ON p.numero = ef.factura AND p.fecha <= ? "
        f"WHERE e.estado = 'enviado' AND e.fecha_plan BETWEEN ? AND ?{filtro}"
    )
    parametros = (tope, inicio, tope, *extra)
    dias = "CAST(julianday(p.fecha) - julianday(e.fecha_plan) AS INTEGER)"
    pasos: dict[str, tuple[dict, float]] = {}
    for paso, d, n, atraso in b.leer(
        f"SELECT paso, dias, COUNT(*), SUM(atraso) FROM (SELECT e.paso AS paso, {dias} AS dias, "
        f"AVG(e.dias_vencido) AS atraso {desde} GROUP BY e.paso, ef.factura, e.fecha_plan) "
        "GROUP BY paso, dias",
        parametros,
    )[1]:
        cuentas, suma = pasos.setdefault(_paso_base(paso), ({}, 0.0))
        cuentas[d] = cuentas.get(d, 0) + n
        pasos[_paso_base(paso)] = (cuentas, suma + (atraso or 0))
    canales: dict[str, tuple[dict, float]] = {}
    for canal, d, n in b.leer(
        f"SELECT e.canal, {dias} AS dias, COUNT(*) {desde} GROUP BY e.canal, dias", parametros
    )[1]:
        canales.setdefault(canal, ({}, 0.0))[0][d] = n
    mensajes_paso: dict[str, int] = {}
    mensajes_canal: dict[str, int] = {}
    for paso, canal, n in b.leer(
        "SELECT paso, canal, COUNT(*) FROM envios e WHERE e.estado = 'enviado' AND "
        f"e.fecha_plan BETWEEN ? AND ?{filtro} GROUP BY paso, canal",
        (inicio, tope, *extra),
    )[1]:
        base = _paso_base(paso)
        mensajes_paso[base] = mensajes_paso.get(base, 0) + n
        mensajes_canal[canal] = mensajes_canal.get(canal, 0) + n
    return {"pasos": pasos, "canales": canales, "mensajes_paso": mensajes_paso,
            "mensajes_canal": mensajes_canal}  # fmt: skip


def _paso_base(paso: str) -> str:
    return re.split("[#@]", paso, maxsplit=1)[0]


def _unidades(cuentas: dict) -> int:
    return sum(cuentas.values())


def _mediana(valores: list[tuple[int, int]]) -> float | None:
    """La mediana de (valor, cuántas veces), ordenados por valor."""
    total = sum(n for _, n in valores)
    if not total:
        return None
    centro, acumulado, encontrados = ((total - 1) // 2, total // 2), 0, []
    for valor, n in valores:
        for posicion in centro:
            if acumulado <= posicion < acumulado + n:
                encontrados.append(valor)
        acumulado += n
    return _redondear(sum(encontrados) / 2)


def _del_cliente(tabla, cliente: str):
    texto = cliente.casefold()
    if not len(tabla):
        return tabla
    coincide = tabla["cliente"].str.casefold().str.contains(texto, regex=False) | tabla[
        "deudor"
    ].str.casefold().str.contains(texto, regex=False)
    return tabla[coincide].reset_index(drop=True)


def _dinero(centavos) -> Decimal:
    return Decimal(int(centavos)).scaleb(-2)


def _redondear(valor) -> float | None:
    import math

    if valor is None or (isinstance(valor, float) and math.isnan(valor)):
        return None
    return round(float(valor), 1)


def _porcentaje(parte, total) -> float | None:
    return round(100 * float(parte) / float(total), 1) if total else None


class _Calculo:
    def __init__(self, datos: _Datos, desde: date, hasta: date) -> None:
        self.d = datos
        self.desde, self.hasta = _dia(desde), _dia(hasta)
        self.fechas = (desde, hasta)

    def _en_periodo(self, serie):
        return (serie >= self.desde) & (serie <= self.hasta)

    def resultados(self, ruta: str, cliente: str | None) -> Resultados:
        r = Resultados(ruta, *self.fechas, cliente)
        r.ejecuciones = sum(1 for f in self.d.ejecuciones if self.desde <= f <= self.hasta)
        pagos, abonos = self._pagos_y_abonos()
        r.vencido_al_final = self._vencido_en(self.hasta)
        r.recuperado = self._recuperado(pagos, abonos, r.vencido_al_final)
        r.velocidad = self._velocidad(pagos)
        r.por_mes = self._por_mes(pagos, abonos)
        a = self.d.avisos
        r.por_paso = self._efectividad(a["pasos"], a["mensajes_paso"], "paso")
        r.por_canal = self._efectividad(a["canales"], a["mensajes_canal"], "canal", por_uso=True)
        self._problemas_por_canal(r.por_canal)
        r.promesas = self._promesas()
        r.disputas = self._disputas()
        r.bajas = self._bajas()
        return r

    # --- lo cobrado -------------------------------------------------------------------------

    def _pagos_y_abonos(self):
        """Los pagos completos del período y los abonos (un saldo que baja de una anotación a
        la siguiente), cada uno con su fecha, importe en centavos y si la factura ya vencía."""
        p = self.d.pagos
        pagos = p[self._en_periodo(p["fecha"])] if len(p) else p
        s = self.d.saldos
        misma = s["codigo"].eq(s["codigo"].shift())
        baja = (s["centavos"].shift() - s["centavos"]).where(misma)
        abonos = s.assign(abono=baja)[(baja > 0) & self._en_periodo(s["fecha"])]
        return pagos, abonos

    def _recuperado(self, pagos, abonos, final: dict) -> dict[str, Any]:
        total = int(pagos["centavos"].sum()) + int(abonos["abono"].sum())
        vencido = int(pagos.loc[pagos["dias_tarde"] > 0, "centavos"].sum()) + int(
            abonos.loc[abonos["fecha"] > abonos["vencimiento"], "abono"].sum()
        )
        pendiente = int(final["monto"] * 100)
        return {
            "monto": _dinero(total),
            "facturas": len(pagos),
            "abonos": len(abonos),
            "monto_abonos": _dinero(abonos["abono"].sum()),
            "monto_vencido": _dinero(vencido),
            # De lo que estuvo vencido en el período (lo cobrado + lo que sigue vencido), lo cobrado.
            "porcentaje_vencido": _porcentaje(vencido, vencido + pendiente),
        }

    def _velocidad(self, pagos) -> dict[str, Any]:
        tarde = pagos["dias_tarde"].astype(float)
        tras = pagos["dias_tras_aviso"].dropna().astype(float)
        return {
            "pagos": len(pagos),
            "dias_tarde_mediana": _redondear(tarde.median()) if len(tarde) else None,
            "dias_tarde_media": _redondear(tarde.mean()) if len(tarde) else None,
            "dias_tarde_p90": _redondear(tarde.quantile(0.9)) if len(tarde) else None,
            "pagos_tras_aviso": len(tras),
            "dias_tras_aviso_mediana": _redondear(tras.median()) if len(tras) else None,
            "dias_tras_aviso_media": _redondear(tras.mean()) if len(tras) else None,
        }

    def _meses(self) -> list[tuple[str, int, int]]:
        """(AAAA-MM, primer día, último día) de cada mes del período, recortados a él."""
        meses, dia = [], self.fechas[0]
        while dia <= self.fechas[1]:
            siguiente = (dia.replace(day=1) + timedelta(days=32)).replace(day=1)
            ultimo = min(siguiente - timedelta(days=1), self.fechas[1])
            meses.append((dia.strftime("%Y-%m"), _dia(dia), _dia(ultimo)))
            dia = siguiente
        return meses

    def _por_mes(self, pagos, abonos) -> list[dict[str, Any]]:
        filas = []
        for mes, primero, ultimo in self._meses():
            en_mes_p = pagos["fecha"].between(primero, ultimo)
            en_mes_a = abonos["fecha"].between(primero, ultimo)
            vencido = self._vencido_en(ultimo)
            recuperado = pagos.loc[en_mes_p, "centavos"].sum() + abonos.loc[en_mes_a, "abono"].sum()
            filas.append({
                "mes": mes,
                "recuperado": _dinero(recuperado),
                "facturas": int(en_mes_p.sum()),
                "abonos": int(en_mes_a.sum()),
                "corte": _fecha(ultimo),
                "saldo_vencido": vencido["monto"],
                "facturas_vencidas": vencido["facturas"],
                "dias_atraso_promedio": vencido["dias_promedio"],
            })  # fmt: skip
        return filas

    def _vencido_en(self, corte: int) -> dict[str, Any]:
        """El saldo vencido reconstruido a una fecha: cada factura con su última anotación hasta
        ese día, abierta si no se pagó entre esa anotación y el corte."""
        import numpy as np

        s = self.d.saldos
        fecha = s["fecha"].to_numpy()
        filas = np.flatnonzero(fecha <= corte)
        codigo = s["codigo"].to_numpy()[filas]
        # En orden de factura y fecha: la última anotación de cada una es la que cambia de código.
        ultima = filas[np.append(codigo[1:] != codigo[:-1], True)] if len(filas) else filas
        pago = s["pago"].to_numpy()[ultima]
        abierta = np.isnan(pago) | (pago > corte) | (pago <= fecha[ultima])
        vencimiento = s["vencimiento"].to_numpy()[ultima]
        vencidas = abierta & (vencimiento < corte)
        dias = corte - vencimiento[vencidas]
        return {
            "corte": _fecha(corte),
            "monto": _dinero(s["centavos"].to_numpy()[ultima][vencidas].sum()),
            "facturas": int(vencidas.sum()),
            "dias_promedio": _redondear(dias.mean()) if len(dias) else None,
        }

    # --- efectividad de los avisos ------------------------------------------------------------

    def _efectividad(self, histogramas: dict, mensajes: dict, nombre: str, por_uso: bool = False
                     ) -> list[dict[str, Any]]:  # fmt: skip
        """Por paso o por canal: mensajes enviados en el período, facturas avisadas y qué parte
        se pagó a los 7, 15 y 30 días de ese aviso, de los histogramas de `_avisos`. Los pasos en
        orden de escalada (atraso medio al avisar), los canales del más usado al menos."""
        if por_uso:
            orden = sorted(histogramas, key=lambda v: (-mensajes.get(v, 0), v))
        else:
            orden = sorted(
                histogramas,
                key=lambda v: (histogramas[v][1] / max(_unidades(histogramas[v][0]), 1), v),
            )
        filas = []
        for valor in orden:
            cuentas = histogramas[valor][0]
            unidades = _unidades(cuentas)
            pagadas = sorted((d, n) for d, n in cuentas.items() if d is not None and d >= 0)
            fila = {
                nombre: valor,
                "mensajes": mensajes.get(valor, 0),
                "facturas": unidades,
                "pagadas": sum(n for _, n in pagadas),
            }
            for ventana in VENTANAS:
                dentro = sum(n for d, n in pagadas if d <= ventana)
                fila[f"pagadas_{ventana}"] = _porcentaje(dentro, unidades)
            fila["mediana_dias"] = _mediana(pagadas)
            filas.append(fila)
        return filas

    def _problemas_por_canal(self, por_canal: list[dict[str, Any]]) -> None:
        """Los fallidos e inciertos de cada canal (un canal con solo fallos también sale)."""
        p = self.d.problemas
        cuentas = p.groupby(["canal", "estado"]).size().to_dict() if len(p) else {}
        filas = {f["canal"]: f for f in por_canal}
        for canal in sorted({c for c, _ in cuentas} - set(filas)):
            fila = {"canal": canal, "mensajes": 0, "facturas": 0, "pagadas": 0}
            fila.update({f"pagadas_{n}": None for n in VENTANAS}, mediana_dias=None)
            por_canal.append(fila)
        for fila in por_canal:
            canal = fila["canal"]
            fila["fallidos"] = int(cuentas.get((canal, "fallido"), 0))
            fila["inciertos"] = int(
                cuentas.get((canal, "incierto"), 0) + cuentas.get((canal, "enviando"), 0)
            )

    # --- promesas, disputas, bajas -------------------------------------------------------------

    def _promesas(self) -> dict[str, Any]:
        """Cada promesa (factura, fecha prometida) que vence en el período: cumplida si la
        factura se pagó a más tardar en la primera ejecución posterior a esa fecha; incumplida si
        esa ejecución aún la vio abierta (como la ve la planificación); vigente si no la hubo."""
        import bisect
        import math

        s = self.d.saldos
        cuentas = {"cumplidas": 0, "incumplidas": 0, "vigentes": 0}
        montos = dict.fromkeys(cuentas, 0)
        con = s[s["promesa"].notna()].drop_duplicates(["codigo", "promesa"])
        con = con[self._en_periodo(con["promesa"])]
        ejecuciones = self.d.ejecuciones
        for fila in con.itertuples(index=False):
            i = bisect.bisect_right(ejecuciones, fila.promesa)
            siguiente = ejecuciones[i] if i < len(ejecuciones) else None
            pagada = not math.isnan(fila.pago) and fila.pago > fila.fecha
            if pagada and (siguiente is None or fila.pago <= siguiente):
                estado = "cumplidas"
            elif siguiente is not None:
                estado = "incumplidas"
            else:
                estado = "vigentes"
            cuentas[estado] += 1
            montos[estado] += int(fila.centavos)
        return {**cuentas, **{f"monto_{k}": _dinero(v) for k, v in montos.items()}}

    def _disputas(self) -> dict[str, Any]:
        """Facturas en disputa en algún momento del período (y las que entraron en él)."""
        s = self.d.saldos
        if not len(s):
            return {"facturas": 0, "monto": Decimal("0.00"), "nuevas": 0}
        misma = s["codigo"].eq(s["codigo"].shift())
        antes = s["disputa"].shift().where(misma).fillna(0)
        siguiente = s["fecha"].shift(-1).where(s["codigo"].eq(s["codigo"].shift(-1)))
        fin = siguiente.fillna(s["pago"]).fillna(float("inf"))
        en_disputa = s[(s["disputa"] == 1) & (s["fecha"] <= self.hasta) & (fin > self.desde)]
        ultimas = en_disputa.drop_duplicates("codigo", keep="last")
        nuevas = (s["disputa"] == 1) & (antes == 0) & self._en_periodo(s["fecha"])
        return {
            "facturas": len(ultimas),
            "monto": _dinero(ultimas["centavos"].sum()),
            "nuevas": int(nuevas.sum()),
        }

    def _bajas(self) -> dict[str, Any]:
        """Las bajas registradas en el período (con --cliente, las de sus contactos)."""
        from recordar.destinos import clave_de_contacto

        b = self.d.bajas
        if self.d.destinatarios is not None and len(b):
            suyos = {clave_de_contacto(c) for c in self.d.destinatarios["destinatario"]}
            b = b[b["contacto"].isin(suyos)]
        if not len(b):
            return {"total": 0, "por_canal": {}}
        por_canal = b["canal"].replace("*", "todos").value_counts().sort_index()
        return {"total": len(b), "por_canal": {k: int(v) for k, v in por_canal.items()}}
