"""PEA: validación y consolidación del Plan Estratégico Anual municipal."""

__version__ = "0.1.0"
