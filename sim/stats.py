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
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == trials else min(1.0, centre + half)
    return (float(low), float(high))


def year_quantiles(years: np.ndarray) -> dict | None:
    """Median and quartiles of the event dates that happened (NaN = did not happen).

    Returns None when no world had the event.
    """
    happened = years[~np.isnan(years)]
    if happened.size == 0:
        return None
    q1, median, q3 = np.percentile(happened, [25, 50, 75])
    return {"median": float(median), "quartiles": [float(q1), float(q3)]}


def paired_difference(scenario: np.ndarray, reference: np.ndarray, level: float = 0.95) -> dict:
    """Difference in the share of worlds with an event, paired world by world.

    Both runs used the same seeds (common random numbers), so world i of one is world i of
    the other but for the scenario's changes; the interval uses the variance of the per-world
    differences, which is far smaller than that of two independent runs when the runs agree
    on most worlds.

    Args:
        scenario, reference: (R,) bool, whether each world had the event.
    """
    diff = scenario.astype(float) - reference.astype(float)
    n = diff.size
    z = stats.norm.ppf(0.5 + level / 2)
    half = z * diff.std(ddof=1) / np.sqrt(n) if n > 1 else float("nan")
    mean = float(diff.mean())
    return {"difference": mean, "ci95": [mean - half, mean + half]}


def unpaired_difference_ci(scenario: np.ndarray, reference: np.ndarray,
                           level: float = 0.95) -> list[float]:
    """Newcombe's hybrid score interval for p1 - p2 as if the runs were independent.

    Reported beside the paired interval to show what common random numbers buy
    (Newcombe, Statistics in Medicine 17, 1998, method 10).
    """
    k1, n1, k2, n2 = int(scenario.sum()), scenario.size, int(reference.sum()), reference.size
    p1, p2 = k1 / n1, k2 / n2
    l1, u1 = proportion_ci(k1, n1, level)
    l2, u2 = proportion_ci(k2, n2, level)
    d = p1 - p2
    return [d - np.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2),
            d + np.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)]


def median_shift(scenario: np.ndarray, reference: np.ndarray, seed: int,
                 replicates: int = 400) -> dict:
    """Shift in the median date of an event, with a paired bootstrap 95% interval.

    Worlds are resampled in pairs, so the interval keeps the benefit of common random
    numbers. Returns nulls when either run had no such event.
    """
    def median(years):
        happened = years[~np.isnan(years)]
        return np.median(happened) if happened.size else np.nan

    shift = median(scenario) - median(reference)
    if np.isnan(shift):
        return {"median_shift": None, "median_shift_ci95": None}
    rng = np.random.default_rng(seed)
    n = scenario.size
    draws = []
    for _ in range(replicates):
        pick = rng.integers(0, n, n)
        draws.append(median(scenario[pick]) - median(reference[pick]))
    draws = np.array(draws)
    draws = draws[~np.isnan(draws)]
    low, high = np.percentile(draws, [2.5, 97.5])
    return {"median_shift": float(shift), "median_shift_ci95": [float(low), float(high)]}
