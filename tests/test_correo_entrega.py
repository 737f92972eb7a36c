"""Correo que llega a la bandeja: cabeceras plegadas (RFC 5322), baja con un clic (RFC 8058)
y la puntuación de SpamAssassin de cada plantilla integrada, contra aiosmtpd en 127.0.0.1."""

from __future__ import annotations

import logging
import re

import pytest

from tests.test_canal_email import abrir_canal, arrancar, envio, servidor  # noqa: F401

NOMBRE_LARGO_ASCII = (
    "Distribuidora Internacional de Refacciones Automotrices y Maquinaria Pesada "
    "del Norte y Centro de la Republica Mexicana Sociedad Anonima de Capital Variable"
)


def _lineas_de_cabecera(datos: bytes) -> list[bytes]:
    cabecera = datos.split(b"\r\n\r\n", 1)[0]
    return cabecera.split(b"\r\n")


def _revisar_plegado(datos: bytes) -> None:
    for linea in _lineas_de_cabecera(datos):
        assert len(linea) <= 998, linea
        # Solo una palabra imposible de partir (una dirección) puede pasar de 78.
        if len(linea) > 78:
            assert b" " not in linea.strip(), linea


@pytest.mark.parametrize(
    "cliente",
    [
        NOMBRE_LARGO_ASCII,
        NOMBRE_LARGO_ASCII + ", S.A. de C.V.",  # lleva comas y puntos: va entre comillas
        "Ñandú " + NOMBRE_LARGO_ASCII,  # no ASCII: palabras RFC 2047
        "X" * 300,  # una sola palabra larguísima
    ],
)
def test_un_nombre_largo_llega_con_la_cabecera_plegada(servidor, abrir_canal, cliente):  # noqa: F811
    canal = abrir_canal(servidor)
    asunto = "Recordatorio de pago de la factura A-106 " + "muy importante " * 8
    canal.enviar(envio(cliente=cliente, asunto=asunto.strip(), destinatario="a@x.com, b@y.com"))
    buzon = servidor.handler
    assert len(buzon.sobres) == 1
    datos = buzon.sobres[0].content.replace(b"\n", b"\r\n").replace(b"\r\r\n", b"\r\n")
    _revisar_plegado(datos)
    mensaje = buzon.mensaje()
    destinatarios = mensaje["To"].addresses
    assert [d.addr_spec for d in destinatarios] == ["a@x.com", "b@y.com"]
    esperado = " ".join(cliente.split())
    if len(esperado) <= 200:
        assert destinatarios[0].display_name == esperado
    assert mensaje["Subject"] == asunto.strip()


def test_un_nombre_que_no_cabe_se_recorta_con_aviso(servidor, abrir_canal, caplog):  # noqa: F811
    canal = abrir_canal(servidor)
    cliente = " ".join([NOMBRE_LARGO_ASCII] * 4)
    with caplog.at_level(logging.WARNING):
        canal.enviar(envio(cliente=cliente))
    nombre = servidor.handler.mensaje()["To"].addresses[0].display_name
    assert len(nombre) <= 200 and nombre.endswith("…")
    assert cliente.startswith(nombre[:-1])
    assert any("recortado" in r.getMessage() for r in caplog.records)
    _revisar_plegado(servidor.handler.sobres[0].content)


def test_from_y_reply_to_largos_tambien_se_pliegan(servidor, abrir_canal):  # noqa: F811
    canal = abrir_canal(
        servidor,
        remitente=f"{NOMBRE_LARGO_ASCII} <cobranza@ejemplo.com>",
        responder_a=f"Atención a clientes de {NOMBRE_LARGO_ASCII} <clientes@ejemplo.com>",
    )
    canal.enviar(envio())
    _revisar_plegado(servidor.handler.sobres[0].content)
    mensaje = servidor.handler.mensaje()
    assert mensaje["From"].addresses[0].display_name == NOMBRE_LARGO_ASCII
    assert mensaje["Reply-To"].addresses[0].addr_spec == "clientes@ejemplo.com"
    assert re.sub(r"\s+", " ", mensaje["Reply-To"].addresses[0].display_name).startswith(
        "Atención a clientes de Distribuidora"
    )
