"""Ajustes de Django para la Ventanilla.

Todo lo que cambia entre instalaciones llega por variables de entorno (las pone
`pea servidor`): la carpeta de datos (`PEA_DATOS`), la base de datos (`PEA_BASE_DATOS_URL`,
una URL como ``postgresql://usuario:clave@servidor/pea``; por omisión SQLite dentro de la
carpeta) y el directorio de reglas (`PEA_REGLAS`). La clave secreta se genera una vez y se
guarda en la carpeta de datos con permisos 0600.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from pea.web import ENV_BASE_DATOS, ENV_DATOS

BASE_DIR = Path(__file__).resolve().parent
DATOS = Path(os.environ.get(ENV_DATOS) or Path.cwd() / "ventanilla-datos").resolve()
ARCHIVOS = DATOS / "archivos"
TEMPORALES = DATOS / "tmp"


def _secret_key(folder: Path) -> str:
    """Lee (o crea con 0600) la clave secreta de la instalación."""
    path = folder / "clave_secreta.txt"
    try:
        return path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        folder.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(50)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(key + "\n")
        return key


SECRET_KEY = os.environ.get("PEA_CLAVE_SECRETA") or _secret_key(DATOS)
DEBUG = False
ALLOWED_HOSTS = [h for h in os.environ.get("PEA_HOSTS", "").split(",") if h] or [
    "127.0.0.1", "localhost", "[::1]"]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("PEA_ORIGENES", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "pea.web.ventanilla",
    "pea.web.revision",
]

MIDDLEWARE = [
    "pea.web.ventanilla.middleware.RequestSizeLimit",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "pea.web.ventanilla.middleware.SecurityHeaders",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "pea.web.ventanilla.middleware.ForcePasswordChange",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "pea.web.urls"
WSGI_APPLICATION = "pea.web.wsgi.application"
TEMPLATES = [{
    "BACKEND": "django.template.backends.django.DjangoTemplates",
    "DIRS": [],
    "APP_DIRS": True,
    "OPTIONS": {"context_processors": [
        "django.template.context_processors.request",
        "django.contrib.auth.context_processors.auth",
        "django.contrib.messages.context_processors.messages",
        "pea.web.ventanilla.views.common_context",
    ]},
}]


def _database() -> dict:
    url = os.environ.get(ENV_BASE_DATOS)
    if url:
        import dj_database_url

        return dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    return {"ENGINE": "django.db.backends.sqlite3", "NAME": str(DATOS / "ventanilla.sqlite3"),
            "OPTIONS": {"timeout": 30, "transaction_mode": "IMMEDIATE",
                        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"}}


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "ventanilla.Cuenta"
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend",
                           "django.contrib.auth.backends.ModelBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "ventanilla:entrar"
LOGIN_REDIRECT_URL = "ventanilla:inicio"
LOGOUT_REDIRECT_URL = "ventanilla:inicio"

LANGUAGE_CODE = "es-mx"
LANGUAGES = [("es-mx", "Español (México)")]
USE_I18N = True
TIME_ZONE = os.environ.get("PEA_ZONA_HORARIA", "America/Mexico_City")
USE_TZ = True

STATIC_URL = "/estaticos/"
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = False

# --- Tamaño de las peticiones: tope antes de leer el cuerpo (middleware) y en Django ---
_MB = 1024 * 1024
MAX_SUBIDA_MB = float(os.environ.get("PEA_MAX_SUBIDA_MB") or 0)  # 0: el de las reglas
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * _MB  # campos que no son archivos
# la revisión manda un cuadro de observaciones por línea del plan (hasta limites.filas); el
# tamaño de esos campos sigue acotado por DATA_UPLOAD_MAX_MEMORY_SIZE
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5_100
DATA_UPLOAD_MAX_NUMBER_FILES = 1
# Todo archivo subido se queda en memoria (nunca en un temporal con nombre en disco):
# el tope del middleware acota el tamaño antes de leer.
FILE_UPLOAD_MAX_MEMORY_SIZE = 60 * _MB
FILE_UPLOAD_HANDLERS = ["django.core.files.uploadhandler.MemoryFileUploadHandler"]

# --- Seguridad ---
HTTPS = os.environ.get("PEA_HTTPS", "") == "1"
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 8 * 3600
SESSION_COOKIE_NAME = "pea_sesion"
CSRF_COOKIE_NAME = "pea_csrf"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 31536000
    SECURE_SSL_REDIRECT = os.environ.get("PEA_REDIRIGIR_HTTPS", "1") == "1"

# --- Bloqueo tras intentos fallidos (django-axes) ---
AXES_FAILURE_LIMIT = int(os.environ.get("PEA_INTENTOS", "5"))
AXES_COOLOFF_TIME = 0.25  # horas
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "ventanilla/bloqueado.html"
AXES_VERBOSE = False

# Solo los registradores de Django (el resto lo configura `pea servidor` al arrancar): así
# importar los ajustes, p. ej. en las pruebas, no cambia el registro de todo el proceso.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"consola": {"class": "logging.StreamHandler"}},
    "loggers": {"django": {"handlers": ["consola"], "level": "WARNING", "propagate": False},
                "axes": {"handlers": ["consola"], "level": "WARNING", "propagate": False}},
}
CSRF_FAILURE_VIEW = "pea.web.ventanilla.views.csrf_failure"
