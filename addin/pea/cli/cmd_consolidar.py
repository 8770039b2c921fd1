"""`pea consolidar`: de una carpeta de entregas al libro maestro del Instituto de Planeación."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from pea.cli.app import EXIT_ERRORS, EXIT_OK, app, usage_error
from pea.cli.cmd_validar import Formato
from pea.cli.common import ReglasOption, config_or_exit, literal, shown

if TYPE_CHECKING:
    from pea.consolidate.run import Options


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
    except ValueError:
        return False
    return True


def check_paths(opts: Options) -> None:
    """Errores de uso (código 2) antes de leer nada."""
    from pea.consolidate.master import is_master
    from pea.consolidate.run import own_paths

    carpeta, salida = opts.folder, opts.output
    if not carpeta.exists():
        raise usage_error(f"la carpeta «{shown(carpeta)}» no existe.")
    if not carpeta.is_dir():
        raise usage_error(f"«{shown(carpeta)}» no es una carpeta; indique la carpeta de entregas.")
    if salida.suffix.lower() != ".xlsx":
        raise usage_error(f"el libro maestro debe terminar en .xlsx («{shown(salida)}»).")
    if salida.is_dir():
        raise usage_error(f"«{shown(salida)}» es una carpeta; indique el nombre del libro maestro.")
    if salida.exists() and not is_master(salida):
        raise usage_error(f"«{shown(salida)}» ya existe y no es un libro maestro de PEA; no se "
                          "sobrescribe. Elija otro nombre.")
    own = own_paths(opts)
    for option, folder in (("--anotar", opts.annotate_dir), ("--csv", opts.csv_dir),
                           ("--parquet", opts.parquet_dir)):
        if folder is not None:
            _check_output_dir(option, folder, carpeta, own)


def _check_output_dir(option: str, folder: Path, carpeta: Path, own: set[Path]) -> None:
    """Una carpeta de salida (--anotar, --csv, --parquet) que se puede usar sin tocar ni
    esconder nada de la persona."""
    from pea.consolidate.scan import foreign_files

    existing = next((p for p in (folder, *folder.parents) if p.exists()), None)
    if existing is not None and not existing.is_dir():
        raise usage_error(f"«{shown(existing)}» es un archivo, no una carpeta; indique en «{option}» "
                          "una carpeta.")
    if folder.resolve() == carpeta.resolve():
        raise usage_error(f"«{option}» no puede ser la carpeta de las entregas (sus archivos se "
                          "mezclarían con los de las dependencias); indique otra carpeta.")
    if option != "--anotar" and folder.is_dir():
        from pea.consolidate.scan import foreign_exports

        taken = foreign_exports(folder, ".csv" if option == "--csv" else ".parquet")
        if taken:
            raise usage_error(
                f"la carpeta «{folder}» de «{option}» ya tiene " + ", ".join(
                    f"«{n}»" for n in taken) + ", que no escribió PEA; no se sobrescribe. "
                "Indique otra carpeta o mueva ese archivo.")
    if folder.is_dir() and _inside(folder, carpeta):
        foreign = foreign_files(folder, own)
        if foreign:
            names = ", ".join(f"«{shown(n)}»" for n in foreign[:3]) + (
                " …" if len(foreign) > 3 else "")
            raise usage_error(
                f"la carpeta «{shown(folder)}» de «{option}» está dentro de la carpeta de entregas "
                f"y ya tiene archivos que no escribió PEA ({names}); no se leerían como entregas. "
                "Indique una carpeta nueva o fuera de la carpeta de entregas.")


@app.command("consolidar")
def consolidar(
    carpeta: Annotated[Path, typer.Argument(
        help="Carpeta con los planes que entregaron las dependencias: libros .xlsx/.xlsm y "
             "exportaciones de texto (.txt/.tsv).",
        show_default=False)],
    salida: Annotated[Path, typer.Option("--salida", "-o",
        help="Libro maestro a escribir (.xlsx). Puede estar dentro de la carpeta: no se lee "
             "como entrega.", show_default=False)],
    recursivo: Annotated[bool, typer.Option("--recursivo", "-r",
        help="Incluir las subcarpetas.")] = False,
    excluir_rechazados: Annotated[bool, typer.Option("--excluir-rechazados",
        help="No copiar al «Plan consolidado» las líneas de planes rechazados (con errores).")]
        = False,
    anotar: Annotated[Path | None, typer.Option("--anotar",
        help="Carpeta donde escribir, para cada plan con hallazgos, una copia de su libro con "
             "las celdas marcadas y la hoja «Validación».", show_default=False)] = None,
    csv_dir: Annotated[Path | None, typer.Option("--csv",
        help="Carpeta donde exportar un CSV (UTF-8 con BOM) por hoja.", show_default=False)]
        = None,
    parquet_dir: Annotated[Path | None, typer.Option("--parquet",
        help="Carpeta donde exportar un archivo Parquet por hoja (requiere pyarrow, el "
             "extra opcional «parquet» de pea).", show_default=False)] = None,
    reglas: ReglasOption = None,
    silencioso: Annotated[bool, typer.Option("--silencioso", "-q",
        help="Sin barra de progreso ni resumen (para scripts).")] = False,
    formato: Annotated[Formato, typer.Option("--formato", "-f",
        help="«texto» (resumen para una persona) o «json» (resumen para otros programas, en "
             "la salida estándar).")] = Formato.texto,
    sin_cache: Annotated[bool, typer.Option("--sin-cache",
        help="Leer todos los archivos aunque estén en la caché (y reescribirla con lo leído).")] = False,
    procesos: Annotated[int | None, typer.Option("--procesos", min=1, max=64,
        help="Procesos de lectura en paralelo (por omisión, uno por núcleo).",
        show_default=False)] = None,
) -> int:
    """Lee cada libro de la carpeta, lo valida con las mismas reglas de «pea validar» y escribe el libro maestro.

    Hojas: Plan consolidado, Entregas, Observaciones, Resumen y Cobertura. Código de salida: 0 si se escribió el maestro (aunque haya planes con errores); 1 si no se pudo escribir; 2 por uso incorrecto o si otra consolidación está escribiendo el mismo maestro.
    """
    from pea.consolidate.run import Options, consolidate

    opts = Options(folder=carpeta, output=salida, recursive=recursivo,
                   exclude_rejected=excluir_rechazados, annotate_dir=anotar, csv_dir=csv_dir,
                   parquet_dir=parquet_dir, use_cache=not sin_cache, workers=procesos)
    check_paths(opts)
    config = config_or_exit(reglas)
    if parquet_dir is not None:
        from pea.consolidate.export import PARQUET_MISSING, parquet_available

        if not parquet_available():
            raise usage_error(PARQUET_MISSING)
    from pea.atomic import OutputLock, OutputLocked
    from pea.consolidate.run import os_reason

    try:
        salida.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise usage_error(f"no se pudo crear la carpeta de «{shown(salida)}» "
                          f"({shown(os_reason(exc))}).") from None

    try:
        with _terminate_cleanly(), OutputLock(salida), \
                _progress(silencioso or formato is Formato.json) as bar:
            result = consolidate(opts, config, bar)
    except OutputLocked as exc:
        raise usage_error(shown(exc)) from None
    except OSError as exc:
        typer.echo(f"Error: no se pudo escribir el libro maestro «{shown(salida)}» "
                   f"({shown(os_reason(exc))}).", err=True)
        return EXIT_ERRORS
    if formato is Formato.json:
        data = json.dumps(_unicode(summary_json(result)), ensure_ascii=False, indent=2)
        # json escapa los controles C0; DEL y los C1 (U+0080–U+009F; U+009B es un CSI de
        # terminal) también, como «\u009b»: el mismo texto para un programa
        sys.stdout.write(re.sub(r"[\x7f-\x9f]", lambda m: f"\\u{ord(m.group()):04x}", data)
                         + "\n")
    elif not silencioso:
        _print_summary(result)
    for aviso in result.consolidation.avisos:
        typer.echo(f"Aviso: {shown(aviso)}", err=True)
    for failure in result.failures:  # el maestro sí se escribió: código 0, como dice el contrato
        typer.echo(f"Error: {shown(failure)} El libro maestro sí se escribió: "
                   f"«{shown(salida)}».", err=True)
    return EXIT_OK


@contextmanager
def _terminate_cleanly() -> Iterator[None]:
    """Mientras dura, `kill` (SIGTERM) termina como Ctrl+C: los temporales de la corrida se
    borran y el candado se suelta (con `kill -9` no hay nada que hacer: los borra la
    siguiente corrida)."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(_signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _unicode(data: Any) -> Any:
    """Los textos del resumen JSON con los bytes que no eran UTF-8 como «\\xff» (un nombre
    de archivo así haría fallar la escritura en la salida estándar)."""
    from pea.consolidate.cells import unicode_name

    if isinstance(data, str):
        return unicode_name(data)
    if isinstance(data, list):
        return [_unicode(v) for v in data]
    if isinstance(data, dict):
        return {k: _unicode(v) for k, v in data.items()}
    return data


def summary_json(result: Any) -> dict[str, Any]:
    """Resumen de la corrida para otros programas."""
    from collections import Counter

    c = result.consolidation
    estados = Counter(s.estado for s in c.submissions)
    return {
        "salida": str(c.output),
        "archivos": len(c.submissions),
        "leidos": c.read_count,
        "de_cache": c.cached_count,
        "estados": dict(sorted(estados.items())),
        "lineas": c.plan_rows,
        "hallazgos": sum(len(s.findings) for s in c.submissions),
        "entre_libros": [{"regla": f.regla, "severidad": f.severidad, "mensaje": f.mensaje}
                         for f in c.cross],
        "anotados": [str(p) for p in result.annotated],
        "exportados": [str(p) for p in result.exports],
        "salidas_fallidas": list(result.failures),
        "avisos": c.avisos,
        "segundos": {k: round(v, 3) for k, v in result.seconds.items()},
    }


def _print_summary(result: Any) -> None:
    from collections import Counter

    from rich.console import Console
    from rich.table import Table

    from pea.consolidate.columns import ESTADOS

    c = result.consolidation
    console = Console(highlight=False)
    estados = Counter(s.estado for s in c.submissions)
    table = Table(title=literal(f"Entregas en «{c.folder}»"))
    table.add_column("Estado")
    table.add_column("Archivos", justify="right")
    for e in ESTADOS:
        if estados.get(e):
            table.add_row(e, str(estados[e]))
    console.print(table)
    console.print(f"Líneas de meta en el plan consolidado: {c.plan_rows:,}")
    console.print(f"Archivos leídos: {c.read_count}; tomados de la caché: {c.cached_count}.")
    for f in c.cross:
        if f.regla == "PEA-X01":  # nombra dependencias y archivos: nunca como markup
            console.print(literal(f.mensaje, "yellow"))
    if result.annotated:
        console.print(literal(f"Copias anotadas: {len(result.annotated)} en "
                              f"«{result.annotated[0].parent}»."))
    for p in result.exports:
        console.print(literal(f"Exportado: {p}"))
    line = literal(f"Libro maestro: {c.output}", "bold")
    line.append(f" ({result.seconds.get('total', 0):.1f} s)")
    console.print(line)


class _RichProgress:
    """Barra de progreso en la salida de errores (sin hilos: se redibuja al avanzar)."""

    def __init__(self) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        self._progress = Progress(TextColumn("{task.description}", markup=False), BarColumn(),
                                  MofNCompleteColumn(), TimeElapsedColumn(),
                                  console=Console(stderr=True), auto_refresh=False,
                                  transient=True)
        self._task: Any = None
        self._last = 0.0

    def __enter__(self) -> _RichProgress:
        self._progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._progress.stop()

    def phase(self, description: str, total: int | None) -> None:
        if self._task is not None:
            self._progress.remove_task(self._task)
        self._task = self._progress.add_task(description, total=total)
        self._progress.refresh()

    def advance(self, n: int = 1) -> None:
        import time

        self._progress.advance(self._task, n)
        now = time.monotonic()
        if now - self._last > 0.1:
            self._last = now
            self._progress.refresh()


def _progress(silent: bool) -> Any:
    """Barra en la terminal; nada con --silencioso, con JSON o si stderr no es terminal."""
    if silent or not sys.stderr.isatty():
        from pea.consolidate.run import QuietProgress

        return QuietProgress()
    return _RichProgress()
