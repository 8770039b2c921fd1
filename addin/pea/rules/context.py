"""Lo que las reglas comparten: el plan, la configuración y valores ya interpretados.

Las conversiones (trimestres, marcas, numeraciones, poblaciones) se hacen una vez por
celda; las reglas de tipo reportan la celda que no convierte y las reglas cruzadas
trabajan solo con las que sí convirtieron (una causa se reporta una sola vez).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import TypeVar

from pea import layout as L
from pea.config import RulesConfig
from pea.models import Block, Cell, MetaLine, Plan
from pea.textnorm import (
    EJE_NUM,
    ESTRATEGIA_NUM,
    OBJETIVO_NUM,
    leading_number,
)
from pea.values import Percent, Population, parse_mark, parse_percent, parse_population

_ONE = Decimal(1)
T = TypeVar("T")
_HUNDRED = Decimal(100)


@dataclass
class Quarters:
    """Los cuatro trimestres de una línea, interpretados."""

    parsed: dict[str, Percent]
    values: dict[str, Decimal]  # escala 0–100, solo los que convirtieron
    blank: list[str] = field(default_factory=list)  # en blanco (sin contar los fuera de periodo)
    invalid: list[str] = field(default_factory=list)
    fraction: bool = False  # se capturaron como fracción y se escalaron (PEA-Q07)

    @property
    def complete(self) -> bool:
        """¿Los cuatro tienen valor utilizable (o 0 implícito fuera de la administración)?"""
        return not self.blank and not self.invalid and len(self.values) == 4


@dataclass
class Numbers:
    """Claves numéricas del bloque: eje «2», objetivo «2.1», estrategia «2.1.1»."""

    eje: str | None
    objetivo: str | None
    estrategia: str | None

    @property
    def objetivo_fuera_de_eje(self) -> bool:
        return bool(self.eje and self.objetivo and not self.objetivo.startswith(self.eje + "."))

    @property
    def estrategia_fuera_de_objetivo(self) -> bool:
        return bool(self.objetivo and self.estrategia
                    and not self.estrategia.startswith(self.objetivo + "."))


class Context:
    """Plan + configuración, con caché de interpretaciones por línea y bloque.

    Lo crea `validation` para correr las reglas y lo devuelve (`Validated.ctx`): la
    extracción para el maestro (`consolidate.extract.plan_lines`) usa esas mismas
    interpretaciones (trimestres, marcas, numeraciones) en vez de repetirlas. Quien
    modifique un plan ya validado y quiera volver a validarlo crea otro `Context`.
    """

    def __init__(self, plan: Plan, config: RulesConfig) -> None:
        self.plan = plan
        self.config = config
        self.params = config.parametros
        self.catalogs = config.catalogos
        self._quarters: dict[int, Quarters] = {}
        self._marks: dict[int, dict[str, bool | None]] = {}
        self._memo: dict[tuple[str, int], object] = {}

    # --- estructura ---------------------------------------------------------------

    @cached_property
    def blocks(self) -> list[Block]:
        """Bloques con fila principal (sin las continuaciones huérfanas)."""
        return [b for b in self.plan.blocks if not b.orphan]

    @cached_property
    def lines(self) -> list[tuple[Block, MetaLine]]:
        return self.plan.lines

    def col(self, key: str) -> str:
        return self.plan.columns.get(key, L.BY_KEY[key].letter)

    def row_cell(self, row: int) -> str:
        """Primera celda de la fila (columna del eje)."""
        return f"{self.col('eje')}{row}"

    def quarter_label(self, key: str) -> str:
        return f"{self.col(key)} ({key[1]}° TRIMESTRE)"

    # --- trimestres -----------------------------------------------------------------

    @cached_property
    def allowed_quarters(self) -> dict[str, bool]:
        """¿El trimestre inicia dentro de la administración?"""
        anio = self.params.anio_plan
        out = {}
        for key, (month, day) in L.QUARTER_START.items():
            out[key] = dt.date(anio, month, day) <= self.params.fecha_fin_administracion
        return out

    def quarters(self, line: MetaLine) -> Quarters:
        cached = self._quarters.get(line.row)
        if cached is not None:
            return cached
        parsed = {k: parse_percent(c.value, c.percent_format) for k, c in line.quarters.items()}
        q = Quarters(parsed=parsed, values={})
        for k in L.QUARTER_KEYS:
            p = parsed.get(k)
            if p is None:
                continue
            if p.kind == "invalid":
                q.invalid.append(k)
            elif p.kind == "blank":
                if self.allowed_quarters[k]:
                    q.blank.append(k)
                else:
                    q.values[k] = Decimal(0)
            else:
                q.values[k] = p.value  # type: ignore[assignment]
        numbers = [parsed[k].value for k in parsed if parsed[k].kind == "number"]
        explicit = any(p.kind == "percent" for p in parsed.values())
        if numbers and not explicit and not q.invalid:
            total = sum(numbers, Decimal(0))
            tol = self.params.tolerancia_suma / _HUNDRED
            if all(Decimal(0) <= n <= _ONE for n in numbers) and total > 0 and abs(total - _ONE) <= tol:  # type: ignore[operator]
                q.fraction = True
                for k in q.values:
                    if parsed[k].kind == "number":
                        q.values[k] = q.values[k] * _HUNDRED
        self._quarters[line.row] = q
        return q

    @cached_property
    def scheduled_lines(self) -> list[tuple[Block, MetaLine, Quarters]]:
        """Líneas con algún trimestre capturado, con sus trimestres interpretados."""
        return [(block, line, self.quarters(line)) for block, line in self.lines
                if line.quarters and any(not c.is_blank for c in line.quarters.values())]

    def marks(self, line: MetaLine) -> dict[str, bool | None]:
        """Marcas de la línea interpretadas (True, False o None si no se reconocen); una vez."""
        cached = self._marks.get(line.row)
        if cached is None:
            cached = self._marks[line.row] = {k: parse_mark(c.value) for k, c in line.marks.items()}
        return cached

    # --- numeraciones y poblaciones ---------------------------------------------------

    def memo(self, name: str, block: Block, compute: Callable[[Block], T]) -> T:
        """Resultado de `compute(block)` calculado una sola vez por bloque."""
        key = (name, block.row)
        if key not in self._memo:
            self._memo[key] = compute(block)
        return self._memo[key]  # type: ignore[return-value]

    def numbers(self, block: Block) -> Numbers:
        return self.memo("numbers", block, lambda b: Numbers(
            eje=leading_number(b.value("eje"), EJE_NUM),
            objetivo=leading_number(b.value("objetivo"), OBJETIVO_NUM),
            estrategia=leading_number(b.value("estrategia"), ESTRATEGIA_NUM),
        ))

    def eje_sound(self, block: Block) -> bool:
        """¿El eje tiene número y (si hay PMDG) existe? Si no, no se juzga a sus hijos."""
        n = self.numbers(block)
        if n.eje is None:
            return False
        return self.catalogs.pmdg is None or n.eje in self.catalogs.ejes

    def objetivo_misplaced(self, block: Block) -> bool:
        """El objetivo existe en el PMDG pero bajo otro eje, o no existe (PEA-C02)."""
        n = self.numbers(block)
        if self.catalogs.pmdg is None or n.objetivo is None:
            return False
        entry = self.catalogs.objetivos.get(n.objetivo)
        return entry is None or entry[0] != n.eje

    def objetivo_sound(self, block: Block) -> bool:
        """¿El objetivo es válido (numerado, de su eje, en el PMDG)? Si no, no se juzgan sus estrategias."""
        n = self.numbers(block)
        return (self.eje_sound(block) and n.objetivo is not None
                and not n.objetivo_fuera_de_eje and not self.objetivo_misplaced(block))

    @staticmethod
    def population(cell: Cell | None) -> Population | None:
        if cell is None or cell.is_blank:
            return None
        return parse_population(cell.value)

    # --- celdas de texto ----------------------------------------------------------------

    @cached_property
    def text_cells(self) -> list[tuple[str, Cell]]:
        """Cada celda de texto del plan una sola vez: (campo, celda)."""
        seen: set[str | None] = set()
        out: list[tuple[str, Cell]] = []

        def add(name: str, cell: Cell | None) -> None:
            if cell is None or not isinstance(cell.value, str):
                return
            addr = cell.address
            if addr in seen:
                return
            seen.add(addr)
            out.append((name, cell))

        h = self.plan.header
        add("dependencia", h.dependencia)
        add("mision", h.mision)
        add("vision", h.vision)
        for block in self.plan.blocks:
            for key in L.BLOCK_KEYS:
                add(key, block.fields.get(key))
            for line in block.lines:
                for key, cell in line.own.items():
                    add(key, cell)
        for sig in (self.plan.footer.elaboro, self.plan.footer.autorizo):
            if sig is not None:
                add("firma", sig.nombre)
                add("firma", sig.cargo)
        return out
