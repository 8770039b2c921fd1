"""Las llamadas a xlwings que usa el puente: todas aquí, con nombre.

Ningún otro módulo de `pea.excel` toca objetos de xlwings más que con estas
funciones. `XL_API` enumera exactamente qué atributos y parámetros de
`xlwings.main` se usan: las pruebas comprueban que existan con esa firma en el
xlwings instalado (una actualización que los cambie rompe las pruebas, no el
botón de una dependencia) y el doble de pruebas expone exactamente ese conjunto.
`COM_API` enumera lo poco que se usa del modelo de objetos de Excel por `.api`
(proteger y desproteger la hoja), que xlwings no cubre.

Cada acceso a un atributo de un objeto de Excel es una llamada COM entre
procesos: las lecturas son en bloque y nada se lee celda por celda salvo las
celdas combinadas y los formatos que no se pueden leer de otro modo.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

from pea import layout as L

Kind = Literal["classmethod", "method", "property", "settable"]


@dataclass(frozen=True)
class Use:
    """Un atributo de una clase de `xlwings.main` que el puente usa."""

    owner: str
    name: str
    kind: Kind
    params: tuple[str, ...] = ()


#: Exactamente lo que el puente usa de xlwings (clases de `xlwings.main`).
XL_API: tuple[Use, ...] = (
    Use("Book", "caller", "classmethod"),
    Use("Book", "sheets", "property"),
    Use("Book", "name", "property"),
    Use("Book", "fullname", "property"),
    Use("Book", "app", "property"),
    Use("Sheets", "__iter__", "method"),
    Use("Sheets", "add", "method", ("name", "before", "after")),
    Use("Sheet", "name", "property"),
    Use("Sheet", "visible", "settable"),
    Use("Sheet", "used_range", "property"),
    Use("Sheet", "range", "method", ("cell1", "cell2")),
    Use("Sheet", "delete", "method"),
    Use("Sheet", "activate", "method"),
    Use("Sheet", "api", "property"),
    Use("Range", "options", "method", ("convert", "options")),
    Use("Range", "value", "settable"),
    Use("Range", "formula", "property"),
    Use("Range", "number_format", "property"),
    Use("Range", "merge_cells", "property"),
    Use("Range", "merge_area", "property"),
    Use("Range", "address", "property"),
    Use("Range", "color", "settable"),
    Use("Range", "note", "property"),
    Use("Range", "add_note", "method", ("text",)),
    Use("Range", "column_width", "settable"),
    Use("Range", "font", "property"),
    Use("Font", "bold", "settable"),
    Use("Note", "text", "settable"),
    Use("Note", "delete", "method"),
    Use("App", "alert", "method", ("prompt", "title", "buttons", "mode")),
    Use("App", "screen_updating", "settable"),
    Use("App", "version", "property"),
)

#: Opciones de `Worksheet.Protection` que se conservan al volver a proteger la hoja.
PROTECTION_OPTIONS: tuple[str, ...] = (
    "AllowFormattingCells", "AllowFormattingColumns", "AllowFormattingRows",
    "AllowInsertingColumns", "AllowInsertingRows", "AllowInsertingHyperlinks",
    "AllowDeletingColumns", "AllowDeletingRows", "AllowSorting", "AllowFiltering",
    "AllowUsingPivotTables",
)
#: Lo que se usa del modelo de objetos de Excel por `Sheet.api` (objeto Worksheet).
COM_API: tuple[str, ...] = (
    "Worksheet.ProtectContents", "Worksheet.ProtectDrawingObjects",
    "Worksheet.ProtectScenarios", "Worksheet.Unprotect()", "Worksheet.Protect(...)",
    *(f"Worksheet.Protection.{name}" for name in PROTECTION_OPTIONS),
)

_ADDRESS = re.compile(r"^\$?([A-Z]{1,3})\$?(\d+)(?::\$?([A-Z]{1,3})\$?(\d+))?$")


def parse_address(address: str) -> tuple[int, int, int, int]:
    """«$B$4:$T$4» → (4, 2, 4, 20); «$A$1» → (1, 1, 1, 1)."""
    m = _ADDRESS.match(address.split("!")[-1].replace("'", ""))
    if not m:
        raise ValueError(f"dirección no reconocida: {address!r}")
    r1, c1 = int(m.group(2)), L.col_index(m.group(1))
    if m.group(3) is None:
        return r1, c1, r1, c1
    return r1, c1, int(m.group(4)), L.col_index(m.group(3))


# --- Libro y hojas ---------------------------------------------------------------

def caller_book() -> Any:
    """El libro que presionó el botón (xlwings ya está importado por RunPython)."""
    import xlwings

    return xlwings.Book.caller()


def book_name(book: Any) -> str:
    return str(book.name)


def book_fullname(book: Any) -> str:
    """Ruta completa; en OneDrive/SharePoint es una dirección https://."""
    return str(book.fullname)


def sheets(book: Any) -> list[Any]:
    return list(book.sheets)


def sheet_name(sheet: Any) -> str:
    return str(sheet.name)


def find_sheet(book: Any, name: str) -> Any | None:
    """La hoja con ese nombre (Excel no distingue mayúsculas), o None."""
    wanted = name.casefold()
    return next((s for s in book.sheets if str(s.name).casefold() == wanted), None)


def is_hidden(sheet: Any) -> bool:
    return not sheet.visible


def hide(sheet: Any) -> None:
    sheet.visible = False


def add_sheet(book: Any, name: str, after: Any | None = None) -> Any:
    return book.sheets.add(name=name, after=after)


def delete_sheet(sheet: Any) -> None:
    sheet.delete()  # xlwings apaga los avisos de Excel mientras borra


def activate(sheet: Any) -> None:
    sheet.activate()


# --- Lectura en bloque -----------------------------------------------------------

def used_extent(sheet: Any) -> tuple[int, int]:
    """Última fila y última columna del rango usado (la lectura empieza en A1)."""
    _r1, _c1, r2, c2 = parse_address(sheet.used_range.address)
    return r2, c2


def _block(sheet: Any, r1: int, c1: int, r2: int, c2: int) -> Any:
    return sheet.range((r1, c1), (r2, c2))


def read_values(sheet: Any, nrows: int, ncols: int) -> list[list[Any]]:
    """Valores de A1 a (nrows, ncols) en una sola llamada, siempre en 2 dimensiones."""
    return [list(row) for row in _block(sheet, 1, 1, nrows, ncols).options(ndim=2).value]


def read_formulas(sheet: Any, nrows: int, ncols: int) -> list[list[str]]:
    """Fórmulas de A1 a (nrows, ncols) en una sola llamada (constantes como texto)."""
    raw = _block(sheet, 1, 1, nrows, ncols).formula
    if isinstance(raw, str):
        return [[raw]]
    return [[str(v) if v is not None else "" for v in row] for row in raw]


def number_format(sheet: Any, r1: int, c: int, r2: int) -> str | None:
    """Formato de número común de una columna de celdas; None si no es el mismo."""
    return _block(sheet, r1, c, r2, c).number_format


def merge_state(sheet: Any, r1: int, c1: int, r2: int, c2: int) -> bool | None:
    """True: todas combinadas; False: ninguna; None: algunas."""
    return _block(sheet, r1, c1, r2, c2).merge_cells


def merge_area(sheet: Any, row: int, col: int) -> tuple[int, int, int, int]:
    """El rango combinado que contiene la celda (o la celda sola)."""
    return parse_address(sheet.range((row, col)).merge_area.address)


# --- Celdas: color y notas -------------------------------------------------------

def cell(sheet: Any, address: str) -> Any:
    return sheet.range(address)


def fill(rng: Any) -> str | None:
    """Relleno de la celda como «#rrggbb», o None si no tiene."""
    rgb = rng.color
    if rgb is None:
        return None
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def set_fill(rng: Any, color: str | None) -> None:
    rng.color = color


def note_text(rng: Any) -> str | None:
    """Texto de la nota (comentario clásico) de la celda, o None si no tiene."""
    note = rng.note
    return None if note is None else str(note.text)


def set_note(rng: Any, text: str, exists: bool | None = None) -> None:
    """Pone el texto de la nota; `exists` (si ya se sabe) ahorra una consulta."""
    if exists is False:
        rng.add_note(text)
        return
    note = rng.note
    if note is None:
        rng.add_note(text)
    else:
        note.text = text


def delete_note(rng: Any) -> None:
    note = rng.note
    if note is not None:
        note.delete()


# --- Escritura de hojas del puente -------------------------------------------------

def write_rows(sheet: Any, rows: list[list[Any]]) -> None:
    """Escribe filas desde A1 en una sola llamada (las cadenas «=…» son fórmulas)."""
    if rows:
        width = max(len(r) for r in rows)
        padded = [list(r) + [None] * (width - len(r)) for r in rows]
        sheet.range((1, 1)).value = padded


def set_column_width(sheet: Any, col: int, width: float) -> None:
    sheet.range((1, col)).column_width = width


def set_bold(sheet: Any, row: int, c1: int, c2: int) -> None:
    _block(sheet, row, c1, row, c2).font.bold = True


# --- Protección de la hoja (modelo de objetos de Excel por .api) -----------------

@dataclass
class Protection:
    """Cómo estaba protegida la hoja, para dejarla igual."""

    drawing_objects: bool
    scenarios: bool
    options: dict[str, bool]


def unprotect(sheet: Any) -> Protection | None:
    """Quita la protección sin contraseña; None si la hoja no estaba protegida.

    Lanza la excepción de COM si la hoja tiene contraseña.
    """
    ws = sheet.api
    if not ws.ProtectContents:
        return None
    state = Protection(
        drawing_objects=bool(ws.ProtectDrawingObjects),
        scenarios=bool(ws.ProtectScenarios),
        options={name: bool(getattr(ws.Protection, name)) for name in PROTECTION_OPTIONS},
    )
    ws.Unprotect()
    return state


def protect(sheet: Any, state: Protection) -> None:
    """Vuelve a proteger la hoja con las mismas opciones."""
    sheet.api.Protect(DrawingObjects=state.drawing_objects, Contents=True,
                      Scenarios=state.scenarios, **state.options)


# --- Aplicación --------------------------------------------------------------------

def alert(book: Any, text: str, title: str = "PEA", critical: bool = False) -> None:
    """Cuadro de mensaje de Excel (modal, sobre la ventana del libro)."""
    book.app.alert(prompt=text, title=title, buttons="ok",
                   mode="critical" if critical else "info")


def set_screen_updating(book: Any, value: bool) -> bool:
    """Activa o apaga el redibujado de la pantalla; devuelve el valor anterior."""
    app = book.app
    before = bool(app.screen_updating)
    app.screen_updating = value
    return before


def excel_version(book: Any) -> str:
    return str(book.app.version)
