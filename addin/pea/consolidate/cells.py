"""Valores que caben en lo que escribe el consolidador (maestro, CSV, Parquet, JSON).

Un número de un plan puede ser cualquier cosa que quepa en un float: ±1e308, infinito,
NaN o un subnormal como 1e-320. Excel guarda números de ±2.2251e-308 a ±9.99999999999999e307
(más allá el archivo queda dañado o XlsxWriter lo rechaza) y el formato de porcentaje
multiplica por 100. Cada número que no cabe se conserva como texto: nada se pierde y la
fila del plan sigue en el maestro (su hallazgo está en «Observaciones»).
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

#: Lo más grande que Excel guarda (con margen para el ×100 del formato de porcentaje).
EXCEL_MAX = 9.99999999999999e305
#: Lo más pequeño (distinto de cero) que Excel guarda: el menor float normal.
EXCEL_MIN = 2.2250738585072014e-308


def fits(v: float | int) -> bool:
    """¿El número se puede escribir como número en Excel (también ×100 en porcentaje)?"""
    if type(v) is int:
        return -EXCEL_MAX <= v <= EXCEL_MAX
    return math.isfinite(v) and (v == 0 or EXCEL_MIN <= abs(v) <= EXCEL_MAX)


def as_text(v: float | int) -> str:
    """Un número que no cabe, escrito como texto legible («1e+308», «inf», «nan»)."""
    if type(v) is int:
        return str(v)
    return repr(float(v))


def unicode_name(text: str) -> str:
    """Un nombre de archivo que no era UTF-8 válido (Python guarda cada byte malo como un
    «surrogate», que ninguna salida puede escribir) con esos bytes como «\\xff»; los
    demás nombres, tal cual."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raw = text.encode("utf-8", "surrogateescape")
        return raw.decode("utf-8", "backslashreplace")
    return text


def fit(v: Any) -> Any:
    """El valor listo para cualquier salida: texto, número que cabe, fecha, o None."""
    t = type(v)
    if v is None or t is str:
        return v
    if t is float or t is int:
        return v if fits(v) else as_text(v)
    if t is bool:
        return "X" if v else None
    if isinstance(v, dt.date):  # fechas de «Entregas» y del Resumen, tal cual
        return v
    return str(v)
