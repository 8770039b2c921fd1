"""API JSON para programas (/api/v1/): misma validación que las páginas, con token.

Los errores llevan siempre un cuerpo `{"error": "<mensaje en español>"}`. Ver
docs/ventanilla.md («API») y el contrato de `pea validar --formato json`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from pea import __version__
from pea.web.ventanilla import audit, services
from pea.web.ventanilla.models import Accion, Cuenta, Entrega, token_hash


def error(message: str, status: int) -> JsonResponse:
    return JsonResponse({"error": message}, status=status,
                        json_dumps_params={"ensure_ascii": False})


def ok(data: Any, status: int = 200) -> JsonResponse:
    return JsonResponse(data, status=status, safe=False, json_dumps_params={"ensure_ascii": False})


def token_account(request: HttpRequest) -> Cuenta | None:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or len(token) > 200:
        return None
    return (Cuenta.objects.select_related("dependencia")
            .filter(token_api_hash=token_hash(token), is_active=True).first())


def methods(*allowed: str) -> Callable[..., Any]:
    def deco(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def inner(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method not in allowed:
                response = error(f"Método no permitido; use {' o '.join(allowed)}.", 405)
                response["Allow"] = ", ".join(allowed)
                return response
            return view(request, *args, **kwargs)
        return csrf_exempt(inner)
    return deco


def with_token(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def inner(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        cuenta = token_account(request)
        if cuenta is None:
            if request.META.get("HTTP_AUTHORIZATION"):
                audit.record(Accion.API_DENEGADA, request)
            response = error("Falta un token válido: envíe «Authorization: Bearer <token_api>» "
                             "con el token de su cuenta.", 401)
            response["WWW-Authenticate"] = 'Bearer realm="pea"'
            return response
        request.cuenta = cuenta  # type: ignore[attr-defined]
        return view(request, *args, **kwargs)
    return inner


def _upload(request: HttpRequest) -> tuple[bytes, str] | JsonResponse:
    up = request.FILES.get("archivo")
    if up is None:
        return error("Falta el campo «archivo» (multipart/form-data) con el plan.", 400)
    data = up.read()
    limit = services.max_upload_bytes()
    if len(data) > limit:
        from pea.web.ventanilla.middleware import too_large_message

        return error(too_large_message(limit), 413)
    return data, up.name or "archivo"


def _busy() -> JsonResponse:
    response = error("La Ventanilla está ocupada; vuelva a intentarlo en un minuto.", 503)
    response["Retry-After"] = "30"
    return response


@methods("GET")
def salud(request: HttpRequest) -> HttpResponse:
    cfg = services.config()
    return ok({"estado": "ok", "version": __version__, "reglas": services.rules_version(),
               "revision_anonima": cfg.ventanilla.revision_anonima})


@methods("POST")
def validar(request: HttpRequest) -> HttpResponse:
    cuenta = token_account(request)
    if cuenta is None and not services.config().ventanilla.revision_anonima:
        return error("La revisión sin cuenta está desactivada; envíe «Authorization: Bearer "
                     "<token_api>».", 401)
    got = _upload(request)
    if isinstance(got, JsonResponse):
        return got
    data, name = got
    try:
        found = services.review(data, name, texts=False)  # la API no muestra celdas
    except services.Busy:
        return _busy()
    audit.record(Accion.REVISION, request, cuenta=cuenta, tamano=len(data),
                 resumen=found.report.get("resumen", {}), api=True)
    return ok(found.report)


@methods("GET", "POST")
@with_token
def entregas(request: HttpRequest) -> HttpResponse:
    cuenta: Cuenta = request.cuenta  # type: ignore[attr-defined]
    if request.method == "GET":
        items = services.visible_deliveries(cuenta).order_by("dependencia__nombre", "version")
        return ok({"entregas": [services.api_delivery(e, with_report=False) for e in items]})
    if cuenta.dependencia_id is None:
        return error("Solo una cuenta de dependencia puede entregar un plan.", 403)
    got = _upload(request)
    if isinstance(got, JsonResponse):
        return got
    data, name = got
    try:
        entrega = services.deliver(cuenta, data, name)
    except services.Busy:
        return _busy()
    except services.Refused as exc:
        audit.record(Accion.ENTREGA_RECHAZADA, request, cuenta=cuenta, motivo=str(exc), api=True)
        return error(str(exc), 422)
    audit.record(Accion.ENTREGA, request, cuenta=cuenta, entrega=entrega, api=True,
                 sha256=entrega.sha256, version=entrega.version)
    return ok(services.api_delivery(entrega), status=201)


def _visible(cuenta: Cuenta, pk: int) -> Entrega | None:
    return services.visible_deliveries(cuenta).filter(pk=pk).first()


@methods("GET")
@with_token
def entrega(request: HttpRequest, pk: int) -> HttpResponse:
    e = _visible(request.cuenta, pk)  # type: ignore[attr-defined]
    if e is None:
        return error("La entrega no existe.", 404)
    return ok(services.api_delivery(e))


@methods("GET")
@with_token
def entrega_archivo(request: HttpRequest, pk: int) -> HttpResponse:
    cuenta = request.cuenta  # type: ignore[attr-defined]
    e = _visible(cuenta, pk)
    if e is None:
        return error("La entrega no existe.", 404)
    from pea.web.ventanilla.views import original_response

    request.user = cuenta  # para la bitácora
    return original_response(request, e)


def not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    return error("Ruta de la API inexistente.", 404)
