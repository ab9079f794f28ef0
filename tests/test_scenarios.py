"""The scenario library: each point of divergence takes effect, the comparison with history is
paired, and the second world splits when history says it did.

That every file composes and runs is tests/test_scenarios_compose.py. Runs here are small (a
few hundred to two thousand worlds) with fixed seeds; each assertion checks a mechanism that a
broken divergence would miss by a wide margin.
"""

from functools import cache

import numpy as np
import pytest
from omegaconf import OmegaConf

from sim.analysis.compare import compare
from sim.analysis.history import history_check
from sim.engine.model import AllianceModel
from sim.engine.processes.junctures import Junctures
from sim.engine.streams import Streams
from sim.errors import ScenarioError
from sim.montecarlo import run_monte_carlo, simulate_block
from sim.scenario.validate import parse_world
from sim.scenario_table import write_table
from tests.conftest import ROOT, SCENARIOS, compose_config, settings
from tests.conftest import world_of as compose_world

COUNTERFACTUALS = [s for s in SCENARIOS if s not in ("baseline", "tito_stalin")]
SEED = 3


@cache
def world_of(name: str):
    """The composed World of a scenario, composed once per test session (Worlds are frozen)."""
    return compose_world(name)


def model_until(scenario: str, year: float, n: int = 400) -> AllianceModel:
    """A model of `n` worlds stepped up to the step in which `year` falls."""
    world = world_of(scenario)
    model = AllianceModel(world, n, Streams(SEED, 0))
    for _ in range(world.step_of(year) + 1):
        model.step()
    return model


def holder_share(model: AllianceModel, nation: str, person: str, worlds=None) -> float:
    """Share of `worlds` (default all) in which `person` holds `nation`'s office now."""
    holder = model.ally(nation).holder
    mask = np.ones(model.n_worlds, bool) if worlds is None else worlds
    return float(np.mean(holder[mask] == model.cast.row(person)))


def alive(model: AllianceModel, person: str) -> np.ndarray:
    row = model.cast.row(person)
    return model.cast.death_year[row] > model.years[model.t - 1]


def test_the_library_is_complete():
    expected = {
        "molotov_successor", "kaganovich_successor", "stalin_purges_bureaucracy",
        "liu_shaoqi_leads", "soviet_model_china", "moderates_prevail", "lin_biao_coup",
        "mao_welcomed_as_equal", "korean_arms_gift", "no_joint_fleet", "soviets_back_china",
        "cautious_diplomacy", "hard_us", "no_us_threat",
    }
    assert expected <= set(COUNTERFACTUALS)


@pytest.mark.parametrize("name", COUNTERFACTUALS + ["tito_stalin"])
def test_every_scenario_file_opens_with_its_header(name):
    text = (ROOT / "scenarios" / f"{name}.yaml").read_text(encoding="utf-8")
    assert text.startswith("# ")
    header = text.split("\n\n")[0] + text.split("defaults:")[0]
    assert f"python run.py scenario={name}" in header
    scenario = compose_config([f"scenario={name}"]).scenario
    for key in ("title", "divergence", "claim"):
        assert scenario.get(key), key
    if name != "tito_stalin":
        assert scenario.title != world_of("baseline").title


@pytest.mark.parametrize("name", COUNTERFACTUALS)
def test_options_switched_off_are_never_taken(name):
    """An option a scenario gives weight 0 is taken in no world; its juncture is still held."""
    world = world_of(name)
    rows = simulate_block(world, SEED, 0, 0, 400).rows
    for juncture in world.juncture_list:
        column = rows[f"choice.{juncture.id}"].to_pylist()
        for option in juncture.option_list:
            if option.weight == 0:
                assert option.id not in column, (juncture.id, option.id)


def test_korean_arms_are_a_gift():
    rows = simulate_block(world_of("korean_arms_gift"), SEED, 0, 0, 400).rows
    assert set(rows["choice.korean_arms"].to_pylist()) == {"gift"}
    history = simulate_block(world_of("baseline"), SEED, 0, 0, 400).rows
    assert history["choice.korean_arms"].to_pylist().count("charge") > 100


@pytest.mark.parametrize("name, person", [("molotov_successor", "molotov"),
                                          ("kaganovich_successor", "kaganovich")])
def test_the_successor_takes_stalins_office(name, person):
    after = model_until(name, 1953.4)
    assert holder_share(after, "ussr", person) > 0.98
    assert holder_share(model_until("baseline", 1953.4), "ussr", person) < 0.3


def test_no_secret_speech_under_molotov():
    rows = simulate_block(world_of("molotov_successor"), SEED, 0, 0, 400).rows
    assert "denounce" not in rows["choice.secret_speech"].to_pylist()


def test_stalin_lives_on_and_purges():
    model = model_until("stalin_purges_bureaucracy", 1956.0)
    assert holder_share(model, "ussr", "stalin") > 0.8
    assert set(model.get(Junctures).choices["soviet_purge"].tolist()) == {0}   # 0: purge
    assert holder_share(model_until("baseline", 1956.0), "ussr", "stalin") == 0


def test_liu_shaoqi_leads_from_the_start():
    model = model_until("liu_shaoqi_leads", 1949.8)
    assert holder_share(model, "prc", "liu_shaoqi") > 0.98


@pytest.mark.parametrize("name, year, person", [("moderates_prevail", 1962.2, "liu_shaoqi"),
                                                ("lin_biao_coup", 1971.8, "lin_biao")])
def test_the_installed_leader_takes_office_where_alive(name, year, person):
    model = model_until(name, year)
    living = alive(model, person)
    assert living.mean() > 0.8
    assert holder_share(model, "prc", person, living) > 0.97
    assert holder_share(model_until("baseline", year), "prc", person) < 0.2


def test_no_cultural_revolution_when_the_moderates_prevail():
    rows = simulate_block(world_of("moderates_prevail"), SEED, 0, 0, 400).rows
    assert "launch" not in rows["choice.cultural_revolution"].to_pylist()


def test_cautious_leaders_are_less_impulsive_in_every_world():
    calm = AllianceModel(world_of("cautious_diplomacy"), 300, Streams(SEED, 0))
    hot = AllianceModel(world_of("baseline"), 300, Streams(SEED, 0))
    for person in ("khrushchev", "mao"):
        i = hot.cast.row(person)
        shift = calm.cast.trait["impulsiveness"][i] - hot.cast.trait["impulsiveness"][i]
        np.testing.assert_allclose(shift, -0.2, atol=1e-9)


@pytest.mark.parametrize("name, scale", [("no_us_threat", 0.0), ("hard_us", 1.3)])
def test_the_us_threat_is_scaled(name, scale):
    ours = AllianceModel(world_of(name), 10, Streams(SEED, 0)).outside[0].threat
    history = AllianceModel(world_of("baseline"), 10, Streams(SEED, 0)).outside[0].threat
    for nation in ("ussr", "prc"):
        np.testing.assert_allclose(ours[nation], scale * history[nation])


def test_the_comparison_pairs_worlds_on_the_same_seeds():
    """For a scenario close to history the paired interval is far narrower than the unpaired."""
    runs = 2000
    ours = run_monte_carlo(world_of("mao_welcomed_as_equal"), settings(runs, SEED, 1000))
    history = run_monte_carlo(world_of("baseline"), settings(runs, SEED, 1000))
    split = compare(ours, history)["split"]
    paired = split["ci95"][1] - split["ci95"][0]
    unpaired = split["ci95_unpaired"][1] - split["ci95_unpaired"][0]
    assert paired < 0.6 * unpaired
    # and most worlds agree: the same seeds give the same world but for the divergence
    a, b = (~np.isnan(r.years["split"]) for r in (ours, history))
    assert np.mean(a == b) > 0.9


def test_each_world_names_its_reference():
    assert compose_config(["scenario=molotov_successor"]).compare_with == "baseline"
    assert compose_config(["scenario=baseline"]).compare_with == "baseline"
    assert compose_config(["scenario=tito_stalin"]).compare_with == "tito_stalin"
    assert compose_config(["scenario=tito_stalin", "compare_with=null"]).compare_with is None


def test_compare_with_must_be_a_name():
    cfg = compose_config(["scenario=tito_stalin"])
    data = OmegaConf.to_container(cfg.scenario)
    data.pop("defaults", None)
    data["compare_with"] = 5
    with pytest.raises(ScenarioError, match="compare_with"):
        parse_world(data, "tito_stalin")


def test_the_second_world_splits_in_1947_1949():
    world = world_of("tito_stalin")
    assert world.steps_per_year == 12
    result = run_monte_carlo(world, settings(2000, SEED, 1000))
    split = result.years["split"]
    happened = split[~np.isnan(split)]
    assert happened.size > 0.6 * split.size
    assert np.mean((happened >= 1947) & (happened < 1950)) > 0.8
    assert 1947 <= np.median(happened) < 1950
    checks = history_check(world.history_checks, result)
    assert all(c.passed for c in checks), [c.as_dict() for c in checks if not c.passed]


def test_the_scenario_table_is_generated(tmp_path):
    from hydra import compose, initialize_config_dir

    from sim.paths import CONFIGS

    with initialize_config_dir(config_dir=str(CONFIGS), version_base="1.3"):
        cfg = compose(config_name="scenario_table", overrides=["runs=200", "seed=5",
                                                               f"out={tmp_path}"])
        write_table(cfg, "python -m sim.scenario_table runs=200 seed=5")
    text = (tmp_path / "scenarios.md").read_text(encoding="utf-8")
    assert "python -m sim.scenario_table runs=200 seed=5" in text
    rows = [line for line in text.splitlines() if line.startswith("| ") and "`" in line]
    assert len(rows) == len(SCENARIOS)
    # each scenario's reference as run.py resolves it: a counterfactual of the baseline is
    # compared with it; a world that compares with itself is a reference world of its own
    reference = {name: compose_config([f"scenario={name}"]).compare_with for name in SCENARIOS}
    of_baseline = [n for n in SCENARIOS if n != "baseline" and reference[n] == "baseline"]
    of_their_own = [n for n in SCENARIOS if reference[n] == n]
    assert {"baseline", "tito_stalin", "soviet_egypt", "sino_north_korea"} <= set(of_their_own)
    assert set(COUNTERFACTUALS) - {"soviet_egypt", "sino_north_korea"} <= set(of_baseline)
    assert sum("vs baseline" in row for row in rows) == len(of_baseline)
    assert sum("reference world" in row for row in rows) == len(of_their_own)
    for name in of_their_own:
        row = next(row for row in rows if f"`{name}`" in row)
        assert f"reference world ({name})" in row, row
    assert (tmp_path / "scenarios.png").stat().st_size > 10_000
