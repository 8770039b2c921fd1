"""Administración de Django (rol administrador): cuentas, dependencias, entregas, bitácora."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from pea.web.ventanilla.models import Bitacora, Cuenta, Dependencia, Entrega


@admin.register(Cuenta)
class CuentaAdmin(UserAdmin):
    list_display = ("username", "rol", "dependencia", "is_active", "debe_cambiar_contrasena")
    list_filter = ("rol", "is_active")
    fieldsets = (*UserAdmin.fieldsets,
                 ("Ventanilla", {"fields": ("rol", "dependencia", "debe_cambiar_contrasena")}))


@admin.register(Dependencia)
class DependenciaAdmin(admin.ModelAdmin):
    list_display = ("nombre", "activa")
    search_fields = ("nombre",)


@admin.register(Entrega)
class EntregaAdmin(admin.ModelAdmin):
    list_display = ("dependencia", "version", "estado", "errores", "advertencias", "fecha")
    list_filter = ("estado",)
    readonly_fields = [f.name for f in Entrega._meta.fields]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False


@admin.register(Bitacora)
class BitacoraAdmin(admin.ModelAdmin):
    list_display = ("fecha", "usuario", "accion", "entrega", "ip")
    list_filter = ("accion",)
    readonly_fields = [f.name for f in Bitacora._meta.fields]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
