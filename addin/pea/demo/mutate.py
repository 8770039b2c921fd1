"""Cambios sobre un plan escrito (para errores de ejemplo y para las pruebas de reglas).

Un cambio es un diccionario de datos, como en los casos YAML de `tests/reglas/`:

    celdas: {B10: "4.2 …", M10: 0.4}     # valores nuevos (None borra)
    formatos: {M10: "0%"}                 # formato de número
    borrar_columnas: [R]                  # elimina columnas completas
    borrar_filas: [11]                    # elimina filas completas
    descombinar: [A10:A11]                # quita una combinación de celdas
    copiar_filas: [{de: 10, a: 11}]       # copia valores y formatos de una fila a otra
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from pea.layout import col_index


def apply_changes(path: str | Path, changes: dict[str, Any], output: str | Path | None = None) -> Path:
    """Aplica los cambios a una copia (o al mismo archivo si no hay `output`)."""
    src = Path(path)
    keep_vba = src.suffix.lower() == ".xlsm"
    wb = load_workbook(src, keep_vba=keep_vba)
    try:
        return _apply(wb, src, changes, output)
    finally:  # la copia en memoria de las macros: sin cerrar, «Exception ignored … __del__»
        if wb.vba_archive is not None:
            wb.vba_archive.close()
            wb.vba_archive = None


def _apply(wb: Any, src: Path, changes: dict[str, Any], output: str | Path | None) -> Path:
    ws = wb[changes["hoja"]] if "hoja" in changes else wb.worksheets[0]
    for rng in changes.get("descombinar", []):
        ws.unmerge_cells(rng)
    for copy in changes.get("copiar_filas", []):
        src_row, dst_row = int(copy["de"]), int(copy["a"])
        for cell in ws[src_row]:
            target = ws.cell(row=dst_row, column=cell.column)
            target.value = cell.value
            target.number_format = cell.number_format
    for addr, value in (changes.get("celdas") or {}).items():
        for rng in list(ws.merged_cells.ranges):
            if addr in rng and addr != rng.start_cell.coordinate:
                ws.unmerge_cells(str(rng))
        ws[addr] = value
    for addr, fmt in (changes.get("formatos") or {}).items():
        ws[addr].number_format = fmt
    for col in sorted((col_index(c) for c in changes.get("borrar_columnas", [])),
                      reverse=True):
        for rng in list(ws.merged_cells.ranges):
            if rng.min_col <= col <= rng.max_col:
                ws.unmerge_cells(str(rng))
        ws.delete_cols(col)
    for row in sorted(changes.get("borrar_filas", []), reverse=True):
        for rng in list(ws.merged_cells.ranges):
            if rng.min_row <= row <= rng.max_row:
                ws.unmerge_cells(str(rng))
        ws.delete_rows(row)
    out = Path(output) if output is not None else src
    wb.save(out)
    return out
