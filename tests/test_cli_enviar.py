"""`recordar enviar --simulacro` de punta a punta, sobre archivos reales en tmp_path."""

import csv
from datetime import timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.conftest import CABECERA, HOY, escribir_csv, escribir_ods, escribir_xlsx, leer_json

EJEMPLOS = Path(__file__).resolve().parents[1] / "ejemplos"


def _filas():
    d = lambda n: HOY + timedelta(days=n)  # noqa: E731
    return [
        ["Cartera de clientes al 23/11/2026"],
        [],
        CABECERA + ["Estado", "Vendedor"],
        ["José Núñez", "jose@ejemplo.com", "55 1234 5678", "F-1", d(-1), 1500.5, "", "Ana"],
        ["José Núñez", "", "", "F-2", d(-31), "$1,234.50", "", "Ana"],
        ["Abarrotes La Güera", "guera@ejemplo.mx", "", "F-3", "31/02/2026", 100, "", "Luis"],
        ["Abarrotes La Güera", "guera@ejemplo.mx", "", "F-4", d(3), 100, "Pagada", "Luis"],
        ["Sin Contacto", "", "", "F-5", d(-2), 100, "", "Luis"],
        ["Lejos", "lejos@ejemplo.com", "", "F-6", d(30), 100, "", "Luis"],
        ["Muy Tarde", "tarde@ejemplo.com", "", "F-7", d(-61), 100, "", "Luis"],
        ["@SUMA(1+1)", "arroba@ejemplo.com", "", "F-8", d(-1), 10, "", "-x"],
        [],
        ["TOTAL GENERAL", "", "", "", "", 5000],
    ]


def test_simulacro_muestra_y_el_json_cuadra(en_tmp, correr):
    cartera = escribir_xlsx(en_tmp / "cartera.xlsx", _filas())
    r = correr(
        "enviar", cartera, "--simulacro", "--hoy", HOY.isoformat(), "--salida", "informe.json"
    )
    assert r.exit_code == 0, r.output
    assert "Simulacro: nada se envía ni se registra" in r.output
    assert "fila 6" not in r.output  # la tabla usa columnas, no frases
    assert "31/02/2026" in r.output and "no es una fecha válida" in r.output
    datos = leer_json(en_tmp / "informe.json")
    res = datos["resumen"]
    assert datos["fecha"] == "2026-11-23" and datos["simulacro"] is True
    assert res["filas"] == res["facturas"] + res["rechazadas"] == 8
    assert res["rechazadas"] == 1
    en_mensajes = {n for m in datos["mensajes"] for n in m["facturas"]}
    en_tareas = {n for t in datos["tareas"] for n in t["facturas"]}
    omitidas = {o["factura"] for o in datos["omitidas"]}
    assert en_mensajes | en_tareas | omitidas == {"F-1", "F-2", "F-4", "F-5", "F-6", "F-7", "F-8"}
    assert len(en_mensajes) + len(en_tareas) + len(omitidas) == res["facturas"]
    (jose,) = [
        m for m in datos["mensajes"] if m["cliente"] == "José Núñez" and m["canal"] == "email"
    ]
    assert sorted(jose["facturas"]) == ["F-1", "F-2"]
    assert jose["paso"] == "aviso_formal" and jose["dias_vencido"] == 31
    assert jose["total"] == 2735 and jose["moneda"] == "MXN"
    assert jose["asunto"] and "José Núñez" in jose["cuerpo"]
    assert jose["estado"] == "simulado"
    motivos = {o["factura"]: o["motivo"] for o in datos["omitidas"]}
    assert motivos["F-4"].startswith("pagada")
    assert motivos["F-5"].startswith("sin contacto")
    assert motivos["F-6"].startswith("al corriente")
    # F-7 lleva 61 días: la agencia espera a que el aviso final se envíe de verdad.
    assert datos["tareas"] == []
    assert [m["paso"] for m in datos["mensajes"] if m["facturas"] == ["F-7"]] == ["aviso_final"]
    # Un simulacro no escribe nada más que el informe pedido.
    assert sorted(p.name for p in en_tmp.iterdir()) == ["cartera.xlsx", "informe.json"]


@pytest.mark.parametrize("extension", [".csv", ".xlsx", ".html"])
def test_informes_en_cada_formato_neutralizan_formulas(en_tmp, correr, extension):
    cartera = escribir_xlsx(en_tmp / "cartera.xlsx", _filas())
    salida = en_tmp / f"informe{extension}"
    r = correr("enviar", cartera, "--simulacro", "--hoy", HOY.isoformat(), "--salida", salida)
    assert r.exit_code == 0, r.output
    if extension == ".csv":
        with salida.open(encoding="utf-8-sig", newline="") as f:
            filas = list(csv.reader(f))
        celdas = [c for fila in filas for c in fila]
        assert "'@SUMA(1+1)" in celdas
        assert not any(c.startswith(("=", "+", "@")) for c in celdas)
        assert {fila[0] for fila in filas[1:]} >= {"mensaje", "omitida", "rechazo"}
    elif extension == ".xlsx":
        libro = load_workbook(salida)
        assert libro.sheetnames == [
            "Resumen",
            "Mensajes",
            "Tareas",
            "Omitidas",
            "Rechazos",
            "Avisos",
        ]
        celdas = [c.value for hoja in libro for fila in hoja.iter_rows() for c in fila]
        assert "'@SUMA(1+1)" in celdas
        assert not any(isinstance(c, str) and c.startswith(("=", "+", "@")) for c in celdas)
    else:
        html = salida.read_text(encoding="utf-8")
        assert "<table>" in html and "José Núñez" in html
        assert "@SUMA(1+1)" in html


@pytest.mark.parametrize("formato", ["csv-utf8", "csv-bom", "csv-cp1252", "ods"])
def test_otros_formatos_dan_el_mismo_plan(en_tmp, correr, formato):
    filas = [
        CABECERA,
        [
            "Peña",
            "pena@ejemplo.com",
            "",
            "F-1",
            (HOY - timedelta(days=1)).strftime("%d/%m/%Y"),
            "1.234,50",
        ],
    ]
    if formato == "ods":
        ruta = escribir_ods(en_tmp / "c.ods", filas)
    else:
        codificacion = {"csv-utf8": "utf-8", "csv-bom": "utf-8-sig", "csv-cp1252": "cp1252"}[
            formato
        ]
        ruta = escribir_csv(en_tmp / "c.csv", filas, ";", codificacion)
    r = correr("enviar", ruta, "--simulacro", "--hoy", HOY.isoformat(), "--salida", "i.json")
    assert r.exit_code == 0, r.output
    (m,) = leer_json(en_tmp / "i.json")["mensajes"]
    assert (m["cliente"], m["paso"], m["total"]) == ("Peña", "recordatorio", 1234.5)


def test_ejemplo_incluido(en_tmp, correr):
    r = correr("enviar", EJEMPLOS / "cartera.xlsx", "--simulacro", "--hoy", "2026-11-23",
               "--politica", EJEMPLOS / "politica.yaml", "--salida", "i.json")  # fmt: skip
    assert r.exit_code == 0, r.output
    datos = leer_json(en_tmp / "i.json")
    res = datos["resumen"]
    assert res["filas"] == res["facturas"] + res["rechazadas"]
    assert res["rechazadas"] >= 4 and res["mensajes"] > 5
    # Sin aviso final enviado (bitácora vacía), la agencia no llega todavía: sale el aviso.
    assert res["tareas"] == 0
    assert any(m["paso"] == "aviso_final" and m["dias_vencido"] >= 60 for m in datos["mensajes"])
    r = correr(
        "enviar",
        EJEMPLOS / "cartera.csv",
        "--simulacro",
        "--hoy",
        "2026-11-23",
        "--salida",
        "c.json",
    )
    assert r.exit_code == 0, r.output


@pytest.mark.parametrize(
    ("args", "fragmento"),
    [
        (["no-existe.xlsx"], "no-existe.xlsx: el archivo no existe"),
        (["cartera.xlsx", "--hoy", "11/23/2026"], "--hoy: «11/23/2026» no es una fecha AAAA-MM-DD"),
        (["cartera.xlsx", "--salida", "x.pdf"], "formato «.pdf» no admitido"),
        (["cartera.xlsx", "--politica", "nada.yaml"], "nada.yaml: 1 problema"),
        (["cartera.xlsx", "--hoja", "Otra"], "no tiene la hoja «Otra»"),
    ],
)
def test_errores_en_una_frase_y_codigo_2(en_tmp, correr, args, fragmento):
    escribir_xlsx(en_tmp / "cartera.xlsx", _filas())
    r = correr("enviar", *args, "--simulacro")
    assert r.exit_code == 2, r.output
    assert fragmento in r.output
    assert "Traceback" not in r.output


def test_error_de_plantilla_nombra_archivo_y_linea(en_tmp, correr):
    escribir_xlsx(en_tmp / "cartera.xlsx", _filas())
    (en_tmp / "plantillas").mkdir()
    (en_tmp / "plantillas" / "aviso_formal.email.j2").write_text(
        "Asunto: Aviso\n\nHola {{ cliente }}\nDebe {{ totl }}\n", encoding="utf-8"
    )
    (en_tmp / "politica.yaml").write_text(
        (Path(__file__).resolve().parents[1] / "src/recordar/datos/politica.yaml").read_text(
            encoding="utf-8"
        ),
        encoding="utf-8",
    )
    r = correr(
        "enviar", "cartera.xlsx", "--simulacro", "--hoy", HOY.isoformat(), "--salida", "i.json"
    )
    assert r.exit_code == 2
    assert "aviso_formal.email.j2: línea 4: la variable «totl» no existe" in r.output
    assert not (en_tmp / "i.json").exists()


def test_plantilla_propia_junto_a_la_politica_tiene_prioridad(en_tmp, correr):
    escribir_xlsx(en_tmp / "cartera.xlsx", _filas())
    (en_tmp / "plantillas").mkdir()
    (en_tmp / "plantillas" / "aviso_formal.email.j2").write_text(
        "Asunto: Aviso para {{ cliente }}\n\n{{ facturas|length }} facturas, {{ total|dinero }}, vendedor {{ vendedor }}\n",
        encoding="utf-8",
    )
    (en_tmp / "politica.yaml").write_text(
        "pasos:\n  - {id: aviso_formal, dias: 30}\n", encoding="utf-8"
    )
    r = correr(
        "enviar", "cartera.xlsx", "--simulacro", "--hoy", HOY.isoformat(), "--salida", "i.json"
    )
    assert r.exit_code == 0, r.output
    (m,) = [m for m in leer_json(en_tmp / "i.json")["mensajes"] if m["cliente"] == "José Núñez"]
    assert m["asunto"] == "Aviso para José Núñez"
    assert m["cuerpo"] == "1 facturas, $1,234.50, vendedor Ana"  # F-1 aún no llega a los 30 días


def test_depurar_muestra_la_traza(en_tmp, correr, monkeypatch):
    monkeypatch.setenv("RECORDAR_DEPURAR", "1")
    r = correr("enviar", "no-existe.xlsx", "--simulacro")
    assert r.exit_code != 0
    assert r.exception is not None and "no existe" in str(r.exception)


def test_ayuda_en_espanol(correr):
    r = correr("--help")
    assert r.exit_code == 0
    for orden in ("enviar", "validar", "iniciar", "historial", "canales", "baja"):
        assert orden in r.output
        ayuda = correr(orden, "--help")
        assert ayuda.exit_code == 0 and len(ayuda.output) > 100


def test_readme_documenta_cada_orden():
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    for orden in ("recordar enviar", "recordar validar", "recordar iniciar", "recordar historial",
                  "recordar canales", "recordar baja"):  # fmt: skip
        assert orden in readme
    assert "recordar enviar ejemplos/cartera.xlsx --simulacro\n" in readme
    ci = (Path(__file__).resolve().parents[1] / ".ci" / "run").read_text(encoding="utf-8")
    orden_pruebas = ci.strip().splitlines()[-1]
    assert orden_pruebas in readme


def test_con_plantillas_precompiladas_en_otro_proceso_el_informe_es_el_mismo(
    en_tmp, correr, monkeypatch
):
    from recordar.mensajes import entorno, precompilacion

    cartera = escribir_xlsx(en_tmp / "cartera.xlsx", _filas())
    orden = ["enviar", cartera, "--simulacro", "--hoy", HOY.isoformat(), "--salida"]
    monkeypatch.setenv("RECORDAR_PROCESOS", "1")  # ni precompilación ni reparto
    r = correr(*orden, "sin.json")
    assert r.exit_code == 0, r.output
    monkeypatch.delenv("RECORDAR_PROCESOS")
    monkeypatch.setattr(precompilacion, "MINIMO_BYTES_PARA_PRECOMPILAR", 0)
    for compiladas in entorno._COMPILADAS.values():
        monkeypatch.setattr(compiladas, "datos", {})
    recogidas = []
    recoger = precompilacion.Precompilacion.recoger
    monkeypatch.setattr(
        precompilacion.Precompilacion, "recoger", lambda self: recogidas.append(recoger(self))
    )
    r = correr(*orden, "con.json")
    assert r.exit_code == 0, r.output
    assert recogidas and entorno._COMPILADAS[False].datos
    assert (en_tmp / "con.json").read_bytes() == (en_tmp / "sin.json").read_bytes()


def test_resumen_en_singular_y_en_plural(en_tmp, correr):
    fila = ["Ana", "ana@ejemplo.com", "", "F-1", HOY - timedelta(days=1), 10]
    escribir_xlsx(en_tmp / "una.xlsx", [CABECERA, fila])
    r = correr("enviar", "una.xlsx", "--simulacro", "--hoy", HOY.isoformat())
    assert r.exit_code == 0, r.output
    assert (
        "Resumen: 1 fila = 1 factura + 0 rechazadas. 1 factura = 1 en mensajes + 0 en tareas + "
        "0 omitidas. 1 mensaje, 0 tareas." in r.output
    )
    mala = ["Eva", "eva@ejemplo.com", "", "F-2", "31/02/2026", 10]
    pagada = ["Luis", "luis@ejemplo.com", "", "F-3", HOY - timedelta(days=1), 0]
    escribir_xlsx(en_tmp / "tres.xlsx", [CABECERA, fila, mala, pagada])
    r = correr("enviar", "tres.xlsx", "--simulacro", "--hoy", HOY.isoformat())
    assert (
        "Resumen: 3 filas = 2 facturas + 1 rechazada. 2 facturas = 1 en mensajes + 0 en tareas + "
        "1 omitida (1 saldo 0). 1 mensaje, 0 tareas." in r.output
    )


@pytest.mark.parametrize("salida", ["cartera.xlsx", "./sub/../cartera.xlsx"])
def test_salida_no_reemplaza_la_cartera(en_tmp, correr, salida):
    (en_tmp / "sub").mkdir()
    cartera = escribir_xlsx(en_tmp / "cartera.xlsx", _filas())
    antes = cartera.read_bytes()
    r = correr("enviar", "cartera.xlsx", "--simulacro", "--hoy", HOY.isoformat(), "-o", salida)
    assert r.exit_code == 2
    assert "es la cartera que se lee y el informe la reemplazaría" in r.output
    assert cartera.read_bytes() == antes


def test_avisa_de_otras_hojas_con_cartera(en_tmp, correr):
    from openpyxl import Workbook

    libro = Workbook()
    libro.active.title = "Centro"
    norte = libro.create_sheet("Norte")
    for hoja, numero in ((libro["Centro"], "C-1"), (norte, "N-1")):
        hoja.append(CABECERA)
        hoja.append(["Ana", "ana@ejemplo.com", "", numero, HOY - timedelta(days=1), 10])
    libro.save(en_tmp / "c.xlsx")
    r = correr("enviar", "c.xlsx", "--simulacro", "--hoy", HOY.isoformat(), "-o", "i.json")
    assert r.exit_code == 0, r.output
    assert (
        "Aviso: solo se leyó la hoja «Centro»; el libro tiene otras con encabezados de cartera "
        "(«Norte»). Para leer otra: --hoja NOMBRE." in r.output
    )
    assert leer_json(en_tmp / "i.json")["otras_hojas"] == ["Norte"]
    r = correr("validar", "c.xlsx", "--hoy", HOY.isoformat())
    assert "solo se leyó la hoja «Centro»" in r.output


def test_bitacora_que_es_una_carpeta(en_tmp, correr):
    escribir_xlsx(en_tmp / "c.xlsx", _filas())
    (en_tmp / "registro").mkdir()
    r = correr("enviar", "c.xlsx", "--simulacro", "--bitacora", "registro")
    assert r.exit_code == 2
    assert "registro: la bitácora debe ser un archivo y es una carpeta" in r.output


def test_el_json_trae_las_cifras_de_dinero_que_suman_la_hoja(en_tmp, correr):
    cartera = escribir_xlsx(en_tmp / "cartera.xlsx", _filas())
    r = correr(
        "enviar", cartera, "--simulacro", "--hoy", HOY.isoformat(), "--salida", "informe.json"
    )
    assert r.exit_code == 0, r.output
    datos = leer_json(en_tmp / "informe.json")
    assert (datos["idioma"], datos["moneda"]) == ("es_MX", "MXN")
    (mxn,) = datos["cifras"]["monedas"]
    # Abiertas y válidas: F-1 1500.5 (1 día de atraso), F-2 1234.5 (31), F-5 100 (2),
    # F-6 100 (vence en 30 días), F-7 100 (61), F-8 10 (1). F-3 se rechaza (fecha imposible)
    # y F-4 está pagada.
    assert mxn["abierto"] == {"importe": 3045, "facturas": 6}
    assert mxn["vencido"] == {"importe": 2945, "facturas": 5}
    tramos = {t["tramo"]: (t["importe"], t["facturas"]) for t in mxn["antiguedad"]}
    assert tramos == {"al corriente": (100, 1), "1–30": (1610.5, 3), "31–60": (1234.5, 1),
                      "61–90": (100, 1), "más de 90": (0, 0)}  # fmt: skip
    # En los mensajes de hoy van F-1 y F-2 (José), F-7 y F-8; F-5 no tiene contacto.
    assert mxn["en_mensajes"] == {"importe": 2845, "facturas": 4}
    assert [(d["cliente"], d["vencido"]) for d in mxn["principales"]] == [
        ("José Núñez", 2735), ("Muy Tarde", 100), ("Sin Contacto", 100), ("@SUMA(1+1)", 10)
    ]  # fmt: skip
