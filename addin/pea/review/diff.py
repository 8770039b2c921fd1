"""Diferencias entre dos versiones del plan de una dependencia, línea por línea.

Se comparan las líneas ya leídas (las de `pea.consolidate.extract.plan_lines`, las mismas del
«Plan consolidado»), nunca los bytes: guardar el libro de nuevo, cambiar un formato o mover
una combinación de celdas no es una diferencia; un trimestre de 42 % a 40 % o una meta
reescrita sí.

Cómo se emparejan las líneas, para que una fila insertada no haga parecer cambiado todo lo
que está debajo:
1. las líneas idénticas se alinean en orden (`difflib.SequenceMatcher` sobre su contenido);
2. entre dos tramos alineados, las líneas que quedan se emparejan en orden por semejanza:
   misma numeración (eje, objetivo, estrategia) y contenido parecido (meta y pasos pesan más);
3. lo que sobra se busca en todo el plan (una línea que cambió de lugar);
4. lo que no tiene pareja es una línea agregada o eliminada.
El trabajo está acotado: los emparejamientos por semejanza se limitan a ventanas de tamaño fijo.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from difflib import SequenceMatcher
from typing import Any, Literal

from pea import layout as L
from pea.textnorm import EJE_NUM, ESTRATEGIA_NUM, OBJETIVO_NUM, fold, leading_number, ratio

Kind = Literal["igual", "modificada", "movida", "agregada", "eliminada"]

#: Campos comparados: el tipo de fila y las 20 columnas oficiales, en el orden de la línea.
FIELDS: tuple[str, ...] = ("tipo", *L.KEYS)
LABELS: dict[str, str] = {"tipo": "Tipo de fila", **{c.key: c.label for c in L.COLUMNS}}
_WEIGHTS: dict[str, float] = {
    "tipo": 0.5, "meta": 3.0, "pasos": 2.0, "indicador": 1.5, "responsable": 1.0,
    **{k: 0.5 for k in L.MARK_KEYS}, **{k: 0.5 for k in L.QUARTER_KEYS},
}
_TOTAL = sum(_WEIGHTS.get(k, 1.0) for k in FIELDS)
#: Semejanza mínima para tomar dos líneas como la misma línea modificada.
THRESHOLD = 0.55
#: Semejanza mínima para reconocer una línea que cambió de lugar.
MOVED_THRESHOLD = 0.8
#: Tope de pares evaluados en un tramo (alineación óptima); más allá, por ventanas.
_DP_MAX = 2_500
_WINDOW = 20
#: Tope de pares evaluados al buscar líneas que cambiaron de lugar.
_MOVED_MAX = 40_000
_LONG = 20  # textos de más caracteres se comparan por semejanza, no solo por igualdad


@dataclass(frozen=True)
class CellChange:
    """Una celda que cambió: campo, etiqueta oficial, valor anterior y nuevo."""

    key: str
    label: str
    before: Any
    after: Any

    def to_json(self) -> dict[str, Any]:
        return {"campo": self.key, "columna": self.label, "antes": self.before,
                "despues": self.after, "antes_texto": display_value(self.key, self.before),
                "despues_texto": display_value(self.key, self.after)}


@dataclass(frozen=True)
class LineDiff:
    """Una línea en la comparación: igual, modificada (con sus celdas), movida, agregada o
    eliminada; con su fila en cada versión y sus valores (tipo + 20 columnas)."""

    kind: Kind
    before_row: int | None
    after_row: int | None
    before: tuple[Any, ...] | None
    after: tuple[Any, ...] | None
    changes: tuple[CellChange, ...] = ()

    @property
    def values(self) -> tuple[Any, ...]:
        """Los valores a mostrar: los nuevos (o los anteriores de una línea eliminada)."""
        return self.after if self.after is not None else self.before or ()

    def to_json(self) -> dict[str, Any]:
        return {"tipo": self.kind, "fila_anterior": self.before_row,
                "fila_nueva": self.after_row,
                "cambios": [c.to_json() for c in self.changes],
                "valores": dict(zip(FIELDS, self.values, strict=False))}


@dataclass(frozen=True)
class PlanDiff:
    """La comparación completa, en el orden de la versión nueva (las eliminadas en su lugar)."""

    lines: tuple[LineDiff, ...]
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def changed(self) -> list[LineDiff]:
        return [d for d in self.lines if d.kind != "igual"]

    @property
    def same(self) -> bool:
        return not self.changed

    def to_json(self) -> dict[str, Any]:
        return {"resumen": dict(self.counts),
                "lineas": [d.to_json() for d in self.changed]}


def display_value(key: str, value: Any) -> str:
    """Un valor como se lee en la hoja: trimestres «42 %», vacío «(vacío)»."""
    if value is None or value == "":
        return "(vacío)"
    if key in L.QUARTER_KEYS and isinstance(value, int | float) and not isinstance(value, bool):
        pct = (Decimal(str(value)) * 100).quantize(Decimal("0.01")).normalize()
        return f"{pct:f} %"
    if key == "tipo":
        return {"principal": "Principal", "continuacion": "Continuación"}.get(str(value),
                                                                               str(value))
    return str(value)


def _norm(v: Any) -> Any:
    if isinstance(v, str):
        return " ".join(v.split()) or None
    if isinstance(v, float):
        return round(v, 9)
    return v


def _values(line: Sequence[Any]) -> tuple[Any, ...]:
    """(tipo, 20 columnas) de una línea ``[fila, tipo, …]``, normalizados para comparar."""
    return tuple(_norm(v) for v in line[1:1 + len(FIELDS)])


class _Line:
    __slots__ = ("folded", "nums", "raw", "row", "values")

    def __init__(self, line: Sequence[Any]) -> None:
        self.row = line[0] if isinstance(line[0], int) else None
        self.raw = tuple(line[1:1 + len(FIELDS)])
        self.values = _values(line)
        self.folded: dict[int, str] = {}
        vals = dict(zip(FIELDS, self.values, strict=False))
        self.nums = tuple(leading_number(str(vals.get(k) or ""), pat) for k, pat in
                          (("eje", EJE_NUM), ("objetivo", OBJETIVO_NUM),
                           ("estrategia", ESTRATEGIA_NUM)))

    def text(self, i: int) -> str:
        t = self.folded.get(i)
        if t is None:
            v = self.values[i]
            t = self.folded[i] = fold(v) if isinstance(v, str) else ""
        return t


def similarity(a: _Line, b: _Line) -> float:
    """Semejanza 0–1 de dos líneas: contenido ponderado, castigada si la numeración difiere."""
    score = 0.0
    for i, key in enumerate(FIELDS):
        va, vb = a.values[i], b.values[i]
        w = _WEIGHTS.get(key, 1.0)
        if va == vb:
            score += w
        elif isinstance(va, str) and isinstance(vb, str) and max(len(va), len(vb)) > _LONG:
            score += w * ratio(a.text(i), b.text(i))
    sim = score / _TOTAL
    for na, nb in zip(a.nums, b.nums, strict=True):
        if na and nb and na != nb:
            sim *= 0.6
    return sim


def _changes(a: _Line, b: _Line) -> tuple[CellChange, ...]:
    return tuple(CellChange(key, LABELS[key], a.raw[i], b.raw[i])
                 for i, key in enumerate(FIELDS) if a.values[i] != b.values[i])


def _pair_region(old: list[_Line], new: list[_Line]) -> list[tuple[int, int]]:
    """Parejas (i, j) en orden dentro de un tramo sin líneas idénticas."""
    n, m = len(old), len(new)
    if not n or not m:
        return []
    if n * m <= _DP_MAX:  # alineación óptima (suma de semejanzas), conservando el orden
        sim = [[similarity(old[i], new[j]) for j in range(m)] for i in range(n)]
        best = [[0.0] * (m + 1) for _ in range(n + 1)]
        for i in range(n - 1, -1, -1):
            for j in range(m - 1, -1, -1):
                take = sim[i][j] + best[i + 1][j + 1] if sim[i][j] >= THRESHOLD else -1.0
                best[i][j] = max(take, best[i + 1][j], best[i][j + 1])
        pairs = []
        i = j = 0
        while i < n and j < m:
            s = sim[i][j]
            if s >= THRESHOLD and best[i][j] == s + best[i + 1][j + 1]:
                pairs.append((i, j))
                i += 1
                j += 1
            elif best[i][j] == best[i + 1][j]:
                i += 1
            else:
                j += 1
        return pairs
    pairs = []
    j0 = 0
    for i in range(n):  # por ventanas: la mejor pareja cercana, en orden
        best_j, best_s = -1, THRESHOLD
        for j in range(j0, min(m, j0 + _WINDOW)):
            s = similarity(old[i], new[j])
            if s >= best_s:
                best_j, best_s = j, s
        if best_j >= 0:
            pairs.append((i, best_j))
            j0 = best_j + 1
    return pairs


def diff_lines(before: Sequence[Sequence[Any]], after: Sequence[Sequence[Any]]) -> PlanDiff:
    """Compara las líneas de dos versiones (cada una ``[fila, tipo, <20 columnas>]``)."""
    old = [_Line(x) for x in before]
    new = [_Line(x) for x in after]
    matcher = SequenceMatcher(None, [x.values for x in old], [x.values for x in new],
                              autojunk=False)
    match_new: dict[int, int] = {}  # j → i
    for tag, i0, i1, j0, j1 in matcher.get_opcodes():
        if tag == "equal":
            match_new.update({j0 + k: i0 + k for k in range(i1 - i0)})
        elif tag == "replace":
            for i, j in _pair_region(old[i0:i1], new[j0:j1]):
                match_new[j0 + j] = i0 + i
    moved: set[int] = set()
    lost_old = [i for i in range(len(old)) if i not in set(match_new.values())]
    lost_new = [j for j in range(len(new)) if j not in match_new]
    if lost_old and lost_new and len(lost_old) * len(lost_new) <= _MOVED_MAX:
        taken: set[int] = set()
        for j in lost_new:  # líneas que cambiaron de lugar
            best_i, best_s = -1, MOVED_THRESHOLD
            for i in lost_old:
                if i in taken:
                    continue
                s = similarity(old[i], new[j])
                if s >= best_s:
                    best_i, best_s = i, s
            if best_i >= 0:
                taken.add(best_i)
                match_new[j] = best_i
                moved.add(j)
    matched_old = set(match_new.values())
    out: list[LineDiff] = []
    next_old = 0

    def removed_until(limit: int) -> None:
        nonlocal next_old
        while next_old < limit:
            if next_old not in matched_old:
                o = old[next_old]
                out.append(LineDiff("eliminada", o.row, None, o.raw, None))
            next_old += 1

    for j, nl in enumerate(new):
        i = match_new.get(j)
        if i is None:
            out.append(LineDiff("agregada", None, nl.row, None, nl.raw))
            continue
        if j not in moved:
            removed_until(i)
            next_old = max(next_old, i + 1)
        o = old[i]
        changes = _changes(o, nl)
        kind: Kind = "movida" if j in moved and not changes else (
            "modificada" if changes else "igual")
        out.append(LineDiff(kind, o.row, nl.row, o.raw, nl.raw, changes))
    removed_until(len(old))
    counts = {k: 0 for k in ("igual", "modificada", "movida", "agregada", "eliminada")}
    for d in out:
        counts[d.kind] += 1
    return PlanDiff(tuple(out), counts)
