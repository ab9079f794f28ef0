"""Estimators for Monte Carlo outcomes: proportions with intervals, and quantiles of dates.

Intervals for a proportion use Wilson's score interval, which keeps its coverage near 0 and 1
where the textbook normal interval collapses (Brown, Cai & DasGupta, Statistical Science 16(2),
2001).
"""

from __future__ import annotations

import numpy as np
from scipy import stats


def proportion_ci(successes: int, trials: int, level: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for a binomial proportion; (nan, nan) when there are no trials."""
    if trials == 0:
        return (float("nan"), float("nan"))
    z = stats.norm.ppf(0.5 + level / 2)
    p = successes / trials
    denominator = 1 + z**2 / trials
    centre = (p + z**2 / (2 * trials)) / denominator
    half = z * np.sqrt(p * (1 - p) / trials + z**2 / (4 * trials**2)) / denominator
    return (float(max(0.0, centre - half)), float(min(1.0, centre + half)))


def year_quantiles(years: np.ndarray) -> dict | None:
    """Median and quartiles of the event dates that happened (NaN = did not happen).

    Returns None when no world had the event.
    """
    happened = years[~np.isnan(years)]
    if happened.size == 0:
        return None
    q1, median, q3 = np.percentile(happened, [25, 50, 75])
    return {"median": float(median), "quartiles": [float(q1), float(q3)]}
