"""A scenario against its reference (the baseline), on the same seeds.

Both runs draw every random number from the same named streams, so their difference is
estimated from paired worlds (common random numbers) with far less noise than two
independent runs would give.
"""

from __future__ import annotations

import numpy as np

from sim.analysis.stats import median_shift, paired_difference, unpaired_difference_ci
from sim.analysis.summary import summarise_outcome
from sim.engine.schedule import OUTCOMES
from sim.montecarlo import MonteCarloResult


def compare(result: MonteCarloResult, reference: MonteCarloResult) -> dict:
    """The `vs_baseline` block of summary.json: per outcome, the paired difference in
    probability with its interval (and the unpaired interval for contrast), the shift in
    median year with a paired bootstrap interval, and the reference's own figures."""
    block = {"reference": reference.world.name}
    for outcome in OUTCOMES:
        ours, theirs = result.years[outcome.id], reference.years[outcome.id]
        happened, happened_ref = ~np.isnan(ours), ~np.isnan(theirs)
        block[outcome.id] = {
            **paired_difference(happened, happened_ref),
            "ci95_unpaired": unpaired_difference_ci(happened, happened_ref),
            **median_shift(ours, theirs, seed=result.seed),
            "reference": summarise_outcome(theirs),
        }
    return block
