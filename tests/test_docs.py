"""La documentación generada coincide con el código."""

from __future__ import annotations

from pathlib import Path

from pea.rules.docs import render

ROOT = Path(__file__).resolve().parents[1]


def test_catalogo_de_reglas_al_dia() -> None:
    committed = (ROOT / "docs" / "reglas.md").read_text(encoding="utf-8")
    assert committed.strip() == render().strip(), (
        "docs/reglas.md está desactualizado: python3 -m pea.rules.docs > docs/reglas.md")
