"""Lectura rápida de libros .xlsx/.xlsm: valores con python-calamine, formatos del XML.

calamine no expone formatos de número ni distingue celdas vacías de combinadas, así que
los porcentajes (formato ``0%``) y las fórmulas se leen del XML de la hoja; las celdas
combinadas vienen de calamine.

Antes de dar el libro a calamine, `zip_guard.Package` revisa todas sus partes (tamaños reales,
compresión, DTD/ENTITY) y, antes de cada hoja, se mide su área con valores: una hoja
que excede `limites.filas` o `limites.celdas` se rechaza sin pedir memoria al motor. Lo
que se lee del XML (hojas, estilos, celdas) está en `spreadsheetml.py`.
"""

from __future__ import annotations

import io
import logging
from array import array
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import python_calamine as pc

from pea import layout as L
from pea.config import Limits
from pea.docprops import CUSTOM_PART, property_value
from pea.reading import spreadsheetml
from pea.reading.deadline import Deadline
from pea.reading.errors import UnreadableFile
from pea.reading.extent import Extent
from pea.reading.grid import SheetGrid, clip_merged
from pea.reading.spreadsheetml import CellStyles, SheetEntry, max_shared_text
from pea.reading.zip_guard import Package

log = logging.getLogger(__name__)

_MB = 1024 * 1024
T = TypeVar("T")


def _engine(call: Callable[[], T], message: str) -> T:
    """Llama al motor (Rust): cualquier error o pánico suyo es un archivo ilegible."""
    try:
        return call()
    except pc.PasswordError as exc:
        raise UnreadableFile("El libro está protegido con contraseña; quite la contraseña, "
                             "guárdelo y vuelva a enviarlo.", kind="cifrado") from exc
    except (pc.CalamineError, ValueError, OSError, OverflowError, MemoryError, KeyError,
            IndexError, TypeError) as exc:
        raise UnreadableFile(message, kind="danado") from exc
    except BaseException as exc:  # pyo3 convierte un pánico de Rust en PanicException
        if type(exc).__name__ != "PanicException":
            raise
        log.warning("calamine entró en pánico: %s", exc)
        raise UnreadableFile(message, kind="danado") from None


def max_merged_ranges(limits: Limits) -> int:
    """Rangos combinados que puede declarar una hoja: sin encimarse, cada uno cubre al
    menos dos celdas del área, que no pasa de `limites.celdas`."""
    return limits.celdas // 2 + 2


def too_large_message(sheet: str, ext: Extent, limits: Limits) -> str:
    """Mensaje de una hoja que excede los límites de lectura."""
    col = L.col_letter(ext.cols) if ext.cols <= 16_384 else "más allá de XFD"
    if ext.rows > limits.filas:
        what = (f"tiene datos hasta la fila {ext.rows:,}, más que el límite de "
                f"{limits.filas:,} filas («limites.filas»)")
    else:
        what = (f"tiene datos hasta la columna {col} y la fila {ext.rows:,}: un área de "
                f"{ext.rows:,} × {ext.cols:,} celdas, más que el límite de {limits.celdas:,} "
                "celdas («limites.celdas»)")
    return (f"La hoja «{sheet}» {what}. Borre las filas o columnas sobrantes (o quite la hoja "
            "si no es el plan) y vuelva a enviarlo.")


@dataclass
class Workbook:
    """Un libro abierto: sus hojas y lo necesario para cargarlas como cuadrícula."""

    package: Package
    entries: list[SheetEntry]
    calamine: Any
    limits: Limits
    _percent_styles: set[int] | None = None
    _shared_lengths: array | None = None  # tamaño de cada cadena compartida (una vez)
    avisos: list[str] = field(default_factory=list)
    _scans: dict[str, tuple[Extent, CellStyles]] = field(default_factory=dict)
    _sheets: dict[str, Any] = field(default_factory=dict)  # hojas ya interpretadas por calamine
    _kept_area: int = 0  # área de las hojas guardadas en `_sheets`
    _checked: set[str] = field(default_factory=set)  # partes de hoja ya revisadas

    @property
    def has_macros(self) -> bool:
        return any(n.lower().endswith("vbaproject.bin") for n in self.package.names)

    @property
    def has_external_links(self) -> bool:
        return self.package.has_part("xl/externalLinks/")

    def _scan(self, part: str) -> tuple[Extent, CellStyles]:
        """Área y formatos de una parte de hoja (una vez por libro)."""
        found = self._scans.get(part)
        if found is None:
            if self._percent_styles is None:
                self._percent_styles = spreadsheetml.percent_styles(self.package)
            found = self._scans[part] = spreadsheetml.scan_sheet(self.package, part,
                                                                 self._percent_styles)
        return found

    def _shared_string_lengths(self) -> array:
        """Tamaño de cada cadena compartida del libro (se calcula una vez)."""
        if self._shared_lengths is None:
            self._shared_lengths = spreadsheetml.shared_lengths(self.package)
        return self._shared_lengths

    def _check_extent(self, entry: SheetEntry) -> None:
        """Mide la hoja en su XML y la rechaza si excede los límites (antes de calamine)."""
        parts = [entry.part] if entry.part in self.package.names else [
            n for n in self.package.names
            if n.startswith("xl/") and n.lower().endswith(".xml") and "sheet" in n.lower()]
        for part in parts:
            if part in self._checked:
                continue
            ext = self._scan(part)[0]
            if ext.exceeded:
                raise UnreadableFile(too_large_message(entry.name, ext, self.limits),
                                     kind="limite")
            text = spreadsheetml.shared_text(self.package, part, self._shared_string_lengths)
            if text > max_shared_text(self.limits):
                raise UnreadableFile(
                    f"La hoja «{entry.name}» repite textos de la tabla de cadenas compartidas "
                    f"hasta sumar {text:,} caracteres, más de los {max_shared_text(self.limits):,} "
                    "que se leen por hoja (la octava parte de «limites.tamano_descomprimido_mb»); "
                    "revise que sea el plan y no un libro con datos de más.", kind="limite")
            ranges = spreadsheetml.merge_count(self.package, part)
            if ranges > max_merged_ranges(self.limits):
                raise UnreadableFile(
                    f"La hoja «{entry.name}» declara {ranges:,} rangos de celdas combinadas, "
                    f"más de los que caben en el límite de {self.limits.celdas:,} celdas "
                    "(«limites.celdas»); un plan tiene unos cientos. Revise que sea el plan "
                    "y vuelva a guardarlo en Excel.", kind="limite")
            self._checked.add(part)
            self.package.forget(part)  # ya medida: el motor la lee de nuevo por su cuenta

    def load(self, entry: SheetEntry, nrows: int | None = None) -> SheetGrid:
        """Carga una hoja (las primeras `nrows` filas, o todas)."""
        self.package.deadline.check()
        self._check_extent(entry)
        limit = self.limits.filas if nrows is None else min(nrows, self.limits.filas)
        message = (f"La hoja «{entry.name}» no se pudo leer (está dañada o tiene un formato "
                   "que Excel no produce); vuelva a guardar el libro en Excel.")

        def read() -> tuple[list[list[Any]], list[tuple[int, int, int, int]]]:
            sheet = self._sheets.get(entry.name)
            if sheet is None:  # la búsqueda del encabezado y la carga completa la comparten
                sheet = self.calamine.get_sheet_by_name(entry.name)
                self._remember(entry, sheet)
            rows = sheet.to_python(skip_empty_area=False, nrows=limit)
            merged = [(r1 + 1, c1 + 1, r2 + 1, c2 + 1)
                      for (r1, c1), (r2, c2) in (sheet.merged_cell_ranges or [])]
            return rows, merged

        rows, merged = _engine(read, message)
        cells = sum(len(r) for r in rows)
        if cells > self.limits.celdas:
            raise UnreadableFile(
                f"La hoja «{entry.name}» tiene {cells:,} celdas, más que el límite de "
                f"{self.limits.celdas:,}; revise que sea el plan y no una base de datos.",
                kind="limite",
            )
        self.package.deadline.check()
        # las combinadas cuentan en el límite de celdas: solo dentro del área con valores
        merged, covered = clip_merged(merged, len(rows), max((len(r) for r in rows), default=0))
        if covered > self.limits.celdas:
            raise UnreadableFile(
                f"La hoja «{entry.name}» tiene celdas combinadas que se enciman o cubren "
                f"{covered:,} celdas, más que el límite de {self.limits.celdas:,} "
                "(«limites.celdas»); Excel no produce rangos encimados. Vuelva a guardar el "
                "libro en Excel o quite las combinaciones sobrantes.", kind="limite")
        grid = SheetGrid(name=entry.name, rows=rows, merged=merged, hidden=entry.hidden,
                         deadline=self.package.deadline)
        if nrows is None:  # la carga completa es la última de esta hoja
            self._sheets.pop(entry.name, None)
        if nrows is None and entry.part in self.package.names:
            styles = self._scan(entry.part)[1]
            grid.percent = styles.percent
            grid.formulas = styles.formulas
            for (r, c), text in styles.errors.items():  # calamine los da vacíos
                if r <= len(rows) and c <= len(rows[r - 1]) and rows[r - 1][c - 1] in ("", None):
                    rows[r - 1][c - 1] = text
        self.package.deadline.check()
        return grid

    def _remember(self, entry: SheetEntry, sheet: Any) -> None:
        """Guarda la hoja ya interpretada si cabe en la memoria que se le da a esto (el
        área de las guardadas no pasa de `limites.celdas`): un libro con miles de hojas
        no las retiene todas."""
        ext = self._scans.get(entry.part, (None,))[0] if entry.part else None
        if ext is None or self._kept_area + ext.area > self.limits.celdas:
            return
        self._kept_area += ext.area
        self._sheets[entry.name] = sheet

    def custom_property(self, name: str) -> str | None:
        """Valor de texto de una propiedad personalizada del libro (docProps/custom.xml)."""
        if CUSTOM_PART not in self.package.names:
            return None
        return property_value(self.package.read_xml(CUSTOM_PART), name)

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
            f"El archivo pesa {len(data) / _MB:,.0f} MB, más que el límite de "
            f"{limits.tamano_archivo_mb:g} MB («limites.tamano_archivo_mb»); revise que sea "
            "el plan correcto.",
            kind="limite",
        )
    package = Package(data, limits, Deadline(limits.segundos_por_archivo))
    package.check_xml_parts()
    entries = spreadsheetml.sheets(package)
    book = _engine(lambda: pc.CalamineWorkbook.from_filelike(io.BytesIO(data)),
                   "El libro está dañado o no es un libro de Excel válido; vuelva a guardarlo "
                   "en Excel.")
    names = _engine(lambda: list(book.sheet_names), "El libro está dañado; vuelva a guardarlo.")
    by_name = {e.name: e for e in entries}
    # en el orden del motor; una hoja que el XML no dejó identificar no se pierde
    entries = [by_name.get(n) or SheetEntry(name=n, part="") for n in names]
    wb = Workbook(package=package, entries=entries, calamine=book, limits=limits)
    if wb.has_macros and not any(e.name == L.META_SHEET for e in entries):
        wb.avisos.append("El libro contiene macros (VBA) que no son de la plantilla oficial; "
                        "no se ejecutaron, solo se leyeron los valores.")
    return wb
