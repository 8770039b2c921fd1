"""Caché de resultados por archivo, junto al libro maestro (``MAESTRO.xlsx.cache.sqlite``).

La clave es el sha256 del contenido más la versión efectiva de las reglas
(`RulesConfig.fingerprint()`) y la versión del formato del resultado: un archivo que no
cambió no se vuelve a leer, aunque se haya renombrado o movido; si cambian las reglas o
los catálogos, todo se vuelve a validar. El valor es JSON comprimido (nunca pickle: el
archivo de caché no se ejecuta). Una caché dañada se descarta y se reconstruye.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pea.consolidate.worker import PAYLOAD_VERSION

SUFFIX = ".cache.sqlite"


def cache_path(output: Path) -> Path:
    return output.with_name(output.name + SUFFIX)


def encode(payload: dict[str, Any]) -> bytes:
    """Forma guardada de un payload: JSON comprimido (nunca pickle)."""
    data = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return zlib.compress(data, 1)


class ResultCache:
    """Resultados por (sha256, reglas); se abre, se consulta y se guarda una vez por corrida."""

    def __init__(self, path: Path, rules_version: str, enabled: bool = True) -> None:
        self.path = path
        self.version = f"{rules_version}:{PAYLOAD_VERSION}"
        self.enabled = enabled
        self.warning: str | None = None
        self._db: sqlite3.Connection | None = None
        self._new: dict[str, bytes] = {}
        self._used: set[str] = set()
        if enabled:
            self._open()

    def _open(self) -> None:
        try:
            self._db = sqlite3.connect(self.path, timeout=5)
            self._db.execute("CREATE TABLE IF NOT EXISTS resultados (clave TEXT PRIMARY KEY, "
                             "datos BLOB NOT NULL)")
            self._db.execute("SELECT count(*) FROM resultados").fetchone()
        except sqlite3.DatabaseError:
            self._reset("la caché estaba dañada; se reconstruyó.")

    def _reset(self, warning: str) -> None:
        self.warning = warning
        if self._db is not None:
            with contextlib.suppress(sqlite3.Error):
                self._db.close()
        self._db = None
        for suffix in ("", "-journal", "-wal", "-shm"):
            with contextlib.suppress(OSError):
                Path(str(self.path) + suffix).unlink()
        try:
            self._db = sqlite3.connect(self.path, timeout=5)
            self._db.execute("CREATE TABLE resultados (clave TEXT PRIMARY KEY, datos BLOB NOT NULL)")
        except sqlite3.Error as exc:
            self._db = None
            self.warning = f"no se pudo usar la caché ({exc}); se leyeron todos los archivos."

    def key(self, sha256: str) -> str:
        return f"{sha256}:{self.version}"

    def get_many(self, shas: list[str],
                 transform: Callable[[dict[str, Any]], dict[str, Any]] | None = None
                 ) -> dict[str, dict[str, Any]]:
        """Resultados guardados para estos sha256 (los que haya), cada uno pasado por
        `transform` en cuanto se lee."""
        if self._db is None or not shas:
            return {}
        keys = {self.key(s): s for s in set(shas)}
        found: dict[str, dict[str, Any]] = {}
        try:
            items = list(keys)
            for i in range(0, len(items), 500):
                chunk = items[i:i + 500]
                marks = ",".join("?" * len(chunk))
                for clave, datos in self._db.execute(
                        f"SELECT clave, datos FROM resultados WHERE clave IN ({marks})", chunk):
                    try:
                        payload = json.loads(zlib.decompress(datos))
                    except (zlib.error, ValueError):
                        continue
                    found[keys[clave]] = transform(payload) if transform else payload
        except sqlite3.DatabaseError:
            self._reset("la caché estaba dañada; se reconstruyó.")
            return {}
        self._used.update(self.key(s) for s in found)
        return found

    def put(self, sha256: str, payload: dict[str, Any], blob: bytes | None = None) -> None:
        """Guarda un payload; `blob` es el mismo ya serializado (lo hace el proceso de lectura)."""
        if self._db is None:
            return
        self._new[self.key(sha256)] = blob if blob is not None else encode(payload)

    def save(self) -> None:
        """Guarda lo nuevo y borra lo que ya no corresponde a ningún archivo de la carpeta."""
        if self._db is None:
            return
        keep = self._used | set(self._new)
        try:
            with self._db:
                self._db.executemany("INSERT OR REPLACE INTO resultados VALUES (?, ?)",
                                     list(self._new.items()))
                self._db.execute("CREATE TEMP TABLE IF NOT EXISTS vigentes (clave TEXT PRIMARY KEY)")
                self._db.execute("DELETE FROM vigentes")
                self._db.executemany("INSERT OR IGNORE INTO vigentes VALUES (?)",
                                     [(k,) for k in keep])
                self._db.execute("DELETE FROM resultados WHERE clave NOT IN "
                                 "(SELECT clave FROM vigentes)")
        except sqlite3.Error as exc:
            self.warning = f"no se pudo guardar la caché ({exc})."
        finally:
            self.close()

    def close(self) -> None:
        if self._db is not None:
            with contextlib.suppress(sqlite3.Error):
                self._db.close()
            self._db = None
