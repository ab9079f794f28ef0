"""Global sensitivity analysis with SALib: which uncertain parameters move an outcome most.

    python -m sim.sensitivity                       # Morris screening, configs/sensitivity.yaml
    python -m sim.sensitivity method=sobol samples=128 outcome=intact_1970

The uncertain parameters and their bounds are declared in the config (`parameters`: a scenario
path and [low, high]). SALib draws the sample points (Morris elementary effects, Morris 1991;
Campolongo, Cariboni & Saltelli 2007 for mu*; or Saltelli's scheme for Sobol indices, Saltelli
et al. 2010); every point runs the same worlds on the same seed (common random numbers), so
the differences between points come from the parameters, not from fresh chance. Writes
`indices.parquet`/`.csv` (indices with 95% confidence intervals, ranked), `samples.parquet`
(each point and its outcome) and `indices.png` (a ranked bar chart) into the run folder.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
from omegaconf import DictConfig, OmegaConf
from tqdm import tqdm

from sim.errors import SettingsError
from sim.scenario.library import load_world
from sim.settings import RunSettings
from sim.studies.variants import (
    check_measure,
    measure,
    relative_path,
    run_variants,
    study_app,
    variant,
    whole_setting,
)

METHODS = ("morris", "sobol")


def problem_of(parameters: dict) -> dict:
    """SALib's problem definition from {scenario path: [low, high]}, checked."""
    if not parameters:
        raise SettingsError("parameters must declare at least one 'scenario.PATH: [low, high]'")
    bounds = []
    for path, pair in parameters.items():
        relative_path(path)
        if (not isinstance(pair, (list, tuple)) or len(pair) != 2
                or not all(isinstance(v, (int, float)) and not isinstance(v, bool)
                           and math.isfinite(v) for v in pair) or pair[0] >= pair[1]):
            raise SettingsError(f"parameters.{path} must be [low, high] with low < high, "
                                f"got {pair!r}")
        bounds.append([float(pair[0]), float(pair[1])])
    return {"num_vars": len(parameters), "names": list(parameters), "bounds": bounds}


def sample(problem: dict, method: str, samples: int, levels: int, seed: int) -> np.ndarray:
    """The (points, D) parameter values SALib asks for."""
    if method == "morris":
        from SALib.sample import morris

        return morris.sample(problem, samples, num_levels=levels, seed=seed)
    if method == "sobol":
        from SALib.sample import sobol

        if samples & (samples - 1):
            raise SettingsError(f"samples must be a power of 2 for Sobol, got {samples}")
        return sobol.sample(problem, samples, calc_second_order=False, seed=seed)
    raise SettingsError(f"unknown method '{method}'; allowed: {', '.join(METHODS)}")


def indices(problem: dict, method: str, x: np.ndarray, y: np.ndarray, seed: int) -> pd.DataFrame:
    """The indices with 95% confidence half-widths, most influential parameter first.

    Morris: mu_star (mean absolute elementary effect, the ranking measure), its interval by
    bootstrap, mu (signed) and sigma (spread: interactions or non-linearity). Sobol: first
    order S1 and total ST (ranking) with their bootstrap intervals.
    """
    if method == "morris":
        from SALib.analyze import morris

        r = morris.analyze(problem, x, y, conf_level=0.95, num_resamples=1000, seed=seed)
        table = pd.DataFrame({"parameter": problem["names"], "mu_star": r["mu_star"],
                              "mu_star_ci95": r["mu_star_conf"], "mu": r["mu"],
                              "sigma": r["sigma"]})
        key = "mu_star"
    else:
        from SALib.analyze import sobol

        r = sobol.analyze(problem, y, calc_second_order=False, conf_level=0.95,
                          num_resamples=1000, seed=seed)
        table = pd.DataFrame({"parameter": problem["names"], "ST": r["ST"],
                              "ST_ci95": r["ST_conf"], "S1": r["S1"], "S1_ci95": r["S1_conf"]})
        key = "ST"
    table = table.sort_values(key, ascending=False, ignore_index=True)
    table.insert(0, "rank", np.arange(1, len(table) + 1))
    return table


def analyse(scenario: dict, name: str, parameters: dict, settings: RunSettings,
            method: str = "morris", outcome: str = "split_probability", samples: int = 20,
            levels: int = 4) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Run the analysis on plain scenario data; return (indices, samples with outcomes)."""
    check_measure(outcome)
    problem = problem_of(parameters)
    seed = settings.seed
    x = sample(problem, method, samples, levels, seed)
    worlds = [variant(scenario, name, dict(zip(problem["names"], map(float, row), strict=True)))
              for row in x]
    bar = tqdm(total=len(worlds), unit="point", disable=not settings.progress, desc=method)
    years = run_variants(worlds, settings, progress=lambda done: bar.update(done - bar.n))
    bar.close()
    y = np.array([measure(outcome, split, worlds[0].horizon) for split in years])
    points = pd.DataFrame(x, columns=problem["names"])
    points[outcome] = y
    return indices(problem, method, x, y, seed), points


def write(folder: Path, table: pd.DataFrame, points: pd.DataFrame, method: str,
          outcome: str, runs: int, seed: int) -> None:
    """Write the indices, the sample points and the ranked bar chart into `folder`."""
    from sim.studies.plots import plot_indices

    folder.mkdir(parents=True, exist_ok=True)
    table.to_parquet(folder / "indices.parquet", index=False)
    table.to_csv(folder / "indices.csv", index=False)
    points.to_parquet(folder / "samples.parquet", index=False)
    value, error = ("mu_star", "mu_star_ci95") if method == "morris" else ("ST", "ST_ci95")
    title = (f"{method.capitalize()} sensitivity of {outcome}\n{len(points)} points x "
             f"{runs:,} worlds, seed {seed}")
    plot_indices(table, value, error, title, folder / "indices.png")


def request_of(cfg: DictConfig, scenario_name: str) -> dict:
    """Read and check an analysis's settings before anything runs (raises InputError): a known
    method and outcome (its year within the period), whole numbers of samples and levels that
    the method can use, and parameter bounds that each make a valid scenario."""
    settings = RunSettings.from_config(cfg)
    world = load_world(cfg.scenario, scenario_name)  # the unchanged scenario must be valid
    scenario = OmegaConf.to_container(cfg.scenario, resolve=False)
    scenario.pop("defaults", None)
    method = cfg.method
    if method not in METHODS:
        raise SettingsError(f"unknown method {method!r}; allowed: {', '.join(METHODS)}")
    check_measure(cfg.outcome, world)
    samples = whole_setting(cfg, "samples", 2 if method == "morris" else 1, 10**6)
    levels = whole_setting(cfg, "levels", 2, 1000)
    if method == "sobol" and samples & (samples - 1):
        raise SettingsError(f"samples must be a power of 2 for Sobol, got {samples}")
    parameters = (OmegaConf.to_container(cfg.parameters, resolve=False)
                  if cfg.parameters is not None else {})
    if not isinstance(parameters, dict):
        raise SettingsError("parameters must map scenario paths to [low, high]")
    problem = problem_of(parameters)
    for end in (0, 1):  # every bound must make a valid scenario, so no point can fail later
        variant(scenario, scenario_name,
                {path: bounds[end] for path, bounds in zip(problem["names"], problem["bounds"],
                                                           strict=True)})
    return {"settings": settings, "scenario": scenario, "parameters": parameters,
            "method": method, "outcome": cfg.outcome, "samples": samples, "levels": levels}


def check(cfg: DictConfig, scenario_name: str) -> None:
    """The analysis's settings checked, before Hydra starts (sim/preflight.py)."""
    request_of(cfg, scenario_name)


def run(cfg: DictConfig, folder: Path, scenario_name: str) -> pd.DataFrame:
    """The plain function behind the command: analyse the composed config, write `folder`."""
    r = request_of(cfg, scenario_name)
    settings = r["settings"]
    table, points = analyse(r["scenario"], scenario_name, r["parameters"], settings,
                            r["method"], r["outcome"], r["samples"], r["levels"])
    write(folder, table, points, r["method"], r["outcome"], settings.runs, settings.seed)
    with pd.option_context("display.width", 120, "display.max_colwidth", 60):
        print(table.to_string(index=False, float_format=lambda v: f"{v:.4f}"))
    print(f"\nWrote {folder}")
    return table


def main() -> None:
    study_app("sensitivity", run, check)


if __name__ == "__main__":
    main()
