"""Qué cuenta como archivo de plan: una sola regla para `pea validar`, `pea consolidar` (y la
Ventanilla).

En una carpeta, un plan es un libro .xlsx/.xlsm o la exportación de texto de un plan
(.txt/.tsv con el encabezado «EJE TEMÁTICO»); lo demás se omite con su motivo en español
(`skip_reason`): archivos de bloqueo de Excel («~$»), ocultos, temporales, otros formatos.
Un archivo que la persona nombra en la línea de órdenes se valida siempre; si su formato no
es de plan, recibe PEA-E00 con ese mismo motivo (`explicit_reason`).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from pea.reading import TEXT_SUFFIXES, WORKBOOK_SUFFIXES

_OTHER_FORMATS = {
    ".xls": "libro de Excel 97-2003 (.xls): pida a la dependencia que lo guarde como "
            "«Libro de Excel (.xlsx)» o que use la plantilla oficial.",
    ".xlsb": "libro binario de Excel (.xlsb): pida a la dependencia que lo guarde como .xlsx.",
    ".ods": "hoja de cálculo de LibreOffice (.ods): pida que la guarden como .xlsx.",
    ".csv": "archivo CSV: pierde el formato del plan; pida el libro de Excel (.xlsx).",
    ".pdf": "documento PDF: pida el libro de Excel (.xlsx) del plan.",
    ".xltx": "plantilla de Excel (.xltx), no una entrega.",
    ".xltm": "plantilla de Excel con macros (.xltm), no una entrega.",
}


#: Hasta dónde se busca el encabezado del plan en un archivo de texto.
_TEXT_HEAD = 64 * 1024


def text_export_reason(path: Path) -> str | None:
    """None si el archivo de texto es la exportación de un plan (tiene el encabezado «EJE
    TEMÁTICO» en sus primeras filas, como la lee `pea validar`); si no, por qué se omite."""
    from pea.config import Limits
    from pea.reading.errors import UnreadableFile
    from pea.reading.plan_parser import find_header_row
    from pea.reading.text import read_text

    try:
        with open(path, "rb") as fh:
            if find_header_row(read_text(fh.read(_TEXT_HEAD), Limits())) is not None:
                return None
    except (OSError, UnreadableFile):
        pass
    return ("archivo de texto sin el encabezado del plan («EJE TEMÁTICO»); no es una "
            "exportación del plan.")


def skip_reason(path: Path) -> str | None:
    """Motivo para omitir un archivo, o None si es un plan a leer: por su nombre y, en un
    .txt/.tsv, por su contenido (`text_export_reason`)."""
    name = path.name
    lower = name.lower()
    if name.startswith("~$"):
        return (f"archivo de bloqueo de Excel: indica que alguien tiene abierto "
                f"«{name[2:]}»; no es una entrega.")
    if name.startswith("."):
        return "archivo oculto; no es una entrega."
    if name.startswith("~") or lower.endswith((".tmp", ".temp", ".bak", ".part",
                                                ".crdownload")):
        return "archivo temporal; no es una entrega."
    suffix = os.path.splitext(lower)[1]
    if suffix in WORKBOOK_SUFFIXES:
        return None
    if suffix in TEXT_SUFFIXES:
        return text_export_reason(path)
    if suffix in _OTHER_FORMATS:
        return _OTHER_FORMATS[suffix]
    return "no es un libro de Excel (.xlsx/.xlsm)."


#: Motivo con que se omite un libro maestro de PEA que está entre las entregas.
MASTER_REASON = "es un libro maestro de PEA (resultado de otra consolidación), no una entrega."


def explicit_reason(path: Path) -> str | None:
    """Para un archivo dado por su nombre: None si su formato es de plan (libro .xlsx/.xlsm o
    texto); si no, por qué no se valida como plan (el motivo con que `pea consolidar` lo
    omite). Por su nombre y extensión solamente: el contenido lo juzga el lector."""
    suffix = os.path.splitext(path.name.lower())[1]
    if suffix in WORKBOOK_SUFFIXES or suffix in TEXT_SUFFIXES:
        return None
    return _OTHER_FORMATS.get(suffix, "no es un libro de Excel (.xlsx/.xlsm).")


def folder_plans(folder: Path) -> tuple[list[Path], list[tuple[Path, str]]]:
    """Los planes de una carpeta (sin subcarpetas), ordenados, y lo omitido con su motivo:
    lo mismo que leería `pea consolidar` (también omite un libro maestro de PEA)."""
    from pea.consolidate.master import is_master

    plans: list[Path] = []
    omitted: list[tuple[Path, str]] = []
    for child in sorted(folder.iterdir(), key=lambda p: p.name.casefold()):
        try:
            mode = child.stat().st_mode
        except OSError as exc:
            from pea.reading.source import os_error_message

            omitted.append((child, "acceso directo roto." if child.is_symlink() else
                            f"no se pudo consultar: {os_error_message(exc).lower()}"))
            continue
        if stat.S_ISDIR(mode):
            omitted.append((child, "subcarpeta: no se revisa; indíquela aparte si tiene "
                            "planes."))
            continue
        if not stat.S_ISREG(mode):
            omitted.append((child, "no es un archivo regular."))
            continue
        reason = skip_reason(child)
        if reason is None and child.suffix.lower() in WORKBOOK_SUFFIXES and is_master(child):
            reason = MASTER_REASON
        if reason is None:
            plans.append(child)
        else:
            omitted.append((child, reason))
    return plans, omitted
