"""From a run's outcomes to figures: estimators, the summary, comparisons, the history check
and the drivers of cohesion."""
