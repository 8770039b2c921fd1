"""`pea configurar-excel --destino`: qué escribe, qué conserva y qué comprueba."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import xlwings

QUICKSTART = Path(xlwings.__file__).parent / "quickstart_standalone.xlsm"


def pea(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pea", *args], capture_output=True,
                          text=True, timeout=120, check=False, env=env)


def test_escribe_configuracion_nueva(tmp_path: Path) -> None:
    dest = tmp_path / ".xlwings" / "xlwings.conf"
    proc = pea("configurar-excel", "--destino", str(dest))
    assert "Traceback" not in proc.stderr
    text = dest.read_bytes().decode("cp1252")
    assert text == (f'"INTERPRETER_WIN","{sys.executable}"\r\n'
                    '"ADD_WORKBOOK_TO_PYTHONPATH","False"\r\n'
                    '"USE UDF SERVER","False"\r\n"SHOW CONSOLE","False"\r\n')
    out = proc.stdout
    assert f"Configuración de xlwings para los botones de PEA: {dest}" in out
    assert f"INTERPRETER_WIN = «{sys.executable}» (nueva)" in out
    assert f"✓ xlwings {xlwings.__version__} instalado (PEA requiere {xlwings.__version__})" in out
    # Aquí el Python no está en %LOCALAPPDATA%\PEA\venv, que es lo que indica la plantilla.
    assert "✗ la hoja xlwings.conf de la plantilla indica" in out
    assert proc.returncode == 1
    assert 'b.validar()"' in out


def test_conserva_otras_claves_y_quita_conda(tmp_path: Path) -> None:
    dest = tmp_path / "xlwings.conf"
    dest.write_bytes(b'"LICENSE_KEY","abc"\r\n"CONDA PATH","C:\\Miniconda3"\r\n'
                     b'"CONDA ENV","base"\r\n"INTERPRETER_WIN","C:\\viejo\\python.exe"\r\n')
    proc = pea("configurar-excel", "--destino", str(dest), "--quitar-conda")
    text = dest.read_bytes().decode("cp1252")
    assert '"LICENSE_KEY","abc"' in text and "CONDA" not in text
    assert f'"INTERPRETER_WIN","{sys.executable}"' in text
    assert "se quitó CONDA PATH" in proc.stdout
    assert f"INTERPRETER_WIN: «C:\\viejo\\python.exe» → «{sys.executable}»" in proc.stdout
    assert "se conservaron las demás claves: LICENSE_KEY" in proc.stdout
    again = pea("configurar-excel", "--destino", str(dest))
    assert "sin cambios: ya estaba configurado" in again.stdout


def test_compara_el_modulo_vba_de_la_plantilla(tmp_path: Path) -> None:
    xlsm = tmp_path / "plantilla.xlsm"
    shutil.copy(QUICKSTART, xlsm)
    proc = pea("configurar-excel", "--destino", str(tmp_path / "x.conf"),
               "--plantilla", str(xlsm))
    assert f"✓ módulo VBA de xlwings en «plantilla.xlsm»: {xlwings.__version__}" in proc.stdout


def test_errores_de_uso(tmp_path: Path) -> None:
    proc = pea("configurar-excel", "--destino", str(tmp_path))
    assert proc.returncode == 2 and "es una carpeta" in proc.stderr
    proc = pea("configurar-excel", "--destino", str(tmp_path / "x.conf"),
               "--plantilla", str(tmp_path / "no.xlsm"))
    assert proc.returncode == 2 and "no existe la plantilla" in proc.stderr


def test_ayuda_en_espanol() -> None:
    proc = pea("configurar-excel", "--help")
    assert proc.returncode == 0
    assert "--destino" in proc.stdout and "sin permisos de administrador" in proc.stdout
