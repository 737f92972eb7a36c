"""Leer un libro nunca da un resultado equivocado en silencio ni tumba el proceso: fórmulas sin
calcular, libros desmesurados, hojas que no se leen, archivos cifrados, vacíos o inalcanzables."""

from __future__ import annotations

import re
import struct
import zipfile
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from recordar.cartera.carga import cargar_cartera
from recordar.errores import ErrorCartera

CABECERA = ["Cliente", "Correo", "Factura", "Vencimiento", "Total", "Descuento", "Saldo"]


def _texto(r) -> str:
    return " ".join(r.output.split())


def _por_fila(cartera) -> dict[int, object]:
    return {f.fila: f for f in cartera.facturas} | {o.fila: o for o in cartera.omitidas}


# ------------------------------------------------------------------ fórmulas sin calcular


def _xlsxwriter(ruta: Path, filas: list[list], **kw) -> Path:
    """Un libro como lo escribe xlsxwriter: cada fórmula con 0 guardado y fullCalcOnLoad."""
    import xlsxwriter

    libro = xlsxwriter.Workbook(str(ruta), kw)
    hoja = libro.add_worksheet("Cartera")
    fecha = libro.add_format({"num_format": "dd/mm/yyyy"})
    for i, fila in enumerate(filas):
        for j, valor in enumerate(fila):
            if isinstance(valor, str) and valor.startswith("="):
                hoja.write_formula(i, j, valor)
            elif isinstance(valor, date):
                hoja.write_datetime(i, j, datetime(valor.year, valor.month, valor.day), fecha)
            elif valor is not None:
                hoja.write(i, j, valor)
    libro.close()
    return ruta


def _filas_con_formulas() -> list[list]:
    return [
        CABECERA,
        ["Ana", "ana@ejemplo.com", "F-1", date(2026, 10, 1), 1000, 200, "=E2-F2"],
        ["Beto", "beto@ejemplo.com", "F-2", date(2026, 10, 2), 500, None, "=E3*1.16"],
        ["Caro", "caro@ejemplo.com", "F-3", date(2026, 10, 3), 300, 50, "=SUM(E4:F4)"],
        ["Dani", "dani@ejemplo.com", "F-4", "=D2+30", 100, 0, "=ROUND((E5-F5)/3,2)"],
        ["Eva", "eva@ejemplo.com", "F-5", date(2026, 10, 5), 80, 80, "=E6-F6"],
    ]


def test_formulas_de_xlsxwriter_se_calculan_en_vez_de_leer_el_0_guardado(tmp_path):
    ruta = _xlsxwriter(tmp_path / "erp.xlsx", _filas_con_formulas())
    cartera = cargar_cartera(ruta)
    filas = _por_fila(cartera)
    assert filas[2].monto == Decimal("800")
    assert filas[3].monto == Decimal("580")
    assert filas[4].monto == Decimal("350")
    assert filas[5].monto == Decimal("33.33")
    assert filas[5].vencimiento == date(2026, 10, 31)
    assert filas[6].motivo == "saldo 0"  # 80 - 80: un 0 calculado, no el guardado
    assert cartera.rechazos == []
    assert len(cartera.avisos) == 1
    aviso = cartera.avisos[0]
    assert "dejó sus fórmulas para que Excel las calcule al abrirlo" in aviso.motivo
    assert "recordar calculó 6 celdas" in aviso.motivo
    assert "ábrelo en Excel o LibreOffice y guárdalo" in aviso.motivo


def test_formulas_de_openpyxl_sin_valor_se_calculan(tmp_path):
    from openpyxl import Workbook

    libro = Workbook()
    for fila in _filas_con_formulas():
        libro.active.append(fila)
    libro.save(tmp_path / "web.xlsx")
    cartera = cargar_cartera(tmp_path / "web.xlsx")
    filas = _por_fila(cartera)
    assert [filas[n].monto for n in (2, 3, 4)] == [Decimal("800"), Decimal("580"), Decimal("350")]
    assert filas[5].vencimiento == date(2026, 10, 31)
    assert cartera.rechazos == []


def test_formula_que_no_se_sabe_calcular_rechaza_la_fila_y_dice_que_hacer(tmp_path):
    filas = _filas_con_formulas()
    filas[1][6] = "=VLOOKUP(C2,Pagos!A:B,2,FALSE)"
    filas[2][6] = "=Pagos!B3"
    filas[3][6] = '=IF(E4>0,E4,"")'
    ruta = _xlsxwriter(tmp_path / "erp.xlsx", filas)
    cartera = cargar_cartera(ruta)
    assert sorted(_por_fila(cartera)) == [5, 6]
    assert {r.fila for r in cartera.rechazos} == {2, 3, 4}
    r = cartera.rechazos[0]
    assert (r.fila, r.columna, r.valor) == (2, "Saldo", "=VLOOKUP(C2,Pagos!A:B,2,FALSE)")
    assert r.motivo.startswith("la celda G2 tiene una fórmula sin calcular (=VLOOKUP(")
    assert r.motivo.endswith("abre el archivo en Excel o LibreOffice y guárdalo")
    # Ni la factura ni un «falta el importe» de más: una fila, un rechazo que dice la causa.
    assert [x.fila for x in cartera.rechazos] == [2, 3, 4]
    assert {"F-1", "F-2", "F-3"} <= cartera.numeros_rechazados
    assert "rechazó 3 filas que no sabe calcular" in cartera.avisos[0].motivo


def test_formula_sin_calcular_en_una_columna_de_estado_no_se_toma_como_vacia(tmp_path):
    filas = [
        [*CABECERA[:5], "Estado"],
        [
            "Ana",
            "ana@ejemplo.com",
            "F-1",
            date(2026, 10, 1),
            1000,
            '=IF(E2>0,"Pendiente","Pagada")',
        ],
    ]
    cartera = cargar_cartera(_xlsxwriter(tmp_path / "erp.xlsx", filas))
    assert cartera.facturas == []
    assert cartera.rechazos[0].columna == "Estado"
    assert "la celda F2 tiene una fórmula sin calcular" in cartera.rechazos[0].motivo


def _sin_recalcular(ruta: Path, valor_guardado: str) -> Path:
    """El mismo libro como lo deja Excel al guardar: sin fullCalcOnLoad y con el valor calculado
    (aquí uno elegido, para ver que se usa el guardado y no se recalcula)."""
    with zipfile.ZipFile(ruta) as z:
        partes = {n: z.read(n) for n in z.namelist()}
    partes["xl/workbook.xml"] = partes["xl/workbook.xml"].replace(b' fullCalcOnLoad="1"', b"")
    partes["xl/worksheets/sheet1.xml"] = partes["xl/worksheets/sheet1.xml"].replace(
        b"<f>E2-F2</f><v>0</v>", f"<f>E2-F2</f><v>{valor_guardado}</v>".encode()
    )
    with zipfile.ZipFile(ruta, "w", zipfile.ZIP_DEFLATED) as z:
        for nombre, datos in partes.items():
            z.writestr(nombre, datos)
    return ruta


@pytest.mark.parametrize(
    ("guardado", "descuento", "monto"),
    [
        ("123", 200, Decimal("123")),  # un valor calculado se usa tal cual, no se recalcula
        ("0", 1000, None),  # un 0 que es el resultado de la cuenta es un 0
    ],
)
def test_formula_con_valor_calculado_por_excel_se_lee_como_antes(
    tmp_path, guardado, descuento, monto
):
    filas = _filas_con_formulas()[:2]
    filas[1][5] = descuento
    ruta = _sin_recalcular(_xlsxwriter(tmp_path / "excel.xlsx", filas), guardado)
    cartera = cargar_cartera(ruta)
    assert cartera.avisos == [] and cartera.rechazos == []
    if monto is None:
        assert cartera.omitidas[0].motivo == "saldo 0"
    else:
        assert cartera.facturas[0].monto == monto


def test_un_0_guardado_que_no_es_el_resultado_se_recalcula(tmp_path):
    # Lo que deja «soffice --convert-to xlsx» con un libro de xlsxwriter: quita fullCalcOnLoad
    # sin recalcular, y el 0 de =E2-F2 (1000 - 200) queda guardado como si fuera el resultado.
    ruta = _sin_recalcular(_xlsxwriter(tmp_path / "lo.xlsx", _filas_con_formulas()[:2]), "0")
    cartera = cargar_cartera(ruta)
    assert [f.monto for f in cartera.facturas] == [Decimal("800")]
    assert "con un 0 que no es su resultado" in cartera.avisos[0].motivo


def _xlsx_a_mano(ruta: Path, hojas: dict[str, str], calcular: bool = False) -> Path:
    """Un .xlsx mínimo con el XML de cada hoja tal cual (None: la hoja falta en el zip)."""
    tipos = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for i in range(1, len(hojas) + 1)
    )
    hojas_xml = "".join(
        f'<sheet name="{n}" sheetId="{i}" r:id="rId{i}"/>' for i, n in enumerate(hojas, 1)
    )
    relaciones = "".join(
        f'<Relationship Id="rId{i}" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        f'relationships/worksheet" Target="worksheets/sheet{i}.xml"/>'
        for i in range(1, len(hojas) + 1)
    )
    calculo = '<calcPr fullCalcOnLoad="1"/>' if calcular else ""
    with zipfile.ZipFile(ruta, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.'
            'org/package/2006/content-types"><Default Extension="rels" ContentType="application/'
            'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
            'ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType='
            '"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            f"{tipos}</Types>",
        )
        z.writestr(
            "_rels/.rels",
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
            'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http:'
            '//schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
            'Target="xl/workbook.xml"/></Relationships>',
        )
        z.writestr(
            "xl/workbook.xml",
            '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.'
            'openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats'
            f'.org/officeDocument/2006/relationships"><sheets>{hojas_xml}</sheets>{calculo}'
            "</workbook>",
        )
        z.writestr(
            "xl/_rels/workbook.xml.rels",
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
            f'openxmlformats.org/package/2006/relationships">{relaciones}</Relationships>',
        )
        for i, xml in enumerate(hojas.values(), 1):
            z.writestr(f"xl/worksheets/sheet{i}.xml", xml)
    return ruta


def _hoja_xml(filas: list[list], prefijo: str = "", extra: str = "") -> str:
    """El XML de una hoja: texto en línea, números y celdas ya escritas como XML (<c …>)."""
    p = prefijo
    cuerpo = []
    for i, fila in enumerate(filas, 1):
        celdas = []
        for j, valor in enumerate(fila):
            ref = f"{chr(65 + j)}{i}"
            if valor is None:
                continue
            if isinstance(valor, str) and valor.startswith("<"):
                celdas.append(valor.replace("{ref}", ref).replace("<c ", f"<{p}c ")
                              .replace("</c>", f"</{p}c>").replace("<f", f"<{p}f")
                              .replace("</f>", f"</{p}f>").replace("<v", f"<{p}v")
                              .replace("</v>", f"</{p}v>"))  # fmt: skip
            elif isinstance(valor, str):
                celdas.append(f'<{p}c r="{ref}" t="inlineStr"><{p}is><{p}t>{valor}</{p}t>'
                              f"</{p}is></{p}c>")  # fmt: skip
            else:
                celdas.append(f'<{p}c r="{ref}"><{p}v>{valor}</{p}v></{p}c>')
        cuerpo.append(f'<{p}row r="{i}">{"".join(celdas)}</{p}row>')
    xmlns = f"xmlns{':' + p[:-1] if p else ''}"
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><{p}worksheet {xmlns}="http://schemas.'
        f'openxmlformats.org/spreadsheetml/2006/main">{extra}<{p}sheetData>{"".join(cuerpo)}'
        f"</{p}sheetData></{p}worksheet>"
    )


_CABECERA_MANO = ["Cliente", "Correo", "Factura", "Vencimiento", "Total", "Descuento", "Saldo"]


def test_formula_compartida_sin_valor_se_calcula_desde_cada_celda(tmp_path):
    # Algunos sistemas escriben la fórmula una vez (t="shared") y las demás celdas la repiten;
    # con prefijo de espacio de nombres (x:), como el SDK de OpenXML, y sin fullCalcOnLoad.
    filas = [_CABECERA_MANO] + [
        ["Ana", "ana@ejemplo.com", f"F-{i}", 46300 + i, 100 * i, 10,
         '<c r="{ref}"><f t="shared" ref="G2:G4" si="0">E2-F2</f></c>' if i == 2
         else '<c r="{ref}"><f t="shared" si="0"/></c>']
        for i in (2, 3, 4)
    ]  # fmt: skip
    ruta = _xlsx_a_mano(tmp_path / "sdk.xlsx", {"Cartera": _hoja_xml(filas, prefijo="x:")})
    cartera = cargar_cartera(ruta)
    assert [f.monto for f in cartera.facturas] == [Decimal("190"), Decimal("290"), Decimal("390")]
    assert "el libro tiene fórmulas guardadas sin su valor calculado" in cartera.avisos[0].motivo


def test_formula_que_cita_otra_formula_sin_calcular_y_referencia_circular(tmp_path):
    filas = [_CABECERA_MANO] + [
        ["Ana", "ana@ejemplo.com", "F-2", 46300, 100, '<c r="{ref}"><f>E2*10%</f></c>',
         '<c r="{ref}"><f>E2-F2</f></c>'],
        ["Ana", "ana@ejemplo.com", "F-3", 46300, 100, '<c r="{ref}"><f>G3</f></c>',
         '<c r="{ref}"><f>E3-F3</f></c>'],
    ]  # fmt: skip
    filas.append(["Ana", "ana@ejemplo.com", "F-4", 46300, 100, '<c r="{ref}"><f>E4*10%</f></c>',
                  '<c r="{ref}"><f>SUM(E4:F4)</f></c>'])  # fmt: skip
    cartera = cargar_cartera(_xlsx_a_mano(tmp_path / "c.xlsx", {"Cartera": _hoja_xml(filas)}))
    assert [(f.fila, f.monto) for f in cartera.facturas] == [
        (2, Decimal("90")),
        (4, Decimal("110")),
    ]
    assert {(r.fila, r.columna) for r in cartera.rechazos} == {(3, "Descuento"), (3, "Saldo")}


def test_un_texto_vacio_que_excel_calculo_no_es_una_formula_sin_calcular(tmp_path):
    # Excel guarda =SI(A2="";"";…) con resultado "" como <c t="str"><f>…</f><v></v></c>.
    filas = [
        [*_CABECERA_MANO, "Nota"],
        ["Ana", "ana@ejemplo.com", "F-1", 46300, 100, 0, 100,
         '<c r="{ref}" t="str"><f>IF(F2=0,"",F2)</f><v></v></c>'],
    ]  # fmt: skip
    cartera = cargar_cartera(_xlsx_a_mano(tmp_path / "excel.xlsx", {"Cartera": _hoja_xml(filas)}))
    assert [f.monto for f in cartera.facturas] == [Decimal("100")]
    assert cartera.rechazos == [] and cartera.avisos == []


# ------------------------------------------------------------------------ lectura acotada


def test_una_celda_en_xfd1048576_se_rechaza_antes_de_leer(tmp_path):
    # calamine reservaría 16 384 × 1 048 576 celdas (512 GiB) y abortaría el proceso entero.
    xml = _hoja_xml([["Cliente"]]).replace(
        "</sheetData>", '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>'
    )
    ruta = _xlsx_a_mano(tmp_path / "lejos.xlsx", {"Cartera": xml})
    assert ruta.stat().st_size < 3000
    with pytest.raises(ErrorCartera, match="hasta la celda XFD1048576") as error:
        cargar_cartera(ruta)
    assert "borra las filas y columnas que sobran" in str(error.value)


@pytest.mark.parametrize("lejana", ["ZZ999999", "XFD2000", "B1048577"])
def test_una_dimension_que_miente_no_oculta_una_celda_lejana(tmp_path, lejana):
    # La celda lejana en medio de la hoja, no al final: quien mira solo la cola no la ve.
    fila = lejana.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    xml = _hoja_xml([["Cliente"], ["Ana"], ["Eva"]], extra='<dimension ref="A1:B3"/>').replace(
        '<row r="2">', f'<row r="{fila}"><c r="{lejana}"><v>1</v></c></row><row r="2">'
    )
    with pytest.raises(ErrorCartera, match=f"hasta la celda {lejana}"):
        cargar_cartera(_xlsx_a_mano(tmp_path / "miente.xlsx", {"Cartera": xml}))


def test_una_bomba_de_textos_compartidos_se_rechaza_sin_leerla(tmp_path):
    ruta = _xlsx_a_mano(tmp_path / "bomba.xlsx", {"Cartera": _hoja_xml([CABECERA])})
    bloque = b"<si><t>" + b"a" * (2**20) + b"</t></si>"
    with (
        zipfile.ZipFile(ruta, "a", zipfile.ZIP_DEFLATED) as z,
        z.open("xl/sharedStrings.xml", "w", force_zip64=True) as f,
    ):
        f.write(b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')
        for _ in range(260):
            f.write(bloque)
        f.write(b"</sst>")
    assert ruta.stat().st_size < 2 * 2**20
    with pytest.raises(
        ErrorCartera, match=r"sus textos ocupan 260 MB descomprimidos \(el límite es 256 MB\)"
    ):
        cargar_cartera(ruta)


def test_un_grafico_o_una_hoja_rota_o_desmesurada_no_impiden_leer_la_hoja_buena(tmp_path):
    import xlsxwriter

    ruta = tmp_path / "con_grafico.xlsx"
    libro = xlsxwriter.Workbook(str(ruta))
    libro.add_worksheet("Notas").write(0, 0, "nada")
    datos = libro.add_worksheet("Datos")
    for i, fila in enumerate(_filas_con_formulas()[:3]):
        datos.write_row(i, 0, [v if not isinstance(v, date) else v.isoformat() for v in fila])
    grafico = libro.add_chart({"type": "column"})
    grafico.add_series({"values": "=Datos!$E$2:$E$3"})
    libro.add_chartsheet("Gráfico").set_chart(grafico)
    libro.close()
    assert [f.monto for f in cargar_cartera(ruta).facturas] == [Decimal("800"), Decimal("580")]

    buena = _hoja_xml([_CABECERA_MANO, ["Ana", "ana@ejemplo.com", "F-1", 46300, 100, 0, 100]])
    rota = '<?xml version="1.0"?><worksheet><sheetData><row r="1"><c r="A1"><v>1</v></row>'
    lejana = _hoja_xml([["x"]]).replace("</sheetData>", '<row r="9"><c r="XFD9"><v>1</v></c>'
                                        '<c r="A1048576"><v>1</v></c></row></sheetData>')  # fmt: skip
    ruta = _xlsx_a_mano(tmp_path / "rota.xlsx", {"Rota": rota, "Lejana": lejana, "Cartera": buena})
    cartera = cargar_cartera(ruta)
    assert cartera.hoja == "Cartera"
    assert [f.monto for f in cartera.facturas] == [Decimal("100")]
    # Pedida por su nombre, la hoja desmesurada se rechaza con su frase.
    with pytest.raises(ErrorCartera, match="hoja «Lejana»"):
        cargar_cartera(ruta, hoja="Lejana")
    # Y también si era la única con pinta de cartera: no «no encontré encabezados» en otra.
    lejana = lejana.replace("<c r=\"A1\" t=\"inlineStr\"><is><t>x</t></is></c>", "".join(
        f'<c r="{chr(65 + j)}1" t="inlineStr"><is><t>{h}</t></is></c>'
        for j, h in enumerate(_CABECERA_MANO)
    ))  # fmt: skip
    ruta = _xlsx_a_mano(tmp_path / "sola.xlsx", {"Notas": _hoja_xml([["nada"]]), "Lejana": lejana})
    with pytest.raises(ErrorCartera, match="hoja «Lejana»\\): usa 1 048 576 filas"):
        cargar_cartera(ruta)


# -------------------------------------------------------------- archivos que no se leen


def _ole(flujos: dict[str, bytes]) -> bytes:
    """Un contenedor OLE (CFB, sectores de 512) con cada flujo de 4096 bytes o más."""
    sector = 512
    libre, fin, fat_s, sin = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
    datos = {n: d.ljust(max(4096, -(-len(d) // sector) * sector), b"\0") for n, d in flujos.items()}
    fat = [fat_s, fin]  # sector 0: la FAT; sector 1: el directorio
    inicios = {}
    for nombre, d in datos.items():
        inicios[nombre] = len(fat)
        n = len(d) // sector
        fat += [len(fat) + k + 1 for k in range(n - 1)] + [fin]
    fat += [libre] * (128 - len(fat))

    def entrada(nombre: str, tipo: int, hijo: int, derecha: int, inicio: int, largo: int) -> bytes:
        texto = nombre.encode("utf-16-le") + b"\0\0"
        return (texto.ljust(64, b"\0") + struct.pack("<HBB", len(texto), tipo, 1)
                + struct.pack("<III", sin, derecha, hijo) + b"\0" * 36
                + struct.pack("<IIH", inicio, largo, 0).ljust(12, b"\0"))  # fmt: skip

    nombres = list(datos)
    directorio = entrada("Root Entry", 5, 1, sin, fin, 0) + b"".join(
        entrada(n, 2, sin, i + 2 if i + 1 < len(nombres) else sin, inicios[n], len(datos[n]))
        for i, n in enumerate(nombres)
    )
    directorio = directorio.ljust(sector, b"\0")
    cabecera = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 16
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) + b"\0" * 6
        + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, fin, 0, fin, 0)
        + struct.pack("<I", 0) + struct.pack("<I", libre) * 108
    )  # fmt: skip
    return cabecera + struct.pack("<128I", *fat) + directorio + b"".join(datos.values())


def _xls_cifrado() -> bytes:
    # BIFF8: BOF del libro y FILEPASS (RC4), lo primero que escribe Excel al cifrar un .xls.
    bof = struct.pack("<HH", 0x0809, 16) + struct.pack("<HHHHII", 0x0600, 5, 0x1F5A, 1997, 0, 6)
    filepass = struct.pack("<HH", 0x002F, 54) + struct.pack("<HHH", 1, 1, 1) + b"\x11" * 48
    return _ole({"Workbook": bof + filepass})


def _xls_danado() -> bytes:
    # El directorio dice que el flujo mide 74 bytes (iría en el mini-flujo, que no existe):
    # calamine entra en pánico de Rust (pyo3 lo lanza como BaseException).
    datos = bytearray(_xls_cifrado())
    datos[512 + 512 + 128 + 120 : 512 + 512 + 128 + 124] = struct.pack("<I", 74)
    return bytes(datos)


@pytest.mark.parametrize(
    ("nombre", "contenido", "frase"),
    [
        ("cartera.xls", lambda: _xls_cifrado(), "el libro está protegido con contraseña; "
         "quítasela en Excel (Archivo → Información → Proteger libro) y guárdalo de nuevo"),
        ("cartera.xlsb", lambda: _ole({"EncryptionInfo": b"\4\0\4\0", "EncryptedPackage": b"x"}),
         "el libro está protegido con contraseña; quítasela en Excel"),
        ("cartera.xls", lambda: _ole({"EncryptionInfo": b"\4\0\4\0", "EncryptedPackage": b"x"}),
         "el libro está protegido con contraseña; quítasela en Excel"),
        ("cartera.ods", lambda: _ods_cifrado(), "está protegido con contraseña; ábrelo en "
         "LibreOffice, guárdalo sin contraseña"),
        ("cartera.xls", lambda: _xls_danado(),
         "el archivo está dañado (el lector de libros no pudo interpretarlo); ábrelo en Excel "
         "o LibreOffice y guárdalo de nuevo"),
        ("cartera.xlsx", lambda: b"", "está vacío (0 bytes); vuelve a exportarlo"),
        ("cartera.ods", lambda: b"", "está vacío (0 bytes)"),
        ("cartera.xlsx", lambda: b"PK\x03\x04" + b"\0" * 100, "no se pudo abrir como libro: "
         "está dañado o incompleto (no es un zip válido, como debe serlo un .xlsx); vuelve a "
         "descargarlo"),
    ],
)  # fmt: skip
def test_archivos_que_no_se_leen_salen_con_2_y_una_frase_en_espanol(
    en_tmp, correr, nombre, contenido, frase
):
    (en_tmp / nombre).write_bytes(contenido())
    r = correr("validar", nombre)
    assert r.exit_code == 2, r.output
    assert f"{nombre}: {frase}" in _texto(r)
    assert not re.search(r"inesperado|password|Zip archive|Workbook", _texto(r))


def _ods_cifrado() -> bytes:
    import io

    salida = io.BytesIO()
    with zipfile.ZipFile(salida, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr(
            "META-INF/manifest.xml",
            '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:'
            'names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry'
            ' manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.'
            'spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-'
            'type="text/xml" manifest:size="2000"><manifest:encryption-data manifest:checksum-type'
            '="SHA1/1K" manifest:checksum="eA=="><manifest:algorithm manifest:algorithm-name='
            '"Blowfish CFB" manifest:initialisation-vector="eA=="/><manifest:key-derivation '
            'manifest:key-derivation-name="PBKDF2" manifest:iteration-count="1024" manifest:salt='
            '"eA=="/></manifest:encryption-data></manifest:file-entry></manifest:manifest>',
        )
        z.writestr("content.xml", bytes(range(256)) * 8, compress_type=zipfile.ZIP_STORED)
    return salida.getvalue()


def test_enlaces_rotos_y_carpetas_salen_con_2_y_dicen_que_son(en_tmp, correr):
    (en_tmp / "bucle.xlsx").symlink_to("bucle.xlsx")
    (en_tmp / "roto.xlsx").symlink_to("no_esta.xlsx")
    (en_tmp / "carpeta.xlsx").mkdir()
    casos = {
        "bucle.xlsx": "bucle.xlsx: es un enlace que se apunta a sí mismo",
        "roto.xlsx": "roto.xlsx: es un enlace a «no_esta.xlsx», que no existe",
        "carpeta.xlsx": "carpeta.xlsx: es una carpeta; indica el archivo de la cartera",
        "falta.csv": "falta.csv: el archivo no existe; revisa la ruta",
    }
    for nombre, frase in casos.items():
        r = correr("validar", nombre)
        assert r.exit_code == 2, r.output
        assert frase in _texto(r)
