"""Armar y manipular paquetes zip de libros .xlsx en memoria (para el corpus hostil)."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Iterable

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
REL_SHEET = NS_R + "/worksheet"

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.sheet.main+xml"/></Types>'
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats'
    '.org/package/2006/relationships"><Relationship Id="rId1" Type="' + NS_R +
    '/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)


def sheet_xml(rows: str, dimension: str = "A1", prolog: str = "") -> str:
    """Una hoja con el `sheetData` dado (texto XML de las filas)."""
    return (f'<?xml version="1.0" encoding="UTF-8"?>{prolog}<worksheet xmlns="{NS}">'
            f'<dimension ref="{dimension}"/><sheetData>{rows}</sheetData></worksheet>')


def inline_cell(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def workbook(sheets: dict[str, str], *, workbook_prolog: str = "",
             shared_strings: str | None = None, extra: dict[str, bytes] | None = None,
             hidden: Iterable[str] = ()) -> bytes:
    """Un .xlsx mínimo: {nombre de hoja: XML de la hoja}; partes extra tal cual."""
    hidden = set(hidden)
    sheet_tags = "".join(
        f'<sheet name="{name}" sheetId="{i}" r:id="rId{i}"'
        + (' state="hidden"' if name in hidden else "") + "/>"
        for i, name in enumerate(sheets, start=1))
    rels = "".join(f'<Relationship Id="rId{i}" Type="{REL_SHEET}" '
                   f'Target="worksheets/sheet{i}.xml"/>' for i in range(1, len(sheets) + 1))
    if shared_strings is not None:
        rels += (f'<Relationship Id="rIdS" Type="{NS_R}/sharedStrings" '
                 'Target="sharedStrings.xml"/>')
    parts: dict[str, bytes] = {
        "[Content_Types].xml": CONTENT_TYPES.encode(),
        "_rels/.rels": ROOT_RELS.encode(),
        "xl/workbook.xml": (f'<?xml version="1.0" encoding="UTF-8"?>{workbook_prolog}'
                            f'<workbook xmlns="{NS}" xmlns:r="{NS_R}"><sheets>{sheet_tags}'
                            "</sheets></workbook>").encode(),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
            f'openxmlformats.org/package/2006/relationships">{rels}</Relationships>').encode(),
    }
    for i, xml in enumerate(sheets.values(), start=1):
        parts[f"xl/worksheets/sheet{i}.xml"] = xml.encode("utf-8")
    if shared_strings is not None:
        parts["xl/sharedStrings.xml"] = shared_strings.encode("utf-8")
    parts.update(extra or {})
    return zip_parts(parts)


def zip_parts(parts: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return buf.getvalue()


def read_parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {n: z.read(n) for n in z.namelist()}


def rezip(data: bytes, replace: dict[str, bytes] | None = None,
          drop: Iterable[str] = ()) -> bytes:
    """El mismo paquete con partes reemplazadas, agregadas o quitadas."""
    parts = read_parts(data)
    for name in drop:
        parts.pop(name, None)
    parts.update(replace or {})
    return zip_parts(parts)


def deflate_stream(chunk: bytes, repeat: int) -> tuple[bytes, int, int]:
    """Comprime `chunk` repetido sin tenerlo entero en memoria: (datos, crc, tamaño)."""
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    out = []
    crc = 0
    for _ in range(repeat):
        out.append(comp.compress(chunk))
        crc = zlib.crc32(chunk, crc)
    out.append(comp.flush())
    return b"".join(out), crc, len(chunk) * repeat


def raw_zip(entries: list[tuple[str, bytes, int, int, int]]) -> bytes:
    """Zip escrito a mano: (nombre, datos deflate, crc, tamaño declarado, método).

    Permite declarar un tamaño descomprimido que no es el real.
    """
    out = io.BytesIO()
    central = []
    for name, payload, crc, size, method in entries:
        offset = out.tell()
        fname = name.encode()
        out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, method, 0, 0, crc,
                              len(payload), size, len(fname), 0))
        out.write(fname)
        out.write(payload)
        central.append(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, method, 0, 0,
                                   crc, len(payload), size, len(fname), 0, 0, 0, 0, 0, offset)
                       + fname)
    start = out.tell()
    for rec in central:
        out.write(rec)
    size_cd = out.tell() - start
    out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(central), len(central), size_cd,
                          start, 0))
    return out.getvalue()


def stored(name: str, data: bytes) -> tuple[str, bytes, int, int, int]:
    return (name, data, zlib.crc32(data), len(data), 0)


def deflated(name: str, data: bytes, declared: int | None = None) -> tuple[str, bytes, int, int, int]:
    comp = zlib.compressobj(6, zlib.DEFLATED, -15)
    payload = comp.compress(data) + comp.flush()
    return (name, payload, zlib.crc32(data), len(data) if declared is None else declared, 8)
