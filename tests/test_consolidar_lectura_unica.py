"""Cada entrega se lee una sola vez por corrida (issue 13): el proceso principal la lee,
calcula su sha256 y, si no está en la caché, manda esos bytes a un proceso de trabajo, que
no vuelve a abrir el archivo ni a calcular su huella."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from pea.consolidate.pool import run_tasks
from tests.test_consolidar import build_folder, read_sheet

#: Corre `consolidar` con un gancho de auditoría que anota cada apertura de un archivo de la
#: carpeta de entregas (los procesos de trabajo, hijos por «fork», heredan el gancho).
SCRIPT = r"""
import os, sys
folder, log = os.path.realpath(sys.argv[1]), sys.argv[2]
def hook(event, args):
    if event == "open" and isinstance(args[0], (str, bytes, os.PathLike)):
        path = os.fsdecode(args[0])
        if os.path.realpath(path).startswith(folder + os.sep):
            with open(log, "a", encoding="utf-8") as fh:
                fh.write(f"{os.getpid()}\t{os.path.basename(path)}\n")
sys.addaudithook(hook)
from pea.cli.app import main
if __name__ == "__main__":  # (un proceso con «spawn» vuelve a importar este script)
    sys.argv = ["pea", "consolidar", folder, "--salida", sys.argv[3], "--formato", "json"]
    main()
"""


def _opens(tmp_path: Path, folder: Path, master: Path, run: int) -> tuple[Counter[str], dict]:
    script = tmp_path / "auditar.py"
    script.write_text(SCRIPT, encoding="utf-8")
    log = tmp_path / f"aperturas{run}.tsv"
    log.touch()
    proc = subprocess.run([sys.executable, str(script), str(folder), str(log), str(master)],
                          capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr
    names = Counter(line.split("\t")[1] for line in log.read_text("utf-8").splitlines())
    return names, json.loads(proc.stdout)


def test_cada_entrega_se_abre_una_vez_con_y_sin_cache(tmp_path: Path) -> None:
    folder = build_folder(tmp_path / "entregas")
    master = tmp_path / "maestro.xlsx"
    first, data = _opens(tmp_path, folder, master, 1)
    assert data["leidos"] == 14 and len(first) >= 14
    assert set(first.values()) == {1}  # antes: 2 (el principal y el proceso de trabajo)
    again, data = _opens(tmp_path, folder, master, 2)
    assert (data["leidos"], data["de_cache"]) == (0, 14)
    assert again == first


def test_un_maestro_en_la_carpeta_se_reconoce_sin_releerlo(tmp_path: Path) -> None:
    folder = build_folder(tmp_path / "entregas")
    master = tmp_path / "maestro.xlsx"
    _opens(tmp_path, folder, master, 1)
    (folder / "maestro_anterior.xlsx").write_bytes(master.read_bytes())
    other = tmp_path / "otro.xlsx"
    opened, _ = _opens(tmp_path, folder, other, 2)
    assert opened["maestro_anterior.xlsx"] == 1
    assert set(opened.values()) == {1}
    _, rows = read_sheet(other, "Entregas")
    assert {r["Archivo"]: r["Estado"] for r in rows}["maestro_anterior.xlsx"] == "Omitido"


def _double(x: int) -> int:
    return 2 * x


def test_los_elementos_se_toman_del_iterador_a_medida_que_hay_procesos() -> None:
    """Con un iterador, `run_tasks` lo consume mientras trabaja (la memoria queda acotada);
    uno vacío también termina."""
    taken: list[int] = []
    results: dict[int, int] = {}

    def source():
        for i in range(40):
            taken.append(i)
            yield i

    run_tasks(_double, source(), workers=2, time_limit=30, expected=40, batch_size=4,
              on_result=results.__setitem__, on_failure=lambda *a: None)
    assert results == {i: 2 * i for i in range(40)} and taken == list(range(40))
    run_tasks(_double, iter(()), workers=2, time_limit=30, expected=0,
              on_result=results.__setitem__, on_failure=lambda *a: None)


def test_el_tope_de_bytes_parte_los_lotes() -> None:
    """Un lote no pasa de `batch_bytes`: con 10 MB por elemento y un tope de 20 MB, el
    principal toma dos, espera sus resultados y toma los dos siguientes."""
    events: list[str] = []

    def source():
        for i in range(6):
            events.append(f"toma {i}")
            yield i

    def order(limit: int) -> list[str]:
        events.clear()
        run_tasks(_double, source(), workers=1, time_limit=30, expected=6, batch_size=16,
                  weigh=lambda _x: 10 << 20, batch_bytes=limit,
                  on_result=lambda i, _v: events.append(f"resultado {i}"),
                  on_failure=lambda *a: None)
        return events[:]

    assert order(20 << 20)[:5] == ["toma 0", "toma 1", "resultado 0", "resultado 1", "toma 2"]
    assert order(1 << 30)[:7] == [f"toma {i}" for i in range(6)] + ["resultado 0"]


def _slowish(x: int) -> int:
    time.sleep(0.2 if x == 0 else 0.6)  # ambos, por debajo del límite de 1.5 s
    return x


def _crash_on_three(x: int) -> int:
    if x == 3:
        os._exit(3)
    time.sleep(0.5 if x == 2 else 0.05)
    return x


def _outcomes(fn: Callable[[Any], Any], items: Any, **kw: Any
              ) -> tuple[dict[int, Any], dict[int, str]]:
    """Los resultados y las fallas (su tipo) de `run_tasks`, por índice."""
    results: dict[int, Any] = {}
    failures: dict[int, str] = {}
    run_tasks(fn, items, on_result=results.__setitem__,
              on_failure=lambda i, kind, _d: failures.__setitem__(i, kind), **kw)
    return results, failures


def test_el_tiempo_que_el_principal_pasa_leyendo_no_cuenta_contra_un_proceso() -> None:
    """Mientras el principal lee del iterador (muchos archivos ya en la caché), los
    resultados de los otros procesos esperan en su tubería: no son un tiempo agotado ni
    una caída del archivo que ya terminó."""
    def source():
        yield 0
        yield 1
        time.sleep(3)  # leer y hashear miles de entregas que están en la caché
        yield 2

    results, failures = _outcomes(_slowish, source(), workers=2, time_limit=1.5, expected=3,
                                  batch_size=1)
    assert failures == {} and results == {0: 0, 1: 1, 2: 2}


def test_una_caida_mientras_el_principal_lee_culpa_al_archivo_que_la_causo() -> None:
    def source():
        yield from range(4)  # 0 y 1 a un proceso; 2 (tarda) y 3 (lo tumba) al otro
        time.sleep(2)
        yield 4

    results, failures = _outcomes(_crash_on_three, source(), workers=2, time_limit=30,
                                  expected=5, batch_size=2)
    assert failures == {3: "caida"} and results == {0: 0, 1: 1, 2: 2, 4: 4}


def _pid_later(_x: int) -> int:
    time.sleep(0.3)
    return os.getpid()


def test_pocos_elementos_de_un_iterador_largo_se_reparten_entre_los_procesos() -> None:
    """`consolidar` espera tantos elementos como entregas (`expected`), pero solo salen los
    que no están en la caché: cuatro archivos nuevos entre mil no van todos a un proceso."""
    pids: dict[int, int] = {}
    run_tasks(_pid_later, iter(range(4)), workers=2, time_limit=30, expected=1000,
              on_result=pids.__setitem__, on_failure=lambda *a: None)
    assert sorted(pids) == [0, 1, 2, 3] and len(set(pids.values())) == 2


def _mark_started(folder: str) -> None:
    Path(folder, str(os.getpid())).touch()


def test_sin_nada_que_validar_no_se_inicia_ningun_proceso(tmp_path: Path, monkeypatch) -> None:
    """Una corrida con todo en la caché no inicia procesos de trabajo: con «spawn»
    (Windows) cada uno cuesta importar PEA y con «fork», mientras viven, el principal
    paga cada página que escribe. `start_early` (corrida sin caché) solo vale con «fork»."""
    import multiprocessing as mp

    from pea.consolidate import pool

    def all_cached():
        yield from ()

    def run(items, **kw) -> None:
        run_tasks(_double, items, workers=2, time_limit=30, expected=14,
                  on_result=lambda *a: None, on_failure=lambda *a: None,
                  initializer=_mark_started, initargs=(str(tmp_path),), **kw)

    run(all_cached())
    assert list(tmp_path.iterdir()) == []
    monkeypatch.setattr(pool, "_context", lambda: mp.get_context("spawn"))
    run(all_cached(), start_early=True)
    assert list(tmp_path.iterdir()) == []
    run(iter([1]))
    assert len(list(tmp_path.iterdir())) >= 1


def test_sin_resultados_guardados_los_procesos_se_inician_antes_de_leer(
        tmp_path: Path, monkeypatch) -> None:
    """`consolidar` pide `start_early` cuando la caché no puede tener nada de esta corrida
    (la primera, o con --sin-cache) y no cuando puede tener todo."""
    from pea.config import load_config
    from pea.consolidate import run as run_module
    from pea.consolidate.run import Options, consolidate

    asked: list[bool] = []
    original = run_module.run_tasks

    def spy(*args, **kwargs):
        asked.append(kwargs["start_early"])
        return original(*args, **kwargs)

    monkeypatch.setattr(run_module, "run_tasks", spy)
    folder = build_folder(tmp_path)
    config = load_config()
    for use_cache in (True, True, False):
        consolidate(Options(folder, tmp_path / "m.xlsx", use_cache=use_cache), config)
    assert asked == [True, False, True]


_LINUX = pytest.mark.skipif(sys.platform != "linux", reason="VmHWM y VmRSS de /proc (Linux)")
_BIG = 150 << 20  # bytes que el principal tiene en memoria (como un lote de archivos leídos)


def _status_mb(field: str) -> float:
    with open("/proc/self/status", encoding="ascii") as fh:
        return next(int(line.split()[1]) for line in fh if line.startswith(field)) / 1024


def _peak_or_hang(x: str) -> float:
    if x == "lento":
        time.sleep(60)
    return _status_mb("VmHWM:")


@_LINUX
def test_los_procesos_no_heredan_los_bytes_que_lee_el_principal() -> None:
    """Con «fork» un proceso es una copia del principal: iniciado después de leer el primer
    archivo, su memoria empezaba con esos bytes (un texto de 45 MB: 288 MB de pico en vez
    de ~200). Con `start_early` se inician antes de tomar nada del iterador."""
    held: list[bytes] = []

    def source():
        held.append(b"x" * _BIG)  # el principal lee (y tiene) 150 MB antes del primero
        yield "mide"

    peaks: dict[int, float] = {}
    before = _status_mb("VmRSS:")  # lo que un proceso copia del principal sin los bytes
    run_tasks(_peak_or_hang, source(), workers=1, time_limit=30, on_result=peaks.__setitem__,
              on_failure=lambda *a: None, start_early=True)
    assert len(held) == 1
    assert peaks[0] < before + 75, f"{peaks[0]:.0f} MB; el principal tenía {before:.0f} MB"


@_LINUX
def test_un_proceso_de_reemplazo_empieza_limpio() -> None:
    """El que reemplaza a un proceso vencido por el límite de tiempo no es una copia del
    principal a media corrida (con los bytes de los lotes en curso y las líneas ya leídas):
    se inicia con «spawn»."""
    held: list[bytes] = []

    def source():
        yield "lento"
        held.append(b"x" * _BIG)
        yield "mide"

    before = _status_mb("VmRSS:")
    peaks, failures = _outcomes(_peak_or_hang, source(), workers=1, time_limit=1.0, expected=2)
    assert failures == {0: "tiempo"}
    assert len(held) == 1
    assert peaks[1] < before + 75, f"{peaks[1]:.0f} MB; el principal tenía {before:.0f} MB"


_PINNED: list[bytes] = []


def _grow_or_measure(x: str, size: int = 2000) -> float:
    if x == "crece":  # como un libro grande: muchos bloques de la biblioteca de C…
        blocks = [b"x" * size for _ in range(100_000)]
        _PINNED.extend(blocks[::50])  # …y unos pocos que siguen vivos entre ellos
        del blocks
        return 0.0
    return _status_mb("VmRSS:")


@_LINUX
def test_la_memoria_de_un_archivo_grande_vuelve_al_sistema_antes_del_siguiente() -> None:
    """Un proceso se quedaba con la memoria de un libro grande (165 MB tras «muchos
    estilos») y el siguiente archivo sumaba la suya encima: tras cada archivo, si el proceso
    creció, se la devuelve al sistema (`malloc_trim`)."""
    from pea.consolidate.memory import _malloc_trim

    if _malloc_trim() is None:
        import pytest

        pytest.skip("sin glibc no hay malloc_trim")
    got: dict[int, float] = {}
    run_tasks(_grow_or_measure, ["mide", "crece", "mide"], workers=1, time_limit=30,
              batch_size=3, on_result=got.__setitem__, on_failure=lambda *a: None)
    assert got[2] < got[0] + 50, got  # 200 MB de bloques ya soltados


def test_el_proceso_suelta_los_bytes_del_archivo_antes_de_las_reglas(monkeypatch) -> None:
    """Los bytes de un archivo se sueltan en cuanto el libro está leído (`ReadTask.take`):
    durante las reglas ya no están en memoria junto con la cuadrícula."""
    import tracemalloc

    import pea.validation as validation
    from pea.config import load_config
    from pea.consolidate import worker
    from pea.consolidate.worker import ReadTask, process_file

    size = 8 << 20
    cell = "a" * 200
    text = "PLAN ESTRATÉGICO ANUAL\n" + "\n".join(
        "\t".join([cell] * 20) for _ in range(size // 4020))
    during_rules: list[int] = []
    original = validation.validated_grid

    def spy(*args, **kwargs):
        during_rules.append(tracemalloc.get_traced_memory()[0])
        return original(*args, **kwargs)

    monkeypatch.setattr(validation, "validated_grid", spy)
    # la configuración de un proceso de trabajo, sin `init_worker`: este es el proceso de
    # las pruebas y el recolector de ciclos debe quedar como está
    monkeypatch.setattr(worker, "_CONFIG", load_config())
    tracemalloc.start()  # antes de los bytes: cuentan mientras estén vivos
    try:
        task = ReadTask("plan.txt", "plan.txt", text.encode("utf-8"), "0" * 64)
        del text
        process_file(task)
    finally:
        tracemalloc.stop()
    # la cuadrícula ocupa ~1.1 veces el archivo; con los bytes aún vivos serían ~2.1
    assert during_rules and during_rules[0] < 1.6 * size, during_rules


def test_los_que_no_se_pueden_leer_cuentan_como_leidos(tmp_path: Path) -> None:
    """Un archivo que el principal no puede leer (aquí, más grande que el límite) queda
    Ilegible y cuenta en «leídos», como antes: leídos + de la caché = todas las entregas."""
    from pea.config import load_config
    from pea.consolidate.run import Options, consolidate
    from pea.demo import demo_plans
    from pea.demo.writer import write_plan_xlsx

    folder = tmp_path / "entregas"
    folder.mkdir()
    small = write_plan_xlsx(demo_plans()[0], folder / "chico.xlsx")
    big = write_plan_xlsx(demo_plans()[1], folder / "grande.xlsx")
    big.write_bytes(big.read_bytes() + b"\0" * 50_000)  # (basura al final: sigue siendo zip)
    config = load_config()
    config.limites.tamano_archivo_mb = (small.stat().st_size + 20_000) / 2**20
    for run in (1, 2):
        c = consolidate(Options(folder, tmp_path / "m.xlsx"), config).consolidation
        estados = {s.archivo: s.estado for s in c.submissions}
        assert estados["grande.xlsx"] == "Ilegible", estados
        assert (c.read_count, c.cached_count) == ((2, 0) if run == 1 else (1, 1))


#: El proceso de las pruebas (heredado por los procesos de trabajo, también con «spawn»).
_PARENT = int(os.environ.setdefault("PEA_PRUEBA_PRINCIPAL", str(os.getpid())))


def _slow_start() -> None:
    if os.getpid() != _PARENT:  # solo en los procesos de trabajo: se traban al iniciar
        time.sleep(60)


def _size(data: bytes) -> int:
    return len(data)


def test_un_proceso_trabado_al_iniciar_no_traba_al_principal(monkeypatch) -> None:
    """Los lotes llevan los bytes de los archivos (MB): se mandan solo a un proceso listo.
    Uno que se traba al iniciar lo detiene el límite de tiempo y, tras tres, el trabajo
    sigue en el principal; antes, el principal esperaba en `send` a que terminara."""
    from pea.consolidate import pool

    monkeypatch.setattr(pool, "SPAWN_STARTUP", 0.5)  # los de reemplazo también se traban
    items = [bytes([i]) * (4 << 20) for i in range(3)]
    got: dict[int, int] = {}
    start = time.monotonic()
    run_tasks(_size, iter(items), workers=1, time_limit=1.0, expected=3,
              initializer=_slow_start, on_result=got.__setitem__,
              on_failure=lambda *a: None)
    assert got == {0: 4 << 20, 1: 4 << 20, 2: 4 << 20}
    assert time.monotonic() - start < 30


#: En un proceso iniciado con «spawn» este módulo se vuelve a importar: vale su propio pid.
_IMPORTED_IN = os.getpid()


def _slow_if_spawned() -> None:
    if _IMPORTED_IN == os.getpid() != _PARENT:  # como importar PEA en una PC lenta
        time.sleep(2.5)


def _pid_or_hang(x: str) -> int:
    if x == "lento":
        time.sleep(60)
    return os.getpid()


def _after_a_timeout(initializer: Callable[[], None]) -> int:
    """El primer elemento vence el límite de tiempo; el pid de quien validó el segundo."""
    got, failures = _outcomes(_pid_or_hang, iter(["lento", "mide"]), workers=1, time_limit=1.0,
                              expected=2, initializer=initializer)
    assert failures == {0: "tiempo"}
    return got[1]


def test_arrancar_un_proceso_de_reemplazo_no_cuenta_como_tiempo_del_archivo() -> None:
    """El de reemplazo se inicia con «spawn» (importa PEA): si tarda más que el límite por
    archivo en arrancar, no es un «tardó más de…» del archivo que le toca."""
    assert _after_a_timeout(_slow_if_spawned) != os.getpid()  # el de reemplazo, no el principal


def _dies_if_spawned() -> None:
    if _IMPORTED_IN == os.getpid() != _PARENT:  # como un servidor donde «spawn» no arranca
        os._exit(5)


def test_si_spawn_no_puede_iniciar_los_reemplazos_usan_fork() -> None:
    """Un proceso de reemplazo con «spawn» que muere al iniciar no deja la corrida sin
    procesos (y sin límite de tiempo, en el principal): el siguiente se inicia con «fork»."""
    assert _after_a_timeout(_dies_if_spawned) != os.getpid()  # un proceso aparte
