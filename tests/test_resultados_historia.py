"""Una historia simulada de 120 días (#14, sección 5): cron diario por la CLI real (`recordar
enviar --hoy` con envíos de verdad por el canal `archivo`) sobre una hoja CSV que se reescribe
cada día: los deudores pagan en fechas conocidas tras avisos conocidos, uno abona una parte, uno
promete y cumple, otro promete, incumple y luego disputa. Las cifras esperadas se calculan a
mano en los comentarios (no llamando al código que se prueba) y `recordar resultados` debe dar
exactamente esas."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from tests.conftest import escribir_csv

INICIO = date(2026, 1, 1)
DIAS = 120  # del 1 de enero al 30 de abril de 2026
POLITICA = """\
empresa:
  nombre: Ferretería López
  contacto: cobranza@ferreterialopez.mx
idioma: es_MX
moneda: MXN
region_telefono: MX
pasos:
  - {id: vencimiento, dias: 0, canales: [email], plantilla: vencimiento}
  - {id: recordatorio, dias: 7, canales: [email, sms], plantilla: recordatorio}
  - {id: final, dias: 30, canales: [email], plantilla: aviso_final}
canales:
  archivo:
    tipo: archivo
    carpeta: salida
"""
CABECERA = ["Cliente", "Correo", "Teléfono", "Factura", "Vencimiento", "Importe",
            "Promesa de pago", "Disputa"]  # fmt: skip


def d(mes: int, dia: int) -> date:
    return date(2026, mes, dia)


# factura: (cliente, correo, teléfono, vencimiento, importe, primer día en la hoja, día en que ya
# no está (pagada), {día: saldo nuevo}, (desde, fecha prometida), día desde el que está en disputa)
FACTURAS = {
    "F-1": ("Ana Pérez", "ana@ejemplo.com", "+52 55 1234 5678", d(1, 10), 1000, INICIO, d(1, 20), {}, None, None),
    "F-2": ("Beto Ruiz", "beto@ejemplo.com", "", d(1, 20), 2000, INICIO, d(3, 10), {d(2, 25): 1200}, None, None),
    "F-3": ("Ceci Gómez", "ceci@ejemplo.com", "", d(2, 5), 500, INICIO, d(2, 3), {}, None, None),
    "F-4": ("Dora Luna", "dora@ejemplo.com", "", d(2, 15), 3000, INICIO, d(3, 4), {}, (d(2, 25), d(3, 5)), None),
    "F-5": ("Eva Soto", "eva@ejemplo.com", "", d(3, 1), 1500, INICIO, None, {}, (d(3, 10), d(3, 20)), d(4, 1)),
    "F-6": ("Fer Castro", "", "+52 55 8765 4321", d(3, 15), 800, INICIO, d(4, 10), {}, None, None),
    "F-7": ("Gil Mora", "gil@ejemplo.com", "", d(4, 20), 2500, d(4, 1), None, {}, None, None),
}  # fmt: skip


def _hoja(hoy: date) -> list[list]:
    filas = [CABECERA]
    for numero, (
        cliente,
        correo,
        tel,
        venc,
        importe,
        alta,
        pagada,
        abonos,
        promesa,
        disputa,
    ) in FACTURAS.items():
        if hoy < alta or (pagada is not None and hoy >= pagada):
            continue
        saldo = importe
        for dia, nuevo in sorted(abonos.items()):
            if hoy >= dia:
                saldo = nuevo
        prometida = promesa[1].isoformat() if promesa and hoy >= promesa[0] else ""
        en_disputa = "sí" if disputa and hoy >= disputa else ""
        filas.append([cliente, correo, tel, numero, venc.isoformat(), saldo, prometida, en_disputa])
    return filas


@pytest.fixture(scope="module")
def historia(tmp_path_factory):
    """Los 120 días de cron, una vez para todas las pruebas del módulo."""
    from typer.testing import CliRunner

    from recordar.cli import app

    carpeta = tmp_path_factory.mktemp("historia")
    (carpeta / "politica.yaml").write_text(POLITICA, encoding="utf-8")
    runner = CliRunner()
    entorno = {"RECORDAR_ANCHO": "200", "NO_COLOR": "1", "RECORDAR_BITACORA": "",
               "XDG_DATA_HOME": str(carpeta / "datos")}  # fmt: skip
    for n in range(DIAS):
        hoy = INICIO + timedelta(days=n)
        escribir_csv(carpeta / "cartera.csv", _hoja(hoy))
        r = runner.invoke(app, ["enviar", str(carpeta / "cartera.csv"), "--politica",
                                str(carpeta / "politica.yaml"), "--hoy", hoy.isoformat()],
                          env=entorno, catch_exceptions=False)  # fmt: skip
        assert r.exit_code == 0, (hoy, r.output)
    return carpeta


def _resultados(carpeta, *opciones):
    from typer.testing import CliRunner

    from recordar.cli import app

    salida = carpeta / "r.json"
    r = CliRunner().invoke(
        app, ["resultados", "--politica", str(carpeta / "politica.yaml"), "--salida", str(salida),
              *opciones],
        env={"RECORDAR_ANCHO": "200", "NO_COLOR": "1", "RECORDAR_BITACORA": ""},
        catch_exceptions=False,
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    return json.loads(salida.read_text(encoding="utf-8")), r.output


def _fila(filas: list[dict], clave: str, valor: str) -> dict:
    (fila,) = [f for f in filas if f[clave] == valor]
    return fila


def test_lo_recuperado_y_la_velocidad_de_pago_de_los_120_dias(historia):
    r, _ = _resultados(historia, "--desde", "2026-01-01", "--hasta", "2026-04-30")
    assert r["ejecuciones"] == 120
    # Pagos (fecha = la ejecución que ya no la vio): F-1 1000 (20/01), F-3 500 (03/02),
    # F-4 3000 (04/03), F-2 1200 (10/03, lo que quedaba), F-6 800 (10/04); abono: F-2 bajó de
    # 2000 a 1200 el 25/02 → 800. Total 1000+500+3000+1200+800+800 = 7300.
    assert r["recuperado"]["monto"] == 7300
    assert r["recuperado"]["facturas"] == 5
    assert r["recuperado"]["abonos"] == 1 and r["recuperado"]["monto_abonos"] == 800
    # De lo vencido: todos menos F-3 (pagó antes de vencer): 1000+3000+1200+800 + abono 800.
    assert r["recuperado"]["monto_vencido"] == 6800
    # Vencido al 30/04: F-5 1500 (vence 01/03: 60 días) y F-7 2500 (vence 20/04: 10 días).
    assert r["vencido_al_final"] == {"corte": "2026-04-30", "monto": 4000, "facturas": 2,
                                     "dias_promedio": 35.0}  # fmt: skip
    # 6800 / (6800 + 4000) = 62,96 %.
    assert r["recuperado"]["porcentaje_vencido"] == 63.0
    # Días de atraso al pagar: F-1 10, F-3 0, F-4 17, F-2 49, F-6 26 → ordenados 0 10 17 26 49:
    # mediana 17, media 102/5 = 20,4, p90 (lineal) en la posición 0,9·4 = 3,6: 26 + 0,6·23 = 39,8.
    # Del último aviso al pago: F-1 3 (recordatorio 17/01), F-4 10 (recordatorio 22/02),
    # F-2 19 (final 19/02), F-6 19 (recordatorio 22/03); F-3 no tuvo aviso.
    # Mediana (10+19)/2 = 14,5; media 51/4 = 12,75 → 12,8.
    assert r["velocidad"] == {
        "pagos": 5, "dias_tarde_mediana": 17.0, "dias_tarde_media": 20.4, "dias_tarde_p90": 39.8,
        "pagos_tras_aviso": 4, "dias_tras_aviso_mediana": 14.5, "dias_tras_aviso_media": 12.8,
    }  # fmt: skip


def test_la_tendencia_por_mes_reconstruye_el_saldo_vencido_de_cada_cierre(historia):
    r, _ = _resultados(historia, "--desde", "2026-01-01", "--hasta", "2026-04-30")
    assert r["por_mes"] == [
        # Enero: pagó F-1. Al 31/01 solo F-2 (2000, vence 20/01: 11 días) estaba vencida.
        {"mes": "2026-01", "recuperado": 1000, "facturas": 1, "abonos": 0, "corte": "2026-01-31",
         "saldo_vencido": 2000, "facturas_vencidas": 1, "dias_atraso_promedio": 11.0},
        # Febrero: pagó F-3 (500) y F-2 abonó 800. Al 28/02: F-2 1200 (39 días) y F-4 3000
        # (vence 15/02: 13 días) → 4200, media (39+13)/2 = 26.
        {"mes": "2026-02", "recuperado": 1300, "facturas": 1, "abonos": 1, "corte": "2026-02-28",
         "saldo_vencido": 4200, "facturas_vencidas": 2, "dias_atraso_promedio": 26.0},
        # Marzo: F-4 3000 y F-2 1200. Al 31/03: F-5 1500 (30 días) y F-6 800 (16 días).
        {"mes": "2026-03", "recuperado": 4200, "facturas": 2, "abonos": 0, "corte": "2026-03-31",
         "saldo_vencido": 2300, "facturas_vencidas": 2, "dias_atraso_promedio": 23.0},
        # Abril: F-6 800. Al 30/04: F-5 1500 (60 días) y F-7 2500 (10 días).
        {"mes": "2026-04", "recuperado": 800, "facturas": 1, "abonos": 0, "corte": "2026-04-30",
         "saldo_vencido": 4000, "facturas_vencidas": 2, "dias_atraso_promedio": 35.0},
    ]  # fmt: skip


def test_la_efectividad_de_cada_paso_y_canal(historia):
    r, _ = _resultados(historia, "--desde", "2026-01-01", "--hasta", "2026-04-30")
    # vencimiento (día 0): F-1 10/01, F-2 20/01, F-4 15/02, F-5 01/03, F-6 15/03 (por WhatsApp:
    # no tiene correo), F-7 20/04. Días hasta el pago: 10, 49, 17, —, 26, —.
    # ≤7: 0/6; ≤15: 1/6 = 16,7 %; ≤30: 3/6 = 50 %; mediana de 10 17 26 49 = 21,5.
    # recordatorio (día 7): F-1 17/01 (correo y SMS: 2 mensajes), F-2 27/01, F-4 22/02,
    # F-5 08/03, F-6 22/03 (SMS), F-7 27/04 → 7 mensajes, 6 facturas. Días: 3, 42, 10, —, 19, —.
    # ≤7: 1/6; ≤15: 2/6; ≤30: 3/6; mediana de 3 10 19 42 = 14,5.
    # promesa_incumplida: F-5 el 21/03 (prometió el 20/03): sin pago. Atraso al enviarlo: 20.
    # final (día 30): F-2 19/02 (pagó 19 días después), F-5 31/03 (no pagó).
    # En orden de escalada: 0, 7, 20, 30 días de atraso al enviarlos.
    assert r["por_paso"] == [
        {"paso": "vencimiento", "mensajes": 6, "facturas": 6, "pagadas": 4, "pagadas_7": 0.0,
         "pagadas_15": 16.7, "pagadas_30": 50.0, "mediana_dias": 21.5},
        {"paso": "recordatorio", "mensajes": 7, "facturas": 6, "pagadas": 4, "pagadas_7": 16.7,
         "pagadas_15": 33.3, "pagadas_30": 50.0, "mediana_dias": 14.5},
        {"paso": "promesa_incumplida", "mensajes": 1, "facturas": 1, "pagadas": 0,
         "pagadas_7": 0.0, "pagadas_15": 0.0, "pagadas_30": 0.0, "mediana_dias": None},
        {"paso": "final", "mensajes": 2, "facturas": 2, "pagadas": 1, "pagadas_7": 0.0,
         "pagadas_15": 0.0, "pagadas_30": 50.0, "mediana_dias": 19.0},
    ]  # fmt: skip
    # email: 5 vencimientos + 5 recordatorios + 2 finales + 1 promesa = 13 mensajes, una factura
    # cada uno. Pagadas tras ellos: 10, 49, 17 | 3, 42, 10 | 19 → ≤7: 1/13 = 7,7 %;
    # ≤15: 3/13 = 23,1 %; ≤30: 5/13 = 38,5 %; mediana de 3 10 10 17 19 42 49 = 17.
    # sms: recordatorio de F-1 (3 días) y de F-6 (19 días). whatsapp: vencimiento de F-6 (26).
    assert r["por_canal"] == [
        {"canal": "email", "mensajes": 13, "facturas": 13, "pagadas": 7, "pagadas_7": 7.7,
         "pagadas_15": 23.1, "pagadas_30": 38.5, "mediana_dias": 17.0, "fallidos": 0,
         "inciertos": 0},
        {"canal": "sms", "mensajes": 2, "facturas": 2, "pagadas": 2, "pagadas_7": 50.0,
         "pagadas_15": 50.0, "pagadas_30": 100.0, "mediana_dias": 11.0, "fallidos": 0,
         "inciertos": 0},
        {"canal": "whatsapp", "mensajes": 1, "facturas": 1, "pagadas": 1, "pagadas_7": 0.0,
         "pagadas_15": 0.0, "pagadas_30": 100.0, "mediana_dias": 26.0, "fallidos": 0,
         "inciertos": 0},
    ]  # fmt: skip


def test_promesas_disputas_y_bajas(historia):
    r, _ = _resultados(historia, "--desde", "2026-01-01", "--hasta", "2026-04-30")
    # F-4 prometió el 05/03 y ya no estaba el 04/03: cumplida (3000). F-5 prometió el 20/03 y la
    # ejecución del 21/03 la vio abierta: incumplida (1500).
    assert r["promesas"] == {"cumplidas": 1, "incumplidas": 1, "vigentes": 0,
                             "monto_cumplidas": 3000, "monto_incumplidas": 1500,
                             "monto_vigentes": 0}  # fmt: skip
    # F-5 en disputa desde el 01/04.
    assert r["disputas"] == {"facturas": 1, "monto": 1500, "nuevas": 1}
    assert r["bajas"] == {"total": 0, "por_canal": {}}


def test_un_mes_y_un_cliente(historia):
    r, _ = _resultados(historia, "--desde", "2026-03-01", "--hasta", "2026-03-31")
    # Marzo: F-4 3000 y F-2 1200, los dos vencidos; al 31/03 siguen vencidas F-5 1500 y F-6 800:
    # 4200 / (4200 + 2300) = 64,6 %. El abono de febrero no cuenta.
    assert r["recuperado"]["monto"] == 4200 and r["recuperado"]["abonos"] == 0
    assert r["recuperado"]["porcentaje_vencido"] == 64.6
    assert [m["mes"] for m in r["por_mes"]] == ["2026-03"]
    assert r["ejecuciones"] == 31
    # La promesa de F-4 (05/03) y la de F-5 (20/03) vencen en marzo; la disputa es de abril.
    assert (r["promesas"]["cumplidas"], r["promesas"]["incumplidas"]) == (1, 1)
    assert r["disputas"]["facturas"] == 0
    # vencimiento en marzo: F-5 (01/03) y F-6 (15/03). F-6 pagó el 10/04, después de --hasta:
    # se mide con lo sabido al 31/03, así que ninguna de las dos consta pagada.
    vencimiento = _fila(r["por_paso"], "paso", "vencimiento")
    assert (vencimiento["mensajes"], vencimiento["pagadas"], vencimiento["pagadas_30"]) == (
        2,
        0,
        0.0,
    )
    # recordatorio en marzo: F-5 (08/03) y F-6 (22/03); F-4 pagó el 04/03 tras su recordatorio
    # de febrero, que no es de este período.
    assert _fila(r["por_paso"], "paso", "recordatorio")["facturas"] == 2

    r, _ = _resultados(
        historia, "--desde", "2026-01-01", "--hasta", "2026-04-30", "--cliente", "BETO"
    )
    # Beto: abonó 800 el 25/02 y pagó los 1200 restantes el 10/03 (49 días tarde, 19 tras el
    # aviso final del 19/02); no le queda nada vencido: 2000 / 2000 = 100 %.
    assert r["recuperado"] == {"monto": 2000, "facturas": 1, "abonos": 1, "monto_abonos": 800,
                               "monto_vencido": 2000, "porcentaje_vencido": 100.0}  # fmt: skip
    assert r["velocidad"]["dias_tarde_mediana"] == 49.0
    assert r["velocidad"]["dias_tras_aviso_media"] == 19.0
    assert [(p["paso"], p["mensajes"]) for p in r["por_paso"]] == [
        ("vencimiento", 1),
        ("recordatorio", 1),
        ("final", 1),
    ]
    # Enero: Beto debía 2000 (su saldo antes del abono), 11 días.
    assert r["por_mes"][0]["saldo_vencido"] == 2000


def test_una_bitacora_anterior_a_los_saldos_se_lee_con_lo_que_tiene(historia, tmp_path):
    import shutil
    import sqlite3

    from recordar.bitacora_esquema import MIGRACIONES

    vieja = tmp_path / "vieja.sqlite"
    shutil.copy(historia / "recordar-bitacora.sqlite", vieja)
    con = sqlite3.connect(vieja)
    con.executescript("DROP TABLE saldos; DROP TABLE ejecuciones;")
    numero = next(n for n, m in enumerate(MIGRACIONES) if "CREATE TABLE IF NOT EXISTS saldos" in m)
    con.execute(f"PRAGMA user_version = {numero}")
    con.commit()
    con.close()
    r, _ = _resultados(historia, "--desde", "2026-01-01", "--hasta", "2026-04-30",
                       "--bitacora", str(vieja))  # fmt: skip
    # Sin saldos: los pagos valen lo último que se vio (F-2: 1200) y el abono no se ve.
    # 1000 + 500 + 3000 + 1200 + 800 = 6500; vencido 6000; al 30/04 siguen F-5 y F-7 (4000):
    # 6000 / 10000 = 60 %.
    assert r["recuperado"]["monto"] == 6500 and r["recuperado"]["abonos"] == 0
    assert r["recuperado"]["porcentaje_vencido"] == 60.0
    assert r["vencido_al_final"]["monto"] == 4000
    # En enero F-2 ya figura con lo último que se supo de ella (1200).
    assert r["por_mes"][0]["saldo_vencido"] == 1200
    assert r["ejecuciones"] == 0 and r["promesas"]["cumplidas"] == 0
    # Y se leyó sin tocarla: sigue sin la tabla saldos.
    con = sqlite3.connect(vieja)
    tablas = {t for (t,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    con.close()
    assert "saldos" not in tablas


def test_en_una_terminal_de_80_columnas_caben_los_pasos_y_sus_cifras(historia):
    from rich.console import Console

    from recordar.resultados import calcular_resultados
    from recordar.resultados_salida import Escritura, imprimir

    r = calcular_resultados(historia / "recordar-bitacora.sqlite", d(1, 1), d(4, 30))
    consola = Console(force_terminal=True, width=80, record=True, color_system=None)
    imprimir(r, Escritura("es_MX", "MXN"), consola)
    tablas = consola.export_text().split("\n", 1)[1]
    assert "…" not in tablas and max(map(len, tablas.splitlines())) <= 80
    filas = {x.split()[0]: x.split()[1:] for x in tablas.splitlines() if x.strip()}
    assert filas["promesa_incumplida"] == ["1", "1", "0", "%", "0", "%", "0", "%", "—"]
    assert filas["2026-02"] == ["$1,300.00", "1", "1", "$4,200.00", "2", "26"]
