"""PEA-T: higiene del texto (espacios invisibles, MAYÚSCULAS, mala codificación)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from pea.rules.context import Context
from pea.rules.registry import At, rule

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b\ufeff]")
_ASCII_LOWER = bytes(range(ord("a"), ord("z") + 1))
_MOJIBAKE = re.compile(r"Ã[\x80-\xbf¡-ÿ]|Â[°ª º¿¡«»]|â€[\x80-\xbf™œ\"'“”˜]|\ufffd")
_MOJIBAKE_LEADS = ("Ã", "Â", "â", "\ufffd")  # toda coincidencia empieza con uno de estos


class _TextFlags:
    """Lo que T01, T02 y T03 ven en un texto, calculado una vez por texto distinto.

    Los textos se repiten mucho entre planes (eje, objetivo, estrategia, programa,
    responsable): el resultado se guarda por proceso, con tope de entradas.
    """

    __slots__ = ("extra_spaces", "fragment", "upper")

    def __init__(self, v: str) -> None:
        # los caracteres de control, el espacio duro y los invisibles no son «imprimibles»:
        # isprintable (en C) descarta casi todos los textos antes de la expresión regular
        self.extra_spaces = bool(v != v.strip(" \t\r\n") or "  " in v or (
            not v.isprintable() and ("\u00a0" in v or _CONTROL.search(v))))
        self.upper = _all_caps(v)
        m = _MOJIBAKE.search(v) if any(ch in v for ch in _MOJIBAKE_LEADS) else None
        self.fragment = v[max(0, m.start() - 8):m.end() + 8].strip() if m else None


_flags = lru_cache(maxsize=2048)(_TextFlags)  # tope: los textos únicos no se acumulan


def _all_caps(v: str) -> bool:
    """¿Más de 20 letras y al menos el 90 % mayúsculas?"""
    # descarte rápido (en C): si ya un tramo inicial tiene más minúsculas que el 10 % del
    # largo total, las mayúsculas no pueden ser el 90 % de las letras (se cuentan solo las
    # minúsculas sin acento: son menos, así que el descarte nunca es de más)
    head = v[: max(64, len(v) // 4)].encode("ascii", "ignore")
    if len(head) - len(head.translate(None, _ASCII_LOWER)) > 0.1 * len(v):
        return False
    letters = [ch for ch in v if ch.isalpha()]
    return len(letters) > 20 and sum(ch.isupper() for ch in letters) >= 0.9 * len(letters)


@rule("PEA-T01", "advertencia", "Espacios sobrantes o caracteres invisibles",
      "Celda {celda}: contiene espacios sobrantes o caracteres invisibles.")
def t01(ctx: Context) -> Iterator[At]:
    for _name, cell in ctx.text_cells:
        if _flags(cell.value).extra_spaces:
            yield At.of(cell, celda=cell.address)


@rule("PEA-T02", "info", "Texto en mayúsculas",
      "Celda {celda}: el texto está completamente en mayúsculas; se recomienda usar mayúsculas "
      "y minúsculas.")
def t02(ctx: Context) -> Iterator[At]:
    for name, cell in ctx.text_cells:
        if name != "firma" and _flags(cell.value).upper:
            yield At.of(cell, celda=cell.address)


@rule("PEA-T03", "advertencia", "Caracteres mal codificados",
      "Celda {celda}: el texto tiene caracteres mal codificados («{fragmento}»).")
def t03(ctx: Context) -> Iterator[At]:
    for _name, cell in ctx.text_cells:
        frag = _flags(cell.value).fragment
        if frag is not None:
            yield At.of(cell, celda=cell.address, fragmento=frag)
