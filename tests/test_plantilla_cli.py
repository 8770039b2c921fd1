"""`pea plantilla`: ayuda en español, salida por omisión y errores de uso con código 2."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def pea(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pea", *args], capture_output=True, text=True,
                          cwd=cwd, timeout=120, check=False)


def test_ayuda_en_espanol(tmp_path: Path) -> None:
    proc = pea("plantilla", "--help", cwd=tmp_path)
    assert proc.returncode == 0
    assert "Construye la plantilla oficial" in proc.stdout
    assert "--reglas" in proc.stdout and "--salida" in proc.stdout
    assert "workbook_template.xlsm" in proc.stdout


def test_salida_por_omision_igual_a_la_versionada(tmp_path: Path) -> None:
    proc = pea("plantilla", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "Plantilla escrita en workbook_template.xlsm" in proc.stdout
    built = tmp_path / "workbook_template.xlsm"
    assert built.read_bytes() == (ROOT / "workbook_template.xlsm").read_bytes()


def test_reglas_con_directorio_propio(tmp_path: Path) -> None:
    out = tmp_path / "sub" / "p.xlsm"
    out.parent.mkdir()
    proc = pea("plantilla", "--reglas", str(ROOT / "rules"), "--salida", str(out), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert out.is_file()


def test_errores_de_uso_sin_traza(tmp_path: Path) -> None:
    bad = tmp_path / "malas"
    bad.mkdir()
    (bad / "configuracion.yaml").write_text("parametros: [1\n", encoding="utf-8")
    cases = {
        ("--reglas", str(tmp_path / "no_existe")): "no existe",
        ("--reglas", str(bad)): "no es YAML válido",
        ("--salida", "plantilla.xlsx"): ".xlsm",
        ("--salida", str(tmp_path / "no" / "hay" / "p.xlsm")): "no existe",
        ("--salida", str(tmp_path)): "",
    }
    for args, message in cases.items():
        proc = pea("plantilla", *args, cwd=tmp_path)
        assert proc.returncode == 2, (args, proc.stderr)
        assert "Traceback" not in proc.stderr + proc.stdout
        assert proc.stderr.startswith("Error:") and message in proc.stderr
    assert not list(tmp_path.glob("*.xlsm"))
