"""Who held power: how the worlds' outcomes differ by who held each ally's office at each of the
scenario's milestones.

In many worlds the outcome turns on a person (a successor chosen at a death, a challenge won
or lost), and the outcome over all worlds mixes those persons' worlds. This block separates
them: of the worlds still allied as a milestone year began, the share in which each person
held the office then, and how often those worlds split, and saw either ally realign, from the
milestone to the horizon. It is a conditional frequency, not the effect of the person: worlds
that put different persons in office also differ in what brought them there.
"""

from __future__ import annotations

from sim.analysis.stats import proportion_ci
from sim.calendar import year_key
from sim.engine.processes.realignment import REALIGNMENT_OUTCOME
from sim.engine.schedule import HEADLINE
from sim.montecarlo import MonteCarloResult

SHOWN_SHARE = 0.01
SHOWN_WORLDS = 30
"""The report tells the outcome of a holder's worlds at a milestone only where he held the
office in at least SHOWN_SHARE of the worlds still allied and in at least SHOWN_WORLDS worlds
(fewer give an interval too wide to read); below that it gives his share alone. summary.json
has every holder, with intervals."""


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
                      "each person held the office then; the split, and a realignment by either "
                      "ally, from the milestone to the horizon",
            "nations": nations}


def shown(row: dict) -> bool:
    """Whether the report tells the outcome of this holder's worlds (SHOWN_SHARE,
    SHOWN_WORLDS)."""
    return row["share"] >= SHOWN_SHARE and row["worlds"] >= SHOWN_WORLDS


def contested(block: dict) -> list[dict]:
    """The offices whose outcome the report tells apart by holder: those that at least two
    persons held, at some milestone, each in enough worlds to be `shown`. For each, its
    `name`, the milestone `years`, the worlds still allied at each (`allied`), and `rows`:
    {person id: {year: his row}} for every person shown at some milestone, in order of first
    appearance (his rows at the other milestones kept, for his share there)."""
    offices = []
    for held in block["nations"].values():
        at = held["at_milestones"]
        if not any(sum(map(shown, at[year]["holders"])) >= 2 for year in at):
            continue
        persons = list(dict.fromkeys(row["holder"] for year in at
                                     for row in at[year]["holders"] if shown(row)))
        rows: dict[str, dict[str, dict]] = {pid: {} for pid in persons}
        for year in at:
            for row in at[year]["holders"]:
                if row["holder"] in rows:
                    rows[row["holder"]][year] = row
        offices.append({"name": held["name"], "years": list(at),
                        "allied": {year: at[year]["allied_worlds"] for year in at},
                        "rows": rows})
    return offices
