"""`recordar validar` como biblioteca: revisar hoja, política, plantillas y canales sin enviar ni
escribir nada, y devolver todo lo encontrado a la vez (la CLI lo muestra)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from recordar.cartera.carga import Cartera
    from recordar.plan import Plan
    from recordar.politica.politica import Politica


@dataclass(slots=True)
class Revision:
    """Lo que `validar` encontró."""

    politica: Politica
    cartera: Cartera
    plan: Plan
    plantillas: list[str] = field(default_factory=list)  # problemas de las plantillas
    canales: list[str] = field(default_factory=list)  # lo que enviar rechazaría al crearlos
    ejemplo: list[str] = field(default_factory=list)  # claves con valores de ejemplo
    antes_de_enviar: list[str] = field(default_factory=list)  # lo que impide un envío real

    @property
    def codigo_salida(self) -> int:
        """1 si hay filas rechazadas, avisos, plantillas o canales con errores; si no, 0."""
        c = self.cartera
        return 1 if c.rechazos or c.avisos or self.plantillas or self.canales else 0


def revisar(
    cartera_ruta: Path, politica: Politica, hoja: str | None, fecha: date, ahora: datetime | None
) -> Revision:
    """Todo lo que `validar` revisa: las plantillas que la política puede usar (con un deudor de
    ejemplo), cada canal configurado (construido como en `enviar`, sin conectar), los valores de
    ejemplo, los canales sin transporte y los SMS de más de `max_segmentos`."""
    from recordar.canales import configurar_canales, revisar_canales, variables_sin_definir
    from recordar.ejecucion import cargar, planificar_y_generar
    from recordar.errores import ErrorCanal
    from recordar.mensajes.revision_plantillas import revisar_plantillas
    from recordar.politica.ejemplos import valores_de_ejemplo
    from recordar.preparacion import (
        canales_sin_transporte,
        parametros_que_pueden_faltar,
        pasos_sin_plantilla_aprobada,
        plantillas_sin_paso,
        sms_largos,
    )

    cartera = cargar(cartera_ruta, politica, hoja)
    modelo = cartera.facturas[0] if cartera.facturas else None
    revision = Revision(politica, cartera, plan=None)  # type: ignore[arg-type]
    revision.plantillas = revisar_plantillas(politica, fecha, modelo, cartera.extras)
    if revision.plantillas:
        return revision  # sin plantillas que se generen no hay plan que revisar
    revision.plan, _ = planificar_y_generar(politica, cartera, fecha, ahora=ahora, simulacro=True,
                                            traer_textos=False)  # fmt: skip
    contacto = str(politica.empresa.get("contacto") or "")
    revision.canales = revisar_canales(politica.canales, politica.carpeta, contacto,
                                       politica.idioma)  # fmt: skip
    avisos_whatsapp = []
    if not revision.canales:
        try:
            rutas = configurar_canales(
                politica.canales, politica.carpeta, contacto, politica.idioma
            )
        except ErrorCanal as exc:  # p. ej. un tipo que no sirve para su canal
            revision.canales.append(exc.mensaje)
        else:
            revision.canales += pasos_sin_plantilla_aprobada(politica, rutas)
            avisos_whatsapp = plantillas_sin_paso(politica, rutas) + parametros_que_pueden_faltar(
                politica, cartera, rutas
            )
    revision.ejemplo = valores_de_ejemplo(politica)
    revision.antes_de_enviar = (
        _pendientes_para_enviar(politica, revision.ejemplo)
        + canales_sin_transporte(politica, cartera.contactos)
        + sms_largos(politica, cartera, revision.plan, fecha)
        + avisos_whatsapp
        + variables_sin_definir(politica.canales, politica.carpeta, contacto)
    )
    return revision


def _pendientes_para_enviar(politica: Politica, ejemplo: list[str]) -> list[str]:
    """Lo que impide un envío real: la política predeterminada o valores de ejemplo."""
    if politica.ruta is None:
        return ["política predeterminada: solo para simulacros; crea la tuya con «recordar "
                "iniciar CARPETA» para enviar de verdad"]  # fmt: skip
    return [f"{clave}: valor de ejemplo de «recordar iniciar»; pon el tuyo (o borra la clave) "
            "antes de enviar de verdad" for clave in ejemplo]  # fmt: skip
