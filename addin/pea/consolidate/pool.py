"""Procesos de trabajo con límite de tiempo por archivo.

`concurrent.futures.ProcessPoolExecutor` no puede detener una tarea que se quedó
trabada (un libro patológico dentro de código C, por ejemplo), así que cada proceso
tiene aquí su propia tubería: el proceso principal sabe qué archivo está procesando cada
uno y desde cuándo; si pasa del límite, termina ese proceso (solo ese), marca el archivo
y reparte el resto de su lote a un proceso nuevo. Los archivos viajan en lotes para no
pagar la comunicación por cada uno.
"""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import os
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from typing import Any

#: Cómo terminó una tarea que no devolvió resultado.
TIMEOUT, CRASH, ERROR = "tiempo", "caida", "error"
#: Procesos muertos sin devolver nada tras los cuales se deja de usar procesos aparte.
MAX_STILLBORN = 3


def _context() -> Any:
    methods = mp.get_all_start_methods()
    return mp.get_context("fork" if "fork" in methods else "spawn")


def _watch_parent(parent: int) -> None:
    """Hilo vigía: si el proceso principal desaparece, este proceso termina de inmediato
    (aunque esté a media lectura de un archivo que no acaba)."""
    import threading

    def watch() -> None:
        while True:
            time.sleep(0.5)
            if os.getppid() != parent:
                os._exit(0)

    threading.Thread(target=watch, name="vigia-pea", daemon=True).start()


def _worker_main(conn: Connection, inherited: list[Connection], fn: Callable[[Any], Any],
                 initializer: Callable[..., None] | None, initargs: tuple[Any, ...]) -> None:
    # Con «fork» el hijo hereda los extremos del proceso principal: se cierran para que,
    # si el principal muere (incluso con SIGKILL), la tubería dé EOF y este proceso termine.
    for other in inherited:
        other.close()
    _watch_parent(os.getppid())
    if initializer is not None:
        initializer(*initargs)
    try:
        conn.send(("ready", None, None))
    except OSError:
        return
    while True:
        try:
            batch = conn.recv()
        except (EOFError, OSError):
            return
        if batch is None:
            return
        try:
            for index, item in batch:
                try:
                    result = ("ok", index, fn(item))
                except Exception as exc:
                    result = ("error", index, f"{type(exc).__name__}: {exc}")
                conn.send(result)
            conn.send(("idle", None, None))
        except OSError:  # el proceso principal ya cerró la tubería
            return


@dataclass
class _Worker:
    proc: Any
    conn: Connection
    queue: deque[int] = field(default_factory=deque)  # índices del lote en curso
    since: float = 0.0  # cuándo empezó el archivo actual
    ready: bool = False  # ya se inicializó (a partir de aquí, una caída es culpa del archivo)


def default_workers() -> int:
    """Núcleos disponibles para este proceso."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # Windows, macOS
        return max(1, os.cpu_count() or 1)


def run_tasks(fn: Callable[[Any], Any], items: list[Any], *, workers: int,
              time_limit: float, on_result: Callable[[int, Any], None],
              on_failure: Callable[[int, str, str], None],
              initializer: Callable[..., None] | None = None,
              initargs: tuple[Any, ...] = (), batch_size: int | None = None) -> None:
    """Aplica `fn` a cada elemento en procesos aparte.

    `on_result(i, valor)` recibe cada resultado en cuanto llega; `on_failure(i, tipo,
    detalle)` cada tarea sin resultado (tipo TIMEOUT, CRASH o ERROR). Ambos se llaman en
    el proceso principal.
    """
    if not items:
        return
    workers = max(1, min(workers, len(items)))
    size = batch_size or max(1, min(16, len(items) // (workers * 4) or 1))
    pending: deque[list[int]] = deque(
        list(range(i, min(i + size, len(items)))) for i in range(0, len(items), size))
    ctx = _context()
    active: list[_Worker] = []

    forked = ctx.get_start_method() == "fork"

    def start() -> _Worker:
        parent, child = ctx.Pipe(duplex=True)
        inherited = [parent, *(w.conn for w in active)] if forked else []
        proc = ctx.Process(target=_worker_main,
                           args=(child, inherited, fn, initializer, initargs), daemon=True)
        proc.start()
        child.close()
        return _Worker(proc, parent)

    def give(w: _Worker) -> bool:
        if not pending:
            return False
        batch = pending.popleft()
        w.queue = deque(batch)
        w.since = time.monotonic()
        # si el proceso ya murió (p. ej. al iniciar), el lote queda en su cola y el ciclo
        # principal lo detecta y lo reasigna (replace)
        with contextlib.suppress(BrokenPipeError, ConnectionResetError, OSError):
            w.conn.send([(i, items[i]) for i in batch])
        return True

    def retire(w: _Worker, kill: bool) -> None:
        if kill:
            w.proc.kill()
        else:
            with contextlib.suppress(OSError, BrokenPipeError):
                w.conn.send(None)
        w.proc.join(timeout=5)
        w.conn.close()
        active.remove(w)

    stillborn = [0]  # procesos que murieron al iniciar (entorno roto, no un archivo)

    def replace(w: _Worker, kind: str, detail: str) -> None:
        batch = list(w.queue)
        w.queue.clear()
        retire(w, kill=True)
        if not w.ready:  # murió antes de empezar: ningún archivo tiene la culpa
            stillborn[0] += 1
            pending.appendleft(batch)
        else:
            if batch[1:]:
                pending.appendleft(batch[1:])
            on_failure(batch[0], kind, detail)
        if pending and stillborn[0] < MAX_STILLBORN:
            nw = start()
            active.append(nw)
            give(nw)

    try:
        for _ in range(min(workers, len(pending))):
            w = start()
            active.append(w)
            give(w)
        while active:
            by_conn = {w.conn: w for w in active}
            for conn in wait(list(by_conn), timeout=0.25):
                w = by_conn[conn]  # type: ignore[index]
                if w not in active:
                    continue
                try:
                    kind, index, value = conn.recv()  # type: ignore[union-attr]
                except (EOFError, OSError):
                    if w.queue:
                        replace(w, CRASH, "el proceso de lectura terminó de forma inesperada")
                    else:
                        retire(w, kill=True)
                    continue
                if kind == "ready":
                    w.ready = True
                    w.since = time.monotonic()
                    continue
                if kind == "idle":
                    if not give(w):
                        retire(w, kill=False)
                    continue
                if w.queue and w.queue[0] == index:
                    w.queue.popleft()
                w.since = time.monotonic()
                if kind == "ok":
                    on_result(index, value)
                else:
                    on_failure(index, ERROR, value)
            now = time.monotonic()
            for w in list(active):
                if w.queue and now - w.since > time_limit:
                    replace(w, TIMEOUT, f"{time_limit:g}")
                elif w.queue and not w.proc.is_alive():
                    replace(w, CRASH, "el proceso de lectura terminó de forma inesperada")
    finally:
        for w in list(active):
            retire(w, kill=True)
    if pending:  # los procesos no pudieron iniciar: se sigue en este proceso, sin límite
        _run_inline(fn, items, pending, on_result, on_failure, initializer, initargs)


def _run_inline(fn: Callable[[Any], Any], items: list[Any], pending: deque[list[int]],
                on_result: Callable[[int, Any], None],
                on_failure: Callable[[int, str, str], None],
                initializer: Callable[..., None] | None, initargs: tuple[Any, ...]) -> None:
    if initializer is not None:
        initializer(*initargs)
    for batch in pending:
        for i in batch:
            try:
                value = fn(items[i])
            except Exception as exc:
                on_failure(i, ERROR, f"{type(exc).__name__}: {exc}")
            else:
                on_result(i, value)
