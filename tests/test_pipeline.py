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
