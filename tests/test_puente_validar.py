"""Botones Validar y Limpiar sobre el doble de xlwings: mismos hallazgos que `pea validar`,
idempotencia y respeto del formato propio de la persona."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import PatternFill

from pea import layout as L
from pea.config import RulesConfig
from pea.demo import demo_plans
from pea.demo.mistakes import MISTAKES
from pea.demo.mutate import apply_changes
from pea.demo.writer import VARIANTS, write_plan_xlsx
from pea.excel import bridge
from pea.excel.reader import MARKS_SHEET
from pea.feedback import SEVERITY_FILL
from pea.validation import validate_file
from tests.puente_fake import FakeBook, plan_with_lines

WHEN = dt.datetime(2024, 3, 1, 9, 30)


def key(report: Any) -> list[tuple[str, str | None, str]]:
    return [(f.regla, f.celda, f.severidad) for f in report.hallazgos]


def both(path: Path, config: RulesConfig) -> tuple[Any, Any, FakeBook]:
    """(reporte del puente, reporte de pea validar, libro) sobre el mismo archivo."""
    book = FakeBook._from_xlsx(path)
    ours = bridge.validate_book(book, when=WHEN)
    _plan, ref = validate_file(path, config)
    return ours, ref, book


def state(book: FakeBook) -> dict[str, Any]:
    return {"sheets": [(s._name, s._visible) for s in book._sheets],
            **{s._name: s._state() for s in book._sheets}}


def _cases() -> list[tuple[str, int, str, dict[str, Any]]]:
    cases = [(f"{i:02d}_{v}", i, v, {}) for i in range(len(demo_plans())) for v in VARIANTS]
    cases += [(name, i, v, changes) for name, i, v, changes in MISTAKES]
    cases += [
        ("sin_indicador_combinada", 1, "combinada", {"celdas": {"R10": None}}),
        ("trimestre_texto_malo", 2, "texto", {"celdas": {"N10": "treinta", "O11": "150%"}}),
        ("sin_dependencia", 3, "fraccion", {"celdas": {"B4": None}}),
        ("sin_columna_indicador", 4, "combinada", {"borrar_columnas": ["R"]}),
        ("sin_firma", 5, "vacia", {"celdas": {"Q15": None}}),
    ]
    return cases


@pytest.mark.parametrize(("name", "index", "variant", "changes"), _cases(),
                         ids=[c[0] for c in _cases()])
def test_mismos_hallazgos_que_pea_validar(tmp_path: Path, config: RulesConfig, name: str,
                                         index: int, variant: str,
                                         changes: dict[str, Any]) -> None:
    path = write_plan_xlsx(demo_plans()[index], tmp_path / f"{name}.xlsx",
                           variant=variant)  # type: ignore[arg-type]
    if changes:
        apply_changes(path, changes)
    ours, ref, _book = both(path, config)
    assert key(ours) == key(ref)
    assert [f.mensaje for f in ours.hallazgos] == [f.mensaje for f in ref.hallazgos]


@pytest.mark.parametrize("variant", VARIANTS)
def test_plan_de_50_lineas(tmp_path: Path, config: RulesConfig, variant: str) -> None:
    path = write_plan_xlsx(plan_with_lines(50), tmp_path / "grande.xlsx",
                           variant=variant)  # type: ignore[arg-type]
    ours, ref, _book = both(path, config)
    assert key(ours) == key(ref)


def _edit(path: Path, fn: Any) -> Path:
    wb = load_workbook(path)
    fn(wb[L.PLAN_SHEET])
    wb.save(path)
    return path


def test_trimestres_combinados_y_formatos_mezclados(tmp_path: Path,
                                                    config: RulesConfig) -> None:
    """Lo que solo se ve con formatos y combinaciones: el puente los lee de Excel."""
    path = write_plan_xlsx(plan_with_lines(8), tmp_path / "raro.xlsx", variant="fraccion")

    def change(ws: Any) -> None:
        ws["M11"] = None
        ws.merge_cells("M10:M11")  # un trimestre combinado sobre dos líneas
        ws["N12"].number_format = "0.0"  # 0.25 sin formato de porcentaje
        ws["O12"].number_format = '0.00" %"'  # «%» dentro de comillas no es porcentaje
        ws["P13"] = "=0.1+0.15"
    _edit(path, change)
    ours, ref, _book = both(path, config)
    assert key(ours) == key(ref)
    cells = {(f.regla, f.celda) for f in ref.hallazgos}
    assert ("PEA-Q03", "M11") in cells  # la fila 11 hereda el 42 % combinado
    assert ("PEA-Q03", "M12") in cells  # N12 sin formato de porcentaje ya no es 25 %


def test_libro_sin_hoja_del_plan(tmp_path: Path, config: RulesConfig) -> None:
    path = write_plan_xlsx(demo_plans()[0], tmp_path / "sin_encabezado.xlsx")
    _edit(path, lambda ws: ws.delete_rows(L.ROW_HEADER, 2))
    ours, ref, book = both(path, config)
    assert key(ours) == key(ref) == [("PEA-E01", None, "error")]
    assert L.VALIDATION_SHEET in book._names()
    assert book._app._alerts[-1][0].startswith("No se encontró el encabezado de la tabla")


def test_hoja_validacion_resumen_y_vinculos(tmp_path: Path, config: RulesConfig) -> None:
    path = write_plan_xlsx(demo_plans()[1], tmp_path / "t.xlsx", variant="texto")
    apply_changes(path, {"celdas": {"M10": "40%", "N10": "30%", "O10": "20%", "P10": "0%"}})
    report, _ref, book = both(path, config)
    sheet = book._sheet(L.VALIDATION_SHEET)
    labels = {sheet._cells.get((r, 1)): sheet._cells.get((r, 2)) for r in range(1, 15)}
    assert labels["Errores"] == report.resumen["error"]
    assert labels["Fecha y hora"] == "01/03/2024 09:30"
    assert labels["Versión de reglas"].startswith(config.version)
    links = {f for f in sheet._formulas.values() if f.startswith("=HYPERLINK")}
    assert '=HYPERLINK("#\'PEA\'!M10","M10")' in links
    assert book._active is book._sheet(L.PLAN_SHEET)  # la persona sigue en su plan
    plan = book._sheet(L.PLAN_SHEET)
    assert plan._fills[(10, 13)] == "#" + SEVERITY_FILL["error"].lower()
    assert "[PEA-Q03]" in plan._notes[(10, 13)]
    assert book._sheet(MARKS_SHEET)._visible is False
    assert book._app._screen is True  # el redibujado queda como estaba


def _with_errors(tmp_path: Path) -> Path:
    path = write_plan_xlsx(plan_with_lines(12), tmp_path / "marcas.xlsx", variant="combinada")
    apply_changes(path, {"celdas": {"M10": 0.4, "R10": None, "B4": None}})
    return path


def test_presionar_dos_veces_deja_lo_mismo(tmp_path: Path) -> None:
    book = FakeBook._from_xlsx(_with_errors(tmp_path))
    bridge.validate_book(book, when=WHEN)
    once = state(book)
    bridge.validate_book(book, when=WHEN)
    assert state(book) == once
    assert len(book._app._alerts) == 2 and book._app._alerts[0] == book._app._alerts[1]


def _own_formatting(path: Path) -> Path:
    def change(ws: Any) -> None:
        ws["R10"].fill = PatternFill("solid", fgColor="FF00B050")  # su propio verde, con error
        ws["M10"].comment = Comment("Revisar con finanzas", "Ana")  # su nota, con error
        ws["A12"].fill = PatternFill("solid", fgColor="FFFFFF00")  # sin error
        ws["K12"].comment = Comment("Nota propia", "Ana")
    return _edit(path, change)


def test_validar_y_limpiar_devuelven_colores_y_notas_propios(tmp_path: Path) -> None:
    book = FakeBook._from_xlsx(_own_formatting(_with_errors(tmp_path)))
    before = state(book)
    plan = book._sheet(L.PLAN_SHEET)
    bridge.validate_book(book, when=WHEN)
    assert plan._fills[(10, 18)] == "#" + SEVERITY_FILL["error"].lower()
    assert "[PEA-R01]" in plan._notes[(10, 18)]
    assert "[PEA-Q03]" in plan._notes[(10, 13)]
    bridge.validate_book(book, when=WHEN)  # otra vez: los originales siguen guardados
    assert bridge.clean_book(book) > 0
    assert state(book) == before
    assert book._app._alerts[-1][0].startswith("Se quitaron las marcas")


def test_limpiar_sin_marcas(tmp_path: Path) -> None:
    book = FakeBook._from_xlsx(_with_errors(tmp_path))
    before = state(book)
    assert bridge.clean_book(book) == 0
    assert state(book) == before
    assert book._app._alerts[-1][0] == "No había marcas de PEA en este libro."


def test_corregir_y_volver_a_validar_quita_la_marca(tmp_path: Path) -> None:
    book = FakeBook._from_xlsx(_own_formatting(_with_errors(tmp_path)))
    plan = book._sheet(L.PLAN_SHEET)
    bridge.validate_book(book, when=WHEN)
    plan._cells[(10, 18)] = "Porcentaje de avance"  # la persona escribe el indicador
    report = bridge.validate_book(book, when=WHEN)
    assert "R10" not in {f.celda for f in report.hallazgos}
    assert plan._fills[(10, 18)] == "#00b050"  # vuelve su verde
    assert (10, 18) not in plan._notes


def test_insertar_filas_entre_corridas(tmp_path: Path) -> None:
    """Las marcas siguen a su celda aunque la persona inserte filas (fórmula en PEA_marcas)."""
    book = FakeBook._from_xlsx(_own_formatting(_with_errors(tmp_path)))
    plan = book._sheet(L.PLAN_SHEET)
    bridge.validate_book(book, when=WHEN)
    plan._insert_row(10)  # la fila 10 pasa a ser la 11
    assert plan._fills[(11, 18)] == "#" + SEVERITY_FILL["error"].lower()
    bridge.clean_book(book)
    assert plan._fills[(11, 18)] == "#00b050"
    assert plan._notes[(11, 13)] == "Revisar con finanzas"
    pea_fill = "#" + SEVERITY_FILL["error"].lower()
    assert pea_fill not in plan._fills.values()
    assert not any(n.startswith("[PEA-") for n in plan._notes.values())


def test_si_la_persona_cambia_una_marca_se_respeta(tmp_path: Path) -> None:
    book = FakeBook._from_xlsx(_with_errors(tmp_path))
    plan = book._sheet(L.PLAN_SHEET)
    bridge.validate_book(book, when=WHEN)
    plan._fills[(10, 18)] = "#0070c0"  # la persona pinta de azul la celda marcada
    plan._notes[(10, 13)] = "Ya lo corregí"  # y reescribe la nota
    bridge.clean_book(book)
    assert plan._fills[(10, 18)] == "#0070c0"
    assert plan._notes[(10, 13)] == "Ya lo corregí"


def test_hoja_protegida_sin_contrasena(tmp_path: Path) -> None:
    book = FakeBook._from_xlsx(_with_errors(tmp_path))
    plan = book._sheet(L.PLAN_SHEET)
    options = {"DrawingObjects": True, "Contents": True, "Scenarios": True,
               "AllowFormattingCells": False, "AllowInsertingRows": True}
    plan._protected = dict(options)
    bridge.validate_book(book, when=WHEN)
    assert plan._fills[(10, 18)] == "#" + SEVERITY_FILL["error"].lower()
    assert plan._protected is not None
    assert plan._protected["AllowInsertingRows"] is True
    assert plan._protected["AllowFormattingCells"] is False
    assert plan._protected["DrawingObjects"] is True
    bridge.clean_book(book)
    assert (10, 18) not in plan._fills and plan._protected is not None


def test_hoja_con_contrasena_no_se_marca_pero_se_informa(tmp_path: Path) -> None:
    book = FakeBook._from_xlsx(_with_errors(tmp_path))
    plan = book._sheet(L.PLAN_SHEET)
    plan._protected, plan._password = {"DrawingObjects": True}, True
    before = plan._state()
    report = bridge.validate_book(book, when=WHEN)
    assert plan._state() == before
    assert any("contraseña" in a for a in report.avisos)
    texts = book._sheet(L.VALIDATION_SHEET)._cells.values()
    assert any(isinstance(t, str) and "contraseña" in t for t in texts)
    assert "protegida con contraseña" in book._app._alerts[-1][0]


def test_celda_con_comentario_moderno(tmp_path: Path) -> None:
    book = FakeBook._from_xlsx(_with_errors(tmp_path))
    plan = book._sheet(L.PLAN_SHEET)
    plan._threaded.add((10, 18))
    bridge.validate_book(book, when=WHEN)
    assert plan._fills[(10, 18)] == "#" + SEVERITY_FILL["error"].lower()
    texts = [t for t in book._sheet(L.VALIDATION_SHEET)._cells.values() if isinstance(t, str)]
    assert any("No se pudo poner la nota en R10" in t for t in texts)


def test_hoja_oculta_y_dos_hojas_de_plan(tmp_path: Path, config: RulesConfig) -> None:
    """Misma hoja elegida y mismos avisos de lectura que el lector de archivos."""
    path = write_plan_xlsx(demo_plans()[2], tmp_path / "dos.xlsx", variant="combinada")
    wb = load_workbook(path)
    copy = wb.copy_worksheet(wb[L.PLAN_SHEET])
    copy.title = "PEA (2)"
    wb[L.PLAN_SHEET].sheet_state = "hidden"
    wb.create_sheet("Notas")["A1"] = "borrador"
    wb.save(path)
    ours, ref, book = both(path, config)
    assert ours.hoja == ref.hoja == "PEA (2)"
    assert key(ours) == key(ref)
    assert [a for a in ours.avisos if "hojas" in a] == [a for a in ref.avisos if "hojas" in a]
    assert book._active is book._sheet("PEA (2)")


def test_rango_usado_grande_por_formato(tmp_path: Path, config: RulesConfig) -> None:
    """Una celda lejana solo con formato agranda el rango usado de Excel, no el plan."""
    path = write_plan_xlsx(demo_plans()[3], tmp_path / "lejos.xlsx", variant="combinada")
    book = FakeBook._from_xlsx(path)
    book._sheet(L.PLAN_SHEET)._formats[(3000, 60)] = "0.00"
    report = bridge.validate_book(book, when=WHEN)
    _plan, ref = validate_file(path, config)
    assert key(report) == key(ref)
