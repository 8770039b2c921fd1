"""Errores de lectura: siempre con un mensaje en español que la persona puede atender."""

from __future__ import annotations


class UnreadableFile(Exception):
    """El archivo no se puede leer como plan (regla PEA-E00)."""

    def __init__(self, message: str, *, kind: str = "ilegible") -> None:
        super().__init__(message)
        self.message = message
        self.kind = kind  # clave breve: vacio, no_excel, xls, ods, cifrado, danado, limite…
