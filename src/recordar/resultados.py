"""`recordar resultados` como biblioteca: lo que consiguió la cobranza, leído de la bitácora (no
de la hoja) con pandas sobre consultas SQL.

Cada cifra sale de lo que la bitácora guarda de los envíos reales: los envíos (`envios`,
`envio_facturas`), los pagos detectados de una hoja a la siguiente (`pagos`), el saldo de cada
factura cada vez que cambió (`saldos`: primera vez vista, abonos, promesas, disputas), las fechas
de las ejecuciones y las bajas. Una bitácora anterior a `saldos` se lee igual: sus facturas se
siembran con el saldo conocido en su primera fecha (sin los abonos de antes).

Las fechas de pago son las de la ejecución que lo notó (la factura ya no estaba abierta en la
hoja). pandas se importa aquí dentro, solo cuando se calcula.
"""

from __future__ import annotations

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
    ejecuciones: int = 0  # envíos reales del período con fecha anotada
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


def periodo(desde: date | None, hasta: date | None, hoy: date | None = None) -> tuple[date, date]:
    """(desde, hasta): por omisión, los últimos 90 días hasta hoy (los dos incluidos)."""
    hasta = hasta or hoy or date.today()
    desde = desde or hasta - timedelta(days=DIAS_POR_OMISION - 1)
    if desde > hasta:
        raise RecordarError(
            f"--desde {desde.isoformat()} es posterior a --hasta {hasta.isoformat()}; "
            "indica un período que empiece antes de terminar"
        )
    return desde, hasta


def calcular_resultados(
    ruta: str | Path, desde: date | None = None, hasta: date | None = None,
    cliente: str | None = None,
) -> Resultados:  # fmt: skip
    """Las cifras de la bitácora en `ruta` entre `desde` y `hasta` (incluidos), de un cliente
    (coincidencia parcial, sin distinguir mayúsculas) o de todos."""
    from recordar.bitacora import Bitacora

    desde, hasta = periodo(desde, hasta)
    ruta = Path(ruta)
    with Bitacora.abrir_lectura(ruta) as b:
        if not b.existe:
            raise ErrorBitacora(
                f"{ruta}: la bitácora no existe; los resultados se miden con lo que anotan los "
                "envíos reales (recordar enviar sin --simulacro) o indica otra con --bitacora"
            )
        datos = _Datos.leer(b, hasta, cliente)
    return _Calculo(datos, desde, hasta).resultados(str(ruta), cliente)


class _Datos:
    """Las tablas de la bitácora en DataFrames (solo lo anterior a `hasta`, del cliente)."""

    @classmethod
    def leer(cls, b, hasta: date, cliente: str | None) -> _Datos:
        import pandas as pd

        tope = hasta.isoformat()

        def tabla(sql: str, parametros: tuple = ()) -> pd.DataFrame:
            columnas, filas = b.leer(sql, parametros)
            return pd.DataFrame.from_records(filas, columns=columnas)

        d = cls()
        d.pagos = tabla(
            "SELECT numero, cliente, deudor, monto, vencimiento, fecha, dias_tarde, "
            "dias_tras_aviso, primera_vez FROM pagos WHERE fecha <= ?",
            (tope,),
        )
        d.saldos = tabla(
            "SELECT numero, fecha, cliente, deudor, monto, vencimiento, promesa, disputa "
            "FROM saldos WHERE fecha <= ?",
            (tope,),
        )
        d.avisos = tabla(
            "SELECT e.id AS envio, e.paso, e.canal, e.fecha_plan AS fecha, e.cliente, e.deudor, "
            "e.dias_vencido, ef.factura AS numero FROM envios e "
            "JOIN envio_facturas ef ON ef.envio_id = e.id "
            "WHERE e.estado = 'enviado' AND e.fecha_plan <= ?",
            (tope,),
        )
        d.problemas = tabla(
            "SELECT canal, estado, fecha_plan AS fecha, cliente, deudor, destinatario FROM envios "
            "WHERE estado IN ('fallido', 'incierto', 'enviando') AND fecha_plan <= ?",
            (tope,),
        )
        d.ejecuciones = sorted(
            f for (f,) in b.leer("SELECT fecha FROM ejecuciones WHERE fecha <= ?", (tope,))[1]
        )
        d.bajas = tabla("SELECT contacto, canal, creado FROM bajas")
        d.destinatarios = None
        if cliente:
            for nombre in ("pagos", "saldos", "avisos", "problemas"):
                setattr(d, nombre, _del_cliente(getattr(d, nombre), cliente))
            d.destinatarios = tabla(
                "SELECT DISTINCT destinatario, cliente, deudor FROM envios WHERE fecha_plan <= ?",
                (tope,),
            )
            d.destinatarios = _del_cliente(d.destinatarios, cliente)
        d.preparar()
        return d

    def preparar(self) -> None:
        """Tipos: fechas como datetime64, importes en centavos enteros (sumas exactas)."""
        import pandas as pd

        p, s = self.pagos, self.saldos
        for tabla, columnas in ((p, ("fecha", "vencimiento")), (s, ("fecha", "vencimiento"))):
            for c in columnas:
                tabla[c] = _fechas(tabla[c])
            tabla["centavos"] = _centavos(tabla["monto"])
        # Un pago sin ningún saldo anotado (bitácora anterior): abierto desde su primera fecha.
        sin_saldo = p[~p["numero"].isin(s["numero"])]
        if len(sin_saldo):
            sembradas = pd.DataFrame({
                "numero": sin_saldo["numero"],
                "fecha": _fechas(sin_saldo["primera_vez"].fillna(sin_saldo["fecha"].dt.strftime("%Y-%m-%d"))),
                "cliente": sin_saldo["cliente"], "deudor": sin_saldo["deudor"],
                "monto": sin_saldo["monto"], "vencimiento": sin_saldo["vencimiento"],
                "promesa": None, "disputa": 0, "centavos": sin_saldo["centavos"],
            })  # fmt: skip
            s = pd.concat([s, sembradas], ignore_index=True) if len(s) else sembradas
        s = s.sort_values(["numero", "fecha"], kind="stable", ignore_index=True)
        s["disputa"] = s["disputa"].fillna(0).astype(int)
        s["pago"] = s["numero"].map(p.set_index("numero")["fecha"]) if len(p) else pd.NaT
        s["pago"] = pd.to_datetime(s["pago"])
        self.saldos = s
        a = self.avisos
        a["fecha"] = _fechas(a["fecha"])
        a["paso_base"] = a["paso"].str.replace(r"[#@].*$", "", regex=True)
        a["pago"] = pd.to_datetime(
            a["numero"].map(p.set_index("numero")["fecha"]) if len(p) else pd.NaT
        )
        a["dias_pago"] = (a["pago"] - a["fecha"]).dt.days
        self.problemas["fecha"] = _fechas(self.problemas["fecha"])


def _del_cliente(tabla, cliente: str):
    texto = cliente.casefold()
    if not len(tabla):
        return tabla
    coincide = tabla["cliente"].str.casefold().str.contains(texto, regex=False) | tabla[
        "deudor"
    ].str.casefold().str.contains(texto, regex=False)
    return tabla[coincide].reset_index(drop=True)


def _fechas(serie):
    import pandas as pd

    return pd.to_datetime(serie.astype("string").str.slice(0, 10), format="%Y-%m-%d")


def _centavos(serie):
    import pandas as pd

    if not len(serie):
        return pd.Series([], dtype="int64")
    return (pd.to_numeric(serie, errors="coerce").fillna(0) * 100).round().astype("int64")


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
        import pandas as pd

        self.d = datos
        self.desde, self.hasta = pd.Timestamp(desde), pd.Timestamp(hasta)
        self.fechas = (desde, hasta)

    def _en_periodo(self, serie):
        return (serie >= self.desde) & (serie <= self.hasta)

    def resultados(self, ruta: str, cliente: str | None) -> Resultados:
        r = Resultados(ruta, *self.fechas, cliente)
        r.ejecuciones = sum(
            1
            for f in self.d.ejecuciones
            if self.fechas[0].isoformat() <= f <= self.fechas[1].isoformat()
        )
        pagos, abonos = self._pagos_y_abonos()
        r.vencido_al_final = self._vencido_en(self.hasta)
        r.recuperado = self._recuperado(pagos, abonos, r.vencido_al_final)
        r.velocidad = self._velocidad(pagos)
        r.por_mes = self._por_mes(pagos, abonos)
        r.por_paso = self._efectividad("paso_base", ["numero", "paso", "fecha"], "paso")
        r.por_canal = self._efectividad("canal", ["envio", "numero"], "canal", por_uso=True)
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
        anterior = s.groupby("numero", sort=False)["centavos"].shift()
        baja = anterior - s["centavos"]
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

    def _por_mes(self, pagos, abonos) -> list[dict[str, Any]]:
        import pandas as pd

        filas = []
        inicio = self.desde.to_period("M")
        for mes in pd.period_range(inicio, self.hasta.to_period("M"), freq="M"):
            corte = min(mes.end_time.normalize(), self.hasta)
            en_mes_p = pagos["fecha"].dt.to_period("M") == mes
            en_mes_a = abonos["fecha"].dt.to_period("M") == mes
            vencido = self._vencido_en(corte)
            filas.append({
                "mes": str(mes),
                "recuperado": _dinero(pagos.loc[en_mes_p, "centavos"].sum() + abonos.loc[en_mes_a, "abono"].sum()),
                "facturas": int(en_mes_p.sum()),
                "abonos": int(en_mes_a.sum()),
                "corte": corte.date(),
                "saldo_vencido": vencido["monto"],
                "facturas_vencidas": vencido["facturas"],
                "dias_atraso_promedio": vencido["dias_promedio"],
            })  # fmt: skip
        return filas

    def _vencido_en(self, corte) -> dict[str, Any]:
        """El saldo vencido reconstruido a una fecha: cada factura con su última anotación hasta
        ese día, abierta si no se pagó entre esa anotación y el corte."""
        s = self.d.saldos
        hasta_corte = s[s["fecha"] <= corte]
        ultima = hasta_corte.drop_duplicates("numero", keep="last")
        abierta = (
            ultima["pago"].isna() | (ultima["pago"] > corte) | (ultima["pago"] <= ultima["fecha"])
        )
        vencidas = ultima[abierta & (ultima["vencimiento"] < corte)]
        dias = (corte - vencidas["vencimiento"]).dt.days
        return {
            "corte": corte.date(),
            "monto": _dinero(vencidas["centavos"].sum()),
            "facturas": len(vencidas),
            "dias_promedio": _redondear(dias.mean()) if len(dias) else None,
        }

    # --- efectividad de los avisos ------------------------------------------------------------

    def _efectividad(self, columna: str, unidad: list[str], nombre: str, por_uso: bool = False
                     ) -> list[dict[str, Any]]:  # fmt: skip
        """Por paso o por canal: mensajes enviados en el período, facturas avisadas (una por
        `unidad`: factura y ocurrencia del paso, o mensaje y factura) y qué parte se pagó a los
        7, 15 y 30 días de ese aviso. Los pasos en orden de escalada (atraso medio al enviarlos),
        los canales del más usado al menos."""
        a = self.d.avisos
        a = a[self._en_periodo(a["fecha"])] if len(a) else a
        filas = []
        if not len(a):
            return filas
        if por_uso:
            orden = (
                a.groupby(columna)["envio"].nunique().sort_values(ascending=False, kind="stable")
            )
        else:
            orden = a.groupby(columna)["dias_vencido"].mean().sort_values(kind="stable")
        for valor in orden.index:
            grupo = a[a[columna] == valor]
            unidades = grupo.drop_duplicates(unidad)
            dias = unidades["dias_pago"]
            pagadas = dias[dias >= 0]
            fila = {
                nombre: valor,
                "mensajes": int(grupo["envio"].nunique()),
                "facturas": len(unidades),
                "pagadas": len(pagadas),
            }
            for n in VENTANAS:
                fila[f"pagadas_{n}"] = _porcentaje((pagadas <= n).sum(), len(unidades))
            fila["mediana_dias"] = _redondear(pagadas.median()) if len(pagadas) else None
            filas.append(fila)
        return filas

    def _problemas_por_canal(self, por_canal: list[dict[str, Any]]) -> None:
        """Los fallidos e inciertos de cada canal (un canal con solo fallos también sale)."""
        p = self.d.problemas
        p = p[self._en_periodo(p["fecha"])] if len(p) else p
        filas = {f["canal"]: f for f in por_canal}
        for canal in sorted(set(p["canal"]) - set(filas)) if len(p) else ():
            fila = {"canal": canal, "mensajes": 0, "facturas": 0, "pagadas": 0}
            fila.update({f"pagadas_{n}": None for n in VENTANAS}, mediana_dias=None)
            por_canal.append(fila)
            filas[canal] = fila
        for fila in por_canal:
            del_canal = p[p["canal"] == fila["canal"]] if len(p) else p
            fila["fallidos"] = int((del_canal["estado"] == "fallido").sum()) if len(p) else 0
            fila["inciertos"] = (
                int(del_canal["estado"].isin(("incierto", "enviando")).sum()) if len(p) else 0
            )

    # --- promesas, disputas, bajas -------------------------------------------------------------

    def _promesas(self) -> dict[str, Any]:
        """Cada promesa (factura, fecha prometida) que vence en el período: cumplida si la
        factura se pagó a más tardar en la primera ejecución posterior a esa fecha; incumplida si
        esa ejecución aún la vio abierta (como la ve la planificación); vigente si no la hubo."""
        import bisect

        import pandas as pd

        s = self.d.saldos
        cuentas = {"cumplidas": 0, "incumplidas": 0, "vigentes": 0}
        montos = dict.fromkeys(cuentas, 0)
        con = s[s["promesa"].notna()].drop_duplicates(["numero", "promesa"])
        ejecuciones = self.d.ejecuciones
        for fila in con.itertuples(index=False):
            promesa = pd.Timestamp(fila.promesa)
            if not (self.desde <= promesa <= self.hasta):
                continue
            i = bisect.bisect_right(ejecuciones, fila.promesa)
            siguiente = pd.Timestamp(ejecuciones[i]) if i < len(ejecuciones) else None
            pagada = pd.notna(fila.pago) and fila.pago > fila.fecha
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
        import pandas as pd

        s = self.d.saldos
        if not len(s):
            return {"facturas": 0, "monto": Decimal("0.00"), "nuevas": 0}
        grupos = s.groupby("numero", sort=False)
        antes = grupos["disputa"].shift().fillna(0)
        siguiente = grupos["fecha"].shift(-1)
        fin = siguiente.fillna(s["pago"]).fillna(pd.Timestamp("2262-01-01"))
        en_disputa = s[(s["disputa"] == 1) & (s["fecha"] <= self.hasta) & (fin > self.desde)]
        ultimas = en_disputa.drop_duplicates("numero", keep="last")
        nuevas = (s["disputa"] == 1) & (antes == 0) & self._en_periodo(s["fecha"])
        return {
            "facturas": len(ultimas),
            "monto": _dinero(ultimas["centavos"].sum()),
            "nuevas": int(nuevas.sum()),
        }

    def _bajas(self) -> dict[str, Any]:
        from recordar.destinos import clave_de_contacto

        b = self.d.bajas
        if not len(b):
            return {"total": 0, "por_canal": {}}
        fecha = _fechas(b["creado"])
        b = b[self._en_periodo(fecha)]
        if self.d.destinatarios is not None:
            suyos = {clave_de_contacto(c) for c in self.d.destinatarios["destinatario"]}
            b = b[b["contacto"].isin(suyos)]
        por_canal = b["canal"].replace("*", "todos").value_counts().sort_index()
        return {"total": len(b), "por_canal": {k: int(v) for k, v in por_canal.items()}}
