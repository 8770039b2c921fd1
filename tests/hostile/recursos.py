"""Libros que caben en los límites de tamaño pero piden mucho tiempo o memoria al leerlos.

Cada uno es pequeño en disco (unos KB o MB comprimidos) y ataca un mecanismo distinto:
celdas combinadas (muchas, enormes, encimadas), muchas filas, hojas anchas, muchas
hojas, muchos estilos, cadenas compartidas largas reutilizadas… La prueba
(`tests/test_robustez_recursos.py`) lee cada uno en otro proceso y mide su pico de
memoria y su tiempo. Nada se guarda como binario: todo se arma aquí.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from tests.hostile.zipparts import NS, inline_cell, sheet_xml, workbook


@dataclass
class Heavy:
    name: str
    make: Callable[[], bytes]
    legible: bool | None  # True: se debe leer; False: debe quedar Ilegible; None: cualquiera
    suffix: str = ".xlsx"


def _with_merges(rows: str, merges: list[str], dimension: str = "A1") -> str:
    tags = "".join(f'<mergeCell ref="{m}"/>' for m in merges)
    return sheet_xml(rows, dimension).replace(
        "</sheetData>", f'</sheetData><mergeCells count="{len(merges)}">{tags}</mergeCells>')


_ANCHOR_ROW = f'<row r="1">{inline_cell("A1", "EJE TEMÁTICO")}</row>'


def merged_disjoint(n: int = 150) -> bytes:
    """`n` rangos disjuntos de casi 100 000 celdas cada uno, fuera del área con valores
    (antes: 2.6 GB y 13 s con 150 rangos en un archivo de 8 KB)."""
    merges = [f"A{2 + 141 * i}:ZZ{2 + 141 * i + 140}" for i in range(n)]
    return workbook({"PEA": _with_merges(_ANCHOR_ROW, merges)})


def merged_overlapping(n: int = 600) -> bytes:
    """`n` rangos encimados que cubren toda el área con valores (A1:T5000)."""
    rows = _ANCHOR_ROW + '<row r="5000"><c r="T5000"><v>1</v></c></row>'
    return workbook({"PEA": _with_merges(rows, ["A1:T5000"] * n, "A1:T5000")})


def merged_whole_sheet() -> bytes:
    """Un solo rango A1:XFD1048576 (17 mil millones de celdas)."""
    return workbook({"PEA": _with_merges(_ANCHOR_ROW, ["A1:XFD1048576"])})


def merged_count(n: int = 400_000) -> bytes:
    """Cientos de miles de rangos pequeños (el XML comprime muy bien)."""
    merges = [f"A{r}:B{r}" for r in range(2, n + 2)]
    return workbook({"PEA": _with_merges(_ANCHOR_ROW, merges)})


def plan_rows(rows: int = 5000, cols: int = 20, text: int = 120) -> bytes:
    """Un plan con el máximo de filas, todas con texto en cada columna."""
    from pea import layout as L

    head = "".join(inline_cell(f"{c.letter}9", c.header) for c in L.COLUMNS[:cols])
    body = [f'<row r="9">{head}</row>']
    filler = ("Texto de prueba largo " * 20)[:text]
    for r in range(10, rows + 1):
        cells = "".join(inline_cell(f"{c.letter}{r}", f"{filler} {r}") for c in L.COLUMNS[:cols])
        body.append(f'<row r="{r}">{cells}</row>')
    return workbook({"PEA": sheet_xml("".join(body))})


def wide_sheet(cols: int = 16_384, rows: int = 12) -> bytes:
    """Hoja ancha hasta XFD en pocas filas (dentro del límite de celdas)."""
    from pea import layout as L

    out = [_ANCHOR_ROW]
    for r in range(2, rows + 1):
        out.append(f'<row r="{r}">' + "".join(
            f'<c r="{L.col_letter(c)}{r}"><v>{c}</v></c>' for c in range(1, cols + 1, 7))
            + f'<c r="{L.col_letter(cols)}{r}"><v>1</v></c></row>')
    return workbook({"PEA": sheet_xml("".join(out))})


def many_sheets(n: int = 2000) -> bytes:
    """Muchas hojas, cada una con un área de 100 000 celdas (A1 y T5000)."""
    xml = sheet_xml(f'<row r="1">{inline_cell("A1", "x")}</row>'
                    '<row r="5000"><c r="T5000"><v>1</v></c></row>')
    return workbook({f"H{i}": xml for i in range(n)})


def many_styles(n: int = 2_000_000) -> bytes:
    """Millones de formatos de celda en styles.xml (variados, para no parecer una bomba)."""
    import random

    rng = random.Random(11)
    xfs = "".join(f'<xf numFmtId="{rng.randrange(200)}" fontId="{rng.randrange(99)}"/>'
                  for _ in range(n))
    styles = (f'<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="{NS}">'
              f'<cellXfs count="{n}">{xfs}</cellXfs></styleSheet>')
    rows = _ANCHOR_ROW + '<row r="2"><c r="A2" s="5"><v>0.5</v></c></row>'
    return workbook({"PEA": sheet_xml(rows)}, extra={"xl/styles.xml": styles.encode()})


def long_shared_strings(rows: int = 5000, cols: int = 40) -> bytes:
    """Una cadena compartida de 32 767 caracteres repetida en 200 000 celdas: el XML es
    pequeño, pero leída como texto serían 6.5 mil millones de caracteres."""
    from pea import layout as L

    sst = (f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{NS}" count="1" '
           f'uniqueCount="1"><si><t>{"x" * 32_767}</t></si></sst>')
    body = []
    for r in range(1, rows + 1):
        body.append(f'<row r="{r}">' + "".join(
            f'<c r="{L.col_letter(c)}{r}" t="s"><v>0</v></c>' for c in range(1, cols + 1))
            + "</row>")
    return workbook({"PEA": sheet_xml("".join(body))}, shared_strings=sst)


def many_shared_strings(n: int = 3_000_000) -> bytes:
    """Millones de cadenas compartidas pequeñas."""
    sst = (f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{NS}">'
           + "".join(f"<si><t>{i}</t></si>" for i in range(n)) + "</sst>")
    return workbook({"PEA": sheet_xml(_ANCHOR_ROW)}, shared_strings=sst)


def declared_sheets(n: int = 1_000_000) -> bytes:
    """Un millón de hojas declaradas en workbook.xml (sin sus partes)."""
    from tests.hostile.zipparts import NS_R, read_parts, zip_parts

    parts = read_parts(workbook({"PEA": sheet_xml(_ANCHOR_ROW)}))
    tags = "".join(f'<sheet name="H{i}" sheetId="{i + 2}" r:id="rX{i}"/>' for i in range(n))
    wb = parts["xl/workbook.xml"].decode()
    parts["xl/workbook.xml"] = wb.replace("</sheets>", tags + "</sheets>").encode()
    assert NS_R in wb
    return zip_parts(parts)


def big_text_export(rows: int = 4990, cols: int = 40, width: int = 220) -> bytes:
    """Una exportación de texto de ~45 MB (dentro del límite de 50 MB del archivo)."""
    import random

    rng = random.Random(5)
    words = ["plan", "meta", "acción", "programa", "población", "indicador", "año", "ñandú"]
    lines = ["PLAN ESTRATÉGICO ANUAL", "EJE TEMÁTICO\tOBJETIVO\tESTRATEGIA"]
    for _ in range(rows):
        cell = " ".join(rng.choice(words) for _ in range(width // 6))[:width]
        lines.append("\t".join([cell] * cols))
    return "\n".join(lines).encode("utf-8")


def cases() -> list[Heavy]:
    return [
        Heavy("combinadas_disjuntas", merged_disjoint, None),
        Heavy("combinadas_600", lambda: merged_disjoint(600), None),
        Heavy("combinadas_encimadas", merged_overlapping, False),
        Heavy("combinada_toda_la_hoja", merged_whole_sheet, None),
        Heavy("combinadas_cientos_de_miles", merged_count, False),
        Heavy("plan_5000_filas", plan_rows, True),
        Heavy("hoja_ancha", wide_sheet, None),
        Heavy("muchas_hojas", many_sheets, None),
        Heavy("muchos_estilos", many_styles, None),
        Heavy("cadena_compartida_larga", long_shared_strings, False),
        Heavy("muchas_cadenas_compartidas", many_shared_strings, None),
        Heavy("hojas_declaradas", declared_sheets, False),
        Heavy("texto_grande", big_text_export, None, ".txt"),
    ]
