"""Las revisiones en la administración de Django: solo lectura (son parte de la auditoría)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from pea.web.revision.models import Revision


@admin.register(Revision)
class RevisionAdmin(admin.ModelAdmin):
    list_display = ("fecha", "entrega", "decision", "revisor")
    list_filter = ("decision",)
    search_fields = ("entrega__dependencia__nombre", "comentario")
    readonly_fields = ("entrega", "revisor", "fecha", "decision", "comentario", "por_linea")

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False
