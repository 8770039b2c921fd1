"""`pea validar`: valida planes y reporta cada hallazgo con su celda."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from pea.cli.app import EXIT_ERRORS, EXIT_OK, app, usage_error
from pea.cli.common import ReglasOption, config_or_exit
from pea.reading import TEXT_SUFFIXES, WORKBOOK_SUFFIXES


class Formato(StrEnum):
    texto = "texto"
    json = "json"


def expand(paths: list[Path]) -> list[tuple[Path, str]]:
    """Archivos a validar, con la ruta como se dio; una carpeta aporta sus planes."""
    out: list[tuple[Path, str]] = []
    for p in paths:
        if p.is_dir():
            for child in sorted(p.iterdir()):
                if (child.is_file() and child.suffix.lower() in (*WORKBOOK_SUFFIXES, *TEXT_SUFFIXES)
                        and not child.name.startswith("~$")):
                    out.append((child, str(child)))
        else:
            out.append((p, str(p)))
    return out


@app.command("validar")
def validar(
    archivos: Annotated[list[Path], typer.Argument(
        metavar="ARCHIVO",
        help="Planes a validar: .xlsx, .xlsm o exportación de texto (.txt/.tsv). Una carpeta "
             "valida todos sus planes.", show_default=False)],
    formato: Annotated[Formato, typer.Option("--formato", "-f",
        help="«texto» para leer en pantalla; «json» para otros programas.")] = Formato.texto,
    reglas: ReglasOption = None,
) -> int:
    """Valida cada plan con el catálogo de reglas PEA-* y muestra los hallazgos.

    Código de salida: 0 sin errores; 1 si algún archivo tiene errores (o no se puede leer); 2 por uso incorrecto o una ruta que no existe.
    """
    missing = [str(p) for p in archivos if not p.exists()]
    if missing:
        raise usage_error("no existe: " + ", ".join(f"«{m}»" for m in missing))
    config = config_or_exit(reglas)
    from pea.validation import validate_file

    files = expand(archivos)
    if not files:
        raise usage_error("las carpetas indicadas no contienen planes (.xlsx, .xlsm, .txt).")
    reports = [validate_file(path, config, archivo=name)[1] for path, name in files]
    if formato is Formato.json:
        data = [r.model_dump(mode="json") for r in reports]
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    else:
        from rich.console import Console

        from pea.report_text import print_report

        console = Console(highlight=False, soft_wrap=False)
        for r in reports:
            print_report(console, r)
        if len(reports) > 1:
            ok = sum(r.valido for r in reports)
            console.print(f"[bold]{ok} de {len(reports)} archivo(s) sin errores.[/bold]")
    return EXIT_ERRORS if any(not r.valido for r in reports) else EXIT_OK
