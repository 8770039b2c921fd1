"""Alta de cuentas: una por dependencia del catálogo, un revisor y el administrador.

Idempotente: una cuenta que ya existe no se toca (ni su contraseña ni su token); en el
CSV aparece sin contraseña ni token, que solo se conocen al crearla (se guardan solo sus
huellas).
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from django.db import transaction

from pea.textnorm import fold
from pea.web.ventanilla.models import Cuenta, Dependencia, Rol, dependencia_key

REVIEWER_USERNAME = "instituto.revisor"
ADMIN_USERNAME = "instituto.admin"
CSV_COLUMNS = ("rol", "dependencia", "usuario", "contrasena_inicial", "token_api")


@dataclass
class AccountRow:
    rol: str
    dependencia: str
    usuario: str
    contrasena_inicial: str = ""
    token_api: str = ""
    nueva: bool = False

    def csv_row(self) -> list[str]:
        return [self.rol, self.dependencia, self.usuario, self.contrasena_inicial,
                self.token_api]


def new_password() -> str:
    """Contraseña inicial: 16 caracteres sin ambigüedades (se cambia al entrar)."""
    alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(16))


def new_token() -> str:
    return "pea_" + secrets.token_urlsafe(32)


def username_for(nombre: str, taken: set[str]) -> str:
    """Usuario legible a partir del nombre de la dependencia: «obras.publicas»."""
    words = [w for w in re.split(r"[^a-z0-9]+", fold(nombre).lower()) if w]
    stop = {"de", "del", "la", "las", "los", "el", "y", "e", "para", "en"}
    base = ".".join(w for w in words if w not in stop)[:60].strip(".") or "dependencia"
    name, n = base, 2
    while name in taken:
        name = f"{base}{n}"
        n += 1
    taken.add(name)
    return name


def _create(username: str, rol: str, dependencia: Dependencia | None,
            staff: bool = False) -> AccountRow:
    password, token = new_password(), new_token()
    cuenta = Cuenta(username=username, rol=rol, dependencia=dependencia,
                    debe_cambiar_contrasena=True, is_staff=staff, is_superuser=staff)
    cuenta.set_password(password)
    cuenta.set_token(token)
    cuenta.save()
    return AccountRow(rol, dependencia.nombre if dependencia else "", username, password, token,
                      nueva=True)


def ensure_admin() -> AccountRow | None:
    """El administrador del Instituto; None si ya existía."""
    if Cuenta.objects.filter(rol=Rol.ADMINISTRADOR).exists():
        return None
    return _create(ADMIN_USERNAME, Rol.ADMINISTRADOR, None, staff=True)


@transaction.atomic
def from_catalog(catalog: list[dict]) -> list[AccountRow]:
    """Crea lo que falte: dependencias del catálogo, su cuenta y la del revisor."""
    rows: list[AccountRow] = []
    taken = set(Cuenta.objects.values_list("username", flat=True))
    for item in catalog:
        nombre = str(item.get("dependencia") or "").strip()
        if not nombre:
            continue
        dep = Dependencia.objects.filter(clave=dependencia_key(nombre)).first()
        if dep is None:
            dep = Dependencia.objects.create(nombre=nombre)
        cuenta = Cuenta.objects.filter(dependencia=dep, rol=Rol.DEPENDENCIA).order_by("id").first()
        if cuenta is None:
            rows.append(_create(username_for(nombre, taken), Rol.DEPENDENCIA, dep))
        else:
            rows.append(AccountRow(Rol.DEPENDENCIA, dep.nombre, cuenta.username))
    reviewer = Cuenta.objects.filter(rol=Rol.REVISOR).order_by("id").first()
    if reviewer is None:
        name = REVIEWER_USERNAME if REVIEWER_USERNAME not in taken else username_for(
            "instituto revisor", taken)
        rows.append(_create(name, Rol.REVISOR, None))
    else:
        rows.append(AccountRow(Rol.REVISOR, "", reviewer.username))
    return rows
