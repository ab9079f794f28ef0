"""`python run.py` as a user runs it: the files it writes, and bad input refused cleanly."""

import json
import os
import subprocess
import sys

import pyarrow.parquet as pq
import pytest
from omegaconf import OmegaConf

from sim.errors import ScenarioError
from sim.scenario.library import read_scenario
from tests.conftest import ROOT


def run(args, cwd=ROOT):
    """Run run.py with this checkout's `sim` package first on the path."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "run.py", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=300, env=env)


@pytest.fixture(scope="module")
def finished(tmp_path_factory):
    folder = tmp_path_factory.mktemp("run") / "out"
    done = run(["runs=600", "chunk_size=200", "seed=3", "progress=false",
                f"hydra.run.dir={folder}"])
    assert done.returncode == 0, done.stderr
    return folder, done.stdout


def test_run_writes_the_contract(finished):
    folder, stdout = finished
    summary = json.loads((folder / "summary.json").read_text())
    for key in ("scenario", "runs", "seed", "chunk_size", "version"):
        assert key in summary
    assert (summary["scenario"], summary["runs"], summary["seed"]) == ("baseline", 600, 3)
    for name in ("split", "border_clash", "realignment"):
        outcome = summary["outcomes"][name]
        low, high = outcome["ci95"]
        assert low <= outcome["probability"] <= high
        assert outcome["quartiles"][0] <= outcome["median_year"] <= outcome["quartiles"][1]
    assert "vs_baseline" not in summary
    assert (folder / ".hydra" / "config.yaml").exists()
    assert (folder / "plots" / "split_years.png").stat().st_size > 10_000
    assert "History check" in stdout and str(folder) in stdout


def test_runs_table_has_a_row_per_world(finished):
    folder, _ = finished
    table = pq.read_table(folder / "runs.parquet")
    assert table.num_rows == 600
    assert table.column("world").to_pylist() == list(range(600))
    for column in ("split_year", "clash_year", "realignment_year", "holder_at_split.ussr",
                   "holder_at_split.prc", "trait.mao.prestige_seeking", "choice.advisers"):
        assert column in table.column_names
    rows = table.to_pandas()
    split = rows[rows.split_year.notna()]
    assert split["holder_at_split.ussr"].notna().all()
    assert rows[rows.split_year.isna()]["holder_at_split.ussr"].isna().all()
    assert rows["trait.mao.prestige_seeking"].between(0.8, 1.0).all()


def refused(args, tmp_path, cwd=ROOT):
    folder = tmp_path / "out"
    done = run(["runs=100", "progress=false", f"hydra.run.dir={folder}", *args], cwd=cwd)
    lines = done.stderr.strip().splitlines()
    assert done.returncode != 0
    assert len(lines) == 1 and lines[0].startswith("error: "), done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    assert not (folder / "summary.json").exists()
    assert not folder.exists()
    return lines[0]


def test_unknown_scenario(tmp_path):
    line = refused(["scenario=molotov_sucessor"], tmp_path)
    assert "unknown scenario 'molotov_sucessor'" in line and "baseline" in line


def test_misspelt_key(tmp_path):
    line = refused(["scenario.persons.mao.traits.prestige_seking=0.5"], tmp_path)
    assert "did you mean 'prestige_seeking'" in line
    line = refused(["rums=10"], tmp_path)
    assert "did you mean 'runs'" in line


def test_a_field_the_file_does_not_write_is_added_with_a_plus(tmp_path):
    """tito_stalin.yaml writes no openness_scale for the West: the refusal says how to add it,
    and the form it gives runs."""
    line = refused(["scenario=tito_stalin", "scenario.nations.west.openness_scale=0.5"], tmp_path)
    assert "'+scenario.nations.west.openness_scale=VALUE'" in line
    line = refused(["scenario=tito_stalin", "scenario.nations.west.openess_scale=0.5"], tmp_path)
    assert "did you mean '+scenario.nations.west.openness_scale'" in line
    done = run(["scenario=tito_stalin", "+scenario.nations.west.openness_scale=0.5", "runs=100",
                "progress=false", f"hydra.run.dir={tmp_path / 'added'}"])
    assert done.returncode == 0, done.stderr
    ran = OmegaConf.load(tmp_path / "added" / ".hydra" / "config.yaml")
    assert ran.scenario.nations.west.openness_scale == 0.5


def test_trait_outside_unit_interval(tmp_path):
    line = refused(["scenario.persons.mao.traits.prestige_seeking=1.3"], tmp_path)
    assert "prestige_seeking = 1.3" in line and "[0.0, 1.0]" in line


def test_juncture_outside_the_horizon(tmp_path):
    line = refused(["scenario.junctures.advisers.date=2001-07-16"], tmp_path)
    assert "outside the simulated period" in line


def test_impossible_date(tmp_path):
    line = refused(["scenario.persons.mao.died=1976-02-30"], tmp_path)
    assert "not a possible date" in line


def test_bad_run_settings(tmp_path):
    assert "runs must be a whole number" in refused(["runs=-5"], tmp_path)
    assert "unknown executor" in refused(["executor=threads"], tmp_path)


def test_malformed_yaml(project_copy, tmp_path):
    (project_copy / "scenarios" / "broken.yaml").write_text("title: [unclosed\nforces: 1\n")
    line = refused(["scenario=broken"], tmp_path, cwd=project_copy)
    assert "broken.yaml is not valid YAML at line" in line


def test_an_unquoted_colon_in_a_text_is_explained(tmp_path):
    """A source or text with ': ' in it, or one that begins with a quoted title, breaks YAML's
    reading with no hint of why; the refusal says what to do."""
    path = tmp_path / "colon.yaml"
    path.write_text('title: t\njunctures:\n  j:\n    source: the "tilt": a US fleet\n')
    with pytest.raises(ScenarioError) as refusal:
        read_scenario(path)
    assert "colon.yaml is not valid YAML at line 4" in str(refusal.value)
    assert "put the whole text in quotes" in str(refusal.value)
    path.write_text('title: t\njunctures:\n  j:\n    source: "Brother Enemy" (Chanda 1986)\n')
    with pytest.raises(ScenarioError, match="put the whole text in quotes"):
        read_scenario(path)


def test_scenario_files_cannot_run_code(project_copy, tmp_path):
    evil = "title: !!python/object/apply:os.system ['touch pwned']\n"
    (project_copy / "scenarios" / "evil.yaml").write_text(evil)
    line = refused(["scenario=evil"], tmp_path, cwd=project_copy)
    assert "evil.yaml" in line
    assert not (project_copy / "pwned").exists()


def test_a_malformed_file_does_not_break_other_scenarios(project_copy, tmp_path):
    (project_copy / "scenarios" / "broken.yaml").write_text("title: [unclosed\n")
    done = run(["runs=50", "progress=false", f"hydra.run.dir={tmp_path / 'ok'}"],
               cwd=project_copy)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "ok" / "summary.json").exists()


def test_misspelt_key_in_a_sweep_is_refused_before_any_point_runs(tmp_path):
    sweep = tmp_path / "sweep"
    done = run(["-m", "scenario.persons.mao.traits.prestige_seking=0.5,0.7", "runs=100",
                f"hydra.sweep.dir={sweep}"])
    lines = done.stderr.strip().splitlines()
    assert done.returncode != 0
    assert len(lines) == 1 and "did you mean 'prestige_seeking'" in lines[0], done.stderr
    assert not sweep.exists()
