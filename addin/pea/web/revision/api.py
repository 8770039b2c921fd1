"""API JSON de la revisión: tablero, decisiones y comentarios, diferencias y maestro.

Con el token de la cuenta («Authorization: Bearer <token_api>»), como el resto de /api/v1/.
"""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, HttpResponse

from pea.web.revision import services as R
from pea.web.ventanilla import services as base
from pea.web.ventanilla.api import error, methods, ok, with_token
from pea.web.ventanilla.models import Cuenta, Entrega

MAX_PAGE = 500


def _visible(cuenta: Cuenta, pk: int) -> Entrega | None:
    return base.visible_deliveries(cuenta).filter(pk=pk).first()


def _int(value: str | None, default: int, low: int, high: int) -> int:
    try:
        return max(low, min(high, int(value or default)))
    except ValueError:
        return default


@methods("GET")
@with_token
def tablero(request: HttpRequest) -> HttpResponse:
    cuenta: Cuenta = request.cuenta  # type: ignore[attr-defined]
    if not R.is_reviewer(cuenta):
        return error("El tablero es solo para el Instituto (revisor o administrador).", 403)
    g = request.GET
    orden = g.get("orden", "dependencia")
    rows = R.board(q=g.get("q", "")[:100], estado=g.get("estado", ""),
                   orden=orden if orden in R.SORTS else "dependencia", desc=g.get("desc") == "1")
    size = _int(g.get("por_pagina"), 100, 1, MAX_PAGE)
    pages = max(1, -(-len(rows) // size))
    page = _int(g.get("pagina"), 1, 1, pages)
    limit = R.deadline()
    return ok({"total": len(rows), "pagina": page, "paginas": pages, "por_pagina": size,
               "fecha_limite_entrega": limit.isoformat() if limit else None,
               "maestro_con": R.master_mode(),
               "filas": [r.to_json() for r in rows[(page - 1) * size: page * size]]})


def _body(request: HttpRequest) -> dict[str, Any] | None:
    if request.content_type == "application/json":
        try:
            data = json.loads(request.body or b"{}")
        except (ValueError, UnicodeDecodeError):
            return None
        return data if isinstance(data, dict) else None
    return {k: request.POST.get(k) for k in ("decision", "comentario")}


@methods("GET", "POST")
@with_token
def revision(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: estado y revisiones de la versión (la dependencia dueña y el Instituto).
    POST (revisor): {"decision": "aprobar"|"devolver", "comentario": "…",
    "comentarios_por_linea": [{"fila": 12, "comentario": "…"}]}."""
    cuenta: Cuenta = request.cuenta  # type: ignore[attr-defined]
    e = _visible(cuenta, pk)
    if e is None:
        return error("La entrega no existe.", 404)
    if request.method == "POST":
        if not R.can_decide(cuenta):
            return error("Solo un revisor del Instituto aprueba o devuelve versiones.", 403)
        body = _body(request)
        if body is None:
            return error("El cuerpo debe ser un objeto JSON.", 400)
        raw = body.get("comentarios_por_linea") or []
        try:
            per_line = [(int(x["fila"]), str(x.get("comentario") or "")) for x in raw][:500]
        except (TypeError, KeyError, ValueError):
            return error("«comentarios_por_linea» debe ser una lista de objetos con «fila» "
                         "(número) y «comentario».", 400)
        try:
            R.decide(e, cuenta, str(body.get("decision") or ""),
                     str(body.get("comentario") or ""), per_line, request=request)
        except R.Refused as exc:
            return error(str(exc), exc.status)
    e.refresh_from_db()
    return ok({"id": e.pk, "version": e.version, "dependencia": e.dependencia.nombre,
               "estado": e.estado, "estado_texto": e.get_estado_display(),
               "revisiones": [R.review_json(r) for r in e.revisiones.select_related("revisor")]},
              status=201 if request.method == "POST" else 200)


@methods("GET")
@with_token
def diferencias(request: HttpRequest, pk: int) -> HttpResponse:
    """Diferencias con la versión anterior (o `?con=<versión>`)."""
    cuenta: Cuenta = request.cuenta  # type: ignore[attr-defined]
    e = _visible(cuenta, pk)
    if e is None:
        return error("La entrega no existe.", 404)
    other = R.previous(e)
    con = request.GET.get("con")
    if con is not None:
        other = R.version_to_compare(e, con)
        if other is None:
            return error(f"La dependencia no tiene otra versión «{con[:20]}» con qué comparar; "
                         "use ?con=<número de versión>.", 404)
    d, _ = R.diff_with(e, other)
    return ok({"id": e.pk, "version": e.version,
               "comparada_con": other.version if other else None,
               "diferencias": d.to_json() if d else None})


@methods("GET")
@with_token
def maestro(request: HttpRequest) -> HttpResponse:
    cuenta: Cuenta = request.cuenta  # type: ignore[attr-defined]
    if not R.is_reviewer(cuenta):
        return error("El maestro es solo para el Instituto (revisor o administrador).", 403)
    from pea.web.revision.views import master_response

    request.user = cuenta  # para la bitácora
    return master_response(request)
