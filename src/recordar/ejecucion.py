"""Una ejecución de `recordar enviar`, simulacro o real, por un solo camino: cargar la hoja →
abrir la bitácora (en el simulacro, una copia en memoria) → inciertos y pagos desde la hoja
anterior → planificar → generar los mensajes → enviarlos o no. Solo el último paso cambia: el
simulacro es el mismo recorrido con el transporte apagado (como el dry run de mailmerge), así
que no puede mostrar otra cosa que lo que el envío real mandaría.

Devuelve una `Ejecucion` que la CLI muestra y los informes escriben; aquí no se imprime nada.
Aquí vive también lo que hace rápida una ejecución grande (compilar plantillas en otro núcleo
mientras se lee la hoja, generar en dos procesos, congelar el recolector, mantener vivos los
objetos hasta el final).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from recordar.errores import ErrorCanal, ErrorCartera

if TYPE_CHECKING:
    from recordar.bitacora_pagos import Pagos
    from recordar.cartera.carga import Cartera
    from recordar.envio import Resultado
    from recordar.plan import Historial, Plan
    from recordar.politica.politica import Politica

# Lo que vive hasta el final del proceso (cartera, plan): `cli.main` sale con os._exit sin
# recorrerlo para liberarlo (cientos de miles de objetos: ~0,3 s con 100 000 filas).
HASTA_EL_FINAL: list = []


@dataclass(slots=True)
class Pedido:
    """Lo que se pide a una ejecución (lo que la CLI lee de sus opciones)."""

    cartera: Path
    politica: Politica
    fecha: date
    bitacora: Path
    ahora: datetime | None = None  # con zona: activa el horario permitido
    simulacro: bool = False
    hoja: str | None = None
    reintentar_inciertos: bool = False
    confirmar_pagos: bool = False
    # En el simulacro con informe .json, cada mensaje se codifica donde se genera (más rápido).
    informe_json: bool = False
    # Sin informe completo, del texto de cada mensaje solo hace falta el de la vista previa.
    traer_textos: bool = True
    espera_reintento: float = 1.0
    avisar: Callable[[str], None] | None = None  # avisos del envío real, según ocurren
    # El progreso del envío real: empezar(total), anotar(estado) por mensaje, terminar().
    progreso: Any = None


@dataclass(slots=True)
class Ejecucion:
    """Lo que pasó: la hoja, el plan con sus mensajes y, en un envío real, cómo fue."""

    pedido: Pedido
    cartera: Cartera
    plan: Plan
    pagos: Pagos
    abiertas: list = field(default_factory=list)  # tareas abiertas en la bitácora
    cuentas_sms: list = field(default_factory=list)  # (SMS, segmentos) por tramo generado
    registros: list = field(default_factory=list)  # JSON de cada tramo (simulacro .json)
    resultado: Resultado | None = None  # solo en un envío real
    inciertos_nuevos: int = 0
    previo: Any = None  # lo que `mientras` devolvió (vista previa hecha mientras se generaba)

    @property
    def codigo_salida(self) -> int:
        """0 hecho; 1 si algún mensaje falló, quedó incierto o la bitácora dejó de anotar."""
        return 1 if self.resultado is not None and self.resultado.con_problemas else 0


def ejecutar(pedido: Pedido, mientras: Callable[[Cartera, Plan], Any] | None = None) -> Ejecucion:
    """Hace la ejecución pedida. `mientras(cartera, plan)` se llama cuando el plan está hecho,
    mientras otro proceso genera los mensajes (la CLI prepara ahí la vista previa)."""
    from recordar import recientes
    from recordar.bitacora import Bitacora
    from recordar.canales import canales_disponibles, configurar_canales
    from recordar.preparacion import exigir_lista_para_enviar, pasos_sin_plantilla_aprobada

    politica = pedido.politica
    if pedido.simulacro:
        rutas = None
        disponibles = canales_disponibles(politica.canales)
    else:
        exigir_lista_para_enviar(politica)
        if not politica.canales:
            raise ErrorCanal(
                f"{politica.nombre}: no hay canales configurados en «canales:»; configura email, "
                "sms, whatsapp o archivo (o usa --simulacro para ver qué se enviaría)"
            )
        rutas = configurar_canales(politica.canales, politica.carpeta,
                                   str(politica.empresa.get("contacto") or ""), politica.idioma)  # fmt: skip
        if problemas := pasos_sin_plantilla_aprobada(politica, rutas):
            raise ErrorCanal(problemas[0])  # antes de leer la hoja y de enviar nada
        disponibles = frozenset(rutas)
    cartera = cargar(pedido.cartera, politica, pedido.hoja)
    exigir_filas(cartera)
    abrir = Bitacora.abrir_simulacro if pedido.simulacro else Bitacora.abrir_escritura
    with abrir(pedido.bitacora) as b:
        if not pedido.simulacro:
            recientes.anotar(pedido.bitacora, politica.ruta)
        # Lo que quedó «enviando» de una ejecución muerta cuenta como hecho al planificar.
        inciertos_nuevos = b.marcar_inciertos()
        pagos = detectar_pagos(b, cartera, pedido.fecha, pedido.confirmar_pagos,
                               anotar_abiertas=not pedido.simulacro)  # fmt: skip
        historial = b.historial()
        if pedido.simulacro:
            # La copia en memoria ya dijo lo que tenía que decir: se cierra antes de generar
            # (no ocupa memoria durante el render ni pasa al proceso hijo).
            abiertas = b.tareas_abiertas()
            b.cerrar()
        ejecucion = _generar(pedido, cartera, historial, disponibles, pagos, mientras)
        ejecucion.inciertos_nuevos = inciertos_nuevos
        if not pedido.simulacro:
            ejecucion.resultado = _enviar(pedido, b, rutas, ejecucion.plan, inciertos_nuevos)
            abiertas = b.tareas_abiertas()
    ejecucion.abiertas = abiertas
    return ejecucion


def _generar(pedido: Pedido, cartera, historial: Historial, disponibles, pagos, mientras):
    """El plan de hoy con sus mensajes generados (en dos procesos si la cartera es grande)."""
    from recordar.informe.archivos import mensajes_a_json
    from recordar.preparacion import contar_sms

    def por_tramo(mensajes):
        # Los SMS y sus segmentos (y en el simulacro .json, el registro de cada mensaje) se
        # cuentan donde se generó cada tramo.
        json = mensajes_a_json(mensajes) if pedido.informe_json else None
        return json, contar_sms(mensajes)

    previo: list = []
    plan, tramos = planificar_y_generar(
        pedido.politica, cartera, pedido.fecha, historial, disponibles, pedido.ahora,
        simulacro=pedido.simulacro, por_tramo=por_tramo,
        traer_textos=pedido.traer_textos or not pedido.simulacro,
        mientras=(lambda plan: previo.append(mientras(cartera, plan))) if mientras else None,
    )  # fmt: skip
    HASTA_EL_FINAL.append((cartera, plan))
    return Ejecucion(
        pedido, cartera, plan, pagos,
        cuentas_sms=[t[1] for t in tramos], registros=[t[0] for t in tramos],
        previo=previo[0] if previo else None,
    )  # fmt: skip


def _enviar(pedido: Pedido, b, rutas, plan, inciertos_nuevos: int) -> Resultado:
    from recordar.envio import Enviador

    progreso = pedido.progreso
    enviador = Enviador(b, rutas, pedido.fecha, reintentar_inciertos=pedido.reintentar_inciertos,
                        espera=pedido.espera_reintento, avisar=pedido.avisar,
                        al_anotar=progreso.anotar if progreso is not None else None)  # fmt: skip
    if progreso is None:
        resultado = enviador.enviar(plan)
    else:
        progreso.empezar(len(plan.mensajes))
        try:
            resultado = enviador.enviar(plan)
        finally:
            progreso.terminar()
    resultado.inciertos_nuevos = inciertos_nuevos
    return resultado


def detectar_pagos(b, cartera, fecha: date, confirmar: bool, anotar_abiertas: bool = True):
    """Pagos desde la hoja anterior (en el simulacro, en su copia en memoria de la bitácora,
    sin anotar las abiertas: la copia se tira)."""
    cerradas = {o.factura for o in cartera.omitidas}
    return b.detectar_pagos(cartera.facturas, cerradas, fecha, cartera.numeros_rechazados,
                            confirmar, anotar_abiertas)  # fmt: skip


def exigir_filas(cartera) -> None:
    """Una hoja sin filas de datos no es «nadie debe nada»: es la hoja equivocada o vacía."""
    if cartera.filas == 0:
        hoja = f" (hoja «{cartera.hoja}»)" if cartera.hoja else ""
        raise ErrorCartera(
            f"{cartera.ruta}{hoja}: la hoja no tiene filas de datos, solo la cabecera; revisa que "
            "sea la cartera correcta (o la hoja, con --hoja): no se envía ni se registra nada"
        )


def cargar(cartera_ruta: Path, politica: Politica, hoja: str | None) -> Cartera:
    """La cartera, leída con lo que dice la política (columnas, idioma, moneda, región)."""
    from recordar.cartera.carga import cargar_cartera
    from recordar.mensajes.precompilacion import precompilar

    try:
        tamano = Path(cartera_ruta).stat().st_size
    except OSError:
        tamano = 0  # cargar_cartera dice qué pasa con el archivo
    # Con una cartera grande, las plantillas se compilan en otro núcleo mientras se lee.
    with precompilar(politica, tamano) or contextlib.nullcontext(), fijar():
        return cargar_cartera(
            cartera_ruta,
            hoja=hoja,
            columnas=politica.columnas,
            idioma=politica.idioma,
            moneda=politica.moneda,
            region_telefono=politica.region_telefono,
        )


@contextlib.contextmanager
def fijar() -> Iterator[None]:
    """Crea sin el recolector cíclico lo que vive hasta el final de la orden (cartera, plan) y
    luego lo saca de sus pasadas (gc.freeze).

    No tiene ciclos; sin esto, cada pasada completa recorre cientos de miles de objetos (~0,5 s
    con 100 000 filas) y, tras el fork del render en dos procesos, el hijo copiaría páginas solo
    por recorrerlas. Sin recolector hasta congelar, tampoco hay la pasada que cargar_cartera y
    planificar harían al reactivarlo (~0,2 s tras planificar 100 000 facturas).
    """
    import gc

    estaba = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if estaba:
            gc.enable()


def planificar_y_generar(
    politica, cartera, fecha, historial=None, disponibles=None, ahora=None, simulacro=False,
    por_tramo=None, traer_textos=True, mientras=None,
):  # fmt: skip
    """(plan de hoy con sus mensajes generados, lo que `por_tramo` devolvió para cada tramo
    en el proceso que lo generó); `mientras(plan)` se hace aquí mientras otro proceso genera.
    Ver renderizado.renderizar_plan."""
    from recordar.canales import canales_disponibles
    from recordar.mensajes.plantillas import Plantillas
    from recordar.mensajes.renderizado import renderizar_plan
    from recordar.plan import planificar

    plantillas = Plantillas(politica, html_una_vez=simulacro)
    disponibles = disponibles or canales_disponibles(politica.canales)
    with fijar():
        plan = planificar(
            cartera.facturas, cartera.contactos, politica, fecha, historial, disponibles, ahora
        )
    resultados = renderizar_plan(
        plan, plantillas, por_tramo=por_tramo, traer_textos=traer_textos,
        mientras=(lambda: mientras(plan)) if mientras is not None else None,
    )  # fmt: skip
    return plan, resultados


def espera_reintento() -> float:
    """Segundos base entre reintentos de un error temporal (RECORDAR_ESPERA_REINTENTO)."""
    return float(os.environ.get("RECORDAR_ESPERA_REINTENTO", "1"))
