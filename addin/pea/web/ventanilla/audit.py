"""Escribir en la bitácora de auditoría."""

from __future__ import annotations

from typing import Any

from pea.web.ventanilla.models import Bitacora, Cuenta, Entrega


def client_ip(request: Any) -> str | None:
    """IP del cliente tal como la ve el servidor (detrás de un proxy: la del proxy, salvo
    que el proxy la reescriba; ver docs/ventanilla.md)."""
    return (request.META.get("REMOTE_ADDR") or None) if request is not None else None


def record(accion: str, request: Any = None, cuenta: Cuenta | None = None,
           entrega: Entrega | None = None, usuario: str = "", **detalle: Any) -> Bitacora:
    if cuenta is None and request is not None:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            cuenta = user
    return Bitacora.objects.create(
        cuenta=cuenta, usuario=(usuario or (cuenta.username if cuenta else ""))[:150],
        accion=accion, entrega=entrega, ip=client_ip(request), detalle=detalle)
