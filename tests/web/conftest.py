"""Pruebas de la Ventanilla (Django): base de datos de prueba real y planes de ejemplo.

Con `PEA_BASE_DATOS_URL` (p. ej. ``postgresql://postgres@/pea?host=/tmp/pg``) corren
contra PostgreSQL; sin ella, contra SQLite. Sin Django instalado se omiten, salvo en CI
(`CI=true`), donde fallan: tools/pruebas.sh instala el extra `servidor`.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

try:
    import django
except ImportError:  # pragma: no cover - sin el extra «servidor»
    django = None  # type: ignore[assignment]

if django is None and os.environ.get("CI") != "true":
    collect_ignore_glob = ["test_*.py"]
else:
    DATOS = Path(tempfile.mkdtemp(prefix="pea-ventanilla-pruebas-"))
    os.environ["PEA_DATOS"] = str(DATOS)
    os.environ["DJANGO_SETTINGS_MODULE"] = "pea.web.settings"
    for sub in ("archivos", "tmp"):
        (DATOS / sub).mkdir(exist_ok=True)
    django.setup()


@pytest.fixture(scope="session", autouse=True)
def django_test_db() -> Iterator[None]:
    """Crea la base de prueba (SQLite en memoria o `test_<nombre>` en PostgreSQL)."""
    from django.test.utils import (
        setup_databases,
        setup_test_environment,
        teardown_databases,
        teardown_test_environment,
    )

    setup_test_environment()
    old = setup_databases(verbosity=0, interactive=False)
    yield
    teardown_databases(old, verbosity=0)
    teardown_test_environment()
    from pea.web.ventanilla import services

    if services._pool is not None:
        services._pool.close()


@pytest.fixture(scope="session")
def planes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Planes reales del demo: válidos, con errores y con la dependencia cambiada."""
    from pea.demo import demo_plans
    from pea.demo.mutate import apply_changes
    from pea.demo.writer import write_plan_xlsx

    folder = tmp_path_factory.mktemp("planes")
    plans = demo_plans()
    out = {
        "tesoreria": write_plan_xlsx(plans[1], folder / "tesoreria.xlsx"),
        "obras": write_plan_xlsx(plans[2], folder / "obras.xlsx"),
    }
    out["tesoreria_errores"] = apply_changes(
        out["tesoreria"], {"celdas": {"M10": 0.4, "B10": "Objetivo <script>alert(1)</script>"}},
        folder / "tesoreria_errores.xlsx")
    return out


@pytest.fixture(autouse=True)
def _planes_en_clase(request: pytest.FixtureRequest, planes: dict[str, Path]) -> None:
    """Las clases TestCase de Django ven los planes como `self.planes`."""
    if request.instance is not None:
        request.instance.planes = planes
