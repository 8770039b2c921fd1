"""La memoria de un proceso de lectura entre un archivo y el siguiente.

Después de un libro grande (5,000 filas, miles de estilos…) Python suelta sus objetos,
pero el asignador de la biblioteca de C (glibc) se queda con buena parte de esas páginas:
el proceso seguía con 165 MB tras «muchos estilos» y el plan de 5,000 filas que le tocó
después sumó lo suyo encima (296 MB). `trim` se las devuelve al sistema
(`malloc_trim`, la receta que documenta Dask para sus procesos de trabajo) y el pico de
cada proceso queda en su archivo más pesado, no en la suma de los que le tocaron.

Fuera de Linux con glibc (Windows, macOS, musl) no hay `/proc` ni `malloc_trim`: las dos
funciones no hacen nada y el proceso se comporta como antes.
"""

from __future__ import annotations

import ctypes
import os
from collections.abc import Callable
from functools import cache

#: Cuánto puede crecer un proceso por encima de lo que ocupaba al iniciar antes de
#: devolver memoria al sistema (por debajo, devolverla solo cuesta fallos de página).
TRIM_ABOVE_MB = 16

_PAGE_MB = (os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096) / 2**20


def resident_mb() -> float | None:
    """Memoria residente del proceso en MB (Linux), o None donde no se puede saber."""
    try:
        with open("/proc/self/statm", "rb") as f:
            return int(f.read().split()[1]) * _PAGE_MB
    except (OSError, ValueError, IndexError):
        return None


@cache
def _malloc_trim() -> Callable[[int], int] | None:
    try:
        return ctypes.CDLL(None).malloc_trim  # type: ignore[no-any-return]
    except (OSError, AttributeError, TypeError):  # sin glibc (en Windows, CDLL(None) falla)
        return None


def trim() -> None:
    """Devuelve al sistema la memoria libre del asignador de C (glibc)."""
    if (fn := _malloc_trim()) is not None:
        fn(0)


class Watermark:
    """Lo que ocupaba el proceso al iniciar; `settle()` tras cada archivo devuelve la
    memoria si quedó más de `TRIM_ABOVE_MB` por encima. Si aun así queda arriba (memoria
    que sigue en uso), la marca sube: no se repite tras cada archivo mientras no crezca."""

    def __init__(self) -> None:
        self.base = self.mark = resident_mb()

    def settle(self) -> None:
        if self.base is None or self.mark is None:  # (sin /proc)
            return
        now = resident_mb() or 0.0
        if now > self.mark + TRIM_ABOVE_MB:
            trim()
            self.mark = max(self.base, resident_mb() or now)
