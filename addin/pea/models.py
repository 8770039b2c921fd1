"""Modelos del plan leído, de los hallazgos y de los reportes.

Cada valor leído conserva su hoja y su celda, para que todo hallazgo apunte a una
celda. Los nombres oficiales del formato (eje, objetivo, meta, …) se conservan.

El plan en memoria (`Plan`, `Block`, `MetaLine`, `Cell`…) son datos simples
(`dataclass`): el lector los crea ya con su tipo y nadie los valida ni los serializa.
pydantic queda en las fronteras: el reporte del contrato JSON (`FileReport`, `Finding`,
`TemplateInfo`, `AnnotatedCopy`), la configuración y la caché.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, Field

Severity = Literal["error", "advertencia", "info"]
SEVERITIES: tuple[Severity, ...] = ("error", "advertencia", "info")
LineKind = Literal["principal", "continuacion"]


@dataclass(frozen=True, slots=True)
class Cell:
    """Un valor tal como está en la hoja, con su dirección (dato interno: sin validar)."""

    value: Any = None
    row: int | None = None
    col: str | None = None  # letra de la columna en el archivo
    percent_format: bool = False  # la celda tiene formato de porcentaje
    formula: bool = False  # la celda tiene una fórmula (su valor es el guardado)

    @property
    def address(self) -> str | None:
        if self.row is None or self.col is None:
            return None
        return f"{self.col}{self.row}"

    @property
    def text(self) -> str:
        """El valor como texto ('' si está vacío)."""
        v = self.value
        if v is None:
            return ""
        if isinstance(v, float) and v.is_integer():
            return str(int(v))
        return str(v)

    @property
    def is_blank(self) -> bool:
        v = self.value
        return v is None or (isinstance(v, str) and not v.strip())


@dataclass(slots=True)
class PlanHeader:
    """Bloque superior: título con el año, dependencia, misión y visión."""

    titulo: Cell | None = None
    anio: int | None = None
    dependencia: Cell | None = None
    mision: Cell | None = None
    vision: Cell | None = None
    # celdas de las etiquetas, para apuntar cuando falta el valor
    dependencia_label: Cell | None = None
    mision_label: Cell | None = None
    vision_label: Cell | None = None


@dataclass(slots=True)
class Signature:
    """ELABORÓ o AUTORIZÓ: etiqueta, nombre y cargo."""

    label: Cell
    nombre: Cell | None = None
    cargo: Cell | None = None


@dataclass(slots=True)
class PlanFooter:
    elaboro: Signature | None = None
    autorizo: Signature | None = None


@dataclass(slots=True)
class MetaLine:
    """Una línea de meta: fila principal o de continuación con sus trimestres."""

    row: int
    kind: LineKind
    parent_row: int | None
    marks: dict[str, Cell]  # et_I … et_V
    quarters: dict[str, Cell]  # t1 … t4
    own: dict[str, Cell] = field(default_factory=dict)  # pasos / meta propios


@dataclass(slots=True)
class Block:
    """Fila principal con sus filas de continuación (campos del bloque compartidos)."""

    row: int
    fields: dict[str, Cell]  # campos del bloque ya heredados (eje, objetivo, …)
    lines: list[MetaLine] = field(default_factory=list)
    orphan: bool = False  # continuación sin fila principal previa (PEA-E04)

    def value(self, key: str) -> str:
        cell = self.fields.get(key)
        return cell.text if cell is not None else ""


class TemplateInfo(BaseModel):
    """Metadatos que la plantilla oficial guarda en su hoja oculta."""

    version: str | None = None
    anio_plan: int | None = None
    huella_catalogos: str | None = None


class AnnotatedCopy(BaseModel):
    """El libro es una copia anotada por PEA (`pea consolidar --anotar`)."""

    original: str  # nombre del libro de la dependencia del que se hizo la copia
    sin_cambios: bool  # nadie cambió sus valores desde que PEA la escribió


@dataclass(slots=True)
class Plan:
    """Un plan leído de un libro o de una exportación de texto (dato interno: sin validar)."""

    archivo: str
    hoja: str | None = None
    header: PlanHeader = field(default_factory=PlanHeader)
    footer: PlanFooter = field(default_factory=PlanFooter)
    columns: dict[str, str] = field(default_factory=dict)  # clave → letra en el archivo
    header_row: int | None = None
    first_col: str = "A"  # columna del eje (el encabezado puede estar movido)
    last_row: int | None = None  # última fila de datos (el pie va después)
    blocks: list[Block] = field(default_factory=list)
    template: TemplateInfo | None = None
    avisos: list[str] = field(default_factory=list)  # de lectura (filas ignoradas…)

    @property
    def lines(self) -> list[tuple[Block, MetaLine]]:
        return [(b, ln) for b in self.blocks for ln in b.lines]

    @property
    def dependencia(self) -> str | None:
        cell = self.header.dependencia
        text = cell.text.strip() if cell is not None else ""
        return text or None


class Finding(BaseModel):
    """Un hallazgo: regla, severidad, hoja, celda, fila y mensaje en español."""

    regla: str
    severidad: Severity
    hoja: str | None = None
    celda: str | None = None
    fila: int | None = None
    mensaje: str


class FileReport(BaseModel):
    """Resultado de validar un archivo (el objeto JSON del contrato)."""

    archivo: str
    dependencia: str | None = None
    valido: bool
    resumen: dict[str, int]
    hallazgos: list[Finding]
    hoja: str | None = None  # hoja del plan que se validó
    avisos: list[str] = Field(default_factory=list)  # de lectura: no son hallazgos de una regla
    plantilla: TemplateInfo | None = None
    copia_anotada: AnnotatedCopy | None = None

    @classmethod
    def build(cls, archivo: str, dependencia: str | None, findings: list[Finding],
              **extra: Any) -> FileReport:
        resumen = {s: 0 for s in SEVERITIES}
        for f in findings:
            resumen[f.severidad] += 1
        return cls(archivo=archivo, dependencia=dependencia, valido=resumen["error"] == 0,
                   resumen=resumen, hallazgos=findings, **extra)


class Hit:
    """Lo que una regla (o el lector) detecta, antes de darle severidad y mensaje."""

    __slots__ = ("cell", "params", "row", "rule", "variant")

    def __init__(self, rule: str, cell: str | None = None, row: int | None = None,
                 variant: str = "", **params: Any) -> None:
        self.rule = rule
        self.cell = cell
        self.row = row
        self.variant = variant
        self.params = params

    def __repr__(self) -> str:
        return f"Hit({self.rule!r}, {self.cell!r})"
