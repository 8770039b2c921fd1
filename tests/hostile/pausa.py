"""`pea` con una pausa inyectada en la escritura del maestro, para matarlo a medias.

Uso (lo llaman las pruebas): ``python3 pausa.py MODO MARCA ARGUMENTOS_DE_PEA…``

- ``zip``: después de escribir la tercera parte del zip del temporal ``.~pea-*.tmp``
  (el maestro a medio escribir), crea el archivo MARCA y se detiene 120 s.
- ``reemplazo``: con el temporal completo, justo antes de moverlo sobre el maestro
  (``os.replace``), crea MARCA y se detiene 120 s.

Solo el proceso principal se detiene (los procesos de lectura no escriben el maestro).
Nada de esto está en el código de PEA: se parchea aquí, en el proceso de prueba.
"""

from __future__ import annotations

import os
import sys
import time
import zipfile
from pathlib import Path
from typing import Any

MAIN_PID = os.getpid()


def _stop(marker: Path) -> None:
    marker.write_text(str(os.getpid()))
    time.sleep(120)


def _patch_zip(marker: Path) -> None:
    calls = {"n": 0}

    def wrap(orig: Any) -> Any:
        def inner(self: zipfile.ZipFile, *args: Any, **kwargs: Any) -> Any:
            out = orig(self, *args, **kwargs)
            if os.getpid() == MAIN_PID and ".~pea-" in str(self.filename or ""):
                calls["n"] += 1
                if calls["n"] == 3:
                    self.fp.flush()  # type: ignore[union-attr]
                    _stop(marker)
            return out

        return inner

    zipfile.ZipFile.write = wrap(zipfile.ZipFile.write)  # type: ignore[method-assign]
    zipfile.ZipFile.writestr = wrap(zipfile.ZipFile.writestr)  # type: ignore[method-assign]


def _patch_replace(marker: Path) -> None:
    orig = os.replace

    def replace(src: Any, dst: Any, *args: Any, **kwargs: Any) -> None:
        if os.getpid() == MAIN_PID and str(dst).endswith(".xlsx"):
            _stop(marker)
        orig(src, dst, *args, **kwargs)

    os.replace = replace  # type: ignore[assignment]


def main() -> None:
    mode, marker, *args = sys.argv[1:]
    {"zip": _patch_zip, "reemplazo": _patch_replace}[mode](Path(marker))
    from pea.cli.app import main as pea_main

    pea_main(args)


if __name__ == "__main__":
    main()
