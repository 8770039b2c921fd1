"""Claves de la Ventanilla en configuracion.yaml: `parametros.url_ventanilla` y la sección
`ventanilla` (revisión anónima, procesos, memoria)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pea.config import ConfigError, default_rules_dir, load_config


def rules(tmp_path: Path, replace: tuple[str, str]) -> Path:
    folder = tmp_path / "reglas"
    shutil.copytree(default_rules_dir(), folder)
    cfg = folder / "configuracion.yaml"
    text = cfg.read_text(encoding="utf-8")
    assert replace[0] in text
    cfg.write_text(text.replace(*replace), encoding="utf-8")
    return folder


def test_valores_incluidos() -> None:
    cfg = load_config()
    assert cfg.parametros.url_ventanilla is None  # vacía: los botones no ofrecen nada
    assert cfg.ventanilla.revision_anonima is True
    assert cfg.ventanilla.procesos >= 1


@pytest.mark.parametrize("url", ["=HYPERLINK(http://x)", "javascript:alert(1)",
                                 "file:///C:/x", "http://a b"])
def test_url_ventanilla_solo_http(tmp_path: Path, url: str) -> None:
    folder = rules(tmp_path, ('url_ventanilla: ""', f"url_ventanilla: '{url}'"))
    with pytest.raises(ConfigError, match="url_ventanilla"):
        load_config(folder)


def test_revision_anonima_se_apaga(tmp_path: Path) -> None:
    folder = rules(tmp_path, ("revision_anonima: true", "revision_anonima: false"))
    assert load_config(folder).ventanilla.revision_anonima is False


def test_procesos_invalidos(tmp_path: Path) -> None:
    folder = rules(tmp_path, ("procesos: 2", "procesos: 0"))
    with pytest.raises(ConfigError, match="procesos"):
        load_config(folder)
