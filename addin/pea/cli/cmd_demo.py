"""`pea demo`: escribe los planes del municipio de demostración y los valida."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from pea.cli.app import app, usage_error
from pea.cli.common import config_or_exit, literal, shown
from pea.config import RulesConfig


def write_demo(folder: Path) -> list[Path]:
    """Los once planes válidos (en las variantes reales) y algunos con errores típicos."""
    from pea.demo import demo_plans
    from pea.demo.mistakes import MISTAKES
    from pea.demo.mutate import apply_changes
    from pea.demo.writer import VARIANTS, write_plan_xlsx
    from pea.safe_names import safe_filename

    folder.mkdir(parents=True, exist_ok=True)
    plans = demo_plans()
    written = []
    for i, plan in enumerate(plans):
        variant = VARIANTS[i % 4]  # combinada, vacia, fraccion, texto
        name = f"{i + 1:02d}_{safe_filename(plan['dependencia'])}.xlsx"
        written.append(write_plan_xlsx(plan, folder / name, variant=variant))
    errors = folder / "con_errores"
    errors.mkdir(exist_ok=True)
    for name, index, variant, changes in MISTAKES:
        path = write_plan_xlsx(plans[index], errors / name, variant=variant)  # type: ignore[arg-type]
        written.append(apply_changes(path, changes))
    return written


@app.command("demo")
def demo(
    carpeta: Annotated[Path, typer.Option("--carpeta", help="Dónde escribir los planes de "
                                          "demostración.")] = Path("pea_demo"),
) -> int:
    """Escribe los planes del municipio de demostración (once válidos y algunos con errores típicos), los valida y los consolida en «<carpeta>/maestro.xlsx»."""
    from rich.console import Console
    from rich.table import Table

    from pea.report_text import status_text
    from pea.validation import validate_file

    config = config_or_exit(None)
    console = Console(highlight=False)
    try:
        files = write_demo(carpeta)
    except OSError as exc:
        from pea.consolidate.run import os_reason

        typer.echo(f"Error: no se pudieron escribir los planes del demo en «{shown(carpeta)}» "
                   f"({shown(os_reason(exc))}).", err=True)
        return 1
    table = Table(title=literal(f"Municipio de demostración: {len(files)} planes en «{carpeta}»"))
    for col in ("Archivo", "Dependencia", "Errores", "Advert.", "Estado"):
        table.add_column(col, overflow="fold")
    for path in files:
        _plan, rep = validate_file(path, config, archivo=str(path.relative_to(carpeta)))
        table.add_row(literal(rep.archivo), literal(rep.dependencia or "—"), str(rep.resumen["error"]),
                      str(rep.resumen["advertencia"]), status_text(rep))
    console.print(table)
    hint = literal("Para ver el detalle de un plan: ")
    hint.append(literal(f"pea validar {carpeta}/con_errores", "bold"))
    console.print(hint)
    master = _consolidate_demo(carpeta, config)
    line = literal(f"Libro maestro del municipio (consolidado con «pea consolidar {carpeta} "
                   "--recursivo»): ")
    line.append(literal(master, "bold"))
    console.print(line)
    return 0


def _consolidate_demo(carpeta: Path, config: RulesConfig) -> Path:
    """Consolida la carpeta del demo (con subcarpetas) en «<carpeta>/maestro.xlsx»."""
    from pea.atomic import OutputLock, OutputLocked
    from pea.consolidate.master import is_master
    from pea.consolidate.run import Options, consolidate

    master = carpeta / "maestro.xlsx"
    if master.exists() and not is_master(master):
        raise usage_error(f"«{shown(master)}» ya existe y no es un libro maestro de PEA; no se "
                          "sobrescribe.")
    try:
        with OutputLock(master):
            consolidate(Options(folder=carpeta, output=master, recursive=True), config)
    except OutputLocked as exc:
        raise usage_error(shown(exc)) from None
    except OSError as exc:
        from pea.consolidate.run import os_reason

        typer.echo(f"Error: no se pudo escribir el libro maestro «{shown(master)}» "
                   f"({shown(os_reason(exc))}).", err=True)
        raise typer.Exit(1) from None
    return master
