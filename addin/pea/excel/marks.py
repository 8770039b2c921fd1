"""Marcas en las celdas (relleno por severidad y nota) que se pueden quitar sin dejar rastro.

Antes de marcar una celda se guarda su relleno y su nota originales en la hoja
oculta «PEA_marcas». La columna A de esa hoja tiene una fórmula que apunta a la
celda marcada (``=ROW('PEA'!$M$12)``): Excel la actualiza si se insertan o
borran filas o se renombra la hoja, así que al restaurar se sabe dónde quedó cada
celda. Se restaura solo lo que sigue siendo la marca de PEA: si la persona cambió
el relleno o la nota después, se respeta su cambio.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from pea.excel import xl_api as X
from pea.excel.reader import MARKS_SHEET
from pea.feedback import SEVERITY_FILL, CellMark

HEADERS = ["Celda marcada", "Relleno original", "Nota original", "Tenía nota",
           "Relleno PEA", "Nota PEA"]
_REF = re.compile(r"^=ROW\((?:'((?:[^']|'')+)'|([^'!()]+))!\$?([A-Z]{1,3})\$?(\d+)\)$")
#: Largo máximo de una nota de PEA (las notas muy largas no se pueden leer en Excel).
NOTE_LIMIT = 2000


@dataclass
class Record:
    """Una celda marcada por PEA: dónde está, qué tenía y qué se le puso."""

    sheet: str
    cell: str
    orig_fill: str | None
    orig_note: str | None
    fill: str
    note: str


def _text(s: str | None) -> str:
    """Texto guardado como texto (Excel no lo convierte en número ni fórmula)."""
    return "'" + s if s else ""


def _same(a: str | None, b: str | None) -> bool:
    def norm(s: str | None) -> str:
        return (s or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    return (a is None) == (b is None) and norm(a) == norm(b)


def mark_note(mark: CellMark) -> str:
    note = mark.note
    return note if len(note) <= NOTE_LIMIT else note[: NOTE_LIMIT - 1] + "…"


def reference(sheet: str, cell: str) -> str:
    """Fórmula que sigue a la celda aunque se muevan filas o se renombre la hoja."""
    m = re.match(r"([A-Z]+)(\d+)$", cell)
    col, row = (m.group(1), m.group(2)) if m else (cell, "")
    return "=ROW('{}'!${}${})".format(sheet.replace("'", "''"), col, row)


def parse_reference(formula: str) -> tuple[str, str] | None:
    """(hoja, celda) de la fórmula; None si la celda ya no existe (#REF!)."""
    m = _REF.match(formula.strip())
    if not m:
        return None
    sheet = m.group(1).replace("''", "'") if m.group(1) is not None else m.group(2)
    return sheet, f"{m.group(3)}{m.group(4)}"


def load(book: Any) -> list[Record]:
    """Las marcas de la corrida anterior (vacío si no hay hoja «PEA_marcas»)."""
    sheet = X.find_sheet(book, MARKS_SHEET)
    if sheet is None:
        return []
    nrows, _ = X.used_extent(sheet)
    if nrows < 2:
        return []
    out = []
    for row in X.read_formulas(sheet, nrows, len(HEADERS))[1:]:
        where = parse_reference(row[0]) if row and row[0] else None
        if where is None:
            continue
        out.append(Record(sheet=where[0], cell=where[1], orig_fill=row[1] or None,
                          orig_note=row[2] if row[3] == "sí" else None,
                          fill=row[4], note=row[5]))
    return out


def save(book: Any, records: list[Record], after: Any) -> None:
    """Reemplaza la hoja oculta «PEA_marcas» (la borra si no hay marcas)."""
    old = X.find_sheet(book, MARKS_SHEET)
    if old is not None:
        X.delete_sheet(old)
    if not records:
        return
    sheet = X.add_sheet(book, MARKS_SHEET, after=after)
    rows: list[list[Any]] = [list(HEADERS)]
    for r in records:
        rows.append([reference(r.sheet, r.cell), _text(r.orig_fill), _text(r.orig_note),
                     "sí" if r.orig_note is not None else "no", _text(r.fill), _text(r.note)])
    X.write_rows(sheet, rows)
    X.hide(sheet)


def _restore(rng: Any, old: Record) -> None:
    if X.fill(rng) == old.fill:
        X.set_fill(rng, old.orig_fill)
    current = X.note_text(rng)
    if current is not None and _same(current, old.note):
        if old.orig_note is None:
            X.delete_note(rng)
        else:
            X.set_note(rng, old.orig_note, exists=True)


def _apply(rng: Any, sheet: str, mark: CellMark, old: Record | None) -> tuple[Record, bool]:
    """Marca la celda; devuelve el registro y si la nota se pudo poner."""
    fill_now, note_now = X.fill(rng), X.note_text(rng)
    orig_fill = old.orig_fill if old and fill_now == old.fill else fill_now
    orig_note = old.orig_note if old and _same(note_now, old.note) else note_now
    color = "#" + SEVERITY_FILL[mark.severity].lower()
    text = mark_note(mark)
    if fill_now != color:
        X.set_fill(rng, color)
    noted = True
    if not _same(note_now, text):
        try:
            X.set_note(rng, text, exists=note_now is not None)
        except Exception:  # p. ej. la celda tiene un comentario moderno (hilo)
            noted = False
    return Record(sheet, mark.cell, orig_fill, orig_note, color, text), noted


def reconcile(book: Any, sheets: dict[str, Any], marks: list[CellMark],
              old: list[Record]) -> tuple[list[Record], list[str]]:
    """Quita las marcas viejas que ya no aplican y pone las nuevas.

    `sheets` da el objeto hoja por nombre. Devuelve los registros nuevos y las
    celdas donde no se pudo poner la nota.
    """
    previous = {(r.sheet, r.cell): r for r in old}
    wanted = {(m.sheet or "", m.cell): m for m in marks}
    for key, rec in previous.items():
        if key not in wanted and rec.sheet in sheets:
            _restore(X.cell(sheets[rec.sheet], rec.cell), rec)
    records, failed = [], []
    for (sheet_name, cell), mark in wanted.items():
        if sheet_name not in sheets:
            continue
        rec, noted = _apply(X.cell(sheets[sheet_name], cell), sheet_name, mark,
                            previous.get((sheet_name, cell)))
        records.append(rec)
        if not noted:
            failed.append(cell)
    return records, failed


def restore_all(sheets: dict[str, Any], old: list[Record]) -> None:
    """Deja cada celda marcada como estaba antes de la primera marca."""
    for rec in old:
        if rec.sheet in sheets:
            _restore(X.cell(sheets[rec.sheet], rec.cell), rec)


@contextlib.contextmanager
def editable(sheet: Any) -> Iterator[bool]:
    """Quita la protección sin contraseña mientras se marca y la vuelve a poner igual.

    Da False si la hoja tiene contraseña (entonces no se marca nada en ella).
    """
    try:
        state = X.unprotect(sheet)
    except Exception:
        yield False
        return
    try:
        yield True
    finally:
        if state is not None:
            X.protect(sheet, state)
