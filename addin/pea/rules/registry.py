"""Registro de reglas (al estilo del catálogo de errores de frictionless).

Cada regla tiene un código estable, un título, una severidad por omisión y una
plantilla de mensaje por variante. La configuración (`rules/configuracion.yaml`) puede
cambiar la severidad o desactivarla sin tocar el código.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pea.models import Hit, Severity

if TYPE_CHECKING:
    from pea.rules.context import Context

Check = Callable[["Context"], Iterable[Hit]]


@dataclass(frozen=True)
class Rule:
    id: str
    severity: Severity
    title: str
    messages: dict[str, str]  # variante → plantilla; "" es la principal
    check: Check | None = None  # None: la emite el lector
    needs: tuple[str, ...] = ()  # catálogos necesarios; sin ellos la regla se omite
    variant_severity: dict[str, Severity] | None = None  # p. ej. PEA-E04 «continuado» es info

    @property
    def family(self) -> str:
        return self.id.split("-")[1][0]

    def severity_for(self, variant: str) -> Severity:
        return (self.variant_severity or {}).get(variant, self.severity)

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
            variant_severity: dict[str, Severity] | None = None) -> Rule:
    """Registra una regla; devuelve su definición."""
    if id in RULES:
        raise ValueError(f"regla duplicada: {id}")
    rule = Rule(id, severity, title, {"": message, **(variants or {})}, check, needs,
                variant_severity)
    RULES[id] = rule
    return rule


def rule(id: str, severity: Severity, title: str, message: str, *,
         variants: dict[str, str] | None = None,
         needs: tuple[str, ...] = ()) -> Callable[[Check], Check]:
    """Decorador: registra la función como la comprobación de la regla."""

    def wrap(fn: Check) -> Check:
        declare(id, severity, title, message, variants=variants, needs=needs, check=fn)
        return fn

    return wrap


def load_all() -> dict[str, Rule]:
    """Importa todas las familias de reglas y devuelve el registro ordenado por ID."""
    from pea.rules import (  # noqa: F401
        catalogs,
        consistency,
        cross,
        header,
        numbering,
        population,
        quarters,
        required,
        structure,
        text,
    )

    return dict(sorted(RULES.items()))
