"""Una sola elección de la hoja del plan (reading/sheet_choice.py) para el archivo en disco y
para el libro abierto en Excel (issue 13 §3)."""

from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook

from pea import layout as L
from pea.config import RulesConfig
from pea.demo import demo_plans
from pea.demo.writer import write_plan_xlsx
from tests.test_puente_validar import both, key

ADDIN = Path(__file__).resolve().parents[1] / "addin" / "pea"


def test_hojas_de_pea_sin_distinguir_mayusculas(tmp_path: Path, config: RulesConfig) -> None:
    """Una copia del plan en una hoja «pea_marcas» no es otra hoja del plan, ni para el
    archivo ni para el botón (antes el lector de archivos comparaba el nombre exacto)."""
    path = write_plan_xlsx(demo_plans()[1], tmp_path / "marcas.xlsx")
    wb = load_workbook(path)
    wb.copy_worksheet(wb[L.PLAN_SHEET]).title = "pea_marcas"
    wb.save(path)
    ours, ref, _book = both(path, config)
    assert ours.hoja == ref.hoja == L.PLAN_SHEET
    assert not [a for a in ref.avisos if "varias hojas" in a]
    assert [a for a in ours.avisos if "hojas" in a] == [a for a in ref.avisos if "hojas" in a]
    assert key(ours) == key(ref)


def test_sin_hoja_del_plan_el_mismo_pea_e01(tmp_path: Path, config: RulesConfig) -> None:
    path = tmp_path / "sin_plan.xlsx"
    wb = load_workbook(write_plan_xlsx(demo_plans()[1], path))
    wb.create_sheet(L.INSTRUCTIONS_SHEET)["A1"] = "Llene la hoja del plan."
    for ws in wb.worksheets:
        if ws.title == L.PLAN_SHEET:
            ws.delete_rows(1, ws.max_row)
            ws.sheet_state = "hidden"
    wb.save(path)
    ours, ref, _book = both(path, config)
    assert [f.mensaje for f in ours.hallazgos] == [f.mensaje for f in ref.hallazgos]
    assert ref.hallazgos[0].regla == "PEA-E01"


def test_eleccion_por_encabezado_y_visibilidad() -> None:
    from pea.reading.sheet_choice import Candidate, choose_plan_sheet

    sheets = [Candidate("Oculta", True, "o"), Candidate("pea_META", False, "v"),
              Candidate("Plan", False, "p"), Candidate("Otra", False, "x")]
    choice = choose_plan_sheet(sheets, lambda h: h in {"o", "v", "p", "x"})
    assert choice.sheet is not None and choice.sheet.name == "Plan"
    assert choice.avisos == ["El libro tiene varias hojas con el formato del plan («Plan», "
                             "«Otra», «Oculta»); se validó «Plan». Deje una sola hoja con el plan."]
    hidden = choose_plan_sheet(sheets, lambda h: h == "o")
    assert hidden.sheet is not None and hidden.avisos == [
        "La hoja del plan «Oculta» está oculta; se validó de todos modos."]
    none = choose_plan_sheet(sheets, lambda h: False)
    assert none.sheet is None and none.hojas == "Plan, Otra"


def test_un_solo_lugar_para_la_eleccion() -> None:
    """Los mensajes de la elección y la lista de hojas auxiliares viven en un solo módulo;
    validation.py tiene solo reglas y reporte."""
    hits = [p.relative_to(ADDIN).as_posix() for p in ADDIN.rglob("*.py")
            if "varias hojas con el formato" in p.read_text(encoding="utf-8")
            or ('"xlwings.conf"' in p.read_text(encoding="utf-8")
            and "AUXILIARY" in p.read_text(encoding="utf-8"))]
    assert hits == ["reading/sheet_choice.py"]
    source = (ADDIN / "validation.py").read_text(encoding="utf-8")
    assert "open_workbook" not in source and "find_header_row" not in source


def test_plan_en_una_hoja_llamada_validacion(tmp_path: Path, config: RulesConfig) -> None:
    """El archivo se valida con esa hoja; el botón no la borra al escribir su reporte: lo
    escribe en «Validación PEA» (la misma elección, sin perder la hoja de la dependencia)."""
    from pea.excel import bridge
    from pea.validation import validate_file
    from tests.puente_fake import FakeBook

    path = write_plan_xlsx(demo_plans()[1], tmp_path / "validacion.xlsx")
    wb = load_workbook(path)
    wb[L.PLAN_SHEET].title = L.VALIDATION_SHEET
    wb.save(path)
    _plan, ref = validate_file(path, config)
    assert ref.hoja == L.VALIDATION_SHEET
    assert not [f for f in ref.hallazgos if f.regla == "PEA-E01"]
    book = FakeBook._from_xlsx(path)
    before = dict(book._sheet(L.VALIDATION_SHEET)._cells)
    bridge.validate_book(book)
    assert book._sheet(L.VALIDATION_SHEET)._cells == before
    assert book._sheet(L.VALIDATION_SHEET + " PEA") is not None
