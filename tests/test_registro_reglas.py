"""El registro de reglas: la regla dice dónde, el registro dice cuál; una sola severidad
efectiva; la documentación sale del registro (issue 13 §2)."""

from __future__ import annotations

import inspect
import re

import pytest

from pea.config import load_config
from pea.rules import docs
from pea.rules.registry import (
    RULES,
    At,
    effective_severity,
    is_active,
    load_all,
    rule,
    run_check,
)


def test_ninguna_regla_repite_su_id() -> None:
    """Las funciones de las reglas devuelven `At`; el ID lo escribe solo el decorador."""
    for r in load_all().values():
        if r.check is None:
            continue
        src = inspect.getsource(inspect.getmodule(r.check))  # type: ignore[arg-type]
        assert not re.search(r"\bHit\(", src), f"{r.id}: la regla construye Hit"
        assert "fila=" not in src, f"{r.id}: «fila» ya la pone el registro"


def test_el_registro_pone_el_id_y_la_fila() -> None:
    @rule("PEA-Z98", "advertencia", "Prueba", "Fila {fila}: {x}.")
    def z98(ctx: object) -> object:
        yield At("B7", 7, x="uno")

    try:
        (hit,) = list(run_check(RULES["PEA-Z98"], None))  # type: ignore[arg-type]
        assert (hit.rule, hit.cell, hit.row, hit.params) == ("PEA-Z98", "B7", 7, {"x": "uno"})
        from pea.validation import to_findings

        (f,) = to_findings([hit], "Plan", load_config())
        assert f.mensaje == "Fila 7: uno." and f.severidad == "advertencia"
    finally:
        del RULES["PEA-Z98"]


def test_familia_nueva_no_desaparece_de_la_documentacion() -> None:
    @rule("PEA-Z99", "info", "Familia sin título", "x")
    def z99(ctx: object) -> object:
        return iter(())

    try:
        with pytest.raises(docs.MissingFamily, match="PEA-Z99"):
            docs.render()
    finally:
        del RULES["PEA-Z99"]
    assert "PEA-Z99" not in docs.render()


def test_documentacion_con_cada_familia_y_severidad_de_variante() -> None:
    text = docs.render()
    for fam in {r.family for r in load_all().values()}:
        assert f"## PEA-{fam}:" in text
    for r in load_all().values():
        assert f"| {r.id} |" in text
        for variant, sev in (r.variant_severity or {}).items():
            assert f"{variant}: {sev}" in text.split(f"| {r.id} |")[1].split("\n")[0]
    assert "| PEA-E04 | error; continuado: info |" in text


def test_una_sola_severidad_efectiva() -> None:
    config = load_config()
    e04, q04 = RULES["PEA-E04"], RULES["PEA-Q04"]
    assert effective_severity(e04, config, "continuado") == "info"
    assert effective_severity(e04, config) == "error"
    off = config.model_copy(update={"severidades": {"PEA-E04": "desactivada"}})
    assert effective_severity(e04, off, "continuado") == "desactivada"
    assert not is_active(e04, off)
    assert effective_severity(q04, config) == "advertencia"  # configuracion.yaml


def test_x02_necesita_un_catalogo_por_variante() -> None:
    config = load_config()
    x02 = RULES["PEA-X02"]
    sin_pmdg = config.model_copy(update={"catalogos": config.catalogos.model_copy(
        update={"pmdg": None})})
    assert not is_active(x02, sin_pmdg, "") and is_active(x02, sin_pmdg, "programa")
    assert x02.all_needs() == ("pmdg", "programas_presupuestarios")
