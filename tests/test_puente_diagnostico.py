"""Diagnóstico, versión del módulo VBA de xlwings, guía de ayuda y archivo xlwings.conf."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest
import xlwings

from pea import __version__
from pea import layout as L
from pea.demo import demo_plans
from pea.demo.writer import write_plan_xlsx
from pea.excel import bridge, diagnostics, guide, vba_version, xlconf
from tests.puente_fake import FakeBook, FakeSheet

QUICKSTART = Path(xlwings.__file__).parent / "quickstart_standalone.xlsm"


def test_version_vba_del_modulo_xlwings() -> None:
    assert vba_version.from_workbook(QUICKSTART) == xlwings.__version__


def test_version_vba_sin_modulo_o_archivo_danado(tmp_path: Path) -> None:
    plain = write_plan_xlsx(demo_plans()[0], tmp_path / "plan.xlsx")
    assert vba_version.from_workbook(plain) is None
    broken = tmp_path / "roto.xlsm"
    broken.write_bytes(b"no es un zip")
    assert vba_version.from_workbook(broken) is None
    assert vba_version.from_workbook(tmp_path / "no-existe.xlsm") is None
    assert vba_version.from_vba_project(b"\x01\x00\xb0" * 50) is None


def _vba_project(version: str) -> bytes:
    """Un proyecto VBA mínimo: un trozo MS-OVBA sin comprimir con el módulo xlwings."""
    text = f'Attribute VB_Name = "xlwings"\r\n\'Version: {version}\r\n'.encode()
    return b"basura" + b"\x01" + (0x3FFF).to_bytes(2, "little") + text.ljust(4096, b" ")


def test_version_vba_distinta(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert vba_version.from_vba_project(_vba_project("0.30.0")) == "0.30.0"
    xlsm = tmp_path / "viejo.xlsm"
    with zipfile.ZipFile(xlsm, "w") as zf:
        zf.writestr("xl/vbaProject.bin", _vba_project("0.30.0"))
    monkeypatch.setattr(xlconf, "user_config_path", lambda: tmp_path / "xlwings.conf")
    book = _book(tmp_path, str(xlsm))
    items = {i.concept: i for i in diagnostics.collect(book)}
    vba = items["xlwings (módulo VBA del libro)"]
    assert vba.status == diagnostics.CHECK and "0.30.0" in vba.advice


def _book(tmp_path: Path, fullname: str | None = None) -> FakeBook:
    xlsm = tmp_path / "Plan Tesorería.xlsm"
    shutil.copy(QUICKSTART, xlsm)
    plan = write_plan_xlsx(demo_plans()[1], tmp_path / "plan.xlsx")
    book = FakeBook._from_xlsx(plan, name=xlsm.name)
    book._fullname = fullname or str(xlsm)
    meta = FakeSheet(book, L.META_SHEET)
    meta._cells = {(1, 1): "version_plantilla", (1, 2): L.TEMPLATE_VERSION,
                   (2, 1): "anio_plan", (2, 2): 2024.0,
                   (3, 1): "huella_catalogos", (3, 2): "0000000000000000"}
    meta._visible = False
    conf = FakeSheet(book, "xlwings.conf")
    conf._cells = {(1, 1): "INTERPRETER_WIN",
                   (1, 2): r"%LOCALAPPDATA%\PEA\venv\Scripts\python.exe",
                   (2, 1): "ADD_WORKBOOK_TO_PYTHONPATH", (2, 2): False}
    book._sheets += [meta, conf]
    return book


def test_diagnostico_en_hoja_y_mensaje(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("USERPROFILE", str(tmp_path))
    monkeypatch.setattr(xlconf, "user_config_path", lambda: tmp_path / "xlwings.conf")
    book = _book(tmp_path)
    bridge.diagnose_book(book)
    sheet = book._sheet("Diagnóstico")
    rows = {sheet._cells.get((r, 1)): (sheet._cells.get((r, 2)), sheet._cells.get((r, 3)))
            for r in range(2, 40) if sheet._cells.get((r, 1))}
    assert rows["xlwings (módulo VBA del libro)"] == (
        f"{xlwings.__version__} (archivo guardado)", diagnostics.OK)
    assert rows["PEA"][0].startswith(__version__)
    assert rows["Plantilla"][0] == f"versión {L.TEMPLATE_VERSION}, año 2024"
    assert rows["Catálogos de la plantilla"][1] == diagnostics.CHECK
    assert "pmdg:" in rows["Catálogos cargados"][0]
    assert rows["Nombre del archivo"][1] == diagnostics.INFO
    assert rows["Python que usa Excel"][0].endswith("(hoja xlwings.conf)")
    assert "Registro de PEA" in rows
    text = book._app._alerts[-1][0]
    assert text.startswith("Diagnóstico de PEA listo")
    assert "Catálogos de la plantilla" in text


def test_diagnostico_onedrive_y_sin_configuracion(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(xlconf, "user_config_path", lambda: tmp_path / "xlwings.conf")
    book = _book(tmp_path, "https://contoso-my.sharepoint.com/personal/ana/Documents/p.xlsm")
    book._sheets = [s for s in book._sheets if s._name not in ("xlwings.conf", L.META_SHEET)]
    items = {i.concept: i for i in diagnostics.collect(book)}
    assert items["OneDrive / SharePoint"].status == diagnostics.INFO
    assert items["xlwings (módulo VBA del libro)"].value == "no se pudo determinar"
    assert items["Python que usa Excel"].status == diagnostics.CHECK
    assert items["Plantilla"].status == diagnostics.CHECK


def test_diagnostico_conda_en_configuracion(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    conf = tmp_path / "xlwings.conf"
    conf.write_text('"CONDA PATH","C:\\\\Miniconda3"\n"CONDA ENV","base"\n', encoding="cp1252")
    monkeypatch.setattr(xlconf, "user_config_path", lambda: conf)
    items = {i.concept: i for i in diagnostics.config_items(_book(tmp_path))}
    assert items["Conda en xlwings.conf"].status == diagnostics.CHECK


def test_ayuda_abre_la_guia(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOCALAPPDATA", str(tmp_path))
    opened: list[str] = []
    monkeypatch.setattr("webbrowser.open", lambda url: opened.append(url) or True)
    book = _book(tmp_path)
    bridge.open_help(book)
    page = tmp_path / "PEA" / "guia.html"
    assert opened == [page.as_uri()]
    html = page.read_text(encoding="utf-8")
    assert '<html lang="es-MX">' in html and "<h2>Validar</h2>" in html
    assert not book._app._alerts


def test_ayuda_sin_navegador(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOCALAPPDATA", str(tmp_path))
    monkeypatch.setattr("webbrowser.open", lambda url: False)
    book = _book(tmp_path)
    bridge.open_help(book)
    assert "guia.html" in book._app._alerts[-1][0]


def test_guia_html_bien_formada() -> None:
    from xml.etree import ElementTree

    html = guide.to_html(guide.GUIDE_MD.read_text(encoding="utf-8"))
    body = html.split("<body>", 1)[1].split("</body>", 1)[0]
    ElementTree.fromstring(f"<body>{body}</body>")  # etiquetas balanceadas
    assert "**" not in body


def test_xlwings_conf_mezcla_y_ansi(tmp_path: Path) -> None:
    path = tmp_path / ".xlwings" / "xlwings.conf"
    path.parent.mkdir()
    path.write_bytes('"LICENSE_KEY","abc"\r\n"interpreter_win","C:\\viejo.exe"\r\n'
                     '"INTERPRETER_WIN","C:\\repetido.exe"\r\n'.encode("cp1252"))
    pairs, changes = xlconf.merge(xlconf.read(path), {"INTERPRETER_WIN": r"C:\Users\José\p.exe",
                                                      "CONDA ENV": None})
    xlconf.write(path, pairs)
    assert path.read_bytes().decode("cp1252") == (
        '"LICENSE_KEY","abc"\r\n"INTERPRETER_WIN","C:\\Users\\José\\p.exe"\r\n')
    assert any("repetida" in c for c in changes)
    with pytest.raises(UnicodeEncodeError):
        xlconf.render([("INTERPRETER_WIN", "C:\\Users\\李\\p.exe")])
