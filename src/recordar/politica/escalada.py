"""Validar la escalada de la política: los pasos, sus canales, los segmentos con sus condiciones
y el paso de promesa incumplida."""

from __future__ import annotations

from typing import Any

from recordar.cartera.valores import numero_de_condicion, partir_condicion
from recordar.errores import quisiste_decir
from recordar.politica.campos import MAX_DIAS, SI_NO, _entero, _texto_libre
from recordar.politica.politica import CANALES_MENSAJE, Paso, Segmento

CLAVES_PASO = {
    "id",
    "dias",
    "repetir_cada",
    "hasta",
    "canales",
    "plantilla",
    "accion",
    "descripcion",
    "tras_aviso",
}


def _pasos(valor: Any, problemas: list[str]) -> list[Paso]:
    if not isinstance(valor, list) or not valor:
        problemas.append(
            "pasos: debe ser una lista con al menos un paso (id, dias, canales, plantilla)"
        )
        return []
    pasos: list[Paso] = []
    vistos: set[str] = set()
    for i, bruto in enumerate(valor):
        donde = f"pasos[{i}]"
        if not isinstance(bruto, dict):
            problemas.append(f"{donde}: debe ser un mapa (id, dias, canales, plantilla)")
            continue
        paso = _paso(bruto, donde, problemas)
        if paso is None:
            continue
        if paso.id in vistos:
            problemas.append(
                f"{donde}.id: «{paso.id}» está repetido; cada paso necesita un id único"
            )
        vistos.add(paso.id)
        pasos.append(paso)
    pasos.sort(key=lambda p: p.dias)
    return pasos


def _paso(bruto: dict, donde: str, problemas: list[str]) -> Paso | None:
    antes = len(problemas)
    for clave in bruto:
        if clave not in CLAVES_PASO:
            problemas.append(
                f"{donde}.{clave}: clave desconocida{quisiste_decir(str(clave), CLAVES_PASO)}"
            )
    id_ = bruto.get("id")
    if id_ is None or not str(id_).strip():
        problemas.append(f"{donde}.id: falta el identificador del paso (p. ej. id: recordatorio)")
        id_ = f"paso{donde}"
    elif isinstance(id_, bool) or not isinstance(id_, str | int):
        problemas.append(f"{donde}.id: debe ser un texto (p. ej. id: recordatorio), no «{id_}»")
        id_ = f"paso{donde}"
    id_ = str(id_).strip()
    if "#" in id_:
        problemas.append(f"{donde}.id: no puede contener «#»")
    rango = {"minimo": -MAX_DIAS, "maximo": MAX_DIAS}
    dias = _entero(bruto, "dias", donde, problemas, requerido=True, **rango)
    repetir = _entero(bruto, "repetir_cada", donde, problemas, minimo=1, maximo=MAX_DIAS)
    hasta = _entero(bruto, "hasta", donde, problemas, **rango)
    if hasta is not None and dias is not None and hasta < dias:
        problemas.append(f"{donde}.hasta: debe ser mayor o igual que dias ({dias})")
    if hasta is not None and bruto.get("repetir_cada") is None:
        problemas.append(f"{donde}.hasta: solo tiene sentido junto con repetir_cada")
    accion = bruto.get("accion", "mensaje")
    if accion not in ("mensaje", "tarea"):
        problemas.append(f"{donde}.accion: debe ser «mensaje» o «tarea», no «{accion}»")
    canales: tuple[str, ...] = ()
    plantilla = ""
    if accion != "tarea":
        canales = _canales_paso(bruto.get("canales", ["email"]), donde, problemas)
        plantilla = bruto.get("plantilla", id_)
        if not isinstance(plantilla, str) or not plantilla.strip():
            problemas.append(
                f"{donde}.plantilla: debe ser el nombre de una plantilla (p. ej. recordatorio)"
            )
            plantilla = id_
    descripcion = _texto_libre(bruto.get("descripcion"), f"{donde}.descripcion", problemas)
    tras_aviso = _entero(bruto, "tras_aviso", donde, problemas, minimo=0, maximo=MAX_DIAS)
    if tras_aviso is not None and accion != "tarea":
        problemas.append(f"{donde}.tras_aviso: solo tiene sentido en un paso con accion: tarea")
    if len(problemas) > antes:
        return None
    return Paso(
        id=id_,
        dias=dias,
        canales=canales,
        plantilla=plantilla.strip(),
        repetir_cada=repetir,
        hasta=hasta,
        accion=accion,
        descripcion=descripcion,
        tras_aviso=tras_aviso,
    )


def _canales_paso(valor: Any, donde: str, problemas: list[str]) -> tuple[str, ...]:
    if isinstance(valor, str):
        valor = [valor]
    if not isinstance(valor, list) or not valor:
        problemas.append(f"{donde}.canales: debe ser una lista de canales (email, sms, whatsapp)")
        return ()
    canales = []
    for j, c in enumerate(valor):
        if c not in CANALES_MENSAJE:
            problemas.append(
                f"{donde}.canales[{j}]: «{c}» no es un canal; usa email, sms o whatsapp"
            )
        elif c not in canales:
            canales.append(c)
    return tuple(canales)


def _segmentos(valor: Any, problemas: list[str]) -> list[Segmento]:
    if valor is None:
        return []
    if not isinstance(valor, list):
        problemas.append("segmentos: debe ser una lista (nombre, si, pasos, canales)")
        return []
    segmentos = []
    for i, bruto in enumerate(valor):
        donde = f"segmentos[{i}]"
        if not isinstance(bruto, dict):
            problemas.append(f"{donde}: debe ser un mapa (nombre, si, pasos, canales)")
            continue
        for clave in bruto:
            if clave not in ("nombre", "si", "pasos", "canales"):
                problemas.append(
                    f"{donde}.{clave}: clave desconocida (usa nombre, si, pasos, canales)"
                )
        condiciones = _condiciones(bruto.get("si"), f"{donde}.si", problemas)
        pasos = None
        if "pasos" in bruto:
            antes = len(problemas)
            pasos = _pasos(bruto["pasos"], problemas)
            problemas[antes:] = [p.replace("pasos", f"{donde}.pasos", 1) for p in problemas[antes:]]
        canales = _canales_paso(bruto["canales"], donde, problemas) if "canales" in bruto else ()
        nombre = _texto_libre(bruto.get("nombre"), f"{donde}.nombre", problemas)
        nombre = nombre.strip() or f"segmento{i + 1}"
        segmentos.append(Segmento(nombre, condiciones, pasos, canales))
    return segmentos


def _condiciones(valor: Any, donde: str, problemas: list[str]) -> dict[str, str]:
    """`si: {tipo: habitual, monto: ">= 50000"}`: columna → valor o comparación."""
    if not isinstance(valor, dict) or not valor:
        problemas.append(f"{donde}: debe ser un mapa columna → condición (p. ej. tipo: habitual)")
        return {}
    condiciones = {}
    for columna, condicion in valor.items():
        aqui = f"{donde}.{columna}"
        if isinstance(condicion, bool):
            problemas.append(f"{aqui}: {SI_NO}")
        elif isinstance(condicion, list | dict):
            problemas.append(
                f'{aqui}: debe ser un valor o una comparación (p. ej. habitual o ">= 50000"), '
                "no una lista ni un mapa"
            )
        elif condicion is None or not str(condicion).strip():
            problemas.append(f"{aqui}: falta la condición (p. ej. tipo: habitual)")
        else:
            texto = str(condicion).strip()
            problema = _problema_condicion(texto)
            if problema:
                problemas.append(f"{aqui}: {problema}")
            condiciones[str(columna)] = texto
    return condiciones


def _problema_condicion(texto: str) -> str | None:
    """Lo que falla en una condición, como la lee segmentos.cumple (o None)."""
    operador, esperado = partir_condicion(texto)
    if esperado.lower().lstrip("+-") in ("nan", "snan"):
        return f"«{texto}» no es un valor que se pueda comparar"
    if operador in (">=", "<=", ">", "<") and numero_de_condicion(esperado) is None:
        return f'«{texto}»: con >=, <=, > o < va un número (p. ej. ">= 50000")'
    return None


def _promesa(valor: Any, problemas: list[str]) -> Paso:
    valor = {} if valor is None else valor
    if not isinstance(valor, dict):
        problemas.append("promesa_incumplida: debe ser un mapa (canales, plantilla)")
        valor = {}
    for clave in valor:
        if clave not in ("canales", "plantilla"):
            problemas.append(
                f"promesa_incumplida.{clave}: clave desconocida (usa canales, plantilla)"
            )
    canales = _canales_paso(valor.get("canales", ["email", "sms"]), "promesa_incumplida", problemas)
    plantilla = valor.get("plantilla", "promesa_incumplida")
    if not isinstance(plantilla, str) or not plantilla.strip():
        problemas.append(
            "promesa_incumplida.plantilla: debe ser el nombre de una plantilla "
            "(p. ej. promesa_incumplida)"
        )
        plantilla = "promesa_incumplida"
    return Paso(id="promesa_incumplida", dias=0, canales=canales, plantilla=plantilla.strip())
