"""Settings -> run -> what the page shows: the numbers, the figures and one world's chronicle.

Pure Python, testable without a browser. The figures are the run charts of `python run.py`
(sim/outputs/plots.py), drawn as PNG bytes; the numbers come from the same summary and
comparison functions, so a saved scenario run with run.py gives the same figures.
"""

from __future__ import annotations

import io
import threading
import time
from dataclasses import dataclass, field

import numpy as np

from sim import __version__
from sim.analysis.drivers import drivers_block
from sim.analysis.holders import holders_block
from sim.analysis.stats import paired_difference
from sim.analysis.summary import summarise, summarise_outcome
from sim.engine.schedule import HEADLINE, OUTCOMES
from sim.explorer import engine
from sim.explorer.state import ExplorerState, overrides_of
from sim.outputs import chronicle, worlds
from sim.outputs.naming import label_of, title_of
from sim.outputs.plots import drivers_figure, names, outcomes_figure, survival_figure
from sim.outputs.products import survival_curve
from sim.outputs.report import holders_table

DPI = 80
"""Resolution of the page's figures (the run folder's are 110 dpi): smaller, and faster."""


@dataclass(frozen=True)
class OutcomeRow:
    """One outcome: its probability, the reference's, and the paired difference."""

    id: str
    title: str
    probability: float
    ci95: tuple[float, float]
    reference: float | None = None
    difference: float | None = None
    difference_ci95: tuple[float, float] | None = None


@dataclass
class Results:
    """What one setting of the page gives. The survival figure is drawn at once; the others
    when first asked for (`figure`), so that a change shows within about a second."""

    state: ExplorerState
    summary: dict
    outcomes: list[OutcomeRow]
    figures: dict[str, bytes]
    run: engine.Run = field(repr=False)
    reference: engine.Run | None = field(default=None, repr=False)
    seconds: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def figure(self, name: str) -> bytes:
        """PNG of one of FIGURES, drawn the first time it is asked for."""
        with self._lock:
            if name not in self.figures:
                self.figures[name] = _png(FIGURES[name](self))
            return self.figures[name]

    @property
    def label(self) -> str:
        return label_of(self.summary)

    @property
    def title(self) -> str:
        return title_of(self.summary)

    @property
    def reference_name(self) -> str | None:
        vs = self.summary.get("vs_baseline")
        return None if vs is None else vs["reference"]

    def table(self) -> str:
        """The outcomes as a Markdown table, with the reference beside them."""
        ref = self.reference_name
        head = "| outcome | probability | 95% CI |"
        rule = "|---|---:|---|"
        if ref:
            head += f" {ref} | difference, points (paired 95% CI) |"
            rule += "---:|---|"
        lines = [head, rule]
        for o in self.outcomes:
            line = (f"| {o.title} | {o.probability:.1%} | {o.ci95[0]:.1%} - {o.ci95[1]:.1%} |")
            if ref:
                low, high = o.difference_ci95
                line += (f" {o.reference:.1%} | {o.difference * 100:+.1f} "
                         f"({low * 100:+.1f} to {high * 100:+.1f}) |")
            lines.append(line)
        return "\n".join(lines)

    def by_holder(self) -> str:
        """The split by who held each office at each milestone, as report.md has it."""
        return "\n".join(holders_table(self.summary))


def _png(figure) -> bytes:
    buffer = io.BytesIO()
    figure.tight_layout()
    figure.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


def versus(result, reference) -> dict:
    """The `vs_baseline` block the charts read: the paired difference in each outcome's
    probability and the reference's own figures (sim.analysis.compare.compare without the
    bootstrap of the median's shift, which the page does not show)."""
    block = {"reference": reference.world.name}
    for outcome in OUTCOMES:
        ours, theirs = result.years[outcome.id], reference.years[outcome.id]
        block[outcome.id] = {**paired_difference(~np.isnan(ours), ~np.isnan(theirs)),
                             "reference": summarise_outcome(theirs)}
    return block


def _survival(r: Results):
    mine, theirs = names(r.summary)
    curves = [(mine, survival_curve(r.run.result)[0])]
    if r.reference is not None:
        curves.append((theirs, survival_curve(r.reference.result)[0]))
    return survival_figure(curves, r.summary)


FIGURES = {
    "survival": _survival,
    "outcomes": lambda r: outcomes_figure(r.summary),
    "drivers": lambda r: drivers_figure(r.summary["drivers"], r.summary),
}
"""The page's charts, each the chart of the same name in a run folder's plots/."""


def compute(state: ExplorerState) -> Results:
    """Run the settings (and the reference on the same seeds, cached) and build what the page
    shows first: the numbers and the survival curve."""
    started = time.perf_counter()
    changes = state.changes()
    ours = engine.simulate(state.scenario, changes, state.runs, state.seed)
    summary = summarise(ours.result, __version__)
    summary["overrides"] = overrides_of(state)
    reference = engine.simulate(engine.reference_of(state.scenario), (), state.runs, state.seed)
    if reference.result.world == ours.result.world:
        reference = None      # as run.py: a run is not compared with itself
    else:
        summary["vs_baseline"] = versus(ours.result, reference.result)
    summary["drivers"] = drivers_block(ours.result)
    summary["holders"] = holders_block(ours.result)
    vs = summary.get("vs_baseline")
    rows = []
    for outcome in OUTCOMES:
        o = summary["outcomes"][outcome.id]
        row = OutcomeRow(outcome.id, outcome.title, o["probability"], tuple(o["ci95"]))
        if vs:
            d = vs[outcome.id]
            row = OutcomeRow(outcome.id, outcome.title, o["probability"], tuple(o["ci95"]),
                             d["reference"]["probability"], d["difference"], tuple(d["ci95"]))
        rows.append(row)
    results = Results(state, summary, rows, {}, ours, reference)
    results.figure("survival")
    results.seconds = time.perf_counter() - started
    return results


def chronicle_of(results: Results, pick: str | int = "median", where: str | None = None) -> str:
    """One world of the run told as chronicle.md tells it (Markdown)."""
    run = results.run
    world_id, why = worlds.choose(run.rows.to_pandas(), run.result.years[HEADLINE.id], pick,
                                     where)[0]
    result = run.result
    traced = chronicle.trace_world(result.world, result.seed, result.chunk_size, result.runs,
                                   world_id)
    return chronicle.render(chronicle.tell(traced), traced, why, results.summary)


class LatestOnly:
    """Compute only the newest requested settings, one at a time (one gate per browser tab).

    A dragged slider asks for new settings at every step, and Solara starts a thread for each;
    a thread cannot be interrupted, so without this all of them run to the end on the same
    two cores and the last answer comes late. Here a request that a newer one has superseded
    waits for the one running, then returns the last finished results without computing.
    """

    def __init__(self, compute_fn=compute):
        self._compute = compute_fn
        self._gate = threading.Lock()     # one compute at a time
        self._counter = threading.Lock()
        self._newest = 0
        self.last = None
        self.computed = 0
        self.skipped = 0

    def __call__(self, state):
        with self._counter:
            self._newest += 1
            ticket = self._newest
        with self._gate:
            if ticket != self._newest and self.last is not None:
                self.skipped += 1
                return self.last
            self.last = self._compute(state)
            self.computed += 1
            return self.last


def split_share(results: Results) -> float:
    """The split probability (for the page's headline and the tests)."""
    return float(np.mean(~np.isnan(results.run.result.years[HEADLINE.id])))
