"""Benchmark de `recordar enviar CARTERA --simulacro` con una cartera grande (100 000 filas).

Uso (desde la raíz del repositorio, con el entorno virtual activado):

    python bench/bench_simulacro.py [--filas 100000] [--salida-dir bench/salida] [--repeticiones 3]

1. Genera (con semilla fija, siempre igual) una cartera realista en .xlsx (openpyxl en modo
   write_only) y en .csv (`;`, cp1252, coma decimal, fechas dd/mm/aaaa, título encima de la
   cabecera). Si ya existen con el mismo número de filas (ver manifiesto_FILAS.json), no se
   regeneran.
2. Mide de punta a punta `recordar enviar … --simulacro --hoy 2026-11-23 --salida …json`
   (stdout a /dev/null) N veces por formato, alternando xlsx y csv: tiempo de pared (el mejor
   y la mediana de N) y pico de RSS.
3. Tras cada corrida mide su «piso»: solo leer el archivo y un bucle de render Jinja2 puro con
   tantos mensajes como produjo la ejecución real (se informa el mejor de N).
4. Imprime una tabla, compara con los objetivos y guarda todo en resultados.json.

Cada medición corre en un proceso envoltorio nuevo (`python -c …`) que lanza la orden y lee
`resource.getrusage(RUSAGE_CHILDREN).ru_maxrss`, así los picos de memoria de una medición no se
mezclan con los de otra. Sale con 0 aunque no se cumplan los objetivos (es informativo); sale con
1 solo si la orden falla.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import unicodedata
from datetime import date, datetime, timedelta
from pathlib import Path

HOY = date(2026, 11, 23)
SEMILLA = 20261123
VERSION_GENERADOR = 1  # súbela si cambia lo que se genera: obliga a regenerar
AQUI = Path(__file__).resolve().parent
OBJETIVOS = {"xlsx": 6.0, "csv": 4.0}  # segundos para 100 000 filas
OBJETIVO_PICO_MIB = 500.0
CABECERA = [
    "Cliente",
    "Correo",
    "Teléfono",
    "Factura",
    "Vencimiento",
    "Importe",
    "Moneda",
    "Estado",
    "Vendedor",
]

# ---------------------------------------------------------------------------------------------
# Generación de la cartera
# ---------------------------------------------------------------------------------------------

NOMBRES = (
    "José", "María", "Ángel", "Sofía", "Raúl", "Inés", "Héctor", "Mónica", "Óscar", "Julián",
    "Martín", "Andrés", "Lucía", "Ramón", "Adrián", "Iván", "Verónica", "Rocío", "Jesús",
    "Joaquín", "Germán", "Elías", "Efraín", "Nicolás", "Tomás", "Agustín", "Sebastián",
    "Valentín", "Marisol", "Guadalupe", "Fernanda", "Ximena", "Alejandro", "Patricia", "Carmen",
    "Rosa", "Luis", "Jorge", "Miguel", "Ana", "Laura", "Diego", "Pablo", "Elena", "Begoña",
    "Renée", "Zoé", "Noé",
)  # fmt: skip
APELLIDOS = (
    "Núñez", "Peña", "Ibáñez", "Córdova", "Muñoz", "Hernández", "López", "García", "Martínez",
    "Rodríguez", "González", "Pérez", "Sánchez", "Ramírez", "Gómez", "Díaz", "Vázquez",
    "Jiménez", "Ruiz", "Álvarez", "Domínguez", "Gutiérrez", "Méndez", "Cortés", "Chávez",
    "Ortiz", "Mendoza", "Cruz", "Morales", "Reyes", "Acuña", "Ríos", "Suárez", "Velázquez",
    "Juárez", "Rentería", "Galván", "Aguilar", "Castañeda", "Zúñiga", "Ordóñez", "Quiñones",
    "Valdés", "Beltrán", "Bermúdez", "Carrión", "Echeverría", "Guzmán", "Lozano", "Márquez",
    "Solís", "Téllez", "Villaseñor", "Yáñez", "Ochoa", "Salazar", "Treviño", "Garza", "Cantú",
    "Montaño",
)  # fmt: skip
GIROS = (
    "Abarrotes", "Ferretería", "Tlapalería", "Papelería", "Farmacia", "Construcciones",
    "Transportes", "Distribuidora", "Comercializadora", "Refaccionaria", "Panadería",
    "Tortillería", "Taller Mecánico", "Materiales", "Plomería", "Carpintería", "Eléctrica",
    "Inmobiliaria", "Servicios", "Lavandería", "Mueblería", "Óptica", "Cerrajería", "Vidriería",
)  # fmt: skip
LUGARES = (
    "La Güera", "San Martín", "del Bajío", "El Águila", "La Económica", "del Norte", "Guadalajara",
    "La Peñita", "Santa Bárbara", "El Pirúl", "San José", "La Higuera", "Los Ángeles", "Jalapeño",
)  # fmt: skip
SOCIEDADES = ("", "", " S.A. de C.V.", " S. de R.L. de C.V.", " S.C.")
DOMINIOS = ("ejemplo.com", "ejemplo.mx", "correo.ejemplo.net")
VENDEDORES = (
    "Marta Ibáñez", "Jorge Peña", "Lucía Núñez", "Raúl Domínguez", "Sofía Treviño",
    "Óscar Cantú", "Inés Zúñiga", "Ramón Galván", "Ana Solís", "Héctor Yáñez",
)  # fmt: skip
# Ladas: (código, dígitos del número local).
LADAS = (
    ("55", 8), ("55", 8), ("55", 8), ("33", 8), ("81", 8), ("477", 7), ("442", 7), ("222", 7),
    ("999", 7), ("664", 7), ("614", 7), ("998", 7), ("461", 7), ("744", 7),
)  # fmt: skip
FILAS_MUESTRA_SEPARADOR = 40  # ver _alejar_correos_dobles
FECHAS_IMPOSIBLES = ("31/02/2026", "30/02/2026", "31/11/2026", "31/04/2026", "31/09/2026")
IMPORTES_MALOS = ("pendiente de revisar", "N/D", "por confirmar", "ver contrato", "—")


def _ascii(texto: str) -> str:
    s = unicodedata.normalize("NFKD", texto).encode("ascii", "ignore").decode("ascii").lower()
    return "".join(c if c.isalnum() else "." for c in s).strip(".").replace("..", ".")


def _clave(nombre: str) -> str:
    s = unicodedata.normalize("NFKD", nombre).encode("ascii", "ignore").decode("ascii").lower()
    return " ".join("".join(c if c.isalnum() else " " for c in s).split())


def _telefono(rng: random.Random) -> str:
    lada, largo = rng.choice(LADAS)
    local = str(rng.randrange(2 * 10 ** (largo - 1), 10**largo))  # no empieza con 0 ni 1
    if largo == 8:
        a, b = local[:4], local[4:]
    else:
        a, b = local[:3], local[3:]
    formato = rng.random()
    if formato < 0.35:
        return f"{lada} {a} {b}"
    if formato < 0.50:
        return f"+52 1 {lada} {a} {b}"
    if formato < 0.62:
        return f"+52 {lada} {a} {b}"
    if formato < 0.75:
        return f"({lada}) {a}-{b}"
    if formato < 0.88:
        return f"{lada}{local}"
    return f"{lada}-{a}-{b}" if largo == 7 else f"{lada}-{local[:4]}-{local[4:]}"


def _deudores(rng: random.Random, filas: int) -> list[dict]:
    """Deudores distintos (según recordar: sin acentos ni mayúsculas) con 1–8 facturas cada uno."""
    deudores: list[dict] = []
    vistos: set[str] = set()
    total = 0
    while total < filas:
        while True:
            if rng.random() < 0.72:
                nombre = f"{rng.choice(NOMBRES)} {rng.choice(APELLIDOS)} {rng.choice(APELLIDOS)}"
                usuario = _ascii(nombre.split()[0] + "." + nombre.split()[1])
            else:
                giro = rng.choice(GIROS)
                resto = rng.choice(LUGARES) if rng.random() < 0.3 else rng.choice(APELLIDOS)
                nombre = f"{giro} {resto}{rng.choice(SOCIEDADES)}"
                usuario = _ascii(f"{giro}.{resto}")
            if _clave(nombre) not in vistos:
                vistos.add(_clave(nombre))
                break
        n = rng.choices(range(1, 9), weights=(16, 15, 14, 13, 12, 11, 10, 9))[0]
        n = min(n, filas - total)
        total += n
        indice = len(deudores)
        correos: list[str] = []
        if rng.random() < 0.94:
            correos.append(f"{usuario}{indice % 97}@{rng.choice(DOMINIOS)}")
            if rng.random() < 0.12:
                correos.append(f"pagos.{usuario}@{rng.choice(DOMINIOS)}")
        telefonos: list[str] = []
        if rng.random() < 0.85:
            telefonos.append(_telefono(rng))
            if rng.random() < 0.04:
                telefonos.append(_telefono(rng))
        deudores.append(
            {
                "nombre": nombre,
                "correo": "; ".join(correos),
                "telefono": " / ".join(telefonos),
                "facturas": n,
                "vendedor": rng.choice(VENDEDORES),
                "moneda": "USD" if rng.random() < 0.03 else "MXN",
            }
        )
    return deudores


def _alejar_correos_dobles(registros: list[dict]) -> None:
    """Rodeo temporal: deja sin celdas «a@x; b@y» las primeras FILAS_MUESTRA_SEPARADOR filas.

    recordar adivina el separador del CSV contando «;» y «,» por línea en las primeras 40 líneas
    sin tener en cuenta las comillas: con coma decimal cada línea tiene exactamente una «,», y
    cada celda con dos correos añade un «;», así que con 3 o más de esas celdas en la muestra
    elige «,» y falla («no encontré una fila de encabezados»). Con --sin-rodeo se reproduce.
    """
    libres = (j for j in range(FILAS_MUESTRA_SEPARADOR, len(registros))
              if ";" not in registros[j]["correo"])  # fmt: skip
    for i in range(min(FILAS_MUESTRA_SEPARADOR, len(registros))):
        if ";" in registros[i]["correo"]:
            j = next(libres, None)
            if j is None:
                return
            registros[i], registros[j] = registros[j], registros[i]


def generar_filas(
    filas: int, semilla: int = SEMILLA, rodeo_separador: bool = True
) -> tuple[list[dict], dict]:
    """Las filas de la cartera (valores neutros: fecha como date, importe como float) y conteos."""
    rng = random.Random(semilla)
    deudores = _deudores(rng, filas)
    registros: list[dict] = []
    for d in deudores:
        for _ in range(d["facturas"]):
            correo = d["correo"]
            telefono = d["telefono"]
            azar = rng.random()
            if azar < 0.03:  # esta fila no trae el contacto (las otras del deudor sí)
                correo = telefono = ""
            elif azar < 0.05 and correo:  # mayúsculas y espacios alrededor
                correo = f"  {correo.upper()} "
            importe = round(min(max(rng.lognormvariate(8.3, 1.1), 50.0), 750_000.0), 2)
            if rng.random() < 0.15:
                importe = float(round(importe, -2) or 100)
            registros.append(
                {
                    "cliente": d["nombre"] + (" " if rng.random() < 0.01 else ""),
                    "correo": correo,
                    "telefono": telefono,
                    "vencimiento": HOY + timedelta(days=rng.randint(-90, 40)),
                    "importe": importe,
                    "moneda": d["moneda"] if rng.random() < 0.97 else "",
                    "estado": "Pendiente" if rng.random() < 0.4 else "",
                    "vendedor": d["vendedor"],
                    "malo": "",
                    "texto_importe": rng.random() < 0.06,
                    "texto_fecha": rng.random() < 0.02,
                }
            )
    rng.shuffle(registros)  # las facturas de un deudor no van juntas, como en una hoja real
    if rodeo_separador:
        _alejar_correos_dobles(registros)
    conteos = {"deudores": len(deudores), "pagadas": 0, "notas_credito": 0, "malas": 0}
    for i, r in enumerate(registros):
        r["factura"] = f"{'A' if i % 23 == 0 else 'F'}-{100000 + i}"
        azar = rng.random()
        if azar < 0.03:
            r["estado"] = rng.choice(("Pagada", "Pagada", "PAGADA", "pagada"))
            conteos["pagadas"] += 1
        elif azar < 0.0325:
            r["importe"] = -r["importe"]
            r["factura"] = f"NC-{100000 + i}"
            conteos["notas_credito"] += 1
        elif azar < 0.035:
            r["malo"] = "fecha"
            conteos["malas"] += 1
        elif azar < 0.0375:
            r["malo"] = "importe"
            conteos["malas"] += 1
    return registros, conteos


def _importe_xlsx(r: dict):
    if r["malo"] == "importe":
        return IMPORTES_MALOS[int(r["factura"][-3:]) % len(IMPORTES_MALOS)]
    if r["texto_importe"]:
        return f"${r['importe']:,.2f}" if r["importe"] >= 0 else f"-${-r['importe']:,.2f}"
    return r["importe"]


def _importe_csv(r: dict) -> str:
    if r["malo"] == "importe":
        return IMPORTES_MALOS[int(r["factura"][-3:]) % len(IMPORTES_MALOS)]
    texto = f"{r['importe']:.2f}".replace(".", ",")
    if r["texto_importe"]:
        entero, _, decimales = f"{abs(r['importe']):,.2f}".partition(".")
        texto = ("-" if r["importe"] < 0 else "") + "$" + entero.replace(",", ".") + "," + decimales
    return texto


def _fecha_mala(r: dict) -> str:
    return FECHAS_IMPOSIBLES[int(r["factura"][-3:]) % len(FECHAS_IMPOSIBLES)]


def escribir_xlsx(ruta: Path, registros: list[dict]) -> None:
    from openpyxl import Workbook

    libro = Workbook(write_only=True)
    fijo = datetime(2026, 11, 23, 8, 0, 0)
    libro.properties.created = libro.properties.modified = fijo
    hoja = libro.create_sheet("Cartera")
    hoja.append([f"Cartera de clientes al {HOY:%d/%m/%Y}"])
    hoja.append([])
    hoja.append(CABECERA)
    for r in registros:
        if r["malo"] == "fecha":
            vencimiento = _fecha_mala(r)
        elif r["texto_fecha"]:
            vencimiento = f"{r['vencimiento']:%d/%m/%Y}"
        else:
            vencimiento = datetime(r["vencimiento"].year, r["vencimiento"].month,
                                   r["vencimiento"].day)  # fmt: skip
        telefono = r["telefono"]
        if telefono.isdigit() and r["factura"].endswith(("1", "5")):
            telefono = int(telefono)  # Excel guarda como número los teléfonos sin espacios
        hoja.append([r["cliente"], r["correo"], telefono, r["factura"], vencimiento,
                     _importe_xlsx(r), r["moneda"], r["estado"], r["vendedor"]])  # fmt: skip
    hoja.append([])
    hoja.append(["TOTAL GENERAL", None, None, None, None, f"=SUM(F4:F{len(registros) + 3})"])
    temporal = ruta.with_suffix(".tmp.xlsx")
    libro.save(temporal)
    temporal.replace(ruta)


def escribir_csv(ruta: Path, registros: list[dict]) -> None:
    temporal = ruta.with_suffix(".tmp.csv")
    with temporal.open("w", encoding="cp1252", newline="") as f:
        escritor = csv.writer(f, delimiter=";", lineterminator="\r\n")
        vacia = [""] * (len(CABECERA) - 1)
        escritor.writerow([f"Cartera de clientes al {HOY:%d/%m/%Y}", *vacia])
        escritor.writerow(["", *vacia])
        escritor.writerow(CABECERA)
        for r in registros:
            vencimiento = _fecha_mala(r) if r["malo"] == "fecha" else f"{r['vencimiento']:%d/%m/%Y}"
            escritor.writerow([r["cliente"], r["correo"], r["telefono"], r["factura"], vencimiento,
                               _importe_csv(r), r["moneda"], r["estado"], r["vendedor"]])  # fmt: skip
        escritor.writerow(["", *vacia])
        total = sum(r["importe"] for r in registros if not r["malo"])
        escritor.writerow(["TOTAL GENERAL", "", "", "", "", f"{total:.2f}".replace(".", ","),
                           "", "", ""])  # fmt: skip
    temporal.replace(ruta)


def preparar_carteras(filas: int, carpeta: Path, rodeo_separador: bool = True) -> dict:
    """Genera las carteras si faltan o si el manifiesto no coincide; devuelve el manifiesto."""
    carpeta.mkdir(parents=True, exist_ok=True)
    sufijo = f"{filas}" if rodeo_separador else f"{filas}_sin_rodeo"
    rutas = {"xlsx": carpeta / f"cartera_{sufijo}.xlsx", "csv": carpeta / f"cartera_{sufijo}.csv"}
    manifiesto_ruta = carpeta / f"manifiesto_{sufijo}.json"
    if manifiesto_ruta.exists() and all(r.exists() for r in rutas.values()):
        try:
            manifiesto = json.loads(manifiesto_ruta.read_text(encoding="utf-8"))
        except ValueError:
            manifiesto = {}
        if (
            manifiesto.get("filas") == filas
            and manifiesto.get("semilla") == SEMILLA
            and manifiesto.get("version_generador") == VERSION_GENERADOR
            and manifiesto.get("rodeo_separador") == rodeo_separador
            and all(
                manifiesto.get("bytes", {}).get(k) == r.stat().st_size for k, r in rutas.items()
            )
        ):
            print(f"Carteras de {filas} filas ya generadas en {carpeta} (manifiesto coincide).")
            return manifiesto
    print(f"Generando carteras de {filas} filas en {carpeta} …", flush=True)
    inicio = _reloj()
    registros, conteos = generar_filas(filas, rodeo_separador=rodeo_separador)
    escribir_csv(rutas["csv"], registros)
    escribir_xlsx(rutas["xlsx"], registros)
    manifiesto = {
        "filas": filas,
        "semilla": SEMILLA,
        "version_generador": VERSION_GENERADOR,
        "hoy": HOY.isoformat(),
        "rodeo_separador": rodeo_separador,
        "archivos": {k: r.name for k, r in rutas.items()},
        "bytes": {k: r.stat().st_size for k, r in rutas.items()},
        **conteos,
    }
    manifiesto_ruta.write_text(json.dumps(manifiesto, indent=2, ensure_ascii=False) + "\n",
                               encoding="utf-8")  # fmt: skip
    print(f"  listo en {_reloj() - inicio:.1f} s: {conteos}")
    return manifiesto


def _reloj() -> float:
    import time

    return time.perf_counter()


# ---------------------------------------------------------------------------------------------
# Medición en procesos nuevos
# ---------------------------------------------------------------------------------------------

# Envoltorio: lanza la orden, mide el tiempo de pared y el pico de RSS (KiB en Linux) de sus
# hijos. Cada medición usa un envoltorio nuevo, así ru_maxrss no arrastra picos anteriores.
ENVOLTORIO = r"""
import json, resource, subprocess, sys, time
a = json.loads(sys.argv[1])
salida = subprocess.DEVNULL if a["stdout"] == "null" else subprocess.PIPE
t0 = time.perf_counter()
p = subprocess.run(a["orden"], stdout=salida, stderr=subprocess.PIPE, cwd=a["cwd"])
t = time.perf_counter() - t0
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"rc": p.returncode, "segundos": t, "maxrss_kib": ru.ru_maxrss,
                  "cpu_usuario": ru.ru_utime, "cpu_sistema": ru.ru_stime,
                  "stdout": p.stdout.decode("utf-8", "replace") if p.stdout else "",
                  "stderr": p.stderr.decode("utf-8", "replace")[-4000:]}))
"""

# Piso de lectura: solo leer el archivo, medido dentro del proceso (sin arranque ni imports).
PISO_LECTURA = r"""
import json, sys, time
ruta, formato = sys.argv[1], sys.argv[2]
t0 = time.perf_counter()
if formato == "xlsx":
    import pandas
    t1 = time.perf_counter()
    tabla = pandas.read_excel(ruta, engine="calamine", header=None, dtype=object)
    n = len(tabla)
else:
    import csv, io
    t1 = time.perf_counter()
    with open(ruta, "rb") as f:
        texto = f.read().decode("cp1252")
    filas = list(csv.reader(io.StringIO(texto, newline=""), delimiter=";"))
    n = len(filas)
t2 = time.perf_counter()
print(json.dumps({"importar": t1 - t0, "leer": t2 - t1, "filas": n}))
"""

# Piso de render: una plantilla de ~8 líneas compilada una vez y renderizada N veces.
PISO_RENDER = r"""
import json, sys, time
from datetime import date
t0 = time.perf_counter()
import jinja2
t1 = time.perf_counter()
n = int(sys.argv[1])
FUENTE = '''Asunto: Recordatorio de pago: factura {{ numero }}

Hola, {{ cliente }}:

Notamos que la factura {{ numero }} por {{ monto }} {{ moneda }}, con vencimiento el {{ vencimiento }}, aparece pendiente de pago.
{% if dias > 0 %}Lleva {{ dias }} {{ 'día' if dias == 1 else 'días' }} de atraso.{% endif %}

Puede pagar en línea: {{ enlace }}
Saludos cordiales,
{{ empresa.nombre }}
'''
plantilla = jinja2.Environment(trim_blocks=True, lstrip_blocks=True).from_string(FUENTE)
contextos = [
    {"cliente": f"Cliente Núñez {i}", "numero": f"F-{100000 + i}", "monto": f"${1234.5 + i:,.2f}",
     "moneda": "MXN", "vencimiento": date(2026, 11, 1 + i % 28).strftime("%d/%m/%Y"),
     "dias": i % 40, "enlace": f"https://pagos.ejemplo.com/?ref=F-{100000 + i}",
     "empresa": {"nombre": "Mi Empresa S.A. de C.V."}}
    for i in range(64)
]
t2 = time.perf_counter()
caracteres = 0
for i in range(n):
    caracteres += len(plantilla.render(contextos[i & 63]))
t3 = time.perf_counter()
print(json.dumps({"importar": t1 - t0, "compilar": t2 - t1, "render": t3 - t2, "n": n,
                  "caracteres": caracteres}))
"""


def medir(orden: list[str], cwd: Path, capturar: bool = False) -> dict:
    """Corre `orden` dentro de un envoltorio Python nuevo; tiempo de pared y pico de RSS."""
    argumento = json.dumps(
        {"orden": orden, "cwd": str(cwd), "stdout": "pipe" if capturar else "null"}
    )
    p = subprocess.run(
        [sys.executable, "-c", ENVOLTORIO, argumento], capture_output=True, text=True
    )
    if p.returncode != 0:
        raise RuntimeError(f"el envoltorio de medición falló:\n{p.stderr}")
    r = json.loads(p.stdout)
    r["pico_mib"] = r.pop("maxrss_kib") / 1024
    return r


def _orden_recordar() -> list[str]:
    junto = Path(sys.executable).parent / "recordar"
    if junto.exists():
        return [str(junto)]
    encontrada = shutil.which("recordar")
    if encontrada:
        return [encontrada]
    return [sys.executable, "-m", "recordar"]


def orden_formato(cartera: Path, informe: Path) -> list[str]:
    return [*_orden_recordar(), "enviar", str(cartera), "--simulacro", "--hoy", HOY.isoformat(),
            "--salida", str(informe)]  # fmt: skip


def medir_corrida(formato: str, orden: list[str], informe: Path, carpeta: Path) -> dict:
    """Una corrida punta a punta; el informe de la anterior se borra antes."""
    if informe.exists():
        informe.unlink()
    return medir(orden, carpeta)


def resumir_formato(formato: str, orden: list[str], informe: Path, corridas: list[dict]) -> dict:
    datos = json.loads(informe.read_text(encoding="utf-8"))
    mejor = min(corridas, key=lambda c: c["segundos"])
    return {
        "formato": formato,
        "orden": orden,
        "segundos": mejor["segundos"],
        "segundos_mediana": statistics.median(c["segundos"] for c in corridas),
        "segundos_todas": [round(c["segundos"], 3) for c in corridas],
        "cpu_s": min(c["cpu_usuario"] + c["cpu_sistema"] for c in corridas),
        "pico_mib": max(c["pico_mib"] for c in corridas),
        "resumen": datos.get("resumen", {}),
        "informe_bytes": informe.stat().st_size,
    }


def medir_piso_una(formato: str, cartera: Path, mensajes: int, carpeta: Path) -> tuple[dict, dict]:
    """Una medición del piso: (leer el archivo, bucle de render) en procesos aparte."""
    r = medir([sys.executable, "-c", PISO_LECTURA, str(cartera), formato], carpeta, True)
    if r["rc"] != 0:
        raise RuntimeError(f"el piso de lectura ({formato}) falló:\n{r['stderr']}")
    lectura = {**json.loads(r["stdout"]), "pico_mib": r["pico_mib"], "pared": r["segundos"]}
    r = medir([sys.executable, "-c", PISO_RENDER, str(mensajes)], carpeta, True)
    if r["rc"] != 0:
        raise RuntimeError(f"el piso de render falló:\n{r['stderr']}")
    render = {**json.loads(r["stdout"]), "pico_mib": r["pico_mib"], "pared": r["segundos"]}
    return lectura, render


def resumir_piso(lecturas: list[dict], renders: list[dict]) -> dict:
    lectura = min(lecturas, key=lambda x: x["leer"])
    render = min(renders, key=lambda x: x["render"])
    return {
        "lectura_s": lectura["leer"],
        "lectura_importar_s": lectura["importar"],
        "lectura_pico_mib": max(x["pico_mib"] for x in lecturas),
        "lectura_filas_crudas": lectura["filas"],
        "render_s": render["render"],
        "render_n": render["n"],
        "render_us_por_mensaje": render["render"] / render["n"] * 1e6 if render["n"] else 0.0,
        "segundos": lectura["leer"] + render["render"],
    }


def medir_formatos(carpeta: Path, archivos: dict[str, str], repeticiones: int) -> list[dict]:
    """Corridas alternadas (xlsx, csv, xlsx, csv…), cada una seguida de una medición de su
    piso: si la máquina se acelera o se frena a mitad de camino, afecta a los dos formatos y a
    sus pisos por igual."""
    formatos = ("xlsx", "csv")
    ordenes, corridas, pisos, fallos = (
        {},
        {f: [] for f in formatos},
        {f: ([], []) for f in formatos},
        {},
    )
    for formato in formatos:
        informe = carpeta / f"informe_{formato}.json"
        ordenes[formato] = (orden_formato(carpeta / archivos[formato], informe), informe)
    for i in range(repeticiones):
        for formato in formatos:
            if formato in fallos:
                continue
            orden, informe = ordenes[formato]
            r = medir_corrida(formato, orden, informe, carpeta)
            print(f"  {formato} corrida {i + 1}/{repeticiones}: {r['segundos']:.2f} s, "
                  f"pico {r['pico_mib']:.0f} MiB, rc={r['rc']}", flush=True)  # fmt: skip
            if r["rc"] != 0:
                fallos[formato] = {"formato": formato, "orden": orden,
                                   "error": r["stderr"].strip(), "rc": r["rc"]}  # fmt: skip
                continue
            corridas[formato].append(r)
            mensajes = json.loads(informe.read_text(encoding="utf-8"))["resumen"]["mensajes"]
            lectura, render = medir_piso_una(
                formato, carpeta / archivos[formato], mensajes, carpeta
            )
            pisos[formato][0].append(lectura)
            pisos[formato][1].append(render)
    resultados = []
    for formato in formatos:
        if formato in fallos:
            resultados.append(fallos[formato])
            continue
        orden, informe = ordenes[formato]
        r = resumir_formato(formato, orden, informe, corridas[formato])
        r["piso"] = resumir_piso(*pisos[formato])
        resultados.append(r)
    return resultados


def medir_arranque(carpeta: Path, repeticiones: int) -> float:
    """`recordar --version`: lo que cuesta arrancar la CLI sin leer nada (informativo)."""
    tiempos = []
    for _ in range(repeticiones):
        r = medir([*_orden_recordar(), "--version"], carpeta)
        tiempos.append(r["segundos"])
    return min(tiempos)


# ---------------------------------------------------------------------------------------------
# Informe
# ---------------------------------------------------------------------------------------------


def _marca(cumple: bool) -> str:
    return "cumple" if cumple else "NO cumple"


def imprimir_tabla(filas: int, resultados: list[dict], arranque: float, carga: dict) -> None:
    encabezado = (f"{'formato':<8}{'filas':>9}{'mensajes':>10}{'punta a punta s':>17}{'mediana s':>11}"
                  f"{'CPU s':>8}{'filas/s':>9}{'pico MiB':>10}{'piso s':>8}"
                  f"{'(lect + render)':>17}{'e2e/piso':>10}")  # fmt: skip
    print()
    print(encabezado)
    print("-" * len(encabezado))
    for r in resultados:
        if "error" in r:
            print(f"{r['formato']:<8}{filas:>9}  FALLÓ (rc={r['rc']})")
            continue
        p = r["piso"]
        partes = f"{p['lectura_s']:.2f} + {p['render_s']:.2f}"
        print(f"{r['formato']:<8}{filas:>9}{r['resumen'].get('mensajes', 0):>10}"
              f"{r['segundos']:>17.2f}{r['segundos_mediana']:>11.2f}{r['cpu_s']:>8.2f}{filas / r['segundos']:>9,.0f}"
              f"{r['pico_mib']:>10.0f}{p['segundos']:>8.2f}{partes:>17}"
              f"{r['segundos'] / p['segundos']:>10.1f}")  # fmt: skip
    print(f"\nArranque de la CLI (`recordar --version`): {arranque:.2f} s, incluido en punta a punta;"
          " el piso se mide dentro del proceso, sin arranque ni imports.")  # fmt: skip
    print(f"Carga media (1 min) al empezar / al terminar: {carga['inicio']:.2f} / "
          f"{carga['fin']:.2f} con {os.cpu_count()} CPU.")  # fmt: skip
    if max(carga.values()) > 1.5:  # una medición en curso ya aporta ~1
        print("  ojo: había otros procesos usando CPU; los tiempos de pared pueden estar inflados"
              " (la columna CPU s lo sufre menos).")  # fmt: skip
    escala = "" if filas == 100_000 else f" (los objetivos son para 100 000 filas, no {filas})"
    print(f"\nObjetivos del issue, informativos{escala}:")
    for r in resultados:
        if "error" in r:
            continue
        objetivo = OBJETIVOS[r["formato"]]
        mediana = r["segundos_mediana"]
        print(f"  {r['formato']:<5} ≤ {objetivo:.0f} s: mejor {r['segundos']:.2f} s → "
              f"{_marca(r['segundos'] <= objetivo)}; mediana {mediana:.2f} s → "
              f"{_marca(mediana <= objetivo)}")  # fmt: skip
    for r in resultados:
        if "error" in r:
            continue
        print(f"  pico {r['formato']:<5} ≤ {OBJETIVO_PICO_MIB:.0f} MiB: {r['pico_mib']:.0f} MiB → "
              f"{_marca(r['pico_mib'] <= OBJETIVO_PICO_MIB)}")  # fmt: skip


def revisar_cuentas(resultados: list[dict], manifiesto: dict) -> list[str]:
    """Las cuentas del informe frente a lo sembrado en la cartera (solo avisos)."""
    avisos = []
    for r in resultados:
        if "error" in r:
            continue
        s = r["resumen"]
        if s.get("filas") != manifiesto["filas"]:
            avisos.append(f"{r['formato']}: resumen.filas = {s.get('filas')}, "
                          f"la cartera tiene {manifiesto['filas']}")  # fmt: skip
        if s.get("rechazadas") != manifiesto["malas"]:
            avisos.append(f"{r['formato']}: resumen.rechazadas = {s.get('rechazadas')}, "
                          f"sembradas {manifiesto['malas']} filas malas")  # fmt: skip
    mensajes = {r["formato"]: r["resumen"].get("mensajes") for r in resultados if "error" not in r}
    if len(set(mensajes.values())) > 1:
        avisos.append(f"los formatos dan distinto número de mensajes: {mensajes}")
    return avisos


def main(argv: list[str] | None = None) -> int:
    analizador = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    analizador.add_argument("--filas", type=int, default=100_000, help="filas de la cartera")
    analizador.add_argument("--salida-dir", type=Path, default=AQUI / "salida",
                            help="carpeta para carteras, informes y resultados.json")  # fmt: skip
    analizador.add_argument("--repeticiones", type=int, default=3,
                            help="corridas por formato (alternadas); se informan la mejor y la mediana")  # fmt: skip
    analizador.add_argument("--sin-rodeo", action="store_true",
                            help="no alejar las celdas con dos correos de las primeras 40 filas "
                            "(reproduce el fallo de detección del separador CSV de recordar)")  # fmt: skip
    argumentos = analizador.parse_args(argv)
    if argumentos.filas < 1 or argumentos.repeticiones < 1:
        analizador.error("--filas y --repeticiones deben ser positivos")
    carpeta = argumentos.salida_dir.resolve()
    filas, repeticiones = argumentos.filas, argumentos.repeticiones

    manifiesto = preparar_carteras(filas, carpeta, rodeo_separador=not argumentos.sin_rodeo)
    carga = {"inicio": os.getloadavg()[0]}
    arranque = medir_arranque(carpeta, repeticiones)
    print("Midiendo `recordar enviar … --simulacro`, xlsx y csv alternados …", flush=True)
    resultados = medir_formatos(carpeta, manifiesto["archivos"], repeticiones)
    for r in resultados:
        if "error" not in r:
            formato = r["formato"]
            r["filas_por_s"] = filas / r["segundos"]
            r["razon_piso"] = r["segundos"] / r["piso"]["segundos"]
            r["objetivo_s"] = OBJETIVOS[formato]
            r["cumple_tiempo"] = r["segundos"] <= OBJETIVOS[formato]
            r["cumple_mediana"] = r["segundos_mediana"] <= OBJETIVOS[formato]
            r["cumple_pico"] = r["pico_mib"] <= OBJETIVO_PICO_MIB

    carga["fin"] = os.getloadavg()[0]
    imprimir_tabla(filas, resultados, arranque, carga)
    avisos = revisar_cuentas(resultados, manifiesto)
    for aviso in avisos:
        print(f"aviso: {aviso}")
    for r in resultados:
        if "error" in r:
            print(f"\nerror: la orden falló con código {r['rc']}:\n  {' '.join(r['orden'])}\n"
                  f"{r['error']}")  # fmt: skip

    salida = {
        "fecha": datetime.now().isoformat(timespec="seconds"),
        "hoy": HOY.isoformat(),
        "maquina": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "plataforma": platform.platform(),
        },  # fmt: skip
        "filas": filas,
        "repeticiones": repeticiones,
        "cartera": manifiesto,
        "arranque_s": arranque,
        "carga_media_1min": carga,
        "objetivos": {
            "xlsx_s": OBJETIVOS["xlsx"],
            "csv_s": OBJETIVOS["csv"],
            "pico_mib": OBJETIVO_PICO_MIB,
        },  # fmt: skip
        "resultados": resultados,
        "avisos": avisos,
    }
    ruta = carpeta / "resultados.json"
    ruta.write_text(json.dumps(salida, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"\nResultados en {ruta}")
    return 1 if any("error" in r for r in resultados) else 0


if __name__ == "__main__":
    sys.exit(main())
