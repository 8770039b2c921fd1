"""PEA-X (rules/cross.py): quién entregó y qué cubre el plan consolidado (issue 11 §7,
issue 13 §2)."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

from pea.config import default_rules_dir, load_config
from pea.demo import demo_plans
from pea.demo.writer import write_plan_xlsx
from pea.rules.cross import PlanFacts, cross_findings, duplicate_groups
from pea.textnorm import dependencia_key, same_dependencia

NOW = 1_764_600_000.0  # 2025-12-01
Y2099 = 4_070_000_000.0


def test_fecha_en_el_futuro_no_gana_x01() -> None:
    real = PlanFacts("tesoreria.xlsx", "Tesorería Municipal", NOW - 3600)
    fake = PlanFacts("zz_intruso.xlsx", "TESORERIA MUNICIPAL", Y2099)
    fix = PlanFacts("tesoreria_v2.xlsx", "Tesorería Municipal", NOW - 60)
    (group,) = duplicate_groups([fake, real], now=NOW)
    assert group.vigente is real and group.duplicados == [fake]
    (group,) = duplicate_groups([real, fake, fix], now=NOW)
    assert group.vigente is fix and group.duplicados == [real, fake]
    findings = cross_findings([fix], [group], load_config(), now=NOW)
    x04 = [f for f in findings if f.regla == "PEA-X04"]
    assert [f.archivos for f in x04] == [["zz_intruso.xlsx"]]
    assert x04[0].severidad == "advertencia" and "en el futuro" in x04[0].mensaje


def test_reloj_un_poco_adelantado_sigue_contando() -> None:
    old = PlanFacts("a.xlsx", "DIF", NOW - 60)
    ahead = PlanFacts("b.xlsx", "DIF", NOW + 600)  # diez minutos: reloj desfasado
    (group,) = duplicate_groups([old, ahead], now=NOW)
    assert group.vigente is ahead
    assert not [f for f in cross_findings([ahead], [group], load_config(), now=NOW)
                if f.regla == "PEA-X04"]


def test_solo_archivos_del_futuro_decide_el_nombre() -> None:
    a = PlanFacts("obras_v9.xlsx", "Obras", Y2099)
    b = PlanFacts("obras_v10.xlsx", "Obras", Y2099 - 10**6)
    (group,) = duplicate_groups([b, a], now=NOW)
    assert group.vigente is b  # orden natural del nombre, no la fecha inventada


def test_consolidar_con_fecha_2099(tmp_path: Path) -> None:
    from pea.consolidate.run import Options, consolidate

    folder = tmp_path / "entregas"
    folder.mkdir()
    plans = demo_plans()
    now = time.time()
    real = write_plan_xlsx(plans[1], folder / "02_tesoreria.xlsx")
    os.utime(real, (now - 3600, now - 3600))
    intruder = dict(plans[2], dependencia="Tesoreria\u200b Municipal")
    fake = write_plan_xlsx(intruder, folder / "99_otra.xlsx")
    os.utime(fake, (Y2099, Y2099))
    result = consolidate(Options(folder=folder, output=tmp_path / "m.xlsx"), load_config())
    estados = {s.archivo: s.estado for s in result.consolidation.submissions}
    assert estados["99_otra.xlsx"] == "Duplicado"
    assert estados["02_tesoreria.xlsx"] != "Duplicado"
    rules = {f.regla for f in result.consolidation.cross}
    assert {"PEA-X01", "PEA-X04"} <= rules


INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u202e", "\u180e"]
SPACES = ["\u00a0", "\u3000", "\u2007", "\u202f", "\u2028", "\t", "  "]


@pytest.mark.parametrize("char", INVISIBLE)
def test_caracter_invisible_no_escapa_de_x01(char: str) -> None:
    a = PlanFacts("a.xlsx", "Tesorería Municipal", NOW - 60)
    b = PlanFacts("b.xlsx", f"Teso{char}rería Municipal{char}", NOW - 30)
    groups = duplicate_groups([a, b], now=NOW)
    assert len(groups) == 1 and groups[0].vigente is b
    assert same_dependencia(a.dependencia, b.dependencia)


@pytest.mark.parametrize("space", SPACES)
def test_espacio_raro_no_escapa_de_x01(space: str) -> None:
    assert same_dependencia("Tesorería Municipal", f"Tesorería{space}Municipal.")
    assert dependencia_key(f"{space}tesoreria{space}municipal") == "TESORERIA MUNICIPAL"


def test_same_dependencia_distingue_dependencias() -> None:
    assert not same_dependencia("Tesorería Municipal", "Contraloría Municipal")
    assert not same_dependencia("", "")
    assert not same_dependencia("\u200b", "\u200b")
    assert not same_dependencia(None, "DIF")


def test_x02_programas_sin_catalogo_pmdg(tmp_path: Path) -> None:
    """Sin pmdg.yaml, PEA-X02 sigue listando los programas presupuestarios sin acciones
    (su variante «programa» necesita solo el catálogo de programas)."""
    from pea.consolidate.run import Options, consolidate

    folder = tmp_path / "entregas"
    folder.mkdir()
    for i, plan in enumerate(demo_plans()):
        write_plan_xlsx(plan, folder / f"{i:02d}.xlsx")
    rules = tmp_path / "reglas"
    shutil.copytree(default_rules_dir(), rules)
    (rules / "catalogos" / "pmdg.yaml").unlink()

    def programs(config_dir: Path | None, out: str) -> list[str]:
        result = consolidate(Options(folder=folder, output=tmp_path / out),
                             load_config(config_dir))
        return [f.elemento for f in result.consolidation.cross
                if f.regla == "PEA-X02" and f.mensaje.startswith("Programas")]

    with_pmdg = programs(None, "a.xlsx")
    without = programs(rules, "b.xlsx")
    assert with_pmdg == ["4. Bienestar social e inclusión."]
    assert without == with_pmdg
