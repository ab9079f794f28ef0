"""The chronicle: the right world, told in date order, in the scenario's words, and in
agreement with that world's row of runs.parquet."""

from __future__ import annotations

import numpy as np
import pyarrow.parquet as pq
import pytest
from omegaconf import OmegaConf

from sim.errors import SettingsError
from sim.montecarlo import run_monte_carlo
from sim.outputs.chronicle import (
    check_against_row,
    parse_pick,
    pick_world,
    tell,
    tenures,
    trace_world,
    write_chronicle,
)
from sim.outputs.folder import RowWriter
from sim.scenario.validate import parse_world
from tests.conftest import compose_config, settings, world_of
from tests.tiny_world import tiny_scenario

SUMMARY = {"scenario": "baseline", "seed": 11, "runs": 300}


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("run")
    rows = RowWriter(folder)
    result = run_monte_carlo(world_of("baseline"), settings(300, 11, 100), sink=rows)
    rows.close()
    return folder, result, pq.read_table(folder / "runs.parquet").to_pandas()


def test_pick_world_chooses_by_split_date():
    years = np.array([np.nan, 1960.0, 1955.0, 1970.0, np.nan, 1960.0])
    assert pick_world(years, "median")[0] == 1          # median 1960; ties to the lowest id
    assert pick_world(years, "earliest")[0] == 2
    assert pick_world(years, "latest")[0] == 3
    assert pick_world(years, "survivor")[0] == 0
    assert pick_world(years, 5) == (5, "world 5, as asked")
    world, why = pick_world(np.full(3, np.nan), "median")
    assert world == 0 and "no world split" in why
    world, why = pick_world(np.array([1960.0, 1970.0]), "survivor")
    assert world == 1 and "no world held" in why


def test_bad_picks_are_rejected_with_the_choices():
    assert parse_pick("latest", 10) == "latest" and parse_pick(9, 10) == 9
    with pytest.raises(SettingsError, match="allowed: median, earliest, latest, survivor"):
        parse_pick("middle", 10)
    with pytest.raises(SettingsError, match="from 0 to 9"):
        parse_pick(10, 10)


@pytest.mark.parametrize("pick", ["median", "earliest", "latest", "survivor", 157])
def test_chronicle_is_in_date_order_and_agrees_with_runs_parquet(run, tmp_path, pick):
    folder, result, table = run
    told = write_chronicle(tmp_path / "chronicle.md", result, folder / "runs.parquet", pick,
                           SUMMARY)
    entries, row = told["entries"], table.iloc[told["world"]]
    assert row["world"] == told["world"]
    shown = [e.shown for e in entries]
    assert shown == sorted(shown) and [e.year for e in entries] == sorted(e.year for e in entries)
    for kind, column in (("split", "split_year"), ("clash", "clash_year"),
                         ("realignment", "realignment_year")):
        dated = [e.year for e in entries if e.kind == kind]
        assert dated == ([] if np.isnan(row[column]) else [pytest.approx(row[column])])
    junctures = [e for e in entries if e.kind == "juncture"]
    choices = [c for c in table.columns if c.startswith("choice.")]
    assert len(junctures) == row[choices].notna().sum()
    assert len([e for e in entries if e.kind == "polemic"]) == row["polemics"]
    text = (tmp_path / "chronicle.md").read_text()
    assert f"# A chronicle of world {told['world']}" in text
    if pick == "survivor":
        assert np.isnan(row["split_year"]) and "held to the horizon" in text
    if pick == "median":
        split = table["split_year"].dropna()
        assert abs(row["split_year"] - split.median()) <= np.abs(split - split.median()).min()


def test_each_world_tells_its_story_in_its_own_words(run):
    data = OmegaConf.to_container(compose_config(["scenario.persons.stalin.name=Koba",
                                                  "scenario.nations.ussr.name=the Union"]).scenario)
    data.pop("defaults", None)
    for option in data["junctures"]["moscow_visit"]["options"].values():
        option["text"] = "{holder} weighs his options"
    world = parse_world(data, "baseline")
    entries = tell(trace_world(world, 11, 100, 300, 0))
    text = "\n".join(e.text for e in entries)
    assert "Koba weighs his options (" in text
    assert "Koba holds power in the Union as General Secretary." in text
    assert "Joseph Stalin" not in text and "Soviet Union" not in text


def test_a_world_that_does_not_reproduce_its_row_is_refused(run, tmp_path):
    folder, result, table = run
    split = table["split_year"]
    early, late = int(split.idxmin()), int(split.idxmax())
    traced = trace_world(result.world, result.seed, 100, 300, early)
    traced.world_id = late               # the row of another world
    with pytest.raises(RuntimeError, match="does not reproduce"):
        check_against_row(traced, folder / "runs.parquet")


def test_a_leader_installed_by_an_option_is_told_after_the_choice_by_the_one_who_chose():
    world = world_of("lin_biao_coup")
    runs = 200
    for world_id in range(runs):
        traced = trace_world(world, 5, runs, runs, world_id)
        entries = tell(traced)
        coup = [i for i, e in enumerate(entries) if e.text.startswith("*Lin Biao's plot")]
        if coup and "Mao Zedong is overthrown" in entries[coup[0]].text:
            break
    else:
        pytest.fail("no world in which Mao is overthrown by the plot")
    after = entries[coup[0] + 1]
    assert after.kind == "holder" and "Lin Biao is installed in power" in after.text
    assert after.shown == entries[coup[0]].shown


def test_the_tenure_table_agrees_with_the_story(run):
    _, result, _ = run
    traced = trace_world(result.world, result.seed, 100, 300, 7)
    entries = tell(traced)
    told = {(e.text.split(" ")[0], e.shown) for e in entries if e.kind == "holder"}
    for _, _, name, start, _ in tenures(traced, entries):
        assert (name.split(" ")[0], start) in told
    stalin = [t for t in tenures(traced, entries) if t[2] == "Joseph Stalin"][0]
    death = [e for e in entries if e.kind == "death" and "Joseph Stalin" in e.text][0]
    assert stalin[4] == death.shown   # his tenure ends the day the text says he died


def test_each_choice_is_told_as_in_history_or_unlike_it(run):
    _, result, table = run
    world_id = 7
    traced = trace_world(result.world, result.seed, 100, 300, world_id)
    told = [e for e in tell(traced) if e.kind == "juncture"]
    row = table.iloc[world_id]
    for entry in told:
        juncture = next(j for j in result.world.juncture_list
                        if entry.text.startswith(f"*{j.title}.*"))
        took = row[f"choice.{juncture.id}"]
        assert entry.text.endswith("(as in history)." if took == juncture.historical.id
                                   else "(unlike history).")


def test_ranking_only_the_worlds_told_gives_the_same_worlds_in_the_same_order():
    import numpy as np

    from sim.outputs.worlds import rank_worlds

    rng = np.random.default_rng(1)
    years = np.where(rng.random(10_000) < 0.9,
                     np.round(rng.normal(1962, 3, 10_000) * 4) / 4, np.nan)  # many ties
    for pick in ("median", "earliest", "latest", "survivor"):
        for count in (1, 3, 50):
            assert rank_worlds(years, pick, count=count) == rank_worlds(years, pick)[:count]
    ids = np.arange(0, 20_000, 2)
    assert rank_worlds(years, "median", ids, 5) == rank_worlds(years, "median", ids)[:5]


def test_what_a_dated_decision_causes_is_told_on_its_day():
    """A war and a public attack that a juncture dates are told on its day, not at the start or
    middle of the quarter they fall in, so a war is never told before the decision that began
    it; real power given from a date is told from the step it takes effect in, so the text
    never credits a decision to a decider before he decides."""
    def choice(date):
        return {"title": f"choice {date}", "date": date, "actor": "a",
                "options": {"only": {"text": "{holder} chooses", "weight": 1}}}
    data = tiny_scenario()
    data["junctures"] = {"war": {"title": "The war", "date": "1955-02-15", "actor": "a",
                                 "options": {"fight": {"text": "{holder} fights", "weight": 1,
                                                       "effects": {"clash": True,
                                                                   "polemic": {"a": 1}}}}},
                         "before": choice("1956-03-01"), "after": choice("1956-05-01")}
    data["persons"]["qa"] = {**data["persons"]["pa"], "name": "QA"}
    data["nations"]["a"]["real_power"] = [{"person": "qa", "from": "1956-02-10"}]
    entries = tell(trace_world(parse_world(data, "tiny"), 1, 10, 10, 0))
    kinds = [e.kind for e in entries]
    war, clash, attack, power = (entries[kinds.index(k)] for k in
                                 ("juncture", "clash", "polemic", "power"))
    assert kinds.index("juncture") < kinds.index("clash")
    assert war.shown == clash.shown == attack.shown == pytest.approx(1955 + 1 / 12 + 14 / 336)
    assert clash.year == 1955.0   # the model's date, as in runs.parquet, stays the step's
    texts = [e.text for e in entries]
    assert power.shown == 1956.25 and "QA holds real power in A" in power.text
    assert texts.index("*choice 1956-03-01.* A chooses.") < entries.index(power) \
        < texts.index("*choice 1956-05-01.* QA chooses.")


def test_a_challenge_is_told_with_who_moved_against_whom():
    """A failed challenge names its challengers and the holder they moved against, so that a
    reader can tell a purge from a coup that came to nothing."""
    data = tiny_scenario()
    data["persons"]["rival"] = {**data["persons"]["pb"], "name": "RIVAL"}
    data["challenges"] = {"plot": {"title": "The plot", "date": "1950-07-01", "nation": "b",
                                   "challengers": ["rival"], "strength": 0.0}}
    entries = tell(trace_world(parse_world(data, "tiny"), 1, 10, 10, 0))
    told = [e.text for e in entries if e.kind == "challenge"]
    assert told == ["*The plot.* The challenge of RIVAL to B fails and its leaders are swept "
                    "away."]


def test_a_successor_is_named_by_the_title_in_force_on_the_day_he_takes_power():
    """An office retitled on 1 February, and its holder dead on 14 February, within a quarter
    that began on 1 January: the chronicle names the successor's office as it stood when he
    took it, on the day it tells, not as it stood when the step began (a Sino-Vietnamese draft
    found the title of the step's start where the record had changed it)."""
    data = tiny_scenario()
    data["nations"]["b"]["office"] = {1950: "Chairman", "1960-02-01": "First Secretary"}
    data["persons"]["pb"]["died"] = "1960-02-14"
    data["persons"]["qb"] = {**data["persons"]["pb"], "name": "QB", "died": 2000,
                             "contender": {"weight": 1}}
    entries = tell(trace_world(parse_world(data, "tiny"), 1, 10, 10, 0))
    took = [e for e in entries if e.kind == "holder" and "QB" in e.text]
    assert len(took) == 1 and took[0].shown > 1960.1
    assert "QB takes power in B as First Secretary" in took[0].text


def test_a_tenure_across_a_change_of_title_is_given_both_titles():
    """The table of who held power names the office as the holder found it and each title it
    took during his tenure, not the first alone for decades (a Sino-Vietnamese draft)."""
    data = tiny_scenario()
    data["nations"]["b"]["office"] = {1950: "Chairman", "1960-02-01": "First Secretary"}
    traced = trace_world(parse_world(data, "tiny"), 1, 10, 10, 0)
    rows = {(nation, name): office for nation, office, name, _, _ in tenures(traced, tell(traced))}
    assert rows[("B", "B")] == "Chairman; First Secretary from Feb 1960"
    assert rows[("A", "A")] == "leader"
