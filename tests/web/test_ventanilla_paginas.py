"""Páginas de la Ventanilla: Revisar mi plan, entrada, contraseña inicial, Entregar,
aislamiento en cada ruta, CSRF, bloqueo, cabeceras y bitácora."""

from __future__ import annotations

import base64
import html
import io
import re
import zipfile
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, TestCase
from django.urls import URLPattern, URLResolver, get_resolver

from pea.layout import ANNOTATED_PROPERTY
from pea.web.ventanilla.models import Bitacora, Cuenta, Entrega
from tests.web.helpers import DEPS, account_for, accounts, cli_report, web_settings

NEW_PASSWORD = "Planeacion-2024-segura"


def upload(path: Path, name: str | None = None) -> dict[str, SimpleUploadedFile]:
    return {"archivo": SimpleUploadedFile(name or path.name, path.read_bytes())}


def tree(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")
            if not p.name.startswith("ventanilla.sqlite3")}


def _values(ws) -> list[list[object]]:  # type: ignore[no-untyped-def]
    return [[None if row[0].value == "Fecha y hora" and c.column > 1 else c.value for c in row]
            for row in ws.iter_rows()]


def _consolidar_anotar(plan: Path):  # type: ignore[no-untyped-def]
    """La copia anotada que escribe `pea consolidar --anotar` para ese plan."""
    import subprocess
    import sys
    import tempfile

    from openpyxl import load_workbook

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "entregas"
        folder.mkdir()
        (folder / plan.name).write_bytes(plan.read_bytes())
        subprocess.run([sys.executable, "-m", "pea", "consolidar", str(folder), "--salida",
                        str(Path(tmp) / "m.xlsx"), "--anotar", str(Path(tmp) / "anotadas"),
                        "--silencioso"], check=True, capture_output=True, timeout=120)
        (copy,) = (Path(tmp) / "anotadas").iterdir()
        return load_workbook(copy)

class RevisarTests(TestCase):
    def test_revisar_muestra_los_hallazgos_de_pea_validar_y_no_guarda_nada(self) -> None:
        plan = self.planes["tesoreria_errores"]
        datos = Path(settings.DATOS)
        before = tree(datos)
        page = self.client.get("/revisar/")
        self.assertEqual(page.status_code, 200)
        self.assertContains(page, 'type="file"')
        r = self.client.post("/revisar/", upload(plan))
        self.assertEqual(r.status_code, 200)
        text = r.content.decode()
        expected = cli_report(plan)["hallazgos"]
        self.assertGreaterEqual(len(expected), 2)
        positions = [text.find(html.escape(f["mensaje"], quote=False)) for f in expected]
        self.assertNotIn(-1, positions)
        self.assertEqual(positions, sorted(positions))  # mismo orden que pea validar
        for f in expected:
            self.assertRegex(text, rf'class="celda"[^>]*>{f["celda"]}</td>')
        self.assertIn("Errores (2)", text)
        # el texto de la celda aparece, escapado: nada de lo escrito se vuelve marcado
        self.assertIn("Objetivo &lt;script&gt;alert(1)&lt;/script&gt;", text)
        self.assertNotIn("<script>alert(1)", text)
        # la copia anotada viene en la página y es la de consolidar --anotar
        m = re.search(r'href="data:[^;]+;base64,([A-Za-z0-9+/=]+)"', text)
        self.assertIsNotNone(m)
        copy = base64.b64decode(m.group(1))
        with zipfile.ZipFile(io.BytesIO(copy)) as z:
            self.assertIn("docProps/custom.xml", z.namelist())
            self.assertIn(ANNOTATED_PROPERTY.encode(), z.read("docProps/custom.xml"))
        from openpyxl import load_workbook

        wb = load_workbook(io.BytesIO(copy))
        self.assertIn("Validación", wb.sheetnames)
        cli = _consolidar_anotar(plan)
        self.assertEqual(wb.sheetnames, cli.sheetnames)
        for ws in wb:  # mismas celdas, salvo la hora de cada corrida
            mine, theirs = _values(ws), _values(cli[ws.title])
            self.assertEqual(mine, theirs, ws.title)
        # nada quedó: ni en disco, ni en la base, ni el nombre en la bitácora
        self.assertEqual(tree(datos), before)
        self.assertEqual(list((datos / "tmp").iterdir()), [])
        self.assertEqual(Entrega.objects.count(), 0)
        for row in Bitacora.objects.all():
            self.assertNotIn(plan.name, str(row.detalle))

    def test_copia_anotada_grande_va_en_un_bloque_de_datos(self) -> None:
        from unittest import mock

        with mock.patch("pea.web.ventanilla.views.DATA_URI_MAX", 10):
            r = self.client.post("/revisar/", upload(self.planes["tesoreria_errores"]))
        text = r.content.decode()
        self.assertIn('id="copia-anotada" download=', text)
        self.assertNotIn('href="data:', text)
        m = re.search(r'id="copia-anotada-datos">([A-Za-z0-9+/=]+)<', text)
        self.assertTrue(base64.b64decode(m.group(1)).startswith(b"PK"))

    def test_revisar_se_puede_apagar(self) -> None:
        with web_settings(revision_anonima=False):
            self.assertEqual(self.client.get("/revisar/").status_code, 403)
            r = self.client.post("/revisar/", upload(self.planes["tesoreria"]))
            self.assertEqual(r.status_code, 403)
            self.assertNotContains(self.client.get("/"), "Revisar mi plan", status_code=200)

    def test_revisar_sin_archivo(self) -> None:
        r = self.client.post("/revisar/", {})
        self.assertEqual(r.status_code, 400)
        self.assertContains(r, "Elija el archivo del plan", status_code=400)

    def test_csrf_en_formularios(self) -> None:
        client = Client(enforce_csrf_checks=True)
        r = client.post("/revisar/", upload(self.planes["tesoreria"]))
        self.assertEqual(r.status_code, 403)
        self.assertContains(r, "caducó", status_code=403)
        r = client.post("/entrar/", {"username": "x", "password": "y"})
        self.assertEqual(r.status_code, 403)

    def test_cabeceras_de_seguridad(self) -> None:
        for url in ("/", "/revisar/", "/entrar/", "/api/v1/salud"):
            r = self.client.get(url)
            self.assertEqual(r["X-Content-Type-Options"], "nosniff")
            self.assertEqual(r["X-Frame-Options"], "DENY")
            self.assertIn("default-src 'self'", r["Content-Security-Policy"])
            self.assertEqual(r["Referrer-Policy"], "same-origin")
            self.assertIn("no-store", r["Cache-Control"])

    def test_estaticos_desde_el_paquete(self) -> None:
        page = self.client.get("/").content.decode()
        css = re.search(r'href="(/estaticos/[^"]+\.css)"', page).group(1)
        r = self.client.get(css)
        self.assertEqual(r.status_code, 200)
        self.assertIn(b"--primario", b"".join(r.streaming_content))
        self.assertNotIn("http://", page.replace("http://www.w3.org", ""))
        self.assertNotIn("https://", page)


class CuentaTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.rows = accounts()
        cls.tes = account_for(cls.rows, DEPS["tesoreria"])
        cls.obras = account_for(cls.rows, DEPS["obras"])

    def sign_in(self, row, password: str | None = None) -> Client:  # type: ignore[no-untyped-def]
        client = Client()
        r = client.post("/entrar/", {"username": row.usuario,
                                     "password": password or row.contrasena_inicial})
        self.assertEqual(r.status_code, 302, r.content[:500])
        return client

    def ready(self, row) -> Client:  # type: ignore[no-untyped-def]
        """Entra y cambia la contraseña inicial."""
        client = self.sign_in(row)
        r = client.post("/contrasena/", {"old_password": row.contrasena_inicial,
                                         "new_password1": NEW_PASSWORD,
                                         "new_password2": NEW_PASSWORD})
        self.assertEqual(r.status_code, 302, r.content[:2000])
        return client

    def test_primera_entrada_obliga_a_cambiar_la_contrasena(self) -> None:
        client = self.sign_in(self.tes)
        for url in ("/", "/mi-dependencia/", "/entregas/", "/revisar/"):
            r = client.get(url)
            self.assertEqual(r.status_code, 302, url)
            self.assertEqual(r["Location"], "/contrasena/")
        r = client.post("/mi-dependencia/", upload(self.planes["tesoreria"]))
        self.assertEqual(r.status_code, 302)
        self.assertEqual(Entrega.objects.count(), 0)
        r = client.post("/contrasena/", {"old_password": self.tes.contrasena_inicial,
                                         "new_password1": "123", "new_password2": "123"})
        self.assertEqual(r.status_code, 200)  # contraseña débil: se queda en el formulario
        same = self.tes.contrasena_inicial
        r = client.post("/contrasena/", {"old_password": same, "new_password1": same,
                                         "new_password2": same})
        self.assertContains(r, "distinta de la actual")  # la inicial no vale como nueva
        self.assertTrue(Cuenta.objects.get(username=self.tes.usuario).debe_cambiar_contrasena)
        r = client.post("/contrasena/", {"old_password": self.tes.contrasena_inicial,
                                         "new_password1": NEW_PASSWORD,
                                         "new_password2": NEW_PASSWORD})
        self.assertEqual(r.status_code, 302)
        self.assertFalse(Cuenta.objects.get(username=self.tes.usuario).debe_cambiar_contrasena)
        self.assertEqual(client.get("/mi-dependencia/").status_code, 200)
        self.assertTrue(Bitacora.objects.filter(accion="cambio_contrasena").exists())
        self.assertTrue(Bitacora.objects.filter(accion="entrada",
                                                usuario=self.tes.usuario).exists())

    def test_entregar_con_errores_luego_corregida_y_lista_de_versiones(self) -> None:
        client = self.ready(self.tes)
        r = client.post("/mi-dependencia/", upload(self.planes["tesoreria_errores"]))
        self.assertEqual(r.status_code, 302)
        first = Entrega.objects.get()
        self.assertEqual(r["Location"], f"/entregas/{first.pk}/")
        self.assertEqual(first.estado, "con_errores")
        self.assertEqual(bytes(Path(settings.ARCHIVOS, first.almacen).read_bytes()),
                         self.planes["tesoreria_errores"].read_bytes())
        detail = client.get(r["Location"])
        self.assertContains(detail, "Entregado con errores")
        self.assertContains(detail, "Objetivo &lt;script&gt;alert(1)&lt;/script&gt;")
        self.assertContains(detail, "PEA-Q03")
        r = client.post("/mi-dependencia/", upload(self.planes["tesoreria"]))
        self.assertEqual(r.status_code, 302)
        page = client.get("/mi-dependencia/")
        self.assertContains(page, "Versión 1")
        self.assertContains(page, "Versión 2")
        self.assertEqual(sorted(Entrega.objects.values_list("version", flat=True)), [1, 2])
        download = client.get(f"/entregas/{first.pk}/archivo")
        self.assertEqual(b"".join(download.streaming_content),
                         self.planes["tesoreria_errores"].read_bytes())
        self.assertIn("attachment", download["Content-Disposition"])
        self.assertEqual(download["X-Content-Type-Options"], "nosniff")

    def test_plan_de_otra_dependencia_rechazado(self) -> None:
        client = self.ready(self.tes)
        r = client.post("/mi-dependencia/", upload(self.planes["obras"]))
        self.assertEqual(r.status_code, 422)
        self.assertContains(r, "cada dependencia entrega solo su propio plan", status_code=422)
        self.assertEqual(Entrega.objects.count(), 0)
        self.assertTrue(Bitacora.objects.filter(accion="entrega_rechazada").exists())

    def test_aislamiento_en_cada_ruta(self) -> None:
        """Cada ruta con una entrega (páginas y API, también las que se agreguen después)
        responde a otra dependencia lo mismo que a una entrega que no existe."""
        obras = self.ready(self.obras)
        obras.post("/mi-dependencia/", upload(self.planes["obras"]))
        theirs = Entrega.objects.get()
        tes = self.ready(self.tes)
        tes.get("/mi-dependencia/")  # consume el aviso «Contraseña cambiada»
        routes = list(_pk_routes(get_resolver()))
        self.assertGreaterEqual(len(routes), 4)
        for prefix, pattern in routes:
            url = "/" + prefix + pattern.replace("<int:pk>", str(theirs.pk))
            missing = "/" + prefix + pattern.replace("<int:pk>", "999999")
            headers = ({"HTTP_AUTHORIZATION": f"Bearer {self.tes.token_api}"}
                       if prefix.startswith("api/") else {})
            got = tes.get(url, **headers)
            none = tes.get(missing, **headers)
            self.assertEqual(got.status_code, 404, url)
            self.assertEqual(_no_token(got.content), _no_token(none.content), url)
            if not prefix.startswith("api/"):
                self.assertEqual(obras.get(url).status_code, 200, url)
        for url in ("/", "/mi-dependencia/", "/entregas/"):
            page = tes.get(url, follow=True).content.decode()
            self.assertNotIn(DEPS["obras"], page)
            self.assertNotIn(theirs.sha256, page)

    def test_anonimo_no_ve_entregas(self) -> None:
        for url in ("/mi-dependencia/", "/entregas/", "/entregas/1/", "/entregas/1/archivo"):
            r = self.client.get(url)
            self.assertEqual(r.status_code, 302, url)
            self.assertTrue(r["Location"].startswith("/entrar/"))

    def test_bloqueo_tras_intentos_fallidos(self) -> None:
        client = Client(REMOTE_ADDR="10.0.0.7")
        for _ in range(settings.AXES_FAILURE_LIMIT):
            r = client.post("/entrar/", {"username": self.obras.usuario, "password": "mala"})
            self.assertIn(r.status_code, (200, 429))
        r = client.post("/entrar/", {"username": self.obras.usuario,
                                     "password": self.obras.contrasena_inicial})
        self.assertNotEqual(r.status_code, 302)
        self.assertContains(r, "bloqueada", status_code=r.status_code)
        self.assertGreaterEqual(Bitacora.objects.filter(accion="entrada_fallida").count(),
                                settings.AXES_FAILURE_LIMIT)


def _no_token(content: bytes) -> bytes:
    """La página sin el token CSRF (cambia en cada respuesta)."""
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", content)


def _pk_routes(resolver: URLResolver, prefix: str = "") -> list[tuple[str, str]]:
    """(prefijo, patrón) de cada ruta con «<int:pk>», recorriendo los include()."""
    out: list[tuple[str, str]] = []
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            out.extend(_pk_routes(p, prefix + str(p.pattern)))
        elif isinstance(p, URLPattern) and "<int:pk>" in str(p.pattern):
            out.append((prefix, str(p.pattern)))
    return out
