"""El lector frente a los planes como se entregan: variantes, desplazamientos, semilla."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from pea.config import RulesConfig
from pea.demo import demo_plans
from pea.demo.writer import write_plan_xlsx
from pea.rules.context import Context
from pea.validation import validate_file
from tests.conftest import SEED

VALID_VARIANTS = ("combinada", "vacia", "fraccion", "texto")


def _serious(report) -> list[tuple[str, str | None]]:
    return [(f.regla, f.celda) for f in report.hallazgos if f.severidad != "info"]


def test_semilla_solo_e03_y_notas(config: RulesConfig) -> None:
    plan, report = validate_file(SEED, config)
    assert report.valido
    assert report.dependencia == "Coordinación de Comunicación Social"
    assert _serious(report) == [("PEA-E03", "L25")]
    infos = sorted((f.regla, f.celda) for f in report.hallazgos if f.severidad == "info")
    assert infos == [("PEA-C08", "D26"), ("PEA-T02", "A20"), ("PEA-T02", "A22")]
    assert report.hoja is None and all(f.hoja is None for f in report.hallazgos)
    assert plan is not None
    assert plan.columns["t1"] == "M" and plan.columns["responsable"] == "Q"


def test_semilla_continuacion_hereda_y_conserva_sus_trimestres(config: RulesConfig) -> None:
    plan, _ = validate_file(SEED, config)
    assert plan is not None and len(plan.blocks) == 1
    block = plan.blocks[0]
    assert [ln.row for ln in block.lines] == [26, 27]
    cont = block.lines[1]
    assert cont.kind == "continuacion" and cont.parent_row == 26
    ctx = Context(plan, config)
    assert [ctx.quarters(ln).values["t1"] for ln in block.lines] == [Decimal(42), Decimal(34)]
    assert block.value("indicador").startswith("Porcentaje de acciones de difusión")
    assert plan.footer.autorizo is not None
    assert plan.footer.autorizo.cargo.text == "Coordinador de Comunicación Social"  # type: ignore[union-attr]


@pytest.mark.parametrize("variant", VALID_VARIANTS)
def test_once_planes_del_demo_sin_errores_ni_advertencias(variant: str, config: RulesConfig,
                                                          tmp_path: Path) -> None:
    for i, plan in enumerate(demo_plans()):
        path = write_plan_xlsx(plan, tmp_path / f"{i}.xlsx", variant=variant)  # type: ignore[arg-type]
        parsed, report = validate_file(path, config)
        assert _serious(report) == [], (plan["dependencia"], report.hallazgos)
        expected_lines = sum(1 + len(f.get("continuaciones") or []) for f in plan["filas"])
        assert parsed is not None and len(parsed.lines) == expected_lines


def test_variante_desplazada_solo_e03(config: RulesConfig, tmp_path: Path) -> None:
    for i, plan in enumerate(demo_plans()):
        path = write_plan_xlsx(plan, tmp_path / f"{i}.xlsx", variant="desplazada")
        _, report = validate_file(path, config)
        assert _serious(report) == [("PEA-E03", "L9")], plan["dependencia"]


def _shift(src: Path, dst: Path, rows: int, cols: int, before: str | None = None) -> Path:
    """Copia la hoja con el plan desplazada `rows` filas y `cols` columnas."""
    wb_src = load_workbook(src)
    ws_src = wb_src.active
    wb = Workbook()
    if before:
        wb.active.title = before
        wb.active["A1"] = "Portada del plan"
        ws = wb.create_sheet("Hoja1")
    else:
        ws = wb.active
    for row in ws_src.iter_rows():
        for c in row:
            if c.value is not None:
                t = ws.cell(row=c.row + rows, column=c.column + cols, value=c.value)
                t.number_format = c.number_format
    for rng in ws_src.merged_cells.ranges:
        ws.merge_cells(start_row=rng.min_row + rows, start_column=rng.min_col + cols,
                       end_row=rng.max_row + rows, end_column=rng.max_col + cols)
    wb.save(dst)
    return dst


def test_encabezado_movido_filas_y_columnas_en_otra_hoja(config: RulesConfig, tmp_path: Path) -> None:
    plan = demo_plans()[0]
    src = write_plan_xlsx(plan, tmp_path / "src.xlsx")
    path = _shift(src, tmp_path / "movido.xlsx", rows=3, cols=2, before="Portada")
    parsed, report = validate_file(path, config)
    assert report.hoja == "Hoja1"
    assert _serious(report) == []
    assert parsed is not None and parsed.columns["eje"] == "C" and parsed.columns["t1"] == "O"
    c08 = [f for f in report.hallazgos if f.regla == "PEA-C08"]
    assert [f.celda for f in c08] == ["F13"]


def test_hallazgos_apuntan_a_la_celda_movida(config: RulesConfig, tmp_path: Path) -> None:
    from pea.demo.mutate import apply_changes

    src = write_plan_xlsx(demo_plans()[1], tmp_path / "src.xlsx", variant="texto")
    apply_changes(src, {"celdas": {"M10": "40%", "N10": "30%", "O10": "20%", "P10": "0%"}})
    path = _shift(src, tmp_path / "movido.xlsx", rows=2, cols=1)
    _, report = validate_file(path, config)
    assert _serious(report) == [("PEA-Q03", "N12")]
    assert report.hallazgos[0].fila == 12


def test_un_archivo_ilegible_da_e00(config: RulesConfig, tmp_path: Path) -> None:
    bad = tmp_path / "plan.xlsx"
    bad.write_text("esto no es un libro", encoding="utf-8")
    plan, report = validate_file(bad, config)
    assert plan is None and not report.valido
    assert [(f.regla, f.severidad, f.celda) for f in report.hallazgos] == [("PEA-E00", "error", None)]
    assert "no es un libro de Excel" in report.hallazgos[0].mensaje


def test_fila_de_totales_se_avisa(config: RulesConfig, tmp_path: Path) -> None:
    from pea.demo.mutate import apply_changes

    path = write_plan_xlsx(demo_plans()[1], tmp_path / "t.xlsx")
    apply_changes(path, {"celdas": {"L12": "TOTAL", "M12": 0.8, "N12": 0.6, "O12": 0.6, "P12": 0}})
    parsed, report = validate_file(path, config)
    assert _serious(report) == []
    assert parsed is not None and [ln.row for _, ln in parsed.lines] == [10, 11]
    assert any("fila 12" in a and "totales" in a for a in report.avisos)


@pytest.mark.parametrize("variant", ["vacia", "combinada"])
def test_continuacion_con_su_propio_responsable_se_avisa(config: RulesConfig, tmp_path: Path,
                                                        variant: str) -> None:
    """El formato comparte Responsable, Indicador, MIR y poblaciones en todo el bloque: si
    una continuación trae los suyos, se toma el de la fila principal y se avisa con lo que
    tenía escrito (nada se pierde sin decirlo). Repetir el mismo valor no avisa."""
    from openpyxl import load_workbook

    plan = demo_plans()[0]  # con una fila de continuación
    path = write_plan_xlsx(plan, tmp_path / "t.xlsx", variant=variant)
    parsed, report = validate_file(path, config)
    assert parsed is not None and not any("trae su propio" in a for a in report.avisos)
    (block, line) = next((b, ln) for b, ln in parsed.lines if ln.kind == "continuacion")
    r = line.row
    wb = load_workbook(path)
    ws = wb.active
    for rng in [m for m in ws.merged_cells.ranges
                if m.min_col in (17, 18) and m.min_row < r <= m.max_row]:
        ws.unmerge_cells(str(rng))  # la persona separó la celda para escribir otra cosa
    ws[f"Q{r}"] = "Jefatura de Otra Cosa"
    ws[f"R{r}"] = block.fields["indicador"].text  # el mismo indicador: no es un aviso
    wb.save(path)
    parsed, report = validate_file(path, config)
    notes = [a for a in report.avisos if "trae su propio" in a]
    assert len(notes) == 1 and f"Responsable «Jefatura de Otra Cosa» (Q{r})" in notes[0]
    assert "Indicador" not in notes[0]
    assert parsed is not None
    again, _ = next((b, ln) for b, ln in parsed.lines if ln.row == r)
    assert again.fields["responsable"].text == block.fields["responsable"].text  # el del bloque


@pytest.mark.parametrize("elaboro, autorizo", [("ÈLABORÓ", "ÀUTORIZO"), ("´ELABORÓ", "´AUTORIZO"),
                                               ("  Elaboró:", " Autorizó:"),
                                               ("Ｅlaboró", "Ａutorizó")])
def test_pie_con_otras_formas_de_escribir_la_etiqueta(tmp_path: Path, config: RulesConfig,
                                                      elaboro: str, autorizo: str) -> None:
    """El descarte barato del pie no pierde etiquetas que `fold` sí reconoce."""
    text = SEED.read_text(encoding="utf-8")
    variant = tmp_path / "semilla.txt"
    variant.write_text(text.replace("ELABORÓ", elaboro).replace("AUTORIZO", autorizo),
                       encoding="utf-8")
    _, base = validate_file(SEED, config)
    _, other = validate_file(variant, config)
    assert [(f.regla, f.celda) for f in other.hallazgos] == [
        (f.regla, f.celda) for f in base.hallazgos]


def test_huella_de_la_hoja_sin_formulas() -> None:
    """La huella de una copia anotada cambia con un valor, no con el resultado guardado de
    una fórmula (Excel lo recalcula con solo abrir y guardar)."""
    from pea.reading.grid import SheetGrid

    rows = [["EJE", None, 0.42], ["2. Eje", "", 1.0]]
    base = SheetGrid("PEA", [list(r) for r in rows], formulas={(2, 3)})
    recalculated = SheetGrid("PEA", [["EJE", None, 0.42], ["2. Eje", "", 0.9]], formulas={(2, 3)})
    edited = SheetGrid("PEA", [["EJE", None, 0.43], ["2. Eje", "", 1.0]], formulas={(2, 3)})
    moved = SheetGrid("PEA", [[None, "EJE", 0.42], ["2. Eje", "", 1.0]], formulas={(2, 3)})
    assert base.fingerprint() == recalculated.fingerprint()
    assert len({base.fingerprint(), edited.fingerprint(), moved.fingerprint()}) == 3


@pytest.mark.parametrize("prefix", ["", "x:"])
def test_error_guardado_de_una_formula_se_conserva(config: RulesConfig, tmp_path: Path,
                                                   prefix: str) -> None:
    """calamine da vacía una celda con error guardado («#DIV/0!»): el lector toma el texto
    del XML, PEA-Q01 lo cita (no «fórmula sin valor calculado») y el maestro lo conserva.
    Con prefijo de espacio de nombres, por la vía cuidadosa del lector."""
    import re
    import zipfile

    path = write_plan_xlsx(demo_plans()[1], tmp_path / "plan.xlsx")
    with zipfile.ZipFile(path) as z:
        parts = {i: z.read(i.filename) for i in z.infolist()}
    sheet = next(i for i in parts if i.filename == "xl/worksheets/sheet1.xml")
    def error_cell(m: re.Match[bytes]) -> bytes:
        style = re.search(rb'\ss="\d+"', m.group(1))
        return (b'<c r="M10"' + (style.group(0) if style else b"")
                + b' t="e"><f>1/0</f><v>#DIV/0!</v></c>')

    xml = re.sub(rb'<c r="M10"([^>]*?)(?:/>|>.*?</c>)', error_cell, parts[sheet], count=1)
    assert b"#DIV/0!" in xml
    if prefix:
        xml = xml.replace(b"<worksheet ", b'<x:worksheet xmlns:x="http://schemas.openxmlformats'
                          b'.org/spreadsheetml/2006/main" ', 1)
        xml = re.sub(rb"<(/?)(?!x:|\?)(\w+)", rb"<\1x:\2", xml)
        xml = xml.replace(b"<x:x:worksheet ", b"<x:worksheet ")
    parts[sheet] = xml
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for info, data in parts.items():
            z.writestr(info, data)
    _plan, report = validate_file(path, config)
    m10 = [f for f in report.hallazgos if f.celda == "M10"]
    assert [f.regla for f in m10] == ["PEA-Q01"], report.hallazgos
    assert "«#DIV/0!»" in m10[0].mensaje
