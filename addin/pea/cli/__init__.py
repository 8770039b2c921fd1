"""Línea de comandos `pea` (typer + rich), toda en español."""
