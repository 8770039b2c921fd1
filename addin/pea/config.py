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
from decimal import Decimal
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from pea import __version__
from pea.layout import DEFAULT_EJES_TRANSVERSALES, ROMAN
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


class Parameters(BaseModel):
    model_config = ConfigDict(extra="allow")

    municipio: str | None = None
    anio_plan: int = 2024
    periodo_administracion: str | None = None
    fecha_fin_administracion: dt.date = dt.date(2024, 9, 30)
    tolerancia_suma: Decimal = Decimal("0.5")
    poblacion_municipal: int | None = None
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
        return Decimal(str(v)) if v is not None else Decimal("0.5")


class Limits(BaseModel):
    """Límites de lectura de archivos no confiables (SECURITY.md)."""

    tamano_archivo_mb: float = 50
    tamano_descomprimido_mb: float = 200
    razon_compresion: float = 200
    filas: int = 5000
    celdas: int = 200_000
    segundos_por_archivo: float = 30


class WebSettings(BaseModel):
    """Sección `ventanilla` (el servidor web de entregas, `pea servidor`)."""

    revision_anonima: bool = True
    procesos: int = Field(default=2, ge=1, le=64)
    memoria_mb: int = Field(default=1024, ge=0)
    espera_segundos: float = Field(default=60, gt=0)
    #: Fecha límite de entrega de los planes (el tablero cuenta los días que faltan).
    fecha_limite_entrega: dt.date | None = None
    #: Qué versión de cada dependencia va al maestro: la última aprobada o la última.
    maestro_con: Literal["aprobada", "ultima"] = "aprobada"


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
        """Versión efectiva de las reglas: paquete + configuración + catálogos."""
        data = json.dumps(
            [__version__, self.version, self.parametros.model_dump(), self.severidades,
             self.limites.model_dump(), self.catalogos.fingerprint()],
            sort_keys=True, default=str, ensure_ascii=False,
        )
        return hashlib.sha256(data.encode("utf-8")).hexdigest()[:16]


def default_rules_dir() -> Path:
    """El directorio `rules/` incluido: en el paquete instalado o en el repositorio."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "_reglas", here.parent.parent / "rules"):
        if (candidate / "configuracion.yaml").is_file():
            return candidate
    raise ConfigError("No se encontró la configuración de reglas incluida con PEA.")


def _read_yaml(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"El archivo {path} no está en UTF-8.") from exc
    except OSError as exc:
        raise ConfigError(f"No se pudo leer {path}: {exc.strerror or exc}.") from exc
    try:
        return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as exc:
        raise ConfigError(f"El archivo {path} no es YAML válido: {exc}") from exc


def load_config(rules_dir: str | Path | None = None) -> RulesConfig:
    """Lee `configuracion.yaml` y los catálogos de un directorio de reglas."""
    base = Path(rules_dir) if rules_dir is not None else default_rules_dir()
    if not base.is_dir():
        raise ConfigError(f"El directorio de reglas «{base}» no existe.")
    cfg_path = base / "configuracion.yaml"
    raw: dict[str, Any] = {}
    if cfg_path.is_file():
        loaded = _read_yaml(cfg_path)
        if loaded is not None and not isinstance(loaded, dict):
            raise ConfigError(f"{cfg_path} debe contener un mapa de claves.")
        raw = loaded or {}
    catalogs: dict[str, Any] = {}
    for key, name in CATALOG_FILES.items():
        path = base / "catalogos" / name
        if path.is_file():
            data = _read_yaml(path)
            if isinstance(data, dict) and key in data:
                catalogs[key] = data[key]
            elif data is not None:
                raise ConfigError(f"{path} debe tener la clave «{key}».")
    try:
        return RulesConfig(
            version=str(raw.get("version", "sin versión")),
            source=str(base),
            parametros=Parameters(**(raw.get("parametros") or {})),
            severidades=raw.get("severidades") or {},
            limites=Limits(**(raw.get("limites") or {})),
            catalogos=Catalogs(**catalogs),
            ventanilla=WebSettings(**(raw.get("ventanilla") or {})),
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()))
        raise ConfigError(
            f"Configuración de reglas inválida en «{where}»: {first.get('msg')}."
        ) from exc
