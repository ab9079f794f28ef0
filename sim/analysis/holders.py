"""Who held power: how the worlds' outcomes differ by who held each ally's office at each of the
scenario's milestones.

In many worlds the outcome turns on a person (a successor chosen at a death, a challenge won
or lost), and the outcome over all worlds mixes those persons' worlds. This block separates
them: of the worlds still allied as a milestone year began, the share in which each person
held the office then, and how often those worlds split, and realigned, by the horizon. It is
a conditional frequency, not the effect of the person: worlds that put different persons in
office also differ in what brought them there.
"""

from __future__ import annotations

from sim.analysis.stats import proportion_ci
from sim.calendar import year_key
from sim.engine.processes.realignment import REALIGNMENT_OUTCOME
from sim.engine.schedule import HEADLINE
from sim.montecarlo import MonteCarloResult

SHOWN_SHARE = 0.01
"""A holder is shown in the report where he held the office in at least this share of the
worlds still allied, and a milestone where at least two did (summary.json has every holder)."""


def _rate(count: int, worlds: int) -> dict:
    return {"probability": count / worlds, "ci95": list(proportion_ci(count, worlds))}


def holders_block(result: MonteCarloResult) -> dict:
    """The `holders` block of summary.json: per ally and milestone, each person who held the
    office in a world still allied then, with the share of those worlds and their split and
    realignment probabilities (Wilson 95% intervals)."""
    world = result.world
    persons = list(world.persons.values())
    nations = {}
    for a, nation in enumerate(world.members):
        by_year = {}
        for k, milestone in enumerate(world.milestones):
            counts = result.holder_tally[k, a]
            allied = int(counts[:, 0].sum())
            rows = [{"holder": persons[p].id, "name": persons[p].name, "worlds": int(n),
                     "share": int(n) / allied, HEADLINE.id: _rate(int(split), int(n)),
                     REALIGNMENT_OUTCOME.id: _rate(int(realigned), int(n))}
                    for p, (n, split, realigned) in enumerate(counts) if n > 0]
            by_year[year_key(milestone)] = {
                "allied_worlds": allied,
                "holders": sorted(rows, key=lambda row: -row["worlds"]),
            }
        nations[nation] = {"name": world.nations[nation].name, "at_milestones": by_year}
    return {"method": "of the worlds still allied as each milestone year began, those in which "
                      "each person held the office then; split and realignment by the horizon",
            "nations": nations}


def contested(block: dict) -> list[tuple[str, list[str], dict[str, dict[str, dict]]]]:
    """For each ally whose office at least two persons held, at some milestone, in SHOWN_SHARE
    or more of the worlds still allied: (its name, the milestone years, {person's name: {year:
    his row}}), persons in order of first appearance and rows below SHOWN_SHARE left out."""
    found = []
    for held in block["nations"].values():
        years = list(held["at_milestones"])
        table: dict[str, dict[str, dict]] = {}
        split = False
        for year in years:
            shown = [row for row in held["at_milestones"][year]["holders"]
                     if row["share"] >= SHOWN_SHARE]
            split = split or len(shown) >= 2
            for row in shown:
                table.setdefault(row["name"], {})[year] = row
        if split:
            found.append((held["name"], years, table))
    return found
