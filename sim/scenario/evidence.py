"""The record as evidence: dated facts with tolerances, each named, in a scenario's `history`.

A fact is about who held an office (`holder`) or when an outcome came (`outcome`). Which option
history took at each juncture is not written here: it is the option marked `historical: true`,
and each such marker is evidence of its own, named `choice.<juncture>`
(sim/calibration/evidence.py). Evidence serves the history checks, the chronicle's "as in
history" and the calibration (docs/MODEL.md, "Uncertainty and evidence").
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, model_validator

from sim.calendar import iso_date
from sim.engine.schedule import OUTCOME, OUTCOMES
from sim.errors import ScenarioError
from sim.scenario.base import Id, Strict
from sim.scenario.fields import Date, Text, fail, number, unknown


def _listed(value: Any) -> Any:
    return value if isinstance(value, list) or value is None else [value]


Dates = Annotated[list[Date], BeforeValidator(_listed)]


class Evidence(Strict):
    """A dated fact of the record, with its tolerance.

    Holder: `holder` held `nation`'s office on each day `in_office`, took it `from` a date and/or
    left it `until` a date (the day his tenure ended; for a death in office, the day of
    death), each within `tolerance` years. Outcome: `outcome` came `within` [from, to], or on
    `date` within `tolerance` years (for an outcome with a nation or a power, optionally by
    that `nation` and to that `power`), or had not come by `none_by`. A world matches a fact
    when its own history, at the model's resolution (a step), agrees with it.
    """

    id: Id = ""
    text: Text | None = Field(None, description="how reports and the chronicle say it")
    holder: str | None = Field(None, description="the person who held the office")
    nation: str | None = Field(None, description="the ally whose office (holder), or the ally "
                               "the outcome concerns (for a realignment: that ally's own "
                               "turn, whether or not its partner turned first)")
    in_office: Dates = Field([], description="holder: days on which he held the office")
    from_: Date | None = Field(None, alias="from", description="holder: the day he took it")
    until: Date | None = Field(None, description="holder: the day his tenure ended")
    outcome: Literal[tuple(o.id for o in OUTCOMES)] | None = Field(
        None, description="the outcome the fact dates")
    date: Date | None = Field(None, description="outcome: the day it came")
    within: Annotated[list[Date], Field(min_length=2, max_length=2)] | None = Field(
        None, description="outcome: [from, to], both days included")
    none_by: Date | None = Field(None, description="outcome: it had not come by this day")
    power: str | None = Field(None, description="outcome: the outside power it concerns "
                              "(e.g. the power an ally turned to)")
    tolerance: number(0, 100) = Field(0.0, description="years either side of `date`, `from` "
                                      "and `until` within which a world still matches")

    @model_validator(mode="after")
    def _one_kind(self):
        if (self.holder is None) == (self.outcome is None):
            raise fail("{path} needs either 'holder' (who held an office) or 'outcome' (when "
                       "an outcome came), not both")
        if self.holder is not None:
            if self.nation is None:
                raise fail("{path}: a holder fact needs 'nation' (whose office)")
            if not (self.in_office or self.from_ is not None or self.until is not None):
                raise fail("{path}: a holder fact needs 'in_office', 'from' or 'until'")
            if any(v is not None for v in (self.date, self.within, self.none_by, self.power)):
                raise fail("{path}: 'date', 'within', 'none_by' and 'power' are for outcome "
                           "facts")
            return self
        given = [k for k in ("date", "within", "none_by") if getattr(self, k) is not None]
        if len(given) != 1:
            raise fail("{path}: an outcome fact needs exactly one of 'date' (with "
                       "'tolerance'), 'within' or 'none_by'")
        if self.in_office or self.from_ is not None or self.until is not None:
            raise fail("{path}: 'in_office', 'from' and 'until' are for holder facts")
        if self.within is not None and self.within[1] < self.within[0]:
            raise fail("{path}.within must go from the earlier day to the later")
        for key, column in (("nation", OUTCOME[self.outcome].by_nation),
                            ("power", OUTCOME[self.outcome].by_power)):
            if getattr(self, key) is not None and column is None:
                raise fail(f"{{path}}: the outcome '{self.outcome}' concerns no {key}")
        return self

    @property
    def dates(self) -> list[float]:
        """Every day the fact names, with its tolerance."""
        t = self.tolerance
        dated = [d for d in (self.from_, self.until, self.date) if d is not None]
        return [*self.in_office, *(d - t for d in dated), *(d + t for d in dated),
                *(self.within or []), *([self.none_by] if self.none_by is not None else [])]


def check_evidence(world) -> None:
    """Raise ScenarioError for the first fact naming a person, nation or power that does not
    exist in its role, or a day outside the simulated period, and for a history check naming
    a piece of evidence that does not exist or looking only at years outside the period."""
    names = list(world.history.evidence) + [f"choice.{j.id}" for j in world.juncture_list
                                            if j.historical is not None]
    first, last = int(world.start), int(world.horizon)
    for i, check in enumerate(world.history.checks):
        if check.evidence is not None and check.evidence not in names:
            raise ScenarioError(unknown(f"evidence '{check.evidence}' in history.checks[{i}]",
                                        check.evidence, names))
        years = {"share_within": check.years, "median_year": check.within,
                 "median_cohesion": [check.year, check.year]}.get(check.statistic)
        if years is not None and (years[1] < first or years[0] > last):
            raise ScenarioError(f"history.checks[{i}] ({check.name}) looks at "
                                f"{years[0]:g}-{years[1]:g}, outside the simulated years "
                                f"{first}-{last}")
    for name, fact in world.history.evidence.items():
        path = f"history.evidence.{name}"
        if fact.nation is not None and fact.nation not in world.members:
            raise ScenarioError(unknown(f"nation '{fact.nation}' in {path}", fact.nation,
                                        world.members))
        if fact.holder is not None:
            person = world.persons.get(fact.holder)
            if person is None or person.nation != fact.nation:
                mine = [p for p, q in world.persons.items() if q.nation == fact.nation]
                raise ScenarioError(unknown(f"holder '{fact.holder}' in {path}", fact.holder,
                                            mine))
        if fact.power is not None and fact.power not in world.outside_powers:
            raise ScenarioError(unknown(f"power '{fact.power}' in {path}", fact.power,
                                        world.outside_powers))
        for day in fact.dates:
            if not world.start <= day <= world.horizon + 1e-9:
                shifted = (f" (a date of the fact, or one moved by its tolerance of "
                           f"{fact.tolerance:g} years)" if fact.tolerance else "")
                raise ScenarioError(f"{path}: {iso_date(day)}{shifted} is outside the "
                                    f"simulated period {iso_date(world.start)} to "
                                    f"{iso_date(world.horizon)}")
