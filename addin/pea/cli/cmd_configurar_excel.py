"""`pea configurar-excel`: que los botones de la plantilla encuentren este Python."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from pea.cli.app import EXIT_ERRORS, EXIT_OK, app, usage_error
from pea.cli.common import shown


def interpreter_value(exe: str) -> str:
    """Ruta del intérprete para xlwings.conf (con %LOCALAPPDATA% si no cabe en ANSI)."""
    from pea.excel.xlconf import ENCODING

    try:
        exe.encode(ENCODING)
        return exe
    except UnicodeEncodeError:
        base = os.environ.get("LOCALAPPDATA", "")
        if base and os.path.normcase(exe).startswith(os.path.normcase(base)):
            return "%LOCALAPPDATA%" + exe[len(base):]
        raise


def settings(exe: str, quitar_conda: bool) -> dict[str, str | None]:
    """Claves que se escriben (None: se quitan)."""
    out: dict[str, str | None] = {
        "INTERPRETER_WIN": interpreter_value(exe),
        # La carpeta del libro no se agrega a sys.path: evita el error de OneDrive/SharePoint
        # («Couldn't find your local OneDrive») y que un .py junto al libro tape a PEA.
        "ADD_WORKBOOK_TO_PYTHONPATH": "False",
        # RunPython clásico (un proceso por clic), nunca el servidor COM de UDF.
        "USE UDF SERVER": "False",
        "SHOW CONSOLE": "False",
    }
    if quitar_conda:
        out["CONDA PATH"] = None
        out["CONDA ENV"] = None
    return out


def checks(exe: str, plantilla: Path | None) -> list[tuple[bool, str]]:
    """(correcto, mensaje) de cada comprobación."""
    import xlwings

    from pea.excel import diagnostics
    from pea.excel.vba_version import from_workbook

    out: list[tuple[bool, str]] = []
    pin = diagnostics.pinned_xlwings()
    ok = pin is None or pin == xlwings.__version__
    out.append((ok, f"xlwings {xlwings.__version__} instalado"
                + (f" (PEA requiere {pin})" if pin else "")
                + ("" if ok else f": reinstale con «pip install xlwings=={pin}».")))
    if "WindowsApps" in exe or "PythonSoftwareFoundation" in exe:
        out.append((False, "Python de la Microsoft Store: instale Python de python.org para el "
                           "usuario actual y cree el entorno en %LOCALAPPDATA%\\PEA\\venv."))
    if (Path(sys.prefix) / "conda-meta").is_dir():
        out.append((False, "Python de conda: Excel no activa entornos conda de forma confiable; "
                           "use Python de python.org (docs/excel.md)."))
    out.append(template_interpreter_check(exe))
    if plantilla is not None:
        vba = from_workbook(plantilla)
        ok = vba == xlwings.__version__
        out.append((ok, f"módulo VBA de xlwings en «{plantilla.name}»: "
                        f"{vba or 'no encontrado'}" + ("" if ok else
                        f" (distinto de xlwings {xlwings.__version__} de Python)")))
    return out


def template_interpreter_check(exe: str) -> tuple[bool, str]:
    """¿Es este Python el que indica la hoja xlwings.conf de la plantilla? (esa hoja manda)."""
    from pea.config import ConfigError, load_config
    from pea.excel import xlconf
    from pea.template.support_sheets import interpreter_win

    try:
        wanted = interpreter_win(load_config())
    except ConfigError:
        return False, "no se pudo leer la configuración de reglas incluida con PEA."
    if not wanted:
        return True, "la plantilla usa el Python de este archivo de configuración."
    same = os.path.normcase(os.path.abspath(xlconf.expand(wanted))) == os.path.normcase(
        os.path.abspath(exe))
    if same:
        return True, f"este Python es el que indica la plantilla ({wanted})"
    return False, (f"la hoja xlwings.conf de la plantilla indica {wanted} y tiene prioridad "
                   f"sobre este archivo, pero este Python es {exe}: instale PEA en "
                   f"{xlconf.STANDARD_VENV} (docs/excel.md).")


@app.command("configurar-excel")
def configurar_excel(
    destino: Annotated[Path | None, typer.Option(
        "--destino", help="Archivo xlwings.conf que se escribe (por omisión, el del usuario: "
        "%USERPROFILE%\\.xlwings\\xlwings.conf).", show_default=False)] = None,
    plantilla: Annotated[Path | None, typer.Option(
        "--plantilla", help="Libro .xlsm cuyo módulo VBA de xlwings se compara con el "
        "instalado.", show_default=False)] = None,
    quitar_conda: Annotated[bool, typer.Option(
        "--quitar-conda", help="Quita CONDA PATH y CONDA ENV del archivo (si otro programa "
        "los dejó, xlwings activaría conda antes de PEA).")] = False,
) -> int:
    """Escribe la configuración de xlwings para que los botones de la plantilla usen este Python (sin permisos de administrador).

    Código de salida: 0 todo correcto; 1 si una comprobación falla (el archivo se escribe de todos modos); 2 por uso incorrecto.
    """
    from pea.excel import xlconf

    if plantilla is not None and not plantilla.is_file():
        raise usage_error(f"no existe la plantilla «{plantilla}».")
    target = destino or xlconf.user_config_path()
    if target.is_dir():
        raise usage_error(f"«{target}» es una carpeta; indique el archivo xlwings.conf.")
    exe = sys.executable
    try:
        updates = settings(exe, quitar_conda)
    except UnicodeEncodeError:
        raise usage_error(f"la ruta de Python «{exe}» tiene caracteres que Excel no puede leer "
                          "en xlwings.conf; instale PEA en %LOCALAPPDATA%\\PEA\\venv.") from None
    current = xlconf.read(target)
    pairs, changes = xlconf.merge(current, updates)
    try:
        xlconf.write(target, pairs)
    except OSError as exc:
        typer.echo(f"Error: no se pudo escribir «{target}»: {exc.strerror or exc}.", err=True)
        return EXIT_ERRORS
    typer.echo(f"Configuración de xlwings para los botones de PEA: {target}")
    for line in changes or ["sin cambios: ya estaba configurado"]:
        typer.echo(f"  · {shown(line)}")
    kept = [k for k, _ in pairs if k.upper() not in {u.upper() for u in updates}]
    if kept:
        typer.echo("  · se conservaron las demás claves: " + shown(", ".join(kept)))
    typer.echo("Comprobaciones:")
    results = checks(exe, plantilla)
    for ok, text in results:
        typer.echo(f"  {'✓' if ok else '✗'} {text}")
    if not sys.platform.startswith("win"):
        typer.echo("Nota: este equipo no es Windows; la clave INTERPRETER_WIN solo la usa "
                   "Excel para Windows.")
    typer.echo(f'Los botones ejecutarán: "{exe}" -c "import pea.excel.bridge as b; b.validar()"')
    return EXIT_OK if all(ok for ok, _ in results) else EXIT_ERRORS
