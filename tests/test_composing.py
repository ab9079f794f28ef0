"""A config composed once per choice of groups, with a point's values applied to a copy
(sim/composing.py), equals the one Hydra composes in full: for the checks before a run and for
each point Hydra's launcher runs."""

from __future__ import annotations

from hydra import initialize_config_dir
from hydra._internal.config_loader_impl import ConfigLoaderImpl
from hydra.core.global_hydra import GlobalHydra
from hydra.types import RunMode
from omegaconf import OmegaConf

from sim.composing import ComposePointsOnce, Composer, PointLoader
from sim.paths import CONFIGS

POINTS = [
    ["seed=1"],
    ["seed=2", "scenario.forces.threat_weight=0.3"],
    ["scenario=molotov_successor", "seed=3"],
    ["seed=4", "scenario=molotov_successor", "runs=50", "compare_with=null"],
    ["scenario=baseline", "chronicle.pick=earliest", "~chronicle.count"],
    ["hydra/launcher=joblib", "seed=5"],
    ["seed=7", "hydra.job.chdir=true"],
]


def plain(cfg) -> dict:
    return OmegaConf.to_container(cfg, resolve=False)


def test_points_composed_once_per_groups_equal_hydras():
    with initialize_config_dir(config_dir=str(CONFIGS), version_base="1.3"):
        composer = Composer("config")
        for point in POINTS[:-1]:
            assert plain(composer.point(point)) == plain(composer.compose(point)), point
        assert len(composer.bases) == 4   # (), molotov, baseline, the joblib launcher


def hydra_loader_and_master(sweep_dir: str = "/tmp/nowhere"):
    """Hydra's own config loader, and the config of a multirun into `sweep_dir`."""
    loader = GlobalHydra.instance().config_loader()
    assert type(loader) is ConfigLoaderImpl
    master = loader.load_configuration(
        config_name="config", run_mode=RunMode.MULTIRUN,
        overrides=["seed=1,2", f"hydra.sweep.dir={sweep_dir}"])
    return loader, master


def test_the_launchers_point_configs_equal_hydras():
    with initialize_config_dir(config_dir=str(CONFIGS), version_base="1.3"):
        loader, master = hydra_loader_and_master()
        expected = [plain(loader.load_sweep_config(master, point)) for point in POINTS]
        ComposePointsOnce().on_multirun_start(master)
        assert type(loader) is PointLoader
        for point, want in zip(POINTS, expected, strict=True):
            got = plain(loader.load_sweep_config(master, point))
            assert got == want, point
            assert got["hydra"]["overrides"]["task"] == [o for o in point
                                                         if not o.startswith("hydra")]
        again = plain(loader.load_sweep_config(master, POINTS[1]))
        assert again == expected[1]   # a cached base is not changed by the points it served
        assert plain(loader.load_sweep_config(master, POINTS[-1]))["hydra"]["job"]["chdir"]


def test_a_second_sweep_in_the_same_process_gets_its_own_hydra_config():
    for folder in ("/tmp/first", "/tmp/second"):
        with initialize_config_dir(config_dir=str(CONFIGS), version_base="1.3"):
            loader, master = hydra_loader_and_master(folder)
            ComposePointsOnce().on_multirun_start(master)
            assert loader.load_sweep_config(master, ["seed=1"]).hydra.sweep.dir == folder
