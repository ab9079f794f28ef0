"""The pipeline leaves a finished folder or none: a run that fails takes its files back."""

import pytest

import sim.pipeline
from sim.pipeline import run_pipeline
from tests.conftest import compose_config


def test_a_run_that_fails_late_leaves_no_folder(tmp_path, monkeypatch):
    def fail(*args, **kwargs):
        raise KeyboardInterrupt  # the user pressed Ctrl-C while the plots were drawn

    monkeypatch.setattr(sim.pipeline, "write_products", fail)
    folder = tmp_path / "run"
    cfg = compose_config(["runs=200", "chunk_size=100", "progress=false"])
    with pytest.raises(KeyboardInterrupt):
        run_pipeline(cfg, folder, "baseline")
    assert not folder.exists()


def test_a_failed_run_keeps_files_it_did_not_write(tmp_path, monkeypatch):
    monkeypatch.setattr(sim.pipeline, "write_products", lambda *a, **k: 1 / 0)
    folder = tmp_path / "run"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine")
    cfg = compose_config(["runs=200", "chunk_size=100", "progress=false"])
    with pytest.raises(ZeroDivisionError):
        run_pipeline(cfg, folder, "baseline")
    assert sorted(p.name for p in folder.iterdir()) == ["notes.txt"]


def _lean_and_reference(tmp_path, name: str, extra: list[str]):
    from sim.scenario.library import composed_data, world_from_data

    cfg = compose_config(["runs=300", "chunk_size=100", "progress=false",
                          f"scenario={name}", *extra])
    reference = world_from_data(composed_data("baseline"), "baseline")
    return cfg, reference


def test_lean_products_write_the_summary_and_rows_only_with_the_same_numbers(tmp_path):
    cfg, reference = _lean_and_reference(tmp_path, "molotov_successor", [])
    full = run_pipeline(cfg, tmp_path / "full", "molotov_successor", reference)
    cfg, _ = _lean_and_reference(tmp_path, "molotov_successor", ["products=lean"])
    lean = run_pipeline(cfg, tmp_path / "lean", "molotov_successor", reference)
    assert sorted(p.name for p in (tmp_path / "lean").iterdir()) == ["runs.parquet",
                                                                      "summary.json"]
    assert (tmp_path / "full" / "plots" / "survival.png").exists()
    for key in ("outcomes", "vs_baseline", "survival", "drivers", "holders", "history_check"):
        assert lean[key] == full[key], key


def test_the_reference_is_simulated_once_for_points_with_the_same_seeds(tmp_path, monkeypatch):
    calls = []
    real = sim.pipeline.run_monte_carlo
    monkeypatch.setattr(sim.pipeline, "run_monte_carlo",
                        lambda world, settings, **kw: calls.append(world.name)
                        or real(world, settings, **kw))
    monkeypatch.setattr(sim.pipeline, "_reference_runs", {})
    cfg, reference = _lean_and_reference(tmp_path, "molotov_successor", ["products=lean"])
    first = run_pipeline(cfg, tmp_path / "a", "molotov_successor", reference)
    again = run_pipeline(cfg, tmp_path / "b", "molotov_successor", reference)
    assert calls == ["molotov_successor", "baseline", "molotov_successor"]
    assert first["vs_baseline"] == again["vs_baseline"]
    edited = reference.model_copy(update={"title": "an edited baseline"})
    run_pipeline(cfg, tmp_path / "c", "molotov_successor", edited)
    cfg, _ = _lean_and_reference(tmp_path, "molotov_successor", ["products=lean", "seed=2"])
    run_pipeline(cfg, tmp_path / "d", "molotov_successor", reference)
    assert calls[3:] == ["molotov_successor", "baseline", "molotov_successor", "baseline"]
