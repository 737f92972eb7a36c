"""Cómo se dirige un mensaje a un deudor: saludo a una persona o a una empresa, el contacto de
la hoja, el importe original de una factura pagada en parte y la puntuación tras un nombre."""

from __future__ import annotations

import re
from decimal import Decimal
from functools import lru_cache
from typing import Any

from recordar.cartera.valores import normalizar, parsear_monto

# Sufijos de sociedad, sin puntos ni espacios («S. de R.L.» → «s de rl»; «S.A.» → «sa»).
_SOCIEDADES = frozenset(
    [
        "sa",
        "sab",
        "sapi",
        "sadecv",
        "sl",
        "slu",
        "sll",
        "sas",
        "sc",
        "scp",
        "sccl",
        "srl",
        "rl",
        "cv",
        "ac",
        "ab",
        "ltda",
        "ltd",
        "lda",
        "inc",
        "llc",
        "llp",
        "lp",
        "corp",
        "co",
        "cia",
        "gmbh",
        "ag",
        "plc",
        "spa",
        "sarl",
        "bv",
        "nv",
        "eirl",
        "sac",
        "saa",
        "spr",
        "cb",
    ]
)
# Primeras palabras (o palabras sueltas) que nombran un negocio, no a una persona.
_NEGOCIOS = frozenset(
    [
        "hotel",
        "hoteles",
        "restaurante",
        "restaurant",
        "grupo",
        "comercial",
        "comercializadora",
        "distribuidora",
        "distribuciones",
        "farmacia",
        "farmacias",
        "taller",
        "talleres",
        "abarrotes",
        "ferreteria",
        "ferreterias",
        "papeleria",
        "constructora",
        "construcciones",
        "inmobiliaria",
        "transportes",
        "autotransportes",
        "servicios",
        "consultoria",
        "consultores",
        "despacho",
        "clinica",
        "hospital",
        "sanatorio",
        "laboratorio",
        "laboratorios",
        "escuela",
        "colegio",
        "instituto",
        "universidad",
        "club",
        "asociacion",
        "fundacion",
        "cooperativa",
        "panaderia",
        "pasteleria",
        "tienda",
        "tiendas",
        "supermercado",
        "super",
        "mercado",
        "industrias",
        "industrial",
        "productos",
        "importadora",
        "exportadora",
        "agencia",
        "estudio",
        "bodega",
        "bodegas",
        "cafeteria",
        "bar",
        "lavanderia",
        "carniceria",
        "refaccionaria",
        "refacciones",
        "muebleria",
        "editorial",
        "imprenta",
        "corporativo",
        "corporacion",
        "operadora",
        "promotora",
        "desarrolladora",
        "inversiones",
        "sociedad",
        "compania",
        "empresa",
        "empresas",
        "almacen",
        "almacenes",
        "gasolinera",
        "gasolineria",
        "materiales",
        "maquinaria",
        "automotriz",
        "agricola",
        "ganadera",
        "minera",
        "textil",
        "textiles",
        "talleres",
        "viveros",
        "vivero",
        "ingenieria",
        "arquitectos",
        "abogados",
        "notaria",
        "optica",
        "veterinaria",
        "gimnasio",
        "academia",
        "centro",
        "spa",
        "boutique",
        "zapateria",
        "joyeria",
        "pizzeria",
        "taqueria",
        "cocina",
        "cantina",
        "fonda",
        "marisqueria",
        "posada",
        "hostal",
        "motel",
        "casa",
        "hermanos",
    ]
)
# Columnas extra (ya como variables) que nombran a la persona a quien se dirige el mensaje.
COLUMNAS_CONTACTO = (
    "atencion", "a_la_atencion_de", "atn", "attn", "at_n", "contacto", "persona_de_contacto",
    "nombre_de_contacto", "nombre_del_contacto", "nombre_contacto", "contacto_de_cobranza",
)  # fmt: skip
# Columnas extra que suelen llevar el importe original cuando el monto es el saldo.
COLUMNAS_ORIGINAL = (
    "importe", "total", "monto", "importe_original", "monto_original", "importe_factura",
    "total_factura", "monto_factura", "importe_total", "monto_total", "total_de_la_factura",
    "importe_de_la_factura", "valor", "valor_factura",
)  # fmt: skip
# Palabras que cambian de un país a otro («cobranza» no se usa en España).
PALABRAS: dict[str, dict[str, str]] = {
    "es_ES": {"departamento": "Departamento de cobros", "proceso": "un proceso de reclamación"},
    "": {"departamento": "Departamento de cobranza", "proceso": "un proceso de cobranza"},
}
_CONTACTO = frozenset(COLUMNAS_CONTACTO)
_ORIGINAL = frozenset(COLUMNAS_ORIGINAL)
_RE_PALABRA = re.compile(r"[a-z0-9]+")
_RE_SIN_ACENTOS = re.compile(r"[^A-Za-z\s]")
_ARTICULOS = frozenset(("la", "el", "los", "las", "mi", "nuestra", "nuestro", "su"))
_RE_PUNTO_DOBLE = re.compile(r"(?<!\.)\.\.(?![.\w/%#?=&-])")


@lru_cache(maxsize=4096)
def _es_empresa(nombre: str) -> bool:
    """True si el nombre parece de una empresa (sociedad o negocio) y no de una persona."""
    palabras = _RE_PALABRA.findall(normalizar(nombre))  # minúsculas, sin acentos ni signos
    if not palabras:
        return False
    if palabras[0] in _NEGOCIOS or (
        palabras[0] in _ARTICULOS and len(palabras) > 1 and palabras[1] in _NEGOCIOS
    ):
        return True
    if any(p in ("hermanos", "hnos", "asociados", "compania", "cia") for p in palabras):
        return True
    # Sufijos: «S.A. de C.V.» (sin puntos «SA de CV»), «S. de R.L.», «Ltda.», «Inc»…; uno de
    # dos letras solo en mayúsculas o con puntos («Ana Sa» es una persona, «ACME SA» no).
    sin_puntos = _RE_SIN_ACENTOS.sub("", nombre.replace(".", "").replace(",", " "))
    for palabra in sin_puntos.split()[1:]:
        minuscula = palabra.lower()
        if minuscula in _SOCIEDADES and (len(minuscula) > 2 or palabra.isupper()):
            return True
    return False


def contacto_de(extras: dict[str, Any]) -> str:
    """El nombre de la persona de contacto de la hoja («Atención», «Contacto»), o ""."""
    if _CONTACTO.isdisjoint(extras):  # lo común: la hoja no tiene esa columna
        return ""
    for clave in COLUMNAS_CONTACTO:
        valor = extras.get(clave)
        if isinstance(valor, str):
            valor = " ".join(valor.split())
            digitos = sum(c.isdigit() for c in valor)
            # Un correo o un teléfono en la columna «Contacto» no es un nombre.
            if valor and "@" not in valor and digitos < 3 and any(c.isalpha() for c in valor):
                return valor
    return ""


@lru_cache(maxsize=4096)
def saludo(cliente: str, contacto: str = "") -> str:
    """«Estimado(a) Ana Ruiz», «Estimada Sra. Ruiz» o «Estimados señores de Hotel Las Águilas»
    (sin los dos puntos: los pone la plantilla)."""
    if contacto:
        inicio = normalizar(contacto).split(" ", 1)[0]
        if inicio in ("sra", "srta", "dona", "dra", "licda"):
            return f"Estimada {contacto}"
        if inicio in ("sr", "don", "dr", "d"):
            return f"Estimado {contacto}"
        return f"Estimado(a) {contacto}"
    if _es_empresa(cliente):
        return f"Estimados señores de {cliente}"
    return f"Estimado(a) {cliente}"


def sin_punto_doble(texto: str) -> str:
    """«S.A. de C.V..» → «S.A. de C.V.»: un nombre que acaba en punto al final de una frase.

    Deja los puntos suspensivos y los «..» dentro de una ruta o un enlace."""
    if ".." not in texto:
        return texto
    return _RE_PUNTO_DOBLE.sub(".", texto)


def importe_original(extras: dict[str, Any], saldo: Decimal, moneda: str) -> Decimal | None:
    """El importe original de la factura si la hoja lo trae en otra columna y es mayor que el
    saldo que se cobra (pago parcial); si no, None."""
    if _ORIGINAL.isdisjoint(extras):
        return None
    for clave in COLUMNAS_ORIGINAL:
        valor = extras.get(clave)
        if valor is None or valor == "" or isinstance(valor, bool):
            continue
        try:
            original, _ = parsear_monto(valor, moneda)
        except Exception:  # un texto que no es importe: esa columna no es el original
            continue
        if original > saldo > 0:
            return original
        return None
    return None


def palabras_de(idioma: str) -> dict[str, str]:
    """Las palabras del país de la política (es_ES: «cobros»; el resto: «cobranza»)."""
    return PALABRAS.get(idioma.replace("-", "_"), PALABRAS[""])
