"""Estimators for Monte Carlo outcomes: proportions, survival, hazards, quantiles, differences.

Intervals for a proportion use Wilson's score interval (or Jeffreys' on request), both of which
keep their coverage near 0 and 1 where the textbook normal interval collapses (Brown, Cai &
DasGupta, Statistical Science 16(2), 2001). Survival of the alliance is the Kaplan-Meier
estimate with a Greenwood log-log band (Kalbfleisch & Prentice, The Statistical Analysis of
Failure Time Data, 2002, ch. 1; the same formulas as scipy.stats.ecdf, which a test checks);
worlds still allied at the horizon are right-censored there, not counted as failures to split.
Quantiles come from scipy.special: importing scipy.stats would cost every run half a second.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import special

INTERVALS = ("wilson", "jeffreys")


def proportion_ci(successes: int, trials: int, level: float = 0.95,
                  method: str = "wilson") -> tuple[float, float]:
    """Interval for a binomial proportion; (nan, nan) when there are no trials.

    Args:
        method: 'wilson' (score interval) or 'jeffreys' (equal-tailed interval of the
            Beta(k + 1/2, n - k + 1/2) posterior, with the bound at 0 or 1 when k is 0 or n,
            as Brown, Cai & DasGupta 2001 recommend).
    """
    if method not in INTERVALS:
        raise ValueError(f"unknown interval '{method}'; allowed: {', '.join(INTERVALS)}")
    if trials == 0:
        return (float("nan"), float("nan"))
    if method == "jeffreys":
        a, b = successes + 0.5, trials - successes + 0.5
        low = 0.0 if successes == 0 else special.betaincinv(a, b, (1 - level) / 2)
        high = 1.0 if successes == trials else special.betaincinv(a, b, (1 + level) / 2)
        return (float(low), float(high))
    z = special.ndtri(0.5 + level / 2)
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
    z = special.ndtri(0.5 + level / 2)
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

    Dates fall on the model's steps, so a run has few distinct (scenario, reference) pairs of
    dates; resampling n worlds is drawing how many of the n fall on each pair (a multinomial),
    and a replicate's median is read from its counts. The same bootstrap as picking worlds one
    by one, in a few array operations however many worlds there are.
    """
    shift = _median(scenario) - _median(reference)
    if np.isnan(shift):
        return {"median_shift": None, "median_shift_ci95": None}
    ours, our_code = np.unique(np.nan_to_num(scenario, nan=np.inf), return_inverse=True)
    theirs, their_code = np.unique(np.nan_to_num(reference, nan=np.inf), return_inverse=True)
    pairs, counts = np.unique(our_code * theirs.size + their_code, return_counts=True)
    rng = np.random.default_rng(seed)
    resampled = rng.multinomial(scenario.size, counts / scenario.size, size=replicates)
    draws = (_counted_median(ours[pairs // theirs.size], resampled)
             - _counted_median(theirs[pairs % theirs.size], resampled))
    draws = draws[~np.isnan(draws)]
    low, high = np.percentile(draws, [2.5, 97.5])
    return {"median_shift": float(shift), "median_shift_ci95": [float(low), float(high)]}


def _median(years: np.ndarray) -> float:
    happened = years[~np.isnan(years)]
    return np.median(happened) if happened.size else np.nan


def _counted_median(values: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """(R,) the median of `values` (inf: no event, so left out) each repeated `counts[r]` times,
    for each row r of `counts` (R, K); NaN where a row has no event."""
    order = np.argsort(values)
    values, counts = values[order], np.where(np.isinf(values[order]), 0, counts[:, order])
    cumulative = np.cumsum(counts, axis=1)
    total = cumulative[:, -1:]
    # the k-th smallest (from 0) is the first value whose cumulative count exceeds k
    lower = (cumulative <= (total - 1) // 2).sum(axis=1)
    upper = (cumulative <= total // 2).sum(axis=1)
    last = values.size - 1
    median = (values[np.minimum(lower, last)] + values[np.minimum(upper, last)]) / 2
    return np.where(total[:, 0] > 0, median, np.nan)


@dataclass(frozen=True)
class Survival:
    """A Kaplan-Meier curve: a step function that starts at 1 and drops at event times.

    Attributes:
        times: (K,) ascending times where the estimate is given (events and censorings).
        survival: (K,) P(T > t) from each of `times` until the next.
        low, high: (K,) pointwise confidence band of `survival`.
        at_risk: number of subjects at the start.
        events: number of observed events.
    """

    times: np.ndarray
    survival: np.ndarray
    low: np.ndarray
    high: np.ndarray
    at_risk: int
    events: int

    def at(self, t: float) -> tuple[float, float, float]:
        """(survival, low, high) at time t; (1, 1, 1) before the first time."""
        k = int(np.searchsorted(self.times, t, side="right")) - 1
        if k < 0:
            return (1.0, 1.0, 1.0)
        return (float(self.survival[k]), float(self.low[k]), float(self.high[k]))


def _exits(times: np.ndarray, observed: np.ndarray, chunk: int = 1 << 20):
    """(unique times ascending, subjects leaving at each, events at each): the counts every
    survival estimate below needs. Worlds leave at a few hundred distinct step dates, so
    the counts are short arrays; they are gathered a million subjects at a time, so that no
    temporary grows with the number of subjects."""
    parts = []
    for start in range(0, times.size, chunk):
        part, seen = times[start:start + chunk], observed[start:start + chunk]
        parts.append((np.unique(part, return_counts=True),
                      np.unique(part[seen], return_counts=True)))
    t = np.unique(np.concatenate([u for (u, _), _ in parts] or [np.empty(0)]))
    leaving = np.zeros(t.size, dtype=np.int64)
    d = np.zeros(t.size, dtype=np.int64)
    for (u, count), (event_t, events) in parts:
        leaving[np.searchsorted(t, u)] += count
        d[np.searchsorted(t, event_t)] += events
    return t, leaving, d


def kaplan_meier(times: np.ndarray, observed: np.ndarray, level: float = 0.95) -> Survival:
    """Kaplan-Meier estimate of the survival function with a Greenwood log-log band.

    Args:
        times: (R,) event time where observed, censoring time otherwise.
        observed: (R,) bool, True where the event happened at `times`.

    The arithmetic is scipy.stats.ecdf's for right-censored data and its "log-log"
    confidence interval (Sawyer's exponential Greenwood), done on the counts at each
    distinct time, so that memory does not grow with the number of subjects. Where the
    log-log band is undefined (the estimate is 0 or 1), it collapses onto the estimate.
    """
    times = np.asarray(times, dtype=float)
    observed = np.asarray(observed, dtype=bool)
    t, leaving, d = _exits(times, observed)
    n = times.size - np.concatenate([[0], np.cumsum(leaving)[:-1]])  # at risk at each time
    survival = np.cumprod((n - d) / n)
    if observed.any():
        with np.errstate(divide="ignore", invalid="ignore"):
            var = 1 / np.log(survival) ** 2 * np.cumsum(d / (n * (n - d)))
            z_se = special.ndtri(1 / 2 + level / 2) * np.sqrt(var)
            points = np.log(-np.log(survival))
            low = np.clip(np.exp(-np.exp(points + z_se)), 0, 1)
            high = np.clip(np.exp(-np.exp(points - z_se)), 0, 1)
        low = np.where(np.isnan(low), survival, low)
        high = np.where(np.isnan(high), survival, high)
    else:
        low = high = survival
    return Survival(t, survival, low, high, int(times.size), int(observed.sum()))


def period_edges(start: float, end: float, width: float = 5) -> np.ndarray:
    """Edges of calendar periods of `width` years (1955, 1960, ...) covering [start, end].

    The first and last periods run from `start` and to `end`; a sliver shorter than half a
    period is merged into its neighbour, so no period is a few months long.
    """
    inner = np.arange(np.floor(start / width) * width + width, end, width)
    inner = inner[(inner - start >= width / 2) & (end - inner >= width / 2)]
    return np.concatenate([[start], inner, [end]])


def poisson_rate_ci(events: int, exposure: float, level: float = 0.95) -> tuple[float, float]:
    """Exact (Garwood) interval for a Poisson rate of `events` in `exposure` units of time."""
    if exposure <= 0:
        return (float("nan"), float("nan"))
    alpha = 1 - level
    # the chi-square quantiles of Garwood's interval, chi2(q, 2k) / 2 = gammaincinv(k, q)
    low = 0.0 if events == 0 else special.gammaincinv(events, alpha / 2)
    high = special.gammaincinv(events + 1, 1 - alpha / 2)
    return (float(low / exposure), float(high / exposure))


def hazard_by_period(times: np.ndarray, observed: np.ndarray, edges: np.ndarray,
                     level: float = 0.95) -> list[dict]:
    """Event rate per unit of time at risk in each period, with an exact Poisson interval.

    A subject is at risk from `edges[0]` until its event or censoring time; the rate of a
    period is its events divided by the time its subjects spent at risk in it (for worlds,
    splits per world-year): the life-table hazard, constant within each period.

    Args:
        times: (R,) event or censoring times; observed: (R,) bool, True for events.
        edges: (P + 1,) ascending period edges.
    """
    times = np.asarray(times, dtype=float)
    observed = np.asarray(observed, dtype=bool)
    t, leaving, d = _exits(times, observed)  # per distinct time: memory flat in R
    periods = []
    for low, high in zip(edges[:-1], edges[1:], strict=True):
        exposure = float((leaving * np.clip(np.minimum(t, high) - low, 0.0, high - low)).sum())
        events = int(d[(t >= low) & (t < high)].sum())
        rate = events / exposure if exposure > 0 else float("nan")
        periods.append({"years": [float(low), float(high)], "events": events,
                        "exposure": exposure, "rate": rate,
                        "ci95": list(poisson_rate_ci(events, exposure, level))})
    return periods


def histogram_quantiles(counts: np.ndarray, quantiles, bin_width: float) -> np.ndarray:
    """Quantiles of a variable from its histogram, interpolating within bins.

    Args:
        counts: (T, B) counts per bin at each of T times; bin k covers
            [k * bin_width, (k + 1) * bin_width).
        quantiles: Q levels in [0, 1].

    Returns:
        (Q, T) the quantiles at each time, exact to within one bin width.
    """
    counts = np.asarray(counts, dtype=float)
    cumulative = np.cumsum(counts, axis=1)
    total = cumulative[:, -1]
    rows = np.arange(counts.shape[0])
    out = np.empty((len(quantiles), counts.shape[0]))
    for i, q in enumerate(quantiles):
        target = q * total
        k = np.minimum((cumulative < target[:, None]).sum(axis=1), counts.shape[1] - 1)
        below = cumulative[rows, k] - counts[rows, k]
        inside = np.divide(target - below, counts[rows, k], out=np.zeros_like(target),
                           where=counts[rows, k] > 0)
        out[i] = (k + np.clip(inside, 0.0, 1.0)) * bin_width
    return out
