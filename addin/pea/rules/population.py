"""PEA-P: población potencial y objetivo (objetivo ⊆ potencial ⊆ municipio)."""

from __future__ import annotations

from collections.abc import Iterator

from pea.rules.context import Context
from pea.rules.registry import At, rule
from pea.values import fmt_int, is_people, same_unit

_TIPO = {"poblacion_potencial": "potencial", "poblacion_objetivo": "objetivo"}


@rule("PEA-P01", "advertencia", "Población sin cuantificar",
      "Fila {fila}: la población {tipo} no está cuantificada (incluya una cifra, p. ej. "
      "«270,955 habitantes»).")
def p01(ctx: Context) -> Iterator[At]:
    for block in ctx.blocks:
        for key, tipo in _TIPO.items():
            cell = block.fields.get(key)
            pop = ctx.population(cell)
            if pop is not None and pop.number is None:
                yield At.of(cell, tipo=tipo)  # type: ignore[union-attr]


@rule("PEA-P02", "error", "Población objetivo mayor que la potencial",
      "Fila {fila}: la población objetivo ({po}) no puede ser mayor que la población "
      "potencial ({pp}).")
def p02(ctx: Context) -> Iterator[At]:
    for block in ctx.blocks:
        pot_cell, obj_cell = block.fields.get("poblacion_potencial"), block.fields.get("poblacion_objetivo")
        pot, obj = ctx.population(pot_cell), ctx.population(obj_cell)
        if pot is None or obj is None or pot.number is None or obj.number is None:
            continue
        if not same_unit(pot.unit, obj.unit):
            continue  # unidades distintas: PEA-P03, no se comparan cifras
        if obj.number > pot.number:
            yield At.of(obj_cell,  # type: ignore[union-attr]
                      po=fmt_int(obj.number), pp=fmt_int(pot.number))


@rule("PEA-P03", "advertencia", "Unidades de población distintas",
      "Fila {fila}: la población potencial y la objetivo usan unidades distintas («{u1}» / «{u2}»).")
def p03(ctx: Context) -> Iterator[At]:
    for block in ctx.blocks:
        pot_cell, obj_cell = block.fields.get("poblacion_potencial"), block.fields.get("poblacion_objetivo")
        pot, obj = ctx.population(pot_cell), ctx.population(obj_cell)
        if pot is None or obj is None or same_unit(pot.unit, obj.unit):
            continue
        yield At.of(obj_cell,  # type: ignore[union-attr]
                  u1=pot.unit.lower(), u2=obj.unit.lower())


@rule("PEA-P04", "advertencia", "Población potencial mayor que la del municipio",
      "Fila {fila}: la población potencial ({pp}) excede la población total del municipio ({pm}).")
def p04(ctx: Context) -> Iterator[At]:
    total = ctx.params.poblacion_municipal
    if not total:
        return
    for block in ctx.blocks:
        cell = block.fields.get("poblacion_potencial")
        pot = ctx.population(cell)
        if pot is not None and pot.number is not None and is_people(pot.unit) and pot.number > total:
            yield At.of(cell,  # type: ignore[union-attr]
                      pp=fmt_int(pot.number), pm=fmt_int(total))


@rule("PEA-P05", "info", "Población con varias cifras",
      "Fila {fila}: la población {tipo} contiene varias cifras; se tomó {n}.")
def p05(ctx: Context) -> Iterator[At]:
    for block in ctx.blocks:
        for key, tipo in _TIPO.items():
            cell = block.fields.get(key)
            pop = ctx.population(cell)
            if pop is not None and pop.number is not None and pop.count > 1:
                yield At.of(cell, tipo=tipo,  # type: ignore[union-attr]
                          n=fmt_int(pop.number))
