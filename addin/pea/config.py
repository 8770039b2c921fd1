"""Configuración de reglas y catálogos, leída de un directorio `rules/`.

Estructura del directorio (todo editable por el Instituto de Planeación):

    configuracion.yaml            parámetros, severidades, límites de lectura
    catalogos/pmdg.yaml           ejes → objetivos → estrategias
    catalogos/programas_presupuestarios.yaml   Pp → elementos de MIR
    catalogos/dependencias.yaml   dependencias → unidades
    catalogos/ejes_transversales.yaml          I–V

Un catálogo ausente apaga (no falla) las reglas que lo necesitan.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from decimal import Decimal
from functools import cache, cached_property
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
)

from pea import __version__
from pea.layout import DEFAULT_EJES_TRANSVERSALES, ROMAN
from pea.oserrors import os_reason
from pea.textnorm import fold

SeverityOrOff = Literal["error", "advertencia", "info", "desactivada"]

CATALOG_FILES = {
    "pmdg": "pmdg.yaml",
    "programas_presupuestarios": "programas_presupuestarios.yaml",
    "dependencias": "dependencias.yaml",
    "ejes_transversales": "ejes_transversales.yaml",
}


class ConfigError(Exception):
    """La configuración de reglas no se puede usar (mensaje en español)."""


_FILE = ConfigDict(extra="forbid")  # toda clave que no se conoce es un error (¿errata?)


def _none_as(default: Any) -> Any:
    """Una clave presente pero vacía en el YAML (`clave:`) vale lo mismo que ausente."""
    return BeforeValidator(lambda v: default() if v is None else v)


def _number_as_text(v: Any) -> Any:
    return str(v) if isinstance(v, int | float) and not isinstance(v, bool) else v


class Parameters(BaseModel):
    """Sección `parametros` de configuracion.yaml."""

    model_config = _FILE

    municipio: str | None = None
    anio_plan: Annotated[int, Field(ge=1900, le=2200)] = 2024
    periodo_administracion: Annotated[str | None, BeforeValidator(_number_as_text)] = None
    fecha_fin_administracion: dt.date = dt.date(2024, 9, 30)
    tolerancia_suma: Annotated[Decimal, Field(ge=0, le=100, allow_inf_nan=False)] = Decimal("0.5")
    poblacion_municipal: Annotated[int | None, Field(ge=0)] = None
    #: Python que usan los botones de la plantilla en Windows (xlwings INTERPRETER_WIN).
    interprete_windows: str | None = None
    #: Dirección de la Ventanilla; los botones la ofrecen si la PC no tiene Python de PEA.
    url_ventanilla: str | None = None

    @field_validator("url_ventanilla")
    @classmethod
    def _url(cls, v: str | None) -> str | None:
        import re

        if v is None or not v.strip():
            return None
        if not re.fullmatch(r"https?://[^\s\"'<>]+", v.strip()):
            raise ValueError("debe ser una dirección http:// o https:// (o quedar vacía)")
        return v.strip()

    @field_validator("tolerancia_suma", mode="before")
    @classmethod
    def _decimal(cls, v: Any) -> Any:
        if v is None:
            return Decimal("0.5")
        return Decimal(str(v)) if isinstance(v, int | float) and not isinstance(v, bool) else v

    def rules_dump(self) -> dict[str, Any]:
        """Lo que cambia los veredictos (la huella): sin las claves nuevas en su valor por
        omisión, para que una configuración que no las usa conserve su huella."""
        data = self.model_dump()
        for key in ("url_ventanilla",):
            if data[key] == type(self).model_fields[key].default:
                del data[key]
        return data


class Limits(BaseModel):
    """Límites de lectura de archivos no confiables (SECURITY.md)."""

    model_config = _FILE

    # Topes de cordura: un valor enorme (1e30) no es «sin límite», es un error de dedo que
    # terminaba en «Error interno (OverflowError)» al leer el primer archivo.
    tamano_archivo_mb: Annotated[float, Field(gt=0, le=100_000, allow_inf_nan=False)] = 50
    tamano_descomprimido_mb: Annotated[float, Field(gt=0, le=1_000_000,
                                                    allow_inf_nan=False)] = 200
    razon_compresion: Annotated[float, Field(gt=0, le=1_000_000, allow_inf_nan=False)] = 200
    filas: Annotated[int, Field(gt=0, le=1_048_576)] = 5000
    celdas: Annotated[int, Field(gt=0, le=17_179_869_184)] = 200_000
    segundos_por_archivo: Annotated[float, Field(ge=0, le=86_400, allow_inf_nan=False)] = 30


class WebSettings(BaseModel):
    """Sección `ventanilla` (el servidor web de entregas, `pea servidor`)."""

    model_config = _FILE

    revision_anonima: bool = True
    procesos: int = Field(default=2, ge=1, le=64)
    memoria_mb: int = Field(default=1024, ge=0)
    espera_segundos: float = Field(default=60, gt=0)
    #: Fecha límite de entrega de los planes (el tablero cuenta los días que faltan).
    fecha_limite_entrega: dt.date | None = None
    #: Qué versión de cada dependencia va al maestro: la última aprobada o la última.
    maestro_con: Literal["aprobada", "ultima"] = "aprobada"


class ConfigFile(BaseModel):
    """Esquema de configuracion.yaml."""

    model_config = _FILE

    version: Annotated[str, BeforeValidator(_number_as_text)] = "sin versión"
    parametros: Annotated[Parameters, _none_as(dict)] = Field(default_factory=Parameters)
    severidades: Annotated[dict[str, SeverityOrOff], _none_as(dict)] = Field(default_factory=dict)
    limites: Annotated[Limits, _none_as(dict)] = Field(default_factory=Limits)
    ventanilla: Annotated[WebSettings, _none_as(dict)] = Field(default_factory=WebSettings)


# --- Esquema de cada catálogo (se valida al cargar; las reglas leen los dicts) ---

_Texts = Annotated[list[str], _none_as(list)]


class PmdgObjetivo(BaseModel):
    model_config = _FILE
    objetivo: str
    estrategias: _Texts = []


class PmdgEje(BaseModel):
    model_config = _FILE
    eje: str
    objetivos: Annotated[list[PmdgObjetivo], _none_as(list)] = []


class PmdgFile(BaseModel):
    model_config = _FILE
    pmdg: Annotated[list[PmdgEje], _none_as(list)]


class Programa(BaseModel):
    model_config = _FILE
    programa: str
    mir: _Texts = []


class ProgramasFile(BaseModel):
    model_config = _FILE
    programas_presupuestarios: Annotated[list[Programa], _none_as(list)]


class Dependencia(BaseModel):
    model_config = _FILE
    dependencia: str
    unidades: _Texts = []


class DependenciasFile(BaseModel):
    model_config = _FILE
    dependencias: Annotated[list[Dependencia], _none_as(list)]


class EjesTransversales(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    I: str | None = None  # noqa: E741
    II: str | None = None
    III: str | None = None
    IV: str | None = None
    V: str | None = None


class EjesTransversalesFile(BaseModel):
    model_config = _FILE
    ejes_transversales: Annotated[EjesTransversales, _none_as(dict)]


#: Catálogo → (archivo, esquema).
CATALOG_SCHEMAS: dict[str, type[BaseModel]] = {
    "pmdg": PmdgFile,
    "programas_presupuestarios": ProgramasFile,
    "dependencias": DependenciasFile,
    "ejes_transversales": EjesTransversalesFile,
}


class Catalogs(BaseModel):
    """Catálogos del municipio; `None` cuando el archivo no existe."""

    pmdg: list[dict[str, Any]] | None = None
    programas_presupuestarios: list[dict[str, Any]] | None = None
    dependencias: list[dict[str, Any]] | None = None
    ejes_transversales: dict[str, str] | None = None

    # --- vistas derivadas, para las reglas (por texto normalizado / número) ---

    @cached_property
    def ejes(self) -> dict[str, str]:
        """Número de eje → texto del eje."""
        from pea.textnorm import EJE_NUM, leading_number

        out: dict[str, str] = {}
        for item in self.pmdg or []:
            num = leading_number(str(item["eje"]), EJE_NUM)
            if num:
                out[num] = str(item["eje"])
        return out

    @cached_property
    def ejes_por_texto(self) -> frozenset[str]:
        """Textos de los ejes sin número, normalizados (para un eje escrito sin clave)."""
        from pea.textnorm import strip_number

        return frozenset(fold(strip_number(t)) for t in self.ejes.values())

    @cached_property
    def objetivos(self) -> dict[str, tuple[str, str]]:
        """Número de objetivo → (número de eje, texto)."""
        from pea.textnorm import EJE_NUM, OBJETIVO_NUM, leading_number

        out: dict[str, tuple[str, str]] = {}
        for item in self.pmdg or []:
            eje = leading_number(str(item["eje"]), EJE_NUM) or ""
            for obj in item.get("objetivos") or []:
                num = leading_number(str(obj["objetivo"]), OBJETIVO_NUM)
                if num:
                    out[num] = (eje, str(obj["objetivo"]))
        return out

    @cached_property
    def estrategias(self) -> dict[str, tuple[str, str]]:
        """Número de estrategia → (número de objetivo, texto)."""
        from pea.textnorm import ESTRATEGIA_NUM, OBJETIVO_NUM, leading_number

        out: dict[str, tuple[str, str]] = {}
        for item in self.pmdg or []:
            for obj in item.get("objetivos") or []:
                onum = leading_number(str(obj["objetivo"]), OBJETIVO_NUM) or ""
                for est in obj.get("estrategias") or []:
                    num = leading_number(str(est), ESTRATEGIA_NUM)
                    if num:
                        out[num] = (onum, str(est))
        return out

    @cached_property
    def programas(self) -> dict[str, tuple[str, list[str]]]:
        """Texto normalizado del Pp → (texto, elementos de MIR)."""
        return {
            fold(str(p["programa"])).rstrip("."): (str(p["programa"]), [str(m) for m in p.get("mir") or []])
            for p in self.programas_presupuestarios or []
        }

    @cached_property
    def unidades(self) -> dict[str, tuple[str, list[str]]]:
        """Dependencia normalizada → (nombre, unidades)."""
        return {
            fold(str(d["dependencia"])): (str(d["dependencia"]), [str(u) for u in d.get("unidades") or []])
            for d in self.dependencias or []
        }

    def ejes_transversales_labels(self) -> tuple[str, ...]:
        """Textos de los ejes transversales I–V (del catálogo o por omisión)."""
        et = self.ejes_transversales or {}
        return tuple(et.get(r, DEFAULT_EJES_TRANSVERSALES[i]) for i, r in enumerate(ROMAN))

    def fingerprint(self) -> str:
        """Huella (sha256 corta) del contenido de los catálogos."""
        data = json.dumps(self.model_dump(), sort_keys=True, ensure_ascii=False, default=str)
        return hashlib.sha256(data.encode("utf-8")).hexdigest()[:16]


class RulesConfig(BaseModel):
    """Todo lo que las reglas necesitan, salvo el plan."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    version: str = "sin versión"
    source: str = "(incluida)"
    parametros: Parameters = Field(default_factory=Parameters)
    severidades: dict[str, SeverityOrOff] = Field(default_factory=dict)
    limites: Limits = Field(default_factory=Limits)
    catalogos: Catalogs = Field(default_factory=Catalogs)
    ventanilla: WebSettings = Field(default_factory=WebSettings)

    def fingerprint(self) -> str:
        """Versión efectiva de las reglas: paquete + configuración + catálogos (las cachés
        de veredictos le suman `code_fingerprint`)."""
        data = json.dumps(
            [__version__, self.version, self.parametros.rules_dump(), self.severidades,
             self.limites.model_dump(), self.catalogos.fingerprint()],
            sort_keys=True, default=str, ensure_ascii=False,
        )
        return hashlib.sha256(data.encode("utf-8")).hexdigest()[:16]


@cache
def code_fingerprint() -> str:
    """Huella del código de PEA (cada `.py` del paquete): una regla agregada o corregida
    cambia el veredicto aunque `__version__` siga igual, y la caché del consolidador y la
    de la Ventanilla no deben reutilizar lo que validó el código anterior. Solo la piden
    esas cachés: el botón Validar no lee los archivos del paquete en cada clic."""
    root = Path(__file__).resolve().parent
    h = hashlib.sha256()
    # (una instalación sin fuentes, solo con `.pyc`, usa esos: nunca una huella fija)
    files = sorted(root.rglob("*.py")) or sorted(root.rglob("*.pyc"))
    for path in files:
        h.update(path.relative_to(root).as_posix().encode("utf-8") + b"\0")
        h.update(path.read_bytes())
    return h.hexdigest()[:16]


def default_rules_dir() -> Path:
    """El directorio `rules/` incluido: en el paquete instalado o en el repositorio."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "_reglas", here.parent.parent / "rules"):
        if (candidate / "configuracion.yaml").is_file():
            return candidate
    raise ConfigError("No se encontró la configuración de reglas incluida con PEA.")


def _read_yaml(path: Path) -> Any:
    """Lee un YAML de `rules/` con tamaño y expansión de alias acotados."""
    from pea.safe_yaml import YamlLimitError, load_text, read_bytes, yaml_problem

    try:
        text = read_bytes(path).decode("utf-8")
    except YamlLimitError as exc:
        raise ConfigError(f"El archivo «{path}» {exc}.") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"El archivo «{path}» no está en UTF-8.") from exc
    except OSError as exc:
        raise ConfigError(f"No se pudo leer «{path}»: {os_reason(exc)}.") from exc
    try:
        data = load_text(text)
        _check_characters(data, path)
        return data
    except YamlLimitError as exc:
        raise ConfigError(f"El archivo «{path}» {exc}.") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"El archivo «{path}» no es YAML válido: {yaml_problem(exc)}.") \
            from exc
    except (ValueError, OverflowError) as exc:  # «2024-13-45»: parece fecha y no existe
        raise ConfigError(f"El archivo «{path}» tiene un valor que parece una fecha o un número "
                          "pero no lo es (¿un mes 13, un día 45?); escríbalo bien o entre "
                          "comillas si es texto.") from exc
    except RecursionError as exc:
        raise ConfigError(f"El archivo «{path}» anida demasiados niveles.") from exc


#: Lo que no puede ir en un texto de la configuración: caracteres de control (salvo
#: tabulador y saltos de línea) y los que XML no admite. Van a la plantilla, al maestro y a
#: la terminal; antes, uno solo en «municipio» daba «Error interno» en `pea plantilla`.
_BAD_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff\ud800-\udfff]")


def _check_characters(data: Any, path: Path) -> None:
    """Error (en español, con la clave) si un texto del archivo trae un carácter de control."""
    def visible(text: str) -> str:  # sin pea.report_text: el botón Validar no carga rich
        return _BAD_CHARS.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100
                              else f"\\u{ord(m.group()):04x}", text)

    stack: list[tuple[Any, str]] = [(data, "")]
    while stack:
        node, where = stack.pop()
        if isinstance(node, dict):
            stack.extend((v, f"{where} → «{k}»" if where else f"«{k}»") for k, v in node.items())
            stack.extend((k, where or "una clave") for k in node if isinstance(k, str))
        elif isinstance(node, list):
            stack.extend((v, f"{where} → elemento {i + 1}") for i, v in enumerate(node))
        elif isinstance(node, str) and _BAD_CHARS.search(node):
            shown = visible(node[:80])
            raise ConfigError(f"El archivo «{path}», en {where or 'el documento'}, tiene un "
                              f"carácter de control en el texto «{shown}»; bórrelo (no se "
                              "puede escribir en la plantilla ni en el maestro).")


def _validated(schema: type[BaseModel], data: Any, path: Path) -> BaseModel:
    """Valida `data` contra el esquema; los errores, en español y con la ruta del archivo."""
    from pea.config_messages import describe_errors

    if not isinstance(data, dict):
        raise ConfigError(f"El archivo «{path}» debe contener un mapa de claves (clave: valor); "
                          f"contiene {_kind(data)}.")
    try:
        return schema.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(describe_errors(path, schema, exc)) from exc


def _kind(data: Any) -> str:
    from pea.config_messages import kind_of

    return kind_of(data)


def _check_rule_ids(path: Path, severidades: dict[str, str]) -> None:
    """Cada regla de `severidades` existe en el registro (una errata no se ignora)."""
    from pea.config_messages import suggestion
    from pea.rules.registry import load_all

    known = load_all()
    bad = [rid for rid in severidades if rid not in known]
    if bad:
        lines = [f"«severidades» → «{rid}»: no existe esa regla{suggestion(rid, known)}"
                 for rid in bad]
        raise ConfigError(f"Configuración de reglas inválida en «{path}»:\n  - "
                          + "\n  - ".join(lines) + "\n(«pea reglas» lista las reglas.)")


def _check_catalog_folder(folder: Path) -> None:
    """Un YAML en catalogos/ que no es un catálogo conocido es una errata en el nombre."""
    from pea.config_messages import suggestion

    if not folder.is_dir():
        return
    names = set(CATALOG_FILES.values())
    for f in sorted(folder.iterdir()):
        if f.suffix.lower() in (".yaml", ".yml") and f.name not in names:
            raise ConfigError(
                f"El archivo «{f}» no es un catálogo de PEA{suggestion(f.name, names)} "
                f"Los catálogos son: {', '.join(sorted(names))}.")


def load_config(rules_dir: str | Path | None = None) -> RulesConfig:
    """Lee y valida `configuracion.yaml` y los catálogos de un directorio de reglas.

    Todo se valida aquí, una vez, antes de leer un solo plan: una clave desconocida, un
    tipo equivocado o una regla que no existe es `ConfigError` con el archivo y la clave.
    """
    base = Path(rules_dir) if rules_dir is not None else default_rules_dir()
    if not base.is_dir():
        raise ConfigError(f"El directorio de reglas «{base}» no existe.")
    cfg_path = base / "configuracion.yaml"
    if not cfg_path.is_file():
        raise ConfigError(f"El directorio de reglas «{base}» no tiene «configuracion.yaml» "
                          "(¿es la carpeta correcta? Copie la de las reglas incluidas, "
                          "rules/, y edítela).")
    loaded = _read_yaml(cfg_path)
    file_cfg = _validated(ConfigFile, {} if loaded is None else loaded, cfg_path)
    assert isinstance(file_cfg, ConfigFile)
    _check_rule_ids(cfg_path, file_cfg.severidades)
    _check_catalog_folder(base / "catalogos")
    catalogs: dict[str, Any] = {}
    for key, name in CATALOG_FILES.items():
        path = base / "catalogos" / name
        if not path.is_file():
            continue
        data = _read_yaml(path)
        if data is None:
            continue  # archivo vacío: como si no existiera
        checked = _validated(CATALOG_SCHEMAS[key], data, path)
        if key == "ejes_transversales":
            catalogs[key] = checked.ejes_transversales.model_dump(exclude_none=True)  # type: ignore[attr-defined]
        else:  # los dicts tal como se escribieron (la huella de la plantilla no cambia)
            catalogs[key] = data[key] or []
    return RulesConfig(
        version=file_cfg.version,
        source=str(base),
        parametros=file_cfg.parametros,
        severidades=file_cfg.severidades,
        limites=file_cfg.limites,
        ventanilla=file_cfg.ventanilla,
        catalogos=Catalogs(**catalogs),
    )
