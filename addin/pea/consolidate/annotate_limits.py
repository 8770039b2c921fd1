"""Tope de las celdas combinadas antes de abrir un libro con openpyxl para anotarlo.

openpyxl crea un objeto por cada celda que cubre un rango combinado: un solo rango sobre
toda la hoja (``A1:XFD1048576``) son 17 mil millones de celdas, horas y gigabytes antes de
que se agote el tiempo de la copia. La lectura del plan ya recorta los rangos a los datos;
aquí se cuentan en el XML, sin openpyxl, y si pasan del tope no se hace la copia.
"""

from __future__ import annotations

import io
import re
import zipfile

from openpyxl.utils.cell import range_boundaries

#: Celdas cubiertas por rangos combinados que openpyxl abre en unos segundos y pocos MB
#: (medido: 1.2 millones de celdas, 35 s y 500 MB).
MAX_MERGED_CELLS = 200_000
#: Rangos combinados (cada uno es también un objeto de openpyxl).
MAX_MERGED_RANGES = 20_000

_REF = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*?\bref="([^"]*)"')


def merged_cells(data: bytes) -> tuple[int, int]:
    """(rangos, celdas que cubren) en todas las hojas del libro `data` (un .xlsx/.xlsm).
    Una referencia que no se entiende cuenta como un rango de una celda."""
    ranges = cells = 0
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for info in z.infolist():
            if not info.filename.lower().endswith(".xml"):
                continue
            body = z.read(info.filename)
            if b"mergeCell" not in body:
                continue
            for ref in _REF.findall(body):
                ranges += 1
                try:
                    c1, r1, c2, r2 = range_boundaries(ref.decode("ascii", "replace"))
                except (ValueError, TypeError):
                    cells += 1
                    continue
                cells += (abs((r2 or r1 or 1) - (r1 or 1)) + 1) * (abs((c2 or c1 or 1) - (c1 or 1)) + 1)
    return ranges, cells


def too_many_merged(data: bytes) -> str | None:
    """Por qué no se anota el libro `data` (en español), o None si sus combinadas caben."""
    ranges, cells = merged_cells(data)
    if ranges > MAX_MERGED_RANGES or cells > MAX_MERGED_CELLS:
        return (f"sus celdas combinadas cubren {cells:,} celdas en {ranges:,} rango(s), más de "
                f"lo que una copia anotada puede reproducir ({MAX_MERGED_CELLS:,} celdas); "
                "sus observaciones están en el maestro")
    return None
