from decimal import Decimal

import pytest

from recordar.errores import ErrorPolitica
from recordar.politica import cargar_politica, texto_predeterminado


def test_predeterminada_y_ejemplo_son_validos():
    predeterminada = cargar_politica(None)
    assert predeterminada.ruta is None
    assert predeterminada.interes_moratorio.tasa_anual == Decimal("10")
    assert "pasos:" in texto_predeterminado() and "#" in texto_predeterminado()


def test_politica_del_directorio_actual(tmp_path, monkeypatch):
    (tmp_path / "politica.yaml").write_text(
        "idioma: es_ES\nmoneda: EUR\npasos:\n  - {id: a, dias: 0, plantilla: vencimiento}\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    politica = cargar_politica(None)
    assert (politica.idioma, politica.moneda, politica.ruta) == (
        "es_ES",
        "EUR",
        (tmp_path / "politica.yaml").resolve(),
    )


def test_todos_los_problemas_a_la_vez_con_su_ruta(tmp_path):
    ruta = tmp_path / "politica.yaml"
    ruta.write_text(
        """
idoma: es_MX
moneda: PESOS
zona_horaria: Marte/Olimpo
pasos:
  - id: a
    dias: 0
  - id: b
    dias: "cinco"
  - id: c
    dias: 3
    canales: [fax]
    repetir_cada: 0
interes_moratorio:
  tasa_anual: mucho
limites:
  min_dias_entre_mensajes: -1
""",
        encoding="utf-8",
    )
    with pytest.raises(ErrorPolitica) as info:
        cargar_politica(ruta)
    problemas = info.value.problemas
    texto = str(info.value)
    assert str(ruta) in texto
    esperados = [
        "idoma: clave desconocida (¿quisiste decir «idioma»?)",
        "moneda: «PESOS» no es un código ISO de moneda (MXN, EUR, USD…)",
        "zona_horaria: «Marte/Olimpo» no es una zona horaria",
        "pasos[1].dias: debe ser un número entero, no «cinco»",
        "pasos[2].canales[0]: «fax» no es un canal; usa email, sms o whatsapp",
        "pasos[2].repetir_cada: debe ser un número entero mayor que 0",
        "interes_moratorio.tasa_anual: debe ser un número, no «mucho»",
        "limites.min_dias_entre_mensajes: no puede ser negativo",
    ]
    for esperado in esperados:
        assert any(p.startswith(esperado) for p in problemas), (esperado, problemas)


def test_yaml_mal_formado_dice_la_linea(tmp_path):
    ruta = tmp_path / "p.yaml"
    ruta.write_text("pasos:\n  - id: a\n   dias: 0\n", encoding="utf-8")
    with pytest.raises(ErrorPolitica, match="línea 3"):
        cargar_politica(ruta)


def test_politica_inexistente(tmp_path):
    with pytest.raises(ErrorPolitica, match="el archivo no existe"):
        cargar_politica(tmp_path / "no.yaml")


def test_politica_que_es_una_carpeta(tmp_path):
    (tmp_path / "politica.yaml").write_text("pasos: [{id: a, dias: 0}]\n", encoding="utf-8")
    with pytest.raises(ErrorPolitica) as info:
        cargar_politica(tmp_path)
    assert info.value.problemas == [
        "es una carpeta, no un archivo; pasa el archivo de la política: "
        f"--politica {tmp_path / 'politica.yaml'}"
    ]
    vacia = tmp_path / "vacia"
    vacia.mkdir()
    with pytest.raises(ErrorPolitica) as info:
        cargar_politica(vacia)
    assert info.value.problemas == [
        "es una carpeta, no un archivo; pasa el archivo de la política (p. ej. politica.yaml)"
    ]


def test_politica_que_no_es_texto(tmp_path):
    libro = tmp_path / "cartera.xlsx"
    libro.write_bytes(b"PK\x03\x04\x14\x00\x00\x00binario\x00")
    with pytest.raises(ErrorPolitica) as info:
        cargar_politica(libro)
    assert info.value.problemas == [
        "no es un archivo de texto (¿es la hoja de cálculo?); pasa la política YAML con --politica"
    ]


def test_validar_con_una_carpeta_como_politica(en_tmp, correr):
    from tests.conftest import CABECERA, escribir_xlsx

    escribir_xlsx(
        en_tmp / "c.xlsx", [CABECERA, ["Ana", "ana@ejemplo.com", "", "F-1", "2026-12-01", 1]]
    )
    (en_tmp / "cobranza").mkdir()
    r = correr("validar", "c.xlsx", "-p", "cobranza")
    assert r.exit_code == 2
    assert "cobranza: 1 problema en la política" in r.output
    assert "es una carpeta, no un archivo" in r.output
    assert "no existe" not in r.output
