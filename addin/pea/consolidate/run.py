"""La corrida completa: escanear, leer, validar lo nuevo (en paralelo), estados, escribir.

Orden: el candado de la salida lo toma quien llama (la línea de comandos). Aquí:
1. escanear la carpeta (sin los archivos propios del consolidador);
2. leer cada libro una sola vez, calcular su sha256 y buscarlo en la caché;
3. validar solo los que no están, con esos mismos bytes, en procesos aparte con límite de
   tiempo (mientras tanto se leen los siguientes);
4. estados (incluido PEA-X01) y hallazgos entre libros;
5. escribir el maestro (atómico) y, si se pidió, CSV, Parquet y copias anotadas.
"""

from __future__ import annotations

import errno
import io
import logging
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Protocol

from pea.atomic import atomic_output, lock_path, remove_stale_temps
from pea.config import RulesConfig
from pea.consolidate import gctune, status
from pea.consolidate.cache import ResultCache, cache_path, entry_key
from pea.consolidate.columns import DUPLICADO, ILEGIBLE, OMITIDO, RECHAZADO
from pea.consolidate.extract import CELL_MAX
from pea.consolidate.model import Consolidation, Submission
from pea.consolidate.pool import CRASH, TIMEOUT, default_workers, run_tasks
from pea.consolidate.scan import FoundFile, scan
from pea.consolidate.worker import (
    Processed,
    ReadTask,
    init_worker,
    process_file,
    read_task,
    share_strings,
    unreadable_outcome,
)
from pea.plan_files import MASTER_REASON
from pea.reading import TEXT_SUFFIXES
from pea.reading.errors import UnreadableFile

log = logging.getLogger(__name__)


class Progress(Protocol):
    """Lo que la corrida informa mientras avanza (la línea de comandos lo dibuja)."""

    def phase(self, description: str, total: int | None) -> None: ...
    def advance(self, n: int = 1) -> None: ...


class QuietProgress:
    """Un avance que no dibuja nada (sin terminal, --silencioso, JSON, pruebas)."""

    def __enter__(self) -> QuietProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        pass

    def phase(self, description: str, total: int | None) -> None:
        pass

    def advance(self, n: int = 1) -> None:
        pass


@dataclass
class Options:
    folder: Path
    output: Path
    recursive: bool = False
    exclude_rejected: bool = False
    annotate_dir: Path | None = None
    csv_dir: Path | None = None
    parquet_dir: Path | None = None
    use_cache: bool = True
    workers: int | None = None
    #: Entregas ya elegidas en vez de escanear la carpeta (la Ventanilla: las versiones vigentes).
    files: list[FoundFile] | None = None


@dataclass
class RunResult:
    consolidation: Consolidation
    annotated: list[Path] = field(default_factory=list)
    exports: list[Path] = field(default_factory=list)
    #: Salidas pedidas (exportaciones, copias anotadas) que no se pudieron escribir, en
    #: español; el maestro sí se escribió.
    failures: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)


def own_paths(opts: Options) -> set[Path]:
    """Rutas que escribe el consolidador y que nunca se leen como entregas."""
    out = {opts.output, cache_path(opts.output), lock_path(opts.output)}
    for d in (opts.annotate_dir, opts.csv_dir, opts.parquet_dir):
        if d is not None:
            out.add(d)
    return {p.resolve() for p in out}


#: Archivos (o bytes) cuya huella se busca en la caché de una vez, en una consulta.
LOOKUP_FILES = 64
LOOKUP_BYTES = 8 * 1024 * 1024


def _is_master(source: bytes | Path, archivo: str) -> bool:
    """¿Es un maestro de PEA (no una entrega)? De los bytes ya leídos, el zip se abre solo
    si su directorio, al final, nombra las propiedades personalizadas; de una ruta (un
    maestro grande de otro año, más que el tope de una entrega), solo su directorio y sus
    propiedades."""
    if isinstance(source, bytes) and b"docProps/custom.xml" not in source[-(1 << 16):]:
        return False
    from pea.consolidate.master import is_master

    try:  # un zip hostil aquí no detiene la corrida: se lee (y se reporta) como entrega
        return is_master(io.BytesIO(source) if isinstance(source, bytes) else source)
    except Exception:
        log.debug("¿maestro? %s", archivo, exc_info=True)
        return False


def _read_stat(sub: Submission, st: os.stat_result) -> None:
    """Tamaño y fecha de lo que se leyó (no de la lista de la carpeta: si el archivo se
    reemplazó entre la lista y la lectura, «Entregas» dice lo que se validó)."""
    sub.found = replace(sub.found, size=st.st_size, mtime=st.st_mtime)


def read_submissions(opts: Options, config: RulesConfig, progress: Progress,
                     cache: ResultCache) -> tuple[list[Submission], int]:
    """Todas las entregas con su resultado (de la caché o validado ahora); y cuántas se
    validaron.

    Cada archivo se lee una sola vez, aquí: de esos bytes salen su sha256 (la clave de la
    caché) y, si no está en la caché, lo que valida un proceso de trabajo (se le mandan los
    bytes, no la ruta). La lectura de los siguientes avanza mientras los procesos validan.
    """
    found = opts.files if opts.files is not None else scan(
        opts.folder, recursive=opts.recursive, ignore=own_paths(opts), master=opts.output)
    subs = [Submission(f) for f in found]
    inputs = [s for s in subs if s.found.is_input]
    progress.phase(f"Leyendo y validando {len(inputs)} libro(s)", len(inputs))
    texts: dict[str, str] = {}
    #: lo que se manda a validar, en el orden en que sale hacia los procesos (sus índices)
    misses: list[tuple[Submission, str]] = []

    def lookup(group: list[tuple[Submission, ReadTask]]) -> Iterator[ReadTask]:
        keys = [entry_key(t.sha256, t.name) for _s, t in group]
        cached = cache.get_many(keys, transform=lambda o: share_strings(o, texts))
        new: list[tuple[Submission, ReadTask]] = []
        for (sub, task), key in zip(group, keys, strict=True):
            if key in cached:
                sub.outcome = cached[key]
                sub.from_cache = True
                # sus bytes se sueltan antes de mandar nada: un proceso que se inicie al
                # primer archivo nuevo no los hereda
                task.take()
                progress.advance()
            else:
                new.append((sub, task))
        for sub, task in new:
            misses.append((sub, task.sha256))
            yield task

    def tasks() -> Iterator[ReadTask]:
        group: list[tuple[Submission, ReadTask]] = []
        weight = 0
        for sub in inputs:
            try:
                task, st = read_task(sub.found.path, sub.archivo, config)
            except UnreadableFile as exc:  # no se guarda en caché: puede ser pasajero
                if exc.kind == "limite" and _is_master(sub.found.path, sub.archivo):
                    sub.found = replace(sub.found, skip_reason=MASTER_REASON)
                else:
                    sub.outcome = unreadable_outcome(exc.message, config)
                progress.advance()
                continue
            _read_stat(sub, st)
            if _is_master(task.data, sub.archivo):
                sub.found = replace(sub.found, skip_reason=MASTER_REASON)
                progress.advance()
                continue
            group.append((sub, task))
            weight += len(task.data)
            if len(group) >= LOOKUP_FILES or weight >= LOOKUP_BYTES:
                yield from lookup(group)
                group, weight = [], 0
        yield from lookup(group)

    def done(k: int, result: Processed) -> None:
        sub = misses[k][0]
        outcome = result.outcome
        if outcome.sha256:
            cache.put(entry_key(outcome.sha256, sub.found.path), outcome, result.blob)
        sub.outcome = share_strings(outcome, texts)
        progress.advance()

    def failed(k: int, kind: str, detail: str) -> None:
        sub, sha = misses[k]
        if kind == TIMEOUT:
            msg = (f"la lectura tardó más de {detail} s (límite por archivo); revise que "
                   "el libro no sea demasiado grande o esté dañado.")
        else:
            msg = f"falla interna del lector ({detail}); repórtela al equipo de PEA."
        sub.outcome = unreadable_outcome(msg, config, sha)
        progress.advance()  # no se guarda en caché: puede ser pasajero

    run_tasks(process_file, tasks(), workers=opts.workers or default_workers(),
              time_limit=float(config.limites.segundos_por_archivo), on_result=done,
              on_failure=failed, initializer=init_worker, initargs=(config,),
              expected=len(inputs), weigh=lambda t: len(t.data),
              # sin resultados guardados (primera corrida, --sin-cache) todo se valida: los
              # procesos se inician antes de leer, sin copiar bytes de archivos
              start_early=not cache.may_hit)
    # leídos ahora: validados o ilegibles aquí (leídos + de la caché = todas las entregas)
    read = sum(s.outcome is not None and not s.from_cache for s in inputs)
    for s in inputs:
        _skip_untouched_copy(s)
    return subs, read


def _skip_untouched_copy(sub: Submission) -> None:
    """Una copia anotada por PEA que nadie cambió no es una entrega: se lista como omitida
    (si la dependencia la corrigió y la volvió a guardar, se valida como cualquier otra)."""
    copy = sub.report.copia_anotada if sub.report is not None else None
    if copy is not None and copy.sin_cambios:
        sub.found = replace(sub.found, skip_reason=(
            f"copia anotada por PEA (--anotar) de «{copy.original}», sin cambios; no es "
            "otra entrega. Las correcciones van en el libro original de la dependencia."))
        sub.outcome = None


def consolidate(opts: Options, config: RulesConfig, progress: Progress | None = None) -> RunResult:
    """Hace la corrida completa y escribe todo lo pedido. Quien llama tiene el candado."""
    with gctune.tuned():
        return _consolidate(opts, config, progress or QuietProgress())


def _consolidate(opts: Options, config: RulesConfig, progress: Progress) -> RunResult:
    t0 = time.perf_counter()
    remove_stale_temps(opts.output)  # de una corrida terminada a la fuerza (tenemos el candado)
    cache = ResultCache(cache_path(opts.output), config.fingerprint(), enabled=opts.use_cache)
    subs, read = read_submissions(opts, config, progress, cache)
    t1 = time.perf_counter()
    degraded: list[str] = []  # avisos de las entregas que no llegaron a las salidas
    for attempt in (1, 2):
        try:
            result = RunResult(_assemble(opts, config, subs, read))
            _write_outputs(result, opts, config, progress)
            break
        except OSError:  # el maestro no se pudo escribir (disco lleno, permisos): código 1
            cache.save()  # lo leído sigue valiendo: la próxima corrida no lo vuelve a leer
            raise
        except Exception:
            if attempt == 2:
                raise
            log.debug("falla al escribir las salidas", exc_info=True)
            bad = _culprits(subs, opts, config)
            if not bad:
                raise
            for sub, why in bad:
                degraded.append(_degrade(sub, config, why))
    result.consolidation.avisos.extend(degraded)
    t2 = time.perf_counter()
    if opts.annotate_dir is not None:
        try:
            result.annotated = annotate_all(result.consolidation, opts, config, progress)
        except OSError as exc:
            result.failures.append(
                f"no se pudieron escribir las copias anotadas en «{opts.annotate_dir}» "
                f"({os_reason(exc)}).")
        except Exception as exc:  # p. ej. un archivo ajeno en la carpeta: el maestro ya está
            log.debug("copias anotadas", exc_info=True)
            result.failures.append(
                f"no se pudieron escribir las copias anotadas en «{opts.annotate_dir}» "
                f"(falla interna: {type(exc).__name__}); repórtelo al equipo de PEA.")
    cache.save()
    if cache.aviso:
        result.consolidation.avisos.append(f"Caché: {cache.aviso}")
    result.seconds = {"lectura": t1 - t0, "maestro": t2 - t1,
                      "total": time.perf_counter() - t0}
    return result


def _assemble(opts: Options, config: RulesConfig, subs: list[Submission],
              read: int) -> Consolidation:
    """Estados, hallazgos entre libros y avisos de la corrida (lo que muestran las salidas)."""
    excluded = frozenset({RECHAZADO}) if opts.exclude_rejected else frozenset()
    cross = status.assign(subs, config, excluded)
    c = Consolidation(
        folder=opts.folder, output=opts.output, submissions=subs, cross=cross,
        rules_version=config.fingerprint(), config_version=config.version,
        strategies=status.strategy_coverage(subs, config, excluded),
        excluded_states=excluded, read_count=read,
        cached_count=sum(1 for s in subs if s.from_cache),
    )
    if not any(s.outcome is not None for s in subs):
        c.avisos.append(f"No se encontró ningún plan (.xlsx, .xlsm, .txt) en «{opts.folder}»"
                          + ("" if opts.recursive else " (¿están en subcarpetas? use "
                             "«--recursivo»)") + "; el maestro quedó sin planes.")
    _warn_too_long(c)
    return c


def _write_outputs(result: RunResult, opts: Options, config: RulesConfig,
                   progress: Progress) -> None:
    """El maestro (un `OSError` aquí es del maestro) y las exportaciones pedidas; cada
    exportación que el disco no deja escribir queda en `result.failures`, sin tocar las
    demás salidas (todos sus archivos o ninguno)."""
    from pea.consolidate.export import write_csv, write_parquet
    from pea.consolidate.master import write_master

    c = result.consolidation
    progress.phase("Escribiendo el libro maestro", None)
    with atomic_output(opts.output) as tmp:
        write_master(c, config, tmp)
    result.exports = []
    result.failures = []
    for folder, label, write in ((opts.csv_dir, "CSV", write_csv),
                                 (opts.parquet_dir, "Parquet", write_parquet)):
        if folder is None:
            continue
        progress.phase(f"Exportando {label}", None)
        try:
            result.exports += write(c, config, folder)
        except OSError as exc:
            result.failures.append(f"no se pudo escribir la exportación {label} en «{folder}» "
                                   f"({os_reason(exc)}); no se cambió ningún archivo de esa "
                                   "carpeta.")


def os_reason(exc: OSError) -> str:
    """El motivo de un error del disco, en español (``pea.oserrors``)."""
    from pea.oserrors import os_reason as reason

    reason_text = reason(exc)
    if exc.errno == errno.EACCES or exc.errno == errno.EPERM:
        return "sin permiso de escritura"
    if exc.errno == errno.ENOENT:
        return "la carpeta no existe"
    return reason_text


#: Lo que se dice cuando openpyxl no pudo abrir o guardar un libro para anotarlo: el texto
#: de la excepción (en inglés, de la biblioteca) va solo al registro de depuración.
_NOT_REPRODUCIBLE = ("el libro tiene partes que PEA no puede reproducir en una copia; sus "
                     "observaciones están en el maestro")


def _spanish(kind: str, detail: str) -> str:
    """El motivo de una copia anotada no escrita (de otro proceso), en español: un error del
    disco por su nombre, la caída del proceso tal cual y cualquier otra excepción sin su texto
    en inglés («KeyError: …», «TypeError: …»)."""
    import re

    m = re.search(r"\[Errno (\d+)\]", detail)
    if m:
        return os_reason(OSError(int(m.group(1)), detail))
    if kind == CRASH:
        return "el proceso que la escribía terminó de forma inesperada"
    log.debug("copia anotada no escrita: %s", detail)
    return _NOT_REPRODUCIBLE


def _culprits(subs: list[Submission], opts: Options,
              config: RulesConfig) -> list[tuple[Submission, Exception]]:
    """Las entregas que, solas, hacen fallar el armado o la escritura de las salidas (en
    memoria). Solo se busca tras una falla: no cuesta nada en una corrida normal."""
    import io

    from pea.consolidate.export import probe_exports
    from pea.consolidate.master import write_master

    bad: list[tuple[Submission, Exception]] = []
    for sub in subs:
        if sub.outcome is None:
            continue
        try:
            single = _assemble(opts, config, [sub], 0)
            write_master(single, config, io.BytesIO())
            if opts.csv_dir is not None or opts.parquet_dir is not None:
                probe_exports(single, config, opts.csv_dir is not None,
                              opts.parquet_dir is not None)
        except Exception as exc:  # lo que sea que la hace fallar, solo a ella
            bad.append((sub, exc))
    return bad


def _degrade(sub: Submission, config: RulesConfig, exc: Exception) -> str:
    """La entrega queda Ilegible con un PEA-E00 que dice qué pasó; la corrida sigue."""
    log.debug("datos de %s no escritos", sub.archivo, exc_info=exc)
    msg = ("sus datos no se pudieron escribir en el maestro ni en las exportaciones; se lista "
           "sin sus líneas. Repórtelo al equipo de PEA con este archivo.")
    sub.outcome = unreadable_outcome(msg, config, sub.sha256)
    sub.from_cache = False
    return f"«{sub.archivo}»: {msg}"


def _warn_too_long(c: Consolidation) -> None:
    """Aviso de los textos que no caben en una celda de Excel y el maestro recorta."""
    found = [f"«{s.archivo}» fila {fila} ({col}, {n:,} caracteres)"
             for s in c.submissions if s.outcome and not s.excluded(c.excluded_states)
             for fila, col, n in s.outcome.too_long]
    if found:
        shown = "; ".join(found[:5]) + (f" y {len(found) - 5} más" if len(found) > 5 else "")
        c.avisos.append(f"Textos de más de {CELL_MAX:,} caracteres (lo que cabe en una celda de "
                          f"Excel) se recortaron en el «Plan consolidado»: {shown}. Las "
                          "exportaciones de --csv los conservan completos.")


def annotate_all(c: Consolidation, opts: Options, config: RulesConfig,
                 progress: Progress) -> list[Path]:
    """Copias anotadas de los planes vigentes con hallazgos, en paralelo."""
    from pea.consolidate.annotate import annotate_task, annotated_name, untouched_copy

    assert opts.annotate_dir is not None
    folder = opts.annotate_dir
    folder.mkdir(parents=True, exist_ok=True)
    # lo que ya hay en la carpeta y no es una copia de PEA sin tocar no se sobrescribe
    taken = {p.name.lower() for p in folder.iterdir() if not untouched_copy(p)}
    items = []
    texts = []
    for sub in c.submissions:
        if sub.estado in (OMITIDO, ILEGIBLE, DUPLICADO) or not sub.findings:
            continue
        if sub.found.path.suffix.lower() in TEXT_SUFFIXES:
            texts.append(sub.archivo)
            continue
        try:  # una entrega que no se deja preparar no detiene las copias de las demás
            name = annotated_name(sub.archivo, sub.dependencia, taken)
            assert sub.report is not None  # (tiene hallazgos)
            report = sub.report.model_copy(update={"archivo": sub.archivo})
        except Exception:
            log.debug("copia anotada de %s", sub.archivo, exc_info=True)
            c.avisos.append(f"No se pudo escribir la copia anotada de «{sub.archivo}» "
                              f"({_NOT_REPRODUCIBLE}).")
            continue
        items.append((str(sub.found.path), str(folder / name), report, c.rules_version))
    if texts:
        c.avisos.append("Las exportaciones de texto no tienen un libro que anotar; sus "
                          "observaciones están en el maestro: "
                          + ", ".join(f"«{t}»" for t in texts) + ".")
    if not items:
        return []
    progress.phase(f"Escribiendo {len(items)} copia(s) anotada(s)", len(items))
    written: list[Path] = []

    def done(_k: int, result: tuple[str, str]) -> None:
        kind, value = result  # («copia», destino) o («aviso», por qué no se escribió)
        if kind == "aviso":
            c.avisos.append(value)
        else:
            written.append(Path(value))
        progress.advance()

    def failed(k: int, kind: str, detail: str) -> None:
        c.avisos.append(f"No se pudo escribir la copia anotada de «{Path(items[k][0]).name}» "
                          f"({'tiempo agotado' if kind == TIMEOUT else _spanish(kind, detail)}).")
        progress.advance()

    run_tasks(annotate_task, items, workers=opts.workers or default_workers(),
              time_limit=max(60.0, float(config.limites.segundos_por_archivo) * 2),
              on_result=done, on_failure=failed)
    return sorted(written)
