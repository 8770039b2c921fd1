"""Rutas de la API de revisión (/api/v1/; documentadas en docs/ventanilla.md)."""

from __future__ import annotations

from django.urls import path

from pea.web.revision import api

urlpatterns = [
    path("tablero", api.tablero, name="api_tablero"),
    path("entregas/<int:pk>/revision", api.revision, name="api_revision"),
    path("entregas/<int:pk>/diferencias", api.diferencias, name="api_diferencias"),
    path("maestro", api.maestro, name="api_maestro"),
]
