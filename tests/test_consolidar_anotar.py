"""Copias anotadas (`pea consolidar --anotar`): macros, cinta y validaciones sobreviven."""

from __future__ import annotations

import hashlib
import re
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from pea.config import load_config
from pea.consolidate.annotate import annotate_copy, annotated_name
from pea.demo import demo_plans
from pea.demo.mutate import apply_changes
from pea.demo.writer import write_plan_xlsx
from pea.validation import validate_file
from tests.test_consolidar import pea

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "workbook_template.xlsm"
RIBBON_TYPE = "http://schemas.microsoft.com/office/2007/relationships/ui/extensibility"
RIBBON = (b'<customUI xmlns="http://schemas.microsoft.com/office/2009/07/customui">'
          b'<ribbon><tabs><tab id="pea" label="PEA"/></tabs></ribbon></customUI>')
FAKE_VBA = b"VBA-PROYECTO-DE-PRUEBA" * 200


def make_xlsm(xlsx: Path, target: Path) -> Path:
    """Convierte un .xlsx en .xlsm con proyecto VBA y cinta (como lo guarda Excel)."""
    with zipfile.ZipFile(xlsx) as zin:
        parts = {n: zin.read(n) for n in zin.namelist()}
    ct = parts["[Content_Types].xml"].decode()
    ct = re.sub(r'(PartName="/xl/workbook.xml" ContentType=")[^"]+"',
                r'\1application/vnd.ms-excel.sheet.macroEnabled.main+xml"', ct)
    ct = ct.replace("</Types>", '<Default Extension="bin" '
                    'ContentType="application/vnd.ms-office.vbaProject"/></Types>')
    parts["[Content_Types].xml"] = ct.encode()
    rels = parts["xl/_rels/workbook.xml.rels"].decode().replace(
        "</Relationships>", '<Relationship Id="rIdVBA" Type="http://schemas.microsoft.com/'
        'office/2006/relationships/vbaProject" Target="vbaProject.bin"/></Relationships>')
    parts["xl/_rels/workbook.xml.rels"] = rels.encode()
    root = parts["_rels/.rels"].decode().replace(
        "</Relationships>", f'<Relationship Id="rIdCinta" Type="{RIBBON_TYPE}" '
        'Target="customUI/customUI14.xml"/></Relationships>')
    parts["_rels/.rels"] = root.encode()
    parts["xl/vbaProject.bin"] = FAKE_VBA
    parts["customUI/customUI14.xml"] = RIBBON
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for name, data in parts.items():
            zout.writestr(name, data)
    return target


def _zip(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_xlsm_conserva_vba_y_cinta(tmp_path: Path) -> None:
    folder = tmp_path / "entregas"
    folder.mkdir()
    plain = write_plan_xlsx(demo_plans()[1], tmp_path / "tesoreria.xlsx", variant="fraccion")
    apply_changes(plain, {"celdas": {"M10": 0.4, "N10": 0.3, "O10": 0.2, "P10": 0}})
    original = make_xlsm(plain, folder / "tesoreria.xlsm")
    _plan, report = validate_file(original, load_config())
    assert report.resumen["error"] >= 1
    before = _sha(original)
    out = tmp_path / "revisados"
    proc = pea("consolidar", str(folder), "--salida", str(tmp_path / "m.xlsx"), "--anotar",
               str(out), "-q")
    assert proc.returncode == 0, proc.stderr
    assert _sha(original) == before  # el original no se toca
    copy = out / "tesoreria_municipal_revisado.xlsm"
    assert copy.is_file()
    parts = _zip(copy)
    assert parts["xl/vbaProject.bin"] == FAKE_VBA
    assert b"macroEnabled.main+xml" in parts["[Content_Types].xml"]
    assert parts["customUI/customUI14.xml"] == RIBBON
    assert RIBBON_TYPE.encode() in parts["_rels/.rels"]
    assert b"customUI/customUI14.xml" in parts["_rels/.rels"]
    wb = load_workbook(copy, keep_vba=True)
    cell = wb["PEA"]["M10"]
    assert cell.fill.fgColor.rgb.endswith("FFC7CE")
    assert "PEA-Q03" in cell.comment.text
    val = wb["Validación"]
    links = [c.hyperlink.location for row in val.iter_rows() for c in row if c.hyperlink]
    assert "'PEA'!M10" in links


@pytest.mark.skipif(not TEMPLATE.is_file(), reason="falta workbook_template.xlsm")
def test_plantilla_oficial_conserva_macros_cinta_y_validaciones(tmp_path: Path) -> None:
    from pea.template.fill import fill_template

    plan = dict(demo_plans()[4])
    plan["filas"] = [dict(plan["filas"][0], indicador=None)]  # PEA-R01
    folder = tmp_path / "entregas"
    original = fill_template(TEMPLATE, plan, folder / "dif.xlsm")
    before = _zip(original)
    out = tmp_path / "revisados"
    proc = pea("consolidar", str(folder), "--salida", str(tmp_path / "m.xlsx"), "--anotar",
               str(out), "-q")
    assert proc.returncode == 0, proc.stderr
    copies = list(out.glob("*.xlsm"))
    assert len(copies) == 1
    after = _zip(copies[0])
    assert after["xl/vbaProject.bin"] == before["xl/vbaProject.bin"]
    assert after["customUI/customUI14.xml"] == before["customUI/customUI14.xml"]
    assert b"ui/extensibility" in after["_rels/.rels"]
    sheet = "xl/worksheets/sheet1.xml"
    count = re.compile(rb'<dataValidations count="(\d+)"')
    assert count.search(after[sheet]).group(1) == count.search(before[sheet]).group(1)
    assert _zip(original) == before


def test_nombres_seguros_y_unicos() -> None:
    taken: set[str] = set()
    a = annotated_name("x/a.xlsx", "Tesorería Municipal", taken)
    b = annotated_name("y/b.xlsx", "Tesorería Municipal", taken)
    c = annotated_name("../../c.xlsm", None, taken)
    assert a == "tesoreria_municipal_revisado.xlsx"
    assert b == "tesoreria_municipal_revisado_2.xlsx"
    assert c == "c_revisado.xlsm"
    assert annotated_name("d.xlsx", "CON", taken) == "plan_con_revisado.xlsx"


def test_nunca_sobre_el_original(tmp_path: Path) -> None:
    path = write_plan_xlsx(demo_plans()[0], tmp_path / "a.xlsx")
    _plan, report = validate_file(path, load_config())
    with pytest.raises(ValueError):
        annotate_copy(path, tmp_path / "a.xlsx", report, "x")


def test_copia_anotada_que_vuelve_a_la_carpeta(tmp_path: Path) -> None:
    """La copia anotada lleva una marca con la huella de sus valores: si vuelve a la carpeta
    de entregas sin cambios no es otra entrega (se lista como omitida y no sustituye al
    original por ser más reciente); si la dependencia la corrigió, es su nueva entrega."""
    from tests.test_consolidar import read_sheet

    folder = tmp_path / "entregas"
    folder.mkdir()
    original = write_plan_xlsx(demo_plans()[1], folder / "tesoreria.xlsx")
    apply_changes(original, {"celdas": {"M10": 0.4, "N10": 0.3, "O10": 0.2, "P10": 0}})
    out = folder / "revisados"  # dentro de la carpeta de entregas, como lo hacen algunos
    master = tmp_path / "m.xlsx"
    assert pea("consolidar", str(folder), "-o", str(master), "--anotar", str(out),
               "-q").returncode == 0
    (copy,) = out.glob("*.xlsx")
    wb = load_workbook(copy)
    marker = {p.name: p.value for p in wb.custom_doc_props.props}["PEA copia anotada"]
    fingerprint, _, name = marker.partition("|")
    assert name == "tesoreria.xlsx" and len(fingerprint) == 16 and fingerprint != "0" * 16

    def rerun() -> dict[str, tuple[str, str | None]]:
        """La semana siguiente, con --recursivo y sin --anotar: (estado, motivo) por archivo."""
        proc = pea("consolidar", str(folder), "-o", str(master), "-r", "-q")
        assert proc.returncode == 0, proc.stderr
        _, rows = read_sheet(master, "Entregas")
        return {r["Archivo"]: (r["Estado"], r["Motivo"]) for r in rows}

    found = rerun()  # la copia tal cual: no es otra entrega
    assert found["tesoreria.xlsx"][0] == "Rechazado"
    estado, motivo = found[f"revisados/{copy.name}"]
    assert estado == "Omitido" and "copia anotada" in motivo

    # la dependencia corrige la copia y la guarda: ahora es su entrega más reciente
    ws = wb["PEA"] if "PEA" in wb.sheetnames else wb.worksheets[0]
    for ref, v in {"M10": 0.5, "N10": 0.3, "O10": 0.2, "P10": 0}.items():
        ws[ref] = v
    wb.save(copy)
    found = rerun()
    assert found["tesoreria.xlsx"][0] == "Duplicado"
    assert found[f"revisados/{copy.name}"][0] == "Aceptado"


def test_una_copia_corregida_nunca_se_sobrescribe(tmp_path: Path) -> None:
    """Volver a anotar reemplaza las copias que nadie tocó; una copia que la dependencia
    corrigió se conserva (la nueva va con otro nombre) y, si la carpeta de copias está
    dentro de la de entregas, la corrida se rechaza antes de esconderla."""
    folder = tmp_path / "entregas"
    folder.mkdir()
    original = write_plan_xlsx(demo_plans()[1], folder / "tesoreria.xlsx")
    apply_changes(original, {"celdas": {"M10": 0.4, "N10": 0.3, "O10": 0.2, "P10": 0}})
    out = tmp_path / "revisados"
    args = ("consolidar", str(folder), "-o", str(tmp_path / "m.xlsx"), "--anotar", str(out),
            "-q")
    assert pea(*args).returncode == 0
    (copy,) = out.glob("*.xlsx")
    inode = copy.stat().st_ino
    assert pea(*args).returncode == 0
    assert list(out.glob("*.xlsx")) == [copy] and copy.stat().st_ino != inode  # reemplazada

    wb = load_workbook(copy)
    wb["PEA"]["M10"] = 0.5  # la dependencia corrige su copia
    wb.save(copy)
    corrected = _sha(copy)
    assert pea(*args).returncode == 0
    assert _sha(copy) == corrected
    assert len(list(out.glob("*.xlsx"))) == 2  # la copia nueva, con otro nombre

    inside = folder / "revisados"
    inside.mkdir()
    moved = inside / copy.name
    copy.replace(moved)
    proc = pea("consolidar", str(folder), "-r", "-o", str(tmp_path / "m.xlsx"), "--anotar",
               str(inside), "-q")
    assert proc.returncode == 2 and copy.name in proc.stderr
    assert _sha(moved) == corrected


def test_marca_con_otros_prefijos_y_comillas() -> None:
    """Excel, LibreOffice y otras herramientas escriben la propiedad de distintas formas."""
    from pea.docprops import property_value

    name = "PEA copia anotada"
    forms = [
        b'<property fmtid="x" pid="2" name="PEA copia anotada"><vt:lpwstr>a|b</vt:lpwstr>'
        b"</property>",
        b"<op:property name='PEA copia anotada' pid='2'>\n <x:lpwstr>a|b</x:lpwstr>"
        b"</op:property>",
        b'<property name="Otra"><vt:lpwstr>no</vt:lpwstr></property>'
        b'<property name="PEA copia anotada"><vt:lpwstr>a|b</vt:lpwstr></property>',
    ]
    for xml in forms:
        assert property_value(b"<Properties>" + xml + b"</Properties>", name) == "a|b"
    escaped = b'<property name="PEA copia anotada"><vt:lpwstr>f|Obras &amp; &lt;1&gt;.xlsx' \
              b"</vt:lpwstr></property>"
    assert property_value(escaped, name) == "f|Obras & <1>.xlsx"
    assert property_value(b'<property name="PEA libro maestro"><vt:lpwstr>1</vt:lpwstr>'
                          b"</property>", name) is None
