"""Filas de cada hoja del maestro como valores de Python (las usan el libro y las exportaciones).

Cada función da los valores en el orden de los encabezados de su hoja en
`pea.consolidate.columns` (`PLAN_COLUMNS`, `ENTREGAS_COLUMNS`…): una columna nueva del
maestro es su encabezado allí y su valor aquí.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pea.consolidate.columns import OMITIDO, ROW_KIND
from pea.consolidate.model import Consolidation


def plan_rows(c: Consolidation) -> Iterator[list[Any]]:
    """«Plan consolidado»: una fila por línea de meta (principal o continuación)."""
    for sub in c.submissions:
        if not sub.lines or sub.excluded(c.excluded_states):
            continue
        dep, estado, archivo = sub.dependencia, sub.estado, sub.archivo
        for line in sub.lines:
            yield [dep, estado, *line.values, archivo, line.fila, ROW_KIND.get(line.tipo, line.tipo)]


def entregas_rows(c: Consolidation) -> Iterator[list[Any]]:
    """«Entregas»: todos los archivos encontrados, leídos o no."""
    for sub in c.submissions:
        report = sub.report
        read = report is not None
        size = round(sub.found.size / 1024) if not sub.found.archivo.endswith("/") else None
        yield [
            sub.archivo, sub.dependencia, sub.estado,
            sub.count("error") if read else None,
            sub.count("advertencia") if read else None,
            sub.count("info") if read else None,
            len(sub.lines) if read else None,
            sub.modified, size, sub.sha256, sub.template_version,
            report.hoja if report is not None else None,
            sub.estado_detalle or None,
            (" ".join(report.avisos) or None) if report is not None else None,
        ]


def observaciones_rows(c: Consolidation) -> Iterator[list[Any]]:
    """«Observaciones»: cada hallazgo de cada archivo, como lo reporta `pea validar`."""
    for sub in c.submissions:
        if sub.estado == OMITIDO:
            continue
        dep = sub.dependencia
        for f in sub.findings:
            yield [sub.archivo, dep, f.hoja, f.celda, f.fila, f.regla, f.severidad, f.mensaje]


def cobertura_rows(c: Consolidation) -> Iterator[list[Any]]:
    """«Cobertura»: hallazgos entre libros (PEA-X01–X03)."""
    for f in c.cross:
        yield [f.regla, f.severidad, f.elemento, "; ".join(f.dependencias) or None,
               "; ".join(f.archivos) or None, f.mensaje]


def estrategias_rows(c: Consolidation) -> Iterator[list[Any]]:
    """Cobertura del PMDG: cada estrategia con las dependencias y líneas que la atienden."""
    for eje, objetivo, estrategia, deps, lines in c.strategies:
        yield [eje, objetivo, estrategia, len(deps), lines, "; ".join(deps) or None]
