"""Propiedades (hypothesis): contenidos al azar en el área del plan nunca tumban al lector.

Se parte del encabezado de un plan real y se llenan las filas de datos con números,
textos, fechas, booleanos, errores de Excel («#DIV/0!»), vacíos, filas en blanco y celdas
combinadas al azar. Para cada cuadrícula: ninguna excepción ni regla que falle por
dentro, todo hallazgo apunta a una celda dentro de la hoja (o a ninguna; una firma que
falta, a la celda vacía bajo la tabla donde debe ir), su fila
coincide con la de la celda, y la misma entrada da siempre los mismos hallazgos.
Unos pocos casos se escriben además como libros reales y se leen del archivo.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pea import layout as L
from pea.config import Limits, RulesConfig
from pea.models import FileReport
from pea.reading.grid import SheetGrid
from pea.reading.xlsx import open_workbook
from pea.validation import validate_bytes, validate_grid
from tests.hostile.corpus import plan_bytes

_WB = open_workbook(plan_bytes(1), Limits())
BASE = _WB.load(_WB.entries[0])
HEADER_ROWS = [list(r) for r in BASE.rows[: L.FIRST_DATA_ROW - 1]]
HEADER_MERGED = [m for m in BASE.merged if m[2] < L.FIRST_DATA_ROW]
WIDTH = BASE.width
FOOTER = [["", "ELABORÓ", *[""] * 14, "AUTORIZÓ", "", "", ""],
          ["", "Nombre Apellido", *[""] * 14, "Otro Nombre", "", "", ""],
          ["", "Cargo", *[""] * 14, "Cargo", "", "", ""]]
_CELL = re.compile(r"^([A-Z]{1,3})([1-9]\d*)$")
SETTINGS = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

EXCEL_ERRORS = ("#DIV/0!", "#N/A", "#REF!", "#VALUE!", "#NAME?", "#NUM!", "#NULL!")
texts = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["X", "x", " X ", "42%", "42 %", "0.42", "100%", "1,5", "-10%", "N/A",
                     "6. Gobierno eficiente", "6.1 Fortalecer", "6.1.1 Modernizar",
                     "ELABORÓ", "EJE TEMÁTICO", "1° TRIMESTRE", "\x1b[31m", "\x00",
                     "1.- Paso uno 2.- Paso dos", "98,450 cuentas", "  "]),
)
values = st.one_of(
    st.none(), st.just(""), texts,
    st.integers(-10**6, 10**6),
    st.floats(allow_nan=True, allow_infinity=True, width=64),
    st.sampled_from([0.0, 0.25, 0.5, 1.0, 1.5, 25, 100, -0.1, 1e308]),
    st.booleans(),
    st.datetimes(min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(2100, 1, 1)),
    st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 1, 1)),
    st.sampled_from(EXCEL_ERRORS),
)


@st.composite
def grids(draw: st.DrawFn) -> SheetGrid:
    """Encabezado real + filas de datos al azar (con filas en blanco y combinaciones)."""
    n = draw(st.integers(0, 8))
    data: list[list[Any]] = []
    for _ in range(n):
        if draw(st.booleans()) and draw(st.booleans()):
            data.append([""] * WIDTH)  # fila en blanco
            continue
        width = draw(st.integers(1, WIDTH + 3))
        data.append(draw(st.lists(values, min_size=width, max_size=width)))
    footer = [list(r) for r in FOOTER] if draw(st.booleans()) else []
    rows = [list(r) for r in HEADER_ROWS] + data + footer
    merged = list(HEADER_MERGED)
    first, last = L.FIRST_DATA_ROW, L.FIRST_DATA_ROW + max(n - 1, 0)
    for _ in range(draw(st.integers(0, 4)) if n else 0):
        r1 = draw(st.integers(first, last))
        r2 = draw(st.integers(r1, last))
        c1 = draw(st.integers(1, WIDTH))
        c2 = draw(st.integers(c1, min(WIDTH, c1 + 3)))
        merged.append((r1, c1, r2, c2))
    percent = {(r, c) for r in range(first, last + 1) for c in range(13, 17)
               if draw(st.booleans())} if n else set()
    return SheetGrid(name="PEA", rows=rows, merged=merged, percent=percent)


def check_report(report: FileReport, height: int, width: int,
                 merged: list[tuple[int, int, int, int]]) -> None:
    """Hallazgos dentro de la hoja, fila coherente con la celda, sin fallas internas.

    La celda está en la fila del hallazgo, salvo que sea el ancla de una combinación que
    cubre esa fila (el valor de una celda combinada vive en su ancla).
    """
    assert not any("error interno" in a or "falla interna" in a for a in report.avisos)
    for f in report.hallazgos:
        assert "falla interna" not in f.mensaje
        if f.celda is None:
            continue
        m = _CELL.match(f.celda)
        assert m, f
        row, col = int(m.group(2)), L.col_index(m.group(1))
        assert 1 <= row <= height and 1 <= col <= width, (f, height, width)
        if f.fila is not None and f.fila != row:
            assert any((r1, c1) == (row, col) and r1 <= f.fila <= r2
                       for r1, c1, r2, _c2 in merged), f


def _bounds(grid: SheetGrid) -> tuple[int, int]:
    """Filas y columnas a las que un hallazgo puede apuntar.

    La cuadrícula, más las filas de firma bajo la tabla y una columna a la derecha: un
    dato que falta se señala donde debe escribirse (una firma, PEA-H05/H06; un campo
    tras corregir el desplazamiento de una columna, PEA-E03), aunque esa celda esté vacía.
    """
    return grid.height + L.FOOTER_GAP + 3, max(grid.width, L.col_index(L.LAST_COL)) + 1


@SETTINGS
@given(grids())
def test_cuadricula_al_azar_nunca_falla(config: RulesConfig, grid: SheetGrid) -> None:
    _plan, report = validate_grid(grid, config, "azar.xlsx")
    check_report(report, *_bounds(grid), grid.merged)


@SETTINGS
@given(grids())
def test_misma_entrada_mismos_hallazgos(config: RulesConfig, grid: SheetGrid) -> None:
    _p1, first = validate_grid(grid, config, "azar.xlsx")
    _p2, second = validate_grid(grid, config, "azar.xlsx")
    assert first.model_dump() == second.model_dump()


def _to_xlsx(grid: SheetGrid) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    wb = Workbook()
    ws = wb.active
    ws.title = "PEA"
    for r, row in enumerate(grid.rows, start=1):
        for c, v in enumerate(row, start=1):
            if isinstance(v, str):
                v = ILLEGAL_CHARACTERS_RE.sub("", v)
                if v.startswith("="):
                    v = "'" + v
            if isinstance(v, float) and (v != v or v in (float("inf"), float("-inf"))):
                v = str(v)
            if v not in (None, ""):
                ws.cell(row=r, column=c, value=v)
            if (r, c) in grid.percent:
                ws.cell(row=r, column=c).number_format = "0%"
    seen: set[tuple[int, int]] = set()
    for r1, c1, r2, c2 in grid.merged:
        cells = {(r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)}
        if (r1, c1) != (r2, c2) and not cells & seen:
            seen |= cells
            ws.merge_cells(start_row=r1, start_column=c1, end_row=r2, end_column=c2)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(grids())
def test_libro_real_al_azar(config: RulesConfig, grid: SheetGrid) -> None:
    data = _to_xlsx(grid)
    _plan, report = validate_bytes(Path("azar.xlsx"), data, config, "azar.xlsx")
    assert all(h.regla != "PEA-E00" for h in report.hallazgos), report.hallazgos
    check_report(report, *_bounds(grid), grid.merged)
    _plan, again = validate_bytes(Path("azar.xlsx"), data, config, "azar.xlsx")
    assert again.model_dump() == report.model_dump()
