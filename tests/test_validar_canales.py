"""`validar` construye cada canal configurado como `enviar` (sin conectar ni enviar) y dice
todos sus problemas: antes decía «Todo correcto» y `enviar` los rechazaba después."""

from datetime import timedelta

from tests.conftest import HOY, escribir_xlsx

POLITICA = """\
empresa:
  nombre: Ferretería López
  contacto: cobranza@ferreterialopez.mx
pasos:
  - id: recordatorio
    dias: 1
    canales: [email, sms]
    plantilla: recordatorio
canales:
{canales}
"""
BIEN = """\
  archivo:
    tipo: archivo
    carpeta: salida
"""
MAL = """\
  correo:
    tipo: smtp
  email:
    tipo: smtp
    servidor: 127.0.0.1
    remitente: cobranza@ferreterialopez.mx
    contrasena_env: "Hunter2-secreta!"
  sms:
    tipo: http
    url: https://api.pasarela.ejemplo/v1/sms
    tipo_contenido: application/json
    cuerpo: '{{"to": {{{{ destinatario }}}}, "text": "{{{{ texto }}}}"}}'
"""


def _validar(en_tmp, correr, canales):
    (en_tmp / "politica.yaml").write_text(POLITICA.format(canales=canales), encoding="utf-8")
    escribir_xlsx(en_tmp / "cartera.xlsx", [
        ["Cliente", "Correo", "Teléfono", "Factura", "Vencimiento", "Importe"],
        ["Ana Pérez", "ana@ejemplo.com", "+525511111111", "F-1", HOY - timedelta(days=1), 100],
    ])  # fmt: skip
    return correr("validar", "cartera.xlsx", "--politica", "politica.yaml",
                  "--hoy", HOY.isoformat())  # fmt: skip


def test_validar_dice_todos_los_problemas_de_los_canales(en_tmp, correr):
    r = _validar(en_tmp, correr, MAL)
    texto = " ".join(r.output.split())
    assert r.exit_code == 1, r.output
    assert "Todo correcto" not in texto
    assert "error: canales.correo: nombre desconocido" in texto
    assert "canales.email.contrasena_env" in texto and "Hunter2" not in texto
    assert "canales.sms.cuerpo" in texto
    # Y enviar rechaza lo mismo que validar anunció.
    r = correr("enviar", "cartera.xlsx", "--politica", "politica.yaml", "--hoy", HOY.isoformat())
    assert r.exit_code == 2 and "canales.correo" in r.output


def test_canales_bien_configurados_no_cambian_nada(en_tmp, correr):
    r = _validar(en_tmp, correr, BIEN)
    assert r.exit_code == 0, r.output
    assert "Todo correcto" in r.output and "error:" not in r.output
    assert not (en_tmp / "salida").exists()  # construir el canal no crea su carpeta


def test_la_revision_es_una_biblioteca_que_devuelve_todo_sin_imprimir(en_tmp, capsys):
    from recordar.politica import cargar_politica
    from recordar.revision import revisar

    (en_tmp / "politica.yaml").write_text(POLITICA.format(canales=MAL), encoding="utf-8")
    escribir_xlsx(en_tmp / "cartera.xlsx", [
        ["Cliente", "Correo", "Teléfono", "Factura", "Vencimiento", "Importe"],
        ["Ana Pérez", "ana@ejemplo.com", "+525511111111", "F-1", HOY - timedelta(days=1), 100],
    ])  # fmt: skip
    revision = revisar(en_tmp / "cartera.xlsx", cargar_politica(en_tmp / "politica.yaml"), None,
                       HOY, None)  # fmt: skip
    assert revision.codigo_salida == 1
    assert len(revision.canales) == 3 and not revision.plantillas
    assert [m.cliente for m in revision.plan.mensajes] == ["Ana Pérez", "Ana Pérez"]
    assert capsys.readouterr().out == ""
