"""Diagnóstico para la mesa de ayuda: versiones, rutas y los problemas conocidos de xlwings.

Cada renglón dice qué se revisó, qué se encontró y si hay que hacer algo; los
problemas vienen con su explicación en español (docs/excel.md, «Solución de
problemas», tiene el detalle de cada uno).
"""

from __future__ import annotations

import os
import platform
import re
import struct
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pea import layout as L
from pea.excel import xl_api as X
from pea.excel import xlconf
from pea.excel.reader import DIAGNOSTIC_SHEET, template_info

OK, CHECK, INFO = "Correcto", "Revisar", "Información"


@dataclass(frozen=True)
class Item:
    """Un renglón del diagnóstico."""

    concept: str
    value: str
    status: str = INFO
    advice: str = ""


def pinned_xlwings() -> str | None:
    """Versión de xlwings fijada en las dependencias del paquete pea."""
    from importlib.metadata import PackageNotFoundError, requires

    try:
        reqs = requires("pea") or []
    except PackageNotFoundError:
        return None
    for req in reqs:
        m = re.match(r"^xlwings\s*==\s*([^\s;,]+)", req)
        if m:
            return m.group(1)
    return None


def python_items() -> list[Item]:
    exe = sys.executable
    bits = struct.calcsize("P") * 8
    items = [Item("Python", f"{platform.python_version()} ({bits} bits) en {exe}")]
    conda = (Path(sys.prefix) / "conda-meta").is_dir() or bool(os.environ.get("CONDA_PREFIX"))
    if "WindowsApps" in exe or "PythonSoftwareFoundation" in exe:
        items.append(Item("Origen de Python", "Microsoft Store", CHECK,
                          "El Python de la Microsoft Store da errores con Excel. Instale Python "
                          "de python.org para el usuario actual (docs/excel.md)."))
    elif conda:
        items.append(Item("Origen de Python", f"entorno conda ({sys.prefix})", CHECK,
                          "Con conda, Excel necesita activar el entorno y suele fallar. Use el "
                          "Python de python.org con el entorno de PEA (docs/excel.md)."))
    in_venv = sys.prefix != sys.base_prefix
    items.append(Item("Entorno de PEA", sys.prefix if in_venv else "(sin entorno virtual)"))
    return items


def xlwings_items(book: Any, meta: dict[str, str] | None) -> list[Item]:
    import xlwings

    from pea.excel.vba_version import from_workbook

    py = xlwings.__version__
    pin = pinned_xlwings()
    items = [Item("xlwings (Python)", py + (f"; PEA requiere {pin}" if pin else ""),
                  CHECK if pin and pin != py else OK,
                  f"Reinstale PEA para tener xlwings {pin}." if pin and pin != py else "")]
    vba, source = (meta or {}).get("version_xlwings"), "hoja de metadatos"
    fullname = X.book_fullname(book)
    if not vba and not fullname.lower().startswith(("http://", "https://")):
        vba, source = from_workbook(fullname), "archivo guardado"
    if not vba:
        items.append(Item("xlwings (módulo VBA del libro)", "no se pudo determinar", INFO,
                          "Guarde el libro en una carpeta local y repita el diagnóstico."))
    elif vba != py:
        items.append(Item("xlwings (módulo VBA del libro)", f"{vba} ({source})", CHECK,
                          f"El módulo VBA del libro ({vba}) no coincide con el de Python ({py}). "
                          "Use la plantilla vigente o instale la versión de PEA de la plantilla."))
    else:
        items.append(Item("xlwings (módulo VBA del libro)", f"{vba} ({source})", OK))
    return items


def pea_items(meta: dict[str, str] | None) -> list[Item]:
    import pea
    from pea.config import CATALOG_FILES, ConfigError, load_config

    items = [Item("PEA", f"{pea.__version__} en {Path(pea.__file__).parent}", OK)]
    try:
        cfg = load_config(os.environ.get("PEA_REGLAS") or None)
    except ConfigError as exc:
        return [*items, Item("Reglas", str(exc), CHECK, "Reinstale PEA o corrija PEA_REGLAS.")]
    items.append(Item("Reglas", f"versión {cfg.version} (huella {cfg.fingerprint()}) en "
                      f"{cfg.source}", OK))
    loaded = []
    for key in CATALOG_FILES:
        data = getattr(cfg.catalogos, key)
        loaded.append(f"{key}: {len(data)}" if data is not None else f"{key}: no incluido")
    items.append(Item("Catálogos cargados", "; ".join(loaded)))
    if not meta:
        items.append(Item("Plantilla", "el libro no tiene la hoja de metadatos de la plantilla",
                          CHECK, "Use la plantilla oficial vigente para capturar el plan."))
        return items
    anio = re.sub(r"\.0$", "", meta.get("anio_plan", "?"))  # Excel guarda 2024 como 2024.0
    items.append(Item("Plantilla", f"versión {meta.get('version_plantilla', '?')}, año {anio}",
                      OK))
    if meta.get("huella_catalogos") and meta["huella_catalogos"] != cfg.catalogos.fingerprint():
        items.append(Item("Catálogos de la plantilla", "distintos de los de las reglas", CHECK,
                          "Descargue la plantilla vigente para que las listas coincidan."))
    return items


def book_items(book: Any) -> list[Item]:
    fullname, name = X.book_fullname(book), X.book_name(book)
    items = [Item("Libro", fullname)]
    if fullname.lower().startswith(("http://", "https://")):
        items.append(Item("OneDrive / SharePoint", "el libro se abrió desde la nube", INFO,
                          "PEA no busca código junto al libro, así que funciona; si un botón "
                          "muestra «Couldn't find your local OneDrive», la hoja xlwings.conf "
                          "debe tener ADD_WORKBOOK_TO_PYTHONPATH = False."))
    if not name.isascii():
        items.append(Item("Nombre del archivo", "tiene acentos, ñ u otros símbolos", INFO,
                          "PEA funciona con esos nombres; si un botón falla con «module not "
                          "found», guarde una copia con un nombre sin acentos."))
    zone = _zone(fullname)
    if zone is not None and zone >= 3:
        items.append(Item("Origen del archivo", "descargado de Internet o del correo", INFO,
                          "Quien reciba el archivo debe desbloquearlo (Propiedades → "
                          "Desbloquear) para que las macros funcionen."))
    return items


def _zone(fullname: str) -> int | None:
    """Zona de la «marca de la Web» del archivo (3 = Internet), solo en Windows."""
    if not sys.platform.startswith("win") or "://" in fullname:
        return None
    try:
        text = Path(fullname + ":Zone.Identifier").read_text(errors="replace")
    except OSError:
        return None
    m = re.search(r"ZoneId=(\d)", text)
    return int(m.group(1)) if m else None


def config_items(book: Any) -> list[Item]:
    sheet = X.find_sheet(book, L.XLWINGS_CONF_SHEET)
    conf: dict[str, str] = {}
    if sheet is not None:
        nrows, _ = X.used_extent(sheet)
        for key, value in X.read_values(sheet, max(nrows, 1), 2):
            if key:
                conf[str(key).strip().upper()] = "" if value is None else str(value)
    user_path = xlconf.user_config_path()
    user = {k.upper(): v for k, v in xlconf.read(user_path)}
    source = "hoja xlwings.conf" if "INTERPRETER_WIN" in conf else str(user_path)
    interp = conf.get("INTERPRETER_WIN") or user.get("INTERPRETER_WIN") or ""
    items = []
    if interp:
        same = os.path.normcase(xlconf.expand(interp)) == os.path.normcase(sys.executable)
        items.append(Item("Python que usa Excel", f"{interp} ({source})", OK if same else INFO,
                          "" if same else f"Este diagnóstico corrió con {sys.executable}."))
    else:
        items.append(Item("Python que usa Excel", "«python» del PATH (sin INTERPRETER_WIN)",
                          CHECK, "Ejecute «pea configurar-excel» en el equipo."))
    if user.get("CONDA PATH") or user.get("CONDA ENV"):
        items.append(Item("Conda en xlwings.conf", str(user_path), CHECK,
                          "Quite CONDA PATH y CONDA ENV con «pea configurar-excel --quitar-conda»."))
    return items


def collect(book: Any) -> list[Item]:
    """Todo el diagnóstico, en el orden en que se muestra."""
    from pea.excel.guard import log_path

    meta = template_info(book)
    items = [Item("Excel", f"versión {X.excel_version(book)} en {platform.platform()}")]
    for part in (python_items, lambda: xlwings_items(book, meta), lambda: pea_items(meta),
                 lambda: book_items(book), lambda: config_items(book)):
        try:
            items.extend(part())
        except Exception as exc:  # un renglón que falla no oculta los demás
            items.append(Item("(error del diagnóstico)", f"{type(exc).__name__}: {exc}", CHECK))
    items.append(Item("Registro de PEA", str(log_path())))
    return items


def summary(items: list[Item]) -> str:
    problems = [i for i in items if i.status == CHECK]
    head = f"Diagnóstico de PEA listo: vea la hoja «{DIAGNOSTIC_SHEET}»."
    if not problems:
        return head + "\n\nNo se encontraron problemas."
    lines = "\n".join(f"• {i.concept}: {i.advice or i.value}" for i in problems)
    return f"{head}\n\nRevise {len(problems)} punto(s):\n{lines}"


def write_sheet(book: Any, items: list[Item]) -> None:
    """Reemplaza la hoja «Diagnóstico»."""
    old = X.find_sheet(book, DIAGNOSTIC_SHEET)
    if old is not None:
        X.delete_sheet(old)
    sheet = X.add_sheet(book, DIAGNOSTIC_SHEET, after=X.sheets(book)[-1])
    rows: list[list[Any]] = [["Concepto", "Valor", "Estado", "Qué hacer"]]
    rows += [["'" + i.concept, "'" + i.value, i.status, "'" + i.advice if i.advice else ""]
             for i in items]
    X.write_rows(sheet, rows)
    X.set_bold(sheet, 1, 1, 4)
    for col, width in enumerate((30, 70, 12, 80), start=1):
        X.set_column_width(sheet, col, width)

