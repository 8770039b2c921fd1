"""Aplicación WSGI de la Ventanilla (para waitress, gunicorn u otro servidor)."""

from __future__ import annotations

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pea.web.settings")

from django.core.wsgi import get_wsgi_application

application = get_wsgi_application()
