"""`pea consolidar` con una carpeta como llegan en la vida real (por subproceso y por API).

La carpeta tiene: los once planes del demo en sus variantes, una re-entrega tardía de
Tesorería (la versión anterior queda «Duplicado»), un plan con errores, uno hecho con la
plantilla de 2023, un archivo vacío, un texto renombrado a .xlsx, el archivo de bloqueo
«~$» de Excel, archivos que no son libros y una subcarpeta.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from pea.config import load_config
from pea.demo import demo_plans
from pea.demo.mutate import apply_changes
from pea.demo.writer import VARIANTS, write_plan_xlsx
from pea.safe_names import safe_filename
from pea.validation import validate_file

CONTRACT_HEADERS = {
    "Entregas": {"Archivo", "Dependencia", "Estado", "Errores", "Advertencias"},
    "Plan consolidado": {"Dependencia", "Archivo", "Fila"},
    "Observaciones": {"Archivo", "Regla", "Severidad", "Celda", "Mensaje"},
}
SHEETS = {"Plan consolidado", "Entregas", "Observaciones", "Resumen", "Cobertura"}
#: Estado esperado de cada archivo de la carpeta (sin --recursivo).
EXPECTED = {
    "01_coordinacion_de_comunicacion_social.xlsx": "Aceptado",
    "02_tesoreria_municipal.xlsx": "Duplicado",
    "02_tesoreria_municipal_v2.xlsx": "Aceptado",
    "03_direccion_de_obras_publicas.xlsx": "Aceptado",
    "04_comisaria_de_seguridad_publica.xlsx": "Rechazado",
    "05_sistema_para_el_desarrollo_integral_de_la_familia_dif_munici.xlsx": "Aceptado",
    "06_direccion_de_servicios_publicos_municipales.xlsx": "Aceptado",
    "07_contraloria_municipal.xlsx": "Aceptado",
    "08_instituto_municipal_de_las_mujeres.xlsx": "Aceptado",
    "09_direccion_de_proteccion_civil_y_bomberos.xlsx": "Aceptado",
    "10_direccion_de_desarrollo_economico_y_turismo.xlsx": "Aceptado",
    "11_direccion_de_participacion_ciudadana.xlsx": "Aceptado",
    "vacio.xlsx": "Ilegible",
    "texto_renombrado.xlsx": "Ilegible",
    "~$02_tesoreria_municipal.xlsx": "Omitido",
    "leeme.txt": "Omitido",
    "Thumbs.db": "Omitido",
    ".DS_Store": "Omitido",
    "plan_2023.xls": "Omitido",
    "anteriores/": "Omitido",
}


def pea(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pea", *args], capture_output=True, text=True,
                          timeout=300, check=False)


def _old_template(path: Path) -> None:
    """Agrega la hoja oculta de metadatos de una plantilla 2023 (versión 0.9)."""
    wb = load_workbook(path)
    meta = wb.create_sheet("PEA_meta")
    meta.append(["version_plantilla", "0.9"])
    meta.append(["anio_plan", 2023])
    meta.sheet_state = "hidden"
    wb.save(path)


def build_folder(root: Path) -> Path:
    """La carpeta de entregas de la vida real (ver el docstring del módulo)."""
    root.mkdir(parents=True, exist_ok=True)
    plans = demo_plans()
    now = time.time()
    for i, plan in enumerate(plans):
        path = write_plan_xlsx(plan, root / f"{i + 1:02d}_{safe_filename(plan['dependencia'])}.xlsx",
                               variant=VARIANTS[i % 4])
        os.utime(path, (now - 7200, now - 7200))
    apply_changes(root / "04_comisaria_de_seguridad_publica.xlsx",
                  {"celdas": {"M10": 0.4, "N10": 0.3, "O10": 0.2, "P10": 0}})
    os.utime(root / "04_comisaria_de_seguridad_publica.xlsx", (now - 7200, now - 7200))
    late = write_plan_xlsx(plans[1], root / "02_tesoreria_municipal_v2.xlsx", variant="fraccion")
    os.utime(late, (now - 60, now - 60))
    _old_template(root / "06_direccion_de_servicios_publicos_municipales.xlsx")
    (root / "vacio.xlsx").write_bytes(b"")
    (root / "texto_renombrado.xlsx").write_text("Eje;Objetivo\n2;2.1\n", encoding="utf-8")
    (root / "~$02_tesoreria_municipal.xlsx").write_bytes(b"\x0cMaria Lopez" + b"\x00" * 150)
    (root / "leeme.txt").write_text("Entregas de marzo", encoding="utf-8")
    (root / "Thumbs.db").write_bytes(b"\x00" * 32)
    (root / ".DS_Store").write_bytes(b"\x00" * 32)
    (root / "plan_2023.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500)
    old = root / "anteriores"
    old.mkdir()
    first = write_plan_xlsx(plans[1], old / "tesoreria_primera_version.xlsx", variant="texto")
    os.utime(first, (now - 86400, now - 86400))
    return root


def read_sheet(path: Path, name: str) -> tuple[list[str], list[dict[str, Any]]]:
    """Encabezados (fila 1) y filas como diccionarios."""
    wb = load_workbook(path, read_only=True)
    rows = list(wb[name].iter_rows(values_only=True))
    wb.close()
    headers = [str(h) if h is not None else "" for h in rows[0]]
    return headers, [dict(zip(headers, r, strict=False)) for r in rows[1:]
                     if any(v is not None for v in r)]


def digest_tree(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Una corrida por subproceso con todas las salidas (compartida por las pruebas)."""
    base = tmp_path_factory.mktemp("consolidar")
    folder = build_folder(base / "entregas")
    before = digest_tree(folder)
    master = base / "salida" / "maestro.xlsx"
    proc = pea("consolidar", str(folder), "--salida", str(master), "--formato", "json",
               "--anotar", str(base / "revisados"), "--csv", str(base / "csv"))
    return {"folder": folder, "master": master, "proc": proc, "before": before, "base": base}


def test_codigo_cero_y_json(run: dict[str, Any]) -> None:
    proc = run["proc"]
    assert "Traceback" not in proc.stderr
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["archivos"] == len(EXPECTED)
    assert data["leidos"] == 14 and data["de_cache"] == 0
    assert run["master"].is_file()


def test_hojas_y_encabezados_del_contrato(run: dict[str, Any]) -> None:
    wb = load_workbook(run["master"], read_only=True)
    assert set(wb.sheetnames) == SHEETS
    wb.close()
    for sheet, required in CONTRACT_HEADERS.items():
        headers, _ = read_sheet(run["master"], sheet)
        assert required <= set(headers), sheet


def test_cada_archivo_en_entregas_con_su_estado(run: dict[str, Any]) -> None:
    _, rows = read_sheet(run["master"], "Entregas")
    got = {r["Archivo"]: r["Estado"] for r in rows}
    assert got == EXPECTED
    by_name = {r["Archivo"]: r for r in rows}
    assert "03_direccion_de_obras_publicas.xlsx" in by_name
    dup = by_name["02_tesoreria_municipal.xlsx"]
    assert "02_tesoreria_municipal_v2.xlsx" in dup["Motivo"]
    assert "bloqueo" in by_name["~$02_tesoreria_municipal.xlsx"]["Motivo"]
    assert "--recursivo" in by_name["anteriores/"]["Motivo"]
    assert "vacío" in by_name["vacio.xlsx"]["Motivo"]
    assert by_name["04_comisaria_de_seguridad_publica.xlsx"]["Errores"] >= 1
    old = by_name["06_direccion_de_servicios_publicos_municipales.xlsx"]
    assert old["Versión de plantilla"] == "0.9 (2023)"
    assert "2023" in old["Avisos"]
    for r in rows:
        if r["Estado"] != "Omitido" and r["Estado"] != "Ilegible":
            assert len(r["sha256"]) == 64 and r["Dependencia"]


def test_cada_linea_en_el_plan_consolidado(run: dict[str, Any], config: Any) -> None:
    _, entregas = read_sheet(run["master"], "Entregas")
    _, plan = read_sheet(run["master"], "Plan consolidado")
    assert len(plan) == sum(r["Líneas de meta"] or 0 for r in entregas)
    expected: dict[str, int] = {}
    for name, estado in EXPECTED.items():
        if estado in ("Omitido", "Ilegible"):
            continue
        parsed, _rep = validate_file(run["folder"] / name, config)
        assert parsed is not None
        expected[name] = len(parsed.lines)
    got: dict[str, int] = {}
    for r in plan:
        got[r["Archivo"]] = got.get(r["Archivo"], 0) + 1
    assert got == expected
    tes = [r for r in plan if r["Archivo"] == "02_tesoreria_municipal_v2.xlsx"]
    assert all(r["Dependencia"] == "Tesorería Municipal" and r["Estado"] == "Aceptado"
               for r in tes)
    main = tes[0]
    assert main["Tipo de fila"] == "Principal" and isinstance(main["Fila"], int)
    quarters = [main[f"{n}° trimestre"] for n in (1, 2, 3, 4)]
    assert all(isinstance(q, float | int) for q in quarters)
    assert abs(sum(quarters) - 1) < 1e-9  # porcentajes como fracción con formato %
    rejected = [r for r in plan if r["Archivo"] == "04_comisaria_de_seguridad_publica.xlsx"]
    assert rejected and all(r["Estado"] == "Rechazado" for r in rejected)


def test_formato_de_porcentaje_y_tabla(run: dict[str, Any]) -> None:
    wb = load_workbook(run["master"])
    ws = wb["Plan consolidado"]
    headers = [c.value for c in ws[1]]
    col = headers.index("1° trimestre") + 1
    assert "%" in ws.cell(row=2, column=col).number_format
    assert ws.freeze_panes == "B2"
    assert "PlanConsolidado" in ws.tables
    assert "Entregas" in wb["Entregas"].tables


def test_observaciones_igual_que_validar(run: dict[str, Any]) -> None:
    _, obs = read_sheet(run["master"], "Observaciones")
    names = [n for n, e in EXPECTED.items() if e != "Omitido"]
    proc = pea("validar", "--formato", "json", *(str(run["folder"] / n) for n in names))
    data = json.loads(proc.stdout)
    expected = sorted((n, h["regla"], h["severidad"], h["celda"], h["mensaje"])
                      for n, d in zip(names, data, strict=True) for h in d["hallazgos"])
    got = sorted((r["Archivo"], r["Regla"], r["Severidad"], r["Celda"], r["Mensaje"])
                 for r in obs)
    assert got == expected


def test_cobertura_x01(run: dict[str, Any]) -> None:
    headers, rows = read_sheet(run["master"], "Cobertura")
    assert headers[:2] == ["Regla", "Severidad"]
    x01 = [r for r in rows if r["Regla"] == "PEA-X01"]
    assert len(x01) == 1 and x01[0]["Elemento"] == "Tesorería Municipal"
    assert "02_tesoreria_municipal_v2.xlsx" in x01[0]["Mensaje"]


def test_resumen_reglas_con_descripcion(run: dict[str, Any]) -> None:
    """«Reglas con más hallazgos» trae el título de cada regla (el proceso principal no lee
    planes: el registro de reglas debe cargarse también ahí)."""
    from pea.rules.registry import load_all

    wb = load_workbook(run["master"], read_only=True)
    rows = [r for r in wb["Resumen"].iter_rows(values_only=True)]
    wb.close()
    head = next(i for i, r in enumerate(rows) if r[:2] == ("Descripción", "Regla"))
    listed = [r for r in rows[head + 1:] if r[1] and str(r[1]).startswith("PEA-")]
    assert listed
    titles = {rid: rule.title for rid, rule in load_all().items()}
    assert all(r[0] == titles[r[1]] for r in listed), listed


def test_promedios_sin_trimestres_fuera_de_rango() -> None:
    """Un 4200 % (42 con formato de porcentaje, PEA-Q02) no entra al promedio del Resumen."""
    from pea.consolidate.outcome import QUARTERS, MasterLine
    from pea.consolidate.summary import _quarters

    def line(quarters: tuple[float, ...]) -> MasterLine:
        values: list[Any] = [None] * 20
        for i, v in zip(QUARTERS, quarters, strict=True):
            values[i] = v
        return MasterLine(10, "principal", tuple(values), None, None, "")

    ok, bad = line((0.25, 0.25, 0.5, 0)), line((42, 0.3, 0.3, 0))
    negative = line((-0.1, 0.5, 0.6, 0))
    assert _quarters(ok) == [0.25, 0.25, 0.5, 0]
    assert _quarters(bad) is None and _quarters(negative) is None


def test_entradas_intactas_y_copias_aparte(run: dict[str, Any]) -> None:
    assert digest_tree(run["folder"]) == run["before"]
    copies = sorted(p.name for p in (run["base"] / "revisados").iterdir())
    assert "comisaria_de_seguridad_publica_revisado.xlsx" in copies
    assert not any(n.startswith("02_") for n in copies)


def test_csv_con_bom(run: dict[str, Any]) -> None:
    raw = (run["base"] / "csv" / "entregas.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfArchivo,Dependencia,Estado")
    assert "Tesorería Municipal".encode() in raw
    plan = (run["base"] / "csv" / "plan_consolidado.csv").read_text(encoding="utf-8-sig")
    _, rows = read_sheet(run["master"], "Plan consolidado")
    assert len(plan.strip().splitlines()) >= len(rows) + 1
    from pea.consolidate.export import EXPORT_NAMES  # lo que no se lee como entrega

    assert sorted(p.stem for p in (run["base"] / "csv").iterdir()) == sorted(EXPORT_NAMES)


def test_recursivo_incluye_subcarpetas(tmp_path: Path) -> None:
    folder = build_folder(tmp_path / "entregas")
    master = tmp_path / "maestro.xlsx"
    proc = pea("consolidar", str(folder), "--salida", str(master), "--recursivo", "-q")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ""
    _, rows = read_sheet(master, "Entregas")
    got = {r["Archivo"]: r["Estado"] for r in rows}
    assert got["anteriores/tesoreria_primera_version.xlsx"] == "Duplicado"
    assert got["02_tesoreria_municipal_v2.xlsx"] == "Aceptado"
    assert "anteriores/" not in got


def test_maestro_dentro_de_la_carpeta_no_se_lee(tmp_path: Path) -> None:
    folder = build_folder(tmp_path / "entregas")
    master = folder / "maestro.xlsx"
    for _ in range(2):
        proc = pea("consolidar", str(folder), "--salida", str(master), "--formato", "json",
                   "--anotar", str(folder / "revisados"), "-r")
        assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    _, rows = read_sheet(master, "Entregas")
    names = {r["Archivo"] for r in rows}
    assert not any(n.startswith(("maestro", "revisados")) for n in names)
    assert data["leidos"] == 0 and data["de_cache"] == 15


def test_excluir_rechazados(tmp_path: Path) -> None:
    folder = build_folder(tmp_path / "entregas")
    # la entrega sustituida de Tesorería además tiene un error: tampoco se copian sus líneas
    old = folder / "02_tesoreria_municipal.xlsx"
    stamp = old.stat().st_mtime
    apply_changes(old, {"celdas": {"M10": 0.4, "N10": 0.3, "O10": 0.2, "P10": 0}})
    os.utime(old, (stamp, stamp))
    master = tmp_path / "maestro.xlsx"
    proc = pea("consolidar", str(folder), "--salida", str(master), "--excluir-rechazados", "-q")
    assert proc.returncode == 0, proc.stderr
    _, plan = read_sheet(master, "Plan consolidado")
    assert not any(r["Estado"] == "Rechazado" for r in plan)
    assert not any(r["Archivo"] == old.name for r in plan)
    _, entregas = read_sheet(master, "Entregas")
    assert any(r["Estado"] == "Rechazado" for r in entregas)  # la entrega sigue listada
    dup = next(r for r in entregas if r["Archivo"] == old.name)
    assert dup["Estado"] == "Duplicado" and "Estado propio: Rechazado" in dup["Motivo"]
    assert not dup["Motivo"].endswith("..")


def test_usos_incorrectos(tmp_path: Path) -> None:
    folder = tmp_path / "entregas"
    folder.mkdir()
    write_plan_xlsx(demo_plans()[0], folder / "plan.xlsx")
    cases = [
        ("consolidar", str(tmp_path / "no_existe"), "--salida", str(tmp_path / "m.xlsx")),
        ("consolidar", str(folder), "--salida", str(tmp_path / "m.csv")),
        ("consolidar", str(folder), "--salida", str(folder / "plan.xlsx")),  # una entrega
        ("consolidar", str(folder), "--salida", str(tmp_path / "m.xlsx"), "--anotar",
         str(folder)),
        ("consolidar", str(folder)),
    ]
    notes = tmp_path / "notas.txt"
    notes.write_text("pendientes", encoding="utf-8")
    mail = folder / "correo marzo"  # una subcarpeta con entregas de la persona
    mail.mkdir()
    write_plan_xlsx(demo_plans()[1], mail / "obras.xlsx")
    for option in ("--anotar", "--csv", "--parquet"):
        for target in (folder, notes, notes / "sub", mail):
            cases.append(("consolidar", str(folder), "-r", "--salida", str(tmp_path / "m.xlsx"),
                          option, str(target)))
    before = digest_tree(tmp_path)
    for args in cases:
        proc = pea(*args)
        assert proc.returncode == 2, (args, proc.stderr)
        assert "Error:" in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "m.xlsx").exists()
    assert digest_tree(tmp_path) == before  # nada escrito ni cambiado


def test_salidas_dentro_de_la_carpeta_sin_esconder_entregas(tmp_path: Path) -> None:
    """Las carpetas de salida pueden ir dentro de la carpeta de entregas (nuevas o con solo
    salidas de PEA) y se saltan; los libros que se llaman como el maestro pero están en otra
    carpeta, o empiezan como una carpeta de salida, son entregas."""
    folder = tmp_path / "entregas"
    (folder / "sub").mkdir(parents=True)
    names = ["plan_2024.xlsx.xlsx", "sub/plan_2024.xlsx.v2.xlsx", "revisados.obras.xlsx",
             "csv.tesoreria.xlsx"]
    for i, name in enumerate(names):
        write_plan_xlsx(demo_plans()[i], folder / name)
    master = folder / "plan_2024.xlsx"
    args = ("consolidar", str(folder), "-r", "-o", str(master), "--anotar",
            str(folder / "revisados"), "--csv", str(folder / "csv"), "-f", "json")
    for _ in range(2):  # la segunda vez, las carpetas ya tienen las salidas de la primera
        proc = pea(*args)
        assert proc.returncode == 0, proc.stderr
        assert json.loads(proc.stdout)["archivos"] == len(names)
    _, rows = read_sheet(master, "Entregas")
    assert sorted(r["Archivo"] for r in rows) == sorted(names)


def test_repetir_la_corrida_con_todas_las_salidas_en_una_subcarpeta(tmp_path: Path) -> None:
    """Maestro, copias y exportaciones en la misma subcarpeta de la carpeta de entregas (y el
    CSV en una carpeta dentro de la de copias): repetir la orden funciona, aunque alguien
    tenga abierta una copia (archivo de bloqueo «~$» de Excel)."""
    folder = build_folder(tmp_path / "entregas")
    out = folder / "resultados"
    args = ("consolidar", str(folder), "-o", str(out / "maestro.xlsx"), "--anotar", str(out),
            "--csv", str(out / "csv"), "--parquet", str(out), "-q")
    assert pea(*args).returncode == 0
    copies = sorted(out.glob("[!~]*_revisado.xlsx"))
    assert copies
    (out / f"~${copies[0].name}").write_bytes(b"\x0cMaria Lopez" + b"\x00" * 150)
    proc = pea(*args)
    assert proc.returncode == 0, proc.stderr
    assert sorted(out.glob("[!~]*_revisado.xlsx")) == copies  # reemplazadas, no duplicadas


def test_exportaciones_de_texto_del_plan_se_consolidan(tmp_path: Path) -> None:
    """Un .txt/.tsv con el encabezado del plan (la exportación que también lee «pea validar»)
    es una entrega; cualquier otro texto se lista como omitido. Sin libro que anotar, la
    exportación solo deja un aviso con --anotar."""
    from tests.conftest import SEED

    folder = tmp_path / "entregas"
    folder.mkdir()
    (folder / "comunicacion.txt").write_bytes(SEED.read_bytes())
    (folder / "comunicacion_utf16.tsv").write_bytes(
        SEED.read_text(encoding="utf-8").encode("utf-16"))
    os.utime(folder / "comunicacion.txt", (time.time() - 3600, time.time() - 3600))
    (folder / "leeme.txt").write_text("Entregas de marzo\tpendientes", encoding="utf-8")
    (folder / "vacio.tsv").write_bytes(b"")
    master = tmp_path / "maestro.xlsx"
    proc = pea("consolidar", str(folder), "-o", str(master), "--anotar", str(tmp_path / "rev"),
               "-f", "json")
    assert proc.returncode == 0, proc.stderr
    _, rows = read_sheet(master, "Entregas")
    estados = {r["Archivo"]: r["Estado"] for r in rows}
    assert estados["leeme.txt"] == estados["vacio.tsv"] == "Omitido"
    assert estados["comunicacion_utf16.tsv"] == "Con observaciones"  # la más reciente
    assert estados["comunicacion.txt"] == "Duplicado"
    _, plan = read_sheet(master, "Plan consolidado")
    assert {r["Archivo"] for r in plan} == {"comunicacion.txt", "comunicacion_utf16.tsv"}
    assert any("exportaciones de texto" in a for a in json.loads(proc.stdout)["avisos"])
    assert not (tmp_path / "rev").exists() or not any((tmp_path / "rev").iterdir())


def test_texto_que_no_cabe_en_una_celda_se_avisa(tmp_path: Path) -> None:
    """Una exportación de texto puede traer más de 32,767 caracteres en una celda: el maestro
    los recorta (límite de Excel) y lo avisa; el CSV los conserva completos."""
    from tests.conftest import SEED

    folder = tmp_path / "entregas"
    folder.mkdir()
    lines = SEED.read_text(encoding="utf-8").splitlines()
    row = next(i for i, ln in enumerate(lines) if ln.count("\t") > 10 and i > 24)
    cells = lines[row].split("\t")
    long_text = "Actividad de seguimiento detallada. " * 1200  # ~43,000 caracteres
    cells[10] = long_text
    lines[row] = "\t".join(cells)
    (folder / "larga.txt").write_text("\n".join(lines), encoding="utf-8")
    proc = pea("consolidar", str(folder), "-o", str(tmp_path / "m.xlsx"), "--csv",
               str(tmp_path / "csv"), "-f", "json")
    assert proc.returncode == 0, proc.stderr
    (aviso,) = [a for a in json.loads(proc.stdout)["avisos"] if "32,767" in a]
    assert "«larga.txt»" in aviso and f"{len(long_text.strip()):,} caracteres" in aviso
    csv_text = (tmp_path / "csv" / "plan_consolidado.csv").read_text(encoding="utf-8-sig")
    assert long_text.strip() in csv_text


def test_segunda_corrida_simultanea_se_rechaza(tmp_path: Path) -> None:
    folder = tmp_path / "entregas"
    folder.mkdir()
    write_plan_xlsx(demo_plans()[0], folder / "plan.xlsx")
    master = tmp_path / "maestro.xlsx"
    lock = Path(str(master) + ".lock")
    lock.write_text(str(os.getpid()))  # este proceso de pruebas «está escribiendo»
    try:
        proc = pea("consolidar", str(folder), "--salida", str(master))
    finally:
        lock.unlink()
    assert proc.returncode == 2
    assert "Otro proceso" in proc.stderr
    assert not master.exists()


def test_x01_desactivada_no_marca_duplicados(tmp_path: Path) -> None:
    from pea.consolidate.run import Options, consolidate

    folder = build_folder(tmp_path / "entregas")
    config = load_config()
    config.severidades["PEA-X01"] = "desactivada"
    result = consolidate(Options(folder=folder, output=tmp_path / "m.xlsx"), config)
    estados = {s.archivo: s.estado for s in result.consolidation.submissions}
    assert estados["02_tesoreria_municipal.xlsx"] == "Aceptado"
    assert not any(f.regla == "PEA-X01" for f in result.consolidation.cross)


@pytest.mark.parametrize(("antes", "gana"), [
    ("tesoreria.xlsx", "Tesoreria_v2.xlsx"),  # sin distinguir mayúsculas
    ("obras_v9.xlsx", "obras_v10.xlsx"),  # orden natural, no de texto
    ("dif.xlsx", "dif (2).xlsx"),  # la copia que numera Windows
])
def test_x01_a_igual_fecha_gana_el_nombre_mayor(antes: str, gana: str) -> None:
    from pea.rules.cross import PlanFacts, duplicate_groups

    for order in ((antes, gana), (gana, antes)):
        plans = [PlanFacts(name, "Tesorería Municipal", 1_700_000_000.0) for name in order]
        (group,) = duplicate_groups(plans)
        assert group.vigente.archivo == gana
        assert [d.archivo for d in group.duplicados] == [antes]


def test_vinculo_a_la_entrega_con_numeral_y_porcentaje(tmp_path: Path) -> None:
    """«Archivo» en Entregas abre el libro aunque su nombre tenga «#», «%» o espacios (sin
    escapar, XlsxWriter toma lo que sigue a «#» como una celda del libro)."""
    import zipfile
    from urllib.parse import unquote

    folder = tmp_path / "entregas"
    folder.mkdir()
    name = "Tesorería #2 al 100% [final].xlsx"
    write_plan_xlsx(demo_plans()[1], folder / name)
    master = tmp_path / "maestro.xlsx"
    assert pea("consolidar", str(folder), "--salida", str(master), "-q").returncode == 0
    wb = load_workbook(master)
    link = wb["Entregas"]["A2"].hyperlink
    assert link is not None and link.location is None
    assert unquote(link.target).replace("\\", "/") == f"entregas/{name}"
    with zipfile.ZipFile(master) as z:
        rels = [n for n in z.namelist() if n.endswith(".rels") and "worksheets" in n]
        assert any("%232" in z.read(n).decode() for n in rels)


def test_x03_mir_compartida(tmp_path: Path) -> None:
    """Dos dependencias que programan el mismo elemento de MIR."""
    from pea.consolidate.run import Options, consolidate

    folder = tmp_path / "entregas"
    folder.mkdir()
    plans = demo_plans()
    a = write_plan_xlsx(plans[0], folder / "a.xlsx")
    other = dict(plans[8])
    other["filas"] = [dict(f, programa_presupuestario=plans[0]["filas"][0]["programa_presupuestario"],
                           mir=plans[0]["filas"][0]["mir"]) for f in other["filas"]]
    b = write_plan_xlsx(other, folder / "b.xlsx")
    assert a.exists() and b.exists()
    result = consolidate(Options(folder=folder, output=tmp_path / "m.xlsx"), load_config())
    x03 = [f for f in result.consolidation.cross if f.regla == "PEA-X03"]
    assert len(x03) == 1
    assert set(x03[0].archivos) == {"a.xlsx", "b.xlsx"}
    assert "4.1" in x03[0].elemento


@pytest.mark.parametrize("grande", [False, True])
def test_escritura_en_bloque_da_las_mismas_celdas(tmp_path: Path, monkeypatch: Any,
                                                  grande: bool) -> None:
    """El atajo de `bulk_sheet` y la API pública de XlsxWriter escriben el mismo maestro."""
    import zipfile

    from pea.consolidate import bulk_sheet, master
    from pea.consolidate.run import Options, consolidate

    assert bulk_sheet.available()  # con la versión fijada de XlsxWriter se usa el atajo
    if grande:  # sin tablas de Excel y con cadenas en línea, como con >150,000 líneas
        monkeypatch.setattr(master, "CONSTANT_MEMORY_ROWS", 0)
    folder = build_folder(tmp_path / "entregas")
    config = load_config()
    fast = tmp_path / "rapido.xlsx"
    slow = tmp_path / "lento.xlsx"
    result = consolidate(Options(folder, fast), config)
    master.write_master(result.consolidation, config, slow, fast=False)
    a, b = load_workbook(fast), load_workbook(slow)
    assert a.sheetnames == b.sheetnames
    for name in a.sheetnames:
        cells_a = [[(c.value, c.number_format) for c in r] for r in a[name].iter_rows()]
        cells_b = [[(c.value, c.number_format) for c in r] for r in b[name].iter_rows()]
        assert cells_a == cells_b, name
        assert sorted(a[name].tables) == sorted(b[name].tables)
    with zipfile.ZipFile(fast) as za, zipfile.ZipFile(slow) as zb:
        tables_a = {n: za.read(n) for n in za.namelist() if n.startswith("xl/tables/")}
        tables_b = {n: zb.read(n) for n in zb.namelist() if n.startswith("xl/tables/")}
    assert tables_a == tables_b


def test_nivel_de_compresion_del_maestro(tmp_path: Path) -> None:
    """XlsxWriter comprime con `ZIP_LEVEL` (y usa el atajo de cadenas) solo mientras se
    cierra el maestro."""
    import io
    import random
    import zipfile

    import xlsxwriter.workbook as xw

    from pea.consolidate import bulk_sheet

    rnd = random.Random(7)
    text = " ".join(rnd.choice(["meta", "eje", "plan", "obra", "2026", "DIF"])
                    for _ in range(40_000)).encode()

    def size(zf_class: type[zipfile.ZipFile]) -> int:
        buf = io.BytesIO()
        with zf_class(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            info = zipfile.ZipInfo("x.xml")  # como XlsxWriter: con ZipInfo y su método
            info.compress_type = zf.compression
            zf.writestr(info, text)
        return len(buf.getvalue())

    import xlsxwriter.packager as xp
    from xlsxwriter.sharedstrings import SharedStrings

    with bulk_sheet.fast_close():
        patched = xw.ZipFile
        assert patched is not zipfile.ZipFile and xp.SharedStrings is not SharedStrings
        assert size(patched) != size(zipfile.ZipFile)  # el nivel sí llega a zlib
    assert xw.ZipFile is zipfile.ZipFile and xp.SharedStrings is SharedStrings  # restaurados


def test_cadenas_compartidas_rapidas_iguales_a_xlsxwriter(tmp_path: Path) -> None:
    """`sharedStrings.xml` sale idéntico byte a byte con y sin el atajo, con textos difíciles.

    Salvo «<r>…</r>», que XlsxWriter copia crudo y el atajo escapa (tests/test_textos_xml.py)."""
    import zipfile

    import xlsxwriter

    from pea.consolidate import bulk_sheet

    texts = ["normal", " al inicio", "al final ", "al final\n", "salto\nen medio", "fin \n",
             "tab\t", "\tini", "a & b < c > d \" e", "_x0000_ literal", "_x00AF_y_xZZZZ_",
             "ctl\x01\x08\x0b\x1f", "\x00", "no\ufffecar\uffff", "ñandú ÁÉÍÓÚ ü", "\u00a0duro\u00a0", "", "x" * 40_000,
             "\u200bancho cero", "dos  espacios", "1.- Paso\r\n2.- Paso"]

    def build(path: Path, fast: bool) -> bytes:
        wb = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False,
                                             "strings_to_formulas": False,
                                             "strings_to_urls": False})
        ws = wb.add_worksheet()
        for i, t in enumerate(texts):
            ws.write_string(i, 0, t)
        if fast:
            with bulk_sheet.fast_close():
                wb.close()
        else:
            wb.close()
        with zipfile.ZipFile(path) as z:
            return z.read("xl/sharedStrings.xml")

    assert build(tmp_path / "rapido.xlsx", True) == build(tmp_path / "normal.xlsx", False)


def test_parquet(tmp_path: Path) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    folder = build_folder(tmp_path / "entregas")
    master = tmp_path / "maestro.xlsx"
    proc = pea("consolidar", str(folder), "--salida", str(master), "--parquet",
               str(tmp_path / "pq"), "-q")
    assert proc.returncode == 0, proc.stderr
    table = pq.read_table(tmp_path / "pq" / "plan_consolidado.parquet")
    _, plan = read_sheet(master, "Plan consolidado")
    assert table.num_rows == len(plan)
    assert str(table.schema.field("1° trimestre").type) == "double"
    assert pq.read_table(tmp_path / "pq" / "entregas.parquet").num_rows == len(EXPECTED)


def test_parquet_esquema_fijo_aunque_no_haya_datos(tmp_path: Path) -> None:
    """Una carpeta sin hallazgos ni duplicados: las columnas vacías conservan su tipo (una
    tabla de BI que agrega cada semana no cambia de esquema)."""
    pq = pytest.importorskip("pyarrow.parquet")
    from pea.consolidate.columns import ENTREGAS_COLUMNS, OBSERVACIONES_COLUMNS

    folder = tmp_path / "entregas"
    folder.mkdir()
    write_plan_xlsx(demo_plans()[1], folder / "plan.xlsx")  # sin ningún hallazgo
    proc = pea("consolidar", str(folder), "--salida", str(tmp_path / "m.xlsx"), "--parquet",
               str(tmp_path / "pq"), "-q")
    assert proc.returncode == 0, proc.stderr
    obs = pq.read_table(tmp_path / "pq" / "observaciones.parquet")
    assert obs.num_rows == 0
    ent = pq.read_table(tmp_path / "pq" / "entregas.parquet")
    expected = {"text": "string", "long": "string", "int": "int64", "date": "timestamp"}
    for table, cols in ((obs, OBSERVACIONES_COLUMNS), (ent, ENTREGAS_COLUMNS)):
        for col in cols:  # (Parquet guarda las fechas en ms)
            assert str(table.schema.field(col.header).type).startswith(expected[col.kind]), col
    assert ent.column("Motivo").null_count == 1  # vacía, pero de texto


def test_parquet_sin_pyarrow_mensaje_claro(tmp_path: Path) -> None:
    """Sin pyarrow: error de uso en español antes de leer nada (código 2)."""
    fake = tmp_path / "sin_pyarrow" / "pyarrow"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text("raise ImportError('sin pyarrow')\n", encoding="utf-8")
    folder = tmp_path / "entregas"
    folder.mkdir()
    write_plan_xlsx(demo_plans()[0], folder / "plan.xlsx")
    env = {**os.environ, "PYTHONPATH": str(fake.parent)}
    proc = subprocess.run([sys.executable, "-m", "pea", "consolidar", str(folder), "--salida",
                           str(tmp_path / "m.xlsx"), "--parquet", str(tmp_path / "pq")],
                          capture_output=True, text=True, env=env, timeout=120, check=False)
    assert proc.returncode == 2
    assert "pyarrow" in proc.stderr and "parquet" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "m.xlsx").exists()


def test_un_maestro_anterior_en_la_carpeta_se_omite(tmp_path: Path) -> None:
    import shutil

    folder = tmp_path / "entregas"
    folder.mkdir()
    write_plan_xlsx(demo_plans()[0], folder / "plan.xlsx")
    first = tmp_path / "primero.xlsx"
    assert pea("consolidar", str(folder), "--salida", str(first), "-q").returncode == 0
    shutil.copyfile(first, folder / "maestro_de_marzo.xlsx")
    second = tmp_path / "segundo.xlsx"
    assert pea("consolidar", str(folder), "--salida", str(second), "-q").returncode == 0
    _, rows = read_sheet(second, "Entregas")
    by_name = {r["Archivo"]: r for r in rows}
    assert by_name["maestro_de_marzo.xlsx"]["Estado"] == "Omitido"
    assert "maestro" in by_name["maestro_de_marzo.xlsx"]["Motivo"]
    _, plan = read_sheet(second, "Plan consolidado")
    assert {r["Archivo"] for r in plan} == {"plan.xlsx"}


def test_cada_hoja_tiene_un_valor_por_encabezado(tmp_path: Path) -> None:
    """Encabezados (`columns.py`) y valores (`tables.py`) van por posición: una columna que
    se agrega en un lado y no en el otro correría todas las de la derecha."""
    from pea.config import load_config
    from pea.consolidate import columns as C
    from pea.consolidate import tables
    from pea.consolidate.run import Options, consolidate

    folder = build_folder(tmp_path / "entregas")
    c = consolidate(Options(folder, tmp_path / "m.xlsx"), load_config()).consolidation
    sheets = [(C.PLAN_COLUMNS, tables.plan_rows), (C.ENTREGAS_COLUMNS, tables.entregas_rows),
              (C.OBSERVACIONES_COLUMNS, tables.observaciones_rows),
              (C.COBERTURA_COLUMNS, tables.cobertura_rows),
              (C.ESTRATEGIAS_COLUMNS, tables.estrategias_rows)]
    for columns, rows in sheets:
        got = list(rows(c))
        assert got, rows.__name__
        assert {len(r) for r in got} == {len(columns)}, rows.__name__
    assert C.ENTREGAS_COLUMNS[C.ENTREGAS_ARCHIVO].header == "Archivo"
