"""Las tareas manuales (la entrega a la agencia): solo tras el aviso final enviado y la espera,
no desaparecen hasta cerrarlas; y las bajas se pueden revisar y deshacer."""

import sqlite3
from datetime import timedelta

import pytest

from tests.canal_falso import CanalMemoria
from tests.conftest import CABECERA, HOY, escribir_xlsx, leer_json, preparar_carpeta

POLITICA = """
empresa: {nombre: "Ferretería Ruiz", contacto: "cobranza@ferreteriaruiz.mx"}
pasos:
  - {id: recordatorio, dias: 1, canales: [email], plantilla: recordatorio}
  - {id: aviso_final, dias: 45, canales: [email], plantilla: aviso_final}
  - id: agencia
    dias: 60
    accion: tarea
    tras_aviso: 10
    descripcion: "Entregar la cuenta a la agencia de cobranza."
canales:
  email: {tipo: memoria}
"""


@pytest.fixture
def carpeta(en_tmp, monkeypatch):
    preparar_carpeta(en_tmp, POLITICA, monkeypatch)
    escribir_xlsx(
        en_tmp / "cartera.xlsx",
        [
            CABECERA,
            ["Tardía S.A.", "tardia@cliente.mx", "", "F-70", HOY - timedelta(days=70), 5000],
            ["Al Día", "aldia@cliente.mx", "", "F-1", HOY - timedelta(days=1), 100],
        ],
    )
    return en_tmp


def _enviar(correr, dias=0, *extra):
    hoy = (HOY + timedelta(days=dias)).isoformat()
    return correr("enviar", "cartera.xlsx", "--hoy", hoy, "-o", "i.json", *extra)


def test_llega_con_70_dias_recibe_el_aviso_final_y_la_agencia_espera(carpeta, correr):
    r = _enviar(correr, 0, "--simulacro")
    assert r.exit_code == 0, r.output
    datos = leer_json(carpeta / "i.json")
    assert datos["tareas"] == []
    assert [(m["cliente"], m["paso"]) for m in datos["mensajes"] if m["facturas"] == ["F-70"]] == [
        ("Tardía S.A.", "aviso_final")
    ]

    assert _enviar(correr, 0).exit_code == 0
    assert [e.paso for e in CanalMemoria.enviados if e.facturas == ("F-70",)] == ["aviso_final"]

    r = _enviar(correr, 3)
    assert r.exit_code == 0, r.output
    datos = leer_json(carpeta / "i.json")
    assert datos["tareas"] == []
    (motivo,) = [o["motivo"] for o in datos["omitidas"] if o["factura"] == "F-70"]
    assert motivo == (
        f"tarea agencia en espera: aviso_final se envió el {HOY.isoformat()}; toca el "
        f"{(HOY + timedelta(days=10)).isoformat()} (10 días después)"
    )

    r = _enviar(correr, 10)
    assert r.exit_code == 0, r.output
    (tarea,) = leer_json(carpeta / "i.json")["tareas"]
    assert (tarea["cliente"], tarea["facturas"], tarea["paso"]) == (
        "Tardía S.A.",
        ["F-70"],
        "agencia",
    )


def test_un_aviso_que_fallo_no_abre_la_entrega(carpeta, correr):
    CanalMemoria.fallos["tardia@cliente.mx"] = ["permanente"]
    _enviar(correr, 0)
    r = _enviar(correr, 15, "--simulacro")
    assert r.exit_code == 0, r.output
    assert leer_json(carpeta / "i.json")["tareas"] == []


def test_las_tareas_abiertas_no_desaparecen_hasta_cerrarlas(carpeta, correr):
    assert _enviar(correr, 0).exit_code == 0
    assert _enviar(correr, 10).exit_code == 0
    r = correr("tareas")
    assert r.exit_code == 0, r.output
    assert "Tareas abiertas (1)" in r.output
    fila = next(linea for linea in r.output.splitlines() if "Tardía S.A." in linea)
    assert "F-70" in fila and "agencia" in fila and (HOY + timedelta(days=10)).isoformat() in fila
    (tarea,) = __import__("json").loads(correr("tareas", "--json").output)
    assert tarea["desde"] == (HOY + timedelta(days=10)).isoformat()

    # Días después: la tarea ya no se planifica de nuevo, pero la vista previa y el informe la
    # siguen mostrando.
    for argumentos in ((), ("--simulacro",)):
        r = _enviar(correr, 12, *argumentos)
        assert r.exit_code == 0, r.output
        assert f"tarea abierta {tarea['id']} desde el" in r.output
        assert f"recordar tareas hecha {tarea['id']}" in r.output
        (abierta,) = leer_json(carpeta / "i.json")["tareas_abiertas"]
        assert abierta["facturas"] == ["F-70"] and abierta["cliente"] == "Tardía S.A."

    r = correr("tareas", "hecha", str(tarea["id"]))
    assert r.exit_code == 0, r.output
    assert f"Tarea {tarea['id']} cerrada" in r.output
    assert "Sin tareas abiertas" in correr("tareas").output
    r = _enviar(correr, 13, "--simulacro")
    assert "tarea abierta" not in r.output
    assert leer_json(carpeta / "i.json")["tareas_abiertas"] == []
    assert "ya estaba cerrada" in correr("tareas", "hecha", str(tarea["id"])).output

    r = correr("tareas", "hecha", "99")
    assert r.exit_code == 2 and "no hay ninguna tarea con ese número" in r.output
    r = correr("tareas", "cerrar", "1")
    assert r.exit_code == 2 and "usa «recordar tareas hecha ID»" in r.output


def test_bitacora_anterior_se_migra_con_las_tareas(carpeta, correr):
    from recordar.bitacora import MIGRACIONES

    # Una bitácora de antes de `tareas_cerradas` (las migraciones de después se añaden al final).
    antes = next(i for i, guion in enumerate(MIGRACIONES) if "tareas_cerradas" in guion)
    con = sqlite3.connect(carpeta / "recordar-bitacora.sqlite")
    for numero, guion in enumerate(MIGRACIONES[:antes], start=1):
        con.executescript(f"BEGIN; {guion}; PRAGMA user_version = {numero}; COMMIT;")
    con.close()
    assert "Sin tareas abiertas" in correr("tareas").output  # se lee sin tocarla
    assert _enviar(correr, 0).exit_code == 0
    assert _enviar(correr, 10).exit_code == 0
    assert "Tareas abiertas (1)" in correr("tareas").output


def test_bajas_se_listan_se_quitan_y_una_repetida_lo_dice(carpeta, correr):
    r = correr("baja", "tardia@cliente.mx", "--motivo", "lo pidió por teléfono")
    assert r.exit_code == 0, r.output
    r = correr("baja", "Tardia@Cliente.mx")
    assert r.exit_code == 0 and "ya estaba dado de baja" in r.output
    r = correr("baja", "--lista")
    assert r.exit_code == 0, r.output
    assert "tardia@cliente.mx · todos los canales" in r.output
    assert "lo pidió por teléfono" in r.output

    r = _enviar(correr, 0, "--simulacro")
    assert not any(m["facturas"] == ["F-70"] for m in leer_json(carpeta / "i.json")["mensajes"])

    r = correr("baja", "--quitar", "tardia@cliente.mx")
    assert r.exit_code == 0 and "vuelve a recibir" in r.output
    assert "Sin bajas registradas" in correr("baja", "--lista").output
    r = _enviar(correr, 0, "--simulacro")
    assert any(m["facturas"] == ["F-70"] for m in leer_json(carpeta / "i.json")["mensajes"])

    r = correr("baja", "--quitar", "tardia@cliente.mx")
    assert r.exit_code == 2 and "no tiene baja registrada" in r.output


def test_sin_forma_de_avisarle_la_entrega_no_espera_un_aviso_imposible(en_tmp, correr, monkeypatch):
    preparar_carpeta(en_tmp, POLITICA, monkeypatch)
    escribir_xlsx(
        en_tmp / "cartera.xlsx",
        [CABECERA, ["Sin Datos", "", "", "F-9", HOY - timedelta(days=70), 900],
         ["Solo Teléfono", "", "55 1234 5678", "F-8", HOY - timedelta(days=70), 900]],
    )  # fmt: skip
    r = _enviar(correr, 0, "--simulacro")
    assert r.exit_code == 0, r.output
    tareas = leer_json(en_tmp / "i.json")["tareas"]
    # Ni correo ni teléfono, o solo un teléfono sin canal sms/whatsapp configurado.
    assert sorted(t["facturas"][0] for t in tareas) == ["F-8", "F-9"]
