"""Contenido de las hojas de la plantilla: formato oficial, listas, protección, metadatos."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import xlwings
from openpyxl import load_workbook
from openpyxl.utils import range_boundaries

from pea import layout as L
from pea.config import RulesConfig
from pea.template import build_template
from pea.template import geometry as G
from pea.template.package import finalize_package
from pea.template.support_sheets import meta_values

ROOT = Path(__file__).resolve().parent.parent
SHEETS = [L.PLAN_SHEET, L.INSTRUCTIONS_SHEET, L.CATALOG_SHEET, L.META_SHEET, L.XLWINGS_CONF_SHEET]


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_template(None, tmp_path_factory.mktemp("plantilla") / "plantilla.xlsm")


@pytest.fixture(scope="module")
def wb(template: Path) -> Any:
    return load_workbook(template, keep_vba=True)


def _merged(ws: Any) -> set[str]:
    return {str(r) for r in ws.merged_cells.ranges}


def test_hojas_y_visibilidad(wb: Any) -> None:
    assert wb.sheetnames == SHEETS
    states = {ws.title: ws.sheet_state for ws in wb}
    assert states == {L.PLAN_SHEET: "visible", L.INSTRUCTIONS_SHEET: "visible",
                      L.CATALOG_SHEET: "hidden", L.META_SHEET: "hidden",
                      L.XLWINGS_CONF_SHEET: "hidden"}
    assert wb.active.title == L.PLAN_SHEET


def test_bloque_de_titulo_y_encabezado(wb: Any, config: RulesConfig) -> None:
    ws = wb[L.PLAN_SHEET]
    p = config.parametros
    assert ws["A1"].value == f"Gobierno Municipal de {p.municipio} {p.periodo_administracion}"
    assert ws["A2"].value == L.title_text(p.anio_plan)
    assert ws["A3"].value == "Instituto Municipal de Planeación"
    merged = _merged(ws)
    for row, label in ((4, L.LABEL_DEPENDENCIA), (5, L.LABEL_MISION), (6, L.LABEL_VISION)):
        assert ws[f"A{row}"].value == label
        assert f"B{row}:T{row}" in merged
        assert ws[f"B{row}"].protection.locked is False
    for row in (1, 2, 3):
        assert f"A{row}:T{row}" in merged


def test_encabezado_de_dos_filas_como_el_oficial(wb: Any, config: RulesConfig) -> None:
    ws = wb[L.PLAN_SHEET]
    merged = _merged(ws)
    for start, end, text in L.header_groups():
        assert ws[f"{start}8"].value == text
        assert (f"{start}8:{start}9" if start == end else f"{start}8:{end}8") in merged
    assert "D8:H8" in merged and "L8:P8" in merged
    labels = config.catalogos.ejes_transversales_labels()
    assert [ws[f"{c}9"].value for c in "DEFGH"] == list(labels)
    assert ws["L9"].value in (None, "", "DESCRIPCIÓN")
    assert [ws[f"{c}9"].value for c in "MNOP"] == [f"{n}° TRIMESTRE" for n in (1, 2, 3, 4)]
    assert ws[f"{L.CONTROL_COL}8"].value == "SUMA %"


def test_filas_de_datos_y_columna_de_control(wb: Any) -> None:
    ws = wb[L.PLAN_SHEET]
    assert G.LAST_ROW - G.FIRST_ROW + 1 == L.TEMPLATE_DATA_ROWS
    for row in (G.FIRST_ROW, G.LAST_ROW):
        for c in L.COLUMNS:
            cell = ws[f"{c.letter}{row}"]
            assert cell.protection.locked is False, cell.coordinate
            assert cell.border.left.style == "thin"
            assert cell.alignment.wrap_text
        for key in L.QUARTER_KEYS:
            assert ws[f"{L.BY_KEY[key].letter}{row}"].number_format == "0%"
        u = ws[f"U{row}"]
        assert u.value == f'=IF(COUNT(M{row}:P{row})=0,"",SUM(M{row}:P{row}))'
        assert u.number_format == "0%" and u.protection.locked is True
    assert ws[f"A{G.LAST_ROW + 1}"].value is None


def test_pie_de_firmas(wb: Any) -> None:
    ws = wb[L.PLAN_SHEET]
    found = {c.value: c.coordinate for row in ws.iter_rows() for c in row
             if c.value in (L.FOOTER_ELABORO, L.FOOTER_AUTORIZO)}
    assert found == {L.FOOTER_ELABORO: f"B{G.FOOTER_LABEL_ROW}",
                     L.FOOTER_AUTORIZO: f"Q{G.FOOTER_LABEL_ROW}"}
    assert G.FOOTER_LABEL_ROW == G.LAST_ROW + 1 + L.FOOTER_GAP
    for col in "BQ":
        for row in (G.FOOTER_NAME_ROW, G.FOOTER_CARGO_ROW):
            assert ws[f"{col}{row}"].protection.locked is False


def test_impresion_y_paneles(wb: Any) -> None:
    ws = wb[L.PLAN_SHEET]
    assert ws.page_setup.orientation == "landscape"
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
    assert ws.print_title_rows == "$8:$9"
    assert "&P" in ws.oddFooter.center.text and "&N" in ws.oddFooter.center.text
    assert ws.freeze_panes == "A10"


def test_proteccion_sin_contrasena(wb: Any) -> None:
    prot = wb[L.PLAN_SHEET].protection
    assert prot.sheet and not prot.password
    assert prot.formatRows is False and prot.formatColumns is False  # permitido
    assert prot.insertRows is False
    assert prot.formatCells is True  # el formato de porcentaje no se puede quitar


def test_metadatos_y_xlwings_conf(wb: Any, config: RulesConfig) -> None:
    meta = wb[L.META_SHEET]
    assert [meta[f"A{i}"].value for i in range(1, len(L.META_KEYS) + 1)] == list(L.META_KEYS)
    assert [meta[f"B{i}"].value for i in (1, 2, 3, 4)] == [
        L.TEMPLATE_VERSION, config.parametros.anio_plan, config.catalogos.fingerprint(),
        xlwings.__version__]
    assert meta_values(config)["huella_catalogos"] == config.catalogos.fingerprint()
    conf = wb[L.XLWINGS_CONF_SHEET]
    rows = [(r[0].value, r[1].value) for r in conf.iter_rows(min_row=1, max_col=2)]
    keys = [k for k, _ in rows]
    assert None not in keys and keys[0] is not None  # desde A1, sin filas vacías
    settings = dict(rows)
    assert settings["ADD_WORKBOOK_TO_PYTHONPATH"] is False
    assert settings["USE UDF SERVER"] is False
    assert settings["SHOW CONSOLE"] is False
    assert "INTERPRETER_WIN" in settings


def _validations(ws: Any) -> dict[str, Any]:
    return {str(dv.sqref): dv for dv in ws.data_validations.dataValidation}


def test_listas_con_nombres_definidos(wb: Any) -> None:
    ws = wb[L.PLAN_SHEET]
    dvs = _validations(ws)
    names = set(wb.defined_names)
    expected = {"B4": "lista_dependencias", "A10:A69": "lista_ejes",
                "I10:I69": "lista_programas"}
    for ref, name in expected.items():
        assert dvs[ref].type == "list" and dvs[ref].formula1 == name
    for ref, name in {"B10:B69": "obj_e", "C10:C69": "est_o", "J10:J69": "mir_p",
                      "Q10:Q69": "uni_d"}.items():
        assert dvs[ref].type == "list" and f'INDIRECT("{name}"' in dvs[ref].formula1
        assert len(dvs[ref].formula1) <= 255
    for dv in dvs.values():
        assert "!" not in (dv.formula1 or ""), "sin referencias a otra hoja (x14)"
        assert dv.prompt and dv.promptTitle and len(dv.promptTitle) <= 32
        assert len(dv.prompt) <= 255 and len(dv.error or "") <= 225
    for name in ("lista_ejes", "lista_objetivos", "lista_estrategias", "lista_programas",
                 "lista_mir", "lista_dependencias", "lista_responsables"):
        assert name in names
        assert L.CATALOG_SHEET in wb.defined_names[name].attr_text
    assert dvs["D10:H69"].formula1 == '"X"'


def test_grupos_de_las_listas_dependientes(wb: Any, config: RulesConfig) -> None:
    names = set(wb.defined_names)
    cat = config.catalogos
    assert {f"obj_e{n}" for n in cat.ejes} <= names
    assert {f"est_o{n.replace('.', '_')}" for n in cat.objetivos} <= names
    sheet = wb[L.CATALOG_SHEET]
    for num, (_eje, text) in cat.objetivos.items():
        rng = wb.defined_names[f"obj_e{num.split('.')[0]}"].attr_text.split("!")[1]
        min_col, min_row, _, max_row = range_boundaries(rng.replace("$", ""))
        values = [sheet.cell(row=r, column=min_col).value for r in range(min_row, max_row + 1)]
        assert text in values
    for i, dep in enumerate(cat.dependencias or [], start=1):
        rng = wb.defined_names[f"uni_d{i}"].attr_text.split("!")[1]
        min_col, min_row, _, max_row = range_boundaries(rng.replace("$", ""))
        values = [sheet.cell(row=r, column=min_col).value for r in range(min_row, max_row + 1)]
        assert values == [dep["dependencia"], *dep.get("unidades", [])]


def test_trimestres_decimal_entre_0_y_1(wb: Any) -> None:
    dvs = _validations(wb[L.PLAN_SHEET])
    for letter in "MNOP":
        dv = dvs[f"{letter}10:{letter}69"]
        assert (dv.type, dv.operator, dv.formula1, dv.formula2) == ("decimal", "between", "0", "1")
        assert dv.errorStyle == "stop" and "42" in dv.error


def test_formato_condicional(wb: Any, config: RulesConfig) -> None:
    ws = wb[L.PLAN_SHEET]
    rules = {str(cf.sqref): [r.formula[0] for r in cf.rules] for cf in ws.conditional_formatting}
    tol = config.parametros.tolerancia_suma / 100
    assert rules["A10:U69"] == [f'AND($U10<>"",ABS($U10-1)>{tol.normalize():f})']
    # fecha_fin_administracion 2024-09-30: solo el 4° trimestre (inicia el 1 de octubre)
    assert rules["P10:P69"] == ["AND(ISNUMBER(P10),P10>0)"]
    assert "M10:M69" not in rules


def test_instrucciones_en_espanol(wb: Any) -> None:
    text = "\n".join(str(c.value) for c in wb[L.INSTRUCTIONS_SHEET]["A"] if c.value)
    for word in ("Validar", "Limpiar marcas", "Diagnóstico", "Ayuda", "ELABORÓ", "AUTORIZÓ",
                 "100 %", "Habilitar contenido"):
        assert word in text


def test_sobrevive_a_openpyxl_keep_vba(template: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copia.xlsm"
    load_workbook(template, keep_vba=True).save(copy)
    finalize_package(copy)
    before, after = load_workbook(template), load_workbook(copy, keep_vba=True)
    assert set(after.defined_names) == set(before.defined_names)
    dv_before = {(str(d.sqref), d.formula1, d.prompt) for d in
                 before[L.PLAN_SHEET].data_validations.dataValidation}
    dv_after = {(str(d.sqref), d.formula1, d.prompt) for d in
                after[L.PLAN_SHEET].data_validations.dataValidation}
    assert dv_after == dv_before and len(dv_after) >= 15
    assert after[L.PLAN_SHEET].protection.sheet
    assert after[L.CATALOG_SHEET].sheet_state == "hidden"


def test_sin_catalogos_la_plantilla_se_construye(tmp_path: Path) -> None:
    rules = tmp_path / "reglas"
    rules.mkdir()
    shutil.copy(ROOT / "rules" / "configuracion.yaml", rules / "configuracion.yaml")
    out = build_template(rules, tmp_path / "sin_catalogos.xlsm")
    wb = load_workbook(out)
    dvs = _validations(wb[L.PLAN_SHEET])
    assert "D10:H69" in dvs and "M10:M69" in dvs
    assert "A10:A69" not in dvs and "lista_ejes" not in wb.defined_names
    assert wb[L.PLAN_SHEET]["D9"].value == L.DEFAULT_EJES_TRANSVERSALES[0]
