"""El recolector de ciclos durante una consolidación.

Leer planes y armar el maestro crea cientos de miles de objetos de vida corta (celdas,
líneas, textos) que se liberan por conteo de referencias: leer un libro, sano o dañado, no
deja basura con ciclos (hay prueba con el corpus hostil). Con los umbrales por omisión el
recolector corre cada 700 objetos nuevos y, en sus pasadas completas, recorre también todo
lo ya cargado (módulos, pydantic, catálogos): ~8 % del tiempo de lectura. Aquí lo ya
cargado queda fuera de sus recorridos (`gc.freeze`) y corre cada 50,000 objetos.
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
