"""El flujo del revisor en un Chromium real (sin pantalla) contra un `pea servidor` real:
entra → tablero → una entrega con errores → diferencias con la versión anterior → la
devuelve con observaciones → la dependencia lo ve y entrega la versión corregida → el
revisor la aprueba → descarga el maestro (revisado con openpyxl).

Con el mismo Chromium de `tests/web/browser.py`. Las capturas de docs/img/ventanilla-tablero,
-revision, -devuelto y -maestro salen de aquí: ``PEA_CAPTURAS=docs/img python3 -m pytest
tests/web/test_revision_navegador.py``; sin esa variable, van a la carpeta temporal."""

from __future__ import annotations

import csv
import datetime as dt
import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pea.demo.mutate import apply_changes
from tests.web.browser import chromium, requires_browser
from tests.web.helpers import DEPS, big_plan
from tests.web.live import LiveServer, post_file

pytestmark = [requires_browser(), pytest.mark.lento]

PASSWORD = "Planeacion-2024-segura"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, dict]]:
    base = tmp_path_factory.mktemp("ventanilla-revision")
    rules = shutil.copytree(Path(__file__).resolve().parents[2] / "rules", base / "reglas")
    cfg = rules / "configuracion.yaml"  # un plazo a 7 días, como en plena temporada
    limit = (dt.date.today() + dt.timedelta(days=7)).isoformat()
    cfg.write_text(cfg.read_text(encoding="utf-8").replace(
        "  fecha_limite_entrega:\n", f"  fecha_limite_entrega: {limit}\n"), encoding="utf-8")
    live = LiveServer(base / "datos", {"PEA_BASE_DATOS_URL": "",
                                       "PEA_REGLAS": str(rules)}).start()
    out = live.datos.parent / "cuentas.csv"
    done = live.cuentas(out)
    assert done.returncode == 0, done.stderr
    with open(out, encoding="utf-8", newline="") as fh:
        rows = {r["dependencia"] or r["rol"]: r for r in csv.DictReader(fh)}
    yield live, rows
    live.stop()


def browser(downloads: Path) -> Any:
    driver = chromium(downloads, width=1366, height=1000)
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
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(d, 120).until(lambda drv: "/contrasena/" not in drv.current_url)


def _wait_text(d: Any, by: str, value: str, found: Any, timeout: float) -> None:
    """Espera a que algún elemento (`by`, `value`) de la página cumpla `found(texto)`.

    Mientras el navegador cambia de página, un elemento leído puede dejar de pertenecer al
    documento («stale», «Node … does not belong to the document»): se vuelve a intentar."""
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(d, timeout, ignored_exceptions=(WebDriverException,)).until(
        lambda drv: any(found(e.text) for e in drv.find_elements(by, value)))


def wait_state(d: Any, text: str) -> None:
    """Espera a que la página nueva (tras enviar el formulario) muestre este estado."""
    from selenium.webdriver.common.by import By

    _wait_text(d, By.ID, "estado", lambda t: t == text, 60)


def wait_title(d: Any, text: str) -> None:
    from selenium.webdriver.common.by import By

    _wait_text(d, By.TAG_NAME, "h1", lambda t: text in t, 120)


def shot(d: Any, folder: Path, name: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    d.save_screenshot(str(folder / name))


def test_flujo_del_revisor(server: tuple[LiveServer, dict], planes: dict[str, Path],
                           tmp_path: Path) -> None:
    from openpyxl import load_workbook
    from selenium.webdriver.common.by import By

    live, rows = server
    img = Path(os.environ.get("PEA_CAPTURAS") or tmp_path / "capturas")
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
        assert "7 día(s)" in table  # fecha_limite_entrega de la configuración
        shot(d, img, "ventanilla-tablero.png")
        d.find_element(By.LINK_TEXT, DEPS["tesoreria"]).click()
        wait_state(d, "Entregado con errores")
        summary = d.find_element(By.ID, "resumen-diferencias").text
        assert "2 línea(s) modificada(s)" in summary, summary
        diff = d.find_element(By.ID, "diferencias").text
        assert "50 % → 40 %" in diff, diff
        assert not d.find_elements(By.ID, "aprobar")  # con errores no se aprueba
        d.find_element(By.ID, "comentario").send_keys("Los trimestres no suman 100 %.")
        d.find_element(By.ID, "linea-10").send_keys("Regrese el 1er trimestre a 50 %.")
        d.execute_script("document.getElementById('diferencias').scrollIntoView()")
        shot(d, img, "ventanilla-revision.png")
        d.find_element(By.ID, "devolver").click()
        wait_state(d, "Devuelto")
        assert "Los trimestres no suman 100 %." in d.find_element(By.ID, "revisiones").text

        # la dependencia ve el aviso con las observaciones y entrega la versión corregida
        sign_in(dep, live.url, tes)
        dep.get(live.url + "/mi-dependencia/")
        notice = dep.find_element(By.ID, "aviso-devuelto").text
        assert "Los trimestres no suman 100 %." in notice
        assert "Fila 10: Regrese el 1er trimestre a 50 %." in notice
        shot(dep, img, "ventanilla-devuelto.png")
        dep.find_element(By.CSS_SELECTOR, "input[type=file]").send_keys(str(planes["tesoreria"]))
        dep.find_element(By.ID, "entregar").click()
        wait_title(dep, "versión 3")
        dep.find_element(By.ID, "ver-diferencias").click()
        assert "40 % → 50 %" in dep.find_element(By.ID, "diferencias").text

        # el revisor aprueba la versión 3 y descarga el maestro
        d.get(live.url + "/tablero/")
        d.find_element(By.LINK_TEXT, DEPS["tesoreria"]).click()
        wait_title(d, "versión 3")
        d.find_element(By.ID, "aprobar").click()
        wait_state(d, "Aprobado")
        d.get(live.url + "/maestro/")
        shot(d, img, "ventanilla-maestro.png")
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


def sign_in_any(d: Any, url: str, row: dict[str, str]) -> None:
    """Entra con la contraseña inicial (y la cambia) o, si otra prueba ya la cambió, con
    la nueva."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as EC
    from selenium.webdriver.support.ui import WebDriverWait

    d.get(url + "/entrar/")
    d.find_element(By.NAME, "username").send_keys(row["usuario"])
    d.find_element(By.NAME, "password").send_keys(row["contrasena_inicial"])
    button = d.find_element(By.ID, "entrar")
    button.click()
    WebDriverWait(d, 60).until(EC.staleness_of(button))
    if "/contrasena/" in d.current_url:
        d.find_element(By.NAME, "old_password").send_keys(row["contrasena_inicial"])
        d.find_element(By.NAME, "new_password1").send_keys(PASSWORD)
        d.find_element(By.NAME, "new_password2").send_keys(PASSWORD)
        d.find_element(By.ID, "cambiar").click()
        WebDriverWait(d, 120).until(lambda drv: "/contrasena/" not in drv.current_url)
    elif "/entrar/" in d.current_url:
        for name, value in (("username", row["usuario"]), ("password", PASSWORD)):
            field = d.find_element(By.NAME, name)
            field.clear()  # el formulario vuelve con el usuario escrito
            field.send_keys(value)
        d.find_element(By.ID, "entrar").click()
        WebDriverWait(d, 60).until(lambda drv: "/entrar/" not in drv.current_url)


def test_plan_grande_en_paginas_sin_perder_lo_escrito(server: tuple[LiveServer, dict],
                                                      tmp_path: Path) -> None:
    """Un plan de 450 líneas: el revisor escribe en la página 1, pasa a la 2 («Siguiente»),
    escribe otra, regresa («Anterior») y su texto sigue ahí; filtra las líneas con cambios
    y devuelve: las dos observaciones por línea llegan con la decisión."""
    from selenium.webdriver.common.by import By

    live, rows = server
    obras, rev = rows[DEPS["obras"]], rows["revisor"]
    for name, changed in (("obras_grande_v1.xlsx", ()), ("obras_grande_v2.xlsx", (3,))):
        r = post_file(live.url + "/api/v1/entregas", name,
                      big_plan(tmp_path / name, 450, changed, plan=2).read_bytes(), obras["token_api"])
        assert r.status == 201, r.body
    pk = r.json()["id"]
    d = browser(tmp_path)
    try:
        sign_in_any(d, live.url, rev)
        d.get(f"{live.url}/revision/{pk}/")
        assert "Página 1 de 3" in d.find_element(By.ID, "pagina-lineas").text
        assert len(d.find_elements(By.CSS_SELECTOR, "#lineas textarea")) == 200
        d.find_element(By.ID, "linea-10").send_keys("Texto de la página 1.")
        d.find_element(By.ID, "comentario").send_keys("Revise las metas.")
        d.find_element(By.ID, "siguiente").click()
        _wait_text(d, By.ID, "pagina-lineas", lambda t: "Página 2 de 3" in t, 60)
        assert "Fila 10: Texto de la página 1." in d.find_element(By.ID, "en-otras-paginas").text
        assert d.find_element(By.ID, "comentario").get_attribute("value") == "Revise las metas."
        d.find_element(By.ID, "linea-215").send_keys("Texto de la página 2.")
        d.find_element(By.ID, "anterior").click()
        _wait_text(d, By.ID, "pagina-lineas", lambda t: "Página 1 de 3" in t, 60)
        assert d.find_element(By.ID, "linea-10").get_attribute("value") == "Texto de la página 1."
        d.find_element(By.ID, "filtro-lineas").click()
        _wait_text(d, By.ID, "pagina-lineas", lambda t: "con hallazgos o cambios" in t, 60)
        shown = [t.get_attribute("id") for t in
                 d.find_elements(By.CSS_SELECTOR, "#lineas textarea")]
        assert "linea-13" in shown and "linea-10" not in shown, shown[:5]
        d.find_element(By.ID, "devolver").click()
        wait_state(d, "Devuelto")
        done = d.find_element(By.ID, "revisiones").text
        assert "Fila 10: Texto de la página 1." in done, done
        assert "Fila 215: Texto de la página 2." in done, done
        assert "Revise las metas." in done
    finally:
        d.quit()
