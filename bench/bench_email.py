"""Benchmark del canal SMTP contra un sumidero aiosmtpd local.

Uso (desde la raíz del repositorio, con el entorno virtual activado):

    python bench/bench_email.py [--mensajes 10000] [--bloques 10] [--conexiones 2] [--latencia MS]

1. Arranca `python -m aiosmtpd -n -l 127.0.0.1:PUERTO -c aiosmtpd.handlers.Sink` en otro
   proceso (así el servidor no compite por el GIL con el cliente que se mide). Con
   `--latencia MS` el sumidero tarda MS milisegundos en aceptar cada mensaje, como un
   servidor remoto: ahí se ve lo que aportan las conexiones en paralelo.
2. Mide, con el mismo número de mensajes y por el mismo servidor:
   a) smtplib crudo: `sendmail` de un mensaje ya armado (~1,5 KB) por una conexión persistente;
   b) CanalSmtp.enviar() con Envio realistas (texto en español + HTML), una conexión;
   c) CanalSmtp con `conexiones: N` y N hilos.
   Los mensajes se mandan en `--bloques` tandas alternando a, b, c, a, b, c…: si la máquina
   tiene otra carga, la reparten las tres variantes por igual. Se suma el tiempo de cada una.
3. Mide aparte lo que cuesta armar un mensaje (CPU, sin red): Redactor frente a EmailMessage.
4. Imprime mensajes/s, µs de CPU del cliente por mensaje y la razón b/a (objetivo ≥ 80 %).

Solo habla con 127.0.0.1. Sale con 0 aunque no se cumpla el objetivo (es informativo).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import smtplib
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage

from recordar.canales.base import Envio
from recordar.canales.email import CanalSmtp, Redactor

OBJETIVO = 0.80
REMITENTE = "Cobranza Ferretería López <cobranza@ejemplo.com>"
NOMBRES = ("José Núñez", "María Ibáñez", "Ángel Peña", "Sofía Muñoz", "Raúl Gómez", "Inés Díaz")
CUERPO = """Estimado/a {cliente}:

Le recordamos que la factura {factura}, por 1.234,56 €, venció el 15 de noviembre
de 2026 y sigue pendiente de pago. Si ya la pagó, ignore este mensaje. Si no, puede
abonarla en la cuenta ES12 3456 7890 1234 5678 9012 con la factura como concepto.

Un saludo cordial,
Departamento de Cobranza — Ferretería López
"""


def envios(cantidad: int) -> list[Envio]:
    """Envíos distintos (nombre, factura, clave) con ~1,5 KB con texto y HTML."""
    lista = []
    for n in range(cantidad):
        cliente = f"{NOMBRES[n % len(NOMBRES)]} {n}"
        factura = f"F-2026-{n:05d}"
        cuerpo = CUERPO.format(cliente=cliente, factura=factura)
        html = (
            "<html><body>" + "".join(f"<p>{p}</p>" for p in cuerpo.split("\n\n")) + "</body></html>"
        )
        lista.append(
            Envio(
                clave=f"{factura}|recordatorio-1|email",
                canal="email",
                cliente=cliente,
                destinatario=f"cliente{n}@ejemplo.net",
                asunto=f"Recordatorio: la factura {factura} está vencida — Ferretería López",
                cuerpo=cuerpo,
                html=html,
            )
        )
    return lista


def con_email_message(envio: Envio) -> bytes:
    """El mismo correo armado con EmailMessage (el camino «obvio» de la biblioteca estándar)."""
    mensaje = EmailMessage(policy=policy.SMTP)
    mensaje["From"] = REMITENTE
    usuario, _, dominio = envio.destinatario.partition("@")
    mensaje["To"] = Address(envio.cliente, usuario, dominio)
    mensaje["Subject"] = envio.asunto
    mensaje["Date"] = "Mon, 23 Nov 2026 10:00:00 +0100"
    mensaje["Message-ID"] = "<0123456789abcdef0123456789abcdef@ejemplo.com>"
    mensaje.set_content(envio.cuerpo)
    mensaje.add_alternative(envio.html or "", subtype="html")
    return mensaje.as_bytes()


# --- servidor --------------------------------------------------------------------------


class SumideroLento:
    """Handler de aiosmtpd que descarta cada mensaje tras una pausa (latencia simulada)."""

    def __init__(self, milisegundos: float) -> None:
        self.pausa = milisegundos / 1000

    @classmethod
    def from_cli(cls, parser, *args):
        return cls(float(args[0]) if args else 0.0)

    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(self.pausa)
        return "250 OK"


def puerto_libre() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def arrancar_sumidero(puerto: int, latencia: float) -> subprocess.Popen:
    orden = [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{puerto}"]
    if latencia:
        entorno = {**os.environ, "PYTHONPATH": os.path.dirname(os.path.abspath(__file__))}
        orden += ["-c", "bench_email.SumideroLento", str(latencia)]
    else:
        entorno, orden = None, [*orden, "-c", "aiosmtpd.handlers.Sink"]
    proceso = subprocess.Popen(orden, env=entorno)
    limite = time.monotonic() + 15
    while time.monotonic() < limite:
        try:
            with socket.create_connection(("127.0.0.1", puerto), timeout=1) as s:
                if s.recv(100).startswith(b"220"):
                    return proceso
        except OSError:
            time.sleep(0.1)
    proceso.kill()
    raise SystemExit(f"el sumidero aiosmtpd no respondió en 127.0.0.1:{puerto}")


# --- mediciones ------------------------------------------------------------------------


def medir(funcion) -> tuple[float, float]:
    """(segundos de pared, segundos de CPU de este proceso) de una llamada."""
    pared, cpu = time.perf_counter(), time.process_time()
    funcion()
    return time.perf_counter() - pared, time.process_time() - cpu


def crudo(puerto: int, datos: bytes, cantidad: int) -> None:
    conexion = smtplib.SMTP("127.0.0.1", puerto, "localhost", timeout=30)
    for n in range(cantidad):
        conexion.sendmail("cobranza@ejemplo.com", [f"cliente{n}@ejemplo.net"], datos)
    conexion.quit()


def canal(puerto: int, lista: list[Envio], conexiones: int) -> None:
    ajustes = {
        "tipo": "smtp",
        "servidor": "127.0.0.1",
        "puerto": puerto,
        "seguridad": "ninguna",
        "remitente": REMITENTE,
        "conexiones": conexiones,
        "baja": "<mailto:baja@ejemplo.com>",
    }
    smtp = CanalSmtp("email", ajustes)
    smtp.abrir()
    try:
        if conexiones == 1:
            for envio in lista:
                smtp.enviar(envio)
        else:
            with ThreadPoolExecutor(conexiones) as hilos:
                for _ in hilos.map(smtp.enviar, lista):
                    pass
    finally:
        smtp.cerrar()


def coste_de_armar(lista: list[Envio]) -> tuple[float, float, int, int]:
    """µs de CPU por mensaje: Redactor y EmailMessage; y el tamaño de cada uno."""
    redactor = Redactor(("Cobranza Ferretería López", "cobranza@ejemplo.com"))
    muestra = lista[:2000]
    _, cpu_r = medir(lambda: [redactor.redactar(e) for e in muestra])
    pocos = lista[:300]
    _, cpu_e = medir(lambda: [con_email_message(e) for e in pocos])
    tam_r = len(redactor.redactar(lista[0]).datos)
    tam_e = len(con_email_message(lista[0]))
    return cpu_r / len(muestra) * 1e6, cpu_e / len(pocos) * 1e6, tam_r, tam_e


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mensajes", type=int, default=10_000)
    parser.add_argument("--bloques", type=int, default=10)
    parser.add_argument("--conexiones", type=int, default=2)
    parser.add_argument("--latencia", type=float, default=0.0, help="ms por mensaje")
    args = parser.parse_args()

    lista = envios(args.mensajes)
    datos = con_email_message(lista[0])
    puerto = puerto_libre()
    sumidero = arrancar_sumidero(puerto, args.latencia)
    variantes = {
        "a) smtplib crudo, 1 conexión": lambda tanda: crudo(puerto, datos, len(tanda)),
        "b) CanalSmtp, 1 conexión": lambda tanda: canal(puerto, tanda, 1),
        f"c) CanalSmtp, {args.conexiones} conexiones/hilos": lambda tanda: canal(
            puerto, tanda, args.conexiones
        ),
    }
    tiempos = {nombre: [0.0, 0.0] for nombre in variantes}
    largo = -(-args.mensajes // args.bloques)
    try:
        for inicio in range(0, args.mensajes, largo):
            tanda = lista[inicio : inicio + largo]
            for nombre, funcion in variantes.items():
                pared, cpu = medir(lambda f=funcion, t=tanda: f(t))
                tiempos[nombre][0] += pared
                tiempos[nombre][1] += cpu
            print(f"  {inicio + len(tanda)} / {args.mensajes}", flush=True)
    finally:
        sumidero.terminate()
        sumidero.wait(10)
    informar(args, tiempos, lista)


def informar(args: argparse.Namespace, tiempos: dict[str, list[float]], lista: list[Envio]) -> None:
    print()
    print(f"recordar · canal smtp · {date.today()} · {platform.python_implementation()} "
          f"{platform.python_version()} · {os.cpu_count()} CPU · {args.mensajes} mensajes "
          f"por variante en {args.bloques} bloques alternados · latencia del servidor "
          f"{args.latencia:g} ms")  # fmt: skip
    print(f"{'variante':<36} {'msg/s':>8} {'µs CPU cliente/msg':>20}")
    for nombre, (pared, cpu) in tiempos.items():
        print(f"{nombre:<36} {args.mensajes / pared:>8,.0f} {cpu / args.mensajes * 1e6:>20,.0f}")
    crudo_s, canal_s = (pared for pared, _ in list(tiempos.values())[:2])
    razon = crudo_s / canal_s
    estado = "cumple" if razon >= OBJETIVO else "NO cumple"
    print(f"\nrazón b/a: {razon:.0%} (objetivo ≥ {OBJETIVO:.0%}): {estado}")
    redactor, email_message, tam_r, tam_e = coste_de_armar(lista)
    print(
        f"armar un mensaje (solo CPU): Redactor {redactor:,.0f} µs ({tam_r} bytes), "
        f"EmailMessage {email_message:,.0f} µs ({tam_e} bytes)"
    )


if __name__ == "__main__":
    main()
