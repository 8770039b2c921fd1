"""De una cuadrícula a un `Plan`: encabezado, mapeo de columnas, bloques y pie.

El formato esperado está en `pea.layout` (la única fuente). En orden: se propagan las
celdas combinadas, se encuentra la fila «EJE TEMÁTICO», se mapean las columnas por su texto, se corrige el desplazamiento de
una columna (PEA-E03), se clasifican las filas (principal, continuación, texto
continuado) y la tabla termina en ELABORÓ / AUTORIZÓ.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from pea import layout as L
from pea.models import (
    Block,
    Cell,
    Hit,
    MetaLine,
    Plan,
    PlanFooter,
    PlanHeader,
    Signature,
)
from pea.reading.grid import SheetGrid, clip_merged
from pea.textnorm import fold
from pea.values import parse_percent

_PAREN = re.compile(r"\s*\([^)]*\)\s*")
_NOT_WORD = re.compile(r"[^A-Z0-9 ]+")


def header_label(text: str) -> str:
    """Texto de encabezado comparable: sin acentos, puntos, paréntesis ni «:» («M.I.R.» → MIR)."""
    t = _PAREN.sub(" ", fold(text))
    t = _NOT_WORD.sub(lambda m: "" if m.group(0) == "." else " ", t)
    return " ".join(t.split())


def is_anchor(text: str) -> bool:
    """¿Es la celda «EJE TEMÁTICO» (con variantes: «Eje temático:», «EJES TEMÁTICOS (PMDG)»)?"""
    if len(text) >= 60 or "EJE" not in text.upper():  # descarte barato de casi todas las celdas
        return False
    return _ANCHOR.match(header_label(text)) is not None


_ANCHOR = re.compile(r"^EJES? TEMATICOS?$")


def _single_label(label: str) -> str | None:
    """Clave del campo de una columna por las palabras de su encabezado (ya normalizado)."""
    if _ANCHOR.match(label):
        return "eje"
    if label in ("MIR", "ELEMENTO MIR", "ELEMENTO DE MIR") or label.startswith(("MIR ", "MATRIZ DE INDICADORES")):
        return "mir"
    if label.startswith("POBLACION"):
        if "POTENCIAL" in label:
            return "poblacion_potencial"
        if "OBJETIVO" in label:
            return "poblacion_objetivo"
        return None
    if label.startswith("OBJETIVO"):
        return "objetivo"
    if label.startswith("ESTRATEGIA"):
        return "estrategia"
    if label.startswith("PROGRAMA") and "PRESUPUEST" in label:
        return "programa_presupuestario"
    if label.startswith(("PASOS", "ACCIONES")):
        return "pasos"
    if "RESPONSABLE" in label:
        return "responsable"
    if "INDICADOR" in label:
        return "indicador"
    return None


_QUARTER = re.compile(
    r"^(?:([1-4])\s*(?:°|O|ER|DO|RO|TO)?\.?\s*TRIM"
    r"|(PRIMER|SEGUNDO|TERCER|CUARTO)\s+TRIM"
    r"|T\s*([1-4])$"
    r"|TRIM(?:ESTRE)?\.?\s*([1-4])$)"
)
_ORDINAL = {"PRIMER": "1", "SEGUNDO": "2", "TERCER": "3", "CUARTO": "4"}
_ROMAN = re.compile(r"^(I{1,3}|IV|V)\s*[.)\-]")
_YEAR = re.compile(r"\b(20\d\d)\b")
_YEAR_RANGE = re.compile(r"\b20\d\d\s*[-–/]\s*20\d\d\b")  # periodo de la administración
_CARGO_WORDS = re.compile(
    r"(?:SUB)?(?:DIRECTOR|COORDINADOR|JEFE|JEFA|TITULAR|ENCARGAD|TESORER|CONTRALOR|SECRETARI|"
    r"COMISARI|PRESIDENT|AUXILIAR|ANALISTA|ASISTENTE|RESPONSABLE|GERENTE|OFICIAL)"
)
_FOOTER = re.compile(r"(ELABORO|AUTORIZO)\b")


def _blank(v: Any) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


def _norm(v: Any) -> Any:
    return None if isinstance(v, str) and v == "" else v


#: Celdas combinadas que se resuelven a lo más (el lector de archivos ya rechaza las que
#: cubren más que `limites.celdas`; esto acota cualquier otra fuente de cuadrículas).
_MERGE_BUDGET = 1_000_000
#: Cada cuántas filas el intérprete revisa el límite de tiempo de la lectura.
_TICK_ROWS = 256


def _tick(grid: SheetGrid) -> Callable[[], None]:
    """La revisión del límite de tiempo de la lectura (nada si la cuadrícula no trae uno)."""
    return grid.deadline.check if grid.deadline is not None else (lambda: None)


class _View:
    """La cuadrícula con las celdas combinadas resueltas a su celda ancla.

    Solo dentro del área que se interpreta (`width` columnas, las filas de la hoja) y con
    un tope de celdas en total: un rango fuera del área o más allá del tope no se expande.
    """

    def __init__(self, grid: SheetGrid, width: int | None = None) -> None:
        self.grid = grid
        self.anchor: dict[tuple[int, int], tuple[int, int]] = {}
        merged, _ = clip_merged(grid.merged, grid.height, width or grid.width)
        budget = _MERGE_BUDGET
        tick = _tick(grid)
        anchor = self.anchor
        for r1, c1, r2, c2 in merged:
            size = (r2 - r1 + 1) * (c2 - c1 + 1)
            if size > 100_000 or size > budget:
                continue  # un rango absurdo no se expande
            budget -= size
            tick()
            origin = (r1, c1)
            previous = anchor.get(origin)  # ancla dentro de otro rango (encimados)
            for r in range(r1, r2 + 1):
                for c in range(c1, c2 + 1):
                    anchor[(r, c)] = origin
            if previous is None:
                del anchor[origin]
            else:
                anchor[origin] = previous

    def origin(self, r: int, c: int) -> tuple[int, int]:
        return self.anchor.get((r, c), (r, c))

    def value(self, r: int, c: int) -> Any:
        ar, ac = self.anchor.get((r, c), (r, c))
        return _norm(self.grid.value(ar, ac))

    def own(self, r: int, c: int) -> Any:
        """Valor propio (sin propagar la combinación)."""
        return _norm(self.grid.value(r, c))

    def cell(self, r: int, c: int) -> Cell:
        """La celda (o el ancla de su combinación) con su valor y dirección."""
        key = (r, c)
        anchor = self.anchor.get(key)
        if anchor is not None:
            key = anchor
            r, c = anchor
        rows = self.grid.rows
        v = None
        if 0 < r <= len(rows):
            row = rows[r - 1]
            if 0 < c <= len(row):
                v = row[c - 1]
                if v.__class__ is str and not v:
                    v = None
        grid = self.grid
        return Cell(v, r, L.col_letter(c), key in grid.percent, key in grid.formulas)

    def text(self, r: int, c: int) -> str:
        v = self.value(r, c)
        return fold(str(v)) if v is not None else ""


def find_header_row(grid: SheetGrid) -> tuple[int, int] | None:
    """Fila y columna de la celda «EJE TEMÁTICO» en las primeras filas."""
    for r, row in enumerate(grid.rows[: L.HEADER_SEARCH_ROWS], start=1):
        for c, v in enumerate(row, start=1):
            if isinstance(v, str) and is_anchor(v):
                return r, c
    return None


def _quarter_key(text: str) -> str | None:
    m = _QUARTER.match(text)
    if not m:
        return None
    n = m.group(1) or _ORDINAL.get(m.group(2) or "") or m.group(3) or m.group(4)
    return f"t{n}" if n else None


def _map_columns(view: _View, h: int, start_col: int, width: int) -> tuple[dict[str, int], int | None]:
    """Mapea claves a columnas por el texto de las dos filas del encabezado."""
    cols: dict[str, int] = {}
    meta_col: int | None = None
    s = h + 1
    for row in (h, s):
        for c in range(start_col, width + 1):
            text = view.text(row, c)
            if not text:
                continue
            m = _ROMAN.match(text)
            if m and row == s:  # ejes transversales I–V (antes que las palabras clave)
                key = f"et_{m.group(1)}"
                if key not in cols:
                    cols[key] = c
                continue
            key = _single_label(header_label(text))
            if key and key not in cols:
                cols[key] = c
                continue
            if text.startswith("META") and meta_col is None and row == h:
                meta_col = c
            q = _quarter_key(text)
            if q and q not in cols:
                cols[q] = c
    return cols, meta_col


def _parses_as_percent(values: list[Any], allow_blank: bool) -> bool:
    kinds = [parse_percent(v).kind for v in values]
    if any(k == "invalid" for k in kinds):
        return False
    if not allow_blank and any(k == "blank" for k in kinds):
        return False
    return any(k != "blank" for k in kinds)


class ParseResult:
    """El plan leído y lo que el lector ya detectó (PEA-E01…E05)."""

    def __init__(self, plan: Plan, hits: list[Hit]) -> None:
        self.plan = plan
        self.hits = hits


def parse_plan(grid: SheetGrid, archivo: str) -> ParseResult:
    """Lee el plan de una hoja en la que ya se encontró la fila «EJE TEMÁTICO»."""
    hits: list[Hit] = []
    plan = Plan(archivo=archivo, hoja=grid.name)
    found = find_header_row(grid)
    if found is None:
        hits.append(Hit("PEA-E01", hoja=grid.name or "(texto)"))
        return ParseResult(plan, hits)
    h, start_col = found
    s = h + 1
    width = max(grid.width, start_col + 19)
    view = _View(grid, width)
    plan.header_row = h
    plan.header = _read_header_block(view, h)
    cols, meta_col = _map_columns(view, h, start_col, width)

    end = _footer_row(view, s + 1, grid.height) or grid.height + 1
    data_rows = [r for r in range(s + 1, end) if not all(_blank(v) for v in grid.rows[r - 1])]

    # Desplazamiento de una columna desde los trimestres (PEA-E03).
    quarter_cols = [cols[k] for k in L.QUARTER_KEYS if k in cols]
    if len(quarter_cols) == 4 and data_rows:
        q1 = min(quarter_cols)
        probe = next((r for r in data_rows if not _blank(view.value(r, start_col))), data_rows[0])
        mapped = [view.value(probe, cols[k]) for k in L.QUARTER_KEYS]
        shifted = [view.value(probe, cols[k] + 1) for k in L.QUARTER_KEYS]
        if not _parses_as_percent(mapped, True) and _parses_as_percent(shifted, False):
            for key, c in list(cols.items()):
                if c >= q1:
                    cols[key] = c + 1
            if meta_col is not None and meta_col >= q1:
                meta_col += 1
            hits.append(Hit("PEA-E03", cell=f"{L.col_letter(q1)}{s}", row=s,
                            col=L.col_letter(q1)))
    if quarter_cols:
        q1 = min(cols[k] for k in L.QUARTER_KEYS if k in cols)
        if meta_col is not None and meta_col < q1 and meta_col not in cols.values():
            cols["meta"] = meta_col
        elif q1 - 1 > cols.get("pasos", q1) and (q1 - 1) not in cols.values():
            cols["meta"] = q1 - 1
    for key in L.KEYS:
        if key not in cols:
            c = L.BY_KEY[key]
            name = c.subheader if c.kind == "percent" else (
                f"EJES TRANSVERSALES {key[3:]}" if c.kind == "mark" else c.header)
            hits.append(Hit("PEA-E02", cell=f"{L.col_letter(start_col)}{h}", row=h, columna=name))
    plan.columns = {k: L.col_letter(c) for k, c in cols.items()}
    plan.first_col = L.col_letter(start_col)
    # Encabezado repetido (al copiar y pegar páginas impresas): se salta con su subencabezado.
    repeated = {r for r in data_rows
                if isinstance(view.value(r, start_col), str) and is_anchor(view.value(r, start_col))}
    data_rows = [r for r in data_rows if r not in repeated and r - 1 not in repeated]
    plan.last_row = data_rows[-1] if data_rows else s

    _read_blocks(view, plan, cols, data_rows, hits)
    if not plan.blocks:
        hits.append(Hit("PEA-E05", cell=f"{L.col_letter(start_col)}{h}", row=h))
    plan.footer = _read_footer(view, end, grid.height)
    return ParseResult(plan, hits)


def _label_value(view: _View, r: int, c: int, label_cell: Cell) -> Cell:
    """Valor de una etiqueta «X: valor»: tras los dos puntos o la siguiente celda a la derecha."""
    raw = label_cell.text
    if ":" in raw:
        after = raw.split(":", 1)[1]
        if after.strip():
            return Cell(value=after.strip(), row=label_cell.row, col=label_cell.col)
    width = len(view.grid.rows[r - 1]) if r <= view.grid.height else 0
    for cc in range(c + 1, width + 1):
        if view.origin(r, cc) == view.origin(r, c):
            continue
        if not _blank(view.value(r, cc)):
            return view.cell(r, cc)
    nxt = view.origin(r, c)[1] + 1
    return Cell(value=None, row=r, col=L.col_letter(min(nxt, width or nxt)))


def _read_header_block(view: _View, h: int) -> PlanHeader:
    header = PlanHeader()
    for r in range(1, h):
        row = view.grid.rows[r - 1]
        for c, v in enumerate(row, start=1):
            if not isinstance(v, str) or not v.strip() or (r, c) in view.anchor:
                continue
            t = fold(v)
            if header.titulo is None and "PLAN ESTRATEGICO" in t:
                header.titulo = view.cell(r, c)
                years = _YEAR.findall(_YEAR_RANGE.sub(" ", t)) or _YEAR.findall(t)
                header.anio = int(years[0]) if years else None
            elif header.dependencia_label is None and t.startswith("DEPENDENCIA"):
                header.dependencia_label = view.cell(r, c)
                header.dependencia = _label_value(view, r, c, header.dependencia_label)
            elif header.mision_label is None and t.startswith("MISION"):
                header.mision_label = view.cell(r, c)
                header.mision = _label_value(view, r, c, header.mision_label)
            elif header.vision_label is None and t.startswith("VISION"):
                header.vision_label = view.cell(r, c)
                header.vision = _label_value(view, r, c, header.vision_label)
    return header


def _footer_row(view: _View, start: int, stop: int) -> int | None:
    tick = _tick(view.grid)
    for r in range(start, stop + 1):
        if r % _TICK_ROWS == 0:
            tick()
        for v in view.grid.rows[r - 1]:
            # descarte barato: la etiqueta es corta y empieza con E/A (ELABORÓ, AUTORIZÓ) o con
            # algo no ASCII que `fold` podría convertir en E/A (È, Ｅ, un acento suelto…)
            if v.__class__ is str and len(v) < 60 and _may_be_footer(v) \
                    and _FOOTER.match(fold(v)):
                return r
    return None


def _may_be_footer(v: str) -> bool:
    first = v.lstrip()[:1]
    return first in ("E", "e", "A", "a") or not first.isascii()


def _read_footer(view: _View, start: int, stop: int) -> PlanFooter:
    footer = PlanFooter()
    labels: list[tuple[int, int, str]] = []
    for r in range(start, min(stop, start + 40) + 1):
        for c, v in enumerate(view.grid.rows[r - 1], start=1):
            if isinstance(v, str) and len(v) < 60:
                m = _FOOTER.match(fold(v))
                if m:
                    labels.append((r, c, m.group(1)))
    label_rows = {(r, c) for r, c, _ in labels}
    for r, c, which in labels:
        label = view.cell(r, c)
        found: list[Cell] = []
        raw = label.text
        if ":" in raw and raw.split(":", 1)[1].strip():
            found.append(Cell(value=raw.split(":", 1)[1].strip(), row=r, col=label.col))
        for rr in range(r + 1, min(stop, r + 8) + 1):
            if (rr, c) in label_rows or len(found) >= 2:
                break
            if (rr, c) in view.anchor:
                continue
            v = view.value(rr, c)
            if not _blank(v):
                found.append(view.cell(rr, c))
        nombre, cargo = [*found, None, None][:2]
        if len(found) == 1 and _CARGO_WORDS.match(fold(found[0].text)):
            nombre, cargo = None, found[0]  # solo hay cargo: falta el nombre
        sig = Signature(label=label, nombre=nombre, cargo=cargo)
        if which == "ELABORO" and footer.elaboro is None:
            footer.elaboro = sig
        elif which == "AUTORIZO" and footer.autorizo is None:
            footer.autorizo = sig
    return footer


_TOTAL = re.compile(r"^(?:TOTAL(?:ES)?|SUMA(?: TOTAL)?|TOTAL GENERAL)\s*:?$")


def _is_total_row(view: _View, r: int) -> bool:
    """¿Fila de totales? Su único texto es «TOTAL»/«SUMA» (lo demás, números o vacío)."""
    found = None
    anchor = view.anchor
    for c, v in enumerate(view.grid.rows[r - 1], start=1):
        if isinstance(v, str) and v.strip() and (r, c) not in anchor:
            if found is not None:
                return False  # dos textos: no es una fila de totales
            found = v
    return found is not None and _TOTAL.match(fold(found)) is not None


def _retyped_continuation(view: _View, r: int, block: Block, cols: dict[str, int]) -> bool:
    """Fila que repite eje, objetivo y estrategia de su fila principal y no trae otro dato
    del bloque: es una continuación escrita a mano, no un bloque nuevo."""
    for key in ("eje", "objetivo", "estrategia"):
        c = cols.get(key)
        cell = block.fields.get(key)
        if c is None or cell is None:
            return False
        own = view.own(r, c)
        if (r, c) in view.anchor:
            continue
        if _blank(own) or fold(str(own)) != fold(cell.text):
            return False
    for key in L.BLOCK_KEYS:
        if key in ("eje", "objetivo", "estrategia", *L.OWN_TEXT_KEYS) or key not in cols:
            continue
        c = cols[key]
        if (r, c) not in view.anchor and not _blank(view.own(r, c)):
            return False
    return True


def _note_own_shared(view: _View, plan: Plan, r: int, block: Block,
                     shared_cols: list[tuple[str, int]],
                     anchor: dict[tuple[int, int], tuple[int, int]]) -> None:
    """Aviso si una fila de continuación trae su propio valor en un campo del bloque
    (Responsable, Indicador, MIR, Población…): se toma el de la fila principal, como manda
    el formato, pero lo escrito no se pierde sin decirlo."""
    found = []
    for key, c in shared_cols:
        if (r, c) in anchor:
            continue
        v = view.own(r, c)
        if v is None or _blank(v):
            continue
        parent = block.fields.get(key)
        if parent is None or fold(str(v).strip()) != fold(parent.text.strip()):
            found.append(f"{L.BY_KEY[key].label} «{str(v).strip()}» ({L.col_letter(c)}{r})")
    if found:
        plan.avisos.append(f"Fila {r}: la fila de continuación trae su propio "
                          + "; ".join(found) + f". Se tomó el de la fila principal {block.row}: "
                          "en el formato esos campos son de todo el bloque; si la meta es de "
                          "otro responsable o indicador, captúrela como fila principal.")


def _read_blocks(view: _View, plan: Plan, cols: dict[str, int], data_rows: list[int],
                 hits: list[Hit]) -> None:
    abc = [cols[k] for k in ("eje", "objetivo", "estrategia") if k in cols]
    mark_cols = {k: cols[k] for k in L.MARK_KEYS if k in cols}
    quarter_cols = {k: cols[k] for k in L.QUARTER_KEYS if k in cols}
    block_cols = {k: cols[k] for k in L.BLOCK_KEYS if k in cols}
    eje_col = cols.get("eje", abc[0] if abc else None)
    line_cols = (*mark_cols.values(), *quarter_cols.values())
    # campos del bloque que una continuación no debería traer (se toman de la principal)
    shared_cols = [(k, c) for k, c in block_cols.items()
                   if k not in ("eje", "objetivo", "estrategia", *L.OWN_TEXT_KEYS)]
    anchor = view.anchor
    current: Block | None = None
    tick = _tick(view.grid)
    for r in data_rows:
        if r % _TICK_ROWS == 0:
            tick()
        if _is_total_row(view, r):
            plan.avisos.append(f"La fila {r} parece una fila de totales; no se tomó como línea de "
                              "meta (los totales no forman parte del formato del plan).")
            continue
        merged_cont = False
        if eje_col is not None:
            ar, _ = view.origin(r, eje_col)
            merged_cont = ar < r and current is not None and current.row == ar
        own_abc = any(not _blank(view.own(r, c)) and (r, c) not in view.anchor for c in abc)
        if own_abc and not merged_cont and current is not None and not current.orphan:
            merged_cont = _retyped_continuation(view, r, current, cols)
        marks = {k: view.cell(r, c) for k, c in mark_cols.items()}
        quarters = {k: view.cell(r, c) for k, c in quarter_cols.items()}
        has_line = any(not _blank(view.own(r, c)) for c in line_cols)
        if not merged_cont and own_abc:
            fields = {k: view.cell(r, c) for k, c in block_cols.items()}
            current = Block(r, fields)
            current.lines.append(MetaLine(r, "principal", None, marks, quarters, {}))
            plan.blocks.append(current)
        elif merged_cont or has_line:
            own = {k: view.cell(r, cols[k]) for k in L.OWN_TEXT_KEYS
                   if k in cols and (r, cols[k]) not in view.anchor
                   and not _blank(view.own(r, cols[k]))}
            if current is None:
                hits.append(Hit("PEA-E04", cell=f"{L.col_letter(eje_col or 1)}{r}", row=r,
                                variant="huerfana"))
                current = Block(r, {}, orphan=True)
                plan.blocks.append(current)
            current.lines.append(MetaLine(r, "continuacion", current.row, marks, quarters, own))
            _note_own_shared(view, plan, r, current, shared_cols, anchor)
        else:
            texts = {k: view.own(r, c) for k, c in block_cols.items()
                     if (r, c) not in view.anchor and not _blank(view.own(r, c))}
            if not texts:
                continue  # fila sin texto del bloque (notas fuera de la tabla: se ignoran)
            if current is None or current.orphan:
                hits.append(Hit("PEA-E04", cell=f"{L.col_letter(eje_col or 1)}{r}", row=r,
                                variant="huerfana"))
                continue
            for k, v in texts.items():
                old = current.fields.get(k)
                if old is None or old.is_blank:
                    current.fields[k] = Cell(value=v, row=r, col=L.col_letter(cols[k]))
                else:
                    current.fields[k] = replace(old, value=f"{old.text} {v}")
            first = min(cols[k] for k in texts)
            hits.append(Hit("PEA-E04", cell=f"{L.col_letter(first)}{r}", row=r,
                            variant="continuado", padre=current.row))
