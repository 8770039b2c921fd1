"""Motivos de los errores del sistema de archivos, en español (``strerror`` viene en inglés:
«Permission denied», «Is a directory»)."""
from __future__ import annotations

import errno

_REASONS = {
    errno.ENOSPC: "el disco está lleno",
    errno.EROFS: "el disco es de solo lectura",
    errno.EACCES: "sin permiso",
    errno.EPERM: "sin permiso",
    errno.EDQUOT: "se acabó la cuota de disco",
    errno.ENOENT: "no existe",
    errno.ENOTDIR: "una parte de la ruta no es una carpeta",
    errno.EISDIR: "es una carpeta, no un archivo",
    errno.ENAMETOOLONG: "el nombre o la ruta es demasiado largo",
    errno.EIO: "error de lectura o escritura del disco",
    errno.EBUSY: "está en uso",
    errno.ETXTBSY: "está en uso",
    errno.ELOOP: "la ruta tiene demasiados vínculos simbólicos",
    errno.EMFILE: "demasiados archivos abiertos",
    errno.ENFILE: "demasiados archivos abiertos",
    errno.EFBIG: "el archivo es demasiado grande",
    errno.EEXIST: "ya existe",
    errno.ENOTEMPTY: "la carpeta no está vacía",
    errno.EXDEV: "está en otro disco",
    errno.EINVAL: "nombre o ruta no válidos",
}


def os_reason(exc: BaseException) -> str:
    """El motivo de un error del disco, en español; sin el texto en inglés de ``strerror``."""
    code = getattr(exc, "errno", None)
    if isinstance(code, int):
        return _REASONS.get(code) or f"error {code} del sistema"
    return "error del sistema de archivos"
