"""Tiempos de `pea validar` (proceso completo) y del camino del botón Validar de Excel.

Uso (desde la raíz del repositorio):

    python3 bench/bench_validar.py [--repeticiones 7] [--markdown]

Todo se mide en la misma corrida contra `python -c pass`, así que los cocientes
sirven para comparar equipos distintos. Las mediciones de proceso completo se hacen
dos veces: con PEA compilado a .pyc (como queda al instalar el paquete con pip, que
es lo que tiene el equipo de una dependencia) y desde el árbol de trabajo sin .pyc
(aquí PYTHONDONTWRITEBYTECODE=1, así que cada proceso compila los módulos de PEA).
Mide:

- proceso completo: `python -c pass`, `pea validar PLAN.xlsx`, `import pea.excel.bridge`;
- dentro del proceso: importar el puente, importar lo que carga el botón Validar
  (xlwings, que RunPython importa antes que nada, y el núcleo de PEA), con y sin pandas;
- validar un plan de 50 líneas desde la cuadrícula ya leída (`validate_grid`);
- el botón Validar completo sobre el doble de xlwings (`tests/puente_fake.py`), con el
  número de llamadas al objeto de Excel (cada una es una llamada COM entre procesos).
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TARGETS = {"validar": 0.5, "import_bridge": 0.3, "grid50": 0.1}

_TIMED_IMPORT = """
import sys, time
if {block_pandas}:
    sys.modules["pandas"] = None
t0 = time.perf_counter()
import pea.excel.bridge
t1 = time.perf_counter()
import xlwings.utils
t2 = time.perf_counter()
import pea.config, pea.validation, pea.feedback
from pea.excel import reader, marks, report_sheet
from pea.rules.registry import load_all
load_all()
t3 = time.perf_counter()
cfg = pea.config.load_config()
t4 = time.perf_counter()
print(json.dumps({{"bridge": t1 - t0, "xlwings": t2 - t1, "pea": t3 - t2, "config": t4 - t3,
                  "pandas": "pandas" in sys.modules and sys.modules["pandas"] is not None}}))
"""


def compiled_copy(folder: Path) -> dict[str, str]:
    """Copia el paquete pea compilado a .pyc; devuelve el entorno que lo importa primero."""
    target = folder / "instalado"
    shutil.copytree(ROOT / "addin" / "pea", target / "pea",
                    ignore=shutil.ignore_patterns("__pycache__"))
    compileall.compile_dir(target / "pea", quiet=1)
    return {**os.environ, "PYTHONPATH": str(target)}


def wall(cmd: list[str], runs: int, env: dict[str, str] | None = None) -> float:
    """Mediana de segundos de reloj del comando (proceso completo)."""
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       check=False, env=env)
        out.append(time.perf_counter() - t)
    return statistics.median(out)


def timed_imports(runs: int, block_pandas: bool,
                  env: dict[str, str] | None = None) -> dict[str, float]:
    """Mediana, por parte, de lo que importa el botón Validar en un proceso nuevo."""
    code = "import json\n" + _TIMED_IMPORT.format(block_pandas=block_pandas)
    samples: dict[str, list[float]] = {}
    pandas = False
    for _ in range(runs):
        res = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                             text=True, check=True, env=env)
        data = json.loads(res.stdout)
        pandas = data.pop("pandas")
        for k, v in data.items():
            samples.setdefault(k, []).append(v)
    med = {k: statistics.median(v) for k, v in samples.items()}
    med["pandas_cargado"] = float(pandas)
    return med


def grid_validation(runs: int, folder: Path) -> tuple[float, float, int]:
    """(primera, mediana) de validate_grid sobre el plan de 50 líneas ya leído."""
    from tests.puente_fake import plan_with_lines

    from pea.config import load_config
    from pea.demo.writer import write_plan_xlsx
    from pea.validation import read_grid, validate_grid

    cfg = load_config()
    path = write_plan_xlsx(plan_with_lines(50), folder / "plan50.xlsx", variant="combinada")
    read = read_grid(path, path.read_bytes(), cfg)
    assert read.grid is not None
    times = []
    findings = 0
    for _ in range(runs + 1):
        t = time.perf_counter()
        _plan, report = validate_grid(read.grid, cfg, path.name, read.avisos, read.template)
        times.append(time.perf_counter() - t)
        findings = len(report.hallazgos)
    return times[0], statistics.median(times[1:]), findings


def bridge_on_fake(runs: int, folder: Path) -> dict[str, float]:
    """Botón Validar completo sobre el doble: segundos y llamadas (1.ª y 2.ª vez)."""
    from tests.puente_fake import CALLS, FakeBook

    from pea.excel import bridge

    path = folder / "plan50.xlsx"
    first, second, calls1, calls2 = [], [], 0, 0
    for _ in range(runs):
        book = FakeBook._from_xlsx(path)
        CALLS.clear()
        t = time.perf_counter()
        bridge.validate_book(book)
        first.append(time.perf_counter() - t)
        calls1 = sum(CALLS.values())
        CALLS.clear()
        t = time.perf_counter()
        bridge.validate_book(book)
        second.append(time.perf_counter() - t)
        calls2 = sum(CALLS.values())
    return {"primera": statistics.median(first), "segunda": statistics.median(second),
            "llamadas_primera": calls1, "llamadas_segunda": calls2}


def main() -> None:
    parser = argparse.ArgumentParser(description="Tiempos de pea validar y del botón Validar.")
    parser.add_argument("--repeticiones", type=int, default=7)
    parser.add_argument("--markdown", action="store_true", help="Tabla en Markdown.")
    args = parser.parse_args()
    n = args.repeticiones
    from pea.demo import demo_plans
    from pea.demo.writer import write_plan_xlsx

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        plan = write_plan_xlsx(demo_plans()[1], folder / "tesoreria.xlsx", variant="fraccion")
        env = compiled_copy(folder)
        py = [sys.executable]
        validar_cmd = [*py, "-m", "pea", "validar", str(plan)]
        bridge_cmd = [*py, "-c", "import pea.excel.bridge"]
        base = wall([*py, "-c", "pass"], n)
        proc = {"pyc": (wall(validar_cmd, n, env), wall(bridge_cmd, n, env)),
                "src": (wall(validar_cmd, n), wall(bridge_cmd, n))}
        imports = timed_imports(n, False, env)
        imports_np = timed_imports(n, True, env)
        imports_src = timed_imports(n, False)
        cold, warm, findings = grid_validation(max(n, 20), folder)
        fake = bridge_on_fake(max(3, n // 2), folder)

    def button(d: dict[str, float]) -> float:
        return d["xlwings"] + d["pea"] + d["config"]

    rows = [
        ("`python -c pass` (base)", base, "", ""),
        ("`pea validar` un plan, proceso completo (instalado, .pyc)", proc["pyc"][0], "≤ 0.5",
         _ok(proc["pyc"][0], 0.5)),
        ("`pea validar` un plan, proceso completo (árbol sin .pyc)", proc["src"][0], "≤ 0.5",
         _ok(proc["src"][0], 0.5)),
        ("`import pea.excel.bridge`, proceso completo (.pyc)", proc["pyc"][1], "", ""),
        ("importar `pea.excel.bridge` (en el proceso, .pyc)", imports["bridge"], "≤ 0.3",
         _ok(imports["bridge"], 0.3)),
        ("importar `xlwings` (RunPython lo hace antes), con pandas", imports["xlwings"], "", ""),
        ("importar `xlwings` sin pandas instalado", imports_np["xlwings"], "", ""),
        ("importar el núcleo que usa Validar + cargar reglas (.pyc)",
         imports["pea"] + imports["config"], "", ""),
        ("importar el núcleo que usa Validar + cargar reglas (sin .pyc)",
         imports_src["pea"] + imports_src["config"], "", ""),
        ("todo lo que importa el botón, con pandas (.pyc)", button(imports), "≤ 0.3",
         _ok(button(imports), 0.3)),
        ("todo lo que importa el botón, sin pandas (.pyc)", button(imports_np), "≤ 0.3",
         _ok(button(imports_np), 0.3)),
        (f"validar 50 líneas desde la cuadrícula ({findings} hallazgos), 1.ª vez", cold,
         "≤ 0.1", _ok(cold, 0.1)),
        ("validar 50 líneas desde la cuadrícula, mediana", warm, "≤ 0.1", _ok(warm, 0.1)),
        (f"botón Validar en el doble, 50 líneas ({fake['llamadas_primera']:.0f} llamadas)",
         fake["primera"], "", ""),
        (f"botón Validar otra vez ({fake['llamadas_segunda']:.0f} llamadas)",
         fake["segunda"], "", ""),
    ]
    _print(rows, base, args.markdown, n)


def _ok(value: float, target: float) -> str:
    return "sí" if value <= target else "no"


def _print(rows: list[tuple[str, float, str, str]], base: float, markdown: bool,
           n: int) -> None:
    info = (f"{platform.python_implementation()} {platform.python_version()}, "
            f"{platform.system()} {platform.machine()}, mediana de {n} corridas")
    if markdown:
        print(f"Medido con `python3 bench/bench_validar.py` ({info}).\n")
        print("| Medición | Segundos | × base | Meta | Cumple |")
        print("|---|---:|---:|---|---|")
        for name, secs, target, ok in rows:
            print(f"| {name} | {secs:.3f} | {secs / base:.1f} | {target} | {ok} |")
        return
    print(info)
    for name, secs, target, ok in rows:
        extra = f"  meta {target}: {ok}" if target else ""
        print(f"{secs:8.3f} s  {secs / base:6.1f}×  {name}{extra}")


if __name__ == "__main__":
    main()
