"""La ayuda y los errores de uso (lo que arma Click) hablan español, sin restos en inglés."""

import re

import pytest

ORDENES = ("enviar", "validar", "iniciar", "historial", "canales", "baja")

# Lo que Click y Typer escriben en inglés si no se traduce.
EN_INGLES = re.compile(
    r"Usage|Options|Arguments|Commands|Show this|Try '|Error:|Missing|No such|Possible|"
    r"Got unexpected|Did you mean|requires|does not take|Invalid value|default:|required|"
    r"<path>|<str>|<text>|<int>|\{[A-Z]"
)


def _sin_ingles(texto: str) -> None:
    restos = EN_INGLES.findall(texto)
    assert not restos, f"texto en inglés {restos} en:\n{texto}"


@pytest.mark.parametrize("orden", ORDENES)
def test_la_ayuda_de_cada_orden_no_tiene_ingles(correr, orden):
    r = correr(orden, "--help")
    assert r.exit_code == 0
    assert r.output.startswith(f"Uso: recordar {orden} [OPCIONES]")
    _sin_ingles(r.output)


def test_la_ayuda_general_no_tiene_ingles(correr):
    r = correr("--help")
    assert r.exit_code == 0
    _sin_ingles(r.output)


def test_los_argumentos_se_muestran_por_su_nombre(correr):
    r = correr("enviar", "--help")
    assert "Uso: recordar enviar [OPCIONES] CARTERA\n" in r.output
    assert re.search(r"^  CARTERA  Hoja de la cartera", r.output, re.MULTILINE)
    assert "-p, --politica RUTA" in r.output
    assert "--hoja NOMBRE" in r.output
    assert "-o, --salida RUTA" in r.output


@pytest.mark.parametrize(
    ("argumentos", "mensaje"),
    [
        (["enviar"], "error: falta el argumento CARTERA; usa «recordar enviar -h» para ver las opciones"),
        (["baja"], "error: falta el argumento EMAIL|TELEFONO; usa «recordar baja -h»"),
        (["enviar", "c.xlsx", "--salid", "x.json"],
         "error: no existe la opción --salid (¿quisiste decir --salida?); usa «recordar enviar -h»"),
        (["enviar", "c.xlsx", "--nada"], "error: no existe la opción --nada"),
        (["enviarr"], "error: no existe la orden 'enviarr' (¿quisiste decir 'enviar'?); usa «recordar -h»"),
        (["enviar", "mi", "cartera.xlsx"],
         "error: sobra «cartera.xlsx» (¿una ruta con espacios sin comillas?)"),
        (["enviar", "c.xlsx", "--hoy"], "error: la opción --hoy necesita un valor"),
        (["enviar", "c.xlsx", "--simulacro=si"], "error: la opción --simulacro no lleva valor"),
    ],
)  # fmt: skip
def test_errores_de_uso_en_una_frase_en_espanol(correr, argumentos, mensaje):
    r = correr(*argumentos)
    assert r.exit_code == 2
    assert mensaje in r.output
    _sin_ingles(r.output)
    assert "Traceback" not in r.output


def test_un_error_de_uso_muestra_la_linea_de_uso(correr):
    r = correr("enviar")
    assert r.output.startswith("Uso: recordar enviar [OPCIONES] CARTERA\n")


def test_fecha_mal_escrita_en_desde_nombra_desde(en_tmp, correr):
    r = correr("historial", "--desde", "ayer")
    assert r.exit_code == 2
    assert "--desde: «ayer» no es una fecha AAAA-MM-DD" in r.output
    assert "--hoy" not in r.output
