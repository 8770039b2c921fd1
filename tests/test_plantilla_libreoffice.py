"""La plantilla en LibreOffice sin interfaz: macros de la cinta y hoja PEA a PDF/PNG.

Un solo proceso soffice (perfil nuevo) abre la plantilla llena con el plan semilla, con
el módulo xlwings sustituido por un RunPython que anota su argumento, llama los cuatro
botones y exporta el libro a PDF.
"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
from pathlib import Path
from typing import Any

import pytest

from pea import layout as L
from pea.template import build_template, fill_template
from pea.template.vba import CALLBACKS, bridge_command
from tests.conftest import plan_by_name
from tests.libreoffice.lo import pdf_to_png, requires_libreoffice, run_libreoffice, with_stand_in

pytestmark = [pytest.mark.libreoffice, requires_libreoffice()]


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    d = tmp_path_factory.mktemp("libreoffice")
    template = build_template(None, d / "plantilla.xlsm")
    filled = fill_template(template, plan_by_name("Coordinación de Comunicación Social"),
                           d / "semilla.xlsm")
    book = with_stand_in(filled, d / "semilla_sustituto.xlsm")
    fake_python = d / "py" / "python.exe"
    fake_python.parent.mkdir()
    fake_python.write_bytes(b"")
    env = {k: v for k, v in os.environ.items() if k != "LOCALAPPDATA"}
    env["PEA_PRUEBA_PY"] = str(fake_python.parent)
    acciones = ["llamar:VBAProject.PEA.PEA_Validar",  # ruta por omisión: no existe aquí
                "fijar:xlwings.conf!B1=%PEA_PRUEBA_PY%/python.exe",
                *(f"llamar:VBAProject.PEA.{sub}" for sub in CALLBACKS)]
    result = run_libreoffice(book, acciones, pdf=d / "semilla.pdf", env=env)
    result["dir"] = d
    return result


def test_sin_python_no_se_llama_runpython(session: dict[str, Any]) -> None:
    first = session["llamadas"][0]
    assert first == ["VBAProject.PEA.PEA_Validar", ""]


def test_cada_boton_ejecuta_su_comando(session: dict[str, Any]) -> None:
    calls = session["llamadas"][1:]
    assert [name for name, _ in calls] == [f"VBAProject.PEA.{s}" for s in CALLBACKS]
    for (name, recorded), function in zip(calls, L.BRIDGE_FUNCTIONS, strict=True):
        assert recorded == bridge_command(function), name
        assert recorded == f"import pea.excel.bridge as b; b.{function}()"


def test_hoja_pea_a_pdf_y_png(session: dict[str, Any]) -> None:
    pdf = Path(session["pdf"])
    assert pdf.read_bytes().startswith(b"%PDF")
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "-l", "1", str(pdf), "-"], capture_output=True,
                              text=True, check=True, timeout=60).stdout
        for expected in ("PLAN ESTRATÉGICO ANUAL 2024", "EJES TRANSVERSALES", "ELABORÓ",
                         "AUTORIZÓ", "42%"):
            assert expected in text
    png = pdf_to_png(pdf, session["dir"] / "plantilla.png", dpi=60)
    data = png.read_bytes()
    assert data.startswith(b"\x89PNG")
    width, height = struct.unpack(">II", data[16:24])
    assert width > height > 100  # horizontal

