"""Shared fixtures: compose the real configs with Hydra's compose API, as run.py would."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hydra import compose, initialize_config_dir

from sim.paths import CONFIGS
from sim.scenario.library import load_world, register_scenarios
from sim.settings import RunSettings

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = register_scenarios(ROOT / "scenarios")


def compose_config(overrides: list[str] | None = None):
    """The config `python run.py *overrides` would run, without Hydra's own settings."""
    with initialize_config_dir(config_dir=str(CONFIGS), version_base="1.3"):
        return compose(config_name="config", overrides=list(overrides or []))


def world_of(scenario: str = "baseline", overrides: list[str] | None = None):
    """The validated World of a scenario with optional `scenario.*` overrides."""
    cfg = compose_config([f"scenario={scenario}", *(overrides or [])])
    return load_world(cfg.scenario, scenario)


def settings(runs: int, seed: int, chunk_size: int, **changes) -> RunSettings:
    """Run settings for a test: the defaults, quiet, with these sizes."""
    return RunSettings.defaults(runs=runs, seed=seed, chunk_size=chunk_size, progress=False,
                                **changes)


@pytest.fixture(scope="session")
def baseline():
    return world_of("baseline")


@pytest.fixture
def project_copy(tmp_path):
    """A copy of the project's entry point, configs and scenarios, to add bad files to."""
    copy = tmp_path / "project"
    copy.mkdir()
    shutil.copy(ROOT / "run.py", copy)
    shutil.copytree(ROOT / "configs", copy / "configs")
    shutil.copytree(ROOT / "scenarios", copy / "scenarios")
    return copy
