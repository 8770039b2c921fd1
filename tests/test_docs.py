"""La documentación generada coincide con el código."""

from __future__ import annotations

from pathlib import Path

from pea.rules.docs import render

ROOT = Path(__file__).resolve().parents[1]


def test_catalogo_de_reglas_al_dia() -> None:
    committed = (ROOT / "docs" / "reglas.md").read_text(encoding="utf-8")
    assert committed.strip() == render().strip(), (
        "docs/reglas.md está desactualizado: python3 -m pea.rules.docs > docs/reglas.md")


def test_sin_referencias_a_especificaciones_de_fuera() -> None:
    """Código, pruebas y guías remiten a lo que está en el repositorio, no a archivos de
    especificación que nadie más tiene."""
    outside = ("plan-layout" + ".md", "contrato-cli" + ".md", "shared/" + "spec")
    files = [ROOT / "README.md", ROOT / "SECURITY.md", *(ROOT / "docs").glob("*.md"),
             *(p for d in ("addin", "tests", "bench", "tools") for p in (ROOT / d).rglob("*")
               if p.suffix in (".py", ".md", ".bas", ".sh", ".yaml"))]
    found = [f"{p.relative_to(ROOT)}: {name}" for p in files
             for name in outside if name in p.read_text(encoding="utf-8", errors="replace")]
    assert found == []
