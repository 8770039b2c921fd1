"""Compara `pea consolidar` entre árboles del repositorio, alternando el orden en cada vuelta.

Uso (cada árbol es un checkout, p. ej. `git worktree add /tmp/antes 7cc9176`):
    python3 bench/alternar_versiones.py CARPETA VUELTAS ARBOL [ARBOL ...]

Por vuelta y por árbol mide, como proceso completo y con `PYTHONPATH=ARBOL/addin`:
(c) `pea consolidar` sin caché (`--sin-cache`) y (d) la corrida siguiente con la caché llena.
Antes de la primera vuelta llena la caché de cada árbol (una versión vieja no la escribe con
`--sin-cache`). Informa la mediana de pared y de CPU (usuario + sistema de los hijos) y
guarda lo crudo en JSON. En una máquina con ruido, compare los cocientes, no los segundos.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _run(tree: str, folder: Path, master: Path, *extra: str) -> tuple[float, float]:
    env = {**os.environ, "PYTHONPATH": f"{tree}/addin"}
    t0, r0 = time.perf_counter(), os.times()
    proc = subprocess.run([sys.executable, "-m", "pea", "consolidar", str(folder), "--salida",
                           str(master), "--formato", "json", "--silencioso", *extra],
                          env=env, capture_output=True, text=True, check=False)
    r1, wall = os.times(), time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"{tree}: código {proc.returncode}\n{proc.stderr[-2000:]}")
    return wall, (r1.children_user - r0.children_user) + (r1.children_system - r0.children_system)


def main() -> int:
    if len(sys.argv) < 4:
        print(__doc__, file=sys.stderr)
        return 2
    folder, rounds, trees = Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3:]
    out = Path(tempfile.mkdtemp(prefix="pea_alternar_"))
    masters = {t: out / f"{Path(t).name}.xlsx" for t in trees}
    raw: dict[str, dict[str, list[tuple[float, float]]]] = {t: {"c": [], "d": []} for t in trees}
    for t in trees:
        _run(t, folder, masters[t])
    for i in range(rounds):
        order = trees if i % 2 == 0 else trees[::-1]
        for t in order:
            raw[t]["c"].append(_run(t, folder, masters[t], "--sin-cache"))
        for t in order:
            raw[t]["d"].append(_run(t, folder, masters[t]))
        print(f"vuelta {i + 1}: " + "; ".join(
            f"{Path(t).name} c {raw[t]['c'][-1][0]:.2f} s, d {raw[t]['d'][-1][0]:.2f} s"
            for t in trees), flush=True)
    summary = {Path(t).name: {k: {"pared_mediana": round(statistics.median(w for w, _ in v), 3),
                                  "cpu_mediana": round(statistics.median(c for _, c in v), 3)}
                              for k, v in raw[t].items()} for t in trees}
    print(json.dumps(summary, indent=1, ensure_ascii=False))
    (out / "alternar.json").write_text(json.dumps({"resumen": summary, "crudo": raw}), "utf-8")
    print(out / "alternar.json")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
