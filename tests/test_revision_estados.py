"""Estados del tablero (pea.review.states): de las versiones al estado de la dependencia."""

from __future__ import annotations

import datetime as dt

import pytest

from pea.config import ConfigError, load_config
from pea.review import states as S

T = dt.datetime(2024, 1, 10, 9, 0)
TODAY = dt.date(2024, 1, 20)


def v(n: int, estado: str, errores: int = 0) -> S.VersionInfo:
    return S.VersionInfo(id=n, version=n, fecha=T + dt.timedelta(days=n), estado=estado,
                         errores=errores)


def test_sin_entrega() -> None:
    st = S.status_of([], deadline=dt.date(2024, 1, 31), today=TODAY)
    assert (st.estado, st.etiqueta, st.ultima, st.en_maestro, st.dias_restantes) == (
        "sin_entrega", "Sin entrega", None, None, 11)


@pytest.mark.parametrize("errores,advertencias,estado", [
    (2, 5, "con_errores"), (0, 1, "con_observaciones"), (0, 0, "en_revision")])
def test_estado_inicial_por_la_validacion(errores: int, advertencias: int, estado: str) -> None:
    assert S.initial_state(errores, advertencias) == estado


def test_la_aprobada_sigue_en_el_maestro_hasta_otra_aprobada() -> None:
    versions = [v(1, S.APROBADO), v(2, S.DEVUELTO), v(3, S.CON_ERRORES, errores=1)]
    st = S.status_of(versions, deadline=None, today=TODAY)
    assert st.estado == "con_errores" and st.ultima.version == 3
    assert st.en_maestro.version == 1 and st.dias_restantes is None and st.versiones == 3
    assert S.status_of(versions, deadline=None, today=TODAY, mode="ultima").en_maestro.version == 3
    versions.append(v(4, S.APROBADO))
    assert S.status_of(versions, deadline=None, today=TODAY).en_maestro.version == 4
    assert S.master_version([v(1, S.EN_REVISION)], "aprobada") is None


def test_dias_al_plazo() -> None:
    assert S.days_left(dt.date(2024, 1, 20), TODAY) == 0
    assert S.days_left(dt.date(2024, 1, 15), TODAY) == -5


def test_acciones_del_revisor() -> None:
    latest = v(2, S.CON_OBSERVACIONES)
    assert S.refusal("aprobar", latest, latest) is None
    assert S.refusal("devolver", latest, latest) is None
    assert "ya no es la vigente" in S.refusal("aprobar", v(1, S.EN_REVISION), latest)
    bad = v(3, S.CON_ERRORES, errores=4)
    assert "tiene errores" in S.refusal("aprobar", bad, bad)
    assert S.refusal("devolver", bad, bad) is None
    assert "ya está aprobada" in S.refusal("aprobar", v(3, S.APROBADO), v(3, S.APROBADO))
    assert "ya fue devuelta" in S.refusal("devolver", v(3, S.DEVUELTO), v(3, S.DEVUELTO))
    assert (S.after("aprobar"), S.after("devolver")) == ("aprobado", "devuelto")


def test_configuracion_del_tablero(tmp_path) -> None:
    (tmp_path / "configuracion.yaml").write_text(
        "ventanilla:\n  fecha_limite_entrega: 2024-02-15\n  maestro_con: ultima\n",
        encoding="utf-8")
    cfg = load_config(tmp_path)
    assert cfg.ventanilla.fecha_limite_entrega == dt.date(2024, 2, 15)
    assert cfg.ventanilla.maestro_con == "ultima"
    assert load_config().ventanilla.maestro_con == "aprobada"
    (tmp_path / "configuracion.yaml").write_text("ventanilla:\n  maestro_con: todas\n",
                                                 encoding="utf-8")
    with pytest.raises(ConfigError, match="maestro_con"):
        load_config(tmp_path)
