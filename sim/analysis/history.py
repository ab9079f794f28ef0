"""The history check: does the simulated record land where the historical one did?

The targets are scenario data (`history.checks`), so every world brings its own record;
the engine only knows how to compute each statistic.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.analysis.stats import histogram_quantiles
from sim.engine.observers import COHESION_BINS
from sim.scenario.schema import HistoryCheck


@dataclass(frozen=True)
class CheckResult:
    """A check with the value the run produced and whether it passed."""

    check: HistoryCheck
    value: float | None
    passed: bool

    @property
    def target(self) -> str:
        c = self.check
        if c.statistic == "share_within":
            return f">= {c.at_least:.0%} in {c.years[0]:g}-{c.years[1]:g}"
        low, high = c.within
        if c.statistic == "probability":
            return f"{low:.2f} to {high:.2f}"
        if c.statistic == "median_cohesion":
            return f"{low:.2f} to {high:.2f} at the end of {c.year}"
        if c.statistic == "evidence":
            return f"{low:.2f} to {high:.2f} of worlds match {c.evidence}"
        return f"{low:g} to {high:g}"

    def as_dict(self) -> dict:
        return {"name": self.check.name, "outcome": self.check.outcome,
                "statistic": self.check.statistic, "target": self.target,
                "value": self.value, "passed": self.passed}


def shown_value(statistic: str, value: float | None) -> str:
    """A check's value as the report and the page print it: a year to one decimal, a share
    or probability to two, or '<0.01' and '>0.99' where two decimals would say none or all."""
    if value is None:
        return "-"
    if statistic == "median_year":
        return f"{value:.1f}"
    if 0.0 < value < 0.005:   # 0.00 would say none where a few worlds had it
        return "<0.01"
    if 0.995 <= value < 1.0:
        return ">0.99"
    return f"{value:.2f}"


def median_cohesion(result, year: int) -> float:
    """The median cohesion across worlds at the end of calendar year `year` (the last step
    that starts before the next year), from the run's per-step histogram."""
    world = result.world
    steps = np.flatnonzero(world.year_of(np.arange(world.n_steps)) < year + 1)
    counts = result.cohesion_histogram[steps[-1] if steps.size else 0]
    return float(histogram_quantiles(counts[None, :], [0.5], 1.0 / COHESION_BINS)[0, 0])


def evaluate(check: HistoryCheck, result, evidence: dict | None = None) -> CheckResult:
    """Compute a check's statistic from a run (its outcome dates, NaN where an outcome did not
    happen, or its per-step cohesion histogram), or from the share of worlds matching each
    piece of evidence (name -> share)."""
    if check.statistic == "evidence":
        value = float((evidence or {})[check.evidence])
        return CheckResult(check, value, bool(check.within[0] <= value <= check.within[1]))
    if check.statistic == "median_cohesion":
        value = median_cohesion(result, check.year)
        return CheckResult(check, value, bool(check.within[0] <= value <= check.within[1]))
    years = result.years[check.outcome]
    happened = years[~np.isnan(years)]
    if check.statistic == "probability":
        value = happened.size / years.size
    elif happened.size == 0:
        return CheckResult(check, None, False)
    elif check.statistic == "median_year":
        value = float(np.median(happened))
    else:
        low, high = check.years
        value = float(np.mean((happened >= low) & (happened < high + 1)))
    if check.statistic == "share_within":
        passed = value >= check.at_least
    elif check.statistic == "median_year":
        passed = check.within[0] <= value < check.within[1] + 1
    else:
        passed = check.within[0] <= value <= check.within[1]
    return CheckResult(check, float(value), bool(passed))


def history_check(checks, result, evidence: dict | None = None) -> list[CheckResult]:
    """Evaluate every check of a world against a run (a MonteCarloResult) and the share of its
    worlds matching each piece of its evidence."""
    return [evaluate(c, result, evidence) for c in checks]
