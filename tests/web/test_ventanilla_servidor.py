"""`pea servidor` real: primer arranque sin teclado, cuentas con el servidor corriendo,
tokens válidos de inmediato, procesos de lectura aislados y acotados."""

from __future__ import annotations

import csv
import os
import stat
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.hostile.corpus import build_corpus
from tests.web.helpers import DEPS
from tests.web.live import LiveServer, post_file, request

pytestmark = pytest.mark.lento


@pytest.fixture(scope="module")
def pg_url() -> Iterator[str | None]:
    """Una base PostgreSQL nueva para el servidor vivo (si hay PEA_BASE_DATOS_URL)."""
    url = os.environ.get("PEA_BASE_DATOS_URL")
    if not url:
        yield None
        return
    import dj_database_url
    import psycopg

    cfg = dj_database_url.parse(url)
    name = f"pea_vivo_{uuid.uuid4().hex[:8]}"
    params = {"dbname": "postgres", "user": cfg["USER"] or None,
              "password": cfg["PASSWORD"] or None, "host": cfg["HOST"] or None,
              "port": cfg["PORT"] or None}
    params = {k: v for k, v in params.items() if v}
    with psycopg.connect(**params, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield url.replace(f"/{cfg['NAME']}", f"/{name}", 1)
    with psycopg.connect(**params, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory,
           pg_url: str | None) -> Iterator[LiveServer]:
    env = {"PEA_BASE_DATOS_URL": pg_url or ""}
    live = LiveServer(tmp_path_factory.mktemp("ventanilla") / "datos", env).start()
    yield live
    live.stop()


def read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_primer_arranque(server: LiveServer) -> None:
    out = server.output()
    assert "se creó el administrador" in out
    admin = server.datos / "administrador.txt"
    assert stat.S_IMODE(admin.stat().st_mode) == 0o600
    assert "contrasena_inicial:" in admin.read_text(encoding="utf-8")
    assert (server.datos / "archivos").is_dir()
    sqlite = (server.datos / "ventanilla.sqlite3").is_file()
    assert sqlite == (not os.environ.get("PEA_BASE_DATOS_URL"))
    assert "Traceback" not in out


def test_cuentas_con_el_servidor_corriendo(server: LiveServer, planes: dict[str, Path],
                                           tmp_path: Path) -> None:
    first = server.cuentas(tmp_path / "cuentas.csv")
    assert first.returncode == 0, first.stderr
    rows = read_csv(tmp_path / "cuentas.csv")
    assert list(rows[0]) == ["rol", "dependencia", "usuario", "contrasena_inicial", "token_api"]
    assert stat.S_IMODE((tmp_path / "cuentas.csv").stat().st_mode) == 0o600
    deps = [r for r in rows if r["rol"] == "dependencia"]
    assert len(deps) == 11 and len({r["usuario"] for r in deps}) == 11
    assert [r["rol"] for r in rows].count("revisor") == 1
    assert all(r["contrasena_inicial"] and r["token_api"] for r in rows)
    tes = next(r for r in rows if r["dependencia"] == DEPS["tesoreria"])
    assert tes["usuario"] == "tesoreria.municipal"
    # el token vale de inmediato, sin reiniciar
    r = post_file(server.url + "/api/v1/entregas", "plan.xlsx",
                  planes["tesoreria"].read_bytes(), token=tes["token_api"])
    assert r.status == 201, r.body
    assert r.json()["version"] == 1
    # idempotente: nadie nuevo, nada cambia, las contraseñas no se repiten
    again = server.cuentas(tmp_path / "otra_vez.csv")
    assert again.returncode == 0, again.stderr
    assert "0 cuenta(s) nueva(s)" in again.stdout
    rows2 = read_csv(tmp_path / "otra_vez.csv")
    assert [r["usuario"] for r in rows2] == [r["usuario"] for r in rows]
    assert not any(r["contrasena_inicial"] or r["token_api"] for r in rows2)
    r = request(server.url + "/api/v1/entregas",
                headers={"Authorization": f"Bearer {tes['token_api']}"})
    assert r.status == 200 and len(r.json()["entregas"]) == 1


def test_corpus_hostil_igual_que_pea_validar(server: LiveServer, tmp_path: Path) -> None:
    """Cada archivo hostil: la misma respuesta que `pea validar`, y el servidor sigue sano."""
    import json

    cases = build_corpus(tmp_path / "corpus", tmp_path / "secreto.txt")
    paths = [tmp_path / "corpus" / c.filename for c in cases]
    cli = subprocess.run([sys.executable, "-m", "pea", "validar", "--formato", "json",
                          *map(str, paths)], capture_output=True, text=True, timeout=600)
    expected = {Path(r["archivo"]).name: r for r in json.loads(cli.stdout)}
    for case, path in zip(cases, paths, strict=True):
        r = post_file(server.url + "/api/v1/validar", case.filename, path.read_bytes())
        assert r.status == 200, (case.name, r.body[:300])
        got = r.json()
        want = expected[case.filename]
        want["archivo"] = got["archivo"]
        assert got == want, case.name
        assert "CONTENIDO-SECRETO" not in r.body.decode()
    assert request(server.url + "/api/v1/salud").status == 200
    assert list((server.datos / "tmp").iterdir()) == []


def test_un_archivo_lento_no_frena_a_los_demas(tmp_path: Path,
                                               planes: dict[str, Path]) -> None:
    """Con límites de lectura altos, la hoja de 100,000 filas tarda; el proceso que la lee
    se termina a los 2 s (PEA-E00) y, mientras tanto, otro plan se atiende en su tiempo."""
    import shutil

    from pea.config import default_rules_dir
    from tests.hostile.corpus import hundred_thousand_rows

    rules = tmp_path / "reglas"
    shutil.copytree(default_rules_dir(), rules)
    cfg = rules / "configuracion.yaml"
    text = cfg.read_text(encoding="utf-8")
    for old, new in (("filas: 5000", "filas: 200000"), ("celdas: 200000", "celdas: 9000000"),
                     ("segundos_por_archivo: 30", "segundos_por_archivo: 2")):
        assert old in text
        text = text.replace(old, new)
    cfg.write_text(text, encoding="utf-8")
    live = LiveServer(tmp_path / "datos", {"PEA_BASE_DATOS_URL": ""},
                      args=("--reglas", str(rules))).start()
    try:
        slow = hundred_thousand_rows()
        heavy: list = []

        def send() -> None:
            t = time.monotonic()
            heavy.append((post_file(live.url + "/api/v1/validar", "cien_mil.xlsx", slow),
                          time.monotonic() - t))

        worker = threading.Thread(target=send)
        worker.start()
        time.sleep(0.5)
        t0 = time.monotonic()
        r = post_file(live.url + "/api/v1/validar", "obras.xlsx",
                      planes["obras"].read_bytes())
        quick = time.monotonic() - t0
        worker.join(timeout=120)
        assert r.status == 200 and r.json()["dependencia"] == DEPS["obras"]
        (resp, took), = heavy
        assert resp.status == 200
        finding = resp.json()["hallazgos"][0]
        assert finding["regla"] == "PEA-E00" and "2 segundos" in finding["mensaje"]
        assert quick < took  # el plan pequeño no esperó al grande
        assert request(live.url + "/api/v1/salud").status == 200
        assert list((live.datos / "tmp").iterdir()) == []
    finally:
        live.stop()


def test_peticion_demasiado_grande_sin_leer_el_cuerpo(server: LiveServer) -> None:
    import socket

    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as s:
        s.sendall(b"POST /api/v1/validar HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                  b"Content-Type: multipart/form-data; boundary=x\r\n"
                  b"Content-Length: 900000000\r\n\r\n")
        s.settimeout(30)
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
    assert data.startswith(b"HTTP/1.1 413"), data[:200]


def test_demasiado_grande_con_error_en_espanol(server: LiveServer) -> None:
    """Pasado el tope de waitress (límite + 1 MB) la respuesta sigue siendo la de la API:
    JSON con «error» en español (no el texto en inglés de waitress); en una página, texto."""
    import json
    import socket

    def answer(path: str) -> bytes:
        with socket.create_connection(("127.0.0.1", server.port), timeout=30) as s:
            s.sendall(f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n".encode()
                      + b"Content-Type: multipart/form-data; boundary=x\r\n"
                      b"Content-Length: 900000000\r\n\r\n")
            data = b""
            while chunk := s.recv(65536):
                data += chunk
        return data

    head, _, body = answer("/api/v1/validar").partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 413"), head
    assert b"Content-Type: application/json" in head
    assert "límite" in json.loads(body)["error"]
    head, _, body = answer("/revisar/").partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 413"), head
    assert "límite" in body.decode("utf-8") and b"Entity" not in body


def test_segundo_arranque_sin_repetir_el_administrador(server: LiveServer) -> None:
    """Un segundo servidor sobre la misma carpeta: migraciones al día, mismo administrador."""
    admin_before = (server.datos / "administrador.txt").read_text(encoding="utf-8")
    other = LiveServer(server.datos, {"PEA_BASE_DATOS_URL": server.env.get(
        "PEA_BASE_DATOS_URL", "")}).start()
    try:
        assert "se creó el administrador" not in other.output()
        assert (server.datos / "administrador.txt").read_text(encoding="utf-8") == admin_before
    finally:
        other.stop()


def test_migraciones_de_una_version_nueva_al_arrancar(tmp_path: Path) -> None:
    """Una base hecha con la primera migración se pone al día sola al arrancar."""
    import sqlite3

    datos = tmp_path / "datos"
    (datos / "tmp").mkdir(parents=True)
    env = {**os.environ, "PEA_DATOS": str(datos), "DJANGO_SETTINGS_MODULE": "pea.web.settings",
           "PEA_BASE_DATOS_URL": ""}
    old = subprocess.run([sys.executable, "-m", "django", "migrate", "ventanilla", "0001",
                          "--noinput", "-v", "0"], env=env, capture_output=True, text=True,
                         timeout=300)
    assert old.returncode == 0, old.stderr

    def applied() -> set[str]:
        with sqlite3.connect(datos / "ventanilla.sqlite3") as db:
            return {r[0] for r in db.execute(
                "select name from django_migrations where app = 'ventanilla'")}

    assert applied() == {"0001_initial"}
    live = LiveServer(datos, {"PEA_BASE_DATOS_URL": ""}).start()
    try:
        from pea.web.ventanilla.migrations import __path__ as folder

        names = {p.stem for p in Path(folder[0]).glob("0*.py")}
        assert applied() == names and len(names) >= 2
    finally:
        live.stop()
