"""Lectura de planes: libros .xlsx/.xlsm y exportaciones de texto, a una cuadrícula común."""

#: Extensiones que se leen como plan.
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
TEXT_SUFFIXES = (".txt", ".tsv")
