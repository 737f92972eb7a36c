from datetime import date, datetime
from decimal import Decimal

import pytest

from recordar.cartera.carga import cargar_cartera
from recordar.errores import ErrorCartera
from tests.conftest import CABECERA, escribir_csv, escribir_ods, escribir_xlsx

FILAS = [
    ["José Núñez Peña", "jose@ejemplo.com", "55 1234 5678", "F-1", date(2026, 11, 22), 1500.5],
    ["José Núñez Peña", "", "", "F-2", "15/10/2026", "$1,234.50"],
    ["Abarrotes La Güera", "guera@ejemplo.mx", "", "F-3", "15 de marzo de 2026", "MXN 2,000"],
]


def test_xlsx_con_titulo_filas_vacias_y_total(tmp_path):
    ruta = escribir_xlsx(
        tmp_path / "c.xlsx",
        [
            ["Cartera de clientes al 23/11/2026"],
            [],
            CABECERA,
            *FILAS,
            [],
            ["TOTAL GENERAL", "", "", "", "", 5000],
        ],
    )
    cartera = cargar_cartera(ruta)
    assert cartera.fila_cabecera == 3
    assert [f.numero for f in cartera.facturas] == ["F-1", "F-2", "F-3"]
    assert [f.fila for f in cartera.facturas] == [4, 5, 6]
    assert cartera.rechazos == []
    assert cartera.filas == 3
    f1, f2, f3 = cartera.facturas
    assert f1.monto == Decimal("1500.50") and f1.vencimiento == date(2026, 11, 22)
    assert f2.monto == Decimal("1234.50") and f2.vencimiento == date(2026, 10, 15)
    assert f3.moneda == "MXN" and f3.vencimiento == date(2026, 3, 15)
    # Los contactos se reúnen por deudor aunque solo una fila los tenga.
    contacto = cartera.contactos[f2.deudor]
    assert contacto.correos == ["jose@ejemplo.com"]
    assert contacto.telefonos == ["+525512345678"]


def test_filas_malas_se_rechazan_con_fila_columna_valor_y_motivo(tmp_path):
    filas = [
        CABECERA,
        ["Ana", "ana@ejemplo.com", "", "F-1", "31/02/2026", 100],
        ["Luis", "luis@ejemplo.com", "", "F-2", "2026-12-01", "pendiente de revisar"],
        ["", "x@ejemplo.com", "", "F-3", "2026-12-01", 10],
        ["Eva", "eva@ejemplo.com", "", "", "2026-12-01", 10],
        ["Paco", "paco@ejemplo.com", "", "F-5", "2026-12-01", 10],
        ["Pepa", "pepa@ejemplo.com", "", "F-5", "2026-12-02", 20],
    ]
    cartera = cargar_cartera(escribir_xlsx(tmp_path / "c.xlsx", filas))
    motivos = {(r.fila, r.columna): (r.valor, r.motivo) for r in cartera.rechazos}
    assert motivos[(2, "Vencimiento")] == ("31/02/2026", "«31/02/2026» no es una fecha válida")
    assert motivos[(3, "Importe")][1] == "«pendiente de revisar» no es un importe válido"
    assert motivos[(4, "Cliente")][1] == "falta el nombre del cliente"
    assert motivos[(5, "Factura")][1] == "falta el número de factura"
    assert "también en la fila 7" in motivos[(6, "Factura")][1]
    assert "también en la fila 6" in motivos[(7, "Factura")][1]
    assert cartera.facturas == []
    assert cartera.filas == cartera.num_facturas + cartera.filas_rechazadas == 6


def test_pagadas_saldo_cero_y_notas_de_credito_se_omiten(tmp_path):
    filas = [
        CABECERA + ["Estado"],
        ["Ana", "ana@ejemplo.com", "", "F-1", "2026-11-01", 100, "Pagada"],
        ["Ana", "ana@ejemplo.com", "", "F-2", "2026-11-01", 0, ""],
        ["Ana", "ana@ejemplo.com", "", "F-3", "2026-11-01", -1500, "Pendiente"],
        ["Ana", "ana@ejemplo.com", "", "F-4", "2026-11-01", 50, "pendiente"],
    ]
    cartera = cargar_cartera(escribir_xlsx(tmp_path / "c.xlsx", filas))
    assert {o.factura: o.motivo for o in cartera.omitidas} == {
        "F-1": "pagada (según la columna de estado)",
        "F-2": "saldo 0",
        "F-3": "nota de crédito (importe negativo)",
    }
    assert [f.numero for f in cartera.facturas] == ["F-4"]


def test_contacto_no_valido_es_aviso_y_no_rechazo(tmp_path):
    filas = [CABECERA, ["Ana", "ana@", "12", "F-1", "2026-11-01", 100]]
    cartera = cargar_cartera(escribir_xlsx(tmp_path / "c.xlsx", filas))
    assert [f.numero for f in cartera.facturas] == ["F-1"]
    assert {(a.columna, a.valor) for a in cartera.avisos} == {
        ("Correo", "ana@"),
        ("Teléfono", "12"),
    }


@pytest.mark.parametrize(
    ("codificacion", "separador"),
    [("utf-8", ","), ("utf-8-sig", ";"), ("cp1252", ";"), ("utf-8", "\t"), ("utf-16", "\t")],
)
def test_csv_en_cada_codificacion_y_separador(tmp_path, codificacion, separador):
    importe = "1234,50" if separador == ";" else "1234.50"
    filas = [
        ["Cartera al 23/11/2026"],
        CABECERA,
        ["Peña Ibérica S.L.", "pena@ejemplo.es", "612 345 678", "F-1", "15/12/2026", importe],
    ]
    ruta = escribir_csv(tmp_path / "c.csv", filas, separador, codificacion)
    cartera = cargar_cartera(ruta, region_telefono="ES", idioma="es_ES")
    (f,) = cartera.facturas
    assert f.cliente == "Peña Ibérica S.L."
    assert f.monto == Decimal("1234.50")
    assert f.vencimiento == date(2026, 12, 15)
    assert f.fila == 3  # línea del CSV, la cabecera es la 2
    assert cartera.contactos[f.deudor].telefonos == ["+34612345678"]


def test_ods(tmp_path):
    ruta = escribir_ods(
        tmp_path / "c.ods", [CABECERA, ["Ana", "ana@ejemplo.com", "", "F-1", "2026-12-01", 10.5]]
    )
    (f,) = cargar_cartera(ruta).facturas
    assert (f.numero, f.monto, f.vencimiento) == ("F-1", Decimal("10.50"), date(2026, 12, 1))


def test_hoja_reconocible_entre_varias_y_hoja_por_nombre(tmp_path):
    ruta = escribir_xlsx(
        tmp_path / "c.xlsx",
        [["Notas del mes"], ["nada que ver"]],
        titulo="Notas",
        hojas={
            "Cobranza": [CABECERA, ["Ana", "ana@ejemplo.com", "", "F-1", datetime(2026, 12, 1), 10]]
        },
    )
    cartera = cargar_cartera(ruta)
    assert cartera.hoja == "Cobranza"
    with pytest.raises(ErrorCartera, match="no tiene la hoja «Otra»; hojas: Notas, Cobranza"):
        cargar_cartera(ruta, hoja="Otra")


def test_sinonimos_en_ingles_y_mapa_de_columnas(tmp_path):
    filas = [
        ["Customer", "E-mail", "Invoice", "Due date", "Saldo al corte"],
        ["Ana", "ana@ejemplo.com", "F-1", "2026-12-01", 10],
    ]
    ruta = escribir_xlsx(tmp_path / "c.xlsx", filas)
    (f,) = cargar_cartera(ruta).facturas
    assert f.monto == Decimal("10.00")
    (f,) = cargar_cartera(ruta, columnas={"monto": "Saldo al corte"}).facturas
    with pytest.raises(ErrorCartera, match="columnas.monto de la política dice «Saldo»"):
        cargar_cartera(ruta, columnas={"monto": "Saldo"})


def test_columnas_extra_pasan_a_las_plantillas(tmp_path):
    filas = [
        CABECERA + ["Vendedor", "Fecha de emisión"],
        ["Ana", "ana@ejemplo.com", "", "F-1", "2026-12-01", 10, "Luis", datetime(2026, 11, 1)],
    ]
    cartera = cargar_cartera(escribir_xlsx(tmp_path / "c.xlsx", filas))
    assert cartera.extras == ["vendedor", "fecha_de_emision"]
    assert cartera.facturas[0].extras == {"vendedor": "Luis", "fecha_de_emision": date(2026, 11, 1)}


@pytest.mark.parametrize(
    ("contenido", "mensaje"),
    [
        (None, "el archivo no existe"),
        ([["a", "b"], ["c", "d"]], "no encontré una fila de encabezados reconocible"),
        ([[]], "la hoja está vacía"),
        ([["Cliente", "Importe", "Vencimiento", "Correo"]], "falta la columna de factura"),
    ],
)
def test_errores_de_archivo_en_una_frase(tmp_path, contenido, mensaje):
    ruta = tmp_path / "c.xlsx"
    if contenido is not None:
        escribir_xlsx(ruta, contenido)
    with pytest.raises(ErrorCartera, match=mensaje) as info:
        cargar_cartera(ruta)
    assert str(ruta) in str(info.value)


def test_libro_protegido_con_contrasena(tmp_path):
    ruta = tmp_path / "protegido.xlsx"
    ruta.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    with pytest.raises(ErrorCartera, match="protegido con contraseña"):
        cargar_cartera(ruta)


def test_archivo_danado(tmp_path):
    ruta = tmp_path / "roto.xlsx"
    ruta.write_bytes(b"PK\x03\x04" + b"\x00\x01 cortado a medias" * 20)
    with pytest.raises(ErrorCartera, match="roto.xlsx: no se pudo abrir como libro"):
        cargar_cartera(ruta)


def test_xls_que_es_texto_se_lee_como_csv(tmp_path):
    # Lo que muchos sistemas llaman «exportar a Excel»: texto separado por tabuladores, en
    # cp1252, con extensión .xls (Excel lo abre sin quejarse).
    ruta = tmp_path / "reporte.xls"
    filas = [CABECERA, ["Peña", "pena@ejemplo.mx", "", "F-1", "15/12/2026", "1.234,50"]]
    escribir_csv(ruta, filas, "\t", "cp1252")
    (f,) = cargar_cartera(ruta).facturas
    assert (f.cliente, f.monto, f.vencimiento) == ("Peña", Decimal("1234.50"), date(2026, 12, 15))
    with pytest.raises(ErrorCartera, match="es un archivo de texto \\(CSV\\), no tiene hojas"):
        cargar_cartera(ruta, hoja="Hoja1")


@pytest.mark.parametrize(
    ("contenido", "mensaje"),
    [
        (b"<html><body><table><tr><td>Cliente</td></tr></table>", "es una página web"),
        (b"\xef\xbb\xbf<?xml version='1.0'?><Workbook>", "es una página web"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "es un PDF"),
    ],
)
def test_libro_que_es_html_o_pdf_dice_que_es(tmp_path, contenido, mensaje):
    ruta = tmp_path / "cartera.xls"
    ruta.write_bytes(contenido)
    with pytest.raises(ErrorCartera, match=f"cartera.xls: {mensaje}"):
        cargar_cartera(ruta)


def test_xlsx_renombrado_a_ods_se_lee_igual(tmp_path):
    filas = [CABECERA, ["Ana", "ana@ejemplo.com", "", "F-1", "2026-12-01", 10.5]]
    ruta = escribir_xlsx(tmp_path / "c.xlsx", filas).rename(tmp_path / "c.ods")
    (f,) = cargar_cartera(ruta).facturas
    assert (f.numero, f.monto) == ("F-1", Decimal("10.50"))


def test_separador_no_se_confunde_con_lo_que_va_entre_comillas(tmp_path):
    filas = [CABECERA] + [
        [f"C{i}", f"a{i}@ejemplo.com; b{i}@ejemplo.com", "", f"F-{i}", "15/12/2026", "1234,50"]
        for i in range(10)
    ]
    ruta = escribir_csv(tmp_path / "c.csv", filas, ";", "utf-8")
    cartera = cargar_cartera(ruta)
    assert len(cartera.facturas) == 10 and cartera.rechazos == []
    assert cartera.contactos["c1"].correos == ["a1@ejemplo.com", "b1@ejemplo.com"]


def test_estado_pagado_pendiente_o_no_reconocido(tmp_path):
    estados = {
        "F-1": "Liquidada el 05/11",  # empieza como pagada
        "F-2": "✓",
        "F-3": "Cobrada (transferencia)",
        "F-4": "Pago parcial",  # se sigue cobrando el resto, sin aviso
        "F-5": "Pendiente",
        "F-6": "Revisar con Juan",  # no se reconoce: se cobra y se avisa
        "F-7": "No pagada",
        "F-8": "✗",
        "F-9": "Pagado 50%",  # a medias: se cobra, con aviso
        "F-10": "Pagado: No",
        "F-11": "Pagado a cuenta",
        "F-12": "Pagado $5,000 resta $3,000",
        "F-13": "Abonado",  # en México, abono a cuenta
    }
    filas = [CABECERA + ["Estado"]] + [
        ["Ana", "ana@ejemplo.com", "", numero, "2026-11-01", 10, estado]
        for numero, estado in estados.items()
    ]
    cartera = cargar_cartera(escribir_xlsx(tmp_path / "c.xlsx", filas))
    assert [o.factura for o in cartera.omitidas] == ["F-1", "F-2", "F-3"]
    assert [f.numero for f in cartera.facturas] == [f"F-{i}" for i in range(4, 14)]
    aviso = cartera.avisos[0]
    assert (aviso.fila, aviso.columna, aviso.valor) == (7, "Estado", "Revisar con Juan")
    assert aviso.motivo.startswith(
        "estado «Revisar con Juan» no reconocido: se toma como pendiente"
    )
    assert [a.valor for a in cartera.avisos[1:]] == [estados[f"F-{i}"] for i in range(9, 14)]
    assert not cartera.rechazos


def test_errores_de_formula_de_excel(tmp_path):
    from openpyxl import Workbook

    libro = Workbook()
    hoja = libro.active
    hoja.append(CABECERA)
    hoja.append(["Ana", "ana@ejemplo.com", "", "F-1", None, None])
    for celda, error in (("E2", "#REF!"), ("F2", "#N/A")):
        hoja[celda].value, hoja[celda].data_type = error, "e"
    libro.save(tmp_path / "c.xlsx")
    motivos = {r.columna: r.motivo for r in cargar_cartera(tmp_path / "c.xlsx").rechazos}
    assert (
        motivos["Importe"] == "falta el importe (celda vacía o con un error de fórmula como #N/A)"
    )
    assert motivos["Vencimiento"].startswith("falta la fecha de vencimiento (celda vacía o con")
    # En un CSV el error llega como texto, y el de Excel en español también se reconoce.
    ruta = escribir_csv(tmp_path / "c.csv", [CABECERA, ["Ana", "ana@ejemplo.com", "", "F-1",
                                                        "#¡REF!", "#N/D"]], ";")  # fmt: skip
    motivos = {r.columna: r.motivo for r in cargar_cartera(ruta).rechazos}
    assert motivos == {
        "Importe": "«#N/D» es un error de fórmula de Excel; corrige la fórmula o escribe el importe",
        "Vencimiento": "«#¡REF!» es un error de fórmula de Excel; corrige la fórmula o escribe la fecha",
    }
    vacia = escribir_csv(
        tmp_path / "v.csv", [CABECERA, ["Ana", "ana@ejemplo.com", "", "F-1", "", ""]]
    )
    motivos = {r.columna: r.motivo for r in cargar_cartera(vacia).rechazos}
    assert motivos["Importe"] == "falta el importe"  # en un CSV, vacía es vacía


def test_subtotales_y_suma_sin_rotulo_no_son_deudores(tmp_path):
    filas = [
        CABECERA,
        ["Ana", "ana@ejemplo.com", "", "F-1", "2026-11-01", 600],
        ["Ana", "ana@ejemplo.com", "", "F-2", "2026-11-02", 400],
        ["Total Ana", None, None, None, None, 1000],
        ["TOTAL MXN", None, None, None, None, 1000],
        ["Subtotal vencido", None, None, None, None, 1000],
        # Un cliente que se llama así y tiene vencimiento no es un total: se rechaza por la
        # factura que falta, a la vista.
        ["Total Play S.A.", "pagos@totalplay.mx", "", None, "2026-11-03", 50],
        [None, None, None, None, None, 1050],  # =SUMA() al pie, sin rótulo
        [],
    ]
    cartera = cargar_cartera(escribir_xlsx(tmp_path / "c.xlsx", filas))
    assert [f.numero for f in cartera.facturas] == ["F-1", "F-2"]
    assert [(r.fila, r.motivo) for r in cartera.rechazos] == [(7, "falta el número de factura")]


def test_fila_con_solo_importe_en_medio_se_rechaza(tmp_path):
    # Celdas combinadas: cliente, factura y vencimiento solo en la primera fila del bloque. La
    # segunda no es un total (no está al pie): se rechaza, no desaparece.
    filas = [
        CABECERA,
        ["Ana", "ana@ejemplo.com", "", "F-1", "2026-11-01", 600],
        [None, None, None, None, None, 500],
        ["Eva", "eva@ejemplo.com", "", "F-2", "2026-11-01", 400],
    ]
    cartera = cargar_cartera(escribir_xlsx(tmp_path / "c.xlsx", filas))
    assert [f.numero for f in cartera.facturas] == ["F-1", "F-2"]
    assert {r.fila for r in cartera.rechazos} == {3}


def test_csv_con_celdas_de_mas_rechaza_la_fila(tmp_path):
    ruta = tmp_path / "c.csv"
    ruta.write_text(
        "Cliente,Factura,Vencimiento,Correo,Importe\n"
        "Ana SA,F-1,22/11/2026,a@x.com,1,500.00\n"
        "Eva SA,F-2,22/11/2026,e@x.com,800,\n",  # una coma al final no es una celda de más
        encoding="utf-8",
    )
    cartera = cargar_cartera(ruta)
    assert [(f.numero, f.monto) for f in cartera.facturas] == [("F-2", Decimal("800.00"))]
    (r,) = cartera.rechazos
    assert (r.fila, r.columna, r.valor) == (2, "después de «Importe»", "500.00")
    assert "¿un importe con coma de miles sin comillas (1,500.00)?" in r.motivo


def test_csv_con_formula_de_texto_para_los_ceros(tmp_path):
    # Algunos sistemas escriben ="000123" para que Excel no quite los ceros de la izquierda.
    ruta = tmp_path / "c.csv"
    ruta.write_text(
        "Cliente,Correo,Teléfono,Factura,Vencimiento,Importe\n"
        'Ana,ana@ejemplo.com,,="000123",2026-11-01,10\n',
        encoding="utf-8",
    )
    (f,) = cargar_cartera(ruta).facturas
    assert f.numero == "000123"


def _libro_con_hojas(ruta, hojas: list[tuple[str, list[list], str]]):
    from openpyxl import Workbook

    libro = Workbook()
    libro.remove(libro.active)
    for nombre, filas, estado in hojas:
        hoja = libro.create_sheet(nombre)
        hoja.sheet_state = estado
        for fila in filas:
            hoja.append(fila)
    libro.save(ruta)
    return ruta


def test_hoja_visible_antes_que_una_oculta_y_las_otras_se_nombran(tmp_path):
    vieja = [CABECERA, ["Ana", "ana@ejemplo.com", "", "V-1", "2025-01-01", 10]]
    actual = [CABECERA, ["Eva", "eva@ejemplo.com", "", "F-1", "2026-11-01", 10]]
    norte = [CABECERA, ["Luis", "luis@ejemplo.com", "", "N-1", "2026-11-01", 10]]
    ruta = _libro_con_hojas(tmp_path / "c.xlsx", [
        ("2025 (vieja)", vieja, "hidden"), ("Notas", [["hola"]], "visible"),
        ("Centro", actual, "visible"), ("Norte", norte, "visible"),
    ])  # fmt: skip
    cartera = cargar_cartera(ruta)
    assert cartera.hoja == "Centro"
    assert [f.numero for f in cartera.facturas] == ["F-1"]
    assert cartera.otras_hojas == ["2025 (vieja) (oculta)", "Norte"]
    assert cargar_cartera(ruta, hoja="Norte").otras_hojas == []  # con --hoja no hay duda


def test_columna_de_fechas_de_excel_en_ingles_se_lee_mes_primero(tmp_path):
    filas = [CABECERA, ["Ana", "ana@ejemplo.com", "", "F-1", "11/05/2026 12:00:00 AM", 10],
             ["Eva", "eva@ejemplo.com", "", "F-2", "11/23/2026 12:00:00 AM", 10]]  # fmt: skip
    cartera = cargar_cartera(escribir_csv(tmp_path / "c.csv", filas))
    assert [f.vencimiento for f in cartera.facturas] == [date(2026, 11, 5), date(2026, 11, 23)]


def test_moneda_del_importe_y_de_la_columna_no_se_contradicen(tmp_path):
    cabecera = CABECERA + ["Moneda"]
    filas = [cabecera, ["Ana", "ana@ejemplo.com", "", "F-1", "2026-11-01", "US$ 1,500", "MXN"],
             ["Eva", "eva@ejemplo.com", "", "F-2", "2026-11-01", "1,5 mil", "COP"],
             ["Luis", "luis@ejemplo.com", "", "F-3", "2026-11-01", "$ 1,500", "MXN"]]  # fmt: skip
    cartera = cargar_cartera(escribir_csv(tmp_path / "c.csv", filas))
    assert [(f.numero, f.monto, f.moneda) for f in cartera.facturas] == [
        ("F-3", Decimal("1500.00"), "MXN")
    ]
    assert [r.motivo for r in cartera.rechazos] == [
        "«US$ 1,500» dice USD y la columna de moneda dice MXN; deja la moneda en un solo sitio",
        "«1,5 mil»: «MIL» no es una moneda reconocida",
    ]


@pytest.mark.parametrize(
    ("cabecera", "esperado"),
    [
        (["Cliente", "Factura", "Importe", "Abonos", "Saldo actual", "Vencimiento", "Correo"],
         {"monto": "Saldo actual", "factura": "Factura"}),
        (["Cliente", "Folio", "Total", "Saldo al corte", "Vencimiento", "Correo"],
         {"monto": "Saldo al corte", "factura": "Folio"}),
        (["Cliente", "Folio", "Importe", "Saldo factura", "Vencimiento", "Correo"],
         {"monto": "Saldo factura", "factura": "Folio"}),
        (["Razón social", "N° Comprobante", "Monto factura", "Saldo", "Vencimiento", "Correo"],
         {"monto": "Saldo", "factura": "N° Comprobante"}),
        (["Cliente", "Comprobante", "Fecha de factura", "Vencimiento", "Importe", "Correo"],
         {"monto": "Importe", "factura": "Comprobante"}),
    ],
)  # fmt: skip
def test_el_importe_es_el_saldo_y_la_factura_no_es_una_fecha(tmp_path, cabecera, esperado):
    fila = {"Cliente": "Ana", "Razón social": "Ana", "Vencimiento": "2026-11-01",
            "Correo": "ana@ejemplo.com"}  # fmt: skip
    valores = [fila.get(c, "B-1" if c in esperado.values() and c == esperado["factura"] else "10")
               for c in cabecera]  # fmt: skip
    cartera = cargar_cartera(escribir_csv(tmp_path / "c.csv", [cabecera, valores]))
    assert {c: cartera.columnas[c] for c in esperado} == esperado


def test_disputa_y_no_contactar_que_no_se_entienden_cuentan_como_si(tmp_path):
    cabecera = CABECERA + ["Disputa", "No contactar"]
    valores = [("En disputa", ""), ("Sí (nota de crédito)", ""), ("✓", ""), ("No", ""),
               ("", "ver correo"), ("", "no"), ("", "")]  # fmt: skip
    filas = [cabecera] + [
        [f"C{i}", f"c{i}@ejemplo.com", "", f"F-{i}", "2026-11-01", 10, disputa, no_contactar]
        for i, (disputa, no_contactar) in enumerate(valores)
    ]
    cartera = cargar_cartera(escribir_xlsx(tmp_path / "c.xlsx", filas))
    assert [f.disputa for f in cartera.facturas] == [True, True, True, False, False, False, False]
    assert [cartera.contactos[f.deudor].no_contactar for f in cartera.facturas] == [
        False, False, False, False, True, False, False]  # fmt: skip
    assert [(a.fila, a.columna, a.valor) for a in cartera.avisos] == [
        (2, "Disputa", "En disputa"), (6, "No contactar", "ver correo")]  # fmt: skip
    assert cartera.avisos[0].motivo.startswith("«En disputa» no es sí ni no: se toma como sí")


def test_nombres_sin_letras_latinas_no_se_juntan(tmp_path):
    filas = [CABECERA, ["李伟贸易", "li@ejemplo.cn", "", "F-1", "2026-11-01", 10],
             ["王芳公司", "wang@ejemplo.cn", "", "F-2", "2026-11-01", 20],
             ["李伟贸易 ", "li@ejemplo.cn", "", "F-3", "2026-11-01", 30]]  # fmt: skip
    cartera = cargar_cartera(escribir_xlsx(tmp_path / "c.xlsx", filas))
    deudores = [f.deudor for f in cartera.facturas]
    assert deudores[0] == deudores[2] != deudores[1]
    assert cartera.contactos[deudores[1]].correos == ["wang@ejemplo.cn"]


def test_correo_que_solo_cambia_en_mayusculas_es_uno(tmp_path):
    filas = [CABECERA, ["Ana", "Pagos@Lopez.mx", "", "F-1", "2026-11-01", 10],
             ["Ana", "pagos@lopez.mx; otro@lopez.mx", "", "F-2", "2026-11-01", 10]]  # fmt: skip
    cartera = cargar_cartera(escribir_xlsx(tmp_path / "c.xlsx", filas))
    assert cartera.contactos["ana"].correos == ["Pagos@lopez.mx", "otro@lopez.mx"]


def test_signo_de_peso_con_una_politica_en_soles_o_euros(tmp_path):
    filas = [CABECERA + ["Moneda"],
             ["Ana", "ana@ejemplo.pe", "", "F-1", "2026-11-01", "$ 1,500.00", ""],
             ["Ana", "ana@ejemplo.pe", "", "F-2", "2026-11-01", "S/ 1,500.00", ""],
             ["Ana", "ana@ejemplo.pe", "", "F-3", "2026-11-01", "1500 pesos", ""],
             ["Ana", "ana@ejemplo.pe", "", "F-4", "2026-11-01", "1500", "$"],
             ["Ana", "ana@ejemplo.pe", "", "F-5", "2026-11-01", "1500", "Pesos"]]  # fmt: skip
    ruta = escribir_xlsx(tmp_path / "c.xlsx", filas)
    cartera = cargar_cartera(ruta, moneda="PEN", region_telefono="PE")
    assert [(f.numero, f.moneda) for f in cartera.facturas] == [
        ("F-1", "USD"), ("F-2", "PEN"), ("F-4", "USD")]  # fmt: skip
    assert [(r.fila, r.columna) for r in cartera.rechazos] == [(4, "Importe"), (6, "Moneda")]
    assert "¿pesos de qué país?" in cartera.rechazos[0].motivo
    # En México, «$» y «pesos» son la moneda de la política.
    mx = cargar_cartera(ruta, moneda="MXN")
    assert {f.numero: f.moneda for f in mx.facturas} == {
        "F-1": "MXN", "F-2": "PEN", "F-3": "MXN", "F-4": "MXN", "F-5": "MXN"}  # fmt: skip
