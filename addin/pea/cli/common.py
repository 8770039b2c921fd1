"""Opciones y utilidades compartidas por los comandos."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from pea.cli.app import usage_error
from pea.config import ConfigError, RulesConfig, load_config

ReglasOption = Annotated[
    Path | None,
    typer.Option("--reglas", help="Directorio con configuracion.yaml y catalogos/ "
                 "(por omisión, las reglas incluidas).", show_default=False),
]


def config_or_exit(reglas: Path | None) -> RulesConfig:
    """Carga la configuración o termina con un mensaje en español (código 2)."""
    if reglas is not None and not reglas.is_dir():
        raise usage_error(f"el directorio de reglas «{reglas}» no existe.")
    try:
        return load_config(reglas)
    except ConfigError as exc:
        raise usage_error(str(exc)) from None
