"""El proyecto VBA de la plantilla según las reglas de escritura de MS-OVBA.

Se decodifican los flujos con lectores ajenos a pyOpenVBA (olefile para el archivo
compuesto, el descompresor de oletools para MS-OVBA §2.4.1) y un decodificador de los
registros de `dir` (§2.3.4.2) escrito aquí: `_VBA_PROJECT` de 7 bytes con versión
0xFFFF (§2.3.4.1), ningún módulo con p-code (MODULEOFFSET 0: el flujo es solo la fuente
comprimida), `dir`, `PROJECT` y `PROJECTwm` de acuerdo con los módulos, y un
directorio del archivo compuesto válido (MS-CFB §2.6). Las mismas pruebas para cada
.xlsm que PEA escribe a partir de la plantilla; el VBA propio de una dependencia no se
reescribe nunca.
"""

from __future__ import annotations

import io
import struct
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import olefile
import pytest

from pea.template import build_template, fill_template, vba
from tests.conftest import plan_by_name

ROOT = Path(__file__).resolve().parent.parent
COMMITTED = ROOT / "workbook_template.xlsm"
_RED = 0  # MS-CFB §2.6.1: 0x00 rojo, 0x01 negro
DOCUMENTS = {"ThisWorkbook", *(f"Sheet{i}" for i in range(1, 6))}

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")  # pyparsing en oletools


# ---------------------------------------------------------------------------
# Decodificador de `dir` (MS-OVBA §2.3.4.2), solo para las pruebas
# ---------------------------------------------------------------------------

@dataclass
class DirModule:
    """Un registro MODULE del flujo `dir` (§2.3.4.2.3.2)."""

    name: str = ""
    stream_name: str = ""
    offset: int | None = None
    kind: int | None = None  # 0x0021 procedimental, 0x0022 documento o clase


@dataclass
class DirStream:
    """Lo que las pruebas miran del flujo `dir` ya descomprimido."""

    syskind: int | None = None
    code_page: int | None = None
    declared_modules: int | None = None
    modules: list[DirModule] = field(default_factory=list)
    terminated: bool = False


def decode_dir(raw: bytes) -> DirStream:
    """Recorre los registros Id (2 bytes) + Size (4 bytes) + datos de `dir`.

    Única excepción del formato: PROJECTVERSION (0x0009) declara Size 4 y lleva 6 bytes
    (Reserved, VersionMajor, VersionMinor). El flujo termina en 0x0010 (Terminator); Excel
    deja ceros después y aquí se aceptan (el libro base de pyOpenVBA, guardado por Excel).
    """
    out = DirStream()
    pos = 0
    current: DirModule | None = None
    while pos < len(raw):
        rid, size = struct.unpack_from("<HI", raw, pos)
        pos += 6
        if rid == 0x0009:
            assert size == 4, "PROJECTVERSION.Reserved debe ser 4"
            size = 6
        data = raw[pos:pos + size]
        assert len(data) == size, f"registro 0x{rid:04X} cortado"
        pos += size
        if rid == 0x0001:
            out.syskind = struct.unpack("<I", data)[0]
        elif rid == 0x0003:
            out.code_page = struct.unpack("<H", data)[0]
        elif rid == 0x000F:
            out.declared_modules = struct.unpack("<H", data)[0]
        elif rid == 0x0019:
            current = DirModule(name=data.decode("cp1252"))
            out.modules.append(current)
        elif rid == 0x001A and current is not None:
            current.stream_name = data.decode("cp1252")
        elif rid == 0x0031 and current is not None:
            current.offset = struct.unpack("<I", data)[0]
        elif rid in (0x0021, 0x0022) and current is not None:
            assert size == 0
            current.kind = rid
        elif rid == 0x002B:
            current = None
        elif rid == 0x0010:
            out.terminated = True
            break
    assert out.terminated, "el flujo dir no termina en 0x0010"
    assert raw[pos:].strip(b"\x00") == b"", "datos después del Terminator de dir"
    return out


# ---------------------------------------------------------------------------
# Comprobaciones de un vbaProject.bin
# ---------------------------------------------------------------------------

def _cfb_key(name: str) -> tuple[int, str]:
    """Orden de los hermanos en el árbol del directorio (MS-CFB §2.6.4)."""
    return len(name), name.upper()


def check_directory_tree(ole: olefile.OleFileIO) -> None:
    """Cada almacenamiento: árbol binario de búsqueda ordenado y rojo-negro sin rojo-rojo."""
    entries = ole.direntries

    def walk(sid: int, parent_red: bool, seen: list[str]) -> None:
        if sid == olefile.NOSTREAM:
            return
        entry = entries[sid]
        red = entry.color == _RED
        assert not (red and parent_red), f"dos nodos rojos seguidos en {entry.name!r}"
        walk(entry.sid_left, red, seen)
        seen.append(entry.name)
        walk(entry.sid_right, red, seen)

    for entry in entries:
        if entry is None or entry.entry_type not in (olefile.STGTY_ROOT, olefile.STGTY_STORAGE):
            continue
        names: list[str] = []
        walk(entry.sid_child, False, names)
        assert names == sorted(names, key=_cfb_key), f"hijos de {entry.name!r} sin orden"
        assert len(set(map(str.upper, names))) == len(names)


def check_interoperable_project(data: bytes, expected: dict[str, str] | None = None) -> None:
    """Todas las reglas de escritura de MS-OVBA sobre un vbaProject.bin."""
    from oletools.olevba import decompress_stream

    ole = olefile.OleFileIO(io.BytesIO(data), raise_defects=olefile.DEFECT_INCORRECT)
    streams = {"/".join(path) for path in ole.listdir(streams=True, storages=False)}

    head = ole.openstream("VBA/_VBA_PROJECT").read()
    assert len(head) == 7, f"_VBA_PROJECT mide {len(head)} bytes (PerformanceCache presente)"
    reserved1, version, reserved2 = struct.unpack_from("<HHB", head)
    assert (reserved1, version, reserved2) == (0x61CC, 0xFFFF, 0x00)
    check_directory_tree(ole)

    directory = decode_dir(decompress_stream(bytearray(ole.openstream("VBA/dir").read())))
    assert directory.code_page == 1252
    assert directory.declared_modules == len(directory.modules)
    names = [m.name for m in directory.modules]
    assert len(set(names)) == len(names)
    sources: dict[str, str] = {}
    for module in directory.modules:
        assert module.offset == 0, f"el módulo {module.name} trae p-code (MODULEOFFSET "\
                                   f"{module.offset})"
        assert module.kind in (0x0021, 0x0022)
        stream = ole.openstream(f"VBA/{module.stream_name}").read()
        assert stream[:1] == b"\x01", f"{module.name}: el flujo no empieza con la fuente"
        text = bytes(decompress_stream(bytearray(stream))).decode("cp1252")
        assert text.startswith(f'Attribute VB_Name = "{module.name}"\r\n')
        sources[module.name] = text
    assert streams == {"PROJECT", "PROJECTwm", "VBA/dir", "VBA/_VBA_PROJECT",
                       *(f"VBA/{m.stream_name}" for m in directory.modules)}

    project = ole.openstream("PROJECT").read().decode("cp1252")
    lines = project.split("\r\n")
    documents = {line.split("=", 1)[1].split("/", 1)[0] for line in lines
                 if line.startswith("Document=")}
    procedural = {line.split("=", 1)[1] for line in lines if line.startswith("Module=")}
    assert documents == {m.name for m in directory.modules if m.kind == 0x0022}
    assert procedural == {m.name for m in directory.modules if m.kind == 0x0021}
    workspace = lines[lines.index("[Workspace]") + 1:]
    assert {line.split("=", 1)[0] for line in workspace if "=" in line} == set(names)
    wm = ole.openstream("PROJECTwm").read()
    for name in names:
        assert name.encode("cp1252") + b"\x00" + name.encode("utf-16-le") + b"\x00\x00" in wm

    if expected is not None:
        assert set(names) == {*expected, *DOCUMENTS}
        assert {m.name for m in directory.modules if m.kind == 0x0021} == set(expected)
        for name, source in expected.items():
            assert sources[name] == source, f"el módulo {name} no es su fuente"
    ole.close()


def _vba_part(path: Path) -> bytes:
    with zipfile.ZipFile(path) as z:
        return z.read(vba.VBA_PROJECT_PART)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_template(None, tmp_path_factory.mktemp("vba") / "plantilla.xlsm")


# ---------------------------------------------------------------------------
# Pruebas
# ---------------------------------------------------------------------------

def test_plantilla_construida_cumple_ms_ovba(template: Path) -> None:
    check_interoperable_project(_vba_part(template), vba.modules())


def test_plantilla_versionada_cumple_ms_ovba() -> None:
    check_interoperable_project(_vba_part(COMMITTED), vba.modules())


def test_copias_llenas_cumplen_ms_ovba(template: Path, tmp_path: Path) -> None:
    """fill_template (demo, pruebas, consolidador) conserva el proyecto tal cual."""
    filled = fill_template(template, plan_by_name("Coordinación de Comunicación Social"),
                           tmp_path / "llena.xlsm")
    assert _vba_part(filled) == _vba_part(template)
    check_interoperable_project(_vba_part(filled), vba.modules())


def test_decodificador_de_dir_detecta_p_code() -> None:
    """El libro base de pyOpenVBA (guardado por Excel) trae p-code y caché: no pasa."""
    import pyopenvba

    donor = Path(pyopenvba.__file__).parent / "_templates" / "blank_files" / "blank_workbook.xlsm"
    with pytest.raises(AssertionError, match="PerformanceCache"):
        check_interoperable_project(_vba_part(donor))
    only_head = vba.source_only_project(_vba_part(donor))
    check_interoperable_project(only_head)


def test_olevba_lee_pea_y_xlwings_exactos(template: Path) -> None:
    from oletools.olevba import VBA_Parser

    parser = VBA_Parser(str(template))
    try:
        found = {Path(name).stem: code for _, _, name, code in parser.extract_macros()}
    finally:
        parser.close()
    assert found[vba.PEA_MODULE] == vba.pea_module_source()
    assert found[vba.XLWINGS_MODULE] == vba.xlwings_module_source()


def _department_xlsm(tmp_path: Path) -> Path:
    """Un .xlsm con VBA propio como lo deja Excel (p-code y caché de un Office concreto)."""
    import pyopenvba

    donor = Path(pyopenvba.__file__).parent / "_templates" / "blank_files" / "blank_workbook.xlsm"
    from pea.demo.writer import write_plan_xlsx
    from tests.test_consolidar_anotar import make_xlsm

    xlsx = write_plan_xlsx(plan_by_name("Coordinación de Comunicación Social"),
                           tmp_path / "plan.xlsx")
    (tmp_path / "entregas").mkdir()
    xlsm = make_xlsm(xlsx, tmp_path / "entregas" / "propio.xlsm")
    with zipfile.ZipFile(xlsm) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    parts[vba.VBA_PROJECT_PART] = _vba_part(donor)
    with zipfile.ZipFile(xlsm, "w") as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return xlsm


def test_vba_de_la_dependencia_no_se_reescribe(tmp_path: Path) -> None:
    from tests.test_consolidar import pea

    original = _department_xlsm(tmp_path)
    before = _vba_part(original)
    out = tmp_path / "revisados"
    proc = pea("consolidar", str(original.parent), "--salida", str(tmp_path / "m.xlsx"),
               "--anotar", str(out), "-q")
    assert proc.returncode == 0, proc.stderr
    (copy,) = out.glob("*.xlsm")
    assert _vba_part(copy) == before  # ni una caché «arreglada»: es el proyecto de ellos
    assert _vba_part(original) == before


def test_copia_anotada_de_la_plantilla_cumple_ms_ovba(template: Path, tmp_path: Path) -> None:
    from tests.test_consolidar import pea

    plan = dict(plan_by_name("Coordinación de Comunicación Social"))
    plan["filas"] = [dict(plan["filas"][0], indicador=None)]  # un hallazgo que anotar
    filled = fill_template(template, plan, tmp_path / "entregas" / "plan.xlsm")
    out = tmp_path / "revisados"
    proc = pea("consolidar", str(filled.parent), "--salida", str(tmp_path / "m.xlsx"),
               "--anotar", str(out), "-q")
    assert proc.returncode == 0, proc.stderr
    (copy,) = out.glob("*.xlsm")
    check_interoperable_project(_vba_part(copy), vba.modules())
