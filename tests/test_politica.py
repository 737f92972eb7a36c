from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from recordar.errores import ErrorPolitica
from recordar.politica.politica import cargar_politica, texto_predeterminado


def test_predeterminada_y_ejemplo_son_validos():
    predeterminada = cargar_politica(None)
    assert predeterminada.ruta is None
    # cumplimiento: MX sin interes_moratorio propio: el 6 % legal (Código de Comercio, art. 362).
    assert predeterminada.interes_moratorio.tasa_anual == Decimal("6")
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


@pytest.mark.parametrize(
    ("texto", "esperado"),
    [
        (
            "empresa:\n  contacto: Cobranza: 33 3615 0000\n",
            "línea 2, columna 21: hay dos puntos «:» dentro de un valor; pon el valor entre "
            'comillas: contacto: "Cobranza: 33 3615 0000"',
        ),
        (
            'empresa:\n  - contacto: Tel: "33" 3615  # fijo\n',
            "línea 2, columna 18: hay dos puntos «:» dentro de un valor; pon el valor entre "
            "comillas: contacto: 'Tel: \"33\" 3615'",
        ),
        (
            "empresa:\n\tnombre: x\n",
            "línea 2, columna 1: hay un tabulador; usa espacios para sangrar",
        ),
        (
            "empresa:\n  nombre: x\n    contacto: y\n",
            "línea 3, columna 13: la sangría no cuadra con la de las líneas de arriba: esta línea "
            "tiene más espacios que la clave anterior",
        ),
        (
            "empresa\nmoneda: MXN\n",
            "línea 1: a «empresa» le faltan los dos puntos «:» (clave: valor)",
        ),
        (
            "empresa:\n  nombre: x\n  contacto\n",
            "línea 3, columna 3: a «contacto» le faltan los dos puntos «:» (clave: valor), o la "
            "sangría no cuadra con la de las líneas de arriba",
        ),
        (
            "empresa:\n  nombre: x\n  - contacto\n",
            "línea 3, columna 3: hay un elemento de lista («-») entre las claves de un mapa; quita "
            "el «-» o revisa la sangría",
        ),
        (
            "pasos:\n  - id: a\n  dias: 0\n",
            "línea 3, columna 3: la sangría no cuadra con la de las líneas de arriba: esta clave "
            "está a la altura de los «-» de la lista; alinéala con las claves de su elemento "
            "(después del «- »)",
        ),
        (
            "empresa:\n    nombre: x\n  contacto: y\n",
            "línea 3, columna 3: la sangría no cuadra con la de las líneas de arriba; las claves "
            "de un mismo mapa van alineadas",
        ),
        (
            "pasos:\n  - id: a\n    dias: 0\n - id: b\n",
            "línea 4, columna 2: la sangría de este «-» no cuadra con la de las líneas de arriba; "
            "alinea los elementos de la lista",
        ),
        (
            'empresa:\n  nombre: "Ferretería\nmoneda: MXN\n',
            'línea 2, columna 11: estas comillas no se cierran; añade la comilla de cierre («"») '
            "al final del valor",
        ),
        (
            "empresa:\n  nombre: 'Ferretería\n",
            "línea 2, columna 11: estas comillas no se cierran; añade la comilla de cierre («'») "
            "al final del valor",
        ),
        (
            "empresa:\n  nombre: 'l'Hospitalet'\n",
            "línea 2, columna 14: hay texto después de cerrar las comillas; pon el valor entero "
            'entre comillas (si lleva comillas dentro, usa las del otro tipo: "l\'a")',
        ),
        (
            "pasos:\n  - {id: a, dias: 0\nmoneda: MXN\n",
            "línea 2, columna 5: esta llave «{» no se cierra; añade «}» al final",
        ),
        (
            "pasos:\n  - {id: a, dias: 0, canales: [email}\n",
            "línea 2, columna 31: este corchete «[» no se cierra; añade «]» al final de la lista",
        ),
        (
            "empresa: {nombre: x, contacto: Tel: 1}\n",
            "línea 1, columna 35: hay dos puntos «:» dentro de un valor entre llaves; pon el "
            "valor entre comillas",
        ),
        (
            'empresa:\n  nombre: "C:\\carpeta"\n',
            "línea 2, columna 15: dentro de comillas dobles «\\» empieza un código especial; usa "
            "comillas simples o escribe «\\\\»",
        ),
        (
            "empresa:\n  contacto: @ferreteria\n",
            "línea 2, columna 13: un valor no puede empezar con «@»; pon el valor entre "
            'comillas: contacto: "@ferreteria"',
        ),
        (
            "empresa:\n  nombre: *Ferretería*\n",
            "línea 2, columna 11: un valor no puede empezar con «*»; pon el valor entre "
            'comillas: nombre: "*Ferretería*"',
        ),
        (
            "empresa:\n  nombre: ] x\n",
            "línea 2, columna 11: un valor no puede empezar con «]»; pon el valor entre "
            'comillas: nombre: "] x"',
        ),
        (
            "moneda: MXN\n---\nmoneda: EUR\n",
            "línea 2, columna 1: hay una línea «---» que empieza otro documento; la política es "
            "uno solo: quítala",
        ),
        (
            "moneda: !!python/object:os.system x\n",
            "línea 1, columna 9: la etiqueta «!!python/object:os.system» no se admite; quítala o "
            "pon el valor entre comillas",
        ),
        (
            "pasos:\n  - {id: a, dias: 0, canales: [email, , sms]}\n",
            "línea 2, columna 39: sobra una coma, o falta un elemento entre dos comas",
        ),
        (
            "pie_baja: |Responda BAJA\n",
            "línea 1, columna 12: después de «|» o «>» el texto va en las líneas siguientes, con "
            "sangría; si no, pon el valor entre comillas",
        ),
        (
            "? [a, b]\n: 1\n",
            "línea 1, columna 3: una clave no puede ser una lista ni un mapa",
        ),
        (
            "empresa:\n  nombre: A\x07B\n",
            "línea 2, columna 12: hay un carácter de control (#x7) que no es texto; bórralo",
        ),
    ],
)
def test_yaml_mal_formado_en_espanol(tmp_path, texto, esperado):
    ruta = tmp_path / "politica.yaml"
    ruta.write_text(texto, encoding="utf-8")
    with pytest.raises(ErrorPolitica) as info:
        cargar_politica(ruta)
    assert info.value.problemas == [esperado]


def test_yaml_mal_formado_desconocido_deja_el_texto_original(tmp_path):
    ruta = tmp_path / "politica.yaml"
    ruta.write_text("moneda: MXN\n%TAG ! x\n", encoding="utf-8")
    with pytest.raises(ErrorPolitica) as info:
        cargar_politica(ruta)
    (problema,) = info.value.problemas
    assert problema.startswith("línea ")
    assert problema.endswith("(revisa sangrías, dos puntos y comillas)")


def test_el_ejemplo_con_dos_puntos_sin_comillas(en_tmp, correr):
    from tests.conftest import CABECERA, escribir_xlsx

    escribir_xlsx(
        en_tmp / "c.xlsx", [CABECERA, ["Ana", "ana@ejemplo.com", "", "F-1", "2026-12-01", 1]]
    )
    ejemplo = Path(__file__).parents[1] / "ejemplos" / "politica.yaml"
    texto = ejemplo.read_text(encoding="utf-8")
    original = (
        '"Cobranza: cobranza@ferreterialopez.ejemplo.mx · 33 3615 0000 (lun a sáb, 9 a 18 h)"'
    )
    assert original in texto
    (en_tmp / "p.yaml").write_text(
        texto.replace(original, "Cobranza: 33 3615 0000"), encoding="utf-8"
    )
    r = correr("validar", "c.xlsx", "-p", "p.yaml")
    assert r.exit_code == 2
    assert (
        "línea 8, columna 21: hay dos puntos «:» dentro de un valor; pon el valor entre comillas: "
        'contacto: "Cobranza: 33 3615 0000"'
    ) in r.output
    assert "mapping values" not in r.output


def test_claves_repetidas_junto_con_los_demas_problemas(tmp_path):
    ruta = tmp_path / "politica.yaml"
    ruta.write_text(
        "moneda: MXN\n"
        "pasos:\n"
        "  - {id: a, dias: 0, dias: 3}\n"
        "base: &base {tasa_anual: 5}\n"
        "interes_moratorio:\n"
        "  <<: *base\n"
        "  tasa_anual: 8\n"
        "moneda: EUR\n",
        encoding="utf-8",
    )
    with pytest.raises(ErrorPolitica) as info:
        cargar_politica(ruta)
    assert info.value.problemas == [
        "línea 3: «dias» está repetida (ya está en la línea 3); deja una sola",
        "línea 8: «moneda» está repetida (ya está en la línea 1); deja una sola",
        "base: clave desconocida",
    ]


def _politica(tmp_path, texto: str):
    ruta = tmp_path / "politica.yaml"
    ruta.write_text(
        texto + "\npasos:\n  - {id: a, dias: 0, plantilla: vencimiento}\n", encoding="utf-8"
    )
    return cargar_politica(ruta)


def _problemas(tmp_path, texto: str) -> list[str]:
    with pytest.raises(ErrorPolitica) as info:
        _politica(tmp_path, texto)
    return info.value.problemas


@pytest.mark.parametrize(
    ("horario", "desde", "hasta"),
    [
        ("{desde: 9, hasta: 19}", time(9), time(19)),
        ("{desde: 9:30, hasta: 18:45}", time(9, 30), time(18, 45)),
        ('{desde: "9:30", hasta: "19"}', time(9, 30), time(19)),
        ("{desde: 07:00, hasta: 0:15}", time(7), time(0, 15)),
        ('{desde: "08:00:00", hasta: "21:00"}', time(8), time(21)),
    ],
)
def test_horario_en_horas_enteras_o_sin_comillas(tmp_path, horario, desde, hasta):
    if hasta < desde:
        assert _problemas(tmp_path, f"horario: {horario}") == [
            "horario.hasta: debe ser posterior a horario.desde"
        ]
        return
    politica = _politica(tmp_path, f"horario: {horario}")
    assert (politica.calendario.horario.desde, politica.calendario.horario.hasta) == (desde, hasta)


def test_horario_9_a_19_deja_enviar_a_las_10(tmp_path):
    politica = _politica(tmp_path, "horario: {desde: 9, hasta: 19}")
    lunes_10 = datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("America/Mexico_City"))
    assert politica.calendario.motivo_fuera(lunes_10) is None
    assert "fuera de horario (09:00–19:00)" in politica.calendario.motivo_fuera(
        lunes_10.replace(hour=20)
    )


def test_horas_que_no_son_horas(tmp_path):
    problemas = _problemas(tmp_path, "horario: {desde: 25, hasta: 9.5}")
    assert problemas == [
        'horario.desde: «25» no es una hora; escríbela como "09:00" (de 00:00 a 23:59)',
        'horario.hasta: «9.5» no es una hora; escríbela como "09:00" (de 00:00 a 23:59)',
    ]
    assert _problemas(tmp_path, 'horario: {desde: yes, hasta: "24:00"}') == [
        'horario.desde: «True» no es una hora; escríbela como "09:00" (de 00:00 a 23:59)',
        'horario.hasta: «24:00» no es una hora; escríbela como "09:00" (de 00:00 a 23:59)',
    ]
    assert _problemas(tmp_path, "horario: {desde: }") == [
        'horario.desde: falta la hora; escríbela como "09:00"'
    ]


def test_sin_base_60_fuera_del_horario(tmp_path):
    # YAML 1.1 lee 1:30 sin comillas como 90; aquí es texto y se rechaza como número.
    problemas = _problemas(tmp_path, "limites: {min_dias_entre_mensajes: 1:30}")
    assert problemas == ["limites.min_dias_entre_mensajes: debe ser un número entero, no «1:30»"]


REGIONES_ES = (
    "AN, AR, AS, CB, CE, CL, CM, CN, CT, EX, GA, IB, MC, MD, ML, NC, PV, RI, VC, Barcelona"
)


@pytest.mark.parametrize(
    ("feriados", "esperado"),
    [
        (
            "ES-CAT",
            "feriados: «ES-CAT»: la región «CAT» no existe en ES (¿quisiste decir «CT»?); las "
            f"regiones son {REGIONES_ES}",
        ),
        (
            "MX-JAL",
            "feriados: «MX-JAL»: MX no tiene regiones en el calendario de feriados; usa "
            "feriados: MX",
        ),
        (
            "CO-ANT",
            "feriados: «CO-ANT»: CO no tiene regiones en el calendario de feriados; usa "
            "feriados: CO",
        ),
        ("XX", "feriados: «XX» no es un país conocido (MX, ES, CO, CL, US…)"),
        ("XX-YY", "feriados: «XX-YY»: «XX» no es un país conocido (MX, ES, CO, CL, US…)"),
        (
            "{pais: ES, region: CAT}",
            "feriados.region: la región «CAT» no existe en ES (¿quisiste decir «CT»?); las "
            f"regiones son {REGIONES_ES}",
        ),
        (
            "{pais: XX, region: CT}",
            "feriados.pais: «XX» no es un país conocido (MX, ES, CO, CL, US…)",
        ),
    ],
)
def test_feriados_region_que_no_existe(tmp_path, feriados, esperado):
    assert _problemas(tmp_path, f"feriados: {feriados}") == [esperado]


@pytest.mark.parametrize(
    "feriados", ["ES-CT", "es-ct", "{pais: ES, region: CT}", "{pais: es, region: Cataluña}"]
)
def test_feriados_region_por_codigo_o_nombre(tmp_path, feriados):
    calendario = _politica(tmp_path, f"feriados: {feriados}").calendario
    assert (calendario.pais, calendario.region) == ("ES", "CT")
    assert calendario.feriado(date(2026, 9, 11))  # Diada de Cataluña


@pytest.mark.parametrize(
    ("interes", "esperados"),
    [
        (
            "{tabla: 5}",
            [
                "interes_moratorio.tabla: debe ser una lista de periodos (- {desde: AAAA-MM-DD, tasa_anual: N})"
            ],
        ),
        (
            "{tabla: {desde: 2025-01-01, tasa_anual: 11}}",
            [
                "interes_moratorio.tabla: debe ser una lista de periodos (- {desde: AAAA-MM-DD, tasa_anual: N})"
            ],
        ),
        (
            "{tabla: [{desde: 2025-01-01, tasa: 11}, {desde: , tasa_anual: 3}]}",
            [
                "interes_moratorio.tabla[0].tasa: clave desconocida (usa desde, tasa_anual)",
                "interes_moratorio.tabla[0]: debe tener desde (AAAA-MM-DD) y tasa_anual",
                "interes_moratorio.tabla[1].desde: «None» no es una fecha AAAA-MM-DD",
            ],
        ),
        (
            "{tasa_anual: .nan, compensacion: -.inf, tabla: [{desde: 2025-01-01, tasa_anual: .inf}]}",
            [
                "interes_moratorio.tabla[0].tasa_anual: debe ser un número, no «inf»",
                "interes_moratorio.tasa_anual: debe ser un número, no «nan»",
                "interes_moratorio.compensacion: debe ser un número, no «-inf»",
            ],
        ),
        (
            "{tasa_anual: 5000, compensacion: [40], desde_dias: -1}",
            [
                "interes_moratorio.desde_dias: no puede ser negativo",
                "interes_moratorio.tasa_anual: no puede pasar de 1000 (% anual)",
                "interes_moratorio.compensacion: debe ser un número, no «[40]»",
            ],
        ),
        (
            "{tasa_anual: yes, desde_dias: 1e9}",
            [
                "interes_moratorio.desde_dias: debe ser un número entero, no «1e9»",
                "interes_moratorio.tasa_anual: debe ser un número, no «True»",
            ],
        ),
    ],
)
def test_interes_moratorio_mal_escrito(tmp_path, interes, esperados):
    assert _problemas(tmp_path, f"interes_moratorio: {interes}") == esperados


def test_interes_moratorio_tabla_con_fecha_y_hora(tmp_path):
    politica = _politica(
        tmp_path,
        "interes_moratorio:\n  tasa_anual: 8\n  tabla:\n"
        "    - {desde: 2025-01-01 00:00:00, tasa_anual: 11.15}\n"
        '    - {desde: "2025-07-01 10:00", tasa_anual: 10.15}\n',
    )
    interes = politica.interes_moratorio
    assert interes.tasa_para(date(2024, 12, 31)) == Decimal("8")
    assert interes.tasa_para(date(2025, 3, 1)) == Decimal("11.15")
    assert interes.tasa_para(date(2025, 7, 1)) == Decimal("10.15")


def test_numeros_de_dias_fuera_de_rango(tmp_path):
    ruta = tmp_path / "politica.yaml"
    ruta.write_text(
        """
pasos:
  - {id: a, dias: 99999999999, plantilla: vencimiento}
  - {id: b, dias: -4000, plantilla: vencimiento}
  - {id: c, dias: 3, repetir_cada: -2, hasta: 10, plantilla: vencimiento}
  - {id: d, dias: 3, repetir_cada: 5, hasta: 5000, plantilla: vencimiento}
  - {id: e, dias: yes, plantilla: vencimiento}
limites: {min_dias_entre_mensajes: 10000, max_por_semana: 0, max_por_mes: 100000}
cadencia_adaptativa: {min_intervalo: 2, max_intervalo: 9999, maximo: 3}
""",
        encoding="utf-8",
    )
    with pytest.raises(ErrorPolitica) as info:
        cargar_politica(ruta)
    assert info.value.problemas == [
        "pasos[0].dias: no puede pasar de 3650",
        "pasos[1].dias: debe ser -3650 o más",
        "pasos[2].repetir_cada: debe ser un número entero mayor que 0",
        "pasos[3].hasta: no puede pasar de 3650",
        "pasos[4].dias: debe ser un número entero, no «True»",
        "limites.min_dias_entre_mensajes: no puede pasar de 3650",
        "limites.max_por_semana: debe ser un número entero mayor que 0",
        "cadencia_adaptativa.maximo: clave desconocida (usa min_intervalo, max_intervalo)",
        "cadencia_adaptativa.max_intervalo: no puede pasar de 3650",
    ]


SI_NO = (
    "sin comillas, yes/no/on/off/true/false se leen como sí o no: escribe el texto entre comillas"
)


def test_tipos_equivocados_en_textos_y_mapas(tmp_path):
    ruta = tmp_path / "politica.yaml"
    ruta.write_text(
        """
empresa:
  nombre: [Ferretería López]
  contacto: {tel: 33 3615 0000}
  enlace_pago: yes
  datos_bancarios: 12345678
  logo: {ancho: 120}
region_telefono: NO
columnas: {monto: true, cliente: 2024}
pasos:
  - {id: true, dias: 0, plantilla: vencimiento}
  - {id: b, dias: 1, plantilla: recordatorio}
  - {id: agencia, dias: 60, accion: tarea, descripcion: [llamar, escribir]}
canales: []
limites: {por_canal: {sms: {max_dia: 1}}}
pie_baja: no
promesa_incumplida: {plantilla: [x], canal: sms}
segmentos:
  - {nombre: [grandes], si: {monto: ">= 50000"}}
""",
        encoding="utf-8",
    )
    with pytest.raises(ErrorPolitica) as info:
        cargar_politica(ruta)
    assert info.value.problemas == [
        "empresa.nombre: debe ser un texto",
        "empresa.contacto: debe ser un texto",
        f"empresa.enlace_pago: debe ser un texto; {SI_NO}",
        f"region_telefono: debe ser un texto (p. ej. MX); {SI_NO}",
        "columnas.monto: debe ser el encabezado de una columna de tu hoja",
        "pasos[0].id: debe ser un texto (p. ej. id: recordatorio), no «True»",
        "pasos[2].descripcion: debe ser un texto",
        "limites.por_canal.sms.max_dia: clave desconocida (usa max_por_semana, max_por_mes)",
        "canales: debe ser un mapa de canal → ajustes (p. ej. email: {tipo: smtp})",
        "segmentos[0].nombre: debe ser un texto",
        f"pie_baja: debe ser un texto; {SI_NO}",
        "promesa_incumplida.canal: clave desconocida (usa canales, plantilla)",
        "promesa_incumplida.plantilla: debe ser el nombre de una plantilla (p. ej. "
        "promesa_incumplida)",
    ]


def test_vacios_y_falsos_que_no_son_mapas(tmp_path):
    problemas = _problemas(
        tmp_path, "empresa: []\nlimites: {por_canal: []}\npie_baja: [BAJA]\nfeatures: 1\n"
    )
    assert problemas == [
        "features: clave desconocida",
        "empresa: debe ser un mapa (nombre, contacto, enlace_pago)",
        "limites.por_canal: debe ser un mapa canal → {max_por_semana, max_por_mes}",
        "pie_baja: debe ser un texto",
    ]


def test_empresa_con_numeros_y_claves_propias(tmp_path):
    politica = _politica(
        tmp_path, "empresa: {nombre: Ferretería López, contacto: 3336150000, logo: {ancho: 120}}"
    )
    assert politica.empresa == {
        "nombre": "Ferretería López",
        "contacto": "3336150000",
        "enlace_pago": "",
        "logo": {"ancho": 120},
    }


def test_politica_vacia(tmp_path):
    ruta = tmp_path / "politica.yaml"
    ruta.write_text("# nada todavía\n", encoding="utf-8")
    with pytest.raises(ErrorPolitica) as info:
        cargar_politica(ruta)
    assert info.value.problemas == [
        "está vacía; escribe al menos los pasos (recordar iniciar crea una política comentada)"
    ]


@pytest.mark.parametrize(
    ("feriados", "esperados"),
    [
        (
            "no",
            [
                "feriados: sin comillas, yes/no se leen como sí o no; para no usar feriados quita "
                'la clave y para Noruega escribe "NO" entre comillas'
            ],
        ),
        (
            "{pais: MX, fechas: 2026-12-24, dias: [2026-12-31]}",
            [
                "feriados.dias: clave desconocida (usa pais, region, fechas)",
                "feriados.fechas: debe ser una lista de fechas (p. ej. [2026-12-24, 2026-12-31])",
            ],
        ),
        ("{region: CT}", ["feriados.region: falta feriados.pais (p. ej. pais: ES)"]),
        ("[2026-12-24, 31/12/2026]", ["feriados[1]: «31/12/2026» no es una fecha AAAA-MM-DD"]),
        (
            "{pais: MX, fechas: [2026-12-24, mañana]}",
            ["feriados.fechas[1]: «mañana» no es una fecha AAAA-MM-DD"],
        ),
        (
            "5",
            [
                "feriados: usa un código de país (MX, ES-MD…), una lista de fechas o "
                "{pais, region, fechas}"
            ],
        ),
    ],
)
def test_feriados_mal_escritos(tmp_path, feriados, esperados):
    assert _problemas(tmp_path, f"feriados: {feriados}") == esperados


def test_feriados_fecha_con_hora_cuenta_por_su_dia(tmp_path):
    calendario = _politica(tmp_path, "feriados: [2026-12-24 00:00:00, 2026-12-31]").calendario
    assert calendario.fechas == frozenset({date(2026, 12, 24), date(2026, 12, 31)})


def test_condiciones_de_segmento(tmp_path):
    problemas = _problemas(
        tmp_path,
        """
segmentos:
  - nombre: malos
    si:
      monto: ">= mucho"
      total: .nan
      dias_vencido: "<"
      tipo:
      zona: [norte, sur]
      moroso: no
  - nombre: buenos
    si: {monto: ">= 50,000", tipo: habitual, alta: 2024-01-01, pagos: 3, dias_tarde: "!= 0"}
""",
    )
    assert problemas == [
        'segmentos[0].si.monto: «>= mucho»: con >=, <=, > o < va un número (p. ej. ">= 50000")',
        "segmentos[0].si.total: «nan» no es un valor que se pueda comparar",
        'segmentos[0].si.dias_vencido: «<»: con >=, <=, > o < va un número (p. ej. ">= 50000")',
        "segmentos[0].si.tipo: falta la condición (p. ej. tipo: habitual)",
        "segmentos[0].si.zona: debe ser un valor o una comparación (p. ej. habitual o "
        '">= 50000"), no una lista ni un mapa',
        f"segmentos[0].si.moroso: {SI_NO}",
    ]


def test_condiciones_de_segmento_correctas(tmp_path):
    politica = _politica(
        tmp_path,
        'segmentos:\n  - {nombre: g, si: {monto: ">= 50,000", alta: 2024-01-01, pagos: 3}}',
    )
    assert politica.segmentos[0].condiciones == {
        "monto": ">= 50,000",
        "alta": "2024-01-01",
        "pagos": "3",
    }


def test_vacios_que_se_tomaban_por_valor_por_omision(tmp_path):
    problemas = _problemas(
        tmp_path,
        """
feriados: {pais: NO, region: [CT]}
promesa_incumplida: {plantilla: ""}
segmentos:
  - {nombre: g, si: {tipo: ""}}
""",
    )
    assert problemas == [
        "feriados.pais: sin comillas, yes/no se leen como sí o no; para Noruega escribe "
        '"NO" entre comillas',
        "feriados.region: debe ser un código de región (p. ej. CT)",
        "segmentos[0].si.tipo: falta la condición (p. ej. tipo: habitual)",
        "promesa_incumplida.plantilla: debe ser el nombre de una plantilla (p. ej. "
        "promesa_incumplida)",
    ]
    ruta = tmp_path / "otra.yaml"
    ruta.write_text(
        "pasos:\n  - {id: s, dias: 6, repetir_cada: , hasta: 26, plantilla: seguimiento}\n"
        "feriados: {pais: 34}\n",
        encoding="utf-8",
    )
    with pytest.raises(ErrorPolitica) as info:
        cargar_politica(ruta)
    assert info.value.problemas == [
        "pasos[0].hasta: solo tiene sentido junto con repetir_cada",
        "feriados.pais: debe ser un código de país (p. ej. ES)",
    ]


COMPLETA = """
empresa: {nombre: Ferretería López, contacto: "33 3615 0000", enlace_pago: "https://x/{{ factura }}"}
idioma: es_MX
moneda: MXN
zona_horaria: America/Mexico_City
region_telefono: MX
columnas: {monto: Importe}
pasos:
  - {id: previo, dias: -3, canales: [email], plantilla: previo}
  - {id: seguimiento, dias: 6, repetir_cada: 5, hasta: 26, canales: [email, sms], plantilla: seguimiento}
  - {id: agencia, dias: 60, accion: tarea, descripcion: Pasar a agencia}
interes_moratorio:
  tasa_anual: 18
  desde_dias: 30
  compensacion: 0
  tabla: [{desde: 2025-01-01, tasa_anual: 11.15}]
limites: {min_dias_entre_mensajes: 1, max_por_semana: 2, max_por_mes: 6, por_canal: {sms: {max_por_semana: 1}}}
canales: {email: {tipo: smtp}}
horario: {desde: "09:00", hasta: "19:00", dias: [lunes, viernes]}
feriados: {pais: ES, region: CT, fechas: [2026-12-24]}
pie_baja: Responda BAJA.
promesa_incumplida: {canales: [email], plantilla: promesa_incumplida}
segmentos:
  - {nombre: grandes, si: {monto: ">= 50000"}, canales: [email]}
  - {nombre: habituales, si: {tipo: habitual}, pasos: [{id: r, dias: 3, plantilla: recordatorio}]}
cadencia_adaptativa: {min_intervalo: 3, max_intervalo: 10}
"""
MALOS = [None, True, False, 0, -1, 10**12, 1.5, float("nan"), float("inf"), "", "x", "nan",
         [], ["x"], {}, {"a": 1}, date(2026, 1, 1), datetime(2026, 1, 1, 10, 0)]  # fmt: skip


def _rutas(valor, ruta=()):
    if ruta:
        yield ruta
    hijos = (
        valor.items()
        if isinstance(valor, dict)
        else enumerate(valor)
        if isinstance(valor, list)
        else ()
    )
    for clave, hijo in hijos:
        yield from _rutas(hijo, (*ruta, clave))


def test_ningun_valor_malo_es_un_error_inesperado():
    import copy

    from recordar.politica.lectura_yaml import leer_yaml
    from recordar.politica.validacion import validar_politica

    completa, _ = leer_yaml(COMPLETA)
    assert validar_politica(completa, None).segmentos
    for ruta in _rutas(completa):
        for malo in MALOS:
            datos = copy.deepcopy(completa)
            padre = datos
            for clave in ruta[:-1]:
                padre = padre[clave]
            padre[ruta[-1]] = malo
            try:
                validar_politica(datos, None)
            except ErrorPolitica as exc:
                raiz = ruta[0]
                assert all(p.startswith(raiz) for p in exc.problemas), (ruta, malo, exc.problemas)
