"""Llena una copia de la plantilla con un plan (para pruebas, demo y consolidador).

`plan` sigue la forma de una entrada de ``dependencias`` en
``pea/demo/municipio_demo.yaml``: dependencia, mision, vision,
elaboro{nombre,cargo}, autorizo{nombre,cargo} y filas[...] con sus
``continuaciones`` (filas de abajo con sus propios ejes transversales y
trimestres). Las filas de continuación se escriben con las celdas del bloque en
blanco (la plantilla no combina celdas de datos).
"""

from __future__ import annotations

import math
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from pea import layout as L
from pea.atomic import atomic_output
from pea.demo import plan_rows
from pea.template import geometry as G
from pea.template.package import finalize_package

_LINE_HEIGHT = 12.0  # puntos por renglón con letra de 9 puntos
_MIN_HEIGHT = 15.0


def _percent(value: Any) -> tuple[float, str]:
    """42 → (0.42, «0%»); 33.3 → (0.333, «0.0%»)."""
    d = Decimal(str(value))
    fmt = "0%" if d == d.to_integral_value() else "0.0%"
    return float(d / 100), fmt


def _row_height(values: dict[str, Any]) -> float:
    lines = 1
    for key, value in values.items():
        if isinstance(value, str) and value:
            width = L.BY_KEY[key].width
            lines = max(lines, math.ceil(len(value) / (max(width, 1.0) * 1.2)))
    return max(_MIN_HEIGHT, lines * _LINE_HEIGHT)


def fill_template(template_path: Path, plan: dict[str, Any], output: Path) -> Path:
    """Escribe `plan` en una copia de la plantilla (`output`, .xlsm con macros y cinta)."""
    lines = plan_rows(plan)
    if len(lines) > L.TEMPLATE_DATA_ROWS:
        raise ValueError(
            f"El plan tiene {len(lines)} filas y la plantilla admite {L.TEMPLATE_DATA_ROWS}.")
    wb = load_workbook(template_path, keep_vba=True)
    try:
        return _fill(wb, plan, lines, Path(output))
    finally:  # la copia en memoria de las macros: sin cerrar, «Exception ignored … __del__»
        if wb.vba_archive is not None:
            wb.vba_archive.close()
            wb.vba_archive = None


def _fill(wb: Any, plan: dict[str, Any], lines: list[dict[str, Any]], output: Path) -> Path:
    """Escribe las celdas del plan en la plantilla abierta `wb` y la guarda en `output`."""
    ws = wb[L.PLAN_SHEET]
    ws[f"B{L.ROW_DEPENDENCIA}"] = plan.get("dependencia")
    ws[f"B{L.ROW_MISION}"] = plan.get("mision")
    ws[f"B{L.ROW_VISION}"] = plan.get("vision")
    for offset, line in enumerate(lines):
        row = G.FIRST_ROW + offset
        texts = {k: line.get(k) for k in L.BLOCK_KEYS if line.get(k) is not None}
        for key, value in texts.items():
            ws[f"{L.BY_KEY[key].letter}{row}"] = value
        for roman, key in zip(L.ROMAN, L.MARK_KEYS, strict=True):
            if roman in line["ejes_transversales"]:
                ws[f"{L.BY_KEY[key].letter}{row}"] = "X"
        for value, key in zip(line["trimestres"], L.QUARTER_KEYS, strict=False):
            if value is None:
                continue
            cell = ws[f"{L.BY_KEY[key].letter}{row}"]
            cell.value, cell.number_format = _percent(value)
        ws.row_dimensions[row].height = _row_height(texts)
    for col, key in ((L.FOOTER_ELABORO_COL, "elaboro"), (L.FOOTER_AUTORIZO_COL, "autorizo")):
        firma = plan.get(key) or {}
        ws[f"{col}{G.FOOTER_NAME_ROW}"] = firma.get("nombre")
        ws[f"{col}{G.FOOTER_CARGO_ROW}"] = firma.get("cargo")
    output.parent.mkdir(parents=True, exist_ok=True)
    with atomic_output(output) as target:
        wb.save(target)
        finalize_package(target)  # openpyxl quitó la relación de la cinta: se repone
    return output
