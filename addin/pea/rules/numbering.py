"""PEA-N: numeración jerárquica (eje 2 → objetivo 2.1 → estrategia 2.1.1) y claves."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from pea import layout as L
from pea.rules.context import Context
from pea.rules.registry import At, rule

_KEY = re.compile(r"^\s*\d+(?:\.\d+)*")
# «(?<!\S)»: al inicio o tras un espacio (igual que «(?:^|(?<=\s))», ~35 % más rápido)
_STEP = re.compile(r"(?<!\S)(\d{1,2})\s*(?:\.-|\.\s|\)|-\s|\.$)")


@rule("PEA-N01", "error", "Falta el número de eje, objetivo o estrategia",
      "Fila {fila}: «{campo}» debe iniciar con su número (p. ej. «2.1.1 …»).")
def n01(ctx: Context) -> Iterator[At]:
    for block in ctx.blocks:
        n = ctx.numbers(block)
        for key, num in (("eje", n.eje), ("objetivo", n.objetivo), ("estrategia", n.estrategia)):
            cell = block.fields.get(key)
            if cell is not None and not cell.is_blank and num is None:
                yield At.of(cell,
                          campo=L.BY_KEY[key].label)


@rule("PEA-N02", "error", "Objetivo de otro eje",
      "Fila {fila}: el objetivo {obj} no corresponde al eje {eje}.")
def n02(ctx: Context) -> Iterator[At]:
    for block in ctx.blocks:
        n = ctx.numbers(block)
        if n.objetivo_fuera_de_eje and ctx.eje_sound(block):
            cell = block.fields["objetivo"]
            yield At.of(cell, obj=n.objetivo, eje=n.eje)


@rule("PEA-N03", "error", "Estrategia de otro objetivo",
      "Fila {fila}: la estrategia {est} no corresponde al objetivo {obj}.")
def n03(ctx: Context) -> Iterator[At]:
    for block in ctx.blocks:
        n = ctx.numbers(block)
        if n.estrategia_fuera_de_objetivo and ctx.objetivo_sound(block):
            cell = block.fields["estrategia"]
            yield At.of(cell, est=n.estrategia,
                      obj=n.objetivo)


@rule("PEA-N04", "advertencia", "Programa o MIR sin clave numérica",
      "Fila {fila}: el elemento «{campo}» debe iniciar con su clave numérica (p. ej. «4.1 …»).")
def n04(ctx: Context) -> Iterator[At]:
    for block in ctx.blocks:
        for key in ("programa_presupuestario", "mir"):
            cell = block.fields.get(key)
            if cell is not None and not cell.is_blank and not _KEY.match(cell.text):
                yield At.of(cell,
                          campo=L.BY_KEY[key].label)


@lru_cache(maxsize=2048)
def step_numbers(text: str) -> tuple[int, ...]:
    """Números de los pasos «1.- … 2.- …» en el orden en que aparecen."""
    return tuple(int(m.group(1)) for m in _STEP.finditer(text))


@rule("PEA-N05", "advertencia", "Pasos sin numeración consecutiva",
      "Fila {fila}: los pasos a seguir deben numerarse de forma consecutiva (1.-, 2.-, …).")
def n05(ctx: Context) -> Iterator[At]:
    seen: set[str | None] = set()
    for block in ctx.blocks:
        cells = [block.fields.get("pasos")] + [ln.own.get("pasos") for ln in block.lines]
        for cell in cells:
            if cell is None or cell.is_blank or cell.address in seen:
                continue
            seen.add(cell.address)
            nums = step_numbers(cell.text)
            if nums and nums != tuple(range(1, len(nums) + 1)):
                yield At.of(cell)


