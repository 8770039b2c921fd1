"""Municipio de demostración «Oaxaca de Jalisco»: catálogos y once planes válidos."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

DEMO_YAML = Path(__file__).with_name("municipio_demo.yaml")


@cache
def load_demo() -> dict[str, Any]:
    """El contenido de `municipio_demo.yaml` (config, catálogos y dependencias)."""
    return yaml.load(DEMO_YAML.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)


def demo_plans() -> list[dict[str, Any]]:
    """Los once planes válidos del municipio de demostración."""
    return list(load_demo()["dependencias"])
