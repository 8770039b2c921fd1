"""Con y sin lxml: openpyxl serializa distinto si lxml se puede importar.

Las pruebas marcadas con `con_lxml` solo corren donde lxml está instalado: tools/pruebas.sh
las corre en un entorno virtual con lxml (nunca se instala lxml para todos, porque cambia la
salida de openpyxl). Las demás corren siempre.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pea.docprops import property_value

ROOT = Path(__file__).resolve().parent.parent
COMMITTED = ROOT / "workbook_template.xlsm"


def test_marca_con_el_espacio_de_nombres_en_lpwstr() -> None:
    """Así escribe openpyxl con lxml la propiedad de la copia anotada."""
    xml = (b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
           b'custom-properties"><property name="PEA copia anotada" fmtid="{D5CDD505-2E9C-'
           b'101B-9397-08002B2CF9AE}" pid="2"><vt:lpwstr xmlns:vt="http://schemas.'
           b'openxmlformats.org/officeDocument/2006/docPropsVTypes">0123456789abcdef|a.xlsx'
           b'</vt:lpwstr></property></Properties>')
    assert property_value(xml, "PEA copia anotada") == "0123456789abcdef|a.xlsx"


def _lxml_in_use() -> bool:
    from openpyxl.xml import LXML

    return bool(LXML)


con_lxml = pytest.mark.skipif(not _lxml_in_use(), reason="lxml no está instalado aquí "
                              "(tools/pruebas.sh corre estas pruebas en un entorno con lxml)")


@con_lxml
def test_plantilla_igual_byte_a_byte_con_lxml(tmp_path: Path) -> None:
    from pea.template import build_template

    built = build_template(None, tmp_path / "plantilla.xlsm")
    assert built.read_bytes() == COMMITTED.read_bytes()


@con_lxml
def test_huella_de_la_copia_anotada_con_lxml(tmp_path: Path) -> None:
    from pea.config import load_config
    from pea.consolidate.annotate import annotate_copy
    from pea.demo.writer import write_plan_xlsx
    from pea.docprops import read_property
    from pea.layout import ANNOTATED_PROPERTY
    from pea.validation import validate_file
    from tests.conftest import plan_by_name

    plan = dict(plan_by_name("Coordinación de Comunicación Social"))
    plan["filas"] = [dict(plan["filas"][0], indicador=None)]
    src = write_plan_xlsx(plan, tmp_path / "plan.xlsx")
    _plan, report = validate_file(src, load_config())
    copy = annotate_copy(src, tmp_path / "copia.xlsx", report, "2024.1")
    marker = read_property(copy, ANNOTATED_PROPERTY)
    assert marker is not None
    assert not marker.startswith("0" * 16), "la huella quedó provisional"
