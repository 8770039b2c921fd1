"""Hojas de apoyo: «Instrucciones» (visible), metadatos y «xlwings.conf» (ocultas)."""

from __future__ import annotations

from openpyxl.styles import Alignment, Font
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.properties import PageSetupProperties

from pea import layout as L
from pea.config import RulesConfig
from pea.template import geometry as G
from pea.template.guards import quarters_after_end
from pea.template.vba import xlwings_version

#: Python por usuario que instala el complemento PEA (docs/plantilla.md). Se puede
#: cambiar con `parametros.interprete_windows` en configuracion.yaml.
DEFAULT_INTERPRETER_WIN = r"%LOCALAPPDATA%\PEA\venv\Scripts\python.exe"


def interpreter_win(cfg: RulesConfig) -> str:
    """Ruta del intérprete de Windows para RunPython (vacía: «python» del PATH)."""
    value = cfg.parametros.interprete_windows
    return DEFAULT_INTERPRETER_WIN if value is None else str(value)


def xlwings_settings(cfg: RulesConfig) -> list[tuple[str, object]]:
    """Claves de la hoja xlwings.conf (las lee el módulo VBA de xlwings 0.37.8)."""
    return [
        ("INTERPRETER_WIN", interpreter_win(cfg)),
        ("ADD_WORKBOOK_TO_PYTHONPATH", False),
        ("USE UDF SERVER", False),
        ("SHOW CONSOLE", False),
    ]


def meta_values(cfg: RulesConfig) -> dict[str, object]:
    """Valores de la hoja de metadatos, por clave de `layout.META_KEYS`."""
    values: dict[str, object] = {
        "version_plantilla": L.TEMPLATE_VERSION,
        "anio_plan": cfg.parametros.anio_plan,
        "huella_catalogos": cfg.catalogos.fingerprint(),
        "version_xlwings": xlwings_version(),
        # sin Python de PEA, los botones ofrecen abrir «Revisar mi plan» (PEA.bas)
        "url_ventanilla": cfg.parametros.url_ventanilla or "",
    }
    return {k: values[k] for k in L.META_KEYS}


def write_meta_sheet(wb: Workbook, cfg: RulesConfig) -> None:
    """Hoja oculta con versión de plantilla, año del plan y huella de catálogos."""
    ws = wb.create_sheet(L.META_SHEET)
    ws.sheet_state = "hidden"
    for row, (key, value) in enumerate(meta_values(cfg).items(), start=1):
        ws.cell(row=row, column=1, value=key)
        ws.cell(row=row, column=2, value=value)
    ws.column_dimensions["A"].width = 22
    ws.column_dimensions["B"].width = 22


def write_xlwings_conf(wb: Workbook, cfg: RulesConfig) -> None:
    """Hoja oculta xlwings.conf: claves en A desde A1, valores en B, sin filas vacías."""
    ws = wb.create_sheet(L.XLWINGS_CONF_SHEET)
    ws.sheet_state = "hidden"
    for row, (key, value) in enumerate(xlwings_settings(cfg), start=1):
        ws.cell(row=row, column=1, value=key)
        ws.cell(row=row, column=2, value=value)
    ws.column_dimensions["A"].width = 30
    ws.column_dimensions["B"].width = 60


def instructions(cfg: RulesConfig) -> list[tuple[str, str]]:
    """Párrafos de la hoja Instrucciones: (estilo, texto); estilo «h» = título."""
    p = cfg.parametros
    fin = p.fecha_fin_administracion.strftime("%d/%m/%Y")
    late = ", ".join(L.BY_KEY[k].subheader for k in quarters_after_end(cfg))
    late_text = (f"Los trimestres que inician después del {fin} ({late}) normalmente van en 0 %; "
                 "si escribe más de 0 % la celda se pinta de ámbar."
                 if late else "")
    return [
        ("t", f"Plan Estratégico Anual {p.anio_plan}: cómo llenar esta plantilla"),
        ("p", "Esta plantilla es el formato oficial del Instituto Municipal de Planeación. "
              "Llénela en la hoja «PEA». No cambie el nombre de las hojas ni el orden de las "
              "columnas: así el Instituto puede revisar y juntar los planes de todas las "
              "dependencias."),
        ("h", "1. Antes de empezar"),
        ("p", f"Guarde el archivo en una carpeta de su equipo (no en OneDrive) con el nombre "
              f"de su dependencia, por ejemplo «PEA {p.anio_plan} Tesorería Municipal.xlsm»."),
        ("p", "Los botones de la pestaña PEA necesitan las macros. Si Excel muestra la barra "
              "roja «Riesgo de seguridad», cierre Excel, haga clic derecho sobre el archivo → "
              "Propiedades → marque «Desbloquear» → Aceptar, y vuelva a abrirlo. Si muestra la "
              "barra amarilla, presione «Habilitar edición» y luego «Habilitar contenido»."),
        ("h", "2. Encabezado (filas 4 a 6)"),
        ("p", "Dependencia o Entidad: elíjala de la lista. Misión y Visión: escríbalas tal "
              "como están aprobadas."),
        ("h", f"3. Las metas (a partir de la fila {G.FIRST_ROW})"),
        ("p", "Una fila por meta. Eje temático, Objetivo y Estrategia se eligen de listas: "
              "la lista de objetivos muestra solo los del eje elegido, y la de estrategias "
              "solo las del objetivo elegido. Lo mismo pasa con la MIR y el programa "
              "presupuestario, y con Responsable y la dependencia de la fila 4."),
        ("p", "Ejes transversales (columnas D a H): escriba X en los que apliquen."),
        ("p", "Trimestres (columnas M a P): escriba el porcentaje de la meta que se cumple en "
              "cada trimestre; 42 se guarda como 42 %. Los cuatro deben sumar 100 %. La "
              "columna gris «SUMA %» muestra la suma; si no da 100 % la fila se pinta de rojo. "
              + late_text),
        ("p", "Si una meta tiene una segunda línea con su propia programación, use la fila de "
              "abajo: deje vacías las columnas A, B y C y llene solo los ejes transversales "
              "y los trimestres (y, si hace falta, los pasos y la meta)."),
        ("p", "Población potencial y objetivo: escriba el número y la unidad, por ejemplo "
              "«270,955 habitantes del municipio». La objetivo no puede ser mayor que la "
              "potencial."),
        ("h", "4. Firmas"),
        ("p", f"Debajo de la tabla (fila {G.FOOTER_LABEL_ROW}) escriba el nombre y el cargo "
              "de quien ELABORÓ (columna B) y de quien AUTORIZÓ (columna Q; normalmente el "
              "titular de la dependencia)."),
        ("h", "5. Botones de la pestaña PEA"),
        ("p", "Validar: revisa el plan con las reglas del Instituto, marca en color las "
              "celdas con observaciones y escribe la lista de observaciones en la hoja "
              "«Validación». Corrija hasta que no queden errores y entonces envíe el archivo."),
        ("p", "Limpiar marcas: quita los colores y comentarios de la última validación. No "
              "borra lo que usted escribió."),
        ("p", "Diagnóstico: muestra las versiones instaladas (Python, PEA, plantilla). Si algo "
              "falla, envíe ese mensaje a soporte."),
        ("p", "Ayuda: muestra cómo llenar el plan y qué hace cada botón."),
        ("h", "6. Si algo no funciona"),
        ("p", "Si al presionar un botón aparece «No se encontró el Python de PEA», pida al área "
              "de informática que instale el complemento PEA en su equipo. Aun sin los "
              "botones puede llenar el plan: el Instituto lo valida al recibirlo."),
        ("p", f"Plantilla versión {L.TEMPLATE_VERSION}, reglas {cfg.version}."),
    ]


def write_instructions_sheet(wb: Workbook, cfg: RulesConfig) -> None:
    """Hoja visible con instrucciones en español sencillo."""
    ws = wb.create_sheet(L.INSTRUCTIONS_SHEET)
    ws.column_dimensions["A"].width = 75
    fonts = {"t": Font(bold=True, size=14), "h": Font(bold=True, size=12), "p": Font(size=11)}
    for row, (style, text) in enumerate(instructions(cfg), start=1):
        cell = ws.cell(row=row, column=1, value=text)
        cell.font = fonts[style]
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if style == "p":
            ws.row_dimensions[row].height = 15 * (1 + len(text) // 70)
    ws.page_setup.orientation = "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.protection.sheet = True
