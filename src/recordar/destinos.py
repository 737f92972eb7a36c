"""Por qué canales y a qué destinatarios va un mensaje, si al deudor le puede llegar alguno (y si
no, por qué), y cómo se comparan los contactos con las bajas. Sin E/S.

`dia` es el _Dia de plan.py (lo común a todos los deudores); va sin anotar porque este módulo
está debajo de plan y no lo importa."""

from __future__ import annotations

from functools import lru_cache

from recordar.cartera.carga import Contacto

ORDEN_RESPALDO = ("email", "whatsapp", "sms")
TODOS_LOS_CANALES = frozenset(ORDEN_RESPALDO)
TUPLA_CANALES = ("email", "sms", "whatsapp")


def elegir_canales(
    canales_paso: tuple[str, ...],
    contacto: Contacto,
    disponibles: frozenset[str] = TODOS_LOS_CANALES,
    bajas: set[tuple[str, str]] = frozenset(),
) -> list[tuple[str, str]]:
    """(canal, destinatario) por los que va el mensaje: preferencia del deudor, paso, respaldo.

    Un contacto dado de baja en un canal (o en todos, «*») no se usa por ese canal.
    """

    if contacto.canal and (destino := _destino(contacto.canal, contacto, disponibles, bajas)):
        return [(contacto.canal, destino)]
    elegidos = []
    for canal in canales_paso:
        if destino := _destino(canal, contacto, disponibles, bajas):
            elegidos.append((canal, destino))
    if elegidos:
        return elegidos
    for canal in ORDEN_RESPALDO:
        if destino := _destino(canal, contacto, disponibles, bajas):
            return [(canal, destino)]
    return []


def _destino(canal: str, contacto: Contacto, disponibles: frozenset[str],
             bajas: set[tuple[str, str]]) -> str:  # fmt: skip
    """A quién va el mensaje por ese canal ("" si por él no se puede)."""
    if canal not in disponibles:
        return ""
    valores = contacto.correos if canal == "email" else contacto.telefonos
    if bajas:  # normalizadas una vez (Bitacora.historial); cada contacto, una vez por valor
        valores = [
            v
            for v in valores
            if (clave := clave_de_contacto(v), "*") not in bajas and (clave, canal) not in bajas
        ]
    if canal == "email":
        return ", ".join(valores)
    return valores[0] if valores else ""


@lru_cache(maxsize=131072)
def clave_de_contacto(valor: str) -> str:
    """Cómo se compara un contacto con las bajas: el teléfono en E.164 tal cual; el correo con el
    dominio en minúsculas y en ASCII (IDNA: «münchen.de» y «xn--mnchen-3ya.de» son el mismo) y
    la parte local sin mayúsculas (como al juntar contactos repetidos de la hoja)."""
    import unicodedata

    texto = valor.strip()
    local, arroba, dominio = texto.rpartition("@")
    if not arroba:
        return texto
    dominio = unicodedata.normalize("NFC", dominio).rstrip(".").lower()
    if not dominio.isascii():
        import contextlib

        import idna

        # Un dominio que IDNA no admite se compara tal cual.
        with contextlib.suppress(idna.IDNAError):
            dominio = idna.encode(dominio, uts46=True).decode("ascii")
    return f"{unicodedata.normalize('NFC', local).lower()}@{dominio}"


def _alcanzable(dia, contacto: Contacto) -> bool:
    """Si al deudor le puede llegar un aviso: si no (sin contacto, sin canal, baja, no
    contactar), la tarea no espera un aviso que nunca saldrá."""
    if contacto.no_contactar:
        return False
    return bool(elegir_canales(TUPLA_CANALES, contacto, dia.disponibles, dia.historial.bajas))


def _motivo_sin_canal(contacto: Contacto, dia) -> str:
    if not (contacto.correos or contacto.telefonos):
        return "sin contacto: el deudor no tiene correo ni teléfono válidos"
    if elegir_canales(TUPLA_CANALES, contacto, dia.disponibles):
        return "baja: el deudor pidió no recibir más mensajes por sus contactos"
    return "sin canal: ningún canal configurado sirve para los contactos del deudor"
