"""Precompilar en otro proceso las plantillas de la política mientras se lee la cartera."""

from __future__ import annotations

from recordar.mensajes.entorno import _COMPILADAS
from recordar.mensajes.plantillas import Plantillas
from recordar.politica.politica import Politica


def nombres_de_la_politica(politica: Politica) -> list[tuple[str, bool]]:
    """(nombre, es HTML) de las plantillas que los pasos de la política pueden usar."""
    pasos = [*politica.pasos, *(p for s in politica.segmentos for p in s.pasos)]
    if politica.promesa_incumplida is not None:
        pasos.append(politica.promesa_incumplida)
    nombres = dict.fromkeys(p.plantilla for p in pasos if p.plantilla)
    return [
        (f"{nombre}.{sufijo}", sufijo.endswith("html.j2"))
        for nombre in nombres
        for sufijo in ("email.j2", "email.html.j2", "sms.j2", "whatsapp.j2")
    ]


class Precompilacion:
    """Compila en un proceso hijo las plantillas de la política mientras este hace otra cosa
    (leer la cartera, que solo usa un núcleo); `recoger()` las trae a la caché del proceso.

    Compilar las ~28 plantillas incluidas cuesta ~0,5 s. Si algo falla en el hijo, no pasa
    nada: cada plantilla que falte se compila al usarla, como siempre (y sus errores se
    informan entonces).
    """

    def __init__(self, politica: Politica) -> None:
        from recordar.procesos import Hijo

        self._hijo: Hijo | None = Hijo(lambda: _compilar(politica))

    def recoger(self) -> None:
        """Espera al hijo y añade lo que compiló; idempotente."""
        from recordar.procesos import HijoPerdido

        hijo, self._hijo = self._hijo, None
        if hijo is None:
            return
        try:
            compiladas = hijo.resultado()
        except (HijoPerdido, OSError):
            return  # sin precompilación: se compilan al usarlas
        for autoescape, datos in compiladas.items():
            for llave, codigo in datos.items():
                _COMPILADAS[autoescape].datos.setdefault(llave, codigo)

    def cancelar(self) -> None:
        hijo, self._hijo = self._hijo, None
        if hijo is not None:
            hijo.cancelar()

    def __enter__(self) -> Precompilacion:
        return self

    def __exit__(self, tipo: type | None, *_: object) -> None:
        if tipo is None:
            self.recoger()
        else:  # lo de dentro falló (p. ej. la cartera): no hace falta esperar al hijo
            self.cancelar()


def _compilar(politica: Politica) -> dict[bool, dict[str, bytes]]:
    import contextlib

    plantillas = Plantillas(politica)
    for nombre, html in nombres_de_la_politica(politica):
        # Si una falla, el padre la compilará al usarla y dirá qué tiene.
        with contextlib.suppress(Exception):
            plantillas._plantilla(nombre, html=html)
    return {autoescape: c.datos for autoescape, c in _COMPILADAS.items()}


def precompilar(politica: Politica, tamano_cartera: int) -> Precompilacion | None:
    """Empieza a compilar en segundo plano si vale la pena: cartera grande (desde ~1 MB, leerla
    tarda más que compilar) y procesos disponibles (ver procesos.cuantos_procesos)."""
    from recordar.procesos import cuantos_procesos

    if cuantos_procesos(tamano_cartera, MINIMO_BYTES_PARA_PRECOMPILAR) < 2:
        return None
    try:
        return Precompilacion(politica)
    except OSError:
        return None


MINIMO_BYTES_PARA_PRECOMPILAR = 1_000_000
