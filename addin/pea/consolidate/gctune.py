"""El recolector de ciclos durante una consolidación.

Leer planes y armar el maestro crea cientos de miles de objetos de vida corta (celdas,
líneas, textos) que se liberan por conteo de referencias. Con el umbral por omisión
(700) el recolector recorre una y otra vez lo ya cargado (módulos, catálogos, los
resultados acumulados) sin encontrar ciclos: ~8 % del tiempo de lectura. Aquí lo ya
cargado queda fuera de sus recorridos (`gc.freeze`) y corre cada 50,000 objetos nuevos.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

THRESHOLD = (50_000, 50, 1000)


def tune() -> None:
    """Para un proceso de lectura (vive lo que dura la corrida)."""
    gc.freeze()
    gc.set_threshold(*THRESHOLD)


@contextmanager
def tuned() -> Iterator[None]:
    """Durante una corrida en el proceso principal; al salir, todo como estaba (si quien
    llama ya había congelado objetos, no se descongela nada: no se sabe cuáles eran suyos)."""
    old = gc.get_threshold()
    frozen_before = gc.get_freeze_count()
    tune()
    try:
        yield
    finally:
        gc.set_threshold(*old)
        if not frozen_before:
            gc.unfreeze()
