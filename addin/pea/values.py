"""Interpretación de valores de celda: porcentajes, marcas y poblaciones.

Los porcentajes se manejan en decimales exactos (33.33 + 33.33 + 33.34 = 100).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any, Literal

from pea.textnorm import fold

PercentKind = Literal["blank", "percent", "number", "invalid"]

_PCT_TEXT = re.compile(r"^([+-]?\d+(?:[.,]\d+)?)\s*%$")
_NUM_TEXT = re.compile(r"^[+-]?\d+(?:[.,]\d+)?$")
_HUNDRED = Decimal(100)
_PLACEHOLDERS = frozenset({"-", "–", "—", "N/A", "NA", "N.A.", "N/D", "NO APLICA"})

MARK_YES = frozenset({"X", "✓", "✔", "SI", "✗"})
MARK_NO = frozenset({"", "-", "–", "—"})


@dataclass(frozen=True, slots=True)
class Percent:
    """Un trimestre interpretado: su clase y su valor en escala 0–100 (o número crudo)."""

    kind: PercentKind
    value: Decimal | None = None


def _decimal(v: Any) -> Decimal | None:
    try:
        d = Decimal(repr(v)) if isinstance(v, float) else Decimal(v)
    except (InvalidOperation, ValueError, TypeError):
        return None
    return d if d.is_finite() else None


_BLANK = Percent("blank")


def parse_percent(value: Any, percent_format: bool = False) -> Percent:
    """«42%», «42 %», 42, 0.42 con formato %; los números sin % quedan como «number»."""
    if value is None:
        return _BLANK
    if value == 0 and type(value) is float and math.copysign(1.0, value) < 0:
        return _parse_percent.__wrapped__(value, percent_format)  # -0.0: la memoria lo vería 0.0
    return _parse_percent(value, percent_format)


@lru_cache(maxsize=4096, typed=True)  # los mismos valores se repiten en cada plan (25, 0.5…)
def _parse_percent(value: Any, percent_format: bool) -> Percent:
    if isinstance(value, bool):
        return Percent("invalid")
    if isinstance(value, int | float):
        d = _decimal(value)
        if d is None:
            return Percent("invalid")
        if percent_format:
            return Percent("percent", d * _HUNDRED)
        return Percent("number", d)
    if isinstance(value, str):
        text = value.replace("\u00a0", " ").strip()
        if not text or text.upper() in _PLACEHOLDERS:
            return Percent("blank")  # «-» o «N/A»: sin programación, como una celda vacía
        m = _PCT_TEXT.match(text)
        if m:
            d = _decimal(m.group(1).replace(",", "."))
            return Percent("percent", d) if d is not None else Percent("invalid")
        if _NUM_TEXT.match(text):
            d = _decimal(text.replace(",", "."))
            return Percent("number", d) if d is not None else Percent("invalid")
    return Percent("invalid")


def parse_mark(value: Any) -> bool | None:
    """¿Marcado? True/False; None si el valor no es una marca reconocida (PEA-C06)."""
    if value is None:
        return False
    if isinstance(value, bool | int | float):
        return None
    text = fold(str(value))
    if text in MARK_NO:
        return False
    if text in MARK_YES:
        return True
    return None


_POP_NUMBER = re.compile(r"\d{1,3}(?:,\d{3})+(?!\d)|\d{1,3}(?: \d{3})+(?!\d)|\d+(?:\.\d+)?")
_WORD = re.compile(r"[^\W\d_]+")
_SKIP_WORDS = frozenset({"DE", "DEL", "LA", "LAS", "LOS", "EL", "MIL", "MILLONES", "APROX",
                         "APROXIMADAMENTE", "TOTAL"})
PEOPLE_UNITS = frozenset({
    "HABITANTE", "PERSONA", "CIUDADANO", "CIUDADANA", "MUJER", "MUJERE", "HOMBRE", "NINA",
    "NINO", "ADOLESCENTE", "JOVEN", "JOVENE", "ADULTO", "ADULTA", "ESTUDIANTE", "ALUMNO",
    "ALUMNA", "VECINO", "VECINA", "POBLADOR", "POBLACION", "BENEFICIARIO", "BENEFICIARIA",
    "USUARIO", "USUARIA", "SERVIDORE", "SERVIDORA", "TRABAJADORE", "TRABAJADORA", "MENORE", "POBLADORE",
    "INDIVIDUO", "FAMILIA_PERSONA",
})


@dataclass(frozen=True, slots=True)
class Population:
    """Una población: primera cifra, su unidad y cuántas cifras tenía el texto."""

    number: int | None
    unit: str | None  # sustantivo normalizado, en singular aproximado
    count: int  # cifras encontradas


def _singular(word: str) -> str:
    if word.endswith("S") and len(word) > 3:
        return word[:-1]
    return word


@lru_cache(maxsize=4096, typed=True)  # typed: True, 1 y 1.0 no comparten resultado
def parse_population(value: Any) -> Population:
    """«270,955 habitantes del municipio» → 270955, HABITANTE."""
    if value is None:
        return Population(None, None, 0)
    if isinstance(value, float) and not math.isfinite(value):  # NaN/inf de un libro manipulado
        return Population(None, None, 0)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return Population(int(value), None, 1)
    text = str(value).replace("\u00a0", " ")
    numbers = list(_POP_NUMBER.finditer(text))
    if not numbers:
        return Population(None, None, 0)
    first = numbers[0]
    digits = re.sub(r"[ ,]", "", first.group(0))
    try:
        number = int(Decimal(digits))
    except (InvalidOperation, ValueError):
        return Population(None, None, 0)
    unit = None
    for w in _WORD.findall(fold(text[first.end():])):
        if w not in _SKIP_WORDS:
            unit = _singular(w)
            break
    return Population(number, unit, len(numbers))


def is_people(unit: str | None) -> bool:
    return unit is not None and unit in PEOPLE_UNITS


def same_unit(u1: str | None, u2: str | None) -> bool:
    """¿Misma unidad? Una unidad ausente no se compara; personas ≈ habitantes ≈ ciudadanos."""
    if not u1 or not u2 or u1 == u2:
        return True
    return is_people(u1) and is_people(u2)


def fmt_number(d: Decimal) -> str:
    """Decimal para mensajes: «90», «33.5»."""
    d = d.normalize()
    text = f"{d:f}"
    return text


def fmt_int(n: int) -> str:
    """Entero con separador de miles mexicano: 270,955."""
    return f"{n:,}"
