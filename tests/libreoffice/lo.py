"""Preparar una copia de la plantilla para LibreOffice y ejecutar `lo_runner.py`.

El módulo xlwings real no compila en LibreOffice: la copia lleva en su lugar
`xlwings_sustituto.bas`, cuyo RunPython anota el comando en PEA_meta!D1.
`lo_runner.py` corre con el Python del sistema, que trae el módulo `uno`.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
RUNNER = HERE / "lo_runner.py"
STAND_IN = HERE / "xlwings_sustituto.bas"
RECORD_CELL = "PEA_meta!D1"
SYSTEM_PYTHON = "/usr/bin/python3"


def libreoffice_missing() -> str | None:
    """Motivo para omitir las pruebas de LibreOffice, o None si se pueden correr."""
    if shutil.which("soffice") is None:
        return "LibreOffice (soffice) no está instalado"
    if shutil.which("pdftoppm") is None:
        return "pdftoppm (poppler-utils) no está instalado"
    try:
        subprocess.run([SYSTEM_PYTHON, "-c", "import uno"], check=True, capture_output=True,
                       timeout=30)
    except (OSError, subprocess.SubprocessError):
        return f"{SYSTEM_PYTHON} no tiene el módulo uno (python3-uno)"
    return None


def requires_libreoffice() -> pytest.MarkDecorator:
    """Marca libreoffice + omisión limpia cuando falta algo."""
    reason = libreoffice_missing()
    if reason is not None and os.environ.get("CI") == "true":
        # En CI .ci/run instala LibreOffice: si falta, la prueba debe fallar, no omitirse.
        return pytest.mark.libreoffice
    return pytest.mark.skipif(reason is not None, reason=reason or "")


def with_stand_in(workbook: Path, output: Path) -> Path:
    """Copia de `workbook` con el módulo xlwings sustituido por el que anota el comando."""
    from pyopenvba import ExcelFile

    with ExcelFile(workbook) as book:
        book.set_module("xlwings", STAND_IN.read_bytes().decode("utf-8"))
        book.save(output)
    return output


def run_libreoffice(workbook: Path, acciones: list[str], pdf: Path | None = None,
                    env: dict[str, str] | None = None, timeout: float = 120) -> dict:
    """Un proceso soffice: abre `workbook`, aplica las acciones en orden, exporta a PDF."""
    cmd = [SYSTEM_PYTHON, str(RUNNER), str(workbook), "--read", RECORD_CELL,
           "--timeout", str(timeout - 15)]
    for accion in acciones:
        cmd += ["--accion", accion]
    if pdf is not None:
        cmd += ["--pdf", str(pdf)]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env,
                          check=False)
    if proc.returncode != 0:
        raise AssertionError(f"lo_runner falló ({proc.returncode}):\n{proc.stderr[-2000:]}")
    return json.loads(proc.stdout)


def pdf_to_png(pdf: Path, png: Path, dpi: int = 110, crop: tuple[int, int] | None = None) -> Path:
    """Primera página del PDF como PNG; `crop` = (ancho, alto) en píxeles desde arriba."""
    cmd = ["pdftoppm", "-f", "1", "-l", "1", "-r", str(dpi), "-png", "-singlefile"]
    if crop is not None:
        cmd += ["-x", "0", "-y", "0", "-W", str(crop[0]), "-H", str(crop[1])]
    subprocess.run([*cmd, str(pdf), str(png.with_suffix(""))], check=True, timeout=60,
                   capture_output=True)
    return png
