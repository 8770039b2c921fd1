"""PEA-C: alineación con los catálogos (PMDG, programas presupuestarios, MIR) y marcas."""

from __future__ import annotations

from collections.abc import Iterator

from pea import layout as L
from pea.models import Block
from pea.rules.context import Context
from pea.rules.registry import At, rule
from pea.textnorm import CLAVE_NUM, fold, leading_number, similar, strip_number


def _field(block: Block, key: str):
    cell = block.fields.get(key)
    return None if cell is None or cell.is_blank else cell


@rule("PEA-C01", "error", "Eje fuera del PMDG",
      "Fila {fila}: el eje «{valor}» no existe en el Plan Municipal de Desarrollo y Gobernanza.",
      needs=("pmdg",))
def c01(ctx: Context) -> Iterator[At]:
    ejes = ctx.catalogs.ejes
    by_text = ctx.catalogs.ejes_por_texto
    for block in ctx.blocks:
        cell = _field(block, "eje")
        if cell is None:
            continue
        num = ctx.numbers(block).eje
        ok = num in ejes if num else fold(strip_number(cell.text)) in by_text
        if not ok:
            yield At.of(cell, valor=cell.text.strip())


@rule("PEA-C02", "error", "Objetivo fuera del PMDG o de su eje",
      "Fila {fila}: el objetivo «{num}» no existe o no pertenece al eje {eje}.", needs=("pmdg",))
def c02(ctx: Context) -> Iterator[At]:
    for block in ctx.blocks:
        cell = _field(block, "objetivo")
        n = ctx.numbers(block)
        if cell is None or not ctx.eje_sound(block) or not n.objetivo or n.objetivo_fuera_de_eje:
            continue  # eje inválido (PEA-C01), sin número (PEA-N01) o de otro eje (PEA-N02)
        if ctx.objetivo_misplaced(block):
            yield At.of(cell, num=n.objetivo,
                      eje=n.eje or "(sin número)")


@rule("PEA-C03", "error", "Estrategia fuera del PMDG o de su objetivo",
      "Fila {fila}: la estrategia «{num}» no existe o no pertenece al objetivo {objetivo}.",
      needs=("pmdg",))
def c03(ctx: Context) -> Iterator[At]:
    catalog = ctx.catalogs.estrategias
    for block in ctx.blocks:
        cell = _field(block, "estrategia")
        n = ctx.numbers(block)
        if cell is None or not n.estrategia or not ctx.objetivo_sound(block):
            continue  # el objetivo ya tiene su propio hallazgo
        entry = catalog.get(n.estrategia)
        if entry is None or (n.objetivo is not None and entry[0] != n.objetivo):
            yield At.of(cell, num=n.estrategia,
                      objetivo=n.objetivo or "(sin número)")


def _programa(ctx: Context, text: str) -> tuple[str, list[str]] | None:
    """El programa presupuestario del catálogo que corresponde al texto, si hay."""
    programas = ctx.catalogs.programas
    key = fold(text).rstrip(". ")
    if key in programas:
        return programas[key]
    num = leading_number(text, CLAVE_NUM)
    for _k, entry in programas.items():
        if num and leading_number(entry[0], CLAVE_NUM) == num and similar(
            fold(strip_number(text)).rstrip(". "), fold(strip_number(entry[0])).rstrip(". "), 0.85
        ):
            return entry
    return None


@rule("PEA-C04", "error", "Programa presupuestario fuera del catálogo",
      "Fila {fila}: el programa presupuestario «{valor}» no está en el catálogo.",
      needs=("programas_presupuestarios",))
def c04(ctx: Context) -> Iterator[At]:
    for block in ctx.blocks:
        cell = _field(block, "programa_presupuestario")
        if cell is not None and _programa(ctx, cell.text) is None:
            yield At.of(cell, valor=cell.text.strip())


@rule("PEA-C05", "error", "Elemento de MIR ajeno al programa",
      "Fila {fila}: el elemento de MIR «{valor}» no pertenece al programa presupuestario «{pp}».",
      needs=("programas_presupuestarios",))
def c05(ctx: Context) -> Iterator[At]:
    for block in ctx.blocks:
        pp, mir = _field(block, "programa_presupuestario"), _field(block, "mir")
        if pp is None or mir is None:
            continue
        entry = _programa(ctx, pp.text)
        if entry is None:
            continue  # ya es PEA-C04
        wanted = fold(mir.text).rstrip(". ")
        if not any(fold(m).rstrip(". ") == wanted or similar(fold(m).rstrip(". "), wanted, 0.9)
                   for m in entry[1]):
            yield At.of(mir, valor=mir.text.strip(),
                      pp=pp.text.strip())


@rule("PEA-C06", "advertencia", "Marca de eje transversal no reconocida",
      "Fila {fila}, columna {col}: valor «{valor}» no reconocido; marque con «X» o deje vacío.")
def c06(ctx: Context) -> Iterator[At]:
    for _block, line in ctx.lines:
        for key, ok in ctx.marks(line).items():
            if ok is None:
                cell = line.marks[key]
                yield At(cell.address, line.row, col=cell.col,
                          valor=cell.text)


@rule("PEA-C07", "advertencia", "Sin eje transversal",
      "Fila {fila}: la estrategia no está vinculada a ningún eje transversal.")
def c07(ctx: Context) -> Iterator[At]:
    for block in ctx.blocks:
        if not block.lines or not block.lines[0].marks:
            continue
        values = [v for line in block.lines for v in ctx.marks(line).values()]
        if not any(v is True for v in values) and None not in values:
            line = block.lines[0]
            yield At(f"{ctx.col(L.MARK_KEYS[0])}{line.row}", line.row)


@rule("PEA-C08", "info", "Los cinco ejes transversales marcados",
      "Fila {fila}: se marcaron los cinco ejes transversales; confirme que la estrategia incide "
      "en cada uno.")
def c08(ctx: Context) -> Iterator[At]:
    for block in ctx.blocks:
        if not block.lines:
            continue
        line = block.lines[0]
        marks = ctx.marks(line)
        if len(marks) == len(L.MARK_KEYS) and all(v is True for v in marks.values()):
            yield At(f"{ctx.col(L.MARK_KEYS[0])}{line.row}", line.row)
