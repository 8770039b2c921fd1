"""Cada parte XML de lo que PEA escribe, validada contra los esquemas de Office.

Validador: `openxml-audit` (PyPI, licencia MIT), una adaptación a Python del validador del
Open XML SDK de Microsoft (MIT): esquemas ECMA-376 de transición más las extensiones de
Office, entre ellas la cinta (customUI 2006 y 2009/07), con el procesamiento de
compatibilidad de marcado (``mc:Ignorable``, ``mc:AlternateContent``) y ``extLst`` como lo
hace Office. Necesita lxml, así que estas pruebas corren en el entorno virtual con lxml de
tools/pruebas.sh (sin él se omiten). Procedencia y licencia: docs/plantilla.md.

Dos ajustes, ambos medidos aquí:
- el SDK declara los hijos de ``<font>`` (CT_Font) como secuencia ordenada; ECMA-376
  (sml.xsd) los declara ``xsd:choice maxOccurs="unbounded"``, en cualquier orden, que es
  lo que openpyxl escribe y Excel abre. Antes de validar se ordenan como los pide el SDK;
  cualquier otro error de ``styles.xml`` sigue contando;
- openxml-audit agrega un aviso propio (tipo «semantic», no de esquema) cuando una hoja
  usa cadenas en línea sin tabla de cadenas compartidas: Excel las acepta y las pasa a la
  tabla al guardar. Se ignora solo ese aviso.

Calibración: libros guardados por Excel (los que trae pyOpenVBA, MIT) validan sin errores,
y el validador sí detecta lo que debe (una cinta inválida, un atributo de una extensión sin
``mc:Ignorable``).
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import Any

import pytest

openxml_audit = pytest.importorskip("openxml_audit", reason="openxml-audit necesita lxml: "
                                    "tools/pruebas.sh lo corre en un entorno virtual con lxml")

from pea.config import load_config  # noqa: E402
from tests.conftest import plan_by_name  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "workbook_template.xlsm"
SML = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
#: Orden de los hijos de CT_Font en el Open XML SDK (ECMA-376 admite cualquier orden).
FONT_ORDER = ("b", "i", "strike", "condense", "extend", "outline", "shadow", "u", "vertAlign",
              "sz", "color", "name", "family", "charset", "scheme")
_INLINE_NOTICE = "inline-string cell"


def _excel_samples() -> list[Path]:
    import pyopenvba

    folder = Path(pyopenvba.__file__).parent / "_templates" / "blank_files"
    return [folder / n for n in ("blank_workbook.xlsx", "blank_workbook.xlsm",
                                 "blank_excel_addin.xlam")]


def _font_order(styles: bytes) -> bytes:
    """Los hijos de cada <font> en el orden del SDK (ECMA-376: en cualquier orden)."""
    from lxml import etree

    root = etree.fromstring(styles)
    rank = {f"{{{SML}}}{n}": i for i, n in enumerate(FONT_ORDER)}
    for font in root.iter(f"{{{SML}}}font"):
        children = list(font)
        for child in children:
            font.remove(child)
        for child in sorted(children, key=lambda c: rank.get(c.tag, len(rank))):
            font.append(child)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def schema_errors(path: Path, tmp: Path) -> list[str]:
    """Errores del validador (salvo los dos ajustes del encabezado), como texto."""
    with zipfile.ZipFile(path) as z:
        infos = z.infolist()
        parts = {i.filename: z.read(i.filename) for i in infos}
    if "xl/styles.xml" in parts:
        parts["xl/styles.xml"] = _font_order(parts["xl/styles.xml"])
    checked = tmp / f"validar_{path.name}"
    with zipfile.ZipFile(checked, "w", zipfile.ZIP_DEFLATED) as z:
        for info in infos:
            z.writestr(info.filename, parts[info.filename])
    result = openxml_audit.OpenXmlValidator(max_errors=200).validate(str(checked))
    return [f"{e.error_type.name} {e.part_uri} {e.path}: {e.description}"
            for e in result.errors if _INLINE_NOTICE not in e.description]


# ---------------------------------------------------------------------------
# Calibración del validador
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("sample", _excel_samples(), ids=lambda p: p.name)
def test_libros_guardados_por_excel_validan_limpios(sample: Path, tmp_path: Path) -> None:
    with zipfile.ZipFile(sample) as z:
        assert b"Microsoft Excel" in z.read("docProps/app.xml")
        assert b"mc:Ignorable" in z.read("xl/workbook.xml")  # con extensiones de Office
    assert schema_errors(sample, tmp_path) == []


def _rewrite(src: Path, dst: Path, name: str, edit: Any) -> Path:
    with zipfile.ZipFile(src) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    parts[name] = edit(parts[name])
    with zipfile.ZipFile(dst, "w") as z:
        for n, data in parts.items():
            z.writestr(n, data)
    return dst


def test_el_validador_ve_una_cinta_invalida(tmp_path: Path) -> None:
    bad = _rewrite(TEMPLATE, tmp_path / "cinta.xlsm", "customUI/customUI14.xml",
                   lambda x: x.replace(b"<tabs>", b"<tabs><tabla/>", 1))
    assert any("customUI" in e for e in schema_errors(bad, tmp_path))


def _with_extension(ignorable: bool) -> Any:
    """El <workbook> con un elemento de un espacio de nombres desconocido para Office."""
    def edit(xml: bytes) -> bytes:
        xml = xml.replace(b"<workbook ", b'<workbook xmlns:zz="urn:pea:prueba" ', 1)
        if ignorable:
            xml = re.sub(rb'mc:Ignorable="([^"]*)"', rb'mc:Ignorable="\1 zz"', xml, count=1)
        return xml.replace(b"</sheets>", b"</sheets><zz:cosa/>", 1)
    return edit


def test_el_validador_aplica_mc_ignorable(tmp_path: Path) -> None:
    """Lo de una extensión vale solo si «mc:Ignorable» la nombra, como en Excel."""
    sample = _excel_samples()[0]
    ok = _rewrite(sample, tmp_path / "con.xlsx", "xl/workbook.xml", _with_extension(True))
    bad = _rewrite(sample, tmp_path / "sin.xlsx", "xl/workbook.xml", _with_extension(False))
    assert schema_errors(ok, tmp_path) == []
    assert any("cosa" in e for e in schema_errors(bad, tmp_path))
    # el propio libro de Excel sin su mc:Ignorable: xr:revisionPtr ya no se puede ignorar
    bare = _rewrite(sample, tmp_path / "excel_sin.xlsx", "xl/workbook.xml",
                    lambda x: re.sub(rb' mc:Ignorable="[^"]*"', b"", x, count=1))
    assert any("revisionPtr" in e for e in schema_errors(bare, tmp_path))


def test_el_validador_deja_pasar_extlst(tmp_path: Path) -> None:
    """Dentro de <extLst><ext uri="…"> cabe cualquier cosa (así lo lee Excel)."""
    ext = (b'<extLst><ext uri="{00000000-0000-0000-0000-0000000050EA}" '
           b'xmlns:zz="urn:pea:prueba"><zz:cosa zz:algo="1"/></ext></extLst>')
    sample = _excel_samples()[0]
    ok = _rewrite(sample, tmp_path / "ext.xlsx", "xl/styles.xml",
                  lambda x: re.sub(rb"<extLst>.*?</extLst>", ext, x, count=1, flags=re.S))
    assert ext in zipfile.ZipFile(ok).read("xl/styles.xml")
    assert schema_errors(ok, tmp_path) == []
    loose = _rewrite(sample, tmp_path / "suelto.xlsx", "xl/styles.xml",
                     lambda x: x.replace(b"</styleSheet>", b"<cosa/></styleSheet>"))
    assert schema_errors(loose, tmp_path)


def test_el_orden_de_font_solo_perdona_el_orden(tmp_path: Path) -> None:
    bad = _rewrite(TEMPLATE, tmp_path / "font.xlsm", "xl/styles.xml",
                   lambda x: x.replace(b"<font>", b"<font><negrita/>", 1))
    assert any("styles.xml" in e for e in schema_errors(bad, tmp_path))


# ---------------------------------------------------------------------------
# Lo que escribe PEA
# ---------------------------------------------------------------------------

def test_plantilla_valida(tmp_path: Path) -> None:
    assert schema_errors(TEMPLATE, tmp_path) == []


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """La plantilla llena, el maestro del municipio de demostración y copias anotadas."""
    from pea.consolidate.annotate import annotate_copy
    from pea.consolidate.run import Options, consolidate
    from pea.demo import demo_plans
    from pea.demo.writer import write_plan_xlsx
    from pea.template import fill_template
    from pea.validation import validate_file

    base = tmp_path_factory.mktemp("esquemas")
    folder = base / "entregas"
    folder.mkdir()
    for i, plan in enumerate(demo_plans()):
        write_plan_xlsx(plan, folder / f"{i:02d}.xlsx")
    plan = dict(plan_by_name("Coordinación de Comunicación Social"))
    plan["filas"] = [dict(plan["filas"][0], indicador=None)]
    filled = fill_template(TEMPLATE, plan, folder / "llena.xlsm")
    config = load_config()
    master = base / "maestro.xlsx"
    consolidate(Options(folder, master), config)
    out = {"llena": filled, "maestro": master}
    for name, src in (("anotada_xlsx", folder / "00.xlsx"), ("anotada_xlsm", filled)):
        _plan, report = validate_file(src, config)
        assert report.hallazgos or name == "anotada_xlsx"
        out[name] = annotate_copy(src, base / f"{name}{src.suffix}", report, config.version)
    return out


@pytest.mark.parametrize("name", ["llena", "maestro", "anotada_xlsx", "anotada_xlsm"])
def test_libros_de_pea_validan(demo: dict[str, Path], name: str, tmp_path: Path) -> None:
    assert schema_errors(demo[name], tmp_path) == []


@pytest.mark.parametrize("camino", ["rapido", "en_linea"])
def test_maestro_con_textos_hostiles_valida(tmp_path: Path, camino: str,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    from pea.consolidate import master
    from pea.consolidate.run import Options, consolidate
    from tests.test_textos_xml import EMOJI, _hostile_plan

    if camino == "en_linea":  # sin tablas y con cadenas en línea (más de 150,000 líneas)
        monkeypatch.setattr(master, "CONSTANT_MEMORY_ROWS", 0)
    texts = ["<r>x</r>", "a & b <c> \x01\x1f", "_x0041_ \ufffe\uffff", EMOJI * 16_390,
             "<r><t>Dep</t></r>"]
    _hostile_plan(tmp_path / "entregas", texts)
    out = tmp_path / "m.xlsx"
    consolidate(Options(tmp_path / "entregas", out), load_config())
    assert schema_errors(out, tmp_path) == []
