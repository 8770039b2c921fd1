"""El contrato de la línea de comandos (README, «Validar un plan»; docs/consolidar.md), por subproceso."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from pea.demo import demo_plans
from pea.demo.mutate import apply_changes
from pea.demo.writer import write_plan_xlsx
from tests.conftest import SEED


def pea(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pea", *args], capture_output=True, text=True,
                          cwd=cwd, timeout=120, check=False)


@pytest.fixture(scope="module")
def plans(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("planes")
    ok = write_plan_xlsx(demo_plans()[1], d / "tesoreria.xlsx", variant="texto")
    bad = write_plan_xlsx(demo_plans()[1], d / "tesoreria_mal.xlsx", variant="texto")
    apply_changes(bad, {"celdas": {"M10": "40%", "N10": "30%", "O10": "20%", "P10": "0%"}})
    empty = d / "vacio.xlsx"
    empty.write_bytes(b"")
    return {"ok": ok, "bad": bad, "empty": empty}


def _no_traceback(proc: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in proc.stderr and "Traceback" not in proc.stdout


def test_json_por_archivo_en_orden(plans: dict[str, Path]) -> None:
    proc = pea("validar", "--formato", "json", str(plans["bad"]), str(SEED), str(plans["empty"]))
    _no_traceback(proc)
    assert proc.returncode == 1
    data = json.loads(proc.stdout)  # solo JSON en la salida estándar
    assert [d["archivo"] for d in data] == [str(plans["bad"]), str(SEED), str(plans["empty"])]
    for d in data:
        assert set(d) >= {"archivo", "dependencia", "valido", "resumen", "hallazgos"}
        assert set(d["resumen"]) == {"error", "advertencia", "info"}
        assert d["valido"] == (d["resumen"]["error"] == 0)
        for h in d["hallazgos"]:
            assert set(h) >= {"regla", "severidad", "hoja", "celda", "fila", "mensaje"}
    q03 = data[0]["hallazgos"][0]
    assert q03 == {"regla": "PEA-Q03", "severidad": "error", "hoja": "PEA", "celda": "M10",
                   "fila": 10, "mensaje": "Fila 10: la programación trimestral suma 90 %; "
                                          "debe sumar 100 %."}
    assert data[0]["dependencia"] == "Tesorería Municipal"
    assert data[1]["valido"] is True and data[1]["hallazgos"][0]["hoja"] is None
    assert data[2]["dependencia"] is None
    assert [h["regla"] for h in data[2]["hallazgos"]] == ["PEA-E00"]


def test_codigos_de_salida(plans: dict[str, Path]) -> None:
    assert pea("validar", str(plans["ok"])).returncode == 0
    assert pea("validar", str(SEED)).returncode == 0
    assert pea("validar", str(plans["bad"])).returncode == 1
    missing = pea("validar", "no_existe.xlsx")
    assert missing.returncode == 2 and "no existe" in missing.stderr
    _no_traceback(missing)
    usage = pea("validar", "--formato", "xml", str(plans["ok"]))
    assert usage.returncode == 2 and "inválido" in usage.stderr
    _no_traceback(usage)
    assert pea("validar").returncode == 2


def test_texto_en_espanol(plans: dict[str, Path]) -> None:
    proc = pea("validar", str(plans["bad"]))
    assert "NO VÁLIDO" in proc.stdout and "PEA-Q03" in proc.stdout and "M10" in proc.stdout
    help_validar = pea("validar", "--help").stdout
    assert "Uso:" in help_validar and "Argumentos" in help_validar
    assert "Opciones" in help_validar and "Options" not in help_validar
    assert "Comandos" in pea().stdout  # sin argumentos: la ayuda general, también en español
    assert "Opciones" in pea("consolidar", "-qh").stdout  # «-h» junto a otra opción corta


@pytest.mark.parametrize(("value", "expected"), [
    ("0", "debe ser al menos 1"), ("99", "debe ser a lo más 64"),
    ("dos", "debe ser un número entero")])
def test_valores_numericos_invalidos_en_espanol(tmp_path: Path, value: str,
                                                expected: str) -> None:
    proc = pea("consolidar", str(tmp_path), "-o", str(tmp_path / "m.xlsx"), "--procesos", value)
    assert proc.returncode == 2
    assert expected in proc.stderr and "Input should" not in proc.stderr
    _no_traceback(proc)


@pytest.mark.parametrize("command", ["validar", "consolidar", "plantilla", "demo", "reglas",
                                     "configurar-excel"])
def test_ayuda_sin_tipos_en_ingles(command: str) -> None:
    """La columna de tipos de la ayuda va en español y las opciones sin valor no muestran
    ninguno (typer mostraría «<bool>», que parece pedir un valor)."""
    text = pea(command, "--help").stdout
    shown = set(re.findall(r"<[^>\s]+>", text))
    assert shown, text
    assert not shown & {"<bool>", "<path>", "<int>", "<str>", "<int range>"}, shown
    assert not any("list[" in t for t in shown), shown
    assert "<ruta>" in shown


def test_reglas_configuracion_propia(plans: dict[str, Path], tmp_path: Path) -> None:
    from pea.config import default_rules_dir

    rules = tmp_path / "reglas"
    (rules / "catalogos").mkdir(parents=True)
    cfg = (default_rules_dir() / "configuracion.yaml").read_text(encoding="utf-8")
    cfg = cfg.replace("  PEA-Q04: advertencia", "  PEA-Q04: advertencia\n  PEA-Q03: desactivada")
    (rules / "configuracion.yaml").write_text(cfg, encoding="utf-8")
    proc = pea("validar", "--reglas", str(rules), "-f", "json", str(plans["bad"]))
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)[0]["hallazgos"] == []
    broken = tmp_path / "rota"
    broken.mkdir()
    (broken / "configuracion.yaml").write_text("parametros: [", encoding="utf-8")
    bad = pea("validar", "--reglas", str(broken), str(plans["ok"]))
    assert bad.returncode == 2 and "YAML" in bad.stderr
    _no_traceback(bad)


def test_pea_reglas_lista_todo_el_catalogo() -> None:
    proc = pea("reglas", "--formato", "json")
    assert proc.returncode == 0
    ids = [r["regla"] for r in json.loads(proc.stdout)]
    for family, numbers in {"E": range(0, 6), "H": range(1, 9), "R": range(1, 3),
                            "C": range(1, 9), "N": range(1, 6), "Q": range(1, 9),
                            "P": range(1, 6), "I": range(1, 4), "S": range(1, 2),
                            "D": range(1, 4), "T": range(1, 4)}.items():
        for n in numbers:
            assert f"PEA-{family}{n:02d}" in ids
