"""Lo que ejecutan los botones de la pestaña PEA: ``RunPython "import pea.excel.bridge as b; b.validar()"``.

Cada función traduce entre el libro abierto (xlwings, por `pea.excel.xl_api`) y el
núcleo sin Excel (`pea.validation`, `pea.feedback`). Al importar este módulo no se
carga nada pesado: cada botón importa solo lo que usa.
"""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

from pea.excel.guard import UserError, run

LOCKED = ("La hoja del plan está protegida con contraseña: no se marcaron las celdas; "
          "vea la lista en la hoja «Validación».")


def validar() -> None:
    """Botón Validar: valida el plan del libro y lo marca en su lugar."""
    run("validar el plan", validate_book)


def limpiar() -> None:
    """Botón Limpiar marcas: quita colores, notas y la hoja «Validación» de PEA."""
    run("limpiar las marcas", clean_book)


def diagnostico() -> None:
    """Botón Diagnóstico: versiones y configuración, para la mesa de ayuda."""
    run("hacer el diagnóstico", diagnose_book)


def ayuda() -> None:
    """Botón Ayuda: abre la guía del usuario en español."""
    run("abrir la guía", open_help)


def _config() -> Any:
    """Reglas incluidas, o las del directorio de la variable PEA_REGLAS."""
    from pea.config import ConfigError, load_config

    try:
        return load_config(os.environ.get("PEA_REGLAS") or None)
    except ConfigError as exc:
        raise UserError(f"No se pudo cargar la configuración de reglas: {exc}\n\nQué hacer: "
                        "pida a soporte que revise la instalación de PEA.") from exc


def validate_book(book: Any, when: dt.datetime | None = None) -> Any:
    """Valida el libro, reemplaza las marcas y la hoja «Validación»; devuelve el reporte."""
    from pea import validation as V
    from pea.excel import marks, reader, report_sheet
    from pea.excel import xl_api as X
    from pea.feedback import cell_marks, message_box_text
    from pea.reading.errors import UnreadableFile

    config = _config()
    archivo = X.book_name(book)
    try:
        read = reader.read_plan(book, config.limites.filas, config.limites.celdas)
    except UnreadableFile as exc:
        raise UserError(f"No se pudo validar: {exc.message}") from exc
    template = V.template_info_from_meta(read.template)
    if read.grid is None:
        report = V.report_without_plan(archivo, [V.no_plan_sheet(read.hojas)], config,
                                       read.avisos, template)
    else:
        _plan, report = V.validate_grid(read.grid, config, archivo, read.avisos, template)
    all_sheets = {X.sheet_name(s): s for s in X.sheets(book)}
    old = marks.load(book)
    screen = X.set_screen_updating(book, False)
    try:
        records, failed, locked = [], [], False
        if read.sheet is not None:
            with marks.editable(read.sheet) as ok:
                if ok:
                    records, failed = marks.reconcile(book, {read.grid.name: read.sheet},
                                                      cell_marks(report), old)
                else:  # se conservan los registros viejos de esa hoja
                    locked = True
                    records = [r for r in old if r.sheet == read.grid.name]
                    report.avisos.append(LOCKED)
        stale = [r for r in old if r.sheet != (read.grid.name if read.grid else None)]
        marks.restore_all(all_sheets, stale)
        marks.save(book, records, after=X.sheets(book)[-1])
        version = f"{config.version} ({config.fingerprint()})"
        report_sheet.write(book, report, version, archivo, failed, when)
        if read.sheet is not None and not read.grid.hidden:
            X.activate(read.sheet)
    finally:
        X.set_screen_updating(book, screen)
    if read.grid is None:
        text = report.hallazgos[0].mensaje + " Use la plantilla oficial del plan."
    else:
        text = message_box_text(report) + (f"\n\n{LOCKED}" if locked else "")
    X.alert(book, text, "PEA: validación")
    return report


def clean_book(book: Any) -> int:
    """Restaura lo que tenían las celdas marcadas y borra las hojas de PEA; cuántas eran."""
    from pea.excel import marks, report_sheet
    from pea.excel import xl_api as X

    old = marks.load(book)
    all_sheets = {X.sheet_name(s): s for s in X.sheets(book)}
    screen = X.set_screen_updating(book, False)
    try:
        for name in sorted({r.sheet for r in old if r.sheet in all_sheets}):
            with marks.editable(all_sheets[name]) as ok:
                if ok:
                    marks.restore_all(all_sheets, [r for r in old if r.sheet == name])
        marks.save(book, [], after=None)
        sheet = report_sheet.find_report(book)  # nunca una hoja de la dependencia
        if sheet is not None:
            X.delete_sheet(sheet)
    finally:
        X.set_screen_updating(book, screen)
    text = (f"Se quitaron las marcas de {len(old)} celda(s) y la hoja «Validación»."
            if old else "No había marcas de PEA en este libro.")
    X.alert(book, text, "PEA: limpiar")
    return len(old)


def diagnose_book(book: Any) -> None:
    """Escribe la hoja «Diagnóstico» y resume los problemas encontrados."""
    from pea.excel import diagnostics
    from pea.excel import xl_api as X

    items = diagnostics.collect(book)
    diagnostics.write_sheet(book, items)
    X.alert(book, diagnostics.summary(items), "PEA: diagnóstico")


def open_help(book: Any) -> None:
    """Abre la guía; si el navegador no abre, dice dónde está el archivo."""
    from pea.excel import guide
    from pea.excel import xl_api as X

    path, opened = guide.open_guide()
    if not opened:
        X.alert(book, f"No se pudo abrir el navegador. La guía está en:\n{path}", "PEA: ayuda")
