"""Normalización de texto para comparar (no para reportar) y lectura de numeraciones."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from difflib import SequenceMatcher
from functools import lru_cache

_WS = re.compile(r"\s+")

EJE_NUM = re.compile(r"^\s*(\d+)\s*[.)\-]*\s+")
OBJETIVO_NUM = re.compile(r"^\s*(\d+\.\d+)\.?\s*[)\-]?\s+")
ESTRATEGIA_NUM = re.compile(r"^\s*(\d+\.\d+\.\d+)\.?\s*[)\-]?\s+")
CLAVE_NUM = re.compile(r"^\s*(\d+(?:\.\d+)*)\.?\s*[)\-]?\s*")


#: Marcas combinantes ya vistas (código → None), para quitarlas con `str.translate`.
_COMBINING: dict[int, None] = {}
_CHECKED: set[str] = set()


@lru_cache(maxsize=4096)
def fold(text: str) -> str:
    """Mayúsculas, sin acentos, espacios colapsados: para comparar textos."""
    text = text.replace("\u00a0", " ")
    decomposed = unicodedata.normalize("NFKD", text)
    if not decomposed.isascii():
        for ch in set(decomposed) - _CHECKED:  # cada carácter se revisa una sola vez
            _CHECKED.add(ch)
            if unicodedata.combining(ch):
                _COMBINING[ord(ch)] = None
        decomposed = decomposed.translate(_COMBINING)
    return _WS.sub(" ", decomposed).strip().upper()


@lru_cache(maxsize=4096)
def dependencia_key(name: str) -> str:
    """Clave con la que se comparan nombres de dependencia (PEA-X01, la Ventanilla).

    Además de `fold` (mayúsculas, sin acentos, espacios colapsados), quita los caracteres
    que no se ven — de formato (categoría Cf: espacio de ancho cero, marcas de dirección,
    guion suave, BOM), de control, marcas combinantes y sustitutos — y toma como espacio
    cualquier separador Unicode (NBSP, espacio ideográfico, separador de línea…). Así
    «Tesorería\u200b Municipal» y «TESORERIA MUNICIPAL.» son la misma dependencia.
    """
    out = []
    for ch in unicodedata.normalize("NFKD", name):
        if ch.isspace():
            out.append(" ")
            continue
        cat = unicodedata.category(ch)
        if cat[0] == "Z":
            out.append(" ")
        elif cat[0] != "M" and cat not in ("Cf", "Cc", "Cs", "Co", "Cn"):
            out.append(ch)
    return fold("".join(out)).rstrip(". ")


def same_dependencia(a: str | None, b: str | None) -> bool:
    """¿Es la misma dependencia? Como la compara PEA-X01 (vacío nunca es igual a nada)."""
    if not a or not b:
        return False
    ka, kb = dependencia_key(a), dependencia_key(b)
    return bool(ka) and ka == kb


@lru_cache(maxsize=2048)
def leading_number(text: str, pattern: re.Pattern[str]) -> str | None:
    m = pattern.match(text)
    return m.group(1) if m else None


@lru_cache(maxsize=2048)
def strip_number(text: str) -> str:
    """El texto sin su clave numérica inicial («2.1.1 Otorgar…» → «Otorgar…»)."""
    return CLAVE_NUM.sub("", text, count=1).strip()


def ratio(a: str, b: str) -> float:
    """Semejanza 0–1 entre dos textos ya normalizados (difflib, con atajos)."""
    if a == b:
        return 1.0
    if not a or not b:
        return 0.0
    m = SequenceMatcher(None, a, b, autojunk=False)
    if m.real_quick_ratio() < 0.5:
        return m.real_quick_ratio()
    if m.quick_ratio() < 0.5:
        return m.quick_ratio()
    return m.ratio()


def similar(a: str, b: str, threshold: float) -> bool:
    """¿Semejanza ≥ umbral? Evita el cálculo completo cuando la cota ya lo descarta.

    Las dos cotas son las de difflib (`real_quick_ratio` y `quick_ratio`) calculadas sin
    construir el `SequenceMatcher`, que es lo caro; el resultado es el mismo.
    """
    if a == b:
        return True
    if not a or not b:
        return False
    total = len(a) + len(b)
    if 2.0 * min(len(a), len(b)) / total < threshold:  # real_quick_ratio
        return False
    return _similar_full(a, b, threshold)


@lru_cache(maxsize=4096)
def _similar_full(a: str, b: str, threshold: float) -> bool:
    common = sum((Counter(a) & Counter(b)).values())  # quick_ratio, en C
    if 2.0 * common / (len(a) + len(b)) < threshold:
        return False
    return SequenceMatcher(None, a, b, autojunk=False).ratio() >= threshold
