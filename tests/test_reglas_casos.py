"""Casos de reglas como datos (tests/reglas/*.yaml), al estilo de sqlfluff.

Cada archivo de casos se llama como el módulo de reglas que prueba:
`tests/reglas/quarters.yaml` ↔ `pea/rules/quarters.py`.

Cada caso escribe un plan válido del demo, aplica una mutación y compara los hallazgos:
los de severidad error/advertencia deben ser exactamente los esperados (regla y celda);
los «info» esperados deben aparecer.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from pea.config import Catalogs, Parameters, RulesConfig
from pea.demo.mutate import apply_changes
from pea.demo.writer import write_plan_xlsx
from pea.validation import validate_file
from tests.conftest import plan_by_name

CASES_DIR = Path(__file__).parent / "reglas"


def _cases() -> list[Any]:
    out = []
    for path in sorted(CASES_DIR.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for case in data["casos"]:
            out.append(pytest.param(case, id=f"{path.stem}::{case['nombre']}"))
    return out


def _config(base: RulesConfig, case: dict[str, Any]) -> RulesConfig:
    update: dict[str, Any] = {}
    if "parametros" in case:
        update["parametros"] = Parameters(**{**base.parametros.model_dump(), **case["parametros"]})
    if "severidades" in case:
        update["severidades"] = {**base.severidades, **case["severidades"]}
    if case.get("sin_catalogos"):
        update["catalogos"] = Catalogs()
    return base.model_copy(update=update)


@pytest.mark.parametrize("case", _cases())
def test_caso(case: dict[str, Any], config: RulesConfig, tmp_path: Path) -> None:
    path = write_plan_xlsx(plan_by_name(case["dependencia"]), tmp_path / "plan.xlsx",
                           variant=case.get("variante", "combinada"))
    if case.get("cambios"):
        apply_changes(path, case["cambios"])
    _plan, report = validate_file(path, _config(config, case))
    found = {(f.regla, f.celda) for f in report.hallazgos if f.severidad != "info"}
    expected = case.get("espera") or []
    wanted = {(e["regla"], e["celda"]) for e in expected
              if e.get("severidad", "error") != "info"}
    detail = "\n".join(f"{f.severidad} {f.regla} {f.celda}: {f.mensaje}" for f in report.hallazgos)
    assert found == wanted, f"hallazgos obtenidos:\n{detail}"
    for e in expected:
        match = [f for f in report.hallazgos if (f.regla, f.celda) == (e["regla"], e["celda"])]
        assert match, f"falta {e}\n{detail}"
        if "severidad" in e:
            assert match[0].severidad == e["severidad"]
        if "mensaje" in e:
            assert any(e["mensaje"] in f.mensaje for f in match), detail


def test_cada_regla_tiene_caso() -> None:
    """Toda regla de un solo libro aparece en al menos un caso (o en las pruebas de lectura)."""
    from pea.rules.registry import load_all

    covered = {e["regla"] for p in _cases() for e in (p.values[0].get("espera") or [])}
    covered |= {"PEA-E00"}  # archivos ilegibles: tests/test_lectura.py
    single = {r for r in load_all() if not r.startswith("PEA-X")}
    assert single - covered == set()


def test_cada_archivo_de_casos_se_llama_como_su_modulo() -> None:
    """Un archivo de casos por módulo de reglas, con su nombre: `tests/reglas/X.yaml` prueba
    `pea/rules/X.py` (PEA-E, que emite el lector, está en `structure.py`)."""
    from pea.rules.registry import load_all

    modules = {r.check.__module__.rsplit(".", 1)[-1] for r in load_all().values()
               if r.check is not None}
    assert {p.stem for p in CASES_DIR.glob("*.yaml")} == modules | {"structure"}
