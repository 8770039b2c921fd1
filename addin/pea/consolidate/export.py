"""Exportaciones para herramientas de BI: un CSV (o Parquet) por hoja del maestro.

CSV: UTF-8 con BOM (Excel lo abre con acentos correctos), separado por comas (el
separador de listas de Windows en es-MX), fechas ISO y porcentajes como fracción.
Parquet necesita el extra opcional ``parquet`` (pyarrow).
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

from pea.atomic import atomic_outputs, remove_stale_temps
from pea.config import RulesConfig
from pea.consolidate import tables
from pea.consolidate.cells import fit
from pea.consolidate.columns import (
    COBERTURA_COLUMNS,
    ENTREGAS_COLUMNS,
    ESTRATEGIAS_COLUMNS,
    OBSERVACIONES_COLUMNS,
    PLAN_COLUMNS,
    QUARTER_HEADERS,
    Kind,
    MasterColumn,
)
from pea.consolidate.model import Consolidation
from pea.consolidate.summary import build_summary

PARQUET_MISSING = ("La exportación a Parquet necesita el paquete pyarrow; instálelo con "
                   "«python3 -m pip install 'pea[parquet]'» (o «pip install pyarrow»).")

#: (nombre de archivo sin extensión, columnas, filas) de cada hoja exportada.
Table = tuple[str, list[MasterColumn], Iterable[list[Any]]]


def parquet_available() -> bool:
    try:
        import pyarrow
        import pyarrow.parquet  # noqa: F401
    except ImportError:
        return False
    return True


def _cols(*spec: tuple[str, Kind]) -> list[MasterColumn]:
    return [MasterColumn(header, 0, kind) for header, kind in spec]


#: Nombres (sin extensión) de los archivos que escriben `--csv` y `--parquet`.
EXPORT_NAMES = ("plan_consolidado", "entregas", "observaciones", "cobertura", "cobertura_pmdg",
                "resumen_indicadores", "resumen_trimestres")


def export_tables(c: Consolidation, config: RulesConfig) -> list[Table]:
    """(nombre de archivo sin extensión, columnas, filas) de cada hoja.

    El tipo de cada columna es fijo (no depende de los datos de la corrida), para que una
    tabla de BI que agrega las exportaciones de cada semana no cambie de esquema.
    """
    s = build_summary(c, config)
    group_cols = _cols(("Agrupación", "text"), ("Grupo", "text"), ("Líneas", "int"),
                       *((h, "percent") for h in QUARTER_HEADERS))
    groups = [[kind, g.label, g.lines, *g.average]
              for kind, rows in (("Eje temático", s.by_eje),
                                 ("Programa presupuestario", s.by_programa),
                                 ("Dependencia", s.by_dependencia)) for g in rows]
    return [
        ("plan_consolidado", PLAN_COLUMNS, tables.plan_rows(c)),
        ("entregas", ENTREGAS_COLUMNS, tables.entregas_rows(c)),
        ("observaciones", OBSERVACIONES_COLUMNS, tables.observaciones_rows(c)),
        ("cobertura", COBERTURA_COLUMNS, tables.cobertura_rows(c)),
        ("cobertura_pmdg", ESTRATEGIAS_COLUMNS, tables.estrategias_rows(c)),
        # valores de varios tipos (conteos, fechas, textos): texto en Parquet
        ("resumen_indicadores", _cols(("Indicador", "text"), ("Valor", "text")),
         ([k, v] for k, v in s.counts)),
        ("resumen_trimestres", group_cols, groups),
    ]


def _cell(v: Any) -> Any:
    if isinstance(v, dt.datetime):
        return v.isoformat(sep=" ", timespec="seconds")
    return v


#: Lo que una hoja de cálculo toma como inicio de fórmula al abrir un CSV (guía de OWASP
#: «CSV Injection»): «=», «+», «-», «@», y el tabulador y el retorno de carro, que el lector
#: quita antes de mirar («\t=1+1» llega como «=1+1»).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: Espacios y saltos que un lector de CSV puede saltarse antes del «=» (además de tab/CR).
_BLANKS = " \n\x0b\x0c\u00a0\u3000"


def csv_text(v: Any) -> Any:
    """El valor para una celda de CSV: un texto que empieza como fórmula lleva un
    apóstrofo delante («'=HYPERLINK(…)»), que la hoja de cálculo muestra como texto; los
    números de verdad (trimestres, conteos) quedan como números."""
    v = _cell(fit(v))
    if type(v) is str and v.lstrip(_BLANKS).startswith(FORMULA_START):
        return "'" + v
    return v



def _csv_file(fh: IO[str], cols: list[MasterColumn], rows: Iterable[list[Any]]) -> None:
    w = csv.writer(fh)
    w.writerow([csv_text(col.header) for col in cols])
    for row in rows:
        w.writerow([csv_text(v) for v in row])


def write_csv(c: Consolidation, config: RulesConfig, folder: Path) -> list[Path]:
    """Un CSV por hoja en `folder`: todos o ninguno (temporales junto al destino que se
    mueven a su lugar solo si todos se escribieron)."""
    folder.mkdir(parents=True, exist_ok=True)
    tables_ = export_tables(c, config)
    targets = [folder / f"{name}.csv" for name, _cols, _rows in tables_]
    for target in targets:  # los de una corrida terminada a la fuerza (`kill -9`)
        remove_stale_temps(target)
    with atomic_outputs(targets) as temps:
        for (_name, cols, rows), tmp in zip(tables_, temps, strict=True):
            with open(tmp, "w", encoding="utf-8-sig", newline="") as fh:
                _csv_file(fh, cols, rows)
    return targets


def _parquet_table(cols: list[MasterColumn], rows: Iterable[list[Any]]) -> Any:
    import pyarrow as pa

    data = [[fit(v) for v in r] for r in rows]
    return pa.table({col.header: _column([r[i] for r in data], pa, col.kind)
                     for i, col in enumerate(cols)})


def write_parquet(c: Consolidation, config: RulesConfig, folder: Path) -> list[Path]:
    """Un archivo Parquet por hoja, con el tipo de cada columna fijo (`_column`); todos o
    ninguno, como `write_csv`. Los textos van tal cual (columnas de texto tipadas: un
    programa que lee Parquet no evalúa fórmulas)."""
    import pyarrow.parquet as pq

    folder.mkdir(parents=True, exist_ok=True)
    tables_ = export_tables(c, config)
    targets = [folder / f"{name}.parquet" for name, _cols, _rows in tables_]
    for target in targets:  # los de una corrida terminada a la fuerza (`kill -9`)
        remove_stale_temps(target)
    with atomic_outputs(targets) as temps:
        for (_name, cols, rows), tmp in zip(tables_, temps, strict=True):
            pq.write_table(_parquet_table(cols, rows), tmp)
    return targets


def probe_exports(c: Consolidation, config: RulesConfig, csv_: bool, parquet: bool) -> None:
    """Las exportaciones pedidas, en memoria (para hallar la entrega que hace fallar una)."""
    import io

    for _name, cols, rows in export_tables(c, config):
        rows = list(rows)
        if csv_:
            _csv_file(io.StringIO(), cols, rows)
        if parquet:
            import pyarrow.parquet as pq

            pq.write_table(_parquet_table(cols, rows), io.BytesIO())


def _column(values: list[Any], pa: Any, kind: Kind) -> Any:
    """Columna de Arrow del tipo de la columna del maestro, aunque esté vacía.

    Enteros: int64; porcentajes: float64 (un trimestre que no es número queda nulo; su
    texto está en el maestro y su hallazgo en «Observaciones»); fechas: timestamp; lo demás,
    texto.
    """
    if kind == "int":
        return pa.array([v if type(v) is int else None for v in values], type=pa.int64())
    if kind == "percent":
        return pa.array([float(v) if type(v) in (int, float) else None for v in values],
                        type=pa.float64())
    if kind == "date":
        return pa.array([v if isinstance(v, dt.datetime) else None for v in values],
                        type=pa.timestamp("s"))
    return pa.array([None if v is None else str(_cell(v)) for v in values], type=pa.string())
