#!/usr/bin/env python3
"""Regenera docs/img/plantilla.png: la hoja PEA llena con el plan semilla, vista en LibreOffice.

Uso (desde la raíz del repositorio):  python3 tools/plantilla_png.py
Necesita LibreOffice (soffice), python3-uno y pdftoppm (poppler-utils).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "addin"))

from tests.libreoffice.lo import (  # noqa: E402
    libreoffice_missing,
    pdf_to_png,
    run_libreoffice,
)

from pea.demo import demo_plans  # noqa: E402
from pea.template import build_template, fill_template  # noqa: E402

OUTPUT = ROOT / "docs" / "img" / "plantilla.png"
SEED_DEPENDENCIA = "Coordinación de Comunicación Social"
#: Parte superior de la primera página a 180 ppp: título, encabezado y primeras filas.
CROP = (2520, 560)
DPI = 180


def render(output: Path = OUTPUT) -> Path:
    """Construye, llena, exporta a PDF con LibreOffice y recorta la imagen."""
    plan = next(p for p in demo_plans() if p["dependencia"] == SEED_DEPENDENCIA)
    with tempfile.TemporaryDirectory(prefix="pea-png-") as tmp:
        d = Path(tmp)
        template = build_template(None, d / "plantilla.xlsm")
        filled = fill_template(template, plan, d / "plan_semilla.xlsm")
        run_libreoffice(filled, [], pdf=d / "plan.pdf")
        output.parent.mkdir(parents=True, exist_ok=True)
        pdf_to_png(d / "plan.pdf", output, dpi=DPI, crop=CROP)
    return output


def main() -> int:
    reason = libreoffice_missing()
    if reason:
        print(f"No se puede generar la imagen: {reason}.", file=sys.stderr)
        return 2
    print(f"Imagen escrita en {render().relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
