"""La plantilla workbook_template.xlsm: paquete, macros, cinta y reproducibilidad."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from pea import layout as L
from pea.template import TemplateBuildError, build_template, vba
from pea.template import geometry as G
from pea.template import package as P

ROOT = Path(__file__).resolve().parent.parent
COMMITTED = ROOT / "workbook_template.xlsm"
CUSTOMUI_NS = "{http://schemas.microsoft.com/office/2009/07/customui}"


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_template(None, tmp_path_factory.mktemp("plantilla") / "plantilla.xlsm")


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def test_plantilla_versionada_al_dia(template: Path, tmp_path: Path) -> None:
    again = build_template(None, tmp_path / "otra.xlsm")
    assert template.read_bytes() == again.read_bytes(), "dos construcciones difieren"
    assert COMMITTED.is_file(), "falta workbook_template.xlsm en la raíz del repositorio"
    assert template.read_bytes() == COMMITTED.read_bytes(), (
        "workbook_template.xlsm está desactualizada: regenérela con «pea plantilla» "
        "(desde la raíz del repositorio) y súbala.")


def test_zip_ordenado_con_fecha_fija(template: Path) -> None:
    with zipfile.ZipFile(template) as z:
        infos = z.infolist()
    names = [i.filename for i in infos]
    assert names == sorted(names)
    assert names[0] == "[Content_Types].xml"
    assert {i.date_time for i in infos} == {P.FIXED_ZIP_DATE}
    core = _parts(template)["docProps/core.xml"].decode()
    assert core.count(P.FIXED_TIMESTAMP) == 2


def test_partes_tipos_y_relaciones(template: Path) -> None:
    parts = _parts(template)
    assert {"xl/vbaProject.bin", "customUI/customUI14.xml", "xl/workbook.xml"} <= set(parts)
    types = ET.fromstring(parts["[Content_Types].xml"])
    overrides = {e.get("PartName"): e.get("ContentType") for e in types if
                 e.tag.endswith("Override")}
    defaults = {e.get("Extension"): e.get("ContentType") for e in types if
                e.tag.endswith("Default")}
    assert overrides["/xl/workbook.xml"] == P.MAIN_MACRO
    assert P.MAIN_PLAIN not in parts["[Content_Types].xml"].decode()
    assert (defaults.get("bin") == P.VBA_CONTENT
            or overrides.get("/xl/vbaProject.bin") == P.VBA_CONTENT)
    assert defaults.get("xml") == "application/xml"  # la cinta usa el tipo xml genérico

    def rels(name: str) -> list[dict[str, str]]:
        return [dict(e.attrib) for e in ET.fromstring(parts[name])]

    wb_rels = rels("xl/_rels/workbook.xml.rels")
    assert any(r["Type"] == P.VBA_REL_TYPE and r["Target"].endswith("vbaProject.bin")
               for r in wb_rels)
    root = rels("_rels/.rels")
    ribbon = [r for r in root if r["Type"] == P.RIBBON_REL_TYPE]
    assert len(ribbon) == 1 and ribbon[0]["Target"] == P.RIBBON_PART
    assert len({r["Id"] for r in root}) == len(root)
    ui = ET.fromstring(parts[P.RIBBON_PART])
    assert ui.tag == f"{CUSTOMUI_NS}customUI"


def test_cinta_pestana_y_botones(template: Path) -> None:
    ui = ET.fromstring(_parts(template)[P.RIBBON_PART])
    tabs = ui.findall(f".//{CUSTOMUI_NS}tab")
    assert [t.get("label") for t in tabs] == ["PEA"]
    buttons = ui.findall(f".//{CUSTOMUI_NS}button")
    assert [b.get("label") for b in buttons] == ["Validar", "Limpiar marcas", "Diagnóstico",
                                                 "Ayuda"]
    for b in buttons:
        assert b.get("size") == "large" and b.get("imageMso")
        assert b.get("screentip") and b.get("supertip")
    assert {b.get("onAction") for b in buttons} == set(vba.CALLBACKS)


def test_cada_onaction_tiene_su_sub() -> None:
    source = vba.pea_module_source()
    ui = ET.fromstring(P.ribbon_xml())
    for button in ui.iter(f"{CUSTOMUI_NS}button"):
        sub = button.get("onAction")
        m = re.search(rf"^Public Sub {sub}\(control As IRibbonControl\)\r\n(.*?)^End Sub",
                      source, re.MULTILINE | re.DOTALL)
        assert m, f"falta Sub {sub}(control As IRibbonControl)"
        function = vba.CALLBACKS[sub]
        assert f'RunPython "import {L.BRIDGE_MODULE} as b; b.{function}()"' in m.group(1)
    assert sorted(vba.CALLBACKS.values()) == sorted(L.BRIDGE_FUNCTIONS)


def test_hojas_del_modulo_vba_son_las_de_layout() -> None:
    """Los nombres de hoja que PEA.bas repite en sus constantes son los de `pea.layout`."""
    source = vba.pea_module_source()
    consts = dict(re.findall(r'^Private Const (HOJA_\w+) As String = "([^"]*)"', source,
                             re.MULTILINE))
    assert consts == {"HOJA_CONFIG": L.XLWINGS_CONF_SHEET, "HOJA_META": L.META_SHEET}


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # pyparsing dentro de olevba
def test_modulos_vba_se_leen_iguales(template: Path) -> None:
    from oletools.olevba import VBA_Parser

    expected = vba.modules()
    parser = VBA_Parser(str(template))
    try:
        found = {Path(name).stem: code for _, _, name, code in parser.extract_macros()}
    finally:
        parser.close()
    for name, source in expected.items():
        assert found[name] == source, f"el módulo {name} no se lee igual que su fuente"
    assert set(found) == {*expected, "ThisWorkbook", *(f"Sheet{i}" for i in range(1, 6))}


def test_fuente_pea_bas_crlf_y_cp1252() -> None:
    raw = vba.pea_bas_bytes()
    assert b"\r\n" in raw and not re.search(rb"(?<!\r)\n", raw)
    raw.decode("utf-8").encode("cp1252")


def test_modulo_xlwings_coincide_con_el_paquete() -> None:
    import xlwings

    source = vba.xlwings_module_source()
    assert source.encode("cp1252") == vba.xlwings_bas_path().read_bytes()
    assert f"'Version: {xlwings.__version__}\r\n" in source
    assert f'XLWINGS_VERSION As String = "{xlwings.__version__}"' in source


def test_version_de_xlwings_distinta_detiene_la_construccion(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import xlwings

    monkeypatch.setattr(xlwings, "__version__", "0.0.1")
    with pytest.raises(TemplateBuildError, match="no coincide"):
        build_template(None, tmp_path / "x.xlsm")
    assert not (tmp_path / "x.xlsm").exists()


def test_pea_bas_sin_callback_detiene_la_construccion(monkeypatch: pytest.MonkeyPatch) -> None:
    broken = vba.pea_bas_bytes().replace(b"b.limpiar()", b"b.otra()")
    monkeypatch.setattr(vba, "pea_bas_bytes", lambda: broken)
    with pytest.raises(TemplateBuildError, match="PEA_Limpiar"):
        vba.pea_module_source()


def test_openpyxl_quita_la_relacion_y_finalize_la_repone(template: Path, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    copy = tmp_path / "copia.xlsm"
    load_workbook(template, keep_vba=True).save(copy)
    parts = _parts(copy)
    assert P.RIBBON_PART in parts  # la parte sobrevive…
    assert P.RIBBON_REL_TYPE.encode() not in parts["_rels/.rels"]  # …su relación no
    P.finalize_package(copy)
    parts = _parts(copy)
    assert parts["_rels/.rels"].count(P.RIBBON_REL_TYPE.encode()) == 1
    assert P.MAIN_MACRO.encode() in parts["[Content_Types].xml"]
    P.finalize_package(copy)  # idempotente
    assert _parts(copy)["_rels/.rels"].count(P.RIBBON_REL_TYPE.encode()) == 1


def test_imagen_de_la_documentacion_existe() -> None:
    img = ROOT / "docs" / "img" / "plantilla.png"
    assert img.read_bytes().startswith(b"\x89PNG"), "regenere con: python3 tools/plantilla_png.py"
    doc = (ROOT / "docs" / "plantilla.md").read_text(encoding="utf-8")
    assert "img/plantilla.png" in doc
    assert f"(fila {G.FOOTER_LABEL_ROW})" in doc  # la fila de las firmas que cita la guía
