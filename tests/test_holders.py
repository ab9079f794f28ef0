"""Who held power: the outcomes told apart by who held each office at each milestone, on the
tiny world with a planted answer. A coup of 1952 puts a rival in B's office in about half the
worlds, and only where he rules do the slights come; so at the 1953 milestone his worlds split
(and B turns to C, open to it) and the others never do."""

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


def coup_world(date: str = "1952-01-01", milestones=(1951, 1953, 1970)):
    data = tiny_scenario()
    data["history"] = {"milestones": list(milestones)}
    data["persons"]["pb"]["security"] = 0.0
    data["persons"]["rival"] = {**copy.deepcopy(data["persons"]["pb"]), "name": "RIVAL"}
    data["challenges"] = {"coup": {"title": "The coup", "date": date, "nation": "b",
                                   "challengers": ["rival"], "strength": 0.5}}
    for juncture in ("first", "second", "third"):
        data["junctures"][juncture]["requires"] = {"holders": {"b": "rival"}}
    data["nations"]["c"].update(openness_to={"a": 0.0, "b": 1.0}, aid_to={"b": 0.5})
    data["forces"]["realignment_rate"] = 2.0
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
    assert held["rival"]["realignment"]["probability"] > 0.5
    assert held["pb"]["split"]["probability"] == held["pb"]["realignment"]["probability"] == 0.0
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
                assert row["realignment"]["probability"] == pytest.approx(
                    float((mine["realignment_year"] >= float(year)).mean()))


def test_the_report_shows_the_office_held_by_two_and_not_the_one_held_by_one(run):
    result, rows = run
    block = holders_block(result)
    assert [office["name"] for office in contested(block)] == ["B"]
    text = "\n".join(holders_table({"holders": block}))
    assert "| B | 1951 | 1953 | 1970 |" in text and "| A |" not in text
    held = at(block, "b", "1953")
    assert f"| RIVAL | - | {held['rival']['share']:.0%} / " in text
    allied = int((~(rows["split_year"] < 1970)).sum())
    assert f"| *worlds still allied* | {RUNS:,} | {RUNS:,} | {allied:,} |" in text


@pytest.mark.parametrize(("date", "counted"), [("1952-10-01", True), ("1953-01-01", False)])
def test_the_holder_at_a_milestone_is_the_one_in_office_as_the_year_begins(date, counted):
    """The coup in the last quarter before the milestone counts there; one on its first day
    does not (it is in office only from that day)."""
    result = run_monte_carlo(coup_world(date, milestones=(1953,)), settings(400, 2, 400))
    rival = at(holders_block(result), "b", "1953").get("rival")
    assert (rival is not None and rival["share"] > 0.3) == counted


def test_a_milestone_on_the_start_date_names_the_first_holder():
    result = run_monte_carlo(coup_world("1950-01-01", milestones=(1950, 1951)),
                             settings(400, 2, 400))
    block = holders_block(result)
    assert list(at(block, "b", "1950")) == ["pb"]
    assert at(block, "b", "1951")["rival"]["share"] > 0.3


def test_a_world_whose_offices_never_change_hands_says_so():
    result = run_monte_carlo(parse_world({**tiny_scenario(), "history": {"milestones": [1960]}},
                                         "tiny"), settings(200, 1, 200))
    block = holders_block(result)
    assert contested(block) == []
    assert holders_table({"holders": block})[0].startswith("At no milestone did two persons")
    allied = int((~(result.years["split"] < 1960)).sum())
    assert np.array_equal(result.holder_tally[0, :, :, 0].sum(axis=1), [allied, allied])
