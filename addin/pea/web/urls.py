"""Rutas de la Ventanilla: páginas, API JSON (/api/v1/) y administración de Django."""

from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("api/v1/", include("pea.web.revision.api_urls")),
    path("api/v1/", include("pea.web.ventanilla.api_urls")),
    path("administracion/", admin.site.urls),
    path("", include("pea.web.revision.urls")),
    path("", include("pea.web.ventanilla.urls")),
]

handler400 = "pea.web.ventanilla.views.bad_request"
handler403 = "pea.web.ventanilla.views.forbidden"
handler404 = "pea.web.ventanilla.views.not_found"
handler500 = "pea.web.ventanilla.views.server_error"
