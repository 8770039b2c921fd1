"""Preparar la carpeta de datos y arrancar el servidor (lo usa `pea servidor`).

Nunca pide nada por teclado: corre como servicio. En el primer arranque crea la base de
datos (SQLite en la carpeta, salvo `PEA_BASE_DATOS_URL`), el almacén de archivos y el
administrador del Instituto, cuya contraseña inicial queda en
`CARPETA/administrador.txt` (permisos 0600).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
from pathlib import Path
from typing import TextIO

from pea.web import ENV_DATOS, ENV_REGLAS

ADMIN_FILE = "administrador.txt"


def configure(datos: Path, reglas: Path | None = None) -> None:
    """Variables de entorno de los ajustes y `django.setup()`."""
    datos = datos.resolve()
    datos.mkdir(parents=True, exist_ok=True)
    for sub in ("archivos", "tmp"):
        (datos / sub).mkdir(exist_ok=True)
    with_mode(datos, 0o700)
    os.environ[ENV_DATOS] = str(datos)
    if reglas is not None:
        os.environ[ENV_REGLAS] = str(reglas.resolve())
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pea.web.settings")
    import django

    django.setup()


def with_mode(path: Path, mode: int) -> None:
    with contextlib.suppress(OSError):  # Windows o sistema de archivos sin permisos POSIX
        path.chmod(mode)


def clean_temporary(datos: Path) -> None:
    """Restos de trabajos interrumpidos (el servidor se detuvo a media lectura)."""
    tmp = datos / "tmp"
    for child in tmp.iterdir() if tmp.is_dir() else ():
        shutil.rmtree(child, ignore_errors=True) if child.is_dir() else child.unlink(
            missing_ok=True)


def migrate(out: TextIO) -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0, stdout=out)


def write_secret_file(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(text)
    with_mode(path, 0o600)


def prepare(datos: Path, out: TextIO = sys.stdout) -> None:
    """Migraciones y administrador; avisa cómo entrar la primera vez."""
    migrate(out)
    clean_temporary(datos)
    from pea.web.ventanilla.accounts import ensure_admin

    admin = ensure_admin()
    path = datos / ADMIN_FILE
    if admin is not None:
        write_secret_file(path, (
            "Administrador del Instituto en la Ventanilla PEA\n"
            f"usuario: {admin.usuario}\ncontrasena_inicial: {admin.contrasena_inicial}\n"
            f"token_api: {admin.token_api}\n"
            "Al entrar por primera vez se pide cambiar la contraseña. Borre este archivo "
            "cuando la haya cambiado.\n"))
        out.write(f"Primer arranque: se creó el administrador «{admin.usuario}»; su contraseña "
                  f"inicial está en {path} (solo la puede leer este usuario). Entre en la "
                  "página «Entrar» con ese usuario y esa contraseña; se le pedirá cambiarla.\n")
    elif path.is_file():
        out.write(f"La contraseña inicial del administrador está en {path}.\n")


def serve(host: str, port: int, threads: int, out: TextIO = sys.stdout) -> None:
    """Sirve con waitress (Windows y Linux). En producción: docs/ventanilla.md."""
    import logging

    import waitress

    from pea.web.ventanilla import services

    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s: %(message)s")
    from pea.web.wsgi import application

    services.pool().warm()
    limit = services.max_upload_bytes()
    shown = f"[{host}]" if ":" in host else host
    out.write(f"Ventanilla PEA en http://{shown}:{port}/  (Ctrl+C para detener)\n")
    out.flush()
    server = waitress.create_server(
        application, host=host, port=port, threads=threads,
        max_request_body_size=limit + 1024 * 1024, ident="PEA", channel_timeout=120,
        connection_limit=200, clear_untrusted_proxy_headers=True)
    spanish_errors(server, limit)
    try:
        server.run()
    finally:
        services.pool().close()


def spanish_errors(server: object, limit: int) -> None:
    """Los errores que waitress contesta sin llegar a Django (petición más grande que el
    tope, cabeceras enormes, petición mal formada) salen en español: `{"error": …}` en la
    API y texto en las páginas, no el texto en inglés de waitress."""
    import json

    from waitress.channel import HTTPChannel
    from waitress.server import BaseWSGIServer
    from waitress.task import ErrorTask

    from pea.web.ventanilla.middleware import too_large_message

    messages = {413: too_large_message(limit),
                431: "Las cabeceras de la petición son demasiado grandes.",
                400: "La petición no se pudo leer (mal formada).",
                501: "La Ventanilla no acepta esa forma de enviar la petición."}

    class SpanishErrorTask(ErrorTask):
        def execute(self) -> None:
            error = self.request.error
            msg = messages.get(error.code, "La petición no se pudo atender.")
            if (getattr(self.request, "path", "") or "").startswith("/api/"):
                body = json.dumps({"error": msg}, ensure_ascii=False).encode("utf-8")
                ctype = "application/json"
            else:
                body = msg.encode("utf-8")
                ctype = "text/plain; charset=utf-8"
            self.status = f"{error.code} {error.reason}"
            self.response_headers.append(("Content-Type", ctype))
            self.set_close_on_finish()
            self.content_length = len(body)
            self.write(body)

    class SpanishChannel(HTTPChannel):
        error_task_class = SpanishErrorTask

    servers = [server] if isinstance(server, BaseWSGIServer) else [
        s for s in getattr(server, "map", {}).values() if isinstance(s, BaseWSGIServer)]
    for one in servers:
        one.channel_class = SpanishChannel  # type: ignore[attr-defined]
