"""Defensas del lector, probadas una por una y en el mismo proceso (rápidas).

Área de la hoja medida antes de calamine, tamaño real de cada parte (no el declarado),
razón de compresión, DTD/ENTITY en cualquier parte, límites configurables, tiempo por
archivo, lectura estable del archivo, exportaciones de texto y nombres de salida seguros.
"""

from __future__ import annotations

import io
import os
import re
import socket
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pea.config import Limits, RulesConfig
from pea.reading import source
from pea.reading.errors import UnreadableFile
from pea.reading.extent import measure
from pea.reading.text import read_text
from pea.reading.xlsx import open_workbook
from pea.reading.zip_guard import Package
from pea.safe_names import safe_filename
from pea.validation import validate_bytes, validate_file
from tests.hostile import corpus
from tests.hostile.zipparts import inline_cell, read_parts, rezip, sheet_xml

LIMITS = Limits()


def _e00(report: object) -> str:
    [f] = [h for h in report.hallazgos if h.regla == "PEA-E00"]  # type: ignore[attr-defined]
    return f.mensaje


# --- área de la hoja -----------------------------------------------------------------


def test_area_sigue_las_posiciones_de_calamine() -> None:
    xml = sheet_xml('<row><c><v>1</v></c><c><v>2</v></c></row>'
                    '<row r="5"><c><v>3</v></c><c r="D5" s="1"/></row>').encode()
    ext = measure(xml, 100, 1000)
    assert (ext.rows, ext.cols, ext.cells, ext.exceeded) == (5, 2, 3, False)


def test_area_ignora_celdas_solo_con_formato_y_la_dimension() -> None:
    xml = sheet_xml(f'<row r="1">{inline_cell("A1", "x")}</row>'
                    '<row r="1048576"><c r="XFD1048576" s="3"/></row>', "A1:XFD1048576").encode()
    assert measure(xml, 5000, 200_000).area == 1


@pytest.mark.parametrize("ref", ["XFD1048576", "A" + "9" * 40, "ZZZZZZZZ1"])
def test_area_absurda_se_detiene_sin_fallar(ref: str) -> None:
    xml = sheet_xml(f'<row r="1"><c r="A1"><v>1</v></c><c r="{ref}"><v>1</v></c></row>').encode()
    assert measure(xml, 5000, 200_000).exceeded


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=400))
def test_area_de_bytes_cualesquiera_no_falla(data: bytes) -> None:
    ext = measure(b"<sheetData>" + data + b'<row r="3"><c r="B3"><v>1</v></c></row>', 5000, 200_000)
    assert ext.rows >= 0 and ext.cols >= 0


def test_la_hoja_enorme_se_rechaza_antes_de_calamine(config: RulesConfig,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """calamine nunca recibe la hoja con A1 y XFD1048576 (le pediría ~550 GB)."""
    import python_calamine as pc

    def boom(*_a: object, **_k: object) -> None:
        raise AssertionError("la hoja llegó a calamine")

    monkeypatch.setattr(pc.CalamineWorkbook, "get_sheet_by_name", boom)
    _plan, report = validate_bytes(Path("x.xlsx"), corpus.far_cells(), config, "x.xlsx")
    assert "1,048,576" in _e00(report)


def test_los_limites_de_filas_y_celdas_se_configuran(config: RulesConfig) -> None:
    data = corpus.plan_bytes(0)
    small = config.model_copy(update={"limites": Limits(filas=12)})
    _p, report = validate_bytes(Path("p.xlsx"), data, small, "p.xlsx")
    assert "límite de 12 filas" in _e00(report)
    tiny = config.model_copy(update={"limites": Limits(celdas=100)})
    _p, report = validate_bytes(Path("p.xlsx"), data, tiny, "p.xlsx")
    assert "límite de 100 celdas" in _e00(report)
    _p, report = validate_bytes(Path("p.xlsx"), data, config, "p.xlsx")
    assert report.valido


# --- tamaños reales, compresión y partes ---------------------------------------------


def test_tamano_declarado_falso_se_detecta() -> None:
    with pytest.raises(UnreadableFile, match="declara un tamaño"):
        Package(corpus.size_lie_low_ratio(), LIMITS).check_xml_parts()


def test_bomba_con_tamano_falso_se_corta_al_leer() -> None:
    pkg = Package(corpus.zip_bomb_lying(), LIMITS)  # lo declarado parece inocente
    with pytest.raises(UnreadableFile, match=r"compresión anómala|descomprimido") as info:
        pkg.check_xml_parts()
    assert info.value.kind == "limite"
    assert pkg.total_read <= LIMITS.tamano_descomprimido_mb * 1024 * 1024 + (1 << 20)


def test_limite_descomprimido_configurable() -> None:
    with pytest.raises(UnreadableFile, match=r"limites\.tamano_descomprimido_mb"):
        Package(corpus.size_lie_low_ratio(), Limits(tamano_descomprimido_mb=0.001))


@pytest.mark.parametrize("part", ["docProps/app.xml", "xl/theme/theme1.xml",
                                  "xl/worksheets/_rels/sheet1.xml.rels", "customXml/item1.xml",
                                  "xl/calcChain.xml"])
def test_dtd_en_cualquier_parte_se_rechaza(part: str) -> None:
    data = corpus.plan_bytes(0)
    evil = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>'
    with pytest.raises(UnreadableFile, match="DTD/ENTITY"):
        open_workbook(rezip(data, {part: evil}), LIMITS)


def test_calamine_no_expande_entidades_ni_lee_archivos(tmp_path: Path) -> None:
    """Hecho del motor (por si la revisión de DTD fallara): no expande ni sigue entidades."""
    import python_calamine as pc

    secret = tmp_path / "secreto.txt"
    secret.write_text(corpus.SECRET)
    for data in (corpus.xxe_sheet(secret), corpus.billion_laughs_sheet()):
        try:
            book = pc.CalamineWorkbook.from_filelike(io.BytesIO(data))
            rows = book.get_sheet_by_name("PEA").to_python()
        except pc.CalamineError:
            continue
        text = repr(rows)
        assert corpus.SECRET not in text and "lollol" not in text


def test_vinculo_externo_no_se_sigue(config: RulesConfig) -> None:
    """El vínculo apunta a un puerto local que escucha: nadie se conecta."""
    with socket.socket() as srv:
        srv.bind(("127.0.0.1", 0))
        srv.listen(1)
        srv.settimeout(0.5)
        port = srv.getsockname()[1]
        data = corpus.external_links().replace(b"127.0.0.1:9/", f"127.0.0.1:{port}/".encode())
        data = rezip(data, {n: v.replace(b"127.0.0.1:9/", f"127.0.0.1:{port}/".encode())
                            for n, v in read_parts(data).items()})
        _p, report = validate_bytes(Path("v.xlsx"), data, config, "v.xlsx")
        with pytest.raises(TimeoutError):
            srv.accept()
    assert any("vínculos" in a for a in report.avisos)


def test_panico_del_motor_es_archivo_ilegible(config: RulesConfig,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    import python_calamine as pc

    class PanicException(BaseException):  # como la de pyo3
        pass

    def panic(*_a: object, **_k: object) -> None:
        raise PanicException("index out of bounds")

    monkeypatch.setattr(pc.CalamineWorkbook, "get_sheet_by_name", panic)
    _p, report = validate_bytes(Path("p.xlsx"), corpus.plan_bytes(0), config, "p.xlsx")
    assert "vuelva a guardar" in _e00(report)


def test_tiempo_por_archivo(config: RulesConfig) -> None:
    slow = config.model_copy(update={"limites": Limits(segundos_por_archivo=0)})
    _p, report = validate_bytes(Path("p.xlsx"), corpus.plan_bytes(0), slow, "p.xlsx")
    assert "segundos_por_archivo" in _e00(report)


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_libro_alterado_al_azar_nunca_es_una_falla_interna(config: RulesConfig,
                                                           data: st.DataObject) -> None:
    raw = bytearray(_BASE)
    for _ in range(data.draw(st.integers(1, 8))):
        pos = data.draw(st.integers(0, len(raw) - 1))
        raw[pos] = data.draw(st.integers(0, 255))
    cut = data.draw(st.integers(len(raw) // 2, len(raw)))
    _p, report = validate_bytes(Path("p.xlsx"), bytes(raw[:cut]), config, "p.xlsx")
    assert all("falla interna" not in h.mensaje for h in report.hallazgos)


_BASE = corpus.plan_bytes(0)


# --- el archivo en disco -------------------------------------------------------------


def test_archivo_que_cambia_mientras_se_lee(tmp_path: Path, config: RulesConfig,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "copiando.xlsx"
    path.write_bytes(_BASE)
    real_open = open

    def growing_open(p: object, mode: str = "r", *a: object, **k: object) -> object:
        fh = real_open(p, mode, *a, **k)  # type: ignore[call-overload]
        with real_open(path, "ab") as out:
            out.write(b"\x00" * 10)  # otro proceso sigue copiando
        return fh

    monkeypatch.setattr(source, "open", growing_open, raising=False)
    _p, report = validate_file(path, config)
    assert "cambió mientras se leía" in _e00(report)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="sin tuberías con nombre")
def test_tuberia_no_se_lee(tmp_path: Path, config: RulesConfig) -> None:
    fifo = tmp_path / "tuberia.xlsx"
    os.mkfifo(fifo)
    _p, report = validate_file(fifo, config)  # no se queda esperando
    assert "archivo regular" in _e00(report)


def test_archivo_mas_grande_que_el_limite(tmp_path: Path, config: RulesConfig) -> None:
    big = tmp_path / "grande.xlsx"
    big.write_bytes(_BASE + b"\x00" * (2 * 1024 * 1024))
    small = config.model_copy(update={"limites": Limits(tamano_archivo_mb=1)})
    _p, report = validate_file(big, small)
    assert "limites.tamano_archivo_mb" in _e00(report)


def test_candado_de_excel_pasado_a_mano(tmp_path: Path, config: RulesConfig) -> None:
    lock = tmp_path / "~$plan.xlsx"
    lock.write_bytes(corpus.excel_lock())
    _p, report = validate_file(lock, config)
    assert "Cierre el libro en Excel" in _e00(report)


# --- exportación de texto ------------------------------------------------------------


def test_texto_con_demasiadas_lineas_o_celdas() -> None:
    with pytest.raises(UnreadableFile, match="límite de 10 filas"):
        read_text(b"a\tb\n" * 11, Limits(filas=10))
    assert read_text(b"a\tb\n" * 10 + b"\n\n\n", Limits(filas=10)).height == 10
    with pytest.raises(UnreadableFile, match="celdas"):
        read_text(b"x\t" * 300_000, Limits())


def test_texto_utf16_y_utf8_danado() -> None:
    grid = read_text("Dependencia:\tTesorería\n".encode("utf-16"), 10)
    assert grid.rows[0] == ["Dependencia:", "Tesorería"]
    grid = read_text("Dependencia:\tTesorería \u00d3\n".encode()[:-3] + b"\xff\n", 10)
    assert "\ufffd" in grid.rows[0][1]
    assert read_text(b"Dependencia:\tTesorer\xeda\n", 10).rows[0][1] == "Tesorería"


# --- nombres de salida ---------------------------------------------------------------

_SAFE = re.compile(r"^[a-z0-9_]+$")
_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)),
             *(f"lpt{i}" for i in range(1, 10))}


@pytest.mark.parametrize("text", ["../../etc/passwd", "..\\..\\Windows\\system32", "CON",
                                  "nul", "LPT1", "com9", "/", ".", "..", "", "   ", "a" * 5000,
                                  "Tesorería Municipal", "名前", "a\x00b", "x/../../y"])
def test_nombre_seguro_casos(text: str) -> None:
    name = safe_filename(text)
    assert _SAFE.match(name), name
    assert name not in _RESERVED and len(name) <= 70


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_nombre_seguro_propiedad(text: str) -> None:
    name = safe_filename(text)
    assert _SAFE.match(name) and name not in _RESERVED and len(name) <= 70
    assert name == safe_filename(text)


def test_hoja_con_caracteres_especiales_en_el_nombre(config: RulesConfig) -> None:
    """«Plan & metas <2024>» se guarda como «Plan &amp; metas &lt;2024&gt;»: no se pierde."""
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(_BASE))
    wb["PEA"].title = "Plan & metas <2024>"
    wb.create_sheet("Notas")["A1"] = "nada"
    out = io.BytesIO()
    wb.save(out)
    _p, report = validate_bytes(Path("p.xlsx"), out.getvalue(), config, "p.xlsx")
    assert report.hoja == "Plan & metas <2024>"
    assert all(h.regla != "PEA-E01" for h in report.hallazgos)


# La vía rápida (`scan`, una búsqueda) da lo mismo que la cuidadosa (`measure` + formatos)
_ATTRS = st.sampled_from(['', ' s="3"', ' s="7"', ' t="s"', ' s="3" t="n"', ' t="s" s="7"',
                          ' s="12"', ' s="3" /', ' /', ' t="inlineStr"', ' s="70"', ' x:s="3"',
                          ' t="n"s="7"'])
_BODY = st.sampled_from(["", "<v>1</v>", "<f>SUM(A1:B1)</f><v>2</v>", " <f>A1</f>",
                         "<is><t>s=\"3\"</t></is>", "<x:f>A1</x:f><v>1</v>"])


@st.composite
def _sheets(draw: st.DrawFn) -> bytes:
    cells = []
    for _ in range(draw(st.integers(0, 25))):
        col = draw(st.sampled_from(["A", "M", "Z", "AB", "XFD"]))
        row = draw(st.sampled_from([1, 2, 9, 40, 5001, 1048576]))
        attrs = draw(_ATTRS)
        if attrs.endswith("/"):
            cells.append(f'<c r="{col}{row}"{attrs}>')
        else:
            cells.append(f'<c r="{col}{row}"{attrs}>{draw(_BODY)}</c>')
    if draw(st.booleans()):
        cells.append(draw(st.sampled_from(['<c s="3"><v>1</v></c>', '<x:c r="B2"><v>1</v></x:c>',
                                           '<c t="n" r="C3"><v>1</v></c>'])))
    return sheet_xml('<row r="1">' + "".join(cells) + "</row>").encode()


@settings(max_examples=300, deadline=None)
@given(_sheets(), st.sampled_from([set(), {3}, {7, 12}]))
def test_vias_rapida_y_cuidadosa_coinciden(xml: bytes, percent: set[int]) -> None:
    from pea.reading.extent import scan
    from pea.reading.spreadsheetml import cell_styles

    fast = scan(xml, 5000, 200_000, percent)
    careful = measure(xml, 5000, 200_000)
    if fast is None:
        return  # forma no común: solo la vía cuidadosa
    ext, pct, formulas, _errors = fast
    assert ext.exceeded == careful.exceeded
    if careful.exceeded:
        return  # la vía cuidadosa deja de medir en cuanto excede: solo cuenta el rechazo
    assert (ext.rows, ext.cols, ext.cells) == (careful.rows, careful.cols, careful.cells)
    styles = cell_styles(xml, percent)
    assert (pct, formulas) == (styles.percent, styles.formulas)


def test_via_rapida_se_usa_en_la_forma_comun() -> None:
    from pea.reading.extent import scan

    xml = sheet_xml('<row r="1"><c r="A1" s="3"><v>1</v></c><c r="B1" s="3"/>'
                    '<c r="C1"><f>A1</f><v>1</v></c></row>').encode()
    fast = scan(xml, 5000, 200_000, {3})
    assert fast is not None
    ext, pct, formulas, errors = fast
    assert (ext.rows, ext.cols, ext.cells) == (1, 3, 2) and not errors
    assert pct == {(1, 1), (1, 2)} and formulas == {(1, 3)}


# --- revisión de la vía rápida (segunda opinión) ----------------------------------------


def test_celda_con_tabulador_cuenta_para_el_area() -> None:
    """«<c\\tr="XFD1048576">» es una celda: la hoja se rechaza antes de calamine."""
    xml = sheet_xml('<row r="1"><c r="A1"><v>1</v></c><c\tr="XFD1048576"><v>1</v></c></row>'
                    ).encode()
    assert measure(xml, 5000, 200_000).exceeded
    data = rezip(corpus.plan_bytes(0), {"xl/worksheets/sheet1.xml": xml})
    with pytest.raises(UnreadableFile) as info:
        wb = open_workbook(data, LIMITS)
        wb.load(wb.entries[0])
    assert info.value.kind == "limite"


def _rename_local_header(data: bytes, old: bytes, new: bytes) -> bytes:
    """Cambia el nombre en el encabezado local (no en el directorio central)."""
    assert len(old) == len(new)
    pos = data.find(old, 0, data.index(b"PK\x01\x02"))
    assert pos > 0
    return data[:pos] + new + data[pos + len(old):]


def test_encabezado_local_distinto_del_directorio_no_pasa_por_la_via_rapida() -> None:
    data = _rename_local_header(corpus.plan_bytes(0), b"xl/styles.xml", b"xl/stylez.xml")
    pkg_error = None
    try:
        Package(data, LIMITS).read("xl/styles.xml")
    except UnreadableFile as exc:
        pkg_error = exc
    assert pkg_error is not None and pkg_error.kind == "danado"


def test_marca_de_datos_parchados_usa_la_via_de_zipfile() -> None:
    """Bit 0x20 (datos parchados) sin cifrado: lo decide zipfile, como antes."""
    data = bytearray(corpus.plan_bytes(0))
    central = data.index(b"PK\x01\x02")
    data[central + 8] |= 0x20  # flag_bits del primer registro del directorio central
    pkg = Package(bytes(data), LIMITS)
    first = next(iter(pkg.names.values()))
    assert first.flag_bits & 0x20
    assert pkg._inflate_small(first, 1 << 20) is None


@pytest.mark.parametrize("cell", ['<c r="A1"><x:f>B1</x:f><v>1</v></c>',
                                  '<c r="A1" x:s="3"><v>1</v></c>',
                                  '<c r="A1" t="n"s="3"><v>1</v></c>'])
def test_formas_raras_dan_lo_mismo_que_la_via_cuidadosa(cell: str) -> None:
    from pea.reading.extent import scan
    from pea.reading.spreadsheetml import cell_styles

    xml = sheet_xml(f'<row r="1">{cell}</row>').encode()
    styles = cell_styles(xml, {3})
    fast = scan(xml, 5000, 200_000, {3})
    if fast is not None:
        assert (fast[1], fast[2]) == (styles.percent, styles.formulas)


def test_errores_guardados_sin_cerrar_no_se_inventan() -> None:
    """Celdas de error sin «</c>» (XML hostil) no dan valores; las bien formadas, sí, aunque
    estén entre celdas vacías o con error sin valor."""
    from pea.reading.spreadsheetml import error_values

    unclosed = b"".join(b'<c r="A%d" t="e"><v>#N/A</v>' % i for i in range(1, 2000))
    assert error_values(b"<sheetData><row>" + unclosed + b"</row></sheetData>") == {}
    xml = (b'<c r="M10" s="3" t="e"><f>1/0</f><v>#DIV/0!</v></c><c r="N10"/>'
           b'<c r="O10" t="e"/><c r="P10" t=\'e\'><v>#N/A</v></c><c r="Q10" t="s"><v>1</v></c>')
    assert error_values(xml) == {(10, 13): "#DIV/0!", (10, 16): "#N/A"}


def test_marcas_de_propiedades_con_xml_hostil() -> None:
    """Propiedades sin cerrar (XML hostil) no dan valores ni se leen más allá de su etiqueta."""
    from pea.docprops import property_value

    hostile = b"<Properties>" + b'<property name="PEA copia anotada' * 5000 + b"</Properties>"
    assert property_value(hostile, "PEA copia anotada") is None
    mixed = (b'<property name="a>b"><vt:lpwstr>x</vt:lpwstr></property>'
             b'<property name="PEA copia anotada"><vt:lpwstr>f|o.xlsx</vt:lpwstr></property>')
    assert property_value(mixed, "PEA copia anotada") == "f|o.xlsx"
