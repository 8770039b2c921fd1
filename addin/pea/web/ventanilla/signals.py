"""Entradas, salidas e intentos fallidos van a la bitácora."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from pea.web.ventanilla import audit
from pea.web.ventanilla.models import Accion


@receiver(user_logged_in)
def _entrada(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    audit.record(Accion.ENTRADA, request, cuenta=user)


@receiver(user_logged_out)
def _salida(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        audit.record(Accion.SALIDA, request, cuenta=user)


@receiver(user_login_failed)
def _fallida(sender: Any, credentials: dict[str, Any], request: Any = None,
             **kwargs: Any) -> None:
    audit.record(Accion.ENTRADA_FALLIDA, request,
                 usuario=str(credentials.get("username", ""))[:150])
