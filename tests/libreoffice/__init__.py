"""Ayudas para probar la plantilla en LibreOffice sin interfaz (soffice + Python-UNO)."""
