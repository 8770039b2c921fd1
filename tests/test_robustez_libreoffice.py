"""Un .xls y un .ods de verdad (hechos con LibreOffice) en ambos comandos.

El corpus hostil arma contenedores mínimos a mano; aquí se confirma con archivos reales
que el mensaje y el estado son los esperados, también renombrados a .xlsx.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.hostile.corpus import plan_bytes
from tests.hostile.master import sheet_rows
from tests.hostile.runner import consolidar_available, run_pea, tree_hashes

pytestmark = [pytest.mark.libreoffice, pytest.mark.lento,
              pytest.mark.skipif(shutil.which("soffice") is None,
                                 reason="LibreOffice (soffice) no está instalado")]


@pytest.fixture(scope="module")
def reales(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("lo_formatos")
    src = base / "plan.xlsx"
    src.write_bytes(plan_bytes(0))
    folder = base / "entregas"
    folder.mkdir()
    for fmt in ("xls", "ods"):
        subprocess.run(["soffice", f"-env:UserInstallation=file://{base}/perfil", "--headless",
                        "--convert-to", fmt, "--outdir", str(folder), str(src)],
                       check=True, capture_output=True, timeout=180)
    shutil.copy(folder / "plan.xls", folder / "xls_renombrado.xlsx")
    shutil.copy(folder / "plan.ods", folder / "ods_renombrado.xlsx")
    return folder


@pytest.mark.parametrize(("name", "fragment"), [
    ("plan.xls", "97-2003"), ("xls_renombrado.xlsx", "97-2003"),
    ("plan.ods", "OpenDocument"), ("ods_renombrado.xlsx", "OpenDocument"),
])
def test_validar_formatos_reales(reales: Path, name: str, fragment: str) -> None:
    proc = run_pea("validar", "--formato", "json", reales / name)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    [report] = json.loads(proc.stdout)
    [e00] = report["hallazgos"]
    assert e00["regla"] == "PEA-E00" and fragment in e00["mensaje"]


@pytest.mark.skipif(not consolidar_available(), reason="el comando «pea consolidar» aún no existe")
def test_consolidar_formatos_reales(reales: Path, tmp_path: Path) -> None:
    before = tree_hashes(reales)
    output = tmp_path / "maestro.xlsx"
    proc = run_pea("consolidar", reales, "--salida", output, "--silencioso")
    assert proc.returncode == 0, proc.stderr
    estados = {r["Archivo"]: r["Estado"] for r in sheet_rows(output, "Entregas")}
    assert estados == {"plan.xls": "Omitido", "plan.ods": "Omitido",
                       "xls_renombrado.xlsx": "Ilegible", "ods_renombrado.xlsx": "Ilegible"}
    assert tree_hashes(reales) == before
