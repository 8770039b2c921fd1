"""Ninguna excepción llega a xlwings: mensaje en español y registro en la carpeta local."""

from __future__ import annotations

from pathlib import Path

import pytest

from pea.demo import demo_plans
from pea.demo.writer import write_plan_xlsx
from pea.excel import bridge, guard
from pea.excel import xl_api as X
from tests.puente_fake import ComError, FakeBook


@pytest.fixture
def logdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("LOCALAPPDATA", str(tmp_path / "local"))
    return tmp_path / "local" / "PEA"


@pytest.fixture
def book(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FakeBook:
    b = FakeBook._from_xlsx(write_plan_xlsx(demo_plans()[0], tmp_path / "plan.xlsx"))
    monkeypatch.setattr(FakeBook, "_current", b)
    monkeypatch.setattr(X, "caller_book", FakeBook.caller)
    return b


def test_boton_validar_completo(book: FakeBook, logdir: Path) -> None:
    bridge.validar()
    assert book._app._alerts[-1][0].startswith("Sin errores")
    log = (logdir / "pea.log").read_text(encoding="utf-8")
    assert "validar el plan: listo en " in log and "Traceback" not in log


def test_error_inesperado_da_mensaje_en_espanol_y_registro(
        book: FakeBook, logdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*args: object, **kwargs: object) -> None:
        raise KeyError("columna")
    monkeypatch.setattr("pea.excel.reader.read_plan", boom)
    bridge.validar()  # no lanza
    text, title, mode = book._app._alerts[-1]
    assert text.startswith("No se pudo validar el plan.")
    assert "Qué hacer:" in text and "Diagnóstico" in text
    assert str(logdir / "pea.log") in text
    assert (title, mode) == ("PEA", "critical")
    log = (logdir / "pea.log").read_text(encoding="utf-8")
    assert "Traceback" in log and "KeyError: 'columna'" in log and "pea 0." in log


def test_excel_ocupado(book: FakeBook, logdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def busy(*args: object, **kwargs: object) -> None:
        raise ComError("Call was rejected by callee.")
    monkeypatch.setattr("pea.excel.marks.load", busy)
    bridge.limpiar()
    text = book._app._alerts[-1][0]
    assert text.startswith("No se pudo limpiar las marcas.")
    assert "celda en edición" in text


def test_configuracion_de_reglas_rota(book: FakeBook, logdir: Path, tmp_path: Path,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PEA_REGLAS", str(tmp_path / "no-existe"))
    bridge.validar()
    text = book._app._alerts[-1][0]
    assert text.startswith("No se pudo cargar la configuración de reglas")
    assert "Traceback" not in (logdir / "pea.log").read_text(encoding="utf-8")


def test_sin_libro_que_llamo(logdir: Path, monkeypatch: pytest.MonkeyPatch,
                             capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(FakeBook, "_current", None)
    monkeypatch.setattr(X, "caller_book", FakeBook.caller)
    bridge.diagnostico()
    err = capsys.readouterr().err
    assert err.startswith("PEA no pudo conectarse con el libro")
    assert "dos libros con el mismo nombre" in err
    assert "Traceback" in (logdir / "pea.log").read_text(encoding="utf-8")


def test_si_el_mensaje_de_excel_falla_se_usa_el_del_sistema(
        book: FakeBook, logdir: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    def no_alert(*args: object, **kwargs: object) -> None:
        raise ComError("busy")
    monkeypatch.setattr("pea.excel.reader.read_plan", no_alert)
    monkeypatch.setattr(book._app, "alert", no_alert)
    bridge.validar()
    assert "No se pudo validar el plan." in capsys.readouterr().err


def test_registro_sin_carpeta_local(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("LOCALAPPDATA", raising=False)
    monkeypatch.setattr(Path, "home", lambda: tmp_path)
    assert guard.log_path() == tmp_path / ".pea" / "pea.log"
    assert guard.write_log("prueba") == tmp_path / ".pea" / "pea.log"


def test_registro_rota_al_crecer(logdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(guard, "LOG_LIMIT", 100)
    for _ in range(5):
        guard.write_log("x" * 60)
    assert (logdir / "pea.log.1").exists()
    assert (logdir / "pea.log").stat().st_size < 200


def test_registro_que_no_se_puede_escribir_no_falla(monkeypatch: pytest.MonkeyPatch,
                                                    tmp_path: Path) -> None:
    blocker = tmp_path / "archivo"
    blocker.write_text("")
    monkeypatch.setenv("LOCALAPPDATA", str(blocker))  # «carpeta» que es un archivo
    assert guard.write_log("hola") is None
