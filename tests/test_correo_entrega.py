"""Correo que llega a la bandeja: cabeceras plegadas (RFC 5322), baja con un clic (RFC 8058)
y la puntuación de SpamAssassin de cada plantilla integrada, contra aiosmtpd en 127.0.0.1."""

# ruff: noqa: F811  (los fixtures de aiosmtpd se importan de test_canal_email)
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


# --- baja con un clic (RFC 8058) ---------------------------------------------------------

SECRETO = "un-secreto-de-prueba-bastante-largo"


def _politica_smtp(puerto: int, extra: str = "") -> str:
    return f"""
empresa: {{nombre: "Ferretería López", contacto: "cobranza@ferreterialopez.mx · 55 1234 5678"}}
pasos:
  - {{id: recordatorio, dias: 1, canales: [email], plantilla: recordatorio}}
  - {{id: seguimiento, dias: 6, canales: [email], plantilla: seguimiento}}
canales:
  email:
    tipo: smtp
    servidor: 127.0.0.1
    puerto: {puerto}
    seguridad: ninguna
    remitente: "Ferretería López <avisos@ferreterialopez.mx>"
    timeout: 5
{extra}
"""


def _hoja(carpeta):
    from datetime import timedelta

    from tests.conftest import CABECERA, HOY, escribir_xlsx

    escribir_xlsx(
        carpeta / "cartera.xlsx",
        [CABECERA, ["Ana Ruiz", "Ana.Ruiz@Cliente.mx", "", "F-1", HOY - timedelta(days=1), 100]],
    )


def test_baja_con_un_clic_token_firmado_y_recordar_baja_token(
    servidor,
    en_tmp,
    correr,
    monkeypatch,  # noqa: F811
):
    from tests.conftest import HOY

    monkeypatch.setenv("RECORDAR_BAJA_SECRETO", SECRETO)
    extra = (
        '    baja: "https://ferreterialopez.mx/baja?t={token}"\n'
        "    baja_secreto_env: RECORDAR_BAJA_SECRETO\n"
    )
    (en_tmp / "politica.yaml").write_text(_politica_smtp(servidor.port, extra), encoding="utf-8")
    _hoja(en_tmp)
    r = correr("enviar", "cartera.xlsx", "--hoy", HOY.isoformat())
    assert r.exit_code == 0, r.output
    mensaje = servidor.handler.mensaje()
    assert mensaje["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    (url,) = re.findall(r"<([^>]+)>", str(mensaje["List-Unsubscribe"]))
    assert url.startswith("https://ferreterialopez.mx/baja?t=")
    token = url.split("t=", 1)[1]
    # Sin política, Reply-To sale del correo de empresa.contacto.
    assert mensaje["Reply-To"].addresses[0].addr_spec == "cobranza@ferreterialopez.mx"
    _revisar_plegado(servidor.handler.sobres[0].content)

    # Un token alterado no da de baja a nadie, y el secreto nunca se muestra.
    falso = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    r = correr("baja", "--token", falso)
    assert r.exit_code == 2 and "la firma no coincide" in r.output
    assert SECRETO not in r.output

    r = correr("baja", "--token", token)
    assert r.exit_code == 0, r.output
    assert "Baja registrada: Ana.Ruiz@cliente.mx" in r.output and SECRETO not in r.output

    # La siguiente ejecución ya no le escribe.
    from datetime import timedelta

    r = correr("enviar", "cartera.xlsx", "--hoy", (HOY + timedelta(days=5)).isoformat(),
               "--salida", "i.json")  # fmt: skip
    assert r.exit_code == 0, r.output
    assert len(servidor.handler.sobres) == 1
    from tests.conftest import leer_json

    (omitida,) = leer_json(en_tmp / "i.json")["omitidas"]
    assert omitida["motivo"].startswith("baja")


def test_baja_con_token_sin_secreto_se_explica(servidor, en_tmp, correr, monkeypatch):  # noqa: F811
    monkeypatch.delenv("RECORDAR_BAJA_SECRETO", raising=False)
    extra = '    baja: "https://ferreterialopez.mx/baja?t={token}"\n'
    (en_tmp / "politica.yaml").write_text(_politica_smtp(servidor.port, extra), encoding="utf-8")
    _hoja(en_tmp)
    r = correr("enviar", "cartera.xlsx", "--hoy", "2026-11-23")
    assert r.exit_code == 2
    assert "canales.email.baja_secreto_env: falta" in r.output
    r = correr("baja", "--token", "abc.def")
    assert r.exit_code == 2 and "ningún canal tiene baja_secreto_env" in r.output
    extra += "    baja_secreto_env: RECORDAR_BAJA_SECRETO\n"
    (en_tmp / "politica.yaml").write_text(_politica_smtp(servidor.port, extra), encoding="utf-8")
    monkeypatch.setenv("RECORDAR_BAJA_SECRETO", "corto")
    r = correr("enviar", "cartera.xlsx", "--hoy", "2026-11-23")
    assert r.exit_code == 2 and "al menos 16 caracteres" in r.output and "corto" not in r.output


def test_sin_baja_en_la_politica_se_ofrece_la_baja_por_correo_al_contacto(
    servidor,
    en_tmp,
    correr,  # noqa: F811
):
    (en_tmp / "politica.yaml").write_text(_politica_smtp(servidor.port), encoding="utf-8")
    _hoja(en_tmp)
    r = correr("enviar", "cartera.xlsx", "--hoy", "2026-11-23")
    assert r.exit_code == 0, r.output
    mensaje = servidor.handler.mensaje()
    assert str(mensaje["List-Unsubscribe"]) == "<mailto:cobranza@ferreterialopez.mx?subject=BAJA>"
    assert mensaje["List-Unsubscribe-Post"] is None  # un mailto no es baja con un clic
    assert mensaje["Reply-To"].addresses[0].addr_spec == "cobranza@ferreterialopez.mx"


# --- SpamAssassin: cada plantilla integrada, tal como llega al servidor --------------------

PASOS = {"previo": -3, "vencimiento": 0, "recordatorio": 1, "seguimiento": 6,
         "aviso_formal": 20, "aviso_final": 45}  # fmt: skip
# Reglas que dicen que falta o sobra algo en las cabeceras (no el contenido).
_RE_REGLA_DE_CABECERAS = re.compile(
    r"^(MISSING_\w+|\w*LIST_PARTIAL\w*|INVALID_DATE|INVALID_MSGID|MSGID_\w+|"
    r"HEADER_\w+|DATE_IN_\w+|FROM_EXCESS_BASE64|\w*_NO_TEXT|MIME_\w+|\w+_HDRS_\w+)$"
)


def _puntuar(mensajes: list[bytes], carpeta) -> list[tuple[float, list[str]]]:
    """Todas las puntuaciones de una sola llamada a `spamassassin -L -t --mbox` (arrancarlo
    cuesta unos 4 s; cada mensaje, medio segundo)."""
    import shutil
    import subprocess

    assert shutil.which("spamassassin"), (
        "falta spamassassin (paquete de Debian): apt-get install spamassassin; .ci/run lo instala"
    )
    buzon = carpeta / "mensajes.mbox"
    with buzon.open("wb") as f:
        for datos in mensajes:
            texto = datos.replace(b"\r\n", b"\n")
            texto = re.sub(rb"(?m)^(>*From )", rb">\1", texto)
            f.write(b"From recordar@localhost Sun Dec  6 10:00:00 2026\n" + texto + b"\n\n")
    salida = subprocess.run(
        ["spamassassin", "-L", "-t", "--mbox"],
        stdin=buzon.open("rb"), capture_output=True, timeout=300, check=False,
    ).stdout.decode("utf-8", "replace")  # fmt: skip
    resultados = []
    for estado in re.findall(r"^X-Spam-Status: (.*(?:\n[ \t].*)*)", salida, re.MULTILINE):
        estado = " ".join(estado.split())
        puntos = float(re.search(r"score=(-?[\d.]+)", estado).group(1))
        reglas = re.search(r"tests=(.*?)(?: autolearn=|$)", estado).group(1).replace(" ", "")
        resultados.append((puntos, [r for r in reglas.split(",") if r and r != "none"]))
    return resultados


def test_spamassassin_cada_plantilla_integrada_puntua_bajo_y_sin_faltar_cabeceras(
    servidor,
    en_tmp,
    correr,
    monkeypatch,
    abrir_canal,  # noqa: F811
):
    import time
    from datetime import timedelta

    from tests.conftest import HOY, escribir_xlsx

    monkeypatch.setenv("RECORDAR_BAJA_SECRETO", SECRETO)
    politica = _politica_smtp(
        servidor.port,
        '    responder_a: "Cobranza Ferretería López <cobranza@ferreterialopez.mx>"\n'
        '    baja: "<mailto:cobranza@ferreterialopez.mx?subject=BAJA>, '
        '<https://ferreterialopez.mx/baja?t={token}>"\n'
        "    baja_secreto_env: RECORDAR_BAJA_SECRETO\n",
    ).replace(
        "pasos:\n  - {id: recordatorio, dias: 1, canales: [email], plantilla: recordatorio}\n"
        "  - {id: seguimiento, dias: 6, canales: [email], plantilla: seguimiento}\n",
        "pasos:\n"
        + "".join(f"  - {{id: {p}, dias: {d}, canales: [email], plantilla: {p}}}\n"
                  for p, d in PASOS.items())
        + "promesa_incumplida: {canales: [email], plantilla: promesa_incumplida}\n",
    )  # fmt: skip
    politica = politica.replace(
        'contacto: "cobranza@ferreterialopez.mx · 55 1234 5678"}',
        'contacto: "cobranza@ferreterialopez.mx · 55 1234 5678", '
        'datos_bancarios: "BBVA, cuenta 0123 4567 8901", '
        'enlace_pago: "https://pagos.ferreterialopez.mx/?ref={{ factura }}"}',
    )
    (en_tmp / "politica.yaml").write_text(politica, encoding="utf-8")
    filas = [
        ["Cliente", "Correo", "Teléfono", "Factura", "Vencimiento", "Importe", "Promesa de pago"]
    ]
    for n, (paso, dias) in enumerate(PASOS.items()):
        filas.append([f"Cliente {paso.title()} S.A. de C.V.", f"c{n}@cliente{n}.mx", "",
                      f"A-{100 + n}", HOY - timedelta(days=dias), 1500 + n, None])  # fmt: skip
    filas.append(["Ana Ruiz", "ana@ruiz.mx", "", "A-200", HOY - timedelta(days=3), 980,
                  HOY - timedelta(days=1)])  # fmt: skip
    escribir_xlsx(en_tmp / "cartera.xlsx", filas)
    r = correr("enviar", "cartera.xlsx", "--hoy", HOY.isoformat())
    assert r.exit_code == 0, r.output
    sobres = servidor.handler.sobres
    asuntos = [servidor.handler.mensaje(i)["Subject"] for i in range(len(sobres))]
    assert len(sobres) == 7, asuntos  # una por plantilla integrada de correo
    assert all(servidor.handler.mensaje(i).is_multipart() for i in range(len(sobres)))
    # Y un mensaje corto de una plantilla propia, con baja: sin List-Id sería «lista a medias».
    canal = abrir_canal(servidor, baja="<mailto:baja@ferreterialopez.mx>")
    canal.enviar(
        envio(cuerpo="Su factura F-1 vence hoy.\n", html="<p>Su factura F-1 vence hoy.</p>")
    )
    asuntos.append("mensaje corto")

    inicio = time.perf_counter()
    resultados = _puntuar([s.content for s in sobres], en_tmp)
    segundos = time.perf_counter() - inicio
    print(f"spamassassin -L: {len(sobres)} mensajes en {segundos:.1f} s")
    assert len(resultados) == len(sobres)
    for asunto, (puntos, reglas) in zip(asuntos, resultados, strict=True):
        assert puntos <= 0.5, (asunto, puntos, reglas)
        de_cabeceras = [r for r in reglas if _RE_REGLA_DE_CABECERAS.match(r)]
        assert not de_cabeceras, (asunto, de_cabeceras)


def test_sin_secreto_no_se_ofrece_una_baja_con_token_que_no_identifica_a_nadie():
    from recordar.canales.correo import Redactor

    redactor = Redactor(("Ferretería", "avisos@ferreteria.mx"), baja="<https://f.mx/b?t={token}>")
    datos = redactor.redactar(envio()).datos
    assert b"List-Unsubscribe" not in datos and b"{token}" not in datos
    con = Redactor(("Ferretería", "avisos@ferreteria.mx"), baja="<https://f.mx/b?t={token}>",
                   secreto_baja=SECRETO)  # fmt: skip
    assert b"List-Unsubscribe-Post: List-Unsubscribe=One-Click" in con.redactar(envio()).datos
