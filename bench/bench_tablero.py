"""Banco del tablero del Instituto (Ventanilla II) contra un `pea servidor` real.

Uso:
    python3 bench/bench_tablero.py                 # 500 dependencias, 5,000 versiones
    python3 bench/bench_tablero.py --markdown      # tabla lista para docs/ventanilla.md

Qué hace:
1. Genera (o reutiliza) las entregas realistas de `bench_consolidar.py` (30 líneas, texto
   largo, mitad plantilla oficial .xlsm y mitad libros con celdas combinadas), una por
   dependencia, y las lee una vez con `pea consolidar` para tener su reporte y sus líneas.
2. Llena la base de una Ventanilla nueva (SQLite) con 500 dependencias, su cuenta y 10
   versiones cada una (5,000 en total) en estados variados; las líneas de las dos últimas
   versiones quedan guardadas (la penúltima con trimestres cambiados y una fila insertada).
3. Arranca `pea servidor` y mide, con una sesión de revisor (mediana de `--repeticiones`):
   tablero paginado (página y API), tablero filtrado y ordenado, la página de revisión de
   una versión con su diferencia (líneas ya guardadas y, aparte, leídas la primera vez);
   el primer «Descargar maestro» (lee todas las aprobadas) y, después de que una dependencia
   entrega y el revisor aprueba una versión nueva, el segundo (debe leer solo ese archivo).
Metas (issue 15): tablero ≤ 1 s, revisión con diferencias ≤ 1 s, segunda descarga lee 1.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import random
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "addin"))
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

PASSWORD = "Banco-del-tablero-2024"
VERSIONS = 10


def corpus(n: int, workdir: Path) -> list[Path]:
    from bench_consolidar import build_corpus

    folder = build_corpus(n, workdir)
    return sorted(p for p in folder.iterdir() if p.suffix in (".xlsx", ".xlsm"))


def payloads(files: list[Path], workdir: Path) -> dict[str, dict[str, Any]]:
    """Reporte y líneas de cada archivo, con la misma corrida de `pea consolidar`."""
    from pea.config import load_config
    from pea.consolidate.run import Options, consolidate

    out = workdir / "lectura" / "maestro.xlsx"
    out.parent.mkdir(parents=True, exist_ok=True)
    result = consolidate(Options(folder=files[0].parent, output=out), load_config())
    return {s.found.path.name: {"report": s.outcome.report.model_dump(mode="json"),
                                "lines": [line.row() for line in s.outcome.lines]}
            for s in result.consolidation.submissions if s.outcome is not None}


def edited(lines: list[list[Any]]) -> list[list[Any]]:
    """La versión anterior: trimestres distintos en dos líneas y sin la tercera línea."""
    prev = [list(x) for x in lines]
    for ln in prev[5:7]:
        ln[14], ln[15] = 0.4, 0.35
    del prev[2]
    return prev


def fill_database(datos: Path, files: list[Path], data: dict[str, dict[str, Any]]) -> dict:
    from pea.web.bootstrap import configure, migrate

    configure(datos)
    migrate(sys.stdout)
    from django.db import transaction
    from django.utils import timezone

    from pea.review import states as S
    from pea.web.revision.models import Lineas
    from pea.web.ventanilla import services
    from pea.web.ventanilla.models import Cuenta, Dependencia, Entrega, Rol

    rng = random.Random(15)
    fp = services.config().fingerprint()
    rules = services.rules_version()
    now = timezone.now()
    with transaction.atomic():
        deps = Dependencia.objects.bulk_create([
            Dependencia(nombre=data[f.name]["report"]["dependencia"],
                        clave=data[f.name]["report"]["dependencia"].casefold())
            for f in files])
        deps = list(Dependencia.objects.order_by("id"))
        for d in deps:
            d.save()  # la clave normalizada, como en la Ventanilla
        users = Cuenta.objects.bulk_create([
            Cuenta(username=f"dep{i:05d}", rol=Rol.DEPENDENCIA, dependencia=d,
                   debe_cambiar_contrasena=False, password="!")
            for i, d in enumerate(deps)])
        rev = Cuenta(username="revisor.banco", rol=Rol.REVISOR, debe_cambiar_contrasena=False)
        rev.set_password(PASSWORD)
        rev.set_token("pea_banco_revisor")
        rev.save()
        dep0 = users[0]
        dep0.set_token("pea_banco_dep0")
        dep0.save()
        entregas = []
        for d, u, f in zip(deps, users, files, strict=True):
            payload = data[f.name]
            raw = f.read_bytes()
            sha = hashlib.sha256(raw).hexdigest()
            rel = services._store(raw, sha)
            report = dict(payload["report"], archivo=f.name)
            errores = int(report["resumen"]["error"])
            advertencias = int(report["resumen"]["advertencia"])
            for v in range(1, VERSIONS + 1):
                last = v == VERSIONS
                estado = (S.DEVUELTO if not last else
                          S.APROBADO if (not errores and rng.random() < 0.8) else
                          S.initial_state(errores, advertencias))
                entregas.append(Entrega(
                    dependencia=d, version=v, archivo=f.name, extension=f.suffix, sha256=sha,
                    tamano=len(raw), almacen=rel, entregada_por=u, version_reglas=rules,
                    reporte=report, errores=errores, advertencias=advertencias, estado=estado))
        Entrega.objects.bulk_create(entregas, batch_size=500)
        stamp = {e.pk: now - (len(entregas) - i) * dt.timedelta(seconds=60)
                 for i, e in enumerate(Entrega.objects.order_by("id").only("id"))}
        Entrega.objects.bulk_update([Entrega(pk=k, fecha=v) for k, v in stamp.items()],
                                    ["fecha"], batch_size=1000)
        lines = []
        for e in Entrega.objects.filter(version__gte=VERSIONS - 1).only(
                "id", "version", "archivo"):
            got = data[e.archivo]["lines"]
            lines.append(Lineas(entrega_id=e.pk, huella=fp,
                                lineas=got if e.version == VERSIONS else edited(got)))
        Lineas.objects.bulk_create(lines, batch_size=200)
    last = Entrega.objects.filter(dependencia=deps[0], version=VERSIONS).first()
    cold = Entrega.objects.filter(dependencia=deps[1], version=VERSIONS).first()
    Lineas.objects.filter(entrega__dependencia=deps[1]).delete()
    out = {"dependencias": len(deps), "versiones": Entrega.objects.count(),
            "revision": last.pk, "revision_fria": cold.pk, "dep0": deps[0].nombre,
            "dep0_archivo": str(files[0]),
            "aprobadas": Entrega.objects.filter(estado=S.APROBADO).count()}
    from django.db import connections

    connections.close_all()  # el servidor usa la misma base SQLite
    return out


def login(url: str) -> Any:
    import requests

    s = requests.Session()
    s.get(url + "/entrar/")
    r = s.post(url + "/entrar/", data={"username": "revisor.banco", "password": PASSWORD,
                                       "csrfmiddlewaretoken": s.cookies["pea_csrf"]},
               headers={"Referer": url + "/entrar/"}, allow_redirects=False)
    assert r.status_code == 302, r.text[:500]
    return s


def timed(fn: Any, reps: int) -> tuple[float, Any]:
    times, last = [], None
    for _ in range(reps):
        t0 = time.perf_counter()
        last = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), last


def bench(n: int, workdir: Path, reps: int) -> dict[str, Any]:
    import requests
    from tests.web.live import LiveServer

    files = corpus(n, workdir)
    t0 = time.perf_counter()
    data = payloads(files, workdir)
    read_s = time.perf_counter() - t0
    datos = Path(tempfile.mkdtemp(prefix="pea-banco-tablero-")) / "datos"
    t0 = time.perf_counter()
    info = fill_database(datos, files, data)
    fill_s = time.perf_counter() - t0
    live = LiveServer(datos).start()
    out: dict[str, Any] = {"n": n, **info, "lectura_inicial_s": read_s, "llenado_s": fill_s}
    try:
        s = login(live.url)
        bearer = {"Authorization": "Bearer pea_banco_revisor"}

        def ok(r: Any) -> Any:
            assert r.status_code == 200, (r.status_code, r.text[:300])
            return r

        out["tablero_s"], r = timed(lambda: ok(s.get(live.url + "/tablero/")), reps)
        assert r.text.count("<tr>") >= min(50, n)
        out["tablero_filtrado_s"], _ = timed(lambda: ok(s.get(
            live.url + "/tablero/?estado=aprobado&orden=fecha&desc=1&q=prueba&pagina=3")), reps)
        out["api_tablero_s"], r = timed(lambda: ok(s.get(
            live.url + "/api/v1/tablero?por_pagina=100", headers=bearer)), reps)
        assert r.json()["total"] == n
        url = f"{live.url}/revision/{info['revision']}/"
        out["revision_s"], r = timed(lambda: ok(s.get(url)), reps)
        m = re.search(r"(\d+) línea\(s\) modificada\(s\), (\d+) agregada\(s\)", r.text)
        out["revision_diff"] = m.group(0) if m else None
        t0 = time.perf_counter()
        ok(s.get(f"{live.url}/revision/{info['revision_fria']}/"))
        out["revision_fria_s"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        r = ok(s.get(live.url + "/maestro/descargar", timeout=1800))
        out["maestro_1_s"] = time.perf_counter() - t0
        out["maestro_1_leidos"] = int(r.headers["X-PEA-Leidos"])
        # la dependencia 0 entrega una versión nueva (otro contenido) y el revisor la aprueba
        from bench_consolidar import change_one

        tmp = Path(tempfile.mkdtemp(prefix="pea-banco-nueva-"))
        newfile = tmp / Path(info["dep0_archivo"]).name
        newfile.write_bytes(Path(info["dep0_archivo"]).read_bytes())
        change_one(tmp)
        r = requests.post(live.url + "/api/v1/entregas",
                          headers={"Authorization": "Bearer pea_banco_dep0"},
                          files={"archivo": (newfile.name, newfile.read_bytes())}, timeout=120)
        assert r.status_code == 201, r.text[:500]
        new_id = r.json()["id"]
        r = requests.post(f"{live.url}/api/v1/entregas/{new_id}/revision", headers=bearer,
                          json={"decision": "aprobar"}, timeout=60)
        assert r.status_code == 201, r.text[:500]
        t0 = time.perf_counter()
        r = ok(s.get(live.url + "/maestro/descargar", timeout=1800))
        out["maestro_2_s"] = time.perf_counter() - t0
        out["maestro_2_leidos"] = int(r.headers["X-PEA-Leidos"])
        out["maestro_2_cache"] = int(r.headers["X-PEA-Cache"])
        out["maestro_mb"] = len(r.content) / 1e6
    finally:
        live.stop()
    return out


def report(d: dict[str, Any], markdown: bool) -> str:
    rows = [
        ("Tablero, página 1 (50 filas)", f"{d['tablero_s']:.3f} s", "≤ 1 s"),
        ("Tablero filtrado, ordenado, página 3", f"{d['tablero_filtrado_s']:.3f} s", "≤ 1 s"),
        ("API /api/v1/tablero (100 filas)", f"{d['api_tablero_s']:.3f} s", "≤ 1 s"),
        (f"Revisión con diferencias ({d['revision_diff']})", f"{d['revision_s']:.3f} s",
         "≤ 1 s"),
        ("Revisión, primera vez (lee los 2 archivos)", f"{d['revision_fria_s']:.3f} s", "—"),
        (f"Primer «Descargar maestro» ({d['maestro_1_leidos']} leídos)",
         f"{d['maestro_1_s']:.1f} s", "—"),
        (f"Segundo, tras 1 aprobación ({d['maestro_2_leidos']} leído, "
         f"{d['maestro_2_cache']} de la caché)", f"{d['maestro_2_s']:.1f} s", "lee 1"),
    ]
    head = (f"{d['dependencias']} dependencias, {d['versiones']} versiones, "
            f"{d['aprobadas']} aprobadas; maestro de {d['maestro_mb']:.1f} MB")
    if markdown:
        lines = [head, "", "| Medición | Tiempo | Meta |", "|---|---|---|"]
        lines += [f"| {a} | {b} | {c} |" for a, b, c in rows]
        return "\n".join(lines)
    return head + "\n" + "\n".join(f"{a:<62} {b:>9}  {c}" for a, b, c in rows)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=500, help="dependencias (una entrega base cada una)")
    ap.add_argument("--dir", type=Path, default=Path(tempfile.gettempdir()) / "pea_bench")
    ap.add_argument("--repeticiones", type=int, default=5)
    ap.add_argument("--markdown", action="store_true")
    ap.add_argument("--json", type=Path, help="guardar las cifras en este archivo")
    args = ap.parse_args()
    os.environ.pop("DJANGO_SETTINGS_MODULE", None)
    args.dir.mkdir(parents=True, exist_ok=True)
    d = bench(args.n, args.dir, args.repeticiones)
    if args.json:
        args.json.write_text(json.dumps(d, ensure_ascii=False, indent=2, default=str))
    print(report(d, args.markdown))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
