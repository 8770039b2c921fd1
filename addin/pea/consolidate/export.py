"""Exportaciones para herramientas de BI: un CSV (o Parquet) por hoja del maestro.

CSV: UTF-8 con BOM (Excel lo abre con acentos correctos), separado por comas (el
separador de listas de Windows en es-MX), fechas ISO y porcentajes como fracción.
Parquet necesita el extra opcional ``parquet`` (pyarrow).
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from pea.atomic import atomic_output
from pea.config import RulesConfig
from pea.consolidate import tables
from pea.consolidate.columns import (
    COBERTURA_COLUMNS,
    ENTREGAS_COLUMNS,
    ESTRATEGIAS_COLUMNS,
    OBSERVACIONES_COLUMNS,
    PLAN_COLUMNS,
    QUARTER_HEADERS,
    MasterColumn,
)
from pea.consolidate.model import Consolidation
from pea.consolidate.summary import build_summary

PARQUET_MISSING = ("La exportación a Parquet necesita el paquete pyarrow; instálelo con "
                   "«python3 -m pip install 'pea[parquet]'» (o «pip install pyarrow»).")

Table = tuple[str, list[str], Iterable[list[Any]]]


def parquet_available() -> bool:
    try:
        import pyarrow
        import pyarrow.parquet  # noqa: F401
    except ImportError:
        return False
    return True


def _headers(cols: list[MasterColumn]) -> list[str]:
    return [c.header for c in cols]


def export_tables(c: Consolidation, config: RulesConfig) -> list[Table]:
    """(nombre de archivo sin extensión, encabezados, filas) de cada hoja."""
    s = build_summary(c, config)
    group_headers = ["Agrupación", "Grupo", "Líneas", *QUARTER_HEADERS]
    groups = [[kind, g.label, g.lines, *g.average]
              for kind, rows in (("Eje temático", s.by_eje),
                                 ("Programa presupuestario", s.by_programa),
                                 ("Dependencia", s.by_dependencia)) for g in rows]
    return [
        ("plan_consolidado", _headers(PLAN_COLUMNS), tables.plan_rows(c)),
        ("entregas", _headers(ENTREGAS_COLUMNS), tables.entregas_rows(c)),
        ("observaciones", _headers(OBSERVACIONES_COLUMNS), tables.observaciones_rows(c)),
        ("cobertura", _headers(COBERTURA_COLUMNS), tables.cobertura_rows(c)),
        ("cobertura_pmdg", _headers(ESTRATEGIAS_COLUMNS), tables.estrategias_rows(c)),
        ("resumen_indicadores", ["Indicador", "Valor"], ([k, v] for k, v in s.counts)),
        ("resumen_trimestres", group_headers, groups),
    ]


def _cell(v: Any) -> Any:
    if isinstance(v, dt.datetime):
        return v.isoformat(sep=" ", timespec="seconds")
    return v


def write_csv(c: Consolidation, config: RulesConfig, folder: Path) -> list[Path]:
    """Un CSV por hoja en `folder` (escritura atómica de cada archivo)."""
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for name, headers, rows in export_tables(c, config):
        target = folder / f"{name}.csv"
        with atomic_output(target) as tmp, open(tmp, "w", encoding="utf-8-sig",
                                                 newline="") as fh:
            w = csv.writer(fh)
            w.writerow(headers)
            for row in rows:
                w.writerow([_cell(v) for v in row])
        out.append(target)
    return out


def write_parquet(c: Consolidation, config: RulesConfig, folder: Path) -> list[Path]:
    """Un archivo Parquet por hoja; columnas de tipo uniforme (texto si mezclan tipos)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for name, headers, rows in export_tables(c, config):
        data = list(rows)
        columns = {h: _column([r[i] for r in data], pa, h in QUARTER_HEADERS)
                   for i, h in enumerate(headers)}
        table = pa.table(columns)
        target = folder / f"{name}.parquet"
        with atomic_output(target) as tmp:
            pq.write_table(table, tmp)
        out.append(target)
    return out


def _column(values: list[Any], pa: Any, numeric: bool = False) -> Any:
    """Columna de Arrow; en los trimestres un texto no numérico queda vacío (nulo)."""
    if numeric:
        values = [v if isinstance(v, int | float) and not isinstance(v, bool) else None
                  for v in values]
    kinds = {type(v) for v in values if v is not None}
    if kinds <= {int}:
        return pa.array(values, type=pa.int64())
    if kinds <= {int, float}:
        return pa.array([float(v) if v is not None else None for v in values], type=pa.float64())
    if kinds <= {dt.datetime}:
        return pa.array(values, type=pa.timestamp("s"))
    to_text: Callable[[Any], Any] = lambda v: None if v is None else str(_cell(v))  # noqa: E731
    return pa.array([to_text(v) for v in values], type=pa.string())
