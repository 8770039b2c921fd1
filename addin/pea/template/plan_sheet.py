"""Hoja «PEA»: el formato oficial (título, encabezado de dos filas, filas de datos, firmas)."""

from __future__ import annotations

from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.protection import SheetProtection
from openpyxl.worksheet.worksheet import Worksheet

from pea import layout as L
from pea.config import RulesConfig
from pea.official_header import write_table_header
from pea.template import geometry as G

_THIN = Side(style="thin", color="808080")
BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
HEAD_FILL = PatternFill("solid", fgColor="7B2C3B")
HEAD_FONT = Font(bold=True, color="FFFFFF", size=9)
CONTROL_FILL = PatternFill("solid", fgColor="D9D9D9")
INPUT_FILL = PatternFill("solid", fgColor="FFF9E5")
UNLOCKED = Protection(locked=False)
LOCKED = Protection(locked=True)
DATA_ALIGN = Alignment(wrap_text=True, vertical="top")
CENTER_ALIGN = Alignment(horizontal="center", vertical="top", wrap_text=True)
PERCENT_FORMAT = "0%"
LAST = L.LAST_COL
CONTROL = L.CONTROL_COL


def gobierno_text(cfg: RulesConfig) -> str:
    """«Gobierno Municipal de Oaxaca de Jalisco 2021-2024»."""
    p = cfg.parametros
    parts = ["Gobierno Municipal de", p.municipio or "(municipio)", p.periodo_administracion or ""]
    return " ".join(x for x in parts if x)


def write_plan_sheet(ws: Worksheet, cfg: RulesConfig) -> None:
    """Escribe la hoja del plan vacía, lista para capturar e imprimir."""
    ws.title = L.PLAN_SHEET
    _title_block(ws, cfg)
    _header(ws, cfg)
    _data_rows(ws)
    _footer(ws)
    _page_setup(ws)
    ws.freeze_panes = f"A{G.FIRST_ROW}"
    ws.protection = SheetProtection(
        sheet=True, formatCells=True, formatRows=False, formatColumns=False,
        insertRows=False, selectLockedCells=False, selectUnlockedCells=False,
    )


def _title_block(ws: Worksheet, cfg: RulesConfig) -> None:
    titles = ((L.ROW_GOBIERNO, gobierno_text(cfg), 12),
              (L.ROW_TITLE, L.title_text(cfg.parametros.anio_plan), 14),
              (L.ROW_INSTITUTO, "Instituto Municipal de Planeación", 12))
    for row, text, size in titles:
        ws[f"A{row}"] = text
        ws[f"A{row}"].font = Font(bold=True, size=size)
        ws[f"A{row}"].alignment = Alignment(horizontal="center", vertical="center")
        ws.merge_cells(f"A{row}:{LAST}{row}")
        ws.row_dimensions[row].height = 20
    for row, label in ((L.ROW_DEPENDENCIA, L.LABEL_DEPENDENCIA),
                       (L.ROW_MISION, L.LABEL_MISION),
                       (L.ROW_VISION, L.LABEL_VISION)):
        ws[f"A{row}"] = label
        ws[f"A{row}"].font = Font(bold=True)
        ws[f"A{row}"].alignment = Alignment(horizontal="right", vertical="center")
        for idx in range(2, L.col_index(LAST) + 1):
            cell = ws.cell(row=row, column=idx)
            cell.protection = UNLOCKED
            cell.border = BORDER
            cell.fill = INPUT_FILL
        ws[f"B{row}"].alignment = Alignment(wrap_text=True, vertical="center")
        ws.merge_cells(f"B{row}:{LAST}{row}")
        ws.row_dimensions[row].height = 18 if row == L.ROW_DEPENDENCIA else 32


def _header(ws: Worksheet, cfg: RulesConfig) -> None:
    h, s = L.ROW_HEADER, L.ROW_SUBHEADER
    write_table_header(ws, cfg.catalogos.ejes_transversales_labels(), meta_label="DESCRIPCIÓN")
    ws[f"{CONTROL}{h}"] = G.CONTROL_HEADER
    ws.merge_cells(f"{CONTROL}{h}:{CONTROL}{s}")
    for row in (h, s):
        for idx in range(1, L.col_index(CONTROL) + 1):
            cell = ws.cell(row=row, column=idx)
            cell.fill = CONTROL_FILL if idx == L.col_index(CONTROL) else HEAD_FILL
            cell.font = Font(bold=True, size=9) if idx == L.col_index(CONTROL) else HEAD_FONT
            cell.border = BORDER
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for key in L.MARK_KEYS:  # textos largos en columnas angostas: verticales
        ws[f"{L.BY_KEY[key].letter}{s}"].alignment = Alignment(
            horizontal="center", vertical="center", wrap_text=True, text_rotation=90)
    ws.row_dimensions[h].height = 30
    ws.row_dimensions[s].height = 175
    for c in L.COLUMNS:
        ws.column_dimensions[c.letter].width = c.width
    ws.column_dimensions[CONTROL].width = 9


def _data_rows(ws: Worksheet) -> None:
    marks = {L.BY_KEY[k].letter for k in L.MARK_KEYS}
    quarters = {L.BY_KEY[k].letter for k in L.QUARTER_KEYS}
    for row in range(G.FIRST_ROW, G.LAST_ROW + 1):
        for c in L.COLUMNS:
            cell = ws[f"{c.letter}{row}"]
            cell.border = BORDER
            cell.protection = UNLOCKED
            cell.font = Font(size=9)
            if c.letter in marks:
                cell.alignment = CENTER_ALIGN
            elif c.letter in quarters:
                cell.alignment = CENTER_ALIGN
                cell.number_format = PERCENT_FORMAT
            else:
                cell.alignment = DATA_ALIGN
        control = ws[f"{CONTROL}{row}"]
        control.value = G.control_formula(row)
        control.number_format = PERCENT_FORMAT
        control.border = BORDER
        control.fill = CONTROL_FILL
        control.font = Font(bold=True, size=9)
        control.alignment = CENTER_ALIGN
        control.protection = LOCKED


def _footer(ws: Worksheet) -> None:
    for col, label in ((L.FOOTER_ELABORO_COL, L.FOOTER_ELABORO),
                       (L.FOOTER_AUTORIZO_COL, L.FOOTER_AUTORIZO)):
        end = G.FOOTER_SPANS[col]
        for row in (G.FOOTER_LABEL_ROW, G.FOOTER_NAME_ROW, G.FOOTER_CARGO_ROW):
            first = L.col_index(col)
            for idx in range(first, L.col_index(end) + 1):
                cell = ws.cell(row=row, column=idx)
                cell.alignment = Alignment(horizontal="center", vertical="top", wrap_text=True)
                if row == G.FOOTER_NAME_ROW:
                    cell.border = Border(top=Side(style="thin", color="000000"))
                if row != G.FOOTER_LABEL_ROW:
                    cell.protection = UNLOCKED
            ws.merge_cells(f"{col}{row}:{end}{row}")
        ws[f"{col}{G.FOOTER_LABEL_ROW}"] = label
        ws[f"{col}{G.FOOTER_LABEL_ROW}"].font = Font(bold=True)
    ws.row_dimensions[G.FOOTER_LABEL_ROW].height = 54  # espacio para la firma, sobre la línea
    ws.row_dimensions[G.FOOTER_CARGO_ROW].height = 30


def _page_setup(ws: Worksheet) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_LEGAL
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.print_title_rows = f"{L.ROW_HEADER}:{L.ROW_SUBHEADER}"
    ws.print_area = f"A1:{LAST}{G.FOOTER_CARGO_ROW}"
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.5
    ws.oddFooter.center.text = "Página &P de &N"
    ws.oddFooter.center.size = 8
    ws.oddFooter.left.text = L.PLAN_SHEET
    ws.oddFooter.left.size = 8
