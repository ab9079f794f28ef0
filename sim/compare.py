"""A scenario against its reference (the baseline), on the same seeds.

Both runs draw every random number from the same named streams, so their difference is
estimated from paired worlds (common random numbers) with far less noise than two
independent runs would give.
"""

from __future__ import annotations

import numpy as np

from sim.montecarlo import MonteCarloResult
from sim.stats import median_shift, paired_difference, unpaired_difference_ci
from sim.summary import outcome_years, summarise_outcome


def compare(result: MonteCarloResult, reference: MonteCarloResult) -> dict:
    """The `vs_baseline` block of summary.json: per outcome, the paired difference in
    probability with its interval (and the unpaired interval for contrast), the shift in
    median year with a paired bootstrap interval, and the reference's own figures."""
    block = {"reference": reference.world.name}
    ours, theirs = outcome_years(result), outcome_years(reference)
    for name in ours:
        happened, happened_ref = ~np.isnan(ours[name]), ~np.isnan(theirs[name])
        block[name] = {
            **paired_difference(happened, happened_ref),
            "ci95_unpaired": unpaired_difference_ci(happened, happened_ref),
            **median_shift(ours[name], theirs[name], seed=result.seed),
            "reference": summarise_outcome(theirs[name]),
        }
    return block
