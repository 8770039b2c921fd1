"""Filas de la plantilla derivadas de `pea.layout`: datos, columna de control y pie."""

from __future__ import annotations

from pea import layout as L

FIRST_ROW = L.FIRST_DATA_ROW
LAST_ROW = L.FIRST_DATA_ROW + L.TEMPLATE_DATA_ROWS - 1
#: Fila de las etiquetas ELABORÓ / AUTORIZÓ; debajo, la fila del nombre y la del cargo.
FOOTER_LABEL_ROW = LAST_ROW + 1 + L.FOOTER_GAP
FOOTER_NAME_ROW = FOOTER_LABEL_ROW + 1
FOOTER_CARGO_ROW = FOOTER_LABEL_ROW + 2
#: Columnas que ocupa cada bloque de firma (combinadas en horizontal).
FOOTER_SPANS = {L.FOOTER_ELABORO_COL: "C", L.FOOTER_AUTORIZO_COL: "S"}
CONTROL_HEADER = "SUMA %"


def data_range(letter: str) -> str:
    """«M10:M69»: la columna `letter` en todas las filas de datos."""
    return f"{letter}{FIRST_ROW}:{letter}{LAST_ROW}"


def control_formula(row: int) -> str:
    """Suma de los cuatro trimestres de la fila (vacía si no hay ninguno)."""
    first, last = L.BY_KEY["t1"].letter, L.BY_KEY["t4"].letter
    return f'=IF(COUNT({first}{row}:{last}{row})=0,"",SUM({first}{row}:{last}{row}))'
