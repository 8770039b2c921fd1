"""El paquete .xlsx/.xlsm como zip no confiable: identificación, límites y partes XML.

Nada del libro se ejecuta ni se sigue (macros, vínculos externos, hipervínculos): solo
se leen las partes necesarias, con tope de tamaño descomprimido y de razón de
compresión, y se rechazan las declaraciones DTD/ENTITY (XXE, «billion laughs»).
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from pea.config import Limits
from pea.reading.errors import UnreadableFile

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
_MB = 1024 * 1024

_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_SHEET = re.compile(rb"<(?:\w+:)?sheet\b([^>]*)/?>")
_REL = re.compile(rb"<(?:\w+:)?Relationship\b([^>]*)/?>")
_ATTR = re.compile(rb'([\w:]+)\s*=\s*"([^"]*)"')
_NUMFMT = re.compile(rb"<(?:\w+:)?numFmt\b([^>]*)/?>")
_CELLXFS = re.compile(rb"<(?:\w+:)?cellXfs\b[^>]*>(.*?)</(?:\w+:)?cellXfs>", re.DOTALL)
_XF = re.compile(rb"<(?:\w+:)?xf\b([^>]*)/?>")
_CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)", re.DOTALL)
_REF = re.compile(rb"([A-Z]{1,3})(\d+)")
_FORMULA = re.compile(rb"<(?:\w+:)?f\b")
_VALUE = re.compile(rb"<(?:\w+:)?v>")
_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\b[^>]*ref=\"([^\"]*)\"")
#: Formatos de número integrados que son porcentaje.
_BUILTIN_PERCENT = {9, 10}


def _attrs(raw: bytes) -> dict[str, str]:
    return {k.decode().split(":")[-1]: v.decode("utf-8", "replace") for k, v in _ATTR.findall(raw)}


def _col_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ch - 64)
    return n


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
    formulas_without_value: set[tuple[int, int]] = field(default_factory=set)


def sniff(head: bytes) -> str:
    """Tipo de archivo por su firma: 'zip', 'ole', 'vacio' u 'otro'."""
    if not head:
        return "vacio"
    if head.startswith(ZIP_MAGIC):
        return "zip"
    if head.startswith(OLE_MAGIC):
        return "ole"
    return "otro"


class Package:
    """Un libro .xlsx/.xlsm abierto desde sus bytes, con límites de lectura."""

    def __init__(self, data: bytes, limits: Limits) -> None:
        self.data = data
        self.limits = limits
        kind = sniff(data[:8])
        if kind == "vacio":
            raise UnreadableFile("El archivo está vacío (0 bytes).", motivo="vacio")
        if kind == "ole":
            if "EncryptedPackage".encode("utf-16-le") in data:
                raise UnreadableFile(
                    "El libro está protegido con contraseña; guarde una copia sin contraseña "
                    "(Archivo › Información › Proteger libro) y vuelva a enviarla.",
                    motivo="cifrado",
                )
            raise UnreadableFile(
                "El archivo es de Excel 97-2003 (.xls); ábralo en Excel y guárdelo como "
                "«Libro de Excel (.xlsx)» o use la plantilla oficial.",
                motivo="xls",
            )
        if kind != "zip":
            raise UnreadableFile(
                "El archivo no es un libro de Excel (.xlsx/.xlsm): su contenido es de otro "
                "tipo (texto, PDF u otro) aunque su nombre termine en .xlsx.",
                motivo="no_excel",
            )
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(data))
            infos = self.zip.infolist()
        except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
            raise UnreadableFile(
                "El libro está dañado o incompleto (el archivo zip no se puede abrir); "
                "vuelva a guardarlo en Excel o pida que lo envíen de nuevo.",
                motivo="danado",
            ) from exc
        self.names = {i.filename: i for i in infos}
        self._check_sizes(infos)
        self._check_kind()

    # --- comprobaciones ---------------------------------------------------------

    def _check_sizes(self, infos: list[zipfile.ZipInfo]) -> None:
        total = sum(i.file_size for i in infos)
        if total > self.limits.tamano_descomprimido_mb * _MB:
            raise UnreadableFile(
                f"El libro descomprimido ocuparía {total // _MB} MB, más que el límite de "
                f"{self.limits.tamano_descomprimido_mb:g} MB; revise que sea el plan correcto.",
                motivo="limite",
            )
        for i in infos:
            if i.file_size > 1 * _MB and i.file_size > self.limits.razon_compresion * max(
                i.compress_size, 1
            ):
                raise UnreadableFile(
                    f"La parte «{i.filename}» del libro tiene una compresión anómala "
                    f"({i.file_size // max(i.compress_size, 1)}:1); por seguridad no se lee.",
                    motivo="limite",
                )

    def _check_kind(self) -> None:
        if "mimetype" in self.names:
            mime = self.read("mimetype", 200)
            if b"opendocument" in mime:
                raise UnreadableFile(
                    "El archivo es una hoja de cálculo de LibreOffice/OpenDocument (.ods); "
                    "guárdelo como «Libro de Excel (.xlsx)».",
                    motivo="ods",
                )
        if "xl/workbook.xml" not in self.names and self.workbook_part() is None:
            raise UnreadableFile(
                "El archivo es un zip pero no un libro de Excel (falta xl/workbook.xml).",
                motivo="no_excel",
            )

    # --- lectura de partes ------------------------------------------------------

    def read(self, name: str, cap: int | None = None) -> bytes:
        """Descomprime una parte con tope de tamaño real (no el declarado)."""
        limit = cap if cap is not None else int(self.limits.tamano_descomprimido_mb * _MB)
        try:
            with self.zip.open(name) as fh:
                out = fh.read(limit + 1)
        except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError,
                RuntimeError) as exc:
            raise UnreadableFile(
                f"La parte «{name}» del libro está dañada o cifrada; vuelva a guardar el libro "
                "en Excel.",
                motivo="danado",
            ) from exc
        if len(out) > limit:
            raise UnreadableFile(
                f"La parte «{name}» del libro excede el tamaño permitido; por seguridad no se lee.",
                motivo="limite",
            )
        return out

    def read_xml(self, name: str) -> bytes:
        """Como `read`, pero rechaza DTD y entidades (XXE, expansión de entidades)."""
        data = self.read(name)
        if _DTD.search(data[:4096]) or (b"<!" in data and _DTD.search(data)):
            raise UnreadableFile(
                f"La parte «{name}» del libro contiene declaraciones XML (DTD/ENTITY) que "
                "Excel no produce; por seguridad el archivo no se lee.",
                motivo="xml_peligroso",
            )
        return data

    def workbook_part(self) -> str | None:
        for name in ("xl/workbook.xml", "xl/workbook2.xml"):
            if name in self.names:
                return name
        return None

    def check_xml_parts(self) -> None:
        """Revisa que ninguna parte XML que lee el motor tenga DTD/ENTITY."""
        for name in self.names:
            if name.endswith((".xml", ".rels")) and (
                name.startswith("xl/worksheets/") or name in (
                    "xl/sharedStrings.xml", "xl/styles.xml", "xl/workbook.xml",
                    "[Content_Types].xml", "xl/_rels/workbook.xml.rels")
            ):
                self.read_xml(name)

    def sheets(self) -> list[SheetEntry]:
        """Hojas en orden, con su parte XML y si están ocultas."""
        wb_part = self.workbook_part() or "xl/workbook.xml"
        wb = self.read_xml(wb_part)
        rels_name = str(PurePosixPath(wb_part).parent / "_rels" / (PurePosixPath(wb_part).name + ".rels"))
        targets: dict[str, str] = {}
        if rels_name in self.names:
            for raw in _REL.findall(self.read_xml(rels_name)):
                a = _attrs(raw)
                target = a.get("Target", "")
                target = target[1:] if target.startswith("/") else str(PurePosixPath("xl") / target)
                targets[a.get("Id", "")] = target
        out = []
        for raw in _SHEET.findall(wb):
            a = _attrs(raw)
            out.append(SheetEntry(name=a.get("name", ""), part=targets.get(a.get("id", ""), ""),
                                  hidden=a.get("state", "visible") != "visible"))
        return out

    def percent_styles(self) -> set[int]:
        """Índices de estilo de celda (cellXfs) cuyo formato de número es porcentaje."""
        if "xl/styles.xml" not in self.names:
            return set()
        styles = self.read_xml("xl/styles.xml")
        percent_fmt = set(_BUILTIN_PERCENT)
        for raw in _NUMFMT.findall(styles):
            a = _attrs(raw)
            code = re.sub(r'"[^"]*"|\\.', "", a.get("formatCode", ""))
            if "%" in code:
                percent_fmt.add(int(a.get("numFmtId", "-1")))
        m = _CELLXFS.search(styles)
        if not m:
            return set()
        out = set()
        for idx, raw in enumerate(_XF.findall(m.group(1))):
            fmt = _attrs(raw).get("numFmtId", "0")
            if fmt.isdigit() and int(fmt) in percent_fmt:
                out.add(idx)
        return out

    def cell_styles(self, part: str, percent_styles: set[int]) -> CellStyles:
        """Celdas con formato de porcentaje y con fórmula, leídas del XML de la hoja."""
        xml = self.read_xml(part)
        out = CellStyles()
        want_percent = {str(s).encode() for s in percent_styles}
        for attrs, body in _CELL.findall(xml):
            has_formula = bool(body) and _FORMULA.search(body) is not None
            s_pos = attrs.find(b' s="')
            is_percent = False
            if s_pos >= 0 and want_percent:
                end = attrs.find(b'"', s_pos + 4)
                is_percent = attrs[s_pos + 4:end] in want_percent
            if not (is_percent or has_formula):
                continue
            r_pos = attrs.find(b'r="')
            if r_pos < 0:
                continue
            ref = _REF.match(attrs, r_pos + 3)
            if not ref:
                continue
            coord = (int(ref.group(2)), _col_number(ref.group(1)))
            if is_percent:
                out.percent.add(coord)
            if has_formula:
                out.formulas.add(coord)
                if not _VALUE.search(body):
                    out.formulas_without_value.add(coord)
        return out

    def has_part(self, prefix: str) -> bool:
        return any(n.startswith(prefix) for n in self.names)
