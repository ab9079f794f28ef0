"""The actors of a scenario: nations and persons."""

from __future__ import annotations

from pydantic import Field, model_validator

from sim.calendar import iso_date
from sim.scenario.base import Id, Strict
from sim.scenario.fields import (
    Date,
    Text,
    Title,
    Titles,
    Trait,
    TraitSpec,
    Unit,
    Weight,
    fail,
    number,
    series,
)
from sim.scenario.uncertain import uncertain

Fraction = uncertain(0.0, 1.0)


class RealPower(Strict):
    """A person who decides for a nation while another holds its office."""

    person: str = Field(description="the person's id (of the same nation)")
    from_: Date = Field(1000.0, alias="from", description="first day he decides")
    until: Date = Field(3000.0, description="day after which the office holder decides again")


class Nation(Strict):
    """A state: one of the two allies (name, capability, line, sovereignty_sensitivity,
    recognition, office, holder; optionally status_aspiration, real_power, deference,
    coerced and threat_to_partner), an outside power (name, threat_to, openness_to; optionally
    aid_to, leverage_over, detente_with, backing, capability and the scales) or a bystander
    (name only)."""

    id: Id = ""
    name: Text = Field(description="how reports and the chronicle name it")
    capability: series() | None = Field(None, description="material capability over time, "
                                        "above 0 (a COW NMC index: CINC, or in the baseline "
                                        "its economic and military components); for an "
                                        "outside power, how far an ally can help against it")
    line: Fraction = Field(0.5, description="ally: initial ideological line, 0 pragmatic to "
                           "1 radical")
    sovereignty_sensitivity: Fraction = Field(0.5, description="ally: how strongly affronts "
                                              "to sovereignty hurt")
    recognition: Fraction = Field(0.5, description="ally: status the partner grants at the "
                                  "start")
    status_aspiration: Fraction = Field(0.0, description="ally: the rank the nation claims "
                                        "whatever its power, as a share of the stronger "
                                        "partner's")
    office: Title | None = Field(None, description="ally: the title of its paramount office, "
                                 "or {date: title} where it changed")
    holder: str = Field("", description="ally: person id of the office's first holder")
    real_power: list[RealPower] = Field([], description="ally: persons who decide for the "
                                        "nation while another holds the office")
    deference: Unit = Field(0.0, description="ally: its deference to the partner's founding "
                            "leader at the start (holds back its claims and grievances)")
    deference_to: str | None = Field(None, description="ally: the person id of the partner's "
                                     "founding leader it defers to")
    coerced: series(0.0, 1.0) | None = Field(None, description="ally: how far its partner "
                                             "could and would force it back into line, over "
                                             "time (0-1: the partner's troops on or around its "
                                             "soil, its record of intervening in allies like "
                                             "it); holds back the nation's claims, the "
                                             "grievances it acts on, its public attacks and its "
                                             "turn to an outside power")
    threat_to_partner: series(0.0, 1.0) | None = Field(
        None, description="ally: its threat to its partner over time (0-1, composed as an "
        "outside power's threat_to: troops on or around the partner's soil, a blockade, a "
        "claim to its land); friction on cohesion, and a push on the partner to turn to an "
        "outside power once relations fail")
    threat_to: dict[str, series(0.0, 1.0)] = Field({}, description="outside power: its threat "
                                                   "to each ally over time")
    openness_to: dict[str, series(0.0, 1.0)] = Field({}, description="outside power: its "
                                                     "openness to each ally as a partner")
    aid_to: dict[str, series(0.0, 1.0)] = Field({}, description="outside power: the aid it "
                                                "offers each ally, an alternative patron's "
                                                "offer (0-1 scale)")
    leverage_over: dict[str, dict[str, series(0.0, 1.0)]] = Field(
        {}, description="outside power: how far it could hold back another outside power's "
        "threat to an ally that turned to it ({power: {ally: 0-1}}): its hold over the "
        "threatening power (as its armourer or patron), not help in fighting it")
    detente_with: dict[str, series(0.0, 1.0)] = Field({}, description="outside power: its "
                                                      "detente with each ally (0-1 scale)")
    backing: dict[str, Unit] = Field({}, description="outside power: how far each ally's "
                                     "partner stands with it against this power at the start "
                                     "(1 where not given; the backing effect moves it): a "
                                     "partner that will not help gives no glue, and fears no "
                                     "entrapment in the ally's quarrel with it")
    threat_scale: uncertain(0.0, 10.0) = Field(1.0, description="outside power: multiplies "
                                                "threat_to")
    openness_scale: uncertain(0.0, 10.0) = Field(1.0, description="outside power: multiplies "
                                                  "openness_to")

    @model_validator(mode="after")
    def _some_capability(self):
        if self.capability is not None and min(self.capability.values) <= 0:
            raise fail("{path}.capability must be above 0 at every date (it divides: an ally's "
                       "relative power, the reach of help against an outside power); leave it "
                       "out for an outside power against which help is whole")
        return self

    def title_at(self, year: float) -> str:
        """The office's title at `year`."""
        return self.office.at(year) if isinstance(self.office, Titles) else ""

    def title_changes(self, start: float, until: float) -> list[tuple[float, str]]:
        """(date, new title) for each change of the office's title after `start` and before
        `until`: what a tenure across them was called."""
        points = self.office.points if isinstance(self.office, Titles) else ()
        return [(when, title) for when, title in points if start < when < until]


class Traits(Strict):
    """A person's traits, each a number in [0, 1] or a distribution (docs/MODEL.md, 4.4)."""

    prestige_seeking: Trait
    ideological_rigidity: Trait
    threat_perception: Trait
    impulsiveness: Trait
    dominance: Trait

    def __getitem__(self, name: str) -> TraitSpec:
        return getattr(self, name)


class Contender(Strict):
    """Whether and when a person may succeed to the office."""

    weight: Weight = Field(description="relative chance of taking the office when it "
                           "falls vacant (0: never)")
    from_: Date = Field(1000.0, alias="from", description="first day the person contends")
    until: Date = Field(3000.0, description="day after which the person no longer contends")

    @model_validator(mode="after")
    def _a_window(self):
        if self.until < self.from_:
            raise fail(f"{{path}}: until ({iso_date(self.until)}) is before from "
                       f"({iso_date(self.from_)}); the window in which the person contends "
                       "must run forward")
        return self


class Person(Strict):
    """A leader or contender."""

    id: Id = ""
    name: Text = Field(description="how the chronicle names the person")
    nation: str = Field(description="id of the nation whose office the person can hold")
    born: number(1000, 3000) = Field(description="birth year (the death hazard rises with age)")
    died: Date | None = Field(None, description="date of death if the scenario fixes it; "
                              "null draws it from the age-based hazard")
    ideology: Trait = Field(description="the line the person pulls the nation toward")
    ideology_path: series(0.0, 1.0) | None = Field(
        None, description="where the person's views moved: from the first date on, his "
        "ideology follows these points in every world (before it, `ideology`)")
    traits: Traits
    security: Fraction = Field(description="hold on office: the ouster hazard is multiplied "
                               "by 1 - security")
    contender: Contender = Field(Contender(weight=0), description="succession weight and window")

    @model_validator(mode="after")
    def _born_before_death(self):
        if self.died is not None and self.died < self.born:
            raise fail(f"{{path}}: died ({iso_date(self.died)}) is before born ({self.born:g})")
        return self


