"""Dibujos VML heredados que no son de PEA: botones y otros controles de formulario.

Excel guarda las notas y los controles de formulario de una hoja en el mismo dibujo VML
(``xl/drawings/vmlDrawingN.vml``). Si openpyxl escribe notas en esa hoja, vuelve a
serializar el dibujo con otros prefijos (``ns0:`` en vez de ``v:``, que el lector de VML de
Excel no entiende) y numera las notas desde ``_x0000_s1026`` aunque un botón ya tenga ese
número: los controles se pierden. En una hoja así PEA no pone notas (el dibujo queda
intacto) y la hoja «Validación» lo dice.
"""

from __future__ import annotations

import html
import posixpath
import re
import zipfile
from pathlib import Path

_CAP = 1 << 22  # tope de lectura de una parte (el libro puede no ser confiable)
_SHEET = re.compile(rb"<(?:\w+:)?sheet\b[^<>]*>")
_ATTR = re.compile(rb'([\w:]+)\s*=\s*"([^"]*)"')
_LEGACY = re.compile(rb"<(?:\w+:)?legacyDrawing\b[^<>]*>")
_REL = re.compile(rb"<(?:\w+:)?Relationship\b[^<>]*>")
_OBJECT = re.compile(rb"ObjectType\s*=\s*[\"']([^\"']*)[\"']")


def _read(z: zipfile.ZipFile, name: str) -> bytes:
    try:
        with z.open(name) as fh:
            return fh.read(_CAP)
    except KeyError:
        return b""


def _attrs(tag: bytes) -> dict[str, str]:
    return {k.decode("utf-8", "replace").rsplit(":", 1)[-1]: v.decode("utf-8", "replace")
            for k, v in _ATTR.findall(tag)}


def _targets(z: zipfile.ZipFile, part: str) -> dict[str, str]:
    """Id → parte destino de las relaciones de `part`."""
    folder, name = posixpath.split(part)
    rels = _read(z, posixpath.join(folder, "_rels", name + ".rels"))
    out: dict[str, str] = {}
    for tag in _REL.findall(rels):
        a = _attrs(tag)
        target = a.get("Target", "")
        out[a.get("Id", "")] = (target.lstrip("/") if target.startswith("/")
                                else posixpath.normpath(posixpath.join(folder, target)))
    return out


def sheets_with_controls(path: Path) -> set[str]:
    """Nombres de las hojas cuyo dibujo VML tiene algo que no es una nota (botones…)."""
    found: set[str] = set()
    try:
        with zipfile.ZipFile(path) as z:
            sheets = _targets(z, "xl/workbook.xml")
            for tag in _SHEET.findall(_read(z, "xl/workbook.xml")):
                a = _attrs(tag)
                part = sheets.get(a.get("id", ""), "")
                legacy = _LEGACY.search(_read(z, part)) if part else None
                if legacy is None:
                    continue
                vml = _targets(z, part).get(_attrs(legacy.group()).get("id", ""), "")
                kinds = {k.strip().lower() for k in _OBJECT.findall(_read(z, vml))} if vml else set()
                if kinds - {b"note"}:
                    found.add(html.unescape(a.get("name", "")))
    except (OSError, zipfile.BadZipFile, ValueError, EOFError):
        return found
    return found
