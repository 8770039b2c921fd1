"""Desglose de la CPU por entrega de `pea consolidar`, en un solo proceso.

Mismo código y mismo ajuste del recolector que un proceso de lectura; recorre las
entregas del banco (`bench_consolidar.py` las genera) y mide cada paso:

    python3 bench/desglose_consolidar.py                       # 1,000 entregas del banco
    python3 bench/desglose_consolidar.py --carpeta OTRA/CARPETA
"""

from __future__ import annotations

import argparse
import collections
import hashlib
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pea.config import load_config
from pea.consolidate.cache import encode
from pea.consolidate.extract import plan_lines
from pea.consolidate.outcome import Outcome
from pea.consolidate.worker import init_worker
from pea.models import FileReport
from pea.reading import spreadsheetml, xlsx, zip_guard
from pea.reading.plan_parser import parse_plan
from pea.rules.context import Context
from pea.validation import read_grid, run_rules

DEFAULT = Path(tempfile.gettempdir()) / "pea_bench" / "entregas_1000_v3"
SUB = "  · "


def _timed(totals: collections.Counter[str], obj: Any, name: str, label: str) -> None:
    original: Callable[..., Any] = getattr(obj, name)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        t = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            totals[label] += time.perf_counter() - t

    setattr(obj, name, wrapper)


def main() -> int:
    ap = argparse.ArgumentParser(description="Desglose de CPU por entrega de pea consolidar.")
    ap.add_argument("--carpeta", type=Path, default=DEFAULT, help="carpeta con las entregas")
    args = ap.parse_args()
    files = sorted(p for p in args.carpeta.glob("*") if p.suffix in (".xlsx", ".xlsm"))
    if not files:
        print(f"No hay entregas en {args.carpeta}; corra antes bench/bench_consolidar.py.",
              file=sys.stderr)
        return 2
    totals: collections.Counter[str] = collections.Counter()
    _timed(totals, zip_guard.Package, "check_xml_parts",
           SUB + "descomprimir y revisar cada parte (DTD, tamaños reales)")
    _timed(totals, xlsx, "_engine", SUB + "calamine: abrir el libro, leer la hoja y sus valores")
    _timed(totals, spreadsheetml, "scan_sheet", SUB + "área, formatos % y fórmulas de la hoja")
    config = load_config()
    init_worker(config)  # reglas cargadas y recolector ajustado, como un proceso de lectura
    datas = [(p, p.read_bytes()) for p in files]
    for path, data in datas:
        t0 = time.perf_counter()
        hashlib.sha256(data).hexdigest()
        t1 = time.perf_counter()
        read = read_grid(path, data, config)
        t2 = time.perf_counter()
        if read.grid is None:
            continue
        parsed = parse_plan(read.grid, path.name)
        t3 = time.perf_counter()
        ctx = Context(parsed.plan, config)
        findings = run_rules(ctx, parsed.hits, [])
        t4 = time.perf_counter()
        lines = plan_lines(ctx)
        t5 = time.perf_counter()
        encode(Outcome(report=FileReport.build("", None, findings), lines=lines))
        t6 = time.perf_counter()
        totals["lectura (read_grid)"] += t2 - t1
        totals["interpretación (parse_plan)"] += t3 - t2
        totals["reglas"] += t4 - t3
        totals["extracción para el maestro"] += t5 - t4
        totals["caché (JSON + zlib) y sha256"] += (t6 - t5) + (t1 - t0)
    n = len(datas)
    order = ["lectura (read_grid)", *sorted(k for k in totals if k.startswith(SUB)),
             "interpretación (parse_plan)", "reglas", "extracción para el maestro",
             "caché (JSON + zlib) y sha256"]
    print(f"{n} entregas de {args.carpeta}; CPU por entrega:")
    for key in order:
        print(f"{key:62s} {totals[key] / n * 1e3:6.2f} ms")
    total = sum(v for k, v in totals.items() if not k.startswith(SUB))
    print(f"{'total':62s} {total / n * 1e3:6.2f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
