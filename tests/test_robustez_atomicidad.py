"""Nada se pierde ni queda a medias: matar `pea consolidar` y correr dos a la vez.

Un `pea consolidar` real se detiene (con una pausa inyectada desde fuera, ver
tests/hostile/pausa.py) a mitad de escribir el maestro o justo antes de moverlo a su
lugar, y se mata con SIGKILL: el maestro anterior debe quedar idéntico y legible. Dos
corridas sobre la misma salida: la segunda se niega con un mensaje claro (código 2).
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.hostile.corpus import plan_bytes, truncated_zip
from tests.hostile.master import sheet_rows
from tests.hostile.runner import consolidar_available, run_pea, tree_hashes

pytestmark = [
    pytest.mark.skipif(not consolidar_available(),
                       reason="el comando «pea consolidar» aún no existe"),
    pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL es de POSIX"),
]
PAUSA = Path(__file__).parent / "hostile" / "pausa.py"


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def entregas(tmp_path: Path) -> Path:
    folder = tmp_path / "entregas"
    folder.mkdir()
    for i in range(6):
        (folder / f"plan_{i}.xlsx").write_bytes(plan_bytes(i))
    (folder / "roto.xlsx").write_bytes(truncated_zip())
    return folder


def _first_master(folder: Path, output: Path) -> str:
    proc = run_pea("consolidar", folder, "--salida", output, "--silencioso")
    assert proc.returncode == 0, proc.stderr
    return _sha(output)


def _paused(mode: str, folder: Path, output: Path, marker: Path) -> subprocess.Popen[bytes]:
    """Arranca una corrida que se detiene en `mode` y espera a que llegue ahí."""
    proc = subprocess.Popen(
        [sys.executable, str(PAUSA), mode, str(marker), "consolidar", str(folder), "--salida",
         str(output), "--silencioso", "--sin-cache"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while not marker.exists():
        if proc.poll() is not None:
            raise AssertionError(f"terminó sin llegar a la pausa: {proc.communicate()}")
        if time.monotonic() > deadline:
            proc.kill()
            raise AssertionError("no llegó a la pausa")
        time.sleep(0.02)
    return proc


def _kill(proc: subprocess.Popen[bytes]) -> None:
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)


@pytest.mark.parametrize("mode", ["zip", "reemplazo"])
def test_matar_a_mitad_de_escribir_deja_el_maestro_anterior(
        entregas: Path, tmp_path: Path, mode: str) -> None:
    output = tmp_path / "maestro.xlsx"
    first = _first_master(entregas, output)
    inputs = tree_hashes(entregas)
    (entregas / "plan_nuevo.xlsx").write_bytes(plan_bytes(7))  # la corrida nueva cambiaría algo
    proc = _paused(mode, entregas, output, tmp_path / "marca")
    temps = [p for p in tmp_path.iterdir() if p.name.startswith(".~pea-maestro-")]
    assert temps and any(p.stat().st_size > 0 for p in temps), "el temporal no se escribía"
    _kill(proc)
    assert proc.returncode == -signal.SIGKILL
    assert _sha(output) == first, "el maestro anterior cambió"
    assert len(sheet_rows(output, "Entregas")) == 7  # legible y completo (sin el plan nuevo)
    assert {k: v for k, v in tree_hashes(entregas).items() if k != "plan_nuevo.xlsx"} == inputs
    # La siguiente corrida toma el candado abandonado y escribe el maestro nuevo.
    again = run_pea("consolidar", entregas, "--salida", output, "--silencioso")
    assert again.returncode == 0, again.stderr
    assert len(sheet_rows(output, "Entregas")) == 8


def test_dos_corridas_a_la_vez_no_corrompen_el_maestro(entregas: Path, tmp_path: Path) -> None:
    output = tmp_path / "maestro.xlsx"
    first = _first_master(entregas, output)
    holder = _paused("reemplazo", entregas, output, tmp_path / "marca")
    try:
        second = run_pea("consolidar", entregas, "--salida", output, "--silencioso")
        assert second.returncode == 2, second.stdout + second.stderr
        assert "Otro proceso está escribiendo" in second.stderr
        assert "Traceback" not in second.stderr
        assert _sha(output) == first
    finally:
        _kill(holder)
    assert _sha(output) == first
    assert len(sheet_rows(output, "Entregas")) == 7


def test_matar_en_cualquier_momento_nunca_deja_un_maestro_roto(
        entregas: Path, tmp_path: Path) -> None:
    """Sin pausas: SIGKILL a distintos tiempos; el maestro es el anterior o uno nuevo completo."""
    for i in range(20):
        (entregas / f"extra_{i}.xlsx").write_bytes(plan_bytes(i % 11))
    output = tmp_path / "maestro.xlsx"
    first = _first_master(entregas, output)
    for delay in (0.3, 0.6, 0.9, 1.2, 1.5):
        proc = subprocess.Popen(
            [sys.executable, "-c", "from pea.cli.app import main; main()", "consolidar",
             str(entregas), "--salida", str(output), "--silencioso", "--sin-cache"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
        time.sleep(delay)
        if proc.poll() is None:
            _kill(proc)
        # Siempre legible y completo: el anterior, o uno nuevo terminado.
        assert len(sheet_rows(output, "Entregas")) == 27, (delay, _sha(output) == first)
