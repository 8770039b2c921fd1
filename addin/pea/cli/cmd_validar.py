"""`pea validar`: valida planes y reporta cada hallazgo con su celda."""

from __future__ import annotations

import json
import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from pea.cli.app import EXIT_ERRORS, EXIT_OK, app, usage_error
from pea.cli.common import ReglasOption, config_or_exit

if TYPE_CHECKING:
    from pea.config import RulesConfig
    from pea.models import FileReport


class Formato(StrEnum):
    texto = "texto"
    json = "json"


def expand(paths: list[Path]) -> tuple[list[tuple[Path, str]], list[tuple[str, str]]]:
    """Archivos a validar, con la ruta como se dio, y lo omitido de las carpetas con su
    motivo. Una carpeta aporta sus planes según la misma regla de `pea consolidar`
    (`pea.plan_files`); un archivo nombrado se valida siempre."""
    from pea.plan_files import folder_plans

    out: list[tuple[Path, str]] = []
    omitted: list[tuple[str, str]] = []
    for p in paths:
        if os.path.isdir(p):
            try:
                plans, skipped = folder_plans(p)
            except OSError as exc:
                from pea.reading.source import os_error_message
                from pea.report_text import visible_line

                raise usage_error(f"no se pudo leer la carpeta «{visible_line(str(p))}»: "
                                  f"{os_error_message(exc).lower()}") from None
            out.extend((child, str(child)) for child in plans)
            omitted.extend((str(child), reason) for child, reason in skipped)
        else:
            out.append((p, str(p)))
    return out, omitted


def _missing(p: Path) -> bool:
    """¿La ruta no existe? (sin permiso para consultarla sí existe: el reporte lo dirá)."""
    try:
        p.stat()
    except (FileNotFoundError, NotADirectoryError):
        return not p.is_symlink()
    except OSError:
        return False
    return False


def validate_named(path: Path, name: str, config: RulesConfig) -> FileReport:
    """Reporte de un archivo: el lector lo juzga; si su formato no es de plan y el lector no
    lo rechazó ya con un motivo más preciso, PEA-E00 con el motivo de `pea.plan_files`."""
    from pea.plan_files import explicit_reason
    from pea.validation import unreadable_report, validate_file

    report = validate_file(path, config, archivo=name)[1]
    reason = explicit_reason(path)
    if reason and not any(f.regla == "PEA-E00" for f in report.hallazgos):
        report = unreadable_report(name, f"no es un archivo de plan: {reason}", config)
    return report


@app.command("validar")
def validar(
    archivos: Annotated[list[Path], typer.Argument(
        metavar="ARCHIVO",
        help="Planes a validar: .xlsx, .xlsm o exportación de texto (.txt/.tsv). Una carpeta "
             "valida todos sus planes.", show_default=False,
        readable=False)],  # un archivo ilegible recibe PEA-E00 en español, no el aviso de click
    formato: Annotated[Formato, typer.Option("--formato", "-f",
        help="«texto» para leer en pantalla; «json» para otros programas.")] = Formato.texto,
    reglas: ReglasOption = None,
) -> int:
    """Valida cada plan con el catálogo de reglas PEA-* y muestra los hallazgos.

    Código de salida: 0 sin errores; 1 si algún archivo tiene errores (o no se puede leer); 2 por uso incorrecto o una ruta que no existe.
    """
    from pea.report_text import visible_line

    missing = [str(p) for p in archivos if _missing(p)]
    if missing:
        raise usage_error("no existe: " + ", ".join(f"«{visible_line(m)}»" for m in missing))
    config = config_or_exit(reglas)

    files, omitted = expand(archivos)
    if not files:
        raise usage_error("las carpetas indicadas no contienen planes (.xlsx, .xlsm, .txt).")
    reports = [validate_named(path, name, config) for path, name in files]
    if formato is Formato.json:
        data = [r.model_dump(mode="json") for r in reports]
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    else:
        from rich.console import Console
        from rich.text import Text

        from pea.report_text import print_report

        console = Console(highlight=False, soft_wrap=False)
        for r in reports:
            print_report(console, r)
        for name, reason in omitted:
            console.print(Text(visible_line(f"Omitido: «{name}»: {reason}"), style="dim"))
        if len(reports) > 1:
            ok = sum(r.valido for r in reports)
            console.print(f"[bold]{ok} de {len(reports)} archivo(s) sin errores.[/bold]")
    return EXIT_ERRORS if any(not r.valido for r in reports) else EXIT_OK
