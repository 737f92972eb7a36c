"""El canal archivo: .eml que un cliente de correo abre y .json para SMS y WhatsApp."""

import hashlib
import json
from email import policy
from email.parser import BytesParser
from importlib.metadata import entry_points

import pytest

from recordar.canales.archivo import CanalArchivo
from recordar.canales.base import Envio, ErrorEnvio
from recordar.errores import ErrorCanal

CORREO = Envio(
    clave="2026-11-23|C-1|aviso|email",
    canal="email",
    cliente="José Núñez",
    destinatario="jose@example.mx, pagos@example.mx",
    asunto="Recordatorio: factura F-1 de Compañía Año Nuevo",
    cuerpo="Hola José:\nsu factura F-1 por $1,234.50 vence mañana.\n",
    html="<p>Hola <b>José</b>: su factura vence mañana.</p>",
    paso="aviso",
    plantilla="recordatorio",
    facturas=("F-1",),
)
SMS = Envio(
    clave="2026-11-23|C-1|aviso|sms",
    canal="sms",
    cliente="José Núñez",
    destinatario="+525512345678",
    asunto="",
    cuerpo="Hola José, su factura F-1 vence mañana.",
    paso="aviso",
    facturas=("F-1", "F-2"),
)


def huella(clave: str) -> str:
    return hashlib.sha256(clave.encode()).hexdigest()


def leer_eml(ruta):
    return BytesParser(policy=policy.default).parsebytes(ruta.read_bytes())


def test_el_tipo_se_registra_por_entry_points():
    (punto,) = entry_points(group="recordar.canales", name="archivo")
    assert punto.load() is CanalArchivo


def test_correo_como_eml_que_se_lee_de_vuelta(tmp_path):
    canal = CanalArchivo("archivo", {"tipo": "archivo", "carpeta": str(tmp_path / "salida")})
    nombre = canal.enviar(CORREO)
    assert nombre == f"email-{huella(CORREO.clave)[:16]}.eml"
    mensaje = leer_eml(tmp_path / "salida" / nombre)
    destinatarios = mensaje["To"].addresses
    assert [d.display_name for d in destinatarios] == ["José Núñez", "José Núñez"]
    assert [d.addr_spec for d in destinatarios] == ["jose@example.mx", "pagos@example.mx"]
    assert mensaje["From"].addresses[0].addr_spec == "recordar@localhost"
    assert mensaje["Subject"] == CORREO.asunto
    assert mensaje["Message-ID"] == f"<{huella(CORREO.clave)[:32]}@localhost>"
    assert mensaje["Date"].datetime is not None
    assert mensaje.get_body(("plain",)).get_content() == CORREO.cuerpo
    assert mensaje.get_body(("html",)).get_content().strip() == CORREO.html
    assert mensaje.get_content_type() == "multipart/alternative"


def test_correo_sin_html_y_con_remitente(tmp_path):
    ajustes = {"carpeta": str(tmp_path), "remitente": "Cobranza Año <cobranza@empresa.mx>"}
    canal = CanalArchivo("archivo", ajustes)
    mensaje = leer_eml(
        tmp_path / canal.enviar(Envio("k", "email", "Ana", "ana@x.mx", "Hola", "Texto"))
    )
    assert mensaje.get_content_type() == "text/plain"
    assert mensaje["From"].addresses[0].display_name == "Cobranza Año"
    assert mensaje["Message-ID"].endswith("@empresa.mx>")


def test_datos_de_la_hoja_no_inyectan_cabeceras(tmp_path):
    canal = CanalArchivo("archivo", {"carpeta": str(tmp_path)})
    envio = Envio("k", "email", "Ana\r\nBcc: espia@x.mx", "ana@x.mx", "Aviso\nBcc: espia@x.mx", "x")
    mensaje = leer_eml(tmp_path / canal.enviar(envio))
    assert mensaje["Bcc"] is None
    assert mensaje["Subject"] == "Aviso Bcc: espia@x.mx"
    assert mensaje["To"].addresses[0].addr_spec == "ana@x.mx"


def test_destinatario_que_no_es_correo_es_permanente(tmp_path):
    canal = CanalArchivo("archivo", {"carpeta": str(tmp_path)})
    with pytest.raises(ErrorEnvio) as info:
        canal.enviar(Envio("k", "email", "Ana", "no es un correo", "Hola", "x"))
    assert not info.value.temporal


def test_sms_y_whatsapp_como_json(tmp_path):
    canal = CanalArchivo("archivo", {"carpeta": str(tmp_path)})
    nombre = canal.enviar(SMS)
    assert nombre == f"sms-{huella(SMS.clave)[:16]}.json"
    assert json.loads((tmp_path / nombre).read_text(encoding="utf-8")) == {
        "canal": "sms",
        "destinatario": "+525512345678",
        "cliente": "José Núñez",
        "cuerpo": SMS.cuerpo,
        "clave": SMS.clave,
        "paso": "aviso",
        "facturas": ["F-1", "F-2"],
    }
    whatsapp = Envio("k-w", "whatsapp", "Ana", "+34600111222", "", "Hola")
    assert canal.enviar(whatsapp).startswith("whatsapp-")


def test_la_misma_clave_sobrescribe_el_mismo_archivo(tmp_path):
    canal = CanalArchivo("archivo", {"carpeta": str(tmp_path)})
    primero = canal.enviar(SMS)
    segundo = canal.enviar(Envio(**{**_campos(SMS), "cuerpo": "Segunda versión"}))
    assert primero == segundo
    assert [p.name for p in tmp_path.iterdir()] == [primero]  # sin temporales olvidados
    assert (
        json.loads((tmp_path / primero).read_text(encoding="utf-8"))["cuerpo"] == "Segunda versión"
    )


def test_carpeta_relativa_al_directorio_actual_y_creada_si_falta(en_tmp):
    canal = CanalArchivo("archivo", {"carpeta": "salida/mensajes"})
    nombre = canal.enviar(SMS)
    assert (en_tmp / "salida" / "mensajes" / nombre).is_file()


def test_carpeta_que_es_un_archivo_es_error_de_canal(tmp_path):
    (tmp_path / "ocupado").write_text("x")
    canal = CanalArchivo("archivo", {"carpeta": str(tmp_path / "ocupado")})
    with pytest.raises(ErrorCanal, match=r"canales\.archivo\.carpeta: no se pudo crear"):
        canal.abrir()


@pytest.mark.parametrize(
    ("ajustes", "mensaje"),
    [
        ({}, r"canales\.archivo: falta carpeta"),
        (
            {"carpeta": "x", "remitente": "sin arroba"},
            r"canales\.archivo\.remitente: debe ser una dirección",
        ),
    ],
)
def test_ajustes_invalidos(ajustes, mensaje):
    with pytest.raises(ErrorCanal, match=mensaje):
        CanalArchivo("archivo", {"tipo": "archivo", **ajustes})


def _campos(envio: Envio) -> dict:
    return {nombre: getattr(envio, nombre) for nombre in Envio.__slots__}
