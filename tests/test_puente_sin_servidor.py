"""El botón Validar (pea.excel.bridge) y `pea validar` nunca importan la Ventanilla ni
sus dependencias web (extra opcional «servidor»)."""

from __future__ import annotations

import json
import subprocess
import sys

WEB = ("django", "waitress", "whitenoise", "axes", "psycopg", "dj_database_url", "pea.web")

PROBE = """
import json, sys, runpy
{body}
web = sorted(m for m in sys.modules if m.split('.')[0] in {top!r} or m.startswith('pea.web'))
print(json.dumps(web))
"""


def _loaded(body: str) -> list[str]:
    code = PROBE.format(body=body, top=tuple(m for m in WEB if "." not in m))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_el_puente_no_importa_la_web() -> None:
    assert _loaded("import pea.excel.bridge, pea.validation, pea.consolidate.annotate") == []


def test_pea_validar_no_importa_la_web(tmp_path) -> None:  # type: ignore[no-untyped-def]
    plan = tmp_path / "vacio.txt"
    plan.write_text("", encoding="utf-8")
    body = (f"sys.argv = ['pea', 'validar', {str(plan)!r}]\n"
            "try:\n    runpy.run_module('pea', run_name='__main__')\n"
            "except SystemExit:\n    pass")
    assert _loaded(body) == []


def test_la_sonda_detecta_la_web() -> None:
    """La sonda sí ve la Ventanilla cuando se importa (la prueba puede fallar)."""
    import importlib.util

    if importlib.util.find_spec("django") is None:
        return
    assert "pea.web.settings" in _loaded(
        "import os; os.environ['PEA_CLAVE_SECRETA'] = 'prueba'\nimport pea.web.settings")
