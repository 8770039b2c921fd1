"""Municipio de demostración «Oaxaca de Jalisco»: catálogos y once planes válidos."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

DEMO_YAML = Path(__file__).with_name("municipio_demo.yaml")


@cache
def load_demo() -> dict[str, Any]:
    """El contenido de `municipio_demo.yaml` (config, catálogos y dependencias)."""
    return yaml.load(DEMO_YAML.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)


def demo_plans() -> list[dict[str, Any]]:
    """Los once planes válidos del municipio de demostración."""
    return list(load_demo()["dependencias"])


def plan_rows(plan: dict[str, Any]) -> list[dict[str, Any]]:
    """Las filas de la hoja de un plan del demo: cada fila y luego sus continuaciones.

    Cada fila trae sus textos (todos los del bloque en la principal; pasos/meta propios en
    una continuación), ``continuacion``, ``ejes_transversales`` (I–V) y ``trimestres``.
    """
    from pea import layout as L

    rows: list[dict[str, Any]] = []
    for fila in plan.get("filas") or []:
        rows.append({**{k: fila.get(k) for k in L.BLOCK_KEYS}, "continuacion": False,
                     "ejes_transversales": list(fila.get("ejes_transversales") or []),
                     "trimestres": list(fila.get("trimestres") or [])})
        for cont in fila.get("continuaciones") or []:
            rows.append({**{k: cont[k] for k in L.OWN_TEXT_KEYS if cont.get(k)},
                         "continuacion": True,
                         "ejes_transversales": list(cont.get("ejes_transversales") or []),
                         "trimestres": list(cont.get("trimestres") or [])})
    return rows
