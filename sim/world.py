"""The world description: what a scenario file may say, checked before anything runs.

A scenario is plain data (nations, persons, offices, junctures, forces). This module turns the
composed mapping into frozen dataclasses and rejects bad input with one message that names the
problem and what is allowed, so that a typo never becomes a silently ignored value.
"""

from __future__ import annotations

import calendar
import datetime as dt
import difflib
import math
from dataclasses import dataclass, field
from typing import Any

TRAITS = (
    "prestige_seeking",
    "ideological_rigidity",
    "threat_perception",
    "impulsiveness",
    "dominance",
)
"""Person traits, each in [0, 1]; defined in docs/MODEL.md (section 'Persons')."""

PREDICTORS = TRAITS + ("ideology",)
"""What a juncture option's choice probability may depend on: the holder's traits and line."""

DISTRIBUTIONS = {"uniform": 2, "triangular": 3, "beta": 2}
"""Trait distributions a scenario may use, with their number of parameters."""

NOTE_KEYS = ("source", "sources", "note", "notes")
"""Keys allowed anywhere for citations and comments; the engine ignores them."""


class ScenarioError(ValueError):
    """A scenario that cannot be run, with a message meant for the person who wrote it."""


# --------------------------------------------------------------------------- basic checks


def _check_keys(data: Any, path: str, required: tuple, optional: tuple = ()) -> dict:
    """Return `data` as a dict after checking it has the required keys and no unknown ones."""
    if not isinstance(data, dict):
        raise ScenarioError(f"{path} must be a mapping, got {_describe(data)}")
    allowed = required + optional + NOTE_KEYS
    for key in data:
        if key not in allowed:
            raise ScenarioError(_unknown(f"key '{key}' in {path}", str(key), allowed))
    for key in required:
        if key not in data:
            raise ScenarioError(f"{path} is missing the key '{key}'")
    return data


def _mapping(data: Any, path: str) -> dict:
    """Return `data` as a dict whose keys are ids chosen by the scenario's author."""
    if not isinstance(data, dict):
        raise ScenarioError(f"{path} must be a mapping, got {_describe(data)}")
    return data


def _unknown(what: str, name: str, allowed) -> str:
    names = [str(a) for a in allowed if a not in NOTE_KEYS]
    close = difflib.get_close_matches(name, names, n=1)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    return f"unknown {what}{hint}; allowed: {', '.join(names)}"


def _describe(value: Any) -> str:
    return f"{type(value).__name__} {value!r}"


def _number(value: Any, path: str, low: float = -math.inf, high: float = math.inf) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value):
        raise ScenarioError(f"{path} must be a number, got {_describe(value)}")
    if not low <= value <= high:
        raise ScenarioError(f"{path} = {value} is outside the allowed range [{low}, {high}]")
    return float(value)


def _text(value: Any, path: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ScenarioError(f"{path} must be a non-empty text, got {_describe(value)}")
    return value


def decimal_year(value: Any, path: str) -> float:
    """Read a date ('1956-02-25', '1956-02', a year, or a decimal year) as a decimal year,
    counting a year as twelve equal months (see calendar_date)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return _number(value, path, 1000, 3000)
    if isinstance(value, dt.date):
        value = value.isoformat()
    if not isinstance(value, str):
        raise ScenarioError(f"{path} must be a date like 1956-02-25, got {_describe(value)}")
    parts = value.strip().split("-")
    try:
        numbers = [int(p) for p in parts]
        year, month, day = (numbers + [1, 1])[:3] if len(numbers) <= 3 else (None, None, None)
        date = dt.date(year, month, day)
    except (TypeError, ValueError):
        raise ScenarioError(
            f"{path} = '{value}' is not a possible date; write YYYY-MM-DD, YYYY-MM or a year"
        ) from None
    return date.year + (date.month - 1 + (date.day - 1) / _days_in(date.year, date.month)) / 12


def _days_in(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def calendar_date(year: float) -> dt.date:
    """The date of a decimal year (the inverse of decimal_year, to the day).

    A year is counted in twelve equal months, so that quarterly or monthly steps from a
    first-of-month start fall on the first of a month: 1949-10-01 is 1949.75.
    """
    whole = int(math.floor(year + 1e-9))
    months = max(0.0, (year - whole) * 12 + 1e-9)
    month = min(12, int(months) + 1)
    day = 1 + int((months - (month - 1)) * _days_in(whole, month) + 1e-6)
    return dt.date(whole, month, min(day, _days_in(whole, month)))


def iso_date(year: float) -> str:
    """A decimal year as YYYY-MM-DD."""
    return calendar_date(year).isoformat()


# --------------------------------------------------------------------------- traits


@dataclass(frozen=True)
class TraitSpec:
    """A trait's value in [0, 1], or a distribution it is sampled from in each world.

    Attributes:
        kind: 'fixed', or one of DISTRIBUTIONS.
        params: the value (fixed), [low, high] (uniform), [low, mode, high] (triangular)
            or [alpha, beta] (beta).
    """

    kind: str
    params: tuple[float, ...]

    @property
    def mean(self) -> float:
        p = self.params
        return {
            "fixed": lambda: p[0],
            "uniform": lambda: (p[0] + p[1]) / 2,
            "triangular": lambda: sum(p) / 3,
            "beta": lambda: p[0] / (p[0] + p[1]),
        }[self.kind]()


def parse_trait(value: Any, path: str) -> TraitSpec:
    """Read `0.7`, `{uniform: [0.6, 0.8]}`, `{triangular: [0.6, 0.7, 0.9]}` or `{beta: [7, 3]}`."""
    if not isinstance(value, dict):
        return TraitSpec("fixed", (_number(value, path, 0.0, 1.0),))
    if len(value) != 1:
        raise ScenarioError(
            f"{path} must be a number in [0, 1] or one distribution, "
            f"one of: {', '.join(DISTRIBUTIONS)}"
        )
    kind, params = next(iter(value.items()))
    if kind not in DISTRIBUTIONS:
        raise ScenarioError(_unknown(f"distribution '{kind}' in {path}", str(kind), DISTRIBUTIONS))
    n = DISTRIBUTIONS[kind]
    if not isinstance(params, (list, tuple)) or len(params) != n:
        raise ScenarioError(f"{path}.{kind} needs a list of {n} numbers, got {_describe(params)}")
    if kind == "beta":
        numbers = tuple(_number(v, f"{path}.{kind}", 1e-6) for v in params)
    else:
        numbers = tuple(_number(v, f"{path}.{kind}", 0.0, 1.0) for v in params)
        if list(numbers) != sorted(numbers) or numbers[0] == numbers[-1]:
            raise ScenarioError(f"{path}.{kind} = {list(numbers)} must rise from low to high")
    return TraitSpec(kind, numbers)


# --------------------------------------------------------------------------- time series


@dataclass(frozen=True)
class Series:
    """A quantity given at a few dates, interpolated linearly and held flat beyond its ends."""

    years: tuple[float, ...]
    values: tuple[float, ...]


def parse_series(value: Any, path: str, low: float = 0.0, high: float = math.inf) -> Series:
    """Read `{1950: 0.18, 1955: 0.17}` (or a single number: constant) as a Series."""
    if not isinstance(value, dict):
        number = _number(value, path, low, high)
        return Series((0.0,), (number,))
    if not value:
        raise ScenarioError(f"{path} must list at least one year: value pair")
    points = sorted(
        (decimal_year(year, f"{path} key"), _number(v, f"{path}.{year}", low, high))
        for year, v in value.items()
    )
    return Series(tuple(p[0] for p in points), tuple(p[1] for p in points))


# --------------------------------------------------------------------------- entities


@dataclass(frozen=True)
class Person:
    """A leader or contender.

    Attributes:
        id: the key in the scenario file.
        name: how the chronicle names the person.
        nation: id of the nation whose office the person can hold.
        born: birth year (drives the age-based death hazard).
        died: date of death as a decimal year if the scenario fixes it, else None (hazard).
        ideology: the line the person pulls the nation toward, 0 pragmatic/reformist to
            1 radical/orthodox.
        traits: TraitSpec for each name in TRAITS.
        security: how secure the person's hold on office is, in [0, 1]; the ouster hazard is
            multiplied by (1 - security).
        contender_weight: weight when the nation's office is filled (0: never a successor).
        contender_from, contender_until: decimal years bounding when the person contends.
    """

    id: str
    name: str
    nation: str
    born: float
    died: float | None
    ideology: TraitSpec
    traits: dict[str, TraitSpec]
    security: float
    contender_weight: float
    contender_from: float
    contender_until: float


@dataclass(frozen=True)
class Nation:
    """A state in the world: one of the two allies or the third power.

    Attributes:
        capability: composite capability (COW CINC scale) over time (allies only; no
            mechanism uses the third power's).
        line: initial ideological line in [0, 1] (allies only).
        sovereignty_sensitivity: how strongly affronts to sovereignty hurt, in [0, 1].
        recognition: status the partner grants at the start, in [0, 1].
        office: title of the paramount office; holder: its first holder's person id.
        threat_to, openness_to: for the third power, its threat to and openness toward
            each ally over time, each scaled by threat_scale and openness_scale.
    """

    id: str
    name: str
    capability: Series | None = None
    line: float = 0.5
    sovereignty_sensitivity: float = 0.5
    recognition: float = 0.5
    office: str = ""
    holder: str = ""
    threat_to: dict[str, Series] = field(default_factory=dict)
    openness_to: dict[str, Series] = field(default_factory=dict)
    threat_scale: float = 1.0
    openness_scale: float = 1.0


EFFECTS = (
    "grievance",
    "sovereignty",
    "line",
    "aid",
    "recognition",
    "border",
    "capability",
    "failure",
    "nuclear",
    "leader",
)
"""What a juncture option may change; each is defined in docs/MODEL.md ('Junctures')."""


@dataclass(frozen=True)
class Effects:
    """The changes an option makes, keyed by nation id where the effect concerns one nation."""

    grievance: dict[str, float] = field(default_factory=dict)
    sovereignty: dict[str, float] = field(default_factory=dict)
    line: dict[str, float] = field(default_factory=dict)
    aid: float = 0.0
    recognition: dict[str, float] = field(default_factory=dict)
    border: float = 0.0
    capability: dict[str, float] = field(default_factory=dict)
    failure: dict[str, float] = field(default_factory=dict)
    nuclear: tuple[str, ...] = ()
    leader: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Option:
    """One choice at a juncture.

    The chance of taking it is proportional to
    `weight * exp(sum_k coefficients[k] * (x_k - 0.5) + cohesion * (C - 0.5))`,
    where x_k are the deciding holder's traits and ideology and C is the current cohesion,
    so `weight` is the option's relative odds for an average holder at middling cohesion.
    """

    id: str
    text: str
    weight: float
    coefficients: dict[str, float]
    cohesion: float
    effects: Effects


@dataclass(frozen=True)
class Juncture:
    """A dated decision taken by the holder of one nation's office.

    Attributes:
        actor: id of the nation whose office holder chooses.
        when: 'allied' (only in worlds not yet split), 'split' (only after) or 'always'.
    """

    id: str
    title: str
    date: float
    actor: str
    when: str
    options: tuple[Option, ...]


@dataclass(frozen=True)
class Forces:
    """Rates and weights of the continuous processes; meanings in docs/MODEL.md ('Details')."""

    baseline_cohesion: float
    adjustment_rate: float
    noise: float
    threat_weight: float
    aid_weight: float
    ideology_weight: float
    status_weight: float
    grievance_weight: float
    border_weight: float
    grievance_half_life: float
    aid_half_life: float
    line_pull_half_life: float
    recognition_half_life: float
    polemic_rate: float
    polemic_grievance: float
    border_rise: float
    border_half_life: float
    clash_rate: float
    realignment_rate: float
    capability_noise: float
    capability_recovery_half_life: float
    nuclear_status_bonus: float
    ouster_rate: float
    ouster_failure_factor: float
    mortality_base: float
    mortality_doubling_years: float
    succession_grievance_reset: float


FORCE_BOUNDS = {
    "baseline_cohesion": (0.0, 1.0),
    "adjustment_rate": (0.0, 50.0),
    "noise": (0.0, 1.0),
    "threat_weight": (0.0, 5.0),
    "aid_weight": (0.0, 5.0),
    "ideology_weight": (0.0, 5.0),
    "status_weight": (0.0, 5.0),
    "grievance_weight": (0.0, 5.0),
    "border_weight": (0.0, 5.0),
    "grievance_half_life": (0.01, 1000.0),
    "aid_half_life": (0.01, 1000.0),
    "line_pull_half_life": (0.01, 1000.0),
    "recognition_half_life": (0.01, 1000.0),
    "polemic_rate": (0.0, 100.0),
    "polemic_grievance": (0.0, 5.0),
    "border_rise": (0.0, 100.0),
    "border_half_life": (0.01, 1000.0),
    "clash_rate": (0.0, 100.0),
    "realignment_rate": (0.0, 100.0),
    "capability_noise": (0.0, 1.0),
    "capability_recovery_half_life": (0.01, 1000.0),
    "nuclear_status_bonus": (0.0, 1.0),
    "ouster_rate": (0.0, 10.0),
    "ouster_failure_factor": (1.0, 100.0),
    "mortality_base": (0.0, 1.0),
    "mortality_doubling_years": (0.1, 100.0),
    "succession_grievance_reset": (0.0, 1.0),
}
"""Allowed range of each force parameter."""


OUTCOMES = ("split", "border_clash", "realignment")
"""The events recorded per world; each is dated or absent (censored at the horizon)."""

STATISTICS = ("probability", "median_year", "share_within")


@dataclass(frozen=True)
class HistoryCheck:
    """One test of the simulated record against history.

    Attributes:
        name: how the check is printed.
        outcome: one of OUTCOMES.
        statistic: 'probability' (must lie within `within`), 'median_year' (must fall in
            the calendar years `within`, both included), or 'share_within' (the share of
            the outcome's dates in the calendar years `years`, both included, must be at
            least `at_least`).
    """

    name: str
    outcome: str
    statistic: str
    within: tuple[float, float] | None = None
    years: tuple[float, float] | None = None
    at_least: float | None = None


@dataclass(frozen=True)
class World:
    """A whole scenario, validated: everything the model needs and nothing else.

    `compare_with` names the scenario this one is compared with on the same seeds (the root
    of its family of counterfactuals, often itself); None when the file does not say, so that
    the run's setting (configs/config.yaml, default `baseline`) applies.
    """

    name: str
    title: str
    start: float
    horizon: float
    steps_per_year: int
    members: tuple[str, str]
    third_power: str
    initial_cohesion: float
    split_threshold: float
    split_sustained_years: float
    nations: dict[str, Nation]
    persons: dict[str, Person]
    forces: Forces
    junctures: tuple[Juncture, ...]
    history_checks: tuple[HistoryCheck, ...] = ()
    milestones: tuple[float, ...] = ()
    compare_with: str | None = None

    @property
    def dt(self) -> float:
        """Length of one step in years."""
        return 1.0 / self.steps_per_year

    @property
    def n_steps(self) -> int:
        return int(math.ceil((self.horizon - self.start) * self.steps_per_year - 1e-9))

    def step_of(self, year: float) -> int:
        """Index of the step during which `year` falls."""
        return int(math.floor((year - self.start) * self.steps_per_year + 1e-9))

    def year_of(self, step) -> float:
        """Decimal year at the start of `step` (works on arrays too)."""
        return self.start + step / self.steps_per_year

    def persons_of(self, nation: str) -> list[str]:
        return [pid for pid, p in self.persons.items() if p.nation == nation]


# --------------------------------------------------------------------------- parsing


def parse_world(data: Any, name: str) -> World:
    """Validate a composed scenario mapping and return the World it describes.

    Raises:
        ScenarioError: naming the first problem found and what is allowed instead.
    """
    top = _check_keys(
        data,
        "the scenario",
        ("title", "period", "alliance", "nations", "persons", "forces", "split", "junctures"),
        ("description", "divergence", "claim", "history", "compare_with"),
    )
    _text(top["title"], "title")
    compare_with = top.get("compare_with")
    if compare_with is not None:
        _text(compare_with, "compare_with")

    period = _check_keys(top["period"], "period", ("start", "horizon"), ("steps_per_year",))
    start = decimal_year(period["start"], "period.start")
    horizon = decimal_year(period["horizon"], "period.horizon")
    if horizon <= start:
        raise ScenarioError(f"period.horizon must come after period.start ({period['start']})")
    steps_per_year = period.get("steps_per_year", 4)
    if not isinstance(steps_per_year, int) or not 1 <= steps_per_year <= 365:
        raise ScenarioError("period.steps_per_year must be a whole number from 1 to 365")

    alliance = _check_keys(
        top["alliance"], "alliance", ("members", "third_power", "initial_cohesion")
    )
    members = alliance["members"]
    if not isinstance(members, (list, tuple)) or len(members) != 2 or members[0] == members[1]:
        raise ScenarioError("alliance.members must list exactly two different nation ids")

    nations_data = _mapping(top["nations"], "nations")
    third = alliance["third_power"]
    for nid in list(members) + [third]:
        if nid not in nations_data:
            raise ScenarioError(_unknown(f"nation '{nid}' in alliance", str(nid), nations_data))
    if third in members:
        raise ScenarioError("alliance.third_power must not be one of the members")

    persons = {
        str(pid): _parse_person(str(pid), p, nations_data, f"persons.{pid}")
        for pid, p in _mapping(top["persons"], "persons").items()
    }
    nations = {
        str(nid): _parse_nation(str(nid), n, nid in members, nid == third, members, persons)
        for nid, n in nations_data.items()
    }
    forces = _parse_forces(top["forces"])

    split = _check_keys(top["split"], "split", ("threshold", "sustained_years"))
    world_kwargs = dict(
        name=name,
        title=top["title"],
        start=start,
        horizon=horizon,
        steps_per_year=steps_per_year,
        members=(str(members[0]), str(members[1])),
        third_power=str(third),
        initial_cohesion=_number(alliance["initial_cohesion"], "alliance.initial_cohesion", 0, 1),
        split_threshold=_number(split["threshold"], "split.threshold", 0, 1),
        split_sustained_years=_number(split["sustained_years"], "split.sustained_years", 0, 100),
        nations=nations,
        persons=persons,
        forces=forces,
        compare_with=None if compare_with is None else str(compare_with),
    )
    history = _check_keys(top.get("history") or {}, "history", (), ("milestones", "checks"))
    milestones = history.get("milestones") or []
    if not isinstance(milestones, (list, tuple)):
        raise ScenarioError("history.milestones must be a list of years")
    world_kwargs["milestones"] = tuple(
        _number(y, f"history.milestones[{i}]", start, horizon) for i, y in enumerate(milestones)
    )
    checks = history.get("checks") or []
    if not isinstance(checks, (list, tuple)):
        raise ScenarioError("history.checks must be a list of checks")
    world_kwargs["history_checks"] = tuple(
        _parse_check(c, f"history.checks[{i}]") for i, c in enumerate(checks)
    )
    junctures_data = _mapping(top["junctures"], "junctures")
    junctures = tuple(
        sorted(
            (
                _parse_juncture(str(jid), j, start, horizon, members, persons)
                for jid, j in junctures_data.items()
                if j is not None
            ),
            key=lambda j: j.date,
        )
    )
    return World(junctures=junctures, **world_kwargs)


def _pair(value: Any, path: str) -> tuple[float, float]:
    if not isinstance(value, (list, tuple)) or len(value) != 2:
        raise ScenarioError(f"{path} must be a pair [low, high], got {_describe(value)}")
    low, high = (_number(v, path) for v in value)
    if high < low:
        raise ScenarioError(f"{path} = {list(value)} must go from low to high")
    return low, high


def _parse_check(data: Any, path: str) -> HistoryCheck:
    c = _check_keys(data, path, ("name", "outcome", "statistic"), ("within", "years", "at_least"))
    if c["outcome"] not in OUTCOMES:
        raise ScenarioError(_unknown(f"outcome '{c['outcome']}' in {path}", str(c["outcome"]),
                                     OUTCOMES))
    if c["statistic"] not in STATISTICS:
        raise ScenarioError(_unknown(f"statistic '{c['statistic']}' in {path}",
                                     str(c["statistic"]), STATISTICS))
    if c["statistic"] == "share_within":
        if "years" not in c or "at_least" not in c:
            raise ScenarioError(f"{path}: share_within needs 'years' and 'at_least'")
        return HistoryCheck(_text(c["name"], f"{path}.name"), c["outcome"], c["statistic"],
                            years=_pair(c["years"], f"{path}.years"),
                            at_least=_number(c["at_least"], f"{path}.at_least", 0, 1))
    if "within" not in c:
        raise ScenarioError(f"{path}: {c['statistic']} needs 'within'")
    return HistoryCheck(_text(c["name"], f"{path}.name"), c["outcome"], c["statistic"],
                        within=_pair(c["within"], f"{path}.within"))


def _parse_person(pid: str, data: Any, nations: dict, path: str) -> Person:
    p = _check_keys(
        data, path, ("name", "nation", "born", "ideology", "traits", "security"),
        ("died", "contender"),
    )
    if p["nation"] not in nations:
        raise ScenarioError(_unknown(f"nation '{p['nation']}' in {path}", p["nation"], nations))
    traits_data = _check_keys(p["traits"], f"{path}.traits", TRAITS)
    traits = {t: parse_trait(traits_data[t], f"{path}.traits.{t}") for t in TRAITS}
    contender = _check_keys(p.get("contender") or {"weight": 0}, f"{path}.contender",
                            ("weight",), ("from", "until"))
    born = _number(p["born"], f"{path}.born", 1000, 3000)
    died = p.get("died")
    return Person(
        id=pid,
        name=_text(p["name"], f"{path}.name"),
        nation=str(p["nation"]),
        born=born,
        died=None if died is None else decimal_year(died, f"{path}.died"),
        ideology=parse_trait(p["ideology"], f"{path}.ideology"),
        traits=traits,
        security=_number(p["security"], f"{path}.security", 0, 1),
        contender_weight=_number(contender["weight"], f"{path}.contender.weight", 0),
        contender_from=decimal_year(contender.get("from", 1000), f"{path}.contender.from"),
        contender_until=decimal_year(contender.get("until", 3000), f"{path}.contender.until"),
    )


def _parse_nation(nid, data, is_member, is_third, members, persons) -> Nation:
    path = f"nations.{nid}"
    if is_member:
        n = _check_keys(
            data, path, ("name", "capability", "line", "sovereignty_sensitivity",
                         "recognition", "office", "holder"),
        )
        holder = n["holder"]
        if holder not in persons or persons[holder].nation != nid:
            mine = [pid for pid, p in persons.items() if p.nation == nid]
            raise ScenarioError(_unknown(f"holder '{holder}' in {path}", str(holder), mine))
        return Nation(
            id=nid,
            name=_text(n["name"], f"{path}.name"),
            capability=parse_series(n["capability"], f"{path}.capability"),
            line=_number(n["line"], f"{path}.line", 0, 1),
            sovereignty_sensitivity=_number(
                n["sovereignty_sensitivity"], f"{path}.sovereignty_sensitivity", 0, 1
            ),
            recognition=_number(n["recognition"], f"{path}.recognition", 0, 1),
            office=_text(n["office"], f"{path}.office"),
            holder=str(holder),
        )
    if is_third:
        n = _check_keys(data, path, ("name", "threat_to", "openness_to"),
                        ("threat_scale", "openness_scale"))
        series = {}
        for key in ("threat_to", "openness_to"):
            block = _check_keys(n[key], f"{path}.{key}", tuple(members))
            series[key] = {m: parse_series(block[m], f"{path}.{key}.{m}", 0, 1) for m in members}
        return Nation(
            id=nid,
            name=_text(n["name"], f"{path}.name"),
            threat_scale=_number(n.get("threat_scale", 1.0), f"{path}.threat_scale", 0, 10),
            openness_scale=_number(n.get("openness_scale", 1.0), f"{path}.openness_scale", 0, 10),
            **series,
        )
    n = _check_keys(data, path, ("name",))
    return Nation(id=nid, name=_text(n["name"], f"{path}.name"))


def _parse_forces(data: Any) -> Forces:
    f = _check_keys(data, "forces", tuple(FORCE_BOUNDS))
    return Forces(**{k: _number(f[k], f"forces.{k}", *FORCE_BOUNDS[k]) for k in FORCE_BOUNDS})


def _parse_juncture(jid, data, start, horizon, members, persons) -> Juncture:
    path = f"junctures.{jid}"
    j = _check_keys(data, path, ("title", "date", "actor", "options"), ("when",))
    date = decimal_year(j["date"], f"{path}.date")
    if not start <= date < horizon:
        raise ScenarioError(
            f"{path}.date = {j['date']} is outside the simulated period; allowed: dates from "
            f"{iso_date(start)} up to {iso_date(horizon)}"
        )
    if j["actor"] not in members:
        raise ScenarioError(_unknown(f"actor '{j['actor']}' in {path}", str(j["actor"]), members))
    when = j.get("when", "allied")
    if when not in ("allied", "split", "always"):
        raise ScenarioError(f"{path}.when = {when!r}; allowed: allied, split, always")
    options_data = _mapping(j["options"], f"{path}.options")
    options = tuple(
        _parse_option(str(oid), o, f"{path}.options.{oid}", members, persons)
        for oid, o in options_data.items()
        if o is not None
    )
    if not options or sum(o.weight for o in options) <= 0:
        raise ScenarioError(f"{path} needs at least one option with a weight above 0")
    return Juncture(jid, _text(j["title"], f"{path}.title"), date, str(j["actor"]), when, options)


def _parse_option(oid, data, path, members, persons) -> Option:
    o = _check_keys(data, path, ("text", "weight"), ("traits", "cohesion", "effects"))
    coefficients = _check_keys(o.get("traits") or {}, f"{path}.traits", (), PREDICTORS)
    return Option(
        id=oid,
        text=_text(o["text"], f"{path}.text"),
        weight=_number(o["weight"], f"{path}.weight", 0),
        coefficients={
            k: _number(v, f"{path}.traits.{k}", -50, 50) for k, v in coefficients.items()
        },
        cohesion=_number(o.get("cohesion", 0.0), f"{path}.cohesion", -50, 50),
        effects=_parse_effects(o.get("effects") or {}, f"{path}.effects", members, persons),
    )


def _parse_effects(data, path, members, persons) -> Effects:
    e = _check_keys(data, path, (), EFFECTS)

    def per_nation(key, low=-5.0, high=5.0):
        block = _check_keys(e.get(key) or {}, f"{path}.{key}", (), tuple(members))
        return {str(n): _number(v, f"{path}.{key}.{n}", low, high) for n, v in block.items()}

    nuclear = e.get("nuclear") or []
    if not isinstance(nuclear, (list, tuple)) or any(n not in members for n in nuclear):
        raise ScenarioError(f"{path}.nuclear must list nation ids among: {', '.join(members)}")
    leader = _check_keys(e.get("leader") or {}, f"{path}.leader", (), tuple(members))
    for nid, pid in leader.items():
        if pid not in persons or persons[pid].nation != nid:
            mine = [q for q, p in persons.items() if p.nation == nid]
            raise ScenarioError(_unknown(f"person '{pid}' in {path}.leader.{nid}", str(pid), mine))
    return Effects(
        grievance=per_nation("grievance", 0.0),
        sovereignty=per_nation("sovereignty", 0.0),
        line=per_nation("line", -1.0, 1.0),
        aid=_number(e.get("aid", 0.0), f"{path}.aid", -1, 1),
        recognition=per_nation("recognition", -1.0, 1.0),
        border=_number(e.get("border", 0.0), f"{path}.border", -1, 1),
        capability=per_nation("capability", -0.9, 1.0),
        failure=per_nation("failure", 0.0, 10.0),
        nuclear=tuple(str(n) for n in nuclear),
        leader={str(k): str(v) for k, v in leader.items()},
    )
