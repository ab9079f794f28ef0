"""Sweeps: the table a multirun writes, and skipping finished points when it is run again."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest

from sim.studies.plots import plot_sweep
from sim.studies.sweep import finished_summary, point_identity, swept_keys
from tests.conftest import ROOT

TRAIT = "scenario.persons.mao.traits.prestige_seeking"


def multirun(sweep_dir, *overrides):
    """Run `python run.py -m ...` as a user would; return its printed output."""
    done = subprocess.run(
        [sys.executable, "run.py", "-m", f"hydra.sweep.dir={sweep_dir}", "runs=200",
         "chunk_size=100", "progress=false", *overrides],
        cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


@pytest.fixture(scope="module")
def sweep(tmp_path_factory):
    sweep_dir = tmp_path_factory.mktemp("sweep")
    output = multirun(sweep_dir, f"{TRAIT}=0.5,0.9")
    return sweep_dir, output


def test_multirun_writes_one_row_per_point_read_from_each_summary(sweep):
    sweep_dir, _ = sweep
    table = pd.read_parquet(sweep_dir / "sweep.parquet")
    assert pd.read_csv(sweep_dir / "sweep.csv").shape == table.shape
    assert list(table[TRAIT]) == [0.5, 0.9]
    for _, row in table.iterrows():
        summary = json.loads((sweep_dir / row["job"] / "summary.json").read_text())
        split = summary["outcomes"]["split"]
        assert row["split.probability"] == split["probability"]
        assert [row["split.ci95_low"], row["split.ci95_high"]] == split["ci95"]
        assert row["split.vs_baseline"] == summary["vs_baseline"]["split"]["difference"]
        assert row["runs"] == 200
    assert swept_keys(table) == [TRAIT]
    assert (sweep_dir / "sweep.png").stat().st_size > 10_000


def test_a_sweep_run_again_skips_finished_points_before_simulating(sweep):
    sweep_dir, _ = sweep
    before = {job: (sweep_dir / job / "runs.parquet").stat().st_mtime_ns for job in ("0", "1")}
    output = multirun(sweep_dir, f"{TRAIT}=0.5,0.9,0.7")
    assert output.count("Skipped") == 2
    after = {job: (sweep_dir / job / "runs.parquet").stat().st_mtime_ns for job in ("0", "1")}
    assert after == before
    table = pd.read_parquet(sweep_dir / "sweep.parquet")
    assert sorted(table[TRAIT]) == [0.5, 0.7, 0.9]


def test_a_finished_folder_counts_only_for_the_same_point(tmp_path):
    overrides = [f"{TRAIT}=0.5", "runs=200", "executor=processes"]
    (tmp_path / "summary.json").write_text(json.dumps({"overrides": overrides}))
    assert finished_summary(tmp_path, [f"{TRAIT}=0.5", "runs=200"]) is not None  # any executor
    assert finished_summary(tmp_path, ["runs=200", f"{TRAIT}=0.5"]) is not None  # any order
    assert finished_summary(tmp_path, [f"{TRAIT}=0.6", "runs=200"]) is None
    assert finished_summary(tmp_path, [f"{TRAIT}=0.5", "runs=300"]) is None
    assert finished_summary(tmp_path / "missing", overrides) is None
    assert point_identity(["workers=4", "seed=3"]) == ["seed=3"]


def _table(points):
    rows = []
    for i, (x, y) in enumerate(points):
        rows.append({"job": str(i), "a": x, "b": y, "scenario": f"s{i}", "runs": 10, "seed": 1,
                     **{f"{o}.{k}": v for o in ("split", "border_clash", "realignment")
                        for k, v in (("probability", 0.5), ("ci95_low", 0.4),
                                     ("ci95_high", 0.6))}})
    return pd.DataFrame(rows)


@pytest.mark.parametrize("keys", [["a", "b"], ["scenario"], ["a", "b", "scenario"]])
def test_heatmap_and_forest_plots_are_drawn(tmp_path, keys):
    table = _table([(x, y) for x in (0.1, 0.2) for y in (1.0, 2.0)])
    plot_sweep(table, keys, tmp_path / "sweep.png")
    assert (tmp_path / "sweep.png").stat().st_size > 10_000


def test_a_parallel_sweep_compares_every_point_with_the_baseline(tmp_path):
    """Hydra's joblib launcher runs points in worker processes, which receive Hydra's config
    store but did not register the scenario library themselves."""
    multirun(tmp_path, "hydra/launcher=joblib", "hydra.launcher.n_jobs=2",
             "scenario=molotov_successor", "seed=1,2")
    table = pd.read_csv(tmp_path / "sweep.csv")
    assert list(table["state"]) == ["finished", "finished"], table.get("error")
    for job in ("0", "1"):
        summary = json.loads((tmp_path / job / "summary.json").read_text())
        assert "difference" in summary["vs_baseline"]["split"]
