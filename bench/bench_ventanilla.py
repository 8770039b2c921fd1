"""Día de cierre en la Ventanilla: ráfaga de clientes concurrentes contra `pea servidor`.

Uso (desde la raíz del repositorio, con el extra «servidor» instalado):

    python3 bench/bench_ventanilla.py [--clientes 50] [--rondas 4] [--markdown]

Arranca un `pea servidor` real en 127.0.0.1 (puerto libre, carpeta temporal), da de alta
las cuentas del catálogo y lanza `--clientes` clientes a la vez; cada uno sube, `--rondas`
veces, un plan realista del municipio de demostración, alternando `POST /api/v1/validar`
y `POST /api/v1/entregas` (con el token de su dependencia). Mide:

- que cada petición tenga respuesta (ninguna perdida) y su código (200/201 esperados);
- latencias p50/p95/máxima por ruta;
- la memoria pico del servidor: RSS del proceso y de todos sus hijos (procesos de lectura),
  muestreada cada 50 ms desde /proc;
- en la misma corrida, `pea validar ARCHIVO` de los mismos archivos como procesos aparte
  (lo que costaría validar cada plan sin la Ventanilla).

Todo es local (127.0.0.1) y acotado: número fijo de peticiones y un tiempo máximo por
petición.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.web.live import LiveServer, post_file  # noqa: E402

TARGETS = {"p95": 1.0, "memoria_mb": 500}


def plans(folder: Path) -> list[tuple[str, Path]]:
    """(dependencia, archivo): los planes del banco de `pea consolidar` (30 líneas de meta,
    textos largos, cadenas compartidas como las guarda Excel; la mitad en la plantilla
    oficial .xlsm), uno por dependencia del catálogo, con su propio nombre."""
    from bench.bench_consolidar import TEMPLATE, TOKEN, _long_plan, excel_like

    from pea.demo import demo_plans
    from pea.demo.writer import write_plan_xlsx
    from pea.safe_names import safe_filename
    from pea.template.fill import fill_template

    out = []
    for i, demo in enumerate(demo_plans()):
        plan = json.loads(json.dumps(_long_plan(i, with_error=(i % 4 == 3)),
                                     ensure_ascii=False).replace(TOKEN, f"{i:02d}"))
        dep = demo["dependencia"]
        plan["dependencia"] = dep
        for fila in plan["filas"]:
            fila["responsable"] = dep
        name = safe_filename(dep)
        if i % 2 and TEMPLATE.is_file():
            path = excel_like(fill_template(TEMPLATE, plan, folder / f"{name}.xlsm"))
        else:
            path = excel_like(write_plan_xlsx(plan, folder / f"{name}.xlsx"))
        out.append((dep, path))
    return out


def plan_lines(path: Path) -> int:
    from pea.config import load_config
    from pea.validation import validate_file

    plan, _ = validate_file(path, load_config())
    return len(plan.lines) if plan is not None else 0  # type: ignore[arg-type]


def tree_rss(pid: int) -> int:
    """RSS (bytes) de un proceso y todos sus descendientes, desde /proc."""
    total, stack, seen = 0, [pid], set()
    while stack:
        p = stack.pop()
        if p in seen:
            continue
        seen.add(p)
        try:
            with open(f"/proc/{p}/status", encoding="ascii", errors="replace") as fh:
                for line in fh:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) * 1024
                        break
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children", encoding="ascii") as fh:
                    stack.extend(int(c) for c in fh.read().split())
        except (FileNotFoundError, ProcessLookupError, PermissionError, ValueError):
            continue
    return total


class Sampler(threading.Thread):
    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak, self.stop = pid, 0, threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            self.peak = max(self.peak, tree_rss(self.pid))
            time.sleep(0.05)


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    if not values:
        return float("nan")
    k = min(len(values) - 1, max(0, round(q * (len(values) - 1))))
    return values[k]


def burst(server: LiveServer, tokens: dict[str, str], files: list[tuple[str, Path]],
          clients: int, rounds: int) -> tuple[dict[str, list[float]], dict[str, int], float]:
    latencies: dict[str, list[float]] = {"validar": [], "entregas": []}
    codes: dict[str, int] = {}
    lock = threading.Lock()
    start = threading.Barrier(clients)

    def client(i: int) -> None:
        dep, path = files[i % len(files)]
        data = path.read_bytes()
        start.wait()
        for r in range(rounds):
            route = "validar" if (i + r) % 2 == 0 else "entregas"
            t = time.perf_counter()
            try:
                resp = post_file(f"{server.url}/api/v1/{route}", path.name, data,
                                 token=tokens[dep] if route == "entregas" else None,
                                 timeout=120)
                code = str(resp.status)
            except OSError as exc:
                code = type(exc).__name__
            elapsed = time.perf_counter() - t
            with lock:
                latencies[route].append(elapsed)
                codes[code] = codes.get(code, 0) + 1

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=600)
    return latencies, codes, time.perf_counter() - t0


def cli_baseline(files: list[tuple[str, Path]]) -> float:
    """Segundos por archivo de `pea validar ARCHIVO` como proceso aparte (mediana)."""
    times = []
    for _, path in files:
        t = time.perf_counter()
        subprocess.run([sys.executable, "-m", "pea", "validar", str(path)],
                       capture_output=True, timeout=120, check=False)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clientes", type=int, default=50)
    parser.add_argument("--rondas", type=int, default=4)
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="pea-banco-ventanilla-") as tmp:
        folder = Path(tmp)
        files = plans(folder)
        lines = statistics.median(plan_lines(p) for _, p in files)
        server = LiveServer(folder / "datos", {"PEA_BASE_DATOS_URL": ""})
        server.start()
        try:
            done = server.cuentas(folder / "cuentas.csv")
            if done.returncode != 0:
                raise SystemExit(done.stderr)
            with open(folder / "cuentas.csv", encoding="utf-8", newline="") as fh:
                tokens = {r["dependencia"]: r["token_api"] for r in csv.DictReader(fh)
                          if r["rol"] == "dependencia"}
            idle = tree_rss(server.proc.pid)
            sampler = Sampler(server.proc.pid)
            sampler.start()
            latencies, codes, wall = burst(server, tokens, files, args.clientes, args.rondas)
            sampler.stop.set()
            sampler.join()
        finally:
            server.stop()
        cli = cli_baseline(files)
    total = sum(len(v) for v in latencies.values())
    expected = args.clientes * args.rondas
    all_lat = [x for v in latencies.values() for x in v]
    ok = codes.get("200", 0) + codes.get("201", 0)
    rows = [
        ("clientes a la vez × rondas", f"{args.clientes} × {args.rondas}", "", ""),
        ("líneas por plan (mediana)", f"{lines:g}", "", ""),
        ("peticiones con respuesta / enviadas", f"{total} / {expected}", "todas",
         "sí" if total == expected else "no"),
        ("respuestas 200/201", f"{ok}", f"{expected}", "sí" if ok == expected else "no"),
        ("códigos", json.dumps(codes), "", ""),
    ]
    for route, values in latencies.items():
        rows.append((f"/api/v1/{route}: p50 / p95 / máx (s)",
                     f"{pct(values, .5):.3f} / {pct(values, .95):.3f} / {max(values):.3f}",
                     "", ""))
    p95 = pct(all_lat, .95)
    rows += [
        ("todas: p95 (s)", f"{p95:.3f}", f"≤ {TARGETS['p95']:g}",
         "sí" if p95 <= TARGETS["p95"] else "no"),
        ("duración de la ráfaga (s)", f"{wall:.2f}", "", ""),
        ("servidor: segundos por archivo (ráfaga / peticiones)", f"{wall / total:.3f}", "", ""),
        ("`pea validar ARCHIVO` como proceso aparte, por archivo (s)", f"{cli:.3f}",
         "más lento que el servidor", "sí" if cli > wall / total else "no"),
        ("memoria del servidor en reposo (MB)", f"{idle / 2**20:.0f}", "", ""),
        ("memoria pico del servidor y sus procesos (MB)", f"{sampler.peak / 2**20:.0f}",
         f"≤ {TARGETS['memoria_mb']}", "sí" if sampler.peak / 2**20 <= TARGETS["memoria_mb"]
         else "no"),
    ]
    if args.markdown:
        print("| Medición | Valor | Meta | Cumple |\n|---|---:|---|---|")
        for r in rows:
            print("| " + " | ".join(r) + " |")
    else:
        width = max(len(r[0]) for r in rows)
        for name, value, target, met in rows:
            print(f"{name:<{width}}  {value:>22}  {target:>26}  {met}")


if __name__ == "__main__":
    main()
