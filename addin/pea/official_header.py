"""Escribe las dos filas del encabezado oficial en una hoja de openpyxl.

Lo usan la plantilla y los planes de ejemplo, para que ambos salgan de `layout`.
"""

from __future__ import annotations

from typing import Any

from pea import layout as L


def write_table_header(ws: Any, ejes_transversales: tuple[str, ...], meta_label: str = "") -> None:
    """Filas 8–9: grupos combinados, ejes transversales I–V y los cuatro trimestres."""
    h, s = L.ROW_HEADER, L.ROW_SUBHEADER
    for start, end, text in L.header_groups():
        ws[f"{start}{h}"] = text
        if start == end:
            ws.merge_cells(f"{start}{h}:{start}{s}")
        else:
            ws.merge_cells(f"{start}{h}:{end}{h}")
    for label, key in zip(ejes_transversales, L.MARK_KEYS, strict=True):
        ws[f"{L.BY_KEY[key].letter}{s}"] = label
    if meta_label:
        ws[f"{L.BY_KEY['meta'].letter}{s}"] = meta_label
    for key in L.QUARTER_KEYS:
        ws[f"{L.BY_KEY[key].letter}{s}"] = L.BY_KEY[key].subheader
