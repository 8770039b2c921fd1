"""La Ventanilla de entregas: aplicación web (Django) sobre el núcleo de PEA.

Solo mueve valores hacia dentro y hacia fuera: valida con `pea.validation`, anota con
`pea.consolidate.annotate`; nunca reimplementa una regla, un lector o un escritor.
Necesita el extra opcional `servidor` (`pip install -e ".[servidor]"`); el botón Validar
de Excel nunca importa este paquete.
"""

#: Variables de entorno que leen los ajustes (`pea.web.settings`).
ENV_DATOS = "PEA_DATOS"
ENV_BASE_DATOS = "PEA_BASE_DATOS_URL"
ENV_REGLAS = "PEA_REGLAS"
