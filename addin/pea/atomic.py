"""Escrituras que nunca quedan a medias y candado para no escribir dos veces a la vez."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path


def temp_prefix(target: Path) -> str:
    """Inicio del nombre de los temporales de `atomic_output` para `target`."""
    return f"{TEMP_PREFIX}{target.stem}-"


#: Todo temporal de PEA empieza así (junto a su destino).
TEMP_PREFIX = ".~pea-"


def lock_path(target: str | Path) -> Path:
    """El candado de `OutputLock` para `target`."""
    return Path(str(target) + ".lock")


@contextlib.contextmanager
def atomic_output(target: str | Path) -> Iterator[Path]:
    """Da una ruta temporal junto al destino; al salir sin error la mueve al destino.

    Si el proceso muere o hay un error, el archivo anterior queda intacto y el temporal
    se borra (o queda como ``.~pea-*.tmp`` si el proceso fue terminado a la fuerza).
    """
    target = Path(target)
    fd, tmp = tempfile.mkstemp(prefix=temp_prefix(target), suffix=".tmp",
                               dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    _set_mode(tmp_path, target)
    try:
        yield tmp_path
        with open(tmp_path, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp_path, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp_path.unlink()


@contextlib.contextmanager
def atomic_outputs(targets: list[Path]) -> Iterator[list[Path]]:
    """Como `atomic_output`, para varios archivos que valen juntos (las exportaciones):
    todos los temporales junto a su destino; solo si todos se escribieron se mueven a su
    lugar. Ante cualquier error se borran y los archivos anteriores quedan como estaban."""
    temps: list[Path] = []
    try:
        for target in targets:
            fd, tmp = tempfile.mkstemp(prefix=temp_prefix(target), suffix=".tmp",
                                       dir=target.parent)
            os.close(fd)
            temps.append(Path(tmp))
            _set_mode(temps[-1], target)
        yield list(temps)
        for tmp in temps:
            with open(tmp, "rb+") as fh:
                os.fsync(fh.fileno())
        for tmp, target in zip(temps, targets, strict=True):
            os.replace(tmp, target)
    finally:
        for tmp in temps:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()


@contextlib.contextmanager
def temp_dir_next_to(target: Path) -> Iterator[Path]:
    """Una carpeta temporal junto a `target` (p. ej. para los archivos de trabajo de
    XlsxWriter en libros grandes, que si no irían a $TMPDIR), borrada al salir."""
    import shutil

    if target.name.startswith(TEMP_PREFIX) and target.suffix == ".tmp":
        path = target.with_suffix(".d")  # el temporal de `atomic_output` y su carpeta, pareja
        path.mkdir()
    else:
        path = Path(tempfile.mkdtemp(prefix=temp_prefix(target), suffix=".d", dir=target.parent))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def remove_stale_temps(target: Path) -> list[Path]:
    """Borra los temporales de `target` que dejó una corrida terminada a la fuerza (`kill -9`,
    corte de luz). Solo se llama con el candado de `target` tomado: ningún proceso vivo los
    usa. Nombres exactos de `tempfile` (8 caracteres), no los de otro archivo parecido."""
    import re
    import shutil

    pattern = re.compile(re.escape(temp_prefix(target)) + r"[a-z0-9_]{8}\.(tmp|d)")
    removed = []
    try:
        entries = list(os.scandir(target.parent))
    except OSError:
        return []
    for entry in entries:
        if pattern.fullmatch(entry.name):
            path = Path(entry.path)
            with contextlib.suppress(OSError):
                if entry.is_dir(follow_symlinks=False):
                    shutil.rmtree(path)
                else:
                    path.unlink()
                removed.append(path)
    return removed


def _set_mode(tmp: Path, target: Path) -> None:
    """Permisos del destino si existe; si no, los normales (0666 menos la umask)."""
    try:
        mode = target.stat().st_mode & 0o777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    with contextlib.suppress(OSError):
        os.chmod(tmp, mode)


class OutputLocked(Exception):
    """Otro proceso está escribiendo el mismo archivo de salida."""


class OutputLock:
    """Candado ``<salida>.lock`` con el PID del dueño; se ignora si ese proceso ya no existe."""

    def __init__(self, target: str | Path) -> None:
        self.path = lock_path(target)
        self._owned = False

    def __enter__(self) -> OutputLock:
        for _ in range(2):
            try:
                fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                if self._stale():
                    with contextlib.suppress(FileNotFoundError):
                        self.path.unlink()
                    continue
                raise OutputLocked(
                    f"Otro proceso está escribiendo «{self.path.with_suffix('')}» "
                    f"(candado {self.path}); espere a que termine.") from None
            with os.fdopen(fd, "w") as fh:
                fh.write(str(os.getpid()))
            self._owned = True
            return self
        raise OutputLocked(f"No se pudo tomar el candado {self.path}.")

    def _stale(self) -> bool:
        try:
            pid = int(self.path.read_text().strip() or "0")
        except (OSError, ValueError):
            return True
        if pid <= 0:
            return True
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        except PermissionError:
            return False
        return False

    def __exit__(self, *exc: object) -> None:
        if self._owned:
            with contextlib.suppress(FileNotFoundError):
                self.path.unlink()
