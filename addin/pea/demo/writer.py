"""Escribe planes de ejemplo en el formato oficial (openpyxl), en las variantes reales.

Variantes (las formas en que llegan los planes de las dependencias):
- ``combinada``: filas de continuación con celdas combinadas verticalmente;
- ``vacia``: filas de continuación con las celdas del bloque en blanco;
- ``fraccion``: trimestres numéricos 0.42 con formato ``0%`` (como Excel los guarda);
- ``texto``: trimestres como texto «42%»;
- ``desplazada``: la fila 2 del encabezado sin la celda vacía de L (como la semilla).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

from pea import layout as L
from pea.demo import plan_rows
from pea.official_header import write_table_header

Variant = Literal["combinada", "vacia", "fraccion", "texto", "desplazada"]
VARIANTS: tuple[Variant, ...] = ("combinada", "vacia", "fraccion", "texto", "desplazada")

_THIN = Side(style="thin", color="808080")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEAD_FILL = PatternFill("solid", fgColor="7B2C3B")
_HEAD_FONT = Font(bold=True, color="FFFFFF")


def _quarter_value(v: Any, variant: Variant) -> Any:
    if v is None:
        return None
    if variant in ("fraccion", "combinada", "vacia"):
        return float(Decimal(str(v)) / 100)
    d = Decimal(str(v))
    return f"{d.normalize():f}%"


def write_plan_xlsx(
    dep: dict[str, Any],
    path: str | Path,
    *,
    variant: Variant = "combinada",
    anio: int = 2024,
    municipio: str = "Oaxaca de Jalisco",
    periodo: str = "2021-2024",
    ejes_transversales: tuple[str, ...] = L.DEFAULT_EJES_TRANSVERSALES,
    sheet_name: str = L.PLAN_SHEET,
) -> Path:
    """Escribe un plan (una entrada de ``dependencias`` del demo) a un .xlsx."""
    wb = Workbook()
    ws = wb.active
    ws.title = sheet_name
    last = L.LAST_COL
    for row, text in ((L.ROW_GOBIERNO, f"Gobierno Municipal de {municipio} {periodo}"),
                      (L.ROW_TITLE, L.title_text(anio)),
                      (L.ROW_INSTITUTO, "Instituto Municipal de Planeación")):
        ws[f"A{row}"] = text
        ws[f"A{row}"].font = Font(bold=True, size=14 if row == L.ROW_TITLE else 11)
        ws[f"A{row}"].alignment = Alignment(horizontal="center")
        ws.merge_cells(f"A{row}:{last}{row}")
    for row, label, key in ((L.ROW_DEPENDENCIA, L.LABEL_DEPENDENCIA, "dependencia"),
                            (L.ROW_MISION, L.LABEL_MISION, "mision"),
                            (L.ROW_VISION, L.LABEL_VISION, "vision")):
        ws[f"A{row}"] = label
        ws[f"A{row}"].font = Font(bold=True)
        ws[f"B{row}"] = dep.get(key)
        ws.merge_cells(f"B{row}:{last}{row}")

    _write_header(ws, variant, ejes_transversales)
    rows = plan_rows(dep)
    r = L.FIRST_DATA_ROW
    block_start: int | None = None
    for item in rows:
        if not item["continuacion"]:
            if block_start is not None:
                _merge_block(ws, block_start, r - 1, variant)
            block_start = r
            for key in L.BLOCK_KEYS:
                ws[f"{L.BY_KEY[key].letter}{r}"] = item.get(key)
        else:
            for key in L.OWN_TEXT_KEYS:
                if item.get(key):
                    ws[f"{L.BY_KEY[key].letter}{r}"] = item[key]
        for roman, key in zip(L.ROMAN, L.MARK_KEYS, strict=True):
            if roman in item["ejes_transversales"]:
                ws[f"{L.BY_KEY[key].letter}{r}"] = "X"
        for q, key in zip(item["trimestres"], L.QUARTER_KEYS, strict=False):
            cell = ws[f"{L.BY_KEY[key].letter}{r}"]
            cell.value = _quarter_value(q, variant)
            if isinstance(cell.value, float):
                cell.number_format = "0%" if float(Decimal(str(q))).is_integer() else "0.00%"
        for c in L.COLUMNS:
            cell = ws[f"{c.letter}{r}"]
            cell.border = _BORDER
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        r += 1
    if block_start is not None:
        _merge_block(ws, block_start, r - 1, variant)

    fr = r + L.FOOTER_GAP
    for col, label, key in ((L.FOOTER_ELABORO_COL, L.FOOTER_ELABORO, "elaboro"),
                            (L.FOOTER_AUTORIZO_COL, L.FOOTER_AUTORIZO, "autorizo")):
        sig = dep.get(key) or {}
        ws[f"{col}{fr}"] = label
        ws[f"{col}{fr}"].font = Font(bold=True)
        ws[f"{col}{fr + 1}"] = sig.get("nombre")
        ws[f"{col}{fr + 2}"] = sig.get("cargo")
    for c in L.COLUMNS:
        ws.column_dimensions[c.letter].width = c.width
    out = Path(path)
    wb.save(out)
    return out


def _write_header(ws: Any, variant: Variant, ejes: tuple[str, ...]) -> None:
    h, s = L.ROW_HEADER, L.ROW_SUBHEADER
    write_table_header(ws, ejes)
    if variant == "desplazada":
        _shift_header_like_seed(ws)
    for row in (h, s):
        for idx in range(1, L.col_index(L.LAST_COL) + 1):
            cell = ws.cell(row=row, column=idx)
            cell.fill = _HEAD_FILL
            cell.font = _HEAD_FONT
            cell.border = _BORDER
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)


def _shift_header_like_seed(ws: Any) -> None:
    """Mueve una columna a la izquierda los encabezados desde L (sin la L9 vacía)."""
    h, s = L.ROW_HEADER, L.ROW_SUBHEADER
    for rng in list(ws.merged_cells.ranges):
        if rng.min_row >= h and rng.max_row <= s and rng.min_col >= L.col_index("L"):
            ws.unmerge_cells(str(rng))
    first = L.col_index("L")
    last = L.col_index(L.LAST_COL)
    for row in (h, s):
        values = [ws.cell(row=row, column=c).value for c in range(first, last + 1)]
        values = [*values[1:], None] if row == s else values
        if row == h:  # META sobre L–O, RESPONSABLE en P, …
            keys = ["META", None, None, None, "RESPONSABLE", "INDICADOR",
                    "POBLACION POTENCIAL", "POBLACION OBJETIVO", None]
            values = keys
        for offset, value in enumerate(values):
            ws.cell(row=row, column=first + offset).value = value
    ws.merge_cells(f"L{h}:O{h}")


def _merge_block(ws: Any, top: int, bottom: int, variant: Variant) -> None:
    if bottom <= top or variant == "vacia":
        return
    for key in L.BLOCK_KEYS:
        letter = L.BY_KEY[key].letter
        ws.merge_cells(f"{letter}{top}:{letter}{bottom}")


