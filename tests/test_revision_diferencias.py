"""Diferencias entre versiones de un plan (pea.review.diff), con libros reales del demo.

Las versiones se escriben con el escritor del demo y se cambian con la maquinaria de
`tests/reglas` (`apply_changes`); la comparación es sobre lo leído, nunca sobre los bytes.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from pea.config import RulesConfig
from pea.consolidate.extract import plan_lines
from pea.demo import demo_plans
from pea.demo.mutate import apply_changes
from pea.demo.writer import write_plan_xlsx
from pea.review.diff import diff_lines, display_value
from pea.rules.context import Context
from pea.validation import validate_file
from tests.conftest import plan_by_name


def big_plan() -> dict[str, Any]:
    """Tesorería con las filas de todos los planes del demo (unas 20 líneas)."""
    dep = copy.deepcopy(plan_by_name("Tesorería Municipal"))
    dep["filas"] = [copy.deepcopy(f) for d in demo_plans() for f in d["filas"]]
    return dep


def lines_of(path: Path, config: RulesConfig) -> list[list[Any]]:
    plan, _report = validate_file(path, config)
    assert plan is not None
    return [line.row() for line in plan_lines(Context(plan, config))]


def row_of(lines: list[list[Any]], meta_start: str) -> int:
    return next(ln[0] for ln in lines if (ln[13] or "").startswith(meta_start))


def test_mismo_plan_en_otra_forma_no_es_diferencia(config: RulesConfig, tmp_path: Path) -> None:
    """Celdas combinadas o en blanco, trimestres como número o como texto: mismos valores."""
    dep = big_plan()
    a = lines_of(write_plan_xlsx(dep, tmp_path / "a.xlsx", variant="combinada"), config)
    for variant in ("vacia", "texto", "fraccion"):
        b = lines_of(write_plan_xlsx(dep, tmp_path / f"{variant}.xlsx", variant=variant), config)
        d = diff_lines(a, b)
        assert d.same, [x.to_json() for x in d.changed]
        assert d.counts["igual"] == len(a) > 15


def test_fila_insertada_no_cambia_lo_de_abajo(config: RulesConfig, tmp_path: Path) -> None:
    dep = big_plan()
    v1 = write_plan_xlsx(dep, tmp_path / "v1.xlsx")
    before = lines_of(v1, config)
    dep2 = copy.deepcopy(dep)
    new_row = copy.deepcopy(dep2["filas"][2])
    new_row["meta"] = "Instalar 40 módulos de atención ciudadana en colonias prioritarias."
    new_row["pasos"] = "1.- Selección de sedes. 2.- Equipamiento. 3.- Apertura al público."
    dep2["filas"].insert(2, new_row)  # justo antes de la línea que cambia
    v2 = write_plan_xlsx(dep2, tmp_path / "v2.xlsx")
    # debajo de la fila insertada: un trimestre 50 % → 40 % y una meta reescrita
    after0 = lines_of(v2, config)
    r_q = row_of(after0, "Actualizar 6,000 registros")
    r_m = row_of(after0, before[-1][13][:25])
    apply_changes(v2, {"celdas": {f"M{r_q}": 0.4, f"N{r_q}": 0.25,
                                  f"L{r_m}": "Meta reescrita por la dependencia."}})
    after = lines_of(v2, config)
    d = diff_lines(before, after)
    assert d.counts == {"igual": len(before) - 2, "modificada": 2, "movida": 0,
                        "agregada": 1, "eliminada": 0}, [x.to_json() for x in d.changed]
    added = [x for x in d.lines if x.kind == "agregada"]
    assert added[0].after_row == row_of(after, "Instalar 40 módulos")
    quarter = next(x for x in d.lines if x.after_row == r_q)
    assert quarter.kind == "modificada"
    assert [(c.key, display_value(c.key, c.before), display_value(c.key, c.after))
            for c in quarter.changes] == [("t1", "30 %", "40 %"), ("t2", "35 %", "25 %")]
    assert quarter.before_row == r_q - 1  # la misma línea, una fila más abajo
    meta = next(x for x in d.lines if x.after_row == r_m)
    assert [(c.label, c.before, c.after) for c in meta.changes] == [
        ("Meta", before[-1][13], "Meta reescrita por la dependencia.")]


def test_fila_eliminada(config: RulesConfig, tmp_path: Path) -> None:
    v1 = write_plan_xlsx(big_plan(), tmp_path / "v1.xlsx", variant="vacia")
    before = lines_of(v1, config)
    gone = before[4]
    v2 = apply_changes(v1, {"borrar_filas": [gone[0]]}, tmp_path / "v2.xlsx")
    d = diff_lines(before, lines_of(v2, config))
    assert d.counts["eliminada"] == 1 and d.counts["igual"] == len(before) - 1
    removed = next(x for x in d.lines if x.kind == "eliminada")
    assert removed.before_row == gone[0] and removed.before == tuple(gone[1:])
    assert d.lines.index(removed) == 4  # en su lugar, no al final


def test_linea_cambiada_de_lugar(config: RulesConfig, tmp_path: Path) -> None:
    dep = big_plan()
    before = lines_of(write_plan_xlsx(dep, tmp_path / "v1.xlsx"), config)
    dep2 = copy.deepcopy(dep)
    dep2["filas"].append(dep2["filas"].pop(0))
    after = lines_of(write_plan_xlsx(dep2, tmp_path / "v2.xlsx"), config)
    d = diff_lines(before, after)
    moved = [x for x in d.lines if x.kind == "movida"]
    block = 1 + len(dep["filas"][0].get("continuaciones") or [])  # la fila y sus continuaciones
    assert len(moved) == block == 2 and d.counts["agregada"] == d.counts["eliminada"] == 0
    assert [x.before_row for x in moved] == [r[0] for r in before[:block]]
    assert [x.after_row for x in moved] == [r[0] for r in after[-block:]]
    assert d.counts["igual"] == len(before) - block


def test_planes_distintos_son_agregadas_y_eliminadas(config: RulesConfig, tmp_path: Path) -> None:
    a = lines_of(write_plan_xlsx(plan_by_name("Tesorería Municipal"), tmp_path / "a.xlsx"),
                 config)
    b = lines_of(write_plan_xlsx(plan_by_name("Contraloría Municipal"), tmp_path / "b.xlsx"),
                 config)
    d = diff_lines(a, b)
    assert d.counts["agregada"] == len(b) and d.counts["eliminada"] == len(a)


@pytest.mark.parametrize("value,text", [(0.42, "42 %"), (0.425, "42.5 %"), (1.0, "100 %"),
                                        (None, "(vacío)"), ("42 por ciento", "42 por ciento")])
def test_trimestre_como_se_lee(value: Any, text: str) -> None:
    assert display_value("t1", value) == text


def test_plan_grande_en_tramos_acotados() -> None:
    """Dos planes de 3,000 líneas sin ninguna igual: termina y empareja por semejanza."""
    def line(i: int, meta: str) -> list[Any]:
        return [10 + i, "principal", "1. Eje", "1.1 Objetivo", f"1.1.{i % 7 + 1} Estrategia",
                None, None, None, None, None, "Pp", "MIR", f"Pasos {i}", meta, 0.25, 0.25,
                0.25, 0.25, "Resp", "Ind", "Pot", "Obj"]
    a = [line(i, f"Meta número {i} del plan municipal de la dependencia") for i in range(3000)]
    b = [line(i, f"Meta número {i} del plan municipal de la dependencia.") for i in range(3000)]
    d = diff_lines(a, b)
    assert d.counts["modificada"] == 3000
