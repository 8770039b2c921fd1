"""Rutas de la API JSON v1 (estables: documentadas en docs/ventanilla.md)."""

from __future__ import annotations

from django.urls import path, re_path

from pea.web.ventanilla import api

urlpatterns = [
    path("salud", api.salud, name="api_salud"),
    path("validar", api.validar, name="api_validar"),
    path("entregas", api.entregas, name="api_entregas"),
    path("entregas/<int:pk>", api.entrega, name="api_entrega"),
    path("entregas/<int:pk>/archivo", api.entrega_archivo, name="api_entrega_archivo"),
    re_path(r"^.*$", api.not_found),
]
