"""Run a scenario: `python run.py scenario=NAME runs=N seed=S` (see README.md)."""

import sys
from pathlib import Path

import hydra
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig

from sim.engine.schedule import HEADLINE
from sim.errors import InputError, ScenarioError
from sim.outputs.folder import remove_unfinished
from sim.pipeline import run_pipeline
from sim.scenario.library import (
    check_overrides,
    check_scenario_arguments,
    compose_scenario,
    load_world,
    register_scenarios,
)
from sim.studies.sweep import finished_summary

HERE = Path(__file__).resolve().parent
CONFIGS, SCENARIOS = HERE / "configs", HERE / "scenarios"   # beside this file, as in a clone
SCENARIO_NAMES = register_scenarios(SCENARIOS)


@hydra.main(version_base="1.3", config_path=str(CONFIGS), config_name="config")
def main(cfg: DictConfig) -> float:
    """Run the composed config into Hydra's output folder; return the split probability."""
    hydra_cfg = HydraConfig.get()
    folder = Path(hydra_cfg.runtime.output_dir)
    overrides = list(hydra_cfg.overrides.task)
    done = finished_summary(folder, overrides)
    if done is not None:  # a sweep run again into the same folder: this point is finished
        print(f"Skipped {folder}: already finished for {' '.join(overrides) or 'defaults'}")
        return done["outcomes"][HEADLINE.id]["probability"]
    try:
        reference = None
        if cfg.compare_with:
            if cfg.compare_with not in SCENARIO_NAMES:
                raise ScenarioError(f"unknown compare_with '{cfg.compare_with}'; allowed: "
                                    f"{', '.join(SCENARIO_NAMES)} or null")
            reference = load_world(compose_scenario(cfg.compare_with), cfg.compare_with)
        name = hydra_cfg.runtime.choices.scenario
        given = None
        if cfg.get("given"):   # the worlds of a calibration that match the record, re-run
            from sim.calibration.given import given_of

            given = given_of(cfg, name)
        summary = run_pipeline(cfg, folder, name, reference, overrides, given=given)
    except InputError as error:
        remove_unfinished(folder)
        sys.exit(f"error: {error}")
    return summary["outcomes"][HEADLINE.id]["probability"]


if __name__ == "__main__":
    try:
        check_scenario_arguments(sys.argv[1:], SCENARIO_NAMES)
        check_overrides(CONFIGS, sys.argv[1:])
    except InputError as error:
        sys.exit(f"error: {error}")
    main()
