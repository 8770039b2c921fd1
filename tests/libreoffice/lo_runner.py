#!/usr/bin/python3
"""Abre un libro en LibreOffice sin interfaz, ejecuta macros y lo exporta a PDF.

Se ejecuta con el Python del sistema (el que trae el módulo `uno` de LibreOffice),
no con el del proyecto. Un solo proceso soffice por llamada, con perfil nuevo.
Imprime un JSON en la salida estándar: {"llamadas": [[macro, celda], ...], "pdf": ruta}.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import uno  # type: ignore[import-not-found]
from com.sun.star.beans import PropertyValue  # type: ignore[import-not-found]
from com.sun.star.connection import NoConnectException  # type: ignore[import-not-found]

ALWAYS_EXECUTE_NO_WARN = 4


def prop(name: str, value: object) -> PropertyValue:
    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


def connect(pipe: str, deadline: float):
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext(
        "com.sun.star.bridge.UnoUrlResolver", local)
    while True:
        try:
            return resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
        except NoConnectException:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def cell(doc, ref: str):
    sheet, addr = ref.split("!")
    return doc.Sheets.getByName(sheet).getCellRangeByName(addr)


def run(args: argparse.Namespace) -> dict:
    deadline = time.monotonic() + args.timeout
    profile = Path(tempfile.mkdtemp(prefix="pea-lo-perfil-"))
    pipe = f"pea_lo_{uuid.uuid4().hex[:12]}"
    proc = subprocess.Popen(
        ["soffice", "--headless", "--invisible", "--nologo", "--norestore", "--nolockcheck",
         "--nodefault", f"-env:UserInstallation={profile.as_uri()}",
         f"--accept=pipe,name={pipe};urp;"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=os.environ.copy(),
        start_new_session=True)  # grupo propio: soffice lanza soffice.bin como hijo
    out: dict = {"llamadas": []}
    try:
        ctx = connect(pipe, deadline)
        desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
        # Se abre una copia dentro del perfil: así el archivo de bloqueo se borra con él.
        copy = profile / Path(args.workbook).name
        shutil.copyfile(args.workbook, copy)
        doc = desktop.loadComponentFromURL(
            copy.as_uri(), "_blank", 0,
            (prop("Hidden", True), prop("MacroExecutionMode", ALWAYS_EXECUTE_NO_WARN)))
        if doc is None:
            raise SystemExit(f"LibreOffice no pudo abrir {args.workbook}.")
        provider = doc.getScriptProvider()
        for action in args.accion or []:
            kind, _, arg = action.partition(":")
            if kind == "fijar":
                ref, _, value = arg.partition("=")
                cell(doc, ref).setString(value)
            elif kind == "llamar":
                cell(doc, args.read).setString("")
                script = provider.getScript(
                    f"vnd.sun.star.script:{arg}?language=Basic&location=document")
                # Un objeto UNO cualquiera hace las veces del IRibbonControl: con None,
                # LibreOffice no ejecuta un Sub que declara el parámetro.
                script.invoke((doc,), (), ())
                out["llamadas"].append([arg, cell(doc, args.read).getString()])
            elif kind == "funcion":  # una Function sin argumentos: se anota lo que devuelve
                script = provider.getScript(
                    f"vnd.sun.star.script:{arg}?language=Basic&location=document")
                value = script.invoke((), (), ())[0]
                out["llamadas"].append([arg, "" if value is None else str(value)])
            else:
                raise SystemExit(f"Acción desconocida: {action}")
        if args.pdf:
            pdf = Path(args.pdf).resolve()
            doc.storeToURL(pdf.as_uri(), (prop("FilterName", "calc_pdf_Export"),))
            out["pdf"] = str(pdf)
        doc.close(True)
        with contextlib.suppress(Exception):  # la conexión se cierra al terminar soffice
            desktop.terminate()
    finally:
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=15)
        with contextlib.suppress(ProcessLookupError):  # soffice.bin, aunque el lanzador salió
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        shutil.rmtree(profile, ignore_errors=True)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("workbook")
    parser.add_argument("--accion", action="append",
                        help="«fijar:HOJA!CELDA=valor», «llamar:VBAProject.Modulo.Sub» o "
                             "«funcion:VBAProject.Modulo.Funcion», en orden")
    parser.add_argument("--read", default="PEA_meta!D1", help="celda donde se anota el comando")
    parser.add_argument("--pdf", help="exporta el libro a este PDF")
    parser.add_argument("--timeout", type=float, default=90)
    args = parser.parse_args()
    json.dump(run(args), sys.stdout, ensure_ascii=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
