"""Copias anotadas para las dependencias: su propio libro con las celdas marcadas.

Se abre el libro original con openpyxl (``keep_vba`` en .xlsm), se pinta cada celda con
hallazgo según su severidad, se le pone una nota con los mensajes y se agrega la hoja
«Validación» con vínculos a cada celda. Se guarda SIEMPRE en otra carpeta (nunca sobre
el original) y, si el original tenía cinta personalizada (customUI), se restaura la
parte y su relación, que openpyxl descarta.

Límites de openpyxl (documentados en docs/consolidar.md): se pierden las validaciones de
datos de Excel 2010 (x14, listas que apuntan a otra hoja), las imágenes si no está
instalado Pillow, los controles de formulario y las segmentaciones; las macros (.xlsm),
las validaciones de datos clásicas, los formatos, las celdas combinadas y los nombres
definidos se conservan.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import re
import warnings
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from pea.atomic import atomic_output
from pea.cell_text import xml_text
from pea.consolidate.annotate_limits import too_many_merged
from pea.consolidate.legacy_vml import sheets_with_controls
from pea.docprops import CUSTOM_PART, LPWSTR_OPEN
from pea.feedback import (
    NOTE_AUTHOR,
    SEVERITY_FILL,
    SEVERITY_FONT,
    SEVERITY_LABEL,
    VALIDATION_HEADERS,
    cell_marks,
    summary_rows,
)
from pea.layout import ANNOTATED_PROPERTY, VALIDATION_SHEET
from pea.models import FileReport

ROOT_RELS = "_rels/.rels"
CONTENT_TYPES = "[Content_Types].xml"
_UI_REL = re.compile(rb'<Relationship\b[^>]*Type="[^"]*/ui/extensibility"[^>]*/>')
_TARGET = re.compile(rb'Target="/?([^"]+)"')
_ID = re.compile(rb'Id="([^"]+)"')
_IMAGE_TYPES = {"png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg",
                "gif": "image/gif", "bmp": "image/bmp", "ico": "image/x-icon"}


def annotated_name(archivo: str, dependencia: str | None, taken: set[str]) -> str:
    """Nombre de la copia: «<dependencia>_revisado.xlsx», único dentro de la carpeta."""
    from pea.safe_names import safe_filename

    suffix = ".xlsm" if archivo.lower().endswith(".xlsm") else ".xlsx"
    stem = safe_filename(dependencia or Path(archivo).stem)
    name = f"{stem}_revisado{suffix}"
    n = 2
    while name.lower() in taken:
        name = f"{stem}_revisado_{n}{suffix}"
        n += 1
    taken.add(name.lower())
    return name


class NotAnnotated(Exception):
    """La copia anotada no se escribió; el mensaje, en español, dice por qué."""


def annotate_task(item: tuple[str, str, FileReport, str]) -> tuple[str, str]:
    """Para el proceso de trabajo: (original, destino, reporte, versión de reglas).
    Devuelve («copia», destino) o («aviso», por qué no se escribió la copia)."""
    src, dst, report, rules_version = item
    try:
        # openpyxl imprime en la salida estándar («0 is out of range» con un estilo roto): no
        # debe mezclarse con el resumen ni con el JSON de «--formato json»
        with contextlib.redirect_stdout(io.StringIO()):
            annotate_copy(Path(src), Path(dst), report, rules_version)
    except NotAnnotated as exc:
        return "aviso", str(exc)
    return "copia", dst


def annotate_copy(src: Path, dst: Path, report: FileReport, rules_version: str) -> Path:
    """Escribe la copia anotada de `src` en `dst` (nunca la misma ruta)."""
    if src.resolve() == dst.resolve():
        raise ValueError("la copia anotada no puede sobrescribir el original.")
    keep_vba = src.suffix.lower() == ".xlsm"
    too_big = too_many_merged(src.read_bytes())
    if too_big:
        raise NotAnnotated(f"No se escribió la copia anotada de «{report.archivo or src.name}»: "
                           f"{too_big}.")
    with _opened(src) as wb:
        # Hojas con botones de formulario: en un .xlsm su dibujo VML se conserva si no se ponen
        # notas ahí; en un .xlsx openpyxl no lo conserva y la hoja «Validación» lo avisa
        controls = sheets_with_controls(src)
        _clip_long_texts(wb)
        _mark_cells(wb, report, controls if keep_vba else frozenset())
        _validation_sheet(wb, report, rules_version, controls, kept=keep_vba)
        _set_marker(wb, _PENDING + "|" + xml_text(report.archivo or src.name))
        with atomic_output(dst) as tmp:
            wb.save(tmp)
            restore_ribbon(src, tmp)
            stamp_fingerprint(tmp, _check_plan_kept(tmp, report, src))
    return dst


def _check_plan_kept(copy: Path, report: FileReport, src: Path) -> Any:
    """La copia debe tener la hoja del plan, legible como plan: si se perdió (un formato que
    openpyxl no entiende), no se escribe una copia que solo tenga «Validación». Devuelve la
    copia leída (`_read_copy`)."""
    read = _read_copy(copy)
    if report.hoja and (read is None or read.grid is None or read.grid.name != report.hoja):
        raise NotAnnotated(
            f"No se escribió la copia anotada de «{report.archivo or src.name}»: al guardarla "
            f"se perdía la hoja del plan «{report.hoja}» (el formato del libro no se pudo "
            "reproducir). Revise el libro original con sus observaciones en el maestro.")
    return read


#: Espacios de nombres de OOXML «Strict» (ISO/IEC 29500 estricto): openpyxl solo entiende
#: los «transicionales», así que antes de abrirlo se traducen (ECMA-376 Parte 1).
_STRICT = b"http://purl.oclc.org/ooxml/"
_STRICT_RENAMES = (
    (rb"http://purl\.oclc\.org/ooxml/officeDocument/relationships/extendedProperties",
     b"http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
     b"extended-properties"),
    (rb"http://purl\.oclc\.org/ooxml/officeDocument/relationships/customProperties",
     b"http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties"),
    (rb"http://purl\.oclc\.org/ooxml/officeDocument/extendedProperties",
     b"http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"),
    (rb"http://purl\.oclc\.org/ooxml/officeDocument/customProperties",
     b"http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"),
    # el resto: «…/ooxml/<área>/<nombre>» es «…openxmlformats.org/<área>/2006/<nombre>»
    (rb"http://purl\.oclc\.org/ooxml/(officeDocument|spreadsheetml|drawingml|schemaLibrary)/",
     rb"http://schemas.openxmlformats.org/\1/2006/"),
)


def is_strict(parts: dict[str, bytes]) -> bool:
    """¿El paquete es OOXML estricto? (su relación principal usa el espacio de Strict)."""
    return _STRICT + b"officeDocument/relationships/officeDocument" in parts.get(ROOT_RELS, b"")


def transitional(data: bytes) -> bytes | None:
    """El libro Strict `data` con los espacios de nombres transicionales (lo que openpyxl
    lee), o None si no es Strict."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        infos = z.infolist()
        parts = {i.filename: z.read(i.filename) for i in infos}
    if not is_strict(parts):
        return None
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in infos:
            body = parts[info.filename]
            if info.filename.lower().endswith((".xml", ".rels", ".vml")):
                for pattern, repl in _STRICT_RENAMES:
                    body = re.sub(pattern, repl, body)
                body = body.replace(b' conformance="strict"', b"")
            zout.writestr(info.filename, body)
    return out.getvalue()


@contextmanager
def _opened(src: Path) -> Iterator[Any]:
    """El libro abierto con openpyxl (``keep_vba`` en .xlsm). Al salir, también si la
    lectura falla, se cierra lo que openpyxl deja abierto: el zip leído y la copia en
    memoria del proyecto de macros (``vba_archive``), que si no se cierra termina el
    proceso con trazas «Exception ignored … ZipFile.__del__»."""
    from openpyxl.reader.excel import ExcelReader

    data = src.read_bytes()
    with io.BytesIO(transitional(data) or data) as fh:
        reader = ExcelReader(fh, keep_vba=src.suffix.lower() == ".xlsm", rich_text=True)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # «Data Validation extension is not supported…»
                reader.read()
            yield reader.wb
        finally:
            reader.archive.close()
            wb = getattr(reader, "wb", None)
            if wb is not None and wb.vba_archive is not None:
                wb.vba_archive.close()
                wb.vba_archive = None


#: Marca provisional: se reemplaza por la huella de la hoja del plan ya guardada.
_PENDING = "0" * 16


def _set_marker(wb: Any, value: str) -> None:
    """Propiedad personalizada que identifica la copia anotada (reemplaza la que hubiera)."""
    from openpyxl.packaging.custom import StringProperty

    props = wb.custom_doc_props
    for prop in [p for p in props.props if p.name == ANNOTATED_PROPERTY]:
        props.props.remove(prop)
    props.append(StringProperty(name=ANNOTATED_PROPERTY, value=value))


def _read_copy(path: Path) -> Any:
    """La copia leída como la lee el consolidador (`validation.read_grid`), o None."""
    from pea.config import load_config
    from pea.reading.errors import UnreadableFile
    from pea.reading.source import read_input
    from pea.validation import read_grid

    config = load_config()
    try:
        return read_grid(path, read_input(path, config.limites), config)
    except (UnreadableFile, OSError):
        return None


def untouched_copy(path: Path) -> bool:
    """¿`path` es una copia anotada por PEA que nadie cambió? Solo esa se puede reemplazar
    al volver a anotar: una copia que la dependencia corrigió es trabajo de la persona."""
    from pea.docprops import has_property

    if path.suffix.lower() not in (".xlsx", ".xlsm") or not has_property(path,
                                                                          ANNOTATED_PROPERTY):
        return False
    read = _read_copy(path)
    return read is not None and read.copy_of is not None and read.copy_of.sin_cambios


def stamp_fingerprint(copy: Path, read: Any = None) -> bool:
    """Pone en la marca de `copy` la huella de su hoja del plan, leída como la leería el
    consolidador. Así, si la copia vuelve a una carpeta de entregas, se sabe si alguien
    cambió sus valores (es una corrección) o no (es la copia de PEA, no otra entrega).
    `read`: la copia ya leída con `_read_copy`, si se tiene."""
    read = read if read is not None else _read_copy(copy)
    if read is None or read.grid is None:
        return False  # sin huella: si vuelve, se valida como una entrega más
    with zipfile.ZipFile(copy) as z:
        parts = {i.filename: (i, z.read(i.filename)) for i in z.infolist()}
    if CUSTOM_PART not in parts:
        return False
    info, custom = parts[CUSTOM_PART]
    # con lxml, openpyxl escribe «<vt:lpwstr xmlns:vt="…">»: se busca la etiqueta con atributos
    pending = re.compile(b"(" + LPWSTR_OPEN + b")" + _PENDING.encode() + rb"\|")
    stamp = read.grid.fingerprint().encode()
    parts[CUSTOM_PART] = (info, pending.sub(lambda m: m.group(1) + stamp + b"|", custom, 1))
    _rewrite(copy, parts)
    return True


def _rewrite(path: Path, parts: dict[str, tuple[zipfile.ZipInfo, bytes]]) -> None:
    """Vuelve a escribir el zip `path` con `parts` (en un temporal que lo reemplaza)."""
    tmp = path.with_name(path.name + ".pea")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zout:
        for info, data in parts.values():
            info.compress_type = zipfile.ZIP_DEFLATED
            zout.writestr(info, data)
    tmp.replace(path)


def _anchor(ws: Any, address: str) -> Any:
    """La celda visible: si `address` está dentro de una combinación, su esquina superior."""
    for rng in ws.merged_cells.ranges:
        if address in rng:
            return ws.cell(row=rng.min_row, column=rng.min_col)
    return ws[address]


def _mark_cells(wb: Any, report: FileReport,
                no_notes: frozenset[str] | set[str] = frozenset()) -> None:
    from openpyxl.comments import Comment
    from openpyxl.styles import PatternFill

    fills = {s: PatternFill("solid", fgColor=c) for s, c in SEVERITY_FILL.items()}
    for mark in cell_marks(report):
        if mark.sheet is None or mark.sheet not in wb.sheetnames:
            continue
        ws = wb[mark.sheet]
        try:
            cell = _anchor(ws, mark.cell)
        except (ValueError, KeyError):
            continue
        cell.fill = fills[mark.severity]
        if mark.sheet in no_notes:
            continue
        text = _xml_text(mark.note)
        if cell.comment is not None and cell.comment.author != NOTE_AUTHOR:
            text = f"{cell.comment.text}\n---\n{text}"
        text = xml_text(text)  # tope de Excel en unidades UTF-16 y solo caracteres de XML
        lines = text.count("\n") + 1 + len(text) // 60
        cell.comment = Comment(text, NOTE_AUTHOR, width=360, height=min(400, 40 + 16 * lines))


def _clip_long_texts(wb: Any) -> None:
    """Los textos del libro de la dependencia que no caben en una celda de Excel (32,767
    unidades UTF-16: un emoji cuenta dos) se recortan en la copia; Excel la repararía."""
    from pea.cell_text import CELL_MAX, clip_utf16, utf16_len

    for ws in wb.worksheets:
        for cell in getattr(ws, "_cells", {}).values():
            value = cell.value
            if isinstance(value, str) and len(value) > CELL_MAX // 2 \
                    and utf16_len(value) > CELL_MAX:
                cell.value = clip_utf16(value)


def _xml_text(text: str) -> str:
    """El texto sin los caracteres de control que XML no admite (openpyxl rechaza el libro
    entero por uno solo): se escriben como «\\x01»."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return ILLEGAL_CHARACTERS_RE.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def _put(ws: Any, row: int, column: int, value: str) -> Any:
    """Escribe `value` como texto literal: openpyxl toma por fórmula todo texto que empieza
    con «=», y lo escrito por una dependencia nunca debe volverse fórmula ni vínculo."""
    if isinstance(value, str):
        value = xml_text(_xml_text(value))  # y dentro del tope de Excel en unidades UTF-16
    cell = ws.cell(row=row, column=column, value=value)
    if isinstance(value, str) and cell.data_type != "s":
        cell.data_type = "s"
    return cell


#: Primera celda de la hoja de reporte que escribe PEA: aquí (copias anotadas) o el botón
#: Validar de Excel (`pea.excel.report_sheet.TITLE`).
_REPORT_FIRST_CELL = ("Resultado", "Validación del Plan Estratégico Anual")


def _is_report_sheet(ws: Any) -> bool:
    """¿La hoja es un reporte de PEA? (su primera celda y su fila de encabezados)."""
    if getattr(ws, "cell", None) is None or ws.cell(1, 1).value not in _REPORT_FIRST_CELL:
        return False
    headers = list(VALIDATION_HEADERS)
    return any([ws.cell(r, c).value for c in range(1, 5)] == headers for r in range(2, 60))


#: Nombre de la hoja de reporte cuando el libro ya tiene una «Validación» de la dependencia.
_REPORT_PREFIX = VALIDATION_SHEET + " PEA"


def report_sheet_name(wb: Any, plan_sheet: str | None) -> tuple[str, int | None]:
    """Nombre de la hoja de reporte y, si reemplaza a un reporte anterior de PEA, su lugar.

    Nunca es una hoja de la dependencia: si el libro ya tiene una «Validación» que no es un
    reporte de PEA (por ejemplo, su hoja del plan se llama así), el reporte va en
    «Validación PEA» (o «Validación PEA (2)», …). Excel no distingue mayúsculas."""
    taken = {name.casefold(): name for name in wb.sheetnames}
    candidates = [VALIDATION_SHEET, _REPORT_PREFIX,
                  *(f"{_REPORT_PREFIX} ({n})" for n in range(2, len(taken) + 3))]
    for name in candidates:
        existing = taken.get(name.casefold())
        if existing is None:
            return name, None
        if existing != plan_sheet and _is_report_sheet(wb[existing]):
            index = wb.sheetnames.index(existing)
            del wb[existing]
            return name, index
    raise AssertionError("siempre hay un nombre libre")  # pragma: no cover


def _validation_sheet(wb: Any, report: FileReport, rules_version: str,
                      controls: frozenset[str] | set[str] = frozenset(), *,
                      kept: bool = True) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.hyperlink import Hyperlink

    name, index = report_sheet_name(wb, report.hoja)
    ws = wb.create_sheet(name, index)
    bold = Font(bold=True)
    row = 1
    for label, value in summary_rows(report, rules_version, dt.datetime.now()):
        _put(ws, row, 1, label).font = bold
        _put(ws, row, 2, value)
        row += 1
    marked = {m.sheet for m in cell_marks(report)}
    for name_ in sorted(controls if not kept else controls & marked):
        _put(ws, row, 1, "Sin notas" if kept else "Botones").font = bold
        _put(ws, row, 2,
             f"La hoja «{name_}» tiene botones u otros controles de formulario: para no "
             "dañarlos, sus celdas con hallazgos solo van coloreadas, sin nota. Cada "
             "hallazgo está abajo, con vínculo a su celda." if kept else
             f"La hoja «{name_}» del original tiene botones u otros controles de formulario "
             "que esta copia (.xlsx) no conserva; el original los tiene intactos.")
        row += 1
    row += 1
    head = PatternFill("solid", fgColor="7B2C3B")
    for i, h in enumerate(VALIDATION_HEADERS, start=1):
        c = _put(ws, row, i, h)
        c.font = Font(bold=True, color="FFFFFF")
        c.fill = head
    for f in report.hallazgos:
        row += 1
        sev = _put(ws, row, 1, SEVERITY_LABEL[f.severidad])
        sev.fill = PatternFill("solid", fgColor=SEVERITY_FILL[f.severidad])
        sev.font = Font(color=SEVERITY_FONT[f.severidad])
        cell = _put(ws, row, 2, f.celda or "—")
        if f.celda and f.hoja and f.hoja in wb.sheetnames and f.hoja != name:
            target = f.hoja.replace("'", "''")
            cell.hyperlink = Hyperlink(ref=cell.coordinate, location=f"'{target}'!{f.celda}",
                                       tooltip="Ir a la celda")
            cell.font = Font(color="0563C1", underline="single")
        _put(ws, row, 3, f.regla)
        _put(ws, row, 4, f.mensaje).alignment = Alignment(wrap_text=True, vertical="top")
    for letter, width in zip("ABCD", (16, 10, 11, 100), strict=True):
        ws.column_dimensions[letter].width = width
    ws.sheet_properties.tabColor = "C00000" if report.resumen["error"] else "FFC000"


def restore_ribbon(original: Path, copy: Path) -> bool:
    """Vuelve a poner en `copy` la cinta (customUI) del original si openpyxl la quitó.

    Copia las partes ``customUI/…`` que falten y agrega a ``_rels/.rels`` la relación de
    cada una. Devuelve True si hubo que cambiar algo.
    """
    with zipfile.ZipFile(original) as zo:
        names = zo.namelist()
        ui_parts = {n: zo.read(n) for n in names if n.lower().startswith("customui/")}
        root_rels = zo.read(ROOT_RELS) if ROOT_RELS in names else b""
    ui_rels = _UI_REL.findall(root_rels)
    if not ui_parts and not ui_rels:
        return False
    with zipfile.ZipFile(copy) as zc:
        parts = {i.filename: (i, zc.read(i.filename)) for i in zc.infolist()}
    changed = False
    for name, data in ui_parts.items():
        if name not in parts:
            parts[name] = (zipfile.ZipInfo(name), data)
            changed = True
    rels = parts[ROOT_RELS][1] if ROOT_RELS in parts else b""
    for rel in ui_rels:
        target = _TARGET.search(rel)
        if target and target.group(1) in rels:
            continue
        rel_id = _ID.search(rel)
        if rel_id and b'Id="' + rel_id.group(1) + b'"' in rels:
            rel = rel.replace(rel_id.group(0), b'Id="' + rel_id.group(1) + b'PEA"')
        rels = rels.replace(b"</Relationships>", rel + b"</Relationships>", 1)
        changed = True
    if not changed:
        return False
    parts[ROOT_RELS] = (parts[ROOT_RELS][0], rels)
    ct_info, ct = parts[CONTENT_TYPES]
    for name in ui_parts:
        ext = name.rsplit(".", 1)[-1].lower()
        if ext in _IMAGE_TYPES and f'Extension="{ext}"'.encode() not in ct:
            ct = ct.replace(b"</Types>", f'<Default Extension="{ext}" ContentType='
                            f'"{_IMAGE_TYPES[ext]}"/></Types>'.encode(), 1)
    parts[CONTENT_TYPES] = (ct_info, ct)
    _rewrite(copy, parts)
    return True
