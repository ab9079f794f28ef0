"""The plots a Bayesian modeller expects of a calibration: each parameter's prior against its
posterior, and the kept worlds on the parameter pairs that are most correlated among them."""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from sim.outputs.plots import save_figure  # noqa: E402

PRIOR, POSTERIOR = "#bababa", "#2166ac"


def _caption(summary: dict) -> str:
    a = summary["acceptance"]
    return (f"{summary['scenario']}: {a['worlds']:,} worlds from the priors, {a['kept']:,} kept "
            f"({a['rate']:.3%}), seed {summary['seed']}")


def _short(path: str) -> str:
    return path.replace("forces.", "").replace("nations.", "").replace("persons.", "")


def _shares(values: np.ndarray, bins: np.ndarray, logarithmic: bool) -> dict:
    """Histogram settings: a density, or on a log axis the share of values in each bin (bins
    equal on the log scale), so that the bars' mass lies where the values do."""
    if logarithmic:
        return {"bins": bins, "weights": np.full(values.size, 1.0 / values.size)}
    return {"bins": bins, "density": True}


def plot_marginals(priors: dict, kept, summary: dict, path: Path) -> None:
    """One panel per parameter: the prior's density (grey) and the kept worlds' histogram
    (blue), with the posterior's median and 90% interval."""
    names = list(priors)
    cols = 3
    rows = max(1, math.ceil(len(names) / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(11, 2.3 * rows + 0.8), dpi=100, squeeze=False)
    for ax, name in zip(axes.flat, names, strict=False):
        dist = priors[name]
        low, high = dist.quantile([0.001, 0.999])
        grid = np.linspace(low, high, 200)
        sample = dist.quantile((np.arange(20000) + 0.5) / 20000)
        logarithmic = dist.kind == "lognormal" and low > 0   # a long tail: on a log axis
        bins = np.geomspace(low, high, 31) if logarithmic else np.linspace(low, high, 31)
        ax.hist(sample, **_shares(sample, bins, logarithmic), color=PRIOR, alpha=0.6,
                label="prior")
        values = kept[f"param.{name}"].to_numpy(dtype=float) if len(kept) else np.array([])
        if values.size:
            ax.hist(values, **_shares(values, bins, logarithmic), color=POSTERIOR, alpha=0.55,
                    label="posterior")
            q5, q50, q95 = np.quantile(values, [0.05, 0.5, 0.95])
            ax.axvline(q50, color=POSTERIOR, linewidth=1.2)
            ax.axvspan(q5, q95, color=POSTERIOR, alpha=0.08)
        ax.set_xlim(grid[0], grid[-1])
        if logarithmic:
            ax.set_xscale("log")
        ax.set_yticks([])
        ax.set_title(_short(name), fontsize=9)
        ax.tick_params(labelsize=8)
    for ax in list(axes.flat)[len(names):]:
        ax.axis("off")
    axes.flat[0].legend(fontsize=8)
    fig.suptitle("Prior (grey) and posterior (blue; line: median, band: 90%) of each "
                 f"parameter\n{_caption(summary)}", fontsize=10)
    save_figure(fig, path)


def plot_pairs(kept, summary: dict, path: Path, pairs: int = 4) -> None:
    """The kept worlds on each of the most correlated parameter pairs."""
    strongest = summary["correlations"]["pairs"][:pairs]
    fig, axes = plt.subplots(1, max(1, len(strongest)), figsize=(3.4 * max(1, len(strongest)),
                                                                 3.6), dpi=100, squeeze=False)
    for ax, pair in zip(axes.flat, strongest, strict=False):
        x = kept[f"param.{pair['a']}"].to_numpy(dtype=float)
        y = kept[f"param.{pair['b']}"].to_numpy(dtype=float)
        ax.scatter(x, y, s=4, alpha=0.4, color=POSTERIOR, linewidths=0)
        ax.set_xlabel(_short(pair["a"]), fontsize=8)
        ax.set_ylabel(_short(pair["b"]), fontsize=8)
        ax.set_title(f"Spearman r = {pair['r']:+.2f}", fontsize=9)
        ax.tick_params(labelsize=7)
    if not strongest:
        axes.flat[0].text(0.5, 0.5, "fewer than two parameters or three kept worlds",
                          ha="center", transform=axes.flat[0].transAxes)
    fig.suptitle(f"The most correlated parameter pairs among the kept worlds\n"
                 f"{_caption(summary)}", fontsize=10)
    save_figure(fig, path)
