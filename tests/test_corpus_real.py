"""Corpus de hojas de cálculo reales que escribieron otros programas (tests/corpus/).

Los archivos vienen de las pruebas de proyectos públicos (calamine, SheetJS, XlsxWriter,
Apache POI, excelize, exceljs, python-calamine); `tests/corpus/fuentes.csv` registra de
cada uno el repositorio, la ruta, el commit, la licencia, el programa que lo escribió
(según `docProps/app.xml` o `meta.xml`) y su sha256. Ninguno es un plan: lo que se prueba
es que PEA los trate como trata cualquier entrega que no sabe leer o que no es un plan,
por el comando instalado (`python -m pea`):

- `validar` sobre la carpeta y sobre cada archivo: sin traza de Python en la salida,
  código 0/1 del contrato, un objeto JSON por archivo;
- `consolidar --anotar --csv` sobre una copia de la carpeta: código 0, cada archivo con
  su renglón en «Entregas», sin traza; otra vez sobre el mismo maestro (con su caché), los
  mismos veredictos;
- los archivos de entrada quedan idénticos (sha256 antes y después) y la carpeta no gana
  archivos.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

CORPUS = Path(__file__).parent / "corpus"
FILES = CORPUS / "archivos"
MANIFEST = CORPUS / "fuentes.csv"
LICENCES = {"MIT", "Apache-2.0", "BSD-2-Clause", "BSD-3-Clause"}
WORKBOOKS = {".xlsx", ".xlsm"}
#: Lo que en la salida delata una excepción que se escapó (también la de un __del__).
LEAKS = ("Traceback", "Exception ignored", "Error interno")
TIMEOUT = 300


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _manifest() -> list[dict[str, str]]:
    with MANIFEST.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _pea(*args: str | Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, COLUMNS="120", NO_COLOR="1", PYTHONIOENCODING="utf-8")
    return subprocess.run([sys.executable, "-m", "pea", *map(str, args)], capture_output=True,
                          text=True, encoding="utf-8", errors="replace", env=env,
                          timeout=TIMEOUT)


def _leaks(proc: subprocess.CompletedProcess[str]) -> list[str]:
    return [line for line in (proc.stdout + proc.stderr).splitlines()
            if any(leak in line for leak in LEAKS)]


@dataclass
class Run:
    folder: Path
    names: list[str]
    before: dict[str, str]
    after: dict[str, str]
    listing_after: list[str]
    validar_carpeta: subprocess.CompletedProcess[str]
    validar_archivos: subprocess.CompletedProcess[str]
    consolidar: subprocess.CompletedProcess[str]
    states: dict[str, str]
    reconsolidar: subprocess.CompletedProcess[str]
    restates: dict[str, str]
    master: Path
    annotated: Path
    csv_dir: Path


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    """Una sola corrida de los comandos sobre una copia del corpus (se comparte entre pruebas)."""
    base = tmp_path_factory.mktemp("corpus_real")
    folder = base / "entregas"
    shutil.copytree(FILES, folder)
    names = sorted(p.name for p in folder.iterdir())
    before = {n: _sha(folder / n) for n in names}
    v_dir = _pea("validar", folder, "--formato", "json")
    v_files = _pea("validar", *(folder / n for n in names), "--formato", "json")
    master = base / "salida" / "maestro.xlsx"
    annotated, csv_dir = base / "anotadas", base / "csv"
    cons = _pea("consolidar", folder, "--salida", master, "--anotar", annotated,
                "--csv", csv_dir, "--procesos", "2")
    states = _states(master)
    # Otra vez sobre el mismo maestro (con su caché): los veredictos no cambian.
    again = _pea("consolidar", folder, "--salida", master, "--procesos", "2", "--formato",
                 "json")
    restates = _states(master)
    listing = sorted(p.name for p in folder.iterdir())
    after = {n: _sha(folder / n) for n in listing if (folder / n).is_file()}
    return Run(folder, names, before, after, listing, v_dir, v_files, cons, states, again,
               restates, master, annotated, csv_dir)


def _entregas(master: Path) -> list[tuple[Any, ...]]:
    from openpyxl import load_workbook

    if not master.is_file():
        return []
    wb = load_workbook(master, read_only=True)
    try:
        return list(wb["Entregas"].iter_rows(values_only=True))
    finally:
        wb.close()


def _states(master: Path) -> dict[str, str]:
    rows = _entregas(master)
    if not rows:
        return {}
    header = list(rows[0])
    archivo, estado = header.index("Archivo"), header.index("Estado")
    return {str(r[archivo]): str(r[estado]) for r in rows[1:] if r[archivo] is not None}


# --- el corpus mismo ---------------------------------------------------------------------

def test_cada_archivo_tiene_fuente_y_licencia_registradas() -> None:
    rows = _manifest()
    listed = {r["archivo"]: r for r in rows}
    assert len(listed) == len(rows), "archivo repetido en fuentes.csv"
    present = {p.name for p in FILES.iterdir()}
    assert present == set(listed), (
        f"sin registrar: {sorted(present - set(listed))}; "
        f"registrados que faltan: {sorted(set(listed) - present)}")
    for name, r in listed.items():
        assert r["licencia"] in LICENCES, name
        assert re.fullmatch(r"[\w.-]+/[\w.-]+", r["repositorio"]), name
        assert re.fullmatch(r"[0-9a-f]{40}", r["commit"]), name
        assert r["ruta"] and r["programa"], name
        assert _sha(FILES / name) == r["sha256"], f"{name} cambió desde que se registró"
        assert (FILES / name).stat().st_size == int(r["bytes"]), name


def test_corpus_pequeno_y_variado() -> None:
    rows = _manifest()
    assert sum(int(r["bytes"]) for r in rows) <= 15_000_000
    suffixes = Counter(Path(r["archivo"]).suffix.lower() for r in rows)
    for suffix in (".xlsx", ".xlsm", ".xltx", ".ods", ".xls", ".xlsb", ".csv", ".txt",
                   ".numbers"):
        assert suffixes[suffix] >= 1, suffix
    assert suffixes[".xlsx"] + suffixes[".xlsm"] >= 200
    programs = " ".join(r["programa"] for r in rows)
    for program in ("Microsoft Excel", "Microsoft Macintosh Excel", "LibreOffice",
                    "Google Sheets", "Numbers", "WPS", "Apache POI", "Excel Online"):
        assert program in programs, program


# --- validar -----------------------------------------------------------------------------

def _reports(proc: subprocess.CompletedProcess[str]) -> list[dict[str, Any]]:
    data = json.loads(proc.stdout)
    assert isinstance(data, list)
    for obj in data:
        assert set(obj["resumen"]) == {"error", "advertencia", "info"}, obj["archivo"]
        errors = sum(1 for h in obj["hallazgos"] if h["severidad"] == "error")
        assert obj["valido"] is (errors == 0), obj["archivo"]
    return data


def test_validar_la_carpeta_sin_trazas_y_con_el_codigo_del_contrato(run: Run) -> None:
    proc = run.validar_carpeta
    assert not _leaks(proc), _leaks(proc)[:5]
    reports = _reports(proc)
    assert proc.returncode == (0 if all(r["valido"] for r in reports) else 1), proc.stderr[-500:]
    seen = {Path(r["archivo"]).name for r in reports}
    workbooks = {n for n in run.names if Path(n).suffix.lower() in WORKBOOKS}
    assert workbooks <= seen, sorted(workbooks - seen)[:10]


def test_validar_cada_archivo_da_un_reporte_por_archivo(run: Run) -> None:
    proc = run.validar_archivos
    assert not _leaks(proc), _leaks(proc)[:5]
    reports = _reports(proc)
    assert [Path(r["archivo"]).name for r in reports] == run.names
    # Ninguno es un plan: todos tienen al menos un error, así que el código es 1.
    assert proc.returncode == 1, proc.stderr[-500:]
    for r in reports:
        assert not r["valido"], r["archivo"]
        for h in r["hallazgos"]:
            assert h["regla"].startswith("PEA-") and h["mensaje"], r["archivo"]


# --- consolidar --------------------------------------------------------------------------

def test_consolidar_anotar_csv_sin_trazas(run: Run) -> None:
    proc = run.consolidar
    assert proc.returncode == 0, (proc.stdout[-800:], proc.stderr[-2000:])
    assert not _leaks(proc), _leaks(proc)[:5]
    assert run.master.is_file()
    assert (run.csv_dir / "entregas.csv").is_file()
    assert run.annotated.is_dir()


def test_cada_archivo_aparece_en_entregas(run: Run) -> None:
    rows = _entregas(run.master)
    assert rows, "no hay maestro"
    header = list(rows[0])
    archivo, estado = header.index("Archivo"), header.index("Estado")
    listed = Counter(str(r[archivo]) for r in rows[1:] if r[archivo] is not None)
    assert set(listed) == set(run.names), (sorted(set(run.names) - set(listed))[:10],
                                           sorted(set(listed) - set(run.names))[:10])
    assert max(listed.values()) == 1, listed.most_common(3)
    assert all(r[estado] for r in rows[1:]), "renglón de «Entregas» sin estado"


def test_la_segunda_consolidacion_da_los_mismos_veredictos(run: Run) -> None:
    proc = run.reconsolidar
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert not _leaks(proc), _leaks(proc)[:5]
    json.loads(proc.stdout)
    changed = {n: (run.states.get(n), run.restates.get(n)) for n in run.names
               if run.states.get(n) != run.restates.get(n)}
    assert not changed, changed


def test_las_entradas_no_cambian(run: Run) -> None:
    assert run.listing_after == run.names, "la carpeta de entregas ganó o perdió archivos"
    changed = [n for n in run.names if run.before[n] != run.after.get(n)]
    assert not changed, changed


#: Nombre de una excepción de Python (KeyError, ParseError, TypeError…) en un texto.
_EXCEPTION_NAME = re.compile(r"\b[A-Z]\w*(Error|Exception|Warning)\b")
#: Archivos del corpus con los que openpyxl no puede hacer la copia anotada (cada uno con
#: otra excepción; uno, además, imprime «0 is out of range» en la salida estándar).
NOT_ANNOTATABLE = ("excelize__CalcChain.xlsx", "exceljs__invalid-xml.xlsx",
                   "poi__style-alternate-content.xlsx", "sheetjs__xlsx-stream-d-date-cell.xlsx",
                   "sheetjs__pivot_table_named_range.xlsx")


def test_los_avisos_estan_en_espanio_y_nombran_el_archivo(run: Run) -> None:
    avisos = [line for line in run.consolidar.stderr.splitlines() if line.startswith("Aviso")]
    english = [a for a in avisos if _EXCEPTION_NAME.search(a)]
    assert not english, english[:5]
    assert all("«" in a for a in avisos), avisos[:5]


def test_copias_no_anotables_aviso_en_espaniol_y_json_limpio(tmp_path: Path) -> None:
    """Antes: «(KeyError: "There is no item named…")» y «0 is out of range» en el JSON."""
    folder = tmp_path / "entregas"
    folder.mkdir()
    for name in NOT_ANNOTATABLE:
        shutil.copy(FILES / name, folder / name)
    proc = _pea("consolidar", folder, "--salida", tmp_path / "m.xlsx", "--anotar",
                tmp_path / "anotadas", "--formato", "json", "--procesos", "1")
    assert proc.returncode == 0, proc.stderr[-2000:]
    json.loads(proc.stdout)
    avisos = [line for line in proc.stderr.splitlines() if "copia anotada" in line]
    assert len(avisos) == len(NOT_ANNOTATABLE), proc.stderr
    assert not [a for a in avisos if _EXCEPTION_NAME.search(a)], avisos
    assert {name for name in NOT_ANNOTATABLE if any(f"«{name}»" in a for a in avisos)} \
        == set(NOT_ANNOTATABLE)
