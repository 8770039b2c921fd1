"""Validar un plan: aplicar el catálogo de reglas y armar el reporte.

Es el mismo camino para `pea validar`, el botón Validar (desde una cuadrícula ya leída)
y el consolidador. Leer el archivo y elegir la hoja del plan está en
`pea.reading.workbook_file` (y `reading.sheet_choice`, que comparte con el botón).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from pea import layout as L
from pea.config import RulesConfig
from pea.models import FileReport, Finding, Hit, Plan, TemplateInfo
from pea.reading.deadline import Deadline
from pea.reading.errors import UnreadableFile
from pea.reading.grid import SheetGrid
from pea.reading.plan_parser import parse_plan
from pea.reading.workbook_file import (  # noqa: F401 (read_grid y compañía, antes aquí)
    ReadResult,
    annotated_copy,
    no_plan_sheet,
    read_grid,
    template_info_from_meta,
)
from pea.rules.context import Context
from pea.rules.registry import RULES, effective_severity, is_active, load_all, run_check

log = logging.getLogger(__name__)

def template_avisos(template: TemplateInfo | None, config: RulesConfig) -> list[str]:
    """Avisos cuando el libro se hizo con una plantilla de otro año o catálogos anteriores."""
    if template is None:
        return []
    avisos = []
    if template.anio_plan is not None and template.anio_plan != config.parametros.anio_plan:
        avisos.append(f"El libro se hizo con la plantilla del año {template.anio_plan}; "
                     f"descargue la plantilla vigente ({config.parametros.anio_plan}).")
    if template.huella_catalogos and template.huella_catalogos != config.catalogos.fingerprint():
        avisos.append("La plantilla del libro tiene catálogos desactualizados; descargue la "
                     "plantilla vigente para que las listas desplegables coincidan.")
    return avisos


@dataclass(slots=True)
class Validated:
    """Lo que deja validar un archivo: el reporte y, si se leyó un plan, el plan y las
    interpretaciones que ya hicieron las reglas (el consolidador las reutiliza)."""

    report: FileReport
    plan: Plan | None = None
    ctx: Context | None = None


def run_rules(ctx: Context, reader_hits: list[Hit], avisos: list[str] | None = None,
              deadline: Deadline | None = None) -> list[Finding]:
    """Aplica el catálogo (con severidades de la configuración) a `ctx.plan` y ordena los
    hallazgos.

    Con `deadline` (el límite de tiempo de la lectura del archivo), se revisa entre
    regla y regla: `UnreadableFile` si ya pasó."""
    rules = load_all()
    plan, config = ctx.plan, ctx.config
    hits = list(reader_hits)
    if plan.header_row is not None:
        for rule in rules.values():
            if rule.check is None or not is_active(rule, config):
                continue
            if deadline is not None:
                deadline.check()
            try:
                hits.extend(run_check(rule, ctx))
            except Exception:  # una regla defectuosa no oculta las demás
                log.exception("La regla %s falló", rule.id)
                if avisos is not None:
                    avisos.append(f"La regla {rule.id} no pudo evaluarse (error interno); "
                                  "repórtelo al equipo de PEA.")
    return to_findings(hits, plan.hoja, config)


def to_findings(hits: list[Hit], hoja: str | None, config: RulesConfig) -> list[Finding]:
    """Da severidad y mensaje a cada detección, sin repetir (regla, celda, mensaje)."""
    out: list[Finding] = []
    seen: set[tuple[str, str | None, str]] = set()
    for hit in hits:
        rule = RULES[hit.rule]
        severity = effective_severity(rule, config, hit.variant)
        if severity == "desactivada":
            continue
        params = {"fila": hit.row, **hit.params}
        mensaje = rule.message(hit.variant, params)
        key = (rule.id, hit.cell, mensaje)
        if key in seen:
            continue
        seen.add(key)
        out.append(Finding(regla=rule.id, severidad=severity,  # type: ignore[arg-type]
                           hoja=hoja, celda=hit.cell, fila=hit.row,
                           mensaje=mensaje))
    out.sort(key=_order)
    return out


def _order(f: Finding) -> tuple[int, int, str]:
    col = 0
    if f.celda:
        letters = "".join(ch for ch in f.celda if ch.isalpha())
        col = L.col_index(letters)
    return (f.fila or 0, col, f.regla)


def validate_grid(grid: SheetGrid, config: RulesConfig, archivo: str,
                  avisos: list[str] | None = None,
                  template: TemplateInfo | None = None) -> tuple[Plan, FileReport]:
    """Valida una hoja ya leída (la usa el botón Validar de Excel)."""
    v = validated_grid(grid, config, archivo, avisos, template)
    assert v.plan is not None
    return v.plan, v.report


def validated_grid(grid: SheetGrid, config: RulesConfig, archivo: str,
                   avisos: list[str] | None = None,
                   template: TemplateInfo | None = None) -> Validated:
    """Como `validate_grid`, con el contexto de las reglas (`Validated`)."""
    load_all()
    avisos = list(avisos or [])
    parsed = parse_plan(grid, archivo)
    parsed.plan.template = template
    avisos.extend(parsed.plan.avisos)
    avisos.extend(template_avisos(template, config))
    ctx = Context(parsed.plan, config)
    findings = run_rules(ctx, parsed.hits, avisos, grid.deadline)
    report = FileReport.build(archivo, parsed.plan.dependencia, findings, hoja=grid.name,
                              avisos=avisos, plantilla=template)
    return Validated(report, parsed.plan, ctx)


def report_without_plan(archivo: str, hits: list[Hit], config: RulesConfig,
                        avisos: list[str], template: TemplateInfo | None) -> FileReport:
    """Reporte de un libro sin hoja del plan (PEA-E01), del archivo o del libro abierto."""
    load_all()
    findings = to_findings(hits, None, config)
    return FileReport.build(archivo, None, findings, avisos=avisos, plantilla=template)


def unreadable_report(archivo: str, message: str, config: RulesConfig) -> FileReport:
    """Reporte de un archivo que no se puede leer como plan (PEA-E00)."""
    load_all()
    motivo = message[:1].lower() + message[1:] if message[1:2].islower() else message
    findings = to_findings([Hit("PEA-E00", motivo=motivo)], None, config)
    if not findings:  # PEA-E00 desactivada: aun así el archivo no es válido
        findings = [Finding(regla="PEA-E00", severidad="error", mensaje=message)]
    return FileReport.build(archivo, None, findings)


def validate_file(path: str | Path, config: RulesConfig,
                  archivo: str | None = None) -> tuple[Plan | None, FileReport]:
    """Lee y valida un archivo; nunca lanza por el contenido del archivo."""
    from pea.reading.source import read_input

    p = Path(path)
    name = archivo if archivo is not None else str(path)
    try:
        data = read_input(p, config.limites)
    except UnreadableFile as exc:
        return None, unreadable_report(name, exc.message, config)
    except IsADirectoryError:
        return None, unreadable_report(name, "es una carpeta, no un archivo.", config)
    except OSError as exc:
        return None, unreadable_report(
            name, f"no se pudo abrir ({exc.strerror or type(exc).__name__}).", config)
    return validate_bytes(p, data, config, name)


def validate_bytes(path: Path, data: bytes, config: RulesConfig,
                   archivo: str) -> tuple[Plan | None, FileReport]:
    """Como `validate_file`, con el contenido ya leído."""
    v = validate_data(path, data, config, archivo)
    return v.plan, v.report


def validate_data(path: Path, data: bytes, config: RulesConfig, archivo: str) -> Validated:
    """Como `validate_bytes`, con el contexto de las reglas (lo usa el consolidador)."""
    load_all()
    try:
        read = read_grid(path, data, config)
    except UnreadableFile as exc:
        return Validated(unreadable_report(archivo, exc.message, config))
    except (MemoryError, RecursionError) as exc:
        return Validated(unreadable_report(
            archivo, f"el archivo excede los recursos de lectura ({type(exc).__name__}).", config))
    except Exception as exc:  # defecto del lector: E00 en vez de una traza para la persona
        log.exception("Falla interna al leer %s", archivo)
        return Validated(unreadable_report(
            archivo, f"falla interna del lector ({type(exc).__name__}); repórtela al equipo "
            "de PEA.", config))
    del data  # el libro ya está leído: sus bytes no pesan durante las reglas
    if read.grid is None:
        return Validated(report_without_plan(archivo, read.hits, config, read.avisos,
                                             read.template))
    try:
        v = validated_grid(read.grid, config, archivo, read.avisos, read.template)
        v.report.copia_anotada = read.copy_of
        return v
    except UnreadableFile as exc:  # p. ej. el límite de tiempo, vencido al interpretar
        return Validated(unreadable_report(archivo, exc.message, config))
    except Exception as exc:  # defecto del intérprete del plan: E00, nunca una traza
        log.exception("Falla interna al interpretar %s", archivo)
        return Validated(unreadable_report(
            archivo, f"falla interna al interpretar el plan ({type(exc).__name__}); repórtela "
            "al equipo de PEA.", config))
