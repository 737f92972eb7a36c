"""Benchmark de los informes del simulacro de 100 000 filas: .json, .html y .xlsx lado a lado.

Uso (desde la raíz del repositorio, con el entorno virtual activado):

    python bench/bench_informes.py [--filas 100000] [--salida-dir bench/salida]
                                   [--repeticiones 3] [--cartera csv|xlsx] [--sin-navegador]

1. Usa (o genera, con la misma semilla) la cartera de bench/bench_simulacro.py.
2. Mide `recordar enviar CARTERA --simulacro --hoy 2026-11-23 --salida informe.EXT` para cada
   formato, N veces, rotando el orden en cada vuelta (json, html, xlsx; html, xlsx, json; …) para
   que la carga de la máquina no favorezca a uno: tiempo de pared (mejor y mediana), CPU (mejor),
   pico de RSS y tamaño del informe.
3. Abre el informe .html en Chromium sin pantalla (tests/navegador.py) y mide hasta el evento
   load más una maquetación completa (mejor de N).
4. Compara con los objetivos del issue #14 (html y xlsx ≤ 2 × el json; html ≤ 25 MB y abre en
   < 5 s) y guarda todo en informes.json. Sale con 0 aunque no se cumplan (es informativo).
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

AQUI = Path(__file__).resolve().parent
sys.path.insert(0, str(AQUI))
sys.path.insert(0, str(AQUI.parent))

from bench_simulacro import HOY, medir, orden_formato, preparar_carteras  # noqa: E402

FORMATOS = ("json", "html", "xlsx")
OBJETIVO_VECES_JSON = 2.0
OBJETIVO_HTML_MB = 25.0
OBJETIVO_ABRIR_S = 5.0


def abrir_en_chromium(informe: Path, repeticiones: int) -> list[float]:
    """Segundos hasta load y una maquetación completa, una pestaña nueva cada vez."""
    from tests.navegador import Navegador

    with tempfile.TemporaryDirectory() as perfil:
        navegador = Navegador(Path(perfil))
        try:
            tiempos = []
            for _ in range(repeticiones):
                inicio = time.perf_counter()
                sesion = navegador.abrir(informe, 1280, movil=False)
                navegador.evaluar(sesion, "document.documentElement.scrollHeight")
                tiempos.append(time.perf_counter() - inicio)
            return tiempos
        finally:
            navegador.cerrar()


def main() -> int:
    a = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    a.add_argument("--filas", type=int, default=100_000)
    a.add_argument("--salida-dir", type=Path, default=AQUI / "salida")
    a.add_argument("--repeticiones", type=int, default=3)
    a.add_argument("--cartera", choices=("csv", "xlsx"), default="csv")
    a.add_argument("--sin-navegador", action="store_true")
    args = a.parse_args()

    carpeta = args.salida_dir.resolve()
    manifiesto = preparar_carteras(args.filas, carpeta)
    cartera = carpeta / manifiesto["archivos"][args.cartera]
    corridas: dict[str, list[dict]] = {f: [] for f in FORMATOS}
    for vuelta in range(args.repeticiones):
        orden = FORMATOS[vuelta % 3 :] + FORMATOS[: vuelta % 3]
        for formato in orden:
            informe = carpeta / f"informe_bench.{formato}"
            informe.unlink(missing_ok=True)
            r = medir(orden_formato(cartera, informe), carpeta)
            if r["rc"] != 0:
                print(f"falló el informe .{formato}:\n{r['stderr']}", file=sys.stderr)
                return 1
            r["bytes"] = informe.stat().st_size
            corridas[formato].append(r)
            print(f"  vuelta {vuelta + 1}: .{formato:<4} {r['segundos']:6.2f} s pared, "
                  f"{r['cpu_usuario'] + r['cpu_sistema']:6.2f} s CPU, {r['pico_mib']:5.0f} MiB, "
                  f"{r['bytes'] / 1e6:6.1f} MB", flush=True)  # fmt: skip

    resultados = {}
    for formato, lista in corridas.items():
        resultados[formato] = {
            "segundos": min(c["segundos"] for c in lista),
            "segundos_mediana": statistics.median(c["segundos"] for c in lista),
            "cpu_s": min(c["cpu_usuario"] + c["cpu_sistema"] for c in lista),
            "pico_mib": max(c["pico_mib"] for c in lista),
            "bytes": lista[-1]["bytes"],
        }
    base = resultados["json"]
    for formato, r in resultados.items():
        r["veces_json_pared"] = r["segundos"] / base["segundos"]
        r["veces_json_cpu"] = r["cpu_s"] / base["cpu_s"]
    abrir = None
    if not args.sin_navegador:
        abrir = abrir_en_chromium(carpeta / "informe_bench.html", args.repeticiones)
        resultados["html"]["abrir_chromium_s"] = min(abrir)
        resultados["html"]["abrir_chromium_todas"] = [round(t, 3) for t in abrir]

    print(f"\n{args.filas} filas ({args.cartera}), mejor de {args.repeticiones}:")
    print(f"{'formato':<8}{'pared s':>9}{'×json':>7}{'CPU s':>8}{'×json':>7}{'pico MiB':>10}"
          f"{'MB':>8}")  # fmt: skip
    for formato, r in resultados.items():
        print(f".{formato:<7}{r['segundos']:9.2f}{r['veces_json_pared']:7.2f}{r['cpu_s']:8.2f}"
              f"{r['veces_json_cpu']:7.2f}{r['pico_mib']:10.0f}{r['bytes'] / 1e6:8.1f}")  # fmt: skip
    html = resultados["html"]
    print("\nObjetivos (issue #14):")
    for formato in ("html", "xlsx"):
        r = resultados[formato]
        print(f"  .{formato} ≤ {OBJETIVO_VECES_JSON:g} × json: pared {r['veces_json_pared']:.2f}, "
              f"CPU {r['veces_json_cpu']:.2f} → "
              f"{'sí' if r['veces_json_pared'] <= OBJETIVO_VECES_JSON else 'NO'}")  # fmt: skip
    print(f"  .html ≤ {OBJETIVO_HTML_MB:g} MB: {html['bytes'] / 1e6:.1f} MB → "
          f"{'sí' if html['bytes'] / 1e6 <= OBJETIVO_HTML_MB else 'NO'}")  # fmt: skip
    if abrir:
        print(f"  .html abre en Chromium en < {OBJETIVO_ABRIR_S:g} s: {min(abrir):.2f} s → "
              f"{'sí' if min(abrir) < OBJETIVO_ABRIR_S else 'NO'}")  # fmt: skip

    salida = carpeta / "informes.json"
    salida.write_text(json.dumps({
        "fecha": datetime.now().isoformat(timespec="seconds"), "hoy": HOY.isoformat(),
        "filas": args.filas, "cartera": args.cartera, "repeticiones": args.repeticiones,
        "maquina": {"python": platform.python_version(), "plataforma": platform.platform()},
        "resultados": resultados,
    }, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")  # fmt: skip
    print(f"\nResultados en {salida}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
