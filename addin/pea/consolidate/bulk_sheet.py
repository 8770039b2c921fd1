"""Hojas grandes del maestro escritas fila por fila al cerrar el libro (camino rápido).

XlsxWriter guarda cada celda como objeto y la convierte a XML al cerrar: ~3 µs por
celda en esta máquina, y el maestro de 1,000 planes tiene ~750,000 celdas. Esta hoja
(una subclase de `Worksheet`, el punto de extensión `add_worksheet(worksheet_class=…)`)
recibe una función que da las filas; antes de cerrar registra sus textos en la tabla de
cadenas compartidas de XlsxWriter (como lo haría `write_string`) y, al armar la hoja,
escribe el XML de las filas directamente: mismas celdas, mismos formatos, ~3× más rápido
y sin guardar un objeto por celda.

Usa detalles internos de XlsxWriter 3.3.1 (`_write_rows`, `_check_dimensions`, la tabla
de cadenas compartidas, el rango guardado de cada tabla y el nombre `ZipFile` de su módulo
`workbook` y `SharedStrings` del de `packager`, al cerrar); `available()` comprueba la versión y, con otra, el
maestro se escribe con la API pública (más lento, mismo resultado).
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import xlsxwriter
from xlsxwriter.sharedstrings import SharedStrings
from xlsxwriter.utility import _preserve_whitespace, xl_col_to_name, xl_range
from xlsxwriter.worksheet import Worksheet
from xlsxwriter.xmlwriter import re_control_chars_1 as _RE_ESCAPE_1
from xlsxwriter.xmlwriter import re_control_chars_2 as _RE_CONTROL_2

from pea.cell_text import cell_text
from pea.consolidate.cells import as_text, fits

SUPPORTED_VERSIONS = ("3.3.1",)


def available() -> bool:
    """¿La versión instalada de XlsxWriter es una con la que este atajo se probó?"""
    return xlsxwriter.__version__ in SUPPORTED_VERSIONS and all(
        hasattr(Worksheet, name) for name in ("_write_rows", "_check_dimensions", "add_table"))


#: Nivel de compresión del zip del maestro. XlsxWriter usa el de zlib por omisión (6) y no
#: tiene opción para cambiarlo; con 3 el maestro de 1,000 planes se escribe ~0.2 s más
#: rápido y pesa ~17 % más (3.6 MB en vez de 3.1 MB).
ZIP_LEVEL = 3


class _LevelZipFile(zipfile.ZipFile):
    """El ZipFile de XlsxWriter con nivel de compresión propio (también en `writestr`,
    donde XlsxWriter pasa un ZipInfo y zipfile ignoraría el nivel del archivo)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("compresslevel", ZIP_LEVEL)
        super().__init__(*args, **kwargs)

    def writestr(self, zinfo_or_arcname: Any, data: Any, compress_type: int | None = None,
                 compresslevel: int | None = None) -> None:
        super().writestr(zinfo_or_arcname, data, compress_type,
                         self.compresslevel if compresslevel is None else compresslevel)


class _FastSharedStrings(SharedStrings):
    """`sharedStrings.xml` con el mismo resultado byte a byte que XlsxWriter, ~4× más rápido.

    XlsxWriter pasa cada texto por dos expresiones regulares de caracteres de control, otra
    de espacios al final (que recorre todo el texto) y una escritura por texto; aquí cada
    paso se salta con una comprobación en C cuando no puede cambiar nada (el maestro de
    1,000 planes tiene ~60,000 textos distintos). Hay prueba de igualdad con textos difíciles.
    """

    def _write_sst_strings(self) -> None:
        out: list[str] = []
        add = out.append
        for s in self.string_table.string_array:
            if "_x" in s:  # «_x0000_» literal: se escapa el escape
                s = _RE_ESCAPE_1.sub(r"_x005F\1", s)
            if not s.isprintable():  # los caracteres de control y U+FFFE/U+FFFF no lo son
                s = _RE_CONTROL_2.sub(lambda m: f"_x{ord(m.group(1)):04X}_", s)
                s = s.replace("\ufffe", "_xFFFE_").replace("\uffff", "_xFFFF_")
            # «\s$» solo puede coincidir en los dos últimos caracteres
            preserve = (s[:1].isspace() or s[-1:].isspace() or s[-2:-1].isspace()) and \
                _preserve_whitespace(s)
            # XlsxWriter copia tal cual un texto «<r>…</r>» (lo toma por texto enriquecido
            # suyo): el maestro no escribe texto enriquecido, así que todo texto se escapa.
            if "&" in s or "<" in s or ">" in s:
                s = s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            add(f'<si><t xml:space="preserve">{s}</t></si>' if preserve else f"<si><t>{s}</t></si>")
            if len(out) >= 8192:
                self.fh.write("".join(out))
                out.clear()
        self.fh.write("".join(out))


@contextmanager
def fast_close() -> Iterator[None]:
    """Mientras dura (al cerrar el maestro), XlsxWriter comprime con `ZIP_LEVEL` y escribe
    las cadenas compartidas con `_FastSharedStrings`; solo con la versión probada."""
    import xlsxwriter.packager as xp
    import xlsxwriter.workbook as xw

    if not available() or xw.ZipFile is not zipfile.ZipFile or xp.SharedStrings is not SharedStrings:
        yield
        return
    xw.ZipFile = _LevelZipFile  # type: ignore[misc]
    xp.SharedStrings = _FastSharedStrings  # type: ignore[misc]
    try:
        yield
    finally:
        xw.ZipFile = zipfile.ZipFile  # type: ignore[misc]
        xp.SharedStrings = SharedStrings  # type: ignore[misc]


class SafeWorksheet(Worksheet):
    """Hoja de XlsxWriter para textos que no son de fiar (todas las del maestro).

    Cada texto pasa por `cell_text` (tope de 32,767 unidades UTF-16, sin sustitutos
    sueltos) y ninguno se escribe como XML crudo: XlsxWriter 3.3.1 copia sin escapar un
    texto que empieza con «<r>» y termina con «</r>» (su texto enriquecido), en las
    cadenas en línea y en la tabla de cadenas (esa la escribe `_FastSharedStrings`).
    """

    def _write_string(self, row: int, col: int, string: str, cell_format: Any = None) -> Any:
        return super()._write_string(row, col, cell_text(string), cell_format)

    def _xml_rich_inline_string(self, string: str, attributes: Any = ()) -> None:
        self._xml_inline_string(string, _preserve_whitespace(string), list(attributes))


class BulkWorksheet(SafeWorksheet):
    """Hoja cuyas filas de datos se escriben en bloque al cerrar el libro."""

    def __init__(self) -> None:
        super().__init__()
        self._bulk_rows: Callable[[], Iterable[list[Any]]] | None = None
        self._bulk_start = 0
        self._bulk_styles: dict[int, tuple[str, str]] = {}  # columna → (s entero, s fracción)
        self._bulk_shared = True
        self._bulk_sst: dict[str, int] = {}

    def set_bulk_rows(self, rows: Callable[[], Iterable[list[Any]]], *, first_row: int,
                      nrows: int, ncols: int,
                      number_formats: dict[int, tuple[Any, Any]] | None = None,
                      shared_strings: bool = True) -> None:
        """Filas que se escribirán a partir de `first_row` (0-based) al cerrar el libro.

        `rows()` se llama dos veces (textos ahora, XML al cerrar) y debe dar lo mismo.
        `number_formats`: por columna, el formato para números enteros en porcentaje y el
        formato para los demás (p. ej. «0%» y «0.00%»), aplicados como en la API pública.
        `shared_strings=False` escribe los textos en línea (sin tabla de cadenas).
        """
        self._bulk_rows = rows
        self._bulk_start = first_row
        self._bulk_shared = shared_strings
        if shared_strings:
            self._register_strings(rows())
        for col, (whole, frac) in (number_formats or {}).items():
            self._bulk_styles[col] = (f' s="{whole._get_xf_index()}"',
                                      f' s="{frac._get_xf_index()}"')
        if nrows:
            self._check_dimensions(first_row + nrows - 1, ncols - 1)

    def add_bulk_table(self, first_row: int, first_col: int, last_row: int, last_col: int,
                       options: dict[str, Any]) -> None:
        """`add_table` sin el registro celda por celda de XlsxWriter (~0.3 s por 750,000 celdas).

        Se declara la tabla sobre el encabezado y una fila y luego se extiende su rango; el
        XML de la tabla es idéntico al de `add_table` sobre el rango completo (hay prueba).
        """
        if options.get("total_row"):
            raise ValueError("add_bulk_table no admite fila de totales")
        small_last = min(last_row, first_row + 1)
        self.add_table(first_row, first_col, small_last, last_col, options)
        if last_row != small_last:
            table = self.tables[-1]
            full = xl_range(first_row, first_col, last_row, last_col)
            table["range"] = full
            table["a_range"] = full
            if table.get("autofilter"):
                table["autofilter"] = full

    def _register_strings(self, rows: Iterable[list[Any]]) -> None:
        """Da a cada texto su índice en la tabla de cadenas compartidas, como `write_string`.

        Guarda, por texto, el final ya armado de su celda (`" t="s"><v>17</v></c>`).
        """
        table = self.str_table
        sst = table._get_shared_string_index
        index = self._bulk_sst
        texts = [v if type(v) is str else str(v) for row in rows for v in row
                 if v is not None and type(v) is not float and type(v) is not int]
        new = [v for v in dict.fromkeys(texts) if v not in index]  # en orden de aparición
        for v in new:
            index[v] = f'" t="s"><v>{sst(cell_text(v))}</v></c>'
        table.count += len(texts) - len(new)  # cada referencia cuenta, como en la API pública

    def _write_rows(self) -> None:
        super()._write_rows()
        if self._bulk_rows is None:
            return
        for row_num, cells in self.table.items():
            if cells and row_num >= self._bulk_start:
                raise ValueError("celdas escritas con la API pública dentro del bloque")
        self._write_bulk()

    def _write_bulk(self) -> None:
        write = self.fh.write
        sst = self._bulk_sst
        shared = self._bulk_shared
        styles = self._bulk_styles
        numbers: dict[tuple[int, float], str] = {}  # (columna, valor) → final de la celda
        opens = [f'<c r="{xl_col_to_name(i)}' for i in range(self.dim_colmax + 1)]
        r = self._bulk_start + 1  # filas de Excel, 1-based
        buf: list[str] = []
        add = buf.append
        for row in self._bulk_rows() if self._bulk_rows is not None else ():
            rs = str(r)
            add(f'<row r="{rs}">')
            for ci, v in enumerate(row):
                if v is None:
                    continue
                t = type(v)
                if t is str and shared:
                    add(opens[ci] + rs + sst[v])
                elif t is float or t is int:
                    tail = numbers.get((ci, v))
                    if tail is None:
                        tail = numbers[(ci, v)] = _number_tail(v, styles.get(ci))
                    add(opens[ci] + rs + tail)
                elif shared:
                    add(opens[ci] + rs + sst[str(v)])
                else:
                    add(_inline(opens[ci] + rs, str(v)))
            add("</row>")
            r += 1
            if len(buf) > 8192:
                write("".join(buf))
                buf.clear()
        write("".join(buf))


def _number_tail(v: float, style: tuple[str, str] | None) -> str:
    """Final de una celda numérica: estilo (entero o con decimales en %) y valor.

    Un número que Excel no guarda (infinito, NaN, 1e308 en porcentaje) va como texto en
    línea: nunca «INF» en el XML ni un error al redondear (`cells.fits`).
    """
    if not fits(v):
        return _inline("", as_text(v))
    s = ""
    if style is not None:
        scaled = v * 100
        s = style[0] if abs(scaled - round(scaled)) < 1e-9 else style[1]
    return f'"{s}><v>{v:.16G}</v></c>'


def _inline(start: str, text: str) -> str:
    """Celda con texto en línea (sin tabla de cadenas compartidas); `start` = «<c r="A1».

    El mismo XML que XlsxWriter en memoria constante: «_xHHHH_» literal escapado, controles
    y U+FFFE/U+FFFF como «_xHHHH_», «&<>» como entidades; nunca texto enriquecido crudo.
    """
    text = cell_text(text)
    if "_x" in text:
        text = _RE_ESCAPE_1.sub(r"_x005F\1", text)
    if not text.isprintable():
        text = _RE_CONTROL_2.sub(lambda m: f"_x{ord(m.group(1)):04X}_", text)
        text = text.replace("\ufffe", "_xFFFE_").replace("\uffff", "_xFFFF_")
    space = ' xml:space="preserve"' if _preserve_whitespace(text) else ""
    if "&" in text or "<" in text or ">" in text:
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return f'{start}" t="inlineStr"><is><t{space}>{text}</t></is></c>'
