"""Exportación de texto de un plan (separada por tabuladores), como la semilla.

Cada línea es una fila (su número es la fila de los hallazgos) y cada tabulador separa
una columna. Las líneas sin tabuladores son el bloque de encabezado y el pie; de ellas
se quitan las marcas de la conversión (``# `` de título, ``**`` de negritas y los
espacios finales de salto de línea).
"""

from __future__ import annotations

import re

from pea.reading.errors import UnreadableFile
from pea.reading.grid import SheetGrid

_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+")
_BOLD = re.compile(r"\*\*(.*?)\*\*")


def decode(data: bytes) -> str:
    """UTF-8 (con o sin BOM); si no lo es, Windows-1252."""
    if not data.strip():
        raise UnreadableFile("El archivo está vacío.", motivo="vacio")
    if b"\x00" in data[:4096]:
        raise UnreadableFile(
            "El archivo no es una exportación de texto del plan (contiene datos binarios).",
            motivo="no_excel",
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _clean_line(line: str) -> str:
    line = _HEADING.sub("", line.rstrip())
    return _BOLD.sub(r"\1", line)


def read_text(data: bytes, max_rows: int) -> SheetGrid:
    """La exportación de texto como cuadrícula (hoja = None)."""
    text = decode(data)
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    rows: list[list[object]] = []
    for line in lines[:max_rows]:
        if "\t" in line:
            rows.append([c if c != "" else None for c in line.split("\t")])
        else:
            cleaned = _clean_line(line)
            rows.append([cleaned] if cleaned else [])
    return SheetGrid(name=None, rows=rows, text_export=True)
