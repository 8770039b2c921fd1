"""Puente entre los botones de la plantilla (xlwings RunPython) y el núcleo sin Excel.

`pea.excel.bridge` es lo único que la plantilla importa; todo lo demás se carga
cuando un botón lo necesita, para que cada clic arranque rápido.
"""
