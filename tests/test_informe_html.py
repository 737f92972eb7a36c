"""El informe .html (informe/html.py) abierto en un navegador de verdad: Chromium sin pantalla
(tests/navegador.py).

Los informes salen de la CLI real (`recordar enviar … --simulacro --salida x.html`) sobre hojas
escritas en tmp_path. El ancho de teléfono se emula con Emulation.setDeviceMetricsOverride
(mobile, 390 px): `--window-size` no baja de 500 px en Chromium sin pantalla y, sin modo móvil,
la etiqueta viewport ni se mira.
"""

from __future__ import annotations

import base64
import json
import re
from datetime import timedelta
from pathlib import Path

import pytest

from recordar.informe.archivos import JsonHecho
from recordar.informe.formatos import escribir_informe
from tests.conftest import CABECERA, HOY, escribir_csv, escribir_xlsx
from tests.navegador import Navegador

EJEMPLOS = Path(__file__).resolve().parents[1] / "ejemplos"
TITULOS = [
    "Antigüedad del saldo (MXN)",
    "Vencido por paso de la política (MXN)",
    "Deudores con más vencido (MXN)",
]
LARGO = ("Distribuidora Internacional de Refacciones Automotrices y Maquinaria Pesada del "
         "Noroeste S.A.P.I. de C.V.")  # fmt: skip
CORREO_LARGO = ("departamento.de.cuentas.por.pagar.y.tesoreria.corporativa@"
                "distribuidora-internacional-de-refacciones.com.mx")  # fmt: skip
PEGADO = "FerreteríaYMaterialesParaLaConstrucciónElGranCastorDeLaSierraMadreOccidental"
HOSTILES = ["<script>document.title='pwned'</script>",
            "<img src=x onerror=\"document.title='pwned'\">"]  # fmt: skip


@pytest.fixture(scope="module")
def navegador(tmp_path_factory):
    chromium = Navegador(tmp_path_factory.mktemp("perfil_chromium"))
    yield chromium
    chromium.cerrar()


def _cartera_dificil(carpeta: Path) -> Path:
    """Nombres y correos larguísimos, una palabra sin espacios, un deudor con 40 facturas,
    clientes que son HTML, una fila rechazada y una pagada."""
    d = lambda n: HOY - timedelta(days=n)  # noqa: E731
    filas = [CABECERA + ["Estado"]]
    filas.append([LARGO, CORREO_LARGO, "55 1234 5678", "F-1", d(50), 125000.5, ""])
    filas.append([PEGADO, f"{PEGADO.lower()[:40]}@ejemplo.mx", "", "F-2", d(1), 980, ""])
    filas += [["Muchas Facturas S.A.", "muchas@ejemplo.mx", "33 3615 0000", f"M-{n:03d}",
               d(10 + n), 1500 + n, ""] for n in range(40)]  # fmt: skip
    filas.append([HOSTILES[0], "hostil@ejemplo.mx", "", "F-3", d(31), 700, ""])
    filas.append([HOSTILES[1], "hostil2@ejemplo.mx", "", "F-4", d(95), 300, ""])
    filas.append(["José Núñez", "jose@ejemplo.com", "55 8765 4321", "F-5", d(-10), 2000, ""])
    filas.append(["José Núñez", "jose@ejemplo.com", "", "F-6", d(5), 1234.5, "Pagada"])
    filas.append(["Fecha Mala", "mala@ejemplo.com", "", "F-7", "31/02/2026", 100, ""])
    filas.append(["Fecha Larga", "larga@ejemplo.com", "", "F-8", PEGADO, 100, ""])
    return escribir_xlsx(carpeta / "cartera.xlsx", filas)


def _informe(correr, carpeta: Path, cartera: Path, *opciones) -> Path:
    salida = carpeta / "informe.html"
    r = correr("enviar", cartera, "--simulacro", "--hoy", HOY.isoformat(), "--salida", salida,
               *opciones)  # fmt: skip
    assert r.exit_code == 0, r.output
    return salida


MEDIDAS = """JSON.stringify({
  ancho: document.documentElement.scrollWidth, ventana: window.innerWidth,
  h1: document.querySelector('h1').textContent,
  titulos: [...document.querySelectorAll('svg > title')].map(t => t.textContent),
  svg: document.querySelectorAll('svg').length,
  visibles: [...document.querySelectorAll('svg')].filter(s => s.getBoundingClientRect().width > 100).length,
  titulo: document.title, scripts: document.querySelectorAll('script').length,
  imgs: document.querySelectorAll('img').length,
  recursos: performance.getEntriesByType('resource').map(r => r.name),
  texto: document.body.innerText,
  cajas: [...document.querySelectorAll('.caja')].filter(c => c.scrollWidth > c.clientWidth).map(c => c.closest('section').id || c.closest('section').querySelector('h2').textContent),
})"""  # fmt: skip


@pytest.mark.parametrize("ancho,movil", [(1280, False), (390, True)], ids=["1280px", "390px"])
def test_el_informe_se_ve_entero_en_escritorio_y_en_telefono(
    en_tmp, correr, navegador, ancho, movil
):
    salida = _informe(correr, en_tmp, _cartera_dificil(en_tmp))
    m = json.loads(navegador.evaluar(navegador.abrir(salida, ancho, movil), MEDIDAS))
    assert m["h1"] == "Informe de cobranza · 23 de noviembre de 2026"
    assert m["titulos"] == TITULOS and m["svg"] == 3 and m["visibles"] == 3
    # Nada se sale de la pantalla: lo ancho (tablas) se desplaza dentro de su caja.
    assert m["ventana"] == ancho and m["ancho"] <= m["ventana"], m
    assert "rechazos" in m["cajas"]  # el valor sin espacios se desplaza dentro de su tabla
    # Sin red ni archivos aparte: ni una hoja de estilo, script, fuente o imagen que cargar.
    assert m["recursos"] == []
    # Los clientes que son HTML se ven como texto y no ejecutan nada.
    assert m["titulo"].startswith("recordar · informe") and m["scripts"] == 0 and m["imgs"] == 0
    assert all(h in m["texto"] for h in HOSTILES)
    assert LARGO in m["texto"] and PEGADO in m["texto"]


def test_el_plan_va_por_deudor_con_cada_mensaje_completo_en_un_details(en_tmp, correr, navegador):
    salida = _informe(correr, en_tmp, _cartera_dificil(en_tmp))
    sesion = navegador.abrir(salida, 1280, False)
    deudores = navegador.evaluar(sesion, """[...document.querySelectorAll('article.deudor')].map(a => ({
      cliente: a.querySelector('h3').textContent, saldo: a.querySelector('.saldo').textContent,
      meta: a.querySelector('.meta').textContent,
      mensajes: [...a.querySelectorAll('details')].map(d => ({
        resumen: d.querySelector('summary').textContent,
        extra: [...d.querySelectorAll('p.meta')].map(p => p.textContent).join(' '),
        cuerpo: d.querySelector('.cuerpo').textContent}))}))""")  # fmt: skip
    por_cliente = {d["cliente"]: d for d in deudores}
    assert len(por_cliente) == len(deudores)  # un bloque por deudor, no uno por canal
    muchas = por_cliente["Muchas Facturas S.A."]
    # 40 facturas de 1 500 + n, sumadas una vez aunque vayan por dos canales.
    assert muchas["saldo"] == "$60,780.00"
    assert "40 facturas: M-" in muchas["meta"] and "y 28 más" in muchas["meta"]
    assert "49 días de atraso" in muchas["meta"]
    canales = {m["resumen"].split(" a ")[0] for m in muchas["mensajes"]}
    assert canales == {"Correo", "SMS"}
    sms = next(m for m in muchas["mensajes"] if m["resumen"].startswith("SMS"))
    assert re.search(r"\d+ segmentos?, \d+ caracteres \(", sms["extra"]), sms
    correo = next(m for m in muchas["mensajes"] if m["resumen"].startswith("Correo"))
    assert "«" in correo["resumen"] and "Muchas Facturas" in correo["cuerpo"]
    assert por_cliente[LARGO]["saldo"] == "$125,000.50"
    assert CORREO_LARGO in por_cliente[LARGO]["mensajes"][0]["resumen"]
    texto = navegador.evaluar(sesion, "document.body.innerText")
    # Encabezados para personas, no las claves del JSON.
    assert "dias_vencido" not in texto and "facturas_en_mensajes" not in texto
    # Omitidas por motivo con sus nombres; rechazos con fila, columna, valor y motivo.
    omitidas = navegador.evaluar(
        sesion,
        """[...document.querySelectorAll('#omitidas details')]
      .map(d => d.querySelector('summary').textContent + ' | ' +
           [...d.querySelectorAll('tbody td:nth-child(3)')].map(t => t.textContent).join(', '))""",
    )
    assert any(o.startswith("pagada: 1 factura de 1 deudor | José Núñez") for o in omitidas)
    assert any(o.startswith("al corriente") and "José Núñez" in o for o in omitidas)
    rechazos = navegador.evaluar(
        sesion,
        """[...document.querySelectorAll('#rechazos tr')]
      .map(f => [...f.children].map(c => c.textContent))""",
    )
    assert rechazos[0] == ["Fila", "Columna", "Valor", "Motivo"]
    assert rechazos[1][:3] == ["48", "Vencimiento", "31/02/2026"]


def test_se_imprime_en_hojas_a4(en_tmp, correr, navegador):
    salida = _informe(correr, en_tmp, _cartera_dificil(en_tmp))
    sesion = navegador.abrir(salida, 1280, False)
    pdf = base64.b64decode(navegador.orden("Page.printToPDF", sesion,
                                           preferCSSPageSize=True)["data"])  # fmt: skip
    cajas = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)
    assert len(cajas) >= 2  # varias páginas
    # A4: 210 × 297 mm = 595,3 × 841,9 puntos.
    assert all(abs(float(a) - 595.3) < 1 and abs(float(b) - 841.9) < 1 for a, b in cajas), cajas
    # Y en papel nada se sale del ancho de la hoja.
    navegador.orden("Emulation.setEmulatedMedia", sesion, media="print")
    navegador.orden("Emulation.setDeviceMetricsOverride", sesion, width=680, height=960,
                    deviceScaleFactor=1, mobile=False)  # ~ 182 mm útiles a 96 ppp  # fmt: skip
    ancho = navegador.evaluar(sesion, "document.documentElement.scrollWidth")
    assert ancho <= 680


def _politica_es(carpeta: Path) -> Path:
    texto = (EJEMPLOS / "politica.yaml").read_text(encoding="utf-8")
    texto = texto.replace("idioma: es_MX", "idioma: es_ES").replace("moneda: MXN", "moneda: EUR")
    ruta = carpeta / "politica.yaml"
    ruta.write_text(texto, encoding="utf-8")
    return ruta


def test_importes_y_fechas_en_el_idioma_de_la_politica(en_tmp, correr, navegador):
    d = lambda n: HOY - timedelta(days=n)  # noqa: E731
    cartera = escribir_xlsx(en_tmp / "cartera.xlsx", [
        CABECERA,
        ["Talleres Martín S.L.", "martin@ejemplo.es", "", "F-1", d(31), 1234.5],
        ["Talleres Martín S.L.", "martin@ejemplo.es", "", "F-2", d(-20), 100],
    ])  # fmt: skip
    salida = _informe(correr, en_tmp, cartera, "--politica", _politica_es(en_tmp))
    sesion = navegador.abrir(salida, 1280, False)
    tarjetas = navegador.evaluar(sesion, """Object.fromEntries([...document.querySelectorAll(
      '.tarjeta')].map(t => [t.querySelector('h3').textContent, t.querySelector('.cifra').textContent]))""")  # fmt: skip
    assert tarjetas["Saldo total"] == "1.334,50\xa0€"
    assert tarjetas["Vencido"] == "1.234,50\xa0€"
    assert tarjetas["En mensajes hoy"] == "1.234,50\xa0€"
    assert tarjetas["Tareas abiertas"] == "0"
    titulos = navegador.evaluar(
        sesion, "[...document.querySelectorAll('svg > title')].map(t => t.textContent)"
    )
    assert titulos == [t.replace("MXN", "EUR") for t in TITULOS]
    assert (
        navegador.evaluar(sesion, "document.querySelector('article.deudor .saldo').textContent")
        == "1.234,50\xa0€"
    )


def test_cartera_grande_queda_acotada_y_lo_dice(en_tmp, correr, navegador):
    d = lambda n: HOY - timedelta(days=n)  # noqa: E731
    filas = [CABECERA + ["Estado"]]
    filas += [[f"Cliente {n:04d}", f"c{n}@ejemplo.mx", "", f"F-{n}", d(5), 100 + n, ""]
              for n in range(620)]  # fmt: skip
    filas += [[f"Pagó {n:03d}", f"p{n}@ejemplo.mx", "", f"P-{n}", d(5), 50, "Pagada"]
              for n in range(230)]  # fmt: skip
    filas += [[f"Malo {n:04d}", "m@ejemplo.mx", "", f"X-{n}", "no es fecha", 10, ""]
              for n in range(1005)]  # fmt: skip
    cartera = escribir_csv(en_tmp / "cartera.csv", filas)
    salida = _informe(correr, en_tmp, cartera)
    sesion = navegador.abrir(salida, 390, True)
    m = json.loads(navegador.evaluar(sesion, """JSON.stringify({
      completos: document.querySelectorAll('article.deudor').length,
      mensajes: document.querySelectorAll('article.deudor details').length,
      en_linea: [...document.querySelectorAll('table.lista tbody tr')].map(f => f.cells[0].textContent),
      rechazos: document.querySelectorAll('#rechazos tbody tr').length,
      pagadas: [...document.querySelectorAll('#omitidas details')].find(
        d => d.querySelector('summary').textContent.startsWith('pagada')).querySelectorAll('tbody tr').length,
      texto: document.body.textContent,
      ancho: document.documentElement.scrollWidth, ventana: window.innerWidth})"""))  # fmt: skip
    # Los primeros 500 deudores con sus mensajes completos; los otros 120, en una línea cada uno.
    assert m["completos"] == 500 and m["mensajes"] == 500
    assert m["en_linea"] == [f"Cliente {n:04d}" for n in range(500, 620)]
    assert "Los otros 120 deudores" in m["texto"]
    assert "sus mensajes completos están en el informe .json o .csv" in m["texto"]
    # Las tablas largas se cortan y dicen cuántas faltan y dónde están.
    assert m["rechazos"] == 1000
    assert "… y 5 más en el informe .json o .csv, que lo lleva todo" in m["texto"]
    assert m["pagadas"] == 200 and "… y 30 más con este motivo" in m["texto"]
    assert "Rechazos (1,005)" in m["texto"] and "Omitidas (230)" in m["texto"]
    assert m["ancho"] <= m["ventana"] == 390
    # En papel, la lista en una línea no sale (serían cientos de páginas) y una nota lo dice.
    navegador.orden("Emulation.setEmulatedMedia", sesion, media="print")
    visibles = navegador.evaluar(
        sesion,
        """['.en-linea', '.solo-papel'].map(
      c => getComputedStyle(document.querySelector(c)).display)""",
    )
    assert visibles == ["none", "block"]


def _datos_minimos(**extra) -> dict:
    """Lo que escribe quien usa la biblioteca con a_dict sin datos_de_ejecucion: sin cifras,
    ni idioma, ni moneda."""
    mensajes = [
        {"cliente": "Ana Ruiz", "facturas": ["F-1", "F-2"], "paso": "recordatorio",
         "canal": canal, "destinatario": destino, "dias_vencido": 3, "total": 1500.5,
         "moneda": "MXN", "asunto": "Su saldo", "cuerpo": "Hola Ana: debe $1,500.50.",
         "estado": "simulado"}
        for canal, destino in (("email", "ana@ejemplo.mx"), ("sms", "+525512345678"))
    ]  # fmt: skip
    return {
        "fecha": "2026-11-23", "simulacro": True, "resumen": {"filas": 2, "mensajes": 2},
        "mensajes": mensajes, "tareas": [], "omitidas": [], "rechazos": [], "avisos": [],
        **extra,
    }  # fmt: skip


def test_datos_sin_cifras_ni_idioma_dan_un_informe_sin_tarjetas_de_dinero(tmp_path):
    texto = escribir_informe(tmp_path / "i.html", _datos_minimos()).read_text(encoding="utf-8")
    assert "<svg" not in texto and "no trae las cifras de dinero" in texto
    assert "$1,500.50" in texto  # es_MX por omisión
    assert "1 segmento, 25 caracteres (GSM-7)" in texto  # calculado si el registro no lo trae
    assert "Plan de hoy: 2 mensajes a 1 deudor" in texto


def test_mensajes_ya_codificados_en_json_dan_la_misma_pagina(tmp_path):
    datos = _datos_minimos()
    codificados = _datos_minimos(idioma="es_ES", moneda="EUR")
    datos.update(idioma="es_ES", moneda="EUR")
    codificados["mensajes"] = [
        JsonHecho(",\n".join(json.dumps(m, ensure_ascii=False) for m in datos["mensajes"])
                  .encode())
    ]  # fmt: skip
    uno = escribir_informe(tmp_path / "a.html", datos).read_bytes()
    otro = escribir_informe(tmp_path / "b.html", codificados).read_bytes()
    assert uno == otro and "1.500,50\xa0MXN".encode() in uno


def test_las_graficas_escriben_los_nombres_tal_cual_y_sin_avisos(recwarn):
    from recordar.informe.graficas import barras

    svg = barras(["Pagos $5 y $10 S.A.", "Tacos 🌮 Doña Inés", "<b>Negritas</b>"], [3, 2, 1],
                 "Deudores", formato=lambda v: f"${v:,.2f}", horizontal=True)  # fmt: skip
    textos = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    # Con dos «$» matplotlib leía el nombre como fórmula (mathtext) y lo dibujaba con trazos.
    assert {"Pagos $5 y $10 S.A.", "Tacos 🌮 Doña Inés", "&lt;b&gt;Negritas&lt;/b&gt;"} <= set(
        textos
    )
    # Un emoji sin glifo en la fuente no deja avisos de matplotlib en la terminal.
    assert not [w for w in recwarn if "Glyph" in str(w.message)]


def test_un_envio_real_lista_pagos_detectados_e_inciertos(tmp_path):
    datos = _datos_minimos(simulacro=False)
    datos["pagos_detectados"] = [
        {"factura": "F-9", "cliente": "Beto Paz", "dias_tarde": 12, "ultimo_aviso": None,
         "pagada_en_hoja": False},
    ]  # fmt: skip
    datos["inciertos"] = [
        {"cliente": "Ana Ruiz", "facturas": ["F-1"], "paso": "recordatorio", "canal": "email",
         "destinatario": "ana@ejemplo.mx", "estado": "incierto", "detalle": "se cortó la conexión"},
    ]  # fmt: skip
    texto = escribir_informe(tmp_path / "i.html", datos).read_text(encoding="utf-8")
    assert "Simulacro" not in texto and "Enviado hoy: 2 mensajes a 1 deudor" in texto
    assert "<h2>Pagos detectados desde la hoja anterior (1)</h2>" in texto
    assert re.search(r"<td>F-9</td><td>Beto Paz</td><td>12</td><td>—</td><td>ya no está en la "
                     r"hoja</td>", texto)  # fmt: skip
    assert "<h2>Envíos inciertos (1)</h2>" in texto and "<td>Correo</td>" in texto
    assert "se cortó la conexión" in texto and "Reintentados" not in texto


def test_un_deudor_con_dos_monedas_es_un_solo_bloque_con_los_dos_saldos(tmp_path):
    datos = _datos_minimos()
    ana, ana_sms = datos["mensajes"]
    beto = dict(ana, cliente="Beto Paz", facturas=["B-1"], total=10)
    ana_usd = dict(ana, facturas=["U-1"], total=99.5, moneda="USD")
    datos["mensajes"] = [ana, ana_sms, beto, ana_usd]  # los de Ana, separados por Beto
    texto = escribir_informe(tmp_path / "i.html", datos).read_text(encoding="utf-8")
    bloques = re.findall(r'<article class="deudor">\s*<header><h3>([^<]*)</h3>'
                         r'<span class="saldo">([^<]*)</span>', texto)  # fmt: skip
    assert bloques == [("Ana Ruiz", "$1,500.50 + USD99.50"), ("Beto Paz", "$10.00")]
    assert "Plan de hoy: 4 mensajes a 2 deudores" in texto


def test_sin_nada_vencido_las_tres_graficas_siguen_y_lo_dicen(en_tmp, correr):
    cartera = escribir_xlsx(en_tmp / "cartera.xlsx", [
        CABECERA, ["Ana Ruiz", "ana@ejemplo.mx", "", "F-1", HOY + timedelta(days=20), 500],
    ])  # fmt: skip
    texto = _informe(correr, en_tmp, cartera).read_text(encoding="utf-8")
    assert re.findall(r"<svg[^>]*><title>([^<]*)</title>", texto) == TITULOS
    assert len(re.findall(r">Nada vencido</text>", texto)) == 2
    assert "Plan de hoy: 0 mensajes a 0 deudores" in texto and "Hoy no toca ningún mensaje" in texto


def test_un_idioma_desconocido_se_escribe_en_es_mx(tmp_path):
    datos = _datos_minimos(idioma="xx_YY", moneda="MXN")
    for m in datos["mensajes"]:
        m["facturas"] = "F-1"  # un texto, no una lista
    texto = escribir_informe(tmp_path / "i.html", datos).read_text(encoding="utf-8")
    assert "$1,500.50" in texto and "1 factura: F-1 ·" in texto
