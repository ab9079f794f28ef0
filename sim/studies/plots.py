"""Plots of studies over many runs: sweeps, sensitivity indices, and the search's findings.

Each reads a finished table only (matplotlib stays at the edge). Probabilities are shown in
percent, as in the run charts and the reports, and differences of probabilities in percentage
points; markers at the ends of an axis are drawn whole.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.ticker import FuncFormatter

from sim.engine.schedule import HEADLINE, OUTCOMES
from sim.outputs.plots import new_figure, percent_axis, save_figure

PAD = 0.03
"""Room beyond 0% and 100% on a probability axis, so a marker at either end is drawn whole."""


def points_axis(axis, signed: bool = True) -> None:
    """Show differences of probabilities on this axis in percentage points (unsigned for a
    magnitude, such as Morris's mu_star)."""
    if signed:
        axis.set_major_formatter(FuncFormatter(lambda v, _: f"{v * 100:+.0f} pts" if v else "0"))
    else:
        axis.set_major_formatter(FuncFormatter(lambda v, _: f"{v * 100:.0f}"))


def _whole(container) -> None:
    """Draw an errorbar's markers and caps whole where they sit on the edge of the axes."""
    for artist in container.get_children():
        artist.set_clip_on(False)


def _numeric(column: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column)


def plot_sweep(table: pd.DataFrame, swept: list[str], path: Path) -> None:
    """A line with its 95% band for one numeric parameter, a heatmap for two, else a forest
    plot of the split probability's interval at each point (e.g. a sweep over scenarios)."""
    if len(swept) == 1 and _numeric(table[swept[0]]):
        plot_line(table, swept[0], path)
    elif len(swept) == 2 and all(_numeric(table[k]) for k in swept):
        plot_heatmap(table, swept[0], swept[1], path)
    else:
        plot_forest(table, swept, path)


def _caption(table: pd.DataFrame) -> str:
    return f"runs: {table['runs'].iloc[0]:,} per point, seed: {table['seed'].iloc[0]}"


def plot_line(table: pd.DataFrame, key: str, path: Path) -> None:
    """Each outcome's probability against the parameter, with its 95% interval as a band."""
    data = table.sort_values(key)
    fig, ax = new_figure(figsize=(8, 4.8))
    for outcome in OUTCOMES:
        x, name = data[key].to_numpy(float), outcome.id
        ax.plot(x, data[f"{name}.probability"], marker="o", color=outcome.colour,
                label=outcome.label, clip_on=False)
        ax.fill_between(x, data[f"{name}.ci95_low"], data[f"{name}.ci95_high"],
                        color=outcome.colour, alpha=0.2, linewidth=0)
    ax.set_xlabel(key)
    ax.set_ylabel("share of worlds by the horizon")
    ax.set_ylim(-PAD, 1 + PAD)
    percent_axis(ax.yaxis)
    ax.set_title(f"Outcomes against {key.split('.')[-1]}\n{_caption(table)}; bands: 95% CI",
                 fontsize=10)
    ax.legend(fontsize=9)
    ax.grid(alpha=0.3)
    save_figure(fig, path)


def plot_heatmap(table: pd.DataFrame, x_key: str, y_key: str, path: Path) -> None:
    """Split probability over a grid of two parameters, each cell labelled with its value."""
    grid = table.pivot_table(index=y_key, columns=x_key, values=f"{HEADLINE.id}.probability")
    fig, ax = new_figure(figsize=(8, 5.5))
    image = ax.imshow(grid.to_numpy(), origin="lower", cmap="RdBu_r", vmin=0, vmax=1,
                      aspect="auto")
    ax.set_xticks(range(grid.shape[1]), [f"{v:g}" for v in grid.columns])
    ax.set_yticks(range(grid.shape[0]), [f"{v:g}" for v in grid.index])
    for (i, j), value in np.ndenumerate(grid.to_numpy()):
        if not np.isnan(value):
            ax.text(j, i, f"{value:.0%}", ha="center", va="center", fontsize=8,
                    color="white" if abs(value - 0.5) > 0.3 else "black")
    ax.set_xlabel(x_key)
    ax.set_ylabel(y_key)
    bar = fig.colorbar(image, ax=ax, label="split probability")
    percent_axis(bar.ax.yaxis)
    ax.set_title(f"Split probability\n{_caption(table)}", fontsize=10)
    save_figure(fig, path)


def plot_forest(table: pd.DataFrame, swept: list[str], path: Path) -> None:
    """Split probability with its 95% interval, one row per point, and the paired difference
    from the baseline where the jobs compared with it."""
    keys = swept or ["scenario"]
    labels = [", ".join(f"{k.split('.')[-1]}={row[k]}" if k != "scenario" else str(row[k])
                        for k in keys) for _, row in table.iterrows()]
    y = np.arange(len(table))[::-1]
    split = HEADLINE.id
    versus = f"{split}.vs_baseline" in table and table[f"{split}.vs_baseline"].notna().any()
    fig, axes = new_figure(2 if versus else 1, figsize=(11 if versus else 7,
                           1.6 + 0.45 * len(table)), squeeze=False)
    ax = axes[0, 0]
    p = table[f"{split}.probability"].to_numpy(float)
    _whole(ax.errorbar(p, y, xerr=[p - table[f"{split}.ci95_low"],
                                   table[f"{split}.ci95_high"] - p],
                       fmt="o", color=HEADLINE.colour, capsize=3))
    ax.set_yticks(y, labels)
    ax.set_xlim(-PAD, 1 + PAD)
    percent_axis(ax.xaxis)
    ax.set_xlabel("split probability (95% CI)")
    ax.grid(axis="x", alpha=0.3)
    if versus:
        ax2 = axes[0, 1]
        d = table[f"{split}.vs_baseline"].to_numpy(float)
        _whole(ax2.errorbar(d, y, xerr=[d - table[f"{split}.vs_baseline_ci95_low"],
                                        table[f"{split}.vs_baseline_ci95_high"] - d],
                            fmt="s", color="0.2", capsize=3))
        points_axis(ax2.xaxis)
        ax2.axvline(0, color="0.5", linewidth=1)
        ax2.set_yticks(y, [""] * len(y))
        ax2.set_xlabel("difference from the baseline, percentage points, same seeds (95% CI)")
        ax2.grid(axis="x", alpha=0.3)
    fig.suptitle(f"Split probability by sweep point\n{_caption(table)}", fontsize=10)
    save_figure(fig, path)


def plot_indices(table: pd.DataFrame, value: str, error: str, title: str, path: Path) -> None:
    """Horizontal bars of sensitivity indices, largest at the top, with confidence intervals.

    Morris's mu_star is in the outcome's unit (percentage points of a probability, years of
    the median split year); Sobol's indices are shares of the outcome's variance, in percent.
    """
    data = table.sort_values(value)
    fig, ax = new_figure(figsize=(8, 1.4 + 0.45 * len(data)))
    ax.barh(data["parameter"], data[value], xerr=data[error], color="#4393c3",
            error_kw={"capsize": 3})
    if value.startswith("mu"):
        years = "median_split_year" in title
        unit = "years" if years else "percentage points of the outcome"
        if not years:
            points_axis(ax.xaxis, signed=False)
    else:
        unit = "share of the outcome's variance"
        percent_axis(ax.xaxis)
    ax.set_xlabel(f"{value}, {unit} (bars: 95% CI)")
    ax.set_title(title, fontsize=10)
    ax.grid(axis="x", alpha=0.3)
    save_figure(fig, path)


def plot_findings(table: pd.DataFrame, target: float, title: str, path: Path) -> None:
    """Each set of changes found, as a row: on the left a dot for each change it makes (one
    column per change, most common first), on the right its probability with 95% interval."""
    sets = [[] if c.startswith("(") else c.split("; ") for c in table["changes"]]
    changes = pd.Series([c for s in sets for c in s]).value_counts().index.tolist()
    rows = np.arange(len(table))[::-1]
    fig, (left, right) = new_figure(
        2, figsize=(4 + 0.32 * len(changes) + 5, 3.2 + 0.32 * len(table) + 0.09 * max(
            (len(c) for c in changes), default=0)), sharey=True,
        gridspec_kw={"width_ratios": [max(len(changes), 1) * 0.32, 5]})
    for y, chosen in zip(rows, sets, strict=True):
        left.scatter(range(len(changes)), [y] * len(changes), s=18, color="0.85")
        used = [changes.index(c) for c in chosen]
        left.scatter(used, [y] * len(used), s=30, color="#1b7837")
    left.set_xticks(range(len(changes)), changes, rotation=90, fontsize=7)
    left.set_yticks(rows, ["premise only" if not s else f"set {i}" for i, s in
                           enumerate(sets)], fontsize=8)
    left.set_xlim(-0.6, len(changes) - 0.4)
    left.set_title("changes made (green)", fontsize=9)
    p = table["probability"].to_numpy(float)
    _whole(right.errorbar(p, rows, xerr=[p - table["ci95_low"], table["ci95_high"] - p],
                          fmt="o", color="#1b7837", capsize=3))
    right.axvline(target, color="#b2182b", linestyle="--", linewidth=1,
                  label=f"target {target:.0%}")
    right.set_xlim(-PAD, 1 + PAD)
    percent_axis(right.xaxis)
    right.set_xlabel("share of worlds in which the alliance stands (95% CI)")
    right.legend(fontsize=8, loc="lower right")
    right.grid(axis="x", alpha=0.3)
    fig.suptitle(title, fontsize=10)
    save_figure(fig, path)
