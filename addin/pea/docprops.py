"""Propiedades personalizadas de un libro (``docProps/custom.xml``): las marcas de PEA.

El libro maestro lleva «PEA libro maestro» y cada copia anotada «PEA copia anotada»; así
ninguno de los dos se toma por una entrega. Excel, LibreOffice, openpyxl y XlsxWriter
escriben la propiedad con otros prefijos, comillas u orden de atributos (openpyxl con lxml
declara el espacio de nombres en el propio ``<vt:lpwstr>``): se aceptan todos.
"""

from __future__ import annotations

import html
import re
import zipfile
import zlib
from pathlib import Path
from typing import IO

CUSTOM_PART = "docProps/custom.xml"
#: Cada intento se detiene en el fin de su etiqueta (tiempo lineal con XML hostil).
#: Apertura de `<vt:lpwstr>` con cualquier prefijo y con atributos: openpyxl con lxml
#: declara ahí el espacio de nombres (``<vt:lpwstr xmlns:vt="…">``).
LPWSTR_OPEN = rb"<(?:[\w.\-]+:)?lpwstr\b[^<>]*>"
_PROPERTY = re.compile(
    rb"<(?:[\w.\-]+:)?property\b[^<>]*?\sname\s*=\s*([\"'])([^<>]*?)\1[^<>]*>\s*"
    + LPWSTR_OPEN + rb"([^<]*)</(?:[\w.\-]+:)?lpwstr>")
#: Tope de lectura de la parte: el archivo puede no ser confiable.
_CAP = 1 << 16


def property_value(xml: bytes, name: str) -> str | None:
    """Valor de texto de la propiedad `name` en el XML de ``docProps/custom.xml``."""
    for m in _PROPERTY.finditer(xml):
        if html.unescape(m.group(2).decode("utf-8", "replace")) == name:
            return html.unescape(m.group(3).decode("utf-8", "replace"))
    return None


def read_property(path: Path | IO[bytes], name: str) -> str | None:
    """La propiedad `name` de un libro en disco, o None (sin ella o si no es un libro)."""
    try:
        with zipfile.ZipFile(path) as z, z.open(CUSTOM_PART) as fh:
            xml = fh.read(_CAP)
    except (OSError, KeyError, ValueError, EOFError, zipfile.BadZipFile,
            NotImplementedError, RuntimeError, zlib.error):  # método de compresión raro, cifrado
        return None
    return property_value(xml, name)


def has_property(path: Path | IO[bytes], name: str) -> bool:
    """¿El libro tiene la propiedad `name`? (maestro, copia anotada)."""
    return read_property(path, name) is not None
