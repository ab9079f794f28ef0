"""One run from a composed config to a finished folder: validate, simulate, summarise, write.

`run_pipeline` is the plain function the tests call directly; `run_job` is what `run.py` runs
for each Hydra job (a run, or a point of a sweep), with what can go wrong turned into one line.
Neither knows more of Hydra than the composed config and the job's folder and overrides.
"""

from __future__ import annotations

import json
import logging
import sys
import traceback
from contextlib import contextmanager
from pathlib import Path

from omegaconf import DictConfig

from sim import __version__, interrupts
from sim.analysis.compare import compare
from sim.analysis.history import history_check
from sim.analysis.summary import summarise
from sim.calendar import iso_date
from sim.calibration.evidence import evidence_block
from sim.calibration.given import check_given, given_of, mode_block
from sim.calibration.text import given_lines
from sim.engine.schedule import HEADLINE
from sim.errors import InputError, ScenarioError
from sim.montecarlo import MonteCarloResult, run_monte_carlo
from sim.outputs.console import render
from sim.outputs.folder import RowWriter, claim, json_safe, remove_unfinished, write_json
from sim.outputs.products import add_blocks, chronicle_pick, write_products
from sim.scenario.library import (
    composed_data,
    library_generation,
    load_world,
    refusal,
    scenario_names,
    world_from_data,
)
from sim.scenario.schema import World
from sim.settings import RunSettings

logging.getLogger("MESA").setLevel(logging.WARNING)  # mesa logs every step at INFO

FAILED = "failed.json"
"""What a failed point of a sweep leaves in its folder: its overrides and the error."""


@contextmanager
def literal_text():
    """Draw every text as written: a title holding `$...$` is not mathematics (matplotlib
    would otherwise parse it, and fail on `$\\frac{1$`)."""
    import matplotlib

    with matplotlib.rc_context({"text.parse_math": False, "text.usetex": False}):
        yield


def check_run(cfg: DictConfig, scenario: str = "scenario") -> None:
    """Everything about a composed config that can be checked without simulating: the run
    settings, the chronicle's pick, the scenario and the reference (raises InputError)."""
    settings = RunSettings.from_config(cfg)
    world = load_world(cfg.scenario, scenario)
    chronicle_pick(cfg, settings.runs, world)
    check_comparable(world, reference_of(cfg))
    check_given(cfg, scenario)


def check_comparable(world: World, reference: World | None) -> None:
    """A run is compared with its reference world by world on the same seeds and step by
    step: both must be the same alliance over the same steps (a new world copied from the
    template still naming `template`, or naming none and so the baseline, is refused here, not
    after its simulation)."""
    if reference is None or reference == world or _steps(reference) == _steps(world):
        return
    raise ScenarioError(f"compare_with '{reference.name}' simulates {_told(reference)}, this "
                        f"scenario {_told(world)}; a comparison pairs the same alliance step by "
                        f"step: a new world names itself in compare_with, a counterfactual the "
                        f"world it departs from, and a run that changes the period on the "
                        f"command line adds compare_with=null")


def _steps(world: World) -> tuple:
    """What a paired comparison needs two worlds to share: the alliance and its steps."""
    return world.members, world.start, world.horizon, world.steps_per_year


def _told(world: World) -> str:
    return (f"{' and '.join(world.members)} from {iso_date(world.start)} to "
            f"{iso_date(world.horizon)}, {world.steps_per_year} steps a year")


_references: dict[tuple[int, str], World] = {}
"""Reference worlds composed in this process, by library generation and name (every point of
a sweep compares with the same few)."""


def reference_of(cfg: DictConfig) -> World | None:
    """The world `compare_with` names, composed as a scenario run on its own would be."""
    name = cfg.compare_with
    if not name:
        return None
    if not isinstance(name, str) or name not in scenario_names():
        raise ScenarioError(refusal(str(name)) or f"unknown compare_with '{name}'; allowed: "
                            f"{', '.join(scenario_names())} or null")
    key = (library_generation(), name)
    if key not in _references:
        _references[key] = world_from_data(composed_data(name), name)
    return _references[key]


_reference_runs: dict[tuple, MonteCarloResult] = {}
"""The last reference run of this process, by the reference world's content and the settings
that fix its numbers: every point of a sweep with the same seed, runs and chunk size compares
with the same worlds, so they are simulated once (an edited reference is another key)."""


def reference_run(reference: World, settings: RunSettings) -> MonteCarloResult:
    """The reference simulated on the run's seeds, from the cache when it holds the same."""
    key = (reference.model_dump_json(), settings.seed, settings.runs, settings.chunk_size)
    if key not in _reference_runs:
        _reference_runs.clear()   # one at a time: a million-world reference is large
        _reference_runs[key] = run_monte_carlo(reference, settings.replace(rows="outcomes"))
    return _reference_runs[key]


def run_pipeline(cfg: DictConfig, folder: Path, scenario: str,
                 reference: World | None = None, overrides: list[str] | None = None,
                 given: dict | None = None) -> dict:
    """Validate the config, run it, write `folder`, print the summary; return the summary.

    The folder is held for the run (sim/outputs/folder.py): a second run into it is refused,
    and if this one fails or is interrupted at any stage it removes what it wrote.

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
    with claim(folder):
        rows = RowWriter(folder)
        try:
            result = run_monte_carlo(world, settings, sink=rows)
            interrupts.checkpoint()
            rows.close()
        except BaseException:
            rows.abandon()
            raise
        summary = summarise(result, __version__)
        summary["mode"] = mode_block(given)   # which question the figures answer
        if given is not None:
            summary["given"] = given
        reference_result = None
        if overrides is not None:
            summary["overrides"] = list(overrides)
        if reference is not None and reference != world:
            reference_result = reference_run(reference, settings)
            summary["vs_baseline"] = compare(result, reference_result)
        summary["evidence"], shares = evidence_block(world, folder / "runs.parquet")
        checks = history_check(world.history_checks, result, shares)
        summary["history_check"] = [c.as_dict() for c in checks]
        interrupts.checkpoint()
        if settings.products == "full":
            with literal_text():
                write_products(folder, result, reference_result, summary, pick)
        else:
            add_blocks(summary, result, reference_result)
        interrupts.checkpoint()
        write_json(folder / "summary.json", json_safe(summary))
    print(render(summary, checks, folder))
    if given is not None:
        print("\n".join(given_lines(summary)))
    return summary


def one_line(error: BaseException) -> str:
    """What went wrong, on one line: bad input says it itself; a file that could not be
    written names the file and the reason (a full disk, a missing permission)."""
    if isinstance(error, OSError) and not isinstance(error, InputError):
        where = f" {error.filename}" if error.filename else ""
        reason = error.strerror or str(error) or type(error).__name__
        return f"cannot write{where}: {reason}"
    text = " ".join(str(error).split()) or type(error).__name__
    return text if isinstance(error, InputError) else f"{type(error).__name__}: {text}"


def run_job(cfg: DictConfig, folder: Path, scenario: str, overrides: list[str],
            point: bool) -> float:
    """One Hydra job of `run.py`: a run, or (`point`) a point of a sweep; return the split
    probability.

    A run that fails for a reason the user can act on (bad input, a folder or disk that
    cannot be written) exits with that reason on one line, its folder cleaned up. A point of a
    sweep that fails leaves `failed.json` (its overrides and the error) in its folder, says so
    on one line and lets the sweep go on; the sweep table marks it (sim/studies/sweep.py).
    Ctrl-C always ends the whole run or sweep, leaving no unfinished folder.
    """
    from sim.studies.sweep import finished_summary

    if point:
        done = finished_summary(folder, overrides)
        if done is not None:  # a sweep run again into the same folder: this point is finished
            print(f"Skipped {folder}: already finished for {' '.join(overrides) or 'defaults'}")
            return done["outcomes"][HEADLINE.id]["probability"]
        (folder / FAILED).unlink(missing_ok=True)  # an earlier attempt's record
    try:
        given = given_of(cfg, scenario)  # the kept worlds of a calibration, re-run
        summary = run_pipeline(cfg, folder, scenario, reference_of(cfg), overrides, given=given)
    except KeyboardInterrupt:
        if point:
            remove_unfinished(folder)
        raise
    except Exception as error:
        if interrupts.requested():  # an interrupt that surfaced as another error
            if point:
                remove_unfinished(folder)
            raise KeyboardInterrupt from None
        expected = isinstance(error, (InputError, OSError))
        if not point:
            if expected:
                raise SystemExit(f"error: {one_line(error)}") from None
            raise
        record_failure(folder, overrides, error, expected)
        return float("nan")
    return summary["outcomes"][HEADLINE.id]["probability"]


def record_failure(folder: Path, overrides: list[str], error: Exception,
                   expected: bool) -> None:
    """Leave the reason a point of a sweep failed in its folder and say it on one line."""
    line = one_line(error)
    record = {"state": "failed", "overrides": list(overrides), "error": line}
    if not expected:
        record["traceback"] = traceback.format_exc()
    try:
        write_json(folder / FAILED, record)
    except OSError:
        pass  # the folder itself is the problem; the line below still says what failed
    where = " ".join(overrides) or "defaults"
    print(f"error: point {folder.name} ({where}) failed: {line}", file=sys.stderr)


def read_failure(folder: Path) -> dict | None:
    """The failure record of a point's folder, if it has one."""
    try:
        return json.loads((folder / FAILED).read_text())
    except (OSError, ValueError):
        return None
