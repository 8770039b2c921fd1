"""Qué hay en la carpeta de entregas: libros a leer y archivos omitidos con su motivo.

Nada se descarta en silencio: lo que no es un libro .xlsx/.xlsm ni la exportación de texto
de un plan se lista como «Omitido» con el motivo. Solo se ignoran, sin listarlos, los
archivos que escribe el propio consolidador (el libro maestro, su caché, su candado, sus
temporales y las carpetas de salida), porque no son entregas.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from pea.reading import TEXT_SUFFIXES, WORKBOOK_SUFFIXES

_OTHER_FORMATS = {
    ".xls": "libro de Excel 97-2003 (.xls): pida a la dependencia que lo guarde como "
            "«Libro de Excel (.xlsx)» o que use la plantilla oficial.",
    ".xlsb": "libro binario de Excel (.xlsb): pida a la dependencia que lo guarde como .xlsx.",
    ".ods": "hoja de cálculo de LibreOffice (.ods): pida que la guarden como .xlsx.",
    ".csv": "archivo CSV: pierde el formato del plan; pida el libro de Excel (.xlsx).",
    ".pdf": "documento PDF: pida el libro de Excel (.xlsx) del plan.",
    ".xltx": "plantilla de Excel (.xltx), no una entrega.",
    ".xltm": "plantilla de Excel con macros (.xltm), no una entrega.",
}


@dataclass(frozen=True)
class FoundFile:
    """Un archivo (o subcarpeta) de la carpeta de entregas."""

    path: Path
    archivo: str  # ruta relativa a la carpeta, con «/»
    size: int
    mtime: float
    motivo: str | None = None  # None: es un libro a leer; texto: por qué se omite
    link: str | None = None  # vínculo de «Entregas» (la Ventanilla: la página de la entrega)

    @property
    def is_input(self) -> bool:
        return self.motivo is None


#: Hasta dónde se busca el encabezado del plan en un archivo de texto.
_TEXT_HEAD = 64 * 1024


def text_export_reason(path: Path) -> str | None:
    """None si el archivo de texto es la exportación de un plan (tiene el encabezado «EJE
    TEMÁTICO» en sus primeras filas, como la lee `pea validar`); si no, por qué se omite."""
    from pea.config import Limits
    from pea.reading.errors import UnreadableFile
    from pea.reading.plan_parser import find_header_row
    from pea.reading.text import read_text

    try:
        with open(path, "rb") as fh:
            if find_header_row(read_text(fh.read(_TEXT_HEAD), Limits())) is not None:
                return None
    except (OSError, UnreadableFile):
        pass
    return ("archivo de texto sin el encabezado del plan («EJE TEMÁTICO»); no es una "
            "exportación del plan.")


def skip_reason(path: Path) -> str | None:
    """Motivo para omitir un archivo, o None si es un plan a leer: por su nombre y, en un
    .txt/.tsv, por su contenido (`text_export_reason`)."""
    name = path.name
    lower = name.lower()
    if name.startswith("~$"):
        return (f"archivo de bloqueo de Excel: indica que alguien tiene abierto "
                f"«{name[2:]}»; no es una entrega.")
    if name.startswith("."):
        return "archivo oculto; no es una entrega."
    if name.startswith("~") or lower.endswith((".tmp", ".temp", ".bak", ".part",
                                                ".crdownload")):
        return "archivo temporal; no es una entrega."
    suffix = os.path.splitext(lower)[1]
    if suffix in WORKBOOK_SUFFIXES:
        return None
    if suffix in TEXT_SUFFIXES:
        return text_export_reason(path)
    if suffix in _OTHER_FORMATS:
        return _OTHER_FORMATS[suffix]
    return "no es un libro de Excel (.xlsx/.xlsm)."


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
                                 f"carpeta ilegible ({exc.strerror or exc})."))
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
                                     f"({exc.strerror or exc})."))
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
    from pea.consolidate.export import EXPORT_NAMES

    exports = {f"{n}{ext}" for n in EXPORT_NAMES for ext in (".csv", ".parquet")}
    out = []
    for entry in sorted(folder.iterdir()):
        name = entry.name
        if (name in exports or name.startswith((TEMP_PREFIX, "~$")) or entry.resolve() in own
                or untouched_copy(entry)):
            continue
        out.append(name + ("/" if entry.is_dir() else ""))
    return out
