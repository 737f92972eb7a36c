"""El informe .html: un tablero de cobranza en un solo archivo.

Sin red ni nada externo (ni CSS, ni JS, ni fuentes): se abre sin conexión, se imprime en A4 y
se lee en un teléfono. Arriba las cifras de dinero (las de `informe.cifras`, ya calculadas en
los datos) y tres gráficas SVG; debajo el plan de hoy por deudor, las tareas, las omitidas por
motivo, los rechazos y los avisos, con importes y fechas en el idioma de la política.

Con carteras grandes la página sigue siendo usable: los mensajes completos de los primeros
`DEUDORES_COMPLETOS` deudores, los demás en una línea cada uno, y las tablas largas cortadas
con una nota que remite al informe .json o .csv, que lo llevan todo.
"""

from __future__ import annotations

import gc
import json
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from itertools import islice
from pathlib import Path
from typing import Any

from recordar.informe.formatos import lineas_de_ejecucion
from recordar.informe.html_plantilla import PLANTILLA_HTML
from recordar.informe.numeros import IDIOMA, MONEDA  # si los datos no traen los de la política

DEUDORES_COMPLETOS = 500  # deudores con sus mensajes completos (los demás, en una línea)
DEUDORES_EN_LINEA = 25_000  # deudores en la lista compacta; más, solo en el .json o .csv
# Filas por tabla de la lista compacta: cada tabla se maqueta solo al llegar a ella
# (content-visibility), así 25 000 deudores abren en ~1 s y no en ~8 s.
DEUDORES_POR_TRAMO = 500
FILAS_POR_TABLA = 1000  # tareas, rechazos, avisos, tareas abiertas, deudores sin canal
FACTURAS_POR_MOTIVO = 200  # omitidas listadas bajo cada motivo
NUMEROS_VISIBLES = 12  # números de factura escritos por deudor («… y 30 más»)

CANALES = {"email": "Correo", "sms": "SMS", "whatsapp": "WhatsApp", "archivo": "Archivo"}
RESUMEN = {
    "filas": "Filas leídas",
    "facturas": "Facturas",
    "rechazadas": "Filas rechazadas",
    "omitidas": "Facturas omitidas",
    "mensajes": "Mensajes",
    "tareas": "Tareas",
    "facturas_en_mensajes": "Facturas en mensajes",
    "facturas_en_tareas": "Facturas en tareas",
    "avisos": "Avisos de la hoja",
}
# Lo que babel o Decimal levantan con un idioma, una moneda o un importe que no lo son (babel:
# UnknownLocaleError y UnknownCurrencyError heredan de Exception, no de ValueError).
_VALORES_RAROS = (ValueError, TypeError, ArithmeticError, LookupError)


def escribir(ruta: Path, datos: dict[str, Any]) -> None:
    """Escribe el informe html de `datos` (los del informe JSON) en `ruta`, que ya existe."""
    # Sin el recolector cíclico mientras se arman decenas de miles de objetos sin ciclos (como
    # archivos.a_dict): con los datos de 100 000 filas en memoria, sus pasadas costaban más que
    # armar la página.
    recolector = gc.isenabled()
    gc.disable()
    try:
        contexto = _contexto(datos)
        trozos = _plantilla().generate(**contexto)
        with ruta.open("w", encoding="utf-8") as f:
            while tanda := "".join(islice(trozos, 2000)):
                f.write(tanda)
    finally:
        if recolector:
            gc.enable()


@lru_cache(maxsize=1)
def _plantilla():
    from jinja2 import Environment

    entorno = Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True)
    return entorno.from_string(PLANTILLA_HTML)


# --- formato ----------------------------------------------------------------------------------


class _Escritura:
    """Importes, fechas y cantidades en el idioma de la política; nunca falla por un valor
    raro de quien arma los datos a mano (lo escribe tal cual)."""

    def __init__(self, idioma: Any, moneda: Any) -> None:
        from babel.core import UnknownLocaleError

        from recordar.mensajes.formato import Formato

        try:
            self.formato = Formato(str(idioma or IDIOMA), str(moneda or MONEDA))
        except (*_VALORES_RAROS, UnknownLocaleError):
            self.formato = Formato(IDIOMA, str(moneda or MONEDA))
        self.moneda = self.formato.moneda

    def dinero(self, valor: Any, moneda: Any = None) -> str:
        try:
            return self.formato.dinero(valor, str(moneda) if moneda else None)
        except _VALORES_RAROS:
            return str(valor)

    def dinero_corto(self, valor: Any, moneda: Any = None) -> str:
        """«$158 M» para las etiquetas de las gráficas; el importe entero si es pequeño."""
        moneda = str(moneda or self.moneda)
        try:
            if abs(valor) < 100_000:
                return self.dinero(valor, moneda)
            from babel.numbers import format_compact_currency

            return format_compact_currency(
                valor, moneda, locale=self.formato.locale, fraction_digits=1
            )
        except _VALORES_RAROS:
            return self.dinero(valor, moneda)

    def numero(self, valor: Any) -> str:
        if not isinstance(valor, int | float) or isinstance(valor, bool):
            return str(valor)
        from babel.numbers import format_decimal

        return format_decimal(valor, locale=self.formato.locale)

    def porcentaje(self, valor: Any) -> str:
        try:
            from babel.numbers import format_decimal

            return format_decimal(valor, format="#,##0.0", locale=self.formato.locale) + " %"
        except _VALORES_RAROS:
            return f"{valor} %"

    def fecha(self, valor: Any, larga: bool = False) -> str:
        """Una fecha ISO («2026-11-23» o con hora) como la escribe la política."""
        texto = str(valor or "")
        try:
            dia = date.fromisoformat(texto[:10])
        except ValueError:
            return texto
        return self.formato.fecha(dia, "long") if larga else self.formato.fecha_corta(dia)


def _cuantas(n: int, singular: str, plural: str | None = None, escritura=None) -> str:
    numero = escritura.numero(n) if escritura else str(n)
    return f"{numero} {singular if n == 1 else (plural or singular + 's')}"


# --- los datos de la página -------------------------------------------------------------------


def _registros(valor: Any) -> list:
    """Los registros de una lista del informe; los tramos ya codificados en JSON (JsonHecho,
    los del simulacro .json) se decodifican."""
    registros: list = []
    for v in valor or ():
        if isinstance(v, bytes | bytearray):
            registros.extend(json.loads(b"[" + bytes(v) + b"]"))
        else:
            registros.append(v)
    return registros


@dataclass(slots=True)
class _Deudor:
    cliente: str
    facturas: list[str] = field(default_factory=list)
    dias: int = 0
    pasos: list[str] = field(default_factory=list)
    canales: list[str] = field(default_factory=list)
    saldos: dict[str, float] = field(default_factory=dict)  # moneda → total de sus facturas
    mensajes: list[dict] = field(default_factory=list)
    _vistas: set = field(default_factory=set)


def _por_deudor(mensajes: list[dict], moneda: str) -> list[_Deudor]:
    """Los mensajes agrupados por deudor, en el orden del plan; su saldo suma cada grupo de
    facturas una vez, aunque vaya por varios canales. Un deudor con facturas en dos monedas
    tiene un mensaje por moneda, no siempre seguidos: se juntan por el nombre del cliente."""
    deudores: dict[str, _Deudor] = {}
    for m in mensajes:
        cliente = str(m.get("cliente", ""))
        actual = deudores.get(cliente)
        if actual is None:
            actual = deudores[cliente] = _Deudor(cliente)
        facturas = m.get("facturas") or []
        facturas = [str(f) for f in facturas] if isinstance(facturas, list) else [str(facturas)]
        mon = str(m.get("moneda") or moneda)
        clave = (tuple(facturas), mon)
        if clave not in actual._vistas:
            actual._vistas.add(clave)
            with suppress(TypeError):  # un total que no es número: el saldo no lo suma
                actual.saldos[mon] = actual.saldos.get(mon, 0) + m.get("total", 0)
            actual.facturas += [f for f in facturas if f not in actual.facturas]
        dias = m.get("dias_vencido")
        if isinstance(dias, int) and dias > actual.dias:
            actual.dias = dias
        for lista, valor in ((actual.pasos, m.get("paso")), (actual.canales, m.get("canal"))):
            if valor and valor not in lista:
                lista.append(str(valor))
        actual.mensajes.append(m)
    return list(deudores.values())


def _numeros(facturas: list[str]) -> str:
    if len(facturas) <= NUMEROS_VISIBLES:
        return ", ".join(facturas)
    return ", ".join(facturas[:NUMEROS_VISIBLES]) + f" y {len(facturas) - NUMEROS_VISIBLES} más"


def _mensaje(m: dict, e: _Escritura) -> dict[str, Any]:
    canal = str(m.get("canal", ""))
    extra = []
    if canal == "sms":
        segmentos, caracteres = m.get("segmentos"), m.get("caracteres")
        if segmentos is None:
            from recordar.mensajes.texto_sms import segmentos_sms

            caracteres, segmentos, codificacion = segmentos_sms(str(m.get("cuerpo", "")))
        else:
            codificacion = m.get("codificacion", "")
        extra.append(
            f"{_cuantas(segmentos, 'segmento')}, {caracteres} caracteres"
            + (f" ({codificacion})" if codificacion else "")
        )
    interes = m.get("interes")
    if isinstance(interes, int | float) and interes:
        extra.append(f"incluye {e.dinero(interes, m.get('moneda'))} de intereses")
    estado = str(m.get("estado", ""))
    return {
        "canal": CANALES.get(canal, canal),
        "destinatario": m.get("destinatario", ""),
        "asunto": m.get("asunto", ""),
        "cuerpo": m.get("cuerpo", ""),
        "paso": m.get("paso", ""),
        "extra": " · ".join(extra),
        "estado": "" if estado in ("simulado", "") else estado,
        "detalle": m.get("detalle", "") or m.get("nota", ""),
    }


def _saldo(saldos: dict[str, float], e: _Escritura) -> str:
    return " + ".join(e.dinero(v, mon) for mon, v in saldos.items()) or "—"


def _plan(datos: dict[str, Any], e: _Escritura) -> dict[str, Any]:
    deudores = _por_deudor(_registros(datos.get("mensajes")), e.moneda)
    completos = [
        {
            "cliente": d.cliente,
            "saldo": _saldo(d.saldos, e),
            "meta": " · ".join(
                filter(
                    None,
                    (
                        f"{_cuantas(len(d.facturas), 'factura')}: {_numeros(d.facturas)}",
                        f"{_cuantas(d.dias, 'día')} de atraso" if d.dias > 0 else "aún no vence",
                        "paso " + ", ".join(d.pasos) if d.pasos else "",
                    ),
                )
            ),
            "canales": " · ".join(CANALES.get(c, c) for c in d.canales),
            "mensajes": [_mensaje(m, e) for m in d.mensajes],
        }
        for d in deudores[:DEUDORES_COMPLETOS]
    ]
    resto = deudores[DEUDORES_COMPLETOS : DEUDORES_COMPLETOS + DEUDORES_EN_LINEA]
    en_linea = [
        (
            d.cliente,
            _numeros(d.facturas),
            _saldo(d.saldos, e),
            d.dias,
            ", ".join(d.pasos),
            " · ".join(CANALES.get(c, c) for c in d.canales),
        )
        for d in resto
    ]
    return {
        "deudores": len(deudores),
        "mensajes": sum(len(d.mensajes) for d in deudores),
        "completos": completos,
        "en_linea": en_linea,
        "fuera": len(deudores) - len(completos) - len(en_linea),
    }


def _omitidas(omitidas: list[dict]) -> list[dict[str, Any]]:
    """Las omitidas agrupadas por motivo (el más frecuente primero), cada grupo con sus
    facturas (hasta FACTURAS_POR_MOTIVO) y cuántos deudores distintos."""
    from recordar.informe.vista_dinero import clase_de_motivo  # la misma que en la terminal

    grupos: dict[str, list[dict]] = {}
    for o in omitidas:
        clave = clase_de_motivo(str(o.get("motivo", ""))) or "sin motivo"
        grupos.setdefault(clave, []).append(o)
    return [
        {
            "motivo": motivo,
            "facturas": len(lista),
            "deudores": len({o.get("cliente") for o in lista}),
            "filas": lista[:FACTURAS_POR_MOTIVO],
            "fuera": max(len(lista) - FACTURAS_POR_MOTIVO, 0),
        }
        for motivo, lista in sorted(grupos.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    ]


def _tarjetas(c: dict, e: _Escritura, mensajes: Any) -> list[tuple[str, str, str, str]]:
    """(título, cifra, detalle, clase) de cada tarjeta de una moneda."""
    mon = c.get("moneda")

    def importe(clave: str) -> tuple[str, int]:
        suma = c.get(clave) or {}
        return e.dinero(suma.get("importe", 0), mon), int(suma.get("facturas", 0) or 0)

    abierto, n_abierto = importe("abierto")
    vencido, n_vencido = importe("vencido")
    hoy, n_hoy = importe("en_mensajes")
    promesas, n_promesas = importe("promesas")
    disputa, n_disputa = importe("disputa")
    facturas = lambda n: _cuantas(n, "factura", escritura=e)  # noqa: E731
    en_mensajes = facturas(n_hoy)
    if isinstance(mensajes, int):
        en_mensajes += f" en {_cuantas(mensajes, 'mensaje', escritura=e)}"
    return [
        (
            "Saldo total",
            abierto,
            f"{facturas(n_abierto)} de "
            f"{_cuantas(int(c.get('deudores', 0) or 0), 'deudor', 'deudores', e)}",
            "",
        ),
        (
            "Vencido",
            vencido,
            f"{e.porcentaje(c.get('porcentaje_vencido', 0))} del saldo · {facturas(n_vencido)}",
            "alerta" if n_vencido else "",
        ),
        ("En mensajes hoy", hoy, en_mensajes, ""),
        ("Promesas vigentes", promesas, facturas(n_promesas), ""),
        ("En disputa", disputa, facturas(n_disputa), ""),
    ]


def _graficas(c: dict, e: _Escritura, dibujar: bool = True) -> list[dict[str, Any]]:
    """Las tres gráficas de una moneda, con sus cifras en tabla (para leerlas en un teléfono,
    en papel o con un lector de pantalla); sin `dibujar`, solo las tablas."""
    from markupsafe import Markup

    from recordar.informe import graficas

    mon = c.get("moneda")
    corto = lambda v: e.dinero_corto(v, mon)  # noqa: E731
    facturas = lambda n: _cuantas(n, "factura", escritura=e)  # noqa: E731
    tramos = c.get("antiguedad") or []
    pasos = c.get("por_paso") or []
    principales = c.get("principales") or []
    nombres_tramo = [_tramo(t.get("tramo", "")) for t in tramos]
    hechas = []

    def agregar(titulo, etiquetas, valores, notas, columnas, filas, vacio="Sin datos"):
        svg = graficas.barras(etiquetas, valores, titulo, formato=corto, horizontal=True,
                              notas=notas, vacio=vacio) if dibujar else ""  # fmt: skip
        hechas.append({"titulo": titulo, "svg": Markup(svg), "columnas": columnas, "filas": filas})

    agregar(
        f"Antigüedad del saldo ({mon})",
        nombres_tramo,
        [t.get("importe", 0) for t in tramos],
        [facturas(t.get("facturas", 0)) for t in tramos],
        ("Antigüedad", "Importe", "Facturas"),
        [
            (n, e.dinero(t.get("importe", 0), mon), e.numero(t.get("facturas", 0)))
            for n, t in zip(nombres_tramo, tramos, strict=True)
        ],
    )
    agregar(
        f"Vencido por paso de la política ({mon})",
        [str(p.get("paso", "")) for p in pasos],
        [p.get("importe", 0) for p in pasos],
        [facturas(p.get("facturas", 0)) for p in pasos],
        ("Paso", "Vencido", "Facturas"),
        [
            (p.get("paso", ""), e.dinero(p.get("importe", 0), mon), e.numero(p.get("facturas", 0)))
            for p in pasos
        ],
        vacio="Nada vencido",
    )
    agregar(
        f"Deudores con más vencido ({mon})",
        [str(d.get("cliente", "")) for d in principales],
        [d.get("vencido", 0) for d in principales],
        [
            f"{facturas(d.get('facturas', 0))} · {_cuantas(d.get('dias', 0), 'día')}"
            for d in principales
        ],
        ("Deudor", "Vencido", "Facturas", "Mayor atraso"),
        [
            (
                d.get("cliente", ""),
                e.dinero(d.get("vencido", 0), mon),
                e.numero(d.get("facturas", 0)),
                _cuantas(d.get("dias", 0), "día"),
            )
            for d in principales
        ],
        vacio="Nada vencido",
    )
    return hechas


def _tramo(nombre: str) -> str:
    if nombre == "al corriente":
        return "Al corriente"
    return nombre if "día" in nombre else f"{nombre} días"


def _monedas(datos: dict[str, Any], e: _Escritura) -> list[dict[str, Any]]:
    """Tarjetas de cada moneda; las gráficas, de la primera (la de la política o la de más
    saldo): las demás llevan las mismas cifras en tablas."""
    cifras = datos.get("cifras")
    if not isinstance(cifras, dict):
        return []
    monedas = []
    for i, c in enumerate(cifras.get("monedas") or []):
        mensajes = cifras.get("mensajes") if i == 0 else None
        graficas = _graficas(c, e, dibujar=i == 0)
        monedas.append(
            {
                "moneda": c.get("moneda", ""),
                "tarjetas": _tarjetas(c, e, mensajes),
                "graficas": graficas,
            }
        )
    return monedas


def _tabla(
    registros: list[dict], columnas: dict[str, str], e: _Escritura, dinero: tuple[str, ...] = ()
) -> dict[str, Any]:
    """Una tabla con encabezados para personas, cortada en FILAS_POR_TABLA filas."""
    filas = []
    for r in registros[:FILAS_POR_TABLA]:
        fila = []
        for clave in columnas:
            valor = r.get(clave, "")
            if valor is None:
                valor = "—"
            elif clave in dinero:
                valor = e.dinero(valor, r.get("moneda"))
            elif isinstance(valor, list):
                valor = _numeros([str(v) for v in valor])
            elif clave in ("desde", "fecha"):
                valor = e.fecha(valor)
            elif clave == "canal":
                valor = CANALES.get(valor, valor)
            fila.append(valor)
        filas.append(fila)
    return {
        "columnas": list(columnas.values()),
        "filas": filas,
        "total": len(registros),
        "fuera": max(len(registros) - FILAS_POR_TABLA, 0),
    }


def _ejecucion(datos: dict[str, Any], e: _Escritura) -> list[dict[str, Any]]:
    """Las secciones de lineas_de_ejecucion (avisos de la política, sin canal, SMS, tareas
    abiertas), con las cifras y fechas escritas como la política cuando se puede."""
    secciones = []
    for titulo, lineas in lineas_de_ejecucion(datos):
        seccion: dict[str, Any] = {
            "titulo": titulo,
            "lineas": lineas[:FILAS_POR_TABLA],
            "fuera": max(len(lineas) - FILAS_POR_TABLA, 0),
        }
        if titulo == "SMS":
            sms = datos["sms"]
            texto = (
                f"{_cuantas(sms['mensajes'], 'SMS', 'SMS', e)}, "
                f"{_cuantas(sms['segmentos'], 'segmento', escritura=e)}"
            )
            if "costo_estimado" in sms:
                texto += f", coste estimado {e.dinero(sms['costo_estimado'])}"
            seccion.update(lineas=[texto], contar=False)
        elif titulo == "Tareas abiertas":
            seccion["tabla"] = _tabla(
                _registros(datos["tareas_abiertas"]),
                {
                    "id": "Nº",
                    "cliente": "Cliente",
                    "facturas": "Facturas",
                    "paso": "Paso",
                    "descripcion": "Qué hacer",
                    "desde": "Abierta desde",
                },
                e,
            )
        secciones.append(seccion)
    return secciones


def _contexto(datos: dict[str, Any]) -> dict[str, Any]:
    e = _Escritura(datos.get("idioma"), datos.get("moneda"))
    tareas = _registros(datos.get("tareas"))
    abiertas = len(_registros(datos.get("tareas_abiertas")))
    resumen = datos.get("resumen") or {}
    return {
        "datos": datos,
        "fecha": e.fecha(datos.get("fecha", ""), larga=True),
        "resumen": [
            (RESUMEN.get(k, str(k).replace("_", " ").capitalize()), e.numero(v))
            for k, v in resumen.items()
        ],
        "monedas": _monedas(datos, e),
        "tareas_total": len(tareas) + abiertas,
        "tareas_detalle": f"{_cuantas(len(tareas), 'tarea', escritura=e)} de hoy · "
        f"{e.numero(abiertas)} de antes sin cerrar",
        "ejecucion": _ejecucion(datos, e),
        "plan": _plan(datos, e),
        "tareas": _tabla(
            tareas,
            {
                "cliente": "Cliente",
                "facturas": "Facturas",
                "paso": "Paso",
                "dias_vencido": "Días de atraso",
                "total": "Saldo",
                "descripcion": "Qué hacer",
            },
            e,
            dinero=("total",),
        ),
        "omitidas": _omitidas(_registros(datos.get("omitidas"))),
        "rechazos": _tabla(_registros(datos.get("rechazos")), _PROBLEMA, e),
        "avisos": _tabla(_registros(datos.get("avisos")), _PROBLEMA, e),
        "de_la_ejecucion": _de_la_ejecucion(datos, e),
        "numero": e.numero,
        "cuantas": lambda n, s, p=None: _cuantas(n, s, p, e),
        "limites": {"tramo": DEUDORES_POR_TRAMO},
    }


_PROBLEMA = {"fila": "Fila", "columna": "Columna", "valor": "Valor", "motivo": "Motivo"}
_ENVIO = {"cliente": "Cliente", "facturas": "Facturas", "paso": "Paso", "canal": "Canal",
          "destinatario": "Destinatario", "estado": "Estado", "detalle": "Detalle"}  # fmt: skip


def _de_la_ejecucion(datos: dict[str, Any], e: _Escritura) -> list[tuple[str, dict]]:
    """Lo que añade la ejecución, si lo hay: pagos detectados desde la hoja anterior y, en un
    envío real, los envíos inciertos y los reintentados."""
    pagos = [
        dict(p, como="pagada en la hoja" if p.get("pagada_en_hoja") else "ya no está en la hoja")
        for p in _registros(datos.get("pagos_detectados"))
    ]
    secciones = [
        ("Pagos detectados desde la hoja anterior", _tabla(pagos, {
            "factura": "Factura", "cliente": "Cliente", "dias_tarde": "Días tarde",
            "ultimo_aviso": "Último aviso", "como": "Cómo se supo"}, e)),
        ("Envíos inciertos", _tabla(_registros(datos.get("inciertos")), _ENVIO, e)),
        ("Reintentados", _tabla(_registros(datos.get("reintentados")), _ENVIO, e)),
    ]  # fmt: skip
    return [(titulo, t) for titulo, t in secciones if t["total"]]
