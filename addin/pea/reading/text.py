"""Exportación de texto de un plan (separada por tabuladores), como la semilla.

Cada línea es una fila (su número es la fila de los hallazgos) y cada tabulador separa
una columna. Las líneas sin tabuladores son el bloque de encabezado y el pie; de ellas
se quitan las marcas de la conversión (``# `` de título, ``**`` de negritas y los
espacios finales de salto de línea).

Codificación: UTF-8 (con o sin BOM), UTF-16 con BOM («Texto Unicode» de Excel) o, si
no es nada de eso, Windows-1252. Límites: tamaño del archivo, filas y celdas.
"""

from __future__ import annotations

import re

from pea.config import Limits
from pea.reading.deadline import Deadline
from pea.reading.errors import UnreadableFile
from pea.reading.grid import SheetGrid

_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+")
_BOLD = re.compile(r"\*\*(.*?)\*\*")
_MB = 1024 * 1024
#: Una secuencia UTF-8 de dos o más bytes bien formada (p. ej. «ó» = C3 B3).
_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}")


def decode(data: bytes) -> str:
    """UTF-8 (con o sin BOM; si tiene bytes dañados, se marcan), UTF-16 con BOM; si no, Windows-1252."""
    if not data.strip():
        raise UnreadableFile("El archivo está vacío; vuelva a exportar el plan o envíe el libro "
                             "de Excel.", kind="vacio")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise UnreadableFile("El texto Unicode (UTF-16) está incompleto o dañado; vuelva "
                                 "a exportarlo.", kind="danado") from exc
    if b"\x00" in data[:4096]:
        raise UnreadableFile(
            "El archivo no es una exportación de texto del plan (contiene datos binarios); "
            "envíe el libro de Excel (.xlsx/.xlsm) o la exportación separada por tabuladores.",
            kind="no_excel",
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    if _UTF8_MULTIBYTE.search(data):  # UTF-8 con bytes dañados: se marcan con «�» (PEA-T03)
        return data.decode("utf-8-sig", errors="replace")
    return data.decode("cp1252", errors="replace")


def _clean_line(line: str) -> str:
    line = _HEADING.sub("", line.rstrip())
    return _BOLD.sub(r"\1", line)


def read_text(data: bytes, limits: Limits | int) -> SheetGrid:
    """La exportación de texto como cuadrícula (hoja = None), dentro de los límites.

    `limits` es la sección `limites` de la configuración (o, por compatibilidad, solo el
    máximo de filas).
    """
    lim = limits if isinstance(limits, Limits) else Limits(filas=limits)
    deadline = Deadline(lim.segundos_por_archivo)  # también para interpretar y validar
    if len(data) > lim.tamano_archivo_mb * _MB:
        raise UnreadableFile(
            f"El archivo pesa {len(data) / _MB:,.0f} MB, más que el límite de "
            f"{lim.tamano_archivo_mb:g} MB («limites.tamano_archivo_mb»).", kind="limite")
    text = decode(data)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    del text  # cada línea ya es su propio texto: no tener el archivo dos veces en memoria
    while lines and not lines[-1].strip():
        lines.pop()
    if len(lines) > lim.filas:
        raise UnreadableFile(
            f"El archivo tiene {len(lines):,} líneas, más que el límite de {lim.filas:,} filas "
            "(«limites.filas»); revise que sea la exportación del plan y borre lo sobrante.",
            kind="limite")
    rows: list[list[object]] = []
    cells = 0
    for i, line in enumerate(lines):
        lines[i] = ""  # la línea pasa a la cuadrícula: se suelta la copia
        cells += line.count("\t") + 1  # antes de partir la línea: no crear listas enormes
        if cells > lim.celdas:
            raise UnreadableFile(
                f"El archivo tiene más de {lim.celdas:,} celdas («limites.celdas»); revise que "
                "sea la exportación del plan.", kind="limite")
        if "\t" in line:
            rows.append([c if c != "" else None for c in line.split("\t")])
        else:
            cleaned = _clean_line(line)
            rows.append([cleaned] if cleaned else [])
    return SheetGrid(name=None, rows=rows, deadline=deadline)
