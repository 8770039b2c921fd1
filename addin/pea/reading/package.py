"""El paquete .xlsx/.xlsm como zip no confiable: identificación, límites y partes XML.

Nada del libro se ejecuta ni se sigue (macros, vínculos externos, hipervínculos): solo
se leen sus partes XML, cada una descomprimida con tope de tamaño real (no el declarado,
que puede mentir), de razón de compresión y de total, y se rechaza cualquier declaración
DTD/ENTITY (XXE, «billion laughs») en todas las partes que el motor de lectura podría
abrir, antes de dárselo. Ver SECURITY.md.
"""

from __future__ import annotations

import bisect
import copy
import html
import io
import re
import struct
import zipfile
import zlib
from array import array
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import PurePosixPath

from pea import layout as L
from pea.config import Limits
from pea.reading.deadline import Deadline
from pea.reading.errors import UnreadableFile
from pea.reading.extent import Extent, measure, scan
from pea.reading.sniff import reject_unless_zip, sniff

__all__ = ["CellStyles", "Package", "SheetEntry", "sniff"]

_MB = 1024 * 1024
#: Más partes que esto no es un libro de plan (un zip con miles de entradas agota memoria).
MAX_PARTS = 10_000
#: Partes binarias que el motor de lectura no abre y no se revisan como XML.
_BINARY_SUFFIXES = (".bin", ".png", ".jpg", ".jpeg", ".gif", ".bmp", ".tif", ".tiff",
                    ".emf", ".wmf", ".svg", ".wdp", ".ico")
_CHUNK = 1 << 20

_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_DTD_UTF16 = tuple(word.encode(enc) for word in ("<!DOCTYPE", "<!ENTITY", "<!doctype",
                                                  "<!entity")
                   for enc in ("utf-16-le", "utf-16-be"))
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
#: Tamaño máximo de una hoja que se guarda descomprimida para releerla.
_CACHE_PART_MAX = 32 * 1024 * 1024
#: Partes que el lector vuelve a leer (hojas, estilos, libro): se guardan ya revisadas.
_CACHED_PARTS = ("xl/worksheets/", "xl/styles.xml", "xl/workbook.xml", "xl/_rels/")
#: Un styles.xml más grande que esto no se recuerda entre libros (memoria acotada).
_STYLES_MEMO_MAX = 256 * 1024
_REF = re.compile(rb"([A-Z]{1,3})(\d{1,9})")
_FORMULA = re.compile(rb"<(?:\w+:)?f\b")
_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\b[^>]*ref=\"([^\"]*)\"")
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


def _declared_entries(data: bytes) -> int | None:
    """Número de entradas que declara el directorio central (sin crear los objetos)."""
    pos = data.rfind(b"PK\x05\x06", max(0, len(data) - 65_557))
    if pos < 0 or pos + 22 > len(data):
        return None
    (total,) = struct.unpack_from("<H", data, pos + 10)
    return None if total == 0xFFFF else total  # 0xFFFF: zip64, lo acota el tamaño del archivo


def _has_dtd(data: bytes) -> bool:
    if b"<!" in data and _DTD.search(data):
        return True
    return (b"\x00" in data[:512]) and any(w in data for w in _DTD_UTF16)


class Package:
    """Un libro .xlsx/.xlsm abierto desde sus bytes, con límites de lectura."""

    def __init__(self, data: bytes, limits: Limits, deadline: Deadline | None = None) -> None:
        self.data = data
        self._xml_cache: dict[str, bytes] = {}
        self.limits = limits
        self.deadline = deadline or Deadline(limits.segundos_por_archivo)
        self.total_read = 0  # bytes realmente descomprimidos hasta ahora
        self._sst_lengths: array | None = None
        reject_unless_zip(data)
        declared = _declared_entries(data)
        if declared is not None and declared > MAX_PARTS:
            raise UnreadableFile(
                f"El archivo zip declara {declared:,} partes; un libro de plan tiene unas "
                "decenas. Por seguridad no se lee; envíe solo el libro del plan.", motivo="limite")
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(data))
            infos = self.zip.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError,
                struct.error, NotImplementedError) as exc:
            raise UnreadableFile(
                "El libro está dañado o incompleto (el archivo zip no se puede abrir; quizá "
                "se copió a medias). Vuelva a guardarlo en Excel o pida que lo envíen de nuevo.",
                motivo="danado",
            ) from exc
        if len(infos) > MAX_PARTS:
            raise UnreadableFile(
                f"El archivo zip tiene {len(infos):,} partes; un libro de plan tiene unas "
                "decenas. Por seguridad no se lee; envíe solo el libro del plan.", motivo="limite")
        self.names = {i.filename: i for i in infos}
        if len(self.names) != len(infos):
            raise UnreadableFile(
                "El libro tiene partes repetidas con el mismo nombre (un zip manipulado o "
                "dañado); por seguridad no se lee. Vuelva a guardarlo en Excel.",
                motivo="danado")
        self._check_sizes(infos)
        # dónde termina, a lo más, cada parte: en el encabezado de la siguiente (o en el
        # directorio central); la vía rápida no lee partes que se enciman (bombas zip)
        starts = sorted({i.header_offset for i in infos} | {self.zip.start_dir})
        self._ends: dict[str, int] = {}
        for i in infos:
            k = bisect.bisect_right(starts, i.header_offset)
            self._ends[i.filename] = starts[k] if k < len(starts) else len(data)
        self._check_kind()

    # --- comprobaciones ---------------------------------------------------------

    def _too_big(self, what: str, size_mb: float) -> UnreadableFile:
        return UnreadableFile(
            f"{what} ocuparía {size_mb:,.0f} MB descomprimido, más que el límite de "
            f"{self.limits.tamano_descomprimido_mb:g} MB («limites.tamano_descomprimido_mb»); "
            "revise que sea el plan correcto.",
            motivo="limite",
        )

    def _bad_ratio(self, name: str, ratio: float) -> UnreadableFile:
        return UnreadableFile(
            f"La parte «{name}» del libro tiene una compresión anómala ({ratio:,.0f}:1, límite "
            f"{self.limits.razon_compresion:g}:1), típica de una «bomba zip»; por seguridad no "
            "se lee. Si es un plan legítimo, vuelva a guardarlo en Excel o pida que lo envíen de "
            "nuevo.",
            motivo="limite",
        )

    def _check_sizes(self, infos: list[zipfile.ZipInfo]) -> None:
        """Tamaños declarados (la primera defensa; `read` mide el tamaño real)."""
        total = sum(i.file_size for i in infos)
        if total > self.limits.tamano_descomprimido_mb * _MB:
            raise self._too_big("El libro", total / _MB)
        for i in infos:
            if i.file_size > _MB and i.file_size > self.limits.razon_compresion * max(
                i.compress_size, 1
            ):
                raise self._bad_ratio(i.filename, i.file_size / max(i.compress_size, 1))

    def _check_kind(self) -> None:
        if "mimetype" in self.names:
            mime = self.read("mimetype", 200)
            if b"opendocument" in mime:
                raise UnreadableFile(
                    "El archivo es una hoja de cálculo de LibreOffice/OpenDocument (.ods); "
                    "ábrala y guárdela como «Libro de Excel 2007-365 (.xlsx)».",
                    motivo="ods",
                )
        if "xl/workbook.bin" in self.names:
            raise UnreadableFile(
                "El archivo es un libro binario de Excel (.xlsb); ábralo en Excel y guárdelo "
                "como «Libro de Excel (.xlsx)» o «Libro de Excel habilitado para macros (.xlsm)».",
                motivo="no_excel",
            )
        if self.workbook_part() is None:
            raise UnreadableFile(
                "El archivo es un zip pero no un libro de Excel (falta xl/workbook.xml); "
                "envíe el libro del plan (.xlsx/.xlsm).",
                motivo="no_excel",
            )

    # --- lectura de partes ------------------------------------------------------

    def read(self, name: str, cap: int | None = None) -> bytes:
        """Descomprime una parte midiendo su tamaño real, no el declarado (que puede mentir)."""
        self.deadline.check()
        info = self.names[name]
        limit = cap if cap is not None else int(self.limits.tamano_descomprimido_mb * _MB)
        # la vía rápida descomprime de una vez, sin copias, y nunca más que lo declarado
        # (una parte que miente sobre su tamaño va a la vía cuidadosa, que la mide)
        small = self._inflate_small(info, min(limit, info.file_size))
        if small is not None:
            self._account(name, info, len(small), len(small))
            return small
        probe = copy.copy(info)
        probe.file_size = 1 << 62  # zipfile cortaría en el tamaño declarado: medimos el real
        chunks: list[bytes] = []
        size = 0
        try:
            with self.zip.open(probe) as fh:
                while size <= limit:
                    chunk = fh.read(min(_CHUNK, limit + 1 - size))
                    if not chunk:
                        break
                    chunks.append(chunk)
                    size += len(chunk)
                    self._account(name, info, size, len(chunk))
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError,
                NotImplementedError, RuntimeError, struct.error) as exc:
            raise UnreadableFile(
                f"La parte «{name}» del libro está dañada o cifrada (el archivo está incompleto "
                "o se copió a medias); vuelva a guardar el libro en Excel.",
                motivo="danado",
            ) from exc
        if size > limit:
            raise UnreadableFile(
                f"La parte «{name}» del libro excede el tamaño permitido; por seguridad no se lee. "
                "Revise que sea el plan correcto.",
                motivo="limite",
            )
        if size != info.file_size:
            raise UnreadableFile(
                f"La parte «{name}» del libro declara un tamaño ({info.file_size:,} bytes) "
                f"distinto del real ({size:,} bytes): el archivo está dañado o manipulado; por "
                "seguridad no se lee. Vuelva a guardarlo en Excel o pida que lo envíen de nuevo.",
                motivo="danado",
            )
        return b"".join(chunks)

    def _inflate_small(self, info: zipfile.ZipInfo, cap: int) -> bytes | None:
        """Vía rápida para la parte pequeña común (casi todas): una sola llamada a zlib.

        Lee la parte directamente de los bytes del archivo, con la salida topada en `cap`
        (el tamaño real, no el declarado). Devuelve None, y la parte se lee por la vía
        cuidadosa de `read` (que da el mensaje preciso), si algo no es lo común: cifrada o
        con datos parchados, otro método de compresión, encabezado local extraño o con otro
        nombre, datos que se enciman con la parte siguiente, tamaño real distinto del
        declarado, más grande que `cap`, flujo incompleto o CRC que no coincide.
        """
        # 0x1 cifrada, 0x20 datos parchados, 0x40 cifrado fuerte: lo decide zipfile
        if info.flag_bits & 0x61 or info.file_size > cap or info.compress_type not in (
                zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED):
            return None
        data = self.data
        start = info.header_offset
        if data[start:start + 4] != b"PK\x03\x04" or start + 30 > len(data):
            return None
        name_len, extra_len = struct.unpack_from("<HH", data, start + 26)
        name = data[start + 30:start + 30 + name_len]
        if name != info.orig_filename.encode("utf-8" if info.flag_bits & 0x800 else "cp437",
                                             "replace"):
            return None  # el encabezado local no es el de esta parte
        begin = start + 30 + name_len + extra_len
        end = begin + info.compress_size
        if end > self._ends.get(info.filename, 0):
            return None  # se encima con la parte siguiente o sale del archivo
        raw = memoryview(data)[begin:end]
        if info.compress_type == zipfile.ZIP_STORED:
            out = bytes(raw)
        else:
            inflater = zlib.decompressobj(-zlib.MAX_WBITS)
            try:
                out = inflater.decompress(raw, cap + 1)
            except zlib.error:
                return None
            if not inflater.eof or inflater.unconsumed_tail:
                return None
        if len(out) != info.file_size or zlib.crc32(out) != info.CRC:
            return None
        return out

    def _account(self, name: str, info: zipfile.ZipInfo, size: int, added: int) -> None:
        """Suma lo descomprimido y aplica, mientras se lee, los topes de razón y de total."""
        self.total_read += added
        if self.total_read > self.limits.tamano_descomprimido_mb * _MB:
            raise self._too_big("El contenido del libro", self.total_read / _MB)
        if size > _MB and size > self.limits.razon_compresion * max(info.compress_size, 1):
            raise self._bad_ratio(name, size / max(info.compress_size, 1))
        self.deadline.check()

    def read_xml(self, name: str) -> bytes:
        """Como `read`, pero rechaza DTD y entidades (XXE, expansión de entidades).

        Las hojas se guardan ya revisadas: el área, los formatos y las fórmulas se leen de
        la misma copia (sin descomprimir tres veces).
        """
        cached = self._xml_cache.get(name)
        if cached is not None:
            return cached
        data = self.read(name)
        if _has_dtd(data):
            raise UnreadableFile(
                f"La parte «{name}» del libro contiene declaraciones XML (DTD/ENTITY) que "
                "Excel no produce; por seguridad el archivo no se lee. Ábralo en Excel, guárdelo "
                "como un libro nuevo (.xlsx) y vuelva a enviarlo.",
                motivo="xml_peligroso",
            )
        if name.startswith(_CACHED_PARTS) and len(data) <= _CACHE_PART_MAX:
            self._xml_cache[name] = data
        return data

    def forget(self, name: str) -> None:
        """Suelta la copia revisada de una parte que ya no se va a leer (memoria)."""
        self._xml_cache.pop(name, None)

    def workbook_part(self) -> str | None:
        for name in ("xl/workbook.xml", "xl/workbook2.xml"):
            if name in self.names:
                return name
        return None

    def check_xml_parts(self) -> None:
        """Revisa, antes de dárselo al motor de lectura, todas las partes que podría abrir.

        Son todas menos las binarias (imágenes, ``vbaProject.bin``…): cada una se
        descomprime con los topes reales y se rechaza si tiene DTD/ENTITY.
        """
        for name, info in self.names.items():
            if info.is_dir() or name.lower().endswith(_BINARY_SUFFIXES):
                continue
            self.read_xml(name)

    def sheet_extent(self, part: str) -> Extent:
        """Área con valores de una hoja (para no pedir al motor más memoria de la debida)."""
        return measure(self.read_xml(part), self.limits.filas, self.limits.celdas,
                       tick=self.deadline.check)

    def scan_sheet(self, part: str, percent_styles: set[int]) -> tuple[Extent, CellStyles]:
        """Área, formatos % y fórmulas de una hoja: una búsqueda en la forma común; si no,
        la medición cuidadosa y, solo si la hoja cabe en los límites, los formatos."""
        xml = self.read_xml(part)
        fast = scan(xml, self.limits.filas, self.limits.celdas, percent_styles)
        if fast is not None:
            ext, percent, formulas, errors = fast
            return ext, CellStyles(percent, formulas, error_values(xml) if errors else {})
        ext = self.sheet_extent(part)
        if ext.exceeded:
            return ext, CellStyles()
        styles = self.cell_styles(part, percent_styles)
        styles.errors = error_values(xml)
        return ext, styles

    def shared_text(self, part: str) -> int:
        """Cuántos caracteres, a lo más, toma la hoja de la tabla de cadenas compartidas.

        El motor copia la cadena en cada celda que la usa: una cadena de 32,767 caracteres
        en 200,000 celdas son 6.5 mil millones de caracteres de un XML de unos KB. Se cuenta
        antes de dársela al motor (cada cadena mide, a lo más, sus bytes en el XML).
        """
        xml = self.read_xml(part)
        cells = xml.count(b't="s"') + xml.count(b"t='s'")
        if not cells:
            if _SHARED_CELL.search(xml) is None:
                return 0
            cells = len(_SHARED_CELL.findall(xml))  # con espacios o comillas raras
        lengths = self._shared_lengths()
        if not lengths:
            return 0
        if cells * max(lengths) <= max_shared_text(self.limits):
            return cells * max(lengths)  # cota suficiente: no hace falta ver cada celda
        total = 0
        n = len(lengths)
        for i, m in enumerate(_SHARED_CELL.finditer(xml)):
            if i % 50_000 == 0:
                self.deadline.check()
            k = int(m.group(1))
            if k < n:
                total += lengths[k]
        return total

    def _shared_lengths(self) -> array:
        """Tamaño en el XML de cada cadena compartida (una vez por libro)."""
        if self._sst_lengths is not None:
            return self._sst_lengths
        out = array("l")
        name = self._shared_part()
        if name is not None:
            sst = self.read_xml(name)
            starts = array("l")
            for i, m in enumerate(_SI.finditer(sst)):
                if i % 100_000 == 0:
                    self.deadline.check()
                starts.append(m.start())
            starts.append(len(sst))
            out = array("l", (starts[i + 1] - starts[i] for i in range(len(starts) - 1)))
        self._sst_lengths = out
        return out

    def _shared_part(self) -> str | None:
        """La parte de la tabla de cadenas compartidas (por la relación del libro)."""
        wb_part = self.workbook_part() or "xl/workbook.xml"
        rels = str(PurePosixPath(wb_part).parent / "_rels" / (PurePosixPath(wb_part).name + ".rels"))
        if rels in self.names:
            for raw in _REL.findall(self.read_xml(rels)):
                if _SHARED_TYPE in raw:
                    target = _attrs(raw).get("Target", "")
                    target = target[1:] if target.startswith("/") else str(
                        PurePosixPath(wb_part).parent / target)
                    if target in self.names:
                        return target
        return "xl/sharedStrings.xml" if "xl/sharedStrings.xml" in self.names else None

    def merge_count(self, part: str) -> int:
        """Cuántos rangos combinados declara una hoja, a lo más (antes de dársela al motor,
        que los guardaría todos)."""
        xml = self.read_xml(part)
        return xml.count(b"mergeCell") if b"mergeCell" in xml else 0

    def sheets(self) -> list[SheetEntry]:
        """Hojas en orden, con su parte XML y si están ocultas."""
        wb_part = self.workbook_part() or "xl/workbook.xml"
        wb = self.read_xml(wb_part)
        rels_name = str(PurePosixPath(wb_part).parent / "_rels" / (PurePosixPath(wb_part).name + ".rels"))
        targets: dict[str, str] = {}
        if rels_name in self.names:
            for i, rel in enumerate(_REL.finditer(self.read_xml(rels_name))):
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
                    motivo="limite")
            a = _attrs(m.group(1))
            out.append(SheetEntry(name=a.get("name", ""), part=targets.get(a.get("id", ""), ""),
                                  hidden=a.get("state", "visible") != "visible"))
        return out

    def percent_styles(self) -> set[int]:
        """Índices de estilo de celda (cellXfs) cuyo formato de número es porcentaje."""
        if "xl/styles.xml" not in self.names:
            return set()
        styles = self.read_xml("xl/styles.xml")
        if len(styles) > _STYLES_MEMO_MAX:
            return set(percent_styles.__wrapped__(styles))
        return set(percent_styles(styles))

    def cell_styles(self, part: str, percent_styles: set[int]) -> CellStyles:
        """Celdas con formato de porcentaje y con fórmula, leídas del XML de la hoja."""
        return cell_styles(self.read_xml(part), percent_styles)

    def has_part(self, prefix: str) -> bool:
        return any(n.startswith(prefix) for n in self.names)


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
def percent_styles(styles: bytes) -> frozenset[int]:
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
