"""Lo que la página de la dependencia muestra de la revisión (etiquetas de plantilla, para
no tocar las vistas de la Ventanilla): aviso de versión devuelta, revisiones de una versión
y enlace a sus diferencias."""

from __future__ import annotations

from typing import Any

from django import template

from pea.review import states as S
from pea.web.ventanilla.models import Entrega

register = template.Library()


@register.inclusion_tag("revision/_aviso_devuelto.html")
def aviso_devuelto(dependencia: Any) -> dict[str, Any]:
    """Aviso cuando la última versión de la dependencia fue devuelta, con las observaciones."""
    last = (Entrega.objects.filter(dependencia=dependencia).order_by("-version").first()
            if dependencia is not None else None)
    if last is None or last.estado != S.DEVUELTO:
        return {"entrega": None}
    return {"entrega": last, "revision": last.revisiones.select_related("revisor").first()}


@register.inclusion_tag("revision/_de_la_entrega.html", takes_context=True)
def revision_de_entrega(context: Any, e: Entrega) -> dict[str, Any]:
    """Revisiones (decisión y comentarios) de una versión y el enlace a sus diferencias."""
    from pea.web.revision.services import is_reviewer

    request = context.get("request")
    return {"e": e, "revisiones": e.revisiones.select_related("revisor"),
            "con_diferencias": e.version > 1,
            "revisor": is_reviewer(getattr(request, "user", None))}
