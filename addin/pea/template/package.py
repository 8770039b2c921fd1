"""Último paso del paquete .xlsm: tipos de contenido, cinta (customUI) y zip reproducible.

Se aplica después de cualquier guardado de openpyxl, porque openpyxl descarta la
relación de la cinta (solo conserva el tipo de 2006). El zip se escribe con las
partes ordenadas, fecha fija y sin compresión, para que dos construcciones den los
mismos bytes en cualquier máquina (la salida de zlib cambia entre versiones).
"""

from __future__ import annotations

import re
import zipfile
from importlib import resources
from pathlib import Path

CONTENT_TYPES = "[Content_Types].xml"
ROOT_RELS = "_rels/.rels"
CORE_PROPS = "docProps/core.xml"
RIBBON_PART = "customUI/customUI14.xml"
RIBBON_REL_TYPE = "http://schemas.microsoft.com/office/2007/relationships/ui/extensibility"
RIBBON_REL_ID = "rIdPEACinta"
RIBBON_NS = "http://schemas.microsoft.com/office/2009/07/customui"
MAIN_MACRO = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
MAIN_PLAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
VBA_CONTENT = "application/vnd.ms-office.vbaProject"
VBA_REL_TYPE = "http://schemas.microsoft.com/office/2006/relationships/vbaProject"
#: Fecha fija de las partes del zip y de docProps (creado / modificado).
FIXED_ZIP_DATE = (2024, 1, 1, 0, 0, 0)
FIXED_TIMESTAMP = "2024-01-01T00:00:00Z"


def ribbon_xml() -> bytes:
    """El XML de la cinta incluido en el paquete (customUI14.xml)."""
    return resources.files("pea.template").joinpath("customUI14.xml").read_bytes()


def _content_types(text: str) -> str:
    text = text.replace(f'ContentType="{MAIN_PLAIN}"', f'ContentType="{MAIN_MACRO}"')
    if 'Extension="bin"' not in text and "/xl/vbaProject.bin" not in text:
        text = text.replace(
            "</Types>", f'<Default Extension="bin" ContentType="{VBA_CONTENT}"/></Types>', 1)
    if 'Extension="xml"' not in text and f'PartName="/{RIBBON_PART}"' not in text:
        text = text.replace(
            "</Types>",
            f'<Override PartName="/{RIBBON_PART}" ContentType="application/xml"/></Types>', 1)
    return text


def _root_rels(text: str) -> str:
    text = re.sub(rf'<Relationship [^>]*Type="{re.escape(RIBBON_REL_TYPE)}"[^>]*/>', "", text)
    rel = (f'<Relationship Id="{RIBBON_REL_ID}" Type="{RIBBON_REL_TYPE}" '
           f'Target="{RIBBON_PART}"/>')
    return text.replace("</Relationships>", rel + "</Relationships>", 1)


def _core_props(text: str) -> str:
    for tag in ("dcterms:created", "dcterms:modified"):
        text = re.sub(rf"(<{tag}\b[^>]*>)[^<]*(</{tag}>)", rf"\g<1>{FIXED_TIMESTAMP}\g<2>", text)
    return text


def read_parts(path: Path) -> dict[str, bytes]:
    """Todas las partes del paquete, por nombre."""
    with zipfile.ZipFile(path) as zin:
        return {name: zin.read(name) for name in zin.namelist()}


def finalize_package(path: Path, ribbon: bytes | None = None) -> None:
    """Reescribe `path`: tipo de contenido con macros, cinta con su relación, zip fijo."""
    parts = read_parts(path)
    if "xl/vbaProject.bin" not in parts:
        raise ValueError(f"{path} no tiene proyecto VBA (xl/vbaProject.bin).")
    rels = parts["xl/_rels/workbook.xml.rels"].decode("utf-8")
    if VBA_REL_TYPE not in rels:
        raise ValueError(f"{path}: el proyecto VBA no está relacionado desde el libro.")
    parts[CONTENT_TYPES] = _content_types(parts[CONTENT_TYPES].decode("utf-8")).encode("utf-8")
    parts[ROOT_RELS] = _root_rels(parts[ROOT_RELS].decode("utf-8")).encode("utf-8")
    if CORE_PROPS in parts:
        parts[CORE_PROPS] = _core_props(parts[CORE_PROPS].decode("utf-8")).encode("utf-8")
    parts[RIBBON_PART] = ribbon if ribbon is not None else ribbon_xml()
    write_zip(path, parts)


def write_zip(path: Path, parts: dict[str, bytes]) -> None:
    """Zip reproducible: partes ordenadas, fecha fija, sin compresión."""
    with zipfile.ZipFile(path, "w") as zout:
        for name in sorted(parts):
            info = zipfile.ZipInfo(name, date_time=FIXED_ZIP_DATE)
            info.compress_type = zipfile.ZIP_STORED
            info.external_attr = 0o600 << 16
            info.create_system = 0
            zout.writestr(info, parts[name])
