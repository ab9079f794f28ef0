"""A scenario's time series read at the model's steps."""

from __future__ import annotations

import numpy as np


def series_at(series, years: np.ndarray) -> np.ndarray:
    """Values of a Series at each year, linear between its points, flat beyond its ends."""
    return np.interp(years, series.years, series.values)
