"""Revisión del Instituto en la Ventanilla: tablero, revisión de una entrega con sus
diferencias, Aprobar / Devolver con observaciones y el maestro al día.

Solo traduce peticiones: los estados, las diferencias y el maestro son de `pea.review`.
"""
