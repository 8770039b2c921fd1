"""Del plan leído a lo que el maestro necesita: una `MasterLine` por línea de meta.

Cada línea tiene fila, tipo y las 20 columnas oficiales en el orden de layout: textos del
bloque ya heredados (las continuaciones repiten eje, objetivo, …), marcas como «X»,
trimestres como fracción (0.42 = 42 %). Un valor que no se pudo interpretar se conserva
tal cual (texto) para no perder nada; su hallazgo está en «Observaciones».
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pea import layout as L
from pea.cell_text import CELL_MAX, utf16_len
from pea.consolidate.cells import as_text, fits
from pea.consolidate.outcome import MasterLine, line_keys
from pea.rules.context import Context

_HUNDRED = Decimal(100)


__all__ = ["CELL_MAX", "plan_lines"]  # CELL_MAX: unidades UTF-16 que caben en una celda


def plan_lines(ctx: Context, too_long: list[tuple[int, str, int]] | None = None
               ) -> list[MasterLine]:
    """Las líneas de meta de `ctx.plan`, en el orden del archivo, con las interpretaciones
    que ya hicieron las reglas (`validation.Validated.ctx`).

    `too_long` recibe (fila, columna, caracteres) de cada texto que no cabe en una celda de
    Excel (solo pasa con exportaciones de texto): el maestro lo recorta y el aviso lo dice.
    """
    plan = ctx.plan
    out: list[MasterLine] = []
    block_texts: dict[str, str | None] = {}
    current = None
    keys: tuple[str | None, str | None, str] | None = None  # eje, estrategia y Pp del bloque
    for block, line in plan.lines:
        if block is not current:  # los textos del bloque, una vez por bloque
            current = block
            block_texts = {k: c.text.strip() or None for k, c in block.fields.items()}
            if too_long is not None:
                too_long.extend((block.fields[k].row or block.row, L.BY_KEY[k].label, utf16_len(t))
                                for k, t in block_texts.items() if t and utf16_len(t) > CELL_MAX)
            keys = None  # se calculan con la primera línea del bloque
        q = ctx.quarters(line)
        marks = ctx.marks(line)
        row: list[Any] = []
        for col in L.COLUMNS:
            key = col.key
            if col.kind == "mark":
                ok = marks.get(key, False)
                if ok is None:
                    row.append(line.marks[key].text.strip() or None)
                else:
                    row.append("X" if ok else None)
            elif col.kind == "percent":
                value = float(q.values[key] / _HUNDRED) if key in q.values else None
                if value is not None and fits(value):
                    row.append(value)
                else:  # sin número, o uno que Excel no guarda (1e308 %): el texto de la celda
                    cell = line.quarters.get(key)
                    if cell is not None and type(cell.value) is float:
                        row.append(as_text(cell.value))  # «1e+308», no 309 cifras
                    else:
                        row.append(cell.text.strip() or None if cell is not None else None)
            else:
                own = line.own.get(key)
                if own is not None:
                    text = own.text.strip() or None
                    if too_long is not None and text and utf16_len(text) > CELL_MAX:
                        too_long.append((line.row, col.label, utf16_len(text)))
                    row.append(text)
                else:
                    row.append(block_texts.get(key))
        values = tuple(row)
        if keys is None:  # eje, estrategia y programa son del bloque (no son propios)
            keys = line_keys(values)
        out.append(MasterLine(line.row, line.kind, values, *keys))
    return out
