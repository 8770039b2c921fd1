"""Chromium sin interfaz (paquetes chromium y chromium-driver de Debian) con Selenium."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
FLAGS = ("--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run",
         "--disable-dev-shm-usage", "--lang=es-MX")


def browser_missing() -> str | None:
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium no está instalado (extra dev)"
    for exe in (CHROMIUM, CHROMEDRIVER):
        if not Path(exe).is_file() and shutil.which(Path(exe).name) is None:
            return f"{exe} no está instalado (paquetes chromium y chromium-driver)"
    return None


def requires_browser() -> pytest.MarkDecorator:
    """Se omite sin navegador, salvo en CI (`CI=true`): ahí debe fallar, no omitirse."""
    reason = browser_missing()
    if reason is not None and os.environ.get("CI") == "true":
        return pytest.mark.navegador
    return pytest.mark.skipif(reason is not None, reason=reason or "")


def chromium(downloads: Path, width: int = 1280, height: int = 900) -> Any:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM if Path(CHROMIUM).is_file() else shutil.which("chromium")
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--window-size={width},{height}")
    options.add_experimental_option("prefs", {
        "download.default_directory": str(downloads), "download.prompt_for_download": False,
        "safebrowsing.enabled": False, "intl.accept_languages": "es-MX,es"})
    driver_path = CHROMEDRIVER if Path(CHROMEDRIVER).is_file() else shutil.which("chromedriver")
    driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
    driver.set_page_load_timeout(120)
    driver.execute_cdp_cmd("Page.setDownloadBehavior",
                           {"behavior": "allow", "downloadPath": str(downloads)})
    return driver
