"""Middleware propio: tope de tamaño antes de leer el cuerpo, cabeceras de seguridad y
cambio obligatorio de la contraseña inicial."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse

#: Margen para los demás campos y separadores del formulario multipart.
MULTIPART_MARGIN = 64 * 1024

CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
       "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")


def too_large_message(limit: int) -> str:
    return (f"El archivo pasa del límite de {limit / (1024 * 1024):g} MB "
            "(«limites.tamano_archivo_mb»); revise que sea el plan correcto.")


class RequestSizeLimit:
    """Rechaza (413) una petición más grande que el límite por su Content-Length, antes de
    leer el cuerpo; sin Content-Length (envío por trozos), se rechaza también (411→413)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method in ("POST", "PUT", "PATCH"):
            from pea.web.ventanilla.services import max_upload_bytes

            limit = max_upload_bytes()
            raw = request.META.get("CONTENT_LENGTH") or ""
            try:
                length = int(raw)
            except ValueError:
                length = -1
            chunked = "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower()
            if length > limit + MULTIPART_MARGIN or (length < 0 and chunked):
                return self._reject(request, limit)
        return self.get_response(request)

    @staticmethod
    def _reject(request: HttpRequest, limit: int) -> HttpResponse:
        msg = too_large_message(limit)
        if request.path.startswith("/api/"):
            response: HttpResponse = JsonResponse({"error": msg}, status=413,
                                                  json_dumps_params={"ensure_ascii": False})
        else:
            response = render(request, "ventanilla/error.html",
                              {"titulo": "Archivo demasiado grande", "mensaje": msg},
                              status=413)
        response["Connection"] = "close"  # el cuerpo no se leyó: no se reutiliza la conexión
        return response


class SecurityHeaders:
    """Política de contenido y permisos; las páginas con datos no se guardan en caché."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", CSP)
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        response.setdefault("X-Content-Type-Options", "nosniff")
        if not request.path.startswith("/estaticos/"):
            response.setdefault("Cache-Control", "no-store")
        return response


class ForcePasswordChange:
    """Quien entra con la contraseña inicial debe cambiarla antes de cualquier otra cosa."""

    ALLOWED = ("ventanilla:cambiar_contrasena", "ventanilla:salir")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> Any:
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated
                and getattr(user, "debe_cambiar_contrasena", False)
                and not request.path.startswith(("/api/", "/estaticos/"))
                and request.path not in {reverse(n) for n in self.ALLOWED}):
            return redirect("ventanilla:cambiar_contrasena")
        return self.get_response(request)
