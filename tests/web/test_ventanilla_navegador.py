"""La Ventanilla como la usa una persona, en un Chromium real contra `pea servidor`.

Guarda capturas de las páginas principales en la carpeta `PEA_CAPTURAS` (las de
docs/img/ventanilla-*.png salen de aquí: ``PEA_CAPTURAS=docs/img python3 -m pytest
tests/web/test_ventanilla_navegador.py``); sin ella, en la carpeta temporal de la prueba.
"""

from __future__ import annotations

import csv
import io
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.web.browser import chromium, requires_browser
from tests.web.helpers import DEPS
from tests.web.live import LiveServer

pytestmark = [requires_browser(), pytest.mark.lento]

NEW_PASSWORD = "Tesoreria-Plan-2024"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    live = LiveServer(tmp_path_factory.mktemp("navegador") / "datos",
                      {"PEA_BASE_DATOS_URL": ""}).start()
    yield live
    live.stop()


@pytest.fixture(scope="module")
def cuentas(server: LiveServer, tmp_path_factory: pytest.TempPathFactory) -> list[dict]:
    out = tmp_path_factory.mktemp("cuentas") / "cuentas.csv"
    done = server.cuentas(out)
    assert done.returncode == 0, done.stderr
    with open(out, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture
def captures(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("PEA_CAPTURAS") or tmp_path / "capturas")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Any]:
    downloads = tmp_path / "descargas"
    downloads.mkdir()
    driver = chromium(downloads)
    driver.downloads = downloads
    yield driver
    driver.quit()


def wait_for(predicate: Any, timeout: float = 60) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError("no ocurrió a tiempo")


def shot(driver: Any, folder: Path, name: str) -> None:
    """Captura de la página completa (alto del documento)."""
    height = driver.execute_script("return document.documentElement.scrollHeight")
    width = driver.get_window_size()["width"]
    driver.set_window_size(width, max(600, min(int(height) + 120, 2400)))
    driver.save_screenshot(str(folder / f"ventanilla-{name}.png"))


def test_revision_anonima_y_copia_anotada(server: LiveServer, browser: Any,
                                          planes: dict[str, Path], captures: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    browser.get(server.url + "/")
    assert "Ventanilla de entregas" in browser.find_element(By.TAG_NAME, "h1").text
    shot(browser, captures, "inicio")
    browser.find_element(By.LINK_TEXT, "Revisar mi plan").click()
    browser.find_element(By.ID, "id_archivo").send_keys(str(planes["tesoreria_errores"]))
    # con el teclado: el foco en el botón y Enter
    button = browser.find_element(By.ID, "revisar")
    button.send_keys(Keys.ENTER)
    wait_for(lambda: browser.find_elements(By.ID, "resumen"))
    summary = browser.find_element(By.ID, "resumen").text
    assert "2 error(es)" in summary and DEPS["tesoreria"] in summary
    body = browser.find_element(By.TAG_NAME, "body").text
    assert "la programación trimestral suma 90 %" in body
    assert "Objetivo <script>alert(1)</script>" in body  # se muestra como texto
    shot(browser, captures, "revisar")
    link = browser.find_element(By.ID, "copia-anotada")
    assert link.get_attribute("href").startswith("blob:")
    link.click()
    copy = wait_for(lambda: [p for p in browser.downloads.glob("*.xlsx")
                             if not p.name.endswith(".crdownload")])[0]
    assert copy.name == "Tesoreria_Municipal_revisado.xlsx" or copy.name.endswith(
        "_revisado.xlsx")
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(wait_for(lambda: copy.read_bytes())))
    assert "Validación" in wb.sheetnames
    # en un teléfono: sin desplazamiento horizontal de la página
    browser.set_window_size(390, 844)
    overflow = browser.execute_script(
        "return document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, overflow
    browser.save_screenshot(str(captures / "ventanilla-telefono.png"))


def test_entrada_contrasena_entregas_y_versiones(server: LiveServer, browser: Any,
                                                 cuentas: list[dict],
                                                 planes: dict[str, Path],
                                                 captures: Path) -> None:
    from selenium.webdriver.common.by import By

    tes = next(r for r in cuentas if r["dependencia"] == DEPS["tesoreria"])
    browser.get(server.url + "/entrar/")
    browser.find_element(By.ID, "id_username").send_keys(tes["usuario"])
    browser.find_element(By.ID, "id_password").send_keys(tes["contrasena_inicial"])
    browser.find_element(By.ID, "entrar").click()
    wait_for(lambda: "/contrasena/" in browser.current_url)
    shot(browser, captures, "contrasena")
    browser.find_element(By.ID, "id_old_password").send_keys(tes["contrasena_inicial"])
    browser.find_element(By.ID, "id_new_password1").send_keys(NEW_PASSWORD)
    browser.find_element(By.ID, "id_new_password2").send_keys(NEW_PASSWORD)
    browser.find_element(By.ID, "cambiar").click()
    wait_for(lambda: "/mi-dependencia/" in browser.current_url)
    assert DEPS["tesoreria"] in browser.find_element(By.TAG_NAME, "h1").text
    # primera versión, con errores
    browser.find_element(By.ID, "id_archivo").send_keys(str(planes["tesoreria_errores"]))
    browser.find_element(By.ID, "entregar").click()
    wait_for(lambda: browser.find_elements(By.ID, "estado"))
    assert browser.find_element(By.ID, "estado").text == "Entregado con errores"
    assert "PEA-Q03" in browser.find_element(By.TAG_NAME, "body").text
    shot(browser, captures, "entrega")
    # segunda versión, corregida
    browser.find_element(By.LINK_TEXT, "Mi dependencia").click()
    browser.find_element(By.ID, "id_archivo").send_keys(str(planes["tesoreria"]))
    browser.find_element(By.ID, "entregar").click()
    wait_for(lambda: browser.find_elements(By.ID, "estado"))
    assert browser.find_element(By.ID, "estado").text != "Entregado con errores"
    assert "versión 2" in browser.find_element(By.TAG_NAME, "h1").text
    browser.find_element(By.LINK_TEXT, "Mi dependencia").click()
    rows = browser.find_elements(By.CSS_SELECTOR, "#versiones tbody tr")
    assert [r.find_element(By.TAG_NAME, "a").text for r in rows] == ["Versión 2", "Versión 1"]
    assert "Entregado con errores" in rows[1].text
    shot(browser, captures, "versiones")
    # el plan de otra dependencia se rechaza con un mensaje claro
    browser.find_element(By.ID, "id_archivo").send_keys(str(planes["obras"]))
    browser.find_element(By.ID, "entregar").click()
    error = wait_for(lambda: browser.find_elements(By.ID, "errores-archivo"))[0].text
    assert "cada dependencia entrega solo su propio plan" in error
    assert len(browser.find_elements(By.CSS_SELECTOR, "#versiones tbody tr")) == 2
