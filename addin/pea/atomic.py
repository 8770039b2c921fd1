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
    """Candado ``<salida>.lock``: quién lo tiene (equipo, proceso y cuándo arrancó ese
    proceso) en JSON.

    Se retoma solo si es de este mismo equipo (mismo nombre, mismo arranque y mismo
    espacio de procesos: un contenedor es otro equipo) y ese proceso ya no existe o el
    número lo tiene ahora otro proceso (arrancó en otro momento). Un candado de otro
    equipo o que no se puede leer nunca se retoma solo: desde aquí no se puede saber si
    su dueño sigue escribiendo en la carpeta compartida; el mensaje dice quién lo tiene y
    qué archivo borrar si de verdad quedó abandonado.
    """

    def __init__(self, target: str | Path) -> None:
        self.path = lock_path(target)
        self._owned = False

    def __enter__(self) -> OutputLock:
        import json

        for _ in range(2):
            try:
                fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                holder = _read_holder(self.path)
                if holder is not None and _is_stale(holder):
                    with contextlib.suppress(FileNotFoundError):
                        self.path.unlink()
                    continue
                raise OutputLocked(_locked_message(self.path, holder)) from None
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(json.dumps(_this_process(), ensure_ascii=False))
            self._owned = True
            return self
        raise OutputLocked(f"No se pudo tomar el candado «{self.path}»; vuelva a intentarlo.")

    def __exit__(self, *exc: object) -> None:
        if self._owned:
            with contextlib.suppress(FileNotFoundError):
                self.path.unlink()


def _host_identity() -> dict[str, str]:
    """Qué equipo es este: nombre, arranque del sistema y espacio de procesos (Linux)."""
    import socket

    out = {"equipo": socket.gethostname()}
    with contextlib.suppress(OSError):
        out["arranque"] = Path("/proc/sys/kernel/random/boot_id").read_text().strip()
    with contextlib.suppress(OSError):
        out["espacio"] = os.readlink("/proc/self/ns/pid")
    return out


def _process_start(pid: int) -> str | None:
    """Cuándo arrancó el proceso `pid` (una marca comparable), o None si no existe."""
    if os.name == "nt":
        return _process_start_windows(pid)
    try:
        stat = Path(f"/proc/{pid}/stat").read_bytes()
    except OSError:
        stat = b""
    if stat:  # el campo 22 (starttime), después del nombre entre paréntesis
        fields = stat[stat.rfind(b")") + 2:].split()
        return fields[19].decode() if len(fields) > 19 else ""
    try:  # sin /proc (macOS) o /proc que esconde procesos ajenos: solo si existe
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        pass
    return ""


def _process_start_windows(pid: int) -> str | None:  # pragma: no cover - solo Windows
    import ctypes
    from ctypes import wintypes

    kernel = ctypes.WinDLL("kernel32", use_last_error=True)  # type: ignore[attr-defined]
    handle = kernel.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
    if not handle:
        return None if ctypes.get_last_error() == 87 else ""  # 87: no existe; 5: ajeno
    try:
        code = wintypes.DWORD()
        if kernel.GetExitCodeProcess(handle, ctypes.byref(code)) and code.value != 259:
            return None  # ya terminó (259: STILL_ACTIVE)
        times = [wintypes.FILETIME() for _ in range(4)]
        if kernel.GetProcessTimes(handle, *(ctypes.byref(t) for t in times)):
            return str((times[0].dwHighDateTime << 32) | times[0].dwLowDateTime)
        return ""
    finally:
        kernel.CloseHandle(handle)


def _this_process() -> dict[str, object]:
    import datetime as dt

    pid = os.getpid()
    return {**_host_identity(), "pid": pid, "inicio": _process_start(pid) or "",
            "desde": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")}


def _read_holder(path: Path) -> dict[str, object] | None:
    """Lo que dice el candado, o None si no se puede leer (vacío, dañado, otro formato)."""
    import json

    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("pid"), int) \
            or isinstance(data.get("pid"), bool) or not isinstance(data.get("equipo"), str):
        return None
    if not 0 < data["pid"] < 2**31:  # un número así no es un proceso (os.kill se desborda)
        return None
    return data


def _is_stale(holder: dict[str, object]) -> bool:
    """¿El dueño del candado ya no corre? Solo se sabe si es de este mismo equipo."""
    here = _host_identity()
    if any(holder.get(k) != v for k, v in here.items()):
        return False  # otro equipo, otro contenedor o se reinició: no se puede saber aquí
    pid = holder["pid"]
    assert isinstance(pid, int)
    if pid <= 0:
        return True
    start = _process_start(pid)
    if start is None:
        return True  # ese proceso ya no existe
    recorded = holder.get("inicio")
    return bool(start and recorded and start != recorded)  # el número lo tiene otro proceso


def _locked_message(path: Path, holder: dict[str, object] | None) -> str:
    target = path.with_suffix("")
    if holder is None:
        who = f"el candado «{path}» existe pero no dice quién lo tiene (vacío o de otra versión)"
    else:
        when = holder.get("desde")
        who = (f"el candado «{path}» lo tiene el equipo «{holder.get('equipo')}», proceso "
               f"{holder.get('pid')}" + (f", desde {when}" if isinstance(when, str) else ""))
    return (f"Otro proceso está escribiendo «{target}»: {who}. Espere a que termine. Si está "
            f"seguro de que ya no corre (el equipo se apagó o el proceso se cerró a la fuerza), "
            f"borre el archivo «{path}» y vuelva a intentarlo.")
