"""Escribe el libro maestro con XlsxWriter (de una vez, sin fórmulas).

Hojas: «Plan consolidado», «Entregas», «Observaciones», «Resumen» y «Cobertura», cada una
con su encabezado en la fila 1. Las tablas de Excel (filtros y estilo) necesitan el modo
normal de XlsxWriter; con más de `CONSTANT_MEMORY_ROWS` líneas se usa el modo de memoria
constante y las hojas llevan autofiltro en lugar de tabla.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import IO, Any

import xlsxwriter
from xlsxwriter.exceptions import FileCreateError
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from pea import __version__
from pea.atomic import temp_dir_next_to
from pea.config import RulesConfig
from pea.consolidate import bulk_sheet, tables
from pea.consolidate.cells import as_text, fits
from pea.consolidate.columns import (
    ACEPTADO,
    COBERTURA_COLUMNS,
    CON_OBSERVACIONES,
    DUPLICADO,
    ENTREGAS_ARCHIVO,
    ENTREGAS_COLUMNS,
    ESTRATEGIAS_COLUMNS,
    ILEGIBLE,
    OBSERVACIONES_COLUMNS,
    OMITIDO,
    PLAN_COLUMNS,
    QUARTER_HEADERS,
    RECHAZADO,
    SHEET_COBERTURA,
    SHEET_ENTREGAS,
    SHEET_OBSERVACIONES,
    SHEET_PLAN,
    SHEET_RESUMEN,
    MasterColumn,
)
from pea.consolidate.model import Consolidation
from pea.consolidate.summary import GroupRow, Summary, build_summary
from pea.feedback import SEVERITY_FILL, SEVERITY_FONT

#: Con más líneas que esto, las hojas grandes llevan autofiltro en vez de tabla de Excel
#: (la tabla guarda cada una de sus celdas en memoria) y cadenas en línea.
CONSTANT_MEMORY_ROWS = 150_000
#: Hasta aquí, XlsxWriter arma las partes del libro en memoria (sin archivos temporales).
IN_MEMORY_ROWS = 60_000
#: Marca del libro maestro (propiedad personalizada) para no sobrescribir otro libro.
MASTER_PROPERTY = "PEA libro maestro"
HEADER_FILL = "7B2C3B"
CHART_MAX_CATEGORIES = 40
RULES_NOTE = ("Las reglas, sus severidades y los catálogos están en la configuración de reglas "
              "(«pea reglas» los lista). Detalle de cada hallazgo: hoja «Observaciones».")
TABLE_STYLE = "Table Style Medium 2"

ESTADO_COLORS = {
    ACEPTADO: ("C6EFCE", "006100"),
    CON_OBSERVACIONES: ("FFEB9C", "9C5700"),
    RECHAZADO: ("FFC7CE", "9C0006"),
    ILEGIBLE: ("F4B084", "843C0C"),
    DUPLICADO: ("D9D2E9", "3F3151"),
    OMITIDO: ("EDEDED", "595959"),
}
QUARTER_COLORS = ("1F4E78", "2E75B6", "9DC3E6", "BDD7EE")


class Link:
    """Un hipervínculo a escribir en una celda (texto visible y destino)."""

    __slots__ = ("text", "url")

    def __init__(self, url: str, text: str) -> None:
        self.url = url
        self.text = text


class _Formats:
    """Formatos compartidos del libro."""

    def __init__(self, wb: Workbook) -> None:
        self.header = wb.add_format({"bold": True, "font_color": "FFFFFF", "bg_color": HEADER_FILL,
                                     "text_wrap": True, "valign": "vcenter", "border": 1})
        self.title = wb.add_format({"bold": True, "font_size": 12, "font_color": HEADER_FILL})
        self.note = wb.add_format({"italic": True, "font_color": "595959"})
        self.pct0 = wb.add_format({"num_format": "0%"})
        self.pct2 = wb.add_format({"num_format": "0.00%"})
        self.date = wb.add_format({"num_format": "dd/mm/yyyy hh:mm"})
        self.link = wb.add_format({"font_color": "0563C1", "underline": 1})
        self.estado = {e: wb.add_format({"bg_color": bg, "font_color": fg})
                       for e, (bg, fg) in ESTADO_COLORS.items()}
        self.severity = {s: wb.add_format({"bg_color": SEVERITY_FILL[s], "font_color": SEVERITY_FONT[s]})
                         for s in SEVERITY_FILL}


def write_master(c: Consolidation, config: RulesConfig, target: Path | IO[bytes],
                 fast: bool | None = None) -> None:
    """Escribe el maestro completo en `target` (la ruta temporal de `atomic_output`, o un
    archivo en memoria).

    `fast`: escribir las hojas grandes en bloque (`bulk_sheet`); por omisión, si la
    versión de XlsxWriter lo permite. Ambos caminos dan las mismas celdas.
    Un error del disco (lleno, de solo lectura, sin permiso) llega como `OSError`, también
    el que XlsxWriter envuelve en su `FileCreateError`. Con libros grandes, los archivos de
    trabajo de XlsxWriter van en una carpeta temporal junto a `target`, que se borra
    siempre al salir (nunca en $TMPDIR).
    """
    in_memory = not isinstance(target, Path) or c.plan_rows <= IN_MEMORY_ROWS
    if in_memory:
        _write_master(c, config, target, fast, None)
        return
    with temp_dir_next_to(target) as work:
        _write_master(c, config, target, fast, work)


def _write_master(c: Consolidation, config: RulesConfig, target: Path | IO[bytes],
                  fast: bool | None, work: Path | None) -> None:
    fast = bulk_sheet.available() if fast is None else fast
    big = c.plan_rows > CONSTANT_MEMORY_ROWS
    options: dict[str, Any] = {
        "constant_memory": big and not fast, "strings_to_numbers": False,
        "strings_to_formulas": False, "strings_to_urls": False, "use_zip64": True,
        "in_memory": work is None,
    }
    if work is not None:
        options["tmpdir"] = str(work)
    wb = xlsxwriter.Workbook(str(target) if isinstance(target, Path) else target, options)
    wb.set_properties({
        "title": "Plan Estratégico Anual — libro maestro",
        "subject": "Consolidación de los planes de las dependencias",
        "author": "PEA (Instituto de Planeación)",
        "company": config.parametros.municipio or "",
        "comments": f"Generado por pea consolidar {__version__} el {c.started:%d/%m/%Y %H:%M}.",
    })
    wb.set_custom_property(MASTER_PROPERTY, __version__)
    fmt = _Formats(wb)
    summary = build_summary(c, config)
    safe = bulk_sheet.SafeWorksheet  # textos de las dependencias: tope y XML bien formado
    bulk_class = bulk_sheet.BulkWorksheet if fast else safe
    ws_plan = wb.add_worksheet(SHEET_PLAN, worksheet_class=bulk_class)
    ws_ent = wb.add_worksheet(SHEET_ENTREGAS, worksheet_class=safe)
    ws_obs = wb.add_worksheet(SHEET_OBSERVACIONES, worksheet_class=bulk_class)
    ws_res = wb.add_worksheet(SHEET_RESUMEN, worksheet_class=safe)
    ws_cob = wb.add_worksheet(SHEET_COBERTURA, worksheet_class=safe)
    _table_sheet(ws_plan, fmt, PLAN_COLUMNS, lambda: tables.plan_rows(c), c.plan_rows,
                 "PlanConsolidado",
                 use_table=not big, freeze_col=1, estado_col=1)
    n_ent = len(c.submissions)
    _table_sheet(ws_ent, fmt, ENTREGAS_COLUMNS, lambda: _linked_entregas(c), n_ent, "Entregas",
                 use_table=not big, estado_col=2)
    n_obs = sum(len(s.findings) for s in c.submissions if s.estado != OMITIDO)
    _table_sheet(ws_obs, fmt, OBSERVACIONES_COLUMNS, lambda: tables.observaciones_rows(c), n_obs,
                 "Observaciones", use_table=not big, severity_col=6)
    _resumen(wb, ws_res, fmt, summary)
    _cobertura(ws_cob, fmt, c, use_table=not big)
    ws_res.activate()
    try:
        with bulk_sheet.fast_close():
            wb.close()
    except FileCreateError as exc:  # XlsxWriter envuelve el OSError (disco lleno…)
        cause = exc.args[0] if exc.args and isinstance(exc.args[0], OSError) else None
        raise (cause or OSError(str(exc))) from None


def _table_sheet(ws: Worksheet, fmt: _Formats, columns: list[MasterColumn],
                 rows: Callable[[], Iterable[list[Any]]], nrows: int, name: str, *,
                 use_table: bool,
                 freeze_col: int = 0, estado_col: int | None = None,
                 severity_col: int | None = None, first_row: int = 0) -> int:
    """Encabezado en `first_row`, datos debajo, como tabla de Excel (o con autofiltro)."""
    ncols = len(columns)
    for i, col in enumerate(columns):
        ws.set_column(i, i, col.width)
    last = first_row + max(nrows, 1)
    ws.set_row(first_row, 32)
    if first_row == 0:
        ws.set_landscape()
        ws.repeat_rows(0)
    if use_table:
        options = {"name": name, "style": TABLE_STYLE, "autofilter": True,
                   "columns": [{"header": col.header, "header_format": fmt.header}
                               for col in columns]}
        if isinstance(ws, bulk_sheet.BulkWorksheet):
            ws.add_bulk_table(first_row, 0, last, ncols - 1, options)
        else:
            ws.add_table(first_row, 0, last, ncols - 1, options)
    else:
        for i, col in enumerate(columns):
            ws.write_string(first_row, i, col.header, fmt.header)
        ws.autofilter(first_row, 0, last, ncols - 1)
    if first_row == 0:
        ws.freeze_panes(1, freeze_col)
    if isinstance(ws, bulk_sheet.BulkWorksheet):
        percent = {i: (fmt.pct0, fmt.pct2) for i, col in enumerate(columns)
                   if col.kind == "percent"}
        ws.set_bulk_rows(rows, first_row=first_row + 1, nrows=nrows, ncols=ncols,
                         number_formats=percent, shared_strings=use_table)
        written = nrows
    else:
        written = _write_rows(ws, fmt, columns, rows(), first_row + 1)
    if estado_col is not None:
        for estado, f in fmt.estado.items():
            ws.conditional_format(first_row + 1, estado_col, last, estado_col, {
                "type": "cell", "criteria": "==", "value": f'"{estado}"', "format": f})
    if severity_col is not None:
        for sev, f in fmt.severity.items():
            ws.conditional_format(first_row + 1, severity_col, last, severity_col, {
                "type": "cell", "criteria": "==", "value": f'"{sev}"', "format": f})
    return written


def _write_rows(ws: Worksheet, fmt: _Formats, columns: list[MasterColumn],
                rows: Iterable[list[Any]], start: int) -> int:
    """Escribe celda por celda con el método de su tipo (lo más rápido de XlsxWriter)."""
    write_string, write_number = ws.write_string, ws.write_number
    write_datetime, write_boolean = ws.write_datetime, ws.write_boolean
    percent = {i for i, col in enumerate(columns) if col.kind == "percent"}
    pct0, pct2, date, link = fmt.pct0, fmt.pct2, fmt.date, fmt.link
    r = start
    for row in rows:
        for ci, v in enumerate(row):
            if v is None:
                continue
            t = type(v)
            if t is str:
                write_string(r, ci, v)
            elif (t is float or t is int) and not fits(v):  # 1e308, inf, NaN: como texto
                write_string(r, ci, as_text(v))
            elif t is float or t is int:
                if ci in percent:
                    scaled = v * 100
                    write_number(r, ci, v, pct0 if abs(scaled - round(scaled)) < 1e-9 else pct2)
                else:
                    write_number(r, ci, v)
            elif t is dt.datetime:
                write_datetime(r, ci, v, date)
            elif t is bool:
                write_boolean(r, ci, v)
            elif t is Link:
                ws.write_url(r, ci, v.url, link, string=v.text)
            else:
                write_string(r, ci, str(v))
        r += 1
    return r - start


#: Lo que Excel escapa en la ruta de un vínculo a un archivo (como `xlsxwriter.url`), y «#»,
#: que XlsxWriter tomaría como el inicio de una celda dentro del libro, y «?».
_URL_ESCAPES = (("%", "%25"), ('"', "%22"), (" ", "%20"), ("<", "%3c"), (">", "%3e"),
                ("[", "%5b"), ("]", "%5d"), ("^", "%5e"), ("`", "%60"), ("{", "%7b"),
                ("}", "%7d"), ("#", "%23"), ("?", "%3f"))
#: Largo máximo de un vínculo en Excel (XlsxWriter rechaza uno más largo y deja la celda vacía).
_URL_MAX = 2079
#: Lo que no puede ir en una parte de la ruta de un vínculo seguro: la barra invertida (en
#: Windows es un separador: dos al inicio serían una ruta UNC a otro equipo), «:» («http:»,
#: «mailto:», «C:»), los caracteres de control y los bytes que no eran UTF-8.
_UNSAFE_PART = re.compile(r"[\\:\x00-\x1f\x7f-\x9f\ud800-\udfff]")


def file_link(path: str) -> str:
    """Vínculo de XlsxWriter a un archivo por su ruta (que puede tener «#», «%», espacios…)."""
    for char, code in _URL_ESCAPES:
        path = path.replace(char, code)
    return f"external:{path}"


def relative_link(path: Path, base: Path) -> str | None:
    """Vínculo relativo de `base` (la carpeta del maestro) a la entrega `path`, armado con
    las partes de la ruta; None si no hay uno seguro: el nombre de un archivo nunca se
    vuelve un vínculo UNC, «http:», «mailto:» ni una ruta absoluta (otra unidad)."""
    try:
        rel = Path(os.path.relpath(path.resolve(), base))
    except ValueError:  # otra unidad en Windows: sin vínculo
        return None
    parts = rel.parts
    if not parts or rel.is_absolute() or rel.anchor:
        return None
    if any(not part or part == "." or _UNSAFE_PART.search(part) for part in parts):
        return None
    link = file_link("/".join(parts))
    return link if len(link.encode("utf-16-le")) // 2 <= _URL_MAX else None


def _linked_entregas(c: Consolidation) -> Iterable[list[Any]]:
    """Filas de «Entregas» con la columna Archivo como vínculo al libro (ruta relativa)."""
    base = c.output.parent.resolve()
    for i, (sub, row) in enumerate(zip(c.submissions, tables.entregas_rows(c), strict=True)):
        if sub.found.link and i < 65_000:  # la página de la entrega (la Ventanilla)
            row[ENTREGAS_ARCHIVO] = Link(sub.found.link, sub.archivo)
        elif sub.outcome is not None and i < 65_000:  # límite de vínculos por hoja de Excel
            link = relative_link(sub.found.path, base)
            if link is not None:
                row[ENTREGAS_ARCHIVO] = Link(link, sub.archivo)
        yield row


# --- Resumen -------------------------------------------------------------------------

def _resumen(wb: Workbook, ws: Worksheet, fmt: _Formats, s: Summary) -> None:
    ws.set_column(0, 0, 46)
    ws.set_column(1, 1, 14)
    ws.set_column(2, 5, 11)
    ws.set_column(6, 6, 2)
    ws.set_landscape()
    ws.set_paper(1)  # carta
    ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.5)
    ws.fit_to_pages(1, 0)
    ws.write_string(0, 0, "Indicador", fmt.header)
    ws.write_string(0, 1, "Valor", fmt.header)
    for i, (label, value) in enumerate(s.counts, start=1):
        ws.write_string(i, 0, label)
        if isinstance(value, dt.datetime):
            ws.write_datetime(i, 1, value, fmt.date)
        elif isinstance(value, int | float):
            ws.write_number(i, 1, value)
        else:
            ws.write_string(i, 1, str(value))
    head = len(s.counts) + 2
    ws.write_string(head, 0, "Estado de las entregas", fmt.header)
    ws.write_string(head, 1, "Archivos", fmt.header)
    for i, (estado, n) in enumerate(s.by_estado, start=head + 1):
        ws.write_string(i, 0, estado, fmt.estado.get(estado))
        ws.write_number(i, 1, n)
    chart = wb.add_chart({"type": "bar"})
    chart.add_series({
        "name": "Archivos por estado",
        "categories": [ws.name, head + 1, 0, head + len(s.by_estado), 0],
        "values": [ws.name, head + 1, 1, head + len(s.by_estado), 1],
        "points": [{"fill": {"color": ESTADO_COLORS[e][0]},
                    "border": {"color": ESTADO_COLORS[e][1]}} for e, _ in s.by_estado],
        "data_labels": {"value": True},
    })
    chart.set_title({"name": "Entregas por estado", "name_font": {"size": 11}})
    chart.set_legend({"none": True})
    chart.set_y_axis({"reverse": True})
    chart.set_size({"width": 560, "height": 300})
    ws.insert_chart(0, 7, chart)
    row = head + len(s.by_estado) + 3
    for title, header, groups in (
        ("Distribución trimestral promedio por eje temático", "Eje temático", s.by_eje),
        ("Distribución trimestral promedio por programa presupuestario",
         "Programa presupuestario", s.by_programa),
        ("Distribución trimestral promedio por dependencia", "Dependencia", s.by_dependencia),
    ):
        row = _group_block(wb, ws, fmt, row, title, header, groups)
    ws.write_string(row, 0, "Reglas con más hallazgos", fmt.title)
    row += 1
    for i, h in enumerate(("Descripción", "Regla", "Severidad", "Hallazgos", "Archivos")):
        ws.write_string(row, i, h, fmt.header)
    for rid, sev, title, n, files in s.top_rules:
        row += 1
        ws.write_string(row, 0, title)
        ws.write_string(row, 1, rid)
        ws.write_string(row, 2, sev, fmt.severity.get(sev))
        ws.write_number(row, 3, n)
        ws.write_number(row, 4, files)
    ws.write_string(row + 2, 0, RULES_NOTE, fmt.note)


def _group_block(wb: Workbook, ws: Worksheet, fmt: _Formats, row: int, title: str,
                 header: str, groups: list[GroupRow]) -> int:
    """Tabla de promedios por grupo y su gráfica de barras apiladas (100 %)."""
    ws.write_string(row, 0, title, fmt.title)
    ws.write_string(row + 1, 0, "Promedio de las líneas de meta vigentes con los cuatro "
                                "trimestres capturados, entre 0 % y 100 %.", fmt.note)
    head = row + 2
    for i, h in enumerate((header, "Líneas", *QUARTER_HEADERS)):
        ws.write_string(head, i, h, fmt.header)
    for i, g in enumerate(groups, start=head + 1):
        ws.write_string(i, 0, g.label)
        ws.write_number(i, 1, g.lines)
        for q, v in enumerate(g.average):
            ws.write_number(i, 2 + q, v, fmt.pct0)
    if not groups:
        ws.write_string(head + 1, 0, "(sin líneas con los cuatro trimestres)", fmt.note)
    shown = min(len(groups), CHART_MAX_CATEGORIES)
    if shown:
        chart = wb.add_chart({"type": "bar", "subtype": "percent_stacked"})
        for q in range(4):
            chart.add_series({
                "name": [ws.name, head, 2 + q],
                "categories": [ws.name, head + 1, 0, head + shown, 0],
                "values": [ws.name, head + 1, 2 + q, head + shown, 2 + q],
                "fill": {"color": QUARTER_COLORS[q]},
                "gap": 60,
            })
        name = title if shown == len(groups) else f"{title} (primeros {shown})"
        chart.set_title({"name": name, "name_font": {"size": 11}})
        chart.set_x_axis({"num_format": "0%", "major_gridlines": {"visible": True},
                          "num_font": {"size": 8}})
        chart.set_y_axis({"reverse": True, "num_font": {"size": 7}})
        chart.set_legend({"position": "bottom"})
        chart.set_size({"width": 620, "height": max(220, 70 + 20 * shown)})
        ws.insert_chart(head, 7, chart)
    chart_rows = (max(220, 70 + 20 * shown) // 20 + 1) if shown else 0
    return head + max(len(groups) + 1, chart_rows) + 2


# --- Cobertura -----------------------------------------------------------------------

def _cobertura(ws: Worksheet, fmt: _Formats, c: Consolidation, *, use_table: bool) -> None:
    n = len(c.cross)
    _table_sheet(ws, fmt, COBERTURA_COLUMNS, lambda: tables.cobertura_rows(c), n, "Cobertura",
                 use_table=use_table, severity_col=1)
    if n == 0:
        ws.write_string(1, 2, "Sin hallazgos entre libros.", fmt.note)
    if not c.strategies:
        return
    row = max(n, 1) + 3
    ws.write_string(row, 0, "Cobertura del PMDG: estrategias y dependencias que las atienden",
                    fmt.title)
    first = row + 1
    for i, col in enumerate(ESTRATEGIAS_COLUMNS):
        if use_table:
            continue
        ws.write_string(first, i, col.header, fmt.header)
    if use_table:
        ws.add_table(first, 0, first + len(c.strategies), len(ESTRATEGIAS_COLUMNS) - 1, {
            "name": "CoberturaPMDG", "style": "Table Style Light 9",
            "columns": [{"header": col.header, "header_format": fmt.header}
                        for col in ESTRATEGIAS_COLUMNS]})
    _write_rows(ws, fmt, ESTRATEGIAS_COLUMNS, tables.estrategias_rows(c), first + 1)
    ws.conditional_format(first + 1, 4, first + len(c.strategies), 4, {
        "type": "cell", "criteria": "==", "value": 0, "format": fmt.estado[RECHAZADO]})


def is_master(path: Path | IO[bytes]) -> bool:
    """¿El libro es un maestro escrito por PEA? (no se sobrescribe otra cosa ni se lee como
    entrega)."""
    from pea.docprops import has_property

    return has_property(path, MASTER_PROPERTY)
