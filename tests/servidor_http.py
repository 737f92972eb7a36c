"""Un servidor HTTP de verdad en 127.0.0.1 para probar los canales: graba cada petición
y contesta lo que la prueba le programe (estado, JSON, demora, corte de conexión)."""

from __future__ import annotations

import base64
import json
import socket
import threading
from collections import deque
from dataclasses import dataclass, field
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest


@dataclass
class Peticion:
    metodo: str
    ruta: str  # con la consulta, tal como llegó
    cabeceras: Message  # sin distinguir mayúsculas: cabeceras["content-type"]
    cuerpo: bytes
    puerto_cliente: int  # el mismo en dos peticiones = conexión reutilizada

    def json(self) -> Any:
        return json.loads(self.cuerpo)

    def formulario(self) -> dict[str, str]:
        return dict(parse_qsl(self.cuerpo.decode("utf-8"), keep_blank_values=True))

    def consulta(self) -> dict[str, str]:
        return dict(parse_qsl(urlsplit(self.ruta).query, keep_blank_values=True))

    def basic(self) -> tuple[str, str]:
        """(usuario, contraseña) de una cabecera Authorization: Basic."""
        esquema, _, valor = self.cabeceras["Authorization"].partition(" ")
        assert esquema == "Basic"
        usuario, _, clave = base64.b64decode(valor).decode("utf-8").partition(":")
        return usuario, clave


@dataclass
class Respuesta:
    estado: int = 200
    cuerpo: Any = field(default_factory=dict)  # dict o lista → JSON; str o bytes tal cual
    demora: float = 0.0  # segundos antes de contestar (para provocar timeouts)
    cabeceras: dict[str, str] = field(default_factory=dict)
    cortar: bool = False  # cerrar la conexión sin contestar
    cerrar_despues: bool = False  # contestar y cerrar la conexión sin avisar al cliente

    def datos(self) -> tuple[bytes, str]:
        if isinstance(self.cuerpo, bytes):
            return self.cuerpo, "application/octet-stream"
        if isinstance(self.cuerpo, str):
            return self.cuerpo.encode("utf-8"), "text/plain; charset=utf-8"
        return json.dumps(self.cuerpo).encode("utf-8"), "application/json"


class _Servidor(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # no esperar a hilos dormidos en una demora
    al_cerrar = staticmethod(lambda: None)

    def shutdown_request(self, request) -> None:
        super().shutdown_request(request)
        self.al_cerrar()


class ServidorHttp:
    """`with ServidorHttp() as servidor:`; `servidor.responder(...)` programa las respuestas."""

    def __init__(self) -> None:
        self.peticiones: list[Peticion] = []
        self.cerradas = threading.Semaphore(0)  # una ficha por conexión ya cerrada
        self._respuestas: deque[Respuesta] = deque([Respuesta()])
        self._parar = threading.Event()
        self._cerrojo = threading.Lock()
        self._servidor = _Servidor(("127.0.0.1", 0), self._manejador())
        self._servidor.al_cerrar = self.cerradas.release
        self._hilo = threading.Thread(
            target=self._servidor.serve_forever, args=(0.05,), daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._servidor.server_address[1]}"

    def responder(self, *respuestas: Respuesta) -> None:
        """Las próximas respuestas, en orden; la última se repite."""
        with self._cerrojo:
            self._respuestas = deque(respuestas)

    def __enter__(self) -> ServidorHttp:
        self._hilo.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._parar.set()
        self._servidor.shutdown()
        self._servidor.server_close()
        self._hilo.join()

    def _siguiente(self, peticion: Peticion) -> Respuesta:
        with self._cerrojo:
            self.peticiones.append(peticion)
            if len(self._respuestas) > 1:
                return self._respuestas.popleft()
            return self._respuestas[0]

    def _manejador(self) -> type[BaseHTTPRequestHandler]:
        servidor = self

        class Manejador(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, como los proveedores reales

            def _atender(self) -> None:
                largo = int(self.headers.get("Content-Length") or 0)
                peticion = Peticion(
                    self.command,
                    self.path,
                    self.headers,
                    self.rfile.read(largo),
                    self.client_address[1],
                )
                respuesta = servidor._siguiente(peticion)
                if respuesta.demora and servidor._parar.wait(respuesta.demora):
                    return
                if respuesta.cortar:
                    self.close_connection = True
                    return
                datos, tipo = respuesta.datos()
                try:
                    self.send_response(respuesta.estado)
                    self.send_header("Content-Type", tipo)
                    self.send_header("Content-Length", str(len(datos)))
                    for nombre, valor in respuesta.cabeceras.items():
                        self.send_header(nombre, valor)
                    self.end_headers()
                    self.wfile.write(datos)
                    self.wfile.flush()
                except OSError:  # el cliente ya se fue (timeout)
                    self.close_connection = True
                if respuesta.cerrar_despues:
                    self.close_connection = True

            do_GET = do_POST = do_PUT = _atender

            def log_message(self, *_: object) -> None:
                pass

        return Manejador


def puerto_cerrado() -> int:
    """Un puerto de 127.0.0.1 en el que no escucha nadie (conectar da «conexión rechazada»)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def servidor():
    """Un servidor HTTP local que graba las peticiones (para SMS y WhatsApp)."""
    with ServidorHttp() as s:
        yield s


# Los canales guardan sus conexiones para reusarlas: se cierran al final de cada prueba.
ABIERTOS: list = []


@pytest.fixture(autouse=True)
def cerrar_canales():
    yield
    while ABIERTOS:
        ABIERTOS.pop().cerrar()
