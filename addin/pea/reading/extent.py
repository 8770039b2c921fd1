"""Área que ocupa una hoja, medida en su XML antes de dársela al motor de lectura.

calamine reserva memoria para el rectángulo completo entre la primera y la última celda
con valor: dos celdas en A1 y XFD1048576 piden ~550 GB y terminan el proceso. Por eso el
área se mide aquí, sin interpretar el XML, y una hoja que excede los límites de filas o
de celdas se rechaza antes de leerla. La etiqueta ``<dimension>`` se ignora (calamine
tampoco la usa para reservar memoria).

Se sigue la misma regla de posiciones que calamine: una celda sin ``r`` va a la derecha
de la anterior; una fila sin ``r`` va debajo de la anterior. Las celdas vacías que solo
tienen formato (``<c r="A9" s="3"/>``) no cuentan, porque calamine no las guarda.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from pea import layout as L

_TAG = re.compile(rb"<(?:[A-Za-z_][\w.\-]*:)?(row|c)(?=[\s/>])([^>]*?)(/?)>")
_R_ATTR = re.compile(rb"""(?:^|\s)r\s*=\s*["']\s*([A-Za-z]*)(\d*)\s*["']""")
_CHECK_EVERY = 50_000
_ANY_CELL = re.compile(rb"<c[\s>/]")  # toda etiqueta de celda sin prefijo, con cualquier espacio
_FAST_MAX = 4 * 1024 * 1024  # bytes de XML; más grande, la vía cuidadosa (se detiene antes)


@dataclass
class Extent:
    """Última fila y columna con valor (1-based) y número de celdas con valor."""

    rows: int = 0
    cols: int = 0
    cells: int = 0
    exceeded: bool = False  # se dejó de medir porque ya excede los límites

    @property
    def area(self) -> int:
        return self.rows * self.cols


_HUGE = 10**9  # una referencia absurda (más de 9 dígitos o 6 letras) cuenta como enorme


def _col_number(letters: bytes) -> int:
    """`layout.col_index`, con tope: más de 5 letras (un XML hostil) cuenta como enorme."""
    return _HUGE if len(letters) > 5 else L.col_index(letters)


def _row_number(digits: bytes) -> int:
    return int(digits) if len(digits) <= 9 else _HUGE


#: Etiqueta de celda en la forma común (r="A1" primero, s="N" después si lo hay), con el
#: resto de sus atributos y si su primer hijo es una fórmula.
_CELL_TAG = re.compile(
    rb'<c r="([A-Z]{1,3})(\d{1,7})"(?: s="(\d{1,9})")?([^>]*)>(?:\s*(<(?:\w+:)?f\b))?')
_S_ATTR = re.compile(rb'\bs="(\d{1,9})"')  # como la vía cuidadosa: también «x:s=», «"s="»


def scan(xml: bytes, max_rows: int, max_cells: int, percent_styles: set[int],
         ) -> tuple[Extent, set[tuple[int, int]], set[tuple[int, int]], bool] | None:
    """Área, celdas con formato de porcentaje, celdas con fórmula y si alguna fórmula guardó
    un error («#DIV/0!», que calamine da vacío), en una sola búsqueda.

    Solo para la forma que escriben Excel, LibreOffice, openpyxl y XlsxWriter (cada
    celda ``<c r="A1" …>`` sin prefijo); si no, None y se usa la vía cuidadosa
    (`measure` y `spreadsheetml.cell_styles`), con el mismo resultado.
    """
    if len(xml) > _FAST_MAX or b":c " in xml or b":c>" in xml:
        return None
    tags = _CELL_TAG.findall(xml)
    if len(tags) != len(_ANY_CELL.findall(xml)):
        return None  # alguna celda sin r o con otro orden de atributos
    percent_ids = {str(i).encode() for i in percent_styles}
    percent: list[tuple[bytes, bytes]] = []
    formulas: list[tuple[bytes, bytes]] = []
    rows: list[bytes] = []
    letters: set[bytes] = set()
    errors = False
    for col, row, style, rest, formula in tags:
        if not style and b's="' in rest:  # s="N" en otro orden de atributos
            m = _S_ATTR.search(rest)
            style = m.group(1) if m is not None else b""
        if style in percent_ids:
            percent.append((row, col))
        if rest[-1:] == b"/":
            continue  # celda vacía con solo formato: calamine no la guarda
        rows.append(row)
        letters.add(col)
        if formula:
            formulas.append((row, col))
            if b't="e"' in rest:
                errors = True
    ext = Extent(cells=len(rows))
    if rows:
        ext.rows = max(map(int, rows))
        ext.cols = max(map(_col_number, letters))
    ext.exceeded = ext.rows > max_rows or ext.area > max_cells
    return ext, _coords(percent), _coords(formulas), errors


def _coords(refs: list[tuple[bytes, bytes]]) -> set[tuple[int, int]]:
    cols: dict[bytes, int] = {}
    out = set()
    for row, col in refs:
        c = cols.get(col)
        if c is None:
            c = cols[col] = _col_number(col)
        out.add((int(row), c))
    return out


def measure(xml: bytes, max_rows: int, max_cells: int,
            tick: Callable[[], None] | None = None) -> Extent:
    """Mide el área con valores; se detiene en cuanto excede `max_rows` o `max_cells`.

    La vía cuidadosa, para cualquier forma de XML; la forma común la mide `scan`.
    """
    ext = Extent()
    row = col = 0
    for i, m in enumerate(_TAG.finditer(xml)):
        if tick is not None and i % _CHECK_EVERY == 0:
            tick()
        name, attrs, self_closing = m.groups()
        ref = _R_ATTR.search(attrs)
        letters, digits = (ref.group(1), ref.group(2)) if ref else (b"", b"")
        if name == b"row":
            row = _row_number(digits) if digits else row + 1
            col = 0
            continue
        col = _col_number(letters) if letters else col + 1
        cell_row = _row_number(digits) if digits else row
        if self_closing:
            continue
        ext.cells += 1
        ext.rows = max(ext.rows, cell_row)
        ext.cols = max(ext.cols, col)
        if ext.rows > max_rows or ext.area > max_cells:
            ext.exceeded = True
            return ext
    return ext
