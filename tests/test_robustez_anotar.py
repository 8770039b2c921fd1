"""Robustez II (§8): copias anotadas que no pierden nada ni dejan basura, y lo que cuenta
como plan es lo mismo en `pea validar` y en `pea consolidar`."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

from pea.demo import demo_plans
from pea.demo.mutate import apply_changes
from pea.demo.writer import write_plan_xlsx
from tests.test_consolidar_anotar import make_xlsm


def _xlsm_with_errors(tmp_path: Path, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    plain = write_plan_xlsx(demo_plans()[1], tmp_path / "tesoreria.xlsx", variant="fraccion")
    apply_changes(plain, {"celdas": {"M10": 0.4, "N10": 0.3, "O10": 0.2, "P10": 0}})
    return make_xlsm(plain, folder / "tesoreria.xlsm")


def test_anotar_xlsm_no_deja_zip_abierto(tmp_path: Path) -> None:
    """openpyxl guarda las macros en un zip en memoria que nunca cierra: al terminar el
    proceso (con el recolector ajustado del consolidador, o en Windows, donde los procesos
    de trabajo terminan normalmente) salían trazas «Exception ignored … ZipFile.__del__»."""
    src = _xlsm_with_errors(tmp_path, tmp_path / "entregas")
    script = textwrap.dedent(f"""
        from pathlib import Path
        from pea.config import load_config
        from pea.consolidate import gctune
        from pea.consolidate.annotate import annotate_copy
        from pea.validation import validate_file
        gctune.tune()
        _, report = validate_file(Path({str(src)!r}), load_config())
        annotate_copy(Path({str(src)!r}), Path({str(tmp_path / 'copia.xlsm')!r}), report, "v")
        print("listo")
    """)
    proc = subprocess.run([sys.executable, "-W", "error::ResourceWarning", "-c", script],
                          capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    assert "listo" in proc.stdout
    assert "Exception ignored" not in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr, proc.stderr
    assert (tmp_path / "copia.xlsm").is_file()


def _strict_with_errors(tmp_path: Path, folder: Path) -> Path:
    from tests.hostile.strict import to_strict

    folder.mkdir(parents=True, exist_ok=True)
    plain = write_plan_xlsx(demo_plans()[1], tmp_path / "t.xlsx", variant="fraccion")
    apply_changes(plain, {"celdas": {"M10": 0.4, "N10": 0.3, "O10": 0.2, "P10": 0}})
    return to_strict(plain, folder / "tesoreria_estricto.xlsx")


def test_libro_strict_anotado_conserva_el_plan(tmp_path: Path) -> None:
    """Un libro OOXML estricto (Excel: «Libro de Excel Open XML estricto») daba una copia
    con solo la hoja «Validación»: openpyxl no entiende sus espacios de nombres."""
    from openpyxl import load_workbook

    from tests.test_consolidar import pea

    src = _strict_with_errors(tmp_path, tmp_path / "entregas")
    with zipfile.ZipFile(src) as z:
        assert b"purl.oclc.org/ooxml/spreadsheetml/main" in z.read("xl/workbook.xml")
    before = src.read_bytes()
    out = tmp_path / "revisados"
    proc = pea("consolidar", str(src.parent), "--salida", str(tmp_path / "m.xlsx"),
               "--anotar", str(out), "-q")
    assert proc.returncode == 0, proc.stderr
    assert src.read_bytes() == before
    (copy,) = out.iterdir()
    wb = load_workbook(copy)
    assert wb.sheetnames == ["PEA", "Validación"]
    assert wb["PEA"].max_row >= 10
    assert "PEA-Q03" in wb["PEA"]["M10"].comment.text
    # la copia se lee como plan, con las mismas líneas que el original
    from pea.config import load_config
    from pea.validation import validate_file

    _p, original = validate_file(src, load_config())
    _p, again = validate_file(copy, load_config())
    assert again.hoja == "PEA" and again.dependencia == original.dependencia
    assert [f.regla for f in again.hallazgos] == [f.regla for f in original.hallazgos]


def test_copia_que_perderia_el_plan_no_se_escribe(tmp_path: Path, monkeypatch) -> None:
    """Si al guardar la copia se pierde la hoja del plan (un formato que openpyxl no
    reproduce), no se escribe: un aviso en español lo dice."""
    from pea.config import load_config
    from pea.consolidate import annotate
    from pea.validation import validate_file

    src = _strict_with_errors(tmp_path, tmp_path / "entregas")
    _p, report = validate_file(src, load_config())
    monkeypatch.setattr(annotate, "transitional", lambda data: None)  # sin traducción
    dst = tmp_path / "copia.xlsx"
    kind, text = annotate.annotate_task((str(src), str(dst), report.model_dump(mode="json"),
                                         "v"))
    assert kind == "aviso"
    assert "No se escribió la copia anotada" in text and "«PEA»" in text
    assert not dst.exists()
    assert list(tmp_path.glob(".~pea*")) == []
