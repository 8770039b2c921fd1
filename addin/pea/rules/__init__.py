"""Catálogo de reglas PEA-*: cada regla es su ID, severidad, mensaje y una función breve.

Los módulos de cada familia registran sus reglas al importarse (ver `registry`).
"""
