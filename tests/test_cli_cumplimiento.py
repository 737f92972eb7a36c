"""Los controles de cumplimiento de punta a punta: bajas, promesas, pagos detectados, motivos."""

from datetime import timedelta

import pytest

from tests.canal_falso import CanalMemoria
from tests.conftest import CABECERA, HOY, escribir_xlsx, leer_json, preparar_carpeta

POLITICA = """
empresa: {nombre: "Ferretería López", contacto: "cobranza@ejemplo.com"}
pasos:
  - {id: recordatorio, dias: 1, canales: [email], plantilla: recordatorio}
  - {id: seguimiento, dias: 6, repetir_cada: 5, canales: [email], plantilla: seguimiento}
cadencia_adaptativa: {min_intervalo: 2, max_intervalo: 9}
pie_baja: "Para no recibir más recordatorios, responda BAJA."
canales:
  email: {tipo: memoria}
"""


@pytest.fixture
def carpeta(en_tmp, monkeypatch):
    preparar_carpeta(en_tmp, POLITICA, monkeypatch)
    return en_tmp


def _hoja(carpeta, filas):
    escribir_xlsx(
        carpeta / "cartera.xlsx", [CABECERA + ["Promesa de pago", "Disputa", "Pausa hasta"], *filas]
    )


def _enviar(correr, hoy, *extra):
    return correr(
        "enviar", "cartera.xlsx", "--hoy", hoy.isoformat(), "--salida", "informe.json", *extra
    )


def test_baja_se_respeta_en_las_siguientes_ejecuciones(carpeta, correr):
    _hoja(
        carpeta, [["Ana", "Ana@Ejemplo.com", "", "F-1", HOY - timedelta(days=2), 100, "", "", ""]]
    )
    r = correr("baja", "ana@ejemplo.com", "--motivo", "lo pidió por teléfono")
    assert r.exit_code == 0, r.output
    assert "Baja registrada: ana@ejemplo.com" in r.output
    r = _enviar(correr, HOY)
    assert r.exit_code == 0, r.output
    assert CanalMemoria.enviados == []
    (o,) = leer_json(carpeta / "informe.json")["omitidas"]
    assert o["motivo"].startswith("baja:")
    assert correr("baja", "no-es-un-correo").exit_code == 2


def test_pie_de_baja_en_cada_mensaje(carpeta, correr):
    _hoja(
        carpeta, [["Ana", "ana@ejemplo.com", "", "F-1", HOY - timedelta(days=2), 100, "", "", ""]]
    )
    assert _enviar(correr, HOY).exit_code == 0
    (envio,) = CanalMemoria.enviados
    assert envio.cuerpo.endswith("Para no recibir más recordatorios, responda BAJA.")


def test_promesa_vigente_y_luego_incumplida_una_sola_vez(carpeta, correr):
    promesa = HOY + timedelta(days=2)
    _hoja(
        carpeta,
        [["Ana", "ana@ejemplo.com", "", "F-1", HOY - timedelta(days=10), 100, promesa, "", ""]],
    )
    r = _enviar(correr, HOY)
    assert r.exit_code == 0 and CanalMemoria.enviados == []
    assert (
        leer_json(carpeta / "informe.json")["omitidas"][0]["motivo"]
        == "promesa vigente: pagará a más tardar el 2026-11-25"
    )
    r = _enviar(correr, HOY + timedelta(days=3))
    assert r.exit_code == 0, r.output
    (envio,) = CanalMemoria.enviados
    assert envio.paso == "promesa_incumplida@2026-11-25" and envio.plantilla == "promesa_incumplida"
    assert "25 de noviembre de 2026" in envio.cuerpo
    r = _enviar(correr, HOY + timedelta(days=4))
    assert [e.paso for e in CanalMemoria.enviados] == ["promesa_incumplida@2026-11-25"]
    r = _enviar(correr, HOY + timedelta(days=12))  # la cadencia sigue: el seguimiento del día 21
    assert [e.paso for e in CanalMemoria.enviados][1:] == ["seguimiento#4"]


def test_pago_detectado_entre_ejecuciones_y_cadencia_que_se_adapta(carpeta, correr):
    _hoja(carpeta, [
        ["Ana", "ana@ejemplo.com", "", "F-1", HOY - timedelta(days=1), 100, "", "", ""],
        ["Ana", "ana@ejemplo.com", "", "F-2", HOY + timedelta(days=20), 50, "", "", ""],
    ])  # fmt: skip
    assert _enviar(correr, HOY).exit_code == 0
    # Ana paga F-1 dos días después del recordatorio: la fila desaparece de la hoja.
    _hoja(
        carpeta, [["Ana", "ana@ejemplo.com", "", "F-2", HOY + timedelta(days=20), 50, "", "", ""]]
    )
    r = _enviar(correr, HOY + timedelta(days=2))
    assert r.exit_code == 0, r.output
    assert "Pagos detectados desde la hoja anterior: 1" in r.output
    (pago,) = leer_json(carpeta / "informe.json")["pagos_detectados"]
    assert pago == {
        "factura": "F-1",
        "cliente": "Ana",
        "dias_tarde": 3,
        "ultimo_aviso": "recordatorio",
        "pagada_en_hoja": False,
    }
    # Con ese historial, sus seguimientos se espacian al máximo (9 días) y el informe lo explica.
    r = _enviar(correr, HOY + timedelta(days=27), "--simulacro")
    assert r.exit_code == 0, r.output
    (m,) = leer_json(carpeta / "informe.json")["mensajes"]
    assert m["paso"] == "seguimiento"  # día 7 tras vencer F-2: 6 + 9 aún no llega
    assert (
        m["nota"] == "intervalo 9 d: suele pagar 2 d después del último aviso (1 pago registrado)"
    )


def test_disputa_y_pausa_desde_la_hoja(carpeta, correr):
    _hoja(carpeta, [
        ["Ana", "ana@ejemplo.com", "", "F-1", HOY - timedelta(days=2), 100, "", "sí", ""],
        ["Ana", "ana@ejemplo.com", "", "F-2", HOY - timedelta(days=2), 100, "", "", HOY + timedelta(days=1)],
        ["Ana", "ana@ejemplo.com", "", "F-3", HOY - timedelta(days=2), 100, "", "no", ""],
    ])  # fmt: skip
    r = _enviar(correr, HOY)
    assert r.exit_code == 0, r.output
    (envio,) = CanalMemoria.enviados
    assert envio.facturas == ("F-3",)
    motivos = {o["factura"]: o["motivo"] for o in leer_json(carpeta / "informe.json")["omitidas"]}
    assert (
        motivos["F-1"].startswith("en disputa") and motivos["F-2"] == "pausada hasta el 2026-11-24"
    )
