"""Construye workbook_template.xlsm a partir de fuentes de texto.

Fuentes: `pea.layout` (columnas y filas), los catálogos del directorio de reglas,
los módulos VBA de `vba/` y del paquete xlwings, y la cinta `customUI14.xml`.
Pasos: openpyxl escribe las hojas → pyOpenVBA agrega el proyecto VBA →
`package.finalize_package` fija tipos de contenido, cinta y zip reproducible.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from openpyxl import Workbook

from pea import layout as L
from pea.atomic import atomic_output
from pea.config import RulesConfig, load_config
from pea.template import package, vba
from pea.template.catalog_sheet import write_catalog_sheet
from pea.template.guards import add_conditional_formats, add_validations
from pea.template.plan_sheet import write_plan_sheet
from pea.template.support_sheets import (
    write_instructions_sheet,
    write_meta_sheet,
    write_xlwings_conf,
)

AUTHOR = "Instituto Municipal de Planeación"


def build_workbook(cfg: RulesConfig) -> Workbook:
    """El libro con todas sus hojas (sin VBA ni cinta)."""
    wb = Workbook()
    ws = wb.active
    write_plan_sheet(ws, cfg)
    write_instructions_sheet(wb, cfg)
    names = write_catalog_sheet(wb, cfg)
    write_meta_sheet(wb, cfg)
    write_xlwings_conf(wb, cfg)
    add_validations(ws, cfg, names)
    add_conditional_formats(ws, cfg)
    wb.active = 0
    props = wb.properties
    props.creator = props.lastModifiedBy = AUTHOR
    props.title = L.title_text(cfg.parametros.anio_plan)
    props.subject = f"Plantilla PEA {L.TEMPLATE_VERSION}"
    return wb


def save_sheets(cfg: RulesConfig, path: Path) -> None:
    """Guarda las hojas con el escritor de openpyxl sin lxml, esté o no lxml instalado.

    Con lxml importable openpyxl serializa otro XML (declaraciones de espacios de nombres
    en cada elemento, «/>» sin espacio): la plantilla dejaría de salir byte a byte igual.
    openpyxl decide al importarse (variable OPENPYXL_LXML), así que con lxml las hojas se
    escriben en un proceso aparte con OPENPYXL_LXML=False.
    """
    from openpyxl.xml import LXML

    if not LXML:
        build_workbook(cfg).save(path)
        return
    import pea

    env = dict(os.environ, OPENPYXL_LXML="False")
    env["PYTHONPATH"] = os.pathsep.join(
        [str(Path(pea.__file__).resolve().parents[1]), env.get("PYTHONPATH", "")])
    proc = subprocess.run([sys.executable, "-m", "pea.template.build", str(path)],
                          input=cfg.model_dump_json(), capture_output=True, text=True,
                          env=env, timeout=300, check=False)
    if proc.returncode != 0 or not path.is_file():
        raise vba.TemplateBuildError(
            "No se pudieron escribir las hojas de la plantilla (proceso sin lxml): "
            + (proc.stderr.strip().splitlines() or ["sin mensaje"])[-1])


def build_template_from_config(cfg: RulesConfig, output: Path) -> Path:
    """Construye la plantilla con una configuración ya cargada; escribe `output` de una vez."""
    sources = vba.modules()  # falla antes de escribir nada si xlwings no coincide
    output = Path(output)
    with tempfile.TemporaryDirectory(prefix="pea-plantilla-") as tmp:
        sheets = Path(tmp) / "hojas.xlsm"
        save_sheets(cfg, sheets)
        with_vba = Path(tmp) / "con_vba.xlsm"
        vba.add_vba_project(sheets, with_vba, sources)
        package.finalize_package(with_vba)
        with atomic_output(output) as target:
            target.write_bytes(with_vba.read_bytes())
    _default_permissions(output)
    return output


def _default_permissions(path: Path) -> None:
    """Permisos de un archivo nuevo según la umask (el temporal nace con 0600)."""
    mask = os.umask(0)
    os.umask(mask)
    path.chmod(0o666 & ~mask)


def build_template(rules_dir: Path | None, output: Path) -> Path:
    """Construye la plantilla con las reglas de `rules_dir` (None: las incluidas) en `output`."""
    return build_template_from_config(load_config(rules_dir), output)


if __name__ == "__main__":  # el proceso aparte de `save_sheets`
    from openpyxl.xml import LXML

    assert not LXML, "OPENPYXL_LXML=False no llegó al proceso"
    build_workbook(RulesConfig.model_validate_json(sys.stdin.read())).save(sys.argv[1])
