"""Páginas de la Ventanilla (HTML hecho en el servidor, en español)."""

from __future__ import annotations

import base64
from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.views.decorators.http import require_http_methods, require_POST

from pea import __version__
from pea.web.ventanilla import audit, services
from pea.web.ventanilla.forms import LoginForm, PasswordChange, UploadForm
from pea.web.ventanilla.models import Accion, Entrega

#: Copias anotadas hasta este tamaño van también como enlace «data:» (sin JavaScript).
DATA_URI_MAX = 1_500_000
SEVERITY_TITLES = (("error", "Errores"), ("advertencia", "Advertencias"),
                   ("info", "Información"))
CONTENT_TYPES = {
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".xlsm": "application/vnd.ms-excel.sheet.macroEnabled.12",
    ".txt": "text/plain; charset=utf-8",
}


def common_context(request: HttpRequest) -> dict[str, Any]:
    try:
        anon = services.config().ventanilla.revision_anonima
        municipio = services.config().parametros.municipio
    except Exception:  # configuración ilegible: las páginas siguen mostrándose
        anon, municipio = False, None
    return {"revision_anonima": anon, "municipio": municipio, "version_pea": __version__}


def _error(request: HttpRequest, titulo: str, mensaje: str, status: int) -> HttpResponse:
    if request.path.startswith("/api/"):  # la API siempre responde JSON con «error»
        from django.http import JsonResponse

        return JsonResponse({"error": mensaje}, status=status,
                            json_dumps_params={"ensure_ascii": False})
    return render(request, "ventanilla/error.html", {"titulo": titulo, "mensaje": mensaje},
                  status=status)


def _bad_request_message(exception: Exception | None) -> str:
    from django.core.exceptions import DisallowedHost, TooManyFieldsSent, TooManyFilesSent

    if isinstance(exception, TooManyFilesSent):
        return "Envíe un solo archivo por petición, en el campo «archivo»."
    if isinstance(exception, TooManyFieldsSent):
        return "El formulario trae demasiados campos."
    if isinstance(exception, DisallowedHost):
        return ("El nombre con el que se llegó al servidor no está permitido (vea PEA_HOSTS "
                "en docs/ventanilla.md).")
    return "La petición no se pudo leer (formulario inválido o incompleto)."


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, "Petición inválida", _bad_request_message(exception), 400)


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, "Acceso denegado",
                  "No tiene permiso para esta página, o el formulario caducó: vuelva a "
                  "cargar la página e inténtelo otra vez.", 403)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, "No encontrado", "La página o la entrega no existe.", 404)


def server_error(request: HttpRequest) -> HttpResponse:
    return _error(request, "Error interno", "Ocurrió un error interno; vuelva a intentarlo. "
                  "Si se repite, avise al Instituto.", 500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return _error(request, "Formulario caducado",
                  "El formulario caducó o no vino de esta página; vuelva a cargarla e "
                  "inténtelo otra vez.", 403)


def inicio(request: HttpRequest) -> HttpResponse:
    user = request.user
    if user.is_authenticated:
        if user.dependencia_id is not None:
            return redirect("ventanilla:mi_dependencia")
        return redirect("ventanilla:entregas")
    return render(request, "ventanilla/inicio.html")


def _grouped(review: services.Review) -> list[dict[str, Any]]:
    groups = []
    for sev, titulo in SEVERITY_TITLES:
        items = [{**f, "texto": review.cell_texts.get(f.get("celda") or "", "")}
                 for f in review.report.get("hallazgos", []) if f.get("severidad") == sev]
        if items:
            groups.append({"severidad": sev, "titulo": titulo, "hallazgos": items})
    return groups


def _annotated_link(review: services.Review) -> dict[str, Any] | None:
    if review.annotated is None:
        return None
    from pea.consolidate.annotate import annotated_name

    name = annotated_name(review.report.get("archivo", "plan"), review.dependencia, set())
    b64 = base64.b64encode(review.annotated).decode("ascii")
    return {"nombre": name, "tipo": CONTENT_TYPES[review.suffix], "b64": b64,
            "data_uri": len(review.annotated) <= DATA_URI_MAX, "tamano": len(review.annotated)}


def _read_upload(request: HttpRequest, form: UploadForm) -> tuple[bytes, str] | None:
    if not form.is_valid():
        return None
    up = form.cleaned_data["archivo"]
    data = up.read()
    if len(data) > services.max_upload_bytes():
        from pea.web.ventanilla.middleware import too_large_message

        form.add_error("archivo", too_large_message(services.max_upload_bytes()))
        return None
    return data, up.name


@require_http_methods(["GET", "POST"])
def revisar(request: HttpRequest) -> HttpResponse:
    if not services.config().ventanilla.revision_anonima and not request.user.is_authenticated:
        return _error(request, "Revisión sin cuenta desactivada",
                      "El Instituto desactivó «Revisar mi plan» sin cuenta; entre con la "
                      "cuenta de su dependencia.", 403)
    form = UploadForm(request.POST, request.FILES) if request.method == "POST" else UploadForm()
    if request.method == "POST":
        got = _read_upload(request, form)
        if got is not None:
            data, name = got
            try:
                found = services.review(data, name, annotate=True)
            except services.Busy:
                return _error(request, "Ventanilla ocupada", "Hay muchas revisiones en curso; "
                              "vuelva a intentarlo en un minuto.", 503)
            audit.record(Accion.REVISION, request, tamano=len(data),
                         resumen=found.report.get("resumen", {}))
            return render(request, "ventanilla/resultado.html", {
                "reporte": found.report, "grupos": _grouped(found),
                "anotada": _annotated_link(found)})
    return render(request, "ventanilla/revisar.html", {"form": form},
                  status=400 if request.method == "POST" else 200)


class Entrar(auth_views.LoginView):
    template_name = "ventanilla/entrar.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


@require_POST
def salir(request: HttpRequest) -> HttpResponse:
    from django.contrib.auth import logout

    logout(request)
    return redirect("ventanilla:inicio")


class CambiarContrasena(auth_views.PasswordChangeView):
    template_name = "ventanilla/cambiar_contrasena.html"
    form_class = PasswordChange
    success_url = reverse_lazy("ventanilla:inicio")

    def form_valid(self, form):  # type: ignore[no-untyped-def]
        response = super().form_valid(form)
        user = form.user
        user.debe_cambiar_contrasena = False
        user.save(update_fields=["debe_cambiar_contrasena"])
        audit.record(Accion.CAMBIO_CONTRASENA, self.request, cuenta=user)
        messages.success(self.request, "Contraseña cambiada.")
        return response


@login_required
@require_http_methods(["GET", "POST"])
def mi_dependencia(request: HttpRequest) -> HttpResponse:
    user = request.user
    if user.dependencia_id is None:
        return redirect("ventanilla:entregas")
    form = UploadForm(request.POST, request.FILES) if request.method == "POST" else UploadForm()
    status = 200
    if request.method == "POST":
        got = _read_upload(request, form)
        status = 400
        if got is not None:
            data, name = got
            try:
                entrega = services.deliver(user, data, name)
            except services.Busy:
                return _error(request, "Ventanilla ocupada", "Hay muchas entregas en curso; "
                              "vuelva a intentarlo en un minuto.", 503)
            except services.Refused as exc:
                audit.record(Accion.ENTREGA_RECHAZADA, request, motivo=str(exc))
                form.add_error("archivo", str(exc))
                status = 422
            else:
                audit.record(Accion.ENTREGA, request, entrega=entrega, sha256=entrega.sha256,
                             version=entrega.version)
                messages.success(request, f"Se recibió la versión {entrega.version}.")
                return redirect("ventanilla:entrega", pk=entrega.pk)
    versiones = services.visible_deliveries(user).filter(dependencia_id=user.dependencia_id)
    return render(request, "ventanilla/mi_dependencia.html",
                  {"form": form, "versiones": versiones, "dependencia": user.dependencia},
                  status=status)


@login_required
def entregas(request: HttpRequest) -> HttpResponse:
    user = request.user
    if user.dependencia_id is not None:
        return redirect("ventanilla:mi_dependencia")
    return render(request, "ventanilla/entregas.html",
                  {"entregas": services.visible_deliveries(user)})


def _visible(request: HttpRequest, pk: int) -> Entrega:
    try:
        return services.visible_deliveries(request.user).get(pk=pk)
    except Entrega.DoesNotExist:
        raise Http404 from None


@login_required
def entrega(request: HttpRequest, pk: int) -> HttpResponse:
    e = _visible(request, pk)
    found = services.Review(e.reporte, e.reporte.get("dependencia"), e.textos or {}, None,
                            e.extension)
    return render(request, "ventanilla/entrega.html", {"e": e, "grupos": _grouped(found)})


@login_required
def entrega_archivo(request: HttpRequest, pk: int) -> HttpResponse:
    e = _visible(request, pk)
    return original_response(request, e)


def original_response(request: HttpRequest, e: Entrega) -> FileResponse:
    from pea.safe_names import safe_filename

    audit.record(Accion.DESCARGA, request, entrega=e)
    name = f"{safe_filename(e.dependencia.nombre)}_v{e.version}{e.extension}"
    path = services.store_path(e.sha256)
    response = FileResponse(open(path, "rb"), as_attachment=True, filename=name,  # noqa: SIM115
                            content_type=CONTENT_TYPES.get(e.extension,
                                                           "application/octet-stream"))
    return response
