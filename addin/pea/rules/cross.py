"""PEA-X: reglas entre libros, que solo el consolidador puede evaluar.

- PEA-X01: una dependencia entregó más de un archivo. Gana la entrega más reciente
  (fecha de modificación del archivo; a igual fecha, el nombre mayor en orden natural, sin
  distinguir mayúsculas: «Tesoreria_v2» gana a «tesoreria» y «obras_v10» a «obras_v9»);
  las demás quedan como «Duplicado». Los nombres se comparan con
  `textnorm.dependencia_key` (sin acentos, mayúsculas ni caracteres invisibles).
- PEA-X04: un archivo con fecha de modificación en el futuro (más allá de
  `FUTURE_TOLERANCE`): se avisa y su fecha no cuenta para PEA-X01 (pierde ante cualquier
  entrega con fecha creíble; entre varias «del futuro» decide el nombre).
- PEA-X02: estrategias del PMDG (y programas presupuestarios del catálogo) que ningún
  plan vigente atiende.
- PEA-X03: un elemento de MIR que programan varias dependencias.

Las funciones reciben resúmenes de cada plan (`PlanFacts`), no libros: el consolidador
los arma con lo que ya leyó (o con lo que tenía en caché).
"""

from __future__ import annotations

import datetime as dt
import re
import time
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from pea.config import RulesConfig
from pea.models import Severity
from pea.rules.registry import RULES, declare, effective_severity, is_active
from pea.textnorm import (
    CLAVE_NUM,
    ESTRATEGIA_NUM,
    dependencia_key,
    fold,
    leading_number,
    strip_number,
)

declare("PEA-X01", "error", "Dependencia entregada en varios archivos",
        "La dependencia «{dep}» aparece en más de un archivo ({archivos}).")
declare("PEA-X02", "info", "Estrategias del PMDG sin acciones",
        "Estrategias del PMDG sin acciones en el plan consolidado: {lista}.",
        variants={"programa": "Programas presupuestarios sin acciones en el plan "
                              "consolidado: {lista}."},
        variant_needs={"": ("pmdg",), "programa": ("programas_presupuestarios",)})
declare("PEA-X03", "info", "Elemento de MIR programado por varias dependencias",
        "El elemento de MIR «{mir}» lo programan varias dependencias: {lista}.")
declare("PEA-X04", "advertencia", "Fecha de modificación en el futuro",
        "El archivo «{archivo}» tiene fecha de modificación en el futuro ({fecha}); esa "
        "fecha no cuenta para elegir la entrega vigente de la dependencia. Revise el reloj "
        "del equipo que lo guardó.")

#: Margen para relojes desfasados (equipos, servidores de archivos, zonas horarias).
FUTURE_TOLERANCE = 24 * 3600.0


@dataclass
class PlanFacts:
    """Lo que las reglas entre libros necesitan de un plan leído."""

    archivo: str
    dependencia: str | None
    mtime: float
    estrategias: set[str] = field(default_factory=set)  # números «2.1.1» (o texto normalizado)
    programas: set[str] = field(default_factory=set)  # clave del Pp (número o texto)
    mir: dict[tuple[str, str], str] = field(default_factory=dict)  # (Pp, MIR) → texto visible

    def add_block(self, estrategia: str, programa: str, mir: str) -> None:
        """Registra los campos de un bloque (fila principal)."""
        if estrategia.strip():
            self.estrategias.add(leading_number(estrategia, ESTRATEGIA_NUM)
                                 or fold(strip_number(estrategia)).rstrip(". "))
        pp = item_key(programa)
        if pp:
            self.programas.add(pp)
        mk = item_key(mir)
        if mk:
            self.mir.setdefault((pp, mk), f"{programa.strip()} · {mir.strip()}"
                                if programa.strip() else mir.strip())


def item_key(text: str) -> str:
    """Clave de un elemento numerado: su número («4.1») o, sin número, el texto normalizado."""
    text = text.strip()
    if not text:
        return ""
    return leading_number(text, CLAVE_NUM) or fold(text).rstrip(". ")


@dataclass
class CrossFinding:
    """Un hallazgo entre libros, con lo que la hoja «Cobertura» muestra."""

    regla: str
    severidad: Severity
    elemento: str
    dependencias: list[str]
    archivos: list[str]
    mensaje: str


@dataclass
class DuplicateGroup:
    """Archivos de una misma dependencia: el vigente y los que quedan como duplicados."""

    dependencia: str
    vigente: PlanFacts
    duplicados: list[PlanFacts]


def severity(rule_id: str, config: RulesConfig) -> str:
    """Severidad efectiva (o «desactivada») de una regla (`registry.effective_severity`)."""
    return effective_severity(RULES[rule_id], config)


_DIGITS = re.compile(r"(\d+)")


def natural_key(archivo: str) -> list[str | int]:
    """Orden natural del nombre sin extensión y sin distinguir mayúsculas: «tesoreria» <
    «Tesoreria_v2» < «tesoreria_v10» (como ordena el Explorador de Windows)."""
    stem = str(PurePosixPath(archivo).with_suffix("")).casefold()
    return [int(t) if i % 2 else t for i, t in enumerate(_DIGITS.split(stem))]


def is_future(p: PlanFacts, now: float) -> bool:
    """¿La fecha de modificación está en el futuro (más allá del margen)?"""
    return p.mtime > now + FUTURE_TOLERANCE


def duplicate_groups(plans: list[PlanFacts], now: float | None = None) -> list[DuplicateGroup]:
    """PEA-X01: agrupa por dependencia (`dependencia_key`) y elige la más reciente; una
    fecha en el futuro no cuenta (PEA-X04)."""
    now = time.time() if now is None else now
    by_dep: dict[str, list[PlanFacts]] = {}
    for p in plans:
        key = dependencia_key(p.dependencia) if p.dependencia else ""
        if key:
            by_dep.setdefault(key, []).append(p)
    groups = []
    for items in by_dep.values():
        if len(items) < 2:
            continue
        items.sort(key=lambda p: (not is_future(p, now), 0.0 if is_future(p, now) else p.mtime,
                                  natural_key(p.archivo), p.archivo), reverse=True)
        groups.append(DuplicateGroup(items[0].dependencia or "", items[0], items[1:]))
    groups.sort(key=lambda g: fold(g.dependencia))
    return groups


def future_dated(plans: list[PlanFacts], now: float | None = None) -> list[PlanFacts]:
    """PEA-X04: los archivos con fecha de modificación en el futuro, por nombre."""
    now = time.time() if now is None else now
    return sorted((p for p in plans if is_future(p, now)), key=lambda p: p.archivo)


def _stamp(mtime: float) -> str:
    try:
        return f"{dt.datetime.fromtimestamp(mtime):%d/%m/%Y %H:%M}"
    except (OverflowError, OSError, ValueError):
        return "fuera del calendario"


def uncovered_strategies(plans: list[PlanFacts], config: RulesConfig) -> list[str]:
    """PEA-X02: estrategias del catálogo PMDG que ningún plan vigente menciona."""
    covered = set().union(*(p.estrategias for p in plans)) if plans else set()
    return [text for num, (_obj, text) in sorted(
        config.catalogos.estrategias.items(), key=lambda kv: _num_key(kv[0]))
        if num not in covered]


def uncovered_programs(plans: list[PlanFacts], config: RulesConfig) -> list[str]:
    """PEA-X02 (variante): programas presupuestarios del catálogo sin acciones."""
    if config.catalogos.programas_presupuestarios is None:
        return []
    covered = set().union(*(p.programas for p in plans)) if plans else set()
    out = []
    for item in config.catalogos.programas_presupuestarios:
        text = str(item["programa"])
        if item_key(text) not in covered:
            out.append(text)
    return out


def shared_mir(plans: list[PlanFacts]) -> list[tuple[str, list[PlanFacts]]]:
    """PEA-X03: elementos de MIR que aparecen en planes de más de una dependencia."""
    by_item: dict[tuple[str, str], list[PlanFacts]] = {}
    shown: dict[tuple[str, str], str] = {}
    for p in plans:
        for key, text in p.mir.items():
            by_item.setdefault(key, []).append(p)
            shown.setdefault(key, text)
    out = []
    for key, items in by_item.items():
        deps = {dependencia_key(p.dependencia) if p.dependencia else fold(p.archivo)
                for p in items}
        if len(deps) > 1:
            out.append((shown[key], sorted(items, key=lambda p: fold(p.dependencia or ""))))
    out.sort(key=lambda t: (_num_key(t[0].split(" · ")[0]), t[0]))
    return out


def _num_key(text: str) -> tuple[int, ...]:
    num = leading_number(text, CLAVE_NUM) or ""
    # un número de miles de cifras no cabe en int() (límite de Python): va al final
    return tuple(int(n) if len(n) <= 15 else 10**15 for n in num.split(".")
                 if n.isdigit()) or (10**9,)


def cross_findings(plans: list[PlanFacts], groups: list[DuplicateGroup],
                   config: RulesConfig, now: float | None = None) -> list[CrossFinding]:
    """Hallazgos X01–X04 con la severidad de la configuración; cada regla (y variante) solo
    si está activa (`registry.is_active`: no desactivada y con sus catálogos).

    `plans` son los planes vigentes (sin duplicados); `groups` los de PEA-X01.
    """
    out: list[CrossFinding] = []

    def add(rule_id: str, variant: str, elemento: str, deps: list[str], files: list[str],
            suffix: str = "", **params: object) -> None:
        rule = RULES[rule_id]
        msg = rule.message(variant, params) + suffix
        out.append(CrossFinding(rule_id, effective_severity(rule, config, variant),  # type: ignore[arg-type]
                                elemento, deps, files, msg))

    if is_active(RULES["PEA-X01"], config):
        for g in groups:
            files = [g.vigente.archivo, *(d.archivo for d in g.duplicados)]
            add("PEA-X01", "", g.dependencia, [g.dependencia], files,
                f" Se toma «{g.vigente.archivo}», la entrega más reciente; las demás quedan "
                "como «Duplicado».", dep=g.dependencia, archivos=", ".join(files))
    x02 = RULES["PEA-X02"]
    if is_active(x02, config, ""):
        for text in uncovered_strategies(plans, config):
            add("PEA-X02", "", text, [], [], lista=text.rstrip(". "))
    if is_active(x02, config, "programa"):
        for text in uncovered_programs(plans, config):
            add("PEA-X02", "programa", text, [], [], lista=text.rstrip(". "))
    if is_active(RULES["PEA-X03"], config):
        for text, items in shared_mir(plans):
            deps = list(dict.fromkeys(p.dependencia or p.archivo for p in items))
            add("PEA-X03", "", text, deps, [p.archivo for p in items],
                mir=text.rstrip(". "), lista=", ".join(deps))
    if is_active(RULES["PEA-X04"], config):
        seen = {id(p): p for p in plans}
        for g in groups:
            seen.update({id(p): p for p in (g.vigente, *g.duplicados)})
        for p in future_dated(list(seen.values()), now):
            add("PEA-X04", "", p.archivo, [p.dependencia] if p.dependencia else [],
                [p.archivo], archivo=p.archivo, fecha=_stamp(p.mtime))
    return out
