"""The summary of a run: each outcome's probability with its interval, and when it happened.

This is the contract later tools read (README, "summary.json"): `outcomes.<id>` holds
`probability`, `ci95`, `worlds`, `median_year` and `quartiles`, with null where no world had the
event, for every outcome the engine declares (sim/engine/schedule.py, OUTCOMES).
"""

from __future__ import annotations

import numpy as np

from sim.analysis.stats import proportion_ci, year_quantiles
from sim.calendar import year_key
from sim.engine.schedule import HEADLINE, OUTCOMES
from sim.montecarlo import MonteCarloResult


def summarise_outcome(years: np.ndarray) -> dict:
    """Probability, 95% interval, median and quartiles of one outcome's dates."""
    count = int((~np.isnan(years)).sum())
    when = year_quantiles(years)
    return {
        "probability": count / years.size,
        "ci95": list(proportion_ci(count, years.size)),
        "worlds": count,
        "median_year": None if when is None else when["median"],
        "quartiles": None if when is None else when["quartiles"],
    }


def own_turns(outcome: dict) -> str | None:
    """Each ally's own turns as text ("ussr to ethiopia 15.8%; somalia to usa 1.6%"), where
    each ally turned in some world; None where at most one did, whose turns the outcome's
    breakdown by nation and by power already gives. A share under 0.05% is "<0.1%", not 0."""
    turns = {n: {p: x for p, x in by_power.items() if x > 0}
             for n, by_power in outcome.get("each_nation", {}).items()}
    if sum(bool(t) for t in turns.values()) < 2:
        return None
    return "; ".join(f"{n} to " + ", ".join(f"{p} {x:.1%}" if x >= 0.0005 else f"{p} <0.1%"
                                            for p, x in t.items())
                     for n, t in turns.items() if t)


def summarise(result: MonteCarloResult, version: str) -> dict:
    """The run's summary as plain data, ready for JSON."""
    world = result.world
    outcomes = {o.id: summarise_outcome(result.years[o.id]) for o in OUTCOMES}
    first = HEADLINE.id   # the split: its share by each historical milestone
    outcomes[first]["by_year"] = {year_key(m): float(np.mean(result.years[first] < m))
                                  for m in world.milestones}
    names = {"by_nation": world.members, "by_power": world.outside_powers}
    for (outcome_id, key), codes in result.breakdowns.items():
        outcomes[outcome_id][key] = {
            name: float(np.mean(codes == i)) for i, name in enumerate(names[key])}
    for (outcome_id, nation), codes in result.each_nation.items():   # each ally's own turns
        outcomes[outcome_id].setdefault("each_nation", {})[nation] = {
            name: float(np.mean(codes == i)) for i, name in enumerate(world.outside_powers)}
    return {
        "scenario": world.name,
        "title": world.title,
        "runs": result.runs,
        "seed": result.seed,
        "chunk_size": result.chunk_size,
        "version": version,
        "period": {"start": world.start, "horizon": world.horizon,
                   "steps_per_year": world.steps_per_year},
        "split_definition": {"threshold": world.split_threshold,
                             "sustained_years": world.split_sustained_years},
        "outcomes": outcomes,
    }
