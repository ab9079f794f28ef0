"""Cohesion relaxes toward the level its forces warrant, with noise; every change is booked.

docs/MODEL.md, section 3.3.11. `dC = rate (C* - C) dt + noise dW`, with `C* = baseline_cohesion +
sum of the mechanisms' terms`, stepped exactly for the relaxation and by Euler-Maruyama for the
noise; each term's share of the step is booked to its driver, so that a world's loss of cohesion
can be accounted for (Axelrod & Bennett, "A Landscape Theory of Aggregation", 1993: alignment as
relaxation toward low frustration).
"""

from __future__ import annotations

import numpy as np

from sim.engine.specs import Driver, EventKind, Parameter, Process, Stream

NOISE = Stream("noise")


def _tell_start(event, story) -> str:
    a, b = (story.nation(m).name for m in story.world.members)
    return f"the alliance between {a} and {b} begins"


START = EventKind("start", "date", _tell_start)


class Cohesion(Process):
    """The relaxation of cohesion, and the drivers that are not mechanisms."""

    name = "cohesion"
    parameters = {
        "baseline_cohesion": Parameter(0.0, 1.0, "the level cohesion settles at with no force "
                                       "at work"),
        "adjustment_rate": Parameter(0.0, 50.0, "per year: how fast cohesion moves toward the "
                                     "level its forces warrant"),
        "noise": Parameter(0.0, 1.0, "per square root of a year: diplomatic weather"),
    }
    streams = (NOISE,)
    events = (START,)  # emitted by the model as it starts
    drivers = (
        Driver("baseline", "pull toward the resting level", "#bababa", "the pull toward "
               "baseline_cohesion"),
        Driver("noise", "noise", "#e0e0e0", "diplomatic weather"),
        Driver("bound", "clipping at 0 and 1", "#4d4d4d", "what clipping cohesion to [0, 1] "
               "took off or added"),
    )

    def __init__(self, model):
        super().__init__(model)
        self.mechanisms = [p for p in model.processes if p.drivers and p is not self]
        self.terms_now = np.zeros((len(model.drivers), model.n_worlds))

    def relax(self) -> None:
        """Move cohesion one step; `terms_now` holds each driver's (W,) share of the change."""
        model, f = self.model, self.model.forces
        k = -np.expm1(-f.adjustment_rate * model.dt)
        terms = self.terms_now
        row = 0
        for process in self.mechanisms:
            for term in process.terms():
                np.multiply(k, term, out=terms[row])
                row += 1
        np.multiply(k, f.baseline_cohesion - model.cohesion, out=terms[row])
        noise = model.streams(NOISE.of()).standard_normal(model.n_worlds)
        np.multiply(f.noise * np.sqrt(model.dt), noise, out=terms[row + 1])
        raw = model.cohesion + terms[:-1].sum(axis=0)
        new = np.clip(raw, 0.0, 1.0)
        np.subtract(new, raw, out=terms[-1])
        model.cohesion = new
