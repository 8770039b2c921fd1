"""Botón Ayuda: la guía del usuario (Markdown incluido en el paquete) como página HTML local.

La guía viaja dentro del paquete (`guia.md`), así que funciona sin Internet y
coincide con la versión instalada. Se convierte a HTML en la carpeta local de PEA
y se abre con el navegador predeterminado.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

GUIDE_MD = Path(__file__).with_name("guia.md")
_STYLE = ("body{font-family:Segoe UI,Arial,sans-serif;max-width:46em;margin:2em auto;"
          "line-height:1.5;padding:0 1em}code{background:#f2f2f2;padding:0 .2em}"
          "h1,h2{color:#7b2c3b}")


def _inline(text: str) -> str:
    out = html.escape(text, quote=False)
    out = re.sub(r"`([^`]+)`", r"<code>\1</code>", out)
    return re.sub(r"\*\*([^*]+)\*\*", r"<strong>\1</strong>", out)


def to_html(markdown: str) -> str:
    """Convierte el Markdown sencillo de la guía (títulos, párrafos, listas anidadas)."""
    body: list[str] = []
    text: list[str] = []  # renglones del párrafo o del elemento de lista en curso
    lists: list[str] = []  # pila de listas abiertas (ul/ol)

    def flush() -> None:
        if text:
            joined = _inline(" ".join(text))
            body.append(joined if lists else f"<p>{joined}</p>")
            text.clear()

    def close_to(depth: int) -> None:
        while len(lists) > depth:
            body.append(f"</li></{lists.pop()}>")

    for raw in markdown.splitlines():
        line = raw.rstrip()
        item = re.match(r"^(\s*)(-|\d+\.)\s+(.*)$", line)
        if not line.strip():
            flush()
            close_to(0)
        elif line.startswith("#"):
            flush()
            close_to(0)
            level = len(line) - len(line.lstrip("#"))
            body.append(f"<h{level}>{_inline(line.lstrip('#').strip())}</h{level}>")
        elif item:
            flush()
            depth = len(item.group(1)) // 3 + 1
            close_to(depth)
            if len(lists) < depth:
                lists.append("ul" if item.group(2) == "-" else "ol")
                body.append(f"<{lists[-1]}><li>")
            else:
                body.append("</li><li>")
            text.append(item.group(3))
        else:
            text.append(line.strip())
    flush()
    close_to(0)
    return ('<!DOCTYPE html>\n<html lang="es-MX"><head><meta charset="utf-8">'
            f"<title>Guía de PEA</title><style>{_STYLE}</style></head><body>\n"
            + "\n".join(body) + "\n</body></html>\n")


def write_guide(folder: Path | None = None) -> Path:
    """Escribe la guía en HTML (en la carpeta local de PEA) y devuelve su ruta."""
    from pea.excel.guard import log_dir

    target = (folder or log_dir()) / "guia.html"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(to_html(GUIDE_MD.read_text(encoding="utf-8")), encoding="utf-8")
    return target


def open_guide() -> tuple[Path, bool]:
    """Abre la guía en el navegador; (ruta, si se pudo abrir)."""
    import webbrowser

    path = write_guide()
    try:
        opened = webbrowser.open(path.as_uri())
    except webbrowser.Error:
        opened = False
    return path, opened
