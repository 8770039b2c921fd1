"""Correr `pea` como lo haría una persona (otro proceso) y comprobar que nada cambió."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

#: `pea` sin depender del PATH: el mismo intérprete que corre las pruebas.
PEA = [sys.executable, "-c", "from pea.cli.app import main; main()"]


def run_pea(*args: str | Path, cwd: Path | None = None, timeout: float = 180,
            env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """`pea ARGS…` en otro proceso; texto UTF-8; sin entrada estándar."""
    full_env = {**os.environ, "COLUMNS": "120", "PYTHONIOENCODING": "utf-8", **(env or {})}
    return subprocess.run([*PEA, *map(str, args)], cwd=cwd, capture_output=True, text=True,
                          encoding="utf-8", errors="replace", timeout=timeout,
                          stdin=subprocess.DEVNULL, env=full_env)


def tree_hashes(folder: Path) -> dict[str, str]:
    """sha256 de cada archivo bajo `folder` (ruta relativa → huella)."""
    out = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            out[path.relative_to(folder).as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def consolidar_available() -> bool:
    """¿Existe ya el comando `pea consolidar`?"""
    try:
        return run_pea("consolidar", "--help", timeout=60).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False
