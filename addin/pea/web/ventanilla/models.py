"""Modelos de la Ventanilla: dependencias, cuentas (con rol), entregas (versiones) y bitácora.

Pensados para crecer (tablero, revisión, maestro): el rol está en la cuenta, cada versión
tiene su `estado`, y toda acción queda en `Bitacora`.
"""

from __future__ import annotations

import hashlib

from django.contrib.auth.models import AbstractUser
from django.db import models

from pea.textnorm import dependencia_key as _x01_key


def dependencia_key(nombre: str) -> str:
    """Nombre comparable, con la misma clave de PEA-X01 (`textnorm.dependencia_key`: sin
    acentos, mayúsculas, punto final ni caracteres invisibles)."""
    return _x01_key(nombre)


def public_id() -> int:
    """Identificador de una entrega al azar (no consecutivo): su número no deja inferir
    cuántas entregas hay ni cuándo entregaron las demás dependencias. Cabe en un entero
    exacto de JavaScript (< 2**53)."""
    import secrets

    return 2**20 + secrets.randbelow(2**53 - 2**20)


def token_hash(token: str) -> str:
    """Solo se guarda la huella del token de la API, nunca el token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class Dependencia(models.Model):
    """Una dependencia del catálogo (`dependencias.yaml`)."""

    nombre = models.CharField("nombre", max_length=300)
    clave = models.CharField("nombre normalizado", max_length=300, unique=True, editable=False)
    activa = models.BooleanField("activa", default=True)
    creada = models.DateTimeField("creada", auto_now_add=True)

    class Meta:
        ordering = ["nombre"]
        verbose_name = "dependencia"
        verbose_name_plural = "dependencias"

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        self.clave = dependencia_key(self.nombre)
        super().save(*args, **kwargs)

    def __str__(self) -> str:
        return self.nombre


class Rol(models.TextChoices):
    DEPENDENCIA = "dependencia", "Dependencia"
    REVISOR = "revisor", "Revisor del Instituto"
    ADMINISTRADOR = "administrador", "Administrador del Instituto"


class Cuenta(AbstractUser):
    """Una persona (o un programa, con su token) que entra a la Ventanilla."""

    rol = models.CharField("rol", max_length=20, choices=Rol.choices, default=Rol.DEPENDENCIA)
    dependencia = models.ForeignKey(Dependencia, verbose_name="dependencia", null=True,
                                    blank=True, on_delete=models.PROTECT, related_name="cuentas")
    debe_cambiar_contrasena = models.BooleanField("debe cambiar la contraseña", default=True)
    token_api_hash = models.CharField("huella del token de la API", max_length=64, blank=True,
                                      default="", db_index=True, editable=False)

    class Meta:
        verbose_name = "cuenta"
        verbose_name_plural = "cuentas"

    @property
    def ve_todo(self) -> bool:
        """Revisor y administrador ven las entregas de todas las dependencias."""
        return self.rol in (Rol.REVISOR, Rol.ADMINISTRADOR)

    def set_token(self, token: str) -> None:
        self.token_api_hash = token_hash(token)


class Estado(models.TextChoices):
    """Estado de una versión entregada (la revisión del Instituto lo cambia)."""

    CON_ERRORES = "con_errores", "Entregado con errores"
    CON_OBSERVACIONES = "con_observaciones", "Con observaciones"
    EN_REVISION = "en_revision", "En revisión"
    DEVUELTO = "devuelto", "Devuelto"
    APROBADO = "aprobado", "Aprobado"


class Entrega(models.Model):
    """Una versión entregada: los bytes originales (sin tocar) y su reporte."""

    id = models.BigIntegerField(primary_key=True, default=public_id, editable=False)
    dependencia = models.ForeignKey(Dependencia, on_delete=models.PROTECT,
                                    related_name="entregas")
    version = models.PositiveIntegerField("versión")
    archivo = models.CharField("nombre del archivo (tal como llegó; solo para mostrar)",
                               max_length=255)
    extension = models.CharField("extensión", max_length=8)
    sha256 = models.CharField(max_length=64)
    tamano = models.PositiveBigIntegerField("tamaño (bytes)")
    almacen = models.CharField("ruta en el almacén (relativa)", max_length=200, editable=False)
    entregada_por = models.ForeignKey(Cuenta, on_delete=models.PROTECT, related_name="entregas")
    fecha = models.DateTimeField("fecha", auto_now_add=True)
    version_reglas = models.CharField("versión de las reglas", max_length=100)
    reporte = models.JSONField("reporte (contrato de pea validar)")
    textos = models.JSONField("texto de cada celda con hallazgo", default=dict, blank=True)
    errores = models.PositiveIntegerField(default=0)
    advertencias = models.PositiveIntegerField(default=0)
    estado = models.CharField(max_length=20, choices=Estado.choices)

    class Meta:
        ordering = ["dependencia__nombre", "-version"]
        constraints = [models.UniqueConstraint(fields=["dependencia", "version"],
                                               name="entrega_version_unica")]
        verbose_name = "entrega"
        verbose_name_plural = "entregas"

    def __str__(self) -> str:
        return f"{self.dependencia} v{self.version}"

    @staticmethod
    def estado_inicial(errores: int, advertencias: int) -> str:
        if errores:
            return Estado.CON_ERRORES
        if advertencias:
            return Estado.CON_OBSERVACIONES
        return Estado.EN_REVISION


class Accion(models.TextChoices):
    ENTRADA = "entrada", "Inicio de sesión"
    ENTRADA_FALLIDA = "entrada_fallida", "Inicio de sesión fallido"
    SALIDA = "salida", "Cierre de sesión"
    CAMBIO_CONTRASENA = "cambio_contrasena", "Cambio de contraseña"
    REVISION = "revision", "Revisión (sin guardar)"
    ENTREGA = "entrega", "Entrega"
    ENTREGA_RECHAZADA = "entrega_rechazada", "Entrega rechazada"
    DESCARGA = "descarga", "Descarga"
    CUENTAS = "cuentas", "Alta de cuentas"
    API_DENEGADA = "api_denegada", "Token de la API inválido"
    APROBACION = "aprobacion", "Aprobación de una versión"
    DEVOLUCION = "devolucion", "Devolución con observaciones"
    MAESTRO = "maestro", "Descarga del maestro"


class Bitacora(models.Model):
    """Bitácora de auditoría: quién hizo qué y cuándo."""

    fecha = models.DateTimeField(auto_now_add=True, db_index=True)
    cuenta = models.ForeignKey(Cuenta, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="bitacora")
    usuario = models.CharField("usuario escrito o de la cuenta", max_length=150, blank=True)
    accion = models.CharField(max_length=30, choices=Accion.choices)
    entrega = models.ForeignKey(Entrega, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="bitacora")
    ip = models.GenericIPAddressField(null=True, blank=True)
    detalle = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-fecha"]
        verbose_name = "registro de la bitácora"
        verbose_name_plural = "bitácora"

    def __str__(self) -> str:
        return f"{self.fecha:%Y-%m-%d %H:%M} {self.usuario} {self.accion}"
