"""La cartera se lee tal como es o se dice por qué no: saldos con otros nombres, importes
enormes, bytes de control, codificaciones mezcladas y clientes en filas de grupo."""

from decimal import Decimal

import pytest

from recordar.cartera.carga import cargar_cartera
from tests.conftest import HOY, escribir_csv, escribir_xlsx

FECHA = "2026-11-01"


def _hoja(tmp_path, cabecera, filas, formato="csv"):
    ruta = tmp_path / f"c.{formato}"
    escribir = escribir_csv if formato == "csv" else escribir_xlsx
    return cargar_cartera(escribir(ruta, [cabecera, *filas]))


# --- 2: la columna de saldo con otros nombres -------------------------------------------------

SALDOS = ["Saldo", "Saldo pendiente", "Saldo por cobrar", "Adeudo", "Importe pendiente",
          "Pendiente", "Por cobrar", "Pendiente de pago", "Por pagar", "Restante", "Resta",
          "Falta por pagar", "Monto adeudado", "Debe", "Balance", "Open Balance", "Balance Due",
          "Amount due", "Outstanding", "Outstanding amount", "Remaining", "Remaining Balance",
          "Unpaid", "Due amount", "SALDO PENDIENTE (MXN)", "Pendiente por pagar"]  # fmt: skip


@pytest.mark.parametrize("saldo", SALDOS)
@pytest.mark.parametrize("importe", ["Importe", "Amount", "Total", "Monto factura"])
def test_con_importe_y_saldo_se_cobra_el_saldo_y_se_dice(tmp_path, saldo, importe):
    cabecera = ["Cliente", "Correo", "Factura", "Vencimiento", importe, saldo]
    cartera = _hoja(tmp_path, cabecera, [["Ana", "ana@ejemplo.com", "F-1", FECHA, "1000", "250"]])
    assert cartera.columnas["monto"] == saldo
    assert [f.monto for f in cartera.facturas] == [Decimal("250.00")]
    assert any(f"«{saldo}»" in n and f"«{importe}»" in n for n in cartera.notas), cartera.notas


@pytest.mark.parametrize(
    "falso",
    ["Fecha de pago pendiente", "Días pendientes", "Pagado", "Abonado", "Amount paid",
     "Importe pagado", "Total pagado", "Monto abonado", "Número de factura pendiente"],
)  # fmt: skip
def test_lo_pagado_y_los_dias_pendientes_no_son_el_saldo(tmp_path, falso):
    cabecera = ["Cliente", "Correo", "Factura", "Vencimiento", falso, "Importe"]
    cartera = _hoja(tmp_path, cabecera, [["Ana", "ana@ejemplo.com", "F-1", FECHA, "5", "1000"]])
    assert cartera.columnas["monto"] == "Importe"


@pytest.mark.parametrize(
    "pagado", ["Importe pagado", "Abonos", "Amount paid", "Total pagado", "Pagado", "Paid"]
)
def test_importe_y_pagado_sin_saldo_avisa_que_se_cobra_el_importe_entero(tmp_path, pagado):
    cabecera = ["Cliente", "Correo", "Factura", "Vencimiento", "Importe", pagado]
    filas = [["Ana", "ana@ejemplo.com", "F-1", FECHA, "1000", "400"],
             ["Eva", "eva@ejemplo.com", "F-2", FECHA, "1000", "1"]]  # fmt: skip
    cartera = _hoja(tmp_path, cabecera, filas)
    assert cartera.columnas["monto"] == "Importe"
    # Un abono de 1 no es «pagada: sí»: las dos se cobran enteras, con un solo aviso.
    assert [f.numero for f in cartera.facturas] == ["F-1", "F-2"]
    (aviso,) = cartera.avisos
    assert aviso.fila == 1 and aviso.columna == pagado
    assert "sin restar" in aviso.motivo and "Saldo" in aviso.motivo


def test_validar_y_la_vista_previa_dicen_que_columna_se_cobra(en_tmp, correr):
    escribir_xlsx(
        en_tmp / "c.xlsx",
        [["Cliente", "Correo", "Factura", "Vencimiento", "Importe", "Open Balance"],
         ["Ana", "ana@ejemplo.com", "F-1", HOY, 1000, 250]],
    )  # fmt: skip
    for orden in ("validar", "enviar"):
        args = [orden, "c.xlsx", "--hoy", HOY.isoformat()]
        r = correr(*args, *(["--simulacro"] if orden == "enviar" else []))
        texto = " ".join(r.output.split())
        assert "se cobra la columna «Open Balance»" in texto, texto
        assert "no «Importe»" in texto


# --- 3: importes enormes -----------------------------------------------------------------------


@pytest.mark.parametrize("formato", ["csv", "xlsx"])
def test_un_importe_enorme_se_rechaza_y_las_demas_filas_siguen(tmp_path, formato):
    enormes = ["123456789012345678901234567", "1" + "0" * 15, "$1,000,000,000,000,000.00"]
    if formato == "xlsx":
        enormes += [1e30, 10**27, 1e15]
    filas = [[f"C{i}", f"c{i}@ejemplo.com", f"F-{i}", FECHA, v] for i, v in enumerate(enormes)]
    filas.append(["Ana", "ana@ejemplo.com", "F-ok", FECHA, "999999999999999.99"])
    cartera = _hoja(tmp_path, ["Cliente", "Correo", "Factura", "Vencimiento", "Importe"], filas,
                    formato)  # fmt: skip
    assert [f.numero for f in cartera.facturas] == ["F-ok"]
    assert cartera.facturas[0].monto == Decimal("999999999999999.99")
    assert [r.fila for r in cartera.rechazos] == list(range(2, 2 + len(enormes)))
    assert all("demasiado grande" in r.motivo for r in cartera.rechazos)


def test_un_importe_enorme_no_detiene_el_simulacro(en_tmp, correr):
    escribir_csv(
        en_tmp / "c.csv",
        [["Cliente", "Correo", "Factura", "Vencimiento", "Importe"],
         ["Ana", "ana@ejemplo.com", "F-1", "2026-10-01", "1" * 27],
         ["Eva", "eva@ejemplo.com", "F-2", "2026-10-01", "99999999999999"]],
    )  # fmt: skip
    # La política predeterminada cobra interés moratorio: 99 999 999 999 999 con interés tampoco
    # puede romper nada.
    r = correr("enviar", "c.csv", "--simulacro", "--hoy", HOY.isoformat())
    assert r.exit_code in (0, 1), r.output
    assert "inesperado" not in r.output, r.output
    assert "demasiado grande" in " ".join(r.output.split())


# --- 4: bytes de control y espacios dentro de los números ---------------------------------------


@pytest.mark.parametrize(
    "importe", ["3\x00 0", "3\x000", "1 50", "3 0", "1\u00a050", "12 34 567", "1\t500", "1 500 00"]
)
def test_un_importe_con_control_o_espacios_que_no_son_miles_se_rechaza(tmp_path, importe):
    cartera = _hoja(tmp_path, ["Cliente", "Correo", "Factura", "Vencimiento", "Importe"],
                    [["Ana", "ana@ejemplo.com", "F-1", FECHA, importe]])  # fmt: skip
    assert cartera.facturas == []
    assert [r.columna for r in cartera.rechazos] == ["Importe"]


@pytest.mark.parametrize(
    ("importe", "esperado"),
    [("1 500", "1500"), ("1\u00a0500,50", "1500.50"), ("12\u202f345\u202f678", "12345678"),
     ("€ 1 234,56", "1234.56"), ("1\u2009500.25 MXN", "1500.25")],
)  # fmt: skip
def test_espacios_de_miles_en_grupos_de_tres_valen(tmp_path, importe, esperado):
    cartera = _hoja(tmp_path, ["Cliente", "Correo", "Factura", "Vencimiento", "Importe"],
                    [["Ana", "ana@ejemplo.com", "F-1", FECHA, importe]])  # fmt: skip
    assert [f.monto for f in cartera.facturas] == [Decimal(esperado)]


def test_fechas_y_facturas_con_bytes_de_control_se_rechazan_y_al_cliente_se_le_quitan(tmp_path):
    filas = [["Ana", "ana@ejemplo.com", "F-1", "2026-11-\x0001", "10"],
             ["Eva", "eva@ejemplo.com", "F-\x002", FECHA, "10"],
             ["Lu\x07is", "luis@ejemplo.com", "F-3", FECHA, "10"],
             ["Sol", "sol@ejemplo.com", "F-4", FECHA, "10"]]  # fmt: skip
    cartera = _hoja(tmp_path, ["Cliente", "Correo", "Factura", "Vencimiento", "Importe"], filas)
    assert [(f.numero, f.cliente) for f in cartera.facturas] == [("F-3", "Luis"), ("F-4", "Sol")]
    assert [(r.fila, r.columna) for r in cartera.rechazos] == [(2, "Vencimiento"), (3, "Factura")]
    assert "carácter de control" in cartera.rechazos[1].motivo
    assert "«F-\\x002»" in cartera.rechazos[1].motivo
    (aviso,) = cartera.avisos
    assert (aviso.fila, aviso.columna) == (4, "Cliente") and "se usa «Luis»" in aviso.motivo


# --- 5: codificaciones -----------------------------------------------------------------------------

CABECERA5 = ["Cliente", "Correo", "Factura", "Vencimiento", "Importe"]


def _bytes(filas, codificaciones, separador=","):
    return b"".join(
        separador.join(f).encode(cod) + b"\r\n"
        for f, cod in zip(filas, codificaciones, strict=True)
    )


def test_una_linea_cp1252_en_un_csv_utf8_no_estropea_las_demas(tmp_path):
    filas = [CABECERA5, ["José Núñez", "j@ejemplo.com", "F-1", FECHA, "10"],
             ["Peña Güera", "p@ejemplo.com", "F-2", FECHA, "10"],
             ["Óscar Ibáñez", "o@ejemplo.com", "F-3", FECHA, "10"]]  # fmt: skip
    ruta = tmp_path / "c.csv"
    ruta.write_bytes(_bytes(filas, ["utf-8", "utf-8", "cp1252", "utf-8"]))
    cartera = cargar_cartera(ruta)
    assert [f.cliente for f in cartera.facturas] == ["José Núñez", "Peña Güera", "Óscar Ibáñez"]
    (aviso,) = cartera.avisos
    assert aviso.fila == 3 and "Windows-1252" in aviso.motivo
    assert aviso.valor.startswith("Peña Güera,")


def test_un_csv_latin1_con_una_linea_utf8(tmp_path):
    filas = [CABECERA5, ["José Núñez", "j@ejemplo.com", "F-1", FECHA, "10"],
             ["Peña Güera", "p@ejemplo.com", "F-2", FECHA, "10"]]  # fmt: skip
    ruta = tmp_path / "c.csv"
    ruta.write_bytes(_bytes(filas, ["latin-1", "latin-1", "utf-8"]))
    cartera = cargar_cartera(ruta)
    assert [f.cliente for f in cartera.facturas] == ["José Núñez", "Peña Güera"]
    assert [a.fila for a in cartera.avisos] == [2]


@pytest.mark.parametrize("codificacion", ["utf-8-sig", "utf-16", "utf-16-le", "utf-16-be"])
def test_utf8_con_bom_y_texto_unicode_de_excel(tmp_path, codificacion):
    filas = [CABECERA5, ["José Núñez", "j@ejemplo.com", "F-1", FECHA, "10"]]
    ruta = tmp_path / "c.txt"
    texto = "".join("\t".join(f) + "\r\n" for f in filas)
    prefijo = "\ufeff" if codificacion in ("utf-16-le", "utf-16-be") else ""
    ruta.write_bytes((prefijo + texto).encode(codificacion))
    cartera = cargar_cartera(ruta)
    assert [f.cliente for f in cartera.facturas] == ["José Núñez"]
    assert cartera.avisos == [] and cartera.rechazos == []


@pytest.mark.parametrize("extension", ["txt", "xls"])
def test_utf16_sin_bom_se_reconoce(tmp_path, extension):
    filas = [CABECERA5, ["José Núñez", "j@ejemplo.com", "F-1", FECHA, "10"]]
    ruta = tmp_path / f"c.{extension}"
    ruta.write_bytes("".join("\t".join(f) + "\r\n" for f in filas).encode("utf-16-le"))
    assert [f.cliente for f in cargar_cartera(ruta).facturas] == ["José Núñez"]


@pytest.mark.parametrize("formato", ["csv", "xlsx"])
def test_texto_ya_estropeado_no_se_envia(tmp_path, formato):
    filas = [["JosÃ© NÃºÃ±ez", "j@ejemplo.com", "F-1", FECHA, "10"],
             ["Ana", "a@ejemplo.com", "NÂº 7", FECHA, "10"],
             ["SÃO PAULO LTDA", "s@ejemplo.com", "F-3", FECHA, "10"]]  # fmt: skip
    cartera = _hoja(tmp_path, CABECERA5, filas, formato)
    assert [f.cliente for f in cartera.facturas] == ["SÃO PAULO LTDA"]
    assert [(r.fila, r.columna) for r in cartera.rechazos] == [(2, "Cliente"), (3, "Factura")]
    assert "José Núñez" in cartera.rechazos[0].motivo


def test_bytes_que_no_son_de_ninguna_codificacion_se_rechazan_con_su_fila(tmp_path):
    ruta = tmp_path / "c.txt"
    lineas = ["\t".join(CABECERA5), "\t".join(["Ana", "a@ejemplo.com", "F-1", FECHA, "10"]), ""]
    datos = b"\xff\xfe" + "\r\n".join(lineas).encode("utf-16-le")
    # Un sustituto suelto de UTF-16 (D800) dentro del nombre: no es ningún carácter.
    datos += "Eva".encode("utf-16-le") + b"\x00\xd8"
    datos += "\t".join(["", "e@ejemplo.com", "F-2", FECHA, "10"]).encode("utf-16-le")
    ruta.write_bytes(datos)
    cartera = cargar_cartera(ruta)
    assert [f.numero for f in cartera.facturas] == ["F-1"]
    assert [(r.fila, r.columna) for r in cartera.rechazos] == [(3, "Cliente")]
    assert "«Eva\\ufffd»" in cartera.rechazos[0].motivo


# --- 7: el cliente en una fila de grupo ---------------------------------------------------------

CABECERA7 = ["Cliente", "Correo", "Factura", "Vencimiento", "Importe"]


@pytest.mark.parametrize("formato", ["csv", "xlsx"])
@pytest.mark.parametrize("rotulo", ["Cliente: {}", "Customer: {}", "{}"])
def test_clientes_en_filas_de_grupo_se_llevan_a_sus_facturas(tmp_path, formato, rotulo):
    filas = [[rotulo.format("Abarrotes La Güera")],
             ["", "guera@ejemplo.mx", "A-1", FECHA, "100"],
             ["", "", "A-2", FECHA, "50"],
             ["Total Abarrotes La Güera", "", "", "", "150"],
             [rotulo.format("José Núñez")],
             ["", "jose@ejemplo.com", "J-1", FECHA, "70"],
             ["Total José Núñez", "", "", "", "70"]]  # fmt: skip
    cartera = _hoja(tmp_path, CABECERA7, filas, formato)
    assert cartera.rechazos == []
    assert [(f.fila, f.cliente, f.numero, f.monto) for f in cartera.facturas] == [
        (3, "Abarrotes La Güera", "A-1", Decimal("100.00")),
        (4, "Abarrotes La Güera", "A-2", Decimal("50.00")),
        (7, "José Núñez", "J-1", Decimal("70.00")),
    ]
    (aviso,) = cartera.avisos
    assert "fila de grupo" in aviso.motivo and aviso.fila == 2


def test_filas_de_grupo_ambiguas_se_rechazan_diciendo_que_hacer(tmp_path):
    filas = [["", "x@ejemplo.com", "X-1", FECHA, "10"],  # antes de ningún grupo
             ["Cliente: Ana"],
             ["", "ana@ejemplo.com", "A-1", FECHA, "100"]]  # fmt: skip
    cartera = _hoja(tmp_path, CABECERA7, filas)
    assert cartera.facturas == []
    motivos = {r.fila: r.motivo for r in cartera.rechazos if r.columna == "Cliente"}
    assert "escribe el cliente en cada fila" in motivos[2]
    assert "escribe el cliente en cada fila" in motivos[4]


@pytest.mark.parametrize("otra", ["Forma de pago", "Fecha de abono", "Condiciones de pago"])
def test_importe_con_columnas_de_pago_que_no_son_importes_no_avisa(tmp_path, otra):
    cabecera = ["Cliente", "Correo", "Factura", "Vencimiento", "Importe", otra]
    cartera = _hoja(tmp_path, cabecera, [["Ana", "ana@ejemplo.com", "F-1", FECHA, "10", "x"]])
    assert cartera.avisos == [] and cartera.columnas["monto"] == "Importe"


def test_fila_sola_al_pie_no_impide_los_grupos(tmp_path):
    filas = [["Cliente: Ana"],
             ["", "ana@ejemplo.com", "A-1", FECHA, "100"],
             ["Total Ana", "", "", "", "100"],
             ["Elaborado por: Juan Pérez"]]  # fmt: skip
    cartera = _hoja(tmp_path, CABECERA7, filas)
    assert [(f.cliente, f.numero) for f in cartera.facturas] == [("Ana", "A-1")]
    assert {r.fila for r in cartera.rechazos} == {5}  # la nota del pie, como antes


def test_grupos_con_el_cliente_en_otra_columna_y_rotulo_en_dos_celdas(tmp_path):
    cabecera = ["Factura", "Vencimiento", "Importe", "Cliente", "Correo"]
    filas = [["Cliente:", "Ferretería López"],
             ["F-1", FECHA, "10", "", "f@ejemplo.com"],
             ["F-2", FECHA, "20", "Ferretería López", ""],
             ["Total Ferretería López", "", "30"]]  # fmt: skip
    cartera = _hoja(tmp_path, cabecera, filas, "xlsx")
    assert cartera.rechazos == []
    assert [(f.cliente, f.numero) for f in cartera.facturas] == [
        ("Ferretería López", "F-1"), ("Ferretería López", "F-2")
    ]  # fmt: skip


def test_la_columna_pagado_con_si_y_no_sigue_siendo_el_estado(tmp_path):
    cabecera = ["Cliente", "Correo", "Factura", "Vencimiento", "Importe", "Pagado"]
    filas = [["Ana", "ana@ejemplo.com", "F-1", FECHA, "10", "sí"],
             ["Eva", "eva@ejemplo.com", "F-2", FECHA, "10", "1"],
             ["Sol", "sol@ejemplo.com", "F-3", FECHA, "10", "no"]]  # fmt: skip
    cartera = _hoja(tmp_path, cabecera, filas)
    assert cartera.columnas["estado"] == "Pagado"
    assert [f.numero for f in cartera.facturas] == ["F-3"] and cartera.avisos == []
