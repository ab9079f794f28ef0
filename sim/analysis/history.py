"""The history check: does the simulated record land where the historical one did?

The targets are scenario data (`history.checks`), so every world brings its own record;
the engine only knows how to compute each statistic.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

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
        return f"{low:g} to {high:g}"

    def as_dict(self) -> dict:
        return {"name": self.check.name, "outcome": self.check.outcome,
                "statistic": self.check.statistic, "target": self.target,
                "value": self.value, "passed": self.passed}


def shown_value(statistic: str, value: float | None) -> str:
    """A check's value as the report and the page print it: a year to one decimal, a share
    or probability to two."""
    if value is None:
        return "-"
    return f"{value:.1f}" if statistic == "median_year" else f"{value:.2f}"


def evaluate(check: HistoryCheck, years: np.ndarray) -> CheckResult:
    """Compute a check's statistic from one outcome's (R,) dates (NaN = did not happen)."""
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


def history_check(checks, years: dict[str, np.ndarray]) -> list[CheckResult]:
    """Evaluate every check of a world against a run's outcome dates (outcome id -> (R,))."""
    return [evaluate(c, years[c.outcome]) for c in checks]
