"""The `alliance-sim` command from any folder, and runs that name what they ran."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from sim.cli import scenario_rows
from sim.outputs.naming import run_label, short_key, title_of
from tests.conftest import ROOT, SCENARIOS

ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


def cli(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sim.cli", *args], cwd=cwd, env=ENV,
                          capture_output=True, text=True, timeout=300)


def test_the_console_command_is_installed():
    assert shutil.which("alliance-sim", path=str(Path(sys.executable).parent)), \
        'reinstall the package: python -m pip install -e ".[test]"'


def test_list_shows_every_scenario_with_its_title_and_claim(tmp_path):
    done = cli(["list"], tmp_path)
    assert done.returncode == 0, done.stderr
    for name in SCENARIOS:
        assert f"\n{name}\n" in done.stdout
    assert "claim: An orthodox Stalinist successor" in done.stdout
    rows = {name: (title, claim) for name, title, _, claim in scenario_rows()}
    assert rows["tito_stalin"][0].startswith("The Soviet-Yugoslav alliance")


def test_an_override_names_the_run_everywhere(tmp_path):
    """`alliance-sim run` from another folder writes to ./results there, and a run with an
    override says so in its first line, its folder, its report and its plots' titles."""
    done = cli(["run", "scenario.forces.threat_weight=0", "runs=300", "chunk_size=100",
                "progress=false", "seed=2"], tmp_path)
    assert done.returncode == 0, done.stderr
    first = done.stdout.splitlines()[0]
    assert first.endswith(", with threat_weight=0")
    folders = list((tmp_path / "results").glob("*/*"))
    assert [f.parent.name for f in folders] == ["baseline+threat_weight=0"]
    report = (folders[0] / "report.md").read_text()
    assert report.splitlines()[0] == f"# {first}"
    assert "`baseline+threat_weight=0`" in report
    summary = json.loads((folders[0] / "summary.json").read_text())
    assert title_of(summary) == first
    assert "scenario.forces.threat_weight=0" in summary["overrides"]


def test_the_short_form_of_overrides():
    assert short_key("scenario.forces.threat_weight") == "threat_weight"
    assert short_key("scenario.persons.mao.traits.prestige_seeking") == "mao.prestige_seeking"
    assert short_key("scenario.junctures.advisers.options.withdraw.weight") == \
        "advisers.withdraw.weight"
    assert short_key("scenario.junctures.advisers.date") == "advisers.date"
    assert short_key("scenario.split.threshold") == "split.threshold"
    overrides = ["runs=100", "seed=3", "progress=false", "scenario=molotov_successor",
                 "scenario.nations.usa.threat_scale=1.5", "chronicle.pick=latest"]
    assert run_label("molotov_successor", overrides) == "molotov_successor+usa.threat_scale=1.5"
    assert run_label("baseline", ["scenario.persons.mao.traits.prestige_seeking={uniform:"
                                  "[0.1,0.2]}"]) == \
        "baseline+mao.prestige_seeking=_uniform__0.1,0.2__"
    assert len(run_label("baseline", [f"scenario.forces.w{i}=0.{i}" for i in range(40)])) \
        <= 120


def test_run_py_keeps_its_folders_for_a_plain_run(tmp_path):
    done = subprocess.run([sys.executable, str(ROOT / "run.py"), "runs=200", "chunk_size=100",
                           "progress=false"], cwd=tmp_path, env=ENV, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert [f.parent.name for f in (tmp_path / "results").glob("*/*")] == ["baseline"]
    assert "with" not in done.stdout.splitlines()[0]
