"""Decisiones del revisor sobre una versión y las líneas leídas de cada versión."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from pea.web.ventanilla.models import Entrega


class Decision(models.TextChoices):
    APROBAR = "aprobar", "Aprobada"
    DEVOLVER = "devolver", "Devuelta con observaciones"


class Revision(models.Model):
    """Una decisión del Instituto sobre una versión (nunca se edita ni se borra)."""

    entrega = models.ForeignKey(Entrega, on_delete=models.PROTECT, related_name="revisiones")
    revisor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                related_name="revisiones")
    fecha = models.DateTimeField("fecha", auto_now_add=True, db_index=True)
    decision = models.CharField("decisión", max_length=10, choices=Decision.choices)
    comentario = models.TextField("comentario", blank=True, default="")
    #: [{"fila": 12, "comentario": "…"}, …] — observaciones por línea del plan
    por_linea = models.JSONField("comentarios por línea", default=list, blank=True)

    class Meta:
        ordering = ["-fecha", "-id"]
        verbose_name = "revisión"
        verbose_name_plural = "revisiones"

    def __str__(self) -> str:
        return f"{self.entrega} {self.get_decision_display()}"


class Lineas(models.Model):
    """Las líneas leídas de una versión (`pea.consolidate.extract.plan_lines`), para las
    diferencias; se calculan una vez por versión y versión efectiva de las reglas."""

    entrega = models.OneToOneField(Entrega, on_delete=models.CASCADE, primary_key=True,
                                   related_name="lineas")
    huella = models.CharField("versión de las reglas", max_length=64)
    lineas = models.JSONField(default=list)

    class Meta:
        verbose_name = "líneas de una versión"
        verbose_name_plural = "líneas de las versiones"
