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
from omegaconf.errors import OmegaConfBaseException

from sim.errors import SettingsError
from sim.paths import CONFIGS

EXECUTORS = ("serial", "processes", "dask")
ROWS = ("full", "outcomes")
"""What runs.parquet holds per world: everything, or the outcome dates and nations only."""

PRODUCTS = ("full", "lean")
"""What a run writes besides summary.json and runs.parquet: plots, chronicle and report, or
nothing (for the points of sweeps and studies, whose own charts are drawn over all points)."""

LIMITS = {"runs": (1, 10**9), "seed": (0, 2**63 - 1), "chunk_size": (1, 10**6),
          "workers": (1, 1024)}
"""The range of each whole-number setting. A seed fits a 64-bit column; a block of more than
a million worlds holds gigabytes while it runs and is no faster."""


def _whole(name: str, value: Any) -> int:
    low, high = LIMITS[name]
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        shown = f"{type(value).__name__} {value!r}" if not isinstance(value, int) \
            or isinstance(value, bool) else f"{value:,}"
        raise SettingsError(f"{name} must be a whole number from {low:,} to {high:,}, "
                            f"got {shown}")
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
        rows: 'full' (runs.parquet holds every column) or 'outcomes' (the outcome dates and
            nations only, for very large runs).
        products: 'full' (plots, chronicle.md and report.md too) or 'lean' (summary.json and
            runs.parquet only); the numbers are the same.
    """

    runs: int
    seed: int
    chunk_size: int
    executor: str
    workers: int
    dask_address: str | None
    progress: bool
    rows: str = "full"
    products: str = "full"

    def __post_init__(self):
        for name in LIMITS:
            _whole(name, getattr(self, name))
        if self.executor not in EXECUTORS:
            raise SettingsError(f"unknown executor {self.executor!r}; allowed: "
                                f"{', '.join(EXECUTORS)}")
        address = self.dask_address
        if address is not None and (not isinstance(address, str) or not address.strip()
                                    or any(c.isspace() for c in address)):
            raise SettingsError(f"dask_address must be an address like tcp://HOST:8786 or "
                                f"null, got {address!r}")
        if not isinstance(self.progress, bool):
            raise SettingsError(f"progress must be true or false, got {self.progress!r}")
        if self.rows not in ROWS:
            raise SettingsError(f"unknown rows {self.rows!r}; allowed: {', '.join(ROWS)}")
        if self.products not in PRODUCTS:
            raise SettingsError(f"unknown products {self.products!r}; allowed: "
                                f"{', '.join(PRODUCTS)}")

    @classmethod
    def from_config(cls, cfg) -> RunSettings:
        """The settings of a composed config (or any mapping with the same keys)."""
        missing = [f.name for f in dataclasses.fields(cls)
                   if f.default is dataclasses.MISSING and f.name not in cfg]
        if missing:
            raise SettingsError(f"the config lacks the run setting(s) {', '.join(missing)}")
        values = {}
        for f in dataclasses.fields(cls):
            if f.name in cfg:
                try:
                    values[f.name] = cfg[f.name]
                except OmegaConfBaseException as error:
                    raise SettingsError(f"{f.name}: {str(error).splitlines()[0]}") from None
        return cls(**values)

    @classmethod
    def defaults(cls, **changes) -> RunSettings:
        """The defaults of configs/config.yaml, with `changes` applied."""
        settings = cls.from_config(OmegaConf.load(CONFIGS / "config.yaml"))
        return dataclasses.replace(settings, **changes)

    def replace(self, **changes) -> RunSettings:
        return dataclasses.replace(self, **changes)
