"""Reporte de validación para una persona (texto en español, con rich)."""

from __future__ import annotations

import re

from rich.console import Console
from rich.table import Table
from rich.text import Text

from pea.models import FileReport

#: Caracteres de control (ESC, BEL, …) que un libro podría traer en sus textos: en la
#: terminal se muestran como «\x1b» para que no cambien colores, títulos ni la pantalla.
#: También los controles de dirección (U+202A–U+202E, U+2066–U+2069): «\u202e» invierte
#: lo que sigue en la terminal y hace que «fdp.xlsx» se lea como otro nombre.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _escaped(m: re.Match[str]) -> str:
    code = ord(m.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str) -> str:
    """El texto con sus caracteres de control escritos como ``\\xNN`` (seguro en terminal)."""
    return _CONTROL.sub(_escaped, text)


#: Todos los caracteres de control, también tabulador y saltos de línea: una línea de
#: encabezado (nombre de archivo, dependencia, hoja) nunca se parte ni se desalinea.
_CONTROL_ALL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def visible_line(text: str) -> str:
    """Como `visible`, también con ``\\n``, ``\\r`` y ``\\t`` escritos así (para nombres)."""
    return _CONTROL_ALL.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100
                            else f"\\u{ord(m.group()):04x}", text)


SEVERITY_STYLE = {"error": "bold red", "advertencia": "yellow", "info": "cyan"}
SEVERITY_LABEL = {"error": "Error", "advertencia": "Advertencia", "info": "Info"}


def status_text(report: FileReport) -> Text:
    r = report.resumen
    if r["error"]:
        return Text(f"NO VÁLIDO — {r['error']} error(es), {r['advertencia']} advertencia(s)",
                    style="bold red")
    if r["advertencia"]:
        return Text(f"VÁLIDO con observaciones — {r['advertencia']} advertencia(s)",
                    style="yellow")
    return Text("VÁLIDO", style="bold green")


def print_report(console: Console, report: FileReport) -> None:
    """Un archivo: encabezado con su estado, avisos y la tabla de hallazgos."""
    title = Text(visible_line(report.archivo), style="bold")
    if report.dependencia:
        title.append(f"  ·  {visible_line(report.dependencia)}", style="")
    if report.hoja:
        title.append(f"  ·  hoja «{visible_line(report.hoja)}»", style="dim")
    console.print(title)
    console.print(status_text(report))
    for aviso in report.avisos:
        console.print(Text(f"Aviso: {visible(aviso)}", style="magenta"))
    if report.hallazgos:
        table = Table(show_header=True, header_style="bold", expand=False, show_lines=False)
        table.add_column("Severidad", no_wrap=True)
        table.add_column("Celda", no_wrap=True)
        table.add_column("Regla", no_wrap=True)
        table.add_column("Mensaje", overflow="fold")
        for f in report.hallazgos:
            table.add_row(Text(SEVERITY_LABEL[f.severidad], style=SEVERITY_STYLE[f.severidad]),
                          f.celda or "—", f.regla, Text(visible(f.mensaje)))
        console.print(table)
    r = report.resumen
    console.print(f"Resumen: {r['error']} error(es), {r['advertencia']} advertencia(s), "
                  f"{r['info']} nota(s) informativa(s).\n")
