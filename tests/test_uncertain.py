"""Fields drawn per world: distributions on forces, dates and other scalars, their bounds, their
streams, and what the engine does with them."""

from __future__ import annotations

import numpy as np
import pytest

from sim.errors import ScenarioError
from sim.montecarlo import simulate_block
from sim.scenario.uncertain import Distribution, to_uncertain
from sim.scenario.validate import parse_world
from tests.tiny_world import tiny_scenario


def tiny(**changes):
    data = tiny_scenario()
    for path, value in changes.items():
        node = data
        keys = path.split("__")
        for key in keys[:-1]:
            node = node[key]
        node[keys[-1]] = value
    return parse_world(data, "tiny")


def test_a_number_stays_a_number():
    world = tiny()
    assert isinstance(world.forces.grievance_weight, float)
    rows = simulate_block(world, 3, 0, 0, 50).rows
    assert not [c for c in rows.column_names if c.startswith("param.")]


@pytest.mark.parametrize("spec", [{"uniform": [0.2, 0.8]}, {"triangular": [0.2, 0.5, 0.8]},
                                  {"normal": [0.5, 0.2]}, {"lognormal": [0.5, 0.5]},
                                  {"beta": [2, 3]}])
def test_every_distribution_stays_in_the_fields_range(spec):
    dist = to_uncertain(spec, 0.0, 1.0)
    values = dist.quantile(np.linspace(0, 1, 1001))
    assert np.all((values >= 0.0) & (values <= 1.0))
    assert dist.interval(0.9)[0] < dist.median < dist.interval(0.9)[1]


def test_a_truncated_normal_has_the_right_shape():
    dist = Distribution("normal", (0.0, 1.0), -1.0, 1.0)
    from scipy import stats

    u = np.random.default_rng(0).random(200000)
    values = dist.quantile(u)
    assert abs(values.std() - stats.truncnorm(-1, 1).std()) < 0.005


@pytest.mark.parametrize(("path", "value", "message"), [
    ("forces__grievance_weight", {"uniform": [0.2, 6.0]},
     "forces.grievance_weight.uniform = 6.0 is outside the allowed range [0.0, 5.0]"),
    ("forces__noise", {"normal": [1.5, 0.1]},
     "forces.noise.normal centre 1.5 is outside the allowed range [0.0, 1.0]"),
    ("forces__clash_rate", {"beta": [2, 2]}, "forces.clash_rate.beta is only for fields in [0, 1]"),
    ("forces__noise", {"gamma": [1, 2]}, "unknown distribution 'gamma' in forces.noise"),
    ("junctures__first__date", {"uniform": ["1956-01-01", "1980-01-01"]},
     "junctures.first.date = 1956-01-01 to 1980-01-01 is outside the simulated period"),
])
def test_a_distribution_outside_its_field_is_refused_in_one_line(path, value, message):
    with pytest.raises(ScenarioError) as error:
        tiny(**{path: value})
    assert str(error.value).startswith(message)
    assert "\n" not in str(error.value)


def test_a_sampled_force_is_drawn_per_world_from_its_own_stream():
    world = tiny(forces__grievance_weight={"uniform": [0.3, 0.7]})
    rows = simulate_block(world, 5, 0, 0, 400).rows
    values = rows.column("param.forces.grievance_weight").to_numpy()
    assert values.min() >= 0.3 and values.max() <= 0.7 and values.std() > 0.05
    # common random numbers: a world keeps its value when another field changes
    other = tiny(forces__grievance_weight={"uniform": [0.3, 0.7]},
                 forces__noise={"uniform": [0.01, 0.03]})
    again = simulate_block(other, 5, 0, 0, 400).rows
    assert np.array_equal(again.column("param.forces.grievance_weight").to_numpy(), values)
    # and a higher weight means more splits: the engine uses each world's own value
    split = ~np.isnan(np.asarray(rows.column("split_year").to_numpy(zero_copy_only=False),
                                 dtype=float))
    assert split[values > 0.5].mean() >= split[values < 0.4].mean()


def test_a_juncture_date_drawn_per_world_fires_in_each_worlds_step():
    world = tiny(junctures__second__date={"uniform": ["1956-01-01", "1958-01-01"]})
    from sim.engine.model import AllianceModel
    from sim.engine.observers import EventTrace
    from sim.engine.streams import Streams

    n = 60
    trace = EventTrace(np.ones(n, dtype=bool), world.n_steps)
    model = AllianceModel(world, n, Streams(2, 0), observers=[trace])
    model.run()
    dates = model.draws["junctures.second.date"]
    seen = {e.world: e.step for e in trace.events
            if e.kind == "juncture" and e.details["juncture"] == "second"}
    assert len(seen) > 40
    for w, step in seen.items():
        assert step == world.step_of(dates[w])
    assert len(set(seen.values())) > 4


def test_the_baseline_runs_with_every_kind_of_uncertain_field(baseline):
    from omegaconf import OmegaConf

    from sim.studies.variants import with_values
    from tests.conftest import compose_config

    data = OmegaConf.to_container(compose_config(["scenario=baseline"]).scenario, resolve=True)
    data.pop("defaults", None)
    values = {f"scenario.forces.{k}": {"uniform": [v * 0.5, v]} for k, v in data["forces"].items()
              if v and k not in ("ouster_failure_factor",)}
    values.update({
        "scenario.forces.consolidation_rate": {"uniform": [0.0, 0.5]},
        "scenario.forces.failure_hold_loss": {"uniform": [0.0, 0.2]},
        "scenario.forces.mortality_base": {"uniform": [0.0, 0.02]},
        "scenario.persons.khrushchev.security": {"beta": [2, 4]},
        "scenario.nations.usa.threat_scale": {"lognormal": [1.0, 0.3]},
        "scenario.nations.prc.status_aspiration": {"uniform": [0.0, 0.4]},
        "scenario.alliance.initial_cohesion": {"triangular": [0.6, 0.7, 0.8]},
        "scenario.junctures.advisers.date": {"uniform": ["1960-06-01", "1961-06-01"]},
        "scenario.junctures.advisers.options.withdraw.weight": {"lognormal": [1.0, 0.5]},
    })
    world = parse_world(with_values(data, values), "baseline")
    rows = simulate_block(world, 1950, 0, 0, 300).rows
    params = [c for c in rows.column_names if c.startswith("param.")]
    assert len(params) == len(values)
    split = np.asarray(rows.column("split_year").to_numpy(zero_copy_only=False), dtype=float)
    assert 0.2 < np.mean(~np.isnan(split)) < 1.0
