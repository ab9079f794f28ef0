"""Which worlds of a run a chronicle tells, and a finished run read back from its folder.

Worlds are ranked by their split date (`chronicle.pick`: median, earliest, latest, survivor,
or a world id), optionally among those whose row of runs.parquet matches a condition
(`chronicle.where`, a pandas query), and the first `chronicle.count` are told.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from sim.calendar import month_year
from sim.engine.schedule import HEADLINE
from sim.errors import SettingsError
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
    return rank_worlds(split_years, pick, count=1)[0]


def _ordinal(n: int) -> str:
    return f"{n}{'th' if 10 <= n % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"


def rank_worlds(split_years: np.ndarray, pick: str | int, ids: np.ndarray | None = None,
                count: int | None = None) -> list[tuple[int, str]]:
    """The first `count` candidate worlds (all: None) in the order `pick` prefers them, each
    with why it was chosen.

    Args:
        split_years: (N,) split year of each candidate, NaN where it held.
        ids: the candidates' world ids (default 0 to N - 1).
    """
    if isinstance(pick, int):
        return [(pick, f"world {pick}, as asked")]
    split = ~np.isnan(split_years)

    def id_at(index: np.ndarray) -> np.ndarray:   # no array of every id when they are 0..N-1
        return index if ids is None else np.asarray(ids)[index]

    def ranked(order, first: str, nth: str) -> list[tuple[int, str]]:
        order = order[:count]   # a million worlds: only those told
        return [(int(i), first if k == 0 else nth.format(_ordinal(k + 1)))
                for k, i in enumerate(id_at(order))]

    if pick == "survivor" and not split.all():
        return ranked(np.flatnonzero(~split), "the first world in which the alliance held",
                      "the {} world in which the alliance held")
    if not split.any():
        return ranked(np.arange(split.size), f"no world split, so there is no {pick} split to "
                      "tell: the first world", "no world split: the {} world")
    note = "no world held to the horizon, so: " if pick == "survivor" else ""
    years, where = split_years[split], np.flatnonzero(split)
    if pick == "earliest":
        return ranked(where[np.lexsort((id_at(where), years))],
                      "the world whose alliance split earliest", "the world with the {} "
                      "earliest split")
    if pick in ("latest", "survivor"):
        return ranked(where[np.lexsort((id_at(where), -years))],
                      note + "the world whose alliance split latest",
                      note + "the world with the {} latest split")
    median = float(np.median(years))
    distance = np.abs(years - median)
    del years
    if count is not None and count < distance.size:   # only the nearest `count` are ranked:
        near = np.partition(distance, count - 1)[count - 1]   # memory flat in the worlds
        where, distance = where[distance <= near], distance[distance <= near]
    return ranked(where[np.lexsort((id_at(where), distance))],
                  "the world whose split date is the median of the run's split dates "
                  f"({month_year(median)})", "the {} closest world to the median split date "
                  f"({month_year(median)})")


def _quoted(expression: str, columns) -> str:
    """`choice.secret_speech == 'x'` -> ``choice.secret_speech` == 'x'`: the dotted column
    names of runs.parquet in backticks, as pandas' query needs them (not inside quotes)."""
    dotted = sorted((c for c in columns if "." in c), key=len, reverse=True)
    if not dotted:
        return expression
    name = re.compile(r"(?<![\w.`])(" + "|".join(map(re.escape, dotted)) + r")(?![\w`])")
    parts = re.split(r"('(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|`[^`]*`)", expression)
    return "".join(part if k % 2 else name.sub(r"`\1`", part) for k, part in enumerate(parts))


def matching(rows: pd.DataFrame, where: str) -> np.ndarray:
    """World ids of the rows of runs.parquet for which `where` holds.

    `where` is a pandas query on the row's columns (README, "runs.parquet"): for example
    `choice.secret_speech == 'stay_silent' and split_year > 1970`, or
    `holder_at_split.ussr == 'molotov'`, or `split_year.isna()` for the worlds that held.

    Raises:
        SettingsError: in one line, for an expression that cannot be evaluated on the rows.
    """
    try:
        chosen = rows.query(_quoted(where, rows.columns), engine="python")
    except Exception as error:  # noqa: BLE001 (any failure of the user's expression)
        reason = " ".join(str(error).split()) or type(error).__name__
        known = ", ".join(c for c in rows.columns if not c.startswith(("trait.", "driver.")))
        raise SettingsError(f"chronicle.where = {where!r} cannot be evaluated on the rows of "
                            f"runs.parquet: {reason[:200]}; columns include {known}, "
                            "trait.<person>.<trait> and driver.<mechanism>") from None
    return chosen["world"].to_numpy(dtype=np.int64)


def choose(rows: pd.DataFrame | None, split_years: np.ndarray, pick: str | int,
           where: str | None = None, count: int = 1) -> list[tuple[int, str]]:
    """The `count` worlds to tell, each with why it was chosen: the worlds matching `where`
    (all without it), in the order `pick` prefers. If no world matches, the pick is made among
    all worlds and the reason says so."""
    if not where:
        return rank_worlds(split_years, pick, count=count)
    ids = matching(rows, where)
    if ids.size == 0:
        return [(w, f"no world matches `{where}`, so: {why}")
                for w, why in rank_worlds(split_years, pick, count=count)]
    if isinstance(pick, int):
        why = "" if pick in ids else f" (it does not match `{where}`)"
        return [(pick, f"world {pick}, as asked{why}")]
    return [(w, f"{why}, among the {ids.size:,} worlds where `{where}`")
            for w, why in rank_worlds(split_years[ids], pick, ids, count)]


def parse_count(value) -> int:
    """Check `chronicle.count`: how many worlds to tell, at least 1."""
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise SettingsError(f"chronicle.count must be a whole number of at least 1, got "
                            f"{value!r}")
    return value


@dataclass(frozen=True)
class FinishedRun:
    """What telling a world needs of a finished run, read back from its folder."""

    world: World
    seed: int
    chunk_size: int
    runs: int
    years: dict[str, np.ndarray]


def read_run(folder: Path) -> tuple[FinishedRun, dict]:
    """A finished run from its folder: the scenario as composed (.hydra/config.yaml, with the
    run's overrides), the seed, chunk size and number of worlds (summary.json) and the split
    years (runs.parquet)."""
    import json

    from omegaconf import OmegaConf

    from sim.scenario.library import load_world

    summary_path, config = folder / "summary.json", folder / ".hydra" / "config.yaml"
    for path in (summary_path, config, folder / "runs.parquet"):
        if not path.is_file():
            raise SettingsError(f"{folder} is not a finished run folder: {path.name} is missing")
    summary = json.loads(summary_path.read_text(encoding="utf-8"))
    world = load_world(OmegaConf.load(config).scenario, summary["scenario"])
    split = pq.read_table(folder / "runs.parquet", columns=[HEADLINE.column])
    years = {HEADLINE.id: split.column(0).to_numpy(zero_copy_only=False).astype(float)}
    return FinishedRun(world, summary["seed"], summary["chunk_size"], summary["runs"],
                       years), summary
