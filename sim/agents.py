"""Nations and persons as mesa agents, each holding its state over the W worlds of a batch.

An agent here is "the same actor in W parallel worlds": every attribute is a numpy array whose
first axis is the world, so one method call advances the actor everywhere at once.
"""

from __future__ import annotations

import math

import mesa
import numpy as np

from sim.world import TRAITS, Nation, Person, Series, TraitSpec


def halving_factor(half_life: float, dt: float) -> float:
    """Fraction left after `dt` years of exponential decay with the given half-life."""
    return 2.0 ** (-dt / half_life)


def series_at(series: Series, years: np.ndarray) -> np.ndarray:
    """Values of a Series at each year, linear between its points, flat beyond its ends."""
    return np.interp(years, series.years, series.values)


def sample_trait(spec: TraitSpec, rng: np.random.Generator, n: int) -> np.ndarray:
    """Draw `n` values by the inverse CDF of one uniform each (common random numbers).

    Using one uniform per world through the inverse CDF means two scenarios that give a trait
    different distributions still rank their worlds the same way on it.
    """
    u = rng.random(n)
    p = spec.params
    if spec.kind == "fixed":
        return np.full(n, p[0])
    if spec.kind == "uniform":
        return p[0] + (p[1] - p[0]) * u
    if spec.kind == "triangular":
        low, mode, high = p
        cut = (mode - low) / (high - low)
        left = low + np.sqrt(u * (high - low) * (mode - low))
        right = high - np.sqrt((1 - u) * (high - low) * (high - mode))
        return np.where(u < cut, left, right)
    from scipy.stats import beta  # only the beta needs scipy's quantile function

    return beta.ppf(u, p[0], p[1])


class PersonAgent(mesa.Agent):
    """A leader or contender in W worlds.

    Attributes:
        spec: the Person from the scenario.
        index: row of this person in the model's (P, W) matrices.
        traits: dict trait -> (W,) values sampled for this person in each world.
        ideology: (W,) the line this person pulls the nation toward.
        death_year: (W,) decimal year of death (fixed by the scenario or drawn from the
            age-based hazard).
    """

    def __init__(self, model, spec: Person, index: int, streams, forces, start: float):
        super().__init__(model)
        self.spec = spec
        self.index = index
        n = model.n_worlds
        self.traits = {t: sample_trait(spec.traits[t], streams(f"trait:{spec.id}:{t}"), n)
                       for t in TRAITS}
        self.ideology = sample_trait(spec.ideology, streams(f"ideology:{spec.id}"), n)
        if spec.died is not None:
            self.death_year = np.full(n, spec.died)
        else:
            self.death_year = self._gompertz_death(streams(f"death:{spec.id}"), n, forces, start)

    def _gompertz_death(self, rng, n, forces, start) -> np.ndarray:
        """Draw the year of death given survival to `start`, from a Gompertz hazard.

        The hazard is `mortality_base * 2 ** ((age - 60) / mortality_doubling_years)`: the
        yearly risk at age 60, doubling every few years, as in human life tables.
        """
        g = math.log(2.0) / forces.mortality_doubling_years
        b = forces.mortality_base
        exposure = rng.exponential(1.0, n)
        if b == 0:
            return np.full(n, np.inf)
        age0 = max(start - self.spec.born, 0.0)
        age = 60.0 + np.log(np.exp(g * (age0 - 60.0)) + g * exposure / b) / g
        return self.spec.born + age


class AllyAgent(mesa.Agent):
    """One of the two allies in W worlds.

    Attributes:
        spec: the Nation from the scenario.
        line: (W,) ideological line, 0 pragmatic/reformist to 1 radical/orthodox.
        grievance: (W,) accumulated grievance against the partner, decaying over time.
        recognition: (W,) status the partner grants this nation, in [0, 1].
        capability_factor: (W,) this world's persistent deviation from the reference scores.
        capability_shock: (W,) a temporary shock (a collapse, a boom) that wears off.
        nuclear: (W,) bool, whether this nation has the bomb.
        failures: (W,) failures counted against the current holder of the office.
        holder: (W,) row index of the person holding the office.
        capability_path: (T,) the reference capability at each step.
    """

    def __init__(self, model, spec: Nation, streams, forces, holder_index: int, years):
        super().__init__(model)
        n = model.n_worlds
        self.spec = spec
        self.line = np.full(n, spec.line)
        self.grievance = np.zeros(n)
        self.recognition = np.full(n, spec.recognition)
        noise = streams(f"capability:{spec.id}").standard_normal(n)
        self.capability_factor = np.exp(forces.capability_noise * noise)
        self.capability_shock = np.zeros(n)
        self.nuclear = np.zeros(n, dtype=bool)
        self.failures = np.zeros(n)
        self.holder = np.full(n, holder_index, dtype=np.int64)
        self.capability_path = series_at(spec.capability, years)

    def capability(self, step: int) -> np.ndarray:
        """(W,) material capability at `step`, with this world's noise and shocks."""
        return self.capability_path[step] * self.capability_factor * (1.0 + self.capability_shock)

    def drift(self, holder_ideology, partner_dominance, forces, dt) -> None:
        """Advance the slow processes by one step.

        The line is pulled toward the holder's own ideology (leaders remake their party's
        line); the recognition the partner grants relaxes toward what the partner's leader is
        disposed to concede, 1 - dominance; grievances fade; shocks wear off.
        """
        pull = 1.0 - halving_factor(forces.line_pull_half_life, dt)
        self.line += pull * (holder_ideology - self.line)
        relax = 1.0 - halving_factor(forces.recognition_half_life, dt)
        self.recognition += relax * ((1.0 - partner_dominance) - self.recognition)
        self.grievance *= halving_factor(forces.grievance_half_life, dt)
        self.capability_shock *= halving_factor(forces.capability_recovery_half_life, dt)


class ThirdPowerAgent(mesa.Agent):
    """The outside power whose threat binds the allies and whose opening can draw one away.

    Attributes:
        threat: dict ally id -> (T,) threat to that ally at each step, scaled.
        openness: dict ally id -> (T,) openness to that ally at each step, scaled.
    """

    def __init__(self, model, spec: Nation, years):
        super().__init__(model)
        self.spec = spec
        self.threat = {
            m: spec.threat_scale * series_at(s, years) for m, s in spec.threat_to.items()
        }
        self.openness = {
            m: spec.openness_scale * series_at(s, years) for m, s in spec.openness_to.items()
        }
