"""Opciones y utilidades compartidas por los comandos."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from pea.cli.app import usage_error
from pea.config import ConfigError, RulesConfig, load_config

if TYPE_CHECKING:
    from rich.text import Text

ReglasOption = Annotated[
    Path | None,
    typer.Option("--reglas", help="Directorio con configuracion.yaml y catalogos/ "
                 "(por omisión, las reglas incluidas).", show_default=False),
]


def config_or_exit(reglas: Path | None) -> RulesConfig:
    """Carga la configuración o termina con un mensaje en español (código 2)."""
    if reglas is not None and not reglas.is_dir():
        raise usage_error(f"el directorio de reglas «{shown(reglas)}» no existe.")
    try:
        return load_config(reglas)
    except ConfigError as exc:  # nombra claves y valores del archivo: escapados
        raise usage_error(shown(exc, one_line=False)) from None


def shown(text: object, one_line: bool = True) -> str:
    """Un texto que viene de un archivo, de su nombre, de una ruta o de la configuración,
    listo para la terminal: los bytes que no eran UTF-8 como ``\\xff``, los caracteres de
    control (ESC, BEL…) como ``\\x1b`` (el mismo `pea.report_text.visible` de
    `pea validar`) y, con `one_line`, los saltos de línea y tabuladores como ``\\n`` y
    ``\\t``. Para `typer.echo`; con rich, `literal`."""
    from pea.consolidate.cells import unicode_name
    from pea.report_text import visible

    out = visible(unicode_name(str(text)))
    return out.replace("\n", "\\n").replace("\t", "\\t") if one_line else out


def literal(text: object, style: str = "") -> Text:
    """`shown` como texto de rich: se imprime tal cual, sin interpretar «[/x]» ni «:emoji:»
    (rich tomaría «[final]» de «Tesoreria [final].xlsx» como una etiqueta y lo borraría)."""
    from rich.text import Text

    return Text(shown(text), style=style)
