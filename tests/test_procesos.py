"""Procesos hijos con fork: resultados, errores, hijos muertos y reparto de tramos."""

import os
import signal

import pytest

from recordar.errores import ErrorPlantilla, ErrorPolitica
from recordar.procesos import Hijo, HijoPerdido, Turnos


def test_el_resultado_del_hijo_vuelve_y_se_calcula_alla():
    datos = list(range(100_000))  # el hijo lo ve sin copiarlo
    hijo = Hijo(lambda: (os.getpid(), sum(datos)))
    pid, suma = hijo.resultado()
    assert pid != os.getpid() and suma == sum(datos)
    with pytest.raises(HijoPerdido):
        hijo.resultado()  # solo una vez


def test_el_error_del_hijo_se_relanza_aqui():
    def falla():
        raise ErrorPlantilla("recordatorio.sms.j2: línea 3: 'x' is undefined")

    with pytest.raises(ErrorPlantilla, match=r"recordatorio\.sms\.j2: línea 3"):
        Hijo(falla).resultado()


def test_un_error_que_no_se_puede_reconstruir_llega_como_texto():
    def falla():
        raise ErrorPolitica("politica.yaml", ["pasos[0].dias: debe ser un número entero"])

    with pytest.raises(RuntimeError, match=r"ErrorPolitica: politica\.yaml: 1 problema"):
        Hijo(falla).resultado()


def test_un_hijo_que_muere_sin_responder_es_un_hijo_perdido():
    hijo = Hijo(lambda: os.kill(os.getpid(), signal.SIGKILL))
    with pytest.raises(HijoPerdido):
        hijo.resultado()


def test_cancelar_termina_al_hijo():
    import time

    hijo = Hijo(lambda: time.sleep(60))
    pid = hijo.pid
    hijo.cancelar()
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, 0)


def test_cada_tramo_lo_toma_un_solo_proceso():
    turnos = Turnos(range(5000))
    hijo = Hijo(lambda: list(turnos))
    aqui = list(turnos)
    alla = hijo.resultado()
    turnos.cerrar()
    assert sorted(aqui + alla) == list(range(5000))
