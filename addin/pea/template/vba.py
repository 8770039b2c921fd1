"""Módulos VBA de la plantilla: xlwings (del paquete fijado) y PEA (botones de la cinta).

pyOpenVBA escribe el proyecto VBA a partir del texto de los módulos. El texto debe
ir con saltos CRLF y caber en cp1252 (otros caracteres se vuelven «?»).
"""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

from pea import layout as L


class TemplateBuildError(Exception):
    """La plantilla no se puede construir (mensaje en español)."""


XLWINGS_MODULE = "xlwings"
PEA_MODULE = "PEA"
_VERSION_LINE = re.compile(r"^'Version: (\S+)\r$", re.MULTILINE)


def callback_name(function: str) -> str:
    """«validar» → «PEA_Validar»: el Sub de la cinta que ejecuta esa función."""
    return f"PEA_{function.capitalize()}"


#: Sub de la cinta → función de pea.excel.bridge que ejecuta.
CALLBACKS: dict[str, str] = {callback_name(f): f for f in L.BRIDGE_FUNCTIONS}


def bridge_command(function: str) -> str:
    """El comando exacto que el botón pasa a RunPython."""
    return f"import {L.BRIDGE_MODULE} as b; b.{function}()"


def xlwings_bas_path() -> Path:
    """El módulo VBA que viene dentro del paquete xlwings instalado."""
    import xlwings

    return Path(xlwings.__file__).resolve().parent / "xlwings.bas"


def xlwings_module_source() -> str:
    """Texto del módulo xlwings, comprobando que su versión sea la del paquete."""
    import xlwings

    source = xlwings_bas_path().read_bytes().decode("cp1252")
    found = _VERSION_LINE.search(source)
    if found is None or found.group(1) != xlwings.__version__:
        raise TemplateBuildError(
            f"El módulo VBA xlwings.bas ({found.group(1) if found else 'sin versión'}) no "
            f"coincide con el paquete xlwings instalado ({xlwings.__version__}). "
            "Reinstale xlwings con la versión fijada en pyproject.toml.")
    return source


def xlwings_version() -> str:
    """Versión del módulo VBA de xlwings que lleva la plantilla (la del paquete fijado)."""
    found = _VERSION_LINE.search(xlwings_module_source())
    assert found is not None
    return found.group(1)


def pea_bas_bytes() -> bytes:
    """Bytes de vba/PEA.bas (UTF-8 con CRLF en el repositorio)."""
    return resources.files("pea.template").joinpath("vba", "PEA.bas").read_bytes()


def check_module_text(name: str, source: str) -> None:
    """CRLF en todas las líneas y solo caracteres de cp1252."""
    if re.search(r"(?<!\r)\n", source):
        raise TemplateBuildError(f"El módulo VBA {name} tiene saltos de línea sin CRLF.")
    try:
        source.encode("cp1252")
    except UnicodeEncodeError as exc:
        raise TemplateBuildError(
            f"El módulo VBA {name} tiene un carácter que no cabe en cp1252: "
            f"{source[exc.start:exc.end]!r}.") from exc


def pea_module_source() -> str:
    """Texto del módulo PEA, comprobando que cada botón ejecute su comando del puente."""
    source = pea_bas_bytes().decode("utf-8")
    check_module_text(PEA_MODULE, source)
    for sub, function in CALLBACKS.items():
        body = re.search(
            rf"^Public Sub {sub}\(control As IRibbonControl\)\r\n(.*?)^End Sub",
            source, re.MULTILINE | re.DOTALL)
        if body is None or f'RunPython "{bridge_command(function)}"' not in body.group(1):
            raise TemplateBuildError(
                f"vba/PEA.bas: falta «Public Sub {sub}(control As IRibbonControl)» que ejecute "
                f'RunPython "{bridge_command(function)}".')
    return source


def modules() -> dict[str, str]:
    """Módulos estándar de la plantilla, por nombre, en el orden en que se agregan."""
    xlwings_source = xlwings_module_source()
    check_module_text(XLWINGS_MODULE, xlwings_source)
    return {XLWINGS_MODULE: xlwings_source, PEA_MODULE: pea_module_source()}


def add_vba_project(source: Path, output: Path, sources: dict[str, str] | None = None) -> None:
    """Copia `source` (.xlsm sin macros) a `output` con un proyecto VBA con los módulos."""
    from pyopenvba import ExcelFile

    with ExcelFile(source) as book:
        project = book.add_vba_project()
        for name, text in (sources or modules()).items():
            project.add_module(name, text)
        book.save(output)
