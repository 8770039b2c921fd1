"""Lo que deja leer un archivo de la carpeta: un resultado tipado, del proceso de trabajo
al maestro.

`Outcome` es lo que devuelve `worker.process_file`, lo que guarda la caché (la única
frontera donde se serializa: `cache.encode`/`cache.decode`) y lo que leen los estados,
el resumen, la cobertura, las tablas del maestro y las copias anotadas. El reporte es el
mismo `FileReport` del contrato JSON de `pea validar` (sin la ruta: la caché es por
contenido; quien lo muestra usa `Submission.archivo`).

Cada línea de meta es una `MasterLine`: la fila del «Plan consolidado» con las claves que
los resúmenes necesitan (número de eje y de estrategia, clave del programa), calculadas
una vez en el proceso de trabajo.
"""

from __future__ import annotations

from typing import Annotated, Literal, NamedTuple

from pydantic import BaseModel, Field, StrictFloat, StrictInt, StrictStr

from pea import layout as L
from pea.models import FileReport, LineKind
from pea.rules.cross import item_key
from pea.textnorm import EJE_NUM, ESTRATEGIA_NUM, leading_number

#: Cambia cuando cambia la forma del resultado (invalida la caché).
PAYLOAD_VERSION = 4  # 2: copia anotada; 3: textos que no caben; 4: `Outcome` y `MasterLine`

#: Un valor de una columna del maestro, tal como lo aceptan todas las salidas. Al leer la
#: caché se prueba en este orden (entero antes que decimal: en modo estricto un decimal
#: no acepta un entero de JSON, pero así ni lo intenta): ~25 % menos que la unión «smart».
CellValue = Annotated[StrictStr | StrictInt | StrictFloat | None,
                      Field(union_mode="left_to_right")]

#: Posición de cada campo oficial en `MasterLine.values` (el orden de `layout.COLUMNS`).
VALUE_INDEX = {key: i for i, key in enumerate(L.KEYS)}
EJE = VALUE_INDEX["eje"]
ESTRATEGIA = VALUE_INDEX["estrategia"]
PROGRAMA = VALUE_INDEX["programa_presupuestario"]
MIR = VALUE_INDEX["mir"]
QUARTERS = tuple(VALUE_INDEX[k] for k in L.QUARTER_KEYS)


class MasterLine(NamedTuple):
    """Una fila del «Plan consolidado» (`extract.plan_lines`); en la caché, una lista JSON."""

    fila: int
    tipo: LineKind
    values: tuple[CellValue, ...]  # las 20 columnas oficiales, en el orden de layout
    eje_num: str | None  # «2» de «2. Gobernabilidad» (None si no tiene número)
    estrategia_num: str | None  # «2.1.1»
    programa_key: str  # `rules.cross.item_key` del programa presupuestario ('' sin él)

    def row(self) -> list[CellValue]:
        """[fila, tipo, <20 columnas>]: la forma de las diferencias entre versiones."""
        return [self.fila, self.tipo, *self.values]


def line_keys(values: tuple[CellValue, ...]) -> tuple[str | None, str | None, str]:
    """(eje_num, estrategia_num, programa_key) de los textos de un bloque."""
    eje, est, pp = values[EJE], values[ESTRATEGIA], values[PROGRAMA]
    return (leading_number(eje, EJE_NUM) if type(eje) is str else None,
            leading_number(est, ESTRATEGIA_NUM) if type(est) is str else None,
            item_key(pp) if type(pp) is str else "")


class Outcome(BaseModel):
    """El resultado de un archivo: reporte del contrato, líneas del maestro y sha256."""

    v: Literal[PAYLOAD_VERSION] = PAYLOAD_VERSION  # type: ignore[valid-type]
    sha256: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")] | None = None
    report: FileReport
    lines: list[MasterLine] = Field(default_factory=list)
    #: (fila, columna, caracteres) de cada texto que no cabe en una celda de Excel.
    too_long: list[tuple[StrictInt, StrictStr, StrictInt]] = Field(default_factory=list)

    @property
    def ilegible(self) -> bool:
        """¿No se pudo leer como plan? (PEA-E00: tiempo agotado, archivo dañado…)"""
        return any(f.regla == "PEA-E00" for f in self.report.hallazgos)
