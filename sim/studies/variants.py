"""What sensitivity analysis and the search share: setting scenario values by path, running many
variants of a world on the same seed, and the outcome measures they are judged by.

Every variant runs the same worlds (the same seed and blocks), so two variants differ only by
their changes (common random numbers), and the variants, not the blocks, are spread over the
executor's workers: a study has many small runs rather than one large one.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Sequence

import numpy as np

from sim.engine.schedule import HEADLINE
from sim.errors import ScenarioError, SettingsError
from sim.executors import in_order, make_executor
from sim.montecarlo import run_monte_carlo
from sim.scenario.schema import World
from sim.scenario.validate import parse_world
from sim.settings import RunSettings

MEASURES = ("split_probability", "intact_YYYY", "median_split_year")
"""Outcomes a study can be run for; intact_YYYY names a year, e.g. intact_1970."""

PREFIX = "scenario."


def measure(name: str, split_years: np.ndarray, horizon: float) -> float:
    """One number from the (R,) split years of a run (NaN: no split by the horizon).

    split_probability: share of worlds that split by the horizon.
    intact_YYYY: share of worlds in which the alliance still stands at the end of year YYYY
        (no split dated before 1 January of the next year).
    median_split_year: median split year with worlds that never split counted at the horizon
        (a censored median: defined whatever the share of splits).
    """
    split = ~np.isnan(split_years)
    if name == "split_probability":
        return float(split.mean())
    if name == "median_split_year":
        return float(np.median(np.where(split, split_years, horizon)))
    year = intact_year(name)
    return float(np.mean(~(split & (split_years < year + 1))))


def intact_year(name: str) -> int:
    """The year of an `intact_YYYY` measure, or SettingsError naming the measures allowed."""
    match = re.fullmatch(r"intact_(\d{4})", name) if isinstance(name, str) else None
    if not match:
        raise SettingsError(f"unknown outcome {name!r}; allowed: {', '.join(MEASURES)} "
                            "(e.g. intact_1970)")
    return int(match.group(1))


def check_measure(name: str, world: World | None = None) -> None:
    """Refuse an outcome a study cannot measure: an unknown name, or (given the world) an
    `intact_YYYY` whose year the simulated period does not reach."""
    if name not in ("split_probability", "median_split_year"):
        check_year(intact_year(name), world, "outcome year")


def check_year(year, world: World | None, what: str) -> int:
    """A calendar year within the simulated period of `world` (any year when None)."""
    if isinstance(year, bool) or not isinstance(year, int):
        raise SettingsError(f"{what} must be a year such as 1970, got "
                            f"{type(year).__name__} {year!r}")
    if world is not None:
        first, last = int(world.start), int(world.horizon)
        if not first <= year <= last:
            raise SettingsError(f"{what} = {year} is outside the simulated period; allowed: "
                                f"{first} to {last}")
    return year


def relative_path(path: str) -> list[str]:
    """`scenario.forces.noise` -> ['forces', 'noise']; only scenario fields can be varied."""
    if not path.startswith(PREFIX):
        raise ScenarioError(f"'{path}' is not a scenario field; allowed: paths starting with "
                            f"'{PREFIX}', as on the command line")
    return path[len(PREFIX):].split(".")


def with_values(scenario: dict, values: dict[str, object]) -> dict:
    """A copy of plain scenario data with each `scenario.a.b.c` path set to its value.

    A path may end in a key its parent does not yet hold (an optional field such as a third
    power's `threat_scale`); every key before it must exist. Setting a trait that is a
    distribution to a number fixes it in every world.
    """
    data = copy.deepcopy(scenario)
    for path, value in values.items():
        keys = relative_path(path)
        node = data
        for depth, key in enumerate(keys[:-1]):
            if not isinstance(node, dict) or key not in node:
                where = ".".join(keys[: depth + 1])
                raise ScenarioError(f"'{path}' names no field of the scenario: "
                                    f"'{PREFIX}{where}' does not exist")
            node = node[key]
        if not isinstance(node, dict):
            raise ScenarioError(f"'{path}' names no field of the scenario")
        node[keys[-1]] = value
    return data


def variant(scenario: dict, name: str, values: dict[str, object]) -> World:
    """The validated World of the scenario with the given values set."""
    return parse_world(with_values(scenario, values), name)


def _split_years(index: int, world: World, settings: RunSettings):
    result = run_monte_carlo(world, settings)
    return index, result.years[HEADLINE.id]


def run_variants(worlds: Sequence[World], settings: RunSettings,
                 progress: Callable[[int], None] | None = None) -> list[np.ndarray]:
    """(R,) split years of each world, all run on the same seed, variants spread over the
    settings' executor (each variant itself runs in one process, without a progress bar),
    with at most two variants per worker in flight.

    Args:
        progress: called with the number of variants done so far.
    """
    inside = settings.replace(executor="serial", progress=False, rows="outcomes")
    calls = [(i, w, inside) for i, w in enumerate(worlds)]
    years = []
    with make_executor(settings.executor, settings.workers, settings.dask_address) as pool:
        for done, (_, split) in enumerate(in_order(pool, _split_years, calls), start=1):
            years.append(split)
            if progress is not None:
                progress(done)
    return years


def whole_setting(cfg, name: str, low: int, high: int = 10**9) -> int:
    """A study setting that must be a whole number in [low, high] (booleans are not)."""
    value = cfg[name]
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise SettingsError(f"{name} must be a whole number from {low:,} to {high:,}, got "
                            f"{type(value).__name__} {value!r}")
    return value


def study_app(config_name: str, run: Callable, check: Callable) -> None:
    """Run `run(cfg, folder, scenario)` as a Hydra app on `configs/<config_name>.yaml`, with
    the scenarios registered, `check(cfg, scenario)` applied before Hydra starts, and
    failures and Ctrl-C answered in one line, as run.py does (sim/preflight.py)."""
    import sys
    from pathlib import Path

    import hydra
    from hydra.core.hydra_config import HydraConfig

    from sim import interrupts
    from sim.errors import InputError
    from sim.outputs.folder import claim
    from sim.paths import CONFIGS, SCENARIOS
    from sim.pipeline import one_line
    from sim.preflight import launch
    from sim.scenario.library import register_scenarios

    register_scenarios(SCENARIOS)

    @hydra.main(version_base="1.3", config_path=str(CONFIGS), config_name=config_name)
    def app(cfg) -> None:
        hydra_cfg = HydraConfig.get()
        folder = Path(hydra_cfg.runtime.output_dir)
        try:
            with claim(folder):
                run(cfg, folder, hydra_cfg.runtime.choices.scenario)
        except (InputError, OSError) as error:
            if interrupts.requested():
                raise KeyboardInterrupt from None
            raise SystemExit(f"error: {one_line(error)}") from None

    sys.exit(launch(app, CONFIGS, config_name, check))
