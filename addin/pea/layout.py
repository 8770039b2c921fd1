"""La hoja oficial del Plan Estratégico Anual, descrita una sola vez.

El lector, el constructor de la plantilla y el consolidador usan este módulo:
columnas A–T, bloque de encabezado (título, Dependencia, Misión, Visión), las dos
filas de encabezado con sus grupos y el pie ELABORÓ / AUTORIZÓ.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

ColumnKind = Literal["text", "mark", "percent", "population"]


@dataclass(frozen=True)
class Column:
    """Una de las 20 columnas de datos del plan."""

    key: str  # nombre canónico (eje, objetivo, t1, …)
    letter: str  # columna en el formato oficial
    header: str  # texto de la fila 1 del encabezado (o del grupo)
    label: str  # nombre legible para mensajes y para el libro maestro
    kind: ColumnKind
    width: float  # ancho en caracteres para plantilla y maestro
    subheader: str = ""  # texto de la fila 2 del encabezado (ejes transversales, trimestres)
    block: bool = True  # campo del bloque (se hereda en filas de continuación)


ROMAN = ("I", "II", "III", "IV", "V")

#: Nombres por omisión de los ejes transversales (los del catálogo los sustituyen).
DEFAULT_EJES_TRANSVERSALES = (
    "I. Gobierno municipal con perspectiva de género",
    "II. Comunidades Indígenas y afrodescendientes",
    "III. Niños, niñas y adolescentes",
    "IV. Gobierno honrado, transparente y comprometido a desterrar la corrupción",
    "V. Ciudad Educadora",
)

COLUMNS: tuple[Column, ...] = (
    Column("eje", "A", "EJE TEMÁTICO", "Eje temático", "text", 24),
    Column("objetivo", "B", "OBJETIVO", "Objetivo", "text", 34),
    Column("estrategia", "C", "ESTRATEGIA", "Estrategia", "text", 34),
    *(
        Column(f"et_{r}", letter, "EJES TRANSVERSALES", f"Eje transversal {r}", "mark", 7,
               subheader=DEFAULT_EJES_TRANSVERSALES[i], block=False)
        for i, (r, letter) in enumerate(zip(ROMAN, "DEFGH", strict=True))
    ),
    Column("programa_presupuestario", "I", "PROGRAMA PRESUPUESTARIO",
           "Programa presupuestario", "text", 24),
    Column("mir", "J", "MIR", "MIR", "text", 24),
    Column("pasos", "K", "PASOS A SEGUIR", "Pasos a seguir", "text", 36),
    Column("meta", "L", "META", "Meta", "text", 30),
    *(
        Column(f"t{n}", letter, "META", f"{n}° trimestre", "percent", 10,
               subheader=f"{n}° TRIMESTRE", block=False)
        for n, letter in zip((1, 2, 3, 4), "MNOP", strict=True)
    ),
    Column("responsable", "Q", "RESPONSABLE", "Responsable", "text", 24),
    Column("indicador", "R", "INDICADOR", "Indicador", "text", 30),
    Column("poblacion_potencial", "S", "POBLACION POTENCIAL", "Población potencial",
           "population", 24),
    Column("poblacion_objetivo", "T", "POBLACION OBJETIVO", "Población objetivo",
           "population", 24),
)

BY_KEY: dict[str, Column] = {c.key: c for c in COLUMNS}
KEYS: tuple[str, ...] = tuple(c.key for c in COLUMNS)
MARK_KEYS: tuple[str, ...] = tuple(c.key for c in COLUMNS if c.kind == "mark")
QUARTER_KEYS: tuple[str, ...] = ("t1", "t2", "t3", "t4")
#: Campos del bloque: se heredan de la fila principal en las filas de continuación.
BLOCK_KEYS: tuple[str, ...] = tuple(c.key for c in COLUMNS if c.block)
#: Campos obligatorios de una fila principal (PEA-R01).
REQUIRED_KEYS: tuple[str, ...] = BLOCK_KEYS
#: Campos de texto que una fila de continuación puede traer propios.
OWN_TEXT_KEYS: tuple[str, ...] = ("pasos", "meta")
#: Día y mes en que inicia cada trimestre.
QUARTER_START: dict[str, tuple[int, int]] = {
    "t1": (1, 1), "t2": (4, 1), "t3": (7, 1), "t4": (10, 1),
}

# --- Bloque de encabezado y pie -------------------------------------------------

HEADER_SEARCH_ROWS = 40  # filas donde se busca el encabezado
TITLE_PREFIX = "PLAN ESTRATÉGICO ANUAL"
LABEL_DEPENDENCIA = "Dependencia o Entidad:"
LABEL_MISION = "Misión:"
LABEL_VISION = "Visión:"
FOOTER_ELABORO = "ELABORÓ"
FOOTER_AUTORIZO = "AUTORIZÓ"

#: Filas del formato oficial (plantilla, fixtures y copias generadas).
ROW_GOBIERNO = 1
ROW_TITLE = 2
ROW_INSTITUTO = 3
ROW_DEPENDENCIA = 4
ROW_MISION = 5
ROW_VISION = 6
ROW_HEADER = 8
ROW_SUBHEADER = 9
FIRST_DATA_ROW = 10
FOOTER_GAP = 2  # filas vacías entre la última fila de datos y ELABORÓ / AUTORIZÓ
FOOTER_ELABORO_COL = "B"
FOOTER_AUTORIZO_COL = "Q"
LAST_COL = "T"


def title_text(anio: int) -> str:
    """Título oficial con el año del plan."""
    return f"{TITLE_PREFIX} {anio}"


@lru_cache(maxsize=4096)
def col_index(letters: str | bytes) -> int:
    """'A' → 1, 'T' → 20, 'AA' → 27; también en bytes (b"AA", del XML) y en minúsculas.

    El único paso de letras de columna a número en el paquete (diseño, lectores, puente);
    recordado, porque los lectores lo piden por cada celda con formato o fórmula.
    """
    if isinstance(letters, str):
        letters = letters.encode("ascii", "replace")
    n = 0
    for ch in letters.upper():
        n = n * 26 + ch - 64
    return n


@lru_cache(maxsize=1024)
def col_letter(index: int) -> str:
    """1 → 'A', 27 → 'AA'."""
    out = ""
    while index > 0:
        index, rem = divmod(index - 1, 26)
        out = chr(65 + rem) + out
    return out


def header_groups() -> list[tuple[str, str, str]]:
    """Rangos de la fila 1 del encabezado: (columna inicial, columna final, texto).

    Las columnas sin subencabezado se combinan vertical­mente sobre las dos filas;
    los grupos (EJES TRANSVERSALES D–H, META L–P) se combinan horizontalmente.
    """
    groups: list[tuple[str, str, str]] = []
    for c in COLUMNS:
        header = c.header
        if groups and groups[-1][2] == header and header in ("EJES TRANSVERSALES", "META"):
            start, _, text = groups[-1]
            groups[-1] = (start, c.letter, text)
        else:
            groups.append((c.letter, c.letter, header))
    return groups


# --- Plantilla oficial (workbook_template.xlsm) ----------------------------------

PLAN_SHEET = "PEA"
CATALOG_SHEET = "Catálogos"
INSTRUCTIONS_SHEET = "Instrucciones"
VALIDATION_SHEET = "Validación"
#: Propiedad personalizada de las copias anotadas (`pea consolidar --anotar`): su valor es
#: «<huella de los valores de la hoja del plan>|<libro original>».
ANNOTATED_PROPERTY = "PEA copia anotada"
#: Hojas que escribe el botón (marcas restaurables y diagnóstico); nunca son el plan.
MARKS_SHEET = "PEA_marcas"
DIAGNOSTIC_SHEET = "Diagnóstico"
#: Hoja oculta con metadatos de la plantilla: claves en A, valores en B.
META_SHEET = "PEA_meta"
#: Hoja oculta de configuración de xlwings (INTERPRETER_WIN…); el nombre lo fija xlwings
#: y `vba/PEA.bas` lo repite en HOJA_CONFIG (tests/test_plantilla.py lo compara).
XLWINGS_CONF_SHEET = "xlwings.conf"
META_KEYS = ("version_plantilla", "anio_plan", "huella_catalogos", "version_xlwings",
             "url_ventanilla")
TEMPLATE_VERSION = "1.0"
#: Columna de control (suma de los cuatro trimestres) a la derecha de T.
CONTROL_COL = "U"
TEMPLATE_DATA_ROWS = 60
#: Comandos que los botones de la cinta ejecutan con RunPython (módulo pea.excel.bridge).
BRIDGE_MODULE = "pea.excel.bridge"
BRIDGE_FUNCTIONS = ("validar", "limpiar", "diagnostico", "ayuda")
