"""`pea servidor`: la Ventanilla de entregas (web) y el alta de sus cuentas."""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path
from typing import Annotated

import typer

from pea.cli.app import EXIT_OK, app, usage_error
from pea.cli.common import ReglasOption, config_or_exit
from pea.oserrors import os_reason

servidor_app = typer.Typer(
    help="Ventanilla de entregas: sitio web donde cada dependencia revisa y entrega su plan.",
    invoke_without_command=True, no_args_is_help=False, add_completion=False,
    subcommand_metavar="COMANDO [ARGUMENTOS]...",
    rich_markup_mode="rich", context_settings={"help_option_names": ["-h", "--help"]})
app.add_typer(servidor_app, name="servidor")

DatosOption = Annotated[Path | None, typer.Option(
    "--datos", help="Carpeta de la Ventanilla: base de datos (SQLite), archivos entregados y "
    "claves. Se crea si no existe.", show_default=False)]


def _django_or_exit() -> None:
    try:
        import django  # noqa: F401
        import waitress  # noqa: F401
    except ImportError:
        raise usage_error(
            "la Ventanilla necesita el extra «servidor»: python3 -m pip install "
            "\"pea[servidor]\" (o -e \".[servidor]\" desde el repositorio).") from None


def _setup(datos: Path | None, reglas: Path | None) -> Path:
    if datos is None:
        raise usage_error("falta «--datos CARPETA» (la carpeta de la Ventanilla).")
    if datos.exists() and not datos.is_dir():
        raise usage_error(f"«{datos}» existe y no es una carpeta.")
    config_or_exit(reglas)  # una configuración inválida se informa antes de arrancar
    _django_or_exit()
    from pea.web.bootstrap import configure

    try:
        configure(datos, reglas)
    except OSError as exc:
        raise usage_error(f"no se pudo preparar la carpeta «{datos}»: "
                          f"{os_reason(exc)}.") from None
    return datos.resolve()


@servidor_app.callback()
def servidor(
    ctx: typer.Context,
    datos: DatosOption = None,
    host: Annotated[str, typer.Option("--host", help="Dirección donde escucha (127.0.0.1: "
                                      "solo esta máquina; detrás del proxy del Instituto).")]
    = "127.0.0.1",
    puerto: Annotated[int, typer.Option("--puerto", min=1, max=65535,
                                        help="Puerto TCP.")] = 8000,
    hilos: Annotated[int, typer.Option("--hilos", min=1, max=256,
                                       help="Peticiones atendidas a la vez (los archivos se "
                                       "leen en «ventanilla.procesos» procesos).")] = 16,
    reglas: ReglasOption = None,
) -> int:
    """Arranca la Ventanilla (primer arranque: crea la base, el almacén y el administrador).

    Nunca pide nada por teclado; aplica las migraciones pendientes al arrancar.
    Subcomando: «pea servidor cuentas» da de alta las cuentas de las dependencias.
    """
    if ctx.invoked_subcommand is not None:
        return EXIT_OK
    _allow_host(host)
    folder = _setup(datos, reglas)
    from pea.web.bootstrap import prepare, serve

    prepare(folder)
    try:
        serve(host, puerto, hilos)
    except OSError as exc:
        raise usage_error(f"no se pudo escuchar en {host}:{puerto}: "
                          f"{os_reason(exc)}.") from None
    return EXIT_OK


@servidor_app.command("preparar")
def preparar(datos: DatosOption = None, reglas: ReglasOption = None) -> int:
    """Crea o pone al día la base y el administrador, sin arrancar el servidor.

    Para instalar con otro servidor WSGI (gunicorn, waitress como servicio): ver
    docs/ventanilla.md.
    """
    folder = _setup(datos, reglas)
    from pea.web.bootstrap import prepare

    prepare(folder)
    sys.stdout.write("Base de datos al día.\n")
    return EXIT_OK


@servidor_app.command("cuentas")
def cuentas(
    datos: DatosOption = None,
    desde_catalogo: Annotated[bool, typer.Option(
        "--desde-catalogo", help="Una cuenta por dependencia de «dependencias.yaml» de las "
        "reglas en uso, más la del revisor del Instituto.")] = False,
    salida: Annotated[Path | None, typer.Option(
        "--salida", help="CSV (UTF-8) con rol, dependencia, usuario, contrasena_inicial y "
        "token_api, para entregar a cada quien.", show_default=False)] = None,
    reglas: ReglasOption = None,
) -> int:
    """Da de alta, sin repetir, las cuentas de las dependencias y del revisor.

    Funciona con el servidor corriendo: las cuentas y tokens valen de inmediato. Una cuenta
    que ya existía no cambia; en el CSV aparece sin contraseña ni token.
    """
    if not desde_catalogo:
        raise usage_error("indique «--desde-catalogo» (por ahora es el único origen).")
    if salida is None:
        raise usage_error("falta «--salida cuentas.csv».")
    if salida.exists() and salida.is_dir():
        raise usage_error(f"«{salida}» es una carpeta.")
    config = config_or_exit(reglas)
    if not config.catalogos.dependencias:
        raise usage_error("las reglas en uso no tienen catálogo de dependencias "
                          "(catalogos/dependencias.yaml).")
    folder = _setup(datos, reglas)
    from pea.web.bootstrap import migrate, write_secret_file
    from pea.web.ventanilla import audit
    from pea.web.ventanilla.accounts import CSV_COLUMNS, from_catalog
    from pea.web.ventanilla.models import Accion

    migrate(io.StringIO())
    rows = from_catalog(config.catalogos.dependencias)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        writer.writerow([_cell(v) for v in row.csv_row()])
    try:
        write_secret_file(salida, buf.getvalue())
    except OSError as exc:
        raise usage_error(f"no se pudo escribir «{salida}»: {os_reason(exc)}.") from None
    new = sum(r.nueva for r in rows)
    audit.record(Accion.CUENTAS, usuario="pea servidor cuentas", nuevas=new, total=len(rows))
    sys.stdout.write(f"{new} cuenta(s) nueva(s), {len(rows) - new} ya existía(n); CSV en "
                     f"{salida} (guárdelo en lugar seguro: trae contraseñas y tokens).\n")
    del folder
    return EXIT_OK


def _allow_host(host: str) -> None:
    """Quien llega por la dirección de --host es bienvenido (PEA_HOSTS manda si existe)."""
    import os

    if os.environ.get("PEA_HOSTS"):
        return
    names = ["127.0.0.1", "localhost", "[::1]"]
    if host in ("0.0.0.0", "::"):
        typer.echo("Aviso: escucha en todas las direcciones; ponga en PEA_HOSTS los nombres "
                   "con que se llega al servidor (docs/ventanilla.md).", err=True)
    elif host not in names:
        names.append(f"[{host}]" if ":" in host else host)
    os.environ["PEA_HOSTS"] = ",".join(names)


def _cell(value: str) -> str:
    """Un nombre del catálogo nunca se vuelve fórmula al abrir el CSV en Excel."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value
