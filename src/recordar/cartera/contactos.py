"""Interpretar los contactos tal como la gente los escribe en una celda: teléfonos (a E.164,
con phonenumbers y un atajo para las regiones sin prefijo nacional) y correos."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

_RE_CORREO_SIMPLE = re.compile(
    r"[A-Za-z0-9_%+-]+(\.[A-Za-z0-9_%+-]+)*@([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}"
)
_RE_SEPARA_CONTACTOS = re.compile(r"[;,/\s]+")
_RE_NO_TELEFONO = re.compile(r"[^\d+]")
_RE_SEPARA_TELEFONOS = re.compile(r"[;,/]+| o | y ")


@lru_cache(maxsize=131072)
def normalizar_telefonos(valor: str, region: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(números válidos en E.164, trozos no válidos) de una celda con uno o varios teléfonos."""
    import phonenumbers

    validos: list[str] = []
    malos: list[str] = []
    for trozo in _RE_SEPARA_TELEFONOS.split(valor):
        trozo = trozo.strip()
        if not trozo:
            continue
        crudo = _RE_NO_TELEFONO.sub("", trozo)
        # Móviles mexicanos a la antigua: +52 1 55… ya no llevan el 1.
        if crudo.startswith("+521") and len(crudo) == 14:
            crudo = "+52" + crudo[4:]
        elif crudo.startswith("521") and len(crudo) == 13 and region == "MX":
            crudo = "+52" + crudo[3:]
        e164 = _telefono_directo(crudo, region)
        if e164 is None:
            try:
                numero = phonenumbers.parse(crudo or trozo, region)
            except phonenumbers.NumberParseException:
                malos.append(trozo)
                continue
            if phonenumbers.is_valid_number(numero):
                e164 = phonenumbers.format_number(numero, phonenumbers.PhoneNumberFormat.E164)
        if e164 is None:
            malos.append(trozo)
        elif e164 not in validos:
            validos.append(e164)
    return tuple(validos), tuple(malos)


# Los tipos de número que phonenumbers acepta como válidos (is_valid_number); fijo y móvil
# primero porque son los más comunes (el orden no cambia el resultado).
_TIPOS_DE_NUMERO = ("fixed_line", "mobile", "premium_rate", "toll_free", "shared_cost", "voip",
                    "personal_number", "pager", "uan", "voicemail")  # fmt: skip


@dataclass(frozen=True, slots=True)
class _RegionDirecta:
    """Lo que phonenumbers usa para validar un número nacional completo de una región."""

    prefijo: int  # del país: 52
    general: tuple[frozenset[int], re.Pattern]  # largos posibles y patrón de la región
    tipos: tuple[tuple[frozenset[int], re.Pattern], ...]  # fijo, móvil, gratuito…
    internacional: re.Pattern | None  # prefijo para llamar al extranjero («00»)

    def valido(self, digitos: str) -> bool:
        # Igual que phonenumbers._number_type_helper(...) != UNKNOWN.
        largos, patron = self.general
        if largos and len(digitos) not in largos or not patron.fullmatch(digitos):
            return False
        return any(
            (not largos or len(digitos) in largos) and patron.fullmatch(digitos)
            for largos, patron in self.tipos
        )


@lru_cache(maxsize=256)
def _region_directa(region: str) -> _RegionDirecta | None:
    """Los datos de validación de una región sin prefijo nacional que quitar y con un
    prefijo de país solo suyo (MX, ES, CL…); None para las demás."""
    import phonenumbers
    from phonenumbers.phonenumberutil import COUNTRY_CODE_TO_REGION_CODE

    datos = phonenumbers.PhoneMetadata.metadata_for_region(region)
    if datos is None or datos.national_prefix_for_parsing or datos.national_prefix:
        return None
    if len(COUNTRY_CODE_TO_REGION_CODE.get(datos.country_code, ())) != 1:
        return None

    def descripcion(d) -> tuple[frozenset[int], re.Pattern] | None:
        if d is None or not d.national_number_pattern:
            return None
        return frozenset(d.possible_length or ()), re.compile(d.national_number_pattern)

    general = descripcion(datos.general_desc)
    if general is None:
        return None
    tipos = tuple(t for t in (descripcion(getattr(datos, n)) for n in _TIPOS_DE_NUMERO) if t)
    internacional = re.compile(datos.international_prefix) if datos.international_prefix else None
    return _RegionDirecta(datos.country_code, general, tipos, internacional)


def _telefono_directo(crudo: str, region: str) -> str | None:
    """E.164 de un número ya limpio («5512345678», «+525512345678») sin pasar por parse().

    Solo para regiones sin prefijo nacional (MX, ES, CL…) y números nacionales completos sin
    ceros ni prefijo internacional al inicio: ahí parse() no cambia nada y basta validar con
    los patrones de phonenumbers. Devuelve None si el número no es válido o no es de ese caso
    (entonces decide phonenumbers.parse, el camino general).
    """
    directa = _region_directa(region)
    if directa is None or not crudo.isascii():
        return None
    digitos = crudo[1:] if crudo.startswith("+") else crudo
    if crudo.startswith("+"):
        pais = str(directa.prefijo)
        if not digitos.startswith(pais):
            return None
        digitos = digitos[len(pais) :]
    elif directa.internacional is not None and directa.internacional.match(digitos):
        return None  # «00 52…»: parse() lo lee como número internacional
    if not digitos.isdigit() or digitos.startswith("0") or not directa.valido(digitos):
        return None
    return f"+{directa.prefijo}{digitos}"


# Buzones de RFC 2142 (abuse, postmaster…) que email-validator pasa a minúsculas: el atajo
# ASCII hace lo mismo, o «NOC@x.mx» y «noc@x.mx» serían dos contactos según el camino.
_BUZONES_SIN_MAYUSCULAS = frozenset(
    (
        "info",
        "marketing",
        "sales",
        "support",
        "abuse",
        "noc",
        "security",
        "postmaster",
        "hostmaster",
        "usenet",
        "news",
        "webmaster",
        "www",
        "uucp",
        "ftp",
    )  # fmt: skip
)


@lru_cache(maxsize=131072)
def normalizar_correos(valor: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(correos válidos normalizados, trozos no válidos) de una celda con uno o varios correos."""
    validos: list[str] = []
    malos: list[str] = []
    for trozo in _RE_SEPARA_CONTACTOS.split(valor):
        trozo = trozo.strip().strip("<>\"'")
        if not trozo:
            continue
        if _RE_CORREO_SIMPLE.fullmatch(trozo) and ".." not in trozo:
            # El caso común (ASCII, sin comillas ni IDN): lo mismo que diría email-validator.
            local, _, dominio = trozo.rpartition("@")
            if local.lower() in _BUZONES_SIN_MAYUSCULAS:  # RFC 2142: como email-validator
                local = local.lower()
            correo = f"{local}@{dominio.lower()}"
            if correo not in validos:
                validos.append(correo)
            continue
        from email_validator import EmailNotValidError, validate_email  # ~50 ms de importar

        try:
            correo = validate_email(trozo, check_deliverability=False).normalized
        except EmailNotValidError:
            malos.append(trozo)
            continue
        if correo not in validos:
            validos.append(correo)
    return tuple(validos), tuple(malos)
