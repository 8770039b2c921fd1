"""Cualquier texto que escriba una dependencia da XML bien formado y cabe en una celda.

Propiedades (hypothesis) sobre cada escritor: el maestro por el camino rápido (tabla de
cadenas y cadenas en línea, como con más de 150,000 líneas) y por la API pública de
XlsxWriter, las copias anotadas (notas y hoja «Validación») y los encabezados del CSV.
Textos: Unicode arbitrario, texto que parece marcado («<r>x</r>», «&», «_x0041_»),
caracteres de control, U+FFFE/U+FFFF y longitudes en el borde de 32,767 unidades UTF-16
con emoji. Cada parte XML escrita se analiza con un analizador estricto (expat) y ninguna
celda ni nota pasa de 32,767 unidades UTF-16.
"""

from __future__ import annotations

import re
import xml.parsers.expat
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pea.cell_text import CELL_MAX, cell_text, clip_utf16, utf16_len, xml_text
from pea.config import load_config
from tests.conftest import SEED

EMOJI = "\U0001F600"
MARKUP = ["<r>x</r>", "<r>", "</r>", "<r><t>a</t></r>", "&", "&amp;", "<", ">", "]]>",
          "_x0041_", "_x005F_", '"', "'", "<!--", "<?xml?>", "\ufffe", "\uffff", "\x00",
          "\x01", "\x08", "\x0b", "\x1f", "\x7f", "\u2028", EMOJI, "\U0010FFFF", "ñ", " "]
#: Sin tabulador, salto de línea ni retorno: van dentro de una celda de un .txt del plan.
_CELL_CHARS = st.characters(blacklist_characters="\t\n\r", blacklist_categories=("Cs",))


@st.composite
def long_texts(draw: st.DrawFn) -> str:
    """Un texto en el borde del tope, con emoji (dos unidades UTF-16) donde se corta."""
    n = draw(st.sampled_from([CELL_MAX - 2, CELL_MAX - 1, CELL_MAX, CELL_MAX + 1]))
    tail = draw(st.sampled_from(["", EMOJI, EMOJI * 3, "<r>x</r>", "\ufffe"]))
    return "a" * (n - len(tail) + 1) + tail if draw(st.booleans()) else EMOJI * (n // 2 + 1)


@st.composite
def five_texts(draw: st.DrawFn) -> list[str]:
    """Cinco textos hostiles cortos; a veces uno de ellos largo (el archivo no pasa del tope
    de tamaño de una entrega)."""
    texts = [draw(hostile_texts()) for _ in range(5)]
    if draw(st.booleans()):
        texts[draw(st.integers(0, 4))] = draw(long_texts())
    return texts


@st.composite
def hostile_texts(draw: st.DrawFn) -> str:
    """Un texto corto hostil: marcado aparente, controles, no caracteres, Unicode al azar."""
    parts = draw(st.lists(st.one_of(st.sampled_from(MARKUP), st.text(_CELL_CHARS, max_size=8)),
                          min_size=1, max_size=8))
    text = "".join(parts).strip()
    return text if any(ch.isalnum() for ch in text) else "x" + text


_XESC = re.compile(r"_x([0-9A-Fa-f]{4})_")


def _excel_value(text: str) -> str:
    """El texto como lo lee Excel: «_xHHHH_» vuelve a ser su carácter (ST_Xstring)."""
    return _XESC.sub(lambda m: chr(int(m.group(1), 16)), text)


def check_parts(path: Path) -> None:
    """Cada parte XML del paquete analiza con expat; ningún texto pasa del tope."""
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if not name.endswith((".xml", ".rels", ".vml")):
                continue
            data = z.read(name)
            parser = xml.parsers.expat.ParserCreate()
            try:
                parser.Parse(data, True)
            except xml.parsers.expat.ExpatError as exc:
                raise AssertionError(f"{path.name}:{name} no es XML bien formado: {exc}") from exc
            if name == "xl/sharedStrings.xml" or name.startswith(("xl/worksheets/sheet",
                                                                    "xl/comments")):
                root = ET.fromstring(data)
                for el in root.iter():
                    if el.tag.rsplit("}", 1)[-1] in ("si", "is", "text"):
                        value = _excel_value("".join(t.text or "" for t in el.iter()
                                                     if t.tag.endswith("}t")))
                        assert utf16_len(value) <= CELL_MAX, (name, utf16_len(value))


# ---------------------------------------------------------------------------
# cell_text / xml_text
# ---------------------------------------------------------------------------

@given(st.text(max_size=40), st.integers(1, 40))
def test_recorte_en_unidades_utf16_sin_partir_emoji(text: str, limit: int) -> None:
    text = text + EMOJI * 20
    clipped = clip_utf16(text, limit)
    assert utf16_len(clipped) <= limit
    assert text.startswith(clipped)
    assert utf16_len(clipped) >= limit - 1  # a lo más se quita la mitad de un par


def test_emoji_en_el_borde_del_tope() -> None:
    """Por puntos de código cabe; por unidades UTF-16 (como cuenta Excel) no."""
    text = "a" * (CELL_MAX - 9) + EMOJI * 9  # 32,767 puntos, 32,776 unidades
    assert len(text) == CELL_MAX and utf16_len(text) == CELL_MAX + 9
    assert utf16_len(cell_text(text)) == CELL_MAX - 1  # el emoji partido no entra
    assert cell_text("x\ud800y") == "x\ufffdy"


@given(st.text(alphabet=st.characters(), max_size=30))
def test_xml_text_solo_caracteres_de_xml(text: str) -> None:
    out = xml_text(text + "\ufffe\x01\ud83d")
    parser = xml.parsers.expat.ParserCreate()
    parser.Parse(("<a>" + out.replace("&", "&amp;").replace("<", "&lt;") + "</a>")
                 .encode("utf-8"), True)


# ---------------------------------------------------------------------------
# El maestro
# ---------------------------------------------------------------------------

def _hostile_plan(folder: Path, texts: list[str]) -> Path:
    """La exportación de texto del plan semilla con `texts` en el nombre de la dependencia
    y en los textos de una línea (pasos, meta, responsable, indicador)."""
    folder.mkdir(parents=True, exist_ok=True)
    lines = SEED.read_text(encoding="utf-8").splitlines()
    row = next(i for i, ln in enumerate(lines) if ln.count("\t") > 10 and i > 24)
    cells = lines[row].split("\t")
    for col, text in zip((10, 11, 16, 17), texts, strict=False):
        cells[col] = text
    lines[row] = "\t".join(cells)
    dep = next(i for i, ln in enumerate(lines) if ln.startswith("Dependencia o Entidad"))
    lines[dep] = f"Dependencia o Entidad: **{texts[-1]}**"
    path = folder / "hostil.txt"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


_SLOW = settings(max_examples=12, deadline=None,
                 suppress_health_check=[HealthCheck.function_scoped_fixture,
                                        HealthCheck.too_slow, HealthCheck.data_too_large])


@_SLOW
@given(five_texts(), st.sampled_from(["rapido", "publico", "en_linea"]))
def test_maestro_bien_formado_con_cualquier_texto(tmp_path_factory: pytest.TempPathFactory,
                                                  texts: list[str], camino: str) -> None:
    from pea.consolidate import master
    from pea.consolidate.run import Options, consolidate

    base = tmp_path_factory.mktemp("maestro")
    _hostile_plan(base / "entregas", texts)
    config = load_config()
    out = base / "m.xlsx"
    result = consolidate(Options(base / "entregas", out), config)
    assert [s.estado for s in result.consolidation.submissions] != ["Ilegible"]
    if camino == "publico":
        master.write_master(result.consolidation, config, out, fast=False)
    elif camino == "en_linea":  # sin tablas y con cadenas en línea (más de 150,000 líneas)
        old = master.CONSTANT_MEMORY_ROWS
        master.CONSTANT_MEMORY_ROWS = 0
        try:
            master.write_master(result.consolidation, config, out, fast=True)
            slow = base / "lento.xlsx"
            master.write_master(result.consolidation, config, slow, fast=False)
            check_parts(slow)
        finally:
            master.CONSTANT_MEMORY_ROWS = old
    check_parts(out)


@pytest.mark.parametrize("camino", ["rapido", "publico", "en_linea"])
def test_texto_enriquecido_aparente_no_rompe_el_maestro(tmp_path: Path, camino: str) -> None:
    """«<r>x</r>» se escribe escapado: Excel muestra el texto, no un formato."""
    from openpyxl import load_workbook

    from pea.consolidate import master
    from pea.consolidate.run import Options, consolidate

    texts = ["<r>x</r>", "<r><b/>&</r>", "a" * (CELL_MAX - 4) + EMOJI * 5, "\ufffe\uffff ok",
             "<r>Dependencia</r>"]
    _hostile_plan(tmp_path / "entregas", texts)
    config = load_config()
    out = tmp_path / "m.xlsx"
    result = consolidate(Options(tmp_path / "entregas", out), config)
    if camino != "rapido":
        old = master.CONSTANT_MEMORY_ROWS
        if camino == "en_linea":
            master.CONSTANT_MEMORY_ROWS = 0
        try:
            master.write_master(result.consolidation, config, out, fast=camino == "en_linea")
        finally:
            master.CONSTANT_MEMORY_ROWS = old
    check_parts(out)
    values = {c.value for row in load_workbook(out)["Plan consolidado"].iter_rows()
              for c in row}
    assert "<r>x</r>" in values and "<r><b/>&</r>" in values


def test_csv_conserva_los_textos(tmp_path: Path) -> None:
    """El CSV (encabezados y celdas) lleva el texto completo: es texto, no XML."""
    import csv

    from tests.test_consolidar import pea

    texts = ["<r>x</r>", "a & b", EMOJI * 20_000, "_x0041_", "<r>Dep</r>"]
    _hostile_plan(tmp_path / "entregas", texts)
    proc = pea("consolidar", str(tmp_path / "entregas"), "-o", str(tmp_path / "m.xlsx"),
               "--csv", str(tmp_path / "csv"), "-q")
    assert proc.returncode == 0, proc.stderr
    check_parts(tmp_path / "m.xlsx")
    with open(tmp_path / "csv" / "plan_consolidado.csv", encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    from pea.consolidate.columns import PLAN_COLUMNS

    assert rows[0] == [c.header for c in PLAN_COLUMNS]
    flat = {v for r in rows[1:] for v in r}
    assert {"<r>x</r>", "a & b", EMOJI * 20_000, "_x0041_"} <= flat


# ---------------------------------------------------------------------------
# Copias anotadas (notas y hoja «Validación»)
# ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def plan_report(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    from pea.demo.writer import write_plan_xlsx
    from pea.validation import validate_file
    from tests.conftest import plan_by_name

    plan = dict(plan_by_name("Coordinación de Comunicación Social"))
    plan["filas"] = [dict(plan["filas"][0], indicador=None)]
    src = write_plan_xlsx(plan, tmp_path_factory.mktemp("anotar") / "plan.xlsx")
    _plan, report = validate_file(src, load_config())
    assert report.hallazgos
    return src, report


@settings(max_examples=10, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.data_too_large])
@given(st.lists(st.one_of(hostile_texts(), long_texts(), st.text(st.characters(), max_size=20),
                          st.sampled_from(["\ud800", "x\udfffy"])), min_size=2, max_size=2))
def test_copia_anotada_bien_formada_con_cualquier_texto(
        plan_report: tuple[Path, object], tmp_path_factory: pytest.TempPathFactory,
        texts: list[str]) -> None:
    from pea.consolidate.annotate import annotate_copy

    src, report = plan_report
    findings = [f.model_copy(update={"mensaje": texts[0] + f.mensaje, "regla": f.regla})
                for f in report.hallazgos]  # type: ignore[attr-defined]
    hostile = report.model_copy(update={"hallazgos": findings,  # type: ignore[attr-defined]
                                        "archivo": "plan" + texts[1] + ".xlsx"})
    dst = tmp_path_factory.mktemp("copia") / "copia.xlsx"
    annotate_copy(src, dst, hostile, "2024.1")
    check_parts(dst)


# ---------------------------------------------------------------------------
# Botones de formulario (dibujo VML que no es de PEA)
# ---------------------------------------------------------------------------

R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
BUTTONS_VML = Path(__file__).parent / "fixtures" / "botones_formulario.vml"


def with_buttons(xlsm: Path) -> Path:
    """Agrega a la hoja del plan dos botones de formulario (dibujo VML como el de Excel)."""
    with zipfile.ZipFile(xlsm) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    sheet = "xl/worksheets/sheet1.xml"
    parts[sheet] = parts[sheet].replace(
        b"</worksheet>", f'<legacyDrawing xmlns:r="{R_NS}" r:id="rIdBotones"/></worksheet>'
        .encode())
    parts["xl/worksheets/_rels/sheet1.xml.rels"] = (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rIdBotones" Type="{R_NS}/vmlDrawing" '
        'Target="../drawings/vmlDrawing1.vml"/></Relationships>').encode()
    parts["xl/drawings/vmlDrawing1.vml"] = BUTTONS_VML.read_bytes()
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"</Types>", b'<Default Extension="vml" ContentType="application/vnd.openxmlformats-'
        b'officedocument.vmlDrawing"/></Types>')
    with zipfile.ZipFile(xlsm, "w") as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return xlsm


def test_botones_de_formulario_intactos_en_la_copia(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    from pea.consolidate.annotate import annotate_copy
    from pea.template import fill_template
    from pea.validation import validate_file
    from tests.conftest import plan_by_name

    root = Path(__file__).resolve().parent.parent
    plan = dict(plan_by_name("Coordinación de Comunicación Social"))
    plan["filas"] = [dict(plan["filas"][0], indicador=None)]
    src = with_buttons(fill_template(root / "workbook_template.xlsm", plan,
                                     tmp_path / "plan.xlsm"))
    _plan, report = validate_file(src, load_config())
    assert any(f.hoja == "PEA" and f.celda for f in report.hallazgos)
    copy = annotate_copy(src, tmp_path / "copia.xlsm", report, "2024.1")
    check_parts(copy)
    with zipfile.ZipFile(copy) as z:
        vml = z.read("xl/drawings/vmlDrawing1.vml")
        sheet = z.read("xl/worksheets/sheet1.xml")
        rels = z.read("xl/worksheets/_rels/sheet1.xml.rels")
    assert vml == BUTTONS_VML.read_bytes()  # el dibujo de la dependencia, tal cual
    assert b"legacyDrawing" in sheet and b"vmlDrawing1.vml" in rels
    ids = re.findall(rb'(?:o:spid|\sid)="(_x0000_s\d+)"', vml)
    assert len(ids) == len(set(ids))
    ws = load_workbook(copy)["Validación"]
    assert any(c.value == "Sin notas" for c in ws["A"])


def test_copia_xlsx_avisa_que_no_conserva_los_botones(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    from pea.consolidate.annotate import annotate_copy
    from pea.demo.writer import write_plan_xlsx
    from pea.validation import validate_file
    from tests.conftest import plan_by_name

    plan = dict(plan_by_name("Coordinación de Comunicación Social"))
    plan["filas"] = [dict(plan["filas"][0], indicador=None)]
    src = with_buttons(write_plan_xlsx(plan, tmp_path / "plan.xlsx"))
    _plan, report = validate_file(src, load_config())
    copy = annotate_copy(src, tmp_path / "copia.xlsx", report, "2024.1")
    check_parts(copy)
    ws = load_workbook(copy)["Validación"]
    assert any(c.value == "Botones" for c in ws["A"])
