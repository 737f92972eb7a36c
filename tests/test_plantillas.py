import json
from decimal import Decimal

import pytest
from babel.numbers import format_currency
from hypothesis import given, settings
from hypothesis import strategies as st

from recordar.mensajes.formato import Formato
from recordar.mensajes.texto_sms import GSM7_BASICO, GSM7_EXTENSION, segmentos_sms


@settings(max_examples=400)
@given(
    st.decimals(
        min_value=-(10**10), max_value=10**10, places=3, allow_nan=False, allow_infinity=False
    ),
    st.sampled_from(["es_MX", "es_ES", "es_CO", "es_AR", "es_CL", "en_US"]),
    st.sampled_from(["MXN", "EUR", "USD", "COP", "CLP", "JPY"]),
)
def test_dinero_rapido_da_lo_mismo_que_babel(valor, idioma, moneda):
    assert Formato(idioma, "MXN").dinero(Decimal(valor), moneda) == format_currency(
        Decimal(valor), moneda, locale=idioma
    )


def test_dinero_recordado_no_confunde_importes_iguales_que_se_escriben_distinto():
    formato = Formato("es_CL", "MXN")
    # 0 == -0 y 1.5 == 1.50 == 1.500 como claves; cada uno debe salir como lo escribe babel.
    valores = ["0", "-0", "0", "1.5", "1.50", "1.500", "-1.5", "2", "2.00", "-0.00", "0.001"]
    for texto in valores + valores[::-1]:
        for moneda in ("MXN", "CLP", "EUR"):
            esperado = format_currency(Decimal(texto), moneda, locale="es_CL")
            assert formato.dinero(Decimal(texto), moneda) == esperado, (texto, moneda)


def test_dinero_en_el_idioma_de_la_politica():
    assert Formato("es_ES", "EUR").dinero(Decimal("1234.56")) == "1.234,56\xa0€"
    assert Formato("es_MX", "MXN").dinero(Decimal("1234.56")) == "$1,234.56"
    assert (
        Formato("es_MX", "MXN").fecha(__import__("datetime").date(2026, 3, 15))
        == "15 de marzo de 2026"
    )


@given(
    st.text(
        alphabet=st.sampled_from(
            sorted("".join(GSM7_BASICO) + "".join(GSM7_EXTENSION) + "áíóúÁ€😀\u00a0")
        ),
        max_size=400,
    )
)
def test_segmentos_sms_cuenta_como_la_definicion(texto):
    if all(c in GSM7_BASICO or c in GSM7_EXTENSION for c in texto):
        unidades = sum(2 if c in GSM7_EXTENSION else 1 for c in texto)
        simple, partido, codificacion = 160, 153, "GSM-7"
    else:
        unidades = len(texto.encode("utf-16-le")) // 2
        simple, partido, codificacion = 70, 67, "UCS-2"
    segmentos = (1 if unidades else 0) if unidades <= simple else -(-unidades // partido)
    assert segmentos_sms(texto) == (unidades, segmentos, codificacion)


def test_map_por_atributo_da_lo_mismo_que_el_de_jinja():
    import jinja2
    from jinja2.sandbox import SandboxedEnvironment

    from recordar.mensajes.entorno import _map

    datos = {
        "facturas": [{"numero": "F-1", "n": {"x": 1}}, {"numero": "F-2", "n": {"x": 2}}],
        "vacia": [],
        "nada": None,
        "listas": [[1, 2], [3, 4]],
    }
    pruebas = [
        "{{ facturas|map(attribute='numero')|join(', ') }}",
        "{{ facturas|map(attribute='n.x')|sum }}",
        "{{ listas|map(attribute='1')|list }}",
        "{{ facturas|map(attribute='falta', default='?')|list }}",
        "{{ facturas|map(attribute='falta')|list }}",
        "{{ vacia|map(attribute='numero')|list }}{{ nada|map(attribute='numero')|list }}",
        "{{ facturas|map('length')|list }}",
        "{{ facturas|map(attribute='items')|list|length }}",
    ]
    for texto in pruebas:
        original = SandboxedEnvironment(undefined=jinja2.StrictUndefined)
        rapido = SandboxedEnvironment(undefined=jinja2.StrictUndefined)
        rapido.filters["map"] = _map
        salidas = []
        for entorno in (original, rapido):
            try:
                salidas.append(entorno.from_string(texto).render(datos))
            except jinja2.TemplateError as exc:
                salidas.append(f"{type(exc).__name__}: {exc}")
        assert salidas[0] == salidas[1], texto


def test_segmentos_sms():
    assert segmentos_sms("a" * 160) == (160, 1, "GSM-7")
    assert segmentos_sms("a" * 161) == (161, 2, "GSM-7")
    assert segmentos_sms("€" * 80) == (160, 1, "GSM-7")  # el euro cuenta doble
    assert segmentos_sms("á" * 70) == (70, 1, "UCS-2")
    assert segmentos_sms("ú" + "a" * 70) == (71, 2, "UCS-2")
    assert segmentos_sms("ñ" * 160) == (160, 1, "GSM-7")  # ñ está en GSM-7


def _plan_de_prueba(n=40):
    from datetime import date, timedelta

    from recordar.cartera.carga import Contacto, Factura
    from recordar.plan import planificar
    from recordar.politica.politica import cargar_politica

    hoy = date(2026, 11, 23)
    politica = cargar_politica(None)
    facturas = [
        Factura(
            i + 2,
            f"F-{i}",
            f"Cliente {i}",
            f"c{i}",
            Decimal(100 + i),
            hoy - timedelta(days=i % 50),
            "MXN",
        )
        for i in range(n)
    ]
    contactos = {
        f"c{i}": Contacto(correos=[f"c{i}@ejemplo.com"], telefonos=["+525512345678"])
        for i in range(n)
    }
    return politica, planificar(facturas, contactos, politica, hoy)


def _textos(plan):
    return [(m.asunto, m.cuerpo, m.html, m.parametros) for m in plan.mensajes]


def test_generar_en_dos_procesos_da_lo_mismo_que_en_uno(monkeypatch):
    from recordar.mensajes import renderizado
    from recordar.mensajes.plantillas import Plantillas
    from recordar.mensajes.renderizado import renderizar_plan

    monkeypatch.setattr(renderizado, "TAMANO_TRAMO", 7)
    politica, uno = _plan_de_prueba()
    renderizar_plan(uno, Plantillas(politica), procesos=1)
    _, dos = _plan_de_prueba()
    renderizar_plan(dos, Plantillas(politica), procesos=2)
    partes = lambda plan: [(m.asunto, m.cuerpo, m.html, m.parametros) for m in plan.mensajes]  # noqa: E731
    assert len(uno.mensajes) > 10
    assert partes(uno) == partes(dos)


def test_error_de_plantilla_al_generar_en_dos_procesos_llega_entero(tmp_path, monkeypatch):
    import pytest

    from recordar.mensajes import renderizado

    monkeypatch.setattr(renderizado, "TAMANO_TRAMO", 7)
    from recordar.errores import ErrorPlantilla
    from recordar.mensajes.plantillas import Plantillas
    from recordar.mensajes.renderizado import renderizar_plan

    politica, plan = _plan_de_prueba()
    for nombre in (
        "previo",
        "vencimiento",
        "recordatorio",
        "seguimiento",
        "aviso_formal",
        "aviso_final",
    ):
        for canal in ("email", "sms", "whatsapp"):
            cuerpo = "Asunto: x\n\n{{ cliente }}" if canal == "email" else "{{ cliente }}"
            if nombre == "recordatorio":
                cuerpo += "\n{{ no_existe }}"
            (tmp_path / f"{nombre}.{canal}.j2").write_text(cuerpo, encoding="utf-8")
    with pytest.raises(
        ErrorPlantilla,
        match=r"recordatorio\.(email|sms|whatsapp)\.j2: línea \d: la variable «no_existe» no existe",
    ):
        renderizar_plan(plan, Plantillas(politica, carpeta_propia=tmp_path), procesos=2)


def test_enlace_de_pago_con_marcadores_y_con_jinja(tmp_path):
    from dataclasses import replace

    from recordar.mensajes.plantillas import Plantillas

    politica, plan = _plan_de_prueba(8)
    mensaje = plan.mensajes[0]
    numero, cliente = mensaje.lineas[0].factura.numero, mensaje.cliente

    def enlace(texto):
        empresa = dict(politica.empresa, enlace_pago=texto)
        plantillas = Plantillas(replace(politica, empresa=empresa), carpeta_propia=tmp_path)
        return plantillas.contexto(mensaje, plan.fecha)["enlace_pago"]

    # Texto y marcadores simples (se arma sin Jinja2) y lo mismo escrito con Jinja2.
    simple = enlace("https://pagar.ejemplo/?f={{ factura }}&c={{cliente}}&t={{ total }}")
    assert simple == f"https://pagar.ejemplo/?f={numero}&c={cliente}&t={mensaje.total}"
    con_jinja = enlace(
        "https://pagar.ejemplo/?f={{ factura|string }}&c={{ cliente }}&t={{ total }}"
    )
    assert con_jinja == simple
    assert enlace("https://pagar.ejemplo/{{ factura|lower }}") == (
        f"https://pagar.ejemplo/{numero.lower()}"
    )
    assert enlace("https://pagar.ejemplo/fijo") == "https://pagar.ejemplo/fijo"


def _repartido(plan, politica, monkeypatch, tmp_path, traer_textos=True):
    """Genera en 2 procesos, en tramos de 7, con el hijo haciendo al menos un tramo.

    Devuelve [(pid que hizo el tramo, registros JSON del tramo)] en orden.
    """
    import os
    import time

    from recordar.informe.archivos import mensajes_a_json
    from recordar.mensajes import renderizado
    from recordar.mensajes.plantillas import Plantillas

    monkeypatch.setattr(renderizado, "TAMANO_TRAMO", 7)
    marca = tmp_path / "el_hijo_genero_un_tramo"

    def por_tramo(tramo):
        if os.getpid() != padre:
            marca.touch()
        return os.getpid(), mensajes_a_json(tramo)

    def mientras():  # el padre espera a que el hijo haya hecho al menos un tramo
        limite = time.monotonic() + 30
        while not marca.exists() and time.monotonic() < limite:
            time.sleep(0.01)

    padre = os.getpid()
    return renderizado.renderizar_plan(
        plan,
        Plantillas(politica),
        procesos=2,
        por_tramo=por_tramo,
        traer_textos=traer_textos,
        mientras=mientras,
    )


def test_por_tramo_se_calcula_donde_se_genera_cada_tramo(monkeypatch, tmp_path):
    import os

    from recordar.informe.archivos import mensaje_a_dict, mensajes_a_json
    from recordar.mensajes.plantillas import Plantillas
    from recordar.mensajes.renderizado import renderizar_plan

    politica, uno = _plan_de_prueba()
    en_uno = renderizar_plan(uno, Plantillas(politica), procesos=1, por_tramo=mensajes_a_json)
    _, dos = _plan_de_prueba()
    en_dos = _repartido(dos, politica, monkeypatch, tmp_path)
    assert len(en_uno) == 1 and len(en_dos) == -(-len(dos.mensajes) // 7) > 3
    # El primer tramo lo hace este proceso y alguno el otro; los registros salen en orden, y
    # son los mismos que el informe haría después.
    pids = [pid for pid, _ in en_dos]
    assert pids[0] == os.getpid() and set(pids) - {os.getpid()}
    assert b",\n".join(registros for _, registros in en_dos) == en_uno[0]
    assert json.loads(b"[" + en_uno[0] + b"]") == [
        json.loads(json.dumps(mensaje_a_dict(m), default=str)) for m in uno.mensajes
    ]
    # Con traer_textos (lo predeterminado), todos los mensajes tienen su texto aquí.
    assert _textos(dos) == _textos(uno)


def test_sin_traer_textos_solo_quedan_los_de_este_proceso(monkeypatch, tmp_path):
    import os

    from recordar.mensajes.plantillas import Plantillas
    from recordar.mensajes.renderizado import renderizar_plan

    politica, uno = _plan_de_prueba()
    renderizar_plan(uno, Plantillas(politica), procesos=1)
    _, dos = _plan_de_prueba()
    en_dos = _repartido(dos, politica, monkeypatch, tmp_path, traer_textos=False)
    for k, (pid, _) in enumerate(en_dos):
        tramo = slice(7 * k, 7 * (k + 1))
        if pid == os.getpid():
            assert _textos(dos)[tramo] == _textos(uno)[tramo]
        else:
            assert not any(m.cuerpo or m.asunto or m.parametros for m in dos.mensajes[tramo])


def test_si_el_otro_proceso_muere_este_genera_lo_que_falte(monkeypatch, tmp_path):
    import os
    import signal

    from recordar.mensajes import renderizado
    from recordar.mensajes.plantillas import Plantillas

    politica, uno = _plan_de_prueba()
    renderizado.renderizar_plan(uno, Plantillas(politica), procesos=1)
    _, dos = _plan_de_prueba()
    monkeypatch.setattr(renderizado, "TAMANO_TRAMO", 7)
    padre = os.getpid()

    def por_tramo(tramo):
        if os.getpid() != padre:
            os.kill(os.getpid(), signal.SIGKILL)  # el hijo muere a mitad de su primer tramo
        return len(tramo)

    hechos = renderizado.renderizar_plan(dos, Plantillas(politica), procesos=2, por_tramo=por_tramo)
    assert sum(hechos) == len(dos.mensajes)
    assert _textos(dos) == _textos(uno)


def test_una_plantilla_no_puede_modificar_los_datos_de_los_mensajes(tmp_path):
    import pytest

    from recordar.errores import ErrorPlantilla
    from recordar.mensajes.plantillas import Plantillas

    politica, plan = _plan_de_prueba(4)
    mensaje = plan.mensajes[0]
    plantilla = f"{mensaje.ocurrencia.paso.plantilla}.{mensaje.canal}.j2"
    (tmp_path / plantilla).write_text(
        "Asunto: x\n\n{{ facturas|map(attribute='numero')|join(', ') }}\n"
        "{{ empresa.get('nombre') }}\n{{ facturas.pop() }}",
        encoding="utf-8",
    )
    plantillas = Plantillas(politica, carpeta_propia=tmp_path)
    with pytest.raises(
        ErrorPlantilla,
        match=rf"{plantilla}: línea 5: no se permite usar «pop» de un list: .*corrige",
    ):
        plantillas.renderizar(mensaje, plan.fecha)
    # Leer sí se puede, y los datos siguen intactos para el mensaje del canal siguiente.
    assert len(plantillas.contexto(mensaje, plan.fecha)["facturas"]) == len(mensaje.lineas)


def _cache_vacia(monkeypatch):
    from recordar.mensajes import entorno

    for compiladas in entorno._COMPILADAS.values():
        monkeypatch.setattr(compiladas, "datos", {})
    return entorno._COMPILADAS


def test_las_plantillas_se_compilan_en_otro_proceso_mientras_tanto(monkeypatch):
    from recordar.mensajes.plantillas import Plantillas
    from recordar.mensajes.precompilacion import Precompilacion, nombres_de_la_politica

    compiladas = _cache_vacia(monkeypatch)
    politica, plan = _plan_de_prueba()
    precompilacion = Precompilacion(politica)
    # Lo compila el hijo: aquí no hay nada hasta recogerlo.
    assert not compiladas[False].datos and not compiladas[True].datos
    precompilacion.recoger()
    precompilacion.recoger()  # dos veces no hace daño
    nombres = nombres_de_la_politica(politica)
    assert len(compiladas[False].datos) == sum(not html for _, html in nombres)
    assert len(compiladas[True].datos) == sum(html for _, html in nombres)
    # Con lo precompilado, los mensajes son los mismos que compilando aquí.
    plantillas = Plantillas(politica)
    for m in plan.mensajes:
        plantillas.renderizar(m, plan.fecha)
    _cache_vacia(monkeypatch)
    _, otro = _plan_de_prueba()
    plantillas = Plantillas(politica)
    for m in otro.mensajes:
        plantillas.renderizar(m, otro.fecha)
    assert _textos(plan) == _textos(otro)


def test_una_plantilla_rota_se_informa_aunque_se_precompile(monkeypatch, tmp_path):
    import os
    from dataclasses import replace

    import pytest

    from recordar.errores import ErrorPlantilla
    from recordar.mensajes.plantillas import Plantillas
    from recordar.mensajes.precompilacion import Precompilacion

    compiladas = _cache_vacia(monkeypatch)
    politica, _ = _plan_de_prueba()
    (tmp_path / "plantillas").mkdir()
    (tmp_path / "plantillas" / "recordatorio.sms.j2").write_text(
        "{{ cliente }}\n{% if %}", encoding="utf-8"
    )
    politica = replace(politica, ruta=tmp_path / "politica.yaml")
    with Precompilacion(politica):
        pass
    assert compiladas[False].datos  # las demás sí
    with pytest.raises(ErrorPlantilla, match=r"recordatorio\.sms\.j2: línea 2: "):
        Plantillas(politica).exigir("recordatorio", "sms")
    # Si lo de dentro falla, el hijo se termina sin esperarlo.
    precompilacion = Precompilacion(politica)
    pid = precompilacion._hijo.pid
    with pytest.raises(RuntimeError), precompilacion:
        raise RuntimeError("la cartera no se pudo leer")
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, 0)


def _error_al_generar(tmp_path, texto, canal="sms"):
    """(ruta, error) al generar el primer mensaje de `canal` con `texto` como su plantilla."""
    import pytest

    from recordar.errores import ErrorPlantilla
    from recordar.mensajes.plantillas import Plantillas

    politica, plan = _plan_de_prueba(4)
    mensaje = next(m for m in plan.mensajes if m.canal == canal)
    ruta = tmp_path / f"{mensaje.ocurrencia.paso.plantilla}.{canal}.j2"
    ruta.write_text(texto, encoding="utf-8")
    with pytest.raises(ErrorPlantilla) as error:
        Plantillas(politica, carpeta_propia=tmp_path).renderizar(mensaje, plan.fecha)
    return ruta, str(error.value)


VARIABLES = (
    "canal, cliente, dias_vencido, empresa, enlace_pago, enlaces_pago, facturas, hoy, moneda, "
    "nombre_saludo, palabras, paso, saludo, total, "
    "total_a_pagar, total_compensacion, total_interes"
)
CAMPOS_FACTURA = (
    "compensacion, dias_vencido, enlace_pago, fila, interes, moneda, monto, numero, original, paso, "
    "total, vencimiento"
)


@pytest.mark.parametrize(
    ("texto", "linea", "motivo"),
    [
        (
            "Hola {{ cliente }}\n{{ nombre_cliente }}",
            2,
            "la variable «nombre_cliente» no existe (¿quisiste decir «cliente»?); "
            f"las disponibles son {VARIABLES} (al generar el mensaje para «Cliente 0»)",
        ),
        (
            "Hola\n{{ cliente }",
            2,
            "«}» inesperado: revisa que cada {{ cierre con }} y cada {% con %}",
        ),
        (
            "{% for f in facturas %}\n{{ f.numero }}\n",
            2,
            "falta cerrar el bloque {% for %} con {% endfor %}",
        ),
        (
            "{% for f in facturas %}{{ f.numero }}{% endif %}",
            1,
            "{% endif %} no va aquí: el bloque abierto es {% for %}; ciérralo antes con {% endfor %}",
        ),
        (
            "{{ total|moneda }}",
            1,
            "no existe el filtro «moneda»; los filtros son dinero, fecha, fecha_corta y los de "
            "Jinja2 (default, join, length, lower, replace, round, trim, upper…)",
        ),
        ("{{ total|dineros }}", 1, "no existe el filtro «dineros» (¿quisiste decir «dinero»?)"),
        (
            "{{ cliente|dinero }}",
            1,
            "el filtro «dinero» no puede formatear «Cliente 0» (no es un importe)",
        ),
        (
            "{% for f in facturas %}\n{{ f.folio }}{% endfor %}",
            2,
            f"la factura no tiene «folio»; tiene {CAMPOS_FACTURA} (al generar",
        ),
        (
            "{{ empresa.telefono }}",
            1,
            "«empresa» no tiene «telefono»; tiene contacto, datos_bancarios, enlace_pago, nombre; "
            "añádelo en «empresa:» de la política",
        ),
        (
            "{{ facturas[1].numero }}",
            1,
            "la lista tiene 1 elemento: no hay posición 1 (se cuenta desde 0)",
        ),
        (
            "{{ cliente + total }}",
            1,
            "no se puede sumar un texto y un importe: para unir textos usa «~» "
            "(p. ej. {{ cliente ~ ' ' ~ total|dinero }})",
        ),
        ("{{ 'abc }}", 1, "comilla ' sin cerrar: cada texto va entre dos comillas iguales"),
        ("{% endif %}", 1, "sobra {% endif %}: no hay ningún {% if %} abierto"),
        ("{{ cliente nombre }}", 1, "se esperaba «}}» y hay «nombre»"),
        # Lo que no se reconoce sale como lo dice Jinja2.
        (
            "{{ cliente|join(1, 2, 3, 4) }}",
            1,
            "sync_do_join() takes from 2 to 4 positional arguments but 6 were given",
        ),
    ],
)
def test_error_de_plantilla_en_espanol_con_archivo_y_linea(tmp_path, texto, linea, motivo):
    ruta, error = _error_al_generar(tmp_path, texto)
    assert f"{ruta}: línea {linea}: {motivo}" in error
    assert error.endswith("; corrige la plantilla")


def test_plantilla_incluida_que_no_existe_dice_donde_se_busca(tmp_path):
    from recordar.mensajes.plantillas import carpeta_integrada

    ruta, error = _error_al_generar(tmp_path, "Hola\n{% include 'pie.j2' %}")
    assert f"{ruta}: línea 2: no se encuentra la plantilla incluida «pie.j2» " in error
    assert f"(se busca en {tmp_path} y {carpeta_integrada()}); créala o corrige el nombre" in error


def test_error_en_una_plantilla_incluida_nombra_la_incluida(tmp_path):
    (tmp_path / "pie.j2").write_text("Gracias\n{{ cliente }\n", encoding="utf-8")
    _, error = _error_al_generar(tmp_path, "Hola\n{% include 'pie.j2' %}")
    assert f"{tmp_path / 'pie.j2'}: línea 2: «}}» inesperado" in error


@pytest.mark.parametrize(
    ("enlace", "motivo"),
    [
        (
            "https://pagar.ejemplo/{{ folio }}",
            "la variable «folio» no existe; las disponibles son cliente, factura, total",
        ),
        ("https://pagar.ejemplo/{{ factura }", "«}» inesperado: revisa que cada {{ cierre con }}"),
        ("https://pagar.ejemplo/{{ cliente|dinero }}", "el filtro «dinero» no puede formatear"),
    ],
)
def test_error_en_el_enlace_de_pago_en_espanol(tmp_path, enlace, motivo):
    from dataclasses import replace

    from recordar.errores import ErrorPlantilla
    from recordar.mensajes.plantillas import Plantillas

    politica, plan = _plan_de_prueba(4)
    politica = replace(politica, empresa=dict(politica.empresa, enlace_pago=enlace))
    with pytest.raises(ErrorPlantilla) as error:
        Plantillas(politica, carpeta_propia=tmp_path).renderizar(plan.mensajes[0], plan.fecha)
    assert f"(política predeterminada): empresa.enlace_pago: {motivo}" in str(error.value)


def _generar(tmp_path, datos: bytes, canal="sms"):
    """El primer mensaje de `canal` del plan de prueba generado con `datos` (bytes) como plantilla."""
    from dataclasses import replace

    from recordar.mensajes.plantillas import Plantillas

    politica, plan = _plan_de_prueba(4)
    politica = replace(politica, pie_baja="")  # solo el texto de la plantilla
    mensaje = next(m for m in plan.mensajes if m.canal == canal)
    ruta = tmp_path / f"{mensaje.ocurrencia.paso.plantilla}.{canal}.j2"
    ruta.write_bytes(datos)
    Plantillas(politica, carpeta_propia=tmp_path).renderizar(mensaje, plan.fecha)
    return ruta, mensaje


def test_plantilla_que_no_esta_en_utf8_dice_byte_y_linea(tmp_path):
    from recordar.errores import ErrorPlantilla

    # Lo que guarda el Bloc de notas antiguo (cp1252): «ó» es el byte 0xF3.
    datos = "Hola {{ cliente }}\nGracias por su atención\n".encode("cp1252")
    with pytest.raises(ErrorPlantilla) as error:
        _generar(tmp_path, datos)
    ruta = next(tmp_path.glob("*.sms.j2"))
    assert str(error.value) == (
        f"{ruta}: no está en UTF-8 (byte 0xF3 en la línea 2); guárdala como UTF-8"
    )


def test_plantilla_incluida_que_no_esta_en_utf8_la_nombra(tmp_path):
    from recordar.errores import ErrorPlantilla

    (tmp_path / "pie.j2").write_bytes("Atención a clientes\n".encode("latin-1"))
    with pytest.raises(ErrorPlantilla) as error:
        _generar(tmp_path, b"Hola {{ cliente }}\n{% include 'pie.j2' %}")
    assert str(error.value) == (
        f"{tmp_path / 'pie.j2'}: no está en UTF-8 (byte 0xF3 en la línea 1); guárdala como UTF-8"
    )


def test_plantilla_con_bom_se_lee_sin_el(tmp_path):
    bom = b"\xef\xbb\xbf"
    _, sms = _generar(tmp_path, bom + b"Hola {{ cliente }}")
    assert sms.cuerpo == f"Hola {sms.cliente}"  # sin la marca, que obligaría a UCS-2
    _, correo = _generar(tmp_path, bom + b"Asunto: Aviso\n\nHola {{ cliente }}", "email")
    assert (correo.asunto, correo.cuerpo) == ("Aviso", f"Hola {correo.cliente}")


@pytest.mark.parametrize(
    "primera", ["Asunto: Aviso", "ASUNTO : Aviso", "asunto:Aviso", "  Asunto  :   Aviso  "]
)
def test_asunto_sin_distinguir_mayusculas_ni_espacios(tmp_path, primera):
    _, correo = _generar(tmp_path, f"{primera}\n\nHola {{{{ cliente }}}}".encode(), "email")
    assert (correo.asunto, correo.cuerpo) == ("Aviso", f"Hola {correo.cliente}")


@pytest.mark.parametrize("primera", ["Hola: Aviso", "Asuntos: Aviso", "Asunto Aviso"])
def test_sin_linea_de_asunto_es_un_error(tmp_path, primera):
    from recordar.errores import ErrorPlantilla

    with pytest.raises(ErrorPlantilla, match="debe empezar con «Asunto: …»; añádela"):
        _generar(tmp_path, f"{primera}\n\nHola".encode(), "email")


def test_un_valor_prohibido_usado_como_clave_se_explica_en_espanol(tmp_path):
    """`facturas[cliente.__class__]`: citar la clave prohibida lanzaba otro SecurityError y
    `enviar` acababa en «error inesperado» en inglés."""
    import pytest

    from recordar.errores import ErrorPlantilla
    from recordar.mensajes.plantillas import Plantillas

    politica, plan = _plan_de_prueba(4)
    mensaje = plan.mensajes[0]
    plantilla = f"{mensaje.ocurrencia.paso.plantilla}.{mensaje.canal}.j2"
    for expresion in ("facturas[cliente.__class__]", "cliente[cliente.__class__]",
                      "empresa[hoy.__class__]"):  # fmt: skip
        (tmp_path / plantilla).write_text(f"Asunto: x\n\n{{{{ {expresion} }}}}\n", "utf-8")
        plantillas = Plantillas(politica, carpeta_propia=tmp_path)
        with pytest.raises(ErrorPlantilla, match=rf"{plantilla}: línea 3: .*permit.*corrige"):
            plantillas.renderizar(mensaje, plan.fecha)


def test_el_limite_de_range_del_entorno_aislado_se_dice_en_espanol(tmp_path):
    import pytest

    from recordar.errores import ErrorPlantilla
    from recordar.mensajes.plantillas import Plantillas

    politica, plan = _plan_de_prueba(4)
    mensaje = plan.mensajes[0]
    plantilla = f"{mensaje.ocurrencia.paso.plantilla}.{mensaje.canal}.j2"
    (tmp_path / plantilla).write_text("Asunto: x\n\n{{ range(10**7)|list|length }}\n", "utf-8")
    plantillas = Plantillas(politica, carpeta_propia=tmp_path)
    with pytest.raises(
        ErrorPlantilla, match=r"línea 3: range\(\) demasiado grande: el máximo es 100 000"
    ):
        plantillas.renderizar(mensaje, plan.fecha)
