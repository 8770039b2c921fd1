"""Banco de pruebas de `pea consolidar`: N entregas realistas, cuatro mediciones en una corrida.

Uso:
    python3 bench/bench_consolidar.py --n 1000              # genera (o reutiliza) y mide
    python3 bench/bench_consolidar.py --n 200 --markdown     # tabla lista para docs/

Entregas: la mitad son la plantilla oficial llenada (.xlsm con macros, hojas de
catálogos e instrucciones, validaciones de datos) y la otra mitad libros hechos a mano
en el formato oficial con celdas combinadas por bloque (.xlsx); 30 líneas de meta cada
una, texto largo en español, algunas con errores. Se arman unas pocas bases con
openpyxl, con los textos pasados a la tabla de cadenas compartidas como los guarda Excel
(`excel_like`), y cada entrega se deriva cambiando su identificador en las cadenas
compartidas (nombre de la dependencia, textos), así que cada archivo tiene contenido
distinto.

Mediciones, cada una como proceso completo (arranque de Python incluido), repetidas e
intercaladas (`--repeticiones`, 3 por omisión; se informa la mediana):
  (a) piso: descomprimir y leer cada parte XML de todos los archivos;
  (b) línea base ingenua: pandas.read_excel(engine="openpyxl") por archivo + concat +
      to_excel;
  (c) `pea consolidar` desde cero (sin caché);
  (d) `pea consolidar` otra vez tras cambiar un archivo (usa la caché);
  (e) frictionless, el validador genérico que elegiría una oficina, con un Table Schema de
      la tabla del plan (`bench/frictionless_plan.py`) sobre los mismos archivos y con el
      mismo número de procesos; se compara lo que encontró con lo que encontró PEA
      (`--sin-frictionless` la omite; `pip install 'pea[bench]'`).
Memoria: máximo por proceso (ru_maxrss de /usr/bin/time o getrusage) y suma de PSS de
todo el árbol de procesos, muestreada cada 50 ms (Linux).
"""

from __future__ import annotations

import argparse
import copy
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
FRICTIONLESS = Path(__file__).resolve().parent / "frictionless_plan.py"
TEMPLATE = ROOT / "workbook_template.xlsm"
TOKEN = "§ID§"
LINES = 30
CORPUS_VERSION = 3  # 3: cadenas compartidas, como guarda Excel

FLOOR = r"""
import sys, zipfile, pathlib
n = 0
for p in sorted(pathlib.Path(sys.argv[1]).iterdir()):
    if p.suffix in ('.xlsx', '.xlsm'):
        with zipfile.ZipFile(p) as z:
            for name in z.namelist():
                if name.endswith(('.xml', '.rels')):
                    n += len(z.read(name))
print(n)
"""

READ_ONLY = r"""
import sys, pathlib
from pea.config import load_config
from pea.consolidate.cache import ResultCache
from pea.consolidate.run import Options, QuietProgress, read_submissions
folder = pathlib.Path(sys.argv[1])
opts = Options(folder, folder.parent / "no_se_escribe.xlsx", use_cache=False)
config = load_config()
import tempfile  # (una caché apagada igual abre su archivo: que no quede en la carpeta actual)
with tempfile.TemporaryDirectory() as tmp:
    cache = ResultCache(pathlib.Path(tmp) / "c.sqlite", "", False)
    subs, read = read_submissions(opts, config, QuietProgress(), cache)
    cache.close()
print(read)
"""

NAIVE = r"""
import sys, pathlib
import pandas as pd
frames = []
for p in sorted(pathlib.Path(sys.argv[1]).iterdir()):
    if p.suffix in ('.xlsx', '.xlsm'):
        df = pd.read_excel(p, engine="openpyxl", header=None)
        df["archivo"] = p.name
        frames.append(df)
pd.concat(frames, ignore_index=True).to_excel(sys.argv[2], index=False)
"""


# --- corpus ----------------------------------------------------------------------------

_EXTRA = (
    " Se dará seguimiento mensual con la Dirección de Planeación, se integrarán las "
    "evidencias fotográficas y documentales en el expediente de la acción y se publicarán "
    "los avances en el portal de transparencia del municipio conforme a los lineamientos."
)


def _long_plan(index: int, with_error: bool) -> dict[str, Any]:
    """Un plan del demo alargado a 30 líneas, con la marca §ID§ para derivar entregas."""
    from pea.demo import demo_plans

    plans = demo_plans()
    base = copy.deepcopy(plans[index % len(plans)])
    source = base["filas"]
    base["dependencia"] = f"Dirección Municipal de Prueba {TOKEN}"
    filas: list[dict[str, Any]] = []
    lines = 0
    k = 0
    while lines < LINES:
        f = copy.deepcopy(source[k % len(source)])
        f["pasos"] = f"1.- {f['pasos'].split('1.-', 1)[-1].strip()} (acción {k + 1}, {TOKEN})"
        f["meta"] = f"{f['meta']}{_EXTRA} Expediente {TOKEN}-{k + 1}."
        f["responsable"] = base["dependencia"]
        conts = f.get("continuaciones") or []
        room = LINES - lines - 1
        f["continuaciones"] = conts[:room] if room > 0 else []
        lines += 1 + len(f["continuaciones"])
        filas.append(f)
        k += 1
    if with_error:
        filas[0]["trimestres"] = [40, 30, 20, 0]
    base["filas"] = filas
    for key in ("elaboro", "autorizo"):
        base[key] = dict(base[key], cargo=f"Titular de la {base['dependencia']}")
    return base


_INLINE = re.compile(rb'(<c\b[^>]*?) t="inlineStr"([^>]*)><is>(.*?)</is></c>', re.DOTALL)
_SST_TYPE = (b"application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml")
_SST_REL = b"http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"


def excel_like(path: Path) -> Path:
    """Textos como los guarda Excel: en la tabla de cadenas compartidas, no en línea.

    openpyxl 3.1 escribe cada texto en su celda (``t="inlineStr"``); Excel (y LibreOffice)
    los guardan en ``xl/sharedStrings.xml`` y la celda lleva su índice (``t="s"``). Se
    reescribe el libro en su lugar; lo demás (estilos, combinadas, VBA) queda igual.
    """
    with zipfile.ZipFile(path) as zin:
        parts = [(i, zin.read(i.filename)) for i in zin.infolist()]
    index: dict[bytes, int] = {}
    count = 0

    def shared(m: re.Match[bytes]) -> bytes:
        nonlocal count
        count += 1
        i = index.setdefault(m.group(3), len(index))
        return m.group(1) + b' t="s"' + m.group(2) + b"><v>" + str(i).encode() + b"</v></c>"

    out: list[tuple[zipfile.ZipInfo, bytes]] = []
    for info, data in parts:
        if info.filename.startswith("xl/worksheets/sheet"):
            data = _INLINE.sub(shared, data)
        out.append((info, data))
    if not index or any(i.filename == "xl/sharedStrings.xml" for i, _ in parts):
        return path
    sst = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="http://'
           b'schemas.openxmlformats.org/spreadsheetml/2006/main" count="' + str(count).encode()
           + b'" uniqueCount="' + str(len(index)).encode() + b'">'
           + b"".join(b"<si>" + k + b"</si>" for k in index) + b"</sst>")
    fixed: list[tuple[zipfile.ZipInfo, bytes]] = []
    for info, data in out:
        if info.filename == "[Content_Types].xml":
            data = data.replace(b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" '
                                b'ContentType="' + _SST_TYPE + b'"/></Types>')
        elif info.filename == "xl/_rels/workbook.xml.rels":
            data = data.replace(b"</Relationships>", b'<Relationship Id="rIdSst" Type="'
                                + _SST_REL + b'" Target="sharedStrings.xml"/></Relationships>')
        fixed.append((info, data))
    fixed.append((zipfile.ZipInfo("xl/sharedStrings.xml", (1980, 1, 1, 0, 0, 0)), sst))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info, data in fixed:
            zout.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
    return path


def make_bases(folder: Path) -> list[Path]:
    """Bases: plantilla oficial llenada (.xlsm) y libros con celdas combinadas (.xlsx)."""
    from pea.demo.writer import write_plan_xlsx

    folder.mkdir(parents=True, exist_ok=True)
    bases = []
    for i in range(6):
        plan = _long_plan(i, with_error=(i == 5))
        bases.append(excel_like(write_plan_xlsx(
            plan, folder / f"base_{i}.xlsx", variant="combinada" if i % 2 == 0 else "fraccion")))
    if TEMPLATE.is_file():
        from pea.template.fill import fill_template

        for i in range(6, 12):
            plan = _long_plan(i, with_error=(i == 11))
            bases.append(excel_like(fill_template(TEMPLATE, plan, folder / f"base_{i}.xlsm")))
    return bases


def _derive(args: tuple[str, str, int]) -> None:
    base, target, ident = args
    tag = f"{ident:05d}"
    with zipfile.ZipFile(base) as zin:
        parts = [(i, zin.read(i.filename)) for i in zin.infolist()]
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for info, data in parts:
            if info.filename in ("xl/sharedStrings.xml",) or info.filename.startswith(
                    "xl/worksheets/sheet"):
                data = data.replace(TOKEN.encode(), tag.encode())
            zout.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)


def build_corpus(n: int, cache_root: Path) -> Path:
    """Carpeta con `n` entregas (se reutiliza si ya existe completa)."""
    folder = cache_root / f"entregas_{n}_v{CORPUS_VERSION}"
    marker = cache_root / f"entregas_{n}_v{CORPUS_VERSION}.completo"
    if marker.exists():
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    bases = make_bases(cache_root / f"bases_v{CORPUS_VERSION}")
    folder.mkdir(parents=True)
    jobs = [(str(bases[i % len(bases)]), str(folder / f"entrega_{i:05d}{bases[i % len(bases)].suffix}"),
             i) for i in range(n)]
    with ProcessPoolExecutor(2) as pool:
        list(pool.map(_derive, jobs, chunksize=50))
    marker.write_text("ok")
    return folder


def change_one(folder: Path) -> Path:
    """Re-entrega de un archivo: cambia un texto (y por tanto su sha256)."""
    target = sorted(p for p in folder.iterdir() if p.suffix in (".xlsx", ".xlsm"))[0]
    with zipfile.ZipFile(target) as zin:
        parts = [(i, zin.read(i.filename)) for i in zin.infolist()]
    stamp = str(time.time_ns()).encode()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zout:
        for info, data in parts:
            if info.filename == "xl/sharedStrings.xml":
                data = re.sub(rb"Expediente (\d+)-1\.", b"Expediente \\1-1 (corregido " + stamp
                              + b").", data, count=1)
            zout.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
    target.write_bytes(buf.getvalue())
    return target


# --- medición --------------------------------------------------------------------------

@dataclass
class Measure:
    name: str
    seconds: float
    maxrss_mb: float  # máximo de un solo proceso del árbol
    pss_mb: float  # suma de PSS del árbol, máximo muestreado
    returncode: int
    cpu_s: float = 0.0  # CPU (usuario + sistema) del proceso y sus hijos: pesa menos la carga


def _tree(pid: int) -> list[int]:
    out = [pid]
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return out
    for c in children:
        out += _tree(int(c))
    return out


def _pss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def run_measured(name: str, cmd: list[str]) -> Measure:
    """Corre `cmd` y mide tiempo de pared, ru_maxrss y la PSS total del árbol."""
    use_time = Path("/usr/bin/time").exists()
    stats = Path(tempfile.mkstemp(prefix="pea_bench_time_")[1])
    full = ["/usr/bin/time", "-f", "%M %U %S", "-o", str(stats), *cmd] if use_time else cmd
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    peak = [0]
    t0 = time.perf_counter()
    proc = subprocess.Popen(full, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            peak[0] = max(peak[0], sum(_pss_kb(p) for p in _tree(proc.pid)))
            stop.wait(0.05)

    th = threading.Thread(target=sample, daemon=True)
    th.start()
    _, err = proc.communicate()
    elapsed = time.perf_counter() - t0
    stop.set()
    th.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    maxrss = 0.0
    if use_time:
        text = stats.read_text().strip().splitlines()
        fields = text[-1].split() if text else []
        if len(fields) == 3 and fields[0].isdigit():
            maxrss = float(fields[0]) / 1024
            cpu = float(fields[1]) + float(fields[2])
    stats.unlink(missing_ok=True)
    if proc.returncode != 0:
        sys.stderr.write(err.decode("utf-8", "replace")[-2000:])
    return Measure(name, elapsed, maxrss, peak[0] / 1024, proc.returncode, cpu)


def _median(runs: list[Measure]) -> Measure:
    """La corrida mediana en tiempo, con la memoria máxima de todas (la peor)."""
    ordered = sorted(runs, key=lambda m: m.seconds)
    mid = ordered[len(ordered) // 2]
    return Measure(mid.name, mid.seconds, max(m.maxrss_mb for m in runs),
                   max(m.pss_mb for m in runs), max(m.returncode for m in runs), mid.cpu_s)


def pea_findings(master: Path) -> dict[str, Any]:
    """Lo que encontró PEA, contado en la hoja «Observaciones» del maestro."""
    from openpyxl import load_workbook

    wb = load_workbook(master, read_only=True)
    try:
        rows = wb["Observaciones"].iter_rows(values_only=True)
        header = list(next(rows))
        arch, rule, sev = (header.index(k) for k in ("Archivo", "Regla", "Severidad"))
        by_rule: dict[str, int] = {}
        by_sev: dict[str, int] = {}
        error_files: set[str] = set()
        sum_files: set[str] = set()
        for r in rows:
            by_rule[r[rule]] = by_rule.get(r[rule], 0) + 1
            by_sev[r[sev]] = by_sev.get(r[sev], 0) + 1
            if r[sev] == "error":
                error_files.add(r[arch])
            if r[rule] == "PEA-Q03":
                sum_files.add(r[arch])
    finally:
        wb.close()
    return {"por_regla": dict(sorted(by_rule.items())), "por_severidad": by_sev,
            "archivos_con_error": len(error_files), "archivos_con_suma_mal": len(sum_files),
            "sumas_mal": by_rule.get("PEA-Q03", 0)}


def bench(n: int, workdir: Path, skip_naive: bool, reps: int = 3,
          naive_reps: int = 1, skip_frictionless: bool = False) -> dict[str, Any]:
    folder = build_corpus(n, workdir)
    files = sorted(p for p in folder.iterdir() if p.suffix in (".xlsx", ".xlsm"))
    size_mb = sum(p.stat().st_size for p in files) / 1e6
    out = workdir / "salida"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir()
    master = out / "maestro.xlsx"
    pea = [sys.executable, "-m", "pea", "consolidar", str(folder), "--salida", str(master),
           "--silencioso"]
    runs: dict[str, list[Measure]] = {"a": [], "b": [], "c": [], "c2": [], "d": [], "e": []}
    try:
        import pandas  # noqa: F401  (extra opcional de pea; solo para la línea base)
    except ImportError:
        print("pandas no está instalado: se omite la medición (b).", file=sys.stderr)
        skip_naive = True
    if not skip_naive:
        for _ in range(naive_reps):
            runs["b"].append(run_measured(
                "(b) ingenuo: pandas.read_excel(openpyxl) + concat + to_excel",
                [sys.executable, "-c", NAIVE, str(folder), str(out / "ingenuo.xlsx")]))
    try:
        import frictionless  # noqa: F401  (extra opcional «bench»; solo para (e))
    except ImportError:
        print("frictionless no está instalado: se omite la medición (e).", file=sys.stderr)
        skip_frictionless = True
    peer: dict[str, Any] | None = None
    if not skip_frictionless:
        peer_json = out / "frictionless.json"
        runs["e"].append(run_measured(
            "(e) frictionless: Table Schema del plan + suma por fila (mismos procesos)",
            [sys.executable, str(FRICTIONLESS), str(folder), "--procesos",
             str(os.cpu_count() or 1), "--json", str(peer_json)]))
        if peer_json.is_file():
            peer = json.loads(peer_json.read_text())
            peer.pop("resultados", None)
    changed = files[0]
    for _ in range(reps):  # intercaladas: el ruido de la máquina reparte parejo
        runs["a"].append(run_measured("(a) piso: descomprimir y leer cada parte XML",
                                      [sys.executable, "-c", FLOOR, str(folder)]))
        for leftover in out.glob("maestro.xlsx*"):
            leftover.unlink()  # (c) siempre sin caché
        runs["c"].append(run_measured("(c) pea consolidar (sin caché)", pea))
        runs["c2"].append(run_measured(
            "(c′) solo leer y validar (mismos procesos, sin caché ni maestro)",
            [sys.executable, "-c", READ_ONLY, str(folder)]))
        changed = change_one(folder)
        runs["d"].append(run_measured(f"(d) otra vez tras cambiar {changed.name}", pea))
    results = {k: _median(v) for k, v in runs.items() if v}
    summary = json.loads(subprocess.run([*pea[:-1], "--formato", "json"], capture_output=True,
                                        text=True, check=True).stdout)
    found = pea_findings(master)
    return {"n": n, "size_mb": size_mb, "results": results, "summary": summary, "reps": reps,
            "runs": {k: [vars(m) for m in v] for k, v in runs.items()}, "pea": found,
            "frictionless": peer}


def report(data: dict[str, Any], markdown: bool) -> str:
    r: dict[str, Measure] = data["results"]
    a, c, d = r["a"].seconds, r["c"].seconds, r["d"].seconds
    lines = [f"Entregas: {data['n']} ({data['size_mb']:.1f} MB); núcleos: {os.cpu_count()}; "
             f"líneas de meta en el maestro: {data['summary']['lineas']:,}; "
             f"estados: {data['summary']['estados']}",
             f"Segundos: mediana de {data['reps']} corridas intercaladas de (a), (c), (c′) y (d) "
             f"y de {len(data['runs']['b'])} de (b); memoria: la máxima de todas.",
             "Corridas (s): " + "; ".join(
                 f"{k} " + ", ".join(f"{m['seconds']:.2f}" for m in v)
                 for k, v in data["runs"].items() if v)]
    rows = [("Medición", "Segundos", "× piso", "CPU (s)", "RSS máx. proceso (MB)",
             "PSS total (MB)")]
    for m in r.values():
        rows.append((m.name, f"{m.seconds:.2f}", f"{m.seconds / a:.1f}", f"{m.cpu_s:.1f}",
                     f"{m.maxrss_mb:.0f}", f"{m.pss_mb:.0f}"))
    if markdown:
        lines.append("")
        lines.append("| " + " | ".join(rows[0]) + " |")
        lines.append("|" + "---|" * len(rows[0]))
        lines += ["| " + " | ".join(row) + " |" for row in rows[1:]]
    else:
        w = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
        lines += ["  ".join(v.ljust(w[i]) for i, v in enumerate(row)) for row in rows]
    lines.append("")
    if "b" in r:
        lines.append(f"(b)/(c) = {r['b'].seconds / c:.1f}× (meta ≥ 5×)")
    lines.append(f"(c′)/(a) lectura + validación = {r['c2'].seconds / a:.1f}× el piso (meta ≤ 4×)")
    lines.append(f"(c) = {c:.2f} s (meta ≤ 10 s con 1,000); (d) = {d:.2f} s (meta ≤ 2 s)")
    if "e" in r:
        cpu = (f"; en CPU, {r['e'].cpu_s / r['c'].cpu_s:.1f}×" if r["c"].cpu_s else "")
        lines.append(f"(e)/(c) = {r['e'].seconds / c:.1f}× (frictionless contra pea consolidar, "
                     f"que además escribe el maestro){cpu}")
    lines += _comparison(data)
    peak = max(m.pss_mb for k, m in r.items() if k.startswith(("c", "d")))
    lines.append(f"Memoria máxima de pea (PSS del árbol): {peak:.0f} MB (meta ≤ 400 MB)")
    if data["n"] != 7500:
        scale = 7500 / data["n"]
        lines.append(f"Estimación lineal para 7,500 entregas: (c) ≈ {c * scale:.0f} s, "
                     f"(d) ≈ {d * scale:.0f} s")
    return "\n".join(lines)


def _comparison(data: dict[str, Any]) -> list[str]:
    """Lo que encontró cada uno sobre los mismos archivos."""
    peer, found, n = data.get("frictionless"), data["pea"], data["n"]
    if not peer:
        return []
    tipos = ", ".join(f"{k} {v:,}" for k, v in peer["por_tipo"].items())
    sev = found["por_severidad"]
    return [
        "",
        f"Lo que encontró cada uno en las {n:,} entregas:",
        f"- frictionless: {peer['invalidos']:,} de {peer['archivos']:,} archivos inválidos; "
        f"{peer['errores']:,} errores ({tipos}) en {peer['filas_con_error']:,} filas; "
        f"filas con los cuatro trimestres llenos que no suman 100 %: {peer['sumas_mal']:,} "
        f"en {peer['archivos_con_suma_mal']:,} archivos.",
        f"- pea: {found['archivos_con_error']:,} archivos con errores (estados: "
        f"{data['summary']['estados']}); {sev.get('error', 0):,} errores, "
        f"{sev.get('advertencia', 0):,} advertencias, {sev.get('info', 0):,} notas; "
        f"programación que no suma 100 % (PEA-Q03): {found['sumas_mal']:,} en "
        f"{found['archivos_con_suma_mal']:,} archivos.",
    ]


def main() -> int:
    ap = argparse.ArgumentParser(description="Banco de pruebas de pea consolidar.")
    ap.add_argument("--n", type=int, default=1000, help="número de entregas")
    ap.add_argument("--dir", type=Path, default=Path(tempfile.gettempdir()) / "pea_bench",
                    help="carpeta de trabajo (el corpus se reutiliza entre corridas)")
    ap.add_argument("--sin-ingenuo", action="store_true", help="omitir la medición (b)")
    ap.add_argument("--repeticiones", type=int, default=3,
                    help="corridas de (a), (c), (c′) y (d); se informa la mediana (3)")
    ap.add_argument("--repeticiones-ingenuo", type=int, default=1,
                    help="corridas de (b), la más lenta (~25 s con 1,000 entregas) (1)")
    ap.add_argument("--sin-frictionless", action="store_true", help="omitir la medición (e)")
    ap.add_argument("--markdown", action="store_true", help="tabla en Markdown")
    ap.add_argument("--json", type=Path, help="guardar las cifras en este archivo")
    args = ap.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    data = bench(args.n, args.dir, args.sin_ingenuo, max(1, args.repeticiones),
                 max(1, args.repeticiones_ingenuo), args.sin_frictionless)
    print(report(data, args.markdown))
    if args.json:
        args.json.write_text(json.dumps(
            {**data, "results": {k: vars(m) for k, m in data["results"].items()}},
            ensure_ascii=False, indent=2, default=str))
    return 0 if all(m.returncode == 0 for m in data["results"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
