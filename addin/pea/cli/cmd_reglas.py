"""`pea reglas`: el catálogo de reglas con su severidad efectiva."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer

from pea.cli.app import app
from pea.cli.cmd_validar import Formato
from pea.cli.common import ReglasOption, config_or_exit, literal


@app.command("reglas")
def reglas_cmd(
    reglas: ReglasOption = None,
    formato: Annotated[Formato, typer.Option("--formato", "-f",
        help="«texto» o «json».")] = Formato.texto,
) -> int:
    """Lista cada regla: ID, severidad (con la configuración aplicada) y descripción."""
    config = config_or_exit(reglas)
    from pea.rules.registry import effective_severity, is_active, load_all

    rows = []
    for rule in load_all().values():
        sev = effective_severity(rule, config)
        variantes = {v: effective_severity(rule, config, v)
                     for v in (rule.variant_severity or {})}
        rows.append({
            "regla": rule.id, "severidad": sev, "severidad_por_omision": rule.severity,
            "titulo": rule.title, "mensaje": rule.messages[""],
            "catalogos": list(rule.all_needs()),
            "activa": any(is_active(rule, config, v) for v in rule.messages),
            **({"severidad_variantes": variantes} if variantes else {}),
        })
    if formato is Formato.json:
        sys.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2) + "\n")
        return 0
    from rich.console import Console
    from rich.table import Table

    table = Table(title=literal(f"Reglas PEA (configuración {config.version}: {config.source})"))
    for col in ("Regla", "Severidad", "Descripción", "Requiere"):
        table.add_column(col, overflow="fold")
    for r in rows:
        sev = r["severidad"] + ("" if r["severidad"] == r["severidad_por_omision"]
                                else f" (por omisión: {r['severidad_por_omision']})")
        sev += "".join(f"; {v}: {s}" for v, s in r.get("severidad_variantes", {}).items())
        need = ", ".join(r["catalogos"])
        if need and not r["activa"] and r["severidad"] != "desactivada":
            need += " (catálogo ausente: se omite)"
        table.add_row(*(literal(v) for v in (r["regla"], sev, r["titulo"], need or "—")))
    Console().print(table)
    return 0
