"""El flujo del revisor en un Chromium real (sin pantalla) contra un `pea servidor` real:
entra → tablero → una entrega con errores → diferencias con la versión anterior → la
devuelve con observaciones → la dependencia lo ve y entrega la versión corregida → el
revisor la aprueba → descarga el maestro (revisado con openpyxl). Guarda capturas en
docs/img/ para la documentación."""

from __future__ import annotations

import csv
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pea.demo.mutate import apply_changes
from tests.web.helpers import DEPS
from tests.web.live import LiveServer, post_file

pytestmark = pytest.mark.lento

CHROMIUM = Path("/usr/lib/chromium/chromium")
DRIVER = Path("/usr/bin/chromedriver")
IMG = Path(__file__).resolve().parents[2] / "docs" / "img"
PASSWORD = "Planeacion-2024-segura"

if not (CHROMIUM.exists() and DRIVER.exists()):  # pragma: no cover
    pytest.skip("falta chromium / chromium-driver (Debian)", allow_module_level=True)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, dict]]:
    live = LiveServer(tmp_path_factory.mktemp("ventanilla-revision") / "datos").start()
    out = live.datos.parent / "cuentas.csv"
    done = live.cuentas(out)
    assert done.returncode == 0, done.stderr
    with open(out, encoding="utf-8", newline="") as fh:
        rows = {r["dependencia"] or r["rol"]: r for r in csv.DictReader(fh)}
    yield live, rows
    live.stop()


def browser(downloads: Path) -> Any:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                "--window-size=1366,1000", "--lang=es-MX"):
        opts.add_argument(arg)
    opts.binary_location = str(CHROMIUM)
    opts.add_experimental_option("prefs", {"download.default_directory": str(downloads),
                                           "download.prompt_for_download": False})
    driver = webdriver.Chrome(service=Service(str(DRIVER)), options=opts)
    driver.implicitly_wait(10)
    return driver


def sign_in(d: Any, url: str, row: dict[str, str]) -> None:
    from selenium.webdriver.common.by import By

    d.get(url + "/entrar/")
    d.find_element(By.NAME, "username").send_keys(row["usuario"])
    d.find_element(By.NAME, "password").send_keys(row["contrasena_inicial"])
    d.find_element(By.ID, "entrar").click()
    d.find_element(By.NAME, "old_password").send_keys(row["contrasena_inicial"])
    d.find_element(By.NAME, "new_password1").send_keys(PASSWORD)
    d.find_element(By.NAME, "new_password2").send_keys(PASSWORD)
    d.find_element(By.ID, "cambiar").click()
    assert "/contrasena/" not in d.current_url


def shot(d: Any, name: str) -> None:
    IMG.mkdir(parents=True, exist_ok=True)
    d.save_screenshot(str(IMG / name))


def test_flujo_del_revisor(server: tuple[LiveServer, dict], planes: dict[str, Path],
                           tmp_path: Path) -> None:
    from openpyxl import load_workbook
    from selenium.webdriver.common.by import By

    live, rows = server
    tes, rev = rows[DEPS["tesoreria"]], rows["revisor"]
    # la Tesorería ya entregó una versión válida y luego otra con errores (por la API)
    v1 = post_file(live.url + "/api/v1/entregas", "tesoreria.xlsx",
                   planes["tesoreria"].read_bytes(), tes["token_api"])
    assert v1.status == 201, v1.body
    bad = apply_changes(planes["tesoreria"], {"celdas": {"M10": 0.4, "N11": 0.1}},
                        tmp_path / "tesoreria_v2.xlsx")
    v2 = post_file(live.url + "/api/v1/entregas", "tesoreria_v2.xlsx", bad.read_bytes(),
                   tes["token_api"])
    assert v2.status == 201 and v2.json()["estado"] == "con_errores", v2.body
    downloads = tmp_path / "descargas"
    downloads.mkdir()
    d = browser(downloads)
    dep = browser(tmp_path)
    try:
        sign_in(d, live.url, rev)
        d.get(live.url + "/tablero/")
        table = d.find_element(By.ID, "tablero").text
        assert "Entregado con errores" in table and "Sin entrega" in table
        shot(d, "ventanilla_tablero.png")
        d.find_element(By.LINK_TEXT, DEPS["tesoreria"]).click()
        assert d.find_element(By.ID, "estado").text == "Entregado con errores"
        summary = d.find_element(By.ID, "resumen-diferencias").text
        assert "2 línea(s) modificada(s)" in summary, summary
        diff = d.find_element(By.ID, "diferencias").text
        assert "50 % → 40 %" in diff, diff
        assert not d.find_elements(By.ID, "aprobar")  # con errores no se aprueba
        d.find_element(By.ID, "comentario").send_keys("Los trimestres no suman 100 %.")
        d.find_element(By.ID, "linea-10").send_keys("Regrese el 1er trimestre a 50 %.")
        d.execute_script("document.getElementById('diferencias').scrollIntoView()")
        shot(d, "ventanilla_revision.png")
        d.find_element(By.ID, "devolver").click()
        assert d.find_element(By.ID, "estado").text == "Devuelto"

        # la dependencia ve el aviso con las observaciones y entrega la versión corregida
        sign_in(dep, live.url, tes)
        dep.get(live.url + "/mi-dependencia/")
        notice = dep.find_element(By.ID, "aviso-devuelto").text
        assert "Los trimestres no suman 100 %." in notice
        assert "Fila 10: Regrese el 1er trimestre a 50 %." in notice
        shot(dep, "ventanilla_devuelto.png")
        dep.find_element(By.CSS_SELECTOR, "input[type=file]").send_keys(str(planes["tesoreria"]))
        dep.find_element(By.ID, "entregar").click()
        assert "versión 3" in dep.find_element(By.TAG_NAME, "h1").text
        dep.find_element(By.ID, "ver-diferencias").click()
        assert "40 % → 50 %" in dep.find_element(By.ID, "diferencias").text

        # el revisor aprueba la versión 3 y descarga el maestro
        d.get(live.url + "/tablero/")
        d.find_element(By.LINK_TEXT, DEPS["tesoreria"]).click()
        assert "versión 3" in d.find_element(By.TAG_NAME, "h1").text
        d.find_element(By.ID, "aprobar").click()
        assert d.find_element(By.ID, "estado").text == "Aprobado"
        d.get(live.url + "/maestro/")
        shot(d, "ventanilla_maestro.png")
        d.find_element(By.ID, "descargar-maestro").click()
        target = downloads / "maestro_pea.xlsx"
        deadline = time.monotonic() + 60
        while not target.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert target.exists(), list(downloads.iterdir())
        time.sleep(0.5)
        kept = shutil.copy(target, tmp_path / "maestro.xlsx")
    finally:
        d.quit()
        dep.quit()
    wb = load_workbook(kept)
    ent = list(wb["Entregas"].iter_rows(min_row=2, values_only=True))
    assert [(r[1], r[2]) for r in ent] == [(DEPS["tesoreria"], "Aceptado")]
    assert "versión 3" in ent[0][0]
    link = wb["Entregas"].cell(2, 1).hyperlink.target
    assert link.startswith(live.url + "/revision/")
    plan = list(wb["Plan consolidado"].iter_rows(min_row=2, values_only=True))
    assert len(plan) == 2 and {r[0] for r in plan} == {DEPS["tesoreria"]}
    assert [r[14] for r in plan] == [0.5, 0.3]  # los trimestres de la versión aprobada
