"""Run a scenario: `python run.py scenario=NAME runs=N seed=S` (see README.md)."""

import sys
from pathlib import Path

from sim.interrupts import install_at_startup

if __name__ == "__main__":  # not in a worker process, which imports this file again
    install_at_startup()  # before the imports below: Ctrl-C while they load is one line too

import hydra  # noqa: E402
from hydra.core.hydra_config import HydraConfig  # noqa: E402
from hydra.types import RunMode  # noqa: E402
from omegaconf import DictConfig  # noqa: E402

from sim.pipeline import check_run, run_job  # noqa: E402
from sim.preflight import launch  # noqa: E402
from sim.scenario.library import register_scenarios  # noqa: E402

HERE = Path(__file__).resolve().parent
CONFIGS, SCENARIOS = HERE / "configs", HERE / "scenarios"   # beside this file, as in a clone
SCENARIO_NAMES = register_scenarios(SCENARIOS)


@hydra.main(version_base="1.3", config_path=str(CONFIGS), config_name="config")
def main(cfg: DictConfig) -> float:
    """Run the composed config into Hydra's output folder; return the split probability."""
    hydra_cfg = HydraConfig.get()
    return run_job(cfg, Path(hydra_cfg.runtime.output_dir), hydra_cfg.runtime.choices.scenario,
                   list(hydra_cfg.overrides.task), point=hydra_cfg.mode == RunMode.MULTIRUN)


if __name__ == "__main__":
    sys.exit(launch(main, CONFIGS, "config", check_run))
