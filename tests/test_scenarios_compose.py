"""Every scenario file composes into a valid world and runs."""

import numpy as np
import pytest

from sim.montecarlo import run_monte_carlo
from tests.conftest import ROOT, SCENARIOS, settings, world_of


@pytest.mark.parametrize("name", SCENARIOS)
def test_scenario_composes_and_runs(name):
    world = world_of(name)
    result = run_monte_carlo(world, settings(200, 1, 100))
    assert result.years["split"].shape == (200,)
    assert np.isfinite(result.cohesion_histogram).all()


@pytest.mark.parametrize("text", ["a: 1e6", "a: 1953-03-05", "a: .inf", "1950: 3", "",
                                  "a: [1, 2.5e-3, -.5]", "a: {b: null, c: 'x'}"])
def test_the_fast_loader_reads_as_omegaconf_does(text):
    import yaml
    from omegaconf import OmegaConf

    from sim.scenario.library import ScenarioLoader

    mine = yaml.load(text, Loader=ScenarioLoader) or {}  # noqa: S506 (a safe loader)
    assert mine == OmegaConf.to_container(OmegaConf.create(text))


def test_every_scenario_file_reads_as_omegaconf_reads_it():
    import yaml
    from omegaconf import OmegaConf

    from sim.scenario.library import ScenarioLoader

    for path in sorted((ROOT / "scenarios").glob("*.yaml")):
        mine = yaml.load(path.read_text(encoding="utf-8"), Loader=ScenarioLoader)  # noqa: S506
        assert mine == OmegaConf.to_container(OmegaConf.load(path)), path.name


def test_a_repeated_key_is_refused_by_the_fast_loader():
    import yaml

    from sim.scenario.library import ScenarioLoader

    with pytest.raises(yaml.constructor.ConstructorError, match="duplicate key"):
        yaml.load("a: 1\na: 2", Loader=ScenarioLoader)  # noqa: S506


def test_a_scenario_merged_from_its_files_is_what_hydra_composes():
    from hydra import compose, initialize_config_dir
    from omegaconf import OmegaConf

    from sim.scenario.library import composed_data

    with initialize_config_dir(config_dir=str(ROOT / "configs"), version_base="1.3"):
        for name in SCENARIOS:
            hydra = compose(config_name="config", overrides=[f"scenario={name}"]).scenario
            assert composed_data(name) == OmegaConf.to_container(hydra), name


@pytest.mark.parametrize("base, over", [
    ({"a": 1}, {"a": "???"}), ({"a": {"x": 1}}, {"a": None}), ({"a": None}, {"a": {"x": 1}}),
    ({"a": [1, 2]}, {"a": [3]}), ({"a": {"x": 1, "y": {"z": 2}}}, {"a": {"y": {"w": 5}}}),
    ({"a": 1}, {"a": {"x": 1}}), ({"a": {"x": 1}}, {"a": 3}), ({1961: 2}, {"1961": 3}),
    ({}, {"b": "???"}),
])
def test_files_merge_as_omegaconf_merges_them(base, over):
    from omegaconf import OmegaConf

    from sim.scenario.library import merge_as_omegaconf

    merged = OmegaConf.create({})
    merged.merge_with(base)
    merged.merge_with(over)
    before = repr(base)
    assert merge_as_omegaconf(base, over) == OmegaConf.to_container(merged)
    assert repr(base) == before   # the file's node is not changed by merging into it


def test_composed_data_is_a_copy_the_caller_may_change():
    from sim.scenario.library import composed_data

    first = composed_data("molotov_successor")
    first["forces"]["threat_weight"] = 99.0
    first["junctures"].clear()
    second = composed_data("molotov_successor")
    assert second["forces"]["threat_weight"] != 99.0 and second["junctures"]
    assert composed_data("baseline")["junctures"]   # the file it starts from, untouched too
