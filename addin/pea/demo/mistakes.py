"""Planes de demostración con errores típicos (como los entregan las dependencias)."""

from __future__ import annotations

from typing import Any

#: (archivo, índice del plan en el demo, variante, cambios)
MISTAKES: list[tuple[str, int, str, dict[str, Any]]] = [
    ("errores_tesoreria_suma_90.xlsx", 1, "texto",
     {"celdas": {"M10": "40%", "N10": "30%", "O10": "20%", "P10": "0%"}}),
    ("errores_dif_sin_indicador.xlsx", 4, "vacia",
     {"celdas": {"R10": None, "F11": "SI APLICA"}}),
    ("errores_obras_catalogo.xlsx", 2, "combinada",
     {"celdas": {"A10": "7. Ciudad Digital", "I11": "13. Movilidad urbana."}}),
    ("errores_contraloria_acumulado.xlsx", 6, "fraccion",
     {"celdas": {"M10": 0.25, "N10": 0.5, "O10": 0.75, "P10": 1}}),
]
