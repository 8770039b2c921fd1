"""Leer los bytes de un archivo de entrega una sola vez, con límites y sin tocarlo.

El archivo se abre solo para lectura y se lee completo a memoria: todo lo demás trabaja
sobre esos bytes, así que el resultado siempre corresponde a una sola versión del
archivo. Su tamaño y su fecha se toman del archivo abierto (``fstat`` del mismo
descriptor que da los bytes), no de una consulta aparte por su nombre: si alguien lo
reemplaza entre que se lista la carpeta y se lee, se informa lo que se leyó. Si su tamaño
o su fecha cambian mientras se lee (se está copiando todavía), o si no es un archivo
regular (una tubería, un dispositivo), no se lee.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from pea.config import Limits
from pea.reading.errors import UnreadableFile
from pea.reading.sniff import lock_file_message

_MB = 1024 * 1024

#: Mensaje en español para los errores del sistema al abrir o leer (``strerror`` viene en
#: el idioma del sistema, casi siempre inglés).
_OS_ERRORS = {
    errno.ENOENT: "El archivo ya no existe (lo movieron o borraron mientras se revisaba).",
    errno.ENOTDIR: "El archivo ya no existe (una carpeta de su ruta cambió).",
    errno.EACCES: "No hay permiso para leer el archivo; pida acceso a quien administra la "
                  "carpeta o cópielo a una carpeta propia.",
    errno.EPERM: "El sistema no permite leer el archivo; pida acceso a quien administra la "
                 "carpeta.",
    errno.ELOOP: "El acceso directo forma un ciclo (apunta a sí mismo).",
    errno.ENAMETOOLONG: "La ruta del archivo es demasiado larga para el sistema; muévalo a "
                        "una carpeta con una ruta más corta.",
    errno.EIO: "Error de lectura del disco o de la red; copie el archivo de nuevo.",
    errno.EBUSY: "Otro programa tiene el archivo en uso; ciérrelo y vuelva a intentarlo.",
    errno.EISDIR: "Es una carpeta, no un archivo.",
}


def os_error_message(exc: OSError) -> str:
    """El error del sistema `exc` dicho en español (sin el texto del sistema)."""
    known = _OS_ERRORS.get(exc.errno or -1)
    if known:
        return known
    code = errno.errorcode.get(exc.errno or -1, type(exc).__name__)
    return f"No se pudo leer el archivo (error del sistema {code})."


def _signature(st: os.stat_result) -> tuple[int, int]:
    return st.st_size, st.st_mtime_ns


def read_input(path: Path, limits: Limits) -> bytes:
    """Los bytes del archivo; `UnreadableFile` (mensaje en español) si no es legible con
    seguridad, también por un error del sistema (no existe, sin permiso)."""
    return read_input_stat(path, limits)[0]


def read_input_stat(path: Path, limits: Limits) -> tuple[bytes, os.stat_result]:
    """Como `read_input`, con el tamaño y la fecha del archivo que dio esos bytes."""
    try:
        return _read(path, limits)
    except OSError as exc:
        raise UnreadableFile(os_error_message(exc), kind="no_archivo") from None


def _read(path: Path, limits: Limits) -> tuple[bytes, os.stat_result]:
    if os.path.isdir(path):  # (en Windows, abrir una carpeta da «sin permiso»)
        raise UnreadableFile("Es una carpeta, no un archivo.", kind="no_archivo")
    # O_NONBLOCK: abrir una tubería (FIFO) no espera a que alguien escriba en ella
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    try:
        before = os.fstat(fd)
    except OSError:
        os.close(fd)
        raise
    if not stat.S_ISREG(before.st_mode):
        os.close(fd)
        if stat.S_ISDIR(before.st_mode):
            raise UnreadableFile("Es una carpeta, no un archivo.", kind="no_archivo")
        raise UnreadableFile("No es un archivo regular (es una tubería, un dispositivo u "
                             "otro objeto especial).", kind="no_archivo")
    limit = int(limits.tamano_archivo_mb * _MB)
    if before.st_size > limit:
        os.close(fd)
        raise UnreadableFile(
            f"El archivo pesa {before.st_size / _MB:,.0f} MB, más que el límite de "
            f"{limits.tamano_archivo_mb:g} MB («limites.tamano_archivo_mb»); revise que "
            "sea el plan correcto.", kind="limite")
    with open(fd, "rb") as fh:  # cierra el descriptor
        # un byte más que el tamaño declarado: así se nota si el archivo creció (leer
        # hasta el límite reservaba 50 MB por archivo: 0.02 s en 500 entregas pequeñas)
        data = fh.read(before.st_size + 1)
        after = os.fstat(fh.fileno())
    if len(data) > limit or len(data) != before.st_size or _signature(after) != _signature(before):
        raise UnreadableFile(
            "El archivo cambió mientras se leía (quizá todavía se está copiando o alguien lo "
            "está guardando); espere a que termine y vuelva a intentarlo.", kind="cambiando")
    lock = lock_file_message(path.name)
    if lock and not data.startswith(b"PK"):
        raise UnreadableFile(lock, kind="bloqueo")
    return data, after
