"""Ventanilla II: tablero, revisión con diferencias, Aprobar / Devolver, la página de la
dependencia, el maestro al día y los roles de cada ruta (páginas y API)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from typing import Any

from django.test import Client, TestCase
from django.utils import timezone
from openpyxl import load_workbook

from pea.demo.mutate import apply_changes
from pea.web.revision.models import Revision
from pea.web.ventanilla import services
from pea.web.ventanilla.models import Bitacora, Cuenta, Entrega
from tests.web.helpers import (
    DEPS,
    account_for,
    accounts,
    bearer,
    big_plan,
    reviewer,
    web_settings,
)

PASSWORD = "Planeacion-2024-segura"


class RevisionBase(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.rows = accounts()
        cls.tes = account_for(cls.rows, DEPS["tesoreria"])
        cls.obras = account_for(cls.rows, DEPS["obras"])
        cls.rev = reviewer(cls.rows)
        from pea.web.ventanilla.accounts import ensure_admin

        cls.admin = ensure_admin()
        for row in (cls.tes, cls.obras, cls.rev, cls.admin):  # contraseña ya cambiada
            c = Cuenta.objects.get(username=row.usuario)
            c.set_password(PASSWORD)
            c.debe_cambiar_contrasena = False
            c.save()

    def client_for(self, row: Any) -> Client:
        client = Client()
        client.force_login(Cuenta.objects.get(username=row.usuario))
        return client

    def deliver(self, row: Any, path: Path) -> Entrega:
        cuenta = Cuenta.objects.get(username=row.usuario)
        return services.deliver(cuenta, path.read_bytes(), path.name)


class TableroTests(RevisionBase):
    def test_estados_filtros_orden_paginas_y_csv(self) -> None:
        self.deliver(self.tes, self.planes["tesoreria_errores"])
        self.deliver(self.obras, self.planes["obras"])
        client = self.client_for(self.rev)
        limit = timezone.localdate() + dt.timedelta(days=5)
        with web_settings(fecha_limite_entrega=limit):
            page = client.get("/tablero/")
        self.assertEqual(page.status_code, 200)
        text = page.content.decode()
        self.assertIn("Entregado con errores", text)
        self.assertIn("5 día(s)", text)
        self.assertIn(limit.strftime("%d/%m/%Y"), text)
        rows = client.get("/api/v1/tablero", **bearer(self.rev.token_api)).json()
        by_dep = {r["dependencia"]: r for r in rows["filas"]}
        self.assertEqual(rows["total"], 11)  # las once del catálogo
        self.assertEqual(by_dep[DEPS["tesoreria"]]["estado"], "con_errores")
        self.assertEqual(by_dep[DEPS["tesoreria"]]["errores"], 2)
        self.assertEqual(by_dep[DEPS["obras"]]["estado"], "en_revision")
        self.assertEqual(sum(r["estado"] == "sin_entrega" for r in rows["filas"]), 9)
        # filtro, búsqueda, orden y páginas
        only = client.get("/api/v1/tablero?estado=con_errores", **bearer(self.rev.token_api))
        self.assertEqual([r["dependencia"] for r in only.json()["filas"]], [DEPS["tesoreria"]])
        found = client.get("/api/v1/tablero?q=tesoreria", **bearer(self.rev.token_api)).json()
        self.assertEqual([r["dependencia"] for r in found["filas"]], [DEPS["tesoreria"]])
        by_errors = client.get("/api/v1/tablero?orden=errores&desc=1",
                               **bearer(self.rev.token_api)).json()["filas"]
        self.assertEqual(by_errors[0]["dependencia"], DEPS["tesoreria"])
        page2 = client.get("/api/v1/tablero?por_pagina=4&pagina=3",
                           **bearer(self.rev.token_api)).json()
        self.assertEqual((page2["paginas"], page2["pagina"], len(page2["filas"])), (3, 3, 3))
        # un valor que no existe da 400 con el motivo, no la lista completa sin avisar
        for query, said in [("estado=aprobada", "«estado» desconocido («aprobada»)"),
                            ("orden=nombre", "«orden» desconocido"),
                            ("desc=si", "«desc» desconocido"),
                            ("pagina=0", "«pagina» debe ser un número entero"),
                            ("pagina=dos", "«pagina» debe ser un número entero"),
                            ("por_pagina=501", "no puede pasar de 500"),
                            ("pagina=" + "1" * 5000, "«pagina» debe ser un número entero"),
                            ("por_pagina=" + "9" * 4301, "«por_pagina» debe ser un número"),
                            ("por_pagina=4&pagina=4", "La página 4 no existe: hay 3"),
                            ("page=2", "Parámetro desconocido «page»; ¿quiso decir «pagina»?"),
                            ("estados=aprobado", "desconocido «estados»; ¿quiso decir «estado»?"),
                            ("x=1", "Parámetro desconocido «x». Los parámetros son: desc,")]:
            r = client.get(f"/api/v1/tablero?{query}", **bearer(self.rev.token_api))
            self.assertEqual(r.status_code, 400, query)
            self.assertIn(said, r.json()["error"], query)
        self.assertEqual(client.get("/api/v1/tablero?estado=&orden=&pagina=",
                                    **bearer(self.rev.token_api)).status_code, 200)
        html = client.get("/tablero/?q=obras").content.decode()
        self.assertIn(DEPS["obras"], html)
        self.assertNotIn(DEPS["tesoreria"], html)
        # CSV para recordatorios: las que no han entregado
        r = client.get("/tablero.csv?estado=sin_entrega")
        self.assertEqual(r.status_code, 200)
        self.assertIn("sin_entrega.csv", r["Content-Disposition"])
        table = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
        self.assertEqual(table[0][:2], ["dependencia", "estado"])
        names = {row[0] for row in table[1:]}
        self.assertEqual(len(names), 9)
        self.assertNotIn(DEPS["tesoreria"], names)
        self.assertTrue(all(row[1] == "Sin entrega" for row in table[1:]))


class FlujoTests(RevisionBase):
    def test_devolver_corregir_aprobar_y_maestro(self) -> None:
        v1 = self.deliver(self.tes, self.planes["tesoreria_errores"])
        rev = self.client_for(self.rev)
        page = rev.get(f"/revision/{v1.pk}/").content.decode()
        self.assertIn("Es la primera versión", page)
        self.assertIn("PEA-", page)  # los hallazgos
        self.assertIn("Objetivo &lt;script&gt;", page)  # la línea, escapada
        self.assertNotIn("<script>alert", page)
        self.assertNotIn('id="aprobar"', page)  # con errores no se aprueba
        # devolver sin observaciones no procede; con ellas, sí
        r = rev.post(f"/revision/{v1.pk}/", {"decision": "devolver"}, follow=True)
        self.assertContains(r, "escriba las observaciones")
        self.assertEqual(Entrega.objects.get(pk=v1.pk).estado, "en_revision" if not v1.errores
                         else "con_errores")
        r = rev.post(f"/revision/{v1.pk}/", {"decision": "devolver",
                                              "comentario": "Corrija los trimestres.",
                                              "linea-10": "La suma no da 100 %.",
                                              "linea-11": ""}, follow=True)
        self.assertContains(r, "devuelta con observaciones")
        v1.refresh_from_db()
        self.assertEqual(v1.estado, "devuelto")
        review = Revision.objects.get(entrega=v1)
        self.assertEqual(review.por_linea, [{"fila": 10, "comentario": "La suma no da 100 %."}])
        log = Bitacora.objects.get(accion="devolucion")
        self.assertEqual((log.usuario, log.entrega_id), (self.rev.usuario, v1.pk))
        # la dependencia ve el aviso, los comentarios (página y API) y no puede decidir
        tes = self.client_for(self.tes)
        mine = tes.get("/mi-dependencia/").content.decode()
        self.assertIn('id="aviso-devuelto"', mine)
        self.assertIn("Corrija los trimestres.", mine)
        self.assertIn("Fila 10: La suma no da 100 %.", mine)
        self.assertIn("Corrija los trimestres.", tes.get(f"/entregas/{v1.pk}/").content.decode())
        api = tes.get(f"/api/v1/entregas/{v1.pk}/revision", **bearer(self.tes.token_api)).json()
        self.assertEqual(api["estado"], "devuelto")
        self.assertEqual(api["revisiones"][0]["comentario"], "Corrija los trimestres.")
        self.assertEqual(tes.post(f"/revision/{v1.pk}/", {"decision": "aprobar"}).status_code, 403)
        # versión corregida: la diferencia es la celda cambiada, antes → después
        v2 = self.deliver(self.tes, self.planes["tesoreria"])
        self.assertNotIn('id="aviso-devuelto"', tes.get("/mi-dependencia/").content.decode())
        page = rev.get(f"/revision/{v2.pk}/").content.decode()
        self.assertIn("1 línea(s) modificada(s), 0 agregada(s), 0 eliminada(s)", page)
        self.assertIn('<span class="antes">40 %</span> → <span class="despues">50 %</span>',
                      page)
        self.assertIn("Objetivo</th>", page)  # columnas oficiales
        own_diff = tes.get(f"/entregas/{v2.pk}/diferencias/").content.decode()
        self.assertIn('<span class="antes">40 %</span>', own_diff)
        diff = rev.get(f"/api/v1/entregas/{v2.pk}/diferencias",
                       **bearer(self.rev.token_api)).json()
        self.assertEqual(diff["comparada_con"], 1)
        self.assertEqual(diff["diferencias"]["resumen"]["modificada"], 1)
        # aprobar una versión que ya no es la vigente no procede
        r = rev.post(f"/api/v1/entregas/{v1.pk}/revision", {"decision": "aprobar"},
                     content_type="application/json", **bearer(self.rev.token_api))
        self.assertEqual(r.status_code, 409)
        r = rev.post(f"/revision/{v2.pk}/", {"decision": "aprobar"}, follow=True)
        self.assertContains(r, "aprobada")
        self.assertEqual(Entrega.objects.get(pk=v2.pk).estado, "aprobado")
        self.assertTrue(Bitacora.objects.filter(accion="aprobacion", entrega=v2).exists())
        # el maestro: solo la aprobada, con el vínculo a su página
        obras_v1 = self.deliver(self.obras, self.planes["obras"])
        r = rev.get("/maestro/descargar")
        self.assertEqual(r.status_code, 200)
        self.assertEqual(r["X-PEA-Leidos"], "1")
        wb = load_workbook(io.BytesIO(b"".join(r.streaming_content)))
        ent = wb["Entregas"]
        self.assertEqual(ent.max_row, 2)
        self.assertEqual(ent.cell(2, 2).value, DEPS["tesoreria"])
        self.assertTrue(ent.cell(2, 1).hyperlink.target.endswith(f"/revision/{v2.pk}/"))
        plan = [row for row in wb["Plan consolidado"].iter_rows(min_row=2, values_only=True)]
        self.assertEqual({row[0] for row in plan}, {DEPS["tesoreria"]})
        self.assertEqual(plan[0][14], 0.5)  # 1er trimestre de la versión aprobada
        # otra aprobación: la segunda descarga solo lee el archivo nuevo
        rev.post(f"/revision/{obras_v1.pk}/", {"decision": "aprobar"})
        r = rev.get("/maestro/descargar")
        self.assertEqual((r["X-PEA-Leidos"], r["X-PEA-Cache"]), ("1", "1"))
        r = rev.get("/maestro/entregas.csv")
        self.assertEqual(r.status_code, 200)
        text = b"".join(r.streaming_content).decode("utf-8-sig")
        self.assertIn(DEPS["obras"], text)
        # con «maestro_con: ultima», la última versión aunque no esté aprobada
        self.deliver(self.tes, self.planes["tesoreria_errores"])
        with web_settings(maestro_con="ultima"):
            r = rev.get("/api/v1/maestro", **bearer(self.rev.token_api))
        self.assertEqual(r.status_code, 200)
        wb = load_workbook(io.BytesIO(b"".join(r.streaming_content)))
        estados = {row[1]: row[2] for row in wb["Entregas"].iter_rows(min_row=2, values_only=True)}
        self.assertEqual(estados[DEPS["tesoreria"]], "Rechazado")
        self.assertEqual(Bitacora.objects.filter(accion="maestro").count(), 4)


class MaestroTests(RevisionBase):
    def test_version_sin_archivo_en_el_almacen_no_detiene_el_maestro(self) -> None:
        from django.conf import settings

        unique = apply_changes(self.planes["obras"], {"celdas": {"L10": "Meta única del caso."}},
                               self.planes["obras"].with_name("obras_unica.xlsx"))
        e = self.deliver(self.obras, unique)
        self.deliver(self.tes, self.planes["tesoreria"])
        rev = self.client_for(self.rev)
        with web_settings(maestro_con="ultima"):
            (Path(settings.ARCHIVOS) / e.almacen).unlink()
            r = rev.get("/maestro/descargar")
        self.assertEqual(r.status_code, 200)
        wb = load_workbook(io.BytesIO(b"".join(r.streaming_content)))
        rows = {row[1] or row[0]: row for row in wb["Entregas"].iter_rows(min_row=2,
                                                                         values_only=True)}
        self.assertEqual(rows[DEPS["tesoreria"]][2], "Aceptado")
        missing = next(row for row in rows.values() if "versión 1" in row[0]
                       and DEPS["obras"] in row[0])
        self.assertEqual(missing[2], "Omitido")
        self.assertIn("no se pudo consultar", missing[12])


    def test_fecha_en_entregas_es_la_de_la_version_aunque_repita_los_bytes(self) -> None:
        """Una versión con los mismos bytes que una anterior (el almacén guarda un solo
        archivo por sha256): «Fecha de modificación» es la de esa versión, no la del archivo
        guardado la primera vez; y el archivo del almacén no se toca."""
        import os

        from django.conf import settings

        v1 = self.deliver(self.tes, self.planes["tesoreria"])
        stored = Path(settings.ARCHIVOS) / v1.almacen
        old = dt.datetime(2024, 1, 10, 9, 30).timestamp()
        os.utime(stored, (old, old))  # la primera entrega, hace tiempo
        v2 = self.deliver(self.tes, self.planes["tesoreria"])
        self.assertEqual(v2.almacen, v1.almacen)
        with web_settings(maestro_con="ultima"):
            r = self.client_for(self.rev).get("/maestro/descargar")
        self.assertEqual(r.status_code, 200)
        wb = load_workbook(io.BytesIO(b"".join(r.streaming_content)))
        row = next(wb["Entregas"].iter_rows(min_row=2, values_only=True))
        self.assertIn("versión 2", row[0])
        expected = timezone.localtime(v2.fecha).replace(tzinfo=None, microsecond=0)
        self.assertEqual(row[7].replace(microsecond=0), expected)
        self.assertEqual(stored.stat().st_mtime, old)

class DecisionTests(RevisionBase):
    def test_devolver_un_plan_largo_con_un_cuadro_por_linea(self) -> None:
        """El formulario manda un cuadro por línea (vacíos incluidos): un plan de 300 líneas
        también se puede devolver."""
        e = self.deliver(self.tes, self.planes["tesoreria_errores"])
        form = {f"linea-{10 + i}": "" for i in range(300)}
        form.update({"decision": "devolver", "comentario": "Revise todo.",
                     "linea-11": "Esta meta no es medible.",
                     # un nombre de campo que nadie escribe a mano: ni un 500 ni una fila
                     "linea-" + "1" * 5000: "x", "linea-١٢": "x"})
        from urllib.parse import urlencode

        r = self.client_for(self.rev).post(  # (urlencoded: sin el tope de los encabezados)
            f"/revision/{e.pk}/", urlencode(form), content_type="application/x-www-form-urlencoded")
        self.assertEqual(r.status_code, 302)
        self.assertEqual(Entrega.objects.get(pk=e.pk).estado, "devuelto")
        self.assertEqual(Revision.objects.get(entrega=e).por_linea,
                         [{"fila": 11, "comentario": "Esta meta no es medible."}])


class PlanGrandeTests(RevisionBase):
    """Un plan de 450 líneas (3 páginas de 200): la revisión muestra una página a la vez,
    con el filtro de líneas con hallazgos o cambios, y nada de lo escrito se pierde."""

    LINES = 450

    def setUp(self) -> None:
        folder = self.planes["tesoreria"].parent
        self.deliver(self.tes, big_plan(folder / "grande_v1.xlsx", self.LINES))
        self.e = self.deliver(self.tes, big_plan(folder / "grande_v2.xlsx", self.LINES,
                                                 changed=(3, 250)))
        self.url = f"/revision/{self.e.pk}/"
        self.rev_client = self.client_for(self.rev)

    def test_paginas_filtro_y_pagina_que_no_existe(self) -> None:
        page = self.rev_client.get(self.url).content.decode()
        self.assertIn(f"Líneas del plan ({self.LINES})", page)
        self.assertEqual(page.count('<textarea name="linea-'), 200)
        self.assertLess(len(page), 600_000)
        self.assertIn('id="linea-10"', page)
        self.assertNotIn('id="linea-210"', page)
        self.assertIn("Página 1 de 3 · líneas 1–200 de 450", page)
        self.assertIn('id="siguiente"', page)
        self.assertNotIn('id="anterior"', page)
        two = self.rev_client.get(self.url + "?pagina=2").content.decode()
        self.assertIn("Página 2 de 3 · líneas 201–400 de 450", two)
        self.assertIn('id="linea-210"', two)
        self.assertNotIn('id="linea-10"', two)
        self.assertIn('id="anterior"', two)
        # una página que no existe: la más cercana, con el aviso en español
        r = self.rev_client.get(self.url + "?pagina=99")
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "La página 99 no existe: hay 3; se muestra la página 3.")
        self.assertContains(r, "Página 3 de 3 · líneas 401–450 de 450")
        self.assertContains(r, 'id="linea-459"')
        for bad in ("0", "dos", "-1"):
            r = self.rev_client.get(self.url + f"?pagina={bad}")
            self.assertContains(r, f"«{bad}» no es un número de página: se muestra la página 1.")
        # solo las líneas que cambiaron (filas 13 y 260) o con hallazgos
        only = self.rev_client.get(self.url + "?solo=hallazgos").content.decode()
        self.assertIn("con hallazgos o cambios (de 450)", only)
        self.assertIn('id="linea-13"', only)
        self.assertIn('id="linea-260"', only)
        self.assertNotIn('id="linea-10"', only)
        # la dependencia dueña ve las mismas páginas, con vínculos y sin cuadros
        own = self.client_for(self.tes).get(self.url + "?pagina=2").content.decode()
        self.assertIn('<a href="?pagina=3" id="siguiente">Siguiente</a>', own)
        self.assertNotIn("<textarea", own)

    def test_lo_escrito_viaja_entre_paginas_y_llega_con_la_decision(self) -> None:
        r = self.rev_client.post(self.url + "?pagina=2", {
            "navegar": "1", "comentario": "Revise las metas.", "linea-10": "Meta sin unidad.",
            "linea-11": ""})
        self.assertEqual(r.status_code, 200)
        page = r.content.decode()
        self.assertIn("Página 2 de 3", page)
        self.assertIn('<input type="hidden" name="linea-10" value="Meta sin unidad.">', page)
        self.assertIn("Observaciones por línea escritas en otras páginas (1)", page)
        self.assertIn(">Revise las metas.</textarea>", page)
        self.assertFalse(Revision.objects.filter(entrega=self.e).exists())
        # de vuelta en la página 1, el texto está en su cuadro
        back = self.rev_client.post(self.url + "?pagina=1", {
            "navegar": "1", "linea-10": "Meta sin unidad.", "linea-215": "Otra."})
        self.assertContains(back, ">Meta sin unidad.</textarea>")
        self.assertContains(back, '<input type="hidden" name="linea-215" value="Otra.">')
        r = self.rev_client.post(self.url, {"decision": "devolver", "comentario": "Revise.",
                                            "linea-10": "Meta sin unidad.",
                                            "linea-215": "Otra."})
        self.assertEqual(r.status_code, 302)
        self.assertEqual(Revision.objects.get(entrega=self.e).por_linea,
                         [{"fila": 10, "comentario": "Meta sin unidad."},
                          {"fila": 215, "comentario": "Otra."}])
        # navegar no es decidir: la dependencia no puede
        r = self.client_for(self.tes).post(self.url + "?pagina=2", {"navegar": "1"})
        self.assertEqual(r.status_code, 403)


class FilaQueNoEsLineaTests(RevisionBase):
    def test_observacion_para_una_fila_que_no_es_linea_se_rechaza_sin_perder_el_texto(
            self) -> None:
        e = self.deliver(self.tes, self.planes["tesoreria"])
        rev = self.client_for(self.rev)
        r = rev.post(f"/revision/{e.pk}/", {"decision": "devolver", "comentario": "General.",
                                            "linea-10": "Bien.", "linea-9999": "¿Y esta?"})
        self.assertEqual(r.status_code, 422)
        self.assertContains(r, "Hay observaciones para filas que no son líneas del plan "
                            "(9999; las líneas van de la fila 10 a la 11)", status_code=422)
        self.assertContains(r, ">Bien.</textarea>", status_code=422)
        self.assertContains(r, ">General.</textarea>", status_code=422)
        # el texto de la fila equivocada se ve (para copiarlo), pero no se vuelve a enviar
        self.assertContains(r, "<li>Fila 9999: ¿Y esta?</li>", status_code=422)
        self.assertNotContains(r, 'name="linea-9999"', status_code=422)
        self.assertFalse(Revision.objects.filter(entrega=e).exists())
        self.assertEqual(Entrega.objects.get(pk=e.pk).estado, "en_revision")
        api = rev.post(f"/api/v1/entregas/{e.pk}/revision",
                       {"decision": "devolver", "comentarios_por_linea": [
                           {"fila": 8, "comentario": "Encabezado."}]},
                       content_type="application/json", **bearer(self.rev.token_api))
        self.assertEqual(api.status_code, 422)
        self.assertIn("no son líneas del plan (8;", api.json()["error"])

    def test_mas_observaciones_de_las_que_caben_no_se_cortan_sin_avisar(self) -> None:
        from unittest import mock

        from pea.web.revision import services as R

        e = self.deliver(self.tes, self.planes["tesoreria"])
        with mock.patch.object(R, "LINE_COMMENTS_MAX", 1):
            r = self.client_for(self.rev).post(f"/revision/{e.pk}/", {
                "decision": "devolver", "linea-10": "Una.", "linea-11": "Dos."})
        self.assertContains(r, "Son 2 observaciones por línea y caben 1 por revisión",
                            status_code=422)
        self.assertContains(r, ">Dos.</textarea>", status_code=422)
        self.assertFalse(Revision.objects.filter(entrega=e).exists())


class RolesTests(RevisionBase):
    """Cada ruta de la revisión, con cada rol: anónimo, dependencia dueña, otra dependencia,
    revisor y administrador."""

    def test_cada_ruta_con_cada_rol(self) -> None:
        e = self.deliver(self.tes, self.planes["tesoreria"])
        e2 = self.deliver(self.tes, self.planes["tesoreria"])
        clients = {"anonimo": Client(), "duena": self.client_for(self.tes),
                   "otra": self.client_for(self.obras), "revisor": self.client_for(self.rev),
                   "admin": self.client_for(self.admin)}
        tokens = {"duena": self.tes.token_api, "otra": self.obras.token_api,
                  "revisor": self.rev.token_api, "admin": self.admin.token_api}
        pages: list[tuple[str, str, dict[str, int]]] = [
            ("GET", "/tablero/", {"anonimo": 302, "duena": 403, "otra": 403, "revisor": 200,
                                  "admin": 200}),
            ("GET", "/tablero.csv", {"anonimo": 302, "duena": 403, "otra": 403, "revisor": 200,
                                     "admin": 200}),
            ("GET", f"/revision/{e2.pk}/", {"anonimo": 302, "duena": 200, "otra": 404,
                                            "revisor": 200, "admin": 200}),
            ("GET", f"/entregas/{e2.pk}/diferencias/", {"anonimo": 302, "duena": 200,
                                                        "otra": 404, "revisor": 200,
                                                        "admin": 200}),
            ("GET", "/maestro/", {"anonimo": 302, "duena": 403, "otra": 403, "revisor": 200,
                                  "admin": 200}),
            ("GET", "/maestro/descargar", {"anonimo": 302, "duena": 403, "otra": 403,
                                           "revisor": 200, "admin": 200}),
            ("GET", "/maestro/observaciones.csv", {"anonimo": 302, "duena": 403, "otra": 403,
                                                   "revisor": 200, "admin": 200}),
            ("GET", "/maestro/nada.csv", {"anonimo": 302, "duena": 403, "otra": 403,
                                          "revisor": 404, "admin": 404}),
            # decidir: solo el revisor (el administrador lleva cuentas y ajustes)
            ("POST", f"/revision/{e.pk}/", {"anonimo": 302, "duena": 403, "otra": 404,
                                            "admin": 403, "revisor": 302}),
        ]
        for method, url, expected in pages:
            for who, status in expected.items():
                c = clients[who]
                r = c.get(url) if method == "GET" else c.post(url, {"decision": "aprobar"})
                self.assertEqual(r.status_code, status, f"{method} {url} {who}")
        # el POST del revisor sobre la versión 1 (ya no vigente) no cambió nada
        self.assertEqual(Entrega.objects.get(pk=e.pk).estado, "en_revision")
        api: list[tuple[str, str, dict[str, int]]] = [
            ("GET", "/api/v1/tablero", {"anonimo": 401, "duena": 403, "otra": 403,
                                        "revisor": 200, "admin": 200}),
            ("GET", f"/api/v1/entregas/{e2.pk}/revision", {"anonimo": 401, "duena": 200,
                                                            "otra": 404, "revisor": 200,
                                                            "admin": 200}),
            ("GET", f"/api/v1/entregas/{e2.pk}/diferencias", {"anonimo": 401, "duena": 200,
                                                               "otra": 404, "revisor": 200,
                                                               "admin": 200}),
            ("GET", "/api/v1/maestro", {"anonimo": 401, "duena": 403, "otra": 403,
                                        "revisor": 200, "admin": 200}),
            ("POST", f"/api/v1/entregas/{e2.pk}/revision", {"anonimo": 401, "duena": 403,
                                                             "otra": 404, "admin": 403,
                                                             "revisor": 201}),
        ]
        for method, url, expected in api:
            for who, status in expected.items():
                headers = bearer(tokens[who]) if who in tokens else {}
                c = Client()
                r = (c.get(url, **headers) if method == "GET" else
                     c.post(url, {"decision": "aprobar"}, content_type="application/json",
                            **headers))
                self.assertEqual(r.status_code, status, f"{method} {url} {who}")
                if status >= 400:
                    self.assertIn("error", r.json())
        self.assertEqual(Entrega.objects.get(pk=e2.pk).estado, "aprobado")

    def test_decidir_pide_csrf(self) -> None:
        e = self.deliver(self.tes, self.planes["tesoreria"])
        client = Client(enforce_csrf_checks=True)
        client.force_login(Cuenta.objects.get(username=self.rev.usuario))
        r = client.post(f"/revision/{e.pk}/", {"decision": "aprobar"})
        self.assertEqual(r.status_code, 403)
        self.assertEqual(Entrega.objects.get(pk=e.pk).estado, "en_revision")
        page = client.get(f"/revision/{e.pk}/").content.decode()
        self.assertIn('name="csrfmiddlewaretoken"', page)


class DiferenciasTests(RevisionBase):
    def test_fila_insertada_en_la_pagina(self) -> None:
        """Una fila nueva al principio: una línea agregada, nada más cambia."""
        base = self.planes["tesoreria"]
        inserted = apply_changes(base, {"copiar_filas": [{"de": 11, "a": 12},
                                                         {"de": 10, "a": 11}],
                                        "celdas": {"L10": "Meta nueva de la dependencia."}},
                                 base.with_name("tesoreria_insertada.xlsx"))
        self.deliver(self.tes, base)
        v2 = self.deliver(self.tes, inserted)
        rev = self.client_for(self.rev)
        d = rev.get(f"/api/v1/entregas/{v2.pk}/diferencias",
                    **bearer(self.rev.token_api)).json()["diferencias"]
        self.assertEqual(d["resumen"]["igual"], 2, d)
        self.assertEqual(d["resumen"]["agregada"], 1, d)
        self.assertEqual(d["resumen"]["modificada"] + d["resumen"]["eliminada"], 0, d)

    def test_con_una_version_que_no_existe_es_404(self) -> None:
        """`?con=` con una versión que la dependencia no tiene (o que no es un número): 404,
        nunca la diferencia con otra versión en su lugar."""
        v1 = self.deliver(self.tes, self.planes["tesoreria"])
        v2 = self.deliver(self.tes, self.planes["tesoreria_errores"])
        self.deliver(self.obras, self.planes["obras"])  # versión 1 de otra dependencia
        rev = self.client_for(self.rev)
        for con in ("99", "abc", "2", "-1", "1e3"):
            r = rev.get(f"/api/v1/entregas/{v2.pk}/diferencias?con={con}",
                        **bearer(self.rev.token_api))
            self.assertEqual(r.status_code, 404, con)
            self.assertIn("versión", r.json()["error"])
            self.assertEqual(rev.get(f"/entregas/{v2.pk}/diferencias/?con={con}").status_code,
                             404, con)
        r = rev.get(f"/api/v1/entregas/{v2.pk}/diferencias?con=1", **bearer(self.rev.token_api))
        self.assertEqual(r.json()["comparada_con"], v1.version)
        self.assertEqual(rev.get(f"/entregas/{v2.pk}/diferencias/?con=1").status_code, 200)
