"""Las órdenes que leen la bitácora encuentran la que usó el envío real (#12, sección 3): si la
que encuentran no existe y un envío reciente usó otra, lo dicen; una baja no se anota en una
bitácora nueva que ningún envío leerá."""

from tests.conftest import HOY, escribir_xlsx

POLITICA = """\
empresa:
  nombre: Ferretería López
  contacto: cobranza@ferreterialopez.mx
moneda: MXN
pasos:
  - id: recordatorio
    dias: 1
    canales: [email]
    plantilla: recordatorio
canales:
  archivo:
    tipo: archivo
    carpeta: salida
"""


def _enviar_con_politica_en_otra_carpeta(en_tmp, correr):
    from datetime import timedelta

    carpeta = en_tmp / "mi-cobranza"
    carpeta.mkdir()
    (carpeta / "politica.yaml").write_text(POLITICA, encoding="utf-8")
    escribir_xlsx(en_tmp / "cartera.xlsx", [
        ["Cliente", "Correo", "Factura", "Vencimiento", "Importe"],
        ["Ana Pérez", "ana@ejemplo.com", "F-1", HOY - timedelta(days=3), 1000],
    ])  # fmt: skip
    r = correr("enviar", "cartera.xlsx", "--politica", carpeta / "politica.yaml",
               "--hoy", HOY.isoformat())  # fmt: skip
    assert r.exit_code == 0, r.output
    return carpeta


def test_historial_sin_opciones_dice_que_bitacora_uso_el_ultimo_envio(en_tmp, correr):
    carpeta = _enviar_con_politica_en_otra_carpeta(en_tmp, correr)
    r = correr("historial")
    assert r.exit_code == 0, r.output
    salida = " ".join(r.output.split())
    assert "Sin envíos registrados" in salida
    assert f"usó la bitácora {carpeta.resolve() / 'recordar-bitacora.sqlite'}" in salida
    assert f"vuelve a ejecutar con --politica {(carpeta / 'politica.yaml').resolve()}" in salida
    # Con la política, el envío está: con fecha y hora y el id del proveedor entero.
    r = correr("historial", "--politica", carpeta / "politica.yaml")
    assert r.exit_code == 0, r.output
    assert "no existe" not in r.output
    (linea,) = [x for x in r.output.splitlines() if "Ana Pérez" in x]
    assert f"{HOY.isoformat()[:4]}-" in linea and ":" in linea.split("│")[1]  # AAAA-MM-DD HH:MM
    assert "enviado" in linea


def test_una_baja_sin_opciones_no_se_anota_en_una_bitacora_que_nadie_lee(en_tmp, correr):
    carpeta = _enviar_con_politica_en_otra_carpeta(en_tmp, correr)
    r = correr("baja", "ana@ejemplo.com")
    assert r.exit_code == 2, r.output
    assert "usó la bitácora" in " ".join(r.output.split())
    r = correr("baja", "ana@ejemplo.com", "--politica", carpeta / "politica.yaml")
    assert r.exit_code == 0, r.output
    r = correr("baja", "--lista", "--politica", carpeta / "politica.yaml")
    assert "ana@ejemplo.com" in r.output


def test_sin_envios_reales_previos_no_hay_aviso(en_tmp, correr):
    r = correr("historial")
    assert r.exit_code == 0, r.output
    assert "aviso" not in r.output


def test_historial_a_80_columnas_no_corta_fecha_destinatario_ni_id(en_tmp, correr, monkeypatch):
    carpeta = _enviar_con_politica_en_otra_carpeta(en_tmp, correr)
    monkeypatch.setenv("RECORDAR_ANCHO", "80")
    r = correr("historial", "--politica", carpeta / "politica.yaml", "--completo")
    assert r.exit_code == 0, r.output
    lineas = r.output.splitlines()
    (cabeza,) = [x for x in lineas if "ana@ejemplo.com" in x]
    assert cabeza.split("  ")[1:] == ["enviado", "email", "ana@ejemplo.com"]
    assert len(cabeza.split("  ")[0]) == 16 and cabeza[13] == ":"  # AAAA-MM-DD HH:MM
    (detalle,) = [x for x in lineas if "Ana Pérez" in x]
    assert detalle.strip().startswith("Ana Pérez · F-1 · recordatorio · id email-")
    assert detalle.rstrip().endswith(".eml")
