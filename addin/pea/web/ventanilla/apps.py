from __future__ import annotations

from django.apps import AppConfig


class VentanillaConfig(AppConfig):
    name = "pea.web.ventanilla"
    label = "ventanilla"
    verbose_name = "Ventanilla de entregas"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from pea.web.ventanilla import signals  # noqa: F401  (bitácora de sesiones)
