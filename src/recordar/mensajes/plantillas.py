"""Plantillas Jinja2 en entorno aislado: búsqueda, filtros de dinero y fechas, segmentos SMS,
y su precompilación en otro proceso mientras se lee la cartera."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache, partial
from pathlib import Path
from typing import Any

import jinja2
from jinja2.sandbox import SandboxedEnvironment, modifies_known_mutable
from markupsafe import escape

from recordar.errores import ErrorPlantilla
from recordar.mensajes.errores_plantilla import (
    Indefinida,
    citar,
    linea_de_plantilla,
    motivo_en_espanol,
)
from recordar.mensajes.redaccion import (
    contacto_de,
    importe_original,
    palabras_de,
    saludo,
    sin_punto_doble,
)
from recordar.plan import Mensaje
from recordar.politica.politica import Politica

# Alfabeto GSM 03.38: básico y extensión (estos cuentan doble).
GSM7_BASICO = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = set("^{}\\[~]|€\f")
_GSM7 = frozenset(GSM7_BASICO | GSM7_EXTENSION)
_METODOS_DE_DICT = frozenset(dir(dict))
# Los métodos que modifican una lista, un dict, un set o una deque (los que el entorno
# inmutable de Jinja2 prohíbe); se miran aquí antes de preguntarle, que es más lento.
_MODIFICADORES = frozenset(
    [
        "append",
        "appendleft",
        "add",
        "clear",
        "difference_update",
        "discard",
        "extend",
        "extendleft",
        "insert",
        "intersection_update",
        "pop",
        "popitem",
        "popleft",
        "remove",
        "reverse",
        "rotate",
        "setdefault",
        "sort",
        "symmetric_difference_update",
        "update",
    ]
)


class _Entorno(SandboxedEnvironment):
    """El entorno aislado e inmutable (una plantilla no puede modificar listas ni dicts del
    contexto), con `f.numero` más rápido sobre los dict del contexto.

    Para un dict, Jinja2 prueba primero el atributo (que falla con una excepción salvo para
    los métodos de dict) y luego la clave; aquí se va directo a la clave cuando el nombre
    no es un método de dict. El resultado es el mismo.
    """

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) is dict and attribute not in _METODOS_DE_DICT:
            try:
                return obj[attribute]
            except KeyError:
                pass
        return super().getattr(obj, attribute)

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        if not super().is_safe_attribute(obj, attr, value):
            return False
        return attr not in _MODIFICADORES or not modifies_known_mutable(obj, attr)


def carpeta_integrada() -> Path:
    """Las plantillas que vienen con recordar (dentro del paquete o en el repositorio)."""
    # Este archivo está en recordar/mensajes/: las plantillas instaladas están en
    # recordar/plantillas (datos del paquete); en el repositorio, en plantillas/ junto a src/.
    dentro = Path(__file__).parent.parent / "plantillas"
    if dentro.is_dir():
        return dentro
    return Path(__file__).resolve().parents[3] / "plantillas"


def segmentos_sms(texto: str) -> tuple[int, int, str]:
    """(caracteres, segmentos, codificación): GSM-7 160/153, UCS-2 70/67."""
    letras = set(texto)
    if letras <= _GSM7:
        # Los de la extensión ocupan dos septetos.
        unidades = len(texto) + sum(texto.count(c) for c in letras & GSM7_EXTENSION)
        simple, partido, codificacion = 160, 153, "GSM-7"
    else:
        unidades = len(texto.encode("utf-16-le")) // 2
        simple, partido, codificacion = 70, 67, "UCS-2"
    if unidades <= simple:
        return unidades, 1 if unidades else 0, codificacion
    return unidades, -(-unidades // partido), codificacion


def elegir_sms(nucleo: Any, breve: Any = "", pago: Any = "", cierre: Any = "", contacto: Any = "",
               firma: Any = "", pie: str = "") -> str:  # fmt: skip
    """El SMS más completo que cabe en 1 segmento con el pie de baja que se añade después; si
    ninguno, el primero que cabe en 2; si tampoco, el breve sin firma.

    Variantes, de más a menos completa: núcleo + pago + cierre + contacto, sin cierre, sin
    contacto, solo con pago, solo el núcleo; luego lo mismo con el texto breve.
    """
    nucleo, breve, pago, cierre, contacto, firma = map(
        str, (nucleo, breve, pago, cierre, contacto, firma)
    )
    variantes = [nucleo + pago + cierre + contacto, nucleo + pago + contacto,
                 nucleo + pago + cierre, nucleo + pago, nucleo]  # fmt: skip
    if breve:
        variantes += [breve + pago + contacto, breve + pago, breve + contacto, breve]
    letras = set(pie).union(nucleo, breve, pago, cierre, contacto)
    if letras <= _GSM7:  # lo común: contar es sumar largos (la extensión cuenta doble)
        extension = letras & GSM7_EXTENSION

        def unidades(texto: str) -> int:
            return len(texto) + sum(map(texto.count, extension)) if extension else len(texto)

        uno, dos = 160, 306
    else:

        def unidades(texto: str) -> int:
            return len(texto.encode("utf-16-le")) // 2

        uno, dos = 70, 134
    for limite in (uno, dos):
        for texto in variantes:
            if unidades(texto + pie) <= limite:
                return texto
    ultimo = breve or nucleo
    return ultimo[len(firma) :] if firma and ultimo.startswith(firma) else ultimo


def a_gsm7(texto: Any) -> str:
    """El texto con cada letra acentuada fuera de GSM-7 sin su acento (í → i, Á → A): así un
    nombre como «Plomería» no hace que todo el SMS pase a UCS-2 (70 caracteres por segmento)."""
    texto = str(texto)
    return texto if set(texto) <= _GSM7 else _a_gsm7(texto)


@lru_cache(maxsize=4096)  # la firma, el contacto y los nombres se repiten entre mensajes
def _a_gsm7(texto: str) -> str:
    return "".join(c if c in _GSM7 else _SIN_ACENTO.get(c) or _letra_gsm7(c) for c in texto)


_SIN_ACENTO = {"“": '"', "”": '"', "‘": "'", "’": "'", "–": "-", "—": "-", "·": "-", "\u00a0": " "}


def _letra_gsm7(letra: str) -> str:
    base = unicodedata.normalize("NFD", letra)[0]
    return base if base in _GSM7 else letra


class _Compiladas(jinja2.BytecodeCache):
    """Plantillas ya compiladas, en memoria del proceso (no se escribe nada a disco: un
    simulacro no deja rastro). Jinja2 las valida con una suma del texto de la plantilla,
    así que una plantilla editada se vuelve a compilar."""

    def __init__(self) -> None:
        self.datos: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        datos = self.datos.get(bucket.key)
        if datos is not None:
            bucket.bytecode_from_string(datos)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.datos[bucket.key] = bucket.bytecode_to_string()


# Una por entorno (texto y HTML con escape automático compilan distinto).
_COMPILADAS = {False: _Compiladas(), True: _Compiladas()}


class _Cargador(jinja2.FileSystemLoader):
    """Lee las plantillas en UTF-8 sin la marca del principio (BOM, la que pone el Bloc de notas
    al guardar en UTF-8); si un archivo no está en UTF-8, lo dice con el byte y la línea.
    Se lee una vez por plantilla, no por mensaje."""

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        try:
            texto, ruta, al_dia = super().get_source(environment, template)
        except UnicodeDecodeError:
            raise ErrorPlantilla(_no_esta_en_utf8(self._ruta(template))) from None
        return texto.removeprefix("\ufeff"), ruta, al_dia

    def _ruta(self, template: str) -> str:
        partes = jinja2.loaders.split_template_path(template)
        for carpeta in self.searchpath:
            ruta = Path(carpeta, *partes)
            if ruta.is_file():
                return str(ruta)
        return template


def _no_esta_en_utf8(ruta: str) -> str:
    """«ruta: no está en UTF-8 (byte 0xF3 en la línea 2); guárdala como UTF-8»."""
    try:
        datos = Path(ruta).read_bytes()
        datos.decode("utf-8")
    except UnicodeDecodeError as exc:
        linea = datos.count(b"\n", 0, exc.start) + 1
        return (
            f"{ruta}: no está en UTF-8 (byte 0x{datos[exc.start]:02X} en la línea {linea}); "
            "guárdala como UTF-8"
        )
    except OSError:  # se borró o cambió entre leerla y mirar dónde falla
        pass
    return f"{ruta}: no está en UTF-8; guárdala como UTF-8"


class Formato:
    """Dinero y fechas en el idioma de la política, con Locale y cachés creados una vez."""

    def __init__(self, idioma: str, moneda: str) -> None:
        from babel import Locale

        self.locale = Locale.parse(idioma)
        self.moneda = moneda
        self._fecha = lru_cache(maxsize=8192)(self._formatear_fecha)
        self._patrones: dict[str, tuple[str, str, dict[int, str] | None, int]] = {}
        self._cortas: dict[date, str] = {}
        self._dineros: dict[tuple[Decimal, str], str] = {}

    def _patron(self, moneda: str) -> tuple[str, str, dict[int, str] | None, int]:
        """(prefijo, sufijo, tabla de separadores, decimales) según babel.

        Se calcula una vez por moneda formateando un número de muestra; luego cada importe
        se formatea con f-strings (babel por importe costaba ~120 µs). La tabla cambia los
        separadores de Python («,» y «.») por los del idioma; None si son los mismos.
        """
        patron = self._patrones.get(moneda)
        if patron is None:
            from babel.numbers import format_currency, get_currency_precision

            decimales = get_currency_precision(moneda)
            muestra = format_currency(Decimal("1234567.891"), moneda, locale=self.locale)
            digitos = [i for i, c in enumerate(muestra) if c.isdigit()]
            numero = muestra[digitos[0] : digitos[-1] + 1]
            miles = numero[1] if not numero[1].isdigit() else ""
            decimal = numero[-decimales - 1] if decimales else ""
            tabla = (
                None if (miles, decimal) in ((",", "."), (",", "")) else {44: miles, 46: decimal}
            )
            patron = (muestra[: digitos[0]], muestra[digitos[-1] + 1 :], tabla, decimales)
            self._patrones[moneda] = patron
        return patron

    def _formatear_fecha(self, valor: date, formato: str) -> str:
        from babel.dates import format_date

        return format_date(valor, format=formato, locale=self.locale)

    def dinero(self, valor: Any, moneda: str | None = None) -> str:
        """«$1,234.56» en es_MX, «1.234,56 €» en es_ES: lo mismo que babel, más rápido."""
        if not isinstance(valor, Decimal):
            valor = _importe(valor)
        moneda = moneda or self.moneda
        if not valor.is_finite():
            return self._dinero(valor, moneda)
        # El mismo importe se escribe en el correo, el SMS y los parámetros de un deudor.
        # Solo positivos: 0 y -0 son la misma clave pero se escriben distinto.
        clave = (valor, moneda)
        texto = self._dineros.get(clave)
        if texto is not None:
            return texto
        texto = self._dinero(valor, moneda)
        if valor > 0:
            if len(self._dineros) >= 4096:  # los repetidos están cerca: memoria acotada
                self._dineros.clear()
            self._dineros[clave] = texto
        return texto

    def _dinero(self, valor: Decimal, moneda: str) -> str:
        prefijo, sufijo, tabla, decimales = self._patron(moneda)
        texto = f"{valor:,.{decimales}f}"
        if texto[0] == "-":  # cada idioma pone el signo en otro sitio («MXN-1,50» en es_CL)
            from babel.numbers import format_currency

            return format_currency(valor, moneda, locale=self.locale)
        if tabla is not None:
            texto = texto.translate(tabla)
        return f"{prefijo}{texto}{sufijo}"

    def fecha(self, valor: Any, formato: str = "long") -> str:
        if isinstance(valor, datetime):
            valor = valor.date()
        if not isinstance(valor, date):
            return str(valor)
        return self._fecha(valor, formato)

    def fecha_corta(self, valor: Any) -> str:
        if isinstance(valor, datetime):
            valor = valor.date()
        if not isinstance(valor, date):
            return str(valor)
        texto = self._cortas.get(valor)
        if texto is None:
            formato = "%m/%d/%Y" if self.locale.territory == "US" else "%d/%m/%Y"
            texto = self._cortas[valor] = valor.strftime(formato)
        return texto


class Plantillas:
    """Entorno de plantillas de una política: las propias (plantillas/ junto a la política) primero."""

    def __init__(
        self, politica: Politica, carpeta_propia: Path | None = None, html_una_vez: bool = False
    ) -> None:
        self.politica = politica
        # En un simulacro la parte HTML no se muestra: se genera (y revisa) una vez por plantilla.
        self.html_una_vez = html_una_vez
        self._html_hechas: set[str] = set()
        self.formato = Formato(politica.idioma, politica.moneda)
        self._palabras = palabras_de(politica.idioma)
        propia = carpeta_propia or (politica.carpeta / "plantillas" if politica.carpeta else None)
        carpetas = [str(c) for c in (propia, carpeta_integrada()) if c is not None and c.is_dir()]
        self._texto = self._entorno(carpetas, autoescape=False)
        self._html = self._entorno(carpetas, autoescape=True)
        self._cache: dict[str, jinja2.Template | None] = {}
        self._hermanas: dict[str, jinja2.Template | None] = {}
        self._comun_anterior: tuple = (None,)
        enlace = str(politica.empresa.get("enlace_pago") or "")
        self._enlace = self._compilar_cadena(enlace, "empresa.enlace_pago") if enlace else None
        self._enlace_simple = _marcadores_simples(enlace)
        # «https://…?ref={{ factura }}» como «https://…?ref={factura}» para str.format: se arma
        # una vez por factura (100 000 en una cartera grande), sin pasar por Jinja2.
        self._formato_enlace = (
            "".join("{" + parte + "}" if k % 2 else parte
                    for k, parte in enumerate(self._enlace_simple))
            if self._enlace_simple is not None else None
        )  # fmt: skip
        # Un enlace que usa {{ facturas }} sabe cobrar varias facturas a la vez: solo entonces
        # hay un enlace para el total de un mensaje con varias.
        self.enlace_para_varias = enlace != "" and _usa_variable(self._texto, enlace, "facturas")

    def _entorno(self, carpetas: list[str], autoescape: bool) -> _Entorno:
        entorno = _Entorno(
            loader=_Cargador(carpetas),
            undefined=Indefinida,
            autoescape=autoescape,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=False,
            bytecode_cache=_COMPILADAS[autoescape],
        )
        formato = self.formato

        @jinja2.pass_context
        def dinero(contexto, valor, moneda=None):
            return formato.dinero(valor, moneda or contexto.get("moneda"))

        entorno.filters["dinero"] = dinero
        entorno.filters["map"] = _map
        entorno.filters["fecha"] = self.formato.fecha
        entorno.filters["fecha_corta"] = self.formato.fecha_corta
        entorno.filters["segmentos_sms"] = lambda texto: segmentos_sms(str(texto))[1]
        entorno.filters["gsm7"] = a_gsm7
        pie = f" {self.politica.pie_baja}" if self.politica.pie_baja else ""
        entorno.filters["elegir_sms"] = partial(elegir_sms, pie=pie)
        return entorno

    def _compilar_cadena(self, texto: str, donde: str) -> jinja2.Template:
        try:
            return _globales_fijas(self._texto.from_string(texto))
        except jinja2.TemplateSyntaxError as exc:
            raise ErrorPlantilla(
                f"{self.politica.nombre}: {donde}: {motivo_en_espanol(exc)}"
            ) from None

    def _plantilla(self, nombre: str, html: bool = False) -> jinja2.Template | None:
        clave = ("html:" if html else "") + nombre
        if clave in self._cache:
            return self._cache[clave]
        entorno = self._html if html else self._texto
        try:
            plantilla = _globales_fijas(entorno.get_template(nombre))
        except jinja2.TemplateNotFound:
            plantilla = None
        except jinja2.TemplateSyntaxError as exc:
            ruta = exc.filename or nombre
            raise ErrorPlantilla(
                f"{ruta}: línea {exc.lineno}: {motivo_en_espanol(exc)}; corrige la plantilla"
            ) from None
        self._cache[clave] = plantilla
        return plantilla

    def _html_hermana(self, texto: jinja2.Template, nombre: str) -> jinja2.Template | None:
        """La parte HTML solo si está en la misma carpeta que la de texto (si no, dirían cosas distintas)."""
        if nombre in self._hermanas:
            return self._hermanas[nombre]
        html = self._plantilla(nombre, html=True)
        otra_carpeta = (
            html is not None
            and texto.filename
            and html.filename
            and Path(html.filename).parent != Path(texto.filename).parent
        )
        if otra_carpeta:
            html = None
        self._hermanas[nombre] = html
        return html

    def _carpeta_de(self, nombre: str) -> str | None:
        """La carpeta de la que se cargaría la plantilla (la primera que la tiene), sin leerla."""
        carpetas = self._texto.loader.searchpath  # type: ignore[union-attr]
        return next((c for c in carpetas if Path(c, nombre).is_file()), None)

    def existe(self, nombre: str) -> bool:
        return self._carpeta_de(nombre) is not None

    def revisar(self, mensaje: Mensaje, hoy: date) -> list[str]:
        """Los problemas al generar el mensaje, sin parar en el primero: su plantilla (con la
        línea del asunto si es un correo) y, aparte, su parte HTML (la de la misma carpeta,
        como en _html_hermana)."""
        nombre, canal = mensaje.ocurrencia.paso.plantilla, mensaje.canal
        archivos = [(f"{nombre}.{canal}.j2", False)]
        if canal == "email":
            html = f"{nombre}.email.html.j2"
            if self._carpeta_de(html) == self._carpeta_de(archivos[0][0]):
                archivos.append((html, True))
        try:
            contexto = self.contexto(mensaje, hoy)
        except ErrorPlantilla as exc:  # el enlace de pago de la política
            return [exc.mensaje]
        problemas = []
        for archivo, es_html in archivos:
            try:
                plantilla = self._plantilla(archivo, html=es_html)
                if plantilla is None:
                    continue
                generado = self._render(plantilla, contexto, mensaje)
                if canal == "email" and not es_html:
                    _separar_asunto(generado, plantilla.filename or "")
            except ErrorPlantilla as exc:
                problemas.append(exc.mensaje)
        return problemas

    def ruta(self, nombre: str) -> str:
        plantilla = self._plantilla(nombre)
        return plantilla.filename if plantilla is not None and plantilla.filename else nombre

    def exigir(self, plantilla: str, canal: str) -> jinja2.Template:
        nombre = f"{plantilla}.{canal}.j2"
        encontrada = self._plantilla(nombre)
        if encontrada is None:
            raise ErrorPlantilla(
                f"falta la plantilla «{nombre}»: créala en plantillas/ junto a la política "
                "o cambia «plantilla» del paso"
            )
        return encontrada

    def contexto(self, mensaje: Mensaje, hoy: date) -> dict[str, Any]:
        """Las variables que ve una plantilla."""
        # Los mensajes de un deudor por cada canal comparten la lista de líneas y van seguidos
        # en el plan (por atraso, cliente y canal): lo que solo depende de ellas se calcula
        # una vez. El entorno inmutable impide que una plantilla lo modifique.
        lineas = mensaje.lineas
        comun = self._comun_anterior
        if comun[0] is not lineas:
            comun = self._comun_anterior = self._comun(lineas, mensaje.cliente)
        _, facturas, total, total_interes, total_compensacion, dias_vencido, enlace, por_factura = (
            comun
        )
        primera = lineas[0].factura
        ocurrencia = mensaje.ocurrencia
        contexto: dict[str, Any] = {
            **primera.extras, "cliente": mensaje.cliente, "canal": mensaje.canal, "hoy": hoy,
            "facturas": facturas, "total": total, "total_interes": total_interes,
            "total_compensacion": total_compensacion,
            "total_a_pagar": total + total_interes + total_compensacion,
            "moneda": mensaje.moneda, "dias_vencido": dias_vencido,
            "empresa": self.politica.empresa,
            "paso": {"id": ocurrencia.id, "nombre": ocurrencia.paso.id, "dias": ocurrencia.dias,
                     "ocurrencia": ocurrencia.numero},
            "enlace_pago": enlace, "enlaces_pago": por_factura,
        }  # fmt: skip
        contacto = contacto_de(primera.extras)
        contexto["saludo"] = saludo(mensaje.cliente, contacto)
        contexto["nombre_saludo"] = contacto or mensaje.cliente
        contexto["palabras"] = self._palabras
        if "@" in ocurrencia.paso.id:  # promesa_incumplida@AAAA-MM-DD
            contexto["promesa"] = date.fromisoformat(ocurrencia.paso.id.rsplit("@", 1)[1])
        return contexto

    def _comun(self, lineas: list, cliente: str) -> tuple:
        """(líneas, facturas, total, intereses, compensación, días de atraso, enlace de pago,
        facturas con su propio enlace cuando ninguno cubre el total)."""
        facturas = []
        total = total_interes = total_compensacion = Decimal(0)
        dias_vencido = None
        for linea in lineas:
            f = linea.factura
            datos = {**f.extras, "numero": f.numero, "monto": f.monto, "moneda": f.moneda,
                     "vencimiento": f.vencimiento, "dias_vencido": linea.dias_vencido,
                     "interes": linea.interes, "compensacion": linea.compensacion,
                     "total": f.monto + linea.interes + linea.compensacion, "fila": f.fila,
                     "enlace_pago": f.enlace_pago or self.enlace_pago(cliente, f.monto, f.numero),
                     "paso": linea.ocurrencia.id,
                     "original": importe_original(f.extras, f.monto, f.moneda)}  # fmt: skip
            facturas.append(datos)
            total += f.monto
            total_interes += linea.interes
            total_compensacion += linea.compensacion
            if dias_vencido is None or linea.dias_vencido > dias_vencido:
                dias_vencido = linea.dias_vencido
        enlace, por_factura = self._enlace_del_total(lineas, facturas, cliente, total)
        return (lineas, facturas, total, total_interes, total_compensacion, dias_vencido, enlace,
                por_factura)  # fmt: skip

    def _enlace_del_total(
        self, lineas: list, facturas: list[dict], cliente: str, total: Decimal
    ) -> tuple[str, list[dict]]:
        """(el enlace que cobra todo el mensaje, o ""; las facturas con su propio enlace si no lo
        hay). Nunca el de la primera factura para un total que incluye otras."""
        if len(facturas) == 1:
            return facturas[0]["enlace_pago"], []
        de_la_hoja = {linea.factura.enlace_pago for linea in lineas}
        if len(de_la_hoja) == 1 and "" not in de_la_hoja:  # el mismo para todas (p. ej. un portal)
            return de_la_hoja.pop(), []
        if self.enlace_para_varias:
            numeros = [f["numero"] for f in facturas]
            return self.enlace_pago(cliente, total, ",".join(numeros), numeros), []
        return "", [f for f in facturas if f["enlace_pago"]]

    def enlace_pago(
        self, cliente: str, total: Decimal, numero: str, numeros: list[str] | None = None
    ) -> str:
        """El enlace de pago de la política para una deuda, o ""; ErrorPlantilla si no se genera.

        `numeros`: las facturas que cobra (solo `numero` si no se dan)."""
        if self._enlace is None:
            return ""
        if self._formato_enlace is not None:
            return self._formato_enlace.format(factura=numero, cliente=cliente, total=total)
        valores = {"factura": numero, "cliente": cliente, "total": total}
        if self.enlace_para_varias:
            valores["facturas"] = numeros or [numero]
        try:
            return self._enlace.render(valores)
        except Exception as exc:  # cualquier fallo del enlace se informa con la clave
            motivo = motivo_en_espanol(exc, valores)
            raise ErrorPlantilla(f"{self.politica.nombre}: empresa.enlace_pago: {motivo}") from None

    def renderizar(self, mensaje: Mensaje, hoy: date) -> None:
        """Rellena asunto, cuerpo y html del mensaje; ErrorPlantilla con archivo y línea si falla."""
        paso = mensaje.ocurrencia.paso
        plantilla = self.exigir(paso.plantilla, mensaje.canal)
        contexto = self.contexto(mensaje, hoy)
        texto = self._render(plantilla, contexto, mensaje)
        mensaje.parametros = (
            mensaje.cliente,
            ", ".join(mensaje.numeros),
            self.formato.dinero(contexto["total"], mensaje.moneda),
            str(contexto["dias_vencido"]),
            contexto["enlace_pago"] or _enlaces_en_una_linea(contexto["enlaces_pago"]),
        )
        pie = self.politica.pie_baja
        if pie:
            texto = (
                f"{texto.rstrip()}\n\n{pie}" if mensaje.canal != "sms" else f"{texto.strip()} {pie}"
            )
        if mensaje.canal == "email":
            mensaje.asunto, mensaje.cuerpo = _separar_asunto(texto, plantilla.filename or "")
            nombre_html = f"{paso.plantilla}.email.html.j2"
            html = self._html_hermana(plantilla, nombre_html)
            if self.html_una_vez and nombre_html in self._html_hechas:
                html = None
            mensaje.html = self._render(html, contexto, mensaje) if html is not None else None
            self._html_hechas.add(nombre_html)
            if mensaje.html is not None and pie:
                mensaje.html += f'\n<p style="font-size:12px;color:#666">{escape(pie)}</p>'
        else:
            # Babel separa cifra y símbolo con espacios duros, que obligarían a UCS-2 en un SMS.
            mensaje.cuerpo = texto.strip().replace("\u00a0", " ").replace("\u202f", " ")

    def _render(
        self, plantilla: jinja2.Template, contexto: dict[str, Any], mensaje: Mensaje
    ) -> str:
        try:
            return sin_punto_doble(plantilla.render(contexto))
        except ErrorPlantilla:
            raise
        except Exception as exc:  # cualquier fallo de la plantilla se informa con su línea
            if isinstance(exc, jinja2.TemplateSyntaxError) and exc.filename:
                donde = f"{exc.filename}: línea {exc.lineno}"  # en una plantilla incluida
            else:
                linea = linea_de_plantilla(exc, plantilla.filename)
                donde = f"{plantilla.filename}" + (f": línea {linea}" if linea else "")
            carpetas = getattr(plantilla.environment.loader, "searchpath", [])
            motivo = motivo_en_espanol(exc, contexto, carpetas)
            raise ErrorPlantilla(
                f"{donde}: {motivo} (al generar el mensaje para «{mensaje.cliente}»); corrige la plantilla"
            ) from None


_RE_MARCADOR = re.compile(r"\{\{\s*(factura|cliente|total)\s*\}\}")


def _enlaces_en_una_linea(facturas: list[dict]) -> str:
    """«F-1: enlace, F-2: enlace» (un parámetro de WhatsApp no admite saltos de línea)."""
    if not facturas:
        return ""
    return ", ".join(f"{f['numero']}: {f['enlace_pago']}" for f in facturas)


def _usa_variable(entorno: jinja2.Environment, texto: str, variable: str) -> bool:
    from jinja2 import meta

    try:
        return variable in meta.find_undeclared_variables(entorno.parse(texto))
    except jinja2.TemplateSyntaxError:
        return False  # _compilar_cadena ya lo informó


def _marcadores_simples(texto: str) -> list[str] | None:
    """[texto, variable, texto, …] si la cadena solo tiene texto y {{ factura|cliente|total }};
    None si usa algo más de Jinja2 (filtros, condiciones…), que entonces la genera."""
    partes = _RE_MARCADOR.split(texto)
    literales = partes[0::2]
    if any(c in parte for parte in literales for c in "{}\n\r"):
        return None
    return partes


_MAP_DE_JINJA = jinja2.filters.FILTERS["map"]


@jinja2.pass_context
def _map(contexto: jinja2.runtime.Context, valor: Any, *args: Any, **kwargs: Any) -> Any:
    """El filtro map de Jinja2; `map(attribute='numero')` sin pasar por su preparación (que
    se repetía en cada mensaje). Da lo mismo: environment.getitem con cada elemento."""
    atributo = kwargs.get("attribute")
    simple = type(atributo) is str and "." not in atributo and not atributo.isdigit()
    if args or len(kwargs) != 1 or not simple:
        return _MAP_DE_JINJA(contexto, valor, *args, **kwargs)
    return _por_atributo(contexto.environment.getitem, valor, atributo)


def _por_atributo(getitem: Callable[[Any, Any], Any], valor: Any, atributo: str) -> Any:
    if valor:
        for elemento in valor:
            yield getitem(elemento, atributo)


def _globales_fijas(plantilla: jinja2.Template) -> jinja2.Template:
    """Las globales de la plantilla como dict: Jinja2 las guarda en un ChainMap que recorre en
    cada render (unos µs por mensaje); aquí no cambian después de crear el entorno."""
    plantilla.globals = dict(plantilla.globals)
    return plantilla


def _importe(valor: Any) -> Decimal:
    """El Decimal de lo que recibe el filtro dinero; si no es un importe, un error que lo dice
    (la plantilla lo informa con su archivo y línea)."""
    try:
        return Decimal(str(valor))
    except (ArithmeticError, ValueError, TypeError):
        raise ValueError(
            f"el filtro «dinero» no puede formatear {citar(valor)} (no es un importe)"
        ) from None


def _separar_asunto(texto: str, archivo: str) -> tuple[str, str]:
    """(asunto, cuerpo) de un correo generado; la primera línea es «Asunto: …» (también
    «ASUNTO : …» o «asunto: …»)."""
    primera, _, resto = texto.lstrip("\n").partition("\n")
    clave, dos_puntos, asunto = primera.partition(":")
    if not dos_puntos or clave.strip().lower() != "asunto":
        raise ErrorPlantilla(
            f"{archivo}: línea 1: una plantilla de email debe empezar con «Asunto: …»; añádela"
        )
    return " ".join(asunto.split()), resto.strip("\n")


def nombres_de_la_politica(politica: Politica) -> list[tuple[str, bool]]:
    """(nombre, es HTML) de las plantillas que los pasos de la política pueden usar."""
    pasos = [*politica.pasos, *(p for s in politica.segmentos for p in s.pasos)]
    if politica.promesa_incumplida is not None:
        pasos.append(politica.promesa_incumplida)
    nombres = dict.fromkeys(p.plantilla for p in pasos if p.plantilla)
    return [
        (f"{nombre}.{sufijo}", sufijo.endswith("html.j2"))
        for nombre in nombres
        for sufijo in ("email.j2", "email.html.j2", "sms.j2", "whatsapp.j2")
    ]


class Precompilacion:
    """Compila en un proceso hijo las plantillas de la política mientras este hace otra cosa
    (leer la cartera, que solo usa un núcleo); `recoger()` las trae a la caché del proceso.

    Compilar las ~28 plantillas incluidas cuesta ~0,5 s. Si algo falla en el hijo, no pasa
    nada: cada plantilla que falte se compila al usarla, como siempre (y sus errores se
    informan entonces).
    """

    def __init__(self, politica: Politica) -> None:
        from recordar.procesos import Hijo

        self._hijo: Hijo | None = Hijo(lambda: _compilar(politica))

    def recoger(self) -> None:
        """Espera al hijo y añade lo que compiló; idempotente."""
        from recordar.procesos import HijoPerdido

        hijo, self._hijo = self._hijo, None
        if hijo is None:
            return
        try:
            compiladas = hijo.resultado()
        except (HijoPerdido, OSError):
            return  # sin precompilación: se compilan al usarlas
        for autoescape, datos in compiladas.items():
            for llave, codigo in datos.items():
                _COMPILADAS[autoescape].datos.setdefault(llave, codigo)

    def cancelar(self) -> None:
        hijo, self._hijo = self._hijo, None
        if hijo is not None:
            hijo.cancelar()

    def __enter__(self) -> Precompilacion:
        return self

    def __exit__(self, tipo: type | None, *_: object) -> None:
        if tipo is None:
            self.recoger()
        else:  # lo de dentro falló (p. ej. la cartera): no hace falta esperar al hijo
            self.cancelar()


def _compilar(politica: Politica) -> dict[bool, dict[str, bytes]]:
    import contextlib

    plantillas = Plantillas(politica)
    for nombre, html in nombres_de_la_politica(politica):
        # Si una falla, el padre la compilará al usarla y dirá qué tiene.
        with contextlib.suppress(Exception):
            plantillas._plantilla(nombre, html=html)
    return {autoescape: c.datos for autoescape, c in _COMPILADAS.items()}


def precompilar(politica: Politica, tamano_cartera: int) -> Precompilacion | None:
    """Empieza a compilar en segundo plano si vale la pena: cartera grande (desde ~1 MB, leerla
    tarda más que compilar) y procesos disponibles (ver procesos.cuantos_procesos)."""
    from recordar.procesos import cuantos_procesos

    if cuantos_procesos(tamano_cartera, MINIMO_BYTES_PARA_PRECOMPILAR) < 2:
        return None
    try:
        return Precompilacion(politica)
    except OSError:
        return None


MINIMO_BYTES_PARA_PRECOMPILAR = 1_000_000
