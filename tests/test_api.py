"""La API de Python que documenta el README («Uso desde Python») funciona tal cual."""

import re
import subprocess
import sys
from pathlib import Path

RAIZ = Path(__file__).resolve().parents[1]


def _ejemplo_del_readme() -> str:
    texto = (RAIZ / "README.md").read_text(encoding="utf-8")
    seccion = texto.split("## Uso desde Python", 1)[1].split("\n## ", 1)[0]
    (codigo,) = re.findall(r"```python\n(.*?)```", seccion, flags=re.S)
    return codigo


def test_el_ejemplo_del_readme_se_ejecuta_y_no_escribe_nada(tmp_path):
    antes = sorted(p.name for p in (RAIZ / "ejemplos").iterdir())
    r = subprocess.run([sys.executable, "-c", _ejemplo_del_readme()], cwd=RAIZ,
                       capture_output=True, text=True, timeout=120,
                       env={"PATH": "/usr/bin:/bin", "XDG_DATA_HOME": str(tmp_path),
                            "PYTHONPATH": str(RAIZ / "src")})  # fmt: skip
    assert r.returncode == 0, r.stderr
    lineas = r.stdout.splitlines()
    assert re.fullmatch(r"\d+ facturas, \d+ filas rechazadas", lineas[0])
    assert len(lineas) == 5
    assert re.fullmatch(r"\d+ mensajes; el primero: .+", lineas[-1])
    assert sorted(p.name for p in (RAIZ / "ejemplos").iterdir()) == antes  # ni bitácora


def test_la_api_y_la_cli_dan_el_mismo_plan(en_tmp, correr):
    import json
    from datetime import date

    import recordar

    hoy = date(2026, 11, 23)
    politica = recordar.cargar_politica(RAIZ / "ejemplos" / "politica.yaml")
    ejecucion = recordar.ejecutar(RAIZ / "ejemplos" / "cartera.xlsx", politica, fecha=hoy,
                                  bitacora=en_tmp / "b.sqlite")  # fmt: skip
    r = correr("enviar", RAIZ / "ejemplos" / "cartera.xlsx", "-n", "--hoy", hoy.isoformat(),
               "-p", RAIZ / "ejemplos" / "politica.yaml", "-o", "informe.json",
               "--bitacora", en_tmp / "b.sqlite")  # fmt: skip
    assert r.exit_code == 0, r.output
    informe = json.loads((en_tmp / "informe.json").read_text(encoding="utf-8"))
    assert [(m["cliente"], m["canal"], m["cuerpo"]) for m in informe["mensajes"]] == [
        (m.cliente, m.canal, m.cuerpo) for m in ejecucion.plan.mensajes
    ]
    assert not (en_tmp / "b.sqlite").exists()
