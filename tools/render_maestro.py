"""Genera docs/img/maestro.png: la hoja «Resumen» del maestro del demo, vista en LibreOffice.

Uso: python3 tools/render_maestro.py [--salida docs/img/maestro.png] [--hoja Resumen]

Pasos: escribe el municipio de demostración en una carpeta temporal, lo consolida con
`pea consolidar`, deja visible solo la hoja pedida (las demás ocultas, en una copia),
la convierte a PDF con LibreOffice sin interfaz (perfil nuevo en /tmp) y pasa la primera
página a PNG con `pdftoppm -png -r 60`.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def only_sheet(src: Path, dst: Path, sheet: str) -> None:
    """Copia del libro con todas las hojas ocultas salvo `sheet` (que queda activa)."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "xl/workbook.xml":
                text = data.decode("utf-8")
                names = re.findall(r'<sheet name="([^"]+)"', text)
                index = names.index(sheet)

                def hide(m: re.Match[str]) -> str:
                    tag = m.group(0)
                    if f'name="{sheet}"' in tag or "state=" in tag:
                        return tag
                    return tag.replace("<sheet ", '<sheet state="hidden" ', 1)

                text = re.sub(r"<sheet [^>]*/>", hide, text)
                text = re.sub(r'activeTab="\d+"', f'activeTab="{index}"', text)
                text = re.sub(r'firstSheet="\d+"', f'firstSheet="{index}"', text)
                data = text.encode("utf-8")
            zout.writestr(info, data)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--salida", type=Path, default=ROOT / "docs" / "img" / "maestro.png")
    ap.add_argument("--hoja", default="Resumen")
    ap.add_argument("--resolucion", type=int, default=60)
    args = ap.parse_args()
    for tool in ("soffice", "pdftoppm"):
        if shutil.which(tool) is None:
            print(f"Falta «{tool}»: instale libreoffice-calc-nogui y poppler-utils.",
                  file=sys.stderr)
            return 2
    with tempfile.TemporaryDirectory(prefix="pea_render_") as tmp:
        work = Path(tmp)
        demo = work / "demo"
        subprocess.run([sys.executable, "-m", "pea", "demo", "--carpeta", str(demo)],
                       check=True, capture_output=True)
        master = demo / "maestro.xlsx"
        if not master.exists():
            subprocess.run([sys.executable, "-m", "pea", "consolidar", str(demo), "--salida",
                            str(master), "--recursivo", "--silencioso"], check=True)
        single = work / "maestro_hoja.xlsx"
        only_sheet(master, single, args.hoja)
        profile = work / "lo_perfil"
        subprocess.run(["soffice", f"-env:UserInstallation=file://{profile}", "--headless",
                        "--convert-to", "pdf", "--outdir", str(work), str(single)],
                       check=True, capture_output=True, timeout=180)
        pdf = work / "maestro_hoja.pdf"
        subprocess.run(["pdftoppm", "-png", "-r", str(args.resolucion), "-f", "1", "-l", "1",
                        "-singlefile", str(pdf), str(work / "pagina")], check=True)
        args.salida.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(work / "pagina.png", args.salida)
    print(f"Imagen escrita: {args.salida}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
