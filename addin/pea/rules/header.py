"""PEA-H: bloque de encabezado (dependencia, misión, visión, año) y firmas."""

from __future__ import annotations

import re
from collections.abc import Iterator

from pea import layout as L
from pea.models import Cell, Signature
from pea.rules.context import Context
from pea.rules.registry import At, Check, rule
from pea.textnorm import fold, ratio, similar


def _where(value: Cell | None, label: Cell | None) -> tuple[str | None, int | None]:
    cell = value or label
    return (cell.address, cell.row) if cell is not None else (None, None)


def _empty(cell: Cell | None) -> bool:
    return cell is None or cell.is_blank


def _missing_header(field: str) -> Check:
    """Regla «falta el campo del encabezado»: apunta al valor vacío o a su etiqueta."""

    def check(ctx: Context) -> Iterator[At]:
        h = ctx.plan.header
        value = getattr(h, field)
        if _empty(value):
            yield At(*_where(value, getattr(h, f"{field}_label")))

    return check


rule("PEA-H01", "error", "Falta la dependencia", "Falta el nombre de la Dependencia o Entidad.")(
    _missing_header("dependencia"))
rule("PEA-H03", "error", "Falta la misión", "Falta la Misión de la dependencia.")(
    _missing_header("mision"))
rule("PEA-H04", "error", "Falta la visión", "Falta la Visión de la dependencia.")(
    _missing_header("vision"))


@rule("PEA-H02", "advertencia", "Dependencia fuera del catálogo",
      "La dependencia «{valor}» no está en el catálogo de dependencias municipales.",
      needs=("dependencias",))
def h02(ctx: Context) -> Iterator[At]:
    cell = ctx.plan.header.dependencia
    if _empty(cell):
        return
    name = fold(cell.text)  # type: ignore[union-attr]
    if name in ctx.catalogs.unidades:
        return
    if any(similar(name, known, 0.92) for known in ctx.catalogs.unidades):
        return
    yield At.of(cell, valor=cell.text.strip())  # type: ignore[union-attr]


def _signature_missing(sig: Signature | None) -> bool:
    return sig is None or _empty(sig.nombre) or _empty(sig.cargo)


def _signature_cell(ctx: Context, sig: Signature | None,
                    col: str) -> tuple[str | None, int | None]:
    """Celda donde falta el dato: la del nombre (bajo la etiqueta) o la del cargo.

    Sin bloque de firma, la celda donde el formato oficial lo pone (dos filas bajo la tabla).
    """
    if sig is None:
        row = (ctx.plan.last_row or 0) + L.FOOTER_GAP + 1
        offset = L.col_index(ctx.plan.first_col) - 1
        return f"{L.col_letter(L.col_index(col) + offset)}{row}", row
    if _empty(sig.nombre):
        row = sig.label.row + 1  # type: ignore[operator]
        if sig.cargo is not None and sig.cargo.row is not None and sig.cargo.row - 1 > sig.label.row:  # type: ignore[operator]
            row = sig.cargo.row - 1
        return f"{sig.label.col}{row}", row
    row = sig.nombre.row + 1  # type: ignore[union-attr,operator]
    return f"{sig.nombre.col}{row}", row  # type: ignore[union-attr]


def _missing_signature(which: str, col: str) -> Check:
    """Regla «falta nombre o cargo» de ELABORÓ o AUTORIZÓ."""

    def check(ctx: Context) -> Iterator[At]:
        sig = getattr(ctx.plan.footer, which)
        if ctx.plan.blocks and _signature_missing(sig):
            yield At(*_signature_cell(ctx, sig, col))

    return check


rule("PEA-H05", "error", "Falta quien elaboró",
     "Falta el nombre o el cargo de quien ELABORÓ el plan.")(
    _missing_signature("elaboro", L.FOOTER_ELABORO_COL))
rule("PEA-H06", "error", "Falta quien autorizó",
     "Falta el nombre o el cargo de quien AUTORIZÓ el plan.")(
    _missing_signature("autorizo", L.FOOTER_AUTORIZO_COL))


_TITLES = re.compile(
    r"^(?:(?:LIC|ING|ARQ|MTRO|MTRA|DR|DRA|C\.P|CP|PROF|PROFA|C|LCDO|LCDA|MVZ)\.?\s+)+"
)
_CARGO = re.compile(
    r"^(?:DIRECTOR|DIRECTORA|COORDINADOR|COORDINADORA|TITULAR|JEFE|JEFA|ENCARGADO|ENCARGADA|"
    r"PRESIDENTE|PRESIDENTA|DIRECCION|COORDINACION|JEFATURA)\s+(?:GENERAL\s+)?(?:DE(?:L)?\s+)?(?:LA\s+|LOS\s+|LAS\s+)?"
)


def _person(text: str) -> str:
    return _TITLES.sub("", fold(text)).strip()


_STOP = frozenset({"DE", "DEL", "LA", "EL", "LOS", "LAS", "Y", "PARA", "E"})


def _tokens(text: str) -> set[str]:
    return {t for t in re.findall(r"[A-Z0-9]+", text) if t not in _STOP}


def _subject(text: str) -> str:
    return _CARGO.sub("", fold(text)).strip()


@rule("PEA-H07", "advertencia", "Autorización no corresponde al titular",
      "Quien autoriza debe ser la persona titular de la dependencia y distinta de quien elabora.")
def h07(ctx: Context) -> Iterator[At]:
    f = ctx.plan.footer
    if f.autorizo is None or _empty(f.autorizo.nombre):
        return
    aut = f.autorizo
    if f.elaboro is not None and not _empty(f.elaboro.nombre) and (
        _person(f.elaboro.nombre.text) == _person(aut.nombre.text)  # type: ignore[union-attr]
    ):
        yield At.of(aut.nombre)  # type: ignore[union-attr]
        return
    dep = ctx.plan.dependencia
    if dep is None or _empty(aut.cargo):
        return
    cargo, subject = _subject(aut.cargo.text), _subject(dep)  # type: ignore[union-attr]
    ct, st = _tokens(cargo), _tokens(subject)
    if ct and st and (ct <= st or st <= ct):
        return
    if ratio(cargo, subject) < 0.6 and ratio(fold(aut.cargo.text), fold(dep)) < 0.6:  # type: ignore[union-attr]
        yield At.of(aut.cargo)  # type: ignore[union-attr]


@rule("PEA-H08", "error", "Año del plan distinto",
      "El título indica el año {valor}; se esperaba PLAN ESTRATÉGICO ANUAL {anio_plan}.")
def h08(ctx: Context) -> Iterator[At]:
    h = ctx.plan.header
    expected = ctx.params.anio_plan
    if h.anio == expected or (h.titulo is not None and re.search(rf"\b{expected}\b", h.titulo.text)):
        return  # el título puede traer además el periodo («2021-2024»)
    valor = str(h.anio) if h.anio is not None else "(ninguno)"
    cell = h.titulo.address if h.titulo else "A1"
    row = h.titulo.row if h.titulo else 1
    yield At(cell, row, valor=valor, anio_plan=expected)
