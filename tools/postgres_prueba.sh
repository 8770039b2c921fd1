#!/usr/bin/env bash
# Arranca un PostgreSQL de prueba, propio y desechable (carpeta temporal, socket local, sin
# red), crea la base «pea» y ejecuta el comando dado con PEA_BASE_DATOS_URL apuntando a ella.
# Al terminar (bien o mal) detiene el servidor y borra la carpeta.
# Uso: tools/postgres_prueba.sh COMANDO [ARGUMENTOS...]
set -euo pipefail

PGBIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
if [ -z "$PGBIN" ] || [ ! -x "$PGBIN/initdb" ]; then
  echo "PostgreSQL no está instalado (paquete postgresql de Debian)." >&2
  exit 1
fi
PGDIR="$(mktemp -d /tmp/pea-pg.XXXXXX)"
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
AS=()
if [ "$(id -u)" -eq 0 ]; then  # initdb no corre como root: se usa el usuario postgres
  chown postgres "$PGDIR"
  AS=(runuser -u postgres --)
fi
detener() {
  "${AS[@]}" "$PGBIN/pg_ctl" -D "$PGDIR/datos" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$PGDIR"
}
trap detener EXIT
"${AS[@]}" "$PGBIN/initdb" -D "$PGDIR/datos" -A trust -U postgres -E UTF8 >/dev/null
"${AS[@]}" "$PGBIN/pg_ctl" -D "$PGDIR/datos" -l "$PGDIR/registro.log" -w \
  -o "-k $PGDIR -p $PORT -c listen_addresses=''" start >/dev/null
"$PGBIN/createdb" -h "$PGDIR" -p "$PORT" -U postgres pea
SOCKET="$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$PGDIR")"
export PEA_BASE_DATOS_URL="postgresql://postgres@${SOCKET}:${PORT}/pea"
echo "PostgreSQL de prueba: $PEA_BASE_DATOS_URL"
"$@"
