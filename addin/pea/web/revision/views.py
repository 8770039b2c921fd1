"""Páginas del Instituto: tablero, revisión de una entrega, diferencias y maestro."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from pea.review import states as S
from pea.review.diff import FIELDS, LABELS, display_value
from pea.web.revision import services as R
from pea.web.revision.models import Revision
from pea.web.ventanilla import audit
from pea.web.ventanilla import services as base
from pea.web.ventanilla.models import Accion, Bitacora, Entrega
from pea.web.ventanilla.views import forbidden, not_found

PAGE_SIZE = 50
LINES_PAGE = 200  # líneas del plan por página en la revisión
ONLY_MARKED = "hallazgos"  # `?solo=hallazgos`: líneas con hallazgos o que cambiaron
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def reviewer_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Solo revisor y administrador; una cuenta de dependencia recibe 403 (sin mirar qué
    entrega pidió: nada se revela)."""
    @wraps(view)
    @login_required
    def inner(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not R.is_reviewer(request.user):
            return forbidden(request)
        return view(request, *args, **kwargs)
    return inner


def _params(request: HttpRequest) -> dict[str, Any]:
    g = request.GET
    orden = g.get("orden", "dependencia")
    return {"q": g.get("q", "")[:100], "estado": g.get("estado", ""),
            "orden": orden if orden in R.SORTS else "dependencia",
            "desc": g.get("desc") == "1"}


@require_GET
@reviewer_page
def tablero(request: HttpRequest) -> HttpResponse:
    p = _params(request)
    rows = R.board(**p)
    all_rows = rows if not (p["q"] or p["estado"]) else R.board()
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("pagina"))
    query = request.GET.copy()
    query.pop("pagina", None)
    return render(request, "revision/tablero.html", {
        "filas": page, "p": p, "estados": S.LABELS, "ordenes": R.SORTS,
        "conteo": R.counts(all_rows), "total": len(all_rows), "encontradas": len(rows),
        "fecha_limite": R.deadline(), "consulta": query.urlencode()})


def _csv_response(name: str, header: list[str], rows: list[list[Any]]) -> HttpResponse:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(header)
    for row in rows:  # nada que escribió una persona se vuelve fórmula al abrirlo en Excel
        w.writerow(["'" + v if isinstance(v, str) and v[:1] in "=+-@\t\r" else v for v in row])
    response = HttpResponse("\ufeff" + buf.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_GET
@reviewer_page
def tablero_csv(request: HttpRequest) -> HttpResponse:
    """El tablero filtrado como CSV; `?estado=sin_entrega`: las que no han entregado."""
    p = _params(request)
    rows = R.board(**p)
    usuarios: dict[int, list[str]] = {}
    from pea.web.ventanilla.models import Cuenta

    for c in Cuenta.objects.filter(dependencia__isnull=False, is_active=True).values(
            "dependencia_id", "username", "email"):
        usuarios.setdefault(c["dependencia_id"], []).append(c["email"] or c["username"])
    out = []
    for r in rows:
        j = r.to_json()
        out.append([j["dependencia"], j["estado_texto"], j["version"], j["fecha"], j["errores"],
                    j["advertencias"], j["dias_restantes"],
                    "; ".join(usuarios.get(r.dependencia_id, []))])
    name = "sin_entrega.csv" if p["estado"] == S.SIN_ENTREGA else "tablero.csv"
    return _csv_response(name, ["dependencia", "estado", "version", "fecha_ultima_entrega",
                                "errores", "advertencias", "dias_restantes", "cuentas"], out)


def _entrega(request: HttpRequest, pk: int) -> Entrega:
    try:
        return base.visible_deliveries(request.user).get(pk=pk)
    except Entrega.DoesNotExist:
        raise Http404 from None


def _line_rows(lines: list[list[Any]], comments: dict[int, list[str]],
               drafts: dict[int, str]) -> list[dict[str, Any]]:
    """Cada línea con sus comentarios y lo que el revisor ya escribió; las celdas se
    preparan después, solo las de la página que se muestra."""
    return [{"fila": ln[0], "linea": ln, "comentarios": comments.get(ln[0], []),
             "borrador": drafts.get(ln[0], "")} for ln in lines]


def _cells(ln: list[Any]) -> list[str]:
    return [display_value(k, v) if v is not None else ""
            for k, v in zip(FIELDS, ln[1:], strict=False)]


def _typed_per_line(request: HttpRequest) -> dict[int, str]:
    """Las observaciones por línea que llegaron en el formulario (las vacías no cuentan)."""
    out: dict[int, str] = {}
    for k, v in request.POST.items():
        if k.startswith("linea-") and v.strip() and (
                fila := R.whole_number(k.removeprefix("linea-"))) is not None:
            out[fila] = v
    return out


def _page_number(raw: str | None, pages: int) -> tuple[int, str]:
    """La página pedida (`?pagina=`) y, si no existe, la más cercana con el aviso."""
    if raw in (None, ""):
        return 1, ""
    n = R.whole_number(raw)
    if n is None or n < 1:
        return 1, f"«{raw[:20]}» no es un número de página: se muestra la página 1."
    if n > pages:
        return pages, f"La página {n} no existe: hay {pages}; se muestra la página {pages}."
    return n, ""


def _lines_page(request: HttpRequest, rows: list[dict[str, Any]],
                marked: set[int]) -> dict[str, Any]:
    """La página de líneas que se muestra (`?pagina=N`, `?solo=hallazgos`). Un plan que
    cabe en una página se muestra entero, sin controles, como siempre."""
    paged = len(rows) > LINES_PAGE
    only = paged and request.GET.get("solo") == ONLY_MARKED
    flagged = [r for r in rows if r["fila"] in marked]
    shown = flagged if only else rows
    pages = max(1, -(-len(shown) // LINES_PAGE))
    number, notice = _page_number(request.GET.get("pagina"), pages) if paged else (1, "")
    start = (number - 1) * LINES_PAGE
    on_page = [{**r, "celdas": _cells(r["linea"])} for r in shown[start:start + LINES_PAGE]]
    here = {r["fila"] for r in on_page}
    drafts = [r for r in rows if r["borrador"]]
    elsewhere = [r for r in drafts if r["fila"] not in here]

    def url(page: int, solo: bool) -> str:
        return "?" + "&".join((["solo=" + ONLY_MARKED] if solo else []) + [f"pagina={page}"])

    return {"paginada": paged, "solo_marcadas": only, "pagina": number, "paginas": pages,
            "aviso_pagina": notice, "lineas": on_page, "total_lineas": len(rows),
            "mostradas": len(shown), "marcadas": len(flagged),
            "desde": start + 1 if on_page else 0, "hasta": start + len(on_page),
            "en_otras_paginas": elsewhere, "borradores": drafts,
            "url_anterior": url(number - 1, only) if number > 1 else "",
            "url_siguiente": url(number + 1, only) if number < pages else "",
            "url_filtro": url(1, not only), "url_actual": url(number, only) if paged else ""}


def _diff_rows(d: Any) -> list[dict[str, Any]]:
    out = []
    for x in d.changed:
        out.append({"tipo": x.kind, "antes": x.before_row, "despues": x.after_row,
                    "cambios": [{"columna": c.label, "antes": display_value(c.key, c.before),
                                 "despues": display_value(c.key, c.after)} for c in x.changes],
                    "resumen": " · ".join(str(v) for v in (x.values[3], x.values[12]) if v)})
    return out


def _history(e: Entrega) -> list[Bitacora]:
    return list(Bitacora.objects.filter(entrega__dependencia_id=e.dependencia_id)
                .select_related("entrega", "cuenta").order_by("-fecha")[:100])


def _comments_by_row(e: Entrega) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    for r in e.revisiones.all():
        for c in r.por_linea:
            out.setdefault(int(c["fila"]), []).append(c["comentario"])
    return out


@require_http_methods(["GET", "POST"])
@login_required
def revision(request: HttpRequest, pk: int) -> HttpResponse:
    """La revisión de una versión. GET: el Instituto y la dependencia dueña (sin acciones);
    cualquier otra cuenta recibe lo mismo que por una entrega que no existe (404).
    POST: Aprobar o Devolver con observaciones (solo el revisor); o, con `navegar`, ir a
    otra página de líneas llevando lo que el revisor ya escribió (no se decide nada)."""
    e = _entrega(request, pk)
    if request.method == "POST":
        if not R.can_decide(request.user):
            return forbidden(request)
        if "navegar" in request.POST and "decision" not in request.POST:
            return _page(request, e)
        return _decide(request, e)
    return _page(request, e)


def _page(request: HttpRequest, e: Entrega, status: int = 200) -> HttpResponse:
    """La página de la versión; en un POST, con los textos que el revisor ya escribió."""
    drafts = _typed_per_line(request) if request.method == "POST" else {}
    prev = R.previous(e)
    d, lines = R.diff_with(e, prev)
    from pea.web.ventanilla.views import SEVERITY_TITLES

    findings = e.reporte.get("hallazgos", [])
    grupos = [{"severidad": s, "titulo": t,
               "hallazgos": [f for f in findings if f["severidad"] == s]}
              for s, t in SEVERITY_TITLES]
    marked = {int(f["fila"]) for f in findings if isinstance(f.get("fila"), int)}
    if d is not None:
        marked |= {x.after_row for x in d.changed if x.after_row is not None}
    latest = Entrega.objects.filter(dependencia_id=e.dependencia_id).order_by("-version").first()
    rows = {ln[0] for ln in lines}
    return render(request, "revision/revision.html", {
        "fuera_del_plan": [{"fila": f, "borrador": t} for f, t in sorted(drafts.items())
                           if f not in rows],
        "e": e, "anterior": prev, "diff": d, "cambios": _diff_rows(d) if d else [],
        "columnas": [LABELS[k] for k in FIELDS],
        **_lines_page(request, _line_rows(lines, _comments_by_row(e), drafts), marked),
        "borrador_general": request.POST.get("comentario", "") if request.method == "POST"
        else "",
        "grupos": [g for g in grupos if g["hallazgos"]], "revisiones": e.revisiones.all(),
        "bitacora": _history(e), "puede_decidir": R.can_decide(request.user),
        "revisor": R.is_reviewer(request.user),
        "vigente": latest is not None and latest.pk == e.pk,
        "no_aprobable": S.refusal("aprobar", R.info(e), R.info(latest)) if latest else None,
        "versiones": Entrega.objects.filter(dependencia_id=e.dependencia_id).order_by("-version"),
    }, status=status)


def _decide(request: HttpRequest, e: Entrega) -> HttpResponse:
    per_line = list(_typed_per_line(request).items())
    try:
        R.decide(e, request.user, request.POST.get("decision", ""),
                 request.POST.get("comentario", ""), per_line, request=request)
    except R.Refused as exc:
        messages.error(request, str(exc))
        if _typed_per_line(request) or request.POST.get("comentario", "").strip():
            # lo que escribió el revisor vuelve en la página, no se pierde
            return _page(request, e, status=exc.status)
    else:
        messages.success(request, f"Versión {e.version} de {e.dependencia.nombre}: "
                         + ("aprobada." if e.estado == S.APROBADO else
                            "devuelta con observaciones."))
    return redirect("revision:revision", pk=e.pk)


@require_GET
@login_required
def diferencias(request: HttpRequest, pk: int) -> HttpResponse:
    """Diferencias de una versión con la anterior (o con `?con=<versión>`): para la
    dependencia dueña y para el Instituto; 404 para cualquier otra cuenta."""
    e = _entrega(request, pk)
    other = R.previous(e)
    con = request.GET.get("con")
    if con is not None:
        other = R.version_to_compare(e, con)
        if other is None:
            raise Http404("No existe esa versión")
    d, _lines = R.diff_with(e, other)
    return render(request, "revision/diferencias.html", {
        "e": e, "anterior": other, "diff": d, "cambios": _diff_rows(d) if d else [],
        "versiones": Entrega.objects.filter(dependencia_id=e.dependencia_id).exclude(pk=e.pk)
        .order_by("-version")})


@require_GET
@reviewer_page
def maestro(request: HttpRequest) -> HttpResponse:
    from pea.consolidate.export import EXPORT_NAMES

    chosen = R.master_entregas()
    return render(request, "revision/maestro.html", {
        "entregas": sorted(chosen, key=lambda e: e.dependencia.nombre), "modo": R.master_mode(),
        "exportaciones": EXPORT_NAMES})


def delivery_link(request: HttpRequest) -> Callable[[Entrega], str]:
    return lambda e: request.build_absolute_uri(reverse("revision:revision", args=[e.pk]))


def master_response(request: HttpRequest, export: str | None = None) -> HttpResponse:
    """Arma el maestro (con la caché) y sirve el libro o una de sus exportaciones CSV."""
    from pea.atomic import OutputLocked

    try:
        result = R.build_master(delivery_link(request))
    except OutputLocked:
        response = HttpResponse("El maestro se está armando en otra petición; vuelva a "
                                "intentarlo en un minuto.", status=503,
                                content_type="text/plain; charset=utf-8")
        response["Retry-After"] = "60"
        return response
    c = result.consolidation
    audit.record(Accion.MAESTRO, request, entregas=len(c.submissions), leidos=c.read_count,
                 de_cache=c.cached_count, exportacion=export or "xlsx")
    folder = R.master_dir()
    if export is None:
        response = FileResponse(open(folder / "maestro.xlsx", "rb"),  # noqa: SIM115
                                as_attachment=True, filename="maestro_pea.xlsx",
                                content_type=XLSX)
    else:
        response = FileResponse(open(folder / "csv" / f"{export}.csv", "rb"),  # noqa: SIM115
                                as_attachment=True, filename=f"{export}.csv",
                                content_type="text/csv; charset=utf-8")
    response["X-PEA-Leidos"] = str(c.read_count)
    response["X-PEA-Cache"] = str(c.cached_count)
    return response


@require_GET
@reviewer_page
def maestro_descargar(request: HttpRequest) -> HttpResponse:
    return master_response(request)


@require_GET
@reviewer_page
def maestro_csv(request: HttpRequest, nombre: str) -> HttpResponse:
    from pea.consolidate.export import EXPORT_NAMES

    if nombre not in EXPORT_NAMES:
        return not_found(request)
    return master_response(request, nombre)


__all__ = ["Revision"]
