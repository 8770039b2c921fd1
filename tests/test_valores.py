"""Interpretación de valores: porcentajes, marcas, poblaciones y numeraciones."""

from __future__ import annotations

from decimal import Decimal

import pytest

from pea.textnorm import EJE_NUM, ESTRATEGIA_NUM, OBJETIVO_NUM, leading_number
from pea.values import parse_mark, parse_percent, parse_population


@pytest.mark.parametrize(("value", "percent_format", "kind", "number"), [
    (0.42, True, "percent", Decimal("42")),
    (42, False, "number", Decimal("42")),
    ("42%", False, "percent", Decimal("42")),
    ("42 %", False, "percent", Decimal("42")),
    ("33,5 %", False, "percent", Decimal("33.5")),
    ("\u00a042\u00a0%", False, "percent", Decimal("42")),
    ("", False, "blank", None),
    (None, False, "blank", None),
    ("cuarenta", False, "invalid", None),
    (True, False, "invalid", None),
    ("#DIV/0!", False, "invalid", None),
])
def test_porcentajes(value, percent_format, kind, number) -> None:
    p = parse_percent(value, percent_format)
    assert p.kind == kind
    if number is not None:
        assert p.value == number


def test_suma_exacta_en_decimales() -> None:
    values = [parse_percent(v).value for v in ("33.33%", "33.33%", "33.34%", "0%")]
    assert sum(values, Decimal(0)) == Decimal(100)


@pytest.mark.parametrize(("value", "marked"), [
    ("X", True), ("x", True), ("✓", True), ("✔", True), ("Sí", True), ("SI", True),
    (None, False), ("", False), ("-", False), ("SI APLICA", None), ("1", None), (1, None),
])
def test_marcas(value, marked) -> None:
    assert parse_mark(value) is marked


def test_poblaciones() -> None:
    p = parse_population("270,955 habitantes del municipio de Oaxaca de Jalisco.")
    assert (p.number, p.unit, p.count) == (270955, "HABITANTE", 1)
    p = parse_population("3,500 familias de 12 colonias")
    assert (p.number, p.unit, p.count) == (3500, "FAMILIA", 2)
    assert parse_population("270 955 personas").number == 270955
    assert parse_population("todas las familias").number is None


def test_numeraciones() -> None:
    assert leading_number("2. Gobernabilidad", EJE_NUM) == "2"
    assert leading_number("2.1 Construir", OBJETIVO_NUM) == "2.1"
    assert leading_number("2.1. Construir", OBJETIVO_NUM) == "2.1"
    assert leading_number("2.1.1.- Otorgar", ESTRATEGIA_NUM) == "2.1.1"
    assert leading_number("Mejorar la infraestructura", OBJETIVO_NUM) is None


def test_celda_es_un_dato_simple_inmutable() -> None:
    import dataclasses

    from pea.models import Cell

    cell = Cell("42%", 10, "M", True, False)
    assert cell == Cell(value="42%", row=10, col="M", percent_format=True, formula=False)
    assert cell.address == "M10" and dataclasses.replace(cell, value="x").value == "x"
    with pytest.raises(dataclasses.FrozenInstanceError):
        cell.value = "y"  # type: ignore[misc]


@pytest.mark.parametrize("first", [-0.0, 0.0])
def test_cero_negativo_no_se_confunde_en_la_memoria(first: float) -> None:
    """-0.0 == 0.0 y tienen el mismo hash: la memoria de `parse_percent` no debe mezclarlos."""
    parse_percent(first)
    parse_percent(first, True)
    assert parse_percent(-0.0).value.is_signed()
    assert not parse_percent(0.0).value.is_signed()
    assert parse_percent(-0.0, True).value.is_signed()
    assert not parse_percent(0.0, True).value.is_signed()
