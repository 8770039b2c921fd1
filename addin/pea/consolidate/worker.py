"""Lo que hace un proceso de trabajo con un archivo: leerlo, validarlo y resumirlo.

El resultado es un `Outcome` (`pea.consolidate.outcome`): viaja entre procesos y la
caché lo guarda ya serializado (`cache.encode`, hecho aquí, en paralelo). Nunca lanza: un
archivo que no se puede leer produce un reporte con PEA-E00, igual que `pea validar`.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path

from pea.config import RulesConfig
from pea.consolidate.cells import EXCEL_MAX, EXCEL_MIN, fit
from pea.consolidate.extract import plan_lines
from pea.consolidate.outcome import PAYLOAD_VERSION, MasterLine, Outcome
from pea.models import FileReport
from pea.oserrors import os_reason
from pea.validation import unreadable_report, validate_data

log = logging.getLogger(__name__)

__all__ = ["PAYLOAD_VERSION", "Processed", "init_worker", "process_file", "share_strings",
           "unreadable_outcome"]


@dataclass(slots=True)
class Processed:
    """Lo que devuelve `process_file`: el resultado, su forma para la caché y (tamaño,
    fecha) del archivo que dio los bytes leídos."""

    outcome: Outcome
    blob: bytes | None = None
    stat: tuple[int, float] | None = None


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


def outcome_of(report: FileReport, sha256: str | None,
               lines: list[MasterLine] | None = None,
               too_long: list[tuple[int, str, int]] | None = None) -> Outcome:
    report.archivo = ""  # la ruta no es parte del contenido (caché por sha256)
    return Outcome(sha256=sha256, report=report, lines=lines or [], too_long=too_long or [])


def unreadable_outcome(message: str, config: RulesConfig, sha256: str | None = None) -> Outcome:
    """Resultado de un archivo ilegible (tiempo agotado, proceso caído, no se pudo abrir)."""
    return outcome_of(unreadable_report("", message, config), sha256)


def process_file(item: tuple[str, str]) -> Processed:
    """Lee (una vez) y valida un archivo; ``item`` es (ruta, nombre para el reporte)."""
    path, archivo = item
    config = _CONFIG
    assert config is not None, "init_worker no se llamó"
    from pea.reading.errors import UnreadableFile
    from pea.reading.source import read_input_stat

    try:  # con tope de tamaño antes de leer; rechaza tuberías y archivos que se copian
        data, st = read_input_stat(Path(path), config.limites)
    except UnreadableFile as exc:
        return Processed(unreadable_outcome(exc.message, config))
    except OSError as exc:
        return Processed(unreadable_outcome(
            f"no se pudo abrir ({os_reason(exc)}).", config))
    sha = hashlib.sha256(data).hexdigest()
    too_long: list[tuple[int, str, int]] = []
    try:
        v = validate_data(Path(path), data, config, archivo)
        lines = plan_lines(v.ctx, too_long) if v.ctx is not None else []
        outcome = outcome_of(v.report, sha, lines, too_long)
    except Exception as exc:  # defecto interno: el archivo queda ilegible, la corrida sigue
        log.exception("Falla interna al leer %s", archivo)
        return Processed(unreadable_outcome(f"falla interna del lector ({type(exc).__name__}); "
                                            "repórtela al equipo de PEA.", config, sha))
    # la forma de la caché se prepara aquí, en paralelo, y no en el proceso principal
    from pea.consolidate.cache import encode

    return Processed(outcome, encode(outcome), (st.st_size, st.st_mtime))


def share_strings(outcome: Outcome, table: dict[str, str]) -> Outcome:
    """Un solo objeto por texto repetido (continuaciones, ejes): ~½ de memoria.

    De paso, cada valor de las líneas queda como lo aceptan todas las salidas
    (`cells.fit`: un número que Excel no guarda, como 1e308 o NaN, pasa a texto), venga
    de un proceso de lectura o de la caché.
    """
    same = table.setdefault
    low, high = EXCEL_MIN, EXCEL_MAX  # `cells.fits` en línea: ~4 números por línea
    outcome.lines = [
        MasterLine(ln.fila, ln.tipo, tuple([
            same(v, v) if type(v) is str else
            v if v is None or (type(v) is float and (v == 0.0 or low <= abs(v) <= high))
            or (type(v) is int and -high <= v <= high)
            else fit(v) for v in ln.values]), ln.eje_num, ln.estrategia_num, ln.programa_key)
        for ln in outcome.lines]
    return outcome
