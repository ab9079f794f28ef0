"""Aid and trade: the junior partner's dependence on the patron's aid, credits and trade.

docs/MODEL.md, sections 3.3.7 and 3.3.10. Dependence is raised and cut by juncture options (a
credit, the withdrawal of the experts), renewed by a continuing flow where the scenario gives one
(`alliance.aid_flow`: oil, food, arms deliveries year after year; a juncture may cut it off, or
begin one, in the worlds that take it: `aid_flow_path`), and fades with its half-life; it binds
the allies, less so where an outside power offers an ally aid of its own: a second patron lowers
the client's dependence on the first (Walt 1987, ch. 7, on aid and penetration; Snyder 1984).
"""

from __future__ import annotations

import numpy as np

from sim.engine.rates import halving_factor
from sim.engine.series import along_paths, series_at
from sim.engine.specs import Driver, Effect, Parameter, Process


class Aid(Process):
    """The level of aid and trade between the allies, (W,) in [0, 1]."""

    name = "aid"
    parameters = {
        "aid_weight": Parameter(0.0, 5.0, "weight of aid and trade dependence in the cohesion "
                                "target"),
        "aid_half_life": Parameter(0.01, 1000.0, "years for half of the dependence on aid and "
                                   "trade to fade"),
    }
    effects = {
        "aid": Effect("amount", "change in dependence on the partner's aid and trade (0-1 "
                      "scale)", -1.0, 1.0),
        "aid_flow_path": Effect("series", "the series the alliance's continuing flow of aid and "
                                "trade (its aid_flow, per year) follows from now on, instead of "
                                "the scenario's: a flow cut off, or one begun where history had "
                                "none", 0.0, 1.0),
        "offer_path": Effect("per_power_series", "the series the named outside power's aid "
                             "offer to the named ally (its aid_to) follows from now on, "
                             "instead of the scenario's ({power: {ally: series}}): the path "
                             "of a world that took another road", 0.0, 1.0),
    }
    drivers = (Driver("aid", "aid and trade", "#67a9cf", "dependence on the partner's aid and "
                      "trade", glue=True),)

    def __init__(self, model):
        super().__init__(model)
        self.level = np.zeros(model.n_worlds)
        flow = model.world.alliance.aid_flow
        self.flow = None if flow is None else series_at(flow, model.years)   # per year
        self.flow_paths: list[tuple[np.ndarray, np.ndarray]] = []   # (worlds, per year)

    def drift(self) -> None:
        model = self.model
        self.level *= halving_factor(model.forces.aid_half_life, model.dt)
        flow = along_paths(0.0 if self.flow is None else self.flow[model.t], self.flow_paths,
                           model.t)
        if np.any(flow):
            self.level = np.minimum(1.0, self.level + flow * model.dt)

    def terms(self) -> list:
        return [self.model.forces.aid_weight * self.level * self.reliance_now()]

    def reliance_now(self):
        """The share of the dependence left once outside offers count, with each offer as it
        stands now in each world (its path where a juncture set one)."""
        reliance = 1.0
        for ally in self.model.allies:
            offers = sum(power.now("aid_to", ally.spec.id) for power in self.model.outside)
            reliance = reliance * (1.0 - np.minimum(1.0, offers))
        return reliance

    def apply(self, effect: str, value, worlds: np.ndarray) -> None:
        if effect == "offer_path":
            self.follow_paths("aid_to", value, worlds)
            return
        if effect == "aid_flow_path":
            self.flow_paths.append((worlds.copy(), series_at(value, self.model.years)))
            return
        self.level = np.clip(self.level + worlds.astype(float) * value, 0.0, 1.0)
