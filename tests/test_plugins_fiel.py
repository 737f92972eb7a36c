"""Plugins de canal de verdad: un paquete instalado (dist-info con entry_points.txt en el
PYTHONPATH) y recordar en otro proceso, como lo ejecutaría un usuario."""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

RAIZ = Path(__file__).resolve().parents[1]
EJEMPLOS = RAIZ / "ejemplos"

CANAL_SMTP = """
import os
from pathlib import Path
from recordar.canales.base import Canal

class CanalSmtpAjeno(Canal):
    tipo = "smtp"
    canales = ("email",)
    opcionales = ("servidor", "puerto", "seguridad", "usuario", "contrasena_env", "remitente")

    def __init__(self, nombre, ajustes):
        super().__init__(nombre, ajustes)
        Path(os.environ["MARCA_PLUGIN"]).write_text("el plugin se usó")

    def enviar(self, envio):
        return "ajeno"
"""


def instalar(carpeta: Path, paquete: str, modulo: str, codigo: str, puntos: dict) -> Path:
    """Un paquete instalado de verdad: su módulo y su .dist-info con los puntos de entrada."""
    carpeta.mkdir(parents=True, exist_ok=True)
    (carpeta / f"{modulo}.py").write_text(textwrap.dedent(codigo), encoding="utf-8")
    info = carpeta / f"{paquete.replace('-', '_')}-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {paquete}\nVersion: 1.0\n")
    lineas = "".join(f"{n} = {v}\n" for n, v in puntos.items())
    (info / "entry_points.txt").write_text(f"[recordar.canales]\n{lineas}")
    return carpeta


def recordar(tmp_path: Path, plugins: Path, *args: str) -> subprocess.CompletedProcess:
    entorno = {**os.environ, "PYTHONPATH": os.pathsep.join([str(RAIZ / "src"), str(plugins)]),
               "MARCA_PLUGIN": str(tmp_path / "marca"), "RECORDAR_ANCHO": "250",
               "NO_COLOR": "1", "XDG_DATA_HOME": str(tmp_path / "datos")}  # fmt: skip
    entorno.pop("RECORDAR_DEPURAR", None)
    return subprocess.run(
        [sys.executable, "-m", "recordar", *args], cwd=tmp_path, env=entorno,
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def politica(tmp_path: Path, canales: str) -> Path:
    import yaml

    datos = yaml.safe_load((EJEMPLOS / "politica.yaml").read_text(encoding="utf-8"))
    # Un envío de verdad: sin los valores de ejemplo, que recordar se niega a enviar.
    datos["empresa"] = {"nombre": "Ferretería López", "contacto": "cobranza@ferreterialopez.mx"}
    base = yaml.safe_dump(datos, allow_unicode=True, sort_keys=False)
    ruta = tmp_path / "politica.yaml"
    ruta.write_text(base + "\ncanales:\n" + textwrap.indent(textwrap.dedent(canales), "  "),
                    encoding="utf-8")  # fmt: skip
    return ruta


SMTP = """\
email:
  tipo: {tipo}
  servidor: 127.0.0.1
  puerto: 2525
  seguridad: ninguna
  remitente: cobranza@ejemplo.com
"""


@pytest.fixture
def plugin_smtp(tmp_path):
    return instalar(tmp_path / "sitio", "recordar-ajeno", "recordar_ajeno", CANAL_SMTP,
                    {"smtp": "recordar_ajeno:CanalSmtpAjeno"})  # fmt: skip


def test_un_plugin_llamado_smtp_no_reemplaza_al_de_recordar(tmp_path, plugin_smtp):
    ruta = politica(tmp_path, SMTP.format(tipo="smtp"))
    r = recordar(tmp_path, plugin_smtp, "canales", "--politica", str(ruta))
    assert r.returncode == 0, r.stderr
    assert not (tmp_path / "marca").exists()
    assert "recordar-ajeno" in r.stderr and "tipo: recordar-ajeno:smtp" in r.stderr
    assert "recordar.canales.email" in r.stdout  # el smtp de la lista es el de recordar
    assert "recordar-ajeno:smtp" in r.stdout  # y el del plugin aparece con su nombre completo


def test_la_politica_elige_el_plugin_con_paquete_y_nombre(tmp_path, plugin_smtp):
    ruta = politica(tmp_path, SMTP.format(tipo="recordar-ajeno:smtp"))
    r = recordar(tmp_path, plugin_smtp, "canales", "--politica", str(ruta))
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "marca").read_text() == "el plugin se usó"


ROTO = """
import sys
sys.exit(0)
"""


@pytest.fixture
def plugin_roto(tmp_path):
    return instalar(tmp_path / "sitio", "recordar-roto", "recordar_roto", ROTO,
                    {"roto": "recordar_roto:Canal"})  # fmt: skip


def test_un_plugin_que_sale_al_importarse_es_un_error_que_nombra_su_paquete(tmp_path, plugin_roto):
    ruta = politica(tmp_path, "sms:\n  tipo: roto\n")
    cartera = EJEMPLOS / "cartera.xlsx"
    r = recordar(tmp_path, plugin_roto, "enviar", str(cartera), "--politica", str(ruta),
                 "--hoy", "2026-11-23")  # fmt: skip
    assert r.returncode != 0, (r.stdout, r.stderr)
    salida = r.stdout + r.stderr
    assert "canales.sms.tipo" in salida and "recordar-roto" in salida
    assert "Traceback" not in salida


def test_un_plugin_roto_que_la_politica_no_usa_no_para_nada(tmp_path, plugin_roto):
    ruta = politica(tmp_path, "archivo:\n  tipo: archivo\n  carpeta: enviados\n")
    cartera = EJEMPLOS / "cartera.xlsx"
    r = recordar(tmp_path, plugin_roto, "enviar", str(cartera), "--politica", str(ruta),
                 "--hoy", "2026-11-23")  # fmt: skip
    assert r.returncode == 0, (r.stdout, r.stderr)
    assert list((tmp_path / "enviados").iterdir())
    assert "Envío:" in r.stdout
    # En la lista de canales aparece con el motivo y su paquete; recordar no sale por él.
    r = recordar(tmp_path, plugin_roto, "canales", "--politica", str(ruta))
    assert r.returncode == 0, r.stderr
    assert "recordar-roto" in r.stdout and "Canales de" in r.stdout
