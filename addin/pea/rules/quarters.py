"""PEA-Q: programación trimestral (porcentaje de la meta en cada trimestre).

Primero el tipo de cada celda (Q01, Q08), luego las reglas cruzadas con las celdas que
sí convirtieron; una misma causa no se reporta dos veces.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from decimal import Decimal

from pea import layout as L
from pea.rules.context import Context, Quarters
from pea.rules.registry import At, rule
from pea.values import fmt_number

_ZERO = Decimal(0)
_HUNDRED = Decimal(100)


def _out_of_range(q: Quarters) -> bool:
    return any(v < _ZERO or v > _HUNDRED for v in q.values.values())


def _cumulative(q: Quarters) -> bool:
    if not q.complete:
        return False
    v = [q.values[k] for k in L.QUARTER_KEYS]
    return all(a <= b for a, b in itertools.pairwise(v)) and v[-1] == _HUNDRED and sum(v) > _HUNDRED


def _all_zero(q: Quarters) -> bool:
    return q.complete and all(v == _ZERO for v in q.values.values())


@rule("PEA-Q01", "error", "Trimestre no numérico",
      "Fila {fila}, {col}: «{valor}» no es un porcentaje válido.")
def q01(ctx: Context) -> Iterator[At]:
    for _b, line, q in ctx.scheduled_lines:
        for k in q.invalid:
            cell = line.quarters[k]
            yield At(cell.address, line.row,
                      col=ctx.quarter_label(k), valor=cell.text)


@rule("PEA-Q02", "error", "Trimestre fuera de 0–100",
      "Fila {fila}, {col}: el porcentaje debe estar entre 0 % y 100 %.")
def q02(ctx: Context) -> Iterator[At]:
    for _b, line, q in ctx.scheduled_lines:
        for k, v in q.values.items():
            if v < _ZERO or v > _HUNDRED:
                yield At(line.quarters[k].address, line.row,
                          col=ctx.quarter_label(k))


@rule("PEA-Q03", "error", "La programación no suma 100 %",
      "Fila {fila}: la programación trimestral suma {suma} %; debe sumar 100 %.")
def q03(ctx: Context) -> Iterator[At]:
    tol = ctx.params.tolerancia_suma
    for _b, line, q in ctx.scheduled_lines:
        if not q.complete or _out_of_range(q) or _cumulative(q) or _all_zero(q):
            continue
        total = sum(q.values.values(), _ZERO)
        if abs(total - _HUNDRED) > tol:
            yield At(f"{ctx.col('t1')}{line.row}", line.row,
                      suma=fmt_number(total))


@rule("PEA-Q04", "advertencia", "Trimestre después del término de la administración",
      "Fila {fila}: el {n}° trimestre inicia después del término de la administración "
      "({fecha}); su programación debe ser 0 %.")
def q04(ctx: Context) -> Iterator[At]:
    fecha = ctx.params.fecha_fin_administracion.strftime("%d/%m/%Y")
    for _b, line, q in ctx.scheduled_lines:
        if _cumulative(q):
            continue
        for k, allowed in ctx.allowed_quarters.items():
            v = q.values.get(k)
            if not allowed and v is not None and v > _ZERO:
                yield At(line.quarters[k].address, line.row,
                          n=k[1], fecha=fecha)


@rule("PEA-Q05", "error", "Programación acumulada",
      "Fila {fila}: la programación parece acumulada ({q1}/{q2}/{q3}/{q4}); capture el "
      "porcentaje de cada trimestre, no el acumulado.")
def q05(ctx: Context) -> Iterator[At]:
    for _b, line, q in ctx.scheduled_lines:
        if _cumulative(q):
            v = {f"q{k[1]}": fmt_number(q.values[k]) for k in L.QUARTER_KEYS}
            yield At(f"{ctx.col('t1')}{line.row}", line.row, **v)


@rule("PEA-Q06", "error", "Meta sin avance programado",
      "Fila {fila}: la meta no tiene avance programado en ningún trimestre.")
def q06(ctx: Context) -> Iterator[At]:
    for _b, line, q in ctx.scheduled_lines:
        if _all_zero(q):
            yield At(f"{ctx.col('t1')}{line.row}", line.row)


@rule("PEA-Q07", "info", "Porcentajes capturados como fracción",
      "Fila {fila}: los porcentajes se capturaron como fracción y se convirtieron a escala 0–100.")
def q07(ctx: Context) -> Iterator[At]:
    for _b, line, q in ctx.scheduled_lines:
        if q.fraction:
            yield At(f"{ctx.col('t1')}{line.row}", line.row)


@rule("PEA-Q08", "error", "Trimestre en blanco",
      "Fila {fila}, {col}: falta el porcentaje del trimestre (capture 0 % si no hay avance "
      "programado).",
      variants={"formula": "Fila {fila}, {col}: la celda tiene una fórmula sin valor "
                           "calculado; abra el libro en Excel, guárdelo y vuelva a enviarlo."})
def q08(ctx: Context) -> Iterator[At]:
    for _b, line, q in ctx.scheduled_lines:
        for k in q.blank:
            cell = line.quarters[k]
            yield At(cell.address, line.row, variant="formula" if cell.formula else "",
                     col=ctx.quarter_label(k))
