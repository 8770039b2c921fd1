"""Formularios (de Django: CSRF, validación) con textos en español."""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm


class UploadForm(forms.Form):
    archivo = forms.FileField(
        allow_empty_file=True,  # un archivo vacío recibe su PEA-E00, como en pea validar
        label="Archivo del plan (.xlsx, .xlsm, .txt o .tsv)",
        error_messages={"required": "Elija el archivo del plan.",
                        "empty": "El archivo está vacío (0 bytes).",
                        "invalid": "No se recibió un archivo."},
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.xlsm,.txt,.tsv"}))


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": "Usuario o contraseña incorrectos. Tras varios intentos fallidos la "
                         "cuenta se bloquea por unos minutos.",
        "inactive": "Esta cuenta está desactivada.",
    }

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "Usuario"
        self.fields["password"].label = "Contraseña"


class PasswordChange(PasswordChangeForm):
    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["old_password"].label = "Contraseña actual (la inicial)"
        self.fields["new_password1"].label = "Contraseña nueva"
        self.fields["new_password2"].label = "Repita la contraseña nueva"

    def clean(self):  # type: ignore[no-untyped-def]
        """La nueva no puede ser la actual: la inicial viaja en el CSV de cuentas, así que
        «cambiarla» por ella misma dejaría la cuenta con una contraseña que otros conocen."""
        data = super().clean()
        new = data.get("new_password2")
        if new and not self.errors and self.user.check_password(new):
            self.add_error("new_password2", forms.ValidationError(
                "La contraseña nueva debe ser distinta de la actual (la inicial).",
                code="password_unchanged"))
        return data
