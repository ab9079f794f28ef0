"""A config composed once per choice of groups, with a point's values applied to a copy
(sim/composing.py), equals the one Hydra composes in full: for the checks before a run and for
each point Hydra's launcher runs."""

from __future__ import annotations

import pytest
from hydra import initialize_config_dir
from hydra._internal.config_loader_impl import ConfigLoaderImpl
from hydra.core.global_hydra import GlobalHydra
from hydra.types import RunMode
from omegaconf import OmegaConf

from sim.composing import Composer, compose_sweep_points_once_per_groups
from sim.paths import CONFIGS

POINTS = [
    ["seed=1"],
    ["seed=2", "scenario.forces.threat_weight=0.3"],
    ["scenario=molotov_successor", "seed=3"],
    ["seed=4", "scenario=molotov_successor", "runs=50", "compare_with=null"],
    ["scenario=baseline", "chronicle.pick=earliest", "~chronicle.count"],
    ["hydra/launcher=joblib", "seed=5"],
]


def plain(cfg) -> dict:
    return OmegaConf.to_container(cfg, resolve=False)


def test_points_composed_once_per_groups_equal_hydras():
    with initialize_config_dir(config_dir=str(CONFIGS), version_base="1.3"):
        composer = Composer(CONFIGS, "config")
        for point in POINTS:
            assert plain(composer.point(point)) == plain(composer.compose(point)), point
        assert len(composer.bases) == 4   # (), molotov, baseline, the joblib launcher


def test_the_launchers_point_configs_equal_hydras(monkeypatch):
    monkeypatch.setattr(ConfigLoaderImpl, "load_sweep_config",
                        ConfigLoaderImpl.load_sweep_config)   # restored after the test
    hydras = ConfigLoaderImpl.load_sweep_config
    with initialize_config_dir(config_dir=str(CONFIGS), version_base="1.3"):
        loader = GlobalHydra.instance().config_loader()
        master = loader.load_configuration(
            config_name="config", run_mode=RunMode.MULTIRUN,
            overrides=["seed=1,2", "hydra.sweep.dir=/tmp/nowhere", "hydra.job.chdir=false"])
        expected = [plain(hydras(loader, master, point)) for point in POINTS]
        compose_sweep_points_once_per_groups(CONFIGS)
        assert ConfigLoaderImpl.load_sweep_config is not hydras
        for point, want in zip(POINTS, expected, strict=True):
            got = plain(loader.load_sweep_config(master, point))
            assert got == want, point
            assert got["hydra"]["overrides"]["task"] == [o for o in point
                                                         if not o.startswith("hydra")]
        again = plain(loader.load_sweep_config(master, POINTS[1]))
        assert again == expected[1]   # a cached base is not changed by the points it served


@pytest.mark.parametrize("point", [["seed=7", "hydra.job.chdir=true"]])
def test_a_point_overriding_hydras_config_is_composed_by_hydra(monkeypatch, point):
    monkeypatch.setattr(ConfigLoaderImpl, "load_sweep_config",
                        ConfigLoaderImpl.load_sweep_config)
    hydras = ConfigLoaderImpl.load_sweep_config
    with initialize_config_dir(config_dir=str(CONFIGS), version_base="1.3"):
        loader = GlobalHydra.instance().config_loader()
        master = loader.load_configuration(config_name="config", run_mode=RunMode.MULTIRUN,
                                           overrides=["seed=1,2"])
        want = plain(hydras(loader, master, point))
        compose_sweep_points_once_per_groups(CONFIGS)
        got = plain(loader.load_sweep_config(master, point))
    assert got == want and got["hydra"]["job"]["chdir"] is True


def test_a_second_sweep_in_the_same_process_gets_its_own_hydra_config(monkeypatch):
    monkeypatch.setattr(ConfigLoaderImpl, "load_sweep_config",
                        ConfigLoaderImpl.load_sweep_config)
    with initialize_config_dir(config_dir=str(CONFIGS), version_base="1.3"):
        loader = GlobalHydra.instance().config_loader()
        compose_sweep_points_once_per_groups(CONFIGS)
        for folder in ("/tmp/first", "/tmp/second"):
            master = loader.load_configuration(
                config_name="config", run_mode=RunMode.MULTIRUN,
                overrides=["seed=1,2", f"hydra.sweep.dir={folder}"])
            point = loader.load_sweep_config(master, ["seed=1"])
            assert point.hydra.sweep.dir == folder
