"""Who held power: the outcomes told apart by who held each office at each milestone, on the
tiny world with a planted answer. A coup of 1952 puts a rival in B's office in about half the
worlds, and only where he rules do the slights come; so at the 1953 milestone his worlds split
and the others never do."""

from __future__ import annotations

import copy

import numpy as np
import pyarrow as pa
import pytest

from sim.analysis.holders import contested, holders_block
from sim.montecarlo import run_monte_carlo
from sim.outputs.report import holders_table
from sim.scenario.validate import parse_world
from tests.conftest import settings
from tests.tiny_world import tiny_scenario

RUNS, SEED, CHUNK = 2000, 3, 700   # three blocks, one of them partial


def coup_world():
    data = tiny_scenario()
    data["history"] = {"milestones": [1951, 1953, 1970]}
    data["persons"]["pb"]["security"] = 0.0
    data["persons"]["rival"] = {**copy.deepcopy(data["persons"]["pb"]), "name": "RIVAL"}
    data["challenges"] = {"coup": {"title": "The coup", "date": "1952-01-01", "nation": "b",
                                   "challengers": ["rival"], "strength": 0.5}}
    for juncture in ("first", "second", "third"):
        data["junctures"][juncture]["requires"] = {"holders": {"b": "rival"}}
    return parse_world(data, "tiny")


@pytest.fixture(scope="module")
def run():
    rows = []
    result = run_monte_carlo(coup_world(), settings(RUNS, SEED, CHUNK), sink=rows.append)
    return result, pa.concat_tables(rows).to_pandas()


def at(block, nation: str, year: str) -> dict:
    rows = block["nations"][nation]["at_milestones"][year]["holders"]
    return {row["holder"]: row for row in rows}


def test_the_worlds_of_the_holder_who_brings_the_slights_split_and_the_others_never(run):
    result, _ = run
    held = at(holders_block(result), "b", "1953")
    assert set(held) == {"pb", "rival"}
    assert held["rival"]["share"] == pytest.approx(0.5, abs=0.05)
    assert held["rival"]["split"]["probability"] > 0.9
    assert held["pb"]["split"]["probability"] == 0.0
    assert sum(row["share"] for row in held.values()) == pytest.approx(1.0)
    before = at(holders_block(result), "b", "1951")
    assert list(before) == ["pb"] and before["pb"]["share"] == 1.0


def test_a_milestone_counts_only_the_worlds_still_allied_then(run):
    result, rows = run
    by_1970 = holders_block(result)["nations"]["b"]["at_milestones"]["1970"]
    assert by_1970["allied_worlds"] == int((~(rows["split_year"] < 1970)).sum())
    held = {row["holder"]: row for row in by_1970["holders"]}
    assert held["pb"]["share"] > 0.9          # the rival's worlds had split by then


def test_the_tally_is_the_count_of_the_rows_of_runs_parquet(run):
    result, rows = run
    for year in ("1951", "1953", "1970"):
        allied = rows[~(rows["split_year"] < float(year))]
        for nation in ("a", "b"):
            column = allied[f"holder_at.{year}.{nation}"].astype(str)
            held = at(holders_block(result), nation, year)
            assert {pid: row["worlds"] for pid, row in held.items()} == \
                column.value_counts().to_dict()
            for pid, row in held.items():
                mine = allied[column == pid]
                assert row["split"]["probability"] == pytest.approx(
                    float(mine["split_year"].notna().mean()))


def test_the_report_shows_the_office_held_by_two_and_not_the_one_held_by_one(run):
    result, _ = run
    block = holders_block(result)
    assert [name for name, _, _ in contested(block)] == ["B"]
    text = "\n".join(holders_table({"holders": block}))
    assert "| RIVAL |" in text and "| B | 1951 | 1953 | 1970 |" in text
    assert "| A |" not in text


def test_a_world_whose_offices_never_change_hands_says_so():
    result = run_monte_carlo(parse_world({**tiny_scenario(), "history": {"milestones": [1960]}},
                                         "tiny"), settings(200, 1, 200))
    block = holders_block(result)
    assert contested(block) == []
    assert "one person held each office" in holders_table({"holders": block})[0]
    allied = int((~(result.years["split"] < 1960)).sum())
    assert np.array_equal(result.holder_tally[0, :, :, 0].sum(axis=1), [allied, allied])
