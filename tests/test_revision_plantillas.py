"""La revisión de `recordar validar`: todas las plantillas que la política puede usar."""

from datetime import date
from pathlib import Path

import pytest

from recordar.mensajes.revision_plantillas import revisar_plantillas
from recordar.politica.politica import cargar_politica


@pytest.mark.parametrize("politica", [None, "ejemplos/politica.yaml"])
def test_las_plantillas_incluidas_pasan_la_revision(politica):
    raiz = Path(__file__).resolve().parents[1]
    cargada = cargar_politica(raiz / politica if politica else None)
    assert revisar_plantillas(cargada, date(2026, 11, 23)) == []


def test_revisar_no_exige_los_canales_que_el_paso_no_usa_pero_revisa_los_que_existen(tmp_path):
    (tmp_path / "politica.yaml").write_text(
        "pasos:\n  - {id: aviso, dias: 5, canales: [sms]}\npromesa_incumplida: {canales: [sms]}\n",
        encoding="utf-8",
    )
    (tmp_path / "plantillas").mkdir()
    (tmp_path / "plantillas" / "aviso.sms.j2").write_text("Hola {{ cliente }}", encoding="utf-8")
    politica = cargar_politica(tmp_path / "politica.yaml")
    assert revisar_plantillas(politica, date(2026, 11, 23)) == []
    # Un deudor sin teléfono lo recibiría por correo: si la plantilla existe, se revisa.
    correo = tmp_path / "plantillas" / "aviso.email.j2"
    correo.write_text("Hola {{ cliente }}", encoding="utf-8")
    assert revisar_plantillas(politica, date(2026, 11, 23)) == [
        f"{correo}: línea 1: una plantilla de email debe empezar con «Asunto: …»; añádela"
    ]
