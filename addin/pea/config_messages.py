"""Errores de validación de la configuración (pydantic) dichos en español.

Cada línea nombra dónde está el problema en el archivo («pmdg» → elemento 3 → «objetivo»),
qué se esperaba y, si la clave o el valor se parece a uno válido, «¿quiso decir…?».
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import types
import typing
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path
from typing import Any, get_args, get_origin

from pydantic import BaseModel, ValidationError

#: Errores mostrados como máximo (los demás se cuentan).
MAX_SHOWN = 10

_EXPECTED = {
    "string_type": "se esperaba texto (escríbalo entre comillas si parece un número)",
    "int_type": "se esperaba un número entero",
    "int_parsing": "se esperaba un número entero",
    "int_from_float": "se esperaba un número entero (sin decimales)",
    "float_type": "se esperaba un número",
    "float_parsing": "se esperaba un número",
    "finite_number": "se esperaba un número finito",
    "decimal_type": "se esperaba un número",
    "decimal_parsing": "se esperaba un número (p. ej. 0.5)",
    "bool_type": "se esperaba sí o no (true / false)",
    "bool_parsing": "se esperaba sí o no (true / false)",
    "date_type": "se esperaba una fecha AAAA-MM-DD (p. ej. 2024-09-30)",
    "date_parsing": "se esperaba una fecha AAAA-MM-DD (p. ej. 2024-09-30)",
    "date_from_datetime_parsing": "se esperaba una fecha AAAA-MM-DD (p. ej. 2024-09-30)",
    "date_from_datetime_inexact": "se esperaba una fecha sin hora (AAAA-MM-DD)",
    "list_type": "se esperaba una lista (renglones que empiezan con «- »)",
    "dict_type": "se esperaba un mapa de claves (clave: valor)",
    "model_type": "se esperaba un mapa de claves (clave: valor)",
    "model_attributes_type": "se esperaba un mapa de claves (clave: valor)",
    "missing": "falta esta clave",
}


def kind_of(value: Any) -> str:
    """Qué se escribió, en palabras («un número», «una lista»…)."""
    if value is None:
        return "un valor vacío"
    if isinstance(value, bool):
        return "un sí/no"
    if isinstance(value, int | float | Decimal):
        return f"el número {value}"
    if isinstance(value, str):
        return f"el texto «{value[:60]}»"
    if isinstance(value, list):
        return "una lista"
    if isinstance(value, dict):
        return "un mapa de claves"
    if isinstance(value, dt.date):
        return f"la fecha {value}"
    return "otro tipo de valor"


def suggestion(word: str, choices: Iterable[str]) -> str:
    """«; ¿quiso decir «X»?» para la opción más parecida (sin distinguir mayúsculas), o «.»."""
    options = list(choices)
    folded = {c.casefold(): c for c in options}
    match = difflib.get_close_matches(str(word).casefold(), list(folded), n=1, cutoff=0.6)
    return f"; ¿quiso decir «{folded[match[0]]}»?" if match else "."


def _unwrap(tp: Any) -> list[Any]:
    """Los tipos que puede tener un valor anotado con `tp` (sin Annotated/Optional)."""
    origin = get_origin(tp)
    if origin is typing.Annotated:
        return _unwrap(get_args(tp)[0])
    if origin in (typing.Union, types.UnionType):
        return [t for a in get_args(tp) for t in _unwrap(a)]
    return [tp]


def _model_at(schema: type[BaseModel], loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """El modelo (sección) que contiene la clave `loc[-1]`, recorriendo el esquema."""
    current: list[Any] = [schema]
    for part in loc:
        nxt: list[Any] = []
        for tp in current:
            if isinstance(tp, type) and issubclass(tp, BaseModel) and isinstance(part, str):
                field = tp.model_fields.get(part)
                if field is not None:
                    nxt.extend(_unwrap(field.annotation))
            elif get_origin(tp) is list and isinstance(part, int):
                nxt.extend(_unwrap(get_args(tp)[0]))
            elif get_origin(tp) is dict and isinstance(part, str):
                nxt.extend(_unwrap(get_args(tp)[1]))
        current = nxt
    for tp in current:
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            return tp
    return None


def _where(loc: tuple[Any, ...]) -> str:
    parts = [f"elemento {p + 1}" if isinstance(p, int) else f"«{p}»" for p in loc]
    return " → ".join(parts) or "(raíz del archivo)"


def _line(schema: type[BaseModel], err: Any) -> str:
    loc = tuple(err.get("loc", ()))
    kind = err.get("type", "")
    value = err.get("input")
    ctx = err.get("ctx") or {}
    if kind == "extra_forbidden":
        parent = _model_at(schema, loc[:-1])
        known = list(parent.model_fields) if parent else []
        hint = suggestion(str(loc[-1]), known)
        listed = f" Claves válidas aquí: {', '.join(known)}." if known and hint == "." else ""
        return f"{_where(loc)}: clave desconocida{hint}{listed}"
    if kind == "missing":
        return f"{_where(loc)}: falta esta clave (es obligatoria)."
    if kind == "literal_error":
        options = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
        return (f"{_where(loc)}: se esperaba {', '.join(f'«{o}»' for o in options)}; "
                f"se escribió {kind_of(value)}{suggestion(str(value), options)}")
    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        words = {"greater_than": "mayor que", "greater_than_equal": "mayor o igual que",
                 "less_than": "menor que", "less_than_equal": "menor o igual que"}[kind]
        limit = next(iter(ctx.values()), "")
        if isinstance(limit, float) and limit.is_integer():
            limit = int(limit)
        return f"{_where(loc)}: se esperaba un número {words} {limit}; se escribió {kind_of(value)}."
    expected = _EXPECTED.get(kind, "valor no válido")
    return f"{_where(loc)}: {expected}; se escribió {kind_of(value)}."


def describe_errors(path: Path, schema: type[BaseModel], exc: ValidationError) -> str:
    """Un mensaje para la persona: el archivo y una línea por error."""
    errors = exc.errors(include_url=False)
    lines = [_line(schema, e) for e in errors[:MAX_SHOWN]]
    more = len(errors) - MAX_SHOWN
    if more > 0:
        lines.append(f"… y {more} error(es) más.")
    return f"Configuración de reglas inválida en «{path}»:\n  - " + "\n  - ".join(lines)
