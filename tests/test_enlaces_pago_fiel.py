"""Enlace de pago en un mensaje con varias facturas: cada factura con el suyo, y un enlace
para el total solo si el de la política sabe cobrar varias. Con un envío de verdad al canal
archivo (.eml con texto y HTML, .json de SMS y WhatsApp)."""

import json
import re
from datetime import timedelta
from decimal import Decimal
from email import policy
from email.parser import BytesParser
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.conftest import HOY, escribir_xlsx

CABECERA = ["Cliente", "Correo", "Teléfono", "Factura", "Vencimiento", "Importe"]
POLITICA = """\
empresa:
  nombre: Ferretería López
  contacto: cobranza@ejemplo.com
  enlace_pago: "{enlace}"
moneda: MXN
pasos:
  - id: recordatorio
    dias: 1
    canales: [email, sms, whatsapp]
    plantilla: {plantilla}
canales:
  archivo:
    tipo: archivo
    carpeta: salida
"""


def _enviar(en_tmp, correr, enlace, plantilla="recordatorio"):
    d = lambda n: HOY - timedelta(days=n)  # noqa: E731
    escribir_xlsx(en_tmp / "cartera.xlsx", [
        CABECERA,
        ["Ana Pérez", "ana@ejemplo.com", "+525511111111", "F-1", d(3), 1000],
        ["Ana Pérez", "ana@ejemplo.com", "+525511111111", "F-2", d(2), 2500],
        ["Beto Ruiz", "beto@ejemplo.com", "+525522222222", "F-9", d(3), 700],
    ])  # fmt: skip
    (en_tmp / "politica.yaml").write_text(
        POLITICA.format(enlace=enlace, plantilla=plantilla), encoding="utf-8"
    )
    r = correr("enviar", "cartera.xlsx", "--politica", "politica.yaml", "--hoy", HOY.isoformat(),
               "--bitacora", str(en_tmp / "bitacora.sqlite"))  # fmt: skip
    assert r.exit_code == 0, r.output
    textos = {}
    for ruta in (en_tmp / "salida").iterdir():
        if ruta.suffix == ".eml":
            correo = BytesParser(policy=policy.default).parsebytes(ruta.read_bytes())
            cliente = correo["To"].addresses[0].display_name
            textos[(cliente, "email")] = correo.get_body(("plain",)).get_content()
            textos[(cliente, "html")] = correo.get_body(("html",)).get_content()
        else:
            datos = json.loads(ruta.read_text(encoding="utf-8"))
            textos[(datos["cliente"], datos["canal"])] = datos["cuerpo"]
    return textos


def _enlaces(texto: str) -> list[dict]:
    """Los parámetros de cada enlace de pago del texto (también los de href en el HTML)."""
    texto = texto.replace("&amp;", "&")
    urls = re.findall(r"https://pagos\.ejemplo/\?[^\s\"'<>;]*[^\s\"'<>;.,)]", texto)
    enlaces = [{k: v[0] for k, v in parse_qs(urlsplit(u).query).items()}
               for u in urls]  # fmt: skip
    for e in enlaces:
        if "monto" in e:
            e["monto"] = f"{Decimal(e['monto']):f}".rstrip("0").rstrip(".")
    return enlaces


PLANTILLAS = ["recordatorio", "previo", "vencimiento", "seguimiento", "aviso_formal",
              "aviso_final"]  # fmt: skip


@pytest.mark.parametrize("plantilla", PLANTILLAS)
def test_cada_factura_con_su_enlace_y_ningun_pagar_todo_que_cobra_solo_la_primera(
    en_tmp, correr, plantilla
):
    textos = _enviar(en_tmp, correr, "https://pagos.ejemplo/?ref={{ factura }}&monto={{ total }}",
                     plantilla)  # fmt: skip
    for canal in ("email", "html", "sms", "whatsapp"):
        enlaces = _enlaces(textos[("Ana Pérez", canal)])
        # Cada enlace cobra una factura por su propio importe, nunca 3500 con la referencia F-1.
        pares = {(e["ref"], e["monto"]) for e in enlaces}
        if canal == "sms" and not pares:
            # El SMS solo lleva un enlace que cubra todo el mensaje (y corto, para caber en un
            # segmento): sin él, ninguno; nunca uno que cobre el total con la referencia de F-1.
            continue
        assert pares == {("F-1", "1000"), ("F-2", "2500")}, (
            canal,
            enlaces,
            textos[("Ana Pérez", canal)],
        )
        assert "Pagar en línea<" not in textos[("Ana Pérez", canal)]  # sin botón de «pagar todo»
        # Un mensaje de una factura sigue con su enlace (y el botón en el HTML).
        assert {(e["ref"], e["monto"]) for e in _enlaces(textos[("Beto Ruiz", canal)])} == {
            ("F-9", "700")
        }
    assert "Pagar en línea" in textos[("Beto Ruiz", "html")]


def test_un_enlace_que_admite_varias_facturas_cobra_el_total(en_tmp, correr):
    enlace = "https://pagos.ejemplo/?refs={{ facturas|join(',') }}&monto={{ total }}"
    textos = _enviar(en_tmp, correr, enlace)
    for canal in ("email", "html", "sms", "whatsapp"):
        enlaces = _enlaces(textos[("Ana Pérez", canal)])
        pares = {(e["refs"], e["monto"]) for e in enlaces}
        # En SMS, un enlace de más de 45 caracteres no va (el SMS cabría en dos segmentos).
        assert pares == {("F-1,F-2", "3500")} or (canal == "sms" and not pares), canal
        assert {(e["refs"], e["monto"]) for e in _enlaces(textos[("Beto Ruiz", canal)])} == {
            ("F-9", "700")
        }
    assert "Pagar en línea" in textos[("Ana Pérez", "html")]


@pytest.mark.parametrize(
    ("enlaces", "esperados"),
    [
        # Enlaces distintos en la hoja: cada factura con el suyo.
        (["https://pagos.ejemplo/?ref=A1", "https://pagos.ejemplo/?ref=A2"], {"A1", "A2"}),
        # El mismo para las dos (un portal del cliente): ese cubre el total.
        (["https://pagos.ejemplo/?ref=PORTAL", "https://pagos.ejemplo/?ref=PORTAL"], {"PORTAL"}),
    ],
)
def test_enlaces_de_la_columna_de_la_hoja(en_tmp, correr, enlaces, esperados):
    d = lambda n: HOY - timedelta(days=n)  # noqa: E731
    escribir_xlsx(en_tmp / "cartera.xlsx", [
        CABECERA + ["Enlace de pago"],
        ["Ana Pérez", "ana@ejemplo.com", "+525511111111", "F-1", d(3), 1000, enlaces[0]],
        ["Ana Pérez", "ana@ejemplo.com", "+525511111111", "F-2", d(2), 2500, enlaces[1]],
    ])  # fmt: skip
    (en_tmp / "politica.yaml").write_text(
        POLITICA.format(enlace="", plantilla="recordatorio"), encoding="utf-8"
    )
    r = correr("enviar", "cartera.xlsx", "--politica", "politica.yaml", "--hoy", HOY.isoformat(),
               "--simulacro", "--salida", "informe.json")  # fmt: skip
    assert r.exit_code == 0, r.output
    mensajes = json.loads((en_tmp / "informe.json").read_text(encoding="utf-8"))["mensajes"]
    assert {m["canal"] for m in mensajes} == {"email", "sms", "whatsapp"}
    for m in mensajes:
        refs = {e["ref"] for e in _enlaces(m["cuerpo"])}
        assert refs == esperados or (m["canal"] == "sms" and refs <= esperados), m["canal"]
