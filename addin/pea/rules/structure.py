"""PEA-E: estructura y lectura. Las emite el lector; aquí se declaran sus mensajes."""

from __future__ import annotations

from pea.rules.registry import declare

declare("PEA-E00", "error", "Archivo ilegible",
        "Archivo ilegible: {motivo}")
declare("PEA-E01", "error", "Sin encabezado de la tabla",
        'No se encontró el encabezado de la tabla ("EJE TEMÁTICO") en la hoja «{hoja}».')
declare("PEA-E02", "error", "Falta una columna obligatoria",
        "Falta la columna «{columna}» en el encabezado de la tabla.")
declare("PEA-E03", "advertencia", "Datos desplazados respecto al encabezado",
        "Los datos están desplazados una columna respecto al encabezado a partir de la "
        "columna {col}; se leyó con el desplazamiento corregido. Verifique las celdas "
        'combinadas del encabezado "META".')
declare("PEA-E04", "error", "Fila de continuación sin fila principal",
        "Fila {fila}: fila de continuación sin fila principal previa (faltan Eje, Objetivo y "
        "Estrategia).",
        variants={"huerfana": "Fila {fila}: fila de continuación sin fila principal previa "
                              "(faltan Eje, Objetivo y Estrategia).",
                  "continuado": "Fila {fila}: texto continuado unido a la fila {padre}."},
        variant_severity={"continuado": "info"})
declare("PEA-E05", "error", "Tabla sin filas de datos",
        "La tabla del plan no contiene filas de datos.")
