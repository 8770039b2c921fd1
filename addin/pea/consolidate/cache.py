"""Caché de resultados por archivo, junto al libro maestro (``MAESTRO.xlsx.cache.sqlite``).

La caché nunca cambia un veredicto:

- la clave es todo aquello de lo que depende el resultado: el sha256 del contenido, cómo
  se lee el archivo (su extensión y si es un candado «~$» de Excel: los mismos bytes en
  ``.xlsx`` y en ``.txt`` se leen distinto), la versión efectiva de las reglas
  (`RulesConfig.fingerprint()`), la huella del código de PEA (`config.code_fingerprint`:
  una regla agregada o corregida cuenta) y la versión del formato del resultado;
- cada entrada va firmada (HMAC-SHA256) con una clave de la persona que consolida, que
  vive en su carpeta de configuración y no en la carpeta compartida
  (`clave_path`): quien puede escribir en la carpeta de entregas no puede fabricar un
  veredicto. Una entrada sin firma válida se descarta, el archivo se vuelve a leer y la
  corrida lo avisa;
- cada entrada se valida al cargarla (pydantic, en modo estricto, como el `Outcome` que
  usa el resto de la corrida): una que no tiene la forma esperada se descarta igual;
- `--sin-cache` no lee la caché y la reescribe entera con lo leído.

El valor es JSON comprimido (nunca pickle: el archivo de caché no se ejecuta). Una caché
dañada se descarta y se reconstruye.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import sqlite3
import zlib
from collections.abc import Callable
from pathlib import Path, PurePath

from pea.config import code_fingerprint
from pea.consolidate.outcome import PAYLOAD_VERSION, Outcome
from pea.oserrors import os_reason

SUFFIX = ".cache.sqlite"
#: Tabla de esta forma de la caché (la anterior, sin firma, se descarta al abrir).
_TABLE = "entradas"
_SCHEMA = f"CREATE TABLE {_TABLE} (clave TEXT PRIMARY KEY, datos BLOB NOT NULL, firma BLOB NOT NULL)"
#: Tamaño máximo de una entrada guardada (la de un plan de 5,000 filas ocupa unos MB): una
#: más grande no es de PEA y no se carga en memoria.
MAX_ENTRY = 64 * 1024 * 1024
#: Nombre del archivo de la clave, en la carpeta de configuración de la persona.
KEY_NAME = "clave-cache"


#: Errores de SQLite en español (su texto viene en inglés: «unable to open database file»).
_SQLITE_REASONS = {
    "SQLITE_FULL": "el disco está lleno",
    "SQLITE_READONLY": "el archivo o el disco es de solo lectura",
    "SQLITE_CANTOPEN": "no se puede abrir como archivo (¿es una carpeta o no hay permiso?)",
    "SQLITE_PERM": "sin permiso",
    "SQLITE_BUSY": "otro proceso la está usando",
    "SQLITE_LOCKED": "otro proceso la está usando",
    "SQLITE_IOERR": "error de lectura o escritura del disco",
    "SQLITE_CORRUPT": "está dañada",
    "SQLITE_NOTADB": "no es una caché de PEA",
}


def sqlite_reason(exc: sqlite3.Error) -> str:
    """El motivo de un error de SQLite en español (por su código, nunca por su texto)."""
    name = getattr(exc, "sqlite_errorname", "") or ""
    for prefix, reason in _SQLITE_REASONS.items():
        if name == prefix or name.startswith(prefix + "_"):
            return reason
    return "error de la base de datos"


def cache_path(output: Path) -> Path:
    return output.with_name(output.name + SUFFIX)


def encode(outcome: Outcome) -> bytes:
    """Forma guardada de un resultado: JSON comprimido (nunca pickle)."""
    return zlib.compress(outcome.model_dump_json().encode("utf-8"), 1)


def decode(blob: bytes) -> Outcome:
    """Un resultado guardado, validado; `ValueError` si no tiene la forma de un `Outcome`
    (`pydantic.ValidationError` es un `ValueError`) o no se descomprime."""
    try:
        data = zlib.decompress(blob)
    except zlib.error as exc:
        raise ValueError("no es un resultado comprimido") from exc
    return Outcome.model_validate_json(data, strict=True)


def entry_key(sha256: str, path: str | Path) -> str:
    """Contenido y forma de lectura de un archivo: la parte de la clave que es suya.

    La extensión (en minúsculas) decide el lector (libro, exportación de texto, CSV…) y el
    prefijo «~$» marca el candado de Excel: con otro nombre, los mismos bytes pueden dar
    otro veredicto.
    """
    name = PurePath(path).name
    return f"{sha256}:{PurePath(name).suffix.lower() or '-'}:{int(name.startswith('~$'))}"


# --- la clave de la persona ---------------------------------------------------------


def clave_path() -> Path:
    """Dónde vive la clave de firma: ``%APPDATA%\\pea`` en Windows; si no,
    ``$XDG_CONFIG_HOME/pea`` o ``~/.config/pea``. Nunca junto al maestro."""
    if os.name == "nt" and os.environ.get("APPDATA"):
        base = Path(os.environ["APPDATA"])
    elif os.environ.get("XDG_CONFIG_HOME"):
        base = Path(os.environ["XDG_CONFIG_HOME"])
    else:
        base = Path.home() / ".config"
    return base / "pea" / KEY_NAME


def load_key(path: Path | None = None) -> bytes:
    """La clave de firma de la persona; se crea (aleatoria, permisos 0600) la primera vez.

    Lanza `OSError` si no se puede leer ni crear.
    """
    path = path or clave_path()
    for _ in range(20):
        try:
            text = path.read_text(encoding="ascii").strip()
        except FileNotFoundError:
            text = None
        except UnicodeDecodeError:
            text = ""
        if text is not None:
            if len(text) >= 32:
                return text.encode("ascii")
            if text:  # una clave que no es de PEA (muy corta): no sirve para firmar
                raise OSError(f"la clave «{path}» no es válida; bórrela para que se cree otra")
            import time  # otro proceso la está creando ahora mismo

            time.sleep(0.05)
            continue
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        except FileExistsError:
            continue
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(os.urandom(32).hex())
    raise OSError(f"la clave «{path}» está vacía; bórrela para que se cree otra")


# --- forma de una entrada: `Outcome` (`pea.consolidate.outcome`) ----------------------


def _check(outcome: Outcome, sha256: str, rules: frozenset[str]) -> bool:
    """¿El resultado es de este contenido, con 20 columnas por línea, y cita reglas que
    existen (`rules`)?"""
    if outcome.sha256 != sha256:
        return False
    if any(len(line.values) != 20 for line in outcome.lines):
        return False
    return all(f.regla in rules for f in outcome.report.hallazgos)


def _known_rules() -> frozenset[str]:
    from pea import layout as L
    from pea.rules.registry import load_all

    assert len(L.COLUMNS) == 20, "`_check` supone 20 columnas oficiales"
    return frozenset(load_all())


class ResultCache:
    """Resultados por (contenido, forma de lectura, reglas); se abre, se consulta y se
    guarda una vez por corrida.

    Con ``enabled=False`` (``--sin-cache``) no se consulta, pero al guardar se reescribe
    entera con lo leído: así se repara una caché que diera problemas.
    """

    def __init__(self, path: Path, rules_version: str, enabled: bool = True,
                 key_file: Path | None = None) -> None:
        self.path = path
        self.version = f"{rules_version}:{code_fingerprint()}:{PAYLOAD_VERSION}"
        self.enabled = enabled
        self.avisos: list[str] = []
        # claves descartadas (un conjunto: el mismo libro repetido en dos grupos de consulta
        # se cuenta una vez)
        self._forged: set[str] = set()
        self._misshaped: set[str] = set()
        self._db: sqlite3.Connection | None = None
        self._new: dict[str, bytes] = {}
        self._used: set[str] = set()
        self._secret = b""
        try:
            self._secret = load_key(key_file)
        except OSError as exc:
            where = key_file or clave_path()
            self.avisos.append(f"no se pudo usar la clave de la caché «{where}» "
                                 f"({os_reason(exc)}); se leyeron todos "
                                 "los archivos y no se guardó la caché.")
            return
        self._open()
        if not enabled and self._db is not None:
            self._clear()

    @property
    def aviso(self) -> str | None:
        """Los avisos de la caché en una frase (o None)."""
        avisos = list(self.avisos)
        if self._forged:
            avisos.append(
                f"{len(self._forged)} resultado(s) guardado(s) en la caché no tenían una firma "
                "válida de esta persona (la caché fue alterada, o la guardó otra persona o "
                "equipo); se descartaron y esos archivos se volvieron a leer.")
        if self._misshaped:
            avisos.append(
                f"{len(self._misshaped)} resultado(s) guardado(s) en la caché no tenían la forma "
                "esperada; se descartaron y esos archivos se volvieron a leer.")
        return " ".join(avisos) or None

    def _open(self) -> None:
        if self.path.is_symlink() or (self.path.exists() and not self.path.is_file()):
            # una tubería colgaría la corrida; un enlace escribiría en otro archivo
            self._reset("la caché no era un archivo normal (un enlace, una tubería o una "
                        "carpeta); se reconstruyó.")
            return
        try:
            self._db = sqlite3.connect(self.path, timeout=5)
            with contextlib.suppress(sqlite3.Error):
                self._db.execute("PRAGMA trusted_schema = OFF")
            objects = {(t, n) for t, n in self._db.execute(
                "SELECT type, name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'")}
            if not objects:
                self._db.execute(_SCHEMA)
            elif objects == {("table", "resultados")}:  # la forma anterior, sin firma
                with self._db:
                    self._db.execute("DROP TABLE resultados")
                    self._db.execute(_SCHEMA)
            elif objects != {("table", _TABLE)}:
                self._reset("la caché tenía tablas u objetos que PEA no crea; se reconstruyó.")
                return
            self._db.execute(f"SELECT clave, datos, firma FROM {_TABLE} LIMIT 1").fetchall()
        except sqlite3.DatabaseError:
            self._reset("la caché estaba dañada; se reconstruyó.")

    def _reset(self, aviso: str) -> None:
        self.avisos.append(aviso)
        if self._db is not None:
            with contextlib.suppress(sqlite3.Error):
                self._db.close()
        self._db = None
        for suffix in ("", "-journal", "-wal", "-shm"):
            with contextlib.suppress(OSError):
                Path(str(self.path) + suffix).unlink()
        try:
            self._db = sqlite3.connect(self.path, timeout=5)
            self._db.execute(_SCHEMA)
        except sqlite3.Error as exc:
            self._db = None
            if self.avisos and self.avisos[-1] == aviso:  # no se reconstruyó
                self.avisos.pop()
            self.avisos.append(f"no se pudo usar la caché «{self.path.name}» "
                                 f"({sqlite_reason(exc)}); se leyeron todos los archivos y no "
                                 "se guardó la caché.")

    def _clear(self) -> None:
        assert self._db is not None
        try:
            with self._db:
                self._db.execute(f"DELETE FROM {_TABLE}")
        except sqlite3.DatabaseError:
            self._reset("la caché estaba dañada; se reconstruyó.")

    @property
    def may_hit(self) -> bool:
        """¿Puede tener algún resultado para esta corrida? (No, si está apagada, sin clave,
        o no guarda nada de esta versión de reglas y de PEA.)"""
        if self._db is None or not self.enabled or not self._secret:
            return False
        try:
            return self._db.execute(
                f"SELECT 1 FROM {_TABLE} WHERE substr(clave, -?) = ? LIMIT 1",
                [len(self.version) + 1, f":{self.version}"]).fetchone() is not None
        except sqlite3.DatabaseError:
            return True  # que la consulta de verdad lo diga (y repare la caché)

    def key(self, entry: str) -> str:
        """Clave completa: la del archivo (`entry_key`) y la versión de reglas y formato."""
        return f"{entry}:{self.version}"

    def _sign(self, clave: str, datos: bytes) -> bytes:
        mac = hmac.new(self._secret, clave.encode("utf-8"), hashlib.sha256)
        mac.update(b"\x00")
        mac.update(datos)
        return mac.digest()

    def get_many(self, entries: list[str],
                 transform: Callable[[Outcome], Outcome] | None = None
                 ) -> dict[str, Outcome]:
        """Resultados guardados para estas claves de archivo (`entry_key`), los que haya y
        sean válidos, cada uno pasado por `transform` en cuanto se lee. Una entrada sin
        firma válida o con otra forma se descarta (el archivo se vuelve a leer) y se avisa.
        """
        if self._db is None or not entries or not self.enabled:
            return {}
        keys = {self.key(s): s for s in set(entries)}
        found: dict[str, Outcome] = {}
        forged: set[str] = set()
        misshaped: set[str] = set()
        rules = _known_rules()
        try:
            items = list(keys)
            for i in range(0, len(items), 500):
                chunk = items[i:i + 500]
                marks = ",".join("?" * len(chunk))
                for clave, datos, firma in self._db.execute(
                        f"SELECT clave, CASE WHEN length(datos) <= ? THEN datos END, firma "
                        f"FROM {_TABLE} WHERE clave IN ({marks})", [MAX_ENTRY, *chunk]):
                    if not (isinstance(datos, bytes) and isinstance(firma, bytes)
                            and hmac.compare_digest(self._sign(clave, datos), firma)):
                        forged.add(clave)
                        continue
                    try:
                        outcome = decode(datos)
                    except ValueError:
                        misshaped.add(clave)
                        continue
                    if not _check(outcome, keys[clave].split(":", 1)[0], rules):
                        misshaped.add(clave)
                        continue
                    found[keys[clave]] = transform(outcome) if transform else outcome
        except sqlite3.DatabaseError:
            self._reset("la caché estaba dañada; se reconstruyó.")
            return {}
        self._forged |= forged  # (se consulta por grupos: el aviso suma todos, `aviso`)
        self._misshaped |= misshaped
        self._used.update(self.key(s) for s in found)
        return found

    def put(self, entry: str, outcome: Outcome, blob: bytes | None = None) -> None:
        """Guarda un resultado con la clave de su archivo (`entry_key`); `blob` es el mismo
        ya serializado (lo hace el proceso de lectura)."""
        if self._db is None:
            return
        self._new[self.key(entry)] = blob if blob is not None else encode(outcome)

    def save(self) -> None:
        """Guarda lo nuevo (firmado) y borra lo que ya no corresponde a ningún archivo."""
        if self._db is None:
            return
        keep = self._used | set(self._new)
        try:
            with self._db:
                self._db.executemany(f"INSERT OR REPLACE INTO {_TABLE} VALUES (?, ?, ?)",
                                     [(k, v, self._sign(k, v)) for k, v in self._new.items()])
                self._db.execute("CREATE TEMP TABLE IF NOT EXISTS vigentes (clave TEXT PRIMARY KEY)")
                self._db.execute("DELETE FROM vigentes")
                self._db.executemany("INSERT OR IGNORE INTO vigentes VALUES (?)",
                                     [(k,) for k in keep])
                self._db.execute(f"DELETE FROM {_TABLE} WHERE clave NOT IN "
                                 "(SELECT clave FROM vigentes)")
        except sqlite3.Error as exc:
            self.avisos.append(f"no se pudo guardar la caché ({sqlite_reason(exc)}).")
        finally:
            self.close()

    def close(self) -> None:
        if self._db is not None:
            with contextlib.suppress(sqlite3.Error):
                self._db.close()
            self._db = None
