"""La vista previa en la terminal y en un log (issue #14, sección 1), por la CLI de verdad.

Una fila por deudor que cabe en 80, 100 y 160 columnas sin partir un correo, un teléfono o un
importe; el dinero de la corrida sobre las tablas, que cuadra con la hoja sumada a mano; las
omitidas por nombre; texto llano en un archivo; `--ver CLIENTE`; el progreso del envío.
"""

from __future__ import annotations

import asyncio
import os
import re
import socket
import subprocess
import sys
import threading
from datetime import timedelta
from decimal import Decimal
from email import message_from_bytes
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from rich.cells import cell_len

from tests.canal_falso import CanalMemoria
from tests.conftest import HOY, escribir_xlsx, leer_json, preparar_carpeta

CAB = ["Cliente", "Correo", "Teléfono", "Factura", "Vencimiento", "Importe", "Moneda"]
LARGO = "Construcciones y Edificaciones del Noroeste Hermanos Villarreal S.A. de C.V."
CORREO_LARGO = "cuentas.por.pagar.construcciones.noroeste@corporativo-villarreal.com.mx"
ANSI = re.compile(r"\x1b\[[0-9;]*m")
CAJAS = set("─│┃━┏┓┗┛┡┩└┘┌┐╇╈┳┻┼╭╮╰╯")


def d(n: int):
    return HOY + timedelta(days=n)


# (cliente, correo, teléfono, factura, días de atraso, importe, moneda)
FACTURAS = [
    (LARGO, CORREO_LARGO, "81 8342 1122", "F-1001", 70, "1234567.89", "MXN"),
    (LARGO, "", "", "F-1002", 64, "98765.43", "MXN"),
    (LARGO, "", "", "F-1003", 40, "5000", "MXN"),
    ("José Núñez Peña", "jose.nunez@ejemplo.com", "55 1234 5678", "F-2001", 16, "24115.40", "MXN"),
    ("Ángel Ibáñez", "", "477 123 4567", "F-3001", 11, "2300", "MXN"),
    ("María Fernanda Ortiz de la Garza", "mafer@ejemplo.com", "811 234 5678", "F-4001", 1,
     "3910.50", "MXN"),
    ("Sin Contacto", "", "", "F-6001", 2, "700", "MXN"),
    ("Futuro Lejano", "fut@ejemplo.com", "", "F-7001", -30, "800", "MXN"),
    ("Correo Malo", "correo-malo@@ejemplo..com", "", "F-8001", 3, "50", "MXN"),
    ("Importadora del Pacífico", "imp@ejemplo.com", "", "F-9100", 20, "1850", "USD"),
]  # fmt: skip
EN_MENSAJES = {"F-1001", "F-1002", "F-1003", "F-2001", "F-3001", "F-4001", "F-9100"}


def _hoja(carpeta: Path, extra: list | None = None) -> Path:
    filas = [CAB]
    for cliente, correo, tel, numero, dias, importe, moneda in FACTURAS:
        filas.append([cliente, correo, tel, numero, d(-dias), float(importe), moneda])
    filas.append(["Saldo Cero", "cero@ejemplo.com", "", "F-5001", d(-5), 0, "MXN"])
    filas.append(["Fecha Mala", "x@ejemplo.com", "", "F-9001", "31/02/2026", 10, "MXN"])
    return escribir_xlsx(carpeta / "cartera.xlsx", filas + (extra or []))


def _dinero(valor: Decimal, moneda: str = "MXN") -> str:
    return f"${valor:,.2f}" if moneda == "MXN" else f"{moneda}{valor:,.2f}"


def _correr(carpeta: Path, *args, columnas=None, terminal=False, entorno=None):
    """`python -m recordar …` con stdout a un archivo (no es una terminal salvo `terminal`)."""
    env = {k: v for k, v in os.environ.items() if k not in (
        "RECORDAR_ANCHO", "RECORDAR_DEPURAR", "RECORDAR_BITACORA", "NO_COLOR", "FORCE_COLOR",
        "TTY_COMPATIBLE", "COLUMNS", "PYTEST_CURRENT_TEST")}  # fmt: skip
    env["XDG_DATA_HOME"] = str(carpeta / "xdg")
    if columnas:
        env["COLUMNS"] = str(columnas)
    if terminal:
        env["TTY_COMPATIBLE"] = "1"
    env.update(entorno or {})
    salida = carpeta / "salida.log"
    with salida.open("wb") as archivo:
        r = subprocess.run([sys.executable, "-m", "recordar", *map(str, args)], cwd=carpeta,
                           env=env, stdout=archivo, stderr=subprocess.PIPE, timeout=120)  # fmt: skip
    return r.returncode, salida.read_text(encoding="utf-8"), r.stderr.decode()


def _partido(lineas: list[str], token: str) -> bool:
    """¿Alguna línea tiene un trozo de `token` cortado sin «…» (el resto iría en otra línea)?"""
    for linea in lineas:
        for k in range(3, len(token)):
            for m in re.finditer(re.escape(token[:k]), linea):
                sigue = linea[m.end() : m.end() + 1]
                if sigue in ("", " ", "│", "┃") and not linea[m.start() :].startswith(token):
                    return True
    return False


def _tokens(datos: dict) -> list[str]:
    """Correos, teléfonos e importes que la ejecución puede mostrar."""
    tokens = {CORREO_LARGO, "jose.nunez@ejemplo.com", "mafer@ejemplo.com", "imp@ejemplo.com"}
    tokens |= {m["destinatario"] for m in datos["mensajes"]}
    tokens |= {_dinero(Decimal(str(m["total"])), m["moneda"]) for m in datos["mensajes"]}
    return sorted(t for t in tokens if len(t) > 4)


@pytest.mark.parametrize("columnas", [80, 100, 160])
def test_tabla_cabe_y_no_parte_correos_telefonos_ni_importes(tmp_path, columnas):
    _hoja(tmp_path)
    codigo, salida, error = _correr(tmp_path, "enviar", "cartera.xlsx", "--simulacro", "--hoy",
                                    HOY.isoformat(), "--salida", "informe.json",
                                    columnas=columnas, terminal=True, entorno={"NO_COLOR": "1"})  # fmt: skip
    assert codigo == 0, error + salida
    lineas = ANSI.sub("", salida).splitlines()
    anchas = [linea for linea in lineas if cell_len(linea) > columnas]
    assert not anchas, anchas
    datos = leer_json(tmp_path / "informe.json")
    for token in _tokens(datos):
        assert not _partido(lineas, token), f"«{token}» partido a {columnas} columnas"
    # Una fila por deudor (no por canal): José tiene correo y teléfono y sale una vez.
    filas_jose = [linea for linea in lineas if "José Núñez" in linea]
    assert len(filas_jose) == 1, filas_jose
    assert _dinero(Decimal("24115.40")) in filas_jose[0] and " 16 " in filas_jose[0]
    canales_jose = {m["canal"] for m in datos["mensajes"] if m["cliente"] == "José Núñez Peña"}
    assert len(canales_jose) >= 2
    if columnas >= 100:
        assert (
            " · ".join(sorted(canales_jose, key=["email", "whatsapp", "sms"].index))
            in (filas_jose[0])
            or " · ".join(sorted(canales_jose)) in filas_jose[0]
        )
    # El cliente largo: entero o cortado con «…», con su saldo entero en la misma fila.
    (fila_larga,) = [linea for linea in lineas if _dinero(Decimal("1338333.32")) in linea]
    assert LARGO[:12] in fila_larga and (LARGO in fila_larga or "…" in fila_larga)
    cabecera = next(linea for linea in lineas if linea.lstrip().startswith("cliente "))
    if columnas == 80:  # estrecha: sin vista previa y solo cuántas facturas («nº»)
        assert "vista previa" not in cabecera and " nº " in cabecera and "saldo" in cabecera
        assert re.search(r"\$1,338,333\.32 +70 +aviso_final +3 ", fila_larga)
    if columnas == 160:
        assert "vista previa" in cabecera and "facturas" in cabecera
        assert re.search(r"F-100\d, F-100\d, F-100\d", fila_larga)
        assert "vista previa" in salida
    # Un terminal sin color (NO_COLOR) no lleva secuencias de color, aunque sí la tabla.
    assert not re.search(r"\x1b\[(3|4|9)\d", salida)
    assert any(CAJAS & set(linea) for linea in lineas)


def test_el_dinero_cuadra_con_la_hoja_sumada_a_mano(tmp_path):
    _hoja(tmp_path)
    codigo, salida, error = _correr(tmp_path, "enviar", "cartera.xlsx", "--simulacro", "--hoy",
                                    HOY.isoformat(), "--salida", "informe.json", columnas=80,
                                    terminal=True)  # fmt: skip
    assert codigo == 0, error
    lineas = ANSI.sub("", salida).splitlines()
    datos = leer_json(tmp_path / "informe.json")
    en_mensajes = {n for m in datos["mensajes"] for n in m["facturas"]}
    assert en_mensajes == EN_MENSAJES
    # Las sumas, a mano desde FACTURAS (la fila de saldo 0 y la rechazada no cuentan).
    for moneda in ("MXN", "USD"):
        propias = [f for f in FACTURAS if f[6] == moneda]

        def suma(filtro, propias=propias):
            elegidas = [f for f in propias if filtro(f)]
            return sum((Decimal(f[5]) for f in elegidas), Decimal(0)), len(elegidas)

        def dice(texto, importe, n, moneda=moneda, unidad=True):
            facturas = f"{n} factura" + ("" if n == 1 else "s") if unidad else str(n)
            pieza = f"{texto} {_dinero(importe, moneda)} ({facturas})"
            assert any(pieza in linea for linea in lineas), (pieza, salida)

        dice("abierto", *suma(lambda f: True))
        dice("vencido", *suma(lambda f: f[4] > 0))
        dice("en los mensajes de hoy", *suma(lambda f: f[3] in en_mensajes))
        tramos = {"al corriente": (-10**6, 0), "1–30 días": (1, 30), "31–60 días": (31, 60),
                  "61–90 días": (61, 90), "más de 90 días": (91, 10**6)}  # fmt: skip
        for nombre, (desde, hasta) in tramos.items():
            dice(nombre, *suma(lambda f, a=desde, b=hasta: a <= f[4] <= b), unidad=False)
        # Lo de hoy en mensajes es también la suma de los mensajes del informe (sin repetir
        # la misma factura por cada canal).
        vistos = {}
        for m in datos["mensajes"]:
            if m["moneda"] == moneda:
                vistos[tuple(sorted(m["facturas"]))] = Decimal(str(m["total"]))
        assert sum(vistos.values()) == suma(lambda f: f[3] in en_mensajes)[0]
    # El dinero va antes que la tabla de mensajes.
    texto = "\n".join(lineas)
    assert (
        texto.index("Dinero en MXN:")
        < texto.index("Antigüedad en USD:")
        < texto.index("Mensajes (")
    )


def test_en_un_archivo_texto_llano_una_linea_por_mensaje(tmp_path):
    _hoja(tmp_path)
    codigo, salida, error = _correr(tmp_path, "enviar", "cartera.xlsx", "--simulacro", "--hoy",
                                    HOY.isoformat(), "--salida", "informe.json")  # fmt: skip
    assert codigo == 0, error
    assert "\x1b[" not in salida, "sin color ni estilos en un archivo"
    assert not CAJAS & set(salida), "sin cajas en un archivo"
    lineas = salida.splitlines()
    datos = leer_json(tmp_path / "informe.json")
    for m in datos["mensajes"]:
        suyas = [linea for linea in lineas
                 if f" · {m['canal']} · {m['destinatario']}" in linea]  # fmt: skip
        assert len(suyas) == 1, (m, suyas)
        (linea,) = suyas
        importe = _dinero(Decimal(str(m["total"])), m["moneda"])
        assert linea.startswith(f"{m['cliente']} · {', '.join(m['facturas'])} · {importe} · ")
        assert f" · {m['paso']} · " in linea
    # grep por un correo largo encuentra su línea entera.
    assert sum(CORREO_LARGO in linea for linea in lineas) == 1
    # Rechazos y el dinero, también una cosa por línea.
    assert any(linea.startswith("rechazada · ") and "31/02/2026" in linea for linea in lineas)
    assert any(linea.startswith("Dinero en MXN: abierto ") and " · vencido " in linea
               and " · en los mensajes de hoy " in linea for linea in lineas)  # fmt: skip


def test_color_solo_en_una_terminal_y_nunca_con_no_color(tmp_path):
    _hoja(tmp_path)
    args = ("enviar", "cartera.xlsx", "--simulacro", "--hoy", HOY.isoformat())
    # La política predeterminada avisa en amarillo.
    _, con_color, _ = _correr(tmp_path, *args, columnas=100, terminal=True)
    assert re.search(r"\x1b\[33m", con_color)
    _, sin_color, _ = _correr(tmp_path, *args, columnas=100, terminal=True,
                              entorno={"NO_COLOR": "1"})  # fmt: skip
    assert not re.search(r"\x1b\[(3|4|9)\d", sin_color)
    assert ANSI.sub("", con_color) == ANSI.sub("", sin_color)


def test_omitidas_por_nombre_bajo_su_motivo_con_tope(tmp_path):
    pagadas = [[f"Cliente Pagado {i:02d}", f"p{i}@ejemplo.com", "", f"P-{i}", d(-3), 0, "MXN"]
               for i in range(12)]  # fmt: skip
    _hoja(tmp_path, pagadas)
    codigo, salida, error = _correr(tmp_path, "enviar", "cartera.xlsx", "--simulacro", "--hoy",
                                    HOY.isoformat(), "--salida", "informe.json")  # fmt: skip
    assert codigo == 0, error
    lineas = salida.splitlines()
    (saldo_cero,) = [linea for linea in lineas if linea.startswith("saldo 0 (13 facturas):")]
    assert "Saldo Cero (F-5001)" in saldo_cero and "Cliente Pagado 00 (P-0)" in saldo_cero
    assert saldo_cero.endswith("… y 5 más; ver --salida")
    (sin_contacto,) = [linea for linea in lineas if linea.startswith("sin contacto")]
    assert "Sin Contacto (F-6001)" in sin_contacto and "Correo Malo (F-8001)" in sin_contacto
    (al_corriente,) = [linea for linea in lineas if linea.startswith("al corriente")]
    assert "Futuro Lejano (F-7001)" in al_corriente
    # Cada omitida del informe está nombrada (o contada en «… y N más»).
    omitidas = leer_json(tmp_path / "informe.json")["omitidas"]
    assert len(omitidas) == 16 and "Omitidas (16):" in lineas


def test_sin_canal_por_nombre(en_tmp, correr, monkeypatch):
    preparar_carpeta(en_tmp, "pasos:\n  - {id: recordatorio, dias: 1, canales: [email], "
                     "plantilla: recordatorio}\ncanales:\n  email: {tipo: memoria}\n", monkeypatch)  # fmt: skip
    escribir_xlsx(en_tmp / "cartera.xlsx", [CAB, ["Solo Teléfono", "", "55 1234 5678", "T-1",
                                                  d(-2), 10, "MXN"]])  # fmt: skip
    r = correr("enviar", "cartera.xlsx", "--simulacro", "--hoy", HOY.isoformat())
    assert r.exit_code == 0, r.output
    assert any(linea.startswith("sin canal") and "Solo Teléfono (T-1)" in linea
               for linea in r.output.splitlines())  # fmt: skip


def test_muchos_deudores_la_tabla_muestra_los_primeros(tmp_path):
    filas = [[f"Deudor {i:03d}", f"d{i}@ejemplo.com", "", f"D-{i}", d(-2), 100 + i, "MXN"]
             for i in range(150)]  # fmt: skip
    escribir_xlsx(tmp_path / "cartera.xlsx", [CAB, *filas])
    codigo, salida, error = _correr(tmp_path, "enviar", "cartera.xlsx", "--simulacro", "--hoy",
                                    HOY.isoformat(), columnas=100, terminal=True)  # fmt: skip
    assert codigo == 0, error
    filas_tabla = [linea for linea in salida.splitlines() if re.search(r"Deudor \d{3}", linea)]
    assert len(filas_tabla) == 60
    assert "… y 90 mensajes más a 90 deudores; el informe completo con --salida" in salida
    # El dinero suma los 150, no solo los que se ven.
    total = sum(Decimal(100 + i) for i in range(150))
    assert f"abierto {_dinero(total)} (150 facturas)" in salida


# --- --ver CLIENTE ------------------------------------------------------------------------------

POLITICA_WHATSAPP = """
empresa: {nombre: "Ferretería López", contacto: "cobranza@ejemplo.com"}
pasos:
  - {id: recordatorio, dias: 1, canales: [email, sms, whatsapp], plantilla: recordatorio}
canales:
  email: {tipo: memoria}
  sms: {tipo: memoria}
  whatsapp: {tipo: memoria, plantillas: {recordatorio: aviso_pago_v2}}
"""


def _carpeta_ver(en_tmp, monkeypatch):
    # El canal en memoria no declara «plantillas»: se la dejamos aceptar para esta prueba.
    monkeypatch.setattr(CanalMemoria, "opcionales", (*CanalMemoria.opcionales, "plantillas"))
    preparar_carpeta(en_tmp, POLITICA_WHATSAPP, monkeypatch)
    escribir_xlsx(en_tmp / "cartera.xlsx", [
        CAB,
        ["José Núñez Peña", "jose@ejemplo.com", "55 1234 5678", "F-1", d(-2), 1500.5, "MXN"],
        ["José Núñez Peña", "", "", "F-2", d(-3), 200, "MXN"],
        ["Josefina Ruiz", "josefina@ejemplo.com", "", "F-3", d(-2), 300, "MXN"],
    ])  # fmt: skip


def test_ver_muestra_los_mensajes_completos_del_deudor(en_tmp, correr, monkeypatch):
    _carpeta_ver(en_tmp, monkeypatch)
    r = correr("enviar", "cartera.xlsx", "--simulacro", "--hoy", HOY.isoformat(),
               "--ver", "JOSE nunez")  # fmt: skip
    assert r.exit_code == 0, r.output
    detalle = r.output[r.output.index("Mensajes de hoy para José Núñez Peña (3):") :]
    assert "── email · jose@ejemplo.com · paso recordatorio · F-1, F-2 · $1,700.50" in detalle
    assert re.search(r"^Asunto: \S", detalle, re.M)
    assert re.search(r"^SMS: \d+ caracteres, \d+ segmentos? \((GSM-7|UCS-2)\)$", detalle, re.M)
    assert "Plantilla de WhatsApp: «aviso_pago_v2»" in detalle
    assert re.search(r"^  parámetro 1 \(cliente\): José Núñez Peña$", detalle, re.M)
    assert re.search(r"^  parámetro 3 \(total\): \$1,700\.50$", detalle, re.M)
    # Sin enlace de pago en la hoja, el quinto parámetro de la forma corta queda vacío: lo dice.
    assert re.search(r"^  parámetro 5 \(enlace_pago\): \(vacío\)$", detalle, re.M)
    assert "no saldría: enlace_pago queda vacío para este deudor" in detalle
    # El cuerpo completo, no solo la vista previa: el correo menciona las dos facturas.
    correo = detalle[detalle.index("── email") : detalle.index("── sms")]
    assert "F-1" in correo and "F-2" in correo and len(correo.splitlines()) > 5
    assert "Josefina" not in detalle


def test_ver_ambiguo_o_inexistente_dice_cuales_y_no_envia(en_tmp, correr, monkeypatch):
    _carpeta_ver(en_tmp, monkeypatch)
    r = correr("enviar", "cartera.xlsx", "--hoy", HOY.isoformat(), "--ver", "jos")
    assert r.exit_code == 2
    texto = " ".join(r.output.split())
    assert "--ver «jos»: coincide con 2 clientes («José Núñez Peña»; «Josefina Ruiz»)" in texto
    assert CanalMemoria.enviados == [], "con --ver ambiguo no se envía nada"
    r = correr("enviar", "cartera.xlsx", "--simulacro", "--hoy", HOY.isoformat(), "--ver", "Zoe")
    assert r.exit_code == 2 and "ningún cliente de la hoja" in r.output


def test_ver_en_un_envio_real_dice_como_salio(en_tmp, correr, monkeypatch):
    _carpeta_ver(en_tmp, monkeypatch)
    r = correr("enviar", "cartera.xlsx", "--hoy", HOY.isoformat(), "--ver", "josefina")
    assert r.exit_code == 0, r.output
    assert "Mensajes de hoy para Josefina Ruiz (1):" in r.output
    assert re.search(r"── email · josefina@ejemplo.com · .* · enviado \(mem-\d+\)", r.output)
    # Se envió todo (José por correo, SMS y WhatsApp; Josefina por correo), no solo lo suyo.
    assert len(CanalMemoria.enviados) == 4


def test_ver_un_deudor_sin_mensaje_hoy_dice_por_que(tmp_path):
    _hoja(tmp_path)
    codigo, salida, error = _correr(tmp_path, "enviar", "cartera.xlsx", "--simulacro", "--hoy",
                                    HOY.isoformat(), "--ver", "futuro")  # fmt: skip
    assert codigo == 0, error
    detalle = salida[salida.index("Futuro Lejano: hoy no recibe ningún mensaje.") :]
    assert re.search(r"^  factura F-7001 \(fila \d+\): al corriente", detalle, re.M)


# --- progreso del envío real ----------------------------------------------------------------------


class _Buzon:
    def __init__(self) -> None:
        self.recibidos: list[str] = []
        self.cerrojo = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(0.02)
        with self.cerrojo:
            self.recibidos.append(message_from_bytes(envelope.content)["To"])
        return "250 OK"


@pytest.fixture
def smtp():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        puerto = s.getsockname()[1]
    buzon = _Buzon()
    servidor = Controller(buzon, hostname="127.0.0.1", port=puerto)
    servidor.start()
    yield puerto, buzon
    servidor.stop()


def _carpeta_smtp(carpeta: Path, puerto: int, deudores: int) -> None:
    (carpeta / "politica.yaml").write_text(
        'empresa: {nombre: "Ferretería López", contacto: "cobranza@ferreteria.mx"}\n'
        "pasos:\n  - {id: recordatorio, dias: 1, canales: [email], plantilla: recordatorio}\n"
        f"canales:\n  email: {{tipo: smtp, servidor: 127.0.0.1, puerto: {puerto}, "
        'seguridad: ninguna, remitente: "Cobranza <cobranza@ferreteria.mx>"}\n',
        encoding="utf-8",
    )
    filas = [[f"Cliente {i}", f"c{i}@ejemplo.com", "", f"F-{i}", d(-1), 100 + i, "MXN"]
             for i in range(deudores)]  # fmt: skip
    escribir_xlsx(carpeta / "cartera.xlsx", [CAB, *filas])


def test_progreso_en_un_log_cada_tanto_y_al_final(tmp_path, smtp):
    puerto, buzon = smtp
    _carpeta_smtp(tmp_path, puerto, 12)
    codigo, salida, error = _correr(tmp_path, "enviar", "cartera.xlsx", "--hoy", HOY.isoformat(),
                                    entorno={"RECORDAR_PROGRESO_CADA": "0.05"})  # fmt: skip
    assert codigo == 0, error + salida
    assert len(buzon.recibidos) == 12
    progreso = [linea for linea in salida.splitlines() if linea.startswith("progreso: ")]
    # 12 mensajes a ~20 ms: varias líneas intermedias y la final.
    assert len(progreso) >= 3, salida
    hechos = [int(re.match(r"progreso: (\d+) de 12 · ", linea).group(1)) for linea in progreso]
    assert hechos == sorted(hechos) and hechos[-1] == 12
    assert re.fullmatch(r"progreso: 12 de 12 · 12 enviados · 0 fallidos · [\d.]+ por segundo · "
                        r"terminado en \d+ s", progreso[-1])  # fmt: skip
    assert any(re.search(r" · faltan ~\d+ s$", linea) for linea in progreso[:-1])
    assert not CAJAS & set(salida)


def test_progreso_en_un_log_por_omision_solo_la_linea_final_si_es_rapido(tmp_path, smtp):
    puerto, buzon = smtp
    _carpeta_smtp(tmp_path, puerto, 3)
    codigo, salida, error = _correr(tmp_path, "enviar", "cartera.xlsx", "--hoy", HOY.isoformat())
    assert codigo == 0, error + salida
    progreso = [linea for linea in salida.splitlines() if linea.startswith("progreso: ")]
    assert len(progreso) == 1 and progreso[0].startswith("progreso: 3 de 3 · 3 enviados · ")


def test_progreso_en_log_sigue_al_reloj():
    from recordar.informe.progreso import ProgresoEnLog

    horas = iter([0.0, 1.0, 4.9, 5.0, 6.0, 10.5, 11.0, 12.0])
    lineas: list[str] = []
    progreso = ProgresoEnLog(lineas.append, intervalo=5.0, reloj=lambda: next(horas))
    progreso.empezar(7)
    for estado in ("enviado", "enviado", "enviado", "fallido", "enviado", "incierto"):
        progreso.anotar(estado)
    progreso.terminar()
    assert lineas == [
        "progreso: 3 de 7 · 3 enviados · 0 fallidos · 0.6 por segundo · faltan ~7 s",
        "progreso: 5 de 7 · 4 enviados · 1 fallido · 0.5 por segundo · faltan ~4 s",
        "progreso: 6 de 7 · 4 enviados · 1 fallido · 1 incierto · 0.5 por segundo · terminado "
        "en 12 s",
    ]


def test_progreso_en_un_log_que_no_se_puede_escribir_no_para_el_envio(tmp_path, smtp):
    from recordar.ejecucion import Pedido, ejecutar
    from recordar.informe.progreso import ProgresoEnLog
    from recordar.politica.politica import cargar_politica

    puerto, buzon = smtp
    _carpeta_smtp(tmp_path, puerto, 4)

    def escribir(_linea):
        raise BrokenPipeError(32, "Broken pipe")

    politica = cargar_politica(tmp_path / "politica.yaml")
    pedido = Pedido(tmp_path / "cartera.xlsx", politica, HOY, tmp_path / "b.sqlite",
                    progreso=ProgresoEnLog(escribir, intervalo=0))  # fmt: skip
    ejecucion = ejecutar(pedido)
    assert ejecucion.resultado.enviados == 4 and not ejecucion.resultado.con_problemas
    assert len(buzon.recibidos) == 4


def test_barra_de_progreso_en_una_terminal(tmp_path, smtp):
    puerto, buzon = smtp
    _carpeta_smtp(tmp_path, puerto, 5)
    codigo, salida, error = _correr(tmp_path, "enviar", "cartera.xlsx", "--hoy", HOY.isoformat(),
                                    columnas=120, terminal=True, entorno={"NO_COLOR": "1"})  # fmt: skip
    assert codigo == 0, error + salida
    assert len(buzon.recibidos) == 5
    texto = ANSI.sub("", salida)
    assert re.search(r"Enviando .*5/5 .*5 enviados · 0 fallidos", texto), texto
    assert "progreso: " not in texto
    # La tabla del envío real dice el estado de cada deudor.
    assert re.search(r"Cliente 0 .* enviado", texto)


def test_log_de_un_envio_real_lleva_cada_mensaje_con_su_estado(en_tmp, correr, monkeypatch):
    preparar_carpeta(en_tmp, "pasos:\n  - {id: recordatorio, dias: 1, canales: [email], "
                     "plantilla: recordatorio}\ncanales:\n  email: {tipo: memoria}\n", monkeypatch)  # fmt: skip
    CanalMemoria.fallos["d7@ejemplo.com"] = ["permanente"]
    filas = [[f"Deudor {i:03d}", f"d{i}@ejemplo.com", "", f"D-{i}", d(-2), 100, "MXN"]
             for i in range(75)]  # fmt: skip
    escribir_xlsx(en_tmp / "cartera.xlsx", [CAB, *filas])
    r = correr("enviar", "cartera.xlsx", "--hoy", HOY.isoformat())
    assert r.exit_code == 1, r.output  # uno falló
    lineas = r.output.splitlines()
    enviados = [linea for linea in lineas if re.search(r" · email · d\d+@ejemplo.com · enviado "
                                                       r"\(mem-\d+\)", linea)]  # fmt: skip
    assert len(enviados) == 74 and "mensajes más" not in r.output
    (fallido,) = [linea for linea in lineas if "d7@ejemplo.com · fallido" in linea]
    assert fallido.startswith("Deudor 007 · D-7 · $100.00 · 2 días · recordatorio · email · ")
    assert "550 5.1.1 buzón inexistente" in fallido


def test_log_de_inciertos_sin_resolver_una_linea_enmascarada(en_tmp, correr, monkeypatch):
    preparar_carpeta(en_tmp, "pasos:\n  - {id: recordatorio, dias: 1, canales: [email], "
                     "plantilla: recordatorio}\ncanales:\n  email: {tipo: memoria}\n", monkeypatch)  # fmt: skip
    CanalMemoria.fallos["ana.maria@ejemplo.com"] = ["quizas"]
    escribir_xlsx(en_tmp / "cartera.xlsx", [
        CAB, ["Ana María", "ana.maria@ejemplo.com", "", "A-1", d(-2), 100, "MXN"],
    ])  # fmt: skip
    r = correr("enviar", "cartera.xlsx", "--hoy", HOY.isoformat())
    assert r.exit_code == 1
    assert "Envíos inciertos sin resolver (1):" in r.output
    assert (
        f"incierto · {HOY.isoformat()} · Ana María · A-1 · recordatorio · email · "
        "a***@ejemplo.com" in r.output.splitlines()
    )
    assert not CAJAS & set(r.output)


# --- desde la biblioteca, con la consola de quien llama ------------------------------------------

POLITICA_ES = """
idioma: es_ES
moneda: EUR
region_telefono: ES
cumplimiento: ES
pasos:
  - {id: recordatorio, dias: 1, canales: [email, sms], plantilla: recordatorio}
  - {id: aviso_formal, dias: 30, canales: [email], plantilla: aviso_formal}
"""
BEGONA = "Carnicería Doña Begoña e Hijos Sociedad Limitada Unipersonal"


def _plan_es(carpeta: Path):
    import recordar

    (carpeta / "politica.yaml").write_text(POLITICA_ES, encoding="utf-8")
    escribir_xlsx(carpeta / "c.xlsx", [
        ["Cliente", "Correo", "Teléfono", "Factura", "Vencimiento", "Importe"],
        [BEGONA, "begona.pedidos@correo-empresa-largo.es", "612 345 678", "B-1", d(-45), 123456.78],
        [BEGONA, "", "", "B-2", d(-3), 999.99],
        ["Íñigo Zubizarreta", "inigo@ejemplo.es", "699 111 222", "B-3", d(-2), 1500],
        ["Íñigo Zubizarreta", "", "", "B-4", d(10), 20],
    ])  # fmt: skip
    politica = recordar.cargar_politica(carpeta / "politica.yaml")
    cartera = recordar.cargar_cartera(carpeta / "c.xlsx", politica)
    return politica, cartera, recordar.planificar(cartera, politica, HOY)


@pytest.mark.parametrize("columnas", [80, 100, 160])
@pytest.mark.parametrize("terminal", [True, False])
def test_mostrar_con_la_consola_de_quien_llama_en_euros(tmp_path, columnas, terminal):
    import io

    from rich.console import Console

    from recordar.informe.vista import mostrar

    politica, cartera, plan = _plan_es(tmp_path)
    consola = Console(width=columnas, record=True, file=io.StringIO(), force_terminal=terminal)
    mostrar(consola, cartera, plan, simulacro=True, politica=politica)
    lineas = consola.export_text().splitlines()
    if terminal:
        assert all(cell_len(linea) <= columnas for linea in lineas), lineas
    # Los importes en euros llevan un espacio de no separación antes de «€»: nunca se parten.
    importes = ["124.456,77\xa0€", "1.500,00\xa0€", "125.976,77\xa0€", "123.456,78\xa0€"]
    for importe in importes:
        assert any(importe in linea for linea in lineas), (importe, lineas)
        assert not _partido(lineas, importe)
    assert any(linea.startswith("Antigüedad:") for linea in lineas)
    assert any("al corriente 20,00\xa0€ (1)" in linea for linea in lineas)
    if not terminal:  # en un log, una línea por mensaje con el correo entero
        assert sum("begona.pedidos@correo-empresa-largo.es" in linea for linea in lineas) == 1
