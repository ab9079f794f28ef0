"""Calibrate a scenario by keeping the worlds whose history matches the record (rejection ABC).

    python -m sim.calibrate                          # configs/calibrate.yaml: the baseline
    python -m sim.calibrate holdout=first_clash      # leave one piece out, predict it
    python -m sim.calibrate holdout=all              # every piece left out in turn

The priors (configs/priors/<scenario>.yaml, the world's own) are set over the scenario's values
as distributions; `runs` worlds draw their parameters from them, each from its own stream; the
worlds that match every piece of evidence used are kept (sim/calibration/abc.py). Written to
`results/calibrate/<scenario>/<date_time>/`: `posterior.parquet` (the kept worlds: seed, block,
index in block, world id, parameter values, outcome dates, matches), `worlds.parquet` (every
world's match on each piece and its outcome dates), `plots/` (prior and posterior of each
parameter; the most correlated pairs) and `summary.json`, written last.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pyarrow.parquet as pq
from omegaconf import DictConfig, OmegaConf

from sim import __version__
from sim.calibration.abc import (
    acceptance_block,
    correlations,
    parameters_block,
    prediction,
    run_pass,
)
from sim.calibration.evidence import items_of, select
from sim.errors import SettingsError
from sim.outputs.folder import RowWriter, json_safe, write_json
from sim.paths import CONFIGS
from sim.scenario.base import NOTE_KEYS
from sim.scenario.library import load_world
from sim.scenario.uncertain import uncertain_fields
from sim.settings import RunSettings
from sim.studies.variants import relative_path, study_app, variant


def scenario_data(cfg_scenario) -> dict:
    data = OmegaConf.to_container(cfg_scenario, resolve=True)
    data.pop("defaults", None)
    return data


def digest(data) -> str:
    """A fingerprint of scenario data, citations and comments left out: the calibrated world."""
    def strip(node):
        if isinstance(node, dict):
            return {str(k): strip(v) for k, v in node.items() if k not in NOTE_KEYS}
        if isinstance(node, list):
            return [strip(v) for v in node]
        return node if isinstance(node, (int, float, str, bool)) or node is None else str(node)
    text = json.dumps(strip(data), sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def prior_world(data: dict, name: str, priors: dict):
    """The scenario with each prior set as a distribution over its value."""
    if not priors:
        raise SettingsError("priors must declare at least one 'scenario.PATH: {distribution}'")
    for path, prior in priors.items():
        relative_path(path)
        if not isinstance(prior, dict):
            raise SettingsError(f"priors.{path} must be a distribution such as "
                                f"{{uniform: [low, high]}}, got {prior!r}")
    return variant(data, name, priors)


def calibrate(world, settings: RunSettings, evidence="all", holdout=None, folder=None) -> dict:
    """Run the calibration of `world` (its distributions are the priors); write `folder` if
    given; return the summary."""
    items = items_of(world)
    if not items:
        raise SettingsError(f"scenario '{world.name}' has no evidence: add history.evidence or "
                            "mark an option historical: true")
    used = [item.name for item in select(items, evidence)]
    left_out = []
    if holdout not in (None, "all"):
        left_out = [item.name for item in select(items, [holdout])]
        used = [name for name in used if name not in left_out]
    writer = RowWriter(folder, name="worlds.parquet") if folder is not None else None
    result = run_pass(world, items, used, settings, sink=writer)
    if writer is not None:
        writer.close()
    kept = result.kept()
    priors = uncertain_fields(world)
    summary = {
        "scenario": world.name, "title": world.title, "version": __version__,
        "runs": settings.runs, "seed": settings.seed, "chunk_size": settings.chunk_size,
        "seconds": round(result.seconds, 1),
        "method": "ABC rejection (Beaumont, Zhang & Balding, Genetics 162, 2002): worlds "
                  "drawn from the priors, kept when their history matches every piece used",
        "evidence_used": used, "holdout": holdout,
        "acceptance": acceptance_block(result),
        "parameters": parameters_block(priors, kept),
        "correlations": correlations(kept, list(priors)),
    }
    if holdout == "all":
        summary["leave_one_out"] = [prediction(result, item) for item in result.items
                                    if item.name in used]
    elif left_out:
        summary["prediction"] = prediction(result, next(i for i in items if i.name == holdout))
    if folder is not None:
        kept.insert(0, "seed", settings.seed)
        kept.to_parquet(folder / "posterior.parquet", index=False)
        from sim.calibration.plots import plot_marginals, plot_pairs

        plot_marginals(priors, kept, summary, folder / "plots" / "parameters.png")
        plot_pairs(kept, summary, folder / "plots" / "pairs.png")
        if "leave_one_out" in summary:
            import pandas as pd

            pd.DataFrame(summary["leave_one_out"]).to_csv(folder / "leave_one_out.csv",
                                                          index=False)
    return summary


def request_of(cfg: DictConfig, scenario_name: str):
    """(settings, scenario data, the world with its priors, evidence, priors) of a calibration,
    checked before anything runs (raises InputError)."""
    settings = RunSettings.from_config(cfg)
    load_world(cfg.scenario, scenario_name)   # the scenario itself must be valid first
    data = scenario_data(cfg.scenario)
    priors = OmegaConf.to_container(cfg.get("priors") or OmegaConf.create(), resolve=False)
    if not priors:
        raise SettingsError(no_priors(scenario_name))
    world = prior_world(data, scenario_name, priors)
    evidence = OmegaConf.to_container(cfg.evidence) if OmegaConf.is_list(cfg.evidence) \
        else cfg.evidence
    items = items_of(world)
    select(items, evidence)
    if cfg.holdout not in (None, "all"):
        select(items, [cfg.holdout])
    return settings, data, world, evidence, priors


def no_priors(scenario_name: str) -> str:
    """Why no priors were composed: the scenario has no file of its own, or `priors=` named a
    file that does not exist (Hydra's `optional` drops it silently)."""
    known = sorted(path.stem for path in (CONFIGS / "priors").glob("*.yaml"))
    if scenario_name in known:
        return f"no priors composed: priors= must name one of {', '.join(known)} (configs/priors/)"
    return (f"scenario '{scenario_name}' has no priors of its own: write "
            f"configs/priors/{scenario_name}.yaml (configs/priors/baseline.yaml shows the form), "
            "or give priors=NAME to use another world's")


def check(cfg: DictConfig, scenario_name: str) -> None:
    """The calibration's settings checked, before Hydra starts (sim/preflight.py)."""
    request_of(cfg, scenario_name)


def run(cfg: DictConfig, folder: Path, scenario_name: str) -> dict:
    """The plain function behind the command: calibrate the composed config into `folder`
    (held by the caller, which removes what was written if this fails)."""
    settings, data, world, evidence, priors = request_of(cfg, scenario_name)
    summary = calibrate(world, settings, evidence, cfg.holdout, folder)
    summary["priors"] = priors
    summary["scenario_digest"] = digest(data)
    write_json(folder / "summary.json", json_safe(summary))
    from sim.calibration.text import render_calibration

    print(render_calibration(summary, folder))
    return summary


def read_posterior(folder: Path):
    """(summary, kept worlds) of a finished calibration folder."""
    summary = json.loads((folder / "summary.json").read_text())
    return summary, pq.read_table(folder / "posterior.parquet").to_pandas()


def main() -> None:
    study_app("calibrate", run, check)


if __name__ == "__main__":
    main()
