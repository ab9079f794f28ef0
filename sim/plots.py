"""Plots of a run, made from its saved outcomes only (matplotlib stays at the edge)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def stamp(ax, summary: dict) -> None:
    """Write the scenario, runs and seed in the corner, so a plot is never orphaned."""
    ax.text(0.99, 0.98, f"scenario: {summary['scenario']}\nruns: {summary['runs']:,}\n"
            f"seed: {summary['seed']}", transform=ax.transAxes, ha="right", va="top",
            fontsize=8, color="0.3",
            bbox={"boxstyle": "round", "facecolor": "white", "edgecolor": "0.8"})


def plot_split_years(split_years: np.ndarray, summary: dict, path: Path) -> None:
    """Histogram of split years (one bar a year) as a share of all worlds."""
    start = int(np.floor(summary["period"]["start"]))
    end = int(np.ceil(summary["period"]["horizon"]))
    happened = split_years[~np.isnan(split_years)]
    fig, ax = plt.subplots(figsize=(9, 4.8), dpi=110)
    weights = np.full(happened.size, 1.0 / split_years.size)
    ax.hist(happened, bins=np.arange(start, end + 1), weights=weights, color="#b2182b",
            edgecolor="white", label=f"split ({happened.size / split_years.size:.0%} of worlds)")
    median = summary["outcomes"]["split"]["median_year"]
    if median is not None:
        ax.axvline(median, color="black", linestyle="--", linewidth=1,
                   label=f"median {median:.1f}")
    ax.set_title(f"When the alliance split\n{summary['title']}", fontsize=11)
    ax.set_xlabel("year of the split")
    ax.set_ylabel("share of all worlds, per year")
    ax.set_xlim(start, end)
    ax.legend(loc="upper left", fontsize=9)
    stamp(ax, summary)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
