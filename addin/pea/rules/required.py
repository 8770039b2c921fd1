"""PEA-R: campos obligatorios de cada fila principal y programación de cada línea."""

from __future__ import annotations

from collections.abc import Iterator

from pea import layout as L
from pea.rules.context import Context
from pea.rules.registry import At, rule


@rule("PEA-R01", "error", "Campo obligatorio vacío",
      "Fila {fila}: el campo «{campo}» es obligatorio.")
def r01(ctx: Context) -> Iterator[At]:
    for block in ctx.blocks:
        for key in L.REQUIRED_KEYS:
            cell = block.fields.get(key)
            if key not in ctx.plan.columns or cell is None:
                continue  # columna no mapeada: ya es PEA-E02
            if cell.is_blank:
                row = cell.row or block.row
                yield At(f"{cell.col}{row}", row,
                          campo=L.BY_KEY[key].label)


@rule("PEA-R02", "error", "Meta sin programación trimestral",
      "Fila {fila}: falta la programación trimestral de la meta (1° a 4° trimestre).",
      variants={"formula": "Fila {fila}: los trimestres tienen fórmulas sin valor calculado; "
                           "abra el libro en Excel, guárdelo y vuelva a enviarlo."})
def r02(ctx: Context) -> Iterator[At]:
    for _block, line in ctx.lines:
        if line.quarters and all(c.is_blank for c in line.quarters.values()):
            cell = f"{ctx.col('t1')}{line.row}"
            formula = any(c.formula for c in line.quarters.values())
            yield At(cell, line.row, variant="formula" if formula else "")
