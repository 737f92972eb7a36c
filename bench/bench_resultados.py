"""`recordar resultados` sobre la bitácora de un año de ejecuciones diarias con 10 000 deudores.

La bitácora se crea con el esquema real (Bitacora.abrir_escritura aplica todas las migraciones)
y se llena con INSERT directos, no con 365 ejecuciones de `recordar enviar`: así se genera en
segundos en vez de horas. Lo que se inserta imita lo que anota un envío real: cada deudor recibe
una factura al mes (vence a 30 días), los pasos vencimiento (día 0), recordatorio (7),
seguimiento (15) y final (30) por correo (y un 30 % también por SMS) hasta que paga; paga entre
0 y 90 días tarde (un 8 % no paga), un 10 % abona una parte antes, un 5 % promete una fecha,
un 2 % entra en disputa; un 1 % de los envíos falla y un 0,2 % queda incierto. Con
`--parte-usd 0.2`, un 20 % de los deudores factura en USD (sus saldos y mensajes en USD): mide
lo que cuesta separar las monedas (MXN por omisión, USD con --moneda USD).

Uso: python bench/bench_resultados.py [--deudores 10000] [--repeticiones 3] [--parte-usd 0]
Mide la orden entera (`python -m recordar resultados`, arranque e imports incluidos), con los
90 días por omisión y con el año entero, en texto y con --salida .html/.xlsx.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import sqlite3
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

AQUI = Path(__file__).resolve().parent
HASTA = date(2026, 11, 30)
DIAS = 365
PASOS = (("vencimiento", 0), ("recordatorio", 7), ("seguimiento", 15), ("final", 30))


def construir(ruta: Path, deudores: int, semilla: int = 14, parte_usd: float = 0.0
              ) -> dict[str, int]:  # fmt: skip
    sys.path.insert(0, str(AQUI.parent / "src"))
    from recordar.bitacora import Bitacora

    if ruta.exists():
        ruta.unlink()
    Bitacora.abrir_escritura(ruta).cerrar()  # el esquema real, con todas las migraciones
    azar, otra = random.Random(semilla), random.Random(semilla + 1)
    inicio = HASTA - timedelta(days=DIAS - 1)
    envios, facturas_envio, pagos, saldos, vistas = [], [], [], [], []
    ahora = "2026-11-30T09:00:00-06:00"
    id_envio = 0
    for n in range(deudores):
        cliente, deudor = f"Cliente {n:05d} S.A.", f"cliente {n:05d}"
        sms = azar.random() < 0.3
        # Otro generador: con --parte-usd 0 la bitácora es idéntica a la de antes.
        moneda = "USD" if parte_usd and otra.random() < parte_usd else "MXN"
        emision = inicio - timedelta(days=azar.randrange(30))
        k = 0
        while emision <= HASTA:
            numero = f"F-{n:05d}-{k:02d}"
            k += 1
            venc = emision + timedelta(days=30)
            monto = azar.randrange(500, 50000)
            pago = (
                None
                if azar.random() < 0.08
                else venc + timedelta(days=int(azar.expovariate(1 / 20)))
            )
            pago = pago if pago is None or pago <= HASTA else None
            visto = max(emision, inicio)
            saldos.append((numero, visto, deudor, cliente, monto, venc, None, 0, moneda))
            if azar.random() < 0.10:  # abono antes de pagar
                dia = visto + timedelta(days=azar.randrange(5, 40))
                if pago is None or dia < pago:
                    monto = monto // 2
                    saldos.append((numero, dia, deudor, cliente, monto, venc, None, 0, moneda))
            if azar.random() < 0.05:  # promesa
                dia = venc + timedelta(days=azar.randrange(1, 10))
                if dia <= HASTA and (pago is None or dia < pago):
                    saldos.append((numero, dia, deudor, cliente, monto, venc,
                                   (dia + timedelta(days=7)).isoformat(), 0, moneda))  # fmt: skip
            if azar.random() < 0.02:  # disputa
                dia = venc + timedelta(days=azar.randrange(1, 20))
                if dia <= HASTA and (pago is None or dia < pago):
                    saldos.append((numero, dia, deudor, cliente, monto, venc, None, 1, moneda))
            for paso, dias in PASOS:
                fecha = venc + timedelta(days=dias)
                if fecha < inicio or fecha > HASTA or (pago is not None and fecha >= pago):
                    continue
                for canal in ("email", "sms") if sms else ("email",):
                    id_envio += 1
                    suerte = azar.random()
                    estado = (
                        "fallido" if suerte < 0.01 else "incierto" if suerte < 0.012 else "enviado"
                    )
                    destinatario = f"c{n}@ejemplo.com" if canal == "email" else f"+5255{n:08d}"
                    envios.append((id_envio, f"{numero}|{paso}|{canal}", json.dumps([numero]), paso,
                                   canal, destinatario, deudor, cliente, estado, str(monto), moneda,
                                   dias, fecha.isoformat(), ahora, ahora))  # fmt: skip
                    facturas_envio.append((id_envio, numero))
            if pago is not None:
                avisos = [
                    venc + timedelta(days=d) for _, d in PASOS if venc + timedelta(days=d) < pago
                ]
                ultimo = avisos[-1] if avisos else None
                pagos.append((numero, deudor, cliente, str(monto), venc.isoformat(), pago.isoformat(),
                              max((pago - venc).days, 0), None, ultimo and ultimo.isoformat(),
                              (pago - ultimo).days if ultimo else None, 1, visto.isoformat()))  # fmt: skip
            else:
                vistas.append((numero, deudor, cliente, str(monto), venc.isoformat(),
                               visto.isoformat(), HASTA.isoformat()))  # fmt: skip
            emision += timedelta(days=30)
    con = sqlite3.connect(ruta)
    with con:
        con.executemany(
            "INSERT INTO envios (id, clave, facturas, paso, canal, destinatario, deudor, cliente, "
            "estado, total, moneda, dias_vencido, fecha_plan, creado, actualizado) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            envios,
        )
        con.executemany(
            "INSERT INTO envio_facturas (envio_id, factura) VALUES (?, ?)", facturas_envio
        )
        con.executemany(
            "INSERT INTO pagos (numero, deudor, cliente, monto, vencimiento, fecha, dias_tarde, "
            "ultimo_aviso, fecha_ultimo_aviso, dias_tras_aviso, por_desaparicion, primera_vez) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            pagos,
        )
        con.executemany(
            "INSERT OR REPLACE INTO saldos (numero, fecha, deudor, cliente, monto, vencimiento, "
            "promesa, disputa, moneda) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(s[0], s[1].isoformat(), s[2], s[3], f"{s[4]}.00", s[5].isoformat(), s[6], s[7], s[8])
             for s in saldos],
        )  # fmt: skip
        con.executemany(
            "INSERT INTO facturas_vistas (numero, deudor, cliente, monto, vencimiento, primera_vez, "
            "ultima_vez) VALUES (?, ?, ?, ?, ?, ?, ?)",
            vistas,
        )
        con.executemany(
            "INSERT INTO ejecuciones (fecha, abiertas, creado) VALUES (?, ?, ?)",
            [((inicio + timedelta(days=i)).isoformat(), len(vistas), ahora) for i in range(DIAS)],
        )
    con.close()
    return {"envios": len(envios), "pagos": len(pagos), "saldos": len(saldos),
            "abiertas": len(vistas), "megabytes": round(ruta.stat().st_size / 2**20, 1)}  # fmt: skip


def medir(ruta: Path, extra: list[str], repeticiones: int) -> tuple[list[float], list[float]]:
    orden = [sys.executable, "-m", "recordar", "resultados", "--bitacora", str(ruta),
             "--hasta", HASTA.isoformat(), *extra]  # fmt: skip
    entorno = {**os.environ, "PYTHONPATH": str(AQUI.parent / "src"), "RECORDAR_ANCHO": "120"}
    tiempos, cpu = [], []
    for _ in range(repeticiones):
        antes = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        r = subprocess.run(orden, capture_output=True, text=True, env=entorno, cwd=ruta.parent)
        tiempos.append(time.perf_counter() - t0)
        despues = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(despues.ru_utime + despues.ru_stime - antes.ru_utime - antes.ru_stime)
        if r.returncode != 0:
            sys.exit(f"falló {' '.join(orden)}:\n{r.stdout}{r.stderr}")
    return tiempos, cpu


def main() -> None:
    argumentos = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    argumentos.add_argument("--deudores", type=int, default=10_000)
    argumentos.add_argument("--repeticiones", type=int, default=3)
    argumentos.add_argument("--parte-usd", type=float, default=0.0)
    argumentos.add_argument("--salida-dir", type=Path, default=AQUI / "salida")
    opciones = argumentos.parse_args()
    opciones.salida_dir.mkdir(parents=True, exist_ok=True)
    sufijo = f"_usd{opciones.parte_usd:g}" if opciones.parte_usd else ""
    ruta = opciones.salida_dir / f"bitacora_resultados_{opciones.deudores}{sufijo}.sqlite"
    t0 = time.perf_counter()
    tamano = construir(ruta, opciones.deudores, parte_usd=opciones.parte_usd)
    print(f"bitácora: {tamano} ({time.perf_counter() - t0:.1f} s)")
    anio = (HASTA - timedelta(days=DIAS - 1)).isoformat()
    casos = {
        "90 días, terminal": [],
        "90 días, --salida .html": ["--salida", "r.html"],
        "90 días, --salida .xlsx": ["--salida", "r.xlsx"],
        "un año, terminal": ["--desde", anio],
        "un año, --cliente": ["--desde", anio, "--cliente", "cliente 00042"],
    }
    if opciones.parte_usd:
        casos["90 días, --moneda USD"] = ["--moneda", "USD"]
    cifras = {}
    for nombre, extra in casos.items():
        tiempos, cpu = medir(ruta, extra, opciones.repeticiones)
        cifras[nombre] = {"mejor": round(min(tiempos), 2), "mediana": round(sorted(tiempos)[len(tiempos) // 2], 2),
                          "cpu_mejor": round(min(cpu), 2)}  # fmt: skip
        print(f"{nombre:28} mejor {min(tiempos):5.2f} s · mediana {cifras[nombre]['mediana']:5.2f} s"
              f" · CPU {min(cpu):5.2f} s")  # fmt: skip
    piso, cpu = medir(ruta, ["--help"], opciones.repeticiones)
    print(f"{'piso (resultados --help)':28} mejor {min(piso):5.2f} s · CPU {min(cpu):5.2f} s")
    print(f"carga de la máquina (1 min): {os.getloadavg()[0]:.1f}")
    (opciones.salida_dir / f"resultados_bench_resultados{sufijo}.json").write_text(
        json.dumps({"bitacora": tamano, "tiempos": cifras, "piso_help": round(min(piso), 2)},
                   ensure_ascii=False, indent=1), encoding="utf-8")  # fmt: skip


if __name__ == "__main__":
    main()
