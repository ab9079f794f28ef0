"""The scenario schema, declared once: what a scenario file may say, its types and ranges.

The models below are the single declaration from which the program validates a composed
scenario (sim/scenario/validate.py), writes the JSON Schema that editors use to complete and
check scenario files (docs/scenario.schema.json) and writes the reference page of every field
(docs/SCENARIO_FORMAT.md): `python -m sim.scenario.reference`. The keys of `forces` and of a
juncture option's `effects` are not listed here: each process of the engine declares the
parameters it reads and the effects it applies (sim/engine/schedule.py), and the models are
built from those declarations.
"""

from __future__ import annotations

import math
from typing import Annotated, Literal

import numpy as np
from pydantic import Field, PrivateAttr, create_model, model_validator

from sim.engine.schedule import OUTCOMES, PARAMETERS
from sim.engine.specs import NOT_YET, TRAITS
from sim.scenario.actors import Contender, Nation, Person, RealPower, Traits
from sim.scenario.base import INJECTED, NOTE_KEYS, Keyed, Strict
from sim.scenario.evidence import Evidence
from sim.scenario.fields import (
    Date,
    Flag,
    Series,
    Text,
    TraitSpec,
    Unit,
    fail,
    number,
    series,
    whole,
)
from sim.scenario.turning_points import Challenge, Conditions, Effects, Juncture, Option
from sim.scenario.uncertain import nominal, uncertain

__all__ = ["TRAITS", "INJECTED", "NOTE_KEYS", "Series", "TraitSpec", "World", "Nation", "Person",
           "Traits", "Contender", "RealPower", "Juncture", "Option", "Effects", "Conditions",
           "Challenge", "HistoryCheck"]

# --------------------------------------------------------------------------- time and alliance


class Period(Strict):
    """The simulated period."""

    start: Date = Field(description="first day simulated")
    horizon: Date = Field(description="last day simulated; a world not split by then is "
                          "censored there")
    steps_per_year: whole(1, 365) = Field(4, description="steps a year (4: quarters); steps of "
                                          "whole months count from the first of the start's "
                                          "month")


class Alliance(Strict):
    """The two allies and the powers outside them."""

    members: list[str] = Field(description="the two allies' nation ids")
    outside_powers: list[str] | None = Field(None, description="the nation ids of the powers "
                                             "outside the alliance: threats, rival patrons")
    third_power: str | None = Field(None, description="the older form of outside_powers: one "
                                    "outside power's nation id")
    initial_cohesion: uncertain(0.0, 1.0) = Field(description="cohesion at the start, 0 "
                                                  "enemies to 1 one bloc")
    border: Flag = Field(True, description="whether the allies share a border (false: no "
                         "border tension and no armed clash but a dated war)")
    aid_flow: series(0.0, 1.0) | None = Field(None, description="a continuing flow of aid and "
                                              "trade between the allies: dependence added per "
                                              "year, beside the junctures' one-off changes; a "
                                              "steady flow f settles the dependence at "
                                              "f * aid_half_life / ln 2 (with a six-year "
                                              "half-life, 0.023 at about 0.2)")


class SplitDefinition(Strict):
    """When the alliance counts as split (docs/MODEL.md, 'The definition of split')."""

    threshold: Unit = Field(description="cohesion below which the allies no longer act as allies")
    sustained_years: number(0, 100) = Field(description="years cohesion must stay below the "
                                            "threshold; the split is dated to the spell's start")


# --------------------------------------------------------------------------- history

STATISTICS = ("probability", "median_year", "share_within", "median_cohesion", "evidence")

Pair = Annotated[list[number()], Field(min_length=2, max_length=2)]


class HistoryCheck(Strict):
    """One test of the simulated record against history.

    statistic 'probability': the share of worlds with the outcome must lie `within`;
    'median_year': its median year must fall in the calendar years `within` (both included);
    'share_within': at least `at_least` of its dates must fall in the calendar years `years`;
    'median_cohesion': the median cohesion across worlds at the end of calendar year `year`
    must lie `within` (no outcome: it checks a world that held as well as one that split);
    'evidence': the share of worlds matching the piece of evidence named `evidence` must lie
    `within` (no outcome).
    """

    name: Text = Field(description="how the check is printed")
    outcome: Literal[tuple(o.id for o in OUTCOMES)] | None = Field(
        None, description="the outcome checked (not for median_cohesion)")
    statistic: Literal[STATISTICS] = Field(description="what is computed")
    within: Pair | None = Field(None, description="[low, high] for probability, median_year or "
                                "median_cohesion")
    years: Pair | None = Field(None, description="[first, last] calendar year for share_within")
    at_least: Unit | None = Field(None, description="the share required for share_within")
    year: whole(1000, 3000) | None = Field(None, description="the calendar year at whose end "
                                           "median_cohesion is read")
    evidence: str | None = Field(None, description="the piece of history.evidence (or "
                                 "choice.<juncture>) whose share of matching worlds is checked")

    @model_validator(mode="after")
    def _needs(self):
        if self.statistic == "share_within" and (self.years is None or self.at_least is None):
            raise fail("{path}: share_within needs 'years' and 'at_least'")
        if self.statistic != "share_within" and self.within is None:
            raise fail(f"{{path}}: {self.statistic} needs 'within'")
        if (self.statistic in ("median_cohesion", "evidence")) != (self.outcome is None):
            raise fail("{path}: median_cohesion and evidence take no 'outcome'; every other "
                       "statistic needs an 'outcome'")
        if (self.statistic == "evidence") != (self.evidence is not None):
            raise fail("{path}: the statistic evidence needs 'evidence' (a name), and only it")
        if self.statistic == "median_cohesion" and self.year is None:
            raise fail("{path}: median_cohesion needs 'year'")
        for pair, key in ((self.within, "within"), (self.years, "years")):
            if pair is not None and pair[1] < pair[0]:
                raise fail(f"{{path}}.{key} = {pair} must go from low to high")
        return self


class History(Strict):
    """What the historical record says, for the history check and the plots' milestones."""

    milestones: list[number()] = Field([], description="years marked on the plots, with the "
                                       "share of worlds split by each")
    checks: list[HistoryCheck] = Field([], description="the history check")
    evidence: Keyed(Evidence) = Field({}, description="dated facts of the record with their "
                                      "tolerances, by name: who held an office when, when an "
                                      "outcome came (docs/MODEL.md, 'Uncertainty and "
                                      "evidence')")


# --------------------------------------------------------------------------- the world

Forces = create_model(
    "Forces",
    __base__=Strict,
    __doc__="Rates and weights of the processes; each is declared by the process that reads "
            "it (docs/MODEL.md, 'Details').",
    **{name: (uncertain(p.low, p.high),
              Field(... if p.default is None else p.default, description=p.doc))
       for name, p in PARAMETERS.items()},
)


class World(Strict):
    """A whole scenario, validated: everything the model needs and nothing else.

    `compare_with` names the scenario this one is compared with on the same seeds (the root of
    its family of counterfactuals, often itself); None when the file does not say, so that the
    run's setting applies (default `baseline`).
    """

    _name: str = PrivateAttr("")
    title: Text = Field(description="the scenario's title, printed on every output (a "
                        "counterfactual gives its own, as it does divergence and claim)")
    description: Text | None = None
    divergence: Text | None = Field(None, description="the point of divergence from history")
    claim: Text | None = Field(None, description="the claim the scenario tests")
    compare_with: Text | None = Field(None, description="the scenario to compare with on the "
                                      "same seeds")
    period: Period
    alliance: Alliance
    split: SplitDefinition
    history: History = History()
    nations: Keyed(Nation)
    persons: Keyed(Person)
    forces: Forces
    junctures: Keyed(Juncture)
    challenges: Keyed(Challenge) = Field({}, description="dated challenges to an office holder")

    @model_validator(mode="after")
    def _sort_by_date(self):
        for key in ("junctures", "challenges"):
            ordered = dict(sorted(getattr(self, key).items(),
                                  key=lambda item: nominal(item[1].date)))
            object.__setattr__(self, key, ordered)
        return self

    # the calendar and the shortcuts the engine reads

    @property
    def name(self) -> str:
        """The scenario's name (its file's name), set when it is loaded."""
        return self._name

    @property
    def start(self) -> float:
        return self.period.start

    @property
    def horizon(self) -> float:
        return self.period.horizon

    @property
    def steps_per_year(self) -> int:
        return self.period.steps_per_year

    @property
    def dt(self) -> float:
        """Length of one step in years."""
        return 1.0 / self.steps_per_year

    @property
    def origin(self) -> float:
        """Decimal year at which step 0 begins: the first of the start's month when the steps
        are whole months (or runs of them), so that every step, and every month an output
        names, is a calendar month or run of months; the start itself otherwise."""
        if 12 % self.steps_per_year:
            return self.start
        return math.floor(self.start * 12 + 1e-9) / 12

    @property
    def n_steps(self) -> int:
        return int(math.ceil((self.horizon - self.origin) * self.steps_per_year - 1e-9))

    def step_of(self, year):
        """Index of the step during which `year` falls (works on arrays too)."""
        steps = np.floor((np.asarray(year) - self.origin) * self.steps_per_year + 1e-9)
        return int(steps) if steps.ndim == 0 else steps.astype(int)

    def year_of(self, step):
        """Decimal year at the start of `step` (works on arrays too)."""
        return self.origin + step / self.steps_per_year

    def years_or_nan(self, steps: np.ndarray) -> np.ndarray:
        """The decimal year of each step of an outcome, NaN where it has not happened
        (NOT_YET): the form every outcome column and study takes."""
        return np.where(steps == NOT_YET, np.nan, self.year_of(steps))

    @property
    def members(self) -> tuple[str, str]:
        return tuple(self.alliance.members)

    @property
    def outside_powers(self) -> tuple[str, ...]:
        """The outside powers' ids (a file's single `third_power` is one)."""
        if self.alliance.outside_powers is not None:
            return tuple(self.alliance.outside_powers)
        return (self.alliance.third_power,) if self.alliance.third_power else ()

    @property
    def initial_cohesion(self) -> float:
        """Cohesion at the start (the median where it is a distribution, for the plots; the
        engine reads each world's own value)."""
        return nominal(self.alliance.initial_cohesion)

    @property
    def split_threshold(self) -> float:
        return self.split.threshold

    @property
    def split_sustained_years(self) -> float:
        return self.split.sustained_years

    @property
    def milestones(self) -> tuple[float, ...]:
        return tuple(self.history.milestones)

    @property
    def history_checks(self) -> tuple[HistoryCheck, ...]:
        return tuple(self.history.checks)

    @property
    def juncture_list(self) -> tuple[Juncture, ...]:
        """The junctures in date order."""
        return tuple(self.junctures.values())
