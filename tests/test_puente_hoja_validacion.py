"""El botón Validar con una hoja de la dependencia llamada «Validación»: se valida como plan
y nunca se borra (ni al validar ni al limpiar); el reporte va en «Validación PEA»."""

from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook

from pea.config import RulesConfig
from pea.demo import demo_plans
from pea.demo.mutate import apply_changes
from pea.demo.writer import write_plan_xlsx
from pea.excel import bridge
from pea.excel.reader import MARKS_SHEET
from pea.validation import validate_file
from tests.puente_fake import FakeBook


def _visible(book: FakeBook) -> list[str]:
    return [n for n in book._names() if n != MARKS_SHEET]


def _plan_named(tmp_path: Path, title: str) -> Path:
    path = write_plan_xlsx(demo_plans()[1], tmp_path / "t.xlsx", variant="fraccion")
    apply_changes(path, {"celdas": {"M10": 0.4, "N10": 0.3, "O10": 0.2, "P10": 0}})
    wb = load_workbook(path)
    wb["PEA"].title = title
    wb.save(path)
    return path


def test_plan_en_hoja_validacion(tmp_path: Path, config: RulesConfig) -> None:
    path = _plan_named(tmp_path, "Validación")
    book = FakeBook._from_xlsx(path)
    ours = bridge.validate_book(book)
    _p, ref = validate_file(path, config)
    assert [(f.regla, f.celda) for f in ours.hallazgos] == [("PEA-Q03", "M10")]
    assert [(f.regla, f.celda) for f in ref.hallazgos] == [("PEA-Q03", "M10")]
    assert _visible(book) == ["Validación", "Validación PEA"]
    plan_cells = dict(book._sheet("Validación")._cells)
    bridge.validate_book(book)  # otra vez: se reemplaza el reporte, no el plan
    assert _visible(book) == ["Validación", "Validación PEA"]
    assert book._sheet("Validación")._cells == plan_cells
    bridge.clean_book(book)
    assert _visible(book) == ["Validación"]
    assert book._sheet("Validación")._cells == plan_cells


def test_reporte_anterior_se_reemplaza(tmp_path: Path) -> None:
    path = _plan_named(tmp_path, "PEA")
    book = FakeBook._from_xlsx(path)
    bridge.validate_book(book)
    bridge.validate_book(book)
    assert _visible(book) == ["PEA", "Validación"]
    bridge.clean_book(book)
    assert _visible(book) == ["PEA"]
