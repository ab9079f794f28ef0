"""A scenario's time series read at the model's steps."""

from __future__ import annotations

import numpy as np


def series_at(series, years: np.ndarray) -> np.ndarray:
    """Values of a Series at each year, linear between its points, flat beyond its ends."""
    return np.interp(years, series.years, series.values)


def along_paths(value, paths, t: int):
    """`value` at step `t`, replaced in the (W,) worlds of each `(worlds, path)` by the path's
    value then: the series of the worlds that took another road at a juncture, in the order
    the junctures set them (the last a world took counts). A number where no path applies."""
    for worlds, path in paths:
        value = np.where(worlds, path[t], value)
    return value
