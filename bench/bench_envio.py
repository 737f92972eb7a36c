"""Envío real de punta a punta: `recordar enviar` con bitácora contra un servidor SMTP local.

Lado a lado, en la misma ejecución: smtplib a pelo por una conexión persistente (el piso).
Todo en 127.0.0.1. Uso: python bench/bench_envio.py [--mensajes 10000] [--conexiones 1 2]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import smtplib
import socket
import subprocess
import sys
import time
from datetime import date, timedelta
from email.message import EmailMessage
from email.policy import SMTP
from pathlib import Path

AQUI = Path(__file__).resolve().parent
HOY = date(2026, 11, 23)


def puerto_libre() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def arrancar_sumidero(puerto: int) -> subprocess.Popen:
    proceso = subprocess.Popen(
        [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{puerto}", "-c", "aiosmtpd.handlers.Sink"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", puerto), timeout=0.2).close()
            return proceso
        except OSError:
            time.sleep(0.05)
    proceso.kill()
    raise RuntimeError("el sumidero SMTP no arrancó")


def escribir_cartera(ruta: Path, n: int) -> None:
    from openpyxl import Workbook

    libro = Workbook(write_only=True)
    hoja = libro.create_sheet("Cartera")
    hoja.append(["Cliente", "Correo", "Factura", "Vencimiento", "Importe"])
    vencimiento = HOY - timedelta(days=1)
    for i in range(n):
        hoja.append(
            [f"Cliente Núñez {i}", f"cliente{i}@ejemplo.com", f"F-{i}", vencimiento, 1000 + i]
        )
    libro.save(ruta)


def piso_smtplib(puerto: int, n: int) -> float:
    """Segundos para mandar n mensajes ya armados por una sola conexión."""
    mensaje = EmailMessage()
    mensaje["From"] = "Cobranza <cobranza@ejemplo.com>"
    mensaje["To"] = "Cliente <cliente@ejemplo.com>"
    mensaje["Subject"] = "Recordatorio de pago: factura F-1"
    mensaje.set_content("Hola, le recordamos su factura pendiente.\n" * 30)
    datos = mensaje.as_bytes(policy=SMTP)
    inicio = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", puerto) as smtp:
        for i in range(n):
            smtp.sendmail("cobranza@ejemplo.com", [f"cliente{i}@ejemplo.com"], datos)
    return time.perf_counter() - inicio


def correr_recordar(carpeta: Path, puerto: int, conexiones: int) -> tuple[float, dict]:
    (carpeta / "politica.yaml").write_text(
        "pasos:\n  - {id: recordatorio, dias: 1, canales: [email], plantilla: recordatorio}\n"
        f"canales:\n  email: {{tipo: smtp, servidor: 127.0.0.1, puerto: {puerto}, seguridad: ninguna,"
        f' conexiones: {conexiones}, remitente: "Cobranza <cobranza@ejemplo.com>"}}\n',
        encoding="utf-8",
    )
    for viejo in carpeta.glob("recordar-bitacora.sqlite*"):
        viejo.unlink()
    recordar = shutil.which("recordar") or "recordar"
    orden = [
        recordar,
        "enviar",
        "cartera.xlsx",
        "--hoy",
        HOY.isoformat(),
        "--salida",
        "informe.json",
    ]
    inicio = time.perf_counter()
    resultado = subprocess.run(
        orden, cwd=carpeta, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    segundos = time.perf_counter() - inicio
    if resultado.returncode != 0:
        raise RuntimeError(f"recordar salió con {resultado.returncode}: {resultado.stderr[-500:]}")
    informe = json.loads((carpeta / "informe.json").read_text(encoding="utf-8"))
    return segundos, informe


def main() -> None:
    argumentos = argparse.ArgumentParser(description=__doc__)
    argumentos.add_argument("--mensajes", type=int, default=10_000)
    argumentos.add_argument("--conexiones", type=int, nargs="+", default=[1, 2])
    opciones = argumentos.parse_args()
    n = opciones.mensajes
    carpeta = AQUI / "salida" / f"envio_{n}"
    carpeta.mkdir(parents=True, exist_ok=True)
    if not (carpeta / "cartera.xlsx").exists():
        escribir_cartera(carpeta / "cartera.xlsx", n)
    puerto = puerto_libre()
    sumidero = arrancar_sumidero(puerto)
    filas = []
    try:
        piso = piso_smtplib(puerto, n)
        filas.append(("smtplib a pelo, 1 conexión (piso)", n, piso, n / piso, 1.0))
        for conexiones in opciones.conexiones:
            segundos, informe = correr_recordar(carpeta, puerto, conexiones)
            enviados = sum(1 for m in informe["mensajes"] if m["estado"] == "enviado")
            assert enviados == n, f"se esperaban {n} enviados y hubo {enviados}"
            nombre = (
                f"recordar enviar (todo: hoja+plan+plantillas+bitácora), {conexiones} conexión(es)"
            )
            filas.append(
                (
                    nombre,
                    enviados,
                    segundos,
                    enviados / segundos,
                    (enviados / segundos) / (n / piso),
                )
            )
    finally:
        sumidero.terminate()
        sumidero.wait(10)
    print(f"\n{n} emails a un sumidero aiosmtpd en 127.0.0.1 ({os.cpu_count()} núcleos)\n")
    print(f"{'qué':<75} {'mensajes':>9} {'s':>7} {'msg/s':>8} {'vs piso':>8}")
    for nombre, mensajes, segundos, por_segundo, proporcion in filas:
        print(f"{nombre:<75} {mensajes:>9} {segundos:>7.2f} {por_segundo:>8.0f} {proporcion:>7.0%}")
    print("\nObjetivo del issue: al menos 80 % del piso.")
    resultados = [
        dict(zip(("que", "mensajes", "segundos", "msg_s", "vs_piso"), f, strict=True))
        for f in filas
    ]
    (AQUI / "salida" / "resultados_envio.json").write_text(
        json.dumps(resultados, indent=1), encoding="utf-8"
    )


if __name__ == "__main__":
    main()
