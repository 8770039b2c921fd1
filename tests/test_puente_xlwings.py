"""El conjunto nombrado de llamadas de xlwings existe con esa firma en el xlwings instalado.

Si una actualización de xlwings cambia un nombre o un parámetro, fallan estas pruebas
y no el botón de una dependencia. El doble de pruebas expone exactamente ese conjunto.
"""

from __future__ import annotations

import inspect
import re
import subprocess
import sys
from pathlib import Path

import pytest
import xlwings
import xlwings.main as xm

from pea.excel import xl_api as X
from tests.puente_fake import FAKES, FakeWorksheetApi

ROOT = Path(__file__).resolve().parents[1]


def test_xlwings_fijado() -> None:
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    pin = re.search(r'"xlwings==([^"]+)"', text)
    assert pin is not None and pin.group(1) == xlwings.__version__


@pytest.mark.parametrize("use", X.XL_API, ids=lambda u: f"{u.owner}.{u.name}")
def test_nombre_existe_con_su_firma(use: X.Use) -> None:
    cls = getattr(xm, use.owner)
    attr = inspect.getattr_static(cls, use.name, None)
    if attr is None:  # heredado (p. ej. Sheets.__iter__ de la colección base)
        attr = getattr(cls, use.name, None)
    assert attr is not None, f"xlwings.main.{use.owner} ya no tiene «{use.name}»"
    if use.kind == "classmethod":
        assert isinstance(attr, classmethod)
    elif use.kind in ("property", "settable"):
        assert isinstance(attr, property), f"{use.owner}.{use.name} ya no es propiedad"
        if use.kind == "settable":
            assert attr.fset is not None, f"{use.owner}.{use.name} ya no se puede asignar"
    else:
        assert callable(attr)
        params = inspect.signature(attr).parameters
        missing = [p for p in use.params if p not in params]
        assert not missing, f"{use.owner}.{use.name} perdió los parámetros {missing}"


def _public(cls: type) -> set[str]:
    return {n for n in dir(cls) if not n.startswith("_")}


@pytest.mark.parametrize("owner", sorted(FAKES))
def test_el_doble_expone_exactamente_el_conjunto(owner: str) -> None:
    declared = {u.name for u in X.XL_API if u.owner == owner}
    fake = FAKES[owner]
    assert _public(fake) == {n for n in declared if not n.startswith("_")}
    for name in declared:
        assert hasattr(fake, name)


def test_el_doble_de_worksheet_expone_lo_de_com_api() -> None:
    names = {c.split(".")[1].rstrip("()") for c in X.COM_API}
    assert _public(FakeWorksheetApi) == names


def test_no_hay_otras_llamadas_a_xlwings_fuera_del_adaptador() -> None:
    """Solo xl_api.py importa xlwings; los demás módulos del puente usan el adaptador."""
    for path in (ROOT / "addin" / "pea" / "excel").glob("*.py"):
        if path.name in ("xl_api.py", "diagnostics.py"):
            continue  # diagnostics solo lee xlwings.__version__
        assert "import xlwings" not in path.read_text(encoding="utf-8"), path.name


def test_direcciones() -> None:
    assert X.parse_address("$B$4:$T$4") == (4, 2, 4, 20)
    assert X.parse_address("$A$1") == (1, 1, 1, 1)
    assert X.parse_address("'PEA'!$AA$10") == (10, 27, 10, 27)


def _imported(code: str) -> set[str]:
    out = subprocess.run([sys.executable, "-c", code + "\nimport sys\nprint('\\n'.join(sys.modules))"],
                         capture_output=True, text=True, check=True, cwd=ROOT)
    return {m.split(".")[0] for m in out.stdout.split()}


def test_importar_el_puente_es_ligero() -> None:
    mods = _imported("import pea.excel.bridge")
    heavy = {"pandas", "numpy", "openpyxl", "typer", "rich", "pydantic", "yaml", "xlwings",
             "python_calamine"}
    assert not mods & heavy


def test_lo_que_carga_validar_no_incluye_pandas_ni_openpyxl(tmp_path: Path) -> None:
    """Un clic completo en Validar (sobre el doble, en un proceso nuevo) no carga lo pesado."""
    import pickle

    from pea.demo import demo_plans
    from pea.demo.writer import write_plan_xlsx
    from tests.puente_fake import FakeBook

    book = FakeBook._from_xlsx(write_plan_xlsx(demo_plans()[1], tmp_path / "p.xlsx"))
    (tmp_path / "libro.pickle").write_bytes(pickle.dumps(book))
    mods = _imported(f"import pickle, pathlib\nimport pea.excel.bridge as b\n"
                     f"book = pickle.loads(pathlib.Path({str(tmp_path / 'libro.pickle')!r})"
                     ".read_bytes())\nb.validate_book(book)\nb.clean_book(book)")
    assert "pea" in mods and "python_calamine" not in mods
    assert not mods & {"pandas", "openpyxl", "typer", "rich", "click", "xlsxwriter"}
