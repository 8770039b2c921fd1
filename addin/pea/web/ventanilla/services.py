"""Las operaciones de la Ventanilla, sin HTTP: revisar, entregar, leer el almacén.

Las vistas (páginas y API) solo traducen peticiones a estas funciones.
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction

from pea.web.ventanilla.isolation import Busy, Job, Outcome, WorkerPool, kind_of
from pea.web.ventanilla.models import Cuenta, Dependencia, Entrega, dependencia_key

_MB = 1024 * 1024
_pool: WorkerPool | None = None
_pool_lock = threading.Lock()
_config: Any = None


class Refused(Exception):
    """La entrega no se acepta (mensaje en español para la persona)."""


def rules_dir() -> str | None:
    return os.environ.get("PEA_REGLAS") or None


def config() -> Any:
    """Configuración de reglas en uso (una vez por proceso)."""
    global _config
    if _config is None:
        from pea.config import load_config

        _config = load_config(rules_dir())
    return _config


def max_upload_bytes() -> int:
    """Tope de una petición: el límite de archivo de las reglas (o PEA_MAX_SUBIDA_MB)."""
    mb = getattr(settings, "MAX_SUBIDA_MB", 0) or config().limites.tamano_archivo_mb
    return int(mb * _MB)


def pool() -> WorkerPool:
    global _pool
    with _pool_lock:
        if _pool is None:
            cfg = config()
            _pool = WorkerPool(workers=cfg.ventanilla.procesos,
                               time_limit=cfg.limites.segundos_por_archivo,
                               memory_mb=cfg.ventanilla.memoria_mb,
                               tmp_dir=Path(settings.TEMPORALES), rules=rules_dir(),
                               wait=cfg.ventanilla.espera_segundos)
        return _pool


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def display_name(name: str | None) -> str:
    """El nombre subido, solo para mostrar y para el reporte: sin carpetas ni controles.
    Nunca se usa como ruta."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = _CONTROL.sub("", base).strip() or "archivo"
    return base[:200]


@dataclass
class Review:
    """Resultado de revisar un archivo."""

    report: dict[str, Any]
    dependencia: str | None
    cell_texts: dict[str, str]
    annotated: bytes | None
    suffix: str

    def finding_texts(self) -> dict[str, str]:
        """Texto de las celdas que tienen hallazgo (lo que se guarda con la entrega)."""
        cells = {f.get("celda") for f in self.report.get("hallazgos", [])}
        return {c: t for c, t in self.cell_texts.items() if c in cells}

    @property
    def errores(self) -> int:
        return int(self.report.get("resumen", {}).get("error", 0))

    @property
    def advertencias(self) -> int:
        return int(self.report.get("resumen", {}).get("advertencia", 0))


def _failure_report(archivo: str, kind: str, detail: Any) -> dict[str, Any]:
    from pea.validation import unreadable_report

    if kind == "tiempo":
        msg = (f"la lectura pasó del límite de {float(detail):g} segundos "
               "(«limites.segundos_por_archivo»); revise que sea el plan correcto.")
    elif kind == "memoria":
        msg = "el archivo excede los recursos de lectura (MemoryError)."
    else:
        msg = ("el proceso de lectura terminó de forma inesperada; revise que sea el plan "
               "correcto.")
    return unreadable_report(archivo, msg, config()).model_dump(mode="json")


def review(data: bytes, name: str, annotate: bool = False, texts: bool = True) -> Review:
    """Valida en un proceso aparte. `Busy` si no hay turno a tiempo."""
    archivo = display_name(name)
    suffix = kind_of(data, archivo)
    kind, value = pool().run(Job(data=data, archivo=archivo, suffix=suffix, annotate=annotate,
                                 texts=texts))
    if kind == "ok":
        out: Outcome = value
        return Review(out.report, out.dependencia, out.cell_texts, out.annotated, suffix)
    return Review(_failure_report(archivo, kind, value), None, {}, None, suffix)


def rules_version() -> str:
    cfg = config()
    return f"{cfg.version} ({cfg.fingerprint()})"


def store_path(sha256: str) -> Path:
    return Path(settings.ARCHIVOS) / sha256[:2] / sha256


def _store(data: bytes, sha256: str) -> str:
    """Guarda los bytes tal cual, por su huella (nunca por el nombre subido)."""
    path = store_path(sha256)
    rel = f"{sha256[:2]}/{sha256}"
    if path.is_file() and path.stat().st_size == len(data):
        return rel
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{sha256}.{os.getpid()}.{threading.get_ident()}.tmp")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    return rel


def refusal(cuenta: Cuenta, found: Review) -> str | None:
    """Por qué no se acepta esta entrega de esta cuenta, o None."""
    own = cuenta.dependencia
    if own is None:
        return "Solo una cuenta de dependencia puede entregar un plan."
    dep = found.dependencia
    if dep and dependencia_key(dep) != own.clave:
        shown = _CONTROL.sub("", dep).strip()[:200]  # sin marcas de dirección ni controles
        return (f"El plan es de «{shown}», no de «{own.nombre}»: cada dependencia entrega solo "
                "su propio plan. Revise la celda «Dependencia o Entidad» del archivo.")
    return None


def deliver(cuenta: Cuenta, data: bytes, name: str, found: Review | None = None) -> Entrega:
    """Guarda una versión nueva de la dependencia de la cuenta. `Refused` si no procede."""
    if cuenta.dependencia is None:
        raise Refused("Solo una cuenta de dependencia puede entregar un plan.")
    found = found or review(data, name)
    why = refusal(cuenta, found)
    if why:
        raise Refused(why)
    sha = hashlib.sha256(data).hexdigest()
    rel = _store(data, sha)
    for _ in range(5):  # dos entregas simultáneas de la misma dependencia: se numeran en orden
        try:
            with transaction.atomic():
                last = (Entrega.objects.select_for_update()
                        .filter(dependencia=cuenta.dependencia).order_by("-version").first())
                return Entrega.objects.create(
                    dependencia=cuenta.dependencia, version=(last.version + 1) if last else 1,
                    archivo=display_name(name), extension=found.suffix, sha256=sha,
                    tamano=len(data), almacen=rel, entregada_por=cuenta,
                    version_reglas=rules_version(), reporte=found.report,
                    textos=found.finding_texts(),
                    errores=found.errores, advertencias=found.advertencias,
                    estado=Entrega.estado_inicial(found.errores, found.advertencias))
        except IntegrityError:
            continue
    raise Refused("No se pudo numerar la versión (entregas simultáneas); vuelva a intentarlo.")


def visible_deliveries(cuenta: Cuenta) -> Any:
    """Las entregas que esta cuenta puede ver: las suyas o, revisor/administrador, todas."""
    qs = Entrega.objects.select_related("dependencia", "entregada_por")
    if cuenta.ve_todo:
        return qs
    if cuenta.dependencia_id is None:
        return qs.none()
    return qs.filter(dependencia_id=cuenta.dependencia_id)


def read_original(entrega: Entrega) -> bytes:
    return (Path(settings.ARCHIVOS) / entrega.almacen).read_bytes()


def api_delivery(e: Entrega, with_report: bool = True) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": e.id, "version": e.version, "dependencia": e.dependencia.nombre,
        "estado": e.estado, "archivo": e.archivo, "sha256": e.sha256, "tamano": e.tamano,
        "fecha": e.fecha.isoformat(), "entregada_por": e.entregada_por.username,
        "version_reglas": e.version_reglas,
        "resumen": e.reporte.get("resumen", {}), "valido": bool(e.reporte.get("valido")),
    }
    if with_report:
        out["reporte"] = e.reporte
    return out


__all__ = ["Busy", "Dependencia", "Refused"]
