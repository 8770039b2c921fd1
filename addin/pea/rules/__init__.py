"""Catálogo de reglas PEA-*: cada regla es su ID, severidad, mensaje y una función breve.

Los módulos de cada familia registran sus reglas al importarse (ver `registry`); los casos
de cada módulo están en `tests/reglas/<módulo>.yaml`:

    PEA-C catalogs.py     PEA-H header.py      PEA-N numbering.py   PEA-P population.py
    PEA-Q quarters.py     PEA-R required.py    PEA-T text.py        PEA-I/S/D consistency.py
    PEA-E structure.py (las emite el lector)   PEA-X cross.py (entre libros, al consolidar)
"""
