"""Ningún archivo dentro de los límites de tamaño hace que una lectura pase de 300 MB o de
su límite de tiempo (issue 11, §3).

Cada libro de `tests.hostile.recursos` es pequeño en disco y ataca un mecanismo distinto
(celdas combinadas muchas, enormes o encimadas; muchas filas; hojas anchas; muchas
hojas; muchos estilos; cadenas compartidas largas repetidas…). Se lee con `pea validar`
en otro proceso (pico de memoria: VmHWM del proceso) y con `pea consolidar` (pico de los
procesos de lectura: ``RUSAGE_CHILDREN``), con un límite de tiempo corto para ver que se
respeta. El resultado puede ser el veredicto normal o «Ilegible» por tiempo en una
máquina lenta; nunca una lectura que sigue y sigue, ni memoria sin control.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.hostile import recursos

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="VmHWM y ru_maxrss de Linux")

MAX_MB = 300
#: Límite de tiempo por archivo de estas pruebas y holgura (arranque de Python en una
#: máquina ocupada y la llamada más larga al motor de lectura, que no se interrumpe).
SECONDS = 10
SLACK = 25

_VALIDAR = (
    "import sys\n"
    "from pea.cli.app import main\n"
    "try:\n"
    "    main(sys.argv[1:])\n"
    "except SystemExit as exc:\n"
    "    code = exc.code\n"
    "hwm = [int(l.split()[1]) for l in open('/proc/self/status') if l.startswith('VmHWM')][0]\n"
    "print('RSS_KB', hwm, file=sys.stderr)\n"
    "sys.exit(code)\n"
)
_CONSOLIDAR = (
    "import resource, sys\n"
    "from pea.cli.app import main\n"
    "try:\n"
    "    main(sys.argv[1:])\n"
    "except SystemExit as exc:\n"
    "    code = exc.code\n"
    "print('RSS_KB', resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)\n"
    "sys.exit(code)\n"
)


@pytest.fixture(scope="module")
def rules(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Las reglas incluidas con `segundos_por_archivo` corto."""
    from pea.config import default_rules_dir

    target = tmp_path_factory.mktemp("reglas") / "reglas"
    shutil.copytree(default_rules_dir(), target)
    config = target / "configuracion.yaml"
    text = config.read_text(encoding="utf-8")
    assert "segundos_por_archivo: 30" in text
    config.write_text(text.replace("segundos_por_archivo: 30",
                                   f"segundos_por_archivo: {SECONDS}"), encoding="utf-8")
    return target


@pytest.fixture(scope="module")
def heavy(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("pesados") / "entregas"
    folder.mkdir()
    out = {}
    for case in recursos.cases():
        path = folder / f"{case.name}{case.suffix}"
        path.write_bytes(case.make())
        assert path.stat().st_size < 50 * 1024 * 1024  # dentro del límite de tamaño
        out[case.name] = path
    return out


def _run(code: str, *args: str | Path) -> tuple[subprocess.CompletedProcess[str], float, float]:
    start = time.monotonic()
    proc = subprocess.run([sys.executable, "-c", code, *map(str, args)], capture_output=True,
                          text=True, timeout=SECONDS + SLACK + 120)
    seconds = time.monotonic() - start
    rss = next(int(line.split()[1]) for line in proc.stderr.splitlines()
               if line.startswith("RSS_KB"))
    return proc, rss / 1024, seconds


@pytest.mark.parametrize("case", recursos.cases(), ids=lambda c: c.name)
def test_validar_acotado(case: recursos.Heavy, heavy: dict[str, Path], rules: Path) -> None:
    proc, mb, seconds = _run(_VALIDAR, "validar", "--reglas", rules, "--formato", "json",
                             heavy[case.name])
    assert proc.returncode in (0, 1), proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr
    [report] = json.loads(proc.stdout)
    e00 = [h["mensaje"] for h in report["hallazgos"] if h["regla"] == "PEA-E00"]
    timed_out = any("tardó más" in m for m in e00)
    if case.legible is True:
        assert not e00 or timed_out, e00
    elif case.legible is False:
        assert e00, report["hallazgos"][:3]
        assert "falla interna" not in e00[0]
    assert mb < MAX_MB, f"{case.name}: {mb:.0f} MB"
    assert seconds < SECONDS + SLACK, f"{case.name}: {seconds:.1f} s"


def test_consolidar_acotado(heavy: dict[str, Path], rules: Path, tmp_path: Path) -> None:
    """Todos juntos en una consolidación: cada proceso de lectura se queda en 300 MB y
    cada archivo queda en «Entregas» (leído o Ilegible), ninguno detiene la corrida."""
    folder = next(iter(heavy.values())).parent
    master = tmp_path / "maestro.xlsx"
    proc, mb, _ = _run(_CONSOLIDAR, "consolidar", str(folder), "--reglas", rules, "--salida",
                       master, "--formato", "json", "--procesos", "2")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr and "Error interno" not in proc.stderr
    data = json.loads(proc.stdout)
    assert sum(data["estados"].values()) == len(heavy), data["estados"]
    assert mb < MAX_MB, f"{mb:.0f} MB"


def test_limite_de_tiempo_vale_al_interpretar_un_texto(tmp_path: Path) -> None:
    """Una exportación de texto no tenía límite de tiempo: el intérprete y las reglas lo
    respetan también (un límite mínimo vence ya al interpretar)."""
    from pea.config import load_config
    from pea.validation import validate_file

    path = tmp_path / "plan.txt"
    path.write_bytes(recursos.big_text_export(rows=2000, cols=20, width=50))
    config = load_config()
    config.limites.segundos_por_archivo = 0.001
    _, report = validate_file(path, config)
    [e00] = [h.mensaje for h in report.hallazgos if h.regla == "PEA-E00"]
    assert "tardó más de 0.001 s" in e00
