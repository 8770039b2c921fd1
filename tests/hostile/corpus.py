"""Corpus de entradas malas, generado: cada caso con su regla, su mensaje y su salida esperados.

Uso desde las pruebas: ``build_corpus(carpeta)`` escribe todos los archivos y devuelve
los casos. A mano: ``python3 -m tests.hostile.corpus CARPETA`` (desde la raíz del repositorio) para mirarlos.

Nada aquí se guarda en el repositorio como binario: todo se arma con este código.
"""

from __future__ import annotations

import io
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from tests.hostile import cfb
from tests.hostile.zipparts import (
    deflate_stream,
    deflated,
    inline_cell,
    raw_zip,
    read_parts,
    rezip,
    sheet_xml,
    stored,
    workbook,
)

ILEGIBLE = frozenset({"Ilegible"})
OMITIDO_O_ILEGIBLE = frozenset({"Omitido", "Ilegible"})
LEIDO = frozenset({"Aceptado", "Con observaciones"})
RECHAZADO = frozenset({"Rechazado"})
SECRET = "CONTENIDO-SECRETO-XXE"

#: Fragmentos que nunca deben aparecer en lo que lee una persona.
FORBIDDEN = ("Traceback", "falla interna", "Error interno", "Exception", "panicked")


@dataclass
class Case:
    """Un archivo del corpus y lo que se espera de él."""

    name: str
    filename: str
    make: Callable[[], bytes]
    regla: str | None  # regla esperada entre los hallazgos (None: solo avisos)
    fragmento: str  # texto esperado en el mensaje de esa regla (o en un aviso)
    salida: int  # código de salida de `pea validar` con este archivo
    estados: frozenset[str]  # estados aceptables en «Entregas»
    en_aviso: bool = False  # el fragmento está en los avisos, no en un hallazgo
    notas: str = ""
    extra: dict[str, str] = field(default_factory=dict)


# --- libros de base -----------------------------------------------------------------


def plan_bytes(index: int = 0, **kwargs: object) -> bytes:
    """Un plan válido del municipio de demostración, como bytes de .xlsx."""
    import tempfile

    from pea.demo import demo_plans
    from pea.demo.writer import write_plan_xlsx

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "plan.xlsx"
        write_plan_xlsx(demo_plans()[index], path, **kwargs)  # type: ignore[arg-type]
        return path.read_bytes()


def _openpyxl_edit(index: int, edit: Callable[[object], None]) -> bytes:
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(plan_bytes(index)))
    edit(wb)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _patch_sheet(data: bytes, old: bytes, new: bytes, part: str = "xl/worksheets/sheet1.xml",
                 count: int = 1) -> bytes:
    parts = read_parts(data)
    assert old in parts[part], f"{old!r} no está en {part}"
    return rezip(data, {part: parts[part].replace(old, new, count)})


def _dependencia(index: int) -> bytes:
    from xml.sax.saxutils import escape

    from pea.demo import demo_plans

    return escape(demo_plans()[index]["dependencia"]).encode()


# --- archivos que no son libros -----------------------------------------------------


def empty() -> bytes:
    return b""


def text_renamed() -> bytes:
    return b"Plan de la dependencia\nEje,Objetivo,Meta\n1,2,3\n"


def pdf_renamed() -> bytes:
    return b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"


def html_renamed() -> bytes:
    return b"<html><body><table><tr><td>EJE TEM\xc3\x81TICO</td></tr></table></body></html>"


def truncated_zip() -> bytes:
    data = plan_bytes(0)
    return data[: len(data) // 2]


def corrupt_zip() -> bytes:
    """La parte de la hoja con bytes comprimidos alterados (falla el CRC o el deflate)."""
    data = bytearray(plan_bytes(0))
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as z:
        info = z.getinfo("xl/worksheets/sheet1.xml")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for i in range(start + 20, start + info.compress_size - 20, 7):
        data[i] ^= 0x5A
    return bytes(data)


def encrypted() -> bytes:
    """Un plan cifrado con contraseña (msoffcrypto-tool si está; si no, un CFB armado)."""
    try:
        from msoffcrypto.format.ooxml import OOXMLFile
    except ImportError:
        return cfb.encrypted_workbook()
    out = io.BytesIO()
    OOXMLFile(io.BytesIO(plan_bytes(0))).encrypt("secreto", out)
    return out.getvalue()


def ods() -> bytes:
    """Una hoja de OpenDocument mínima (mimetype primero y sin comprimir)."""
    content = (b'<?xml version="1.0" encoding="UTF-8"?><office:document-content '
               b'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"/>')
    return raw_zip([stored("mimetype", b"application/vnd.oasis.opendocument.spreadsheet"),
                    deflated("content.xml", content)])


def csv_text() -> bytes:
    return b"Eje,Objetivo,Estrategia,1er Trim\n1 Gobierno,1.1 Objetivo,1.1.1 Estrategia,25%\n"


def excel_lock() -> bytes:
    """El archivo «~$libro.xlsx» que Excel crea mientras el libro está abierto (165 bytes)."""
    user = b"Juan Perez"
    return (bytes([len(user)]) + user.ljust(53, b" ") + bytes([len(user), 0])
            + "Juan Perez".encode("utf-16-le").ljust(109, b" "))[:165]


# --- libros con el plan en un lugar inesperado --------------------------------------


def no_plan_sheet() -> bytes:
    rows = (f'<row r="1">{inline_cell("A1", "Notas de la dependencia")}</row>'
            f'<row r="2">{inline_cell("A2", "Aquí no está el plan.")}</row>')
    return workbook({"Notas": sheet_xml(rows, "A1:A2")})


def two_plan_sheets() -> bytes:
    def edit(wb: object) -> None:
        copy = wb.copy_worksheet(wb["PEA"])  # type: ignore[attr-defined]
        copy.title = "PEA (2)"

    return _openpyxl_edit(1, edit)


def hidden_plan_sheet() -> bytes:
    def edit(wb: object) -> None:
        ws = wb["PEA"]  # type: ignore[index]
        ws.sheet_state = "hidden"
        cover = wb.create_sheet("Portada", 0)  # type: ignore[attr-defined]
        cover["A1"] = "Portada"
        wb.active = 0  # type: ignore[attr-defined]

    return _openpyxl_edit(2, edit)


def formulas_without_values() -> bytes:
    """Un trimestre con una fórmula que ninguna aplicación calculó (sin valor guardado)."""
    from pea import layout as L

    def edit(wb: object) -> None:
        ws = wb["PEA"]  # type: ignore[index]
        ws[f"{L.BY_KEY['t2'].letter}{L.FIRST_DATA_ROW}"] = "=100/4/100"

    return _openpyxl_edit(3, edit)


# --- tamaños y áreas ------------------------------------------------------------------


def huge_dimension() -> bytes:
    """Un plan válido cuya hoja dice medir A1:XFD1048576."""
    return _patch_sheet(plan_bytes(4), b'<dimension ref="A1:T', b'<dimension ref="A1:XFD1048576"'
                        b' x="T')


def far_cells() -> bytes:
    """Dos celdas: A1 y XFD1048576 (calamine pediría ~550 GB para el rectángulo)."""
    rows = (f'<row r="1">{inline_cell("A1", "Plan")}</row>'
            '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>')
    return workbook({"PEA": sheet_xml(rows, "A1:XFD1048576")})


def far_cells_tab() -> bytes:
    """Como `far_cells`, con un tabulador tras «<c» (XML válido; antes escapaba a la medición
    rápida del área y calamine abortaba el proceso)."""
    rows = (f'<row r="1">{inline_cell("A1", "Plan")}</row>'
            '<row r="1048576"><c\tr="XFD1048576"><v>1</v></c></row>')
    return workbook({"PEA": sheet_xml(rows, "A1")})


def wide_row() -> bytes:
    """Una sola fila que llega a la columna XFD y otra en la fila 200 (área 3.2 M celdas)."""
    rows = (f'<row r="1">{inline_cell("A1", "Plan")}<c r="XFD1"><v>1</v></c></row>'
            '<row r="200"><c r="B200"><v>2</v></c></row>')
    return workbook({"PEA": sheet_xml(rows, "A1:XFD200")})


def absurd_reference() -> bytes:
    rows = f'<row r="1">{inline_cell("A1", "x")}<c r="A{"9" * 5000}"><v>1</v></c></row>'
    return workbook({"PEA": sheet_xml(rows)})


def hundred_thousand_rows() -> bytes:
    parts = [f'<row r="1">{inline_cell("A1", "EJE TEMÁTICO")}</row>']
    for r in range(2, 100_002):
        parts.append(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c><c r="B{r}" t="inlineStr">'
                     f"<is><t>meta {r}</t></is></c></row>")
    return workbook({"PEA": sheet_xml("".join(parts), "A1:B100001")})


def long_cells() -> bytes:
    """Celdas de 32 767 caracteres (el máximo de Excel) en misión, pasos y dependencia."""
    from pea import layout as L

    def edit(wb: object) -> None:
        ws = wb["PEA"]  # type: ignore[index]
        ws[f"B{L.ROW_MISION}"] = ("Misión muy larga. " * 2000)[:32_767]
        ws[f"{L.BY_KEY['pasos'].letter}{L.FIRST_DATA_ROW}"] = "x" * 32_767
        ws[f"B{L.ROW_DEPENDENCIA}"] = ws[f"B{L.ROW_DEPENDENCIA}"].value + " " + "D" * 400

    return _openpyxl_edit(5, edit)


def control_characters() -> bytes:
    """Referencias de carácter de control (&#1;, ESC de terminal) en textos del plan."""
    dep = _dependencia(6)
    return _patch_sheet(plan_bytes(6), b">" + dep + b"<",
                        b">" + dep + b"&#x1b;[31m&#1;&#x7;<")


def invalid_utf8_text() -> bytes:
    """La exportación de texto de la semilla con bytes que no son UTF-8 y controles de terminal."""
    seed = Path(__file__).resolve().parents[1] / "fixtures" / "semilla_comunicacion_social.txt"
    data = seed.read_bytes()
    old = "Entidad: **Coordinación".encode()
    assert old in data
    return data.replace(old, b"Entidad: **Coordinaci\xf3n\xff", 1) + b"\n\x01\x1b[2J"


def utf16_text() -> bytes:
    """La semilla guardada como «Texto Unicode» de Excel (UTF-16 con BOM)."""
    seed = Path(__file__).resolve().parents[1] / "fixtures" / "semilla_comunicacion_social.txt"
    return seed.read_text(encoding="utf-8").encode("utf-16")


def non_finite_numbers() -> bytes:
    """Un plan con «NaN» e «inf» guardados como números (calamine los lee como float)."""
    import re

    data = plan_bytes(10)
    sheet = read_parts(data)["xl/worksheets/sheet1.xml"]
    for ref, value in ((b"T10", b"NaN"), (b"N10", b"inf"), (b"S10", b"-inf")):
        cell = re.search(rb'<c r="' + ref + rb'"[^>]*?(?:/>|>.*?</c>)', sheet, re.DOTALL)
        assert cell, ref
        sheet = sheet.replace(cell.group(0), b'<c r="' + ref + b'"><v>' + value + b"</v></c>")
    return rezip(data, {"xl/worksheets/sheet1.xml": sheet})


# --- bombas y XML peligroso ------------------------------------------------------------


def _bomb_entries(declared: int | None) -> list[tuple[str, bytes, int, int, int]]:
    payload, crc, size = deflate_stream(b"<row/>" * 43_690 + b"    ", 1_200)  # ~300 MB
    base = read_parts(workbook({"PEA": sheet_xml("")}))
    entries = [deflated(name, data) for name, data in base.items()
               if name != "xl/worksheets/sheet1.xml"]
    entries.append(("xl/worksheets/sheet1.xml", payload, crc,
                    size if declared is None else declared, 8))
    return entries


def zip_bomb() -> bytes:
    """Unos cientos de KB que se descomprimen a ~300 MB de XML."""
    return raw_zip(_bomb_entries(None))


def zip_bomb_lying() -> bytes:
    """La misma bomba, pero el directorio declara que la parte mide 2 KB."""
    return raw_zip(_bomb_entries(2048))


def size_lie_low_ratio() -> bytes:
    """Una parte de 3 MB poco comprimible que dice medir 100 bytes."""
    import random

    rng = random.Random(6)
    cells = "".join(f'<c r="A{r}"><v>{rng.random()}</v></c>' for r in range(1, 2))
    noise = "".join(f"<!-- {rng.getrandbits(64):x} -->" for _ in range(120_000))
    xml = sheet_xml(f'<row r="1">{cells}</row>' + noise).encode()
    base = read_parts(workbook({"PEA": sheet_xml("")}))
    entries = [deflated(n, d) for n, d in base.items() if n != "xl/worksheets/sheet1.xml"]
    entries.append(deflated("xl/worksheets/sheet1.xml", xml, declared=100))
    return raw_zip(entries)


def duplicate_parts() -> bytes:
    base = read_parts(workbook({"PEA": sheet_xml(f'<row r="1">{inline_cell("A1", "x")}</row>')}))
    entries = [deflated(n, d) for n, d in base.items()]
    entries.append(deflated("xl/worksheets/sheet1.xml", sheet_xml("").encode()))
    return raw_zip(entries)


def many_parts() -> bytes:
    base = read_parts(workbook({"PEA": sheet_xml("")}))
    entries = [stored(n, d) for n, d in base.items()]
    entries += [stored(f"xl/media/p{i}.png", b"") for i in range(12_000)]
    return raw_zip(entries)


LAUGHS = ('<!DOCTYPE lolz [<!ENTITY lol "lol">'
          + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
                    for i in range(1, 10)) + "]>")


def _xxe(root: str) -> str:
    return f'<!DOCTYPE {root} [<!ENTITY xxe SYSTEM "file://{{secret}}">]>'


def billion_laughs_sheet() -> bytes:
    rows = f'<row r="1">{inline_cell("A1", "&lol9;")}</row>'
    return workbook({"PEA": sheet_xml(rows, prolog=LAUGHS)})


def billion_laughs_shared_strings() -> bytes:
    sst = ('<?xml version="1.0"?>' + LAUGHS.replace("lolz", "sst")
           + '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" '
           'uniqueCount="1"><si><t>&lol9;</t></si></sst>')
    return workbook({"PEA": sheet_xml('<row r="1"><c r="A1" t="s"><v>0</v></c></row>')},
                    shared_strings=sst)


def billion_laughs_workbook() -> bytes:
    return workbook({"PEA": sheet_xml("")}, workbook_prolog=LAUGHS.replace("lolz", "workbook"))


def xxe_sheet(secret: Path) -> bytes:
    rows = f'<row r="1">{inline_cell("A1", "&xxe;")}</row>'
    return workbook({"PEA": sheet_xml(rows, prolog=_xxe("worksheet").format(secret=secret))})


def xxe_shared_strings(secret: Path) -> bytes:
    sst = ('<?xml version="1.0"?>' + _xxe("sst").format(secret=secret)
           + '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
           "<si><t>&xxe;</t></si></sst>")
    return workbook({"PEA": sheet_xml('<row r="1"><c r="A1" t="s"><v>0</v></c></row>')},
                    shared_strings=sst)


def xxe_workbook(secret: Path) -> bytes:
    return workbook({"PEA": sheet_xml("")},
                    workbook_prolog=_xxe("workbook").format(secret=secret))


def xxe_utf16_sheet(secret: Path) -> bytes:
    """La DTD en una parte codificada en UTF-16 (para esquivar una búsqueda por bytes)."""
    xml = sheet_xml(f'<row r="1">{inline_cell("A1", "&xxe;")}</row>',
                    prolog=_xxe("worksheet").format(secret=secret))
    xml = xml.replace('encoding="UTF-8"', 'encoding="UTF-16"')
    base = read_parts(workbook({"PEA": sheet_xml("")}))
    base["xl/worksheets/sheet1.xml"] = xml.encode("utf-16")
    from tests.hostile.zipparts import zip_parts

    return zip_parts(base)


def bad_numfmt_id() -> bytes:
    """Un estilo de porcentaje con numFmtId no numérico (antes hacía fallar al lector)."""
    data = plan_bytes(7)
    parts = read_parts(data)
    styles = parts["xl/styles.xml"]
    if b"<numFmts" in styles:
        styles = styles.replace(b'numFmtId="164"', b'numFmtId="abc"', 1)
    else:
        styles = styles.replace(b"<fonts", b'<numFmts count="1"><numFmt numFmtId="x1" '
                                b'formatCode="0.0%"/></numFmts><fonts', 1)
    return rezip(data, {"xl/styles.xml": styles})


# --- vínculos y macros -----------------------------------------------------------------


def external_links() -> bytes:
    link = (b'<?xml version="1.0" encoding="UTF-8"?><externalLink xmlns="http://schemas.'
            b'openxmlformats.org/spreadsheetml/2006/main"><externalBook xmlns:r="http://schemas.'
            b'openxmlformats.org/officeDocument/2006/relationships" r:id="rId1"><sheetNames>'
            b'<sheetName val="Hoja1"/></sheetNames></externalBook></externalLink>')
    rels = (b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
            b'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http:'
            b'//schemas.openxmlformats.org/officeDocument/2006/relationships/externalLinkPath" '
            b'Target="http://127.0.0.1:9/no-existe.xlsx" TargetMode="External"/>'
            b"</Relationships>")
    return rezip(plan_bytes(8), {"xl/externalLinks/externalLink1.xml": link,
                                 "xl/externalLinks/_rels/externalLink1.xml.rels": rels})


def macros() -> bytes:
    """Un .xlsm con un vbaProject.bin que «haría» algo al abrirse (nunca se ejecuta)."""
    vba = cfb.build({"VBA": b"Attribute VB_Name = \"Module1\"\r\nSub Auto_Open()\r\n"
                            b"Shell \"cmd /c echo pwned\"\r\nEnd Sub\r\n"})
    data = plan_bytes(9)
    parts = read_parts(data)
    ct = parts["[Content_Types].xml"].replace(
        b"spreadsheetml.sheet.main+xml", b"sheet.macroEnabled.main+xml")
    ct = ct.replace(b"</Types>", b'<Default Extension="bin" ContentType="application/'
                    b'vnd.ms-office.vbaProject"/></Types>')
    return rezip(data, {"xl/vbaProject.bin": vba, "[Content_Types].xml": ct})


# --- el corpus ---------------------------------------------------------------------------


def cases(secret: Path) -> list[Case]:
    """Todos los casos; `secret` es un archivo que un XXE intentaría leer."""
    e00 = "PEA-E00"
    return [
        Case("vacio", "vacio.xlsx", empty, e00, "vacío", 1, ILEGIBLE),
        Case("texto_renombrado", "texto_renombrado.xlsx", text_renamed, e00,
             "su contenido es texto", 1, ILEGIBLE),
        Case("pdf_renombrado", "pdf_renombrado.xlsx", pdf_renamed, e00, "PDF", 1, ILEGIBLE),
        Case("html_renombrado", "html_renombrado.xlsx", html_renamed, e00, "HTML", 1, ILEGIBLE),
        Case("zip_truncado", "zip_truncado.xlsx", truncated_zip, e00, "incompleto", 1, ILEGIBLE),
        Case("zip_corrupto", "zip_corrupto.xlsx", corrupt_zip, e00, "dañad", 1, ILEGIBLE),
        Case("cifrado", "cifrado.xlsx", encrypted, e00, "contraseña", 1, ILEGIBLE),
        Case("cifrado_cfb", "cifrado_cfb.xlsx", cfb.encrypted_workbook, e00, "contraseña", 1,
             ILEGIBLE),
        Case("xls_antiguo", "antiguo.xls", cfb.legacy_xls, e00, "97-2003", 1,
             OMITIDO_O_ILEGIBLE),
        Case("xls_renombrado", "xls_renombrado.xlsx", cfb.legacy_xls, e00, "97-2003", 1,
             ILEGIBLE),
        Case("ods", "hoja.ods", ods, e00, ".ods", 1, OMITIDO_O_ILEGIBLE),
        Case("ods_renombrado", "ods_renombrado.xlsx", ods, e00, "OpenDocument", 1, ILEGIBLE),
        Case("csv", "plan.csv", csv_text, e00, "CSV", 1, OMITIDO_O_ILEGIBLE),
        Case("candado_excel", "~$plan.xlsx", excel_lock, e00, "Excel crea mientras", 1,
             OMITIDO_O_ILEGIBLE),
        Case("sin_hoja_plan", "sin_hoja_plan.xlsx", no_plan_sheet, "PEA-E01", "EJE TEMÁTICO",
             1, RECHAZADO),
        Case("dos_hojas_plan", "dos_hojas_plan.xlsx", two_plan_sheets, None, "varias hojas",
             0, LEIDO, en_aviso=True),
        Case("hoja_oculta", "hoja_oculta.xlsx", hidden_plan_sheet, None, "está oculta", 0,
             LEIDO, en_aviso=True),
        Case("formulas_sin_valor", "formulas_sin_valor.xlsx", formulas_without_values,
             "PEA-Q08", "fórmula", 1, RECHAZADO),
        Case("dimension_enorme", "dimension_enorme.xlsx", huge_dimension, None, "", 0, LEIDO),
        Case("celdas_lejanas", "celdas_lejanas.xlsx", far_cells, e00, "1,048,576", 1,
             ILEGIBLE),
        Case("celdas_lejanas_tabulador", "celdas_lejanas_tab.xlsx", far_cells_tab, e00,
             "1,048,576", 1, ILEGIBLE),
        Case("fila_ancha", "fila_ancha.xlsx", wide_row, e00, "columna XFD", 1, ILEGIBLE),
        Case("referencia_absurda", "referencia_absurda.xlsx", absurd_reference, e00,
             "límite", 1, ILEGIBLE),
        Case("cien_mil_filas", "cien_mil_filas.xlsx", hundred_thousand_rows, e00,
             "límite de 5,000 filas", 1, ILEGIBLE),
        Case("celdas_largas", "celdas_largas.xlsx", long_cells, None, "", 0, LEIDO),
        Case("caracteres_control", "caracteres_control.xlsx", control_characters, "PEA-T01",
             "caracteres invisibles", 0, LEIDO),
        Case("texto_utf8_invalido", "texto_utf8_invalido.txt", invalid_utf8_text, "PEA-T03",
             "mal codificados", 0, OMITIDO_O_ILEGIBLE | LEIDO),
        Case("texto_utf16", "texto_utf16.txt", utf16_text, None, "", 0,
             OMITIDO_O_ILEGIBLE | LEIDO),
        Case("numeros_no_finitos", "numeros_no_finitos.xlsx", non_finite_numbers, "PEA-Q01",
             "«inf» no es un porcentaje", 1, RECHAZADO),
        Case("bomba_zip", "bomba_zip.xlsx", zip_bomb, e00, "descomprimido", 1, ILEGIBLE),
        Case("bomba_tamano_falso", "bomba_tamano_falso.xlsx", zip_bomb_lying, e00,
             "por seguridad", 1, ILEGIBLE),
        Case("tamano_falso", "tamano_falso.xlsx", size_lie_low_ratio, e00,
             "declara un tamaño", 1, ILEGIBLE),
        Case("partes_repetidas", "partes_repetidas.xlsx", duplicate_parts, e00, "repetidas",
             1, ILEGIBLE),
        Case("miles_de_partes", "miles_de_partes.xlsx", many_parts, e00, "partes", 1,
             ILEGIBLE),
        Case("risas_hoja", "risas_hoja.xlsx", billion_laughs_sheet, e00, "DTD/ENTITY", 1,
             ILEGIBLE),
        Case("risas_cadenas", "risas_cadenas.xlsx", billion_laughs_shared_strings, e00,
             "DTD/ENTITY", 1, ILEGIBLE),
        Case("risas_libro", "risas_libro.xlsx", billion_laughs_workbook, e00, "DTD/ENTITY",
             1, ILEGIBLE),
        Case("xxe_hoja", "xxe_hoja.xlsx", lambda: xxe_sheet(secret), e00, "DTD/ENTITY", 1,
             ILEGIBLE),
        Case("xxe_cadenas", "xxe_cadenas.xlsx", lambda: xxe_shared_strings(secret), e00,
             "DTD/ENTITY", 1, ILEGIBLE),
        Case("xxe_libro", "xxe_libro.xlsx", lambda: xxe_workbook(secret), e00, "DTD/ENTITY",
             1, ILEGIBLE),
        Case("xxe_utf16", "xxe_utf16.xlsx", lambda: xxe_utf16_sheet(secret), e00,
             "DTD/ENTITY", 1, ILEGIBLE),
        Case("numfmt_no_numerico", "numfmt_no_numerico.xlsx", bad_numfmt_id, None, "", 0,
             LEIDO),
        Case("vinculos_externos", "vinculos_externos.xlsx", external_links, None,
             "vínculos a otros archivos", 0, LEIDO, en_aviso=True),
        Case("macros", "macros.xlsm", macros, None, "macros", 0, LEIDO, en_aviso=True),
    ]


def build_corpus(folder: Path, secret: Path | None = None) -> list[Case]:
    """Escribe cada caso en `folder` (y el archivo «secreto» del XXE fuera de ella)."""
    folder.mkdir(parents=True, exist_ok=True)
    if secret is None:
        secret = folder.parent / "secreto.txt"
    secret.write_text(SECRET, encoding="utf-8")
    out = cases(secret)
    for case in out:
        (folder / case.filename).write_bytes(case.make())
    return out


if __name__ == "__main__":  # pragma: no cover - uso manual
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "corpus_hostil")
    for c in build_corpus(target):
        print(f"{c.filename:32} {c.regla or 'aviso':8} {c.fragmento}")
