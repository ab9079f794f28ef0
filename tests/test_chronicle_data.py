"""Chronicles that agree with themselves and with the data: every word of a chronicle comes
from the scenario file or from the engine's vocabulary (so it fits any alliance), the table of
who held power agrees with the events, and worlds can be picked by a condition on their row,
several at once, or from a finished run's folder."""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pyarrow.parquet as pq
import pytest

from sim.calendar import month_year
from sim.engine.processes.clash import CLASH_EVENT
from sim.errors import SettingsError
from sim.montecarlo import run_monte_carlo
from sim.outputs.chronicle import render, tell, tenures, trace_world, write_chronicles
from sim.outputs.folder import RowWriter
from sim.outputs.worlds import choose, matching
from tests.conftest import ROOT, settings, world_of

CODE = [*sorted((ROOT / "sim" / "engine").rglob("*.py")),
        *(ROOT / "sim" / "outputs" / f"{name}.py" for name in ("chronicle", "worlds",
                                                               "naming")),
        ROOT / "sim" / "calendar.py"]
"""What a chronicle's sentences may be built from besides the scenario file."""
WORD = re.compile(r"[A-Za-z][A-Za-z\u00C0-\u024F]*")


def words(text: str) -> set[str]:
    return {w.lower() for w in WORD.findall(text)}


def literals(path: Path) -> set[str]:
    """The string literals of a module, docstrings and comments left out: its vocabulary."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef))
                  and node.body and isinstance(node.body[0], ast.Expr)
                  and isinstance(node.body[0].value, ast.Constant)}
    return {node.value for node in ast.walk(tree) if isinstance(node, ast.Constant)
            and isinstance(node.value, str) and id(node) not in docstrings}


ENGINE_WORDS = set().union(*(words(text) for path in CODE for text in literals(path)))


def chronicles(name: str, runs: int = 120, seed: int = 4) -> list[str]:
    """Every world of a small run told in full, as chronicle.md would tell it."""
    world = world_of(name)
    summary = {"scenario": name, "seed": seed, "runs": runs}
    texts = []
    for world_id in range(0, runs, 3):
        traced = trace_world(world, seed, runs, runs, world_id)
        texts.append(render(tell(traced), traced, "as asked", summary))
    return texts


@pytest.fixture(scope="module", params=["baseline", "tito_stalin"])
def told(request):
    return request.param, chronicles(request.param)


def test_every_word_comes_from_the_scenario_file_or_the_engine(told):
    name, texts = told
    scenario = (ROOT / "scenarios" / f"{name}.yaml").read_text(encoding="utf-8")
    printed = set().union(*(words(t) for t in texts))
    stray = printed - words(scenario) - ENGINE_WORDS
    assert not stray, f"words in the {name} chronicles from neither its file nor the engine"


def test_no_name_of_any_scenario_is_written_in_the_code():
    """Country-specific words live in scenario files only: no name of a nation, person or
    office of any scenario is a word of the engine's or the chronicle's strings."""
    names = set()
    for scenario in ("baseline", "tito_stalin"):
        world = world_of(scenario)
        for nation in world.nations.values():
            names |= {w for w in WORD.findall(f"{nation.name} {nation.office}") if w[0].isupper()}
        for person in world.persons.values():
            names |= {w for w in WORD.findall(person.name) if w[0].isupper()}
    code = {w for path in CODE for text in literals(path) for w in WORD.findall(text)}
    assert names and not (names & code)


def test_allies_without_a_common_border_are_not_said_to_clash_on_it():
    """A dated war between allies with no common border (alliance.border: false) is told as
    an armed clash, not a border clash; with a border it is on the border."""
    nations = {"a": SimpleNamespace(name="Aland"), "b": SimpleNamespace(name="Bland")}
    for border, wording in ((False, "the first armed clash between Aland and Bland"),
                            (True, "the first armed clash on the border between Aland and Bland")):
        world = SimpleNamespace(members=["a", "b"], alliance=SimpleNamespace(border=border))
        story = SimpleNamespace(world=world, nation=nations.__getitem__)
        assert CLASH_EVENT.tell(None, story) == wording


def test_the_tenure_table_agrees_with_the_events(told):
    name, _ = told
    world = world_of(name)
    for world_id in range(0, 60, 6):
        traced = trace_world(world, 4, 60, 60, world_id)
        entries = tell(traced)
        rows = tenures(traced, entries)
        holders = [(e.shown, e.text) for e in entries if e.kind == "holder"]
        for nation in {r[0] for r in rows}:
            mine = [r for r in rows if r[0] == nation]
            for (_, _, person, start, until), after in zip(mine, mine[1:] + [None],
                                                          strict=True):
                assert any(s == start and person in t for s, t in holders)
                if after is None:
                    assert until == world.horizon
                    continue
                assert until == after[3]    # one tenure ends the day the next begins
                ended = [e for e in entries if e.shown == until and e.kind in (
                    "death", "ouster") and person in e.text]
                cause = [e for e in entries if e.shown == until and e.kind == "juncture"]
                assert ended or cause, (name, world_id, person, month_year(until))


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("rows")
    rows = RowWriter(folder)
    result = run_monte_carlo(world_of("molotov_successor"), settings(400, 9, 200), sink=rows)
    rows.close()
    return folder, result, pq.read_table(folder / "runs.parquet").to_pandas()


def test_worlds_are_picked_by_a_condition_on_their_row(run):
    folder, result, table = run
    where = "choice.secret_speech == 'stay_silent' and split_year > 1965"
    expected = table.query("`choice.secret_speech` == 'stay_silent' and split_year > 1965")
    assert set(matching(table, where)) == set(expected["world"])
    told = write_chronicles(folder, result, folder / "runs.parquet", "earliest",
                            {"scenario": "molotov_successor", "seed": 9, "runs": 400},
                            where=where, count=3)
    assert [t["file"] for t in told] == ["chronicle.md", "chronicle-2.md", "chronicle-3.md"]
    years = [table.loc[t["world"], "split_year"] for t in told]
    assert years == sorted(years) and all(y > 1965 for y in years)
    assert all(w in set(expected["world"]) for w in (t["world"] for t in told))
    assert "among the" in (folder / "chronicle-2.md").read_text()
    held = matching(table, "split_year.isna() and holder_at_split.ussr.isna()")
    assert set(held) == set(table.loc[table.split_year.isna(), "world"])


def test_a_bad_condition_is_refused_in_one_line(run):
    _, result, table = run
    for where in ("split_yeer > 1960", "split_year >", "__import__('os')"):
        with pytest.raises(SettingsError, match="cannot be evaluated") as error:
            choose(table, result.years["split"], "median", where)
        assert "\n" not in str(error.value)
    nobody = choose(table, result.years["split"], "median", "split_year > 3000")
    assert "no world matches" in nobody[0][1]


def test_any_world_of_a_finished_run_is_told_from_its_folder(tmp_path):
    folder = tmp_path / "run"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "run.py", "runs=300", "chunk_size=100", "seed=6",
                           "progress=false", "scenario.forces.threat_weight=0.3",
                           f"hydra.run.dir={folder}"], cwd=ROOT, capture_output=True,
                          text=True, timeout=300, env=env)
    assert done.returncode == 0, done.stderr
    told = subprocess.run([sys.executable, "-m", "sim.outputs.chronicle", str(folder),
                           "world=123"], capture_output=True, text=True, timeout=300, env=env)
    assert told.returncode == 0, told.stderr
    text = (folder / "chronicle-world-123.md").read_text()
    assert "# A chronicle of world 123" in text and "baseline+threat_weight=0.3" in text
    rows = pq.read_table(folder / "runs.parquet").to_pandas()
    split = rows.loc[123, "split_year"]
    assert ("held to the horizon" in text) == bool(np.isnan(split))
    if not np.isnan(split):
        assert f"The alliance split in {month_year(split)}" in text
    summary = json.loads((folder / "summary.json").read_text())
    assert "scenario.forces.threat_weight=0.3" in summary["overrides"]
    bad = subprocess.run([sys.executable, "-m", "sim.outputs.chronicle", str(folder),
                          "where=nonsense >"], capture_output=True, text=True, timeout=300,
                         env=env)
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1
