"""La revisión de `recordar validar`: cada plantilla que la política puede usar, compilada y
generada con un deudor de ejemplo, y todos sus problemas juntos."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

from recordar.cartera.carga import Factura
from recordar.errores import ErrorPlantilla
from recordar.interes import calcular_interes
from recordar.mensajes.plantillas import Plantillas
from recordar.plan import Linea, Mensaje, Ocurrencia
from recordar.politica.politica import Paso, Politica


def revisar_plantillas(
    politica: Politica, hoy: date, modelo: Factura | None = None, extras: Sequence[str] = ()
) -> list[str]:
    """Todos los problemas de las plantillas que la política puede usar; vacío si no hay.

    Cuenta cada paso que manda mensajes (los de la política, los de cada segmento y la promesa
    incumplida) en cada canal que declara o que su segmento impone, y las de otros canales que
    existan (un deudor puede preferir otro canal o no tener el del paso). Cada una se compila y
    se genera con un deudor de ejemplo de una y de dos facturas: el cliente, la moneda y las
    columnas extra de `modelo` (la primera factura válida de la hoja), o `extras` vacías.
    """
    plantillas, problemas = _plantillas_para_revisar(politica, modelo)
    requeridas, otras = _usos_de_plantillas(politica)
    for (nombre, canal), (paso, indice, quien) in {**requeridas, **otras}.items():
        if not plantillas.existe(f"{nombre}.{canal}.j2"):
            if (nombre, canal) in requeridas:
                problemas.append(
                    f"falta la plantilla «{nombre}.{canal}.j2» (la usa {quien} por {canal}): "
                    "créala en plantillas/ junto a la política o cambia su «plantilla»"
                )
            continue
        for facturas in _facturas_de_ejemplo(politica, hoy, paso, modelo, extras):
            mensaje = _mensaje_de_ejemplo(politica, paso, indice, canal, hoy, facturas)
            problemas += plantillas.revisar(mensaje, hoy)
    return list(dict.fromkeys(problemas))


def _plantillas_para_revisar(
    politica: Politica, modelo: Factura | None
) -> tuple[Plantillas, list[str]]:
    """Las plantillas de la política y, si el enlace de pago falla, su problema (y se revisa
    lo demás sin él, para no repetirlo en cada plantilla)."""
    try:
        plantillas = Plantillas(politica)
        plantillas.enlace_pago(modelo.cliente if modelo else _CLIENTE, Decimal("100"), "F-1001")
        return plantillas, []
    except ErrorPlantilla as exc:
        sin_enlace = replace(politica, empresa={**politica.empresa, "enlace_pago": ""})
        return Plantillas(sin_enlace), [exc.mensaje]


def _usos_de_plantillas(politica: Politica) -> tuple[dict, dict]:
    """((plantilla, canal) → (paso, índice, quién la usa)) de las que un paso necesita, y de
    las de los demás canales (que se revisan solo si existen)."""
    grupos = [("", politica.pasos, ())] + [
        (f" del segmento «{s.nombre}»", s.pasos or politica.pasos, s.canales)
        for s in politica.segmentos
    ]
    requeridas: dict[tuple[str, str], tuple] = {}
    for donde, pasos, canales_segmento in grupos:
        todos = list(enumerate(pasos))
        if politica.promesa_incumplida is not None:
            todos.append((len(pasos), politica.promesa_incumplida))
        for indice, paso in todos:
            if paso.es_tarea or not paso.plantilla:
                continue
            es_promesa = paso is politica.promesa_incumplida
            quien = "«promesa_incumplida»" if es_promesa else f"el paso «{paso.id}»"
            quien += donde
            for canal in canales_segmento or paso.canales:
                requeridas.setdefault((paso.plantilla, canal), (paso, indice, quien))
    otras = {}
    for (nombre, _), uso in requeridas.items():
        for canal in ("email", "sms", "whatsapp"):
            if (nombre, canal) not in requeridas:
                otras.setdefault((nombre, canal), uso)
    return requeridas, otras


_CLIENTE = "Cliente de ejemplo"


def _facturas_de_ejemplo(
    politica: Politica, hoy: date, paso: Paso, modelo: Factura | None, extras: Sequence[str]
) -> list[list[Factura]]:
    """Una factura y dos del mismo deudor, con el atraso del paso (la segunda, 5 días menos)."""
    cliente = modelo.cliente if modelo else _CLIENTE
    moneda = modelo.moneda if modelo else politica.moneda
    enlace = modelo.enlace_pago if modelo else ""
    datos = dict(modelo.extras) if modelo else dict.fromkeys(extras, "")
    dias = paso.dias if paso is not politica.promesa_incumplida else 15
    facturas = [
        Factura(2, "F-1001", cliente, cliente, Decimal("12450.00"), hoy - timedelta(days=dias),
                moneda, enlace, datos),
        Factura(3, "F-1002", cliente, cliente, Decimal("3200.50"), hoy - timedelta(days=dias - 5),
                moneda, enlace, datos),
    ]  # fmt: skip
    return [facturas[:1], facturas]


def _mensaje_de_ejemplo(
    politica: Politica, paso: Paso, indice: int, canal: str, hoy: date, facturas: list[Factura]
) -> Mensaje:
    if paso is politica.promesa_incumplida:  # como la arma el plan (plan._promesa_rota)
        promesa = hoy - timedelta(days=2)
        paso = replace(paso, id=f"{paso.id}@{promesa.isoformat()}")
        atraso = (hoy - facturas[0].vencimiento).days
        ocurrencia = Ocurrencia(paso, indice, promesa.toordinal(), atraso)
    else:
        ocurrencia = Ocurrencia(paso, indice, 1, paso.dias)
    lineas = []
    for f in facturas:
        dias = (hoy - f.vencimiento).days
        interes, compensacion = calcular_interes(
            f.monto, dias, politica.interes_moratorio, f.vencimiento
        )
        lineas.append(Linea(f, ocurrencia, dias, interes, compensacion))
    f = facturas[0]
    return Mensaje(f.deudor, f.cliente, canal, "", ocurrencia, lineas, f.moneda)
