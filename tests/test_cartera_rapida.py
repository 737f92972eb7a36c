"""Los atajos de la carga (columnas enteras de texto, filas comunes) dan lo mismo que el camino
general, celda por celda y fila por fila."""

from datetime import datetime
from decimal import Decimal

import pytest

import recordar.cartera.archivos as modulo_archivos
import recordar.cartera.carga as modulo
import recordar.cartera.columnas as modulo_columnas
import recordar.cartera.filas as modulo_filas
import recordar.cartera.grupos as modulo_grupos
from recordar.cartera.carga import cargar_cartera
from recordar.cartera.contactos import normalizar_correos, normalizar_telefonos
from recordar.cartera.valores import como_texto, es_vacio
from tests.conftest import escribir_csv, escribir_xlsx
from tests.test_cartera_procesos import _contenido

# Sin columnas de pausa, promesa ni disputa: con ellas toda fila va por el camino general.
CABECERA = ["Cliente", "Correo", "Teléfono", "Factura", "Vencimiento", "Importe", "Moneda",
            "Estado", "Enlace de pago", "Vendedor", "Región"]  # fmt: skip
CLIENTES = ["José Núñez Peña", " Abarrotes La Güera ", "", "Ana", "Ferretería Ñandú", "  "]
CORREOS = ["jose@ejemplo.com", "ana@", "a@x.com; b@y.com", "", " josé@ejemplo.com ", "x@@y"]
TELEFONOS = ["55 1234 5678", "12", "+52 1 55 1234 5678", "5512345678 / 5587654321", "", " "]
VENCIMIENTOS = ["15/10/2026", "31/02/2026", "", "15 de marzo de 2026", "mañana", "2026-12-01"]
IMPORTES = ["1234,50", "abc", "", "-50", "0", "$1.234,56", "1500.5", "US$ 20", "12 XYZ", " 99 ",
            "1.234", "7,5", "€ 3,00"]  # fmt: skip
MONEDAS = ["", "MXN", "usd", "XYZ", "€", " "]
ESTADOS = ["", "Pendiente", "Pagada", "pagado", " "]


def _filas(n: int = 160, xlsx: bool = False) -> list[list]:
    """Tres de cada cuatro filas son comunes (el atajo); la cuarta, de todo."""
    filas = [["Cartera al 23/11/2026"], [], CABECERA]
    for i in range(n):
        if i % 4:
            cliente, importe, moneda, estado = CLIENTES[i % 2], IMPORTES[i % 2 * 9], "", ""
            vencimiento = VENCIMIENTOS[i % 2 * 5]
            moneda, estado = ["", "MXN", "usd"][i % 3], ["", "Pendiente"][i % 2]
        else:
            cliente, importe, vencimiento = CLIENTES[i % 6], IMPORTES[i % 13], VENCIMIENTOS[i % 6]
            moneda, estado = MONEDAS[i % 6], ESTADOS[i % 5]
        if xlsx and i % 7 == 0:  # celdas con tipo: número y fecha
            importe, vencimiento = 1000.5 + i % 3, datetime(2026, 11, 1 + i % 28)
        filas.append([
            cliente, CORREOS[i % 6], TELEFONOS[i % 6], f"F-{i % 150}", vencimiento, importe,
            moneda, estado, f" https://pago.ejemplo/{i % 7}", f"Vendedor {i % 4}",
            ["Norte", "", " Sur "][i % 3],
        ])  # fmt: skip
    filas.append(["TOTAL", "", "", "", "", "123"])
    return filas


def _camino_general(monkeypatch) -> None:
    """Toda fila por _leer_fila: con columnas de control, _leer_filas no usa el atajo."""
    iniciar = modulo_filas._Lector.__init__

    def iniciar_sin_atajo(self, *args, **kwargs):
        iniciar(self, *args, **kwargs)
        self._controles = True  # sin esas columnas, _leer_fila da lo mismo que con False

    monkeypatch.setattr(modulo_filas._Lector, "__init__", iniciar_sin_atajo)


def _contar_filas_generales(monkeypatch) -> list[int]:
    llamadas = []
    leer_fila = modulo_filas._Lector._leer_fila

    def espia(self, k, *args):
        llamadas.append(k)
        return leer_fila(self, k, *args)

    monkeypatch.setattr(modulo_filas._Lector, "_leer_fila", espia)
    return llamadas


@pytest.mark.parametrize("formato", ["csv", "xlsx"])
@pytest.mark.parametrize("quitar", [(), ("Moneda", "Estado"), ("Correo", "Enlace de pago")])
def test_filas_comunes_igual_que_fila_por_fila(tmp_path, monkeypatch, formato, quitar):
    monkeypatch.setenv("RECORDAR_PROCESOS", "1")
    filas = _filas(xlsx=formato == "xlsx")
    quedan = [j for j, c in enumerate(CABECERA) if c not in quitar]
    filas = filas[:2] + [[f[j] for j in quedan if j < len(f)] for f in filas[2:]]
    if formato == "csv":
        ruta = escribir_csv(tmp_path / "c.csv", filas, ";")
    else:
        ruta = escribir_xlsx(tmp_path / "c.xlsx", filas)
    generales = _contar_filas_generales(monkeypatch)
    rapida = cargar_cartera(ruta)
    assert 30 < len(generales) < 80  # de 160 filas: el atajo se usó, y no siempre
    with monkeypatch.context() as m:
        _camino_general(m)
        lenta = cargar_cartera(ruta)
    assert _contenido(rapida) == _contenido(lenta)
    assert list(rapida.contactos) == list(lenta.contactos)  # mismo orden de deudores
    assert [f.extras for f in rapida.facturas] == [f.extras for f in lenta.facturas]
    assert rapida.facturas and rapida.omitidas and rapida.rechazos and rapida.avisos


MEZCLA = ["", " ", "  a  ", "\tb\n", "José", 1023.0, 12.5, 7, True, None, float("nan"),
          datetime(2026, 3, 15), datetime(2026, 3, 15, 10, 30), Decimal("3.10")]  # fmt: skip
TEXTOS = ["", " ", "\u3000", "  a  ", "\tb\n", "José", "1234,50", "$1.234,56", "x@y.com "]


@pytest.mark.parametrize("valores", [TEXTOS, MEZCLA])
def test_columnas_enteras_igual_que_celda_por_celda(valores):
    assert modulo_columnas._textos(valores) == [como_texto(v) for v in valores]
    assert modulo_columnas._valores_extra(valores) == [
        modulo_columnas._valor_extra(v) for v in valores
    ]
    for normalizar, region in ((normalizar_correos, ()), (normalizar_telefonos, ("MX",))):
        esperado = [None if es_vacio(v) else normalizar(como_texto(v), *region) for v in valores]
        assert modulo_columnas._contactos(valores, normalizar, *region) == esperado


@pytest.mark.parametrize("valores", [TEXTOS, MEZCLA])
def test_importes_de_una_columna_igual_que_uno_por_uno(tmp_path, valores):
    ruta = escribir_csv(
        tmp_path / "c.csv", [["Cliente", "Factura", "Importe", "Vencimiento", "Correo"]]
    )
    lector = modulo_filas._Lector(ruta, str(ruta), [["Cliente", "Factura", "Importe", "Vencimiento",
                            "Correo"]], 0, {}, "MXN", "MX", True)  # fmt: skip
    esperado = [lector._monto(v) for v in valores]
    obtenido = lector._montos(valores)
    assert obtenido == esperado
    assert [str(m) for m, _, _ in obtenido] == [str(m) for m, _, _ in esperado]


CSV_REGULAR = (
    "Cartera de clientes al 23/11/2026;;;\r\n;;;\r\n"
    "Cliente;Correo;Factura;Importe;Vencimiento\r\n"
    'Peña S.A.;"a@x.com; b@y.com";F-1;1234,50;15/12/2026\r\n'
    "Ana;ana@x.com;F-2;99;15/12/2026\r\n"
    "\r\n"
    '"Ana ""la Güera""";ana@x.com;F-3;"1.234,56";15/12/2026\r\n'
    "Solo dos;celdas\r\n"
    "Larga;l@x.com;F-4;5;15/12/2026;sobra;y más\r\n"
    " ; ;  ;;\r\n"
    "TOTAL;;;1333,06;\r\n"
)
CSV_IRREGULARES = {
    "multilinea": 'Cliente;Correo;Factura;Importe;Vencimiento\n"Peña\nS.A.";a@x.com;F-1;5;1/12/2026\n'
    "Ana;ana@x.com;F-2;6;1/12/2026\n",
    "multilinea_crlf": 'Cliente;Correo;Factura;Importe;Vencimiento\r\nAna;"a@x.com;\r\nb@y.com";F-1;'
    '5;1/12/2026\r\n"x";y;"z\r\n\r\n";F-2;6;1/12/2026\r\n',
    "comilla_suelta": 'Cliente;Correo;Factura;Importe;Vencimiento\nAna "la";a@x.com;F-1;5;1/12/2026\n',
    "texto_tras_comillas": 'Cliente;Correo;Factura;Importe;Vencimiento\n"Ana" G;a@x.com;F-1;5;1/12/2026\n',
    "comilla_sin_cerrar": 'Cliente;Correo;Factura;Importe;Vencimiento\nAna;a@x.com;F-1;5;1/12/2026\n"Luis;x',
    "comilla_abierta_hasta_el_final": "Cliente;Correo;Factura;Importe;Vencimiento\n"
    'Ana;"a@x.com;F-1;5;1/12/2026\nLuis;l@x.com;F-2;6;1/12/2026\n',
    "solo_cr": "Cliente;Correo;Factura;Importe;Vencimiento\rAna;a@x.com;F-1;5;1/12/2026\r\rLuis;;F-2;6;1/12/2026",
    "saltos_raros": "Cliente;Correo;Factura;Importe;Vencimiento\nAna\x0bB;a@x.com;F-1;5;1/12/2026\n"
    "Luis\u2028;l@x.com;F-2;6\x1c;1/12/2026\n",
    "nul": "Cliente;Correo;Factura;Importe;Vencimiento\nAna\x00;a@x.com;F-1;5;1/12/2026\n",
    "campo_enorme": "Cliente;Correo;Factura;Importe;Vencimiento\n"
    + "A" * 140_000
    + ";a@x.com;F-1;5;1/12/2026\n",
    "sin_fin_de_linea": "Cliente,Correo,Factura,Importe,Vencimiento\nAna,a@x.com,F-1,5,1/12/2026",
}


def _sin_atajo_csv(monkeypatch) -> None:
    monkeypatch.setattr(modulo_archivos, "_filas_de_lineas", lambda lineas, separador: None)


def _cargar_o_error(ruta):
    try:
        return _contenido(cargar_cartera(ruta))
    except modulo.ErrorCartera as exc:
        return str(exc)


@pytest.mark.parametrize("codificacion", ["utf-8", "utf-8-sig", "cp1252"])
@pytest.mark.parametrize("separador", [";", ",", "\t"])
def test_csv_regular_por_el_atajo_igual_que_con_csv_reader(
    tmp_path, monkeypatch, codificacion, separador
):
    ruta = tmp_path / "c.csv"
    ruta.write_bytes(CSV_REGULAR.replace(";", separador).encode(codificacion))
    atajos = []
    filas_de_lineas = modulo_archivos._filas_de_lineas
    monkeypatch.setattr(
        modulo_archivos,
        "_filas_de_lineas",
        lambda *a: atajos.append(filas_de_lineas(*a)) or atajos[-1],
    )
    rapida = modulo_archivos._leer_csv(ruta)
    assert atajos and atajos[0] is not None  # el atajo se usó
    cartera = _cargar_o_error(ruta)
    _sin_atajo_csv(monkeypatch)
    assert rapida == modulo_archivos._leer_csv(ruta)
    assert cartera == _cargar_o_error(ruta)
    filas = rapida
    assert filas[5] == [] and filas[6][0] == 'Ana "la Güera"' and len(filas[7]) == 2


@pytest.mark.parametrize("nombre", sorted(CSV_IRREGULARES))
@pytest.mark.parametrize("codificacion", ["utf-8", "cp1252"])
def test_csv_irregular_igual_que_con_csv_reader(tmp_path, monkeypatch, nombre, codificacion):
    texto = CSV_IRREGULARES[nombre]
    if codificacion == "cp1252" and nombre == "saltos_raros":
        texto = texto.replace("\u2028", "")  # no existe en cp1252
    ruta = tmp_path / "c.csv"
    ruta.write_bytes(texto.encode(codificacion))
    try:
        rapida = modulo_archivos._leer_csv(ruta)
    except modulo.ErrorCartera as exc:
        rapida = str(exc)
    cartera = _cargar_o_error(ruta)
    _sin_atajo_csv(monkeypatch)
    try:
        lenta = modulo_archivos._leer_csv(ruta)
    except modulo.ErrorCartera as exc:
        lenta = str(exc)
    assert rapida == lenta
    assert cartera == _cargar_o_error(ruta)


def _filas_de_datos_una_por_una(lector) -> tuple[list[int], list[list]]:
    """La versión sin atajo de _Lector._filas_de_datos: cada fila por _fila_vacia y _es_total."""
    numeros, filas = [], []
    for i in range(lector.indice + 1, len(lector.filas)):
        fila = lector.filas[i] + [None] * (lector.ancho - len(lector.filas[i]))
        if not modulo_grupos._fila_vacia(fila) and not lector._es_total(fila):
            numeros.append(i + 1)
            filas.append(fila)
    while filas and lector._es_suma_sin_rotulo(filas[-1]):  # =SUMA() sin rótulo, al pie
        filas.pop()
        numeros.pop()
    return numeros, filas


PRIMERAS = ["Ana", "Total", "TOTAL GENERAL", " Total", "total", "Suma", "Gran total", "Tienda",
            "Subtotal", "sub total", "", " ", None, 5, 1.0, float("nan"), "Ñandú", "¿Quién?",
            "7-Eleven", "gran", True, datetime(2026, 1, 1)]  # fmt: skip


@pytest.mark.parametrize("factura", ["F-1", "", "Total", None])
def test_filas_de_datos_igual_que_una_por_una(tmp_path, factura):
    cabecera = ["Cliente", "Correo", "Factura", "Importe", "Vencimiento"]
    filas = [["Cartera"], cabecera]
    for primera in PRIMERAS:
        filas += [[primera, "", factura, "5", "1/12/2026"], [primera], [primera, "", factura]]
        filas += [[primera, None, None, None, None, "sobra"], [None, primera, factura]]
    # Como en un libro: las celdas de más a la derecha no corren las columnas (en un CSV sí, y
    # esa fila se rechaza: ver test_cartera.py).
    lector = modulo_filas._Lector(tmp_path, "x", filas, 1, {}, "MXN", "MX", True, libro=True)
    obtenido = lector._filas_de_datos()
    assert obtenido == _filas_de_datos_una_por_una(lector)
    assert 0 < len(obtenido[0]) < len(filas) - 2


def test_hoja_con_cabecera_y_sin_filas(tmp_path):
    ruta = escribir_csv(
        tmp_path / "c.csv", [["Cliente", "Correo", "Factura", "Importe", "Vencimiento"]]
    )
    cartera = cargar_cartera(ruta)
    assert cartera.facturas == [] and cartera.rechazos == [] and cartera.extras == []
