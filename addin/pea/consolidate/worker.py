"""Lo que hace un proceso de trabajo con un archivo: validarlo y resumirlo.

El proceso principal lee cada archivo una sola vez (`read_task`: tope de tamaño, sha256
para la caché) y, si no está en la caché, manda esos mismos bytes aquí (`ReadTask`);
este proceso no vuelve a abrir el archivo ni a calcular su huella. El resultado es un
`Outcome` (`pea.consolidate.outcome`): viaja entre procesos y la caché lo guarda ya
serializado (`cache.encode`, hecho aquí, en paralelo). Nunca lanza: un archivo que no se
puede leer produce un reporte con PEA-E00, igual que `pea validar`.
"""

from __future__ import annotations

import hashlib
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from pea.config import RulesConfig
from pea.consolidate.cells import EXCEL_MAX, EXCEL_MIN, fit
from pea.consolidate.extract import plan_lines
from pea.consolidate.outcome import PAYLOAD_VERSION, MasterLine, Outcome
from pea.models import FileReport
from pea.validation import unreadable_report, validate_data

log = logging.getLogger(__name__)

__all__ = ["PAYLOAD_VERSION", "Processed", "ReadTask", "init_worker", "process_file",
           "read_task", "share_strings", "unreadable_outcome"]


@dataclass(slots=True)
class ReadTask:
    """Un archivo ya leído, para validarlo en un proceso de trabajo."""

    #: Nombre del archivo: su extensión decide el lector (libro, exportación de texto…).
    name: str
    #: Cómo se llama el archivo en el reporte (ruta relativa a la carpeta).
    archivo: str
    data: bytes
    sha256: str

    def take(self) -> bytes:
        """Los bytes, entregados una vez: quien los toma es el único que los tiene, y así
        se sueltan en cuanto el libro está leído (`validate_data`) y no durante todas las
        reglas (un texto de 45 MB: 38 MB menos en el pico del proceso)."""
        data, self.data = self.data, b""
        return data


@dataclass(slots=True)
class Processed:
    """Lo que devuelve `process_file`: el resultado y su forma para la caché."""

    outcome: Outcome
    blob: bytes | None = None


def read_task(path: Path, archivo: str, config: RulesConfig,
              name: str | None = None) -> tuple[ReadTask, os.stat_result]:
    """Lee un archivo (la única vez en la corrida) con el tope de tamaño de las reglas, su
    sha256, y el tamaño y la fecha del archivo que dio esos bytes. `name` es el nombre que
    decide el lector, si no es el del archivo (la Ventanilla guarda por sha256). Lanza
    `UnreadableFile` (con el motivo en español) si no se puede leer."""
    from pea.reading.source import read_input_stat

    # con tope de tamaño antes de leer; rechaza tuberías y archivos que se están copiando
    data, st = read_input_stat(path, config.limites)
    return ReadTask(name or path.name, archivo, data, hashlib.sha256(data).hexdigest()), st


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


def process_file(task: ReadTask) -> Processed:
    """Valida los bytes de un archivo y resume sus líneas para el maestro."""
    config = _CONFIG
    assert config is not None, "init_worker no se llamó"
    too_long: list[tuple[int, str, int]] = []
    try:
        v = validate_data(Path(task.name), task.take(), config, task.archivo)
        lines = plan_lines(v.ctx, too_long) if v.ctx is not None else []
        outcome = outcome_of(v.report, task.sha256, lines, too_long)
    except Exception as exc:  # defecto interno: el archivo queda ilegible, la corrida sigue
        log.exception("Falla interna al leer %s", task.archivo)
        return Processed(unreadable_outcome(f"falla interna del lector ({type(exc).__name__}); "
                                            "repórtela al equipo de PEA.", config, task.sha256))
    # la forma de la caché se prepara aquí, en paralelo, y no en el proceso principal
    from pea.consolidate.cache import encode

    return Processed(outcome, encode(outcome))


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
