"""El plan validado con frictionless: el validador genérico que elegiría una oficina.

Uso (lo llama `bench_consolidar.py`, medición (e); también se puede correr solo):
    python3 bench/frictionless_plan.py CARPETA [--procesos N] [--json SALIDA.json]

Es lo mejor que se puede configurar sin escribir código propio: un Table Schema con las 20
columnas oficiales (A–T de la hoja «PEA», encabezado en las filas 8 y 9, combinadas
rellenadas), sus tipos y las restricciones que el estándar puede expresar —obligatorios,
patrones de numeración de eje/objetivo/estrategia, marcas «X» de los ejes transversales,
trimestres entre 0 y 100 %, población que empieza con un número— más una revisión
`row-constraint` del checklist de frictionless (fuera del Table Schema) para que los
cuatro trimestres sumen 100 %. Se omiten las filas en blanco (`blank-row`), como haría
cualquiera que lo configure.

Lo que este esquema **no** puede decir (y PEA revisa): qué fila es continuación de cuál
(frictionless pide el eje en cada fila y marca como faltantes los campos del bloque que
la fila de continuación hereda), dónde termina la tabla (las filas de ELABORÓ/AUTORIZÓ
se validan como datos), el encabezado del plan (dependencia, año), que el objetivo
pertenezca al eje y la estrategia al objetivo, los catálogos, la población objetivo
menor o igual que la potencial (números dentro de texto), ni un mensaje en español.

Imprime (y guarda con --json) cuántos archivos encontró inválidos y cuántos errores de
cada tipo reportó, para compararlos con lo que encontró `pea consolidar`.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

HEADER_ROWS = [8, 9]  # encabezado en dos filas, como la plantilla oficial
SHEET = "PEA"
_TEXT = {"type": "string", "constraints": {"required": True}}
_MARK = {"type": "string", "constraints": {"enum": ["X", "x"]}}
_QUARTER = {"type": "number", "constraints": {"required": True, "minimum": 0, "maximum": 1}}


def _field(name: str, title: str, spec: dict[str, Any], pattern: str | None = None
           ) -> dict[str, Any]:
    field = {"name": name, "title": title, **json.loads(json.dumps(spec))}
    if pattern:
        field["constraints"]["pattern"] = pattern
    return field


def plan_schema() -> dict[str, Any]:
    """Table Schema de la tabla del plan: 20 columnas oficiales, en orden (A–T)."""
    ejes = ("I", "II", "III", "IV", "V")
    return {"fields": [
        _field("eje", "EJE TEMÁTICO", _TEXT, r"\s*\d+\s*[.)\-]*\s+\S[\s\S]*"),
        _field("objetivo", "OBJETIVO", _TEXT, r"\s*\d+\.\d+\.?\s*[)\-]?\s+\S[\s\S]*"),
        _field("estrategia", "ESTRATEGIA", _TEXT, r"\s*\d+\.\d+\.\d+\.?\s*[)\-]?\s+\S[\s\S]*"),
        *(_field(f"et_{r}", f"EJES TRANSVERSALES {r}", _MARK) for r in ejes),
        _field("programa_presupuestario", "PROGRAMA PRESUPUESTARIO", _TEXT,
               r"\s*\d+\s*[.)\-]*\s+\S[\s\S]*"),
        _field("mir", "MIR", _TEXT),
        _field("pasos", "PASOS A SEGUIR", _TEXT),
        _field("meta", "META", _TEXT),
        *(_field(f"t{n}", f"{n}° TRIMESTRE", _QUARTER) for n in (1, 2, 3, 4)),
        _field("responsable", "RESPONSABLE", _TEXT),
        _field("indicador", "INDICADOR", _TEXT),
        _field("poblacion_potencial", "POBLACION POTENCIAL", _TEXT, r"\s*\d[\s\S]*"),
        _field("poblacion_objetivo", "POBLACION OBJETIVO", _TEXT, r"\s*\d[\s\S]*"),
    ]}


#: Los trimestres son fracciones (formato 0 %); frictionless suma en decimales exactos.
SUM_FORMULA = "t1 + t2 + t3 + t4 == 1"
#: Lo que se deja fuera: filas en blanco; la columna U de la plantilla («SUMA %», fórmula
#: de control) no está en el esquema (avisos de columna de más); y los nombres del
#: encabezado, que frictionless compara con los del esquema y que cambian entre la
#: plantilla («META DESCRIPCIÓN») y los libros hechos a mano («META»): las columnas se
#: toman por posición.
SKIP = ["blank-row", "extra-label", "extra-cell", "incorrect-label"]
QUARTERS = ("t1", "t2", "t3", "t4")


def validate_one(path: str) -> dict[str, Any]:
    """Valida un archivo; devuelve si es válido, los errores por tipo y las filas con los
    cuatro trimestres llenos cuya suma no es 100 % (el error real que se sembró)."""
    import warnings

    from frictionless import Checklist, Dialect, Resource, Schema, checks, formats

    p = Path(path)
    dialect = Dialect(header_rows=HEADER_ROWS, header_join=" ",
                      controls=[formats.ExcelControl(sheet=SHEET, fill_merged_cells=True)])
    # format="xlsx" también para .xlsm: sin él, frictionless no reconoce la extensión,
    # no lee ninguna fila y declara VÁLIDO el libro.
    resource = Resource(p.name, basepath=str(p.parent), format="xlsx",
                        schema=Schema.from_descriptor(plan_schema()), dialect=dialect)
    checklist = Checklist(checks=[checks.row_constraint(formula=SUM_FORMULA)], skip_errors=SKIP)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        report = resource.validate(checklist, limit_errors=10_000)
    types: Counter[str] = Counter()
    rows: set[int] = set()
    sums = 0
    quarter_at = [i for i, f in enumerate(plan_schema()["fields"]) if f["name"] in QUARTERS]
    for task in report.tasks:
        for err in task.errors:
            types[err.type] += 1
            row = getattr(err, "row_number", None)
            if row:
                rows.add(row)
            cells = getattr(err, "cells", None) or []
            if err.type == "row-constraint" and all(
                    i < len(cells) and str(cells[i]).strip() not in ("", "None")
                    for i in quarter_at):
                sums += 1
    return {"archivo": p.name, "valido": report.valid, "errores": dict(types),
            "filas_con_error": len(rows), "sumas_mal": sums}


def validate_folder(folder: Path, workers: int) -> dict[str, Any]:
    files = sorted(str(p) for p in folder.iterdir() if p.suffix.lower() in (".xlsx", ".xlsm"))
    with ProcessPoolExecutor(workers) as pool:
        results = list(pool.map(validate_one, files, chunksize=8))
    types: Counter[str] = Counter()
    for r in results:
        types.update(r["errores"])
    return {"archivos": len(results), "invalidos": sum(not r["valido"] for r in results),
            "errores": sum(types.values()), "por_tipo": dict(types.most_common()),
            "filas_con_error": sum(r["filas_con_error"] for r in results),
            "sumas_mal": sum(r["sumas_mal"] for r in results),
            "archivos_con_suma_mal": sum(r["sumas_mal"] > 0 for r in results),
            "resultados": results}


def main() -> int:
    ap = argparse.ArgumentParser(description="Valida la tabla del plan con frictionless.")
    ap.add_argument("carpeta", type=Path)
    ap.add_argument("--procesos", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--json", type=Path, help="guardar el resumen y cada resultado")
    args = ap.parse_args()
    data = validate_folder(args.carpeta, max(1, args.procesos))
    if args.json:
        args.json.write_text(json.dumps(data, ensure_ascii=False, indent=1))
    summary = {k: v for k, v in data.items() if k != "resultados"}
    print(json.dumps(summary, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
