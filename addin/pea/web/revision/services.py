"""Las operaciones de la revisión, sin HTTP: tablero, líneas y diferencias, decidir, maestro.

Los estados, las diferencias y el maestro son de `pea.review`; aquí solo se leen y escriben
los modelos.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import shutil
import threading
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from pea.review import states as S
from pea.review.diff import PlanDiff, diff_lines
from pea.textnorm import fold
from pea.web.revision.models import Decision, Lineas, Revision
from pea.web.ventanilla import services as base
from pea.web.ventanilla.models import Cuenta, Dependencia, Entrega, Rol

#: Orden del tablero: clave del parámetro «orden» → (etiqueta, función de orden).
SORTS: dict[str, str] = {
    "dependencia": "Dependencia", "estado": "Estado", "fecha": "Última entrega",
    "errores": "Errores", "advertencias": "Advertencias", "versiones": "Versiones",
}
_STATE_ORDER = {k: i for i, k in enumerate(S.LABELS)}
#: Topes de lo que un revisor escribe.
COMMENT_MAX = 5_000
LINE_COMMENTS_MAX = 500


class Refused(Exception):
    """La acción no procede (mensaje en español para la persona; `status` para la API:
    409 si choca con el estado de la versión, 422 si falta o sobra algo en la petición)."""

    def __init__(self, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.status = status


def is_reviewer(cuenta: Any) -> bool:
    """Revisor o administrador: ve el tablero, las revisiones y el maestro."""
    return bool(getattr(cuenta, "is_authenticated", False)) and cuenta.rol in (
        Rol.REVISOR, Rol.ADMINISTRADOR)


def can_decide(cuenta: Any) -> bool:
    """Solo el revisor aprueba o devuelve (el administrador lleva cuentas y ajustes)."""
    return bool(getattr(cuenta, "is_authenticated", False)) and cuenta.rol == Rol.REVISOR


def info(e: Entrega | dict[str, Any]) -> S.VersionInfo:
    get: Callable[[str], Any] = e.get if isinstance(e, dict) else lambda k: getattr(e, k)
    return S.VersionInfo(id=get("id"), version=get("version"), fecha=get("fecha"),
                         estado=get("estado"), errores=get("errores"),
                         advertencias=get("advertencias"))


# --- Tablero -----------------------------------------------------------------------------

@dataclass(frozen=True)
class BoardRow:
    dependencia_id: int
    dependencia: str
    status: S.DependenciaStatus

    @property
    def plazo(self) -> str:
        """Días para el plazo, en palabras."""
        d = self.status.dias_restantes
        if d is None:
            return "—"
        if d < 0:
            return f"vencido hace {-d} día(s)"
        return "vence hoy" if d == 0 else f"{d} día(s)"

    def to_json(self) -> dict[str, Any]:
        st, last, master = self.status, self.status.ultima, self.status.en_maestro
        return {
            "dependencia": self.dependencia, "estado": st.estado, "estado_texto": st.etiqueta,
            "version": last.version if last else None,
            "entrega_id": last.id if last else None,
            "fecha": last.fecha.isoformat() if last else None,
            "errores": last.errores if last else None,
            "advertencias": last.advertencias if last else None,
            "versiones": st.versiones, "dias_restantes": st.dias_restantes,
            "version_en_maestro": master.version if master else None,
        }


def deadline() -> dt.date | None:
    return base.config().ventanilla.fecha_limite_entrega


def master_mode() -> S.MasterMode:
    return base.config().ventanilla.maestro_con


def board(q: str = "", estado: str = "", orden: str = "dependencia",
          desc: bool = False) -> list[BoardRow]:
    """Una fila por dependencia activa del catálogo, filtrada y ordenada (dos consultas)."""
    by_dep: dict[int, list[S.VersionInfo]] = defaultdict(list)
    for row in Entrega.objects.values("id", "dependencia_id", "version", "fecha", "estado",
                                      "errores", "advertencias").iterator(chunk_size=2000):
        by_dep[row["dependencia_id"]].append(info(row))
    today, limit, mode = timezone.localdate(), deadline(), master_mode()
    rows = [BoardRow(d["id"], d["nombre"], S.status_of(by_dep.get(d["id"], []),
                                                       deadline=limit, today=today, mode=mode))
            for d in Dependencia.objects.filter(activa=True).values("id", "nombre")]
    if q.strip():
        needle = fold(q)
        rows = [r for r in rows if needle in fold(r.dependencia)]
    if estado in S.LABELS:
        rows = [r for r in rows if r.status.estado == estado]
    keys: dict[str, Callable[[BoardRow], Any]] = {
        "estado": lambda r: _STATE_ORDER[r.status.estado],
        "fecha": lambda r: r.status.ultima.fecha.timestamp() if r.status.ultima else 0.0,
        "errores": lambda r: r.status.ultima.errores if r.status.ultima else -1,
        "advertencias": lambda r: r.status.ultima.advertencias if r.status.ultima else -1,
        "versiones": lambda r: r.status.versiones,
    }
    rows.sort(key=lambda r: fold(r.dependencia))
    if orden in keys:
        rows.sort(key=keys[orden], reverse=desc)
    elif desc:
        rows.reverse()
    return rows


def counts(rows: Iterable[BoardRow]) -> dict[str, int]:
    out = dict.fromkeys(S.LABELS, 0)
    for r in rows:
        out[r.status.estado] += 1
    return out


# --- Líneas y diferencias ----------------------------------------------------------------

def lines_of(entregas: list[Entrega]) -> dict[int, list[list[Any]]]:
    """Las líneas leídas de cada versión (de la base o, la primera vez, leídas en procesos
    aparte con el límite de tiempo de las reglas, como en `pea consolidar`)."""
    cfg = base.config()
    from pea.config import code_fingerprint

    fp = f"{cfg.fingerprint()}:{code_fingerprint()}"  # como la caché de consolidar
    out = {x.entrega_id: x.lineas for x in Lineas.objects.filter(
        entrega__in=[e.pk for e in entregas], huella=fp)}
    missing = [e for e in entregas if e.pk not in out]
    if not missing:
        return out
    from pea.consolidate.pool import run_tasks
    from pea.consolidate.worker import Processed, ReadTask, init_worker, process_file, read_task
    from pea.reading.errors import UnreadableFile

    found: dict[int, list[list[Any]]] = {}
    sent: list[int] = []  # posición en `missing` de lo que sale hacia los procesos

    def tasks() -> Iterator[ReadTask]:
        for k, e in enumerate(missing):  # cada archivo guardado se lee una vez, al mandarlo
            try:
                task, _st = read_task(Path(settings.ARCHIVOS) / e.almacen, e.archivo, cfg,
                                      name=f"{e.sha256}{e.extension}")
            except UnreadableFile:
                continue  # sin líneas (no se guarda): el revisor lo ve en el reporte
            sent.append(k)
            yield task

    def done(i: int, result: Processed) -> None:
        found[sent[i]] = [line.row() for line in result.outcome.lines]

    run_tasks(process_file, tasks(), workers=min(2, len(missing)),
              time_limit=float(cfg.limites.segundos_por_archivo), on_result=done,
              on_failure=lambda i, kind, detail: None, initializer=init_worker,
              initargs=(cfg,), expected=len(missing), weigh=lambda t: len(t.data))
    for k, e in enumerate(missing):
        lines = found.get(k)
        if lines is None:
            out[e.pk] = []  # ilegible o tiempo agotado: sin líneas (no se guarda)
            continue
        Lineas.objects.update_or_create(entrega=e, defaults={"huella": fp, "lineas": lines})
        out[e.pk] = lines
    return out


def previous(e: Entrega) -> Entrega | None:
    return (Entrega.objects.filter(dependencia_id=e.dependencia_id, version__lt=e.version)
            .order_by("-version").first())


def diff_with(e: Entrega, other: Entrega | None) -> tuple[PlanDiff | None, list[list[Any]]]:
    """Diferencias de `other` (la versión anterior) a `e`, y las líneas de `e`."""
    lines = lines_of([e] + ([other] if other is not None else []))
    if other is None:
        return None, lines[e.pk]
    return diff_lines(lines[other.pk], lines[e.pk]), lines[e.pk]


# --- Decidir -----------------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def _clean_text(text: str) -> str:
    """Lo que escribe el revisor, sin caracteres de control (salvo el salto de línea)."""
    return _CONTROL.sub("", text.replace("\r\n", "\n")).strip()[:COMMENT_MAX]


def decide(e: Entrega, cuenta: Cuenta, decision: str, comentario: str = "",
           por_linea: Iterable[tuple[int, str]] = (), request: Any = None) -> Revision:
    """Aprueba o devuelve la versión `e`. `Refused` si no procede."""
    from pea.web.ventanilla import audit
    from pea.web.ventanilla.models import Accion

    if decision not in Decision.values:
        raise Refused("Acción desconocida: use «aprobar» o «devolver».")
    if not can_decide(cuenta):
        raise Refused("Solo un revisor del Instituto aprueba o devuelve versiones.", 403)
    comentario = _clean_text(comentario or "")
    lines = [{"fila": int(f), "comentario": _clean_text(t)} for f, t in por_linea
             if _clean_text(t)]
    if len(lines) > LINE_COMMENTS_MAX:
        raise Refused(f"Son {len(lines)} observaciones por línea y caben {LINE_COMMENTS_MAX} "
                      "por revisión: júntelas en el comentario general o en menos líneas.")
    if lines:
        rows = {ln[0] for ln in lines_of([e])[e.pk]}
        strange = sorted({c["fila"] for c in lines} - rows)
        if strange:
            where = (f"las líneas van de la fila {min(rows)} a la {max(rows)}" if rows
                     else "no se leyó ninguna línea")
            raise Refused("Hay observaciones para filas que no son líneas del plan ("
                          + ", ".join(str(f) for f in strange[:10])
                          + (" …" if len(strange) > 10 else "")
                          + f"; {where}): corrija el número de fila.")
    if decision == Decision.DEVOLVER and not (comentario or lines):
        raise Refused("Para devolver la versión escriba las observaciones (un comentario "
                      "general o uno por línea).")
    with transaction.atomic():
        target = Entrega.objects.select_for_update().get(pk=e.pk)
        latest = (Entrega.objects.select_for_update().filter(dependencia_id=e.dependencia_id)
                  .order_by("-version").first())
        assert latest is not None
        why = S.refusal(decision, info(target), info(latest))  # type: ignore[arg-type]
        if why:
            raise Refused(why, 409)
        target.estado = S.after(decision)  # type: ignore[arg-type]
        target.save(update_fields=["estado"])
        rev = Revision.objects.create(entrega=target, revisor=cuenta, decision=decision,
                                      comentario=comentario, por_linea=lines)
        audit.record(Accion.APROBACION if decision == Decision.APROBAR else Accion.DEVOLUCION,
                     request, cuenta=cuenta, entrega=target, version=target.version,
                     comentario=comentario, comentarios_por_linea=len(lines))
    e.estado = target.estado
    return rev


def review_json(r: Revision) -> dict[str, Any]:
    return {"decision": r.decision, "decision_texto": r.get_decision_display(),
            "fecha": r.fecha.isoformat(), "revisor": r.revisor.username,
            "comentario": r.comentario, "comentarios_por_linea": r.por_linea}


# --- Maestro -----------------------------------------------------------------------------

_master_lock = threading.Lock()


def master_dir() -> Path:
    return Path(settings.DATOS) / "maestro"


def master_entregas() -> list[Entrega]:
    """La versión de cada dependencia que entra al maestro (`ventanilla.maestro_con`)."""
    mode = master_mode()
    by_dep: dict[int, list[S.VersionInfo]] = defaultdict(list)
    for row in Entrega.objects.values("id", "dependencia_id", "version", "fecha", "estado",
                                      "errores", "advertencias"):
        by_dep[row["dependencia_id"]].append(info(row))
    ids = [v.id for vs in by_dep.values() if (v := S.master_version(vs, mode)) is not None]
    return list(Entrega.objects.filter(pk__in=ids).select_related("dependencia"))


def whole_number(text: str) -> int | None:
    """Un número de página, versión o fila escrito en una petición: de 1 a 9 cifras ASCII
    (nunca «١٢» ni miles de cifras, que `int` no convierte); None si no lo es."""
    text = text.strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 9 else None


def version_to_compare(e: Entrega, con: str) -> Entrega | None:
    """La versión `con` (su número) de la misma dependencia, distinta de `e`; None si no
    es un número o no existe (nunca otra en su lugar: la respuesta diría otra cosa)."""
    number = whole_number(con)
    if number is None:
        return None
    return (Entrega.objects.filter(dependencia_id=e.dependencia_id, version=number)
            .exclude(pk=e.pk).first())

def master_name(e: Entrega) -> str:
    """Nombre de la entrega en el maestro (columna «Archivo»)."""
    return f"{e.dependencia.nombre} · versión {e.version} · {e.archivo}"


def _master_copy(e: Entrega, folder: Path) -> Path:
    """El archivo de la versión para el maestro: una copia por versión con la fecha de esa
    entrega (`pea consolidar` toma la fecha del archivo que lee; el almacén guarda un solo
    archivo por sha256, con la fecha de la primera vez, y no se toca). Si falta en el
    almacén, una ruta que no existe: el maestro la lista como omitida con el motivo."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{e.pk}{e.extension}"
    when = e.fecha.timestamp()
    try:
        if not target.exists():
            tmp = folder / f".{uuid.uuid4().hex}{e.extension}"
            try:
                shutil.copyfile(Path(settings.ARCHIVOS) / e.almacen, tmp)
                os.utime(tmp, (when, when))
                os.replace(tmp, target)
            finally:
                with contextlib.suppress(OSError):
                    tmp.unlink()
        elif target.stat().st_mtime != when:
            os.utime(target, (when, when))
    except OSError:
        pass
    return target


def build_master(link: Callable[[Entrega], str]) -> Any:
    """Escribe el maestro de las versiones vigentes (con la caché incremental de `pea
    consolidar`) y sus CSV; devuelve el `RunResult`."""
    from pea.review.master import Delivery
    from pea.review.master import build_master as build

    folder = master_dir()
    files = folder / "entregas"
    with _master_lock:
        chosen = master_entregas()
        deliveries = [Delivery(_master_copy(e, files), master_name(e), link(e),
                               timezone.localtime(e.fecha).replace(tzinfo=None))
                      for e in chosen]
        keep = {d.path.name for d in deliveries}
        for old in files.iterdir() if files.is_dir() else ():
            if old.name not in keep:
                with contextlib.suppress(OSError):
                    old.unlink()
        return build(deliveries, folder / "maestro.xlsx", base.config(),
                     csv_dir=folder / "csv", folder=Path(settings.ARCHIVOS))
