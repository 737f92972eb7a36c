#!/usr/bin/env bash
# Pruebas de mutación (mutmut 3) sobre el núcleo de la planificación y los intérpretes de valores
# y de contactos.
#
#   bench/mutantes.sh                 # plan, valores y contactos, uno tras otro
#   bench/mutantes.sh plan            # src/recordar/plan.py y las piezas que salieron de él (issue
#                                     # #13: interes, destinos, topes, memoria, control), juntos
#   bench/mutantes.sh topes           # solo src/recordar/topes.py (igual con cada pieza)
#   bench/mutantes.sh valores         # solo src/recordar/cartera/valores.py (basta el nombre;
#                                     # también vale cartera/valores)
#   bench/mutantes.sh contactos       # solo src/recordar/cartera/contactos.py (teléfonos y correos)
#   MUTANTES_HIJOS=1 bench/mutantes.sh plan     # un solo proceso de pruebas (máquina ocupada)
#   MUTANTES_PRUEBAS="tests/test_valores.py tests/test_valores_bordes.py" bench/mutantes.sh valores
#       # solo esas pruebas: más rápido, y una cota (con toda la suite mueren los mismos o más)
#   MUTANTES_SOLO="recordar.plan.x__espera__mutmut_20 recordar.destinos.x_elegir_canales*" bench/mutantes.sh plan
#       # (cada mutante lleva el módulo donde está la función: recordar.topes.x__libre_desde…,
#       # recordar.cartera.valores.x_…, recordar.cartera.contactos.x_…)
#       # solo esos mutantes (nombres o patrones de mutmut), p. ej. los supervivientes de antes
#
# No forma parte de CI (tarda). Trabaja en una copia: $MUTANTES_DIR/<módulo> (por omisión
# /tmp/recordar-mutantes), con los archivos del repositorio que git conoce (también los nuevos sin
# confirmar) y SIN los decoradores @lru_cache/@cache: mutmut 3 muta a través de «trampolines» y
# elige las pruebas de cada función según las que la llamaron; una función con caché no se
# vuelve a llamar (o se llama antes de que las pruebas corran) y sus mutantes se marcaban como
# no cubiertos o se daban por vivos sin motivo. Sin la caché el comportamiento es el mismo (son
# funciones puras), solo más lento. Las fuentes del repositorio no se tocan.
#
# Imprime la puntuación (muertos / total) y los supervivientes; el detalle de cada uno con
#   cd $MUTANTES_DIR/plan && mutmut show <nombre>
set -euo pipefail

raiz=$(cd "$(dirname "$0")/.." && pwd)
python=${PYTHON:-}
if [[ -z $python ]]; then
    if [[ -x $raiz/.venv/bin/python ]]; then python=$raiz/.venv/bin/python; else python=python3; fi
fi
if ! "$python" -c "import mutmut" 2>/dev/null; then
    echo "mutantes.sh: falta mutmut en $python; instálalo con «$python -m pip install 'mutmut>=3.8,<4'»." >&2
    exit 2
fi
mutmut=$(dirname "$python")/mutmut
[[ -x $mutmut ]] || mutmut="$python -m mutmut"
base=${MUTANTES_DIR:-/tmp/recordar-mutantes}
hijos=${MUTANTES_HIJOS:-$(nproc)}
read -r -d '' sin_cache <<'PY' || true
import re
import sys

decorador = re.compile(r"^@(?:functools\.)?(?:lru_cache|cache)\b.*\n(?=(?:async )?def (\w+))", re.M)
for ruta in sys.argv[1:]:
    texto = open(ruta, encoding="utf-8").read()
    nombres = [m.group(1) for m in decorador.finditer(texto)]
    if not nombres:
        continue
    texto = decorador.sub("", texto) + "\n\n# Sin caché para mutmut (bench/mutantes.sh).\n"
    for nombre in nombres:
        texto += f"{nombre}.__wrapped__ = {nombre}\n{nombre}.cache_clear = lambda: None\n"
    open(ruta, "w", encoding="utf-8").write(texto)
PY
modulos=("$@")
[[ ${#modulos[@]} -gt 0 ]] || modulos=(plan valores contactos)
# Lo que salió de plan.py al partirlo (issue #13): «plan» los muta junto con él.
piezas_de_plan=(interes destinos topes memoria control)

for modulo in "${modulos[@]}"; do
    # «plan», «valores», «contactos» o «cartera/valores»: el módulo en src/recordar o en uno de sus paquetes.
    fuente=src/recordar/$modulo.py
    if [[ ! -f $raiz/$fuente ]]; then
        fuente=$(cd "$raiz" && ls src/recordar/*/"$modulo".py 2>/dev/null | head -n 1 || true)
    fi
    if [[ -z $fuente || ! -f $raiz/$fuente ]]; then
        echo "mutantes.sh: no existe src/recordar/$modulo.py; los módulos son los de src/recordar y sus paquetes (plan, valores, contactos…)." >&2
        exit 2
    fi
    fuentes=("$fuente")
    if [[ $modulo == plan ]]; then
        for pieza in "${piezas_de_plan[@]}"; do fuentes+=("src/recordar/$pieza.py"); done
    fi
    copia=$base/${modulo//\//.}
    rm -rf "$copia"
    mkdir -p "$copia"
    # Lo que git conoce (incluidos los archivos nuevos aún sin confirmar), sin lo ignorado.
    (cd "$raiz" && git ls-files -z --cached --others --exclude-standard) |
        (cd "$raiz" && xargs -0 cp --parents -t "$copia" 2>/dev/null || true)
    # Sin cachés: se quita cada @lru_cache(...)/@cache; la función conserva __wrapped__ y
    # cache_clear (alguna prueba compara con la función sin caché) para que nada más cambie.
    find "$copia/src" -name '*.py' -print0 | xargs -0 "$python" -c "$sin_cache"
    # La configuración de mutmut solo en la copia (mutmut lee [tool.mutmut] del pyproject o
    # [mutmut] de setup.cfg; el pyproject del proyecto no tiene esa tabla).
    cat >"$copia/setup.cfg" <<EOF
[mutmut]
source_paths = src
only_mutate =
$(for f in "${fuentes[@]}"; do echo "    $f"; done)
pytest_add_cli_args_test_selection =
$(for p in ${MUTANTES_PRUEBAS:-tests/}; do echo "    $p"; done)
# Todo lo demás del repositorio: las pruebas leen el README, las plantillas y los ejemplos.
also_copy =
$(cd "$copia" && ls -A | grep -v -x -e src -e setup.cfg -e mutants | sed 's/^/    /')
EOF
    # Límite: las pruebas que lanzan otro proceso de Python (el cerrojo de la bitácora, los
    # lectores en paralelo) importan en él el recordar instalado en el entorno, no la copia.
    echo "== ${fuentes[*]} (copia en $copia, $hijos procesos) =="
    inicio=$(date +%s)
    (cd "$copia" && nice -n 19 env -u PYTHONPATH $mutmut run --max-children "$hijos" ${MUTANTES_SOLO:-} >"$copia/mutmut.log" 2>&1) || {
        echo "mutantes.sh: mutmut falló; mira $copia/mutmut.log" >&2
        tail -n 20 "$copia/mutmut.log" >&2
        exit 1
    }
    fin=$(date +%s)
    (cd "$copia" && $mutmut results --all true >"$copia/resultados.txt" 2>/dev/null)
    "$python" - "$copia/resultados.txt" "${fuentes[*]}" $((fin - inicio)) <<'EOF'
import collections
import sys

ruta, fuente, segundos = sys.argv[1], sys.argv[2], int(sys.argv[3])
estados = collections.Counter()
vivos = []
for linea in open(ruta, encoding="utf-8"):
    nombre, _, estado = linea.strip().rpartition(": ")
    if not nombre:
        continue
    estados[estado] += 1
    if estado not in ("killed", "not checked"):
        vivos.append(f"  {nombre}: {estado}")
sin_probar = estados.pop("not checked", 0)  # con MUTANTES_SOLO o una corrida interrumpida
total = sum(estados.values())
muertos = estados["killed"] + estados["timeout"] + estados["caught by type check"]
print(f"{fuente}: {total} mutantes, {muertos} muertos, {total - muertos} vivos"
      f" ({100 * muertos / max(total, 1):.1f} %) en {segundos // 60} min {segundos % 60} s")
print("  " + ", ".join(f"{e}: {n}" for e, n in sorted(estados.items()))
      + (f"; sin probar: {sin_probar}" if sin_probar else ""))
print("\n".join(vivos) if vivos else "  ningún superviviente")
EOF
done
