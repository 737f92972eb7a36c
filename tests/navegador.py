"""Chromium sin pantalla manejado por su protocolo de depuración (CDP) a través de una tubería
(--remote-debugging-pipe): sin dependencias ni puertos. Lo usan tests/test_informe_html.py y
bench/bench_informes.py.

`--window-size` no baja de 500 px en Chromium sin pantalla y, sin modo móvil, la etiqueta
viewport ni se mira: el ancho de un teléfono se emula con Emulation.setDeviceMetricsOverride.
"""

from __future__ import annotations

import json
import os
import select
import shutil
import subprocess
import time
from pathlib import Path

ESPERA = 30  # segundos como mucho por orden a Chromium


class Navegador:
    """Chromium sin pantalla con --remote-debugging-pipe: órdenes JSON terminadas en \\0 por el
    descriptor 3, respuestas y eventos por el 4."""

    def __init__(self, carpeta: Path) -> None:
        ejecutable = shutil.which("chromium")
        assert ejecutable, "falta Chromium: apt-get install chromium (lo instala .ci/run)"
        leer_hijo, self._escribir = os.pipe()
        self._leer, escribir_hijo = os.pipe()

        def en_el_hijo() -> None:  # 3 y 4 heredables, aunque la tubería ya los ocupara
            a, b = os.dup(leer_hijo), os.dup(escribir_hijo)
            os.dup2(a, 3)
            os.dup2(b, 4)

        self.proceso = subprocess.Popen(
            [ejecutable, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--disable-extensions", "--remote-debugging-pipe", f"--user-data-dir={carpeta}",
             "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            preexec_fn=en_el_hijo, close_fds=False,
        )  # fmt: skip
        os.close(leer_hijo)
        os.close(escribir_hijo)
        self._n = 0
        self._resto = b""
        self._eventos: list[dict] = []

    def _recibir(self, limite: float) -> dict:
        while b"\0" not in self._resto:
            listo, _, _ = select.select([self._leer], [], [], max(limite - time.monotonic(), 0))
            assert listo, "Chromium no respondió a tiempo"
            trozo = os.read(self._leer, 1 << 20)
            assert trozo, "Chromium se cerró"
            self._resto += trozo
        linea, self._resto = self._resto.split(b"\0", 1)
        return json.loads(linea)

    def orden(self, metodo: str, sesion: str | None = None, **parametros) -> dict:
        self._n += 1
        pedido = {"id": self._n, "method": metodo, "params": parametros}
        if sesion:
            pedido["sessionId"] = sesion
        os.write(self._escribir, json.dumps(pedido).encode() + b"\0")
        limite = time.monotonic() + ESPERA
        while True:
            respuesta = self._recibir(limite)
            if respuesta.get("id") == self._n:
                assert "error" not in respuesta, (metodo, respuesta["error"])
                return respuesta["result"]
            self._eventos.append(respuesta)

    def _esperar(self, evento: str, sesion: str) -> None:
        limite = time.monotonic() + ESPERA
        while True:
            for i, e in enumerate(self._eventos):
                if e.get("method") == evento and e.get("sessionId") == sesion:
                    del self._eventos[i]
                    return
            self._eventos.append(self._recibir(limite))

    def abrir(self, ruta: Path, ancho: int, movil: bool) -> str:
        """Abre `ruta` en una pestaña nueva de `ancho` px (como teléfono si `movil`)."""
        pestana = self.orden("Target.createTarget", url="about:blank")["targetId"]
        sesion = self.orden("Target.attachToTarget", targetId=pestana, flatten=True)["sessionId"]
        self.orden("Emulation.setDeviceMetricsOverride", sesion, width=ancho, height=844,
                   deviceScaleFactor=3 if movil else 1, mobile=movil)  # fmt: skip
        self.orden("Page.enable", sesion)
        self.orden("Page.navigate", sesion, url=ruta.resolve().as_uri())
        self._esperar("Page.loadEventFired", sesion)
        return sesion

    def evaluar(self, sesion: str, expresion: str):
        resultado = self.orden("Runtime.evaluate", sesion, expression=expresion,
                               returnByValue=True)  # fmt: skip
        assert "exceptionDetails" not in resultado, resultado
        return resultado["result"].get("value")

    def cerrar(self) -> None:
        try:
            self.orden("Browser.close")
        finally:
            try:
                self.proceso.wait(10)
            except subprocess.TimeoutExpired:
                self.proceso.kill()
                self.proceso.wait()
            os.close(self._escribir)
            os.close(self._leer)
