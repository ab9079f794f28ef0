"""A chronicle: one world of a run told year by year in plain English, from its event log.

The world is re-simulated alone, drawing its own numbers from its seed block's streams
(`KeptStreams`; block b of a run is reproducible from the seed and the chunk size), with its
events traced; its outcomes are checked against its row in runs.parquet before a word is
written. Each event is told by its kind, as the process that produces it declares
(`EventKind.tell`), in words taken from the scenario: names, offices, juncture titles and the
wording of each option.

Worlds are chosen by their split date (`chronicle.pick`), by a condition on their row of
runs.parquet (`chronicle.where`), or by id, and several can be told at once
(`chronicle.count`). Any world of a finished run can be told again from its folder:

    python -m sim.outputs.chronicle results/baseline/<time> world=123
    python -m sim.outputs.chronicle results/baseline/<time> where="split_year > 1970" count=3
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
from sim.engine.schedule import EVENTS, HEADLINE, OUTCOMES, SCHEDULE
from sim.engine.specs import NOT_YET, Event
from sim.engine.streams import KeptStreams
from sim.errors import InputError, SettingsError
from sim.outputs.naming import capitalised, label_of
from sim.outputs.worlds import (  # noqa: F401 (PICKS, parse_pick, pick_world: re-exported)
    PICKS,
    choose,
    parse_count,
    parse_pick,
    pick_world,
    read_run,
)
from sim.scenario.schema import World

OUTCOME_EVENT = {p.outcomes[0].id: p.events[0].id for p in SCHEDULE if p.outcomes and p.events}
"""The event that tells each outcome (its process's first): the first public attack tells the
first public polemic, the first clash the first armed clash."""


@dataclass(frozen=True)
class Entry:
    """One line of the chronicle.

    Attributes:
        year: the model's date of the turn: the start of its step, as in runs.parquet.
        shown: the date the reader sees (EventKind.shown): the event's own date where it has
            one (a juncture, a death), the date of the juncture whose effect it is (a dated
            war, a dated polemic), the start of the step in which dated real power takes
            effect, else the start of the step for an outcome, the date of its cause for a
            change of holder, or the middle of the step.
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
    """Re-simulate world `world_id` alone, traced, from its block's streams (the same numbers
    as in the run, so the same story)."""
    trace = EventTrace(np.ones(1, dtype=bool), world.n_steps)
    model = AllianceModel(world, 1, KeptStreams(seed, chunk_size, runs, [world_id]),
                          observers=[trace])
    model.run()
    return TracedWorld(world_id, model, 0, trace)


def check_against_row(traced: TracedWorld, rows: Path) -> None:
    """Raise if the re-simulated world's outcomes differ from its row in runs.parquet (the
    chronicle would tell another story than the run counted)."""
    table = pq.read_table(rows, columns=["world", *(o.column for o in OUTCOMES)],
                          filters=[("world", "==", traced.world_id)])  # one row group read
    row = {k: v[0] for k, v in table.to_pydict().items()}
    mine = traced.outcome_years()
    for outcome in OUTCOMES:
        ours, theirs = mine[outcome.id], row[outcome.column]
        if (ours is None) != (theirs is None) or (ours is not None
                                                  and abs(ours - theirs) > 1e-9):
            raise RuntimeError(f"the chronicle's world {traced.world_id} does not reproduce its "
                               f"{outcome.column} in runs.parquet ({ours} vs {theirs})")


class Story:
    """What an event's sentence may name: the world's nations, persons and junctures, who
    holds each office at the point of the story being told, and the date the reader sees for
    the event being told (`date`: an office's title is the one in force then)."""

    def __init__(self, world: World, person_ids: list[str]):
        self.world = world
        self._names = [world.persons[pid].name for pid in person_ids]
        self.deciders: dict[str, int] = {}
        self.date = world.start

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


def _sentence(text: str) -> str:
    text = capitalised(text.strip())
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
        date = e.details.get("date")   # its own day, or its cause's (a juncture, a real_power)
        dated = date is not None and not np.isnan(date)
        if kind.shown == "start":
            shown, cohesion = (date if dated else year), traced.cohesion[e.step]
        else:
            cohesion = e.details.get("cohesion", before[e.step])
            if dated:
                shown = max(date, world.start)
            elif kind.shown == "cause" and last is not None and last.step == e.step:
                shown = entries[-1].shown
            else:
                shown = year + world.dt / 2
        if "step" in e.details:   # an outcome dated to an earlier step than it was known
            year = float(world.year_of(e.details["step"]))
            shown, cohesion = year, traced.cohesion[e.details["step"]]
        if e.kind in (HOLDER.id, DECIDER.id):
            story.deciders[e.details["nation"]] = e.details["person"]
        story.date = shown
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
    first_told = {}
    for entry in entries:
        first_told.setdefault(entry.kind, entry.shown)
    for outcome in OUTCOMES:
        if outcome is not HEADLINE and years[outcome.id] is not None:
            told = first_told.get(OUTCOME_EVENT.get(outcome.id), years[outcome.id])
            fate += f"; {outcome.title}: {month_year(told)}"   # as the entry below dates it
    step = step_name(world)
    held = _years(world.split_sustained_years)
    lines = [
        f"# A chronicle of world {traced.world_id}",
        "",
        f"*{world.title}*: scenario `{label_of(summary)}`, seed {summary['seed']}, "
        f"world {traced.world_id} of {summary['runs']:,}, {why}.",
        "",
        f"{fate}. Cohesion runs from 0 (enemies) to 1 (one bloc).",
        "",
        f"**What the split date means.** The alliance counts as split once cohesion stays below "
        f"{world.split_threshold:g} for {held} without a break, and the split is dated to the "
        f"first {step} of that spell: from that date on, cohesion stays below "
        f"{world.split_threshold:g} for at least {held}. Before it, cohesion may have dipped "
        f"below {world.split_threshold:g} and recovered; those dips were not a split.",
        "",
        f"**The cohesion beside each entry** is its value when the event happened: at the start "
        f"of the {step} for a decision, a death, a change of leader or a public attack (before "
        f"that {step}'s change), at the end of the {step} for the split, the first clash and the "
        f"realignment. So an event later in the {step} of the "
        f"split can show a cohesion above {world.split_threshold:g}.",
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
            lines += [f"- **{month_year(e.shown)}**: {e.text} ({_cohesion_note(e, step, world)})"
                      for e in _grouped(by_year[year])]
            lines += ["", f"Cohesion at the end of {year}: {_shown(end, world)}."]
        else:
            span = str(year) if quiet_to == year else f"{year}-{quiet_to}"
            lines += ["", f"## {span}", "", f"No turning point. Cohesion at the end of "
                      f"{quiet_to}: {_shown(end, world)}."]
        year = quiet_to + 1
    lines += ["", "## Who held power", "", "| nation | office | holder | from | to |",
              "|---|---|---|---|---|"]
    lines += [f"| {nation} | {office} | {name} | {month_year(start)} | {month_year(until)} |"
              for nation, office, name, start, until in tenures(traced, entries)]
    return "\n".join(lines) + "\n"


def step_name(world: World) -> str:
    """What a step of the world is called: a quarter, a month, or a step."""
    return {4: "quarter", 12: "month", 1: "year"}.get(world.steps_per_year, "step")


def _years(value: float) -> str:
    return f"{value:g} year" + ("" if value == 1 else "s")


def _cohesion_note(entry: Entry, step: str, world: World) -> str:
    if EVENTS[entry.kind].shown == "start":
        return f"cohesion {_shown(entry.cohesion, world)} at the end of the {step}"
    return f"cohesion {_shown(entry.cohesion, world)}"


def _shown(cohesion: float, world: World) -> str:
    """Cohesion to two decimals, or three, cut rather than rounded, where two would put a
    value below the split threshold at it ('falls below 0.3 ... cohesion 0.30')."""
    if cohesion < world.split_threshold <= round(cohesion, 2):
        return f"{int(cohesion * 1000) / 1000:.3f}"
    return f"{cohesion:.2f}"


def tenures(traced: TracedWorld, entries: list[Entry]) -> list[tuple]:
    """(nation, office, person, from, to) for each tenure of each ally's office, dated as the
    chronicle tells the change of holder (so the table and the text agree); the office by its
    title at the start, and each new title the tenure went through with its month."""
    world = traced.model.world
    rows = []
    for nid in world.members:
        nation = world.nations[nid]
        mine = [e for e in entries if e.kind == HOLDER.id and e.event.details["nation"] == nid]
        for entry, after in zip(mine, mine[1:] + [None], strict=True):
            until = world.horizon if after is None else after.shown
            person = traced.model.cast.ids[entry.event.details["person"]]
            office = "; ".join([nation.title_at(entry.shown)] + [
                f"{title} from {month_year(when)}"
                for when, title in nation.title_changes(entry.shown, until)])
            rows.append((nation.name, office,
                         capitalised(world.persons[person].name), entry.shown, until))
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
    return write_chronicles(path.parent, result, rows, pick, summary, names=[path.name])[0]


def chronicle_names(count: int) -> list[str]:
    """chronicle.md, chronicle-2.md, chronicle-3.md, ..."""
    return ["chronicle.md", *(f"chronicle-{k}.md" for k in range(2, count + 1))]


def write_chronicles(folder: Path, result, rows: Path, pick: str | int, summary: dict,
                     where: str | None = None, count: int = 1,
                     names: list[str] | None = None) -> list[dict]:
    """Choose `count` worlds (matching `where`, in the order `pick` prefers), re-simulate,
    check and tell each into `folder` (chronicle.md, chronicle-2.md, ... or `names`).

    Returns:
        for each world told: {'file', 'world', 'why', 'entries'}.
    """
    table = pq.read_table(rows).to_pandas() if where else None
    chosen = choose(table, result.years[HEADLINE.id], pick, where, count)
    return tell_worlds(folder, result, rows, chosen, summary,
                       names or chronicle_names(len(chosen)))


def tell_worlds(folder: Path, result, rows: Path, chosen: list[tuple[int, str]], summary: dict,
                names: list[str]) -> list[dict]:
    """Re-simulate, check against `rows` and tell each chosen (world, why) into its file."""
    told = []
    for (world_id, why), name in zip(chosen, names, strict=True):
        traced = trace_world(result.world, result.seed, result.chunk_size, result.runs,
                             world_id)
        check_against_row(traced, rows)
        entries = tell(traced)
        (folder / name).write_text(render(entries, traced, why, summary), encoding="utf-8")
        told.append({"file": name, "world": world_id, "why": why, "entries": entries})
    return told


def tell_from_folder(folder: Path, pick: str | int = "median", where: str | None = None,
                     count: int = 1) -> list[dict]:
    """Tell worlds of a finished run into its folder as chronicle-world-<id>.md."""
    run, summary = read_run(folder)
    pick = parse_pick(pick, run.runs)
    count = parse_count(count)
    rows = folder / "runs.parquet"
    chosen = choose(pq.read_table(rows).to_pandas() if where else None,
                    run.years[HEADLINE.id], pick, where, count)
    return tell_worlds(folder, run, rows, chosen, summary,
                       [f"chronicle-world-{world_id}.md" for world_id, _ in chosen])


USAGE = ("usage: python -m sim.outputs.chronicle RUN_FOLDER [world=ID | pick=median|earliest|"
         "latest|survivor] [where=CONDITION] [count=N]")


def main(arguments: list[str] | None = None) -> int:
    """Tell worlds of a finished run from its folder (see the module's docstring)."""
    import sys

    arguments = sys.argv[1:] if arguments is None else arguments
    if not arguments or arguments[0] in ("-h", "--help"):
        print(USAGE)
        return 0 if arguments else 2
    options = {"pick": "median", "where": None, "count": 1}
    try:
        for argument in arguments[1:]:
            key, sep, value = argument.partition("=")
            key = "pick" if key == "world" else key
            if not sep or key not in options:
                raise SettingsError(f"unknown argument {argument!r}; {USAGE[7:]}")
            options[key] = int(value) if key == "pick" and value.isdigit() else value
        told = tell_from_folder(Path(arguments[0]), **options)
    except (SettingsError, InputError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    for t in told:
        print(f"Wrote {Path(arguments[0]) / t['file']} ({t['why']})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
