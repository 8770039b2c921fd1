"""Memoria y archivos que se siguen copiando, medidos en un proceso aparte.

La memoria se mide con holgura (pico de RSS del proceso de `pea validar`): una hoja que
dice medir A1:XFD1048576 no debe hacer que el lector pida memoria para esa área, y
100 000 filas se rechazan sin cargarlas.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.hostile import corpus
from tests.hostile.runner import run_pea

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="ru_maxrss en KB es de Linux")

# El pico de memoria del propio proceso: VmHWM (Linux) empieza de cero en el exec; ru_maxrss
# no, hereda la memoria residente del proceso de pytest al momento del fork (con las pruebas
# de bombas zip en el mismo pytest, ~400 MB) y hacía fallar la prueba sin motivo.
_MEASURE = (
    "import resource, sys\n"
    "from pea.cli.app import main\n"
    "try:\n"
    "    main(sys.argv[1:])\n"
    "except SystemExit as exc:\n"
    "    code = exc.code\n"
    "try:\n"
    "    hwm = [int(l.split()[1]) for l in open('/proc/self/status') if l.startswith('VmHWM')][0]\n"
    "except (OSError, IndexError, ValueError):\n"
    "    hwm = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
    "print('RSS_KB', hwm, file=sys.stderr)\n"
    "sys.exit(code)\n"
)


def _rss_mb(path: Path) -> tuple[int, float, dict[str, object]]:
    import subprocess

    proc = subprocess.run([sys.executable, "-c", _MEASURE, "validar", "--formato", "json",
                           str(path)], capture_output=True, text=True, timeout=300)
    rss = next(int(line.split()[1]) for line in proc.stderr.splitlines()
               if line.startswith("RSS_KB"))
    return proc.returncode, rss / 1024, json.loads(proc.stdout)[0]


@pytest.mark.parametrize(("name", "code", "max_mb"), [
    ("dimension_enorme", 0, 400),
    ("celdas_lejanas", 1, 400),
    ("fila_ancha", 1, 400),
    ("cien_mil_filas", 1, 1500),
    ("bomba_zip", 1, 1500),
])
def test_memoria_acotada(tmp_path: Path, name: str, code: int, max_mb: float) -> None:
    case = {c.name: c for c in corpus.cases(tmp_path / "s.txt")}[name]
    path = tmp_path / case.filename
    path.write_bytes(case.make())
    rc, mb, report = _rss_mb(path)
    assert rc == code, report
    assert mb < max_mb, f"{name}: {mb:.0f} MB"


def test_archivo_que_se_sigue_copiando(tmp_path: Path) -> None:
    """Otro hilo escribe el libro poco a poco mientras se valida: E00 o un resultado completo."""
    data = corpus.plan_bytes(0)
    path = tmp_path / "copiando.xlsx"
    path.write_bytes(b"")
    stop = threading.Event()

    def copy() -> None:
        with open(path, "ab", buffering=0) as out:
            for i in range(0, len(data), 256):
                if stop.is_set():
                    return
                out.write(data[i:i + 256])
                time.sleep(0.01)

    writer = threading.Thread(target=copy)
    writer.start()
    try:
        results = []
        while writer.is_alive() and len(results) < 6:
            proc = run_pea("validar", "--formato", "json", path)
            assert "Traceback" not in proc.stderr and "falla interna" not in proc.stdout
            [report] = json.loads(proc.stdout)
            results.append(report)
            assert proc.returncode in (0, 1)
            if not report["valido"]:
                [e00] = [h for h in report["hallazgos"] if h["regla"] == "PEA-E00"]
                assert any(w in e00["mensaje"] for w in ("incompleto", "cambió", "dañad",
                                                         "vacío")), e00["mensaje"]
    finally:
        stop.set()
        writer.join()
    assert results
    final = run_pea("validar", "--formato", "json", path)
    assert path.read_bytes() == data
    assert final.returncode == 0, final.stdout
