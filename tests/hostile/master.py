"""Leer las hojas del libro maestro como listas de diccionarios (encabezado en la fila 1)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from openpyxl import load_workbook


def sheet_rows(path: Path, sheet: str) -> list[dict[str, Any]]:
    """Filas de una hoja del maestro, por nombre de columna."""
    wb = load_workbook(path, read_only=True, data_only=True)
    try:
        rows = list(wb[sheet].iter_rows(values_only=True))
    finally:
        wb.close()
    header = [str(h) if h is not None else "" for h in rows[0]]
    return [dict(zip(header, r, strict=False)) for r in rows[1:] if any(v is not None for v in r)]


def all_text(path: Path) -> str:
    """Todo el texto de todas las hojas (para buscar lo que no debe estar)."""
    wb = load_workbook(path, read_only=True, data_only=True)
    try:
        return "\n".join(str(v) for ws in wb.worksheets for row in ws.iter_rows(values_only=True)
                         for v in row if v is not None)
    finally:
        wb.close()
