"""A chronicle: one world of a run told year by year in plain English, from its event log.

The world is re-simulated alone from its seed block (block b of a run is reproducible from
Streams(seed, b) and the chunk size), with its events traced; its outcomes are checked against
its row in runs.parquet before a word is written. Each event is told by its kind, as the process
that produces it declares (`EventKind.tell`), in words taken from the scenario: names, offices,
juncture titles and the wording of each option.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq

from sim.calendar import MONTHS, calendar_date, month_year
from sim.engine.model import AllianceModel
from sim.engine.observers import EventTrace
from sim.engine.processes.offices import HOLDER
from sim.engine.processes.power import DECIDER
from sim.engine.schedule import EVENTS, HEADLINE, OUTCOMES
from sim.engine.specs import NOT_YET, Event
from sim.engine.streams import Streams
from sim.errors import SettingsError
from sim.montecarlo import blocks_of
from sim.scenario.schema import World

PICKS = ("median", "earliest", "latest", "survivor")
"""Ways of choosing the world (or give a world id)."""


def parse_pick(value, runs: int) -> str | int:
    """Check `chronicle.pick`: one of PICKS or a world id in [0, runs)."""
    if isinstance(value, int) and not isinstance(value, bool):
        if 0 <= value < runs:
            return value
        raise SettingsError(f"chronicle.pick = {value} is not a world of this run; allowed: "
                            f"{', '.join(PICKS)} or a world id from 0 to {runs - 1}")
    if value in PICKS:
        return value
    raise SettingsError(f"unknown chronicle.pick {value!r}; allowed: {', '.join(PICKS)} "
                        f"or a world id from 0 to {runs - 1}")


def pick_world(split_years: np.ndarray, pick: str | int) -> tuple[int, str]:
    """The world to tell and why it was chosen, in words.

    Ties go to the lowest world id. Without a split (or without a survivor) to choose from,
    the pick falls back to the other kind and says so.
    """
    if isinstance(pick, int):
        return pick, f"world {pick}, as asked"
    split = ~np.isnan(split_years)
    if pick == "survivor" and not split.all():
        return int(np.flatnonzero(~split)[0]), "the first world in which the alliance held"
    if not split.any():
        return 0, f"no world split, so there is no {pick} split to tell: the first world"
    note = "no world held to the horizon, so: " if pick == "survivor" else ""
    years = np.where(split, split_years, np.nan)
    if pick == "earliest":
        return int(np.nanargmin(years)), "the world whose alliance split earliest"
    if pick in ("latest", "survivor"):
        return int(np.nanargmax(years)), note + "the world whose alliance split latest"
    median = np.median(split_years[split])
    distance = np.where(split, np.abs(split_years - median), np.inf)
    return int(np.argmin(distance)), ("the world whose split date is the median of the run's "
                                      f"split dates ({month_year(float(median))})")


@dataclass(frozen=True)
class Entry:
    """One line of the chronicle.

    Attributes:
        year: the model's date of the turn: the start of its step, as in runs.parquet.
        shown: the date the reader sees (EventKind.shown): the start of the step for a dated
            outcome, the event's own date where it has one (a juncture, a death), the date of
            its cause for a change of holder, else the middle of the step.
        kind: the event's kind (sim/engine/schedule.py, EVENTS).
        text: the sentence, worded from the scenario.
        cohesion: cohesion at that turn, on its 0-1 scale.
        event: the event told.
    """

    year: float
    shown: float
    kind: str
    text: str
    cohesion: float
    event: Event | None = None


@dataclass
class TracedWorld:
    """One world re-simulated with its events and its cohesion after every step."""

    world_id: int
    model: AllianceModel
    local: int
    trace: EventTrace

    @property
    def events(self) -> list[Event]:
        return self.trace.events

    @property
    def cohesion(self) -> np.ndarray:
        """(T,) the world's cohesion at the end of each step."""
        return self.trace.cohesion[:, 0]

    def outcome_years(self) -> dict[str, float | None]:
        """Outcome id -> the world's date of it, or None."""
        years = {}
        for process in self.model.processes:
            for outcome_id, steps in process.outcome_steps().items():
                step = int(steps[self.local])
                years[outcome_id] = (None if step == NOT_YET
                                     else float(self.model.world.year_of(step)))
        return years


def trace_world(world: World, seed: int, chunk_size: int, runs: int, world_id: int) -> TracedWorld:
    """Re-simulate the block holding `world_id` with that world traced."""
    block, local = divmod(world_id, chunk_size)
    _, _, n = blocks_of(runs, chunk_size)[block]
    worlds = np.zeros(n, dtype=bool)
    worlds[local] = True
    trace = EventTrace(worlds, world.n_steps)
    model = AllianceModel(world, n, Streams(seed, block), observers=[trace])
    model.run()
    return TracedWorld(world_id, model, local, trace)


def check_against_row(traced: TracedWorld, rows: Path) -> None:
    """Raise if the re-simulated world's outcomes differ from its row in runs.parquet (the
    chronicle would tell another story than the run counted)."""
    table = pq.read_table(rows, filters=[("world", "==", traced.world_id)])
    row = {k: v[0] for k, v in table.to_pydict().items()}
    mine = traced.outcome_years()
    for outcome in OUTCOMES:
        ours, theirs = mine[outcome.id], row[outcome.column]
        if (ours is None) != (theirs is None) or (ours is not None
                                                  and abs(ours - theirs) > 1e-9):
            raise RuntimeError(f"the chronicle's world {traced.world_id} does not reproduce its "
                               f"{outcome.column} in runs.parquet ({ours} vs {theirs})")


class Story:
    """What an event's sentence may name: the world's nations, persons and junctures, and who
    holds each office at the point of the story being told."""

    def __init__(self, world: World, person_ids: list[str]):
        self.world = world
        self._names = [world.persons[pid].name for pid in person_ids]
        self.deciders: dict[str, int] = {}

    def person(self, row: int) -> str:
        return self._names[row]

    def nation(self, nation_id: str):
        return self.world.nations[nation_id]

    def partner(self, nation_id: str):
        a, b = self.world.members
        return self.nation(b if nation_id == a else a)

    def juncture(self, juncture_id: str):
        return self.world.junctures[juncture_id]

    def holder_of(self, nation_id: str) -> str:
        """The name of whoever decides for the nation at this point of the story."""
        return self.person(self.deciders[nation_id])

    def year_of(self, event: Event) -> float:
        return float(self.world.year_of(event.step))


def _sentence(text: str) -> str:
    text = text.strip()
    text = text[:1].upper() + text[1:]
    return text if text[-1:] in ".!?" else text + "."


def tell(traced: TracedWorld) -> list[Entry]:
    """The world's events as entries in date order, worded from the scenario."""
    model, world = traced.model, traced.model.world
    story = Story(world, model.cast.ids)
    before = np.concatenate([[world.initial_cohesion], traced.cohesion[:-1]])
    entries: list[Entry] = []
    last: Event | None = None
    for e in traced.events:
        kind = EVENTS[e.kind]
        year = float(world.year_of(e.step))
        if kind.shown == "start":
            shown, cohesion = year, traced.cohesion[e.step]
        else:
            cohesion = e.details.get("cohesion", before[e.step])
            if kind.shown == "date":
                shown = e.details["date"]
            elif kind.shown == "cause" and last is not None and last.step == e.step:
                shown = entries[-1].shown
            else:
                shown = year + world.dt / 2
        if "step" in e.details:   # an outcome dated to an earlier step than it was known
            year = float(world.year_of(e.details["step"]))
            shown, cohesion = year, traced.cohesion[e.details["step"]]
        if e.kind in (HOLDER.id, DECIDER.id):
            story.deciders[e.details["nation"]] = e.details["person"]
        entries.append(Entry(year, float(shown), e.kind, _sentence(kind.tell(e, story)),
                             float(cohesion), e))
        last = e
    return sorted(entries, key=lambda entry: entry.shown)  # stable: same-date order is kept


def render(entries: list[Entry], traced: TracedWorld, why: str, summary: dict) -> str:
    """The chronicle as Markdown: a header, a section a year (quiet years run together) and
    the table of who held power."""
    world = traced.model.world
    years = traced.outcome_years()
    if years[HEADLINE.id] is None:
        fate = "The alliance held to the horizon"
    else:
        fate = f"The alliance split in {month_year(years[HEADLINE.id])}"
    for outcome in OUTCOMES:
        if outcome is not HEADLINE and years[outcome.id] is not None:
            fate += f"; {outcome.title}: {month_year(years[outcome.id])}"
    lines = [
        f"# A chronicle of world {traced.world_id}",
        "",
        f"*{world.title}*: scenario `{summary['scenario']}`, seed {summary['seed']}, "
        f"world {traced.world_id} of {summary['runs']:,}, {why}.",
        "",
        f"{fate}. Cohesion runs from 0 (enemies) to 1 (one bloc); the alliance counts as "
        f"split once it stays below {world.split_threshold:g} for "
        f"{world.split_sustained_years:g} year{'' if world.split_sustained_years == 1 else 's'}"
        f", and the split is dated to the first {'quarter' if world.steps_per_year == 4 else 'step'}"
        " of that spell (cohesion may rise above the threshold briefly before it, never after).",
    ]
    by_year: dict[int, list[Entry]] = {}
    for entry in entries:
        by_year.setdefault(calendar_date(entry.shown).year, []).append(entry)
    step_years = world.year_of(np.arange(world.n_steps))
    year, last = calendar_date(world.start).year, calendar_date(world.horizon - 1e-9).year
    while year <= last:
        quiet_to = year
        while year not in by_year and quiet_to + 1 <= last and quiet_to + 1 not in by_year:
            quiet_to += 1
        end = _cohesion_at_end(traced.cohesion, step_years, quiet_to)
        if year in by_year:
            lines += ["", f"## {year}", ""]
            lines += [f"- **{month_year(e.shown)}**: {e.text} (cohesion {e.cohesion:.2f})"
                      for e in _grouped(by_year[year])]
            lines += ["", f"Cohesion at the end of {year}: {end:.2f}."]
        else:
            span = str(year) if quiet_to == year else f"{year}-{quiet_to}"
            lines += ["", f"## {span}", "", f"No turning point. Cohesion at the end of "
                      f"{quiet_to}: {end:.2f}."]
        year = quiet_to + 1
    lines += ["", "## Who held power", "", "| nation | office | holder | from | to |",
              "|---|---|---|---|---|"]
    lines += [f"| {nation} | {office} | {name} | {month_year(start)} | {month_year(until)} |"
              for nation, office, name, start, until in tenures(traced, entries)]
    return "\n".join(lines) + "\n"


def tenures(traced: TracedWorld, entries: list[Entry]) -> list[tuple]:
    """(nation, office, person, from, to) for each tenure of each ally's office, dated as the
    chronicle tells the change of holder (so the table and the text agree)."""
    world = traced.model.world
    rows = []
    for nid in world.members:
        nation = world.nations[nid]
        mine = [e for e in entries if e.kind == HOLDER.id and e.event.details["nation"] == nid]
        for entry, after in zip(mine, mine[1:] + [None], strict=True):
            until = world.horizon if after is None else after.shown
            person = traced.model.cast.ids[entry.event.details["person"]]
            rows.append((nation.name, nation.title_at(entry.shown), world.persons[person].name,
                         entry.shown, until))
    return rows


def _cohesion_at_end(cohesion: np.ndarray, step_years: np.ndarray, year: int) -> float:
    steps = np.flatnonzero(step_years < year + 1)
    return float(cohesion[steps[-1]]) if steps.size else float(cohesion[0])


def _grouped(entries: list[Entry]) -> list[Entry]:
    """A year's entries with repeated events of a grouped kind (public attacks) told once,
    with their months."""
    out, seen = [], {}
    for e in entries:
        if not EVENTS[e.kind].grouped:
            out.append(e)
        elif e.text in seen:
            seen[e.text].append(e)
        else:
            seen[e.text] = [e]
            out.append(e)
    result = []
    for e in out:
        repeats = seen.get(e.text) if EVENTS[e.kind].grouped else None
        if repeats and len(repeats) > 1:
            months = ", ".join(MONTHS[calendar_date(a.shown).month - 1] for a in repeats)
            e = Entry(e.year, e.shown, e.kind,
                      f"{e.text[:-1]}, {len(repeats)} times ({months}).", e.cohesion, e.event)
        result.append(e)
    return result


def write_chronicle(path: Path, result, rows: Path, pick: str | int, summary: dict) -> dict:
    """Choose, re-simulate, check and tell one world into `path`; return what was told.

    Returns:
        {'world': id, 'why': the reason it was chosen, 'entries': the Entry list}.
    """
    world_id, why = pick_world(result.years[HEADLINE.id], pick)
    traced = trace_world(result.world, result.seed, result.chunk_size, result.runs, world_id)
    check_against_row(traced, rows)
    entries = tell(traced)
    path.write_text(render(entries, traced, why, summary))
    return {"world": world_id, "why": why, "entries": entries}
