"""La cuadrícula común: lo que cualquier lector (archivo, texto, Excel abierto) entrega."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from pea.reading.deadline import Deadline

Merge = tuple[int, int, int, int]  # r1, c1, r2, c2 (1-based, inclusivo)


def clip_merged(merged: list[Merge], height: int, width: int) -> tuple[list[Merge], int]:
    """Los rangos combinados recortados al área `height` × `width` (los que quedan fuera
    se descartan: ahí no hay valores que propagar) y cuántas celdas cubren en total, sin
    contar las anclas (lo que costaría resolverlas una por una)."""
    out: list[Merge] = []
    covered = 0
    for r1, c1, r2, c2 in merged:
        r1, c1 = max(r1, 1), max(c1, 1)
        r2, c2 = min(r2, height), min(c2, width)
        if r1 > r2 or c1 > c2 or (r1 == r2 and c1 == c2):
            continue
        out.append((r1, c1, r2, c2))
        covered += (r2 - r1 + 1) * (c2 - c1 + 1) - 1
    return out, covered


@dataclass
class SheetGrid:
    """Valores de una hoja desde A1, con lo que las reglas necesitan del formato.

    `rows[0]` es la fila 1; `rows[r][c]` es la celda (r+1, c+1). Los valores son los de
    Python: str, int, float, bool, datetime o None. Coordenadas 1-based en los conjuntos.
    """

    name: str | None
    rows: list[list[Any]]
    percent: set[tuple[int, int]] = field(default_factory=set)  # celdas con formato %
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # r1, c1, r2, c2
    formulas: set[tuple[int, int]] = field(default_factory=set)  # celdas con fórmula
    hidden: bool = False
    #: Límite de tiempo de la lectura del archivo (lo respeta también el intérprete).
    deadline: Deadline | None = field(default=None, repr=False, compare=False)

    def value(self, row: int, col: int) -> Any:
        """Valor de la celda (1-based) o None fuera de la cuadrícula."""
        if 1 <= row <= len(self.rows):
            r = self.rows[row - 1]
            if 1 <= col <= len(r):
                return r[col - 1]
        return None

    @property
    def height(self) -> int:
        return len(self.rows)

    @property
    def width(self) -> int:
        return max((len(r) for r in self.rows), default=0)

    def fingerprint(self) -> str:
        """Huella de los valores de la hoja (16 hexadecimales): distingue una copia anotada
        por PEA que nadie tocó de una que la dependencia corrigió y volvió a guardar.

        Sin las celdas con fórmula: su valor guardado cambia con solo abrir y guardar el
        libro (openpyxl no guarda los resultados; Excel los recalcula)."""
        h = hashlib.blake2b(digest_size=8)
        formulas = self.formulas
        for r, row in enumerate(self.rows, start=1):
            for c, v in enumerate(row, start=1):
                if v is not None and v != "" and (r, c) not in formulas:
                    h.update(f"{r}:{c}:{type(v).__name__}:{v!r}\x1f".encode("utf-8",
                                                                       "surrogatepass"))
        return h.hexdigest()
