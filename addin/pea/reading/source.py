"""Leer los bytes de un archivo de entrega una sola vez, con límites y sin tocarlo.

El archivo se abre solo para lectura y se lee completo a memoria: todo lo demás trabaja
sobre esos bytes, así que el resultado siempre corresponde a una sola versión del
archivo. Si su tamaño o su fecha cambian mientras se lee (se está copiando todavía), o
si no es un archivo regular (una tubería, un dispositivo), no se lee.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from pea.config import Limits
from pea.reading.errors import UnreadableFile
from pea.reading.sniff import lock_file_message

_MB = 1024 * 1024


def _signature(st: os.stat_result) -> tuple[int, int]:
    return st.st_size, st.st_mtime_ns


def read_input(path: Path, limits: Limits) -> bytes:
    """Los bytes del archivo; `UnreadableFile` si no es legible con seguridad.

    Los errores del sistema (no existe, sin permiso) se propagan como `OSError`.
    """
    before = path.stat()
    if stat.S_ISDIR(before.st_mode):
        raise UnreadableFile("Es una carpeta, no un archivo.", motivo="no_archivo")
    if not stat.S_ISREG(before.st_mode):
        raise UnreadableFile("No es un archivo regular (es una tubería, un dispositivo u "
                             "otro objeto especial).", motivo="no_archivo")
    limit = int(limits.tamano_archivo_mb * _MB)
    if before.st_size > limit:
        raise UnreadableFile(
            f"El archivo pesa {before.st_size / _MB:,.0f} MB, más que el límite de "
            f"{limits.tamano_archivo_mb:g} MB («limites.tamano_archivo_mb»); revise que sea "
            "el plan correcto.", motivo="limite")
    with open(path, "rb") as fh:
        data = fh.read(limit + 1)
    after = path.stat()
    if len(data) > limit or len(data) != before.st_size or _signature(after) != _signature(before):
        raise UnreadableFile(
            "El archivo cambió mientras se leía (quizá todavía se está copiando o alguien lo "
            "está guardando); espere a que termine y vuelva a intentarlo.", motivo="cambiando")
    lock = lock_file_message(path.name)
    if lock and not data.startswith(b"PK"):
        raise UnreadableFile(lock, motivo="bloqueo")
    return data
