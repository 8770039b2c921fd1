"""El libro maestro con las entregas vigentes de cada dependencia (la Ventanilla).

Es la misma corrida de `pea consolidar` (`pea.consolidate.run.consolidate`): mismas hojas,
mismos estados de «Entregas», mismas reglas entre libros y la misma caché incremental junto
al maestro; solo cambia de dónde salen los archivos: en vez de escanear una carpeta, quien
llama da la lista de entregas, con el nombre que muestra el maestro y el vínculo de su fila
en «Entregas» (la página de la entrega en la Ventanilla).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pea.atomic import OutputLock, OutputLocked
from pea.config import RulesConfig
from pea.consolidate.run import Options, RunResult, consolidate
from pea.consolidate.scan import FoundFile, skip_reason
from pea.oserrors import os_reason


@dataclass(frozen=True)
class Delivery:
    """Un archivo entregado que entra al maestro.

    `path`: el archivo guardado (con su extensión real: .xlsx, .xlsm, .txt, .tsv);
    `archivo`: el nombre que muestra el maestro (columna «Archivo»);
    `link`: destino del vínculo de «Archivo» en «Entregas» (None: vínculo al archivo);
    `delivered`: fecha de la entrega («Fecha de modificación»; None: la del archivo).
    """

    path: Path
    archivo: str
    link: str | None = None
    delivered: dt.datetime | None = None


def found_files(deliveries: Sequence[Delivery]) -> list[FoundFile]:
    """Las entregas como las encontraría el escaneo de una carpeta, en el mismo orden."""
    out = []
    for d in deliveries:
        try:
            st = d.path.stat()
            size, mtime = st.st_size, st.st_mtime
            reason = skip_reason(d.path)
        except OSError as exc:
            size, mtime, reason = 0, 0.0, f"no se pudo consultar ({os_reason(exc)})."
        if d.delivered is not None:
            mtime = d.delivered.timestamp()
        out.append(FoundFile(d.path, d.archivo, size, mtime, reason, d.link))
    out.sort(key=lambda f: f.archivo.casefold())  # como `scan`
    return out


def build_master(deliveries: Sequence[Delivery], output: Path, config: RulesConfig, *,
                 csv_dir: Path | None = None, workers: int | None = None,
                 wait_seconds: float = 120.0, folder: Path | None = None) -> RunResult:
    """Escribe el maestro de estas entregas en `output` (con su caché al lado).

    `folder`: lo que el «Resumen» muestra como «Carpeta de entregas» (el almacén de la
    Ventanilla; por omisión, la carpeta del maestro).

    Toma el candado de la salida como `pea consolidar`; si otro proceso lo tiene, espera
    hasta `wait_seconds` y luego lanza `OutputLocked`.
    """
    output.parent.mkdir(parents=True, exist_ok=True)
    opts = Options(folder=folder or output.parent, output=output, recursive=True, csv_dir=csv_dir,
                   workers=workers, files=found_files(deliveries))
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            with OutputLock(output):
                return consolidate(opts, config)
        except OutputLocked:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
