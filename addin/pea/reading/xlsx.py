"""Lectura rápida de libros .xlsx/.xlsm: valores con python-calamine, formatos del XML.

calamine no expone formatos de número ni distingue celdas vacías de combinadas, así que
los porcentajes (formato ``0%``) y las fórmulas se leen del XML de la hoja; las celdas
combinadas vienen de calamine.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

import python_calamine as pc

from pea import layout as L
from pea.config import Limits
from pea.reading.errors import UnreadableFile
from pea.reading.grid import SheetGrid
from pea.reading.package import Package, SheetEntry

_MB = 1024 * 1024


@dataclass
class Workbook:
    """Un libro abierto: sus hojas y lo necesario para cargarlas como cuadrícula."""

    package: Package
    entries: list[SheetEntry]
    calamine: Any
    limits: Limits
    _percent_styles: set[int] | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def has_macros(self) -> bool:
        return "xl/vbaProject.bin" in self.package.names

    @property
    def has_external_links(self) -> bool:
        return self.package.has_part("xl/externalLinks/")

    def load(self, entry: SheetEntry, nrows: int | None = None) -> SheetGrid:
        """Carga una hoja (las primeras `nrows` filas, o todas hasta el límite)."""
        try:
            sheet = self.calamine.get_sheet_by_name(entry.name)
            limit = self.limits.filas if nrows is None else min(nrows, self.limits.filas)
            rows = sheet.to_python(skip_empty_area=False, nrows=limit)
            merged = [(r1 + 1, c1 + 1, r2 + 1, c2 + 1)
                      for (r1, c1), (r2, c2) in (sheet.merged_cell_ranges or [])]
            total_height = sheet.height
        except (pc.CalamineError, ValueError, OverflowError, MemoryError) as exc:
            raise UnreadableFile(
                f"La hoja «{entry.name}» no se pudo leer ({type(exc).__name__}); vuelva a "
                "guardar el libro en Excel.",
                motivo="danado",
            ) from exc
        if nrows is None and total_height > self.limits.filas:
            self.notes.append(
                f"La hoja «{entry.name}» tiene {total_height:,} filas; solo se leyeron las "
                f"primeras {self.limits.filas:,} (límite de lectura)."
            )
        cells = sum(len(r) for r in rows)
        if cells > self.limits.celdas:
            raise UnreadableFile(
                f"La hoja «{entry.name}» tiene {cells:,} celdas, más que el límite de "
                f"{self.limits.celdas:,}; revise que sea el plan y no una base de datos.",
                motivo="limite",
            )
        grid = SheetGrid(name=entry.name, rows=rows, merged=merged, hidden=entry.hidden)
        if nrows is None and entry.part in self.package.names:
            if self._percent_styles is None:
                self._percent_styles = self.package.percent_styles()
            styles = self.package.cell_styles(entry.part, self._percent_styles)
            grid.percent = styles.percent
            grid.formulas = styles.formulas
        return grid

    def template_info(self) -> dict[str, str] | None:
        """Claves y valores de la hoja oculta de metadatos de la plantilla, si existe."""
        for entry in self.entries:
            if entry.name == L.META_SHEET:
                grid = self.load(entry, nrows=20)
                return {str(r[0]).strip(): str(r[1]).strip() for r in grid.rows
                        if len(r) >= 2 and str(r[0]).strip()}
        return None


def open_workbook(data: bytes, limits: Limits) -> Workbook:
    """Abre un libro desde sus bytes, con las comprobaciones de seguridad del paquete."""
    if len(data) > limits.tamano_archivo_mb * _MB:
        raise UnreadableFile(
            f"El archivo pesa {len(data) // _MB} MB, más que el límite de "
            f"{limits.tamano_archivo_mb:g} MB.",
            motivo="limite",
        )
    package = Package(data, limits)
    package.check_xml_parts()
    entries = package.sheets()
    try:
        book = pc.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except pc.PasswordError as exc:
        raise UnreadableFile("El libro está protegido con contraseña.", motivo="cifrado") from exc
    except (pc.CalamineError, ValueError, OSError) as exc:
        raise UnreadableFile(
            "El libro está dañado o no es un libro de Excel válido; vuelva a guardarlo en "
            "Excel.",
            motivo="danado",
        ) from exc
    known = set(book.sheet_names)
    entries = [e for e in entries if e.name in known] or [
        SheetEntry(name=n, part="") for n in book.sheet_names
    ]
    return Workbook(package=package, entries=entries, calamine=book, limits=limits)
