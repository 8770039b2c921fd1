"""API JSON v1 de la Ventanilla: contrato exacto, códigos de estado y aislamiento."""

from __future__ import annotations

import hashlib
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase

from pea.web.ventanilla.models import Bitacora, Entrega
from tests.web.helpers import (
    DEPS,
    account_for,
    accounts,
    bearer,
    cli_report,
    reviewer,
    web_settings,
)


def upload(path: Path, name: str | None = None) -> dict[str, SimpleUploadedFile]:
    return {"archivo": SimpleUploadedFile(name or path.name, path.read_bytes())}


class ApiTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.rows = accounts()
        cls.tes = account_for(cls.rows, DEPS["tesoreria"])
        cls.obras = account_for(cls.rows, DEPS["obras"])
        cls.rev = reviewer(cls.rows)

    def test_salud(self) -> None:
        r = self.client.get("/api/v1/salud")
        self.assertEqual(r.status_code, 200)
        self.assertEqual(r.json()["estado"], "ok")

    def test_validar_es_el_contrato_de_pea_validar(self) -> None:
        plan = self.planes["tesoreria_errores"]
        r = self.client.post("/api/v1/validar", upload(plan, "mi plan.xlsx"))
        self.assertEqual(r.status_code, 200)
        got = r.json()
        expected = cli_report(plan)
        self.assertEqual(got["archivo"], "mi plan.xlsx")
        expected["archivo"] = got["archivo"]
        self.assertEqual(got, expected)
        self.assertGreater(got["resumen"]["error"], 0)
        self.assertEqual(Entrega.objects.count(), 0)

    def test_validar_sin_archivo_400(self) -> None:
        r = self.client.post("/api/v1/validar", {})
        self.assertEqual(r.status_code, 400)
        self.assertIn("archivo", r.json()["error"])

    def test_validar_demasiado_grande_413_sin_leer(self) -> None:
        from pea.web.ventanilla.services import max_upload_bytes

        big = b"PK\x03\x04" + b"0" * (max_upload_bytes() + 200_000)
        r = self.client.post("/api/v1/validar", {"archivo": SimpleUploadedFile("x.xlsx", big)})
        self.assertEqual(r.status_code, 413)
        self.assertIn("MB", r.json()["error"])
        self.assertIn("límite".encode(), r.content)  # UTF-8 como las demás respuestas

    def test_tope_por_content_length_antes_de_leer(self) -> None:
        """El middleware rechaza por la longitud declarada, sin leer el cuerpo (aquí el
        cuerpo real es pequeño: solo el tope por Content-Length puede dar 413)."""
        from pea.web.ventanilla.services import max_upload_bytes

        for url in ("/api/v1/validar", "/revisar/"):
            r = self.client.post(url, upload(self.planes["tesoreria"]),
                                 CONTENT_LENGTH=str(max_upload_bytes() * 2))
            self.assertEqual(r.status_code, 413, url)
            self.assertEqual(r["Connection"], "close")
        self.assertEqual(Entrega.objects.count(), 0)

    def test_validar_con_revision_anonima_apagada_pide_token(self) -> None:
        plan = self.planes["tesoreria"]
        with web_settings(revision_anonima=False):
            r = self.client.post("/api/v1/validar", upload(plan))
            self.assertEqual(r.status_code, 401)
            r = self.client.post("/api/v1/validar", upload(plan), **bearer(self.tes.token_api))
            self.assertEqual(r.status_code, 200)

    def test_peticiones_malformadas_responden_json(self) -> None:
        plan = self.planes["tesoreria"].read_bytes()
        cases = [
            ({"data": b"basura", "content_type": "multipart/form-data; boundary=zz"}, ""),
            ({"data": {"archivo": [SimpleUploadedFile("a.xlsx", plan),
                                   SimpleUploadedFile("b.xlsx", plan)]}}, "un solo archivo"),
            ({"data": {"archivo": SimpleUploadedFile("a.xlsx", plan)},
              "HTTP_HOST": "intruso.example"}, "PEA_HOSTS"),
        ]
        for kwargs, fragment in cases:
            r = self.client.post("/api/v1/validar", **kwargs)
            self.assertEqual(r.status_code, 400, kwargs)
            self.assertEqual(r["Content-Type"], "application/json")
            self.assertIn(fragment, r.json()["error"])

    def test_metodo_no_permitido(self) -> None:
        r = self.client.get("/api/v1/validar")
        self.assertEqual(r.status_code, 405)
        self.assertIn("error", r.json())
        r = self.client.get("/api/v1/no-existe")
        self.assertEqual(r.status_code, 404)
        self.assertIn("error", r.json())

    def test_entregas_sin_token_401(self) -> None:
        for headers in ({}, bearer("pea_falso"), {"HTTP_AUTHORIZATION": "Basic eDp5"}):
            r = self.client.post("/api/v1/entregas", upload(self.planes["tesoreria"]),
                                 **headers)
            self.assertEqual(r.status_code, 401)
            self.assertIn("token", r.json()["error"])
            self.assertEqual(self.client.get("/api/v1/entregas", **headers).status_code, 401)
        self.assertEqual(Entrega.objects.count(), 0)

    def test_el_bloqueo_por_contrasena_no_es_una_suspension_de_la_cuenta(self) -> None:
        """El bloqueo de axes frena a quien adivina la contraseña; el token es otra
        credencial (256 bits) y sigue valiendo. Para suspender una cuenta se desactiva: su
        token deja de valer al momento."""
        from django.conf import settings
        from django.test import Client

        guesser = Client(REMOTE_ADDR="10.0.0.9")
        token = bearer(self.obras.token_api)
        for _ in range(settings.AXES_FAILURE_LIMIT):
            guesser.post("/entrar/", {"username": self.obras.usuario, "password": "mala"})
        r = guesser.post("/entrar/", {"username": self.obras.usuario,
                                      "password": self.obras.contrasena_inicial})
        self.assertNotEqual(r.status_code, 302)  # la contraseña, bloqueada
        self.assertEqual(guesser.get("/api/v1/entregas", **token).status_code, 200)
        from pea.web.ventanilla.models import Cuenta

        Cuenta.objects.filter(username=self.obras.usuario).update(is_active=False)
        r = Client().get("/api/v1/entregas", **token)
        self.assertEqual(r.status_code, 401)
        self.assertIn("token", r.json()["error"])

    def test_entregar_guarda_bytes_originales_y_versiones(self) -> None:
        plan = self.planes["tesoreria_errores"]
        data = plan.read_bytes()
        r = self.client.post("/api/v1/entregas", upload(plan), **bearer(self.tes.token_api))
        self.assertEqual(r.status_code, 201, r.content)
        body = r.json()
        self.assertEqual(set(body) >= {"id", "version", "dependencia", "estado", "reporte"},
                         True)
        self.assertEqual(body["version"], 1)
        self.assertEqual(body["dependencia"], DEPS["tesoreria"])
        self.assertEqual(body["estado"], "con_errores")
        expected = cli_report(plan)
        expected["archivo"] = body["reporte"]["archivo"]
        self.assertEqual(body["reporte"], expected)
        e = Entrega.objects.get(pk=body["id"])
        self.assertEqual(e.sha256, hashlib.sha256(data).hexdigest())
        self.assertEqual(e.entregada_por.username, self.tes.usuario)
        self.assertTrue(e.version_reglas)
        # segunda versión, corregida
        r2 = self.client.post("/api/v1/entregas", upload(self.planes["tesoreria"]),
                              **bearer(self.tes.token_api))
        self.assertEqual(r2.status_code, 201)
        self.assertEqual(r2.json()["version"], 2)
        # los id no son consecutivos: no dejan contar las entregas de las demás
        self.assertGreater(abs(r2.json()["id"] - body["id"]), 1)
        self.assertTrue(2**20 <= body["id"] < 2**53)
        self.assertNotEqual(r2.json()["estado"], "con_errores")
        # el archivo: los bytes tal cual llegaron
        r3 = self.client.get(f"/api/v1/entregas/{body['id']}/archivo",
                             **bearer(self.tes.token_api))
        self.assertEqual(r3.status_code, 200)
        self.assertEqual(b"".join(r3.streaming_content), data)
        self.assertTrue(Bitacora.objects.filter(accion="entrega").count() == 2)
        self.assertTrue(Bitacora.objects.filter(accion="descarga").exists())

    def test_el_nombre_subido_nunca_es_una_ruta(self) -> None:
        from django.conf import settings

        name = "..\\..\\x/../../../etc/\x1b[31mplan\u202e.xlsx"
        r = self.client.post("/api/v1/entregas", upload(self.planes["tesoreria"], name),
                             **bearer(self.tes.token_api))
        self.assertEqual(r.status_code, 201)
        e = Entrega.objects.get()
        self.assertEqual(e.archivo, "[31mplan.xlsx")  # sin carpetas ni controles
        self.assertEqual(r.json()["reporte"]["archivo"], e.archivo)
        stored = Path(settings.ARCHIVOS) / e.almacen
        self.assertEqual(stored.resolve().parent.parent, Path(settings.ARCHIVOS).resolve())
        self.assertEqual(stored.name, e.sha256)

    def test_plan_de_otra_dependencia_422(self) -> None:
        r = self.client.post("/api/v1/entregas", upload(self.planes["obras"]),
                             **bearer(self.tes.token_api))
        self.assertEqual(r.status_code, 422)
        self.assertIn("Obras Públicas", r.json()["error"])
        self.assertEqual(Entrega.objects.count(), 0)

    def test_su_propio_plan_con_caracteres_invisibles_se_recibe(self) -> None:
        """La Dependencia se compara como PEA-X01: un espacio de ancho cero o un NBSP en el
        nombre del propio plan no lo vuelve de otra dependencia; el de otra sí se rechaza."""
        from pea.demo.mutate import apply_changes

        folder = self.planes["tesoreria"].parent
        own = apply_changes(self.planes["tesoreria"],
                            {"celdas": {"B4": "TESORE\u200bRÍA\u00a0municipal."}},
                            folder / "tesoreria_invisible.xlsx")
        r = self.client.post("/api/v1/entregas", upload(own), **bearer(self.tes.token_api))
        self.assertEqual(r.status_code, 201, r.content)
        other = apply_changes(self.planes["obras"],
                              {"celdas": {"B4": "Dirección de Obras\u200b Públicas"}},
                              folder / "obras_invisible.xlsx")
        r = self.client.post("/api/v1/entregas", upload(other), **bearer(self.tes.token_api))
        self.assertEqual(r.status_code, 422)
        hostile = apply_changes(self.planes["obras"],
                                {"celdas": {"B4": "Obras\u202e" + "x" * 5000}},
                                folder / "obras_bidi.xlsx")
        r = self.client.post("/api/v1/entregas", upload(hostile), **bearer(self.tes.token_api))
        self.assertEqual(r.status_code, 422)
        msg = r.json()["error"]  # el mensaje no trae la marca de dirección ni 5,000 letras
        self.assertNotIn("\u202e", msg)
        self.assertLess(len(msg), 500)

    def test_aislamiento_entre_dependencias(self) -> None:
        r = self.client.post("/api/v1/entregas", upload(self.planes["obras"]),
                             **bearer(self.obras.token_api))
        self.assertEqual(r.status_code, 201)
        obras_id = r.json()["id"]
        self.client.post("/api/v1/entregas", upload(self.planes["tesoreria"]),
                         **bearer(self.tes.token_api))
        mine = self.client.get("/api/v1/entregas", **bearer(self.tes.token_api)).json()
        self.assertEqual({e["dependencia"] for e in mine["entregas"]}, {DEPS["tesoreria"]})
        everyone = self.client.get("/api/v1/entregas", **bearer(self.rev.token_api)).json()
        self.assertEqual({e["dependencia"] for e in everyone["entregas"]}, set(DEPS.values()))
        # otra dependencia: 404 idéntico al de una entrega que no existe
        for tail in ("", "/archivo"):
            url = f"/api/v1/entregas/{obras_id}{tail}"
            r = self.client.get(url, **bearer(self.tes.token_api))
            missing = self.client.get(f"/api/v1/entregas/999999{tail}",
                                      **bearer(self.tes.token_api))
            self.assertEqual(r.status_code, 404)
            self.assertEqual(r.content, missing.content)
            self.assertEqual(self.client.get(url, **bearer(self.rev.token_api)).status_code, 200)
        # el revisor no entrega por nadie
        r = self.client.post("/api/v1/entregas", upload(self.planes["obras"]),
                             **bearer(self.rev.token_api))
        self.assertEqual(r.status_code, 403)


def test_base_de_datos_en_uso() -> None:
    """Con PEA_BASE_DATOS_URL las pruebas corren de verdad en PostgreSQL."""
    import os

    from django.db import connection

    expected = "postgresql" if os.environ.get("PEA_BASE_DATOS_URL") else "sqlite"
    assert connection.vendor == expected
