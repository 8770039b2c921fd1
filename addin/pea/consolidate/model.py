"""Una entrega (archivo de la carpeta) con su resultado y su estado, y el resultado total."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from pea.consolidate.cells import unicode_name
from pea.consolidate.columns import DUPLICADO, OMITIDO
from pea.consolidate.outcome import MasterLine, Outcome
from pea.consolidate.scan import FoundFile
from pea.models import FileReport, Finding
from pea.rules.cross import CrossFinding


@dataclass
class Submission:
    """Un archivo encontrado: lo leído (`Outcome`) y el estado que se le asigna."""

    found: FoundFile
    outcome: Outcome | None = None  # None: omitido (no se lee)
    from_cache: bool = False
    estado: str = OMITIDO
    estado_detalle: str = ""  # por qué tiene ese estado (columna «Motivo» de «Entregas»)
    estado_propio: str = OMITIDO  # por su propia validación (un Duplicado puede ser Rechazado)

    @property
    def archivo(self) -> str:
        """Ruta relativa a la carpeta, como texto que toda salida puede escribir."""
        return unicode_name(self.found.archivo)

    @property
    def report(self) -> FileReport | None:
        """El reporte de su validación (sin la ruta: es el de la caché, por contenido)."""
        return self.outcome.report if self.outcome is not None else None

    @property
    def dependencia(self) -> str | None:
        return self.outcome.report.dependencia if self.outcome is not None else None

    @property
    def lines(self) -> list[MasterLine]:
        return self.outcome.lines if self.outcome is not None else []

    @property
    def findings(self) -> list[Finding]:
        return self.outcome.report.hallazgos if self.outcome is not None else []

    def count(self, severity: str) -> int:
        return self.outcome.report.resumen.get(severity, 0) if self.outcome is not None else 0

    @property
    def sha256(self) -> str | None:
        return self.outcome.sha256 if self.outcome is not None else None

    @property
    def ilegible(self) -> bool:
        return self.outcome is not None and self.outcome.ilegible

    @property
    def template_version(self) -> str | None:
        tpl = self.outcome.report.plantilla if self.outcome is not None else None
        if tpl is None:
            return None
        version, anio = tpl.version, tpl.anio_plan
        if version and anio:
            return f"{version} ({anio})"
        return version or (str(anio) if anio else None)

    @property
    def modified(self) -> dt.datetime | None:
        """Fecha de modificación; None si no hay o no es una fecha que Excel guarde (un
        archivo con fecha del año 35,680,317 en una memoria USB hacía fallar la corrida)."""
        if not self.found.mtime:
            return None
        try:
            when = dt.datetime.fromtimestamp(self.found.mtime)
        except (OverflowError, ValueError, OSError):
            return None
        return when if when.year >= 1900 else None

    def excluded(self, states: frozenset[str]) -> bool:
        """¿Sus líneas quedan fuera del «Plan consolidado»? (p. ej. `--excluir-rechazados`
        también deja fuera un duplicado que por sí mismo está rechazado)."""
        return bool(states) and (self.estado in states or self.estado_propio in states)

    @property
    def current(self) -> bool:
        """¿Sus líneas cuentan en los resúmenes? (leído, no duplicado)."""
        return self.outcome is not None and not self.ilegible and self.estado != DUPLICADO


@dataclass
class Consolidation:
    """Todo lo que el libro maestro y las exportaciones muestran."""

    folder: Path
    output: Path
    submissions: list[Submission]
    cross: list[CrossFinding]
    rules_version: str
    config_version: str
    strategies: list[tuple[str, str, str, list[str], int]]  # eje, objetivo, estrategia, deps, líneas
    excluded_states: frozenset[str] = frozenset()
    read_count: int = 0
    cached_count: int = 0
    avisos: list[str] = field(default_factory=list)
    started: dt.datetime = field(default_factory=dt.datetime.now)

    @property
    def plan_rows(self) -> int:
        return sum(len(s.lines) for s in self.submissions
                   if not s.excluded(self.excluded_states))
