"""Lo que se ve de `recordar resultados`: tablas en la terminal (texto llano en un registro) y
los archivos .html, .xlsx, .json y .csv. Importes y fechas en el idioma de la política, en la
moneda de los resultados; cada salida dice cuál es y, si hay facturas en otras, la nota de
`nota_monedas`."""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any

from recordar.resultados import VENTANAS, Resultados, nota_monedas


@dataclass(slots=True)
class Seccion:
    """Una tabla: clave (para json/csv/hojas), título, columnas (clave, encabezado, tipo) y filas.
    El tipo «*» toma el de cada fila (`_tipo`): las secciones de indicador y valor."""

    clave: str
    titulo: str
    columnas: list[tuple[str, str, str]]
    filas: list[dict[str, Any]]


class Escritura:
    """Cómo se escribe cada tipo de valor en el idioma de la política."""

    def __init__(self, idioma: str, moneda: str) -> None:
        from babel.numbers import get_decimal_symbol

        from recordar.mensajes.formato import Formato

        self.formato = Formato(idioma, moneda)
        self.decimal = get_decimal_symbol(self.formato.locale)

    def numero(self, valor: float) -> str:
        if float(valor) == int(valor):
            return str(int(valor))
        return f"{valor:.1f}".replace(".", self.decimal)

    def celda(self, valor: Any, tipo: str) -> str:
        if valor is None:
            return "—"
        if tipo == "dinero":
            return self.formato.dinero(valor)
        if tipo == "pct":
            return f"{self.numero(valor)} %"
        if tipo == "dias":
            return self.numero(valor)
        if tipo == "fecha":
            return self.formato.fecha_corta(valor)
        return str(valor)


def _indicador(texto: str, valor: Any, tipo: str) -> dict[str, Any]:
    return {"indicador": texto, "valor": valor, "_tipo": tipo}


def secciones(r: Resultados, e: Escritura) -> list[Seccion]:
    """Las tablas de los resultados, en el orden en que se muestran."""
    rec, vel, fin = r.recuperado, r.velocidad, r.vencido_al_final
    corte = e.formato.fecha_corta(r.hasta)
    resumen = [
        _indicador("Recuperado", rec["monto"], "dinero"),
        _indicador("Facturas pagadas", rec["facturas"], "entero"),
        _indicador("Abonos (pagos parciales)", rec["abonos"], "entero"),
        _indicador("Importe de los abonos", rec["monto_abonos"], "dinero"),
        _indicador("Recuperado de lo vencido", rec["monto_vencido"], "dinero"),
        _indicador("Parte de lo vencido recuperada", rec["porcentaje_vencido"], "pct"),
        _indicador(f"Saldo vencido al {corte}", fin["monto"], "dinero"),
        _indicador(f"Facturas vencidas al {corte}", fin["facturas"], "entero"),
        _indicador(f"Días de atraso promedio al {corte}", fin["dias_promedio"], "dias"),
    ]
    velocidad = [
        _indicador("Pagos", vel["pagos"], "entero"),
        _indicador("Días de atraso al pagar: mediana", vel["dias_tarde_mediana"], "dias"),
        _indicador("Días de atraso al pagar: media", vel["dias_tarde_media"], "dias"),
        _indicador("Días de atraso al pagar: p90", vel["dias_tarde_p90"], "dias"),
        _indicador("Pagos después de un aviso", vel["pagos_tras_aviso"], "entero"),
        _indicador(
            "Días del último aviso al pago: mediana", vel["dias_tras_aviso_mediana"], "dias"
        ),
        _indicador("Días del último aviso al pago: media", vel["dias_tras_aviso_media"], "dias"),
    ]
    prom, disp, bajas = r.promesas, r.disputas, r.bajas
    cumplimiento = [
        _indicador("Promesas cumplidas", prom["cumplidas"], "entero"),
        _indicador("Promesas incumplidas", prom["incumplidas"], "entero"),
        _indicador("Promesas vigentes", prom["vigentes"], "entero"),
        _indicador("Facturas en disputa", disp["facturas"], "entero"),
        _indicador("Importe en disputa", disp["monto"], "dinero"),
        _indicador("Disputas nuevas", disp["nuevas"], "entero"),
        _indicador("Bajas (de todas las monedas)", bajas["total"], "entero"),
        *[_indicador(f"Bajas: {canal}", n, "entero") for canal, n in bajas["por_canal"].items()],
    ]
    # En la terminal y el html, la moneda y la nota van bajo el título; en las hojas, aquí.
    resumen += [{**_indicador("Moneda de los importes", r.moneda, "texto"), "_aparte": True}]
    if nota := nota_monedas(r):
        resumen.append({**_indicador("Otras monedas", nota, "texto"), "_aparte": True})
    ventanas = [(f"pagadas_{n}", f"pagadas ≤{n} d", "pct") for n in VENTANAS]
    return [
        Seccion("resumen", "Lo recuperado", [("indicador", "Indicador", "texto"), ("valor", "Valor", "*")], resumen),
        Seccion("velocidad", "Velocidad de pago", [("indicador", "Indicador", "texto"), ("valor", "Valor", "*")], velocidad),
        Seccion("por_mes", "Por mes", [
            ("mes", "mes", "texto"), ("recuperado", "recuperado", "dinero"),
            ("facturas", "facturas", "entero"), ("abonos", "abonos", "entero"),
            ("corte", "corte", "fecha"), ("saldo_vencido", "saldo vencido", "dinero"),
            ("facturas_vencidas", "vencidas", "entero"),
            ("dias_atraso_promedio", "días de atraso", "dias"),
        ], r.por_mes),
        Seccion("por_paso", "Por paso", [
            ("paso", "paso", "texto"), ("mensajes", "mensajes", "entero"),
            ("facturas", "facturas avisadas", "entero"), *ventanas,
            ("mediana_dias", "mediana días al pago", "dias"),
        ], r.por_paso),
        Seccion("por_canal", "Por canal", [
            ("canal", "canal", "texto"), ("mensajes", "mensajes", "entero"),
            ("facturas", "facturas avisadas", "entero"), *ventanas,
            ("mediana_dias", "mediana días al pago", "dias"),
        ], r.por_canal),
        Seccion("envios_con_problemas", "Envíos fallidos e inciertos", [
            ("canal", "canal", "texto"), ("fallidos", "fallidos", "entero"),
            ("inciertos", "inciertos", "entero"),
        ], r.por_canal),
        Seccion("cumplimiento", "Promesas, disputas y bajas", [("indicador", "Indicador", "texto"), ("valor", "Valor", "*")], cumplimiento),
    ]  # fmt: skip


def _tipo(fila: dict[str, Any], tipo: str) -> str:
    """El tipo de una celda: el de su columna o, en la columna «*», el de su fila."""
    return fila.get("_tipo", "texto") if tipo == "*" else tipo


def _texto(fila: dict[str, Any], clave: str, tipo: str, e: Escritura) -> str:
    return e.celda(fila.get(clave), _tipo(fila, tipo))


def encabezado(r: Resultados, e: Escritura) -> str:
    quien = f" · cliente «{r.cliente}»" if r.cliente else ""
    return (
        f"Resultados del {e.formato.fecha_corta(r.desde)} al {e.formato.fecha_corta(r.hasta)}"
        f"{quien} · facturas y mensajes en {r.moneda} · {r.ejecuciones} ejecuciones"
        f" · bitácora {r.bitacora}"
    )


def _nota(r: Resultados) -> str | None:
    nota = nota_monedas(r)
    return f"Nota: {nota}." if nota else None


def _sin_aparte(s: Seccion) -> Seccion:
    filas = [f for f in s.filas if not f.get("_aparte")]
    return s if len(filas) == len(s.filas) else Seccion(s.clave, s.titulo, s.columnas, filas)


def imprimir(r: Resultados, e: Escritura, consola) -> None:
    """En una terminal, tablas de rich; si no (cron, tubería, archivo), texto llano alineado."""
    consola.print(encabezado(r, e), markup=False, soft_wrap=True)
    if nota := _nota(r):
        consola.print(nota, markup=False, soft_wrap=True)
    for s in map(_sin_aparte, secciones(r, e)):
        if consola.is_terminal:
            _tabla_rich(s, e, consola)
        else:
            _tabla_llana(s, e, consola)


# En la terminal sobra: el corte de cada mes es su último día (o --hasta).
_SOLO_EN_ARCHIVOS = {"corte"}


def _tabla_rich(s: Seccion, e: Escritura, consola) -> None:
    """Sin líneas verticales y con cada encabezado partido al ancho de sus datos: las tablas
    caben en 80 columnas sin cortar un importe, una fecha ni un porcentaje."""
    import textwrap

    from rich import box
    from rich.table import Table

    columnas = [c for c in s.columnas if c[0] not in _SOLO_EN_ARCHIVOS]
    filas = [[_texto(f, c, t, e) for c, _, t in columnas] for f in s.filas]
    # Un espacio a cada lado del separador (el de SIMPLE_HEAD es un espacio): 2 entre columnas.
    tabla = Table(title=s.titulo, title_justify="left", box=box.SIMPLE_HEAD, padding=(0, 0, 0, 1))
    for i, (_clave, titulo, tipo) in enumerate(columnas):
        ancho = max([len(f[i]) for f in filas] + [len(p) for p in titulo.split()] + [4])
        if tipo == "texto":  # un paso, un canal o un indicador largo se parte; una cifra, no
            tabla.add_column(titulo, overflow="fold", min_width=min(ancho, 12), ratio=1)
        else:
            tabla.add_column(textwrap.fill(titulo, ancho), no_wrap=True, min_width=ancho,
                             justify="right")  # fmt: skip
    for fila in filas:
        tabla.add_row(*fila)
    if not s.filas:
        tabla.add_row("sin datos en el período", *[""] * (len(columnas) - 1))
    consola.print(tabla)


def _tabla_llana(s: Seccion, e: Escritura, consola) -> None:
    consola.print("", markup=False)
    consola.print(s.titulo, markup=False, soft_wrap=True)
    if not s.filas:
        consola.print("  sin datos en el período", markup=False, soft_wrap=True)
        return
    filas = [[_texto(f, c, t, e) for c, _, t in s.columnas] for f in s.filas]
    if s.columnas[0][0] == "indicador":
        for indicador, valor in filas:
            consola.print(f"  {indicador}: {valor}", markup=False, soft_wrap=True)
        return
    encabezados = [titulo for _, titulo, _ in s.columnas]
    anchos = [max(len(x) for x in columna) for columna in zip(encabezados, *filas, strict=True)]
    for fila in [encabezados, *filas]:
        celdas = [
            x.ljust(a) if i == 0 else x.rjust(a)
            for i, (x, a) in enumerate(zip(fila, anchos, strict=True))
        ]
        consola.print("  " + "  ".join(celdas).rstrip(), markup=False, soft_wrap=True)


# --- archivos ----------------------------------------------------------------------------------


def escribir_resultados(ruta: str | Path, r: Resultados, e: Escritura) -> Path:
    from recordar.informe.formatos import escribir_archivo

    escritores = {".html": _html, ".xlsx": _xlsx, ".json": _json, ".csv": _csv}
    return escribir_archivo(
        ruta,
        {extension: partial(escritor, r=r, e=e) for extension, escritor in escritores.items()},
        no_admitido="formato «{}» no admitido para los resultados",
        fallo="no se pudieron escribir los resultados",
    )


def _json(ruta: Path, r: Resultados, e: Escritura) -> None:
    with open(ruta, "w", encoding="utf-8") as f:
        json.dump(r.a_dict(), f, ensure_ascii=False, indent=1)


def _valor_plano(valor: Any, coma: bool) -> Any:
    if isinstance(valor, Decimal | float):
        texto = f"{valor:.2f}" if isinstance(valor, Decimal) else f"{valor:g}"
        return texto.replace(".", ",") if coma else texto
    if hasattr(valor, "isoformat"):
        return valor.isoformat()
    return "" if valor is None else valor


def _csv(ruta: Path, r: Resultados, e: Escritura) -> None:
    """Una fila por cifra (sección, grupo, indicador, valor): se filtra y se tabula en Excel.
    Con un idioma que escribe los decimales con coma, `;` y UTF-8 con BOM, como Excel espera."""
    import csv

    from recordar.informe.formatos import neutralizar

    coma = e.decimal == ","
    with open(ruta, "w", encoding="utf-8-sig" if coma else "utf-8", newline="") as f:
        escritor = csv.writer(f, delimiter=";" if coma else ",")
        escritor.writerow(["seccion", "grupo", "indicador", "valor"])
        for s in secciones(r, e):
            for fila in s.filas:
                if "indicador" in fila:
                    filas = [("", fila["indicador"], fila["valor"])]
                else:
                    grupo = fila[s.columnas[0][0]]
                    filas = [(grupo, titulo, fila.get(c)) for c, titulo, _ in s.columnas[1:]]
                for grupo, indicador, valor in filas:
                    escritor.writerow([s.clave, neutralizar(str(grupo)), indicador,
                                       _valor_plano(valor, coma)])  # fmt: skip


def _xlsx(ruta: Path, r: Resultados, e: Escritura) -> None:
    """Una hoja por sección: cabecera en negrita fija, filtro, importes con formato de moneda,
    fechas como fechas, porcentajes como porcentajes."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from recordar.informe.formatos import neutralizar

    libro = Workbook()
    libro.remove(libro.active)
    moneda = f'#,##0.00 "{e.formato.moneda}"'
    formatos = {
        "dinero": moneda,
        "pct": "0.0%",
        "dias": "0.0",
        "entero": "0",
        "fecha": "yyyy-mm-dd",
    }
    for s in secciones(r, e):
        hoja = libro.create_sheet(s.titulo[:31])
        hoja.append([titulo for _, titulo, _ in s.columnas])
        for celda in hoja[1]:
            celda.font = Font(bold=True)
        for fila in s.filas:
            valores, tipos = [], []
            for clave, _, tipo in s.columnas:
                tipo = _tipo(fila, tipo)
                valor = fila.get(clave)
                if isinstance(valor, Decimal):
                    valor = float(valor)
                if tipo == "pct" and valor is not None:
                    valor = valor / 100
                valores.append(neutralizar(valor))
                tipos.append(tipo)
            hoja.append(valores)
            for celda, tipo in zip(hoja[hoja.max_row], tipos, strict=True):
                if tipo in formatos:
                    celda.number_format = formatos[tipo]
        hoja.freeze_panes = "A2"
        hoja.auto_filter.ref = hoja.dimensions
        for i, (clave, titulo, _) in enumerate(s.columnas):
            largo = max([len(titulo)] + [len(str(f.get(clave) or "")) for f in s.filas])
            hoja.column_dimensions[hoja.cell(1, i + 1).column_letter].width = min(
                max(largo + 2, 10), 50
            )
    libro.save(ruta)


def graficas(r: Resultados, e: Escritura) -> list[str]:
    """La tendencia por mes (recuperado y saldo vencido al corte) y lo pagado a 30 días de cada
    paso, en SVG (matplotlib, a través de informe.graficas)."""
    from recordar.informe import graficas as g

    dinero = lambda v: e.formato.dinero(Decimal(str(round(v, 2))))  # noqa: E731
    meses = [f["mes"] for f in r.por_mes]
    svgs = [
        g.lineas(
            meses,
            {
                "Recuperado": [float(f["recuperado"]) for f in r.por_mes],
                "Saldo vencido al corte": [float(f["saldo_vencido"]) for f in r.por_mes],
            },
            "Tendencia por mes",
            formato=dinero,
        )
    ]
    svgs.append(
        g.barras(
            [f["paso"] for f in r.por_paso],
            [f["pagadas_30"] or 0 for f in r.por_paso],
            "Facturas pagadas a 30 días de cada paso",
            formato=lambda v: f"{e.numero(v)} %",
            notas=[f"{f['facturas']} avisadas" for f in r.por_paso],
        )
    )
    return svgs


_ESTILO = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0 auto;max-width:1100px;
padding:1rem;color:#222}
h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:1.6rem}
.caja{overflow-x:auto;max-width:100%}
table{border-collapse:collapse;font-size:.9rem}
th,td{padding:.3rem .6rem;border-bottom:1px solid #ddd;text-align:right;white-space:nowrap}
th:first-child,td:first-child{text-align:left}
th{background:#f3f5f7}
figure{margin:1rem 0;max-width:760px}
@media print{body{max-width:none}figure{break-inside:avoid}}
"""


def _html(ruta: Path, r: Resultados, e: Escritura) -> None:
    """Un solo archivo sin red: estilos dentro, gráficas SVG dentro."""
    from html import escape

    partes = [
        '<!DOCTYPE html><html lang="es"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(encabezado(r, e))}</title><style>{_ESTILO}</style></head><body>",
        f"<h1>{escape(encabezado(r, e))}</h1>",
    ]
    if nota := _nota(r):
        partes.append(f'<p class="nota"><strong>{escape(nota)}</strong></p>')
    partes += [f"<figure>{svg}</figure>" for svg in graficas(r, e)]
    for s in map(_sin_aparte, secciones(r, e)):
        partes.append(f'<h2>{escape(s.titulo)}</h2><div class="caja"><table><thead><tr>')
        partes += [f"<th>{escape(titulo)}</th>" for _, titulo, _ in s.columnas]
        partes.append("</tr></thead><tbody>")
        for fila in s.filas:
            celdas = "".join(f"<td>{escape(_texto(fila, c, t, e))}</td>" for c, _, t in s.columnas)
            partes.append(f"<tr>{celdas}</tr>")
        if not s.filas:
            partes.append(f'<tr><td colspan="{len(s.columnas)}">sin datos en el período</td></tr>')
        partes.append("</tbody></table></div>")
    partes.append("</body></html>")
    ruta.write_text("".join(partes), encoding="utf-8")
