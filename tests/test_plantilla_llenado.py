"""fill_template: la plantilla llena con planes del demo pasa la validación sin errores."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from pea import layout as L
from pea.config import RulesConfig
from pea.demo import demo_plans
from pea.template import build_template, fill_template
from pea.template import geometry as G
from pea.template import package as P
from pea.validation import validate_file
from tests.conftest import plan_by_name

SEED_DEPENDENCIA = "Coordinación de Comunicación Social"


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_template(None, tmp_path_factory.mktemp("plantilla") / "plantilla.xlsm")


@pytest.fixture(scope="module")
def seed_filled(template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("llena") / "comunicacion_social.xlsm"
    return fill_template(template, plan_by_name(SEED_DEPENDENCIA), out)


def test_plan_semilla_pasa_pea_validar(seed_filled: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "pea", "validar", "--formato", "json",
                           str(seed_filled)], capture_output=True, text=True, timeout=120,
                          check=False)
    assert "Traceback" not in proc.stderr
    assert proc.returncode == 0, proc.stdout + proc.stderr
    (report,) = json.loads(proc.stdout)
    assert report["valido"] is True and report["resumen"]["error"] == 0
    assert report["dependencia"] == SEED_DEPENDENCIA


def test_todos_los_planes_del_demo_validan(template: Path, tmp_path: Path,
                                           config: RulesConfig) -> None:
    for i, plan in enumerate(demo_plans()):
        out = fill_template(template, plan, tmp_path / f"plan_{i}.xlsm")
        _plan, report = validate_file(out, config)
        errors = [f for f in report.hallazgos if f.severidad == "error"]
        assert not errors, (plan["dependencia"], errors)
        assert report.dependencia == plan["dependencia"]


def test_celdas_escritas(seed_filled: Path) -> None:
    ws = load_workbook(seed_filled)[L.PLAN_SHEET]
    plan = plan_by_name(SEED_DEPENDENCIA)
    fila = plan["filas"][0]
    r = G.FIRST_ROW
    assert ws[f"B{L.ROW_DEPENDENCIA}"].value == plan["dependencia"]
    assert ws[f"A{r}"].value == fila["eje"]
    assert [ws[f"{c}{r}"].value for c in "MNOP"] == pytest.approx([0.42, 0.29, 0.29, 0])
    assert [ws[f"{c}{r}"].value for c in "DEFGH"] == ["X"] * 5
    # fila de continuación: bloque en blanco, sus propios ejes y trimestres
    assert ws[f"A{r + 1}"].value is None and ws[f"Q{r + 1}"].value is None
    assert [ws[f"{c}{r + 1}"].value for c in "MNOP"] == pytest.approx([0.34, 0.33, 0.33, 0])
    assert ws[f"B{G.FOOTER_NAME_ROW}"].value == plan["elaboro"]["nombre"]
    assert ws[f"Q{G.FOOTER_CARGO_ROW}"].value == plan["autorizo"]["cargo"]
    assert ws[f"B{G.FOOTER_LABEL_ROW}"].value == L.FOOTER_ELABORO


def test_copia_llena_conserva_macros_y_cinta(seed_filled: Path, template: Path) -> None:
    with zipfile.ZipFile(seed_filled) as z:
        rels = z.read("_rels/.rels").decode()
        types = z.read("[Content_Types].xml").decode()
        vba_bin = z.read("xl/vbaProject.bin")
    assert P.RIBBON_REL_TYPE in rels and P.MAIN_MACRO in types
    with zipfile.ZipFile(template) as z:
        assert vba_bin == z.read("xl/vbaProject.bin")
    wb = load_workbook(seed_filled, keep_vba=True)
    assert len(wb[L.PLAN_SHEET].data_validations.dataValidation) >= 15


def test_plan_demasiado_largo(template: Path, tmp_path: Path) -> None:
    plan = dict(plan_by_name(SEED_DEPENDENCIA))
    plan["filas"] = plan["filas"] * (L.TEMPLATE_DATA_ROWS // 2 + 1)
    with pytest.raises(ValueError, match="admite"):
        fill_template(template, plan, tmp_path / "largo.xlsm")
    assert not (tmp_path / "largo.xlsm").exists()
