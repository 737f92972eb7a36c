from datetime import timedelta

from tests.conftest import CABECERA, HOY, escribir_xlsx, leer_json


def test_validar_correcto(en_tmp, correr):
    escribir_xlsx(
        en_tmp / "c.xlsx",
        [CABECERA, ["Ana", "ana@ejemplo.com", "", "F-1", HOY + timedelta(days=9), 10]],
    )
    r = correr("validar", "c.xlsx", "--hoy", HOY.isoformat())
    assert r.exit_code == 0, r.output
    assert "Todo correcto." in r.output
    assert "(política predeterminada) (7 pasos) · correcta" in r.output


def test_validar_con_filas_malas_sale_con_1_y_las_nombra(en_tmp, correr):
    escribir_xlsx(
        en_tmp / "c.xlsx",
        [
            ["Cartera"],
            CABECERA,
            ["Ana", "ana@", "", "F-1", "31/02/2026", 10],
            ["Eva", "eva@ejemplo.com", "", "F-2", "2026-12-01", "x"],
        ],
    )
    r = correr("validar", "c.xlsx")
    assert r.exit_code == 1
    assert "fila 3, columna Vencimiento: «31/02/2026» no es una fecha válida" in r.output
    assert "fila 3, columna Correo: «ana@» no es un correo válido" in r.output
    assert "fila 4, columna Importe: «x» no es un importe válido" in r.output
    assert "encabezados en la fila 2" in r.output


def test_validar_politica_con_errores_sale_con_2(en_tmp, correr):
    escribir_xlsx(
        en_tmp / "c.xlsx", [CABECERA, ["Ana", "ana@ejemplo.com", "", "F-1", "2026-12-01", 10]]
    )
    (en_tmp / "politica.yaml").write_text("pasos:\n  - {id: a, dias: x}\n", encoding="utf-8")
    r = correr("validar", "c.xlsx")
    assert r.exit_code == 2
    assert "pasos[0].dias: debe ser un número entero, no «x»" in r.output


def test_validar_exige_cada_plantilla_de_la_politica(en_tmp, correr):
    escribir_xlsx(
        en_tmp / "c.xlsx", [CABECERA, ["Ana", "ana@ejemplo.com", "", "F-1", "2026-12-01", 10]]
    )
    (en_tmp / "politica.yaml").write_text(
        "pasos:\n  - {id: a, dias: 40, plantilla: inexistente}\n", encoding="utf-8"
    )
    r = correr("validar", "c.xlsx")
    assert r.exit_code == 2
    assert "falta la plantilla «inexistente.email.j2»" in r.output


def test_iniciar_crea_y_no_sobrescribe(en_tmp, correr):
    r = correr("iniciar", "cobranza")
    assert r.exit_code == 0, r.output
    carpeta = en_tmp / "cobranza"
    assert (
        (carpeta / "politica.yaml").read_text(encoding="utf-8").startswith("# Política de cobranza")
    )
    assert (carpeta / "plantillas" / "recordatorio.email.j2").exists()
    assert (carpeta / "cartera-ejemplo.xlsx").exists()
    (carpeta / "politica.yaml").write_text("mía", encoding="utf-8")
    r = correr("iniciar", "cobranza")
    assert r.exit_code == 0
    assert "ya existe" in r.output
    assert (carpeta / "politica.yaml").read_text(encoding="utf-8") == "mía"


def test_lo_que_crea_iniciar_funciona(en_tmp, correr):
    assert correr("iniciar", "c").exit_code == 0
    r = correr(
        "enviar",
        "c/cartera-ejemplo.xlsx",
        "--politica",
        "c/politica.yaml",
        "--simulacro",
        "--hoy",
        "2026-11-23",
    )
    assert r.exit_code == 0, r.output
    assert "Mensajes (" in r.output


def test_iniciar_sobre_un_archivo_lo_dice_sin_traza(en_tmp, correr):
    (en_tmp / "cartera.csv").write_text("x", encoding="utf-8")
    r = correr("iniciar", "cartera.csv")
    assert r.exit_code == 2
    assert "cartera.csv: ya existe y no es una carpeta; indica otra carpeta" in r.output
    assert (en_tmp / "cartera.csv").read_text(encoding="utf-8") == "x"


def test_iniciar_con_plantillas_como_archivo_da_la_causa_en_espanol(en_tmp, correr):
    (en_tmp / "cobro").mkdir()
    (en_tmp / "cobro" / "plantillas").write_text("", encoding="utf-8")
    r = correr("iniciar", "cobro")
    assert r.exit_code == 2
    assert "plantillas: no se pudo crear (ya existe un archivo con ese nombre)" in r.output
    assert "File exists" not in r.output and "inesperado" not in r.output


def _carpeta_con_plantilla(carpeta, nombre: str, datos: bytes) -> None:
    """Cartera con una factura que vence hoy, política con un paso ese día y su plantilla propia."""
    escribir_xlsx(carpeta / "c.xlsx", [CABECERA, ["Ana", "ana@ejemplo.com", "", "F-1", HOY, 10]])
    (carpeta / "politica.yaml").write_text(
        "pasos:\n  - {id: vencimiento, dias: 0, canales: [email]}\n", encoding="utf-8"
    )
    (carpeta / "plantillas").mkdir()
    (carpeta / "plantillas" / nombre).write_bytes(datos)


def test_plantilla_que_no_esta_en_utf8_lo_dice_en_enviar_y_validar(en_tmp, correr):
    cp1252 = "Asunto: Aviso\n\nEstimada {{ cliente }}: gracias por su atención\n".encode("cp1252")
    _carpeta_con_plantilla(en_tmp, "vencimiento.email.j2", cp1252)
    ruta = en_tmp / "plantillas" / "vencimiento.email.j2"
    esperado = f"{ruta}: no está en UTF-8 (byte 0xF3 en la línea 3); guárdala como UTF-8"
    for orden in (["enviar", "--simulacro"], ["validar"]):
        r = correr(*orden, "c.xlsx", "-p", "politica.yaml", "--hoy", HOY.isoformat())
        assert r.exit_code == 2, r.output
        assert esperado in " ".join(r.output.split())
        assert "inesperado" not in r.output


def test_plantilla_de_email_con_bom_y_asunto_en_mayusculas(en_tmp, correr):
    datos = "\ufeffASUNTO : Vence hoy\n\nHola {{ cliente }}\n".encode()
    _carpeta_con_plantilla(en_tmp, "vencimiento.email.j2", datos)
    r = correr(
        "enviar", "--simulacro", "c.xlsx", "-p", "politica.yaml", "--hoy", HOY.isoformat(),
        "-o", "i.json",
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    (mensaje,) = leer_json(en_tmp / "i.json")["mensajes"]
    assert (mensaje["asunto"], mensaje["cuerpo"]) == ("Vence hoy", "Hola Ana")
    assert (
        correr("validar", "c.xlsx", "-p", "politica.yaml", "--hoy", HOY.isoformat()).exit_code == 0
    )
