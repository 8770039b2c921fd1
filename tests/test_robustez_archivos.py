"""Robustez II (§8): qué cuenta como plan es una sola regla para `pea validar` y `pea
consolidar`; un archivo que no se puede leer recibe un mensaje en español; los nombres
se muestran escapados."""

from __future__ import annotations

import errno
import json
import os
import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook

from pea.demo import demo_plans
from pea.demo.writer import write_plan_xlsx
from tests.conftest import SEED
from tests.test_consolidar import pea


def _rows(path: Path, sheet: str) -> list[dict[str, object]]:
    ws = load_workbook(path, read_only=True)[sheet]
    rows = list(ws.iter_rows(values_only=True))
    return [dict(zip(rows[0], r, strict=False)) for r in rows[1:] if any(v is not None for v in r)]


@pytest.fixture()
def mixed(tmp_path: Path) -> Path:
    """Una carpeta como las reales: planes, un leeme, plantillas, un complemento, un maestro."""
    folder = tmp_path / "entregas"
    folder.mkdir()
    plan = write_plan_xlsx(demo_plans()[0], folder / "obras.xlsx")
    shutil.copy(SEED, folder / "comunicacion.txt")
    (folder / "leeme.txt").write_text("Entregar antes del viernes.\n", encoding="utf-8")
    shutil.copy(plan, folder / "plantilla.xltx")
    shutil.copy(plan, folder / "complemento.xlam")
    shutil.copy(plan, folder / "~$obras.xlsx")
    proc = pea("consolidar", str(folder), "--salida", str(tmp_path / "m.xlsx"), "-q")
    assert proc.returncode == 0, proc.stderr
    shutil.copy(tmp_path / "m.xlsx", folder / "maestro_anterior.xlsx")
    return folder


def test_validar_y_consolidar_leen_los_mismos_archivos(mixed: Path, tmp_path: Path) -> None:
    """`pea validar CARPETA` reportaba cada leeme.txt como un plan fallido que consolidar
    omite, y leía plantillas .xltx/.xlam que consolidar omite."""
    proc = pea("validar", str(mixed), "--formato", "json")
    assert proc.returncode in (0, 1), proc.stderr
    validated = {Path(r["archivo"]).name for r in json.loads(proc.stdout)}
    proc = pea("consolidar", str(mixed), "--salida", str(tmp_path / "m2.xlsx"), "-q")
    assert proc.returncode == 0, proc.stderr
    rows = _rows(tmp_path / "m2.xlsx", "Entregas")
    read = {r["Archivo"] for r in rows if r["Estado"] != "Omitido"}
    assert validated == read == {"obras.xlsx", "comunicacion.txt"}
    # en texto, lo omitido se lista con el mismo motivo que en «Entregas»
    text = pea("validar", str(mixed)).stdout
    for r in rows:
        if r["Estado"] == "Omitido":
            assert f"Omitido: «{mixed / str(r['Archivo'])}»" in text.replace("\n", "")


def test_archivo_nombrado_que_no_es_plan(mixed: Path) -> None:
    """Un archivo dado por su nombre se valida siempre: si su formato no es de plan,
    PEA-E00 con el motivo con que consolidar lo omite (antes .xltx/.xlam se leían)."""
    proc = pea("validar", "--formato", "json", str(mixed / "plantilla.xltx"),
               str(mixed / "complemento.xlam"), str(mixed / "leeme.txt"))
    assert proc.returncode == 1, proc.stderr
    xltx, xlam, leeme = json.loads(proc.stdout)
    assert [h["regla"] for h in xltx["hallazgos"]] == ["PEA-E00"]
    assert "plantilla de Excel (.xltx)" in xltx["hallazgos"][0]["mensaje"]
    assert [h["regla"] for h in xlam["hallazgos"]] == ["PEA-E00"]
    assert "no es un libro de Excel" in xlam["hallazgos"][0]["mensaje"]
    assert not leeme["valido"]


def _cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
         *args: str) -> tuple[int, str, str]:
    from pea.cli.app import main

    with pytest.raises(SystemExit) as exc:
        main(list(args))
    out, err = capsys.readouterr()
    return int(exc.value.code or 0), out, err


def test_archivo_sin_permiso_en_espanol(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    """Un archivo sin permiso de lectura recibía el mensaje de click en inglés («is not
    readable»), código 2. Las pruebas corren como root (que lee todo): se simula lo que ve
    otra cuenta con `os.access` (lo que consulta click) y `os.open` (lo que lee PEA)."""
    plan = write_plan_xlsx(demo_plans()[0], tmp_path / "obras.xlsx")
    real_open = os.open

    def denied(path: object, *a: object, **k: object) -> int:
        if str(path) == str(plan):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_open(path, *a, **k)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "access", lambda *a, **k: False)
    monkeypatch.setattr(os, "open", denied)
    code, out, err = _cli(monkeypatch, capsys, "validar", "--formato", "json", str(plan))
    assert code == 1, err
    [report] = json.loads(out)
    [e00] = report["hallazgos"]
    assert e00["regla"] == "PEA-E00" and "no hay permiso para leer" in e00["mensaje"]
    assert "Permission denied" not in out + err and "not readable" not in out + err


def test_archivo_que_desaparece_en_espanol(tmp_path: Path) -> None:
    """Un archivo borrado entre la lista y la lectura: mensaje en español, no el del sistema."""
    from pea.config import load_config
    from pea.validation import validate_file

    _p, report = validate_file(tmp_path / "ya_no_esta.xlsx", load_config())
    [e00] = report.hallazgos
    assert "ya no existe" in e00.mensaje and "No such file" not in e00.mensaje


def test_nombres_con_controles_escapados_en_validar(tmp_path: Path) -> None:
    """«\\n» y «\\t» en un nombre partían el encabezado de `pea validar`; ESC ya se escapaba."""
    folder = tmp_path / "e"
    folder.mkdir()
    name = "obras\n\tfalso\x1b[2J.xlsx"
    write_plan_xlsx(demo_plans()[0], folder / name)
    proc = pea("validar", str(folder / name))
    assert "\x1b" not in proc.stdout + proc.stderr
    header = proc.stdout.split("NO VÁLIDO")[0].split("VÁLIDO")[0].replace("\n", "")
    assert header.startswith(str(folder))
    assert "obras\\x0a\\x09falso\\x1b[2J.xlsx" in header
    # también en el error de uso de una ruta que no existe
    proc = pea("validar", str(folder / "no\x1b]0;titulo\x07.xlsx"))
    assert proc.returncode == 2 and "\x1b" not in proc.stderr and "\\x1b" in proc.stderr


@pytest.mark.parametrize("cached", [False, True])
def test_archivo_reemplazado_a_media_corrida(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                             cached: bool) -> None:
    """Un archivo reemplazado entre la lista de la carpeta y su lectura se listaba en
    «Entregas» con el tamaño y la fecha del anterior: ahora con los del que se leyó."""
    from pea.config import load_config
    from pea.consolidate import run

    folder = tmp_path / "entregas"
    folder.mkdir()
    target = folder / "obras.xlsx"
    small = write_plan_xlsx(demo_plans()[0], tmp_path / "chico.xlsx")
    plan = dict(demo_plans()[0])
    plan["filas"] = plan["filas"] * 40
    big = write_plan_xlsx(plan, tmp_path / "grande.xlsx")
    output = tmp_path / "m.xlsx"
    config = load_config()
    if cached:  # el grande ya está en la caché: se toma de ahí, con la fecha del de ahora
        shutil.copy(big, target)
        run.consolidate(run.Options(folder, output, workers=1), config)
    shutil.copy(small, target)
    os.utime(target, (1_600_000_000, 1_600_000_000))  # 2020
    real_scan = run.scan

    def scan_then_replace(*a: object, **k: object) -> list[object]:
        found = real_scan(*a, **k)  # type: ignore[arg-type]
        shutil.copy(big, target)  # alguien guarda la versión nueva
        os.utime(target, (1_800_000_000, 1_800_000_000))  # 2027
        return found

    monkeypatch.setattr(run, "scan", scan_then_replace)
    result = run.consolidate(run.Options(folder, output, workers=1), config)
    [sub] = result.consolidation.submissions
    assert sub.from_cache is cached
    assert sub.found.size == big.stat().st_size != small.stat().st_size
    assert sub.found.mtime == 1_800_000_000
    [row] = _rows(output, "Entregas")
    assert row["Tamaño (KB)"] == round(big.stat().st_size / 1024)
    assert row["Fecha de modificación"].year == 2027  # type: ignore[union-attr]


@pytest.mark.parametrize("option", ["--csv", "--parquet"])
def test_exportacion_no_sobrescribe_un_archivo_ajeno(tmp_path: Path, option: str) -> None:
    """`--csv`/`--parquet` sobrescribían el «entregas.csv» de una persona fuera de las
    entregas, mientras el maestro se niega a sobrescribir un libro ajeno: ahora igual."""
    pytest.importorskip("pyarrow")
    folder = tmp_path / "entregas"
    folder.mkdir()
    write_plan_xlsx(demo_plans()[0], folder / "obras.xlsx")
    out = tmp_path / "mis_documentos"
    out.mkdir()
    ext = ".csv" if option == "--csv" else ".parquet"
    mine = out / f"entregas{ext}"
    mine.write_bytes(b"\xef\xbb\xbfMi lista de entregas,Fecha\nObras,lunes\n")
    before = mine.read_bytes()
    proc = pea("consolidar", str(folder), "--salida", str(tmp_path / "m.xlsx"), option,
               str(out), "-q")
    assert proc.returncode == 2, proc.stderr
    assert f"«entregas{ext}»" in proc.stderr and "no escribió PEA" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert mine.read_bytes() == before
    assert not (tmp_path / "m.xlsx").exists()
    # la exportación anterior de PEA sí se reemplaza, en la misma carpeta o en otra
    mine.unlink()
    for _ in range(2):
        proc = pea("consolidar", str(folder), "--salida", str(tmp_path / "m.xlsx"), option,
                   str(out), "-q")
        assert proc.returncode == 0, proc.stderr
    assert (out / f"plan_consolidado{ext}").is_file()


def test_carpeta_de_salida_dentro_con_un_csv_ajeno(tmp_path: Path) -> None:
    """Dentro de la carpeta de entregas, un «entregas.csv» que no es de PEA en la carpeta
    de --csv se escondía (no se leía como entrega) y se sobrescribía."""
    folder = tmp_path / "entregas"
    folder.mkdir()
    write_plan_xlsx(demo_plans()[0], folder / "obras.xlsx")
    out = folder / "csv"
    out.mkdir()
    (out / "entregas.csv").write_text("lo que anotó la persona\n", encoding="utf-8")
    proc = pea("consolidar", str(folder), "--salida", str(tmp_path / "m.xlsx"), "--csv",
               str(out), "-q")
    assert proc.returncode == 2 and "«entregas.csv»" in proc.stderr
    assert (out / "entregas.csv").read_text(encoding="utf-8") == "lo que anotó la persona\n"


def test_ruta_de_mas_de_2079_caracteres(tmp_path: Path) -> None:
    """Una entrega con una ruta de más de 2,079 caracteres (el límite de Excel para un
    vínculo) dejaba «Archivo» vacío en «Entregas» y un aviso en inglés de XlsxWriter."""
    folder = tmp_path / "entregas"
    deep = folder
    for i in range(9):
        deep = deep / (f"{i}_" + "subcarpeta_de_la_direccion_de_obras_" * 7)[:250]
    deep.mkdir(parents=True)
    plan = write_plan_xlsx(demo_plans()[0], deep / "obras.xlsx")
    archivo = plan.relative_to(folder).as_posix()
    assert len(archivo) > 2079
    short = write_plan_xlsx(demo_plans()[1], folder / "tesoreria.xlsx")
    output = tmp_path / "m.xlsx"
    proc = pea("consolidar", str(folder), "--salida", str(output), "--recursivo", "-q")
    assert proc.returncode == 0, proc.stderr
    assert "Ignoring URL" not in proc.stderr and "Warning" not in proc.stderr, proc.stderr
    rows = _rows(output, "Entregas")
    assert {r["Archivo"] for r in rows} == {archivo, short.name}
    wb = load_workbook(output)
    links = {c.value: c.hyperlink for c in wb["Entregas"]["A"][1:]}
    assert links[archivo] is None and links[short.name] is not None


def test_omitido_con_controles_escapado(tmp_path: Path) -> None:
    """El motivo de un archivo omitido cita su nombre («~$…»): también va escapado."""
    folder = tmp_path / "e"
    folder.mkdir()
    write_plan_xlsx(demo_plans()[0], folder / "obras.xlsx")
    (folder / "~$ob\x1b]0;x\x07ras.xlsx").write_bytes(b"\x00" * 165)
    proc = pea("validar", str(folder))
    assert "\x1b" not in proc.stdout and "\x07" not in proc.stdout
    assert "\\x1b]0;x\\x07" in proc.stdout.replace("\n", "")


def test_acceso_directo_roto_en_carpeta(tmp_path: Path) -> None:
    """Un acceso directo roto en la carpeta se omite con el mismo motivo que en consolidar."""
    folder = tmp_path / "e"
    folder.mkdir()
    write_plan_xlsx(demo_plans()[0], folder / "obras.xlsx")
    (folder / "roto.xlsx").symlink_to(tmp_path / "no_existe.xlsx")
    proc = pea("validar", str(folder), "--formato", "json")
    assert proc.returncode in (0, 1), proc.stderr
    assert [Path(r["archivo"]).name for r in json.loads(proc.stdout)] == ["obras.xlsx"]
    assert "roto.xlsx»: acceso directo roto." in pea("validar", str(folder)).stdout.replace("\n", "")
