"""Qué hay en la carpeta de entregas: libros a leer y archivos omitidos con su motivo.

Nada se descarta en silencio: lo que no es un plan (la regla es `pea.plan_files`, la misma
de `pea validar`) se lista como «Omitido» con el motivo. Solo se ignoran, sin listarlos, los
archivos que escribe el propio consolidador (el libro maestro, su caché, su candado, sus
temporales y las carpetas de salida), porque no son entregas.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from pathlib import Path

from pea.oserrors import os_reason
from pea.plan_files import skip_reason, text_export_reason

__all__ = ["FoundFile", "foreign_files", "scan", "skip_reason", "text_export_reason"]

@dataclass(frozen=True)
class FoundFile:
    """Un archivo (o subcarpeta) de la carpeta de entregas."""

    path: Path
    archivo: str  # ruta relativa a la carpeta, con «/»
    size: int
    mtime: float
    skip_reason: str | None = None  # None: es un libro a leer; texto: por qué se omite
    link: str | None = None  # vínculo de «Entregas» (la Ventanilla: la página de la entrega)

    @property
    def is_input(self) -> bool:
        return self.skip_reason is None


def scan(folder: Path, *, recursive: bool, ignore: set[Path],
         master: Path | None = None) -> list[FoundFile]:
    """Archivos de la carpeta (y subcarpetas si `recursive`), ordenados por ruta.

    `ignore`: rutas absolutas propias del consolidador (salida, caché, carpetas de copias).
    `master`: el libro maestro; su candado y sus temporales, junto a él, tampoco se listan.
    Sin `recursive`, cada subcarpeta se lista como omitida (con la sugerencia de la opción).
    """
    root = folder.resolve()
    ignored = {p.resolve() for p in ignore}
    own = master.resolve() if master is not None else None
    out: list[FoundFile] = []
    stack = [root]
    while stack:
        current = stack.pop()
        try:
            entries = list(os.scandir(current))
        except OSError as exc:
            rel = current.relative_to(root).as_posix() or "."
            out.append(FoundFile(current, rel + "/", 0, 0.0,
                                 f"carpeta ilegible ({os_reason(exc)})."))
            continue
        for entry in entries:
            path = Path(entry.path)
            if path in ignored or (own is not None and _is_own_temp(path, own)):
                continue
            rel = path.relative_to(root).as_posix()
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
                st = entry.stat(follow_symlinks=True)
            except OSError as exc:
                out.append(FoundFile(path, rel, 0, 0.0, f"no se pudo consultar "
                                     f"({os_reason(exc)})."))
                continue
            if is_dir:
                if entry.name.startswith("."):
                    out.append(FoundFile(path, rel + "/", 0, st.st_mtime,
                                         "carpeta oculta; no se revisa."))
                elif recursive:
                    stack.append(path)
                else:
                    out.append(FoundFile(path, rel + "/", 0, st.st_mtime,
                                         "subcarpeta: use «--recursivo» para incluir sus "
                                         "archivos."))
                continue
            if entry.is_symlink() and not path.exists():
                out.append(FoundFile(path, rel, 0, 0.0, "acceso directo roto."))
                continue
            if not entry.is_file():
                out.append(FoundFile(path, rel, 0, st.st_mtime, "no es un archivo regular."))
                continue
            out.append(FoundFile(path, rel, st.st_size, st.st_mtime, skip_reason(path)))
    out.sort(key=lambda f: f.archivo.casefold())
    return out


def _is_own_temp(path: Path, master: Path) -> bool:
    """Archivos de paso del maestro: los de SQLite junto a su caché (``-journal``, ``-wal``)
    y los temporales ``.~pea-maestro-…``, solo en su misma carpeta (un libro que se llame
    parecido en otra carpeta es una entrega). El maestro, su caché y su candado se ignoran
    por su ruta exacta (`run.own_paths`)."""
    from pea.atomic import temp_prefix
    from pea.consolidate.cache import cache_path

    return path.parent == master.parent and path.name.startswith(
        (cache_path(master).name, temp_prefix(master)))


def foreign_files(folder: Path, own: set[Path]) -> list[str]:
    """Lo que hay en una carpeta de salida que no escribió PEA: ni el maestro con su caché y
    su candado (`own`), ni otra carpeta de salida, ni exportaciones, temporales, archivos de
    bloqueo de Excel («~$») o copias anotadas que nadie cambió (una copia corregida es de la
    persona: no se esconde ni se sobrescribe)."""
    from pea.atomic import TEMP_PREFIX
    from pea.consolidate.annotate import untouched_copy

    out = []
    for entry in sorted(folder.iterdir()):
        name = entry.name
        if (is_own_export(entry) or name.startswith((TEMP_PREFIX, "~$"))
                or entry.resolve() in own or untouched_copy(entry)):
            continue
        out.append(name + ("/" if entry.is_dir() else ""))
    return out


@functools.cache
def export_headers() -> dict[str, tuple[str, ...]]:
    """Encabezados de cada exportación (`export.EXPORT_NAMES`), como los escribe PEA."""
    from pea.config import load_config
    from pea.consolidate.export import export_tables
    from pea.consolidate.model import Consolidation

    empty = Consolidation(folder=Path("."), output=Path("."), submissions=[], cross=[],
                          rules_version="", config_version="", strategies=[])
    return {name: tuple(c.header for c in cols)
            for name, cols, _rows in export_tables(empty, load_config())}


def is_own_export(path: Path) -> bool:
    """¿`path` es una exportación que escribió PEA (--csv, --parquet)? Como el maestro se
    reconoce por su marca, una exportación se reconoce por su nombre y su primera fila: los
    encabezados exactos de esa tabla (en un .csv, UTF-8 con BOM). Un «entregas.csv» de la
    persona no lo es: no se sobrescribe ni se esconde."""
    import csv
    import io

    stem, ext = os.path.splitext(path.name)
    headers = export_headers().get(stem)
    if headers is None or ext not in (".csv", ".parquet") or not path.is_file() \
            or path.is_symlink():
        return False
    try:
        if ext == ".parquet":
            try:
                import pyarrow.parquet as pq
            except ImportError:
                return False
            return tuple(pq.read_schema(path).names) == headers
        with open(path, "rb") as fh:
            head = fh.read(64 * 1024)
    except Exception:  # ilegible o no es Parquet: no es de PEA
        return False
    if not head.startswith(b"\xef\xbb\xbf"):
        return False
    first = head[3:].decode("utf-8", "replace").splitlines()[:1]
    return bool(first) and tuple(next(csv.reader(io.StringIO(first[0])), [])) == headers


def foreign_exports(folder: Path, ext: str) -> list[str]:
    """Los archivos de `folder` que una exportación (`ext`: .csv o .parquet) reemplazaría y
    que no escribió PEA (el maestro se niega igual a sobrescribir un libro ajeno)."""
    out = []
    for name in export_headers():
        target = folder / f"{name}{ext}"
        if os.path.lexists(target) and not is_own_export(target):
            out.append(target.name)
    return out
