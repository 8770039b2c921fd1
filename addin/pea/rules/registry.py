"""Registro de reglas (al estilo del catálogo de errores de frictionless y del registro de
códigos de ruff).

Cada regla tiene un código estable, un título, una severidad por omisión y una plantilla de
mensaje por variante. La función de una regla dice *dónde* (`At`: celda, fila, variante y
los datos del mensaje); el registro dice *qué regla* (su ID) y con qué severidad
(`effective_severity`, la única función que la resuelve). La configuración
(`rules/configuracion.yaml`) puede cambiar la severidad o desactivarla sin tocar el código.

Agregar una regla: una función decorada con `@rule(...)` en el módulo de su familia (todo
módulo de `pea.rules` se importa solo), sus casos en `tests/reglas/<módulo>.yaml` (toda regla
necesita uno: `tests/test_reglas_casos.py`) y `python3 -m pea.rules.docs > docs/reglas.md`
(`tests/test_docs.py` compara). La plantilla no lleva el catálogo: no hay que reconstruirla.
Una familia nueva necesita además su título en `rules/docs.py` (si falta, generar la
documentación falla).
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from pea.models import Hit, Severity

if TYPE_CHECKING:
    from pea.config import RulesConfig, SeverityOrOff
    from pea.models import Cell
    from pea.rules.context import Context


class At(Hit):
    """Dónde se cumplió una regla: celda, fila, variante del mensaje y sus datos.

    El ID lo pone el registro (`run_check`); `fila` no hace falta en los datos: el mensaje
    la recibe de `row`. Es un `Hit` sin regla (el registro la escribe): no se copia nada.
    """

    __slots__ = ()

    def __init__(self, cell: str | None = None, row: int | None = None, variant: str = "",
                 **params: Any) -> None:
        self.rule = ""
        self.cell = cell
        self.row = row
        self.variant = variant
        self.params = params

    @classmethod
    def of(cls, cell: Cell, variant: str = "", **params: Any) -> At:
        """En la celda leída `cell` (su dirección y su fila)."""
        return cls(cell.address, cell.row, variant, **params)

    def __repr__(self) -> str:
        return f"At({self.rule or '?'}, {self.cell!r}, {self.row!r}, {self.variant!r})"


Check = Callable[["Context"], Iterable[At]]


@dataclass(frozen=True)
class Rule:
    id: str
    severity: Severity
    title: str
    messages: dict[str, str]  # variante → plantilla; "" es la principal
    check: Check | None = None  # None: la emite el lector o el consolidador
    needs: tuple[str, ...] = ()  # catálogos necesarios; sin ellos la regla se omite
    variant_severity: dict[str, Severity] | None = None  # p. ej. PEA-E04 «continuado» es info
    variant_needs: dict[str, tuple[str, ...]] | None = None  # catálogos de cada variante

    @property
    def family(self) -> str:
        return self.id.split("-")[1][0]

    def severity_for(self, variant: str) -> Severity:
        return (self.variant_severity or {}).get(variant, self.severity)

    def needs_for(self, variant: str) -> tuple[str, ...]:
        """Catálogos que necesita la variante (los de la regla más los propios)."""
        return self.needs + (self.variant_needs or {}).get(variant, ())

    def all_needs(self) -> tuple[str, ...]:
        """Todos los catálogos que alguna variante usa (para `pea reglas` y la documentación)."""
        extra = [n for ns in (self.variant_needs or {}).values() for n in ns]
        return tuple(dict.fromkeys((*self.needs, *extra)))

    def message(self, variant: str, params: dict[str, object]) -> str:
        template = self.messages.get(variant) or self.messages[""]
        try:
            return template.format(**params)
        except (KeyError, IndexError, ValueError):
            return template


RULES: dict[str, Rule] = {}


def declare(id: str, severity: Severity, title: str, message: str, *,
            variants: dict[str, str] | None = None, needs: tuple[str, ...] = (),
            check: Check | None = None,
            variant_severity: dict[str, Severity] | None = None,
            variant_needs: dict[str, tuple[str, ...]] | None = None) -> Rule:
    """Registra una regla; devuelve su definición."""
    if id in RULES:
        raise ValueError(f"regla duplicada: {id}")
    rule = Rule(id, severity, title, {"": message, **(variants or {})}, check, needs,
                variant_severity, variant_needs)
    RULES[id] = rule
    return rule


def rule(id: str, severity: Severity, title: str, message: str, *,
         variants: dict[str, str] | None = None,
         needs: tuple[str, ...] = (),
         variant_severity: dict[str, Severity] | None = None) -> Callable[[Check], Check]:
    """Decorador: registra la función como la comprobación de la regla."""

    def wrap(fn: Check) -> Check:
        declare(id, severity, title, message, variants=variants, needs=needs, check=fn,
                variant_severity=variant_severity)
        return fn

    return wrap


def effective_severity(rule: Rule, config: RulesConfig, variant: str = "") -> SeverityOrOff:
    """La severidad con la configuración aplicada (o «desactivada»): el único lugar que la
    resuelve (validación, consolidación, `pea reglas`, el botón)."""
    return config.severidades.get(rule.id) or rule.severity_for(variant)


def is_active(rule: Rule, config: RulesConfig, variant: str = "") -> bool:
    """¿Se evalúa? No está desactivada y existen los catálogos que la variante necesita."""
    if effective_severity(rule, config, variant) == "desactivada":
        return False
    cats = config.catalogos
    for name in rule.needs_for(variant) if rule.variant_needs else rule.needs:
        if getattr(cats, name) is None:
            return False
    return True


def run_check(rule: Rule, ctx: Context) -> list[Hit]:
    """Ejecuta la comprobación de la regla y le pone su ID a cada lugar que devuelve."""
    assert rule.check is not None
    found = list(rule.check(ctx))
    rid = rule.id
    for at in found:
        at.rule = rid
    return found  # type: ignore[return-value]


#: Módulos de `pea.rules` que no declaran reglas.
_NOT_FAMILIES = frozenset({"registry", "context", "docs"})


@cache
def _import_families() -> None:
    import pea.rules as pkg

    for mod in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda m: m.name):
        if mod.name not in _NOT_FAMILIES:
            importlib.import_module(f"pea.rules.{mod.name}")


def load_all() -> dict[str, Rule]:
    """Importa (una vez) todos los módulos de `pea.rules` y devuelve el registro por ID."""
    _import_families()
    return dict(sorted(RULES.items()))
