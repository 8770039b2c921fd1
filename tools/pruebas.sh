#!/usr/bin/env bash
# Instala lo necesario (paquete con extras de desarrollo, LibreOffice) y corre las pruebas.
# Es el comando de pruebas del README; .ci/run lo llama tal cual.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v soffice >/dev/null 2>&1 || ! command -v pdftoppm >/dev/null 2>&1 \
   || ! /usr/bin/python3 -c "import uno" >/dev/null 2>&1; then
  SUDO=""
  [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1 && SUDO="sudo"
  echo "Instalando LibreOffice (sin interfaz) y poppler-utils…"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
    libreoffice-calc-nogui python3-uno poppler-utils >/dev/null
fi

# Ventanilla (pea servidor): PostgreSQL real y Chromium sin interfaz para sus pruebas.
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || ! command -v chromium >/dev/null 2>&1 \
   || ! command -v chromedriver >/dev/null 2>&1; then
  SUDO=""
  [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1 && SUDO="sudo"
  echo "Instalando PostgreSQL, Chromium y chromium-driver (pruebas de la Ventanilla)…"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
    postgresql chromium chromium-driver >/dev/null
fi

python3 -m pip install --quiet --disable-pip-version-check -e ".[dev,servidor]"
python3 -m ruff check addin tests bench
python3 -m pytest -q "$@"

# --- Con lxml ----------------------------------------------------------------------------------
# openpyxl serializa distinto si lxml se puede importar, y openxml-audit (validación contra los
# esquemas de Office) necesita lxml. Se prueban en un entorno virtual aparte que ve los paquetes
# del sistema: lxml nunca se instala para todos (cambiaría la salida de openpyxl en cada prueba).
if [ "$#" -eq 0 ]; then
  VENV_LXML="${PEA_VENV_LXML:-${TMPDIR:-/tmp}/pea-venv-lxml}"
  [ -x "$VENV_LXML/bin/python" ] || python3 -m venv --system-site-packages "$VENV_LXML"
  "$VENV_LXML/bin/python" -m pip install --quiet --disable-pip-version-check \
    "lxml==6.1.3" "openxml-audit==0.8.0"
  "$VENV_LXML/bin/python" -m pytest -q -p no:cacheprovider tests/test_lxml.py \
    tests/test_esquemas.py tests/test_consolidar_anotar.py tests/test_plantilla.py \
    tests/test_plantilla_vba.py
fi

# Las pruebas de la Ventanilla otra vez, contra un PostgreSQL real arrancado aquí.
if [ "$#" -eq 0 ]; then
  tools/postgres_prueba.sh python3 -m pytest -q -p no:cacheprovider tests/web
fi
