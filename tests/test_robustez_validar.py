"""`pea validar` con el corpus hostil: sin trazas, código de salida y mensaje esperados.

Cada archivo del corpus (tests/hostile/corpus.py) se valida en otro proceso, como lo
haría una persona, y se comprueba que los archivos quedan idénticos byte por byte.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.hostile.corpus import FORBIDDEN, SECRET, Case, build_corpus, cases
from tests.hostile.runner import run_pea, tree_hashes

#: Verbos con los que un mensaje de archivo ilegible le dice a la persona qué hacer.
ACTIONS = ("guard", "envíe", "vuelva", "quite", "borre", "ábr", "abra", "revise", "cierre",
           "pida", "espere", "use ")
CASE_NAMES = [c.name for c in cases(Path("secreto.txt"))]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Case], dict[str, str]]:
    base = tmp_path_factory.mktemp("hostil")
    folder = base / "entregas"
    built = build_corpus(folder, base / "secreto.txt")
    return folder, {c.name: c for c in built}, tree_hashes(folder)


def assert_clean_output(text: str) -> None:
    for bad in FORBIDDEN:
        assert bad not in text, f"«{bad}» en la salida:\n{text[-2000:]}"
    assert SECRET not in text, "el contenido de un archivo externo (XXE) llegó a la salida"


@pytest.mark.parametrize("name", CASE_NAMES)
def test_validar_json(corpus: tuple[Path, dict[str, Case], dict[str, str]], name: str) -> None:
    folder, by_name, hashes = corpus
    case = by_name[name]
    proc = run_pea("validar", "--formato", "json", "--", case.filename, cwd=folder)
    assert_clean_output(proc.stdout + proc.stderr)
    assert proc.returncode == case.salida, proc.stdout + proc.stderr
    [report] = json.loads(proc.stdout)
    assert report["archivo"] == case.filename
    assert report["valido"] is (case.salida == 0)
    if case.en_aviso:
        assert any(case.fragmento in a for a in report["avisos"]), report["avisos"]
    elif case.regla is not None:
        hits = [h for h in report["hallazgos"] if h["regla"] == case.regla]
        assert hits, report["hallazgos"]
        assert any(case.fragmento in h["mensaje"] for h in hits), hits
    for h in report["hallazgos"]:
        if h["regla"] == "PEA-E00":
            assert h["severidad"] == "error" and h["celda"] is None
            msg = h["mensaje"].lower()
            assert len(msg) > 60 and any(a in msg for a in ACTIONS), h["mensaje"]
    if case.regla != "PEA-E00":
        assert all(h["regla"] != "PEA-E00" for h in report["hallazgos"]), report["hallazgos"]
    assert tree_hashes(folder) == hashes, "pea validar modificó un archivo de entrada"


def test_validar_texto_todo_el_corpus(corpus: tuple[Path, dict[str, Case], dict[str, str]]) -> None:
    """El reporte para una persona, con todos los archivos a la vez: sin trazas ni ESC."""
    folder, by_name, hashes = corpus
    names = [c.filename for c in by_name.values()]
    proc = run_pea("validar", "--", *names, cwd=folder)
    assert proc.returncode == 1
    assert_clean_output(proc.stdout + proc.stderr)
    assert "\x1b" not in proc.stdout, "un texto del libro escribió un código de terminal"
    for name in names:
        assert name in proc.stdout
    assert f"de {len(names)} archivo(s) sin errores" in proc.stdout
    assert tree_hashes(folder) == hashes


def test_validar_carpeta_omite_candado_de_excel(
        corpus: tuple[Path, dict[str, Case], dict[str, str]]) -> None:
    """Al validar una carpeta, «~$libro.xlsx» no se toma como plan."""
    folder, _by_name, hashes = corpus
    proc = run_pea("validar", "--formato", "json", str(folder))
    assert_clean_output(proc.stdout + proc.stderr)
    archivos = [r["archivo"] for r in json.loads(proc.stdout)]
    assert not any(Path(a).name.startswith("~$") for a in archivos)
    assert tree_hashes(folder) == hashes
