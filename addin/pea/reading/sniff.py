"""Qué es un archivo por su contenido (no por su nombre), con un mensaje que se puede atender.

Solo se miran los primeros bytes: nada del archivo se interpreta ni se ejecuta aquí.
"""

from __future__ import annotations

from pea.reading.errors import UnreadableFile

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
EMPTY_ZIP_MAGIC = b"PK\x05\x06"


def _utf16(name: str) -> bytes:
    return name.encode("utf-16-le")


def sniff(head: bytes) -> str:
    """Tipo de archivo por su firma: 'zip', 'ole', 'vacio' u 'otro'."""
    if not head:
        return "vacio"
    if head.startswith((ZIP_MAGIC, EMPTY_ZIP_MAGIC)):
        return "zip"
    if head.startswith(OLE_MAGIC):
        return "ole"
    return "otro"


def lock_file_message(name: str) -> str | None:
    """Mensaje para el archivo temporal «~$libro.xlsx» que Excel deja mientras el libro está abierto."""
    if name.startswith("~$"):
        return (f"«{name}» es el archivo temporal que Excel crea mientras el libro está abierto; "
                "no es un plan. Cierre el libro en Excel y envíe el archivo sin «~$» en el nombre.")
    return None


def ole_error(data: bytes) -> UnreadableFile:
    """Un contenedor OLE (Office 97-2003 o libro cifrado): por qué no se lee."""
    if _utf16("EncryptedPackage") in data or _utf16("EncryptionInfo") in data:
        return UnreadableFile(
            "El libro está protegido con contraseña (cifrado) y no se puede leer; quite la "
            "contraseña (Archivo › Información › Proteger libro › Cifrar con contraseña, deje "
            "el campo vacío), guarde y vuelva a enviarlo.",
            kind="cifrado",
        )
    if _utf16("WordDocument") in data:
        return UnreadableFile(
            "El archivo es un documento de Word (.doc), no un libro de Excel; envíe el libro "
            "del plan (.xlsx/.xlsm).",
            kind="no_excel",
        )
    return UnreadableFile(
        "El archivo es de Excel 97-2003 (.xls) u otro formato antiguo de Office; ábralo en "
        "Excel y guárdelo como «Libro de Excel (.xlsx)» o use la plantilla oficial.",
        kind="xls",
    )


def other_error(data: bytes) -> UnreadableFile:
    """Un archivo que no es zip ni OLE: qué parece ser y qué hacer."""
    head = data[:4096]
    lower = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if lower.startswith(b"%pdf"):
        what = "un PDF"
    elif b"urn:schemas-microsoft-com:office:spreadsheet" in lower or b"excel.sheet" in lower:
        what = "una «Hoja de cálculo XML 2003» de Excel"
    elif lower.startswith((b"<!doctype html", b"<html")) or b"<table" in lower:
        what = "una página web (HTML) con extensión de Excel"
    elif lower.startswith(b"{\\rtf"):
        what = "un documento RTF"
    elif b"\x00" not in head and _looks_like_text(head):
        what = "texto (por ejemplo CSV)"
    else:
        what = "de otro tipo"
    return UnreadableFile(
        f"El archivo no es un libro de Excel (.xlsx/.xlsm): su contenido es {what} aunque su "
        "nombre lo parezca. Ábralo en Excel y guárdelo como «Libro de Excel (.xlsx)», o use "
        "la plantilla oficial.",
        kind="no_excel",
    )


def _looks_like_text(head: bytes) -> bool:
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # un carácter UTF-8 cortado al final de la muestra no cuenta
        if exc.start < len(head) - 4:
            return all(b >= 0x09 for b in head)
    return True


def reject_unless_zip(data: bytes) -> None:
    """Lanza `UnreadableFile` con el mensaje adecuado si el archivo no es un zip."""
    kind = sniff(data[:8])
    if kind == "zip":
        return
    if kind == "vacio":
        raise UnreadableFile("El archivo está vacío (0 bytes); vuelva a guardarlo o pida que "
                             "lo envíen de nuevo.", kind="vacio")
    if kind == "ole":
        raise ole_error(data)
    raise other_error(data)
