"""El paquete .xlsx/.xlsm como zip no confiable: identificación, límites y partes XML.

Nada del libro se ejecuta ni se sigue (macros, vínculos externos, hipervínculos): solo
se leen sus partes XML, cada una descomprimida con tope de tamaño real (no el declarado,
que puede mentir), de razón de compresión y de total, y se rechaza cualquier declaración
DTD/ENTITY (XXE, «billion laughs») en todas las partes que el motor de lectura podría
abrir, antes de dárselo. Ver SECURITY.md.

Aquí no se sabe nada de SpreadsheetML (hojas, estilos, celdas): eso está en
`spreadsheetml.py`, que lee las partes ya revisadas por `Package.read_xml`.
"""

from __future__ import annotations

import bisect
import copy
import io
import re
import struct
import zipfile
import zlib

from pea.config import Limits
from pea.reading.deadline import Deadline
from pea.reading.errors import UnreadableFile
from pea.reading.sniff import reject_unless_zip

_MB = 1024 * 1024
#: Más partes que esto no es un libro de plan (un zip con miles de entradas agota memoria).
MAX_PARTS = 10_000
#: Partes binarias que el motor de lectura no abre y no se revisan como XML.
_BINARY_SUFFIXES = (".bin", ".png", ".jpg", ".jpeg", ".gif", ".bmp", ".tif", ".tiff",
                    ".emf", ".wmf", ".svg", ".wdp", ".ico")
_CHUNK = 1 << 20

_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_DTD_UTF16 = tuple(word.encode(enc) for word in ("<!DOCTYPE", "<!ENTITY", "<!doctype",
                                                  "<!entity")
                   for enc in ("utf-16-le", "utf-16-be"))
#: Tamaño máximo de una hoja que se guarda descomprimida para releerla.
_CACHE_PART_MAX = 32 * 1024 * 1024
#: Partes que el lector vuelve a leer (hojas, estilos, libro): se guardan ya revisadas.
_CACHED_PARTS = ("xl/worksheets/", "xl/styles.xml", "xl/workbook.xml", "xl/_rels/")


def _declared_entries(data: bytes) -> int | None:
    """Número de entradas que declara el directorio central (sin crear los objetos)."""
    pos = data.rfind(b"PK\x05\x06", max(0, len(data) - 65_557))
    if pos < 0 or pos + 22 > len(data):
        return None
    (total,) = struct.unpack_from("<H", data, pos + 10)
    return None if total == 0xFFFF else total  # 0xFFFF: zip64, lo acota el tamaño del archivo


def _has_dtd(data: bytes) -> bool:
    if b"<!" in data and _DTD.search(data):
        return True
    return (b"\x00" in data[:512]) and any(w in data for w in _DTD_UTF16)


class Package:
    """Un libro .xlsx/.xlsm abierto desde sus bytes, con límites de lectura."""

    def __init__(self, data: bytes, limits: Limits, deadline: Deadline | None = None) -> None:
        self.data = data
        self._xml_cache: dict[str, bytes] = {}
        self.limits = limits
        self.deadline = deadline or Deadline(limits.segundos_por_archivo)
        self.total_read = 0  # bytes realmente descomprimidos hasta ahora
        reject_unless_zip(data)
        declared = _declared_entries(data)
        if declared is not None and declared > MAX_PARTS:
            raise UnreadableFile(
                f"El archivo zip declara {declared:,} partes; un libro de plan tiene unas "
                "decenas. Por seguridad no se lee; envíe solo el libro del plan.", kind="limite")
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(data))
            infos = self.zip.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError,
                struct.error, NotImplementedError) as exc:
            raise UnreadableFile(
                "El libro está dañado o incompleto (el archivo zip no se puede abrir; quizá "
                "se copió a medias). Vuelva a guardarlo en Excel o pida que lo envíen de nuevo.",
                kind="danado",
            ) from exc
        if len(infos) > MAX_PARTS:
            raise UnreadableFile(
                f"El archivo zip tiene {len(infos):,} partes; un libro de plan tiene unas "
                "decenas. Por seguridad no se lee; envíe solo el libro del plan.", kind="limite")
        self.names = {i.filename: i for i in infos}
        if len(self.names) != len(infos):
            raise UnreadableFile(
                "El libro tiene partes repetidas con el mismo nombre (un zip manipulado o "
                "dañado); por seguridad no se lee. Vuelva a guardarlo en Excel.",
                kind="danado")
        self._check_sizes(infos)
        # dónde termina, a lo más, cada parte: en el encabezado de la siguiente (o en el
        # directorio central); la vía rápida no lee partes que se enciman (bombas zip)
        starts = sorted({i.header_offset for i in infos} | {self.zip.start_dir})
        self._ends: dict[str, int] = {}
        for i in infos:
            k = bisect.bisect_right(starts, i.header_offset)
            self._ends[i.filename] = starts[k] if k < len(starts) else len(data)
        self._check_kind()

    # --- comprobaciones ---------------------------------------------------------

    def _too_big(self, what: str, size_mb: float) -> UnreadableFile:
        return UnreadableFile(
            f"{what} ocuparía {size_mb:,.0f} MB descomprimido, más que el límite de "
            f"{self.limits.tamano_descomprimido_mb:g} MB («limites.tamano_descomprimido_mb»); "
            "revise que sea el plan correcto.",
            kind="limite",
        )

    def _bad_ratio(self, name: str, ratio: float) -> UnreadableFile:
        return UnreadableFile(
            f"La parte «{name}» del libro tiene una compresión anómala ({ratio:,.0f}:1, límite "
            f"{self.limits.razon_compresion:g}:1), típica de una «bomba zip»; por seguridad no "
            "se lee. Si es un plan legítimo, vuelva a guardarlo en Excel o pida que lo envíen de "
            "nuevo.",
            kind="limite",
        )

    def _check_sizes(self, infos: list[zipfile.ZipInfo]) -> None:
        """Tamaños declarados (la primera defensa; `read` mide el tamaño real)."""
        total = sum(i.file_size for i in infos)
        if total > self.limits.tamano_descomprimido_mb * _MB:
            raise self._too_big("El libro", total / _MB)
        for i in infos:
            if i.file_size > _MB and i.file_size > self.limits.razon_compresion * max(
                i.compress_size, 1
            ):
                raise self._bad_ratio(i.filename, i.file_size / max(i.compress_size, 1))

    def _check_kind(self) -> None:
        if "mimetype" in self.names:
            mime = self.read("mimetype", 200)
            if b"opendocument" in mime:
                raise UnreadableFile(
                    "El archivo es una hoja de cálculo de LibreOffice/OpenDocument (.ods); "
                    "ábrala y guárdela como «Libro de Excel 2007-365 (.xlsx)».",
                    kind="ods",
                )
        if "xl/workbook.bin" in self.names:
            raise UnreadableFile(
                "El archivo es un libro binario de Excel (.xlsb); ábralo en Excel y guárdelo "
                "como «Libro de Excel (.xlsx)» o «Libro de Excel habilitado para macros (.xlsm)».",
                kind="no_excel",
            )
        if self.workbook_part() is None:
            raise UnreadableFile(
                "El archivo es un zip pero no un libro de Excel (falta xl/workbook.xml); "
                "envíe el libro del plan (.xlsx/.xlsm).",
                kind="no_excel",
            )

    # --- lectura de partes ------------------------------------------------------

    def read(self, name: str, cap: int | None = None) -> bytes:
        """Descomprime una parte midiendo su tamaño real, no el declarado (que puede mentir)."""
        self.deadline.check()
        info = self.names[name]
        limit = cap if cap is not None else int(self.limits.tamano_descomprimido_mb * _MB)
        # la vía rápida descomprime de una vez, sin copias, y nunca más que lo declarado
        # (una parte que miente sobre su tamaño va a la vía cuidadosa, que la mide)
        small = self._inflate_small(info, min(limit, info.file_size))
        if small is not None:
            self._account(name, info, len(small), len(small))
            return small
        probe = copy.copy(info)
        probe.file_size = 1 << 62  # zipfile cortaría en el tamaño declarado: medimos el real
        chunks: list[bytes] = []
        size = 0
        try:
            with self.zip.open(probe) as fh:
                while size <= limit:
                    chunk = fh.read(min(_CHUNK, limit + 1 - size))
                    if not chunk:
                        break
                    chunks.append(chunk)
                    size += len(chunk)
                    self._account(name, info, size, len(chunk))
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError,
                NotImplementedError, RuntimeError, struct.error) as exc:
            raise UnreadableFile(
                f"La parte «{name}» del libro está dañada o cifrada (el archivo está incompleto "
                "o se copió a medias); vuelva a guardar el libro en Excel.",
                kind="danado",
            ) from exc
        if size > limit:
            raise UnreadableFile(
                f"La parte «{name}» del libro excede el tamaño permitido; por seguridad no se lee. "
                "Revise que sea el plan correcto.",
                kind="limite",
            )
        if size != info.file_size:
            raise UnreadableFile(
                f"La parte «{name}» del libro declara un tamaño ({info.file_size:,} bytes) "
                f"distinto del real ({size:,} bytes): el archivo está dañado o manipulado; por "
                "seguridad no se lee. Vuelva a guardarlo en Excel o pida que lo envíen de nuevo.",
                kind="danado",
            )
        return b"".join(chunks)

    def _inflate_small(self, info: zipfile.ZipInfo, cap: int) -> bytes | None:
        """Vía rápida para la parte pequeña común (casi todas): una sola llamada a zlib.

        Lee la parte directamente de los bytes del archivo, con la salida topada en `cap`
        (el tamaño real, no el declarado). Devuelve None, y la parte se lee por la vía
        cuidadosa de `read` (que da el mensaje preciso), si algo no es lo común: cifrada o
        con datos parchados, otro método de compresión, encabezado local extraño o con otro
        nombre, datos que se enciman con la parte siguiente, tamaño real distinto del
        declarado, más grande que `cap`, flujo incompleto o CRC que no coincide.
        """
        # 0x1 cifrada, 0x20 datos parchados, 0x40 cifrado fuerte: lo decide zipfile
        if info.flag_bits & 0x61 or info.file_size > cap or info.compress_type not in (
                zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED):
            return None
        data = self.data
        start = info.header_offset
        if data[start:start + 4] != b"PK\x03\x04" or start + 30 > len(data):
            return None
        name_len, extra_len = struct.unpack_from("<HH", data, start + 26)
        name = data[start + 30:start + 30 + name_len]
        if name != info.orig_filename.encode("utf-8" if info.flag_bits & 0x800 else "cp437",
                                             "replace"):
            return None  # el encabezado local no es el de esta parte
        begin = start + 30 + name_len + extra_len
        end = begin + info.compress_size
        if end > self._ends.get(info.filename, 0):
            return None  # se encima con la parte siguiente o sale del archivo
        raw = memoryview(data)[begin:end]
        if info.compress_type == zipfile.ZIP_STORED:
            out = bytes(raw)
        else:
            inflater = zlib.decompressobj(-zlib.MAX_WBITS)
            try:
                out = inflater.decompress(raw, cap + 1)
            except zlib.error:
                return None
            if not inflater.eof or inflater.unconsumed_tail:
                return None
        if len(out) != info.file_size or zlib.crc32(out) != info.CRC:
            return None
        return out

    def _account(self, name: str, info: zipfile.ZipInfo, size: int, added: int) -> None:
        """Suma lo descomprimido y aplica, mientras se lee, los topes de razón y de total."""
        self.total_read += added
        if self.total_read > self.limits.tamano_descomprimido_mb * _MB:
            raise self._too_big("El contenido del libro", self.total_read / _MB)
        if size > _MB and size > self.limits.razon_compresion * max(info.compress_size, 1):
            raise self._bad_ratio(name, size / max(info.compress_size, 1))
        self.deadline.check()

    def read_xml(self, name: str) -> bytes:
        """Como `read`, pero rechaza DTD y entidades (XXE, expansión de entidades).

        Las hojas se guardan ya revisadas: el área, los formatos y las fórmulas se leen de
        la misma copia (sin descomprimir tres veces).
        """
        cached = self._xml_cache.get(name)
        if cached is not None:
            return cached
        data = self.read(name)
        if _has_dtd(data):
            raise UnreadableFile(
                f"La parte «{name}» del libro contiene declaraciones XML (DTD/ENTITY) que "
                "Excel no produce; por seguridad el archivo no se lee. Ábralo en Excel, guárdelo "
                "como un libro nuevo (.xlsx) y vuelva a enviarlo.",
                kind="xml_peligroso",
            )
        if name.startswith(_CACHED_PARTS) and len(data) <= _CACHE_PART_MAX:
            self._xml_cache[name] = data
        return data

    def forget(self, name: str) -> None:
        """Suelta la copia revisada de una parte que ya no se va a leer (memoria)."""
        self._xml_cache.pop(name, None)

    def workbook_part(self) -> str | None:
        for name in ("xl/workbook.xml", "xl/workbook2.xml"):
            if name in self.names:
                return name
        return None

    def check_xml_parts(self) -> None:
        """Revisa, antes de dárselo al motor de lectura, todas las partes que podría abrir.

        Son todas menos las binarias (imágenes, ``vbaProject.bin``…): cada una se
        descomprime con los topes reales y se rechaza si tiene DTD/ENTITY.
        """
        for name, info in self.names.items():
            if info.is_dir() or name.lower().endswith(_BINARY_SUFFIXES):
                continue
            self.read_xml(name)

    def has_part(self, prefix: str) -> bool:
        """Si alguna parte empieza con `prefix` (p. ej. ``xl/externalLinks/``)."""
        return any(n.startswith(prefix) for n in self.names)

