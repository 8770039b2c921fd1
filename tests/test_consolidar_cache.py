"""Caché incremental del consolidador y procesos con límite de tiempo por archivo."""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path
from typing import Any

from pea.config import load_config
from pea.consolidate.cache import cache_path
from pea.consolidate.pool import CRASH, ERROR, TIMEOUT, run_tasks
from pea.consolidate.run import Options, consolidate
from pea.demo.mutate import apply_changes
from tests.test_consolidar import build_folder, pea, read_sheet


def _run(folder: Path, master: Path, *extra: str) -> dict[str, Any]:
    proc = pea("consolidar", str(folder), "--salida", str(master), "--formato", "json", *extra)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_segunda_corrida_solo_lee_lo_que_cambio(tmp_path: Path) -> None:
    folder = build_folder(tmp_path / "entregas")
    master = tmp_path / "maestro.xlsx"
    first = _run(folder, master)
    assert (first["leidos"], first["de_cache"]) == (14, 0)
    assert cache_path(master).is_file()
    second = _run(folder, master)
    assert (second["leidos"], second["de_cache"]) == (0, 14)
    changed = folder / "07_contraloria_municipal.xlsx"
    apply_changes(changed, {"celdas": {"M10": 0.4, "N10": 0.3, "O10": 0.2, "P10": 0}})
    third = _run(folder, master)
    assert (third["leidos"], third["de_cache"]) == (1, 13)
    _, rows = read_sheet(master, "Entregas")
    estado = {r["Archivo"]: r["Estado"] for r in rows}
    assert estado["07_contraloria_municipal.xlsx"] == "Rechazado"
    # renombrar no cambia el contenido: sigue en la caché, con su nombre nuevo
    shutil.move(changed, folder / "07_contraloria_corregir.xlsx")
    fourth = _run(folder, master)
    assert fourth["leidos"] == 0
    _, rows = read_sheet(master, "Entregas")
    assert {r["Archivo"] for r in rows} >= {"07_contraloria_corregir.xlsx"}
    _, obs = read_sheet(master, "Observaciones")
    assert any(r["Archivo"] == "07_contraloria_corregir.xlsx" for r in obs)


def test_cambiar_reglas_invalida_la_cache(tmp_path: Path) -> None:
    folder = build_folder(tmp_path / "entregas")
    master = tmp_path / "maestro.xlsx"
    config = load_config()
    assert consolidate(Options(folder, master), config).consolidation.read_count == 14
    assert consolidate(Options(folder, master), config).consolidation.read_count == 0
    config.severidades["PEA-T02"] = "desactivada"
    assert consolidate(Options(folder, master), config).consolidation.read_count == 14


def test_una_regla_nueva_invalida_la_cache(tmp_path: Path) -> None:
    """Otra versión del código (aquí, una regla agregada) con el mismo `__version__` no
    reutiliza los veredictos del código anterior: la regla nueva aparece sin `--sin-cache`."""
    import subprocess
    import sys

    import pea as pkg

    code = tmp_path / "codigo"
    shutil.copytree(Path(pkg.__file__).parent, code / "pea",
                    ignore=shutil.ignore_patterns("__pycache__"))
    folder = build_folder(tmp_path / "entregas")
    master = tmp_path / "maestro.xlsx"

    def run() -> dict[str, Any]:
        env = {**os.environ, "PYTHONPATH": str(code)}
        proc = subprocess.run([sys.executable, "-m", "pea", "consolidar", str(folder),
                               "--salida", str(master), "--formato", "json"], env=env,
                              capture_output=True, text=True, timeout=300, check=False)
        assert proc.returncode == 0, proc.stderr
        return json.loads(proc.stdout)

    assert run()["leidos"] == 14
    with (code / "pea" / "rules" / "text.py").open("a", encoding="utf-8") as f:
        f.write('\n\n@rule("PEA-T99", "info", "Prueba", "Celda {celda}: prueba.")\n'
                "def t99(ctx: Context) -> Iterator[At]:\n"
                "    for _name, cell in ctx.text_cells[:1]:\n"
                "        yield At.of(cell, celda=cell.address)\n")
    assert run()["leidos"] == 14
    _, obs = read_sheet(master, "Observaciones")
    assert any(r["Regla"] == "PEA-T99" for r in obs)


def test_cache_danada_se_reconstruye(tmp_path: Path) -> None:
    folder = build_folder(tmp_path / "entregas")
    master = tmp_path / "maestro.xlsx"
    _run(folder, master)
    cache_path(master).write_bytes(b"esto no es sqlite" * 100)
    data = _run(folder, master)
    assert data["leidos"] == 14
    assert any("caché" in a for a in data["avisos"])
    assert _run(folder, master)["leidos"] == 0


def test_sin_cache_lee_todo(tmp_path: Path) -> None:
    folder = build_folder(tmp_path / "entregas")
    master = tmp_path / "maestro.xlsx"
    _run(folder, master)
    assert _run(folder, master, "--sin-cache")["leidos"] == 14


# --- procesos de trabajo ---------------------------------------------------------------

def _task(item: str) -> str:
    if item == "lento":
        time.sleep(60)
    if item == "cae":
        os._exit(3)
    if item == "falla":
        raise ValueError("dato raro")
    return item.upper()


def _collect(items: list[str], limit: float, workers: int = 2) -> tuple[dict[int, Any], dict[int, str]]:
    ok: dict[int, Any] = {}
    bad: dict[int, str] = {}
    run_tasks(_task, items, workers=workers, time_limit=limit, batch_size=2,
              on_result=ok.__setitem__, on_failure=lambda i, kind, _d: bad.__setitem__(i, kind))
    return ok, bad


def test_limite_de_tiempo_por_archivo_y_la_corrida_sigue() -> None:
    items = ["a", "lento", "b", "c", "d"]
    ok, bad = _collect(items, limit=1.0)
    assert bad == {1: TIMEOUT}
    assert ok == {0: "A", 2: "B", 3: "C", 4: "D"}


def test_proceso_caido_y_excepcion() -> None:
    ok, bad = _collect(["a", "cae", "b", "falla", "c"], limit=30.0, workers=1)
    assert bad == {1: CRASH, 3: ERROR}
    assert ok == {0: "A", 2: "B", 4: "C"}


def test_archivo_que_excede_el_limite_queda_ilegible(tmp_path: Path, monkeypatch: Any) -> None:
    """Con un límite de tiempo mínimo, cada archivo queda «Ilegible» con el motivo en español."""
    folder = build_folder(tmp_path / "entregas")
    config = load_config()
    config.limites.segundos_por_archivo = 0
    result = consolidate(Options(folder, tmp_path / "m.xlsx", workers=1), config)
    read = [s for s in result.consolidation.submissions if s.outcome is not None]
    slow = [s for s in read if "tardó más de" in s.estado_detalle]
    assert slow and all(s.estado == "Ilegible" for s in slow)
    # lo que se agotó no se guarda en la caché: la siguiente corrida lo intenta de nuevo
    config.limites.segundos_por_archivo = 30
    again = consolidate(Options(folder, tmp_path / "m.xlsx"), config).consolidation
    assert again.read_count >= len(slow)
    assert not any("tardó más de" in s.estado_detalle for s in again.submissions)


def test_si_muere_el_principal_los_procesos_de_trabajo_terminan(tmp_path: Path) -> None:
    """SIGKILL al proceso principal: sus procesos de lectura no quedan huérfanos."""
    import signal
    import subprocess
    import sys

    script = tmp_path / "principal.py"
    script.write_text(
        "import sys, time\n"
        "from pea.consolidate.pool import run_tasks\n"
        "def lento(x):\n    time.sleep(60)\n    return x\n"
        "if __name__ == '__main__':\n"
        "    run_tasks(lento, list(range(6)), workers=2, time_limit=120,\n"
        "              on_result=lambda *a: None, on_failure=lambda *a: None)\n",
        encoding="utf-8")
    proc = subprocess.Popen([sys.executable, str(script)])
    children: list[str] = []
    for _ in range(100):  # espera a que existan los dos procesos de trabajo
        try:
            children = Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split()
        except OSError:
            children = []
        if len(children) == 2:
            break
        time.sleep(0.1)
    assert len(children) == 2
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()

    def alive(pid: str) -> bool:
        try:
            return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
        except OSError:
            return False

    for _ in range(100):
        if not any(alive(p) for p in children):
            break
        time.sleep(0.1)
    assert not any(alive(p) for p in children)


#: El proceso de las pruebas (heredado por los procesos de trabajo, también con «spawn»).
_MAIN_PID = int(os.environ.setdefault("PEA_PRUEBA_PRINCIPAL", str(os.getpid())))


def _init_roto() -> None:
    if os.getpid() != _MAIN_PID:
        os._exit(5)  # el proceso de trabajo no puede iniciar (entorno roto)


def test_si_los_procesos_no_inician_se_lee_en_el_principal() -> None:
    ok: dict[int, Any] = {}
    bad: dict[int, str] = {}
    run_tasks(_task, ["a", "b", "c"], workers=2, time_limit=30, initializer=_init_roto,
              on_result=ok.__setitem__, on_failure=lambda i, kind, _d: bad.__setitem__(i, kind))
    assert ok == {0: "A", 1: "B", 2: "C"} and not bad


def test_leer_libros_no_deja_basura_con_ciclos(tmp_path: Path, monkeypatch: Any) -> None:
    """El recolector corre cada 50,000 objetos (`gctune`): eso solo es seguro si leer un
    libro, sano o dañado, no deja ciclos que esperen al recolector con los datos del libro."""
    import gc

    from pea.consolidate import worker
    from pea.reading.errors import UnreadableFile
    from tests.hostile import corpus

    config = load_config()
    monkeypatch.setattr(worker, "_CONFIG", config)
    tasks = []
    for case in corpus.cases(tmp_path / "secreto.txt"):
        path = tmp_path / case.filename
        path.write_bytes(case.make())
        try:
            tasks.append(worker.read_task(path, path.name, config)[0])
        except UnreadableFile:  # (demasiado grande, etc.: no llega a un proceso de trabajo)
            continue
    def fresh(t: worker.ReadTask) -> worker.ReadTask:  # `process_file` toma los bytes
        return worker.ReadTask(t.name, t.archivo, t.data, t.sha256)

    # primera pasada: lo que se inicializa una sola vez por proceso
    first = [worker.process_file(fresh(task)).outcome.report for task in tasks]
    gc.collect()
    gc.disable()  # solo cuenta lo que deja cada archivo
    try:
        left = {}
        second = []
        for task in tasks:
            second.append(worker.process_file(fresh(task)).outcome.report)
            left[task.name] = gc.collect()
    finally:
        gc.enable()
    assert len(tasks) > 40 and not any(left.values()), left
    assert second == first  # la misma lectura las dos veces (no bytes ya tomados)


def test_la_cache_devuelve_cada_valor_con_su_tipo() -> None:
    """Un entero vuelve entero y un decimal, decimal (el maestro escribe «5», no «5.0»);
    un valor que ninguna salida acepta (verdadero/falso, lista) no pasa."""
    import zlib

    import pytest

    from pea.consolidate.cache import decode, encode
    from pea.consolidate.outcome import MasterLine, Outcome
    from pea.models import FileReport

    values = ("texto", 5, 5.0, None, -3, 0.25, 10**15) + (None,) * 13
    outcome = Outcome(report=FileReport.build("", None, []),
                      lines=[MasterLine(7, "principal", values, "1", "1.1.1", "")])
    [line] = decode(encode(outcome)).lines
    assert [(type(v), v) for v in line.values] == [(type(v), v) for v in values]
    text = zlib.decompress(encode(outcome))
    for bad in (b"true", b"[1]", b'{"a": 1}'):
        with pytest.raises(ValueError):
            decode(zlib.compress(text.replace(b'"texto"', bad)))
