"""Controles de dirección (U+202E «RIGHT-TO-LEFT OVERRIDE» y compañía) en lo que PEA
imprime: en la terminal invierten lo que sigue («Tesorería‮xslx.exe» se lee como otro
nombre). Se escriben como «\\u202e», como los demás caracteres de control."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from pea.demo import demo_plans
from pea.demo.mutate import apply_changes
from pea.demo.writer import write_plan_xlsx

BIDI = "\u202e\u2066"


def _pea(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pea", *args], capture_output=True,
                          text=True, encoding="utf-8", timeout=180, check=False)


def test_validar_y_consolidar_escapan_los_controles_de_direccion(tmp_path: Path) -> None:
    folder = tmp_path / "entregas"
    folder.mkdir()
    for i, name in enumerate((f"a{BIDI}xslx.xlsx", f"b{BIDI}.xlsx")):
        plan = write_plan_xlsx(demo_plans()[1], folder / name, variant="fraccion")
        apply_changes(plan, {"celdas": {"B4": f"Tesorería{BIDI} Municipal",
                                        "M10": 0.4 + i / 10}})
    checked = [_pea("validar", str(folder)),
               _pea("consolidar", str(folder), "--salida", str(tmp_path / "m.xlsx"))]
    for proc in checked:
        out = proc.stdout + proc.stderr
        assert "Traceback" not in out and "Error interno" not in out, out
        assert not any(ch in out for ch in BIDI), out
    assert "\\u202e" in checked[0].stdout
    assert "\\u202e" in checked[1].stdout + checked[1].stderr  # el aviso de la duplicada
