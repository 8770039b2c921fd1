"""Procesos de lectura de la Ventanilla: tope de tiempo, de memoria y de cuántos a la vez."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from pea.web.ventanilla.isolation import Busy, Job, WorkerPool, kind_of
from tests.hostile.corpus import hundred_thousand_rows, macros


def test_el_tipo_lo_decide_el_contenido(planes: dict[str, Path]) -> None:
    xlsx = planes["tesoreria"].read_bytes()
    assert kind_of(xlsx, "plan.txt") == ".xlsx"  # un libro con nombre de texto
    assert kind_of(xlsx, "plan.xlsm") == ".xlsx"  # sin proyecto VBA no es .xlsm
    assert kind_of(macros(), "plan.xlsx") == ".xlsm"
    assert kind_of(b"EJE\tOBJETIVO\n", "plan.txt") == ".txt"
    assert kind_of(b"%PDF-1.4", "plan.xlsx") == ".xlsx"  # el lector dice que es un PDF


def test_tiempo_agotado_termina_solo_ese_proceso(tmp_path: Path,
                                                 planes: dict[str, Path]) -> None:
    pool = WorkerPool(workers=1, time_limit=0.05, memory_mb=0, tmp_dir=tmp_path)
    try:
        t = time.monotonic()
        kind, _ = pool.run(Job(hundred_thousand_rows(), "lento.xlsx", ".xlsx"))
        assert kind == "tiempo"
        assert time.monotonic() - t < 10
        pool.time_limit = 60
        kind, out = pool.run(Job(planes["obras"].read_bytes(), "obras.xlsx", ".xlsx"))
        assert kind == "ok" and out.report["valido"]
    finally:
        pool.close()
    assert list(tmp_path.iterdir()) == []  # la carpeta del trabajo interrumpido se borró


def test_tope_de_memoria(tmp_path: Path) -> None:
    """Con un tope bajo, el lector recibe MemoryError y el archivo queda ilegible (PEA-E00);
    sin tope, el mismo archivo se lee (el tope es lo que cambia el resultado)."""
    data = hundred_thousand_rows()
    limited = WorkerPool(workers=1, time_limit=60, memory_mb=60, tmp_dir=tmp_path)
    free = WorkerPool(workers=1, time_limit=60, memory_mb=0, tmp_dir=tmp_path)
    try:
        kind, out = limited.run(Job(data, "grande.xlsx", ".xlsx"))
        if kind == "ok":
            assert "recursos" in out.report["hallazgos"][0]["mensaje"]
        else:
            assert kind in ("memoria", "caida")
        kind, out = free.run(Job(data, "grande.xlsx", ".xlsx"))
        assert kind == "ok" and "recursos" not in out.report["hallazgos"][0]["mensaje"]
    finally:
        limited.close()
        free.close()


def test_procesos_acotados_y_espera_acotada(tmp_path: Path,
                                            planes: dict[str, Path]) -> None:
    """Con todos los procesos ocupados, un archivo espera su turno a lo más `wait`
    segundos y luego se responde «ocupado»; al liberarse un turno, se atiende."""
    pool = WorkerPool(workers=2, time_limit=30, memory_mb=0, tmp_dir=tmp_path, wait=0.3)
    job = Job(planes["obras"].read_bytes(), "obras.xlsx", ".xlsx")
    try:
        assert pool._slots.acquire(timeout=1) and pool._slots.acquire(timeout=1)  # 2 ocupados
        t = time.monotonic()
        with pytest.raises(Busy):
            pool.run(job)
        assert 0.25 <= time.monotonic() - t < 5
        pool._slots.release()
        done: list[str] = []
        thread = threading.Thread(target=lambda: done.append(pool.run(job)[0]))
        thread.start()
        thread.join(timeout=60)
        assert done == ["ok"]
        pool._slots.release()
    finally:
        pool.close()


@pytest.mark.parametrize("annotate", [False, True])
def test_sin_rastro_en_la_carpeta_temporal(tmp_path: Path, planes: dict[str, Path],
                                           annotate: bool) -> None:
    pool = WorkerPool(workers=1, time_limit=60, memory_mb=0, tmp_dir=tmp_path)
    try:
        kind, out = pool.run(Job(planes["tesoreria_errores"].read_bytes(), "t.xlsx", ".xlsx",
                                 annotate=annotate))
        assert kind == "ok"
        assert (out.annotated is not None) == annotate
    finally:
        pool.close()
    assert list(tmp_path.iterdir()) == []
