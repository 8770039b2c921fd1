"""Validación de datos y formato condicional de la hoja PEA (mensajes en español).

Solo validaciones de lista «clásicas» que apuntan a nombres definidos (o a
INDIRECTO de nombres definidos): openpyxl conserva estas y descarta las x14 que
apuntan a otra hoja. Límites de Excel: título ≤ 32 caracteres, mensaje de
entrada ≤ 255, mensaje de error ≤ 225, fórmula de lista ≤ 255.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from pea import layout as L
from pea.config import RulesConfig
from pea.template import geometry as G
from pea.template.catalog_sheet import (
    PREFIX_ESTRATEGIAS,
    PREFIX_MIR,
    PREFIX_OBJETIVOS,
    PREFIX_UNIDADES,
    CatalogNames,
)

RED_FILL = PatternFill(start_color="F4CCCC", end_color="F4CCCC", fill_type="solid")
RED_FONT = Font(color="9C0006")
AMBER_FILL = PatternFill(start_color="FFD966", end_color="FFD966", fill_type="solid")
CATALOG_ERROR = ("Ese texto no está en el catálogo del Instituto Municipal de Planeación. "
                 "Elíjalo de la lista. Si falta una opción, avise al Instituto.")


def _dv(kind: str | None, formula1: str | None = None, *, title: str, prompt: str,
        error: str = "", style: str = "stop", **kw: object) -> DataValidation:
    """Una validación con mensajes en español dentro de los límites de Excel."""
    if len(title) > 32 or len(prompt) > 255 or len(error) > 225:
        raise ValueError(f"Mensaje de validación demasiado largo: {title!r}")
    if formula1 is not None and len(formula1) > 255:
        raise ValueError(f"Fórmula de lista demasiado larga: {formula1!r}")
    dv = DataValidation(
        type=kind, formula1=formula1, allow_blank=True,
        showInputMessage=True, promptTitle=title, prompt=prompt,
        showErrorMessage=bool(error), errorTitle=title if error else None,
        error=error or None, errorStyle=style if error else None, **kw,
    )
    return dv


def _dependent(prefix: str, key_expr: str, fallback: str) -> str:
    """Lista del grupo elegido, o la lista completa si el grupo no existe (o está vacío)."""
    target = f'INDIRECT("{prefix}"&{key_expr})'
    return f"IF(ISREF({target}),{target},{fallback})"


def _number_before(cell: str, sep: str) -> str:
    """Expresión de Excel: el texto de `cell` antes del primer `sep` («2. Texto» → «2»)."""
    return f'LEFT({cell},FIND("{sep}",{cell}&"{sep}")-1)'


def quarters_after_end(cfg: RulesConfig) -> list[str]:
    """Claves de los trimestres que inician después de fecha_fin_administracion."""
    p = cfg.parametros
    out = []
    for key in L.QUARTER_KEYS:
        month, day = L.QUARTER_START[key]
        if dt.date(p.anio_plan, month, day) > p.fecha_fin_administracion:
            out.append(key)
    return out


def add_validations(ws: Worksheet, cfg: RulesConfig, names: CatalogNames) -> None:
    """Desplegables, rangos de porcentaje y mensajes de ayuda de la hoja PEA."""
    r = G.FIRST_ROW
    col = {c.key: c.letter for c in L.COLUMNS}
    rules: list[tuple[DataValidation, str]] = []

    if names.has("dependencias"):
        rules.append((_dv("list", names.lists["dependencias"], title="Dependencia o Entidad",
                          prompt="Elija su dependencia o entidad de la lista.",
                          error=CATALOG_ERROR, style="warning"),
                      f"B{L.ROW_DEPENDENCIA}"))
    if names.has("ejes"):
        rules.append((_dv("list", names.lists["ejes"], title="Eje temático",
                          prompt="Elija el eje del Plan Municipal de Desarrollo y Gobernanza.",
                          error=CATALOG_ERROR, style="warning"), G.data_range(col["eje"])))
    if names.has("objetivos"):
        f = _dependent(PREFIX_OBJETIVOS, _number_before(f"${col['eje']}{r}", "."),
                       names.lists["objetivos"])
        rules.append((_dv("list", f, title="Objetivo",
                          prompt="Elija un objetivo del eje de la columna A "
                                 "(la lista muestra solo los de ese eje).",
                          error=CATALOG_ERROR, style="warning"), G.data_range(col["objetivo"])))
    if names.has("estrategias"):
        number = _number_before(f"${col['objetivo']}{r}", " ")
        key = f'SUBSTITUTE({number},".","_")'
        f = _dependent(PREFIX_ESTRATEGIAS, key, names.lists["estrategias"])
        rules.append((_dv("list", f, title="Estrategia",
                          prompt="Elija una estrategia del objetivo de la columna B "
                                 "(la lista muestra solo las de ese objetivo).",
                          error=CATALOG_ERROR, style="warning"), G.data_range(col["estrategia"])))
    marks = _dv("list", '"X"', title="Eje transversal",
                prompt="Escriba X si la meta contribuye a este eje transversal; "
                       "deje vacío si no.",
                error="Solo se admite X (o dejar la celda vacía).")
    rules.append((marks, f"{col['et_I']}{r}:{col['et_V']}{G.LAST_ROW}"))
    if names.has("programas"):
        rules.append((_dv("list", names.lists["programas"], title="Programa presupuestario",
                          prompt="Elija el programa presupuestario (Pp) al que pertenece la meta.",
                          error=CATALOG_ERROR, style="warning"),
                      G.data_range(col["programa_presupuestario"])))
    if names.has("mir"):
        f = _dependent(PREFIX_MIR, _number_before(f"${col['programa_presupuestario']}{r}", "."),
                       names.lists["mir"])
        rules.append((_dv("list", f, title="MIR",
                          prompt="Elija el componente o actividad de la MIR del programa "
                                 "de la columna I.",
                          error=CATALOG_ERROR, style="warning"), G.data_range(col["mir"])))
    rules.append((_dv(None, title="Pasos a seguir",
                      prompt="Numere los pasos: «1.- … 2.- …».",), G.data_range(col["pasos"])))
    rules.append((_dv(None, title="Meta",
                      prompt="Describa la meta. Si la meta tiene otra línea con su propia "
                             "programación, úsela en la fila de abajo dejando vacías A, B y C.",),
                  G.data_range(col["meta"])))
    late = set(quarters_after_end(cfg))
    fin = cfg.parametros.fecha_fin_administracion.strftime("%d/%m/%Y")
    for key in L.QUARTER_KEYS:
        prompt = ("Porcentaje de la meta en este trimestre: escriba 42 para 42 %. "
                  "Los cuatro trimestres deben sumar 100 % (columna SUMA %).")
        if key in late:
            prompt = (f"Este trimestre inicia después del fin de la administración ({fin}): "
                      "normalmente va en 0 %. " + prompt)
        dv = _dv("decimal", "0", title=L.BY_KEY[key].subheader.capitalize(), prompt=prompt,
                 error="Escriba un porcentaje entre 0 % y 100 % (por ejemplo 42 para 42 %).",
                 operator="between", formula2="1")
        rules.append((dv, G.data_range(col[key])))
    if names.has("responsables"):
        dep = f"$B${L.ROW_DEPENDENCIA}"
        match = f"MATCH({dep},{names.lists['dependencias']},0)"
        f = (f'IF(ISNA({match}),{names.lists["responsables"]},'
             f'INDIRECT("{PREFIX_UNIDADES}"&{match}))')
        rules.append((_dv("list", f, title="Responsable",
                          prompt="La dependencia o una de sus unidades administrativas "
                                 "(la lista depende de la Dependencia o Entidad de la fila 4).",
                          error=CATALOG_ERROR, style="warning"), G.data_range(col["responsable"])))
    rules.append((_dv(None, title="Indicador",
                      prompt="Nombre del indicador, por ejemplo «Porcentaje de … respecto a "
                             "lo programado».",), G.data_range(col["indicador"])))
    for key, what in (("poblacion_potencial", "potencial"), ("poblacion_objetivo", "objetivo")):
        rules.append((_dv(None, title=f"Población {what}",
                          prompt="Número y unidad, por ejemplo «270,955 habitantes del "
                                 "municipio». La población objetivo no puede ser mayor que "
                                 "la potencial.",), G.data_range(col[key])))
    for dv, ref in rules:
        dv.add(ref)
        ws.add_data_validation(dv)


def add_conditional_formats(ws: Worksheet, cfg: RulesConfig) -> None:
    """Fila en rojo si la suma no es 100 %; trimestre en ámbar si cae fuera de la administración."""
    r = G.FIRST_ROW
    control = L.CONTROL_COL
    tol = Decimal(str(cfg.parametros.tolerancia_suma)) / 100
    for key in quarters_after_end(cfg):
        letter = L.BY_KEY[key].letter
        ws.conditional_formatting.add(
            G.data_range(letter),
            FormulaRule(formula=[f"AND(ISNUMBER({letter}{r}),{letter}{r}>0)"],
                        fill=AMBER_FILL, stopIfTrue=False),
        )
    ws.conditional_formatting.add(
        f"A{r}:{control}{G.LAST_ROW}",
        FormulaRule(formula=[f'AND(${control}{r}<>"",ABS(${control}{r}-1)>{tol.normalize():f})'],
                    fill=RED_FILL, font=RED_FONT, stopIfTrue=False),
    )
