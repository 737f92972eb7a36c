"""Plantillas Jinja2 de una política: búsqueda, filtros, contexto de cada mensaje y su
renderizado; el entorno está en entorno, el dinero y las fechas en formato, el texto de los SMS
en texto_sms y la precompilación en otro proceso en precompilacion."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import escape

from recordar.errores import ErrorPlantilla
from recordar.mensajes.entorno import _COMPILADAS, _Cargador, _Entorno, _globales_fijas, _map
from recordar.mensajes.errores_plantilla import (
    Indefinida,
    linea_de_plantilla,
    motivo_en_espanol,
)
from recordar.mensajes.formato import Formato
from recordar.mensajes.redaccion import (
    contacto_de,
    importe_original,
    palabras_de,
    saludo,
    sin_punto_doble,
)
from recordar.mensajes.texto_sms import a_gsm7, elegir_sms, segmentos_sms
from recordar.plan import Mensaje
from recordar.politica.politica import Politica


def carpeta_integrada() -> Path:
    """Las plantillas que vienen con recordar (dentro del paquete o en el repositorio)."""
    # Este archivo está en recordar/mensajes/: las plantillas instaladas están en
    # recordar/plantillas (datos del paquete); en el repositorio, en plantillas/ junto a src/.
    dentro = Path(__file__).parent.parent / "plantillas"
    if dentro.is_dir():
        return dentro
    return Path(__file__).resolve().parents[3] / "plantillas"


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
        if mensaje.canal == "whatsapp":  # solo WhatsApp usa plantillas aprobadas
            mensaje.parametros = self.parametros(mensaje, contexto)
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

    def parametros(self, mensaje: Mensaje, contexto: dict[str, Any]) -> dict[str, str]:
        """Los valores que puede llevar una plantilla aprobada de WhatsApp (canales.aprobadas.
        VARIABLES), como los muestra el texto: `total` es el total a pagar, con intereses."""
        dinero, moneda = self.formato.dinero, mensaje.moneda
        return {
            "cliente": mensaje.cliente,
            "facturas": ", ".join(mensaje.numeros),
            "total": dinero(contexto["total_a_pagar"], moneda),
            "dias_vencido": str(contexto["dias_vencido"]),
            "enlace_pago": contexto["enlace_pago"] or _enlaces_en_una_linea(contexto["enlaces_pago"]),
            "nombre_saludo": contexto["nombre_saludo"],
            "importe": dinero(contexto["total"], moneda),
            "intereses": dinero(contexto["total_interes"], moneda),
            "gastos": dinero(contexto["total_compensacion"], moneda),
            "vencimiento": self.formato.fecha(min(f["vencimiento"] for f in contexto["facturas"])),
            "empresa": str(self.politica.empresa.get("nombre") or ""),
        }  # fmt: skip

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
