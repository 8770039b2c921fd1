"""Cada archivo subido se procesa en un proceso de trabajo aparte, con límites.

- **Tiempo**: si un archivo pasa de `limites.segundos_por_archivo` (más un margen para la
  copia anotada), se termina ese proceso (solo ese) y el archivo queda como ilegible
  (PEA-E00), igual que en `pea consolidar`.
- **Memoria**: cada proceso tiene un tope de memoria virtual (`RLIMIT_AS`); al pasarlo,
  el lector recibe `MemoryError` y el archivo queda como ilegible (nunca cae el servidor).
- **Cuántos**: a lo más `workers` archivos a la vez; los demás esperan su turno (acotado:
  tras `wait` segundos se responde «ocupado», 503).

Los procesos salen de un «forkserver» que ya cargó PEA (arranque de milisegundos y sin
heredar los hilos del servidor) y se reutilizan hasta `max_tasks` archivos. Cada trabajo
tiene su propia carpeta temporal, que el proceso principal borra siempre (aunque el
proceso de trabajo haya muerto a medias): nada de lo subido queda en disco.
"""

from __future__ import annotations

import contextlib
import dataclasses
import multiprocessing as mp
import os
import shutil
import threading
import time
import uuid
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

#: Tiempo extra para escribir la copia anotada, además del límite de lectura.
ANNOTATE_MARGIN = 1.5


@dataclass
class Job:
    """Un archivo por procesar. `suffix` lo decide el contenido (`kind_of`)."""

    data: bytes
    archivo: str  # nombre para el reporte (nunca una ruta)
    suffix: str
    annotate: bool = False
    texts: bool = True  # texto de las celdas con hallazgo (páginas y entregas; no /validar)


@dataclass
class Outcome:
    """Lo que devuelve el proceso de trabajo (tipos simples)."""

    report: dict[str, Any]
    dependencia: str | None = None
    cell_texts: dict[str, str] = field(default_factory=dict)
    annotated: bytes | None = None
    failure: str | None = None  # «tiempo», «caida»: el proceso no terminó bien


class Busy(Exception):
    """Todos los procesos de trabajo están ocupados desde hace demasiado."""


def kind_of(data: bytes, name: str) -> str:
    """Extensión con la que se lee el archivo, decidida por su contenido.

    Un zip es un libro (.xlsm si trae proyecto VBA, si no .xlsx); un texto con nombre
    .txt/.tsv es la exportación de texto; lo demás se lee como libro, y el lector explica
    qué es en realidad (PDF, .xls, HTML…) con su mensaje de siempre.
    """
    from pea.reading.sniff import sniff

    lower = name.lower()
    if sniff(data[:8]) == "zip":
        import io
        import zipfile

        try:
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                names = {n.lower() for n in z.namelist()[:10_000]}
        except (zipfile.BadZipFile, OSError, ValueError):
            return ".xlsx"
        return ".xlsm" if "xl/vbaproject.bin" in names else ".xlsx"
    if lower.endswith((".txt", ".tsv")):
        return ".txt"
    if lower.endswith((".csv", ".pdf")):
        return lower[lower.rindex("."):]
    return ".xlsx"


# --------------------------------------------------------------------------- proceso hijo

_CONFIG: Any = None


def _limit_memory(megabytes: int) -> None:
    if megabytes <= 0:
        return
    try:
        import resource
    except ImportError:  # Windows: sin tope por proceso (ver docs/ventanilla.md)
        return
    limit = megabytes * 1024 * 1024
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _cell_texts(plan: Any, wanted: set[str] | None = None) -> dict[str, str]:
    """Dirección → texto de cada celda leída del plan (de las de `wanted`, si se da), para
    mostrarlo junto al hallazgo."""
    from pea.models import Cell

    out: dict[str, str] = {}

    def walk(obj: Any) -> None:
        if isinstance(obj, Cell):
            addr = obj.address
            if addr and (wanted is None or addr in wanted) and not obj.is_blank:
                out[addr] = obj.text[:300]
        elif isinstance(obj, dict):
            for v in obj.values():
                walk(v)
        elif isinstance(obj, list | tuple):
            for v in obj:
                walk(v)
        elif dataclasses.is_dataclass(obj):  # Plan, Block, MetaLine… (datos simples)
            for f in dataclasses.fields(obj):
                walk(getattr(obj, f.name, None))

    walk(plan)
    return out


def process(job: Job, workdir: Path) -> Outcome:
    """Valida (y anota) un archivo; corre dentro del proceso de trabajo."""
    from pea.config import load_config
    from pea.validation import validate_bytes

    global _CONFIG
    if _CONFIG is None:
        _CONFIG = load_config(os.environ.get("PEA_REGLAS") or None)
    config = _CONFIG
    from pea.reading.sniff import lock_file_message

    lock = lock_file_message(job.archivo)
    if lock and not job.data.startswith(b"PK"):  # como `read_input` de pea validar
        from pea.validation import unreadable_report

        return Outcome(report=unreadable_report(job.archivo, lock, config).model_dump(
            mode="json"))
    plan, report = validate_bytes(Path("plan" + job.suffix), job.data, config, job.archivo)
    wanted = {f.celda for f in report.hallazgos if f.celda}
    texts = _cell_texts(plan, wanted) if plan is not None and job.texts and wanted else {}
    outcome = Outcome(report=report.model_dump(mode="json"), dependencia=report.dependencia,
                      cell_texts=texts)
    if job.annotate and plan is not None and job.suffix in (".xlsx", ".xlsm"):
        from pea.consolidate.annotate import annotate_copy

        src = workdir / ("original" + job.suffix)
        dst = workdir / ("anotada" + job.suffix)
        src.write_bytes(job.data)
        try:
            annotate_copy(src, dst, report, config.fingerprint())  # como consolidar --anotar
            outcome.annotated = dst.read_bytes()
        except Exception:  # una copia que no se pudo escribir no oculta los hallazgos
            outcome.annotated = None
    return outcome


def _worker_main(conn: Connection, memory_mb: int, rules: str | None) -> None:
    if rules:
        os.environ["PEA_REGLAS"] = rules
    _limit_memory(memory_mb)
    from pea.rules.registry import load_all

    load_all()
    while True:
        try:
            msg = conn.recv()
        except (EOFError, OSError):
            return
        if msg is None:
            return
        job, workdir = msg
        try:
            result: Any = ("ok", process(job, Path(workdir)))
        except MemoryError:
            result = ("memoria", None)
        except Exception as exc:
            result = ("error", f"{type(exc).__name__}")
        try:
            conn.send(result)
        except (OSError, ValueError):
            return


# --------------------------------------------------------------------- proceso principal

@dataclass
class _Worker:
    proc: Any
    conn: Connection
    tasks: int = 0


def _context() -> Any:
    methods = mp.get_all_start_methods()
    if "forkserver" in methods:
        ctx = mp.get_context("forkserver")
        ctx.set_forkserver_preload(["pea.web.ventanilla.isolation", "pea.validation",
                                    "pea.consolidate.annotate", "pea.rules.registry"])
        return ctx
    return mp.get_context("spawn")  # Windows


class WorkerPool:
    """Procesos de trabajo acotados y reutilizables."""

    def __init__(self, workers: int, time_limit: float, memory_mb: int, tmp_dir: Path,
                 rules: str | None = None, wait: float = 60.0, max_tasks: int = 200) -> None:
        self.workers = max(1, workers)
        self.time_limit = time_limit
        self.memory_mb = memory_mb
        self.tmp_dir = tmp_dir
        self.rules = rules
        self.wait = wait
        self.max_tasks = max_tasks
        self._slots = threading.BoundedSemaphore(self.workers)
        self._idle: list[_Worker] = []
        self._lock = threading.Lock()
        self._ctx = _context()

    def _start(self) -> _Worker:
        parent, child = self._ctx.Pipe(duplex=True)
        proc = self._ctx.Process(target=_worker_main, args=(child, self.memory_mb, self.rules),
                                 daemon=True, name="pea-ventanilla-trabajo")
        proc.start()
        child.close()
        return _Worker(proc, parent)

    def _take(self) -> _Worker:
        with self._lock:
            while self._idle:
                w = self._idle.pop()
                if w.proc.is_alive():
                    return w
                self._discard(w)
        return self._start()

    def _give_back(self, w: _Worker) -> None:
        if w.tasks >= self.max_tasks:
            self._retire(w)
            return
        with self._lock:
            self._idle.append(w)

    @staticmethod
    def _discard(w: _Worker) -> None:
        with contextlib.suppress(Exception):
            w.proc.kill()
        w.proc.join(timeout=5)
        w.conn.close()

    def _retire(self, w: _Worker) -> None:
        with contextlib.suppress(OSError, ValueError):
            w.conn.send(None)
        w.proc.join(timeout=5)
        if w.proc.is_alive():
            w.proc.kill()
            w.proc.join(timeout=5)
        w.conn.close()

    def warm(self) -> None:
        """Arranca los procesos de antemano (la primera petición no espera)."""
        with self._lock:
            while len(self._idle) < self.workers:
                self._idle.append(self._start())

    def run(self, job: Job) -> tuple[str, Any]:
        """(«ok», Outcome) o («tiempo»|«caida»|«memoria»|«error», detalle)."""
        if not self._slots.acquire(timeout=self.wait):
            raise Busy
        workdir = self.tmp_dir / uuid.uuid4().hex
        try:
            workdir.mkdir(parents=True, mode=0o700)
            w = self._take()
            limit = self.time_limit + (ANNOTATE_MARGIN + self.time_limit if job.annotate else 0)
            try:
                try:
                    w.conn.send((job, str(workdir)))
                except (OSError, BrokenPipeError):  # un proceso ocioso que ya no estaba
                    self._discard(w)
                    w = self._start()
                    w.conn.send((job, str(workdir)))
                deadline = time.monotonic() + limit
                if not w.conn.poll(max(0.0, deadline - time.monotonic())):
                    self._discard(w)
                    return "tiempo", limit
                kind, value = w.conn.recv()
            except (EOFError, OSError, BrokenPipeError):
                self._discard(w)
                return "caida", None
            w.tasks += 1
            self._give_back(w)
            return kind, value
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
            self._slots.release()

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for w in idle:
            self._retire(w)
