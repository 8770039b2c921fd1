"""Cuál hoja es el plan: la misma elección para un archivo en disco y para el libro abierto
en Excel (el botón Validar).

La hoja se reconoce por su encabezado («EJE TEMÁTICO»…), no por su nombre. Las hojas que
PEA o la plantilla crean nunca son el plan (sin distinguir mayúsculas), salvo «Validación»
si tiene el encabezado del plan (el reporte de PEA nunca lo tiene). Entre varias con el
encabezado gana la primera visible, en el orden del libro; una oculta solo si no hay otra.
Cada lector da sus hojas como `Candidate` y una función que lee las primeras filas.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from pea import layout as L
from pea.reading.grid import SheetGrid

#: Hojas de la plantilla y de PEA que nunca son el plan (comparadas con `casefold`).
AUXILIARY = frozenset(n.casefold() for n in (
    L.META_SHEET, L.CATALOG_SHEET, L.INSTRUCTIONS_SHEET, L.VALIDATION_SHEET,
    L.MARKS_SHEET, L.DIAGNOSTIC_SHEET, L.XLWINGS_CONF_SHEET))

#: Las que ni se buscan como plan. «Validación» sí se busca: el reporte de PEA nunca tiene
#: el encabezado del plan, y una dependencia puede haber llamado así a su hoja.
NOT_SEARCHED = AUXILIARY - {L.VALIDATION_SHEET.casefold()}

S = TypeVar("S")


def is_auxiliary(name: str) -> bool:
    """¿Es una hoja de la plantilla o de PEA (nunca el plan)?"""
    return name.casefold() in AUXILIARY


@dataclass
class Candidate(Generic[S]):
    """Una hoja del libro: su nombre, si está oculta y con qué la lee su lector."""

    name: str
    hidden: bool
    handle: S


@dataclass
class Choice(Generic[S]):
    """La hoja elegida (o None: PEA-E01), los avisos de la elección y las hojas revisadas."""

    sheet: Candidate[S] | None
    avisos: list[str] = field(default_factory=list)
    #: Cómo nombrar las hojas en PEA-E01: las visibles que no son de PEA (o todas).
    hojas: str = "(sin hojas)"


def choose_plan_sheet(sheets: Sequence[Candidate[S]],
                      has_header: Callable[[S], bool]) -> Choice[S]:
    """Elige la hoja del plan entre `sheets` (en el orden del libro)."""
    entries = sorted((s for s in sheets if s.name.casefold() not in NOT_SEARCHED),
                     key=lambda s: s.hidden)
    found = [s for s in entries if has_header(s.handle)]
    visible = [s.name for s in entries if not s.hidden and not is_auxiliary(s.name)]
    hojas = ", ".join(visible or [s.name for s in sheets]) or "(sin hojas)"
    if not found:
        return Choice(None, [], hojas)
    chosen = found[0]
    avisos = []
    if len(found) > 1:
        avisos.append("El libro tiene varias hojas con el formato del plan ("
                      + ", ".join(f"«{s.name}»" for s in found)
                      + f"); se validó «{chosen.name}». Deje una sola hoja con el plan.")
    if chosen.hidden:
        avisos.append(f"La hoja del plan «{chosen.name}» está oculta; se validó de todos modos.")
    return Choice(chosen, avisos, hojas)


def head_has_header(head: SheetGrid) -> bool:
    """¿Las primeras filas de la hoja tienen el encabezado de la tabla del plan?"""
    from pea.reading.plan_parser import find_header_row

    return find_header_row(head) is not None
