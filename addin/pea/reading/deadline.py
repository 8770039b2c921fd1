"""Tiempo máximo de lectura de un archivo (`limites.segundos_por_archivo`).

Es cooperativo: el lector lo revisa entre pasos y dentro de los recorridos largos del
XML. Una sola llamada al motor de lectura (calamine) no se interrumpe; los demás límites
acotan lo que esa llamada puede tardar. El consolidador, además, vigila el tiempo de
cada archivo desde fuera.
"""

from __future__ import annotations

import time

from pea.reading.errors import UnreadableFile


class Deadline:
    """Momento en que la lectura de un archivo debe haber terminado."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.end = time.monotonic() + seconds

    def check(self) -> None:
        """Lanza `UnreadableFile` (`kind` «tiempo») si ya pasó el límite."""
        if time.monotonic() > self.end:
            raise UnreadableFile(
                f"La lectura del archivo tardó más de {self.seconds:g} s (límite de tiempo por "
                "archivo); revise que sea el plan y no un libro con datos de más, o pida al "
                "Instituto ampliar «limites.segundos_por_archivo».",
                kind="tiempo",
            )
