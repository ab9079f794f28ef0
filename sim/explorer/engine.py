"""The explorer's calls into the program: compose a scenario, change it, run it, tell a world.

Everything the page shows comes through the same public functions `python run.py` uses
(sim.scenario.library, sim.montecarlo, sim.outputs.chronicle), so a saved scenario or the
equivalent command gives the numbers the page showed.

Threads: Solara answers each browser event in a thread, and Hydra's compose API keeps global
state, so every compose happens under one lock; composed scenarios and finished runs are
cached per process (shared by every browser tab) and must be treated as read-only.
"""

from __future__ import annotations

import copy
import threading
from dataclasses import dataclass
from functools import lru_cache

import pyarrow as pa
from omegaconf import DictConfig, OmegaConf

from sim.montecarlo import MonteCarloResult, run_monte_carlo
from sim.paths import CONFIGS, SCENARIOS
from sim.scenario.library import load_world, register_scenarios, scenario_files
from sim.scenario.schema import World
from sim.settings import RunSettings

BASELINE = next(d["scenario"] for d in OmegaConf.load(CONFIGS / "config.yaml").defaults
                if isinstance(d, DictConfig) and "scenario" in d)
"""The scenario `python run.py` runs without `scenario=` (configs/config.yaml, defaults)."""
_HYDRA = threading.Lock()


def scenario_names() -> list[str]:
    """The scenario files, as `scenario=NAME` takes them."""
    return list(scenario_files(SCENARIOS))


def compose(overrides: list[str]) -> DictConfig:
    """configs/config.yaml composed with `overrides`, as `python run.py *overrides` would."""
    from hydra import compose as hydra_compose
    from hydra import initialize_config_dir

    with _HYDRA:
        register_scenarios(SCENARIOS)   # cheap; picks up files saved since the last call
        with initialize_config_dir(config_dir=str(CONFIGS), version_base="1.3"):
            return hydra_compose(config_name="config", overrides=overrides)


@lru_cache(maxsize=64)
def base_scenario(name: str) -> DictConfig:
    """The composed `scenario` node of a file (its defaults merged), read-only and cached."""
    node = compose([f"scenario={name}"]).scenario
    OmegaConf.set_readonly(node, True)
    return node


def forget() -> None:
    """Drop cached results after scenario files changed (a file was saved)."""
    base_scenario.cache_clear()
    simulate.cache_clear()


def scenario_with(name: str, changes: tuple[tuple[str, object], ...]) -> DictConfig:
    """The scenario node with each (path below `scenario.`, value) set.

    The same as Hydra's `scenario.PATH=VALUE` overrides (a number replaces a distribution),
    or `+scenario.PATH=VALUE` for a field the file does not write (an outside power's scale
    left at its default), without composing again: about 1 ms instead of 250 ms.
    tests/test_explorer.py checks that both give the same World.
    """
    node = copy.deepcopy(base_scenario(name))
    OmegaConf.set_readonly(node, False)
    for path, value in changes:
        OmegaConf.update(node, path, value, merge=False, force_add=not writes(name, path))
    return node


def writes(name: str, path: str) -> bool:
    """Whether scenario `name`, its defaults merged, writes the field at `path`."""
    return OmegaConf.select(base_scenario(name), path, default=None) is not None


def world_of(name: str, changes: tuple[tuple[str, object], ...] = ()) -> World:
    """The validated World of scenario `name` with `changes` (raises InputError if invalid)."""
    return load_world(scenario_with(name, changes), name)


def reference_of(name: str) -> str:
    """The scenario a run of `name` is compared with: its own `compare_with`, else the
    baseline (configs/config.yaml, `compare_with`)."""
    return base_scenario(name).get("compare_with") or BASELINE


def settings(runs: int, seed: int) -> RunSettings:
    """The run settings of configs/config.yaml (chunk size included, so the numbers are those
    of `python run.py`), in this process, without a progress bar."""
    return RunSettings.defaults(runs=runs, seed=seed, executor="serial", progress=False)


@dataclass(frozen=True)
class Run:
    """A finished Monte Carlo run and its rows (one per world, as in runs.parquet)."""

    result: MonteCarloResult
    rows: pa.Table


@lru_cache(maxsize=16)
def simulate(name: str, changes: tuple[tuple[str, object], ...], runs: int, seed: int) -> Run:
    """Run `runs` worlds of the scenario with `changes`; cached, so the reference is run once
    per (runs, seed)."""
    blocks: list[pa.Table] = []
    result = run_monte_carlo(world_of(name, changes), settings(runs, seed), sink=blocks.append)
    return Run(result, pa.concat_tables(blocks))
