"""What a finished run leaves for people to look at: plots, a chronicle and a one-page report.

`write_products` is the one call the pipeline makes after the simulation. It adds the
`survival`, `drivers` and `chronicle` blocks to the summary, then writes `plots/*.png`,
`chronicle.md` and `report.md`, all from the run's saved rows and per-step aggregates. The
pipeline writes summary.json after it, so a folder with a summary has all of them. A lean run
(`products=lean`, for the points of sweeps and studies) gets the blocks only (`add_blocks`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sim import interrupts
from sim.analysis.drivers import PERIOD_YEARS, drivers_block
from sim.analysis.holders import holders_block
from sim.analysis.stats import hazard_by_period, kaplan_meier, paired_difference, period_edges
from sim.calendar import year_key
from sim.engine.schedule import HEADLINE
from sim.montecarlo import MonteCarloResult
from sim.outputs.chronicle import write_chronicles
from sim.outputs.plots import (
    names,
    plot_cohesion,
    plot_drivers,
    plot_outcomes,
    plot_split_years,
    plot_survival,
)
from sim.outputs.report import write_report
from sim.outputs.worlds import matching, parse_count, parse_pick

PLOTS = ("survival", "split_years", "cohesion", "outcomes", "drivers")
"""The PNG files under plots/, in the order report.md shows them."""


@dataclass(frozen=True)
class ChronicleRequest:
    """Which worlds chronicle.md (and chronicle-2.md, ...) tell: configs/config.yaml,
    `chronicle`."""

    pick: str | int = "median"
    where: str | None = None
    count: int = 1


def chronicle_pick(cfg, runs: int, world=None) -> ChronicleRequest:
    """`chronicle.pick`, `.where` and `.count` from the config, checked before anything runs
    (`where` on the rows of two worlds of `world`, when given)."""
    chronicle = cfg.chronicle
    request = ChronicleRequest(parse_pick(chronicle.pick, runs), chronicle.get("where") or None,
                               parse_count(chronicle.get("count", 1)))
    if request.where is not None and world is not None:
        from sim.montecarlo import simulate_block

        matching(simulate_block(world, 0, 0, 0, 2).rows.to_pandas(), str(request.where))
    return request


def survival_curve(result: MonteCarloResult):
    """Kaplan-Meier survival of the alliance: worlds not split by the horizon are censored
    there (administrative censoring: every world is followed to the horizon)."""
    split = result.years[HEADLINE.id]
    observed = ~np.isnan(split)
    return kaplan_meier(np.where(observed, split, result.world.horizon), observed), observed


def survival_block(result: MonteCarloResult, reference: MonteCarloResult | None) -> dict:
    """The `survival` block of summary.json: Kaplan-Meier at the milestones with its band,
    the split hazard by period, and the paired difference from the baseline at each milestone.
    """
    world = result.world
    curve, observed = survival_curve(result)
    split = result.years[HEADLINE.id]
    exits = np.where(observed, split, world.horizon)
    at = {}
    for m in world.milestones:
        s, low, high = curve.at(np.nextafter(m, -np.inf))   # still allied when m begins
        at[year_key(m)] = {"probability": s, "ci95": [low, high]}
    edges = period_edges(world.start, world.horizon, PERIOD_YEARS)
    hazard = [{"years": p["years"], "splits": p["events"], "world_years": p["exposure"],
               "rate": p["rate"], "ci95": p["ci95"]}
              for p in hazard_by_period(exits, observed, edges)]
    block = {
        "method": "Kaplan-Meier; worlds still allied at the horizon are censored there; "
                  "95% band by Greenwood's formula on the log-log scale",
        "censored_worlds": int((~observed).sum()),
        "at_milestones": at,
        "hazard": {"unit": "splits per world-year at risk", "period_years": PERIOD_YEARS,
                   "periods": hazard},
    }
    if reference is not None:
        theirs = reference.years[HEADLINE.id]
        block["vs_baseline"] = {
            year_key(m): paired_difference(~(split < m), ~(theirs < m))
            for m in world.milestones
        }
    return block


def add_blocks(summary: dict, result: MonteCarloResult,
               reference: MonteCarloResult | None) -> None:
    """Add the survival, drivers and holders blocks to `summary` (every run has them, lean or
    not)."""
    summary["survival"] = survival_block(result, reference)
    summary["drivers"] = drivers_block(result)
    summary["holders"] = holders_block(result)


def write_products(folder: Path, result: MonteCarloResult, reference: MonteCarloResult | None,
                   summary: dict, pick: ChronicleRequest | str | int) -> None:
    """Add the survival, drivers, holders and chronicle blocks to `summary` and write the plots,
    chronicle.md and report.md into `folder` (which already holds runs.parquet)."""
    rows = folder / "runs.parquet"
    add_blocks(summary, result, reference)
    plots = folder / "plots"
    mine, theirs = names(summary)
    curves = [(mine, survival_curve(result)[0])]
    if reference is not None:
        curves.append((theirs, survival_curve(reference)[0]))
    plot_survival(curves, summary, plots / "survival.png")
    interrupts.checkpoint()  # Ctrl-C while matplotlib draws may be swallowed (sim/interrupts.py)
    plot_split_years(result.years[HEADLINE.id], summary, plots / "split_years.png",
                     None if reference is None else reference.years[HEADLINE.id])
    interrupts.checkpoint()
    plot_cohesion(result.cohesion_histogram, result.world, summary, plots / "cohesion.png",
                  None if reference is None else reference.cohesion_histogram)
    interrupts.checkpoint()
    plot_outcomes(summary, plots / "outcomes.png")
    interrupts.checkpoint()
    plot_drivers(summary["drivers"], summary, plots / "drivers.png")
    interrupts.checkpoint()
    if not isinstance(pick, ChronicleRequest):
        pick = ChronicleRequest(pick)
    told = [{k: t[k] for k in ("file", "world", "why")} for t in write_chronicles(
        folder, result, rows, pick.pick, summary, pick.where, pick.count)]
    summary["chronicle"] = told[0]
    if len(told) > 1:
        summary["chronicles"] = told
    write_report(folder / "report.md", summary, [f"plots/{name}.png" for name in PLOTS])
