"""The estimators against hand-computed cases, and their intervals' coverage by simulation."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from sim.analysis.stats import (
    hazard_by_period,
    histogram_quantiles,
    kaplan_meier,
    median_shift,
    paired_difference,
    period_edges,
    poisson_rate_ci,
    proportion_ci,
    unpaired_difference_ci,
)


def test_wilson_and_jeffreys_match_published_values():
    # Brown, Cai & DasGupta 2001 and any textbook: Wilson 5/10 = 0.237-0.763, 0/10 upper 0.278
    assert proportion_ci(5, 10) == pytest.approx((0.2366, 0.7634), abs=1e-4)
    assert proportion_ci(0, 10) == pytest.approx((0.0, 0.2775), abs=1e-4)
    # Jeffreys: quantiles of Beta(k + 1/2, n - k + 1/2); the bound is 0 (or 1) at k = 0 (or n)
    assert proportion_ci(5, 10, method="jeffreys") == pytest.approx((0.2235, 0.7765), abs=1e-4)
    low, high = proportion_ci(0, 10, method="jeffreys")
    assert low == 0.0 and high == pytest.approx(0.2172, abs=1e-4)
    assert proportion_ci(10, 10, method="jeffreys")[1] == 1.0
    assert np.isnan(proportion_ci(0, 0)[0])


@pytest.mark.parametrize("method", ["wilson", "jeffreys"])
def test_proportion_intervals_cover_about_95_percent_even_near_0_and_1(method):
    rng = np.random.default_rng(11)
    coverages = []
    for n in (40, 200):
        for p in (0.02, 0.1, 0.3, 0.5, 0.85, 0.97):
            ks = rng.binomial(n, p, 2000)
            lookup = {k: proportion_ci(int(k), n, method=method) for k in np.unique(ks)}
            hits = [lookup[k][0] <= p <= lookup[k][1] for k in ks]
            coverages.append(np.mean(hits))
    # the textbook Wald interval covers p = 0.02 at n = 40 only about 55% of the time
    assert min(coverages) > 0.88
    assert 0.93 < np.mean(coverages) < 0.97


def test_kaplan_meier_matches_a_hand_computed_curve():
    # six subjects: events at 1, 2, 2, 3; censored at 2.5 and 4
    km = kaplan_meier(np.array([1, 2, 2, 2.5, 3, 4.0]),
                      np.array([True, True, True, False, True, False]))
    # S(1) = 5/6; S(2) = 5/6 * 3/5 = 1/2; S(3) = 1/2 * 1/2 = 1/4 (two at risk after 2.5)
    assert km.at(0.5) == (1.0, 1.0, 1.0)
    assert km.at(1.0)[0] == pytest.approx(5 / 6)
    assert km.at(2.7)[0] == pytest.approx(0.5)
    assert km.at(3.5)[0] == pytest.approx(0.25)
    assert km.events == 4 and km.at_risk == 6
    s, low, high = km.at(2.0)
    assert low < s < high


def test_kaplan_meier_band_covers_the_true_survival_about_95_percent():
    rng = np.random.default_rng(5)
    t0, horizon, true = 1.0, 2.0, np.exp(-1.0)      # exponential with rate 1
    hits = []
    for _ in range(600):
        t = rng.exponential(1.0, 120)
        observed = t < horizon                       # administrative censoring, as in our runs
        _, low, high = kaplan_meier(np.minimum(t, horizon), observed).at(t0)
        hits.append(low <= true <= high)
    assert 0.92 < np.mean(hits) < 0.98


def test_period_edges_are_calendar_aligned():
    assert list(period_edges(1949.75, 1963.0, 5)) == [1949.75, 1955.0, 1960.0, 1963.0]
    assert list(period_edges(1949.75, 1991.99, 5))[-2:] == [1985.0, 1991.99]  # no slivers
    assert list(period_edges(1950.0, 1960.0, 5)) == [1950.0, 1955.0, 1960.0]


def test_hazard_by_period_divides_events_by_time_at_risk():
    times = np.array([1.0, 2.5, 3.0, 6.0])
    observed = np.array([True, True, False, True])
    periods = hazard_by_period(times, observed, np.array([0.0, 2.0, 4.0, 6.0]))
    # at risk in [0, 2): 1 + 2 + 2 + 2 = 7 years, one event; [2, 4): 0.5 + 1 + 2 = 3.5, one;
    # [4, 6): 2 years, none (the event at 6 is outside [4, 6))
    assert [p["events"] for p in periods] == [1, 1, 0]
    assert [p["exposure"] for p in periods] == pytest.approx([7.0, 3.5, 2.0])
    assert [p["rate"] for p in periods] == pytest.approx([1 / 7, 1 / 3.5, 0.0])


def test_poisson_interval_matches_published_values_and_covers():
    # Garwood 1936 tables: 0 events -> (0, 3.689); 1 event -> (0.0253, 5.572)
    assert poisson_rate_ci(0, 1.0) == pytest.approx((0.0, 3.689), abs=1e-3)
    assert poisson_rate_ci(1, 1.0) == pytest.approx((0.0253, 5.572), abs=1e-3)
    rng = np.random.default_rng(3)
    hits = [low <= 2.0 <= high
            for low, high in (poisson_rate_ci(int(k), 3.0) for k in rng.poisson(6.0, 2000))]
    assert 0.94 < np.mean(hits) < 0.99          # exact intervals are conservative


def test_histogram_quantiles_recover_sample_quantiles_within_a_bin():
    rng = np.random.default_rng(2)
    samples = [rng.beta(2, 5, 5000), rng.uniform(0.2, 0.9, 5000)]
    counts = np.stack([np.bincount((s * 100).astype(int), minlength=101) for s in samples])
    levels = [0.05, 0.25, 0.5, 0.75, 0.95]
    got = histogram_quantiles(counts, levels, 0.01)
    for t, s in enumerate(samples):
        assert got[:, t] == pytest.approx(np.quantile(s, levels), abs=0.01)


def test_wilson_interval_stays_inside_unit_interval_at_the_edges():
    assert proportion_ci(0, 50)[0] == 0.0 and proportion_ci(0, 50)[1] > 0.0
    assert proportion_ci(50, 50)[1] == 1.0 and proportion_ci(50, 50)[0] < 1.0


def test_paired_interval_is_narrower_when_worlds_agree():
    rng = np.random.default_rng(5)
    reference = rng.random(5000) < 0.8
    scenario = reference.copy()
    flip = rng.random(5000) < 0.05
    scenario[flip] = ~scenario[flip]
    paired = paired_difference(scenario, reference)
    low, high = paired["ci95"]
    u_low, u_high = unpaired_difference_ci(scenario, reference)
    assert low <= paired["difference"] <= high
    assert (high - low) < 0.5 * (u_high - u_low)


def test_kaplan_meier_and_its_band_are_scipys():
    """Our Kaplan-Meier (kept free of scipy.stats for start-up time) gives scipy.stats.ecdf's
    curve and Greenwood log-log band, ties and censoring included."""
    from scipy import stats as scipy_stats

    rng = np.random.default_rng(4)
    for size in (1, 7, 300, 5000):
        times = np.round(rng.uniform(1950, 1992, size) * 4) / 4
        observed = rng.random(size) < 0.7
        mine = kaplan_meier(times, observed)
        sf = scipy_stats.ecdf(scipy_stats.CensoredData(uncensored=times[observed],
                                                       right=times[~observed])).sf
        assert np.allclose(mine.times, sf.quantiles)
        assert np.allclose(mine.survival, sf.probabilities)
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            band = sf.confidence_interval(0.95, method="log-log")
        low = np.where(np.isnan(band.low.probabilities), sf.probabilities, band.low.probabilities)
        high = np.where(np.isnan(band.high.probabilities), sf.probabilities,
                        band.high.probabilities)
        assert np.allclose(mine.low, low) and np.allclose(mine.high, high)


def test_median_shift_is_the_world_by_world_paired_bootstrap():
    """Resampling counts of date pairs is the same bootstrap as resampling worlds: on the same
    data both put the 95% interval of the shift in the same place (2,000 replicates each), about
    half as wide as two independent resamplings would (about 0.21 against 0.60 here)."""
    rng = np.random.default_rng(3)
    n = 2000
    reference = rng.normal(1962, 3, n)
    reference[rng.random(n) < 0.3] = np.nan
    scenario = np.where(rng.random(n) < 0.8, reference + 0.3, reference + rng.normal(2, 2, n))
    draws = []
    for _ in range(2000):
        pick = rng.integers(0, n, n)
        draws.append(np.nanmedian(scenario[pick]) - np.nanmedian(reference[pick]))
    by_worlds = np.percentile(draws, [2.5, 97.5])
    result = median_shift(scenario, reference, seed=5, replicates=2000)
    assert result["median_shift"] == np.nanmedian(scenario) - np.nanmedian(reference)
    assert np.allclose(result["median_shift_ci95"], by_worlds, atol=0.03)
