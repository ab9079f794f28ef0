"""Calibration against the record and counterfactuals given history, on the tiny world where the
answers are known: re-running kept worlds exactly, matching evidence, recovering planted
parameters, the probability of necessity computed by hand, and one-line refusals."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from sim.calibrate import calibrate, digest
from sim.calibration.abc import run_pass
from sim.calibration.evidence import items_of, match_all, matched_in_row
from sim.calibration.given import counterfactual, figures, find_posterior
from sim.calibration.kept import rerun, simulate_kept
from sim.engine.model import AllianceModel
from sim.engine.schedule import OUTCOMES
from sim.engine.streams import Streams
from sim.errors import ScenarioError, SettingsError
from sim.montecarlo import simulate_block
from sim.scenario.validate import parse_world
from tests.conftest import ROOT, settings
from tests.tiny_world import tiny_scenario

SPLIT_ANYTIME = {"outcome": "split", "within": ["1950-01-01", "1975-01-01"]}


def tiny_data(**evidence) -> dict:
    data = tiny_scenario()
    data["history"] = {"evidence": evidence}
    return data


class Counting(Streams):
    """Streams that record how many values each draw asked for."""

    def __init__(self, seed, block, sizes):
        super().__init__(seed, block)
        self.sizes = sizes

    def __call__(self, name):
        rng, sizes = super().__call__(name), self.sizes

        class Spy:
            def __getattr__(self, method):
                def draw(*args, **kwargs):
                    sizes.add(args[-1] if args else kwargs.get("size"))
                    return getattr(rng, method)(*args, **kwargs)
                return draw
        return Spy()


@pytest.mark.parametrize("which", ["tiny", "baseline"])
def test_every_draw_asks_for_exactly_n_worlds_values(which, baseline):
    world = parse_world(tiny_data(), "tiny") if which == "tiny" else baseline
    sizes: set = set()
    AllianceModel(world, 37, Counting(1, 0, sizes)).run()
    assert sizes == {37}


def test_kept_worlds_rerun_give_the_full_runs_rows_bit_for_bit():
    data = tiny_data(split=SPLIT_ANYTIME)
    data["forces"]["grievance_weight"] = {"uniform": [0.3, 0.7]}
    data["junctures"]["second"]["date"] = {"uniform": ["1956-01-01", "1958-01-01"]}
    world = parse_world(data, "tiny")
    runs, chunk = 900, 300
    full = pa.concat_tables([simulate_block(world, 4, b, b * chunk, chunk).rows
                             for b in range(3)])
    kept = np.array([0, 7, 299, 300, 301, 650, 899])
    rows = simulate_kept(world, 4, chunk, runs, kept)
    expected = full.take(pa.array(kept))
    assert rows.column_names == expected.column_names
    assert all(rows.column(c).equals(expected.column(c)) for c in expected.column_names)
    assert rerun(world, kept, 4, chunk, runs, groups=2).equals(rows)


def test_evidence_matches_by_the_step_a_day_falls_in():
    data = tiny_data(
        a_leads={"holder": "pa", "nation": "a", "in_office": ["1960-05-01"],
                 "until": "1970-02-01", "tolerance": 0.5},
        split_early={"outcome": "split", "date": "1957-02-01", "tolerance": 0.25},
        no_split={"outcome": "split", "none_by": "1958-01-01"})
    data["junctures"]["first"]["options"]["insult"]["historical"] = True
    world = parse_world(data, "tiny")
    table = pa.table({
        "tenure.pa.from": [1950.0, 1950.0, None, 1950.0],
        "tenure.pa.until": [1970.0, 1960.25, None, None],
        "split_year": [1957.0, 1957.5, None, 1956.5],
        "choice.first": ["insult", "respect", None, "insult"],
    })
    hits = match_all(items_of(world), world, table)
    assert hits["a_leads"].tolist() == [True, False, False, False]
    assert hits["split_early"].tolist() == [True, False, False, False]
    assert hits["no_split"].tolist() == [False, False, True, False]
    assert hits["choice.first"].tolist() == [True, False, False, True]
    row = {"tenure.pa.from": 1950.0, "tenure.pa.until": 1970.0, "split_year": 1957.0,
           "choice.first": "insult"}
    assert matched_in_row(world, row) == {"a_leads": True, "split_early": True,
                                          "no_split": False, "choice.first": True}


@pytest.mark.slow
def test_conditioning_on_data_simulated_from_known_values_recovers_them():
    """Plant adjustment_rate = 1: simulate one world, take its choices and split date as the
    record, and keep the worlds drawn from a wide prior that match it.

    A 90% interval covers the truth in 90% of such records, so any one record may miss it:
    of the records of seeds 11 to 16 (five distinct), those of 12 to 16 are covered."""
    truth = parse_world(tiny_data(), "tiny")
    rows = simulate_block(truth, 13, 0, 0, 50).rows.to_pylist()
    observed = next(r for r in rows if r["split_year"] is not None)
    data = tiny_data(split={"outcome": "split", "date": observed["split_year"]})
    for jid in ("first", "second", "third"):   # a juncture that did not arise marks nothing
        if observed[f"choice.{jid}"] is not None:
            data["junctures"][jid]["options"][observed[f"choice.{jid}"]]["historical"] = True
    data["forces"]["adjustment_rate"] = {"uniform": [0.2, 3.0]}
    world = parse_world(data, "tiny")
    summary = calibrate(world, settings(20000, 5, 5000))
    posterior = summary["parameters"]["forces.adjustment_rate"]
    low, high = posterior["posterior"]["interval90"]
    assert summary["acceptance"]["kept"] > 200
    assert low <= 1.0 <= high
    assert posterior["width_ratio"] < 0.6


@pytest.mark.slow
def test_the_probability_of_necessity_matches_the_case_computed_by_hand():
    """Two insults of three split the tiny world, each at odds 9:1. With the first slight made
    a show of respect, the worlds that split in history but not with the change are those
    with exactly two insults, the first among them: 2 * 0.9 * 0.9 * 0.1 / 0.972 = 1/6."""
    world = parse_world(tiny_data(split=SPLIT_ANYTIME), "tiny")
    runs, chunk = 30000, 10000
    result = run_pass(world, items_of(world), ["split"], settings(runs, 8, chunk))
    kept = result.kept()
    assert abs(len(kept) / runs - 0.972) < 0.005
    changed = tiny_data(split=SPLIT_ANYTIME)
    changed["junctures"]["first"]["options"]["insult"]["weight"] = 0
    rows = rerun(parse_world(changed, "tiny"), kept["world"], 8, chunk, runs)
    changed_years = {o.id: np.asarray(rows.column(o.column).to_numpy(zero_copy_only=False),
                                      dtype=float) for o in OUTCOMES}
    factual = {o.id: kept[o.column].to_numpy(dtype=float) for o in OUTCOMES}
    necessity = figures(changed_years, factual, "changed", "tiny", 8)["necessity"]
    assert abs(necessity["probability"] - 1 / 6) < 0.008
    assert necessity["ci95"][0] < 1 / 6 < necessity["ci95"][1]


def test_a_holdout_that_does_not_exist_is_refused_in_one_line():
    world = parse_world(tiny_data(split=SPLIT_ANYTIME), "tiny")
    with pytest.raises(SettingsError) as error:
        calibrate(world, settings(100, 1, 100), holdout="splt")
    assert str(error.value) == ("unknown evidence 'splt' (did you mean 'split'?); allowed: "
                                "split")


def test_no_calibration_found_is_refused_in_one_line(tmp_path):
    with pytest.raises(SettingsError) as error:
        find_posterior("tiny", root=tmp_path)
    assert str(error.value).startswith("no finished calibration of 'tiny' under ")
    assert "\n" not in str(error.value)


def test_given_history_reruns_the_kept_worlds_and_refuses_a_changed_reference(tmp_path):
    data = tiny_data(split=SPLIT_ANYTIME)
    priors = {"scenario.forces.grievance_weight": {"uniform": [0.4, 0.6]}}
    from sim.calibrate import prior_world

    folder = tmp_path / "tiny" / "2026-01-01_00-00-00"
    folder.mkdir(parents=True)
    summary = calibrate(prior_world(data, "tiny", priors), settings(3000, 2, 1000),
                        folder=folder)
    summary.update(priors=priors, scenario_digest=digest(data))
    (folder / "summary.json").write_text(json.dumps(summary))
    changed = tiny_data(split=SPLIT_ANYTIME)
    changed["junctures"]["first"]["options"]["insult"]["weight"] = 0
    changed["divergence"] = "1955-01-01: the first slight is respect"
    block = counterfactual("history", "respect", changed, "tiny", data,
                           settings(10, 2, 1000), root=tmp_path)
    assert block["kept_worlds"] == summary["acceptance"]["kept"]
    assert block["outcomes"]["split"]["factual"] == 1.0
    assert 0.05 < block["necessity"]["probability"] < 0.35
    from sim.calibration.text import given_lines

    text = "\n".join(given_lines({"title": "t", "runs": 10, "outcomes": block["outcomes"],
                                   "given": block}))
    assert "(b) given history" in text and "Probability of necessity of the split" in text
    before = counterfactual("before", "respect", changed, "tiny", data,
                            settings(10, 2, 1000), root=tmp_path)
    assert before["evidence"] == [] and before["kept_worlds"] == 3000
    edited = tiny_data(split={"outcome": "split", "within": ["1951-01-01", "1975-01-01"]})
    with pytest.raises(SettingsError, match="made from another version of 'tiny'"):
        counterfactual("history", "respect", changed, "tiny", edited, settings(10, 2, 1000),
                       root=tmp_path)
    del changed["divergence"]
    with pytest.raises(SettingsError, match="states no date of divergence"):
        counterfactual("before", "respect", changed, "tiny", data, settings(10, 2, 1000),
                       root=tmp_path)


def test_the_commands_refuse_bad_input_in_one_line(tmp_path):
    done = subprocess.run([sys.executable, "-m", "sim.calibrate", "holdout=nope", "runs=100",
                           f"hydra.run.dir={tmp_path / 'c'}"], cwd=ROOT, capture_output=True,
                          text=True)
    assert done.returncode != 0
    assert done.stderr.strip().splitlines()[-1].startswith("error: unknown evidence 'nope'")
    done = subprocess.run([sys.executable, "run.py", "given=history",
                           f"posterior={tmp_path / 'none'}", f"hydra.run.dir={tmp_path / 'r'}"],
                          cwd=ROOT, capture_output=True, text=True)
    assert done.returncode != 0
    assert done.stderr.strip().splitlines()[-1].startswith("error: posterior=")
    assert not (tmp_path / "r").exists()


def test_a_history_check_may_test_the_share_of_worlds_matching_a_piece():
    from sim.analysis.history import history_check
    from sim.calibration.evidence import evidence_block

    data = tiny_data(split=SPLIT_ANYTIME)
    data["history"]["checks"] = [{"name": "splits at all", "statistic": "evidence",
                                  "evidence": "split", "within": [0.9, 1.0]}]
    world = parse_world(data, "tiny")
    block, hits = evidence_block(world, simulate_block(world, 3, 0, 0, 500).rows)
    assert 0.93 < block["split"]["share"] < 1.0
    (check,) = history_check(world.history_checks, None, hits)
    assert check.passed and check.target == "0.90 to 1.00 of worlds match split"
    data["history"]["checks"][0]["evidence"] = "splitt"
    with pytest.raises(ScenarioError, match=r"^unknown evidence 'splitt' in history.checks\[0\] "
                                            r"\(did you mean 'split'\?\); allowed: split$"):
        parse_world(data, "tiny")


def test_the_evidence_of_a_file_is_read_a_row_group_at_a_time_with_the_same_shares(tmp_path):
    import pyarrow.parquet as pq

    from sim.calibration.evidence import evidence_block

    world = parse_world(tiny_data(split=SPLIT_ANYTIME), "tiny")
    rows = simulate_block(world, 3, 0, 0, 500).rows
    pq.write_table(rows, tmp_path / "runs.parquet", row_group_size=120)
    assert pq.ParquetFile(tmp_path / "runs.parquet").num_row_groups == 5
    assert evidence_block(world, tmp_path / "runs.parquet") == evidence_block(world, rows)


PRIORS = sorted((ROOT / "configs" / "priors").glob("*.yaml"))


@pytest.mark.parametrize("path", PRIORS, ids=lambda p: p.stem)
def test_each_world_with_priors_has_a_record_its_priors_fit(path):
    """A priors file names fields of its own world (a renamed field would be refused), and the
    world has dated facts to keep worlds by."""
    import yaml

    from sim.calibrate import prior_world
    from sim.calibration.evidence import select
    from sim.scenario.library import composed_data

    priors = yaml.safe_load(path.read_text())
    world = prior_world(composed_data(path.stem), path.stem, priors)
    assert len(select(items_of(world), "facts")) >= 4


@pytest.mark.parametrize("path", PRIORS, ids=lambda p: p.stem)
def test_each_fact_of_each_world_is_possible_in_its_own_model(path):
    """Every dated fact of a world's record is matched by at least 1% of 2,000 worlds at the
    file's own values: a fact whose date, holder or window the model cannot reach (a typo, a
    step the date falls outside of) would keep no world."""
    from sim.scenario.library import composed_data

    world = parse_world(composed_data(path.stem), path.stem)
    summary = calibrate(world, settings(2000, 1950, 2000), evidence="facts")
    shares = {name: piece["share_matching"]
              for name, piece in summary["acceptance"]["pieces"].items() if piece["used"]}
    assert shares and min(shares.values()) >= 0.01, shares


def test_a_scenario_with_no_priors_of_its_own_is_refused_in_one_line(tmp_path):
    done = subprocess.run([sys.executable, "-m", "sim.calibrate",
                           "scenario=molotov_successor", "runs=100",
                           f"hydra.run.dir={tmp_path / 'molotov'}"], cwd=ROOT,
                          capture_output=True, text=True)
    assert done.returncode != 0
    assert done.stderr.strip().splitlines()[-1] == (
        "error: scenario 'molotov_successor' has no priors of its own: write "
        "configs/priors/molotov_successor.yaml (configs/priors/baseline.yaml shows the form), "
        "or give priors=NAME to use another world's")
    assert not (tmp_path / "molotov").exists()
    done = subprocess.run([sys.executable, "-m", "sim.calibrate", "priors=nonexistent",
                           "runs=100", f"hydra.run.dir={tmp_path / 'none'}"], cwd=ROOT,
                          capture_output=True, text=True)
    assert done.returncode != 0   # Hydra's `optional` drops a missing file without a word
    assert done.stderr.strip().splitlines()[-1].startswith(
        "error: no priors composed: priors= must name one of baseline, ")


def test_a_world_is_calibrated_with_its_own_priors(tmp_path):
    done = subprocess.run([sys.executable, "-m", "sim.calibrate", "scenario=soviet_egypt",
                           "runs=2000", "chunk_size=1000", "progress=false",
                           f"hydra.run.dir={tmp_path / 'egypt'}"], cwd=ROOT,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    priors = json.loads((tmp_path / "egypt" / "summary.json").read_text())["priors"]
    assert priors["scenario.forces.adjustment_rate"] == {"lognormal": [2.0, 0.7]}   # its own,
    assert "scenario.persons.sadat.security" in priors                             # not the
    assert "scenario.forces.entrapment_weight" not in priors                       # baseline's


def test_a_record_with_no_dated_facts_is_refused_when_facts_are_asked_for():
    data = tiny_scenario()
    data["junctures"]["first"]["options"]["insult"]["historical"] = True
    world = parse_world(data, "tiny")
    with pytest.raises(SettingsError, match="has no history.evidence to keep worlds by"):
        calibrate(world, settings(100, 1, 100), evidence="facts")
    assert calibrate(world, settings(100, 1, 100), evidence="all")["evidence_used"] == [
        "choice.first"]


def test_what_was_known_before_includes_the_outcomes_that_had_not_yet_come(tmp_path):
    """Given only what was known at a divergence, the kept worlds are those in which no outcome
    the record dates later had come by then: a contemporary knew the alliance had not split."""
    from sim.calibrate import prior_world
    from sim.calibration.evidence import not_yet

    late = {"outcome": "split", "within": ["1962-01-01", "1975-01-01"]}
    data = tiny_data(split=late, clash_free={"outcome": "border_clash", "none_by": "1975-01-01"},
                     turn={"outcome": "realignment", "nation": "b", "power": "c",
                           "within": ["1962-01-01", "1975-01-01"]},
                     early={"outcome": "split", "date": "1956-01-01", "tolerance": 2})
    items = items_of(parse_world(data, "tiny"))
    assert not_yet(items, 1955.0) == ["split", "border_clash"]   # not the ally's own turn
    assert not_yet(items, 1962.5) == ["border_clash"]
    data = tiny_data(split=late)
    priors = {"scenario.forces.grievance_weight": {"uniform": [0.4, 0.6]}}
    folder = tmp_path / "tiny" / "2026-01-01_00-00-00"
    folder.mkdir(parents=True)
    summary = calibrate(prior_world(data, "tiny", priors), settings(3000, 2, 1000),
                        folder=folder, evidence="facts")
    summary.update(priors=priors, scenario_digest=digest(data))
    (folder / "summary.json").write_text(json.dumps(summary))
    changed = tiny_data(split=late)
    changed["divergence"] = "1958-01-01: nothing changes but the question"
    before = counterfactual("before", "same", changed, "tiny", data, settings(10, 2, 1000),
                            root=tmp_path)
    assert before["evidence"] == [] and before["not_yet"] == ["split"]
    worlds = pq.read_table(folder / "worlds.parquet").to_pandas()
    early = (worlds["split_year"] < 1958).sum()
    assert early > 100                                    # some worlds had split by 1958 ...
    assert before["kept_worlds"] == 3000 - early          # ... and they are not kept
    assert before["outcomes"]["split"]["factual"] < 1.0
