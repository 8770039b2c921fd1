"""Rutas de las páginas (nombres estables: ventanilla:<nombre>)."""

from __future__ import annotations

from django.urls import path

from pea.web.ventanilla import views

app_name = "ventanilla"

urlpatterns = [
    path("", views.inicio, name="inicio"),
    path("revisar/", views.revisar, name="revisar"),
    path("entrar/", views.Entrar.as_view(), name="entrar"),
    path("salir/", views.salir, name="salir"),
    path("contrasena/", views.CambiarContrasena.as_view(), name="cambiar_contrasena"),
    path("mi-dependencia/", views.mi_dependencia, name="mi_dependencia"),
    path("entregas/", views.entregas, name="entregas"),
    path("entregas/<int:pk>/", views.entrega, name="entrega"),
    path("entregas/<int:pk>/archivo", views.entrega_archivo, name="entrega_archivo"),
]
