"""Plots of a run, made from its saved outcomes and per-step aggregates only.

Every plot has a title, axes labelled with their units, a legend, and the scenario, runs and
seed in a corner. Where the run was compared with the baseline on the same seeds, the
baseline is drawn beside or under the scenario. matplotlib stays at this edge of the program.

Each chart is built by a `*_figure` function that returns a matplotlib `Figure` (the
object-oriented API, no pyplot state, so the explorer can draw them from several threads) and
written by a `plot_*` function that saves it.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from sim.analysis.stats import Survival, histogram_quantiles
from sim.calendar import year_key
from sim.engine.observers import COHESION_BINS
from sim.engine.schedule import DRIVER, HEADLINE, OUTCOMES
from sim.outputs.naming import label_of, title_of

SCENARIO_COLOUR = "#b2182b"
BASELINE_COLOUR = "#4d4d4d"


def stamp(ax, summary: dict, corner: str = "upper right") -> None:
    """Write the scenario, runs and seed in a corner ('upper right' or 'lower left'), so a
    plot is never orphaned."""
    x, y, ha, va = {"upper right": (0.99, 0.98, "right", "top"),
                    "lower left": (0.01, 0.02, "left", "bottom")}[corner]
    ax.text(x, y, f"scenario: {label_of(summary)}\nruns: {summary['runs']:,}\n"
            f"seed: {summary['seed']}", transform=ax.transAxes, ha=ha, va=va,
            fontsize=8, color="0.3",
            bbox={"boxstyle": "round", "facecolor": "white", "edgecolor": "0.8"})


def new_figure(ncols: int = 1, figsize=(10, 5.2), **options):
    """A figure and its axes, outside pyplot (nothing global to close or to race on)."""
    fig = Figure(figsize=figsize, dpi=110)
    return fig, fig.subplots(1, ncols, **options)


def save_figure(fig, path: Path) -> None:
    """Lay out and write a figure, creating its folder."""
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)


def percent_axis(axis) -> None:
    """Show shares of worlds on this axis (`ax.xaxis` or `ax.yaxis`) as percentages, with no
    trailing zeros (a run in which few worlds split has ticks of 0.3%, not 0.300%)."""
    axis.set_major_formatter(FuncFormatter(percent_tick))


def percent_tick(share: float, _position=None) -> str:
    """A tick's share as a percentage to three significant digits: 0.3%, 12.5%, 50%."""
    text = f"{share * 100:.3g}"
    return "0%" if "e" in text or text in ("0", "-0") else f"{text}%"


def share_text(share: float) -> str:
    """A share of worlds as a percentage, to a tenth of a point near 0 and 100%, so that a few
    worlds in a run that mostly held (or mostly split) do not read as none (or all)."""
    if 0 < share < 0.01 or 0.99 < share < 1:
        return f"{share:.1%}"
    return f"{share:.0%}"


def names(summary: dict) -> tuple[str, str | None]:
    """Legend labels of the scenario and of its reference run (None without a comparison).

    A run of the baseline with command-line overrides is compared with the baseline as its
    file has it; the labels then say which is which.
    """
    vs = summary.get("vs_baseline")
    if vs is None:
        return summary["scenario"], None
    if vs["reference"] == summary["scenario"]:
        return label_of(summary), f"{vs['reference']} as in its file (same seeds)"
    return label_of(summary), f"{vs['reference']} (same seeds)"


def split_years_figure(split_years: np.ndarray, summary: dict,
                       reference: np.ndarray | None = None) -> Figure:
    """Histogram of split years (one bar a year) as a share of all worlds, with the
    baseline's outlined over it when given."""
    start = int(np.floor(summary["period"]["start"]))
    end = int(np.ceil(summary["period"]["horizon"]))
    bins = np.arange(start, end + 1)
    happened = split_years[~np.isnan(split_years)]
    mine, theirs_name = names(summary)
    fig, ax = new_figure()
    # counted first, then drawn as one weighted entry a bin: no per-world weights held
    share = np.histogram(happened, bins=bins)[0] / split_years.size
    ax.hist(bins[:-1], bins=bins, weights=share, color=SCENARIO_COLOUR, edgecolor="white",
            label=f"{mine}: split in {share_text(happened.size / split_years.size)} of worlds")
    median = summary["outcomes"][HEADLINE.id]["median_year"]
    if median is not None:
        ax.axvline(median, color=SCENARIO_COLOUR, linestyle="--", linewidth=1,
                   label=f"median {median:.1f}")
    if reference is not None:
        theirs = reference[~np.isnan(reference)]
        ax.hist(bins[:-1], bins=bins, weights=np.histogram(theirs, bins=bins)[0] / reference.size,
                histtype="step", color=BASELINE_COLOUR, linewidth=1.5,
                label=f"{theirs_name}: split in {share_text(theirs.size / reference.size)} "
                      "of worlds")
        if theirs.size:
            ax.axvline(np.median(theirs), color=BASELINE_COLOUR, linestyle=":", linewidth=1.2,
                       label=f"median {np.median(theirs):.1f}")
    ax.set_title(f"When the alliance split\n{title_of(summary)}", fontsize=11)
    ax.set_xlabel("year of the split (calendar year)")
    ax.set_ylabel("share of all worlds splitting in the year")
    percent_axis(ax.yaxis)
    ax.set_xlim(start, end)
    ax.legend(loc="upper right", bbox_to_anchor=(1.0, 0.84), fontsize=9)
    stamp(ax, summary)
    return fig


def _step_curve(curve: Survival, start: float, end: float):
    x = np.concatenate([[start], curve.times, [end]])
    pad = lambda v: np.concatenate([[1.0], v, [v[-1] if v.size else 1.0]])  # noqa: E731
    return x, pad(curve.survival), pad(curve.low), pad(curve.high)


def survival_figure(curves: list[tuple[str, Survival]], summary: dict) -> Figure:
    """Kaplan-Meier curves of the alliance with their 95% bands; the first is the scenario."""
    start, end = summary["period"]["start"], summary["period"]["horizon"]
    fig, ax = new_figure(figsize=(10, 6.2))
    for (label, curve), colour in zip(curves, (SCENARIO_COLOUR, BASELINE_COLOUR), strict=False):
        x, s, low, high = _step_curve(curve, start, end)
        ax.fill_between(x, low, high, step="post", color=colour, alpha=0.2, linewidth=0)
        ax.step(x, s, where="post", color=colour, linewidth=1.8,
                label=f"{label}: {share_text(s[-1])} still allied at the horizon")
    ax.plot([], [], color="0.6", linewidth=6, alpha=0.4, label="95% band (Greenwood, log-log)")
    ax.set_title(f"Probability the alliance still stands (Kaplan-Meier)\n{title_of(summary)}",
                 fontsize=11)
    ax.set_xlabel("year")
    ax.set_ylabel("share of worlds not yet split")
    percent_axis(ax.yaxis)
    ax.set_ylim(0, 1.02)
    ax.set_xlim(start, end)
    # below the axes: a curve can pass through any corner (a scenario that never splits runs
    # along the top, one that splits early along the bottom), so no corner is safe
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), fontsize=9, frameon=False)
    # a curve that holds runs along the top to the right edge, under an upper-right stamp; at
    # the start every curve is at 100%, so the bottom left is empty
    stamp(ax, summary, corner="lower left")
    return fig


def cohesion_figure(histogram: np.ndarray, world, summary: dict,
                    reference: np.ndarray | None = None) -> Figure:
    """Fan chart of cohesion by year from the per-step histogram: median, 50% and 90% bands,
    the split threshold and the historical milestones (with the share split by each)."""
    levels = [0.05, 0.25, 0.5, 0.75, 0.95]
    q = np.clip(histogram_quantiles(histogram, levels, 1.0 / COHESION_BINS), 0.0, 1.0)
    years = world.year_of(np.arange(1, world.n_steps + 1))   # cohesion at the end of each step
    x = np.concatenate([[world.start], years])
    q = np.concatenate([np.full((len(levels), 1), world.initial_cohesion), q], axis=1)
    fig, ax = new_figure()
    ax.fill_between(x, q[0], q[4], color=SCENARIO_COLOUR, alpha=0.15, linewidth=0,
                    label="90% of worlds")
    ax.fill_between(x, q[1], q[3], color=SCENARIO_COLOUR, alpha=0.3, linewidth=0,
                    label="50% of worlds")
    mine, theirs = names(summary)
    ax.plot(x, q[2], color=SCENARIO_COLOUR, linewidth=1.8, label=f"{mine}: median")
    if reference is not None:
        median = np.clip(histogram_quantiles(reference, [0.5], 1.0 / COHESION_BINS)[0], 0, 1)
        ax.plot(x, np.concatenate([[world.initial_cohesion], median]), color=BASELINE_COLOUR,
                linestyle="--", linewidth=1.3, label=f"{theirs}: median")
    ax.axhline(world.split_threshold, color="black", linestyle=":", linewidth=1.2,
               label=f"split threshold ({world.split_threshold:g}, held "
                     f"{world.split_sustained_years:g} y)")
    milestone_labels(ax, world, summary["outcomes"][HEADLINE.id]["by_year"])
    if world.milestones:
        ax.plot([], [], color="0.55", linewidth=0.8, linestyle="--",
                label="historical milestones (share of worlds split by then)")
    ax.set_title(f"Cohesion of the alliance across worlds\n{title_of(summary)}", fontsize=11)
    ax.set_xlabel("year")
    ax.set_ylabel("cohesion (0 = enemies, 1 = one bloc)")
    ax.set_ylim(0, 1.02)
    ax.set_xlim(world.start, world.horizon)
    # below the axes: the bands fill the top right in a world that holds, the bottom right in
    # one that splits, so no corner inside is safe
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), fontsize=8, ncol=3,
              frameon=False)
    # the milestones' labels run along the top, up to the horizon (1976 in soviet_egypt, 2000
    # in sino_north_korea); at the start every world is at its initial cohesion, so the
    # bottom left is empty
    stamp(ax, summary, corner="lower left")
    return fig


LABEL_WIDTH = 0.065
"""A milestone's label ('1994' over '0.2% split' at 8 points), as a share of the axes' width."""


def milestone_labels(ax, world, by_year: dict) -> None:
    """A dashed line at each milestone, labelled along the top with the share split by then.

    A label goes right of its line, or left of it near the horizon so that it stays inside the
    axes; one that would run into the label before it drops a row (1992 and 1994 in
    sino_north_korea)."""
    span = world.horizon - world.start
    right_ends: list[float] = []                 # where each row's last label ends, in years
    for milestone in sorted(world.milestones):
        ax.axvline(milestone, color="0.55", linewidth=0.8, linestyle="--")
        share = by_year.get(year_key(milestone))
        text = f"{milestone:g}" + ("" if share is None else f"\n{share_text(share)} split")
        left = milestone + LABEL_WIDTH * span > world.horizon
        start = milestone - LABEL_WIDTH * span if left else milestone
        row = next((r for r, end in enumerate(right_ends) if end < start), len(right_ends))
        right_ends[row:row + 1] = [milestone if left else milestone + LABEL_WIDTH * span]
        ax.text(milestone - 0.2 if left else milestone + 0.2, 1.0 - 0.09 * row, text,
                fontsize=8, color="0.3", va="top", ha="right" if left else "left")


def outcomes_figure(summary: dict) -> Figure:
    """Each outcome's probability with its 95% interval, beside the baseline's."""
    outcomes = summary["outcomes"]
    vs = summary.get("vs_baseline")
    kinds = [outcome.id for outcome in OUTCOMES]
    x = np.arange(len(kinds))
    width = 0.38 if vs else 0.6
    fig, ax = new_figure(figsize=(10, 6))
    mine, theirs = names(summary)
    series = [(mine, [outcomes[n] for n in kinds], SCENARIO_COLOUR)]
    if vs:
        series.append((theirs, [vs[n]["reference"] for n in kinds], BASELINE_COLOUR))
    for k, (label, values, colour) in enumerate(series):
        offset = (k - (len(series) - 1) / 2) * width
        p = np.array([v["probability"] for v in values])
        ci = np.array([v["ci95"] for v in values], dtype=float)
        ax.bar(x + offset, p, width * 0.95, color=colour, alpha=0.85, label=label)
        ax.errorbar(x + offset, p, yerr=[p - ci[:, 0], ci[:, 1] - p], fmt="none",
                    ecolor="black", capsize=4, linewidth=1)
        for xi, pi, hi in zip(x + offset, p, ci[:, 1], strict=True):
            ax.text(xi, hi + 0.015, f"{pi:.1%}", ha="center", va="bottom", fontsize=9)
    ax.errorbar([], [], yerr=[], fmt="none", ecolor="black", capsize=4,
                label="95% interval (Wilson)")
    # wrapped: five long names at 9 points run into each other under their bars
    labels = [textwrap.fill(outcome.title, 20) for outcome in OUTCOMES]
    if vs:
        labels = [f"{lab}\n{vs[n]['difference'] * 100:+.1f} points, paired\n(95% CI "
                  f"{vs[n]['ci95'][0] * 100:+.1f} to {vs[n]['ci95'][1] * 100:+.1f})"
                  for lab, n in zip(labels, kinds, strict=True)]
    ax.set_xticks(x, labels, fontsize=9)
    ax.set_title(f"How often each outcome happened by the horizon\n{title_of(summary)}",
                 fontsize=11)
    ax.set_xlabel("outcome" + (f" (difference from {vs['reference']}, paired world by world)"
                               if vs else ""))
    ax.set_ylabel("probability (share of worlds)")
    percent_axis(ax.yaxis)
    ax.set_ylim(0, 1.3)   # room above 100% for the value labels, below the corner stamp
    ax.set_yticks(np.linspace(0, 1, 6))
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.25 if vs else -0.17), ncol=3,
              fontsize=9, frameon=False)
    stamp(ax, summary)
    return fig


def period_label(years: list[float]) -> str:
    """[1949.75, 1955.0] -> '1949-1954': the calendar years a period touches."""
    low, high = years
    return f"{int(low)}-{int(np.ceil(high - 1e-6)) - 1:d}"


def drivers_figure(block: dict, summary: dict) -> Figure:
    """Why it split: mean contribution of each driver to the change in cohesion, over the
    worlds that split and over all worlds (left), and by period over all worlds (right)."""
    drivers = block["drivers"]
    fig, (left, right) = new_figure(2, figsize=(13, 5.6),
                                    gridspec_kw={"width_ratios": [1, 1.25]})
    y = np.arange(len(drivers))
    groups = [(block["split_worlds"], "worlds that split: start to split", SCENARIO_COLOUR),
              (block["all_worlds"], "all worlds: start to split or horizon", BASELINE_COLOUR)]
    groups = [g for g in groups if g[0]["mean"] is not None]
    height = 0.8 / max(1, len(groups))
    for k, (group, label, colour) in enumerate(groups):
        values = [group["mean"][d] for d in drivers]
        left.barh(y + (k - (len(groups) - 1) / 2) * height, values, height * 0.95,
                  color=colour, alpha=0.85,
                  label=f"{label} ({group['worlds']:,} worlds; net {group['total']:+.2f})")
    left.axvline(0, color="black", linewidth=0.8)
    left.set_yticks(y, [DRIVER[d].label for d in drivers], fontsize=9)
    left.invert_yaxis()
    left.set_xlabel("cumulative contribution to a world's change in cohesion, summed over its\n"
                    "steps to the split or the horizon (mean per world; cohesion points, 0-1 "
                    "scale)")
    left.set_title("Which forces moved cohesion, per world (cumulative)", fontsize=10)
    left.legend(loc="lower left", fontsize=8)

    periods = block["by_period"]
    x = np.arange(len(periods))
    up, down = np.zeros(len(periods)), np.zeros(len(periods))
    for d in drivers:
        values = np.array([p["mean"][d] for p in periods])
        positive, negative = np.maximum(values, 0), np.minimum(values, 0)
        right.bar(x, positive, 0.7, bottom=up, color=DRIVER[d].colour, edgecolor="white",
                  linewidth=0.5, label=DRIVER[d].label)
        right.bar(x, negative, 0.7, bottom=down, color=DRIVER[d].colour,
                  edgecolor="white", linewidth=0.5)
        up, down = up + positive, down + negative
    right.plot(x, [p["total"] for p in periods], color="black", marker="o", linewidth=1.2,
               label="net change")
    right.axhline(0, color="black", linewidth=0.8)
    right.set_ylim(min(down.min(), 0) * 1.1, max(up.max(), 0) * 1.3 + 0.05)  # room for the stamp
    right.set_xticks(x, [period_label(p["years"]) for p in periods], fontsize=8, rotation=30)
    right.set_xlabel("period (calendar years)")
    right.set_ylabel("contribution to the mean world's change,\nsummed over the period's steps "
                     "(cohesion points, 0-1 scale)")
    right.set_title("By period, all worlds (glue above zero, friction below)", fontsize=10)
    right.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8)
    fig.suptitle(f"Why it split: the change in cohesion accounted for by mechanism\n"
                 f"{title_of(summary)}", fontsize=11)
    stamp(right, summary)
    return fig


def plot_split_years(split_years: np.ndarray, summary: dict, path: Path,
                     reference: np.ndarray | None = None) -> None:
    save_figure(split_years_figure(split_years, summary, reference), path)


def plot_survival(curves: list[tuple[str, Survival]], summary: dict, path: Path) -> None:
    save_figure(survival_figure(curves, summary), path)


def plot_cohesion(histogram: np.ndarray, world, summary: dict, path: Path,
                  reference: np.ndarray | None = None) -> None:
    save_figure(cohesion_figure(histogram, world, summary, reference), path)


def plot_outcomes(summary: dict, path: Path) -> None:
    save_figure(outcomes_figure(summary), path)


def plot_drivers(block: dict, summary: dict, path: Path) -> None:
    save_figure(drivers_figure(block, summary), path)
