"""PEA-I, PEA-S, PEA-D: indicador, responsable y coherencia entre filas."""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache

from pea import layout as L
from pea.models import Block
from pea.rules.context import Context
from pea.rules.registry import At, rule
from pea.textnorm import fold, similar, strip_number

MEASURES = ("PORCENTAJE", "TASA", "INDICE", "PROMEDIO", "RAZON", "PROPORCION", "VARIACION",
            "NUMERO", "TOTAL")


@rule("PEA-I01", "advertencia", "Indicador sin medida",
      "Fila {fila}: el nombre del indicador debe expresar la medida (p. ej. «Porcentaje de …», "
      "«Tasa de …»).")
def i01(ctx: Context) -> Iterator[At]:
    for block in ctx.blocks:
        cell = block.fields.get("indicador")
        if cell is None or cell.is_blank or ctx.memo("repite", block, _repeated_field):
            continue  # un indicador copiado de otro campo es PEA-I02
        if not fold(cell.text).startswith(MEASURES):
            yield At.of(cell)


@rule("PEA-I02", "advertencia", "Indicador que repite otro campo",
      "Fila {fila}: el indicador repite el texto de «{campo}»; debe describir cómo se mide el "
      "avance.")
def i02(ctx: Context) -> Iterator[At]:
    for block in ctx.blocks:
        key = ctx.memo("repite", block, _repeated_field)
        if key is not None:
            cell = block.fields["indicador"]
            yield At.of(cell, campo=L.BY_KEY[key].label)


def _repeated_field(block: Block) -> str | None:
    """El campo (objetivo, estrategia o MIR) cuyo texto repite el indicador, si hay."""
    cell = block.fields.get("indicador")
    if cell is None or cell.is_blank:
        return None
    ind = fold(strip_number(cell.text)).rstrip(". ")
    for key in ("objetivo", "estrategia", "mir"):
        other = block.fields.get(key)
        if other is not None and not other.is_blank and similar(
            ind, fold(strip_number(other.text)).rstrip(". "), 0.9
        ):
            return key
    return None


@rule("PEA-I03", "advertencia", "Indicador demasiado corto",
      "Fila {fila}: el nombre del indicador es demasiado corto.")
def i03(ctx: Context) -> Iterator[At]:
    for block in ctx.blocks:
        cell = block.fields.get("indicador")
        if cell is not None and not cell.is_blank and len(cell.text.strip()) < 15:
            yield At.of(cell)


@rule("PEA-S01", "advertencia", "Responsable ajeno a la dependencia",
      "Fila {fila}: el responsable «{valor}» no corresponde a la dependencia «{dep}».",
      needs=("dependencias",))
def s01(ctx: Context) -> Iterator[At]:
    dep = ctx.plan.dependencia
    if dep is None:
        return
    dep_key = fold(dep)
    known = ctx.catalogs.unidades.get(dep_key)
    allowed = [dep_key, *(fold(u) for u in (known[1] if known else []))]
    for block in ctx.blocks:
        cell = block.fields.get("responsable")
        if cell is None or cell.is_blank:
            continue
        resp = fold(cell.text).rstrip(". ")
        if any(resp == a or similar(resp, a, 0.8) for a in allowed):
            continue
        yield At.of(cell, valor=cell.text.strip(),
                  dep=dep)


@lru_cache(maxsize=2048)
def _same(text: str) -> str:
    """Forma para comparar duplicados: sin mayúsculas ni espacios de más (una vez por texto)."""
    return " ".join(text.split()).casefold()


def _line_key(ctx: Context, block, line) -> tuple:
    q = ctx.quarters(line)
    own = line.own
    pasos, meta = own.get("pasos"), own.get("meta")
    return (
        _same(block.value("estrategia")), _same(block.value("mir")),
        _same(pasos.text if pasos is not None and pasos.text else block.value("pasos")),
        _same(meta.text if meta is not None and meta.text else block.value("meta")),
        tuple(q.values.get(k) for k in L.QUARTER_KEYS),
        tuple(_same(c.text) for c in line.quarters.values()) if not q.values else (),
    )


@rule("PEA-D01", "advertencia", "Línea de meta duplicada",
      "Fila {fila}: la línea de meta está duplicada (igual a la fila {otra}).")
def d01(ctx: Context) -> Iterator[At]:
    seen: dict[tuple, int] = {}
    for block, line in ctx.lines:
        if block.orphan:
            continue
        key = _line_key(ctx, block, line)
        if key in seen:
            yield At(ctx.row_cell(line.row), line.row, otra=seen[key])
        else:
            seen[key] = line.row


@rule("PEA-D02", "advertencia", "Estrategia que repite el objetivo",
      "Fila {fila}: la estrategia repite el objetivo; describa cómo se logrará.")
def d02(ctx: Context) -> Iterator[At]:
    for block in ctx.blocks:
        est, obj = block.fields.get("estrategia"), block.fields.get("objetivo")
        if est is None or obj is None or est.is_blank or obj.is_blank:
            continue
        if similar(fold(strip_number(est.text)).rstrip(". "), fold(strip_number(obj.text)).rstrip(". "), 0.9):
            yield At.of(est)


@rule("PEA-D03", "info", "Ejes transversales distintos en la continuación",
      "Fila {fila}: los ejes transversales difieren de la fila principal {padre}.")
def d03(ctx: Context) -> Iterator[At]:
    for block in ctx.blocks:
        if len(block.lines) < 2:
            continue
        main = ctx.marks(block.lines[0])
        for line in block.lines[1:]:
            marks = ctx.marks(line)
            if None in marks.values() or None in main.values():
                continue
            if marks != main:
                yield At(f"{ctx.col(L.MARK_KEYS[0])}{line.row}", line.row, padre=block.row)
