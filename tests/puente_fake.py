"""Doble de xlwings para probar el puente: exactamente los nombres de `pea.excel.xl_api.XL_API`.

Imita lo que hace Excel por COM en lo que el puente usa: valores en bloque (números
como float, vacías como None, fechas como datetime), fórmulas, formatos de número
(None si el rango mezcla formatos), celdas combinadas, relleno, notas, hojas,
protección y cuadros de mensaje. Cada acceso a un atributo público cuenta como una
llamada COM (`CALLS`), para estimar cuántas hace un clic.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from pathlib import Path
from typing import Any

from pea import layout as L
from pea.excel.xl_api import PROTECTION_OPTIONS, parse_address

CALLS: Counter[str] = Counter()


class _Counted:
    """Cuenta cada acceso a un atributo público (una llamada COM en Excel real)."""

    def __getattribute__(self, name: str) -> Any:
        if not name.startswith("_"):
            CALLS[f"{type(self).__name__}.{name}"] += 1
        return object.__getattribute__(self, name)


class ComError(Exception):
    """Lo que lanza pywin32 cuando Excel rechaza una operación."""


ComError.__name__ = "com_error"


class FakeApp(_Counted):
    def __init__(self) -> None:
        self._alerts: list[tuple[str, str | None, str | None]] = []
        self._screen = True

    def alert(self, prompt: str, title: str | None = None, buttons: str = "ok",
              mode: str | None = None, callback: str | None = None) -> str | None:
        self._alerts.append((prompt, title, mode))
        return None

    @property
    def screen_updating(self) -> bool:
        return self._screen

    @screen_updating.setter
    def screen_updating(self, value: bool) -> None:
        self._screen = value

    @property
    def version(self) -> str:
        return "16.0"


class FakeBook(_Counted):
    _current: FakeBook | None = None

    def __init__(self, name: str, fullname: str | None = None) -> None:
        self._name = name
        self._fullname = fullname or name
        self._app = FakeApp()
        self._sheets: list[FakeSheet] = []
        self._active: FakeSheet | None = None

    @classmethod
    def caller(cls) -> FakeBook:
        if FakeBook._current is None:
            raise RuntimeError("Book.caller() must not be called directly.")
        return FakeBook._current

    @property
    def sheets(self) -> FakeSheets:
        return FakeSheets(self)

    @property
    def name(self) -> str:
        return self._name

    @property
    def fullname(self) -> str:
        return self._fullname

    @property
    def app(self) -> FakeApp:
        return self._app

    # --- para las pruebas (no es parte de xlwings) ---
    def _sheet(self, name: str) -> FakeSheet:
        return next(s for s in self._sheets if s._name == name)

    def _names(self) -> list[str]:
        return [s._name for s in self._sheets]

    @classmethod
    def _from_xlsx(cls, path: str | Path, name: str | None = None) -> FakeBook:
        """El libro como lo vería Excel al abrir el archivo."""
        from openpyxl import load_workbook

        path = Path(path)
        wb = load_workbook(path)
        book = cls(name or path.name, str(path))
        for ws in wb.worksheets:
            sheet = FakeSheet(book, ws.title)
            sheet._visible = ws.sheet_state == "visible"
            for row in ws.iter_rows():
                for c in row:
                    key = (c.row, c.column)
                    v = c.value
                    if isinstance(v, str) and v.startswith("="):
                        sheet._formulas[key] = v
                        v = None  # sin valor calculado (no lo hay en archivos de script)
                    if v is not None:
                        sheet._cells[key] = _excel_value(v)
                    if c.number_format and c.number_format != "General":
                        sheet._formats[key] = c.number_format
                    if c.fill is not None and c.fill.fill_type == "solid":
                        rgb = c.fill.fgColor.rgb
                        if isinstance(rgb, str) and len(rgb) >= 6:
                            sheet._fills[key] = "#" + rgb[-6:].lower()
                    if c.comment is not None:
                        sheet._notes[key] = c.comment.text
            sheet._merged = [(r.min_row, r.min_col, r.max_row, r.max_col)
                             for r in ws.merged_cells.ranges]
            book._sheets.append(sheet)
        book._active = book._sheets[0] if book._sheets else None
        return book


def _excel_value(v: Any) -> Any:
    if isinstance(v, bool):
        return v
    if isinstance(v, int | float):
        return float(v)
    if isinstance(v, dt.datetime):
        return v
    if isinstance(v, dt.date):
        return dt.datetime(v.year, v.month, v.day)
    if isinstance(v, dt.time):
        return dt.datetime(1899, 12, 30, v.hour, v.minute, v.second)
    return str(v)


class FakeSheets(_Counted):
    def __init__(self, book: FakeBook) -> None:
        self._book = book

    def __iter__(self) -> Any:
        return iter(list(self._book._sheets))

    def add(self, name: str | None = None, before: FakeSheet | None = None,
            after: FakeSheet | None = None) -> FakeSheet:
        book = self._book
        if name is not None and name.casefold() in (n.casefold() for n in book._names()):
            raise ComError("That name is already taken.")
        sheet = FakeSheet(book, name or f"Hoja{len(book._sheets) + 1}")
        if after is not None:
            book._sheets.insert(book._sheets.index(after) + 1, sheet)
        elif before is not None:
            book._sheets.insert(book._sheets.index(before), sheet)
        else:
            idx = book._sheets.index(book._active) if book._active in book._sheets else 0
            book._sheets.insert(idx, sheet)
        book._active = sheet
        return sheet


class _Protection(_Counted):
    def __init__(self, options: dict[str, bool]) -> None:
        for name in PROTECTION_OPTIONS:
            object.__setattr__(self, name, options.get(name, False))


class FakeWorksheetApi(_Counted):
    """Lo que el puente usa del objeto Worksheet de Excel (`Sheet.api`)."""

    def __init__(self, sheet: FakeSheet) -> None:
        self._sheet = sheet

    @property
    def ProtectContents(self) -> bool:
        return self._sheet._protected is not None

    @property
    def ProtectDrawingObjects(self) -> bool:
        return bool(self._sheet._protected and self._sheet._protected.get("DrawingObjects"))

    @property
    def ProtectScenarios(self) -> bool:
        return bool(self._sheet._protected and self._sheet._protected.get("Scenarios"))

    @property
    def Protection(self) -> _Protection:
        return _Protection(self._sheet._protected or {})

    def Unprotect(self) -> None:
        if self._sheet._password:
            raise ComError("The password you supplied is not correct.")
        self._sheet._protected = None

    def Protect(self, **options: bool) -> None:
        self._sheet._protected = dict(options)


class FakeSheet(_Counted):
    def __init__(self, book: FakeBook, name: str) -> None:
        self._book = book
        self._name = name
        self._visible = True
        self._cells: dict[tuple[int, int], Any] = {}
        self._formulas: dict[tuple[int, int], str] = {}
        self._formats: dict[tuple[int, int], str] = {}
        self._fills: dict[tuple[int, int], str] = {}
        self._notes: dict[tuple[int, int], str] = {}
        self._threaded: set[tuple[int, int]] = set()
        self._merged: list[tuple[int, int, int, int]] = []
        self._widths: dict[int, float] = {}
        self._bold: set[tuple[int, int]] = set()
        self._protected: dict[str, bool] | None = None
        self._password = False

    @property
    def name(self) -> str:
        return self._name

    @name.setter
    def name(self, value: str) -> None:
        self._name = value

    @property
    def visible(self) -> bool:
        return self._visible

    @visible.setter
    def visible(self, value: bool) -> None:
        self._visible = value

    @property
    def used_range(self) -> FakeRange:
        keys = [*self._cells, *self._formulas, *self._formats, *self._fills, *self._notes]
        for r1, c1, r2, c2 in self._merged:
            keys += [(r1, c1), (r2, c2)]
        if not keys:
            return FakeRange(self, 1, 1, 1, 1)
        rows = [k[0] for k in keys]
        cols = [k[1] for k in keys]
        return FakeRange(self, min(rows), min(cols), max(rows), max(cols))

    def range(self, cell1: Any, cell2: Any = None) -> FakeRange:
        r1, c1, r2, c2 = _coords(cell1)
        if cell2 is not None:
            _a, _b, r2, c2 = _coords(cell2)
        return FakeRange(self, r1, c1, r2, c2)

    def delete(self) -> None:
        self._book._sheets.remove(self)
        if self._book._active is self:
            self._book._active = self._book._sheets[0] if self._book._sheets else None

    def activate(self) -> None:
        self._book._active = self

    @property
    def api(self) -> FakeWorksheetApi:
        return FakeWorksheetApi(self)

    # --- para las pruebas ---
    def _check_objects(self) -> None:
        if self._protected is not None and self._protected.get("DrawingObjects", True):
            raise ComError("You cannot use this command on a protected sheet.")

    def _check_format(self) -> None:
        if self._protected is not None and not self._protected.get("AllowFormattingCells"):
            raise ComError("You cannot use this command on a protected sheet.")

    def _area(self, r: int, c: int) -> tuple[int, int, int, int] | None:
        for a in self._merged:
            if a[0] <= r <= a[2] and a[1] <= c <= a[3]:
                return a
        return None

    def _insert_row(self, row: int) -> None:
        """Inserta una fila como Excel: mueve celdas, formatos y notas y corrige fórmulas."""
        def shift(d: dict[tuple[int, int], Any]) -> dict[tuple[int, int], Any]:
            return {((r + 1 if r >= row else r), c): v for (r, c), v in d.items()}

        for attr in ("_cells", "_formulas", "_formats", "_fills", "_notes"):
            setattr(self, attr, shift(getattr(self, attr)))
        self._merged = [(r1 + (r1 >= row), c1, r2 + (r2 >= row), c2)
                        for r1, c1, r2, c2 in self._merged]
        ref = re.compile(rf"'{re.escape(self._name)}'!\$?([A-Z]+)\$?(\d+)")

        def fix(m: re.Match[str]) -> str:
            n = int(m.group(2))
            return f"'{self._name}'!${m.group(1)}${n + 1 if n >= row else n}"

        for sheet in self._book._sheets:
            sheet._formulas = {k: ref.sub(fix, f) for k, f in sheet._formulas.items()}

    def _state(self) -> dict[str, Any]:
        """Todo lo visible de la hoja, para comparar estados."""
        return {"cells": dict(self._cells), "formulas": dict(self._formulas),
                "fills": dict(self._fills), "notes": dict(self._notes),
                "visible": self._visible, "protected": self._protected}


def _coords(cell: Any) -> tuple[int, int, int, int]:
    if isinstance(cell, FakeRange):
        return cell._r1, cell._c1, cell._r2, cell._c2
    if isinstance(cell, tuple):
        return cell[0], cell[1], cell[0], cell[1]
    return parse_address(str(cell).upper())


_ROW_REF = re.compile(r"^=ROW\((?:'(?:[^']|'')+'|[^'!()]+)!\$?([A-Z]+)\$?(\d+)\)$")
_LINK = re.compile(r'^=HYPERLINK\("[^"]*","([^"]*)"\)$')


class FakeFont(_Counted):
    def __init__(self, rng: FakeRange) -> None:
        self._rng = rng

    @property
    def bold(self) -> bool:
        return all(k in self._rng._sheet._bold for k in self._rng._keys())

    @bold.setter
    def bold(self, value: bool) -> None:
        for k in self._rng._keys():
            (self._rng._sheet._bold.add if value else self._rng._sheet._bold.discard)(k)


class FakeNote(_Counted):
    def __init__(self, sheet: FakeSheet, key: tuple[int, int]) -> None:
        self._sheet, self._key = sheet, key

    @property
    def text(self) -> str:
        return self._sheet._notes[self._key]

    @text.setter
    def text(self, value: str) -> None:
        self._sheet._check_objects()
        self._sheet._notes[self._key] = value

    def delete(self) -> None:
        self._sheet._check_objects()
        del self._sheet._notes[self._key]


class FakeRange(_Counted):
    def __init__(self, sheet: FakeSheet, r1: int, c1: int, r2: int, c2: int,
                 ndim: int | None = None) -> None:
        self._sheet = sheet
        self._r1, self._c1, self._r2, self._c2 = r1, c1, r2, c2
        self._ndim = ndim

    def _keys(self) -> list[tuple[int, int]]:
        return [(r, c) for r in range(self._r1, self._r2 + 1)
                for c in range(self._c1, self._c2 + 1)]

    def _shape(self, grid: list[list[Any]]) -> Any:
        if self._ndim == 2:
            return grid
        if len(grid) == 1 and len(grid[0]) == 1:
            return grid[0][0]
        if len(grid) == 1:
            return grid[0]
        if all(len(r) == 1 for r in grid):
            return [r[0] for r in grid]
        return grid

    def options(self, convert: Any = None, **options: Any) -> FakeRange:
        return FakeRange(self._sheet, self._r1, self._c1, self._r2, self._c2,
                         options.get("ndim"))

    @property
    def value(self) -> Any:
        grid = [[self._sheet._cells.get((r, c)) for c in range(self._c1, self._c2 + 1)]
                for r in range(self._r1, self._r2 + 1)]
        return self._shape(grid)

    @value.setter
    def value(self, data: Any) -> None:
        rows = data if isinstance(data, list) and data and isinstance(data[0], list) else [[data]]
        s = self._sheet
        for i, row in enumerate(rows):
            for j, v in enumerate(row):
                key = (self._r1 + i, self._c1 + j)
                s._cells.pop(key, None)
                s._formulas.pop(key, None)
                if v is None or v == "":
                    continue
                if isinstance(v, str) and v.startswith("'"):
                    s._cells[key] = v[1:]
                elif isinstance(v, str) and v.startswith("="):
                    s._formulas[key] = v
                    m = _ROW_REF.match(v)
                    link = _LINK.match(v)
                    s._cells[key] = float(m.group(2)) if m else (link.group(1) if link else v)
                else:
                    s._cells[key] = _excel_value(v)

    @property
    def formula(self) -> Any:
        s = self._sheet
        grid = []
        for r in range(self._r1, self._r2 + 1):
            row = []
            for c in range(self._c1, self._c2 + 1):
                if (r, c) in s._formulas:
                    row.append(s._formulas[(r, c)])
                else:
                    v = s._cells.get((r, c))
                    row.append("" if v is None else (f"{v:g}" if isinstance(v, float) else str(v)))
            grid.append(tuple(row))
        if len(grid) == 1 and len(grid[0]) == 1:
            return grid[0][0]
        return tuple(grid)

    @property
    def number_format(self) -> str | None:
        formats = {self._sheet._formats.get(k, "General") for k in self._keys()}
        return formats.pop() if len(formats) == 1 else None

    @property
    def merge_cells(self) -> bool | None:
        merged = 0
        for a1, b1, a2, b2 in self._sheet._merged:  # celdas combinadas dentro del rango
            rows = min(a2, self._r2) - max(a1, self._r1) + 1
            cols = min(b2, self._c2) - max(b1, self._c1) + 1
            if rows > 0 and cols > 0:
                merged += rows * cols
        size = (self._r2 - self._r1 + 1) * (self._c2 - self._c1 + 1)
        return True if merged == size else (False if merged == 0 else None)

    @property
    def merge_area(self) -> FakeRange:
        area = self._sheet._area(self._r1, self._c1)
        if area is None:
            return FakeRange(self._sheet, self._r1, self._c1, self._r1, self._c1)
        return FakeRange(self._sheet, *area)

    @property
    def address(self) -> str:
        a = f"${L.col_letter(self._c1)}${self._r1}"
        if (self._r1, self._c1) == (self._r2, self._c2):
            return a
        return f"{a}:${L.col_letter(self._c2)}${self._r2}"

    @property
    def color(self) -> tuple[int, int, int] | None:
        h = self._sheet._fills.get((self._r1, self._c1))
        if h is None:
            return None
        return int(h[1:3], 16), int(h[3:5], 16), int(h[5:7], 16)

    @color.setter
    def color(self, value: Any) -> None:
        self._sheet._check_format()
        for k in self._keys():
            if value is None:
                self._sheet._fills.pop(k, None)
            elif isinstance(value, str):
                self._sheet._fills[k] = value.lower()
            else:
                self._sheet._fills[k] = "#{:02x}{:02x}{:02x}".format(*value)

    @property
    def note(self) -> FakeNote | None:
        key = (self._r1, self._c1)
        return FakeNote(self._sheet, key) if key in self._sheet._notes else None

    def add_note(self, text: str) -> FakeNote:
        key = (self._r1, self._c1)
        self._sheet._check_objects()
        if key in self._sheet._notes or key in self._sheet._threaded:
            raise ComError("The cell already has a comment.")
        self._sheet._notes[key] = text
        return FakeNote(self._sheet, key)

    @property
    def column_width(self) -> float:
        return self._sheet._widths.get(self._c1, 8.43)

    @column_width.setter
    def column_width(self, value: float) -> None:
        for c in range(self._c1, self._c2 + 1):
            self._sheet._widths[c] = value

    @property
    def font(self) -> FakeFont:
        return FakeFont(self)


#: Clase del doble por clase de xlwings.main.
FAKES: dict[str, type] = {
    "Book": FakeBook, "Sheets": FakeSheets, "Sheet": FakeSheet, "Range": FakeRange,
    "Font": FakeFont, "Note": FakeNote, "App": FakeApp,
}


def plan_with_lines(lines: int) -> dict[str, Any]:
    """Un plan del demo con `lines` líneas de meta (repite las filas de todos los planes)."""
    from pea.demo import demo_plans, plan_rows

    plans = demo_plans()
    dep = dict(plans[0])
    pool = [fila for p in plans for fila in p["filas"]]
    filas: list[dict[str, Any]] = []
    i = 0
    while len(plan_rows({"filas": filas})) < lines:
        filas.append(pool[i % len(pool)])
        i += 1
    dep["filas"] = filas
    return dep
