"""Datos de la hoja «Resumen»: conteos y distribución trimestral promedio por grupo.

El promedio se calcula sobre las líneas de meta de los planes vigentes (leídos, no
duplicados ni excluidos) que tienen los cuatro trimestres con valor numérico entre 0 % y
100 %.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from pea.config import RulesConfig
from pea.consolidate.cells import unicode_name
from pea.consolidate.columns import ESTADOS
from pea.consolidate.model import Consolidation
from pea.consolidate.outcome import EJE, PROGRAMA, QUARTERS, MasterLine
from pea.rules.cross import item_key
from pea.rules.registry import load_all
from pea.textnorm import EJE_NUM, fold, leading_number


@dataclass
class GroupRow:
    """Un grupo (eje, programa o dependencia) con su distribución promedio."""

    label: str
    lines: int
    average: list[float]  # cuatro fracciones (0.25 = 25 %)


@dataclass
class Summary:
    counts: list[tuple[str, Any]]  # (indicador, valor)
    by_estado: list[tuple[str, int]]
    top_rules: list[tuple[str, str, str, int, int]]  # regla, severidad, título, hallazgos, archivos
    by_eje: list[GroupRow]
    by_programa: list[GroupRow]
    by_dependencia: list[GroupRow]


def _quarters(line: MasterLine) -> list[float] | None:
    """Los cuatro trimestres de una línea si son números entre 0 % y 100 % (un 4200 % de
    PEA-Q02 no debe mover el promedio de todo un eje)."""
    row = line.values
    values = [row[i] for i in QUARTERS]
    for v in values:
        if (type(v) is not float and type(v) is not int) or not -1e-9 <= v <= 1 + 1e-9:
            return None
    return values  # type: ignore[return-value]


class _Groups:
    def __init__(self) -> None:
        self.labels: dict[str, str] = {}
        self.sums: dict[str, list[float]] = {}
        self.count: Counter[str] = Counter()

    def add(self, key: str, label: str, q: list[float]) -> None:
        s = self.sums.get(key)
        if s is None:
            s = self.sums[key] = [0.0, 0.0, 0.0, 0.0]
            self.labels[key] = label
        s[0] += q[0]
        s[1] += q[1]
        s[2] += q[2]
        s[3] += q[3]
        self.count[key] += 1

    def rows(self, order: str = "label") -> list[GroupRow]:
        out = [GroupRow(self.labels[k], n, [v / n for v in self.sums[k]])
               for k, n in self.count.items()]
        if order == "lines":
            out.sort(key=lambda g: (-g.lines, fold(g.label)))
        else:
            out.sort(key=lambda g: (_num(g.label), fold(g.label)))
        return out


def _num(label: str) -> tuple[int, ...]:
    num = leading_number(label, EJE_NUM) or leading_number(label + " ", EJE_NUM)
    if not num or not num.isdigit():
        return (10**9,)
    return (int(num),) if len(num) <= 15 else (10**15,)  # miles de cifras: int() no puede


def build_summary(c: Consolidation, config: RulesConfig) -> Summary:
    """Conteos de la corrida y promedios por eje, programa presupuestario y dependencia."""
    subs = c.submissions
    estados = Counter(s.estado for s in subs)
    ejes, programas, deps = _Groups(), _Groups(), _Groups()
    cat_ejes = config.catalogos.ejes
    cat_pp = {item_key(str(p["programa"])): str(p["programa"])
              for p in config.catalogos.programas_presupuestarios or []}
    eje_keys: dict[str, tuple[str, str]] = {}  # texto → (clave, etiqueta), una vez por texto
    pp_keys: dict[str, tuple[str, str]] = {}
    no_pp = item_key("(sin programa)")
    for sub in subs:
        if not sub.current or sub.estado in c.excluded_states:
            continue
        dep = sub.dependencia or f"(sin dependencia: {sub.archivo})"
        dep_key = fold(dep)
        for line in sub.lines:
            q = _quarters(line)
            if q is None:
                continue
            eje = str(line.values[EJE] or "(sin eje)")  # textos del bloque
            ek = eje_keys.get(eje)
            if ek is None:
                num = line.eje_num  # ya calculado en el proceso de lectura
                ek = eje_keys[eje] = (num or fold(eje), cat_ejes.get(num, eje) if num else eje)
            ejes.add(ek[0], ek[1], q)
            pp_text = line.values[PROGRAMA]
            pp = str(pp_text or "(sin programa)")
            pk = pp_keys.get(pp)
            if pk is None:
                key = line.programa_key if pp_text else no_pp
                pk = pp_keys[pp] = (key, cat_pp.get(key, pp))
            programas.add(pk[0], pk[1], q)
            deps.add(dep_key, dep, q)
    findings = Counter[str]()
    files_by_rule: dict[str, set[str]] = {}
    sev: dict[str, str] = {}
    for sub in subs:
        for f in sub.findings:
            findings[f.regla] += 1
            sev[f.regla] = f.severidad
            files_by_rule.setdefault(f.regla, set()).add(sub.archivo)
    rules = load_all()  # los títulos: las cargan los procesos de lectura, no el principal
    top = [(rid, sev[rid], rules[rid].title if rid in rules else "", n, len(files_by_rule[rid]))
           for rid, n in findings.most_common(15)]
    total = Counter[str]()
    for sub in subs:
        for s in ("error", "advertencia", "info"):
            total[s] += sub.count(s)
    read = [s for s in subs if s.outcome is not None]
    current_deps = {fold(s.dependencia) for s in subs
                    if s.current and s.dependencia and s.estado not in c.excluded_states}
    counts: list[tuple[str, Any]] = [
        ("Archivos encontrados", len(subs)),
        ("Archivos leídos (libros y exportaciones de texto)", len(read)),
        ("Dependencias con plan vigente", len(current_deps)),
        ("Líneas de meta en «Plan consolidado»", c.plan_rows),
        ("Errores", total["error"]),
        ("Advertencias", total["advertencia"]),
        ("Notas informativas", total["info"]),
        ("Hallazgos entre libros (hoja «Cobertura»)", len(c.cross)),
        ("Leídos en esta corrida", c.read_count),
        ("Tomados de la caché", c.cached_count),
        ("Fecha de consolidación", c.started),
        ("Carpeta de entregas", unicode_name(str(c.folder))),
        ("Versión de las reglas", f"{c.config_version} (huella {c.rules_version})"),
    ]
    return Summary(
        counts=counts,
        by_estado=[(e, estados.get(e, 0)) for e in ESTADOS],
        top_rules=top,
        by_eje=ejes.rows(),
        by_programa=programas.rows(),
        by_dependencia=deps.rows(order="label"),
    )
