"""Sensitivity analysis and the search, on a tiny world whose answers are planted."""

from __future__ import annotations

import numpy as np
import pytest

from sim import search
from sim.errors import ScenarioError, SettingsError
from sim.sensitivity import analyse
from sim.studies.variants import measure, with_values
from tests.conftest import ROOT, settings
from tests.tiny_world import tiny_scenario

RESPECT = {"first: respect", "second: respect", "third: respect"}


def test_sensitivity_ranks_first_the_parameter_planted_to_dominate():
    parameters = {
        "scenario.persons.pa.traits.dominance": [0.0, 1.0],     # no effect: status_weight is 0
        "scenario.forces.grievance_weight": [0.0, 1.0],          # decides the split
        "scenario.forces.border_weight": [0.0, 1.0],             # no effect: no border tension
        "scenario.forces.threat_weight": [0.0, 0.1],             # a little glue
    }
    table, points = analyse(tiny_scenario(), "tiny", parameters, settings(300, 3, 2500),
                            samples=6)
    assert table["parameter"].iloc[0] == "scenario.forces.grievance_weight"
    top, rest = table["mu_star"].iloc[0], table["mu_star"].iloc[1:]
    assert top > 0.3 and (rest < top / 3).all()
    assert len(points) == 6 * (len(parameters) + 1)
    assert points["split_probability"].between(0, 1).all()


def test_sobol_also_ranks_the_planted_parameter_first():
    parameters = {"scenario.forces.grievance_weight": [0.0, 1.0],
                  "scenario.forces.border_weight": [0.0, 1.0]}
    table, _ = analyse(tiny_scenario(), "tiny", parameters, settings(200, 3, 2500),
                       method="sobol", samples=16)
    assert table["parameter"].iloc[0] == "scenario.forces.grievance_weight"
    assert table["ST"].iloc[0] > 0.5 > table["ST"].iloc[1]


def test_search_finds_the_planted_smallest_sets(tmp_path):
    scenario = tiny_scenario()
    world = search.variant(scenario, "tiny", {})
    levers = search.juncture_levers(world, {})
    assert len(levers) == 8  # two options at each of four junctures
    evaluator = search.Evaluator(scenario, "tiny", {}, levers, year=1970,
                                 settings=settings(400, 2, 200))
    scores, reached = search.beam_search(evaluator, target=0.5, max_changes=3, beam=4)
    assert max(p for s, (p, _) in scores.items() if len(s) == 1) < 0.3  # one change is not enough
    found = [{levers[i].label for i in s} for s in reached]
    assert len(found) == 3 and all(len(s) == 2 and s <= RESPECT for s in found)
    table = search.findings(evaluator, scores, reached, 0.5, report=5, confirm_runs=1000)
    assert table["changes"].iloc[0] == "(premise only)"
    assert table["probability"].iloc[0] < 0.1
    assert (table["probability"].iloc[1:] > 0.95).all() and table["reaches_target"].iloc[1:].all()
    verdict = search.write(tmp_path, table, scores, reached, levers, 0.5, 1970, "test")
    assert verdict.startswith("3 sets of 2 changes reach the target")
    for name in ("search.parquet", "search.csv", "search.png", "changes.csv", "screened.parquet"):
        assert (tmp_path / name).is_file()


def test_a_premise_removes_its_junctures_from_the_levers():
    premise = {"scenario.junctures.first.options.insult.weight": 0}
    world = search.variant(tiny_scenario(), "tiny", premise)
    groups = {lever.group for lever in search.juncture_levers(world, premise)}
    assert groups == {"juncture:second", "juncture:third", "juncture:decoy"}


def test_trait_levers_use_the_ends_of_the_sources_range(baseline):
    levers = search.trait_levers(baseline, ["mao"])
    prestige = [lv.values[0][1] for lv in levers if lv.group == "trait:mao:prestige_seeking"]
    assert prestige == [0.8, 1.0]  # the triangular range in scenarios/baseline.yaml


def test_measures():
    years = np.array([1960.0, 1970.5, 1971.0, np.nan])
    assert measure("split_probability", years, 1991.0) == 0.75
    assert measure("intact_1970", years, 1991.0) == 0.5
    assert measure("median_split_year", years, 1991.0) == pytest.approx(1970.75)
    with pytest.raises(SettingsError, match="allowed"):
        measure("intact", years, 1991.0)


def test_paths_must_name_scenario_fields():
    with pytest.raises(ScenarioError, match="does not exist"):
        with_values(tiny_scenario(), {"scenario.persons.nobody.traits.dominance": 0.5})
    with pytest.raises(ScenarioError, match="not a scenario field"):
        with_values(tiny_scenario(), {"runs": 5})
    data = with_values(tiny_scenario(), {"scenario.nations.c.threat_scale": 1.2})
    assert data["nations"]["c"]["threat_scale"] == 1.2


@pytest.mark.parametrize("name", ["sensitivity", "search"])
def test_the_shipped_study_configs_name_real_scenario_fields(name):
    """Every path in configs/sensitivity.yaml and configs/search.yaml sets a valid baseline."""
    from hydra import compose, initialize_config_dir
    from omegaconf import OmegaConf

    with initialize_config_dir(config_dir=str(ROOT / "configs"), version_base="1.3"):
        cfg = compose(config_name=name)
    scenario = OmegaConf.to_container(cfg.scenario, resolve=True)
    scenario.pop("defaults", None)
    if name == "sensitivity":
        values = {p: sum(b) / 2 for p, b in cfg.parameters.items()}
    else:
        world = search.variant(scenario, "baseline", {})
        values = search.history_premise(world) | dict(cfg.premise["values"])
        assert search.departure_levers(world, list(cfg.premise["keep"]))
    assert search.variant(scenario, "baseline", values).name == "baseline"


def test_the_search_from_history_finds_the_planted_smallest_departures():
    """History took three insults (any two split the tiny world): the fewest departures that
    keep it whole are two respects, and a departure at the decoy never matters."""
    scenario = tiny_scenario()
    for jid in ("first", "second", "third"):
        scenario["junctures"][jid]["options"]["insult"]["historical"] = True
    scenario["junctures"]["decoy"]["options"]["left"]["historical"] = True
    world = search.variant(scenario, "tiny", {})
    premise = search.history_premise(world)
    assert len(premise) == 4   # one other option at each juncture set to weight 0
    levers = search.departure_levers(world, keep=["third"])
    assert {lv.label for lv in levers} == {"first: respect", "second: respect", "decoy: right"}
    evaluator = search.Evaluator(scenario, "tiny", premise, levers, year=1970,
                                 settings=settings(400, 2, 200))
    scores, reached = search.beam_search(evaluator, target=0.5, max_changes=3, beam=1,
                                         exhaustive=3)
    found = [{levers[i].label for i in s} for s in reached]
    assert found == [{"first: respect", "second: respect"}]
    assert max(p for s, (p, _) in scores.items() if len(s) == 1) < 0.1


def test_variants_run_side_by_side_give_each_the_numbers_it_would_get_alone():
    from sim.montecarlo import run_monte_carlo
    from sim.studies.stacked import simulate_stack
    from tests.conftest import world_of

    world = world_of("baseline")
    alone = run_monte_carlo(world, settings(300, 7, 2500)).years["split"]
    forced_alone = run_monte_carlo(world_of("baseline", [
        "scenario.junctures.advisers.options.withdraw.weight=0"]), settings(300, 7, 2500))
    same, forced, again = simulate_stack(world, [{}, {"advisers": 1}, {}], 300, 7)
    np.testing.assert_array_equal(same, alone)
    np.testing.assert_array_equal(again, alone)
    np.testing.assert_array_equal(forced, forced_alone.years["split"])
    assert not np.array_equal(forced, alone, equal_nan=True)
