"""A chronicle: one world of a run told year by year in plain English, from its event log.

The world is re-simulated alone from its seed block (block b of a run is reproducible from
Streams(seed, b) and the chunk size), with its events traced; its outcomes are checked against
its row in runs.parquet before a word is written. Names, offices, juncture titles and the
wording of each option come from the scenario, so every world tells its story in its own words.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq

from sim.model import NOT_YET, AllianceModel
from sim.montecarlo import blocks_of
from sim.report import MONTHS, month_year
from sim.streams import Streams
from sim.world import ScenarioError, World, calendar_date

PICKS = ("median", "earliest", "latest", "survivor")
"""Ways of choosing the world (or give a world id)."""


def parse_pick(value, runs: int) -> str | int:
    """Check `chronicle.pick`: one of PICKS or a world id in [0, runs)."""
    if isinstance(value, int) and not isinstance(value, bool):
        if 0 <= value < runs:
            return value
        raise ScenarioError(f"chronicle.pick = {value} is not a world of this run; allowed: "
                            f"{', '.join(PICKS)} or a world id from 0 to {runs - 1}")
    if value in PICKS:
        return value
    raise ScenarioError(f"unknown chronicle.pick {value!r}; allowed: {', '.join(PICKS)} "
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
        shown: the date the reader sees: for the split, the clash and the realignment, their
            date in runs.parquet (the start of the step); for a juncture, its own date from
            the scenario (a leader it installs takes office then too); for anything else, the
            middle of the step (the model only knows the step it fell in).
        kind: the event's kind (start, holder, death, ouster, juncture, polemic, split,
            clash, realignment).
        text: the sentence, worded from the scenario.
        cohesion: cohesion at that turn, on its 0-1 scale.
    """

    year: float
    shown: float
    kind: str
    text: str
    cohesion: float


def _years(value: float) -> str:
    return f"{value:g} year" + ("" if value == 1 else "s")


@dataclass
class TracedWorld:
    """One world re-simulated with its events and its cohesion after every step."""

    world_id: int
    model: AllianceModel
    local: int
    cohesion: np.ndarray

    def outcome_year(self, steps: np.ndarray) -> float | None:
        step = int(steps[self.local])
        return None if step == NOT_YET else float(self.model.world.year_of(step))


def trace_world(world: World, seed: int, chunk_size: int, runs: int, world_id: int) -> TracedWorld:
    """Re-simulate the block holding `world_id` with that world traced."""
    block, local = divmod(world_id, chunk_size)
    _, _, n = blocks_of(runs, chunk_size)[block]
    trace = np.zeros(n, dtype=bool)
    trace[local] = True
    model = AllianceModel(world, n, Streams(seed, block), trace=trace)
    cohesion = np.empty(world.n_steps)
    for t in range(world.n_steps):
        model.step()
        cohesion[t] = model.cohesion[local]
    model.finish()
    return TracedWorld(world_id, model, local, cohesion)


def check_against_row(traced: TracedWorld, rows: Path) -> None:
    """Raise if the re-simulated world's outcomes differ from its row in runs.parquet (the
    chronicle would tell another story than the run counted)."""
    table = pq.read_table(rows, filters=[("world", "==", traced.world_id)])
    row = {k: v[0] for k, v in table.to_pydict().items()}
    m = traced.model
    for column, steps in (("split_year", m.split_step), ("clash_year", m.clash_step),
                          ("realignment_year", m.realign_step)):
        mine = traced.outcome_year(steps)
        if (mine is None) != (row[column] is None) or (
                mine is not None and abs(mine - row[column]) > 1e-9):
            raise RuntimeError(f"the chronicle's world {traced.world_id} does not reproduce its "
                               f"{column} in runs.parquet ({mine} vs {row[column]})")


def _sentence(text: str) -> str:
    text = text.strip()
    text = text[:1].upper() + text[1:]
    return text if text[-1:] in ".!?" else text + "."


def tell(traced: TracedWorld) -> list[Entry]:
    """The world's events as entries in date order, worded from the scenario."""
    model, world = traced.model, traced.model.world
    names = [world.persons[pid].name for pid in model.person_ids]
    nation = {nid: world.nations[nid] for nid in world.members}
    partner = {world.members[0]: world.members[1], world.members[1]: world.members[0]}
    third = world.nations[world.third_power].name
    junctures = {j.id: j for j in world.junctures}
    before = np.concatenate([[world.initial_cohesion], traced.cohesion[:-1]])
    holder: dict[str, int] = {}
    entries: list[Entry] = []

    def add(step: int, kind: str, text: str, cohesion: float, shown: float | None = None):
        year = float(world.year_of(step))
        if shown is None:
            shown = year if kind in ("split", "clash", "realignment") else year + world.dt / 2
        entries.append(Entry(year, shown, kind, _sentence(text), float(cohesion)))

    for e in _deciders_first(model.events):
        d, s = e.details, e.step
        if e.kind == "start":
            add(s, "start", f"the alliance between {nation[world.members[0]].name} and "
                f"{nation[world.members[1]].name} begins", d["cohesion"], world.start)
        elif e.kind == "holder":
            n = nation[d["nation"]]
            holder[d["nation"]] = d["person"]
            verb = {"start": "holds power", "succession": "takes power",
                    "installed": "is installed in power"}[d["how"]]
            after_vacancy = entries and entries[-1].kind in ("death", "ouster")
            shown = {"start": world.start,
                     "installed": entries[-1].shown if entries else None,
                     "succession": entries[-1].shown if after_vacancy else None}.get(d["how"])
            add(s, "holder", f"{names[d['person']]} {verb} in {n.name} as {n.office}", before[s],
                shown)
        elif e.kind in ("death", "ouster"):
            what = "dies in office" if e.kind == "death" else "is ousted from power"
            add(s, e.kind, f"{names[d['person']]} {what} in {nation[d['nation']].name}",
                before[s], d.get("date"))  # a death is told on its date
        elif e.kind == "juncture":
            j = junctures[d["juncture"]]
            option = next(o for o in j.options if o.id == d["option"])
            text = option.text.replace("{holder}", names[holder[j.actor]])
            add(s, "juncture", f"*{j.title}.* {_sentence(text)}", d["cohesion"], j.date)
        elif e.kind == "polemic":
            add(s, "polemic", f"{names[d['person']]} attacks "
                f"{nation[partner[d['nation']]].name} in public", before[s])
        elif e.kind == "split":
            start = int(model.split_step[traced.local])
            add(start, "split", f"the alliance splits: cohesion falls below "
                f"{world.split_threshold:g} and stays below it for "
                f"{_years(world.split_sustained_years)}", traced.cohesion[start])
        elif e.kind == "clash":
            add(s, "clash", f"the first armed clash on the border between "
                f"{nation[world.members[0]].name} and {nation[world.members[1]].name}",
                traced.cohesion[s])
        elif e.kind == "realignment":
            add(s, "realignment", f"{nation[d['nation']].name} turns to {third}",
                traced.cohesion[s])
    return sorted(entries, key=lambda entry: entry.shown)  # stable: same-date order is kept


def _deciders_first(events):
    """Events in log order, except that a leader installed by a juncture's option follows
    that juncture (the log records the installation first, as the option's effect), so the
    option is told in the name of the holder who chose it."""
    pending = []
    for e in events:
        if e.kind == "holder" and e.details["how"] == "installed":
            pending.append(e)
            continue
        if pending and e.kind == "juncture" and e.step == pending[0].step:
            yield e
            yield from pending
            pending = []
            continue
        yield from pending
        pending = []
        yield e
    yield from pending


def render(entries: list[Entry], traced: TracedWorld, why: str, summary: dict) -> str:
    """The chronicle as Markdown: a header, a section a year (quiet years run together) and
    the table of who held power."""
    world = traced.model.world
    first_of = {}
    for e in entries:
        first_of.setdefault(e.kind, e)
    fate = (f"The alliance split in {month_year(first_of['split'].shown)}" if "split" in first_of
            else "The alliance held to the horizon")
    if "clash" in first_of:
        fate += f"; the first armed clash came in {month_year(first_of['clash'].shown)}"
    if "realignment" in first_of:
        ally = world.members[int(traced.model.realign_nation[traced.local])]
        fate += (f"; {world.nations[ally].name} turned to "
                 f"{world.nations[world.third_power].name} in "
                 f"{month_year(first_of['realignment'].shown)}")
    lines = [
        f"# A chronicle of world {traced.world_id}",
        "",
        f"*{world.title}*: scenario `{summary['scenario']}`, seed {summary['seed']}, "
        f"world {traced.world_id} of {summary['runs']:,}, {why}.",
        "",
        f"{fate}. Cohesion runs from 0 (enemies) to 1 (one bloc); the alliance counts as "
        f"split once it stays below {world.split_threshold:g} for "
        f"{_years(world.split_sustained_years)}, dated from the first "
        f"{'quarter' if world.steps_per_year == 4 else 'step'} below.",
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
                      for e in _grouped_polemics(by_year[year])]
            lines += ["", f"Cohesion at the end of {year}: {end:.2f}."]
        else:
            span = str(year) if quiet_to == year else f"{year}-{quiet_to}"
            lines += ["", f"## {span}", "", f"No turning point. Cohesion at the end of "
                      f"{quiet_to}: {end:.2f}."]
        year = quiet_to + 1
    lines += ["", "## Who held power", "", "| nation | office | holder | from | to |",
              "|---|---|---|---|---|"]
    lines += [f"| {nation} | {office} | {name} | {month_year(start)} | {month_year(until)} |"
              for nation, office, name, start, until in _holders(traced)]
    return "\n".join(lines) + "\n"


def _holders(traced: TracedWorld) -> list[tuple]:
    """(nation, office, person, from, to) for each tenure of each ally's office."""
    model, world = traced.model, traced.model.world
    tenures = []
    for nid in world.members:
        nation = world.nations[nid]
        changes = [e for e in model.events if e.kind == "holder" and e.details["nation"] == nid]
        for e, after in zip(changes, changes[1:] + [None], strict=True):
            start = world.year_of(e.step) + (0 if e.step == 0 else world.dt / 2)
            until = world.horizon if after is None else world.year_of(after.step) + world.dt / 2
            tenures.append((nation.name, nation.office,
                            world.persons[model.person_ids[e.details["person"]]].name,
                            start, until))
    return tenures


def _cohesion_at_end(cohesion: np.ndarray, step_years: np.ndarray, year: int) -> float:
    steps = np.flatnonzero(step_years < year + 1)
    return float(cohesion[steps[-1]]) if steps.size else float(cohesion[0])


def _grouped_polemics(entries: list[Entry]) -> list[Entry]:
    """A year's entries with each leader's public attacks told once, with their months."""
    out, seen = [], {}
    for e in entries:
        if e.kind != "polemic":
            out.append(e)
        elif e.text in seen:
            seen[e.text].append(e)
        else:
            seen[e.text] = [e]
            out.append(e)
    result = []
    for e in out:
        attacks = seen.get(e.text) if e.kind == "polemic" else None
        if attacks and len(attacks) > 1:
            months = ", ".join(MONTHS[calendar_date(a.shown).month - 1] for a in attacks)
            e = Entry(e.year, e.shown, e.kind,
                      f"{e.text[:-1]}, {len(attacks)} times ({months}).", e.cohesion)
        result.append(e)
    return result


def write_chronicle(path: Path, result, rows: Path, pick: str | int, summary: dict) -> dict:
    """Choose, re-simulate, check and tell one world into `path`; return what was told.

    Returns:
        {'world': id, 'why': the reason it was chosen, 'entries': the Entry list}.
    """
    world_id, why = pick_world(result.outcomes.split, pick)
    traced = trace_world(result.world, result.seed, result.chunk_size, result.runs, world_id)
    check_against_row(traced, rows)
    entries = tell(traced)
    path.write_text(render(entries, traced, why, summary))
    return {"world": world_id, "why": why, "entries": entries}
