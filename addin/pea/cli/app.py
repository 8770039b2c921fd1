"""Aplicación `pea`: registra los comandos de cada módulo `pea.cli.cmd_*`.

Los errores de uso se muestran en español con código de salida 2; ningún error llega
como traza de Python a la persona.
"""

from __future__ import annotations

import re
import sys

import typer

try:  # typer ≥ 0.20 trae su propia copia de click
    from typer._click import exceptions as cx
except ImportError:  # pragma: no cover - typer con click externo
    from click import exceptions as cx  # type: ignore[no-redef]

EXIT_OK, EXIT_ERRORS, EXIT_USAGE = 0, 1, 2
HELP_FLAGS = ("-h", "--help")


def _asks_help(arg: str) -> bool:
    """¿Pide la ayuda? También dentro de opciones cortas juntas («-qh»)."""
    return arg in HELP_FLAGS or (arg.startswith("-") and not arg.startswith("--")
                                 and "h" in arg[1:])


def _spanish_panels() -> None:
    """Títulos y textos fijos de la ayuda con rich, en español.

    Solo cuando se va a mostrar la ayuda: importar el formateador de rich cuesta ~80 ms,
    y los comandos (los errores de uso ya se escriben aquí, en español) no lo usan.
    """
    import typer.rich_utils as ru

    ru.ARGUMENTS_PANEL_TITLE = "Argumentos"
    ru.OPTIONS_PANEL_TITLE = "Opciones"
    ru.COMMANDS_PANEL_TITLE = "Comandos"
    ru.ERRORS_PANEL_TITLE = "Error"
    ru.ABORTED_TEXT = "Cancelado."
    ru.DEFAULT_STRING = "[por omisión: {}]"
    ru.REQUIRED_LONG_STRING = "[obligatorio]"
    ru.ENVVAR_STRING = "[variable de entorno: {}]"
    _spanish_types()


#: Tipos que typer muestra en la columna de la ayuda, en español.
TYPE_NAMES = {"<path>": "<ruta>", "<list[Path]>": "<ruta>...", "<int>": "<entero>",
              "<int range>": "<entero>", "<float>": "<número>", "<float range>": "<número>",
              "<str>": "<texto>", "<text>": "<texto>"}


def spanish_type(shown: str | None, is_flag: bool) -> str | None:
    """El tipo de un parámetro como se muestra en la ayuda: en español; nada para las
    opciones que no llevan valor (typer mostraría «<bool>» y parecería pedir uno)."""
    if is_flag or shown is None:
        return None
    return TYPE_NAMES.get(shown, shown)


def _spanish_types() -> None:
    from typer import core

    for cls in (core.TyperArgument, core.TyperOption):
        original = cls.display_type_rich

        def shown(self, ctx, _original=original):  # type: ignore[no-untyped-def]
            return spanish_type(_original(self, ctx), bool(getattr(self, "is_flag", False)))

        cls.display_type_rich = shown  # type: ignore[method-assign]


def _spanish_help() -> None:
    """Traduce los textos fijos de la ayuda (Usage, --help)."""
    try:
        from typer._click import core, formatting
    except ImportError:  # pragma: no cover
        return
    write_usage = formatting.HelpFormatter.write_usage

    def _usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        write_usage(self, prog, args, "Uso: " if prefix is None else prefix)

    formatting.HelpFormatter.write_usage = _usage  # type: ignore[method-assign]
    get_help_option = core.Command.get_help_option

    def _help_option(self, ctx):
        opt = get_help_option(self, ctx)
        if opt is not None:
            opt.help = "Muestra esta ayuda y termina."
        return opt

    core.Command.get_help_option = _help_option  # type: ignore[method-assign]
    pieces = core.Command.collect_usage_pieces

    def _pieces(self, ctx):
        return [{"[OPTIONS]": "[OPCIONES]", "COMMAND [ARGS]...": "COMANDO [ARGUMENTOS]..."}
                .get(p, p) for p in pieces(self, ctx)]

    core.Command.collect_usage_pieces = _pieces  # type: ignore[method-assign]


_spanish_help()

app = typer.Typer(
    name="pea",
    help="Plan Estratégico Anual: validar planes, consolidarlos y construir la plantilla.",
    no_args_is_help=True,
    subcommand_metavar="COMANDO [ARGUMENTOS]...",
    add_completion=False,
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _register() -> None:
    """Importa los módulos de comandos; cada uno decora funciones con `@app.command`."""
    import importlib
    import pkgutil

    import pea.cli as pkg

    for mod in sorted(m.name for m in pkgutil.iter_modules(pkg.__path__)):
        if mod.startswith("cmd_"):
            importlib.import_module(f"pea.cli.{mod}")


def usage_error(message: str) -> typer.Exit:
    """Escribe un error de uso en español y devuelve la salida con código 2."""
    typer.echo(f"Error: {message}", err=True)
    return typer.Exit(EXIT_USAGE)


def _param_name(param: object, fallback: str) -> str:
    opts = getattr(param, "opts", None) or []
    name = "/".join(o for o in opts if o.startswith("-")) or getattr(param, "name", None)
    return f"«{name}»" if name else fallback


#: Mensajes de validación de typer (pydantic) que puede ver la persona, en español.
_VALIDATION = (
    (re.compile(r"Input should be greater than or equal to (\S+)"), r"debe ser al menos \1."),
    (re.compile(r"Input should be greater than (\S+)"), r"debe ser mayor que \1."),
    (re.compile(r"Input should be less than or equal to (\S+)"), r"debe ser a lo más \1."),
    (re.compile(r"Input should be less than (\S+)"), r"debe ser menor que \1."),
    (re.compile(r"Input should be a valid integer.*"), "debe ser un número entero."),
    (re.compile(r"Input should be a valid number.*"), "debe ser un número."),
    (re.compile(r"Input should be .*"), "no es un valor válido."),
)


def _spanish_validation(msg: str) -> str:
    for pattern, spanish in _VALIDATION:
        m = pattern.match(msg)
        if m:
            return m.expand(spanish)
    return msg


def _spanish(exc: cx.ClickException) -> str:
    if isinstance(exc, cx.MissingParameter):
        return f"falta {_param_name(exc.param, 'un argumento')}."
    if isinstance(exc, cx.NoSuchOption):
        return f"la opción «{exc.option_name}» no existe."
    if isinstance(exc, cx.BadParameter):
        msg = exc.message.removeprefix("Value error, ")
        msg = msg.replace(" is not one of ", " no es ninguna de ")
        msg = _spanish_validation(msg)
        return f"valor inválido para {_param_name(exc.param, 'un parámetro')}: {msg}"
    if isinstance(exc, cx.UsageError) and "No such command" in exc.message:
        return "ese comando no existe."
    if isinstance(exc, cx.UsageError) and "unexpected extra argument" in exc.message:
        return "sobran argumentos."
    return exc.format_message()


def main(argv: list[str] | None = None) -> None:
    """Punto de entrada del comando `pea`."""
    args = sys.argv[1:] if argv is None else argv
    if not args or any(_asks_help(a) for a in args):
        _spanish_panels()
    _register()
    try:
        result = app(args=argv, standalone_mode=False, prog_name="pea")
    except typer.Abort:
        typer.echo("Cancelado.", err=True)
        sys.exit(130)
    except cx.NoArgsIsHelpError as exc:
        typer.echo(exc.ctx.get_help() if exc.ctx else "", err=False)
        sys.exit(0)
    except cx.ClickException as exc:
        typer.echo(f"Error: {_spanish(exc)}", err=True)
        typer.echo("Use «pea --help» o «pea COMANDO --help» para ver la ayuda.", err=True)
        sys.exit(EXIT_USAGE if isinstance(exc, cx.UsageError) else exc.exit_code)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        typer.echo("Cancelado.", err=True)
        sys.exit(130)
    except Exception as exc:  # último recurso: nunca una traza para la persona
        import logging

        logging.getLogger("pea").debug("falla interna", exc_info=True)
        typer.echo(f"Error interno de PEA ({type(exc).__name__}: {exc}). Vuelva a intentarlo; "
                   "si se repite, repórtelo al equipo de PEA con el archivo que lo causó.",
                   err=True)
        sys.exit(EXIT_ERRORS)
    sys.exit(result if isinstance(result, int) else 0)
