"""One run from a composed config to a finished folder: validate, simulate, summarise, write.

This is the plain function `run.py` calls and the tests call directly; it knows nothing of
Hydra beyond receiving a composed config.
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
from omegaconf import DictConfig

from sim import __version__
from sim.analysis.compare import compare
from sim.analysis.history import history_check
from sim.analysis.summary import summarise
from sim.calibration.evidence import evidence_block
from sim.calibration.given import mode_block
from sim.calibration.text import given_lines
from sim.montecarlo import run_monte_carlo
from sim.outputs.console import render
from sim.outputs.folder import RowWriter, discard_outputs, write_json
from sim.outputs.products import chronicle_pick, write_products
from sim.scenario.library import load_world
from sim.scenario.schema import World
from sim.settings import RunSettings

logging.getLogger("MESA").setLevel(logging.WARNING)  # mesa logs every step at INFO


def run_pipeline(cfg: DictConfig, folder: Path, scenario: str,
                 reference: World | None = None, overrides: list[str] | None = None,
                 given: dict | None = None) -> dict:
    """Validate the config, run it, write `folder`, print the summary; return the summary.

    Args:
        reference: the world to compare with on the same seeds (the baseline); skipped
            when None or identical to the scenario.
        overrides: the command-line overrides of the run, recorded in the summary so that a
            sweep run again can tell a finished point (sim/studies/sweep.py).
        given: the same change among the worlds of a calibration that match the record
            (sim/calibration/given.py), reported beside this run's figures.

    Raises:
        InputError: for bad input, before anything is written.
    """
    settings = RunSettings.from_config(cfg)
    world = load_world(cfg.scenario, scenario)
    pick = chronicle_pick(cfg, settings.runs, world)
    folder.mkdir(parents=True, exist_ok=True)
    rows = RowWriter(folder)
    try:
        result = run_monte_carlo(world, settings, sink=rows)
        rows.close()
        summary = summarise(result, __version__)
        summary["mode"] = mode_block(given)   # which question the figures answer
        if given is not None:
            summary["given"] = given
        reference_result = None
        if overrides is not None:
            summary["overrides"] = list(overrides)
        if reference is not None and reference != world:
            reference_result = run_monte_carlo(reference, settings)
            summary["vs_baseline"] = compare(result, reference_result)
        summary["evidence"], matches = evidence_block(world, folder / "runs.parquet")
        checks = history_check(world.history_checks, result, matches)
        summary["history_check"] = [c.as_dict() for c in checks]
        write_products(folder, result, reference_result, summary, pick)
        write_json(folder / "summary.json", _finite(summary))
    except BaseException:
        rows.abandon()
        discard_outputs(folder)
        raise
    print(render(summary, checks, folder))
    if given is not None:
        print("\n".join(given_lines(summary)))
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
