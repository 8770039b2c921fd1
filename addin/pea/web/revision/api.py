"""API JSON de la revisión: tablero, decisiones y comentarios, diferencias y maestro.

Con el token de la cuenta («Authorization: Bearer <token_api>»), como el resto de /api/v1/.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from django.http import HttpRequest, HttpResponse

from pea.config_messages import suggestion
from pea.review import states as S
from pea.web.revision import services as R
from pea.web.ventanilla import services as base
from pea.web.ventanilla.api import error, methods, ok, with_token
from pea.web.ventanilla.models import Cuenta, Entrega

MAX_PAGE = 500
#: Los parámetros de /api/v1/tablero (otro nombre, como «page», da 400).
BOARD_PARAMS = frozenset({"q", "estado", "orden", "desc", "pagina", "por_pagina"})


def _visible(cuenta: Cuenta, pk: int) -> Entrega | None:
    return base.visible_deliveries(cuenta).filter(pk=pk).first()


def _whole(g: Any, name: str, default: int, high: int | None = None) -> int | str:
    """Un entero positivo del parámetro `name` (o `default` si no viene), o el mensaje de
    por qué no sirve."""
    raw = g.get(name)
    if raw is None or raw == "":
        return default
    number = R.whole_number(raw)
    if number is None or number < 1:
        return f"«{name}» debe ser un número entero mayor que cero (llegó «{raw[:20]}»)."
    if high is not None and number > high:
        return f"«{name}» no puede pasar de {high} (llegó {number})."
    return number


def _choice(g: Any, name: str, allowed: Iterable[str]) -> str | None:
    raw = g.get(name, "")
    if raw and raw not in allowed:
        return f"«{name}» desconocido («{raw[:40]}»); use uno de: {', '.join(allowed)}."
    return None


@methods("GET")
@with_token
def tablero(request: HttpRequest) -> HttpResponse:
    """Un parámetro con un valor que no existe da 400 con el motivo, no se ignora (un
    programa que pide «estado=aprobada» sabe así que no es «aprobado»)."""
    cuenta: Cuenta = request.cuenta  # type: ignore[attr-defined]
    if not R.is_reviewer(cuenta):
        return error("El tablero es solo para el Instituto (revisor o administrador).", 403)
    g = request.GET
    if unknown := sorted(set(g) - BOARD_PARAMS):
        name = unknown[0][:40]
        hint = suggestion(name, BOARD_PARAMS)
        return error(f"Parámetro desconocido «{name}»{hint if hint != '.' else ''}. Los "
                     f"parámetros son: {', '.join(sorted(BOARD_PARAMS))}.", 400)
    size = _whole(g, "por_pagina", 100, MAX_PAGE)
    page = _whole(g, "pagina", 1)
    for problem in (_choice(g, "estado", S.LABELS), _choice(g, "orden", R.SORTS),
                    _choice(g, "desc", ("0", "1")), size, page):
        if isinstance(problem, str):
            return error(problem, 400)
    assert isinstance(size, int) and isinstance(page, int)
    rows = R.board(q=g.get("q", "")[:100], estado=g.get("estado", ""),
                   orden=g.get("orden") or "dependencia", desc=g.get("desc") == "1")
    pages = max(1, -(-len(rows) // size))
    if page > pages:
        return error(f"La página {page} no existe: hay {pages} con por_pagina={size}.", 400)
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
