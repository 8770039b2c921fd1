"""Estado de cada dependencia en el tablero del Instituto, a partir de sus versiones.

Estados de una versión (los guarda la Ventanilla al recibirla y al revisarla):
- «Entregado con errores» (`con_errores`): la validación encontró al menos un error;
- «Con observaciones» (`con_observaciones`): sin errores, con advertencias; espera revisión;
- «En revisión» (`en_revision`): sin errores ni advertencias; espera revisión;
- «Devuelto» (`devuelto`): el Instituto la devolvió con observaciones; toca otra versión;
- «Aprobado» (`aprobado`): el Instituto la aprobó.

El estado de la dependencia es el de su última versión; «Sin entrega» si no tiene ninguna.
La versión que va al maestro es la última aprobada (ajuste `ventanilla.maestro_con:
aprobada`) o la última entregada (`ultima`); una aprobada sigue en el maestro hasta que se
apruebe otra más nueva, aunque después llegue una versión sin revisar.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

SIN_ENTREGA = "sin_entrega"
CON_ERRORES = "con_errores"
CON_OBSERVACIONES = "con_observaciones"
EN_REVISION = "en_revision"
DEVUELTO = "devuelto"
APROBADO = "aprobado"

#: Estados en el orden del tablero, con su etiqueta.
LABELS: dict[str, str] = {
    SIN_ENTREGA: "Sin entrega",
    CON_ERRORES: "Entregado con errores",
    CON_OBSERVACIONES: "Con observaciones",
    EN_REVISION: "En revisión",
    DEVUELTO: "Devuelto",
    APROBADO: "Aprobado",
}
#: Estados que esperan la revisión del Instituto.
PENDING = frozenset({CON_ERRORES, CON_OBSERVACIONES, EN_REVISION})

MasterMode = Literal["aprobada", "ultima"]
Action = Literal["aprobar", "devolver"]


@dataclass(frozen=True)
class VersionInfo:
    """Lo que el tablero necesita de una versión entregada."""

    id: int
    version: int
    fecha: dt.datetime
    estado: str
    errores: int = 0
    advertencias: int = 0


@dataclass(frozen=True)
class DependenciaStatus:
    """Una fila del tablero: estado, última versión, la del maestro y días al plazo."""

    estado: str
    ultima: VersionInfo | None
    en_maestro: VersionInfo | None
    dias_restantes: int | None
    versiones: int

    @property
    def etiqueta(self) -> str:
        return LABELS[self.estado]


def initial_state(errores: int, advertencias: int) -> str:
    """Estado de una versión recién recibida, por su validación."""
    if errores:
        return CON_ERRORES
    if advertencias:
        return CON_OBSERVACIONES
    return EN_REVISION


def days_left(deadline: dt.date | None, today: dt.date) -> int | None:
    """Días que faltan para la fecha límite (0: hoy; negativo: vencida); None sin fecha."""
    return None if deadline is None else (deadline - today).days


def master_version(versions: Sequence[VersionInfo], mode: MasterMode) -> VersionInfo | None:
    """La versión de la dependencia que entra al maestro (None: ninguna)."""
    if not versions:
        return None
    ordered = sorted(versions, key=lambda v: v.version)
    if mode == "ultima":
        return ordered[-1]
    approved = [v for v in ordered if v.estado == APROBADO]
    return approved[-1] if approved else None


def status_of(versions: Sequence[VersionInfo], *, deadline: dt.date | None, today: dt.date,
              mode: MasterMode = "aprobada") -> DependenciaStatus:
    """La fila del tablero de una dependencia con estas versiones."""
    last = max(versions, key=lambda v: v.version) if versions else None
    return DependenciaStatus(
        estado=last.estado if last is not None else SIN_ENTREGA,
        ultima=last, en_maestro=master_version(versions, mode),
        dias_restantes=days_left(deadline, today), versiones=len(versions))


def refusal(action: Action, target: VersionInfo, latest: VersionInfo) -> str | None:
    """Por qué no procede esta acción del revisor sobre esta versión, o None.

    Solo se revisa la última versión; no se aprueba una versión con errores (la dependencia
    debe corregirlos); no se repite la misma decisión.
    """
    if target.version != latest.version:
        return (f"La versión {target.version} ya no es la vigente: la dependencia entregó la "
                f"versión {latest.version}. Revise esa.")
    if action == "aprobar":
        if target.estado == APROBADO:
            return "Esta versión ya está aprobada."
        if target.errores:
            return ("La versión tiene errores de validación; no se puede aprobar. Devuélvala "
                    "con observaciones para que la dependencia los corrija.")
    elif target.estado == DEVUELTO:
        return "Esta versión ya fue devuelta."
    return None


def after(action: Action) -> str:
    """Estado de la versión después de la acción."""
    return APROBADO if action == "aprobar" else DEVUELTO
