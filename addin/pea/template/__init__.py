"""Plantilla oficial del PEA (workbook_template.xlsm): construcción y llenado."""

from __future__ import annotations

from pea.template.build import build_template, build_template_from_config
from pea.template.fill import fill_template
from pea.template.vba import TemplateBuildError

__all__ = ["TemplateBuildError", "build_template", "build_template_from_config", "fill_template"]
