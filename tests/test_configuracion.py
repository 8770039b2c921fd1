"""La configuración de reglas (`rules/`): cada error es de la persona, en español, con el
archivo, la clave y lo esperado; exit 2 antes de leer un solo plan (issue 11 §6, §3)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pea.config import ConfigError, default_rules_dir, load_config
from pea.demo import demo_plans
from pea.demo.writer import write_plan_xlsx


def pea(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pea", *args], capture_output=True, text=True,
                          timeout=120, check=False)


@pytest.fixture(scope="module")
def plan(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("entregas")
    write_plan_xlsx(demo_plans()[1], d / "tesoreria.xlsx", variant="texto")
    write_plan_xlsx(demo_plans()[2], d / "obras.xlsx", variant="texto")
    return d / "tesoreria.xlsx"


def _rules(tmp_path: Path) -> Path:
    dest = tmp_path / "reglas"
    shutil.copytree(default_rules_dir(), dest)
    return dest


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


# (archivo relativo, texto original, reemplazo, fragmentos esperados en el mensaje)
CASES = {
    "catalogo_sin_clave": ("catalogos/dependencias.yaml", '  - dependencia: "Contraloría Municipal"',
                           '  - dependenci: "Contraloría Municipal"',
                           ["dependencias.yaml", "elemento 7", "«dependencia»", "falta",
                            "¿quiso decir «dependencia»?"]),
    "numero_por_texto": ("catalogos/programas_presupuestarios.yaml",
                         '  - programa: "4. Bienestar social e inclusión."', "  - programa: 4",
                         ["programas_presupuestarios.yaml", "elemento 4", "«programa»",
                          "se esperaba texto", "el número 4"]),
    "estrategia_numero": ("catalogos/pmdg.yaml",
                          '          - "1.1.1 Fortalecer la vigilancia preventiva por sectores '
                          'con participación vecinal."', "          - 1.5",
                          ["pmdg.yaml", "«estrategias» → elemento 1", "se esperaba texto"]),
    "limites_numero": ("configuracion.yaml", "limites:\n  tamano_archivo_mb: 50",
                       "limites: 5\nlimites_viejos:\n  tamano_archivo_mb: 50",
                       ["configuracion.yaml", "«limites»", "mapa de claves", "el número 5"]),
    "tolerancia_texto": ("configuracion.yaml", "tolerancia_suma: 0.5", 'tolerancia_suma: "abc"',
                         ["«parametros» → «tolerancia_suma»", "se esperaba un número",
                          "«abc»"]),
    "clave_desconocida": ("configuracion.yaml", "  municipio:", "  municipo:",
                          ["«parametros» → «municipo»", "clave desconocida",
                           "¿quiso decir «municipio»?"]),
    "regla_desconocida": ("configuracion.yaml", "PEA-Q04: advertencia", "PEA-Q3: error",
                          ["«severidades» → «PEA-Q3»", "no existe esa regla",
                           "¿quiso decir «PEA-Q03»?"]),
    "severidad_errata": ("configuracion.yaml", "PEA-Q04: advertencia", "PEA-Q04: erorr",
                         ["«PEA-Q04»", "«desactivada»", "¿quiso decir «error»?"]),
    "fecha_mal": ("configuracion.yaml", "fecha_fin_administracion: 2024-09-30",
                  "fecha_fin_administracion: 30/09/2024", ["«fecha_fin_administracion»",
                                                           "AAAA-MM-DD"]),
    "filas_cero": ("configuracion.yaml", "filas: 5000", "filas: 0",
                   ["«limites» → «filas»", "mayor que 0"]),
    # antes: «Error interno (OverflowError…)», «(ValueError: month must be in 1..12)» y el
    # texto en inglés de PyYAML
    "limite_enorme": ("configuracion.yaml", "tamano_archivo_mb: 50", "tamano_archivo_mb: 1e30",
                      ["«limites» → «tamano_archivo_mb»", "menor o igual que"]),
    "segundos_enorme": ("configuracion.yaml", "segundos_por_archivo: 30",
                        "segundos_por_archivo: 1e308",
                        ["«limites» → «segundos_por_archivo»", "menor o igual que"]),
    "fecha_inexistente": ("configuracion.yaml", "fecha_fin_administracion: 2024-09-30",
                          "fecha_fin_administracion: 2024-13-45",
                          ["configuracion.yaml", "parece una fecha"]),
    "fecha_inexistente_catalogo": ("catalogos/pmdg.yaml", "pmdg:\n", "fecha: 2024-02-30\npmdg:\n",
                                   ["pmdg.yaml", "parece una fecha"]),
    "etiqueta_python": ("configuracion.yaml", 'version: "2024.1"',
                        "version: !!python/object/apply:os.system ['echo x']",
                        ["configuracion.yaml", "no es YAML válido", "etiqueta", "renglón 6"]),
    "control_en_municipio": ("configuracion.yaml", '  municipio: "Oaxaca de Jalisco"',
                             '  municipio: "Oaxaca\\e]0;x\\a"',
                             ["configuracion.yaml", "«parametros» → «municipio»",
                              "carácter de control", "\\x1b"]),
    "control_en_catalogo": ("catalogos/dependencias.yaml", '"Contraloría Municipal"',
                            '"Contraloría\\x07 Municipal"',
                            ["dependencias.yaml", "carácter de control", "\\x07"]),
    "tabulador": ("configuracion.yaml", "  municipio:", "\tmunicipio:",
                  ["configuracion.yaml", "tabulador", "renglón"]),
}


def test_plantilla_con_control_en_la_configuracion(tmp_path: Path) -> None:
    """Antes: «Error interno (IllegalCharacterError…)» al escribir el título de la plantilla."""
    rules = _rules(tmp_path)
    _edit(rules / "configuracion.yaml", '  municipio: "Oaxaca de Jalisco"',
          '  municipio: "Oaxaca\\e[2J"')
    proc = pea("plantilla", "--reglas", str(rules), "--salida", str(tmp_path / "t.xlsm"))
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "Error interno" not in proc.stderr and "carácter de control" in proc.stderr
    assert not (tmp_path / "t.xlsm").exists()


def test_mensajes_de_yaml_sin_ingles(plan: Path, tmp_path: Path) -> None:
    """Ningún error de sintaxis deja pasar el texto de PyYAML («could not…», «found…»)."""
    for i, bad in enumerate(["a: [1,\n", 'x: "abc\n', "a: 1\n b: 2\n", "- a\nb: 1\n",
                             "a: *nada\n", "a: b: c\n", "a: '\\q'\n", "a: \"\\q\"\n"]):
        rules = _rules(tmp_path / str(i))
        (rules / "configuracion.yaml").write_text(bad, encoding="utf-8")
        proc = pea("validar", str(plan), "--reglas", str(rules))
        assert proc.returncode == 2, (bad, proc.stderr)
        assert "Traceback" not in proc.stderr and "Error interno" not in proc.stderr
        assert not re.search(r"\b(found|could|expected|while|scanning|parsing)\b",
                             proc.stderr), (bad, proc.stderr)


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("command", ["validar", "consolidar"])
def test_error_de_configuracion_en_espanol(case: str, command: str, plan: Path,
                                           tmp_path: Path) -> None:
    rel, old, new, expected = CASES[case]
    rules = _rules(tmp_path)
    _edit(rules / rel, old, new)
    target = plan if command == "validar" else plan.parent
    extra = ["--salida", str(tmp_path / "maestro.xlsx")] if command == "consolidar" else []
    proc = pea(command, str(target), "--reglas", str(rules), *extra)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    assert "Error interno" not in proc.stderr
    for fragment in expected:
        assert fragment in proc.stderr, (fragment, proc.stderr)
    assert not (tmp_path / "maestro.xlsx").exists()


def test_carpeta_de_reglas_vacia(plan: Path, tmp_path: Path) -> None:
    empty = tmp_path / "vacia"
    empty.mkdir()
    proc = pea("validar", str(plan), "--reglas", str(empty))
    assert proc.returncode == 2
    assert "no tiene «configuracion.yaml»" in proc.stderr


def test_catalogo_con_nombre_equivocado(tmp_path: Path) -> None:
    rules = _rules(tmp_path)
    (rules / "catalogos" / "pmdg.yaml").rename(rules / "catalogos" / "pmgd.yaml")
    with pytest.raises(ConfigError, match=re.escape("¿quiso decir «pmdg.yaml»?")):
        load_config(rules)


def _alias_bomb(levels: int = 20) -> str:
    lines = ['a0: &a0 ["x","x","x","x","x","x","x","x","x"]']
    for i in range(1, levels):
        lines.append(f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]")
    return "\n".join(lines) + f"\ndependencias: [{{dependencia: x, unidades: *a{levels - 1}}}]\n"


def test_bomba_de_alias_en_un_catalogo_no_cuelga(plan: Path, tmp_path: Path) -> None:
    rules = _rules(tmp_path)
    (rules / "catalogos" / "dependencias.yaml").write_text(_alias_bomb(), encoding="utf-8")
    start = time.monotonic()
    with pytest.raises(ConfigError, match="anclas y alias"):
        load_config(rules)
    assert time.monotonic() - start < 5
    proc = pea("consolidar", str(plan.parent), "--reglas", str(rules),
               "--salida", str(tmp_path / "maestro.xlsx"))
    assert proc.returncode == 2 and "anclas y alias" in proc.stderr


def test_alias_que_se_contiene_y_archivo_enorme(tmp_path: Path) -> None:
    rules = _rules(tmp_path)
    path = rules / "catalogos" / "dependencias.yaml"
    path.write_text("dependencias: &d [*d]\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="se contiene a sí mismo"):
        load_config(rules)
    path.write_text("# " + "x" * (6 * 1024 * 1024) + "\ndependencias: []\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="pesa más de 5 MB"):
        load_config(rules)


def test_anclas_moderadas_se_aceptan(tmp_path: Path) -> None:
    rules = _rules(tmp_path)
    (rules / "catalogos" / "dependencias.yaml").write_text(
        "comunes: &u [Dirección A, Dirección B]\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="«comunes»: clave desconocida"):
        load_config(rules)
    (rules / "catalogos" / "dependencias.yaml").write_text(
        "dependencias:\n  - {dependencia: Tesorería, unidades: &u [Dirección A]}\n"
        "  - {dependencia: Obras, unidades: *u}\n", encoding="utf-8")
    cfg = load_config(rules)
    assert cfg.catalogos.unidades["OBRAS"][1] == ["Dirección A"]


def test_claves_nuevas_con_valor_por_omision_no_cambian_la_huella(tmp_path: Path) -> None:
    base = load_config()
    assert base.parametros.url_ventanilla is None
    assert base.ventanilla.fecha_limite_entrega is None
    assert base.ventanilla.revision_anonima is True
    rules = _rules(tmp_path)
    _edit(rules / "configuracion.yaml", '  url_ventanilla: ""',
          '  url_ventanilla: "https://pea.intranet/"')
    _edit(rules / "configuracion.yaml", "  fecha_limite_entrega:\n",
          "  fecha_limite_entrega: 2024-01-31\n")
    _edit(rules / "configuracion.yaml", "  revision_anonima: true", "  revision_anonima: false")
    cfg = load_config(rules)
    assert cfg.parametros.url_ventanilla == "https://pea.intranet/"
    assert str(cfg.ventanilla.fecha_limite_entrega) == "2024-01-31"
    assert cfg.ventanilla.revision_anonima is False
    assert base.fingerprint() == load_config(_rules(tmp_path / "otra")).fingerprint()


def test_clave_repetida_es_un_error(plan: Path, tmp_path: Path) -> None:
    rules = _rules(tmp_path)
    _edit(rules / "configuracion.yaml", "  PEA-Q04: advertencia",
          "  PEA-Q04: advertencia\n  PEA-Q04: error")
    proc = pea("validar", str(plan), "--reglas", str(rules))
    assert proc.returncode == 2
    assert "repite la clave «PEA-Q04»" in proc.stderr and "configuracion.yaml" in proc.stderr


def test_boton_con_configuracion_mala(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """El botón Validar dice lo mismo, en español, sin traza."""
    from pea.excel import bridge
    from pea.excel.guard import UserError

    rules = _rules(tmp_path)
    _edit(rules / "configuracion.yaml", "tolerancia_suma: 0.5", 'tolerancia_suma: "abc"')
    monkeypatch.setenv("PEA_REGLAS", str(rules))
    with pytest.raises(UserError, match="tolerancia_suma"):
        bridge._config()
