from datetime import timedelta
from pathlib import Path

from tests.conftest import CABECERA, HOY, escribir_xlsx, leer_json


def _texto(r) -> str:
    """La salida sin los saltos de línea con que rich ajusta los textos largos."""
    return " ".join(r.output.split())


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
    assert r.exit_code == 1
    assert "falta la plantilla «inexistente.email.j2» (la usa el paso «a» por email)" in _texto(r)


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
    # enviar se detiene (configuración, 2); validar lo lista con los demás problemas (1).
    for orden, codigo in ((["enviar", "--simulacro"], 2), (["validar"], 1)):
        r = correr(*orden, "c.xlsx", "-p", "politica.yaml", "--hoy", HOY.isoformat())
        assert r.exit_code == codigo, r.output
        assert esperado in _texto(r)
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


def _validar_con(carpeta, correr, politica: str, plantillas: dict[str, str], filas=None):
    """validar sobre una cartera de una factura que vence en 9 días (hoy no toca ningún paso)."""
    filas = filas or [CABECERA, ["Ana", "ana@ejemplo.com", "", "F-1", HOY + timedelta(days=9), 10]]
    escribir_xlsx(carpeta / "c.xlsx", filas)
    (carpeta / "politica.yaml").write_text(politica, encoding="utf-8")
    (carpeta / "plantillas").mkdir()
    for nombre, texto in plantillas.items():
        (carpeta / "plantillas" / nombre).write_text(texto, encoding="utf-8")
    return correr("validar", "c.xlsx", "-p", "politica.yaml", "--hoy", HOY.isoformat())


EJEMPLOS = Path(__file__).resolve().parents[1] / "ejemplos"


def test_validar_revisa_plantillas_de_pasos_que_hoy_no_tocan(en_tmp, correr):
    politica = (EJEMPLOS / "politica.yaml").read_text(encoding="utf-8")
    r = _validar_con(en_tmp, correr, politica, {"aviso_final.sms.j2": "Hola {{ clente }}"})
    assert r.exit_code == 1, r.output
    ruta = en_tmp / "plantillas" / "aviso_final.sms.j2"
    assert (
        f"error: 1 problema en las plantillas; corrígelos y vuelve a ejecutar: - {ruta}: línea 1: "
        "la variable «clente» no existe (¿quisiste decir «cliente»?); las disponibles son canal, "
        "cliente, dias_vencido, empresa, enlace_pago, enlaces_pago, facturas, hoy, moneda, "
        "nombre_saludo, palabras, paso, saludo, total, "
        "total_a_pagar, total_compensacion, total_interes (al generar el mensaje para «Ana»); "
        "corrige la plantilla"
    ) in _texto(r)
    assert "Todo correcto" not in r.output


def test_validar_exige_las_plantillas_de_la_promesa_y_de_los_segmentos(en_tmp, correr):
    politica = (
        "pasos:\n  - {id: recordatorio, dias: 1, canales: [email]}\n"
        "promesa_incumplida: {plantilla: inexistente}\n"
        'segmentos:\n  - nombre: grandes\n    si: {monto: ">= 50000"}\n    canales: [whatsapp]\n'
        "    pasos:\n      - {id: especial, dias: 3, plantilla: especial}\n"
    )
    r = _validar_con(en_tmp, correr, politica, {})
    assert r.exit_code == 1, r.output
    texto = _texto(r)
    assert "error: 4 problemas en las plantillas; corrígelos y vuelve a ejecutar:" in texto
    for falta in (
        "«inexistente.email.j2» (la usa «promesa_incumplida» por email)",
        "«inexistente.sms.j2» (la usa «promesa_incumplida» por sms)",
        "«especial.whatsapp.j2» (la usa el paso «especial» del segmento «grandes» por whatsapp)",
        "«inexistente.whatsapp.j2» (la usa «promesa_incumplida» del segmento «grandes» por "
        "whatsapp)",
    ):
        assert f"- falta la plantilla {falta}: créala en plantillas/ junto a la política" in texto


def test_validar_dice_todos_los_problemas_de_las_plantillas_a_la_vez(en_tmp, correr):
    politica = (
        'empresa: {enlace_pago: "https://pagar.ejemplo/{{ folio }}"}\n'
        "pasos:\n  - {id: aviso, dias: 30, canales: [email, sms]}\n"
    )
    plantillas = {
        "aviso.email.j2": "Asunto: Aviso\n\n{% for f in facturas %}\n{{ f.numero }}\n",
        "aviso.email.html.j2": "<p>{{ total|moneda }}</p>",
        "aviso.sms.j2": "{{ cliente }}: {{ total|dinero }}\n{{ cliente|dinero }}",
        # whatsapp no lo usa el paso, pero existe: un deudor que prefiere WhatsApp lo recibiría.
        "aviso.whatsapp.j2": "{% if total > 0 %}{{ totl }}{% endif %}",
    }
    r = _validar_con(en_tmp, correr, politica, plantillas)
    assert r.exit_code == 1, r.output
    texto, carpeta = _texto(r), en_tmp / "plantillas"
    assert "error: 5 problemas en las plantillas" in texto
    for problema in (
        f"{en_tmp / 'politica.yaml'}: empresa.enlace_pago: la variable «folio» no existe; "
        "las disponibles son cliente, factura, total",
        f"{carpeta / 'aviso.email.j2'}: línea 4: falta cerrar el bloque {{% for %}} con "
        "{% endfor %}",
        f"{carpeta / 'aviso.email.html.j2'}: línea 1: no existe el filtro «moneda»",
        f"{carpeta / 'aviso.sms.j2'}: línea 2: el filtro «dinero» no puede formatear «Ana» "
        "(no es un importe)",
        f"{carpeta / 'aviso.whatsapp.j2'}: línea 1: la variable «totl» no existe",
    ):
        assert f"- {problema}" in texto


def test_validar_genera_las_plantillas_con_las_columnas_extra_de_la_hoja(en_tmp, correr):
    politica = "pasos:\n  - {id: aviso, dias: 30, canales: [sms]}\n"
    plantillas = {"aviso.sms.j2": "{{ cliente }} ({{ vendedor }}): {{ facturas[0].vendedor }}"}
    filas = [
        [*CABECERA, "Vendedor"],
        ["Ana", "", "+525512345678", "F-1", HOY + timedelta(days=9), 10, "Luis"],
    ]
    r = _validar_con(en_tmp, correr, politica, plantillas, filas)
    assert r.exit_code == 0, r.output
    assert "Todo correcto." in r.output
    # Sin esa columna, la variable no existe.
    (en_tmp / "c.xlsx").unlink()
    escribir_xlsx(en_tmp / "c.xlsx", [CABECERA, ["Ana", "", "+525512345678", "F-1", HOY, 10]])
    r = correr("validar", "c.xlsx", "-p", "politica.yaml", "--hoy", HOY.isoformat())
    assert r.exit_code == 1, r.output
    assert "aviso.sms.j2: línea 1: la variable «vendedor» no existe" in _texto(r)
