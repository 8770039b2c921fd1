"""Nombres de archivo seguros derivados de textos del usuario (p. ej. la dependencia)."""

from __future__ import annotations

import re
import unicodedata

_RESERVED = frozenset({"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)),
                       *(f"LPT{i}" for i in range(1, 10))})


def safe_filename(text: str, max_length: int = 60) -> str:
    """ASCII, sin separadores de ruta ni caracteres reservados de Windows: «tesoreria_municipal»."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^A-Za-z0-9]+", "_", ascii_text).strip("_.").lower()[:max_length].strip("_")
    if not slug or slug.upper() in _RESERVED:
        slug = f"plan_{slug}" if slug else "plan"
    return slug
