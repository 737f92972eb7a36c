"""La interfaz de un canal de envío y el registro (built-ins y plugins por entry points)."""

from __future__ import annotations

import logging
import os
import re
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib.metadata import EntryPoint, entry_points
from typing import Any, ClassVar

from recordar.errores import ErrorCanal

GRUPO_ENTRY_POINTS = "recordar.canales"
# Claves que nunca pueden llevar un secreto literal en el YAML.
CLAVES_SECRETAS = ("contrasena", "password", "token", "clave", "secreto", "auth", "api_key")
# Un nombre de variable de entorno como los de siempre: mayúsculas, cifras y _ (POSIX).
NOMBRE_DE_VARIABLE = re.compile(r"[A-Z_][A-Z0-9_]*")
IDENTIFICADOR = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def parece_variable(valor: object) -> bool:
    """True si `valor` se puede mostrar como nombre de variable de entorno: tiene la forma de
    siempre (RECORDAR_SMTP_CONTRASENA) o, con minúsculas, la variable existe. Lo demás puede ser
    el secreto escrito donde va el nombre y no se muestra nunca."""
    if not isinstance(valor, str):
        return False
    if NOMBRE_DE_VARIABLE.fullmatch(valor):
        return True
    return bool(IDENTIFICADOR.fullmatch(valor)) and valor in os.environ


def no_es_variable(donde: str, ejemplo: str) -> str:
    """El mensaje para un *_env que no nombra una variable: sin su valor, que puede ser la clave."""
    return (
        f"{donde} no es el nombre de una variable de entorno (no se muestra su valor); pon el "
        f"nombre de la variable, p. ej. {ejemplo}, y exporta en ella el secreto"
    )


@dataclass(frozen=True, slots=True)
class Envio:
    """Lo que un canal necesita para enviar un mensaje ya generado."""

    clave: str  # clave de la bitácora (sirve para el Message-ID y como idempotencia)
    canal: str  # email, sms, whatsapp
    cliente: str
    destinatario: str
    asunto: str
    cuerpo: str
    html: str | None = None
    paso: str = ""
    plantilla: str = ""
    facturas: tuple[str, ...] = ()
    # Los valores para una plantilla aprobada de WhatsApp, por nombre (cliente, total,
    # enlace_pago…; ver canales.aprobadas.VARIABLES). Solo los mensajes de WhatsApp los llevan.
    parametros: Mapping[str, str] = field(default_factory=dict)


class ErrorEnvio(Exception):
    """Un envío que no se pudo hacer: temporal (reintentar) o permanente (no reintentar)."""

    def __init__(self, motivo: str, temporal: bool, entregado_quizas: bool = False,
                 espera: float | None = None) -> None:  # fmt: skip
        super().__init__(motivo)
        self.motivo = motivo
        self.temporal = temporal
        # True si el proveedor pudo haberlo recibido (p. ej. se cortó tras enviar los datos).
        self.entregado_quizas = entregado_quizas
        # Segundos que el proveedor pide esperar antes de reintentar (cabecera Retry-After).
        self.espera = espera


class NoEnviado(ErrorEnvio):
    """El canal no hizo la petición porque al mensaje le falta algo que el proveedor exige (p. ej.
    un parámetro vacío de una plantilla aprobada): no salió nada, no se reintenta en esta
    ejecución y se vuelve a intentar en la próxima (la hoja se puede corregir)."""

    def __init__(self, motivo: str) -> None:
        super().__init__(motivo, temporal=False)


class CanalDetenido(ErrorEnvio):
    """El canal entero no puede enviar en esta ejecución (credencial rechazada, cuenta
    restringida, plantilla que no existe…): no se intenta nada más por él y lo que quedaba
    sigue pendiente para la próxima ejecución."""

    def __init__(self, motivo: str) -> None:
        super().__init__(motivo, temporal=True)


class ServidorInalcanzable(CanalDetenido):
    """No se pudo ni conectar: el resto de la ejecución en ese canal no tiene sentido."""


@dataclass(frozen=True, slots=True)
class EstadoEntrega:
    """Lo que el proveedor dice de un mensaje ya aceptado: queued, sent, delivered, read,
    undelivered, failed… con su código de error si no se entregó."""

    proveedor_id: str
    estado: str
    codigo: str | None = None
    motivo: str = ""  # el texto del proveedor para el código


class BajaDelDestinatario(ErrorEnvio):
    """El destinatario pidió no recibir más mensajes por este canal (p. ej. respondió STOP):
    se registra su baja y no se le vuelve a escribir."""

    def __init__(self, motivo: str) -> None:
        super().__init__(motivo, temporal=False)


class Canal:
    """Un transporte: SMTP, Twilio, pasarela HTTP, WhatsApp Cloud, archivo…

    Subclases: declaran `tipo`, `canales` (a qué canales de mensaje sirve), `ajustes`
    (obligatorios) y `opcionales`; implementan `enviar(envio) -> id del proveedor`.
    """

    tipo: ClassVar[str] = ""
    descripcion: ClassVar[str] = ""
    canales: ClassVar[tuple[str, ...]] = ("email", "sms", "whatsapp")
    ajustes: ClassVar[tuple[str, ...]] = ()
    opcionales: ClassVar[tuple[str, ...]] = ()

    def __init__(self, nombre: str, ajustes: dict[str, Any]) -> None:
        self.nombre = nombre
        self.config = dict(ajustes)
        self._revisar_ajustes()
        por_minuto = self.config.get("por_minuto")
        self.limitador = Limitador(float(por_minuto)) if por_minuto else None

    def _revisar_ajustes(self) -> None:
        donde = f"canales.{self.nombre}"
        # costo_por_segmento y max_segmentos: para la vista previa y `validar` (ver preparacion).
        conocidas = {"tipo", "por_minuto", "costo_por_segmento", "max_segmentos", *self.ajustes,
                     *self.opcionales}  # fmt: skip
        for clave in self.config:
            if any(s in clave for s in CLAVES_SECRETAS) and not clave.endswith("_env"):
                raise ErrorCanal(
                    f"{donde}.{clave}: no escribas secretos en la política; pon el nombre de una "
                    f"variable de entorno en {clave}_env y exporta el secreto en ella"
                )
        for clave in self.config:
            if clave not in conocidas:
                raise ErrorCanal(
                    f"{donde}.{clave}: ajuste desconocido para tipo {self.tipo}; "
                    f"admitidos: {', '.join(sorted(conocidas))}"
                )
        faltan = [a for a in self.ajustes if self.config.get(a) in (None, "")]
        if faltan:
            raise ErrorCanal(f"{donde}: falta {', '.join(faltan)} (tipo {self.tipo})")
        for clave, valor in self.config.items():
            if clave.endswith("_env") and valor not in (None, "") and not parece_variable(valor):
                raise ErrorCanal(no_es_variable(f"{donde}.{clave}", self._ejemplo(clave)))
        por_minuto = self.config.get("por_minuto")
        if por_minuto is not None and (
            isinstance(por_minuto, bool)
            or not isinstance(por_minuto, int | float)
            or por_minuto <= 0
        ):
            raise ErrorCanal(f"{donde}.por_minuto: debe ser un número mayor que 0")

    def _ejemplo(self, clave_env: str) -> str:
        """Un nombre de variable de ejemplo para `clave_env`: RECORDAR_SMTP_CONTRASENA."""
        base = re.sub(r"[^A-Z0-9]+", "_", f"{self.tipo}_{clave_env.removesuffix('_env')}".upper())
        return f"RECORDAR_{base.strip('_')}"

    def secreto(self, clave_env: str, requerido: bool = True) -> str | None:
        """El valor de la variable de entorno que nombra `clave_env` en la política."""
        variable = self.config.get(clave_env)
        if not variable:
            if requerido:
                raise ErrorCanal(
                    f"canales.{self.nombre}.{clave_env}: falta el nombre de la variable de entorno"
                )
            return None
        if not parece_variable(variable):
            raise ErrorCanal(no_es_variable(f"canales.{self.nombre}.{clave_env}",
                                            self._ejemplo(clave_env)))  # fmt: skip
        valor = os.environ.get(str(variable))
        if not valor and requerido:
            raise ErrorCanal(
                f"canales.{self.nombre}.{clave_env}: la variable de entorno {variable} no está "
                "definida; expórtala antes de ejecutar recordar"
            )
        return valor

    def revisar_entorno(self) -> list[str]:
        """Lo que `secreto()` diría al enviar, sin leer ningún valor: cada variable de entorno
        que nombra la política (`*_env`) y no está definida."""
        problemas = []
        for clave, variable in self.config.items():
            if clave.endswith("_env") and variable and not os.environ.get(str(variable)):
                problemas.append(
                    f"canales.{self.nombre}.{clave}: la variable de entorno {variable} no está "
                    "definida; expórtala antes de ejecutar recordar"
                )
        return problemas

    def abrir(self) -> None:
        """Prepara conexiones; un fallo aquí es ServidorInalcanzable o ErrorCanal."""

    def cerrar(self) -> None:
        """Libera conexiones."""

    def enviar(self, envio: Envio) -> str:
        raise NotImplementedError

    def estado_de_entrega(self, proveedor_id: str) -> EstadoEntrega | None:
        """El estado de entrega de un mensaje enviado, si el proveedor deja consultarlo (None:
        este canal no sabe; p. ej. Meta solo lo dice por webhook)."""
        return None

    def esperar_turno(self) -> None:
        if self.limitador is not None:
            self.limitador.esperar()


class Limitador:
    """Cubeta de fichas: como mucho `por_minuto` envíos por minuto, a cualquier valor."""

    def __init__(self, por_minuto: float, reloj=time.monotonic, dormir=time.sleep) -> None:
        self.intervalo = 60.0 / por_minuto
        self._siguiente = 0.0
        self._reloj = reloj
        self._dormir = dormir
        self._cerrojo = threading.Lock()

    def esperar(self) -> None:
        with self._cerrojo:
            ahora = self._reloj()
            turno = max(ahora, self._siguiente)
            self._siguiente = turno + self.intervalo
        if turno > ahora:
            self._dormir(turno - ahora)


_REGISTRO: dict[str, type[Canal]] = {}
PAQUETE_PROPIO = "recordar"
_avisados: set[str] = set()
_log = logging.getLogger("recordar.canales")


def registrar(clase: type[Canal]) -> type[Canal]:
    """Registra un tipo de canal a mano (las pruebas lo usan para canales falsos)."""
    _REGISTRO[clase.tipo] = clase
    return clase


def _paquete(punto: EntryPoint) -> str:
    """El paquete (distribución) que declara un punto de entrada, normalizado como en PyPI."""
    nombre = punto.dist.name if punto.dist is not None else punto.module.split(".")[0]
    return re.sub(r"[-_.]+", "-", nombre).lower()


def _puntos() -> tuple[list[EntryPoint], list[EntryPoint]]:
    """(los de recordar, los de plugins) del grupo recordar.canales, sin importar nada."""
    propios, ajenos = [], []
    for punto in entry_points(group=GRUPO_ENTRY_POINTS):
        (propios if _paquete(punto) == PAQUETE_PROPIO else ajenos).append(punto)
    return propios, ajenos


def _cargar(punto: EntryPoint) -> type[Canal]:
    """La clase de un punto de entrada; ErrorPlugin (con el paquete) si no se puede importar."""
    paquete = _paquete(punto)
    try:
        clase = punto.load()
    # SystemExit también: un plugin que sale al importarse haría que recordar terminara con 0
    # sin haber hecho nada. KeyboardInterrupt no: Ctrl+C tiene que seguir interrumpiendo.
    except (Exception, SystemExit) as exc:
        motivo = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        raise ErrorPlugin(
            f"el plugin «{punto.name}» del paquete {paquete} no se pudo cargar ({motivo}); "
            f"actualiza o desinstala {paquete}"
        ) from None
    if not (isinstance(clase, type) and issubclass(clase, Canal)):
        raise ErrorPlugin(
            f"el plugin «{punto.name}» del paquete {paquete} no apunta a una subclase de "
            f"recordar.canales.base.Canal ({punto.value})"
        )
    return clase


class ErrorPlugin(ErrorCanal):
    """Un plugin de canal que no se puede usar."""


def _avisar_choque(tipo: str, ajenos: list[EntryPoint]) -> None:
    """Un plugin que declara un tipo de recordar no lo reemplaza; se avisa una vez."""
    for punto in ajenos:
        completo = f"{_paquete(punto)}:{tipo}"
        if completo not in _avisados:
            _avisados.add(completo)
            _log.warning(
                f"aviso: el paquete {_paquete(punto)} declara otro canal «{tipo}»; se usa el de "
                f"recordar. Para usar el del plugin, escribe tipo: {completo}"
            )


def tipos_de_canal() -> dict[str, type[Canal] | str]:
    """Todos los tipos instalados: los de recordar y los de plugins, por el mismo mecanismo.

    Un plugin que no se puede importar aparece con el motivo en lugar de la clase. Uno que
    declara el nombre de un tipo de recordar aparece como «paquete:nombre».
    """
    propios, ajenos = _puntos()
    tipos: dict[str, type[Canal] | str] = {}
    for punto in propios:
        tipos[punto.name] = _cargar(punto)
    tipos.update(_REGISTRO)
    por_nombre: dict[str, list[EntryPoint]] = {}
    for punto in ajenos:
        por_nombre.setdefault(punto.name, []).append(punto)
    for nombre, puntos in por_nombre.items():
        for punto in puntos:
            clave = nombre if nombre not in tipos and len(puntos) == 1 else _completo(punto)
            try:
                tipos[clave] = _cargar(punto)
            except ErrorPlugin as exc:
                tipos[clave] = str(exc)
    return tipos


def _completo(punto: EntryPoint) -> str:
    return f"{_paquete(punto)}:{punto.name}"


def crear_canal(nombre: str, ajustes: dict[str, Any]) -> Canal:
    """El canal configurado en `canales.NOMBRE` de la política.

    `tipo: smtp` es siempre el de recordar (o uno registrado a mano); un plugin se usa con su
    nombre si ningún tipo de recordar lo tiene, o con `tipo: paquete:nombre`. Solo se importa
    el plugin que la política usa.
    """
    tipo = ajustes.get("tipo")
    if not tipo or not isinstance(tipo, str):
        raise ErrorCanal(f"canales.{nombre}.tipo: falta; tipos instalados: {_lista()}")
    try:
        clase = _resolver(tipo.strip())
    except ErrorCanal as exc:
        raise ErrorCanal(f"canales.{nombre}.tipo: {exc}") from None
    return clase(nombre, ajustes)


def _resolver(tipo: str) -> type[Canal]:
    propios, ajenos = _puntos()
    if ":" in tipo:
        paquete, _, nombre = tipo.partition(":")
        paquete = re.sub(r"[-_.]+", "-", paquete.strip()).lower()
        elegidos = [p for p in propios + ajenos
                    if p.name == nombre.strip() and _paquete(p) == paquete]  # fmt: skip
        if not elegidos:
            raise ErrorCanal(f"«{tipo}» no está instalado; tipos: {_lista()}")
        return _cargar(elegidos[0])
    del_mismo_nombre = [p for p in ajenos if p.name == tipo]
    if tipo in _REGISTRO:
        return _REGISTRO[tipo]
    propio = next((p for p in propios if p.name == tipo), None)
    if propio is not None:
        _avisar_choque(tipo, del_mismo_nombre)
        return _cargar(propio)
    if len(del_mismo_nombre) > 1:
        opciones = ", ".join(_completo(p) for p in del_mismo_nombre)
        raise ErrorCanal(f"varios paquetes declaran «{tipo}»; elige uno: {opciones}")
    if del_mismo_nombre:
        return _cargar(del_mismo_nombre[0])
    raise ErrorCanal(f"«{tipo}» no está instalado; tipos: {_lista()}")


def _lista() -> str:
    """Los nombres de los tipos instalados, sin importar ningún plugin."""
    propios, ajenos = _puntos()
    nombres = {p.name for p in propios} | set(_REGISTRO)
    repetidos = {p.name for p in ajenos if p.name in nombres}
    for p in ajenos:
        nombres.add(_completo(p) if p.name in repetidos else p.name)
    return ", ".join(sorted(nombres))
