"""Sin el Python de PEA, los botones ofrecen la Ventanilla («url_ventanilla» de la
configuración, escrita por pea plantilla en PEA_meta), en LibreOffice sin interfaz."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from pea import layout as L
from pea.template import build_template, fill_template
from tests.conftest import plan_by_name
from tests.libreoffice.lo import requires_libreoffice, run_libreoffice, with_stand_in

pytestmark = [pytest.mark.libreoffice, requires_libreoffice()]

URL = "https://pea.municipio.gob.mx/ventanilla"


def rules_with_url(folder: Path, url: str) -> Path:
    from pea.config import default_rules_dir

    rules = folder / "reglas"
    shutil.copytree(default_rules_dir(), rules)
    cfg = rules / "configuracion.yaml"
    text = cfg.read_text(encoding="utf-8")
    assert 'url_ventanilla: ""' in text
    cfg.write_text(text.replace('url_ventanilla: ""', f'url_ventanilla: "{url}"'),
                   encoding="utf-8")
    return rules


def meta(book: Path) -> dict[str, Any]:
    ws = load_workbook(book)[L.META_SHEET]
    return {ws.cell(r, 1).value: ws.cell(r, 2).value for r in range(1, ws.max_row + 1)}


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    d = tmp_path_factory.mktemp("ventanilla_lo")
    template = build_template(rules_with_url(d, URL), d / "plantilla.xlsm")
    plain = build_template(None, d / "plantilla_sin_url.xlsm")
    filled = fill_template(template, plan_by_name("Coordinación de Comunicación Social"),
                           d / "plan.xlsm")
    book = with_stand_in(filled, d / "plan_sustituto.xlsm")
    env = {k: v for k, v in os.environ.items() if k != "LOCALAPPDATA"}  # sin Python de PEA
    acciones = ["funcion:VBAProject.PEA.PEA_UrlRevisar",
                "llamar:VBAProject.PEA.PEA_Validar",
                "fijar:PEA_meta!B5=",
                "funcion:VBAProject.PEA.PEA_UrlRevisar",
                "llamar:VBAProject.PEA.PEA_Validar",
                "fijar:PEA_meta!B5=javascript:alert(1)",
                "funcion:VBAProject.PEA.PEA_UrlRevisar"]
    result = run_libreoffice(book, acciones, env=env)
    result.update(template=template, plain=plain)
    return result


def test_pea_plantilla_escribe_la_direccion(session: dict[str, Any]) -> None:
    assert list(L.META_KEYS).index("url_ventanilla") == 4  # fila 5 de PEA_meta
    assert meta(session["template"])["url_ventanilla"] == URL
    assert not meta(session["plain"])["url_ventanilla"]


def test_sin_python_se_ofrece_revisar_mi_plan(session: dict[str, Any]) -> None:
    calls = session["llamadas"]
    assert calls[0] == ["VBAProject.PEA.PEA_UrlRevisar", URL + "/revisar/"]
    # el mensaje con la oferta se mostró y no se llamó a Python (RunPython no anotó nada)
    assert calls[1] == ["VBAProject.PEA.PEA_Validar", ""]


def test_sin_direccion_no_hay_oferta(session: dict[str, Any]) -> None:
    calls = session["llamadas"]
    assert calls[2] == ["VBAProject.PEA.PEA_UrlRevisar", ""]
    assert calls[3] == ["VBAProject.PEA.PEA_Validar", ""]
    assert calls[4] == ["VBAProject.PEA.PEA_UrlRevisar", ""]  # solo http(s)
