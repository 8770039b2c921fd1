"""Hoja oculta «Catálogos»: las listas de los desplegables y sus nombres definidos.

Cada lista completa tiene un nombre (``lista_ejes``, ``lista_objetivos``…) y cada
grupo de una lista dependiente otro (``obj_e2`` = objetivos del eje 2,
``est_o2_1`` = estrategias del objetivo 2.1, ``mir_p8`` = MIR del programa 8,
``uni_d3`` = la dependencia 3 y sus unidades). Las validaciones de la hoja PEA
usan esos nombres con INDIRECTO, que Excel sí admite en listas (a diferencia de
las referencias a otra hoja, que openpyxl descarta).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from openpyxl.styles import Font
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from pea import layout as L
from pea.config import RulesConfig
from pea.textnorm import EJE_NUM, OBJETIVO_NUM, leading_number

#: Prefijos de los nombres por grupo (se completan con el número del grupo).
PREFIX_OBJETIVOS = "obj_e"
PREFIX_ESTRATEGIAS = "est_o"
PREFIX_MIR = "mir_p"
PREFIX_UNIDADES = "uni_d"


@dataclass
class CatalogNames:
    """Nombres definidos que se crearon (las listas sin catálogo no aparecen)."""

    lists: dict[str, str] = field(default_factory=dict)  # clave → nombre de la lista completa
    groups: list[str] = field(default_factory=list)  # nombres por grupo

    def has(self, key: str) -> bool:
        """¿Existe la lista completa `key` (ejes, objetivos, …)?"""
        return key in self.lists


def group_key(number: str) -> str:
    """«2.1» → «2_1»: los nombres definidos no admiten puntos."""
    return number.replace(".", "_")


class _Column:
    """Escribe una columna de la hoja de catálogos y registra los rangos."""

    def __init__(self, ws: Worksheet, letter: str, title: str) -> None:
        self.ws = ws
        self.letter = letter
        ws[f"{letter}1"] = title
        ws[f"{letter}1"].font = Font(bold=True)
        self.next_row = 2

    def extend(self, values: list[str]) -> tuple[int, int] | None:
        """Escribe `values` hacia abajo; devuelve (fila inicial, fila final) o None."""
        if not values:
            return None
        start = self.next_row
        for value in values:
            self.ws[f"{self.letter}{self.next_row}"] = value
            self.next_row += 1
        return start, self.next_row - 1

    def ref(self, rows: tuple[int, int]) -> str:
        """Referencia absoluta con la hoja entre comillas: 'Catálogos'!$A$2:$A$7."""
        return f"'{L.CATALOG_SHEET}'!${self.letter}${rows[0]}:${self.letter}${rows[1]}"


def write_catalog_sheet(wb: Workbook, cfg: RulesConfig) -> CatalogNames:
    """Crea la hoja oculta de catálogos y los nombres definidos; devuelve los nombres."""
    ws = wb.create_sheet(L.CATALOG_SHEET)
    ws.sheet_state = "hidden"
    names = CatalogNames()
    cat = cfg.catalogos

    def define(name: str, column: _Column, rows: tuple[int, int] | None) -> None:
        if rows is None:
            return
        wb.defined_names[name] = DefinedName(name, attr_text=column.ref(rows))

    ejes = _Column(ws, "A", "Ejes temáticos (PMDG)")
    objetivos = _Column(ws, "B", "Objetivos (agrupados por eje)")
    estrategias = _Column(ws, "C", "Estrategias (agrupadas por objetivo)")
    pmdg = cat.pmdg or []
    if pmdg:
        define("lista_ejes", ejes, ejes.extend([str(e["eje"]) for e in pmdg]))
        first_obj, first_est = objetivos.next_row, estrategias.next_row
        for eje in pmdg:
            enum = leading_number(str(eje["eje"]), EJE_NUM)
            objs = eje.get("objetivos") or []
            rows = objetivos.extend([str(o["objetivo"]) for o in objs])
            if enum and rows:
                define(f"{PREFIX_OBJETIVOS}{enum}", objetivos, rows)
                names.groups.append(f"{PREFIX_OBJETIVOS}{enum}")
            for obj in objs:
                onum = leading_number(str(obj["objetivo"]), OBJETIVO_NUM)
                rows = estrategias.extend([str(s) for s in obj.get("estrategias") or []])
                if onum and rows:
                    define(f"{PREFIX_ESTRATEGIAS}{group_key(onum)}", estrategias, rows)
                    names.groups.append(f"{PREFIX_ESTRATEGIAS}{group_key(onum)}")
        names.lists["ejes"] = "lista_ejes"
        if objetivos.next_row > first_obj:
            define("lista_objetivos", objetivos, (first_obj, objetivos.next_row - 1))
            names.lists["objetivos"] = "lista_objetivos"
        if estrategias.next_row > first_est:
            define("lista_estrategias", estrategias, (first_est, estrategias.next_row - 1))
            names.lists["estrategias"] = "lista_estrategias"

    programas = _Column(ws, "D", "Programas presupuestarios")
    mir = _Column(ws, "E", "Elementos de MIR (agrupados por programa)")
    pps = cat.programas_presupuestarios or []
    if pps:
        define("lista_programas", programas, programas.extend([str(p["programa"]) for p in pps]))
        names.lists["programas"] = "lista_programas"
        first = mir.next_row
        for pp in pps:
            pnum = leading_number(str(pp["programa"]), EJE_NUM)
            rows = mir.extend([str(m) for m in pp.get("mir") or []])
            if pnum and rows:
                define(f"{PREFIX_MIR}{pnum}", mir, rows)
                names.groups.append(f"{PREFIX_MIR}{pnum}")
        if mir.next_row > first:
            define("lista_mir", mir, (first, mir.next_row - 1))
            names.lists["mir"] = "lista_mir"

    dependencias = _Column(ws, "F", "Dependencias")
    responsables = _Column(ws, "G", "Responsables (dependencia y sus unidades)")
    deps = cat.dependencias or []
    if deps:
        define("lista_dependencias", dependencias,
               dependencias.extend([str(d["dependencia"]) for d in deps]))
        names.lists["dependencias"] = "lista_dependencias"
        first = responsables.next_row
        for i, dep in enumerate(deps, start=1):
            rows = responsables.extend(
                [str(dep["dependencia"]), *(str(u) for u in dep.get("unidades") or [])])
            define(f"{PREFIX_UNIDADES}{i}", responsables, rows)
            names.groups.append(f"{PREFIX_UNIDADES}{i}")
        define("lista_responsables", responsables, (first, responsables.next_row - 1))
        names.lists["responsables"] = "lista_responsables"

    for letter in "ABCDEFG":
        ws.column_dimensions[letter].width = 60
    ws.protection.sheet = True
    return names
