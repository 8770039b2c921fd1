"""Textos que caben en una celda de Excel y en XML 1.0, escriba lo que escriba la dependencia.

- Excel admite 32,767 caracteres por celda contados en unidades UTF-16: un emoji (fuera
  del plano básico) cuenta dos. Se recorta sin partir un par sustituto.
- XML 1.0 no admite los caracteres de control C0 (salvo tabulador, salto de línea y
  retorno), U+FFFE, U+FFFF ni sustitutos sueltos. XlsxWriter escribe los de control y
  U+FFFE/U+FFFF como «_xHHHH_» (Excel los lee de vuelta); los sustitutos sueltos no tienen
  representación en UTF-8 y se cambian por U+FFFD. openpyxl rechaza los de control en
  las celdas y los deja pasar en las notas: para lo que escribe openpyxl se cambian todos
  por U+FFFD (`xml_text`).
"""

from __future__ import annotations

import re

#: Unidades UTF-16 que caben en una celda (y en una nota) de Excel.
CELL_MAX = 32_767
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def utf16_len(text: str) -> int:
    """Longitud como la cuenta Excel (unidades UTF-16)."""
    if text.isascii():
        return len(text)
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def clip_utf16(text: str, limit: int = CELL_MAX) -> str:
    """`text` recortado a `limit` unidades UTF-16, sin partir un emoji."""
    if len(text) <= limit // 2 or (len(text) <= limit and utf16_len(text) <= limit):
        return text
    encoded = text.encode("utf-16-le", "surrogatepass")[: 2 * limit]
    if 0xD8 <= encoded[-1] <= 0xDB:  # la última unidad abre un par: se quita
        encoded = encoded[:-2]
    return encoded.decode("utf-16-le", "surrogatepass")


def cell_text(text: str) -> str:
    """Texto para XlsxWriter: cabe en la celda y se puede codificar (sin sustitutos sueltos)."""
    if not text.isascii() and _LONE_SURROGATE.search(text):
        text = _LONE_SURROGATE.sub("\ufffd", text)
    return clip_utf16(text)


def xml_text(text: str, limit: int = CELL_MAX) -> str:
    """Texto para openpyxl: solo caracteres de XML 1.0 (los demás, U+FFFD) y dentro del tope."""
    if not text.isprintable() and _XML_ILLEGAL.search(text):
        text = _XML_ILLEGAL.sub("\ufffd", text)
    return clip_utf16(text, limit)
