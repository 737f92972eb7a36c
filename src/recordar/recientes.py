"""Las bitácoras que usaron los últimos envíos reales, para que `historial`, `baja`, `tareas` y
`pagos` puedan decir dónde está la de verdad cuando la que encuentran no existe (p. ej. se envió
con `--politica mi-cobranza/politica.yaml` y se consulta sin ella)."""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path

NOMBRE = "bitacoras-recientes.json"
MAXIMO = 10


def _archivo() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("recordar", appauthor=False)) / NOMBRE


def _leer() -> list[dict]:
    try:
        datos = json.loads(_archivo().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return (
        [d for d in datos if isinstance(d, dict) and d.get("bitacora")]
        if isinstance(datos, list)
        else []
    )


def anotar(bitacora: Path, politica: Path | None) -> None:
    """Recuerda que un envío real usó `bitacora` (con la política `politica`). Nunca falla: es
    una ayuda, no parte del envío."""
    entrada = {
        "bitacora": str(Path(bitacora).resolve()),
        "politica": str(Path(politica).resolve()) if politica else None,
        "usada": datetime.now().astimezone().isoformat(timespec="seconds"),
    }
    otras = [d for d in _leer() if d["bitacora"] != entrada["bitacora"]]
    try:
        ruta = _archivo()
        ruta.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        temporal = ruta.with_suffix(".tmp")
        descriptor = os.open(temporal, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as f:
            json.dump([entrada, *otras][:MAXIMO], f, ensure_ascii=False, indent=1)
        os.replace(temporal, ruta)
    except OSError:
        pass


def otra_reciente(bitacora: Path) -> dict | None:
    """La bitácora usada más recientemente por un envío real que no es `bitacora` y existe."""
    propia = str(Path(bitacora).resolve())
    for d in _leer():
        if d["bitacora"] != propia and Path(d["bitacora"]).is_file():
            return d
    return None


def pista(bitacora: Path) -> str | None:
    """Si `bitacora` no existe y otra se usó hace poco, la frase que lo dice y cómo usarla."""
    if Path(bitacora).exists() or (otra := otra_reciente(bitacora)) is None:
        return None
    como = (
        f"--politica {otra['politica']}"
        if otra.get("politica")
        else f"--bitacora {otra['bitacora']}"
    )
    return (
        f"aviso: {bitacora} no existe; el último envío real ({otra['usada'][:16].replace('T', ' ')}) "
        f"usó la bitácora {otra['bitacora']}: vuelve a ejecutar con {como}"
    )
