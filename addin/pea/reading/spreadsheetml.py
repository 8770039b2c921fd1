"""Lo que el lector sabe de SpreadsheetML (ECMA-376): hojas, relaciones, estilos.

Lee las partes que `zip_guard.Package` ya descomprimió con topes y revisó (sin DTD):
las hojas del libro y sus partes (workbook.xml y sus relaciones), los formatos de
porcentaje (styles.xml), las celdas con formato %, con fórmula o con un error guardado,
los rangos combinados y el texto que una hoja toma de la tabla de cadenas compartidas.
El área de cada hoja la mide `extent.py` (la vía rápida y la cuidadosa).
"""

from __future__ import annotations

import html
import re
from array import array
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import PurePosixPath

from pea import layout as L
from pea.config import Limits
from pea.reading.errors import UnreadableFile
from pea.reading.extent import Extent, measure, scan
from pea.reading.zip_guard import MAX_PARTS, Package

_MB = 1024 * 1024
_SHEET = re.compile(rb"<(?:\w+:)?sheet\b([^>]*)/?>")
_REL = re.compile(rb"<(?:\w+:)?Relationship\b([^>]*)/?>")
_ATTR = re.compile(rb'([\w:]+)\s*=\s*"([^"]*)"')
_NUMFMT = re.compile(rb"<(?:\w+:)?numFmt\b([^>]*)/?>")
_CELLXFS = re.compile(rb"<(?:\w+:)?cellXfs\b[^>]*>(.*?)</(?:\w+:)?cellXfs>", re.DOTALL)
_XF = re.compile(rb"<(?:\w+:)?xf\b([^>]*)/?>")
_NUMFMT_ID = re.compile(rb"""\bnumFmtId\s*=\s*["']\s*(\d{1,9})\s*["']""")
#: Formatos de celda (cellXfs) que se miran, como máximo: los que admite Excel.
MAX_CELL_FORMATS = 65_490
#: Celda cuyo primer hijo es una fórmula: <c r="U10" s="4"><f>SUM(M10:P10)</f>…
_FORMULA_CELL = re.compile(rb"<(?:\w+:)?c\s([^>]*[^/])>\s*<(?:\w+:)?f\b")
#: Celda con un valor de error guardado (``t="e"``: «#DIV/0!», «#N/A», …) y su contenido.
#: El contenido no puede pasar de la etiqueta de la celda siguiente: tiempo lineal aunque
#: un XML hostil deje miles de celdas de error sin cerrar.
_ERROR_CELL = re.compile(
    rb"""<(?:\w+:)?c\s([^>]*?\bt\s*=\s*["']e["'][^>]*)(?<!/)>"""
    rb"""((?:[^<]|<(?!/?(?:\w+:)?c[\s>/]))*)</(?:\w+:)?c>""")
_VALUE = re.compile(rb"<(?:\w+:)?v>([^<]*)</(?:\w+:)?v>")
#: Un styles.xml más grande que esto no se recuerda entre libros (memoria acotada).
_STYLES_MEMO_MAX = 256 * 1024
_REF = re.compile(rb"([A-Z]{1,3})(\d{1,9})")
_FORMULA = re.compile(rb"<(?:\w+:)?f\b")
#: Formatos de número integrados que son porcentaje.
_BUILTIN_PERCENT = {9, 10}
#: Inicio de cada cadena de la tabla de cadenas compartidas.
_SI = re.compile(rb"<(?:\w+:)?si[\s>/]")
#: Índice de la cadena compartida de una celda ``t="s"`` (cualquier orden de atributos).
_SHARED_CELL = re.compile(
    rb"""<(?:\w+:)?c\s[^>]*?\bt\s*=\s*["']s["'][^>]*>\s*<(?:\w+:)?v>\s*(\d{1,9})\s*<""")
_SHARED_TYPE = b"relationships/sharedStrings"


def max_shared_text(limits: Limits) -> int:
    """Caracteres que una hoja puede tomar de la tabla de cadenas compartidas: la octava
    parte de `limites.tamano_descomprimido_mb` (26 millones con 200 MB), para que el texto
    que el motor copia en cada celda no multiplique la memoria."""
    return int(limits.tamano_descomprimido_mb * _MB) // 8


def _attrs(raw: bytes) -> dict[str, str]:
    """Atributos de una etiqueta, con las referencias (``&amp;``, ``&#38;``) resueltas."""
    return {k.decode().split(":")[-1]: html.unescape(v.decode("utf-8", "replace"))
            for k, v in _ATTR.findall(raw)}


def _coord(attrs: bytes) -> tuple[int, int] | None:
    """(fila, columna) del atributo r="M10" de una celda, o None."""
    r_pos = attrs.find(b'r="')
    if r_pos < 0:
        return None
    ref = _REF.match(attrs, r_pos + 3)
    if not ref:
        return None
    return int(ref.group(2)), L.col_index(ref.group(1))


@dataclass
class SheetEntry:
    name: str
    part: str  # ruta de la parte dentro del zip
    hidden: bool = False


@dataclass
class CellStyles:
    """Lo que el lector necesita del XML de una hoja: formatos % y fórmulas."""

    percent: set[tuple[int, int]] = field(default_factory=set)
    formulas: set[tuple[int, int]] = field(default_factory=set)
    #: Valores de error guardados (calamine los da como vacío): se conservan como texto.
    errors: dict[tuple[int, int], str] = field(default_factory=dict)



def _rels_part(wb_part: str) -> str:
    """La parte de relaciones de `wb_part` (``xl/_rels/workbook.xml.rels``)."""
    path = PurePosixPath(wb_part)
    return str(path.parent / "_rels" / (path.name + ".rels"))


def sheets(pkg: Package) -> list[SheetEntry]:
    """Hojas en orden, con su parte XML y si están ocultas."""
    wb_part = pkg.workbook_part() or "xl/workbook.xml"
    wb = pkg.read_xml(wb_part)
    rels_name = _rels_part(wb_part)
    targets: dict[str, str] = {}
    if rels_name in pkg.names:
        for i, rel in enumerate(_REL.finditer(pkg.read_xml(rels_name))):
            if i >= 2 * MAX_PARTS:
                break  # más relaciones que partes: las demás no llevan a ninguna hoja
            raw = rel.group(1)
            a = _attrs(raw)
            target = a.get("Target", "")
            target = target[1:] if target.startswith("/") else str(PurePosixPath("xl") / target)
            targets[a.get("Id", "")] = target
    out = []
    for i, m in enumerate(_SHEET.finditer(wb)):
        if i >= MAX_PARTS:  # cada hoja es una parte del zip: más no puede ser un libro
            raise UnreadableFile(
                f"El libro declara más de {MAX_PARTS:,} hojas; un libro de plan tiene unas "
                "pocas. Por seguridad no se lee; envíe solo el libro del plan.",
                kind="limite")
        a = _attrs(m.group(1))
        out.append(SheetEntry(name=a.get("name", ""), part=targets.get(a.get("id", ""), ""),
                              hidden=a.get("state", "visible") != "visible"))
    return out


def percent_styles(pkg: Package) -> set[int]:
    """Índices de estilo de celda (cellXfs) cuyo formato de número es porcentaje."""
    if "xl/styles.xml" not in pkg.names:
        return set()
    styles = pkg.read_xml("xl/styles.xml")
    if len(styles) > _STYLES_MEMO_MAX:
        return set(percent_style_ids.__wrapped__(styles))
    return set(percent_style_ids(styles))


def scan_sheet(pkg: Package, part: str, percent: set[int]) -> tuple[Extent, CellStyles]:
    """Área, formatos % y fórmulas de una hoja: una búsqueda en la forma común; si no,
    la medición cuidadosa y, solo si la hoja cabe en los límites, los formatos."""
    xml = pkg.read_xml(part)
    limits = pkg.limits
    fast = scan(xml, limits.filas, limits.celdas, percent)
    if fast is not None:
        ext, pct, formulas, errors = fast
        return ext, CellStyles(pct, formulas, error_values(xml) if errors else {})
    ext = measure(xml, limits.filas, limits.celdas, tick=pkg.deadline.check)
    if ext.exceeded:
        return ext, CellStyles()
    styles = cell_styles(xml, percent)
    styles.errors = error_values(xml)
    return ext, styles


def shared_text(pkg: Package, part: str, lengths: Callable[[], array]) -> int:
    """Cuántos caracteres, a lo más, toma la hoja de la tabla de cadenas compartidas.

    El motor copia la cadena en cada celda que la usa: una cadena de 32,767 caracteres
    en 200,000 celdas son 6.5 mil millones de caracteres de un XML de unos KB. Se cuenta
    antes de dársela al motor (cada cadena mide, a lo más, sus bytes en el XML).
    `lengths` da `shared_lengths(pkg)`, recordado por el libro; solo se pide si la hoja
    usa cadenas compartidas (la tabla puede ser enorme).
    """
    xml = pkg.read_xml(part)
    cells = xml.count(b't="s"') + xml.count(b"t='s'")
    if not cells:
        if _SHARED_CELL.search(xml) is None:
            return 0
        cells = len(_SHARED_CELL.findall(xml))  # con espacios o comillas raras
    sizes = lengths()
    if not sizes:
        return 0
    if cells * max(sizes) <= max_shared_text(pkg.limits):
        return cells * max(sizes)  # cota suficiente: no hace falta ver cada celda
    total = 0
    n = len(sizes)
    for i, m in enumerate(_SHARED_CELL.finditer(xml)):
        if i % 50_000 == 0:
            pkg.deadline.check()
        k = int(m.group(1))
        if k < n:
            total += sizes[k]
    return total


def shared_lengths(pkg: Package) -> array:
    """Tamaño en el XML de cada cadena compartida del libro."""
    name = _shared_part(pkg)
    if name is None:
        return array("l")
    sst = pkg.read_xml(name)
    starts = array("l")
    for i, m in enumerate(_SI.finditer(sst)):
        if i % 100_000 == 0:
            pkg.deadline.check()
        starts.append(m.start())
    starts.append(len(sst))
    return array("l", (starts[i + 1] - starts[i] for i in range(len(starts) - 1)))


def _shared_part(pkg: Package) -> str | None:
    """La parte de la tabla de cadenas compartidas (por la relación del libro)."""
    wb_part = pkg.workbook_part() or "xl/workbook.xml"
    rels = _rels_part(wb_part)
    if rels in pkg.names:
        for raw in _REL.findall(pkg.read_xml(rels)):
            if _SHARED_TYPE in raw:
                target = _attrs(raw).get("Target", "")
                target = target[1:] if target.startswith("/") else str(
                    PurePosixPath(wb_part).parent / target)
                if target in pkg.names:
                    return target
    return "xl/sharedStrings.xml" if "xl/sharedStrings.xml" in pkg.names else None


def merge_count(pkg: Package, part: str) -> int:
    """Cuántos rangos combinados declara una hoja, a lo más (antes de dársela al motor,
    que los guardaría todos)."""
    xml = pkg.read_xml(part)
    return xml.count(b"mergeCell") if b"mergeCell" in xml else 0


def cell_styles(xml: bytes, percent_styles: set[int]) -> CellStyles:
    """Celdas con formato de porcentaje y con fórmula (vía cuidadosa, cualquier forma de XML).

    Dos búsquedas en C que solo devuelven esas celdas (pocas): el resto del XML no
    pasa por Python.
    """
    out = CellStyles()
    if percent_styles:
        ids = b"|".join(str(s).encode() for s in sorted(percent_styles))
        pattern = re.compile(rb'<(?:\w+:)?c\s([^>]*?\bs="(?:' + ids + rb')"[^>]*)>')
        for attrs in pattern.findall(xml):
            coord = _coord(attrs)
            if coord is not None:
                out.percent.add(coord)
    if _FORMULA.search(xml) is None:
        return out
    for m in _FORMULA_CELL.finditer(xml):
        coord = _coord(m.group(1))
        if coord is not None:
            out.formulas.add(coord)
    return out


def error_values(xml: bytes) -> dict[tuple[int, int], str]:
    """Celdas con un error guardado («#DIV/0!», «#N/A»…) y su texto; casi nunca hay."""
    if b't="e"' not in xml and b"t='e'" not in xml:
        return {}
    out = {}
    for attrs, inner in _ERROR_CELL.findall(xml):
        coord = _coord(attrs)
        value = _VALUE.search(inner)
        if coord is not None and value is not None:
            out[coord] = html.unescape(value.group(1).decode("utf-8", "replace"))
    return out


@lru_cache(maxsize=64)
def percent_style_ids(styles: bytes) -> frozenset[int]:
    """Índices de cellXfs con formato de porcentaje en un styles.xml.

    Se recuerda por contenido: los libros hechos con la misma plantilla comparten sus
    estilos, y en una consolidación se leen cientos.
    """
    percent_fmt = set(_BUILTIN_PERCENT)
    for raw in _NUMFMT.findall(styles):
        a = _attrs(raw)
        code = re.sub(r'"[^"]*"|\\.', "", a.get("formatCode", ""))
        fmt_id = a.get("numFmtId", "")
        if "%" in code and fmt_id.isascii() and fmt_id.isdigit() and len(fmt_id) < 10:
            percent_fmt.add(int(fmt_id))
    m = _CELLXFS.search(styles)
    if not m:
        return frozenset()
    out = set()
    # sin copiar la sección ni crear un objeto por formato; a lo más los que admite Excel
    for idx, xf in enumerate(_XF.finditer(styles, m.start(1), m.end(1))):
        if idx >= MAX_CELL_FORMATS:
            break
        fmt = _NUMFMT_ID.search(xf.group(1))
        if fmt is not None and int(fmt.group(1)) in percent_fmt:
            out.add(idx)
    return frozenset(out)
