"""`pea consolidar` con el corpus hostil: el maestro se escribe y lista cada archivo.

Se corre en otro proceso, como lo haría una persona. Cada archivo de la carpeta debe
aparecer en «Entregas» con un estado adecuado, los ilegibles con su PEA-E00 y su mensaje
en «Observaciones», y la carpeta de entregas debe quedar idéntica.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
from pathlib import Path

import pytest

from pea.config import default_rules_dir
from tests.hostile.corpus import FORBIDDEN, SECRET, Case, build_corpus, plan_bytes, truncated_zip
from tests.hostile.master import all_text, sheet_rows
from tests.hostile.runner import consolidar_available, run_pea, tree_hashes

pytestmark = pytest.mark.skipif(not consolidar_available(),
                                reason="el comando «pea consolidar» aún no existe")


@pytest.fixture(scope="module")
def corrida(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    base = tmp_path_factory.mktemp("consolidar_hostil")
    folder = base / "entregas"
    cases = build_corpus(folder, base / "secreto.txt")
    before = tree_hashes(folder)
    listing = sorted(os.listdir(folder))
    output = base / "salida" / "maestro.xlsx"
    annotated = base / "anotados"
    proc = run_pea("consolidar", folder, "--salida", output, "--anotar", annotated,
                   "--silencioso", "--procesos", "2", timeout=600)
    return {"folder": folder, "cases": cases, "before": before, "listing": listing,
            "output": output, "proc": proc, "annotated": annotated}


def test_el_maestro_se_escribe_sin_trazas(corrida: dict[str, object]) -> None:
    proc = corrida["proc"]
    text = proc.stdout + proc.stderr  # type: ignore[attr-defined]
    assert proc.returncode == 0, text  # type: ignore[attr-defined]
    for bad in FORBIDDEN:
        assert bad not in text
    assert Path(corrida["output"]).is_file()  # type: ignore[arg-type]


def test_cada_archivo_en_entregas_con_su_estado(corrida: dict[str, object]) -> None:
    entregas = {r["Archivo"]: r for r in sheet_rows(corrida["output"], "Entregas")}  # type: ignore[arg-type]
    cases: list[Case] = corrida["cases"]  # type: ignore[assignment]
    assert set(entregas) == {c.filename for c in cases}
    for case in cases:
        row = entregas[case.filename]
        assert row["Estado"] in case.estados, (case.name, row)


def test_ilegibles_con_pea_e00_y_su_mensaje(corrida: dict[str, object]) -> None:
    obs = sheet_rows(corrida["output"], "Observaciones")  # type: ignore[arg-type]
    by_file: dict[str, list[dict[str, object]]] = {}
    for r in obs:
        by_file.setdefault(str(r["Archivo"]), []).append(r)
    entregas = {r["Archivo"]: r for r in sheet_rows(corrida["output"], "Entregas")}  # type: ignore[arg-type]
    for case in corrida["cases"]:  # type: ignore[attr-defined]
        if entregas[case.filename]["Estado"] != "Ilegible":
            continue
        e00 = [r for r in by_file.get(case.filename, []) if r["Regla"] == "PEA-E00"]
        assert e00, case.name
        assert any(case.fragmento in str(r["Mensaje"]) for r in e00), (case.name, e00)


def test_copias_anotadas_legibles(corrida: dict[str, object]) -> None:
    """Las copias anotadas de planes hostiles se abren; ninguna queda a medio escribir."""
    from openpyxl import load_workbook

    copies = sorted(Path(corrida["annotated"]).iterdir())  # type: ignore[arg-type]
    assert copies
    for copy in copies:
        assert not copy.name.startswith(".~pea-"), copy
        load_workbook(copy, read_only=True).close()


def test_nada_del_xxe_llega_al_maestro(corrida: dict[str, object]) -> None:
    assert SECRET not in all_text(corrida["output"])  # type: ignore[arg-type]


def test_entradas_intactas(corrida: dict[str, object]) -> None:
    folder: Path = corrida["folder"]  # type: ignore[assignment]
    assert sorted(os.listdir(folder)) == corrida["listing"], "se creó o borró algo en entregas"
    assert tree_hashes(folder) == corrida["before"], "se modificó un archivo de entrada"


def test_un_decimo_roto_aun_escribe_el_maestro(tmp_path: Path) -> None:
    folder = tmp_path / "entregas"
    folder.mkdir()
    for i in range(9):
        (folder / f"{i:02d}_plan.xlsx").write_bytes(plan_bytes(i))
    (folder / "09_roto.xlsx").write_bytes(truncated_zip())
    output = tmp_path / "maestro.xlsx"
    proc = run_pea("consolidar", folder, "--salida", output, "--silencioso", timeout=300)
    assert proc.returncode == 0, proc.stderr
    entregas = {r["Archivo"]: r for r in sheet_rows(output, "Entregas")}
    assert len(entregas) == 10
    assert entregas["09_roto.xlsx"]["Estado"] == "Ilegible"
    plan = sheet_rows(output, "Plan consolidado")
    assert {r["Archivo"] for r in plan} == {f"{i:02d}_plan.xlsx" for i in range(9)}


def test_carpeta_de_solo_lectura(tmp_path: Path) -> None:
    folder = tmp_path / "entregas"
    folder.mkdir()
    for i in range(3):
        (folder / f"plan_{i}.xlsx").write_bytes(plan_bytes(i))
    (folder / "vacio.xlsx").write_bytes(b"")
    before, listing = tree_hashes(folder), sorted(os.listdir(folder))
    for p in folder.iterdir():
        p.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
    folder.chmod(stat.S_IRUSR | stat.S_IXUSR | stat.S_IRGRP | stat.S_IXGRP)
    try:
        val = run_pea("validar", folder)
        assert val.returncode == 1 and "Traceback" not in val.stdout + val.stderr
        output = tmp_path / "salida" / "maestro.xlsx"
        proc = run_pea("consolidar", folder, "--salida", output, "--silencioso")
        assert proc.returncode == 0, proc.stderr
        assert len(sheet_rows(output, "Entregas")) == 4
    finally:
        folder.chmod(stat.S_IRWXU)
    assert sorted(os.listdir(folder)) == listing
    assert tree_hashes(folder) == before


def test_salida_dentro_de_la_carpeta_de_entregas(tmp_path: Path) -> None:
    """El maestro (y su caché y candado) dentro de la carpeta nunca se leen como entregas."""
    folder = tmp_path / "entregas"
    folder.mkdir()
    for i in range(3):
        (folder / f"plan_{i}.xlsx").write_bytes(plan_bytes(i))
    before = tree_hashes(folder)
    output = folder / "maestro.xlsx"
    for _ in range(2):
        proc = run_pea("consolidar", folder, "--salida", output, "--silencioso")
        assert proc.returncode == 0, proc.stderr
        archivos = {r["Archivo"] for r in sheet_rows(output, "Entregas")}
        assert archivos == {f"plan_{i}.xlsx" for i in range(3)}
    after = tree_hashes(folder)
    assert {k: v for k, v in after.items() if k in before} == before
    assert not [n for n in os.listdir(folder) if n.startswith(".~pea-") or n.endswith(".lock")]


def test_limites_configurables_en_ambos_comandos(tmp_path: Path) -> None:
    """`limites:` de la configuración de reglas manda en `pea validar` y en `pea consolidar`."""
    rules = tmp_path / "reglas"
    shutil.copytree(default_rules_dir(), rules)
    cfg = rules / "configuracion.yaml"
    text = cfg.read_text(encoding="utf-8")
    assert "tamano_archivo_mb: 50" in text and "filas: 5000" in text
    cfg.write_text(text.replace("tamano_archivo_mb: 50", "tamano_archivo_mb: 0.05")
                   .replace("filas: 5000", "filas: 12"), encoding="utf-8")
    folder = tmp_path / "entregas"
    folder.mkdir()
    (folder / "plan.xlsx").write_bytes(plan_bytes(0))  # 16 filas: excede «filas: 12»
    (folder / "grande.xlsx").write_bytes(plan_bytes(1) + b"\0" * 60_000)  # > 0.05 MB
    val = run_pea("validar", "--formato", "json", "--reglas", rules, folder)
    assert val.returncode == 1
    mensajes = {Path(r["archivo"]).name: r["hallazgos"][0]["mensaje"] for r in json.loads(val.stdout)}
    assert "límite de 12 filas" in mensajes["plan.xlsx"]
    assert "limites.tamano_archivo_mb" in mensajes["grande.xlsx"]
    output = tmp_path / "maestro.xlsx"
    proc = run_pea("consolidar", folder, "--salida", output, "--reglas", rules, "--silencioso")
    assert proc.returncode == 0, proc.stderr
    assert {r["Archivo"]: r["Estado"] for r in sheet_rows(output, "Entregas")} == {
        "plan.xlsx": "Ilegible", "grande.xlsx": "Ilegible"}
