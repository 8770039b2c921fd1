"""Columnas de cada hoja del libro maestro (encabezado, ancho y tipo), en un solo lugar.

Los encabezados mínimos del contrato (docs/consolidar.md, «Hojas del libro maestro») están
aquí; la hoja «Plan consolidado» toma las columnas oficiales de `pea.layout` (etiqueta y
ancho). Los **valores** de cada columna los da `pea.consolidate.tables`, una función por
hoja, en el mismo orden que estas listas (una prueba compara el número de columnas de cada
hoja con el de sus filas); las usan el libro (`master.py`) y el CSV y el Parquet
(`export.py`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pea import layout as L

Kind = Literal["text", "int", "percent", "date", "mark", "long"]


@dataclass(frozen=True)
class MasterColumn:
    header: str
    width: float
    kind: Kind = "text"


def _official() -> list[MasterColumn]:
    out = []
    for c in L.COLUMNS:
        kind: Kind = {"mark": "mark", "percent": "percent"}.get(c.kind, "long")  # type: ignore[assignment]
        out.append(MasterColumn(c.label, c.width if c.kind != "mark" else 9, kind))
    return out


SHEET_PLAN = "Plan consolidado"
SHEET_ENTREGAS = "Entregas"
SHEET_OBSERVACIONES = "Observaciones"
SHEET_RESUMEN = "Resumen"
SHEET_COBERTURA = "Cobertura"
SHEETS = (SHEET_RESUMEN, SHEET_ENTREGAS, SHEET_PLAN, SHEET_OBSERVACIONES, SHEET_COBERTURA)

#: Estados de una entrega (columna «Estado» de Entregas y de Plan consolidado).
ACEPTADO = "Aceptado"
CON_OBSERVACIONES = "Con observaciones"
RECHAZADO = "Rechazado"
ILEGIBLE = "Ilegible"
DUPLICADO = "Duplicado"
OMITIDO = "Omitido"
ESTADOS = (ACEPTADO, CON_OBSERVACIONES, RECHAZADO, ILEGIBLE, DUPLICADO, OMITIDO)

ROW_KIND = {"principal": "Principal", "continuacion": "Continuación"}

PLAN_LEAD = [MasterColumn("Dependencia", 30), MasterColumn("Estado", 16)]
PLAN_OFFICIAL = _official()
PLAN_TAIL = [MasterColumn("Archivo", 34), MasterColumn("Fila", 7, "int"),
             MasterColumn("Tipo de fila", 13)]
PLAN_COLUMNS = [*PLAN_LEAD, *PLAN_OFFICIAL, *PLAN_TAIL]

ENTREGAS_COLUMNS = [
    MasterColumn("Archivo", 40), MasterColumn("Dependencia", 34), MasterColumn("Estado", 17),
    MasterColumn("Errores", 9, "int"), MasterColumn("Advertencias", 13, "int"),
    MasterColumn("Información", 12, "int"), MasterColumn("Líneas de meta", 14, "int"),
    MasterColumn("Fecha de modificación", 20, "date"), MasterColumn("Tamaño (KB)", 12, "int"),
    MasterColumn("sha256", 20), MasterColumn("Versión de plantilla", 19),
    MasterColumn("Hoja", 14), MasterColumn("Motivo", 60), MasterColumn("Avisos", 60),
]

OBSERVACIONES_COLUMNS = [
    MasterColumn("Archivo", 40), MasterColumn("Dependencia", 34), MasterColumn("Hoja", 12),
    MasterColumn("Celda", 8), MasterColumn("Fila", 7, "int"), MasterColumn("Regla", 10),
    MasterColumn("Severidad", 12), MasterColumn("Mensaje", 100),
]

COBERTURA_COLUMNS = [
    MasterColumn("Regla", 10), MasterColumn("Severidad", 12), MasterColumn("Elemento", 60),
    MasterColumn("Dependencias", 50), MasterColumn("Archivos", 50), MasterColumn("Mensaje", 90),
]

ESTRATEGIAS_COLUMNS = [
    MasterColumn("Eje", 34), MasterColumn("Objetivo", 50), MasterColumn("Estrategia", 60),
    MasterColumn("Dependencias", 9, "int"), MasterColumn("Líneas de meta", 9, "int"),
    MasterColumn("Nombres de las dependencias", 60),
]

QUARTER_HEADERS = [L.BY_KEY[k].label for k in L.QUARTER_KEYS]
#: Posición de «Archivo» en «Entregas» (el vínculo a la entrega va en esa celda).
ENTREGAS_ARCHIVO = [c.header for c in ENTREGAS_COLUMNS].index("Archivo")
