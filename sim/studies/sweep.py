"""Sweeps: one table and one plot for a Hydra multirun, and skipping points already finished.

Each job of `python run.py -m ...` writes its own folder `<sweep dir>/<job number>` with a
`summary.json` that records the job's overrides. When the multirun ends, `SweepTable` (a Hydra
callback, configured under `hydra.callbacks` in configs/config.yaml) reads every finished job
folder of the sweep directory and writes `sweep.parquet`, `sweep.csv` and `sweep.png` beside
them. A point that failed is a row too, with `state` 'failed' and its `error` (read from the
`failed.json` it left, sim/pipeline.py), so a failure is never a silent gap. A sweep run again
into the same directory (`hydra.sweep.dir=...`) skips each job whose folder already holds a
summary for the same overrides (`finished_summary`), and runs the failed ones again.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pandas as pd
import yaml
from hydra.experimental.callback import Callback
from omegaconf import DictConfig

from sim.engine.schedule import HEADLINE, OUTCOMES

OUTCOME_IDS = [outcome.id for outcome in OUTCOMES]

log = logging.getLogger(__name__)

EXECUTION_KEYS = ("executor", "workers", "dask_address", "progress")
"""Settings that change how a run is executed but never its numbers (see sim/montecarlo.py),
so a point finished with one executor counts as finished for another."""


def point_identity(overrides: list[str]) -> list[str]:
    """The overrides that decide a point's numbers, sorted (order on the command line is moot)."""
    return sorted(o for o in overrides if _split(o)[0] not in EXECUTION_KEYS)


def finished_summary(folder: Path, overrides: list[str]) -> dict | None:
    """The summary of `folder` if it is a finished run of the same point, else None.

    A folder holds a finished run once `summary.json` is there (it is written last); the
    point is the same when the overrides recorded in it decide the same numbers.
    """
    path = folder / "summary.json"
    if not path.is_file():
        return None
    try:
        summary = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError):
        return None
    recorded = summary.get("overrides")
    if recorded is None or point_identity(recorded) != point_identity(overrides):
        return None
    return summary


def _split(override: str) -> tuple[str, str]:
    key, _, value = override.partition("=")
    return key.lstrip("+~"), value


def _value(text: str) -> Any:
    """An override's value as YAML reads it on the command line (0.5 a number, a name text)."""
    try:
        value = yaml.safe_load(text)
    except yaml.YAMLError:
        return text
    return value if isinstance(value, (int, float, str, bool)) or value is None else text


def _overrides_row(folder: Path, overrides: list[str], state: str, error: str | None) -> dict:
    row: dict[str, Any] = {"job": folder.name, "state": state, "error": error}
    for override in overrides:
        key, value = _split(override)
        if key not in EXECUTION_KEYS:
            row[key] = _value(value)
    return row


def failure_row(folder: Path, failure: dict) -> dict:
    """The row of a point that failed: its job, its overrides and the error."""
    return _overrides_row(folder, failure.get("overrides", []), "failed", failure.get("error"))


def summary_row(folder: Path, summary: dict) -> dict:
    """One row of the sweep table: the job, its overrides, and its outcomes with intervals."""
    row = _overrides_row(folder, [], "finished", None)
    for override in summary.get("overrides", []):
        key, value = _split(override)
        if key not in EXECUTION_KEYS:
            row[key] = _value(value)
    row.setdefault("scenario", summary["scenario"])
    row.update(runs=summary["runs"], seed=summary["seed"])
    for name in OUTCOME_IDS:
        outcome = summary["outcomes"][name]
        low, high = outcome["ci95"]
        row.update({f"{name}.probability": outcome["probability"], f"{name}.ci95_low": low,
                    f"{name}.ci95_high": high, f"{name}.median_year": outcome["median_year"]})
    for year, share in summary["outcomes"][HEADLINE.id].get("by_year", {}).items():
        row[f"{HEADLINE.id}.by_{year}"] = share
    versus = summary.get("vs_baseline")
    if versus:
        for name in OUTCOME_IDS:
            low, high = versus[name]["ci95"]
            row.update({f"{name}.vs_baseline": versus[name]["difference"],
                        f"{name}.vs_baseline_ci95_low": low,
                        f"{name}.vs_baseline_ci95_high": high})
    return row


def _job_folders(directory: Path) -> list[Path]:
    folders = [p for p in directory.iterdir() if p.is_dir()]
    return sorted(folders, key=lambda p: (not p.name.isdigit(), int(p.name)
                                          if p.name.isdigit() else 0, p.name))


def failed_points(directory: Path) -> list[dict]:
    """The failure record (job, overrides, error) of each point of the sweep that failed."""
    from sim.pipeline import read_failure

    failed = []
    for folder in _job_folders(directory) if directory.is_dir() else []:
        failure = read_failure(folder)
        if failure is not None and not (folder / "summary.json").is_file():
            failed.append({**failure, "job": folder.name})
    return failed


def sweep_table(directory: Path) -> pd.DataFrame:
    """A row per finished or failed job folder of a sweep directory, in job order."""
    from sim.pipeline import read_failure

    rows = []
    for folder in _job_folders(directory):
        if (folder / "summary.json").is_file():
            rows.append(summary_row(folder, json.loads((folder / "summary.json").read_text())))
        elif (failure := read_failure(folder)) is not None:
            rows.append(failure_row(folder, failure))
    return pd.DataFrame(rows)


def swept_keys(table: pd.DataFrame) -> list[str]:
    """The override columns that vary between jobs: the sweep's parameters."""
    fixed = {"job", "runs", "seed", "state", "error"}
    return [c for c in table.columns
            if c not in fixed and not _is_outcome(c) and table[c].nunique(dropna=False) > 1]


def _is_outcome(column: str) -> bool:
    return column.split(".", 1)[0] in OUTCOME_IDS


def write_sweep(directory: Path) -> pd.DataFrame | None:
    """Write `sweep.parquet`, `sweep.csv` and `sweep.png` for a sweep directory (each through
    a temporary name, so an interrupted write leaves no half file); the chart shows the
    finished points."""
    from sim.pipeline import literal_text
    from sim.studies.plots import plot_sweep

    table = sweep_table(directory)
    if table.empty:
        log.warning("no finished job in %s: no sweep table written", directory)
        return None
    table = _one_type_per_column(table)
    finished = table[table["state"] == "finished"]
    (directory / "sweep.png").unlink(missing_ok=True)  # a chart of an earlier table
    writers = {"sweep.parquet": lambda path: table.to_parquet(path, index=False),
               "sweep.csv": lambda path: table.to_csv(path, index=False)}
    if not finished.empty:
        writers["sweep.png"] = lambda path: plot_sweep(finished, swept_keys(finished), path)
    for name, write in writers.items():
        final = directory / name
        partial = final.with_name(f"{final.stem}.partial{final.suffix}")
        try:
            with literal_text():
                write(partial)
            partial.replace(final)
        finally:
            partial.unlink(missing_ok=True)
    return table


def _one_type_per_column(table: pd.DataFrame) -> pd.DataFrame:
    """A column whose values are of several types (a number in one row, text in another) as
    text, which Parquet can store."""
    for column in table.columns:
        kinds = {type(v) for v in table[column] if v is not None and v == v}
        if len(kinds) > 1 and not kinds <= {int, float}:
            table[column] = [None if v is None else str(v) for v in table[column]]
    return table


class SweepTable(Callback):
    """Hydra callback: when a multirun ends, tabulate and plot its job folders."""

    def on_job_end(self, config: DictConfig, job_return: Any, **kwargs: Any) -> None:
        """Drop the job's composed configs from what it returns to the launcher.

        Hydra keeps every job's return until the multirun ends, and with it two copies of the
        composed config (about 1 MB for the baseline), so a sweep's memory would grow with its
        number of points. Nothing downstream reads them: the table reads the job folders.
        """
        job_return.cfg = None
        job_return.hydra_cfg = None

    def on_multirun_end(self, config: DictConfig, **kwargs: Any) -> None:
        directory = Path(config.hydra.sweep.dir)
        if directory.is_dir():
            table = write_sweep(directory)
            if table is not None:
                failed = int((table["state"] == "failed").sum())
                marked = f" ({failed} failed, marked in its state column)" if failed else ""
                print(f"Sweep table of {len(table)} points{marked}: {directory / 'sweep.csv'}")
