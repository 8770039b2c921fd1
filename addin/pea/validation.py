"""Validar un plan: leer el archivo, aplicar el catálogo de reglas, armar el reporte.

Es el mismo camino para `pea validar`, el botón Validar (desde una cuadrícula ya leída)
y el consolidador.
"""

from __future__ import annotations

import logging
from pathlib import Path

from pea import layout as L
from pea.config import RulesConfig
from pea.models import AnnotatedCopy, FileReport, Finding, Hit, Plan, TemplateInfo
from pea.reading import TEXT_SUFFIXES
from pea.reading.deadline import Deadline
from pea.reading.errors import UnreadableFile
from pea.reading.grid import SheetGrid
from pea.reading.plan_parser import find_header_row, parse_plan
from pea.rules.context import Context
from pea.rules.registry import RULES, load_all

log = logging.getLogger(__name__)

#: Hojas de la plantilla que nunca son el plan.
AUXILIARY_SHEETS = frozenset({L.META_SHEET, L.CATALOG_SHEET, L.INSTRUCTIONS_SHEET,
                              L.VALIDATION_SHEET, L.MARKS_SHEET, L.DIAGNOSTIC_SHEET,
                              "xlwings.conf"})


class ReadResult:
    """Lo leído de un archivo: la cuadrícula del plan (o None), avisos y metadatos."""

    def __init__(self, grid: SheetGrid | None, hits: list[Hit], avisos: list[str],
                 template: TemplateInfo | None = None,
                 copy_of: AnnotatedCopy | None = None) -> None:
        self.grid = grid
        self.hits = hits
        self.avisos = avisos
        self.template = template
        self.copy_of = copy_of


def _suffix_message(path: Path) -> str | None:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return ("El archivo es CSV (texto separado por comas) y pierde el formato del plan; "
                "envíe el libro de Excel (.xlsx) o la exportación separada por tabuladores (.txt).")
    if suffix == ".pdf":
        return "El archivo es un PDF; envíe el libro de Excel (.xlsx/.xlsm) del plan."
    return None


def read_grid(path: Path, data: bytes, config: RulesConfig) -> ReadResult:
    """Abre el archivo y elige la hoja del plan (por su encabezado, no por su nombre)."""
    from pea.reading.text import read_text
    from pea.reading.xlsx import open_workbook

    if path.suffix.lower() in TEXT_SUFFIXES:
        return ReadResult(read_text(data, config.limites), [], [])
    msg = _suffix_message(path)
    if msg and not data.startswith(b"PK"):
        raise UnreadableFile(msg, motivo="no_excel")
    wb = open_workbook(data, config.limites)
    avisos: list[str] = []
    candidates = []
    for entry in sorted(wb.entries, key=lambda e: e.hidden):
        if entry.name in AUXILIARY_SHEETS:
            continue
        if find_header_row(wb.load(entry, nrows=L.HEADER_SEARCH_ROWS)) is not None:
            candidates.append(entry)
    template = template_info_from_meta(wb.template_info())
    if not candidates:
        visible = [e.name for e in wb.entries if not e.hidden and e.name not in AUXILIARY_SHEETS]
        hoja = ", ".join(visible or [e.name for e in wb.entries]) or "(sin hojas)"
        return ReadResult(None, [Hit("PEA-E01", hoja=hoja)], avisos, template)
    chosen = candidates[0]
    if len(candidates) > 1:
        avisos.append("El libro tiene varias hojas con el formato del plan ("
                      + ", ".join(f"«{e.name}»" for e in candidates)
                      + f"); se validó «{chosen.name}». Deje una sola hoja con el plan.")
    if chosen.hidden:
        avisos.append(f"La hoja del plan «{chosen.name}» está oculta; se validó de todos modos.")
    if wb.has_external_links:
        avisos.append("El libro tiene vínculos a otros archivos; no se siguieron (se usaron los "
                      "valores guardados).")
    grid = wb.load(chosen)
    avisos.extend(wb.notes)
    copy_of = annotated_copy(wb.custom_property(L.ANNOTATED_PROPERTY), grid)
    if copy_of is not None:
        avisos.append(f"Es una copia anotada por PEA de «{copy_of.original}»"
                      + ("; nadie la ha cambiado: las correcciones van en el libro original."
                         if copy_of.sin_cambios else
                         ", con cambios posteriores: se validó como una entrega."))
    return ReadResult(grid, [], avisos, template, copy_of)


def annotated_copy(marker: str | None, grid: SheetGrid) -> AnnotatedCopy | None:
    """Si el libro es una copia anotada por PEA: de qué libro y si sus valores siguen como
    PEA los dejó (la marca guarda la huella de la hoja del plan)."""
    if marker is None:
        return None
    fingerprint, _, original = marker.partition("|")
    return AnnotatedCopy(original=original or "(desconocido)",
                         sin_cambios=fingerprint == grid.fingerprint())


def template_info_from_meta(meta: dict[str, str] | None) -> TemplateInfo | None:
    if not meta:
        return None
    anio = meta.get("anio_plan", "")
    return TemplateInfo(
        version=meta.get("version_plantilla") or None,
        anio_plan=int(float(anio)) if anio.replace(".", "", 1).isdigit() else None,
        huella_catalogos=meta.get("huella_catalogos") or None,
    )


def template_notes(template: TemplateInfo | None, config: RulesConfig) -> list[str]:
    """Avisos cuando el libro se hizo con una plantilla de otro año o catálogos anteriores."""
    if template is None:
        return []
    notes = []
    if template.anio_plan is not None and template.anio_plan != config.parametros.anio_plan:
        notes.append(f"El libro se hizo con la plantilla del año {template.anio_plan}; "
                     f"descargue la plantilla vigente ({config.parametros.anio_plan}).")
    if template.huella_catalogos and template.huella_catalogos != config.catalogos.fingerprint():
        notes.append("La plantilla del libro tiene catálogos desactualizados; descargue la "
                     "plantilla vigente para que las listas desplegables coincidan.")
    return notes


def run_rules(plan: Plan, config: RulesConfig, reader_hits: list[Hit],
              avisos: list[str] | None = None,
              deadline: Deadline | None = None) -> list[Finding]:
    """Aplica el catálogo (con severidades de la configuración) y ordena los hallazgos.

    Con `deadline` (el límite de tiempo de la lectura del archivo), se revisa entre
    regla y regla: `UnreadableFile` si ya pasó."""
    rules = load_all()
    ctx = Context.of(plan, config)
    hits = list(reader_hits)
    if plan.header_row is not None:
        cats = config.catalogos
        for rule in rules.values():
            if rule.check is None or config.severidades.get(rule.id) == "desactivada":
                continue
            if any(getattr(cats, name) is None for name in rule.needs):
                continue
            if deadline is not None:
                deadline.check()
            try:
                hits.extend(rule.check(ctx))
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
        severity = config.severidades.get(rule.id) or rule.severity_for(hit.variant)
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
    load_all()
    avisos = list(avisos or [])
    parsed = parse_plan(grid, archivo)
    parsed.plan.template = template
    avisos.extend(parsed.plan.notes)
    avisos.extend(template_notes(template, config))
    findings = run_rules(parsed.plan, config, parsed.hits, avisos, grid.deadline)
    report = FileReport.build(archivo, parsed.plan.dependencia, findings, hoja=grid.name,
                              avisos=avisos, plantilla=template)
    return parsed.plan, report


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
    """Como `validate_file`, con el contenido ya leído (el consolidador lo reutiliza)."""
    load_all()
    try:
        read = read_grid(path, data, config)
    except UnreadableFile as exc:
        return None, unreadable_report(archivo, exc.message, config)
    except (MemoryError, RecursionError) as exc:
        return None, unreadable_report(
            archivo, f"el archivo excede los recursos de lectura ({type(exc).__name__}).", config)
    except Exception as exc:  # defecto del lector: E00 en vez de una traza para la persona
        log.exception("Falla interna al leer %s", archivo)
        return None, unreadable_report(
            archivo, f"falla interna del lector ({type(exc).__name__}); repórtela al equipo "
            "de PEA.", config)
    if read.grid is None:
        findings = to_findings(read.hits, None, config)
        report = FileReport.build(archivo, None, findings, avisos=read.avisos,
                                  plantilla=read.template)
        return None, report
    try:
        plan, report = validate_grid(read.grid, config, archivo, read.avisos, read.template)
        report.copia_anotada = read.copy_of
        return plan, report
    except UnreadableFile as exc:  # p. ej. el límite de tiempo, vencido al interpretar
        return None, unreadable_report(archivo, exc.message, config)
    except Exception as exc:  # defecto del intérprete del plan: E00, nunca una traza
        log.exception("Falla interna al interpretar %s", archivo)
        return None, unreadable_report(
            archivo, f"falla interna al interpretar el plan ({type(exc).__name__}); repórtela "
            "al equipo de PEA.", config)
