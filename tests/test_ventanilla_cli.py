"""`pea servidor`: errores de uso en español, sin trazas y sin esperar al teclado."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def pea(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pea", *args], capture_output=True,
                          text=True, timeout=120, stdin=subprocess.DEVNULL)


def test_sin_carpeta() -> None:
    out = pea("servidor")
    assert out.returncode == 2
    assert "falta «--datos CARPETA»" in out.stderr
    assert "Traceback" not in out.stderr


def test_carpeta_que_es_un_archivo(tmp_path: Path) -> None:
    f = tmp_path / "x.txt"
    f.write_text("x", encoding="utf-8")
    out = pea("servidor", "--datos", str(f))
    assert out.returncode == 2 and "no es una carpeta" in out.stderr


def test_cuentas_pide_origen_y_salida(tmp_path: Path) -> None:
    out = pea("servidor", "cuentas", "--datos", str(tmp_path / "d"))
    assert out.returncode == 2 and "--desde-catalogo" in out.stderr
    out = pea("servidor", "cuentas", "--datos", str(tmp_path / "d"), "--desde-catalogo")
    assert out.returncode == 2 and "--salida" in out.stderr


def test_ayuda_en_espanol() -> None:
    out = pea("servidor", "--help")
    assert out.returncode == 0
    for text in ("Uso: pea servidor [OPCIONES] COMANDO", "--datos", "--puerto", "cuentas",
                 "preparar"):
        assert text in out.stdout
    assert "Usage" not in out.stdout and "Show this message" not in out.stdout
