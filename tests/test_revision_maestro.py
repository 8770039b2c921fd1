"""El maestro de la Ventanilla (pea.review.master) es el de `pea consolidar` con los mismos
archivos: mismas hojas y celdas; solo cambia el vínculo de «Archivo» en «Entregas»."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from pea.config import RulesConfig
from pea.consolidate.columns import SHEET_ENTREGAS, SHEETS
from pea.demo.mutate import apply_changes
from pea.demo.writer import write_plan_xlsx
from pea.review.master import Delivery, build_master
from tests.conftest import plan_by_name

WHEN = dt.datetime(2024, 1, 15, 10, 30)


def _deliveries(tmp: Path) -> list[tuple[Path, str]]:
    """(archivo guardado, nombre en el maestro): válidos, con error, con aviso, de texto."""
    store = tmp / "almacen"
    store.mkdir()
    out = []
    for i, (dep, variant) in enumerate((("Tesorería Municipal", "combinada"),
                                        ("Contraloría Municipal", "texto"),
                                        ("Dirección de Obras Públicas", "vacia"),
                                        ("Instituto Municipal de las Mujeres", "fraccion"))):
        path = write_plan_xlsx(plan_by_name(dep), store / f"{i:04d}.xlsx", variant=variant)
        out.append((path, f"{dep}/v{i + 1} plan.xlsx"))
    apply_changes(out[1][0], {"celdas": {"M10": 0.9}})  # la suma deja de ser 100 %: error
    apply_changes(out[2][0], {"celdas": {"M10": 0.25, "N10": 0.25, "O10": 0.25,
                                         "P10": 0.25}})  # 4° trimestre fuera: advertencia
    for path, _ in out:
        os.utime(path, (WHEN.timestamp(), WHEN.timestamp()))
    return out


def _cells(path: Path) -> dict[str, list[list[Any]]]:
    wb = load_workbook(path)
    assert wb.sheetnames == list(wb.sheetnames) and set(wb.sheetnames) == set(SHEETS)
    return {ws.title: [[c.value for c in row] for row in ws.iter_rows()] for ws in wb}


def test_maestro_de_la_ventanilla_igual_a_consolidar(config: RulesConfig, tmp_path: Path) -> None:
    files = _deliveries(tmp_path)
    folder = tmp_path / "carpeta"
    for path, name in files:  # la misma entrega, con su nombre, en una carpeta
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(path.read_bytes())
        os.utime(target, (WHEN.timestamp(), WHEN.timestamp()))
    cli = tmp_path / "cli" / "maestro.xlsx"
    cli.parent.mkdir()
    subprocess.run([sys.executable, "-m", "pea", "consolidar", str(folder), "--salida", str(cli),
                    "--recursivo", "--silencioso"], check=True, capture_output=True)
    web = tmp_path / "web" / "maestro.xlsx"
    links = {name: f"http://127.0.0.1:8000/revision/{i}/" for i, (_, name) in enumerate(files)}
    result = build_master([Delivery(p, n, links[n], WHEN) for p, n in files], web, config,
                          folder=folder)
    assert result.consolidation.read_count == len(files)

    a, b = _cells(cli), _cells(web)
    assert list(load_workbook(cli).sheetnames) == list(load_workbook(web).sheetnames)
    for sheet in a:
        if sheet == "Resumen":  # la hora de cada corrida es la suya
            for rows in (a[sheet], b[sheet]):
                when = next(r for r in rows if r[0] == "Fecha de consolidación")
                assert isinstance(when[1], dt.datetime)
                when[1] = None
        assert a[sheet] == b[sheet], sheet
    estados = {row[0]: row[2] for row in b[SHEET_ENTREGAS][1:]}
    assert estados == {files[0][1]: "Aceptado", files[1][1]: "Rechazado",
                       files[2][1]: "Con observaciones", files[3][1]: "Aceptado"}
    ws = load_workbook(web)[SHEET_ENTREGAS]
    got = {ws.cell(r, 1).value: ws.cell(r, 1).hyperlink.target for r in range(2, ws.max_row + 1)}
    assert got == links
    ws_cli = load_workbook(cli)[SHEET_ENTREGAS]
    assert ws_cli.cell(2, 1).hyperlink.target.endswith(".xlsx")  # allí, vínculo al archivo


def test_segunda_descarga_solo_lee_lo_nuevo(config: RulesConfig, tmp_path: Path) -> None:
    files = _deliveries(tmp_path)
    out = tmp_path / "maestro" / "maestro.xlsx"
    first = build_master([Delivery(p, n) for p, n in files[:3]], out, config)
    assert first.consolidation.read_count == 3
    again = build_master([Delivery(p, n) for p, n in files], out, config)
    assert (again.consolidation.read_count, again.consolidation.cached_count) == (1, 3)
