"""`pea plantilla`: construye la plantilla oficial con macros y la pestaña PEA."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from pea.cli.app import EXIT_ERRORS, app, usage_error
from pea.cli.common import ReglasOption, config_or_exit, shown
from pea.oserrors import os_reason

DEFAULT_OUTPUT = Path("workbook_template.xlsm")


@app.command("plantilla")
def plantilla(
    reglas: ReglasOption = None,
    salida: Annotated[Path, typer.Option(
        "--salida", "-o", help="Archivo .xlsm que se escribe (se reemplaza si existe).",
    )] = DEFAULT_OUTPUT,
) -> int:
    """Construye la plantilla oficial del PEA (.xlsm): hoja PEA con listas desplegables de los catálogos, instrucciones, macros y la pestaña PEA de la cinta."""
    config = config_or_exit(reglas)
    if salida.suffix.lower() != ".xlsm":
        raise usage_error(f"la salida «{salida}» debe terminar en .xlsm (libro con macros).")
    if salida.is_dir():
        raise usage_error(f"la salida «{salida}» es una carpeta; indique un archivo .xlsm.")
    if not salida.parent.is_dir():
        raise usage_error(f"la carpeta «{salida.parent}» no existe.")
    from pea import layout as L
    from pea.template import TemplateBuildError, build_template_from_config

    try:
        build_template_from_config(config, salida)
    except TemplateBuildError as exc:
        typer.echo(f"Error: {shown(exc)}", err=True)
        raise typer.Exit(EXIT_ERRORS) from None
    except OSError as exc:
        typer.echo(f"Error: no se pudo escribir «{salida}»: {os_reason(exc)}.", err=True)
        raise typer.Exit(EXIT_ERRORS) from None
    p = config.parametros
    typer.echo(shown(f"Plantilla escrita en {salida}: versión {L.TEMPLATE_VERSION}, "
                     f"{L.title_text(p.anio_plan)}, {p.municipio or 'municipio sin nombre'}, "
                     f"catálogos {config.catalogos.fingerprint()} (reglas {config.version})."))
    return 0
