"""Which worlds match the record: each piece of a scenario's evidence, evaluated world by world.

The pieces are the facts of `history.evidence` (sim/scenario/evidence.py) and, for every
juncture with an option marked `historical: true`, the fact that history took it (named
`choice.<juncture>`). Each is evaluated on a table of per-world rows (runs.parquet, or a block's
rows while a calibration runs) at the model's resolution: a date is matched by the step it falls
in, so a tolerance of 0 means "in the same quarter" on quarterly steps.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from sim.calendar import iso_date
from sim.engine.schedule import OUTCOME
from sim.errors import SettingsError
from sim.scenario.evidence import Evidence
from sim.scenario.fields import unknown
from sim.scenario.uncertain import span

CHOICE_PREFIX = "choice."


@dataclass(frozen=True)
class Item:
    """One piece of evidence: a fact of `history.evidence`, or a juncture's historical option.

    Attributes:
        name: its name (the key in history.evidence, or choice.<juncture>).
        fact: the Evidence, or None for a juncture's option.
        juncture, option: the juncture and the option history took (choice items).
        known: the last day the piece speaks of: it was known by then (`given=before`).
    """

    name: str
    fact: Evidence | None
    juncture: str | None
    option: str | None
    known: float

    @property
    def dated(self) -> bool:
        """Whether the piece dates something a world can be early or late on."""
        f = self.fact
        return f is not None and (f.until is not None or f.from_ is not None
                                  or f.date is not None or f.within is not None)

    def record(self) -> str:
        """What the record says, in short."""
        f = self.fact
        if f is None:
            return f"{self.juncture}: {self.option}"
        if f.holder is not None:
            parts = [f"{f.holder} holds the {f.nation} office"]
            days = [iso_date(d) for d in f.in_office]
            if days:
                parts.append("on " + (days[0] if len(days) == 1
                                      else ", ".join(days[:-1]) + " and " + days[-1]))
            parts += [f"{w} {iso_date(d)}" for w, d in (("from", f.from_), ("until", f.until))
                      if d is not None]
        else:
            parts = [f.outcome + "".join(f" ({k} {getattr(f, k)})" for k in ("nation", "power")
                                         if getattr(f, k) is not None)]
            if f.within is not None:
                parts.append(f"within {iso_date(f.within[0])} to {iso_date(f.within[1])}")
            elif f.none_by is not None:
                parts = [f"no {f.outcome} by {iso_date(f.none_by)}"]
            else:
                parts.append(f"on {iso_date(f.date)}")
        tolerance = f" (+-{f.tolerance:g} y)" if f.tolerance else ""
        return " ".join(parts) + tolerance

    def record_date(self) -> float | None:
        """The date the record gives (the middle of a window), for a dated piece."""
        f = self.fact
        if not self.dated:
            return None
        if f.until is not None or f.from_ is not None:
            return f.until if f.until is not None else f.from_
        return f.date if f.date is not None else (f.within[0] + f.within[1]) / 2

    def text(self) -> str:
        return self.fact.text if self.fact is not None and self.fact.text else self.record()


def items_of(world) -> list[Item]:
    """Every piece of the world's evidence: its facts, then its junctures' historical options
    in date order."""
    items = []
    for name, fact in world.history.evidence.items():
        items.append(Item(name, fact, None, None, max(fact.dates) if fact.dates else 0.0))
    for juncture in world.juncture_list:
        option = juncture.historical
        if option is not None:
            items.append(Item(CHOICE_PREFIX + juncture.id, None, juncture.id, option.id,
                              span(juncture.date)[1]))
    return items


def select(items: list[Item], names) -> list[Item]:
    """The items named: all of them for None or 'all', the facts of history.evidence for
    'facts' (no juncture's option); SettingsError for an unknown name."""
    if names is None or names == "all":
        return list(items)
    if names == "facts":
        facts = [item for item in items if item.fact is not None]
        if not facts:
            raise SettingsError("the scenario has no history.evidence to keep worlds by: add "
                                "its dated facts (docs/SCENARIO_FORMAT.md, 'Evidence'), or give "
                                "evidence=all to keep them by the historical options alone")
        return facts
    if isinstance(names, str):
        names = [names]
    known = {item.name: item for item in items}
    for name in names:
        if name not in known:
            raise SettingsError(unknown(f"evidence '{name}'", name, known))
    return [known[name] for name in names]


# --------------------------------------------------------------------------- matching


def _values(table: pa.Table, column: str) -> np.ndarray:
    """A float column as numpy, NaN where null."""
    return pc.fill_null(table.column(column), np.nan).to_numpy(zero_copy_only=False) \
        .astype(float)


def _is(table: pa.Table, column: str, label: str) -> np.ndarray:
    """Where a label column equals `label` (False where null)."""
    values = pc.equal(table.column(column).cast(pa.string()), label)
    return pc.fill_null(values, False).to_numpy(zero_copy_only=False)


class Resolution:
    """Dates as the worlds have them: the start of the step a day falls in."""

    def __init__(self, world):
        self.world = world

    def step_start(self, day: float) -> float:
        return self.world.year_of(self.world.step_of(day))

    def between(self, years: np.ndarray, low: float, high: float) -> np.ndarray:
        """Where `years` (step starts, NaN: never) fall in the steps of [low, high]."""
        with np.errstate(invalid="ignore"):
            return ((years >= self.step_start(low) - 1e-9)
                    & (years <= self.step_start(high) + 1e-9))


def columns_needed(items: list[Item]) -> list[str]:
    """The runs.parquet columns the items are evaluated from."""
    needed = []
    for item in items:
        f = item.fact
        if f is None:
            needed.append(CHOICE_PREFIX + item.juncture)
        elif f.holder is not None:
            needed += [f"tenure.{f.holder}.from", f"tenure.{f.holder}.until"]
        else:
            date, filters = _outcome_columns(f)
            needed += [date, *(column for key, column in filters if getattr(f, key) is not None)]
    return list(dict.fromkeys(needed))


def _outcome_columns(f) -> tuple[str, list[tuple[str, str | None]]]:
    """The date column an outcome fact reads, and (fact key, label column) for the keys that
    may narrow it. A fact naming the ally of an outcome both allies may reach reads that ally's
    own date, not the first ally's: China's turn to the United States matches whether or not
    the Soviet Union had turned somewhere first."""
    outcome = OUTCOME[f.outcome]
    if f.nation is not None and outcome.each_nation:
        date, power = outcome.nation_columns(f.nation)
        return date, [("power", power)]
    return outcome.column, [("nation", outcome.by_nation), ("power", outcome.by_power)]


def value(item: Item, world, table: pa.Table) -> np.ndarray | None:
    """(R,) the date each world gives what a dated piece dates (NaN: never), else None."""
    f = item.fact
    if not item.dated:
        return None
    if f.holder is not None:
        which = "until" if f.until is not None else "from"
        return _values(table, f"tenure.{f.holder}.{which}")
    return _values(table, _outcome_columns(f)[0])


def matches(item: Item, world, table: pa.Table) -> np.ndarray:
    """(R,) bool: which worlds of `table` match the piece."""
    at = Resolution(world)
    f = item.fact
    if f is None:
        return _is(table, CHOICE_PREFIX + item.juncture, item.option)
    t = f.tolerance
    if f.holder is not None:
        first = _values(table, f"tenure.{f.holder}.from")
        until = _values(table, f"tenure.{f.holder}.until")
        ok = ~np.isnan(first)
        for day in f.in_office:
            start = at.step_start(day)
            with np.errstate(invalid="ignore"):
                ok &= (first <= start + 1e-9) & (np.isnan(until) | (until > start + 1e-9))
        if f.from_ is not None:
            ok &= at.between(first, f.from_ - t, f.from_ + t)
        if f.until is not None:
            ok &= at.between(until, f.until - t, f.until + t)
        return ok
    date, filters = _outcome_columns(f)
    years = _values(table, date)
    if f.none_by is not None:
        with np.errstate(invalid="ignore"):
            return np.isnan(years) | (years >= at.step_start(f.none_by) - 1e-9)
    low, high = f.within if f.within is not None else (f.date - t, f.date + t)
    ok = at.between(years, low, high)
    for key, column in filters:
        if getattr(f, key) is not None:
            ok &= _is(table, column, getattr(f, key))
    return ok


def match_all(items: list[Item], world, table: pa.Table) -> dict[str, np.ndarray]:
    """Item name -> (R,) bool for every item."""
    return {item.name: matches(item, world, table) for item in items}


def matched_in_row(world, row: dict) -> dict[str, bool]:
    """For one world's row of runs.parquet (a mapping of column -> value), which pieces of the
    world's evidence it matches: what the chronicle says is "as in history"."""
    items = items_of(world)
    table = pa.table({c: pa.array([row.get(c)], type=_type_of(c)) for c in columns_needed(items)})
    return {name: bool(hit[0]) for name, hit in match_all(items, world, table).items()}


def _type_of(column: str):
    return (pa.float64() if column.endswith(("_year", ".year", ".from", ".until"))
            else pa.string())


def known_before(items: list[Item], day: float) -> list[Item]:
    """The pieces the record had settled by `day` (every day they speak of is on or before
    it): what was known at a point of divergence."""
    return [item for item in items if item.known <= day + 1e-9]


def not_yet(items: list[Item], day: float) -> list[str]:
    """The outcomes the record says had not come by `day`: a fact that dates one wholly after it
    (its window, or its date less the tolerance, begins later; or none had come by a later day).
    A contemporary knew as much, though the piece itself is settled only later. Facts that name
    an ally or a power are left out: whether some other ally or power had turned is not in
    them."""
    pending = []
    for item in items:
        f = item.fact
        if f is None or f.outcome is None or f.nation is not None or f.power is not None:
            continue
        earliest = (f.none_by if f.none_by is not None else f.within[0] if f.within is not None
                    else f.date - f.tolerance)
        if earliest > day and f.outcome not in pending:
            pending.append(f.outcome)
    return pending


def evidence_block(world, rows) -> tuple[dict, dict[str, float]]:
    """summary.json's `evidence` (the share of worlds matching each piece, with its Wilson
    interval) and each piece's share, from a run's runs.parquet (a path, read a row group at a
    time so that memory stays flat in the number of worlds, or a table)."""
    from sim.analysis.stats import proportion_ci

    items = items_of(world)
    if not items:
        return {}, {}
    counts, total = dict.fromkeys((item.name for item in items), 0), 0
    for table in _row_groups(rows, columns_needed(items)):
        for name, hit in match_all(items, world, table).items():
            counts[name] += int(hit.sum())
        total += table.num_rows
    block = {}
    for item in items:
        k = counts[item.name]
        block[item.name] = {"share": k / total, "ci95": list(proportion_ci(k, total)),
                            "text": item.text(), "record": item.record()}
    return block, {name: k / total for name, k in counts.items()}


def _row_groups(rows, columns: list[str]):
    """The table, or the file's row groups one at a time (the needed columns only)."""
    if isinstance(rows, pa.Table):
        yield rows
        return
    import pyarrow.parquet as pq

    parquet = pq.ParquetFile(rows)
    for group in range(parquet.num_row_groups):
        yield parquet.read_row_group(group, columns=columns)
