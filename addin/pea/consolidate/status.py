"""Estado de cada entrega y reglas entre libros (PEA-X01–X03).

- Ilegible: no se pudo leer como plan (PEA-E00, tiempo agotado).
- Rechazado: tiene al menos un hallazgo de severidad «error».
- Con observaciones: sin errores, con advertencias.
- Aceptado: sin errores ni advertencias (las notas «info» no cuentan).
- Duplicado: la misma dependencia entregó otro archivo más reciente (PEA-X01).
- Omitido: no es un libro a leer (lo asigna el escaneo).
"""

from __future__ import annotations

from pea.config import RulesConfig
from pea.consolidate.columns import (
    ACEPTADO,
    CON_OBSERVACIONES,
    DUPLICADO,
    ILEGIBLE,
    OMITIDO,
    RECHAZADO,
)
from pea.consolidate.model import Submission
from pea.consolidate.outcome import ESTRATEGIA, MIR, PROGRAMA
from pea.rules.cross import (
    CrossFinding,
    PlanFacts,
    cross_findings,
    duplicate_groups,
    severity,
)
from pea.textnorm import ESTRATEGIA_NUM, leading_number


def own_status(sub: Submission) -> tuple[str, str]:
    """Estado por su propia validación y el motivo que lo explica."""
    if sub.outcome is None:
        return OMITIDO, sub.found.skip_reason or ""
    if sub.ilegible:
        first = next((f.mensaje for f in sub.findings if f.regla == "PEA-E00"), "")
        return ILEGIBLE, first
    errors, warnings = sub.count("error"), sub.count("advertencia")
    if errors:
        first = next(f for f in sub.findings if f.severidad == "error")
        more = f" (y {errors - 1} más)" if errors > 1 else ""
        return RECHAZADO, f"{errors} error(es); el primero: [{first.regla}] {first.mensaje}{more}"
    if warnings:
        return CON_OBSERVACIONES, f"{warnings} advertencia(s); vea la hoja «Observaciones»."
    return ACEPTADO, ""


def facts(sub: Submission) -> PlanFacts:
    """Lo que las reglas entre libros necesitan de una entrega leída."""
    pf = PlanFacts(sub.archivo, sub.dependencia, sub.found.mtime)
    seen: set[tuple[object, ...]] = set()
    for line in sub.lines:
        values = line.values
        key = (values[ESTRATEGIA], values[PROGRAMA], values[MIR])
        if key in seen:
            continue
        seen.add(key)
        pf.add_block(*(str(v or "") for v in key))  # textos del bloque
    return pf


def assign(submissions: list[Submission], config: RulesConfig,
           excluded: frozenset[str] = frozenset()) -> list[CrossFinding]:
    """Asigna el estado de cada entrega y devuelve los hallazgos entre libros.

    X02 y X03 miran solo los planes vigentes (sin duplicados ni estados excluidos).
    """
    for sub in submissions:
        sub.estado, sub.estado_detalle = own_status(sub)
        sub.estado_propio = sub.estado
    readable = [s for s in submissions if s.outcome is not None and not s.ilegible]
    by_name = {s.archivo: s for s in readable}
    all_facts = {s.archivo: facts(s) for s in readable}
    groups = []
    if severity("PEA-X01", config) != "desactivada":
        groups = duplicate_groups(list(all_facts.values()))
        for g in groups:
            for dup in g.duplicados:
                sub = by_name[dup.archivo]
                when = by_name[g.vigente.archivo].modified
                stamp = f", modificado el {when:%d/%m/%Y %H:%M}" if when else ""
                own = sub.estado_detalle
                sub.estado_detalle = (f"Sustituido por «{g.vigente.archivo}» (entrega más reciente de "
                                      f"la misma dependencia{stamp}). Estado propio: {sub.estado}"
                                      + (f" — {own.rstrip('. ')}" if own else "") + ".")
                sub.estado = DUPLICADO
    current = [all_facts[s.archivo] for s in readable
               if s.estado != DUPLICADO and s.estado not in excluded]
    return cross_findings(current, groups, config)


def strategy_coverage(submissions: list[Submission], config: RulesConfig,
                      excluded: frozenset[str] = frozenset()
                      ) -> list[tuple[str, str, str, list[str], int]]:
    """Cada estrategia del PMDG: eje, objetivo, estrategia, dependencias y líneas que la atienden."""
    cats = config.catalogos
    if cats.pmdg is None:
        return []
    deps: dict[str, set[str]] = {}
    lines: dict[str, int] = {}
    for sub in submissions:
        if not sub.current or sub.estado in excluded:
            continue
        for line in sub.lines:
            num = line.estrategia_num  # calculado una vez, en el proceso de lectura
            if num:
                deps.setdefault(num, set()).add(sub.dependencia or sub.archivo)
                lines[num] = lines.get(num, 0) + 1
    out = []
    for item in cats.pmdg:
        eje = str(item["eje"])
        for obj in item.get("objetivos") or []:
            for est in obj.get("estrategias") or []:
                num = leading_number(str(est), ESTRATEGIA_NUM) or ""
                out.append((eje, str(obj["objetivo"]), str(est), sorted(deps.get(num, ())),
                            lines.get(num, 0)))
    return out
