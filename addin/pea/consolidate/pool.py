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
from collections.abc import Callable, Iterable, Iterator, Sized
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from typing import Any

from pea.consolidate.memory import Watermark

#: Cómo terminó una tarea que no devolvió resultado.
TIMEOUT, CRASH, ERROR = "tiempo", "caida", "error"
#: Procesos muertos sin devolver nada tras los cuales se deja de usar procesos aparte.
MAX_STILLBORN = 3
#: Segundos que un proceso iniciado con «spawn» tiene para importar PEA e inicializarse,
#: además del límite por archivo: arrancar no es leer el archivo (en una PC lenta con
#: Windows, o con la máquina ocupada, importar tarda varios segundos). Con «fork» el
#: proceso es una copia y arranca al instante.
SPAWN_STARTUP = 20.0
#: Bytes (según `weigh`) que un lote no pasa: acota la memoria con archivos grandes.
BATCH_BYTES = 8 * 1024 * 1024


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
    memory = Watermark()
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
            batch.reverse()
            while batch:
                # cada elemento (con los bytes de su archivo) se suelta en cuanto da su
                # resultado, y la memoria que dejó vuelve al sistema antes del siguiente
                index, item = batch.pop()
                try:
                    result = ("ok", index, fn(item))
                except Exception as exc:
                    result = ("error", index, f"{type(exc).__name__}: {exc}")
                del item
                conn.send(result)
                del result
                memory.settle()
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
    spawned: bool = False  # se inició con «spawn» (importa PEA al iniciar)


def default_workers() -> int:
    """Núcleos disponibles para este proceso."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # Windows, macOS
        return max(1, os.cpu_count() or 1)


def run_tasks(fn: Callable[[Any], Any], items: Iterable[Any], *, workers: int,
              time_limit: float, on_result: Callable[[int, Any], None],
              on_failure: Callable[[int, str, str], None],
              initializer: Callable[..., None] | None = None,
              initargs: tuple[Any, ...] = (), batch_size: int | None = None,
              expected: int | None = None, weigh: Callable[[Any], int] | None = None,
              batch_bytes: int = BATCH_BYTES, start_early: bool = False) -> None:
    """Aplica `fn` a cada elemento en procesos aparte.

    `items` puede ser una lista o un iterador: se consume a medida que hay un proceso
    libre (quien lo produce, por ejemplo leyendo archivos, trabaja mientras los procesos
    validan) y cada elemento se suelta en cuanto da su resultado. Los elementos se numeran
    en el orden en que salen. Con un iterador, `expected` (cuántos habrá, más o menos)
    decide el tamaño de los lotes; `weigh` da el peso en bytes de un elemento, y un lote
    no pasa de `batch_bytes` (la memoria queda acotada aunque los archivos pesen).

    Los procesos se inician cuando sale el primer elemento; con `start_early` (y «fork»),
    antes de tomar nada de `items`, para cuando casi todo va a salir (ver abajo).

    `on_result(i, valor)` recibe cada resultado en cuanto llega; `on_failure(i, tipo,
    detalle)` cada tarea sin resultado (tipo TIMEOUT, CRASH o ERROR). Ambos se llaman en
    el proceso principal.
    """
    if isinstance(items, Sized) and not items:
        return
    if expected is None:
        expected = len(items) if isinstance(items, Sized) else 16 * workers
    expected = max(1, expected)
    workers = max(1, min(workers, expected))
    size = batch_size or max(1, min(16, expected // (workers * 4) or 1))
    # con un iterador no se sabe cuántos elementos saldrán (en `consolidar`, solo los que no
    # están en la caché): los primeros lotes son pequeños (1, 2, 4…) para que pocos
    # elementos también se repartan entre todos los procesos
    ramp = batch_size is None and not isinstance(items, Sized)
    batches = _Batches(iter(items), size, weigh, batch_bytes, ramp)
    ctx = _context()
    active: list[_Worker] = []

    forked = ctx.get_start_method() == "fork"

    def start(clean: bool = False) -> _Worker:
        # Con «fork» el proceso nuevo es una copia del principal (los primeros, antes de
        # leer nada si se pide: `start_early`, abajo). Uno que reemplaza a otro a media
        # corrida (tiempo agotado, caída) copiaría lo que el principal tiene entonces (los
        # bytes de los lotes en curso, las líneas ya leídas): ese se inicia limpio, con
        # «spawn» (importar PEA, ~0.4 s, solo tras una falla).
        c = mp.get_context("spawn") if clean and forked and not spawn_failed else ctx
        parent, child = c.Pipe(duplex=True)
        inherited = [parent, *(w.conn for w in active)] if c is ctx and forked else []
        proc = c.Process(target=_worker_main,
                         args=(child, inherited, fn, initializer, initargs), daemon=True)
        proc.start()
        child.close()
        return _Worker(proc, parent, spawned=c.get_start_method() != "fork")

    def give(w: _Worker, batch: list[int]) -> None:
        w.queue = deque(batch)
        w.since = time.monotonic()
        if w.ready:  # si no, se manda cuando avise que está listo
            send(w)

    def send(w: _Worker) -> None:
        # Un lote lleva los bytes de los archivos (varios MB): se manda solo a un proceso que
        # ya se inició y espera, así `send` no se queda esperando a uno trabado al iniciar
        # (a ese lo detiene el límite de tiempo). Si el proceso ya murió, el lote queda en
        # su cola y el ciclo principal lo detecta y lo reasigna (replace).
        with contextlib.suppress(BrokenPipeError, ConnectionResetError, OSError):
            w.conn.send([(i, batches.items[i]) for i in w.queue])

    def retire(w: _Worker, kill: bool) -> None:
        if kill:
            w.proc.kill()
        else:
            with contextlib.suppress(OSError, BrokenPipeError):
                w.conn.send(None)
        w.proc.join(timeout=5)
        w.conn.close()
        active.remove(w)

    stillborn = 0  # procesos que murieron al iniciar (entorno roto, no un archivo)
    # un proceso con «spawn» que no pudo iniciar (p. ej. en un servidor donde
    # `sys.executable` no es Python): los siguientes reemplazos, con «fork»
    spawn_failed = False

    def replace(w: _Worker, kind: str, detail: str) -> None:
        nonlocal stillborn, spawn_failed
        batch = list(w.queue)
        w.queue.clear()
        retire(w, kill=True)
        if not w.ready:  # murió antes de empezar: ningún archivo tiene la culpa
            stillborn += 1
            spawn_failed = spawn_failed or (w.spawned and forked)
            batches.retry.appendleft(batch)
        else:
            if batch[1:]:
                batches.retry.appendleft(batch[1:])
            batches.done(batch[0])
            on_failure(batch[0], kind, detail)
        if stillborn < MAX_STILLBORN and (nxt := batches.next()) is not None:
            nw = start(clean=True)
            active.append(nw)
            give(nw, nxt)

    # Con «fork» un proceso es una copia del principal: iniciado al salir el primer lote,
    # hereda lo que el principal tiene en ese momento (en `consolidar`, el grupo de
    # archivos que acaba de leer para buscarlos en la caché: con un texto de 45 MB, el
    # proceso que lo validaba llegaba a 288 MB en vez de ~245). Con `start_early` se
    # inician antes de leer nada; no es lo normal porque, mientras viven, cada página que el
    # principal escribe se copia (una corrida con todo en la caché tardaba 4 % más).
    # Sin nada que hacer no se inicia ninguno: con «spawn» cada uno cuesta importar PEA.
    early = start_early and forked
    first: list[int] | None = None
    try:
        if not early:
            first = batches.next()
            if first is None:
                return
        for _ in range(workers):
            active.append(start())
        if early:
            first = batches.next()
        for w in list(active):
            batch = first if first is not None else batches.next()
            first = None
            if batch is None:
                retire(w, kill=False)
            else:
                give(w, batch)
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
                    if w.queue:
                        send(w)
                    continue
                if kind == "idle":
                    nxt = batches.next()
                    if nxt is None:
                        retire(w, kill=False)
                    else:
                        give(w, nxt)
                    continue
                if w.queue and w.queue[0] == index:
                    w.queue.popleft()
                w.since = time.monotonic()
                batches.done(index)
                if kind == "ok":
                    on_result(index, value)
                else:
                    on_failure(index, ERROR, value)
            now = time.monotonic()
            for w in list(active):
                if w.queue and _pending(w.conn):
                    # hay mensajes sin leer (el principal estuvo ocupado, p. ej. leyendo del
                    # iterador): se leen antes de juzgar el tiempo o una caída
                    continue
                allowed = time_limit + (SPAWN_STARTUP if w.spawned and not w.ready else 0)
                if w.queue and now - w.since > allowed:
                    replace(w, TIMEOUT, f"{time_limit:g}")
                elif w.queue and not w.proc.is_alive():
                    replace(w, CRASH, "el proceso de lectura terminó de forma inesperada")
    finally:
        for w in list(active):
            retire(w, kill=True)
    if (rest := batches.next()) is not None:
        # los procesos no pudieron iniciar: se sigue en este proceso, sin límite
        _run_inline(fn, batches, rest, on_result, on_failure, initializer, initargs)


def _pending(conn: Connection) -> bool:
    try:
        return conn.poll()
    except (EOFError, OSError):
        return False


class _Batches:
    """Los lotes por repartir: primero los que hay que repetir (de un proceso que murió),
    luego los nuevos, tomados de `source` al momento. Cada elemento vive en `items` hasta
    que da su resultado."""

    def __init__(self, source: Iterator[Any], size: int,
                 weigh: Callable[[Any], int] | None, max_bytes: int,
                 ramp: bool = False) -> None:
        self.source = source
        self.size = size
        self._ramp = 1 if ramp else size
        self.weigh = weigh
        self.max_bytes = max_bytes
        self.items: dict[int, Any] = {}
        self.retry: deque[list[int]] = deque()
        self._count = 0
        self._exhausted = False

    def next(self) -> list[int] | None:
        if self.retry:
            return self.retry.popleft()
        if self._exhausted:
            return None
        batch: list[int] = []
        weight = 0
        for item in self.source:
            self.items[self._count] = item
            batch.append(self._count)
            self._count += 1
            if self.weigh is not None:
                weight += self.weigh(item)
            if len(batch) >= min(self.size, self._ramp) or weight >= self.max_bytes:
                break
        else:
            self._exhausted = True
        self._ramp *= 2
        return batch or None

    def done(self, index: int) -> None:
        self.items.pop(index, None)


def _run_inline(fn: Callable[[Any], Any], batches: _Batches, first: list[int],
                on_result: Callable[[int, Any], None],
                on_failure: Callable[[int, str, str], None],
                initializer: Callable[..., None] | None, initargs: tuple[Any, ...]) -> None:
    if initializer is not None:
        initializer(*initargs)
    batch: list[int] | None = first
    while batch is not None:
        for i in batch:
            item = batches.items[i]
            batches.done(i)
            try:
                value = fn(item)
            except Exception as exc:
                on_failure(i, ERROR, f"{type(exc).__name__}: {exc}")
            else:
                on_result(i, value)
        batch = batches.next()
