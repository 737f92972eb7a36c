"""El informe .xlsx: hoja «Resumen» con las cifras de dinero como números con formato de moneda y
una gráfica nativa de la antigüedad; una hoja por sección con cabecera fija en negrita,
autofiltro, anchos según el contenido, importes y fechas de verdad, teléfonos como texto sin
apóstrofo visible. LibreOffice lo abre (lo convierte a PDF y a CSV con los valores como se ven)."""

from __future__ import annotations

import csv
import os
import subprocess
import zipfile
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from recordar.informe import xlsx as informe_xlsx
from recordar.informe.formatos import escribir_informe, neutralizar
from tests.conftest import HOY

CABECERA = ["Cliente", "Correo", "Teléfono", "Factura", "Vencimiento", "Importe", "Moneda"]


def _dia(dias: int) -> str:
    return (HOY + timedelta(days=dias)).isoformat()


def _cartera(ruta: Path) -> Path:
    """Importes y atrasos elegidos para que las cifras se sumen a mano (HOY = 2026-11-23)."""
    from tests.conftest import escribir_xlsx

    return escribir_xlsx(ruta, [
        CABECERA,
        ["Ferretería Núñez", "jose@ferreteria.mx", "", "F-1", _dia(10), 1000, "MXN"],  # al corriente
        ["Ana Peña", "ana@ejemplo.mx", "", "F-2", _dia(-5), 2500.5, "MXN"],  # 1–30
        ["Ana Peña", "ana@ejemplo.mx", "", "F-3", _dia(-45), 4000, "MXN"],  # 31–60
        ["@SUMA(1+1)", "h@ejemplo.mx", "", "F-4", _dia(-100), 700, "MXN"],  # > 90
        ["Importadora Ríos", "rios@ejemplo.com", "", "F-5", _dia(-20), 300.25, "USD"],
    ])  # fmt: skip


def _informe(en_tmp, correr, *politica: str, nombre: str = "i.xlsx"):
    _cartera(en_tmp / "cartera.xlsx")
    r = correr("enviar", "cartera.xlsx", "--simulacro", "--hoy", HOY.isoformat(), "-o", nombre,
               *politica)  # fmt: skip
    assert r.exit_code == 0, r.output
    return en_tmp / nombre


def _fila(hoja, etiqueta: str) -> tuple:
    for fila in hoja.iter_rows(values_only=True):
        if fila[0] == etiqueta:
            return fila
    raise AssertionError(f"no hay fila «{etiqueta}» en {hoja.title}")


def _celda(hoja, etiqueta: str, columna: int):
    for fila in hoja.iter_rows():
        if fila[0].value == etiqueta:
            return fila[columna - 1]
    raise AssertionError(etiqueta)


def test_resumen_con_las_cifras_como_numeros_con_formato_de_moneda(en_tmp, correr):
    libro = load_workbook(_informe(en_tmp, correr))
    assert libro.sheetnames[0] == "Resumen"
    resumen = libro["Resumen"]
    assert resumen["B2"].value == datetime(2026, 11, 23) and resumen["B2"].is_date
    saldo = _celda(resumen, "Saldo total", 2)
    assert saldo.value == 8200.5 and saldo.number_format == '"$"#,##0.00'
    assert _fila(resumen, "Saldo total")[2] == 4
    vencido = _fila(resumen, "Vencido")
    assert vencido[1:3] == (7200.5, 3)
    porcentaje = _celda(resumen, "Vencido", 4)
    assert porcentaje.value == pytest.approx(0.878) and porcentaje.number_format == "0.0%"
    # Todo lo vencido va hoy en algún mensaje (ninguna tarea en la política predeterminada).
    assert _fila(resumen, "En los mensajes de hoy")[1:3] == (7200.5, 3)
    assert _fila(resumen, "En disputa")[1:3] == (0, 0)
    # La tabla de antigüedad, tramo por tramo.
    tramos: dict[str, tuple] = {}
    for f in resumen.iter_rows(values_only=True):  # la tabla de pesos va antes que la de dólares
        if f[0] in ("al corriente", "1–30", "31–60", "61–90", "más de 90"):
            tramos.setdefault(f[0], f[1:3])
    assert tramos == {"al corriente": (1000, 1), "1–30": (2500.5, 1), "31–60": (4000, 1),
                      "61–90": (0, 0), "más de 90": (700, 1)}  # fmt: skip
    # La otra moneda, aparte y con su símbolo (no se suman pesos con dólares).
    usd = [c for c in resumen["A"] if c.value == "Cifras en USD"]
    assert usd
    saldo_usd = resumen.cell(usd[0].row + 1, 2)
    assert saldo_usd.value == 300.25 and saldo_usd.number_format == '"USD"#,##0.00'
    # Las cuentas de la corrida con nombre para una persona.
    assert _fila(resumen, "Filas leídas")[1] == 5


def test_la_grafica_de_antiguedad_es_nativa_y_lee_la_tabla(en_tmp, correr):
    ruta = _informe(en_tmp, correr)
    resumen = load_workbook(ruta)["Resumen"]
    cabecera = next(c.row for c in resumen["A"] if c.value == "Antigüedad (días de atraso)")
    with zipfile.ZipFile(ruta) as z:
        graficas = sorted(n for n in z.namelist() if n.startswith("xl/charts/chart"))
        xml = z.read(graficas[0]).decode()
    assert len(graficas) == 2  # una por moneda
    assert "<barChart>" in xml
    # Los valores y las categorías son las celdas de la tabla, no números copiados.
    assert f"'Resumen'!$B${cabecera + 1}:$B${cabecera + 5}" in xml
    assert f"'Resumen'!$A${cabecera + 1}:$A${cabecera + 5}" in xml


def test_secciones_con_cabecera_fija_filtro_anchos_y_tipos(en_tmp, correr):
    libro = load_workbook(_informe(en_tmp, correr))
    assert libro.sheetnames == ["Resumen", "Mensajes", "Tareas", "Omitidas", "Rechazos", "Avisos"]
    hoja = libro["Mensajes"]
    cabecera = [c.value for c in hoja[1]]
    assert cabecera == ["Cliente", "Facturas", "Paso", "Canal", "Destinatario", "Días de atraso",
                        "Total", "Moneda", "Interés", "Asunto", "Mensaje", "Estado"]  # fmt: skip
    assert all(c.font.b for c in hoja[1])
    assert hoja.freeze_panes == "A2"
    assert hoja.auto_filter.ref == f"A1:L{hoja.max_row}"
    assert hoja.max_row == 1 + 3  # 3 deudores con vencido: 2 en pesos y 1 en dólares
    filas = {f[0].value: f for f in hoja.iter_rows(min_row=2)}
    ana = filas["Ana Peña"]
    assert ana[1].value == "F-2, F-3" and ana[5].value == 45
    assert ana[6].value == 6500.5 and ana[6].number_format == '"$"#,##0.00'
    assert filas["Importadora Ríos"][6].number_format == '"USD"#,##0.00'
    cuerpo = ana[10]
    assert "Ana Peña" in cuerpo.value and cuerpo.alignment.wrap_text
    # Anchos según el contenido, con tope: el del correo más largo, el del cuerpo acotado.
    anchos = {c: hoja.column_dimensions[c].width for c in "AEFK"}
    assert anchos["A"] >= len("Importadora Ríos") and anchos["A"] <= informe_xlsx.ANCHO_MAX["texto"]
    assert anchos["E"] >= len("rios@ejemplo.com")
    assert anchos["K"] == informe_xlsx.ANCHO_MAX["largo"]  # cuerpos largos: tope y ajuste
    assert anchos["F"] >= len("Días de atraso")
    # Omitidas: la factura al corriente con su fila y motivo.
    omitidas = libro["Omitidas"]
    assert [c.value for c in omitidas[1]] == ["Fila", "Factura", "Cliente", "Motivo"]
    assert omitidas.freeze_panes == "A2" and omitidas.auto_filter.ref == "A1:D2"
    assert [c.value for c in omitidas[2]][:3] == [2, "F-1", "Ferretería Núñez"]


def test_formula_del_cliente_es_texto_con_prefijo_de_comilla(en_tmp, correr):
    libro = load_workbook(_informe(en_tmp, correr))
    hostil = "@SUMA(1+1)"
    celdas = [c for hoja in libro for fila in hoja.iter_rows() for c in fila if c.value == hostil]
    assert {c.parent.title for c in celdas} >= {"Mensajes", "Resumen"}
    assert all(c.data_type == "s" and c.quotePrefix for c in celdas)


def _datos(**extra) -> dict:
    """Un informe como los de quien usa la biblioteca (sin cifras, idioma ni moneda)."""
    mensaje = {"cliente": "Ana", "facturas": ["0012", "F-2"], "paso": "recordatorio",
               "canal": "sms", "destinatario": "+52 55 1234 5678", "dias_vencido": 3,
               "total": 1500.5, "moneda": "MXN", "interes": 0, "asunto": "",
               "cuerpo": "Hola Ana", "estado": "simulado"}  # fmt: skip
    datos = {"fecha": "2026-11-23", "simulacro": True, "resumen": {"filas": 1, "mensajes": 1},
             "mensajes": [mensaje], "tareas": [], "omitidas": [], "rechazos": [],
             "avisos": []}  # fmt: skip
    datos.update(extra)
    return datos


def test_telefonos_y_numeros_de_factura_son_texto_sin_apostrofo(tmp_path):
    libro = load_workbook(escribir_informe(tmp_path / "i.xlsx", _datos()))
    fila = libro["Mensajes"][2]
    telefono = fila[4]
    assert telefono.value == "+52 55 1234 5678"
    assert telefono.data_type == "s" and telefono.quotePrefix  # texto; «+» no es fórmula
    assert fila[1].value == "0012, F-2" and fila[1].data_type == "s"
    # Sin cifras (informe de biblioteca): resumen sin tarjetas ni gráfica, moneda de es_MX.
    resumen = libro["Resumen"]
    assert "Saldo total" not in [c.value for c in resumen["A"]]
    assert not resumen._charts
    assert fila[6].value == 1500.5 and fila[6].number_format == '"$"#,##0.00'


@pytest.mark.parametrize(("idioma", "moneda", "formato", "fecha"), [
    ("es_MX", "MXN", '"$"#,##0.00', "dd/mm/yyyy"),
    ("es_ES", "EUR", '#,##0.00 "€"', "dd/mm/yyyy"),
    ("en_US", "USD", '"$"#,##0.00', "mm/dd/yyyy"),
    ("es_CL", "CLP", '"$"#,##0;"$-"#,##0', "dd/mm/yyyy"),
])  # fmt: skip
def test_formato_de_moneda_y_fecha_segun_el_idioma(tmp_path, idioma, moneda, formato, fecha):
    abiertas = [{"id": 3, "cliente": "Ana", "facturas": ["F-1"], "paso": "agencia",
                 "descripcion": "Llamar", "desde": "2026-11-20"}]  # fmt: skip
    datos = _datos(idioma=idioma, moneda=moneda, tareas_abiertas=abiertas)
    datos["mensajes"][0]["moneda"] = moneda
    libro = load_workbook(escribir_informe(tmp_path / "i.xlsx", datos))
    assert libro["Mensajes"]["G2"].number_format == formato
    desde = libro["Tareas abiertas"]["F2"]
    assert desde.value == datetime(2026, 11, 20) and desde.number_format == fecha
    assert libro["Resumen"]["B2"].number_format == fecha


def test_cada_registro_esta_aunque_no_quepa_en_una_hoja(tmp_path, monkeypatch):
    # Una hoja de Excel tiene 1 048 576 filas: lo que no cabe se cuenta en la última.
    monkeypatch.setattr(informe_xlsx, "MAX_FILAS", 5)
    datos = _datos()
    datos["omitidas"] = [{"fila": i, "factura": f"F-{i}", "cliente": "Ana", "motivo": "pagada"}
                         for i in range(2, 12)]  # fmt: skip
    hoja = load_workbook(escribir_informe(tmp_path / "i.xlsx", datos))["Omitidas"]
    valores = [f[0] for f in hoja.iter_rows(min_row=2, values_only=True)]
    assert valores[:3] == [2, 3, 4]
    assert valores[3] == "… y 7 más que no caben en una hoja de Excel; están en el informe .json"


def test_controles_y_caracteres_que_xml_no_admite_se_quitan(tmp_path):
    datos = _datos()
    datos["mensajes"][0].update(cliente="Ana\x0bLópez\x01\ufffe", cuerpo="línea 1\r\nlínea 2 ")
    hoja = load_workbook(escribir_informe(tmp_path / "i.xlsx", datos))["Mensajes"]
    assert hoja["A2"].value == "AnaLópez"
    assert hoja["K2"].value == "línea 1\r\nlínea 2 "  # el \r y el espacio final se conservan


def _soffice(ruta: Path, destino: Path, filtro: str) -> None:
    # Perfil propio (no el del usuario) e idioma fijo: los separadores que muestra LibreOffice
    # salen del idioma del sistema.
    perfil = destino / "perfil"
    entorno = dict(os.environ, LC_ALL="C.UTF-8", LANG="C.UTF-8", HOME=str(destino))
    subprocess.run(
        ["soffice", "--headless", f"-env:UserInstallation=file://{perfil}", "--convert-to",
         filtro, "--outdir", str(destino), str(ruta)],
        check=True, capture_output=True, timeout=180, env=entorno,
    )  # fmt: skip


def test_libreoffice_abre_el_informe_y_muestra_los_importes_con_formato(en_tmp, correr, tmp_path):
    ruta = _informe(en_tmp, correr)
    salida = tmp_path / "lo"
    salida.mkdir()
    _soffice(ruta, salida, "pdf")
    pdf = salida / "i.pdf"
    assert pdf.exists() and pdf.stat().st_size > 1000
    assert pdf.read_bytes().startswith(b"%PDF")
    # Cada hoja a CSV con los valores como se ven (44: «,», 34: «"», 76: UTF-8, «true» en la
    # novena opción: tal como se muestran; -1: todas las hojas).
    _soffice(ruta, salida, "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,"
             "false,false,-1")  # fmt: skip
    with (salida / "i-Resumen.csv").open(encoding="utf-8") as f:
        resumen: dict[str, list] = {}
        for fila in csv.reader(f):  # la primera moneda (la de la política) primero
            resumen.setdefault(fila[0], fila)
    assert resumen["Saldo total"][1] == "$8,200.50"
    assert resumen["Vencido"][3] == "87.8%"
    with (salida / "i-Mensajes.csv").open(encoding="utf-8") as f:
        mensajes = {fila[0]: fila for fila in csv.reader(f)}
    assert mensajes["Ana Peña"][6] == "$6,500.50"
    # El texto que parece fórmula se ve tal cual: LibreOffice no lo calculó.
    assert "@SUMA(1+1)" in mensajes


def test_hojas_extra_solo_si_hay_y_con_fechas_y_horas(tmp_path):
    incierto = {"fecha": "2026-11-23", "enviado_en": "2026-11-23T09:30:00-06:00",
                "actualizado": "2026-11-23T09:31:00-06:00", "cliente": "Ana", "facturas": ["F-1"],
                "paso": "recordatorio", "canal": "email", "destinatario": "ana@ejemplo.mx",
                "estado": "incierto", "intentos": 1, "proveedor_id": None,
                "detalle": "se cortó la conexión", "asunto": "Recordatorio"}  # fmt: skip
    pago = {"factura": "F-9", "cliente": "Luis", "dias_tarde": 12, "ultimo_aviso": "seguimiento",
            "pagada_en_hoja": True}  # fmt: skip
    datos = _datos(inciertos=[incierto], pagos_detectados=[pago], reintentados=[])
    libro = load_workbook(escribir_informe(tmp_path / "i.xlsx", datos))
    assert libro.sheetnames == ["Resumen", "Mensajes", "Tareas", "Omitidas", "Rechazos", "Avisos",
                                "Pagos detectados", "Envíos inciertos"]  # fmt: skip
    hoja = libro["Envíos inciertos"]
    assert [c.value for c in hoja[1]][:3] == ["Fecha", "Enviado", "Cliente"]
    assert hoja["A2"].value == datetime(2026, 11, 23) and hoja["A2"].number_format == "dd/mm/yyyy"
    assert hoja["B2"].value == datetime(2026, 11, 23, 9, 30)
    assert hoja["B2"].number_format == "dd/mm/yyyy hh:mm"
    assert [c.value for c in libro["Pagos detectados"][2]] == ["F-9", "Luis", 12, "seguimiento",
                                                               "sí"]  # fmt: skip


TEXTOS = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)


@settings(max_examples=60)
@given(cliente=TEXTOS, cuerpo=TEXTOS)
def test_cualquier_texto_vuelve_igual_y_nunca_como_formula(tmp_path_factory, cliente, cuerpo):
    """Las filas se escriben en XML a mano: lo que se lee del archivo es lo que se escribió,
    sin los caracteres que XML no admite, y lo que parece fórmula lleva el prefijo de comilla."""
    import re

    ruta = tmp_path_factory.mktemp("x") / "i.xlsx"
    datos = _datos()
    datos["mensajes"][0].update(cliente=cliente, cuerpo=cuerpo)
    fila = load_workbook(escribir_informe(ruta, datos))["Mensajes"][2]
    ilegales = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
    for celda, texto in ((fila[0], cliente), (fila[10], cuerpo)):
        esperado = ilegales.sub("", texto)
        assert (celda.value or "") == esperado
        assert celda.data_type in ("s", "n")  # «n»: celda vacía
        if esperado and (esperado[0] in "=+-@" or neutralizar(esperado) != esperado):
            assert celda.quotePrefix, (texto, celda.value)
