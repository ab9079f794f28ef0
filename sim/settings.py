"""The run settings every entry point shares, as one typed object.

Their defaults live in one place, `configs/config.yaml`; `python run.py`, sweeps, the sensitivity
analysis, the search, the scenario table and the benchmarks all read them through RunSettings.
Settings never change what a world is, only how many run, from which seed, and where.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from omegaconf import OmegaConf

from sim.errors import SettingsError
from sim.paths import CONFIGS

EXECUTORS = ("serial", "processes", "dask")


def _whole(name: str, value: Any, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise SettingsError(f"{name} must be a whole number of at least {low}, got {value!r}")
    return value


@dataclass(frozen=True)
class RunSettings:
    """How a Monte Carlo runs.

    Attributes:
        runs: number of worlds.
        seed: the run's seed; the same seed and chunk size give the same numbers.
        chunk_size: worlds per seed block, the unit of randomness and of parallel work.
        executor: 'serial', 'processes' (a local pool) or 'dask'.
        workers: processes of the pool or of a local Dask cluster.
        dask_address: a Dask scheduler's address; None starts a local cluster.
        progress: show a progress bar.
    """

    runs: int
    seed: int
    chunk_size: int
    executor: str
    workers: int
    dask_address: str | None
    progress: bool

    def __post_init__(self):
        _whole("runs", self.runs, 1)
        _whole("seed", self.seed, 0)
        _whole("chunk_size", self.chunk_size, 1)
        _whole("workers", self.workers, 1)
        if self.executor not in EXECUTORS:
            raise SettingsError(f"unknown executor {self.executor!r}; allowed: "
                                f"{', '.join(EXECUTORS)}")
        if self.dask_address is not None and not isinstance(self.dask_address, str):
            raise SettingsError(f"dask_address must be an address like tcp://HOST:8786 or "
                                f"null, got {self.dask_address!r}")
        if not isinstance(self.progress, bool):
            raise SettingsError(f"progress must be true or false, got {self.progress!r}")

    @classmethod
    def from_config(cls, cfg) -> RunSettings:
        """The settings of a composed config (or any mapping with the same keys)."""
        return cls(**{f.name: cfg[f.name] for f in dataclasses.fields(cls)})

    @classmethod
    def defaults(cls, **changes) -> RunSettings:
        """The defaults of configs/config.yaml, with `changes` applied."""
        settings = cls.from_config(OmegaConf.load(CONFIGS / "config.yaml"))
        return dataclasses.replace(settings, **changes)

    def replace(self, **changes) -> RunSettings:
        return dataclasses.replace(self, **changes)
