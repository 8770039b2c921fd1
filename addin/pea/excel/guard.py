"""Cada botón termina en un mensaje en español y, si algo falla, en el registro de PEA.

Ninguna excepción sale del proceso: si saliera, xlwings mostraría su propio cuadro
con la traza de Python en inglés. El registro está en
``%LOCALAPPDATA%\\PEA\\pea.log`` (o ``~/.pea/pea.log`` fuera de Windows).
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

TITLE = "PEA"
LOG_LIMIT = 1_000_000  # bytes; al pasarlo se guarda como pea.log.1 y se empieza otro


class UserError(Exception):
    """Un problema esperado, con su mensaje en español para la persona."""


def log_dir() -> Path:
    """Carpeta de datos locales de PEA del usuario."""
    base = os.environ.get("LOCALAPPDATA")
    return Path(base) / "PEA" if base else Path.home() / ".pea"


def log_path() -> Path:
    return log_dir() / "pea.log"


def write_log(text: str) -> Path | None:
    """Agrega una entrada al registro; nunca falla (devuelve None si no pudo escribir)."""
    path = log_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists() and path.stat().st_size > LOG_LIMIT:
            os.replace(path, path.with_name(path.name + ".1"))
        stamp = dt.datetime.now().isoformat(timespec="seconds")
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(f"[{stamp}] {text.rstrip()}\n")
        return path
    except OSError:
        return None


def _context() -> str:
    from pea import __version__

    args = " ".join(a for a in sys.argv[1:] if not a.startswith("--app="))
    return (f"pea {__version__} · Python {sys.version.split()[0]} · {sys.executable} · "
            f"argumentos: {args or '(ninguno)'}")


def explain(action: str, exc: BaseException, log: Path | None) -> str:
    """Mensaje en español: qué pasó y qué hacer."""
    where = f"\n\nDetalle técnico en el registro:\n{log}" if log else ""
    name = type(exc).__name__
    if name == "com_error":
        what = ("Excel no respondió a tiempo o está ocupado (por ejemplo, hay una celda en "
                "edición o un cuadro de diálogo abierto).")
        todo = "Termine de editar la celda (Enter o Esc), cierre los cuadros abiertos y vuelva a intentar."
    elif isinstance(exc, MemoryError):
        what = "El equipo se quedó sin memoria."
        todo = "Cierre otros programas o libros y vuelva a intentar."
    else:
        what = f"Ocurrió un error inesperado ({name}: {exc})."
        todo = ("Guarde el libro, ciérrelo, vuelva a abrirlo e intente de nuevo. Si se repite, "
                "presione «Diagnóstico» y envíe a soporte el resultado y el archivo de registro.")
    return f"No se pudo {action}.\n\n{what}\n\nQué hacer: {todo}{where}"


def no_book_message(exc: BaseException, log: Path | None) -> str:
    where = f"\n\nDetalle técnico en el registro:\n{log}" if log else ""
    return ("PEA no pudo conectarse con el libro de Excel que presionó el botón "
            f"({type(exc).__name__}: {exc}).\n\nQué hacer: si tiene abiertos dos libros con el "
            "mismo nombre (aunque estén en carpetas distintas), cierre uno de ellos. Guarde el "
            "libro, ciérrelo, vuelva a abrirlo y presione el botón otra vez." + where)


def system_alert(text: str) -> None:
    """Mensaje sin Excel: cuadro de Windows o, fuera de Windows, la salida de errores."""
    if sys.platform.startswith("win"):
        try:
            import ctypes

            ctypes.windll.user32.MessageBoxW(0, text, TITLE, 0x10 | 0x40000)  # error, encima
            return
        except Exception:  # pragma: no cover - solo Windows
            pass
    print(text, file=sys.stderr)


def run(action: str, func: Callable[[Any], None]) -> None:
    """Ejecuta la acción de un botón sobre el libro que la llamó, sin dejar escapar errores."""
    from pea.excel import xl_api as X

    try:
        book = X.caller_book()
    except Exception as exc:
        log = write_log(f"{action}: sin libro\n{traceback.format_exc()}{_context()}")
        system_alert(no_book_message(exc, log))
        return
    start = time.perf_counter()
    try:
        func(book)
        write_log(f"{action}: listo en {time.perf_counter() - start:.2f} s")
    except UserError as exc:
        write_log(f"{action}: {exc}\n{_context()}")
        _alert(book, str(exc))
    except BaseException as exc:  # nada debe llegar a xlwings (ni SystemExit)
        log = write_log(f"{action}: error\n{traceback.format_exc()}{_context()}")
        _alert(book, explain(action, exc, log))


def _alert(book: Any, text: str) -> None:
    from pea.excel import xl_api as X

    try:
        X.alert(book, text, TITLE, critical=True)
    except Exception:
        system_alert(text)
