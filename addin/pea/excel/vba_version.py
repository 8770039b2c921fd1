"""Versión del módulo VBA de xlwings guardado en un libro .xlsm, leída del archivo.

El módulo VBA no le pasa su versión a Python (RunPython solo envía ``--wb``,
``--from_xl``, ``--app`` y ``--hwnd``) y leer el proyecto VBA desde Excel exige
«Confiar en el acceso al modelo de objetos de proyectos de VBA», que casi nunca
está activo. Por eso se lee del archivo guardado: el código fuente de cada módulo
va comprimido (MS-OVBA) dentro de ``xl/vbaProject.bin``; se busca el contenedor
comprimido que empieza con ``Attribute VB_Name = "xlwings"`` y se descomprime
solo hasta la línea ``'Version: 0.37.8``. Sin dependencias y en milisegundos.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

_MODULE = b'Attribute VB_Name = "xlwings"'
_VERSION = re.compile(rb"'Version:\s*([0-9][0-9A-Za-z.+\-]*)")
_WANT = 400  # bytes descomprimidos que alcanzan para llegar a la línea de la versión


def _chunk(buf: bytes, pos: int, limit: int = _WANT) -> bytes | None:
    """Descomprime el trozo MS-OVBA cuyo encabezado empieza en `pos` (hasta `limit` bytes)."""
    if pos + 2 > len(buf):
        return None
    header = buf[pos] | (buf[pos + 1] << 8)
    if (header >> 12) & 0b111 != 0b011:
        return None
    end = min(pos + 2 + (header & 0x0FFF) + 1, len(buf))
    p = pos + 2
    if not header >> 15:  # trozo sin comprimir
        return bytes(buf[p:min(end, p + limit)])
    out = bytearray()
    while p < end and len(out) < limit:
        flags = buf[p]
        p += 1
        for bit in range(8):
            if p >= end:
                break
            if not (flags >> bit) & 1:
                out.append(buf[p])
                p += 1
                continue
            if p + 1 >= end:
                return bytes(out)
            token = buf[p] | (buf[p + 1] << 8)
            p += 2
            bits = max((len(out) - 1).bit_length(), 4)
            length = (token & (0xFFFF >> bits)) + 3
            offset = (token >> (16 - bits)) + 1
            if offset > len(out):
                return None
            for _ in range(length):
                out.append(out[-offset])
    return bytes(out)


def from_vba_project(data: bytes) -> str | None:
    """Versión escrita en el módulo xlwings de un ``vbaProject.bin``, o None."""
    pos = data.find(b"\x01")
    while pos != -1:
        text = _chunk(data, pos + 1)
        if text and text.startswith(_MODULE):
            m = _VERSION.search(text)
            if m:
                return m.group(1).decode("ascii")
        pos = data.find(b"\x01", pos + 1)
    return None


def from_workbook(path: str | Path) -> str | None:
    """Versión del módulo VBA de xlwings en un libro .xlsm guardado, o None."""
    try:
        with zipfile.ZipFile(path) as zf:
            data = zf.read("xl/vbaProject.bin")
    except (OSError, KeyError, zipfile.BadZipFile):
        return None
    return from_vba_project(data)
