"""Libros en OOXML «Strict» (ISO/IEC 29500 estricto), como los guarda Excel con «Libro de
Excel Open XML estricto»: LibreOffice no los escribe, así que se obtienen de un libro
«transicional» cambiando sus espacios de nombres y tipos de relación por los de ECMA-376
Parte 1 (estricto)."""

from __future__ import annotations

import zipfile
from pathlib import Path

_T = "http://schemas.openxmlformats.org/"
_S = "http://purl.oclc.org/ooxml/"

#: Transicional → estricto (los de paquete, ``package/2006/…``, son iguales en ambos).
STRICT_NAMESPACES = (
    (_T + "officeDocument/2006/relationships/extended-properties",
     _S + "officeDocument/relationships/extendedProperties"),
    (_T + "officeDocument/2006/relationships/custom-properties",
     _S + "officeDocument/relationships/customProperties"),
    (_T + "officeDocument/2006/relationships", _S + "officeDocument/relationships"),
    (_T + "officeDocument/2006/extended-properties", _S + "officeDocument/extendedProperties"),
    (_T + "officeDocument/2006/custom-properties", _S + "officeDocument/customProperties"),
    (_T + "officeDocument/2006/docPropsVTypes", _S + "officeDocument/docPropsVTypes"),
    (_T + "officeDocument/2006/sharedTypes", _S + "officeDocument/sharedTypes"),
    (_T + "spreadsheetml/2006/main", _S + "spreadsheetml/main"),
    (_T + "drawingml/2006/main", _S + "drawingml/main"),
    (_T + "drawingml/2006/spreadsheetDrawing", _S + "drawingml/spreadsheetDrawing"),
)


def to_strict(src: Path, dst: Path) -> Path:
    """Copia de `src` en OOXML estricto (las partes XML con los espacios de nombres de
    Strict y ``conformance="strict"`` en el libro, como lo escribe Excel)."""
    with zipfile.ZipFile(src) as zin:
        parts = {i.filename: zin.read(i.filename) for i in zin.infolist()}
    for name, data in parts.items():
        if not name.endswith((".xml", ".rels")):
            continue
        text = data.decode("utf-8")
        for old, new in STRICT_NAMESPACES:
            text = text.replace(old, new)
        if name == "xl/workbook.xml":
            text = text.replace("<workbook ", '<workbook conformance="strict" ', 1)
        parts[name] = text.encode("utf-8")
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for name, data in parts.items():
            zout.writestr(name, data)
    return dst
