"""El archivo de configuración de usuario de xlwings (``%USERPROFILE%\\.xlwings\\xlwings.conf``).

Formato: una clave por línea, ``"CLAVE","valor"``. Lo leen el módulo VBA de
xlwings (con ``Input #``, en la codificación ANSI de Windows) y Python
(`xlwings.utils.read_user_config`). El módulo VBA busca cada clave primero en la
hoja «xlwings.conf» del libro, luego en un ``xlwings.conf`` junto al libro y al
final en este archivo.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

ENCODING = "cp1252"  # VBA lee el archivo con la página de códigos ANSI
_LINE = re.compile(r'^\s*"([^"]*)"\s*,\s*"([^"]*)"\s*$')
#: Ruta fija del Python de PEA que usa la hoja «xlwings.conf» de la plantilla.
STANDARD_VENV = r"%LOCALAPPDATA%\PEA\venv"


def user_config_path() -> Path:
    """Dónde buscan xlwings (VBA y Python) la configuración del usuario."""
    home = os.environ.get("USERPROFILE") if sys.platform.startswith("win") else None
    return Path(home or Path.home()) / ".xlwings" / "xlwings.conf"


def read(path: Path) -> list[tuple[str, str]]:
    """Pares (clave, valor) en el orden del archivo; vacío si no existe."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return []
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode(ENCODING, errors="replace")
    out = []
    for line in text.splitlines():
        m = _LINE.match(line)
        if m:
            out.append((m.group(1), m.group(2)))
    return out


def merge(current: list[tuple[str, str]], updates: dict[str, str | None]
          ) -> tuple[list[tuple[str, str]], list[str]]:
    """Aplica los cambios (None borra la clave); devuelve el resultado y lo que cambió."""
    wanted = {k.upper(): (k, v) for k, v in updates.items()}
    out: list[tuple[str, str]] = []
    changes: list[str] = []
    done: set[str] = set()
    for key, value in current:
        up = key.upper()
        if up not in wanted:
            out.append((key, value))
            continue
        if up in done:
            changes.append(f"se quitó la clave repetida {key}")
            continue
        done.add(up)
        new_key, new_value = wanted[up]
        if new_value is None:
            changes.append(f"se quitó {key} (valía «{value}»)")
        elif new_value != value:
            out.append((new_key, new_value))
            changes.append(f"{new_key}: «{value}» → «{new_value}»")
        else:
            out.append((new_key, new_value))
    for up, (key, value) in wanted.items():
        if up not in done and value is not None:
            out.append((key, value))
            changes.append(f"{key} = «{value}» (nueva)")
    return out, changes


def render(pairs: list[tuple[str, str]]) -> bytes:
    """Contenido del archivo; lanza UnicodeEncodeError si algo no cabe en ANSI."""
    for key, value in pairs:
        if '"' in key or '"' in value:
            raise ValueError(f"la clave {key} no puede llevar comillas dobles")
    return "".join(f'"{k}","{v}"\r\n' for k, v in pairs).encode(ENCODING)


def write(path: Path, pairs: list[tuple[str, str]]) -> None:
    """Escritura atómica (nunca queda un archivo a medias)."""
    from pea.atomic import atomic_output

    data = render(pairs)
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_output(path) as tmp:
        tmp.write_bytes(data)


def expand(value: str) -> str:
    """Sustituye %VARIABLE% como lo hace el módulo VBA."""
    return re.sub(r"%([^%]+)%", lambda m: os.environ.get(m.group(1), m.group(0)), value)
