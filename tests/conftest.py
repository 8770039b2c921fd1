"""Utilidades comunes de las pruebas: configuración incluida y planes del demo."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from pea.config import RulesConfig, load_config
from pea.demo import demo_plans

FIXTURES = Path(__file__).parent / "fixtures"
SEED = FIXTURES / "semilla_comunicacion_social.txt"


@pytest.fixture(scope="session")
def config() -> RulesConfig:
    return load_config()


def plan_by_name(dependencia: str) -> dict[str, Any]:
    """Un plan del demo por el nombre de su dependencia."""
    for plan in demo_plans():
        if plan["dependencia"] == dependencia:
            return plan
    raise KeyError(dependencia)
