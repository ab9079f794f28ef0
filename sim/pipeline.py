"""One run from a composed config to a finished folder: validate, simulate, summarise, write.

This is the plain function `run.py` calls and the tests call directly; it knows nothing of
Hydra beyond receiving a composed config.
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException

from sim import __version__
from sim.compare import compare
from sim.executors import EXECUTORS
from sim.history import history_check
from sim.montecarlo import MonteCarloResult, run_monte_carlo
from sim.output import RowWriter, discard_outputs, write_json
from sim.products import chronicle_pick, write_products
from sim.report import render
from sim.scenarios import malformed_reason
from sim.summary import outcome_years, summarise
from sim.world import ScenarioError, World, parse_world

logging.getLogger("MESA").setLevel(logging.WARNING)  # mesa logs every step at INFO


def load_world(scenario: DictConfig, name: str) -> World:
    """The validated World of a composed `scenario` node."""
    try:
        data = OmegaConf.to_container(scenario, resolve=True)
    except OmegaConfBaseException as error:
        raise ScenarioError(f"scenario '{name}': {str(error).splitlines()[0]}") from None
    data.pop("defaults", None)
    reason = malformed_reason(data)
    if reason:
        raise ScenarioError(reason)
    return parse_world(data, name)


def check_settings(cfg: DictConfig) -> None:
    """Reject run settings that cannot work, naming what is allowed."""
    for key, low in (("runs", 1), ("chunk_size", 1), ("workers", 1)):
        value = cfg[key]
        if not isinstance(value, int) or isinstance(value, bool) or value < low:
            raise ScenarioError(f"{key} must be a whole number of at least {low}, got {value!r}")
    if not isinstance(cfg.seed, int) or cfg.seed < 0:
        raise ScenarioError(f"seed must be a whole number of at least 0, got {cfg.seed!r}")
    if cfg.executor not in EXECUTORS:
        raise ScenarioError(f"unknown executor '{cfg.executor}'; allowed: {', '.join(EXECUTORS)}")


def simulate(cfg: DictConfig, world: World, sink=None) -> MonteCarloResult:
    """Run the Monte Carlo the config asks for."""
    return run_monte_carlo(world, cfg.runs, cfg.seed, cfg.chunk_size, executor=cfg.executor,
                           workers=cfg.workers, address=cfg.dask_address,
                           progress=cfg.progress, sink=sink)


def run_pipeline(cfg: DictConfig, folder: Path, scenario: str,
                 reference: World | None = None, overrides: list[str] | None = None) -> dict:
    """Validate the config, run it, write `folder`, print the summary; return the summary.

    Args:
        reference: the world to compare with on the same seeds (the baseline); skipped
            when None or identical to the scenario.
        overrides: the command-line overrides of the run, recorded in the summary so that a
            sweep run again can tell a finished point (sim/sweep.py).

    Raises:
        ScenarioError: for bad input, before anything is written.
    """
    check_settings(cfg)
    pick = chronicle_pick(cfg, cfg.runs)
    world = load_world(cfg.scenario, scenario)
    folder.mkdir(parents=True, exist_ok=True)
    rows = RowWriter(folder)
    try:
        result = simulate(cfg, world, sink=rows)
        rows.close()
        summary = summarise(result, __version__)
        reference_result = None
        if overrides is not None:
            summary["overrides"] = list(overrides)
        if reference is not None and reference != world:
            reference_result = simulate(cfg, reference)
            summary["vs_baseline"] = compare(result, reference_result)
        checks = history_check(world.history_checks, outcome_years(result))
        summary["history_check"] = [c.as_dict() for c in checks]
        write_products(folder, result, reference_result, summary, pick)
        write_json(folder / "summary.json", _finite(summary))
    except BaseException:
        rows.abandon()
        discard_outputs(folder)
        raise
    print(render(summary, checks, folder))
    return summary


def _finite(data):
    """Replace NaN (no worlds to estimate from) with null, as JSON requires."""
    if isinstance(data, dict):
        return {k: _finite(v) for k, v in data.items()}
    if isinstance(data, (list, tuple)):
        return [_finite(v) for v in data]
    if isinstance(data, float) and not np.isfinite(data):
        return None
    return data
