"""Retroalimentación dentro del libro: colores por severidad, notas y hoja «Validación».

Lo comparten el botón Validar (xlwings, en el libro abierto) y las copias anotadas del
consolidador (openpyxl); aquí solo hay datos de Python, sin Excel.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pea import __version__
from pea.models import FileReport, Finding

#: Relleno de la celda marcada, por severidad (RGB hex sin «#»).
SEVERITY_FILL = {"error": "FFC7CE", "advertencia": "FFEB9C", "info": "DDEBF7"}
SEVERITY_FONT = {"error": "9C0006", "advertencia": "9C5700", "info": "1F4E78"}
SEVERITY_LABEL = {"error": "Error", "advertencia": "Advertencia", "info": "Información"}
SEVERITY_RANK = {"error": 0, "advertencia": 1, "info": 2}
NOTE_AUTHOR = "PEA"
VALIDATION_HEADERS = ("Severidad", "Celda", "Regla", "Mensaje")


@dataclass(frozen=True)
class CellMark:
    """Lo que se pinta en una celda: la severidad más alta y todos sus mensajes."""

    sheet: str | None
    cell: str
    severity: str
    note: str


def cell_marks(report: FileReport) -> list[CellMark]:
    """Una marca por celda (varios hallazgos en la misma celda comparten la nota)."""
    by_cell: dict[tuple[str | None, str], list[Finding]] = {}
    for f in report.hallazgos:
        if f.celda:
            by_cell.setdefault((f.hoja, f.celda), []).append(f)
    marks = []
    for (sheet, cell), findings in by_cell.items():
        findings.sort(key=lambda f: SEVERITY_RANK[f.severidad])
        note = "\n".join(f"[{f.regla}] {f.mensaje}" for f in findings)
        marks.append(CellMark(sheet, cell, findings[0].severidad, note))
    return marks


def summary_rows(report: FileReport, rules_version: str,
                 when: dt.datetime | None = None) -> list[tuple[str, str]]:
    """Filas de resumen para el encabezado de la hoja «Validación»."""
    when = when or dt.datetime.now()
    r = report.resumen
    if r["error"]:
        estado = "Con errores: corríjalos antes de entregar el plan."
    elif r["advertencia"]:
        estado = "Sin errores, con advertencias por revisar."
    else:
        estado = "Sin errores."
    return [
        ("Resultado", estado),
        ("Errores", str(r["error"])),
        ("Advertencias", str(r["advertencia"])),
        ("Información", str(r["info"])),
        ("Fecha y hora", when.strftime("%d/%m/%Y %H:%M")),
        ("Versión de reglas", rules_version),
        ("Versión de PEA", __version__),
    ]


def message_box_text(report: FileReport) -> str:
    """El mensaje breve al terminar de validar."""
    r = report.resumen
    if not r["error"] and not r["advertencia"]:
        return "Sin errores. El plan cumple las reglas del Instituto de Planeación."
    parts = []
    if r["error"]:
        parts.append(f"{r['error']} error(es)")
    if r["advertencia"]:
        parts.append(f"{r['advertencia']} advertencia(s)")
    return ("Se encontraron " + " y ".join(parts) + ". Las celdas quedaron marcadas en color; "
            "la hoja «Validación» tiene la lista con vínculos a cada celda.")
