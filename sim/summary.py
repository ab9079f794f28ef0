"""The summary of a run: each outcome's probability with its interval, and when it happened.

This is the contract later tools read (README, "summary.json"): `outcomes.<name>` holds
`probability`, `ci95`, `median_year` and `quartiles`, with null where no world had the event.
"""

from __future__ import annotations

import numpy as np

from sim.montecarlo import MonteCarloResult
from sim.stats import proportion_ci, year_quantiles


def year_key(year: float) -> str:
    """A milestone year as a JSON key: '1960', or '1960.5' for a year that is not whole."""
    return str(int(year) if float(year).is_integer() else year)


def outcome_years(result: MonteCarloResult) -> dict[str, np.ndarray]:
    """(R,) decimal years of each outcome in each world, NaN where it did not happen."""
    o = result.outcomes
    return {"split": o.split, "border_clash": o.clash, "realignment": o.realignment}


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


def summarise(result: MonteCarloResult, version: str) -> dict:
    """The run's summary as plain data, ready for JSON."""
    world = result.world
    outcomes = {name: summarise_outcome(y) for name, y in outcome_years(result).items()}
    split = result.outcomes.split
    outcomes["split"]["by_year"] = {
        year_key(m): float(np.mean(split < m))
        for m in world.milestones
    }
    nations = result.outcomes.realignment_nation
    outcomes["realignment"]["by_nation"] = {
        nation: float(np.mean(nations == i)) for i, nation in enumerate(world.members)
    }
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
