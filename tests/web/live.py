"""Un `pea servidor` real en 127.0.0.1 (puerto libre al azar) y un cliente HTTP mínimo."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Response:
    status: int
    body: bytes
    headers: dict[str, str]

    def json(self) -> Any:
        return json.loads(self.body)


def request(url: str, method: str = "GET", data: bytes | None = None,
            headers: dict[str, str] | None = None, timeout: float = 120) -> Response:
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return Response(r.status, r.read(), dict(r.headers))
    except urllib.error.HTTPError as exc:
        return Response(exc.code, exc.read(), dict(exc.headers))


def multipart(name: str, data: bytes, field: str = "archivo") -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; "
            f"filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n").encode()
    body = head + data + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def post_file(url: str, name: str, data: bytes, token: str | None = None,
              timeout: float = 120) -> Response:
    body, ctype = multipart(name, data)
    headers = {"Content-Type": ctype}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return request(url, "POST", body, headers, timeout=timeout)


class LiveServer:
    """`python -m pea servidor --datos CARPETA` en un proceso aparte, sin teclado."""

    def __init__(self, datos: Path, env: dict[str, str] | None = None,
                 args: tuple[str, ...] = ()) -> None:
        self.datos = datos
        self.args = args
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, **(env or {})}
        for key in ("DJANGO_SETTINGS_MODULE", "PEA_DATOS"):  # los pone pea servidor
            self.env.pop(key, None)
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = datos.parent / f"servidor-{self.port}.log"

    def start(self, timeout: float = 90) -> LiveServer:
        with open(self.log, "wb") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "pea", "servidor", "--datos", str(self.datos),
                 "--puerto", str(self.port), *self.args], stdin=subprocess.DEVNULL, stdout=out,
                stderr=subprocess.STDOUT, env=self.env)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("el servidor terminó: " + self.output())
            try:
                if request(self.url + "/api/v1/salud", timeout=5).status == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError("el servidor no respondió a tiempo: " + self.output())

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=20)

    def cuentas(self, salida: Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "pea", "servidor", "cuentas", "--datos", str(self.datos),
             "--desde-catalogo", "--salida", str(salida)], capture_output=True, text=True,
            timeout=120, env=self.env, stdin=subprocess.DEVNULL)
