"""Shared fixtures: compose the real configs with Hydra's compose API, as run.py would."""

from __future__ import annotations

from pathlib import Path

import pytest
from hydra import compose, initialize_config_dir

from sim.pipeline import load_world
from sim.scenarios import register_scenarios

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = register_scenarios(ROOT / "scenarios")


def compose_config(overrides: list[str] | None = None):
    """The config `python run.py *overrides` would run, without Hydra's own settings."""
    with initialize_config_dir(config_dir=str(ROOT / "configs"), version_base="1.3"):
        return compose(config_name="config", overrides=list(overrides or []))


def world_of(scenario: str = "baseline", overrides: list[str] | None = None):
    """The validated World of a scenario with optional `scenario.*` overrides."""
    cfg = compose_config([f"scenario={scenario}", *(overrides or [])])
    return load_world(cfg.scenario, scenario)


@pytest.fixture(scope="session")
def baseline():
    return world_of("baseline")
