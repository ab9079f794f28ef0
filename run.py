"""Run a scenario: `python run.py scenario=NAME runs=N seed=S` (see README.md)."""

import sys
from pathlib import Path

import hydra
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig

from sim.output import remove_unfinished
from sim.pipeline import load_world, run_pipeline
from sim.scenarios import (
    check_overrides,
    check_scenario_arguments,
    compose_scenario,
    register_scenarios,
)
from sim.sweep import finished_summary
from sim.world import ScenarioError

ROOT = Path(__file__).resolve().parent
SCENARIOS = register_scenarios(ROOT / "scenarios")


@hydra.main(version_base="1.3", config_path="configs", config_name="config")
def main(cfg: DictConfig) -> float:
    """Run the composed config into Hydra's output folder; return the split probability."""
    hydra_cfg = HydraConfig.get()
    folder = Path(hydra_cfg.runtime.output_dir)
    overrides = list(hydra_cfg.overrides.task)
    done = finished_summary(folder, overrides)
    if done is not None:  # a sweep run again into the same folder: this point is finished
        print(f"Skipped {folder}: already finished for {' '.join(overrides) or 'defaults'}")
        return done["outcomes"]["split"]["probability"]
    try:
        reference = None
        if cfg.compare_with:
            if cfg.compare_with not in SCENARIOS:
                raise ScenarioError(f"unknown compare_with '{cfg.compare_with}'; allowed: "
                                    f"{', '.join(SCENARIOS)} or null")
            reference = load_world(compose_scenario(cfg.compare_with), cfg.compare_with)
        summary = run_pipeline(cfg, folder, hydra_cfg.runtime.choices.scenario, reference,
                               overrides)
    except ScenarioError as error:
        remove_unfinished(folder)
        sys.exit(f"error: {error}")
    return summary["outcomes"]["split"]["probability"]


if __name__ == "__main__":
    try:
        check_scenario_arguments(sys.argv[1:], SCENARIOS)
        check_overrides(ROOT / "configs", sys.argv[1:])
    except ScenarioError as error:
        sys.exit(f"error: {error}")
    main()
