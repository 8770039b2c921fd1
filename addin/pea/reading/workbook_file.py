"""Leer un archivo de plan del disco: abrirlo, elegir la hoja del plan y sus avisos.

El camino de `pea validar`, del consolidador y de las copias anotadas; el botón de Excel lee
el libro abierto (`pea.excel.reader`) y elige la hoja con la misma función
(`reading.sheet_choice`). Los lectores pesados (calamine) se importan al leer, no aquí.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from pea import layout as L
from pea.models import AnnotatedCopy, Hit, TemplateInfo
from pea.reading import TEXT_SUFFIXES
from pea.reading.errors import UnreadableFile
from pea.reading.grid import SheetGrid
from pea.reading.sheet_choice import Candidate, choose_plan_sheet, head_has_header

if TYPE_CHECKING:
    from pea.config import RulesConfig


class ReadResult:
    """Lo leído de un archivo: la cuadrícula del plan (o None), avisos y metadatos."""

    def __init__(self, grid: SheetGrid | None, hits: list[Hit], avisos: list[str],
                 template: TemplateInfo | None = None,
                 copy_of: AnnotatedCopy | None = None) -> None:
        self.grid = grid
        self.hits = hits
        self.avisos = avisos
        self.template = template
        self.copy_of = copy_of


def _suffix_message(path: Path) -> str | None:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return ("El archivo es CSV (texto separado por comas) y pierde el formato del plan; "
                "envíe el libro de Excel (.xlsx) o la exportación separada por tabuladores (.txt).")
    if suffix == ".pdf":
        return "El archivo es un PDF; envíe el libro de Excel (.xlsx/.xlsm) del plan."
    return None


def no_plan_sheet(hojas: str) -> Hit:
    """PEA-E01: ninguna hoja tiene el encabezado del plan (`Choice.hojas`)."""
    return Hit("PEA-E01", hoja=hojas)


def read_grid(path: Path, data: bytes, config: RulesConfig) -> ReadResult:
    """Abre el archivo y elige la hoja del plan (por su encabezado, no por su nombre)."""
    from pea.reading.text import read_text
    from pea.reading.xlsx import open_workbook

    if path.suffix.lower() in TEXT_SUFFIXES:
        return ReadResult(read_text(data, config.limites), [], [])
    msg = _suffix_message(path)
    if msg and not data.startswith(b"PK"):
        raise UnreadableFile(msg, kind="no_excel")
    wb = open_workbook(data, config.limites)
    choice = choose_plan_sheet(
        [Candidate(e.name, e.hidden, e) for e in wb.entries],
        lambda e: head_has_header(wb.load(e, nrows=L.HEADER_SEARCH_ROWS)))
    template = template_info_from_meta(wb.template_info())
    avisos = choice.avisos
    if choice.sheet is None:
        return ReadResult(None, [no_plan_sheet(choice.hojas)], avisos, template)
    chosen = choice.sheet.handle
    if wb.has_external_links:
        avisos.append("El libro tiene vínculos a otros archivos; no se siguieron (se usaron los "
                      "valores guardados).")
    grid = wb.load(chosen)
    avisos.extend(wb.avisos)
    copy_of = annotated_copy(wb.custom_property(L.ANNOTATED_PROPERTY), grid)
    if copy_of is not None:
        avisos.append(f"Es una copia anotada por PEA de «{copy_of.original}»"
                      + ("; nadie la ha cambiado: las correcciones van en el libro original."
                         if copy_of.sin_cambios else
                         ", con cambios posteriores: se validó como una entrega."))
    return ReadResult(grid, [], avisos, template, copy_of)


def annotated_copy(marker: str | None, grid: SheetGrid) -> AnnotatedCopy | None:
    """Si el libro es una copia anotada por PEA: de qué libro y si sus valores siguen como
    PEA los dejó (la marca guarda la huella de la hoja del plan)."""
    if marker is None:
        return None
    fingerprint, _, original = marker.partition("|")
    return AnnotatedCopy(original=original or "(desconocido)",
                         sin_cambios=fingerprint == grid.fingerprint())


def template_info_from_meta(meta: dict[str, str] | None) -> TemplateInfo | None:
    if not meta:
        return None
    anio = meta.get("anio_plan", "")
    return TemplateInfo(
        version=meta.get("version_plantilla") or None,
        anio_plan=int(float(anio)) if anio.replace(".", "", 1).isdigit() else None,
        huella_catalogos=meta.get("huella_catalogos") or None,
    )


