"""La hoja «Validación»: resumen y una fila por hallazgo con vínculo a su celda.

Todo se escribe en una sola llamada. Los vínculos son fórmulas HIPERVINCULO
(``=HYPERLINK("#'PEA'!M12","M12")``): van en la misma escritura en bloque en lugar
de una llamada COM por vínculo, y siguen funcionando si el libro se guarda y se abre
en otro equipo.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pea import layout as L
from pea.excel import xl_api as X
from pea.feedback import SEVERITY_LABEL, VALIDATION_HEADERS, summary_rows
from pea.models import FileReport

TITLE = "Validación del Plan Estratégico Anual"
WIDTHS = (16, 12, 11, 110)


def _text(s: str) -> str:
    """Texto que Excel no debe interpretar (fórmula, número o fecha)."""
    return "'" + s if s else s


def link(sheet: str, cell: str) -> str:
    target = "#'{}'!{}".format(sheet.replace("'", "''"), cell)
    return '=HYPERLINK("{}","{}")'.format(target.replace('"', '""'), cell)


def rows(report: FileReport, rules_version: str, archivo: str,
         notes_failed: list[str] | None = None,
         when: dt.datetime | None = None) -> tuple[list[list[Any]], int]:
    """Filas de la hoja y el número de la fila de encabezados de la tabla."""
    out: list[list[Any]] = [[TITLE]]
    out.append(["Libro", _text(archivo)])
    out.append(["Hoja del plan", _text(report.hoja or "(no se encontró)")])
    for label, value in summary_rows(report, rules_version, when):
        out.append([label, int(value) if value.isdigit() else _text(value)])
    for aviso in report.avisos:
        out.append(["Aviso", _text(aviso)])
    if notes_failed:
        out.append(["Aviso", _text("No se pudo poner la nota en " + ", ".join(notes_failed)
                                   + " (la celda tiene un comentario); vea el mensaje aquí.")])
    out.append([])
    header_row = len(out) + 1
    out.append(list(VALIDATION_HEADERS))
    for f in report.hallazgos:
        where = link(f.hoja, f.celda) if f.hoja and f.celda else "—"
        out.append([SEVERITY_LABEL[f.severidad], where, f.regla, _text(f.mensaje)])
    if not report.hallazgos:
        out.append(["", "", "", "Sin observaciones."])
    return out, header_row


#: Nombre del reporte si el libro ya tiene una «Validación» de la dependencia.
ALT_NAME = L.VALIDATION_SHEET + " PEA"


def is_report(sheet: Any) -> bool:
    """¿La hoja es un reporte de PEA? (su nombre y su título en A1)."""
    name = X.sheet_name(sheet).casefold()
    if name != L.VALIDATION_SHEET.casefold() and not name.startswith(ALT_NAME.casefold()):
        return False
    try:
        return X.read_values(sheet, 1, 1)[0][0] == TITLE
    except Exception:  # hoja de gráfico u otra sin celdas
        return False


def find_report(book: Any) -> Any | None:
    """El reporte de PEA del libro, o None: nunca una hoja de la dependencia, aunque se
    llame «Validación» (por ejemplo, su hoja del plan)."""
    return next((s for s in X.sheets(book) if is_report(s)), None)


def _free_name(book: Any) -> str:
    taken = {X.sheet_name(s).casefold() for s in X.sheets(book)}
    names = [L.VALIDATION_SHEET, ALT_NAME,
             *(f"{ALT_NAME} ({n})" for n in range(2, len(taken) + 3))]
    return next(n for n in names if n.casefold() not in taken)


def write(book: Any, report: FileReport, rules_version: str, archivo: str,
          notes_failed: list[str] | None = None, when: dt.datetime | None = None) -> Any:
    """Reemplaza el reporte anterior de PEA (o agrega «Validación» al final del libro; si
    ya hay una «Validación» de la dependencia, «Validación PEA»)."""
    old = find_report(book)
    name = X.sheet_name(old) if old is not None else _free_name(book)
    if old is not None:
        X.delete_sheet(old)
    data, header_row = rows(report, rules_version, archivo, notes_failed, when)
    sheet = X.add_sheet(book, name, after=X.sheets(book)[-1])
    X.write_rows(sheet, data)
    X.set_bold(sheet, 1, 1, 1)
    X.set_bold(sheet, header_row, 1, len(VALIDATION_HEADERS))
    for col, width in enumerate(WIDTHS, start=1):
        X.set_column_width(sheet, col, width)
    return sheet
