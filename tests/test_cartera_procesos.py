"""La carga repartida entre dos procesos da la misma cartera que en uno solo, aun si el hijo falla."""

import atexit
import os
import signal
import time
from array import array
from datetime import datetime

import pytest

import recordar.cartera.columnas as modulo
from recordar.cartera.cabecera import SINONIMOS
from recordar.cartera.carga import cargar_cartera
from tests.conftest import escribir_csv, escribir_xlsx

CABECERA = [
    "Cliente", "Correo", "Teléfono", "Factura", "Vencimiento", "Importe", "Moneda", "Estado",
    "Canal", "Zona horaria", "Pausa hasta", "Promesa de pago", "Disputa", "No contactar",
    "Enlace de pago", "Vendedor",
]  # fmt: skip
CLIENTES = ["José Núñez Peña", "Abarrotes La Güera", "", "Ana", "Ferretería Ñandú"]
CORREOS = ["jose@ejemplo.com", "ana@", "a@x.com; b@y.com", "", "josé@ejemplo.com", "x@@y"]
TELEFONOS = ["55 1234 5678", "12", "+52 1 55 1234 5678", "5512345678 / 5587654321", "", "abc"]
VENCIMIENTOS = ["15/10/2026", "31/02/2026", "", "15 de marzo de 2026", "mañana", "2026-12-01"]
IMPORTES = ["$1,234.50", "abc", "", "-50", "0", "1.234,56 €", "1500.5", "US$ 20", "12 XYZ"]
MONEDAS = ["", "MXN", "usd", "XYZ", "€"]
ESTADOS = ["", "Pendiente", "Pagada", "pagado"]
CANALES = ["", "sms", "paloma", "WhatsApp"]
ZONAS = ["", "America/Bogota", "Marte/Olimpo"]
PAUSAS = ["", "2026-12-01", "nunca"]
DISPUTAS = ["", "sí", "no", "x"]


def _filas(n: int = 90, xlsx: bool = False) -> list[list]:
    filas = [["Cartera al 23/11/2026"], [], CABECERA]
    for i in range(n):
        vencimiento = VENCIMIENTOS[i % 6]
        importe = IMPORTES[i % 9]
        if xlsx and i % 5 == 0:  # celdas con tipo: fecha, número y booleano
            vencimiento, importe = datetime(2026, 11, 1 + i % 28), 1000.5 + i % 3
        no_contactar = [True, False, 1, 0, ""][i % 5] if xlsx else ["", "si", "no"][i % 3]
        filas.append(
            [
                CLIENTES[i % 5],
                CORREOS[i % 6],
                TELEFONOS[i % 6],
                f"F-{i % 70}",
                vencimiento,
                importe,
                MONEDAS[i % 5],
                ESTADOS[i % 4],
                CANALES[i % 4],
                ZONAS[i % 3],
                PAUSAS[i % 3],
                PAUSAS[(i + 1) % 3],
                DISPUTAS[i % 4],
                no_contactar,
                f"https://pago.ejemplo/{i % 7}",
                f"Vendedor {i % 4}",
            ]  # fmt: skip
        )
    filas.append(["TOTAL"])
    return filas


def _contenido(cartera) -> tuple:
    # str(monto): Decimal("1.5") == Decimal("1.50"), pero el exponente también debe ser igual.
    return (
        cartera.facturas, [str(f.monto) for f in cartera.facturas], cartera.omitidas,
        cartera.rechazos, cartera.avisos, cartera.contactos, cartera.numeros_rechazados,
        cartera.columnas, cartera.extras, cartera.fila_cabecera, cartera.hoja,
    )  # fmt: skip


@pytest.fixture(params=["csv", "xlsx"])
def hoja(request, tmp_path):
    if request.param == "csv":
        return escribir_csv(tmp_path / "c.csv", _filas())
    return escribir_xlsx(tmp_path / "c.xlsx", _filas(xlsx=True))


@pytest.fixture
def hijo(monkeypatch):
    """Fuerza el reparto y anota los pid de los hijos y cada columna que el padre recibió."""
    monkeypatch.setenv("RECORDAR_PROCESOS", "2")
    registro = {"pids": [], "recibidas": 0}
    iniciar, por_fila = modulo._iniciar_hijo, modulo._por_fila

    def iniciar_espia(*args):
        nuevo = iniciar(*args)
        registro["pids"].append(nuevo.pid)
        return nuevo

    def por_fila_espia(*args):
        resultado = por_fila(*args)
        registro["recibidas"] += 1
        return resultado

    monkeypatch.setattr(modulo, "_iniciar_hijo", iniciar_espia)
    monkeypatch.setattr(modulo, "_por_fila", por_fila_espia)
    return registro


def _en_serie(ruta, monkeypatch):
    monkeypatch.setenv("RECORDAR_PROCESOS", "1")
    return cargar_cartera(ruta)


def _sin_hijos_vivos(pids: list[int]) -> bool:
    for pid in pids:
        try:
            os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            continue  # ya recogido por el padre
        return False
    return True


@pytest.mark.parametrize("columnas_del_hijo", [modulo.COLUMNAS_DEL_HIJO, tuple(SINONIMOS)])
def test_repartida_igual_que_en_serie(hoja, hijo, monkeypatch, tmp_path, columnas_del_hijo):
    monkeypatch.setattr(modulo, "COLUMNAS_DEL_HIJO", columnas_del_hijo)
    marca = tmp_path / "atexit"
    despedida = lambda: marca.write_text("el hijo ejecutó atexit")  # noqa: E731
    atexit.register(despedida)
    try:
        repartida = cargar_cartera(hoja)  # primero, para que el hijo no herede cachés llenas
    finally:
        atexit.unregister(despedida)
    assert len(hijo["pids"]) == 1 and _sin_hijos_vivos(hijo["pids"])
    assert hijo["recibidas"] == len([c for c in columnas_del_hijo if c in repartida.columnas])
    assert not marca.exists()
    en_serie = _en_serie(hoja, monkeypatch)
    assert _contenido(repartida) == _contenido(en_serie)
    # La hoja de prueba tiene de todo: que la comparación no sea entre carteras vacías.
    assert en_serie.facturas and en_serie.omitidas and en_serie.avisos
    motivos = " ".join(r.motivo for r in en_serie.rechazos + en_serie.avisos)
    for motivo in ("no es un importe válido", "no es una fecha válida", "repetida",
                   "no es un correo válido", "no es un teléfono válido", "falta el nombre",
                   "no es una moneda reconocida", "no es un canal", "no es una zona horaria"):  # fmt: skip
        assert motivo in motivos


def _falla_con_excepcion(valores, funcion):
    raise RuntimeError("falla en el hijo")


def _sale_con_codigo(valores, funcion):
    os._exit(3)


def _muere_por_senal(valores, funcion):
    os.kill(os.getpid(), signal.SIGKILL)


def _devuelve_basura(valores, funcion):
    return [], array("I", [7] * len(valores))


def _se_cuelga(valores, funcion):
    time.sleep(60)


@pytest.mark.parametrize(
    "falla", [_falla_con_excepcion, _sale_con_codigo, _muere_por_senal, _devuelve_basura]
)
def test_si_el_hijo_falla_el_padre_interpreta_esas_columnas(hoja, hijo, monkeypatch, falla):
    monkeypatch.setattr(modulo, "_interpretar_distintos", falla)  # solo lo usa el hijo
    repartida = cargar_cartera(hoja)
    assert len(hijo["pids"]) == 1 and _sin_hijos_vivos(hijo["pids"])
    assert _contenido(repartida) == _contenido(_en_serie(hoja, monkeypatch))


def test_si_el_padre_falla_no_deja_al_hijo_vivo(hoja, hijo, monkeypatch):
    def falla(valores):
        raise RuntimeError("falla en el padre")

    monkeypatch.setattr(modulo, "_valores_extra", falla)  # la columna «Vendedor», en el padre
    monkeypatch.setattr(modulo, "_interpretar_distintos", _se_cuelga)
    with pytest.raises(RuntimeError, match="falla en el padre"):
        cargar_cartera(hoja)
    assert len(hijo["pids"]) == 1 and _sin_hijos_vivos(hijo["pids"])


def test_cuando_se_reparte(monkeypatch):
    monkeypatch.delenv("RECORDAR_PROCESOS", raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    assert not modulo._repartir(modulo.FILAS_PARA_REPARTIR - 1)
    assert modulo._repartir(modulo.FILAS_PARA_REPARTIR)
    monkeypatch.setattr(os, "cpu_count", lambda: 1)
    assert not modulo._repartir(modulo.FILAS_PARA_REPARTIR)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    monkeypatch.setenv("RECORDAR_PROCESOS", "1")
    assert not modulo._repartir(10**6)
    monkeypatch.setenv("RECORDAR_PROCESOS", "2")
    assert modulo._repartir(10)
