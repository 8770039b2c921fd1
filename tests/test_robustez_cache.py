"""La caché nunca cambia un veredicto (issue 11, §4).

Cada prueba corre `pea consolidar` como otro proceso, con la carpeta de configuración
de la persona (donde vive la clave de firma) en una carpeta temporal, y manipula la
caché como podría hacerlo alguien con permiso de escritura en la carpeta compartida.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import sqlite3
import stat
import subprocess
import sys
import zlib
from pathlib import Path
from typing import Any

import pytest

from pea.demo import demo_plans
from pea.demo.mutate import apply_changes
from pea.demo.writer import write_plan_xlsx
from tests.test_consolidar import read_sheet

SEED = Path(__file__).parent / "fixtures" / "semilla_comunicacion_social.txt"


def _consolidar(folder: Path, master: Path, config: Path, *extra: str) -> dict[str, Any]:
    env = {**os.environ, "XDG_CONFIG_HOME": str(config), "APPDATA": str(config)}
    proc = subprocess.run([sys.executable, "-m", "pea", "consolidar", str(folder), "--salida",
                           str(master), "--formato", "json", *extra], capture_output=True,
                          text=True, timeout=300, env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Error interno" not in proc.stderr and "Traceback" not in proc.stderr
    return json.loads(proc.stdout)


def _estados(master: Path) -> dict[str, str]:
    _, rows = read_sheet(master, "Entregas")
    return {r["Archivo"]: r["Estado"] for r in rows}


@pytest.fixture
def rejected(tmp_path: Path) -> tuple[Path, Path, Path]:
    """Una carpeta con un plan Rechazado (trimestres que no suman 100 %)."""
    folder = tmp_path / "entregas"
    folder.mkdir()
    path = write_plan_xlsx(demo_plans()[0], folder / "plan.xlsx")
    apply_changes(path, {"celdas": {"M10": 0.4, "N10": 0.3, "O10": 0.2, "P10": 0}})
    return folder, tmp_path / "salida" / "maestro.xlsx", tmp_path / "config"


def _rewrite_entries(cache: Path, edit: Any, key: Path | None = None) -> int:
    """Aplica `edit(payload)` a cada entrada de la caché; con `key`, la vuelve a firmar
    con esa clave (como lo haría PEA con un defecto propio)."""
    db = sqlite3.connect(cache)
    (table,) = [n for (n,) in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
    cols = [r[1] for r in db.execute(f"PRAGMA table_info({table})")]
    rows = db.execute(f"SELECT clave, datos FROM {table}").fetchall()
    for clave, datos in rows:
        payload = json.loads(zlib.decompress(datos))
        edit(payload)
        new = zlib.compress(json.dumps(payload).encode())
        if "firma" in cols:
            secret = key.read_text().strip().encode() if key else b"clave inventada" * 3
            mac = hmac.new(secret, clave.encode(), hashlib.sha256)
            mac.update(b"\x00")
            mac.update(new)
            db.execute(f"UPDATE {table} SET datos = ?, firma = ? WHERE clave = ?",
                       (new, mac.digest(), clave))
        else:
            db.execute(f"UPDATE {table} SET datos = ? WHERE clave = ?", (new, clave))
    db.commit()
    db.close()
    return len(rows)


def _accept(payload: dict[str, Any]) -> None:
    """Lo que haría alguien que quiere que su plan pase: sin hallazgos y líneas inventadas."""
    report = payload["report"]
    report["valido"] = True
    report["hallazgos"] = []
    report["resumen"] = {"error": 0, "advertencia": 0, "info": 0}
    line = payload["lines"][0]
    payload["lines"] = [[line[0], line[1], *["INVENTADO"] * (len(line) - 2)]]


def test_entrada_alterada_no_cambia_el_veredicto(rejected: tuple[Path, Path, Path]) -> None:
    folder, master, config = rejected
    assert _consolidar(folder, master, config)["leidos"] == 1
    assert _estados(master) == {"plan.xlsx": "Rechazado"}
    assert _rewrite_entries(master.with_name(master.name + ".cache.sqlite"), _accept) == 1
    data = _consolidar(folder, master, config)
    assert data["leidos"] == 1 and data["de_cache"] == 0
    assert _estados(master) == {"plan.xlsx": "Rechazado"}
    assert any("firma válida" in a for a in data["avisos"]), data["avisos"]
    _, lines = read_sheet(master, "Plan consolidado")
    assert not any("INVENTADO" in str(v) for r in lines for v in r.values())
    assert _consolidar(folder, master, config)["de_cache"] == 1  # reparada


def test_entrada_firmada_con_otra_forma_se_descarta(rejected: tuple[Path, Path, Path]) -> None:
    """Bien formada (JSON) y firmada, pero con otra forma: se descarta, no «Error interno»."""
    folder, master, config = rejected
    _consolidar(folder, master, config)
    key = config / "pea" / "clave-cache"
    cache = master.with_name(master.name + ".cache.sqlite")

    def misshape(payload: dict[str, Any]) -> None:
        payload["report"] = {"valido": "sí"}
        payload["lines"] = [["x"]]

    _rewrite_entries(cache, misshape, key)
    data = _consolidar(folder, master, config)
    assert data["leidos"] == 1
    assert any("forma esperada" in a for a in data["avisos"]), data["avisos"]
    assert _estados(master) == {"plan.xlsx": "Rechazado"}


def test_sin_cache_reescribe_la_cache(rejected: tuple[Path, Path, Path]) -> None:
    folder, master, config = rejected
    _consolidar(folder, master, config)
    cache = master.with_name(master.name + ".cache.sqlite")

    def misshape(payload: dict[str, Any]) -> None:
        payload["lines"] = [["x"]]  # antes: «Error interno» en cada corrida siguiente

    _rewrite_entries(cache, misshape, config / "pea" / "clave-cache")
    data = _consolidar(folder, master, config, "--sin-cache")
    assert data["leidos"] == 1 and not any("caché" in a.lower() for a in data["avisos"])
    again = _consolidar(folder, master, config)
    assert (again["leidos"], again["de_cache"]) == (0, 1)  # la reescribió --sin-cache
    assert not again["avisos"]


def test_la_clave_no_vive_en_la_carpeta_compartida(rejected: tuple[Path, Path, Path]) -> None:
    """La clave se crea en la configuración de la persona (0600); la de otra persona no
    valida las entradas de esta (se releen, con aviso)."""
    folder, master, config = rejected
    _consolidar(folder, master, config)
    key = config / "pea" / "clave-cache"
    assert key.is_file() and len(key.read_text().strip()) >= 32
    if os.name == "posix":
        assert stat.S_IMODE(key.stat().st_mode) == 0o600
    shared = {p.name for p in folder.iterdir()} | {p.name for p in master.parent.iterdir()}
    assert "clave-cache" not in shared
    other = _consolidar(folder, master, master.parent.parent / "otra_persona")
    assert other["leidos"] == 1 and any("firma válida" in a for a in other["avisos"])
    assert _consolidar(folder, master, config)["leidos"] == 1  # la caché es ahora de la otra


def test_la_forma_de_lectura_es_parte_de_la_clave(tmp_path: Path) -> None:
    """Los mismos bytes como .xlsx (Ilegible) y renombrados a .txt (el lector de texto)."""
    folder = tmp_path / "entregas"
    folder.mkdir()
    wrong = folder / "comunicacion.xlsx"
    wrong.write_bytes(SEED.read_bytes())
    master, config = tmp_path / "maestro.xlsx", tmp_path / "config"
    _consolidar(folder, master, config)
    assert _estados(master) == {"comunicacion.xlsx": "Ilegible"}
    wrong.rename(folder / "comunicacion.txt")
    data = _consolidar(folder, master, config)
    assert data["leidos"] == 1
    assert _estados(master)["comunicacion.txt"] != "Ilegible"


def test_sin_clave_se_lee_todo_y_se_avisa(rejected: tuple[Path, Path, Path]) -> None:
    """Si la clave no se puede crear (la carpeta de configuración no sirve), se leen todos
    los archivos, no se guarda caché y se avisa; la corrida no falla."""
    folder, master, config = rejected
    config.write_text("no es una carpeta")
    data = _consolidar(folder, master, config)
    assert data["leidos"] == 1
    assert any("clave de la caché" in a for a in data["avisos"]), data["avisos"]
    assert _estados(master) == {"plan.xlsx": "Rechazado"}
    assert not master.with_name(master.name + ".cache.sqlite").exists()


def test_cache_que_es_un_enlace_no_escribe_en_otro_archivo(
        rejected: tuple[Path, Path, Path], tmp_path: Path) -> None:
    """Quien puede escribir junto al maestro deja, con el nombre de la caché, un enlace a
    otra base de datos de la persona: PEA no la toca (reconstruye la suya, con aviso)."""
    folder, master, config = rejected
    master.parent.mkdir(parents=True)
    other = tmp_path / "otra.sqlite"
    db = sqlite3.connect(other)
    db.execute("CREATE TABLE datos (x)")
    db.commit()
    db.close()
    before = other.read_bytes()
    master.with_name(master.name + ".cache.sqlite").symlink_to(other)
    data = _consolidar(folder, master, config)
    assert any("no era un archivo normal" in a for a in data["avisos"]), data["avisos"]
    assert other.read_bytes() == before
    assert not master.with_name(master.name + ".cache.sqlite").is_symlink()
    assert _consolidar(folder, master, config)["de_cache"] == 1


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="sin tuberías con nombre")
def test_cache_que_es_una_tuberia_no_cuelga(rejected: tuple[Path, Path, Path]) -> None:
    """Una tubería con el nombre de la caché: la corrida no se queda esperando."""
    folder, master, config = rejected
    master.parent.mkdir(parents=True)
    os.mkfifo(master.with_name(master.name + ".cache.sqlite"))
    env = {**os.environ, "XDG_CONFIG_HOME": str(config)}
    proc = subprocess.run([sys.executable, "-m", "pea", "consolidar", str(folder), "--salida",
                           str(master), "--formato", "json"], capture_output=True, text=True,
                          timeout=90, env=env)
    assert proc.returncode == 0, proc.stderr
    assert any("no era un archivo normal" in a for a in json.loads(proc.stdout)["avisos"])
    assert _consolidar(folder, master, config)["de_cache"] == 1


def test_cache_que_es_una_carpeta_aviso_en_espaniol(rejected: tuple[Path, Path, Path]) -> None:
    """Una carpeta con el nombre de la caché no se puede reemplazar: antes decía «se
    reconstruyó» y luego «(unable to open database file)», en inglés."""
    folder, master, config = rejected
    master.parent.mkdir(parents=True)
    master.with_name(master.name + ".cache.sqlite").mkdir()
    data = _consolidar(folder, master, config)
    avisos = " ".join(data["avisos"])
    assert "no se pudo usar la caché" in avisos and "se leyeron todos" in avisos, avisos
    assert "unable" not in avisos and "database" not in avisos, avisos
    assert "se reconstruyó" not in avisos, avisos
    assert _estados(master) == {"plan.xlsx": "Rechazado"}


def test_motivos_de_sqlite_en_espaniol() -> None:
    from pea.consolidate.cache import sqlite_reason

    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE t (x)")
    db.execute("PRAGMA query_only = ON")
    with pytest.raises(sqlite3.Error) as info:
        db.execute("INSERT INTO t VALUES (1)")
    assert sqlite_reason(info.value) == "el archivo o el disco es de solo lectura"


def test_un_solo_aviso_por_corrida_aunque_la_caché_se_consulte_por_grupos(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """La caché se consulta por grupos de archivos (`run.LOOKUP_FILES`) mientras se leen: las
    entradas alteradas de todos los grupos se cuentan en un solo aviso."""
    from pea.config import load_config
    from pea.consolidate import run
    from pea.consolidate.run import Options, consolidate
    from tests.test_consolidar import build_folder

    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setattr(run, "LOOKUP_FILES", 2)
    folder = build_folder(tmp_path / "entregas")
    master = tmp_path / "maestro.xlsx"
    config = load_config()
    assert consolidate(Options(folder, master), config).consolidation.read_count == 14
    def accept(payload: dict[str, Any]) -> None:
        if payload["lines"]:
            _accept(payload)
        else:  # (un ilegible no tiene líneas)
            payload["report"]["valido"] = True

    forged = _rewrite_entries(master.with_name(master.name + ".cache.sqlite"), accept)
    c = consolidate(Options(folder, master), config).consolidation
    assert c.read_count == 14 and forged >= 10
    cache_avisos = [a for a in c.avisos if "firma válida" in a]
    assert len(cache_avisos) == 1 and f"{forged} resultado(s)" in cache_avisos[0], c.avisos
