"""Ayudantes de las pruebas de la Ventanilla: cuentas, planes y configuración."""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

DEPS = {"tesoreria": "Tesorería Municipal", "obras": "Dirección de Obras Públicas"}


def cli_report(path: Path) -> dict[str, Any]:
    """El objeto de `pea validar --formato json` de un archivo (proceso aparte)."""
    out = subprocess.run([sys.executable, "-m", "pea", "validar", "--formato", "json",
                          str(path)], capture_output=True, text=True, timeout=120)
    assert out.returncode in (0, 1), out.stderr
    return json.loads(out.stdout)[0]


def accounts() -> dict[str, Any]:
    """Cuentas del catálogo incluido (idempotente); devuelve {usuario: fila} de las nuevas."""
    from pea.config import load_config
    from pea.web.ventanilla.accounts import from_catalog

    rows = from_catalog(load_config().catalogos.dependencias)
    return {r.usuario: r for r in rows}


def account_for(rows: dict[str, Any], dependencia: str) -> Any:
    return next(r for r in rows.values() if r.dependencia == dependencia)


def reviewer(rows: dict[str, Any]) -> Any:
    return next(r for r in rows.values() if r.rol == "revisor")


@contextlib.contextmanager
def web_settings(**changes: Any) -> Iterator[None]:
    """Cambia la sección `ventanilla` de la configuración en uso, solo dentro del bloque."""
    from pea.web.ventanilla import services

    cfg = services.config()
    services._config = cfg.model_copy(update={
        "ventanilla": cfg.ventanilla.model_copy(update=changes)})
    try:
        yield
    finally:
        services._config = cfg


def bearer(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def big_plan(path: Path, lines: int, changed: tuple[int, ...] = (), plan: int = 1) -> Path:
    """Un plan válido de `lines` líneas (las del plan `plan` del demo, 1: Tesorería, 2: Obras
    Públicas, repetidas, cada meta distinta); las de `changed` (desde 0) cambian su meta."""
    import copy

    from pea.demo import demo_plans
    from pea.demo.writer import write_plan_xlsx

    dep = copy.deepcopy(demo_plans()[plan])
    base = dep["filas"]
    dep["filas"] = [{**copy.deepcopy(base[i % len(base)]),
                     "meta": f"{base[i % len(base)]['meta']} (línea {i + 1})"
                     + (" cambiada" if i in changed else "")} for i in range(lines)]
    return write_plan_xlsx(dep, path)
