"""Lo que hace un proceso de trabajo con un archivo: leerlo, validarlo y resumirlo.

El resultado («payload») es un diccionario de tipos simples: viaja entre procesos y se
guarda tal cual en la caché (JSON). Nunca lanza: un archivo que no se puede leer produce
un reporte con PEA-E00, igual que `pea validar`.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path
from typing import Any

from pea.config import RulesConfig
from pea.consolidate.cells import EXCEL_MAX, EXCEL_MIN, fit
from pea.consolidate.extract import plan_lines
from pea.oserrors import os_reason
from pea.validation import unreadable_report, validate_bytes

log = logging.getLogger(__name__)

#: Clave con el payload ya serializado para la caché (se quita antes de usarlo).
BLOB_KEY = "_cache"

#: Clave con (tamaño, fecha) del archivo que dio los bytes leídos (no va a la caché).
STAT_KEY = "_leido"

#: Cambia cuando cambia la forma del payload (invalida la caché).
PAYLOAD_VERSION = 3  # 2: copia anotada en el reporte; 3: textos que no caben en una celda

_CONFIG: RulesConfig | None = None


def init_worker(config: RulesConfig) -> None:
    """Inicializador de cada proceso: la configuración de reglas y el recolector de
    ciclos ajustado (`pea.consolidate.gctune`)."""
    global _CONFIG
    _CONFIG = config
    from pea.consolidate import gctune
    from pea.rules.registry import load_all

    load_all()
    gctune.tune()


def make_payload(report_json: dict[str, Any], lines: list[list[Any]], sha256: str | None,
                 ilegible: bool) -> dict[str, Any]:
    report_json.pop("archivo", None)  # la ruta no es parte del contenido (caché por sha256)
    return {"v": PAYLOAD_VERSION, "sha256": sha256, "report": report_json, "lines": lines,
            "ilegible": ilegible}


def unreadable_payload(message: str, config: RulesConfig, sha256: str | None = None) -> dict[str, Any]:
    """Payload de un archivo ilegible (tiempo agotado, proceso caído, no se pudo abrir)."""
    report = unreadable_report("", message, config)
    return make_payload(report.model_dump(mode="json"), [], sha256, True)


def process_file(item: tuple[str, str]) -> dict[str, Any]:
    """Lee y valida un archivo; ``item`` es (ruta, nombre para el reporte)."""
    path, archivo = item
    config = _CONFIG
    assert config is not None, "init_worker no se llamó"
    from pea.reading.errors import UnreadableFile
    from pea.reading.source import read_input_stat

    try:  # con tope de tamaño antes de leer; rechaza tuberías y archivos que se copian
        data, st = read_input_stat(Path(path), config.limites)
    except UnreadableFile as exc:
        return unreadable_payload(exc.message, config)
    except OSError as exc:
        return unreadable_payload(f"no se pudo abrir ({os_reason(exc)}).",
                                  config)
    sha = hashlib.sha256(data).hexdigest()
    too_long: list[list[Any]] = []
    try:
        plan, report = validate_bytes(Path(path), data, config, archivo)
        lines = plan_lines(plan, config, too_long) if plan is not None else []
    except Exception as exc:  # defecto interno: el archivo queda ilegible, la corrida sigue
        log.exception("Falla interna al leer %s", archivo)
        return unreadable_payload(f"falla interna del lector ({type(exc).__name__}); "
                                  "repórtela al equipo de PEA.", config, sha)
    ilegible = any(f.regla == "PEA-E00" for f in report.hallazgos)
    payload = make_payload(report.model_dump(mode="json"), lines, sha, ilegible)
    if too_long:
        payload["textos_largos"] = too_long  # [fila, columna, caracteres]
    # la forma de la caché se prepara aquí, en paralelo, y no en el proceso principal
    from pea.consolidate.cache import encode  # (cache importa este módulo)

    return {**payload, BLOB_KEY: encode(payload), STAT_KEY: (st.st_size, st.st_mtime)}


def share_strings(payload: dict[str, Any], table: dict[str, str]) -> dict[str, Any]:
    """Un solo objeto por texto repetido (continuaciones, ejes, mensajes): ~½ de memoria.

    De paso, cada valor de las líneas queda como lo aceptan todas las salidas
    (`cells.fit`: un número que Excel no guarda, como 1e308 o NaN, pasa a texto), venga
    de un proceso de lectura o de la caché.
    """
    same = table.setdefault
    low, high = EXCEL_MIN, EXCEL_MAX  # `cells.fits` en línea: ~4 números por línea
    for line in payload.get("lines") or ():
        line[:] = [same(v, v) if type(v) is str else
                   v if v is None or (type(v) is float and (v == 0.0 or low <= abs(v) <= high))
                   or (type(v) is int and -high <= v <= high)
                   else fit(v) for v in line]
    for f in payload.get("report", {}).get("hallazgos") or ():
        for k in ("regla", "severidad", "hoja", "mensaje"):
            v = f.get(k)
            if type(v) is str:
                f[k] = table.setdefault(v, v)
    return payload
