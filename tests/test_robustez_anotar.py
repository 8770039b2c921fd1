"""Robustez II (§8): copias anotadas que no pierden nada ni dejan basura, y lo que cuenta
como plan es lo mismo en `pea validar` y en `pea consolidar`."""

from __future__ import annotations

import subprocess
import sys
import textwrap
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
