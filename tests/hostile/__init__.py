"""Corpus de archivos hostiles y dañados, generado por las pruebas (nada binario se guarda)."""
