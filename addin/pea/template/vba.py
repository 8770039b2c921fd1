"""Módulos VBA de la plantilla: xlwings (del paquete fijado) y PEA (botones de la cinta).

pyOpenVBA escribe el proyecto VBA a partir del texto de los módulos. El texto debe
ir con saltos CRLF y caber en cp1252 (otros caracteres se vuelven «?»).

El proyecto se deja en la forma que MS-OVBA manda escribir (§2.3.4.1, §2.3.4.2): el
flujo `_VBA_PROJECT` de 7 bytes (versión 0xFFFF, sin PerformanceCache) y cada módulo
solo con su fuente comprimida (MODULEOFFSET 0, sin p-code). Así Office compila desde
la fuente en cualquier versión y arquitectura, en vez de confiar en una caché ajena.
"""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path
from typing import Any

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


#: `_VBA_PROJECT` según MS-OVBA §2.3.4.1 al escribir: Reserved1 0x61CC, Version 0xFFFF,
#: Reserved2 0x00, Reserved3 (2 bytes) y ninguna PerformanceCache.
INTEROPERABLE_VBA_PROJECT = b"\xcc\x61\xff\xff\x00\x00\x00"
VBA_PROJECT_PART = "xl/vbaProject.bin"


def source_only_project(data: bytes) -> bytes:
    """`vbaProject.bin` sin cachés compiladas: `_VBA_PROJECT` de 7 bytes y módulos sin p-code.

    Los módulos que traen p-code (los de documento que pyOpenVBA toma de su libro
    base) se reescriben solo con su fuente comprimida y MODULEOFFSET 0; el flujo `dir`
    se vuelve a escribir con esos desplazamientos. Todo con pyOpenVBA: su lector del
    proyecto, su compresor (MS-OVBA §2.4.1) y su escritor del archivo compuesto.
    """
    from pyopenvba.cfb import CFB
    from pyopenvba.vba import (
        compress,
        parse_vba_project,
        serialize_dir_stream,
        write_back_modules,
    )

    cfb = CFB.from_bytes(data)
    project = parse_vba_project(cfb)
    for module in project.modules:
        if module.text_offset:
            module.source = module.source  # carga la fuente antes de marcarlo
            module.dirty = True
    write_back_modules(cfb, project)
    if project.dir_structure_dirty:
        cfb.write_stream_in_storage("VBA", "dir", compress(serialize_dir_stream(project)))
    cfb.write_stream_in_storage("VBA", "_VBA_PROJECT", INTEROPERABLE_VBA_PROJECT)
    _all_black(cfb)
    return cfb.to_bytes()


_COLOR_OFFSET = 67  # MS-CFB §2.6.1: Color Flag de la entrada de 128 bytes
_BLACK = 1


def _all_black(cfb: Any) -> None:
    """Todas las entradas del directorio en negro (MS-CFB §2.6.4 lo permite expresamente).

    pyOpenVBA 6.5.0 reequilibra el árbol de hermanos al agregar módulos pero conserva
    el color que cada entrada traía del libro base: quedan rojos seguidos, un árbol
    rojo-negro inválido. Con todo en negro el árbol es un árbol binario de búsqueda,
    que es lo que la norma llama la implementación más simple válida.
    """
    for entry in cfb._directory:
        if len(entry.raw) > _COLOR_OFFSET:
            entry.raw = entry.raw[:_COLOR_OFFSET] + bytes([_BLACK]) + entry.raw[_COLOR_OFFSET + 1:]


def add_vba_project(source: Path, output: Path, sources: dict[str, str] | None = None) -> None:
    """Copia `source` (.xlsm sin macros) a `output` con un proyecto VBA con los módulos."""
    from pyopenvba import ExcelFile

    from pea.template.package import read_parts, write_zip

    with ExcelFile(source) as book:
        project = book.add_vba_project()
        for name, text in (sources or modules()).items():
            project.add_module(name, text)
        book.save(output)
    parts = read_parts(output)
    parts[VBA_PROJECT_PART] = source_only_project(parts[VBA_PROJECT_PART])
    write_zip(output, parts)
