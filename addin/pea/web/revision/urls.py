"""Rutas de las páginas de revisión (nombres estables: revision:<nombre>)."""

from __future__ import annotations

from django.urls import path

from pea.web.revision import views

app_name = "revision"

urlpatterns = [
    path("tablero/", views.tablero, name="tablero"),
    path("tablero.csv", views.tablero_csv, name="tablero_csv"),
    path("revision/<int:pk>/", views.revision, name="revision"),
    path("entregas/<int:pk>/diferencias/", views.diferencias, name="diferencias"),
    path("maestro/", views.maestro, name="maestro"),
    path("maestro/descargar", views.maestro_descargar, name="maestro_descargar"),
    path("maestro/<slug:nombre>.csv", views.maestro_csv, name="maestro_csv"),
]
