"""The explorer without a browser: settings -> overrides, command, scenario file, numbers and
figures (sim/explorer/state.py, results.py). Needs no Solara."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time

import pytest
import yaml

from sim.analysis.holders import holders_block
from sim.explorer import engine
from sim.explorer import results as core
from sim.explorer import state as st
from sim.outputs.report import holders_table
from sim.scenario.library import load_world
from tests.conftest import ROOT, compose_config

CHANGES = [
    (st.trait_path("mao", "prestige_seeking"), 0.5),    # a number replaces a distribution
    (st.date_path("advisers"), "1962-07-16"),           # a turning point moved
    ("junctures.advisers.options.withdraw.weight", 0),  # an option forbidden
    (st.scale_path("usa", "threat"), 0.0),              # the outside power's threat off
]


def hydra_world(name: str, overrides: list[str]):
    return load_world(compose_config([f"scenario={name}", *overrides]).scenario, name)


@pytest.mark.parametrize("path,value", CHANGES)
def test_a_change_gives_the_world_the_command_line_gives(path, value):
    s = st.ExplorerState().set(path, value)
    assert engine.world_of("baseline", s.changes()) == hydra_world("baseline",
                                                                   st.overrides_of(s))
    assert engine.world_of("baseline", s.changes()) != engine.world_of("baseline")


def test_a_value_equal_to_the_files_own_is_no_change():
    s = st.ExplorerState().set(st.scale_path("usa", "threat"), 0.0)
    assert s.changes() == (("nations.usa.threat_scale", 0.0),)
    assert s.set(st.scale_path("usa", "threat"), 1).changes() == ()
    assert st.command_of(st.ExplorerState()) == "python run.py runs=5000"


def test_an_outside_power_without_scales_in_its_file_has_the_schemas():
    """soviet_egypt gives no threat_scale or openness_scale: the page shows and compares
    against 1, the default its runs use (it showed None, and the page failed on it)."""
    s = st.ExplorerState("soviet_egypt")
    path = st.scale_path("usa", "threat")
    assert s.value(path) == 1.0 and s.value(st.scale_path("israel", "openness")) == 1.0
    assert s.set(path, 1.0).changes() == ()
    assert s.set(path, 0.0).changes() == (("nations.usa.threat_scale", 0.0),)
    # switched off, the field is added, on the page as on the command line
    off = s.set(path, 0.0)
    assert st.overrides_of(off) == ["+scenario.nations.usa.threat_scale=0"]
    assert engine.world_of("soviet_egypt", off.changes()) == hydra_world(
        "soviet_egypt", st.overrides_of(off))
    assert engine.world_of("soviet_egypt", off.changes()) != engine.world_of("soviet_egypt")


def test_forcing_and_forbidding_options():
    s = st.ExplorerState().choose("advisers", st.FORCE, "stay")
    assert s.changes() == (("junctures.advisers.options.withdraw.weight", 0),)
    world = engine.world_of("baseline", s.changes())
    assert [o.weight for o in world.junctures["advisers"].option_list if o.id != "stay"] == [0]
    molotov = st.ExplorerState("molotov_successor").choose("secret_speech", st.FORCE, "denounce")
    assert ("junctures.secret_speech.options.denounce.weight", 1) in molotov.changes()
    assert molotov.choose("secret_speech", None).changes() == ()


def test_the_command_composes_the_same_world():
    s = st.ExplorerState("molotov_successor")
    for path, value in CHANGES:
        s = s.set(path, value)
    s = s.choose("joint_fleet", st.FORBID, "propose")
    words = st.command_of(s).split()
    assert words[:4] == ["python", "run.py", "scenario=molotov_successor", "runs=5000"]
    assert hydra_world("molotov_successor", words[4:]) == engine.world_of(s.scenario,
                                                                          s.changes())


def test_the_catalogue_lists_the_controls():
    c = st.catalogue("tito_stalin")
    assert c.outside == (("west", "the United States and Britain"),)
    assert {p.id for p in c.persons} >= {"tito", "stalin"}
    assert all(j.options for j in c.junctures)


@pytest.fixture(scope="module")
def runs():
    s = st.ExplorerState(runs=2000)
    return core.compute(s), core.compute(s.set(st.scale_path("usa", "threat"), 0.0))


def test_a_change_of_a_setting_changes_the_figures(runs):
    plain, changed = runs
    assert plain.reference_name is None and changed.reference_name == "baseline"
    assert changed.outcomes[0].probability > plain.outcomes[0].probability
    assert changed.outcomes[0].reference == pytest.approx(plain.outcomes[0].probability)
    for name in core.FIGURES:
        mine, theirs = plain.figure(name), changed.figure(name)
        assert mine.startswith(b"\x89PNG") and theirs.startswith(b"\x89PNG")
        assert mine != theirs, name
    assert "| split |" in changed.table() and "baseline" in changed.table()


def test_the_split_by_who_held_power_is_the_reports(runs):
    plain, _ = runs
    assert plain.by_holder() == "\n".join(holders_table(
        {"holders": holders_block(plain.run.result)}))
    assert "| the Soviet Union | 1960 |" in plain.by_holder()


def test_the_chronicle_is_told_and_can_be_picked(runs):
    _, changed = runs
    text = core.chronicle_of(changed)
    assert text.startswith("# A chronicle of world") and "Who held power" in text
    assert "among the" in core.chronicle_of(changed, "latest", "split_year < 1960")


def test_the_saved_file_holds_only_what_differs_and_runs_with_run_py(runs, tmp_path):
    """Saved into a copy of the project, `python run.py scenario=NAME` gives the page's
    numbers: the same split probability and the same paired difference."""
    _, changed = runs
    project = tmp_path / "project"
    project.mkdir()
    shutil.copy(ROOT / "run.py", project)
    shutil.copytree(ROOT / "configs", project / "configs")
    shutil.copytree(ROOT / "scenarios", project / "scenarios")
    path = st.save_scenario(changed.state, project / "scenarios", "saved_here",
                            "No US threat", "1949-10-01: the US threatens neither ally",
                            "Without a common enemy the alliance splits sooner")
    data = yaml.safe_load(path.read_text())
    assert data == {"defaults": ["baseline", "_self_"], "title": "No US threat",
                    "divergence": "1949-10-01: the US threatens neither ally",
                    "claim": "Without a common enemy the alliance splits sooner",
                    "nations": {"usa": {"threat_scale": 0.0}}}
    assert "python run.py scenario=saved_here" in path.read_text().split("defaults:")[0]
    with pytest.raises(Exception, match="already exists"):
        st.save_scenario(changed.state, project / "scenarios", "saved_here", "a", "b", "c")
    with pytest.raises(Exception, match="lower-case"):
        st.save_scenario(changed.state, project / "scenarios", "Bad Name", "a", "b", "c")
    folder = tmp_path / "out"
    done = subprocess.run([sys.executable, "run.py", "scenario=saved_here", "runs=2000",
                           "progress=false", f"hydra.run.dir={folder}"], cwd=project,
                          capture_output=True, text=True, timeout=300,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr
    summary = json.loads((folder / "summary.json").read_text())
    for row in changed.outcomes:
        assert summary["outcomes"][row.id]["probability"] == pytest.approx(row.probability)
        assert summary["vs_baseline"][row.id]["difference"] == pytest.approx(row.difference)


def test_latest_only_skips_superseded_requests():
    started = threading.Event()

    def slow(state):
        started.set()
        time.sleep(0.2)
        return state

    gate = core.LatestOnly(slow)
    first = threading.Thread(target=gate, args=(1,))
    first.start()
    started.wait()
    middle = [threading.Thread(target=gate, args=(n,)) for n in (2, 3, 4)]
    for t in middle:
        t.start()
    time.sleep(0.05)
    assert gate(5) == 5
    for t in (first, *middle):
        t.join()
    assert gate.computed == 2 and gate.skipped == 3
