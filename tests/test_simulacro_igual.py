"""El simulacro recorre los mismos pasos que el envío real antes de planificar (pagos detectados
desde la hoja anterior) sobre una copia en memoria de la bitácora: el mismo plan, y en el archivo
no se escribe nada."""

import hashlib
import json
from datetime import timedelta

from tests.conftest import HOY, escribir_xlsx

# Un deudor que ya pagó algo pasa al segmento «cumplidores»: sus recordatorios van por SMS.
POLITICA = """\
empresa:
  nombre: Ferretería López
  contacto: cobranza@ferreterialopez.mx
pasos:
  - {id: recordatorio, dias: 1, canales: [email], plantilla: recordatorio, repetir_cada: 1}
segmentos:
  - {nombre: cumplidores, si: {pagos: ">= 1"}, canales: [sms]}
canales:
  archivo: {tipo: archivo, carpeta: salida}
"""
CABECERA = ["Cliente", "Correo", "Teléfono", "Factura", "Vencimiento", "Importe"]


def _hoja(carpeta, *numeros):
    d = HOY - timedelta(days=3)
    filas = {"F-1": ["Ana Pérez", "ana@ejemplo.com", "+525511111111", "F-1", d, 100],
             "F-2": ["Ana Pérez", "ana@ejemplo.com", "+525511111111", "F-2", d, 200]}  # fmt: skip
    escribir_xlsx(carpeta / "cartera.xlsx", [CABECERA] + [filas[n] for n in numeros])


def _mensajes(datos):
    return sorted((m["cliente"], m["canal"], tuple(m["facturas"])) for m in datos["mensajes"])


def test_simulacro_con_pagos_desde_la_hoja_anterior_igual_al_envio_real(en_tmp, correr):
    (en_tmp / "politica.yaml").write_text(POLITICA, encoding="utf-8")
    ayer = (HOY - timedelta(days=1)).isoformat()
    _hoja(en_tmp, "F-1", "F-2")
    r = correr("enviar", "cartera.xlsx", "-p", "politica.yaml", "--hoy", ayer)
    assert r.exit_code == 0, r.output
    bitacora = en_tmp / "recordar-bitacora.sqlite"
    antes = hashlib.sha256(bitacora.read_bytes()).hexdigest()

    _hoja(en_tmp, "F-2")  # F-1 se pagó (desapareció de la hoja): Ana pasa a «cumplidores»
    r = correr("enviar", "cartera.xlsx", "-p", "politica.yaml", "--hoy", HOY.isoformat(),
               "-n", "-o", "simulacro.json")  # fmt: skip
    assert r.exit_code == 0, r.output
    assert "Pagos detectados desde la hoja anterior: 1 (se registrarán al enviar de verdad)" in (
        " ".join(r.output.split())
    )
    assert hashlib.sha256(bitacora.read_bytes()).hexdigest() == antes  # nada escrito
    simulacro = json.loads((en_tmp / "simulacro.json").read_text(encoding="utf-8"))
    assert [p["factura"] for p in simulacro["pagos_detectados"]] == ["F-1"]
    assert _mensajes(simulacro) == [("Ana Pérez", "sms", ("F-2",))]

    r = correr("enviar", "cartera.xlsx", "-p", "politica.yaml", "--hoy", HOY.isoformat(),
               "-o", "real.json")  # fmt: skip
    assert r.exit_code == 0, r.output
    real = json.loads((en_tmp / "real.json").read_text(encoding="utf-8"))
    assert _mensajes(real) == _mensajes(simulacro)
    assert [p["factura"] for p in real["pagos_detectados"]] == ["F-1"]


def test_simulacro_sin_bitacora_no_la_crea(en_tmp, correr):
    (en_tmp / "politica.yaml").write_text(POLITICA, encoding="utf-8")
    _hoja(en_tmp, "F-1")
    r = correr("enviar", "cartera.xlsx", "-p", "politica.yaml", "--hoy", HOY.isoformat(), "-n")
    assert r.exit_code == 0, r.output
    assert not list(en_tmp.glob("recordar-bitacora*"))
