"""El recolector de ciclos durante una consolidación.

Leer planes y armar el maestro crea cientos de miles de objetos de vida corta (celdas,
líneas, textos). Cada tanto el recolector hace una pasada completa y recorre también todo
lo ya cargado (módulos, pydantic, catálogos), que nunca es basura: ~8 % del tiempo de
lectura. `gc.freeze` deja eso fuera de sus recorridos. Los umbrales quedan como están: la
basura con ciclos (p. ej. la de una excepción encadenada con un libro dañado) se sigue
liberando pronto; con umbrales más altos no se ganaba nada medible.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


def tune() -> None:
    """Para un proceso de lectura (vive lo que dura la corrida)."""
    gc.freeze()


@contextmanager
def tuned() -> Iterator[None]:
    """Durante una corrida en el proceso principal; al salir, todo como estaba (si quien
    llama ya había congelado objetos, no se descongela nada: no se sabe cuáles eran suyos)."""
    frozen_before = gc.get_freeze_count()
    tune()
    try:
        yield
    finally:
        if not frozen_before:
            gc.unfreeze()
