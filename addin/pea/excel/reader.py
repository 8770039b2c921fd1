"""Leer el plan del libro abierto como la misma `SheetGrid` que arma el lector de archivos.

Valores y fórmulas: una llamada cada uno para toda la hoja. Formatos de
porcentaje: solo de las celdas numéricas, por columnas (una llamada si la columna
tiene un solo formato; si no, se parte en mitades). Celdas combinadas: sus celdas
no ancla siempre están vacías, así que solo se buscan entre las celdas vacías,
por regiones (`merge_cells` dice si una región tiene alguna; si es mixta se parte
en dos), y se pide el rango (`merge_area`) una vez por cada combinación.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from pea import layout as L
from pea.excel import xl_api as X
from pea.reading.grid import SheetGrid

#: Hojas que el puente crea (no son el plan; ver `reading.sheet_choice`).
MARKS_SHEET = L.MARKS_SHEET
DIAGNOSTIC_SHEET = L.DIAGNOSTIC_SHEET
#: Columnas en las que se busca el encabezado del plan (el rango usado puede llegar a XFD).
HEAD_COLUMNS = 200
#: Máximo de consultas de celdas combinadas (un libro absurdo no congela Excel).
MERGE_PROBE_BUDGET = 3000


@dataclass
class ExcelRead:
    """Lo leído del libro abierto: la hoja del plan (o None) y los avisos de lectura."""

    grid: SheetGrid | None
    sheet: Any = None
    avisos: list[str] = field(default_factory=list)
    template: dict[str, str] | None = None
    hojas: str = "(sin hojas)"  # las hojas revisadas, para PEA-E01 (`Choice.hojas`)


def normalize(value: Any) -> Any:
    """Un valor de xlwings como lo entrega calamine al leer el archivo guardado."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        if value.year < 1900:  # solo hora: Excel la guarda como fracción de día
            return value.time()
        if value.time() == dt.time(0):
            return value.date()
    return value


def _blank(v: Any) -> bool:
    return v == "" or v is None


def trim(rows: list[list[Any]]) -> list[list[Any]]:
    """Quita filas y columnas vacías al final (calamine no las incluye)."""
    while rows and all(_blank(v) for v in rows[-1]):
        rows.pop()
    width = 0
    for row in rows:
        for c in range(len(row), 0, -1):
            if not _blank(row[c - 1]):
                width = max(width, c)
                break
    return [row[:width] for row in rows]


def _is_percent_format(code: str | None) -> bool:
    if not code:
        return False
    return "%" in re.sub(r'"[^"]*"|\\.', "", code)


def percent_cells(sheet: Any, rows: list[list[Any]], first_row: int) -> set[tuple[int, int]]:
    """Celdas numéricas (desde `first_row`) cuyo formato es de porcentaje."""
    by_col: dict[int, list[int]] = {}
    for r in range(first_row, len(rows) + 1):
        for c, v in enumerate(rows[r - 1], start=1):
            if isinstance(v, int | float) and not isinstance(v, bool):
                by_col.setdefault(c, []).append(r)
    out: set[tuple[int, int]] = set()

    def visit(c: int, cells: list[int]) -> None:
        code = X.number_format(sheet, cells[0], c, cells[-1])
        if code is None and len(cells) > 1:
            half = len(cells) // 2
            visit(c, cells[:half])
            visit(c, cells[half:])
        elif _is_percent_format(code):
            out.update((r, c) for r in cells)

    for c, cells in by_col.items():
        visit(c, cells)
    return out


class _MergeProbe:
    """Busca las celdas combinadas entre las celdas vacías, partiendo la hoja en regiones.

    Una región (el rectángulo que encierra sus celdas vacías aún no explicadas) se
    consulta con `merge_cells`: si no tiene combinadas se descarta entera; si todas lo
    están, se pide el rango de cada una; si es mixta, se parte por la mitad del lado
    más largo. Las columnas sin combinar de las filas de datos se descartan en pocas
    llamadas; el costo crece con el número de combinaciones, no con el de celdas.
    """

    def __init__(self, sheet: Any, rows: list[list[Any]], nrows: int, ncols: int) -> None:
        self.sheet = sheet
        self.free = [(r, c) for r in range(1, nrows + 1) for c in range(1, ncols + 1)
                     if c > len(rows[r - 1]) or _blank(rows[r - 1][c - 1])]
        self.areas: list[tuple[int, int, int, int]] = []
        self.covered: set[tuple[int, int]] = set()
        self.calls = 0

    def run(self) -> bool:
        """Llena `areas`; False si se agotó el tope de consultas."""
        self._region(self.free)
        return self.calls <= MERGE_PROBE_BUDGET

    def _region(self, cells: list[tuple[int, int]]) -> None:
        cells = [k for k in cells if k not in self.covered]
        if not cells or self.calls > MERGE_PROBE_BUDGET:
            return
        r1, r2 = min(k[0] for k in cells), max(k[0] for k in cells)
        c1, c2 = min(k[1] for k in cells), max(k[1] for k in cells)
        self.calls += 1
        state = X.merge_state(self.sheet, r1, c1, r2, c2)
        if state is False:
            return
        if state is None and (r1 < r2 or c1 < c2):
            if r2 - r1 >= c2 - c1:
                mid = (r1 + r2) // 2
                self._region([k for k in cells if k[0] <= mid])
                self._region([k for k in cells if k[0] > mid])
            else:
                mid = (c1 + c2) // 2
                self._region([k for k in cells if k[1] <= mid])
                self._region([k for k in cells if k[1] > mid])
            return
        for key in cells:
            if key in self.covered or self.calls > MERGE_PROBE_BUDGET:
                continue
            self.calls += 1
            area = X.merge_area(self.sheet, *key)
            a1, b1, a2, b2 = area
            if (a1, b1) != (a2, b2):
                self.areas.append(area)
                self.covered.update((r, c) for r in range(a1, a2 + 1)
                                    for c in range(b1, b2 + 1))


def merged_areas(sheet: Any, rows: list[list[Any]], nrows: int,
                 ncols: int) -> tuple[list[tuple[int, int, int, int]], bool]:
    """Rangos combinados (r1, c1, r2, c2) de la hoja y si la búsqueda fue completa.

    Las celdas no ancla de un rango combinado siempre están vacías en Excel, así que
    basta con buscar entre las vacías.
    """
    probe = _MergeProbe(sheet, rows, nrows, ncols)
    complete = probe.run()
    return probe.areas, complete


def formula_cells(sheet: Any, nrows: int, ncols: int) -> set[tuple[int, int]]:
    out = set()
    for r, row in enumerate(X.read_formulas(sheet, nrows, ncols), start=1):
        for c, f in enumerate(row, start=1):
            if f.startswith("="):
                out.add((r, c))
    return out


def _grid(sheet: Any, name: str, limits_rows: int, limits_cells: int,
          avisos: list[str]) -> SheetGrid:
    """Lee una hoja completa: valores, fórmulas, porcentajes y celdas combinadas."""
    from pea.reading.errors import UnreadableFile
    from pea.reading.plan_parser import find_header_row

    nrows, ncols = X.used_extent(sheet)
    if nrows > limits_rows:
        avisos.append(f"La hoja «{name}» tiene {nrows:,} filas; solo se leyeron las "
                      f"primeras {limits_rows:,} (límite de lectura).")
        nrows = limits_rows
    # El rango usado de Excel incluye celdas solo con formato; el límite del lector de
    # archivos cuenta celdas con valor, así que aquí se deja holgura y se cuenta después.
    if nrows * ncols > 4 * limits_cells:
        raise UnreadableFile(_too_big(name, nrows * ncols, limits_cells), kind="limite")
    raw = [[normalize(v) for v in row] for row in X.read_values(sheet, nrows, ncols)]
    grid = SheetGrid(name=name, rows=trim([list(r) for r in raw]))
    cells = sum(len(r) for r in grid.rows)
    if cells > limits_cells:
        raise UnreadableFile(_too_big(name, cells, limits_cells), kind="limite")
    found = find_header_row(grid)
    grid.percent = percent_cells(sheet, grid.rows, found[0] + 2 if found else 1)
    grid.formulas = formula_cells(sheet, nrows, ncols)
    grid.merged, complete = merged_areas(sheet, raw, nrows, ncols)
    if not complete:
        avisos.append(f"La hoja «{name}» tiene demasiadas celdas combinadas; no se revisaron "
                      "todas. Valide el archivo guardado con el Instituto si hay dudas.")
    return grid


def _too_big(name: str, cells: int, limit: int) -> str:
    return (f"La hoja «{name}» tiene {cells:,} celdas, más que el límite de {limit:,}; "
            "revise que sea el plan y no una base de datos.")


def _head(sheet: Any) -> SheetGrid:
    """Las primeras filas de una hoja (para buscar el encabezado del plan)."""
    nrows, ncols = X.used_extent(sheet)
    nrows, ncols = min(nrows, L.HEADER_SEARCH_ROWS), min(ncols, HEAD_COLUMNS)
    rows = [[normalize(v) for v in row] for row in X.read_values(sheet, nrows, ncols)]
    return SheetGrid(name=X.sheet_name(sheet), rows=rows)


def template_info(book: Any) -> dict[str, str] | None:
    """Claves y valores de la hoja oculta de metadatos de la plantilla, si existe."""
    sheet = X.find_sheet(book, L.META_SHEET)
    if sheet is None:
        return None
    nrows, _ = X.used_extent(sheet)
    rows = X.read_values(sheet, min(max(nrows, 1), 20), 2)
    out = {}
    for key, value in rows:
        if key not in (None, ""):
            out[str(key).strip()] = str(normalize(value)).strip()
    return out


def read_plan(book: Any, limits_rows: int, limits_cells: int) -> ExcelRead:
    """Elige la hoja del plan con la misma regla que el lector de archivos
    (`reading.sheet_choice`) y la lee."""
    from pea.reading.sheet_choice import Candidate, choose_plan_sheet, head_has_header

    choice = choose_plan_sheet(
        [Candidate(X.sheet_name(s), X.is_hidden(s), s) for s in X.sheets(book)],
        lambda sheet: head_has_header(_head(sheet)))
    read = ExcelRead(grid=None, hojas=choice.hojas, template=template_info(book))
    if choice.sheet is None:
        return read
    avisos = choice.avisos
    sheet, name = choice.sheet.handle, choice.sheet.name
    read.grid = _grid(sheet, name, limits_rows, limits_cells, avisos)
    read.grid.hidden = choice.sheet.hidden
    read.sheet = sheet
    read.avisos = avisos
    return read
