"""Lectura de planes: libros .xlsx/.xlsm y exportaciones de texto, a una cuadrícula común."""
