"""Registro de la aplicación de revisión."""

from __future__ import annotations

from django.apps import AppConfig


class RevisionConfig(AppConfig):
    name = "pea.web.revision"
    label = "revision"
    verbose_name = "Revisión del Instituto"
    default_auto_field = "django.db.models.BigAutoField"
