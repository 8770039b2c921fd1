"""El candado del maestro: quién lo tiene (equipo, proceso, arranque) y cuándo se retoma.

Con una carpeta compartida, el candado puede ser de otro equipo o de otro contenedor:
desde aquí no se puede saber si su proceso sigue vivo, así que nunca se retoma solo y el
mensaje dice quién lo tiene y qué borrar. Solo se retoma el de un proceso de este mismo
equipo que ya no existe (o cuyo número ya es de otro proceso).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pea.atomic import OutputLock, OutputLocked, lock_path


def _this_process() -> dict[str, object]:
    """Lo que escribe en el candado un proceso de este equipo (armado aquí, sin el código)."""
    import socket

    out: dict[str, object] = {"equipo": socket.gethostname(), "pid": os.getpid(),
                              "desde": "2026-12-01 10:00:00 UTC"}
    boot = Path("/proc/sys/kernel/random/boot_id")
    if boot.exists():
        out["arranque"] = boot.read_text().strip()
    if Path("/proc/self/ns/pid").exists():
        out["espacio"] = os.readlink("/proc/self/ns/pid")
    stat = Path(f"/proc/{os.getpid()}/stat")
    if stat.exists():
        data = stat.read_bytes()
        out["inicio"] = data[data.rfind(b")") + 2:].split()[19].decode()
    return out


def _write_lock(target: Path, **changes: object) -> Path:
    holder = {**_this_process(), **changes}
    path = lock_path(target)
    path.write_text(json.dumps(holder), encoding="utf-8")
    return path


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_candado_de_otro_equipo_no_se_retoma(tmp_path: Path) -> None:
    """Un PID que aquí no existe puede estar vivo en el otro equipo: se niega y explica."""
    target = tmp_path / "maestro.xlsx"
    lock = _write_lock(target, equipo="OTRO-EQUIPO", pid=_dead_pid(),
                       desde="2026-12-01 09:15:00 UTC")
    with pytest.raises(OutputLocked) as exc, OutputLock(target):
        pass
    message = str(exc.value)
    assert "«OTRO-EQUIPO»" in message and "desde 2026-12-01 09:15:00 UTC" in message
    assert f"borre el archivo «{lock}»" in message
    assert lock.exists()  # el candado ajeno sigue ahí


def test_candado_de_otro_contenedor_no_se_retoma(tmp_path: Path) -> None:
    """Mismo nombre de equipo pero otro espacio de procesos (otro contenedor) u otro arranque."""
    here = _this_process()
    target = tmp_path / "maestro.xlsx"
    for key in ("espacio", "arranque"):
        if key not in here:
            continue
        _write_lock(target, pid=_dead_pid(), **{key: "pid:[1]"})
        with pytest.raises(OutputLocked), OutputLock(target):
            pass


def test_candado_de_proceso_muerto_de_este_equipo_se_retoma(tmp_path: Path) -> None:
    target = tmp_path / "maestro.xlsx"
    lock = _write_lock(target, pid=_dead_pid())
    with OutputLock(target):
        assert json.loads(lock.read_text())["pid"] == os.getpid()
    assert not lock.exists()


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="sin /proc")
def test_pid_reutilizado_se_retoma(tmp_path: Path) -> None:
    """El número del dueño lo tiene ahora otro proceso (arrancó en otro momento)."""
    target = tmp_path / "maestro.xlsx"
    _write_lock(target, pid=os.getpid(), inicio="1")
    with OutputLock(target):
        pass


def test_candado_sin_datos_se_niega_con_instrucciones(tmp_path: Path) -> None:
    """Un candado vacío o de otra versión (solo el PID): no se sabe de quién es."""
    target = tmp_path / "maestro.xlsx"
    lock = lock_path(target)
    for content in ("", str(_dead_pid()), "{no es json"):
        lock.write_text(content)
        with pytest.raises(OutputLocked) as exc, OutputLock(target):
            pass
        assert "Otro proceso" in str(exc.value) and f"borre el archivo «{lock}»" in str(exc.value)


@pytest.mark.parametrize("pid", [2**70, -5, True, 0])
def test_candado_con_un_pid_imposible_se_niega_sin_error_interno(tmp_path: Path,
                                                                 pid: object) -> None:
    """Quien puede escribir la carpeta deja un candado de «este equipo» con un PID que no
    cabe en un entero de C: antes, «Error interno (OverflowError…)» en cada corrida."""
    target = tmp_path / "maestro.xlsx"
    lock = _write_lock(target, pid=pid, inicio="1")
    with pytest.raises(OutputLocked) as exc, OutputLock(target):
        pass
    assert f"borre el archivo «{lock}»" in str(exc.value)


_HOLD = (
    "import sys, time\n"
    "from pea.atomic import OutputLock\n"
    "with OutputLock(sys.argv[1]):\n"
    "    print('tomado', flush=True)\n"
    "    time.sleep(60)\n"
)


def test_candado_vivo_y_luego_abandonado(tmp_path: Path) -> None:
    """Otro proceso real lo tiene: se niega (con su PID); muerto con SIGKILL, se retoma."""
    target = tmp_path / "maestro.xlsx"
    holder = subprocess.Popen([sys.executable, "-c", _HOLD, str(target)],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "tomado"
        with pytest.raises(OutputLocked) as exc, OutputLock(target):
            pass
        assert f"proceso {holder.pid}" in str(exc.value)
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
    assert lock_path(target).exists()  # el proceso murió sin borrar su candado
    deadline = time.monotonic() + 10
    while True:
        try:
            with OutputLock(target):
                break
        except OutputLocked:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
