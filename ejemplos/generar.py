"""Genera los archivos de ejemplo de recordar: cartera.xlsx, cartera.csv y politica.yaml.

Uso (desde la raíz del repositorio):

    python ejemplos/generar.py

Escribe los archivos junto a este script. Es determinista: no usa azar y fija las fechas
internas del .xlsx, así que dos ejecuciones producen exactamente los mismos bytes.

Las fechas de vencimiento están pensadas para «hoy» = 23/11/2026: con esa fecha cada paso de
la política de ejemplo tiene al menos una factura que lo dispara. Las filas malas a propósito
están marcadas con «# MALA» y se describen en LEEME.md.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

CARPETA = Path(__file__).resolve().parent
HOY = date(2026, 11, 23)
MARCA_TIEMPO = datetime(2026, 11, 23, 9, 0, 0)  # fecha fija dentro del .xlsx (reproducible)

ENCABEZADOS = [
    "Cliente", "RFC", "Correo", "Teléfono", "Factura", "Fecha de emisión", "Vencimiento",
    "Importe", "Moneda", "Estado", "Vendedor",
]  # fmt: skip
ANCHOS = [38, 16, 48, 26, 10, 16, 22, 16, 9, 11, 11]


def dia(desplazamiento: int) -> date:
    """HOY más `desplazamiento` días (negativo = en el pasado)."""
    return HOY + timedelta(days=desplazamiento)


# ---------------------------------------------------------------------------------------------
# Deudores de Ferretería López (México). Correos solo en dominios de ejemplo.
# clave: (Cliente, RFC, Correo, Teléfono, Vendedor)
# ---------------------------------------------------------------------------------------------
DEUDORES_MX: dict[str, tuple[str, str, str, str, str]] = {
    "jose": ("José Núñez Peña", "NUPJ850312KA1", "jose.nunez@ejemplo.com",
             "55 1234 5678", "Lupita"),
    "guera": ("Abarrotes La Güera", "ALG100215QX3",
              "laguera@ejemplo.mx; compras.laguera@ejemplo.mx", "+52 1 55 8765 4321", "Don Toño"),
    "munoz": ("Construcciones Muñoz S.A. de C.V.", "CMU0504117K2",
              "cxp.munoz@ejemplo.mx; ing.rmunoz@correo.ejemplo.net", "(33) 3616-1234", "Ramón"),
    "mafer": ("María Fernanda Ortiz", "OIMF910725HN4", "mafer.ortiz@ejemplo.com",
              "8112345678", "Lupita"),
    "plomeria": ("Plomería Hernández e Hijos", "PHH0811203B7",
                 "plomeria.hernandez@correo.ejemplo.net", "81 8345 6789 / 81 1987 6543",
                 "Don Toño"),
    "bajio": ("Ingeniería Eléctrica del Bajío S. de R.L. de C.V.", "IEB150603LM8",
              "facturacion.bajio@ejemplo.com", "+52 (477) 712 3456", "Ramón"),
    # Solo teléfono, sin correo.
    "angel": ("Ángel Ibáñez Córdova", "IACA790214PQ5", "", "477-123-4567", "Lupita"),
    "zuniga": ("Muebles Rústicos Zúñiga", "MRZ110830GH2", "muebles.zuniga@ejemplo.com",
               "33 3812 4455", "Ramón"),
    # Ni correo ni teléfono: recordar debe reportarlo.
    "tlapaleria": ("Tlapalería San Martín", "TSM990101AB2", "", "", "Don Toño"),
    "carpinteria": ("Carpintería Peñaloza", "CPE120912R45", "carpinteria.penaloza@ejemplo.mx",
                    "33-1234-5678", "Ramón"),
    "dulceria": ("Dulcería Begoña", "DBE170428P19", "dulceria.begona@ejemplo.com",
                 "55 2345 6789", "Lupita"),
    "inmobiliaria": ("Inmobiliaria Acuña y Asociados S.C.", "IAA140310UV6",
                     "administracion.acuna@ejemplo.mx;pagos.acuna@ejemplo.mx",
                     "+52 55 5123 4567", "Ramón"),
    # Correo escrito con mayúsculas y espacios, como se captura a mano.
    "sofia": ("Sofía Ramírez Echeverría", "RAES880519TZ2", " Sofia.Ramirez@correo.ejemplo.net ",
              "55 4321 8765", "Lupita"),
    "refaccionaria": ("Refaccionaria El Niño", "REN060822KD1", "refacciones.elnino@ejemplo.com",
                      "(55) 5678-1234", "Don Toño"),
    "pinturas": ("Pinturas y Acabados Güémez", "PAG130705MN3", "pinturas.guemez@ejemplo.mx",
                 "+52 81 8342 1122", "Ramón"),
}  # fmt: skip

# Facturas en el orden en que aparecen en la hoja (fila 4 en adelante).
# (deudor, Factura, días de crédito, Vencimiento, Importe, Moneda, Estado, ajustes)
#   Vencimiento: int = días respecto a HOY (se escribe como fecha de Excel);
#                str = texto tal cual (así lo capturó alguien).
#   Importe: número (celda numérica) o texto tal cual.
#   ajustes: cambios en las celdas del deudor solo en esa fila.
SIN_CONTACTO = {"Correo": "", "Teléfono": ""}
FACTURAS_MX: list[tuple] = [
    ("jose", "F-1028", 30, -16, 8450.00, "MXN", "Pendiente", {}),
    ("jose", "F-1039", 30, -1, 3215.40, "MXN", "", SIN_CONTACTO),  # contacto solo en otras filas
    ("jose", "F-1045", 30, 3, "$12,450.00", "MXN", "Pendiente", {}),
    ("guera", "A-2041", 15, -30, 5600.00, "MXN", "Pendiente", {}),
    ("guera", "A-2047", 15, -6, 2380.75, "MXN", "", {"Cliente": "Abarrotes La Güera "}),
    ("guera", "", 15, -6, 860.00, "MXN", "Pendiente", {}),  # MALA: sin número de factura
    ("guera", "A-2052", 15, 0, 1940.00, "MXN", "", {}),  # vence hoy
    ("guera", "A-2033", 15, -45, 4100.00, "MXN", "Pagada", {}),
    ("munoz", "F-1005", 45, -64, 48750.00, "MXN", "Pendiente", {}),
    ("munoz", "F-1012", 45, -45, 23100.00, "MXN", "Pendiente", {}),
    ("munoz", "F-1021", 45, -11, 15980.60, "MXN", "Pendiente", {}),
    ("munoz", "F-1052", 45, "15/12/2026", 31250.00, "MXN", "", {}),
    ("munoz", "NC-112", 0, -13, -1500.00, "MXN", "", {}),  # nota de crédito
    ("mafer", "F-1060", 15, -1, 2760.00, "MXN", "", {}),
    ("mafer", "F-1065", 15, 3, 1150.50, "MXN", "Pendiente", {}),
    ("mafer", "F-1038", 15, 9, 2640.00, "MXN", "", {}),  # MALA: folio repetido (fila de Acuña)
    ("plomeria", "F-1023", 30, -21, 6420.00, "MXN", "Pendiente", {}),
    ("plomeria", "F-1035", 30, -6, 3870.00, "MXN", "PAGADA", {}),
    ("plomeria", "F-1043", 30, 2, "MXN 2,000", "MXN", "", {}),
    ("bajio", "F-1026", 30, -16, 1850.00, "USD", "Pendiente", {}),
    ("bajio", "F-1063", 30, 17, 2300.00, "USD", "", {}),
    ("angel", "F-1047", 15, -11, "1,320.00", "MXN", "", {}),  # número guardado como texto
    ("angel", "F-1064", 15, 3, 980.00, "", "", {}),
    ("zuniga", "F-1049", 30, "31/02/2026", 4500.00, "MXN", "", {}),  # MALA: fecha imposible
    ("zuniga", "F-1050", 30, 6, "pendiente de revisar", "MXN", "", {}),  # MALA: importe
    ("tlapaleria", "F-1019", 30, -30, 7215.00, "", "Pendiente", {}),
    ("tlapaleria", "F-1041", 30, -1, 1480.00, "", "", {}),
    ("carpinteria", "F-1015", 30, -45, 9860.00, "MXN", "Pagada", {}),
    ("carpinteria", "F-1034", 30, -6, 4312.25, "MXN", "Pendiente", {}),
    ("carpinteria", "F-1057", 30, "5 de diciembre de 2026", 5740.00, "MXN", "", {}),
    ("dulceria", "F-1027", 30, -16, 0, "MXN", "", {}),  # importe 0
    ("dulceria", "F-1069", 30, 25, 2150.00, "MXN", "Pendiente", {}),
    ("inmobiliaria", "F-1002", 60, -60, 18400.00, "MXN", "Pendiente", {}),
    ("inmobiliaria", "F-1011", 60, -30, 12600.00, "MXN", "Pendiente", {}),
    ("inmobiliaria", "F-1038", 60, 29, 9300.00, "MXN", "", {}),
    ("sofia", "F-1031", 30, -11, 3150.00, "MXN", "pagada", {}),
    ("sofia", "F-1044", 30, 2, 1875.90, "MXN", "Pendiente", {}),
    ("refaccionaria", "F-1016", 30, -45, 6780.00, "MXN", "", {}),
    ("refaccionaria", "F-1040", 30, -1, 2245.00, "MXN", "Pendiente", {}),
    ("pinturas", "F-1008", 30, -70, 11530.00, "MXN", "Pendiente", {}),
    ("pinturas", "F-1054", 30, 8, 3960.00, "MXN", "", {}),
]

# Fechas de emisión de las filas cuyo vencimiento es texto (no se puede restar el plazo).
EMISION_TEXTO = {
    "15/12/2026": date(2026, 10, 31),
    "31/02/2026": date(2026, 10, 29),
    "5 de diciembre de 2026": date(2026, 11, 5),
}

# ---------------------------------------------------------------------------------------------
# CSV: otro negocio (España, EUR), exportado por Excel en español como
# «CSV (delimitado por punto y coma)»: cp1252, «;», CRLF, coma decimal, dd/mm/aaaa.
# ---------------------------------------------------------------------------------------------
ENCABEZADOS_CSV = [
    "Cliente", "NIF", "Correo", "Teléfono", "Factura", "Fecha de emisión", "Vencimiento",
    "Importe", "Moneda", "Estado", "Comercial",
]  # fmt: skip
DEUDORES_ES: dict[str, tuple[str, str, str, str, str]] = {
    "ibericos": ("Suministros Ibéricos S.L.", "B12345674", "suministros.ibericos@ejemplo.com",
                 "+34 91 123 45 67", "Marta"),
    "penalver": ("Construcciones Peñalver S.A.", "A87654321",
                 "pagos.penalver@ejemplo.com; contabilidad.penalver@ejemplo.com", "912 345 678",
                 "Iñaki"),
    "begona": ("Begoña Ibarra Láinez", "12345678Z", "begona.ibarra@correo.ejemplo.net",
               "612 345 678", "Marta"),
    "puig": ("Instal·lacions Puig i Fills S.L.", "B65432109", "factures.puig@ejemplo.com",
             "+34 655 12 34 56", "Jordi"),
    # Ni correo ni teléfono.
    "castaneda": ("Cristalería Castañeda", "B23456789", "", "", "Iñaki"),
    # Solo teléfono.
    "talleres": ("Talleres Muñoz Álvarez S.L.", "B34567890", "", "634 56 78 90", "Jordi"),
    "canizares": ("Droguería Cañizares C.B.", "E45678901", "drogueria.canizares@ejemplo.com",
                  "958 12 34 56", "Marta"),
    "ordonez": ("Carpintería Ordóñez S.L.", "B56789012",
                "administracion.ordonez@correo.ejemplo.net", "+34 976 55 44 33", "Jordi"),
}  # fmt: skip
FACTURAS_ES: list[tuple] = [
    ("ibericos", "FV26-0112", 30, -30, Decimal("12450.50"), "Pendiente"),
    ("ibericos", "FV26-0131", 30, -1, Decimal("3870.00"), ""),
    ("ibericos", "FV26-0150", 30, 3, Decimal("1275.35"), "Pendiente"),
    ("penalver", "FV26-0098", 30, -64, Decimal("23400.00"), "Pendiente"),
    ("penalver", "FV26-0127", 30, -6, Decimal("8650.80"), ""),
    ("penalver", "AB26-0007", 0, -10, Decimal("-250.00"), ""),  # abono (nota de crédito)
    ("begona", "FV26-0139", 30, 0, "980,00 €", "Pendiente"),  # importe como texto con €
    ("begona", "FV26-0144", 30, 3, Decimal("415.20"), ""),
    ("puig", "FV26-0105", 30, -45, Decimal("5320.00"), "Pagada"),
    ("puig", "FV26-0133", 30, -11, Decimal("2760.45"), "Pendiente"),
    ("castaneda", "FV26-0121", 30, -16, Decimal("1890.00"), ""),
    ("castaneda", "FV26-0141", 30, "31/11/2026", Decimal("640.00"), ""),  # MALA: fecha imposible
    ("talleres", "FV26-0118", 30, -21, Decimal("4150.00"), "Pendiente"),
    ("talleres", "FV26-0152", 30, 22, Decimal("2980.00"), ""),
    ("canizares", "FV26-0125", 30, -6, Decimal("1320.60"), "Pagada"),
    ("canizares", "FV26-0148", 30, 2, Decimal("760.90"), "Pendiente"),
    ("ordonez", "FV26-0101", 30, -60, Decimal("9800.00"), "Pendiente"),
    ("ordonez", "", 30, -1, Decimal("1150.00"), ""),  # MALA: sin número de factura
    ("ordonez", "FV26-0155", 30, 29, Decimal("3345.75"), ""),
]


# ---------------------------------------------------------------------------------------------
# cartera.xlsx
# ---------------------------------------------------------------------------------------------
def generar_xlsx(ruta: Path) -> None:
    libro = Workbook()
    hoja = libro.active
    hoja.title = "Cartera"

    hoja["A1"] = f"Cartera de clientes al {HOY:%d/%m/%Y}"
    hoja["A1"].font = Font(bold=True, size=14)
    hoja.merge_cells("A1:E1")

    gris = PatternFill("solid", start_color="D9D9D9")
    for col, encabezado in enumerate(ENCABEZADOS, start=1):
        celda = hoja.cell(row=3, column=col, value=encabezado)
        celda.font = Font(bold=True)
        celda.fill = gris
        celda.alignment = Alignment(horizontal="center")

    fila = 4
    for clave, factura, plazo, venc, importe, moneda, estado, ajustes in FACTURAS_MX:
        cliente, rfc, correo, telefono, vendedor = DEUDORES_MX[clave]
        valores = {
            "Cliente": cliente, "RFC": rfc, "Correo": correo, "Teléfono": telefono,
            "Factura": factura, "Importe": importe, "Moneda": moneda, "Estado": estado,
            "Vendedor": vendedor,
        }  # fmt: skip
        if isinstance(venc, int):
            vencimiento = dia(venc)
            valores["Vencimiento"] = vencimiento
            valores["Fecha de emisión"] = vencimiento - timedelta(days=plazo)
        else:
            valores["Vencimiento"] = venc
            valores["Fecha de emisión"] = EMISION_TEXTO[venc]
        valores.update(ajustes)
        for col, encabezado in enumerate(ENCABEZADOS, start=1):
            valor = valores[encabezado]
            celda = hoja.cell(row=fila, column=col, value=valor if valor != "" else None)
            if isinstance(valor, date):
                celda.number_format = "dd/mm/yyyy"
            elif encabezado == "Importe" and isinstance(valor, int | float):
                celda.number_format = "#,##0.00"
            elif encabezado == "Importe":
                celda.alignment = Alignment(horizontal="right")
        fila += 1

    ultima = fila - 1
    fila += 1  # una fila en blanco antes del total
    hoja.cell(row=fila, column=1, value="TOTAL GENERAL").font = Font(bold=True)
    total = hoja.cell(row=fila, column=8, value=f"=SUM(H4:H{ultima})")
    total.font = Font(bold=True)
    total.number_format = "#,##0.00"

    for col, ancho in enumerate(ANCHOS, start=1):
        hoja.column_dimensions[get_column_letter(col)].width = ancho
    hoja.freeze_panes = "A4"
    hoja.auto_filter.ref = f"A3:K{ultima}"

    libro.properties.creator = "Ferretería López"
    libro.properties.lastModifiedBy = "Ferretería López"
    libro.properties.created = MARCA_TIEMPO
    libro.properties.modified = MARCA_TIEMPO

    bufer = io.BytesIO()
    libro.save(bufer)
    ruta.write_bytes(_zip_reproducible(bufer.getvalue()))


def _zip_reproducible(datos: bytes) -> bytes:
    """Reescribe el .xlsx con fechas fijas (zip y docProps/core.xml) para que sea reproducible."""
    marca = MARCA_TIEMPO.strftime("%Y-%m-%dT%H:%M:%SZ")
    salida = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(datos)) as origen, zipfile.ZipFile(salida, "w") as destino:
        for info in origen.infolist():
            contenido = origen.read(info.filename)
            if info.filename == "docProps/core.xml":
                texto = contenido.decode("utf-8")
                texto = re.sub(
                    r"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:)",
                    rf"\g<1>{marca}\g<3>",
                    texto,
                )
                contenido = texto.encode("utf-8")
            nueva = zipfile.ZipInfo(info.filename, date_time=MARCA_TIEMPO.timetuple()[:6])
            nueva.compress_type = zipfile.ZIP_DEFLATED
            nueva.external_attr = 0o600 << 16
            destino.writestr(nueva, contenido)
    return salida.getvalue()


# ---------------------------------------------------------------------------------------------
# cartera.csv
# ---------------------------------------------------------------------------------------------
def _importe_csv(valor: Decimal) -> str:
    """Como lo muestra Excel en español con formato 0,00: coma decimal, sin miles."""
    return f"{valor:.2f}".replace(".", ",")


def generar_csv(ruta: Path) -> None:
    vacia = [""] * len(ENCABEZADOS_CSV)
    filas: list[list[str]] = [
        [f"Cartera al {HOY:%d/%m/%Y}"] + vacia[1:],
        vacia,
        ENCABEZADOS_CSV,
    ]
    total = Decimal(0)
    for clave, factura, plazo, venc, importe, estado in FACTURAS_ES:
        cliente, nif, correo, telefono, comercial = DEUDORES_ES[clave]
        if isinstance(venc, int):
            vencimiento = dia(venc)
            texto_venc = f"{vencimiento:%d/%m/%Y}"
            emision = vencimiento - timedelta(days=plazo)
        else:
            texto_venc = venc
            emision = date(2026, 10, 28)
        if isinstance(importe, Decimal):
            total += importe  # SUM() de Excel ignora los importes escritos como texto
            texto_importe = _importe_csv(importe)
        else:
            texto_importe = importe
        filas.append([
            cliente, nif, correo, telefono, factura, f"{emision:%d/%m/%Y}", texto_venc,
            texto_importe, "EUR", estado, comercial,
        ])  # fmt: skip
    filas.append(vacia)
    filas.append(["TOTAL GENERAL"] + vacia[1:7] + [_importe_csv(total)] + vacia[8:])

    # Excel entrecomilla solo los campos que lo necesitan (p. ej. dos correos con «;»).
    with ruta.open("w", encoding="cp1252", newline="") as f:
        escritor = csv.writer(f, delimiter=";", lineterminator="\r\n")
        escritor.writerows(filas)


# ---------------------------------------------------------------------------------------------
# politica.yaml
# ---------------------------------------------------------------------------------------------
POLITICA = """\
# Política de cobranza de ejemplo para Ferretería López (Guadalajara, Jal.).
# Va con ejemplos/cartera.xlsx: con la fecha 23/11/2026 cada paso tiene alguna factura.
# Prueba:  recordar validar ejemplos/cartera.xlsx --politica ejemplos/politica.yaml

empresa:
  nombre: "Ferretería López"
  # Cómo te contacta el cliente para aclarar un cargo o acordar un pago.
  contacto: "Cobranza: cobranza@ferreterialopez.ejemplo.mx · 33 3615 0000 (lun a sáb, 9 a 18 h)"
  # Enlace de pago; {{ factura }} se cambia por el número de factura del mensaje.
  enlace_pago: "https://pagos.ferreterialopez.ejemplo.mx/factura/{{ factura }}"
  # Para transferencia (SPEI). Datos de ejemplo: pon los de tu cuenta.
  datos_bancarios: "BBVA · CLABE 012 320 00123456789 5 · a nombre de Ferretería López"

# Formato de dinero y fechas (es_MX: $12,450.00 y 23/11/2026).
idioma: es_MX
# Moneda cuando la columna «Moneda» está vacía.
moneda: MXN
zona_horaria: America/Mexico_City
# Para completar teléfonos sin +52 (p. ej. «33 3616 1234»).
region_telefono: MX

# Escalamiento. `dias` cuenta desde el vencimiento: -3 = tres días antes, 0 = el día
# que vence, 6 = seis días después. Cada día se envía el paso más reciente que ya se
# alcanzó y no se ha enviado; no se manda una ráfaga de avisos atrasados.
pasos:
  # Aviso amable antes de que venza.
  - id: previo
    dias: -3
    canales: [email]
    plantilla: previo
  # El día del vencimiento.
  - id: vencimiento
    dias: 0
    canales: [email, sms]
    plantilla: vencimiento
  # Un día después: correo y WhatsApp.
  - id: recordatorio
    dias: 1
    canales: [email, whatsapp]
    plantilla: recordatorio
  # Días 6, 11, 16, 21 y 26 de atraso.
  - id: seguimiento
    dias: 6
    repetir_cada: 5
    hasta: 26
    canales: [email, sms]
    plantilla: seguimiento
  # Al mes: aviso formal con el interés moratorio acumulado.
  - id: aviso_formal
    dias: 30
    canales: [email]
    plantilla: aviso_formal
  # Último aviso antes de pasar la cuenta a cobranza externa.
  - id: aviso_final
    dias: 45
    canales: [email, sms]
    plantilla: aviso_final
  # A los 60 días no se manda mensaje: queda una tarea en el informe.
  - id: agencia
    dias: 60
    accion: tarea
    descripcion: "Entregar la cuenta a la agencia de cobranza y suspender el crédito del cliente."

# Interés moratorio simple: importe × tasa_anual / 100 × días de atraso / 365,
# a partir de `desde_dias` días de atraso. Debe estar pactado en tus facturas o contrato.
interes_moratorio:
  tasa_anual: 18
  desde_dias: 30
  # Cargo fijo por factura vencida (0 = ninguno).
  compensacion: 0

limites:
  # Nunca escribir dos veces el mismo día a un cliente, aunque tenga varias facturas.
  min_dias_entre_mensajes: 1

# Envío real por correo. La contraseña nunca va aquí: se lee de la variable de entorno
# que nombra `contrasena_env`. Quita los # para activarlo.
# canales:
#   email:
#     tipo: smtp
#     servidor: smtp.ferreterialopez.ejemplo.mx
#     puerto: 587
#     seguridad: starttls
#     usuario: cobranza@ferreterialopez.ejemplo.mx
#     contrasena_env: RECORDAR_SMTP_CONTRASENA
#     remitente: "Cobranza Ferretería López <cobranza@ferreterialopez.ejemplo.mx>"
"""


def generar_politica(ruta: Path) -> None:
    ruta.write_text(POLITICA, encoding="utf-8", newline="\n")


def main() -> None:
    generar_xlsx(CARPETA / "cartera.xlsx")
    generar_csv(CARPETA / "cartera.csv")
    generar_politica(CARPETA / "politica.yaml")
    for nombre in ("cartera.xlsx", "cartera.csv", "politica.yaml"):
        print(f"escrito {CARPETA / nombre}")


if __name__ == "__main__":
    main()
