"""What would it take: the smallest sets of departures from history that keep the alliance
standing.

    python -m sim.search                         # the question in configs/search.yaml
    python -m sim.search max_changes=4 exhaustive=2 levers.traits=true

The premise is the path history took: every juncture forced to the option history took
(`historical: true` in the scenario), plus scenario values every candidate keeps (who stays in
power). The levers are departures from that path: at a juncture the premise does not keep,
force one of the options history did not take; optionally (`levers.traits`) move a leader's
trait to either end of the range the sources allow; optionally set declared values (the
outside power's posture). Each set of levers is judged by the share of worlds in which the
alliance still stands at the end of the target year.

Method: a breadth-first search over the number of changes, exhaustive up to `exhaustive`
changes (every compatible set is tried) and a beam beyond it (the `beam` best sets of size
k - 1 are extended by one lever); the search stops at the first size at which some set reaches
the target, so the sets reported are the smallest found, and "none up to the size searched"
is a finding.
Every candidate runs the same worlds on the same seed (common random numbers), so sets are
ranked by their changes rather than by chance. The sets reported are then run again on an
independent seed with more worlds, so their probabilities and intervals are not inflated by
having been selected as the best of many noisy estimates (the winner's curse).

Writes into the run folder: `search.parquet`/`.csv` (the premise alone, then each reported set:
its changes, probability with 95% interval, mean split year), `search.png` (the sets as rows,
their changes as dots, their probabilities with intervals), `changes.csv` (how often each
change appears among the sets that reach the target) and `screened.parquet` (every set tried).

Why not optuna or PRIM: the question asks for the fewest changes among discrete levers, which
a search ordered by set size answers directly; an optimiser would need a penalty on the number
of changes, and scenario discovery (PRIM) describes regions of a sampled space rather than
minimal sets.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from omegaconf import DictConfig, OmegaConf
from tqdm import tqdm

from sim.analysis.stats import proportion_ci
from sim.engine.processes.offices import unnamed_id
from sim.engine.specs import TRAITS
from sim.errors import ScenarioError, SettingsError
from sim.scenario.library import load_world
from sim.scenario.schema import World
from sim.settings import RunSettings
from sim.studies.stacked import run_stacked
from sim.studies.variants import (
    PREFIX,
    check_year,
    relative_path,
    run_variants,
    study_app,
    variant,
    whole_setting,
)


@dataclass(frozen=True)
class Lever:
    """One discrete change: scenario values to set; levers of one group exclude each other."""

    label: str
    group: str
    values: tuple[tuple[str, object], ...]
    forced: tuple[str, int] | None = None   # (juncture, option index) where it forces a choice


def history_premise(world: World) -> dict:
    """Every juncture that marks history's option forced to it: its other options get weight 0."""
    values = {}
    for juncture in world.juncture_list:
        history = juncture.historical
        for option in juncture.option_list if history is not None else ():
            if option.id != history.id:
                values[f"{PREFIX}junctures.{juncture.id}.options.{option.id}.weight"] = 0
    return values


def departure_levers(world: World, keep: list[str]) -> list[Lever]:
    """At each juncture with a historical option that the premise does not keep, force each
    option history did not take (its own weight in `world`, the scenario before the premise;
    every other option's weight 0)."""
    for jid in keep:
        if jid not in world.junctures:
            raise ScenarioError(f"unknown juncture '{jid}' in premise.keep; allowed: "
                                f"{', '.join(world.junctures)}")
    levers = []
    for juncture in world.juncture_list:
        history = juncture.historical
        if history is None or juncture.id in keep:
            continue
        base = f"{PREFIX}junctures.{juncture.id}.options."
        for option in juncture.option_list:
            if option.id == history.id or option.weight <= 0:
                continue
            values = tuple((f"{base}{other.id}.weight", other.weight if other is option else 0)
                           for other in juncture.option_list)
            code = juncture.option_list.index(option)
            levers.append(Lever(f"{juncture.id}: {option.id}", f"juncture:{juncture.id}",
                                values, (juncture.id, code)))
    return levers


def juncture_levers(world: World, premise: dict) -> list[Lever]:
    """Force each option of each juncture that the premise leaves open (other weights to 0)."""
    levers = []
    for juncture in world.juncture_list:
        base = f"{PREFIX}junctures.{juncture.id}."
        if any(path.startswith(base) for path in premise):
            continue
        open_options = [o for o in juncture.option_list if o.weight > 0]
        if len(open_options) < 2:
            continue
        for option in open_options:
            values = tuple((f"{base}options.{other.id}.weight", 0)
                           for other in juncture.option_list if other.id != option.id)
            levers.append(Lever(f"{juncture.id}: {option.id}", f"juncture:{juncture.id}", values))
    return levers


def trait_levers(world: World, persons: list[str]) -> list[Lever]:
    """Move each uncertain trait of the given persons to the low or high end of its range."""
    levers = []
    named = [q for q, person in world.persons.items() if q != unnamed_id(person.nation)]
    for pid in persons:
        if pid not in named:
            raise ScenarioError(f"unknown person '{pid}' in levers.persons; allowed: "
                                f"{', '.join(named)}")
        for trait in TRAITS:
            spec = world.persons[pid].traits[trait]
            if spec.kind == "fixed":
                continue
            if spec.kind == "beta":
                from scipy.stats import beta

                ends = [float(beta.ppf(q, *spec.params)) for q in (0.05, 0.95)]
            else:
                ends = [spec.params[0], spec.params[-1]]
            path = f"{PREFIX}persons.{pid}.traits.{trait}"
            for end, value in zip(("low", "high"), ends, strict=True):
                levers.append(Lever(f"{pid} {trait} {value:.2f} ({end})", f"trait:{pid}:{trait}",
                                    ((path, round(value, 4)),)))
    return levers


def value_levers(values: dict) -> list[Lever]:
    """A lever per listed value of each declared path (e.g. the third power's posture)."""
    levers = []
    for path, choices in values.items():
        relative_path(path)
        if not isinstance(choices, (list, tuple)) or not choices:
            raise ScenarioError(f"levers.values.{path} must list the values it may take")
        short = path[len(PREFIX):]
        levers += [Lever(f"{short}={v}", path, ((path, v),)) for v in choices]
    return levers


@dataclass
class Evaluator:
    """Runs sets of levers on top of the premise, every one on the same worlds."""

    scenario: dict
    name: str
    premise: dict
    levers: list[Lever]
    year: int
    settings: RunSettings

    def __post_init__(self):
        self.horizon = self.world(frozenset()).horizon

    def world(self, chosen: frozenset[int]) -> World:
        values = dict(self.premise)
        for i in sorted(chosen):
            values.update(self.levers[i].values)
        return variant(self.scenario, self.name, values)

    def outcomes(self, sets: list[frozenset[int]], runs: int, seed: int) -> list[np.ndarray]:
        """(R,) split years per set (NaN: no split by the horizon).

        Sets that only force choices run side by side in shared batches
        (sim/studies/stacked.py); the others run one by one."""
        settings = self.settings.replace(runs=runs, seed=seed)
        bar = tqdm(total=len(sets), unit="set", disable=not settings.progress, leave=False)
        tick = lambda done: bar.update(done - bar.n)  # noqa: E731
        if all(self.levers[i].forced for s in sets for i in s) and runs <= settings.chunk_size:
            variants = [dict(self.levers[i].forced for i in s) for s in sets]
            years = run_stacked(self.world(frozenset()), variants, settings, progress=tick)
        else:
            years = run_variants([self.world(s) for s in sets], settings, progress=tick)
        bar.close()
        return years

    def score(self, years: np.ndarray) -> tuple[float, float]:
        """(share of worlds intact at the end of the target year, mean split year with
        no-split worlds counted at the horizon). The second breaks ties: far from
        the target every set may keep no world intact, yet some postpone the split more."""
        intact = ~(years < self.year + 1)  # NaN (no split) compares False
        lasts = np.where(np.isnan(years), self.horizon, years)
        return float(intact.mean()), float(lasts.mean())


def beam_search(evaluator: Evaluator, target: float, max_changes: int, beam: int,
                exhaustive: int = 0) -> tuple[dict[frozenset[int], tuple[float, float]],
                                              list[frozenset[int]]]:
    """Search by set size; return every set's screening score (see `Evaluator.score`) and the
    smallest sets found that reach `target` (empty when none does within `max_changes`).
    Sizes up to `exhaustive` extend every set of the size before; larger sizes the `beam`
    best."""
    levers = evaluator.levers
    scores: dict[frozenset[int], tuple[float, float]] = {}
    frontier = [frozenset()]
    for size in range(1, max_changes + 1):
        candidates = sorted({
            s | {i} for s in frontier for i in range(len(levers))
            if levers[i].group not in {levers[j].group for j in s}
        } - scores.keys(), key=sorted)
        if not candidates:
            break
        runs = evaluator.outcomes(candidates, evaluator.settings.runs, evaluator.settings.seed)
        for s, years in zip(candidates, runs, strict=True):
            scores[s] = evaluator.score(years)
        reached = [s for s in candidates if scores[s][0] >= target]
        if reached:
            return scores, sorted(reached, key=lambda s: scores[s], reverse=True)
        ranked = sorted(candidates, key=lambda s: scores[s], reverse=True)
        frontier = ranked if size < exhaustive else ranked[:beam]
    return scores, []


def findings(evaluator: Evaluator, scores: dict, reached: list, target: float, report: int,
             confirm_runs: int) -> pd.DataFrame:
    """The sets to report, re-run on an independent seed: a row each, best first, after a
    first row for the premise alone."""
    chosen = reached[:report] or sorted(scores, key=lambda s: scores[s], reverse=True)[:report]
    sets = [frozenset(), *chosen]
    confirm_seed = evaluator.settings.seed + 1
    rows = []
    for s, years in zip(sets, evaluator.outcomes(sets, confirm_runs, confirm_seed), strict=True):
        p, lasts = evaluator.score(years)
        low, high = proportion_ci(round(p * years.size), years.size)
        rows.append({
            "changes": "; ".join(evaluator.levers[i].label for i in sorted(s)) or "(premise only)",
            "size": len(s), "probability": p, "ci95_low": low, "ci95_high": high,
            "mean_split_year": lasts, "screening_probability": scores.get(s, (np.nan,))[0],
            "reaches_target": bool(p >= target),
        })
    head = rows[:1]
    rest = sorted(rows[1:], key=lambda r: (r["probability"], r["mean_split_year"]),
                  reverse=True)
    table = pd.DataFrame(head + rest)
    table.insert(0, "rank", np.arange(len(table)))
    return table


@dataclass
class Request:
    """A search, checked: everything `run` needs, each value within what it can satisfy."""

    settings: RunSettings
    scenario: dict
    name: str
    premise: dict
    levers: list[Lever]
    year: int
    target: float
    max_changes: int
    exhaustive: int
    beam: int
    report: int
    confirm_runs: int


def _mapping(cfg: DictConfig, key: str) -> dict:
    """A study setting that must be a mapping (null: empty)."""
    value = OmegaConf.to_container(cfg[key], resolve=False) if cfg[key] is not None else {}
    if not isinstance(value, dict):
        raise SettingsError(f"{key} must be a mapping, got {type(value).__name__} {value!r}")
    return value


def request_of(cfg: DictConfig, scenario_name: str) -> Request:
    """Read and check a search's settings before anything runs (raises InputError): a target
    the worlds can reach (a share in (0, 1], a year the scenario simulates), whole numbers of
    at least 1 for the sizes, and a premise and levers that make valid scenarios."""
    settings = RunSettings.from_config(cfg)
    first = load_world(cfg.scenario, scenario_name)
    scenario = OmegaConf.to_container(cfg.scenario, resolve=False)
    scenario.pop("defaults", None)
    year = check_year(cfg.target.year, first, "target.year")
    target = cfg.target.probability
    if isinstance(target, bool) or not isinstance(target, (int, float)) or not 0 < target <= 1:
        raise SettingsError(f"target.probability must be a share of worlds above 0 and at most "
                            f"1, got {type(target).__name__} {target!r}")
    sizes = {name: whole_setting(cfg, name, 1) for name in ("max_changes", "beam", "report",
                                                            "confirm_runs")}
    sizes["exhaustive"] = whole_setting(cfg, "exhaustive", 0)
    premise_cfg, levers_cfg = _mapping(cfg, "premise"), _mapping(cfg, "levers")
    values, keep = premise_cfg.get("values") or {}, premise_cfg.get("keep") or []
    persons = levers_cfg.get("persons") or []
    if not isinstance(values, dict):
        raise SettingsError("premise.values must map scenario paths to the values they keep")
    if not isinstance(keep, list) or not isinstance(persons, list):
        raise SettingsError("premise.keep must list juncture ids and levers.persons person ids")
    world = variant(scenario, scenario_name, {})
    history = bool(premise_cfg.get("history"))
    premise = {**(history_premise(world) if history else {}), **values}
    kept = variant(scenario, scenario_name, premise)
    levers = departure_levers(world, keep) if history else juncture_levers(kept, premise)
    traits = trait_levers(kept, persons)   # checks the persons even when traits are off
    if levers_cfg.get("traits"):
        levers += traits
    levers += value_levers(levers_cfg.get("values") or {})
    for lever in levers:
        if lever.group.startswith("scenario."):  # a declared value: check it makes a world
            variant(scenario, scenario_name, {**premise, **dict(lever.values)})
    if not levers:
        raise SettingsError("the premise leaves no lever to change: nothing to search")
    return Request(settings, scenario, scenario_name, premise, levers, year, float(target),
                   **sizes)


def check(cfg: DictConfig, scenario_name: str) -> None:
    """The search's settings checked, before Hydra starts (sim/preflight.py)."""
    request_of(cfg, scenario_name)


def run(cfg: DictConfig, folder: Path, scenario_name: str) -> pd.DataFrame:
    """The plain function behind the command: search, confirm, write `folder`, print."""
    r = request_of(cfg, scenario_name)
    evaluator = Evaluator(r.scenario, r.name, r.premise, r.levers, r.year, r.settings)
    print(f"{len(r.levers)} levers; screening sets of up to {r.max_changes} changes "
          f"(exhaustive up to {r.exhaustive}, then beam {r.beam}) with {r.settings.runs:,} "
          "worlds each")
    scores, reached = beam_search(evaluator, r.target, r.max_changes, r.beam, r.exhaustive)
    table = findings(evaluator, scores, reached, r.target, r.report, r.confirm_runs)

    verdict = write(folder, table, scores, reached, r.levers, r.target, r.year,
                    f"{r.confirm_runs:,} worlds each, seed {r.settings.seed + 1}")
    print(f"\n{verdict} (screened {len(scores)} sets)\n")
    for _, row in table.iterrows():
        print(f"{row['rank']:>3}. {row['probability']:6.1%} (95% CI {row['ci95_low']:.1%} - "
              f"{row['ci95_high']:.1%})  mean split year {row['mean_split_year']:.1f}\n"
              f"     {row['changes']}")
    print(f"\nWrote {folder}")
    return table


def write(folder: Path, table: pd.DataFrame, scores: dict, reached: list, levers: list[Lever],
          target: float, year: int, caption: str) -> str:
    """Write the search's tables and chart into `folder`; return the one-line verdict."""
    from sim.studies.plots import plot_findings

    folder.mkdir(parents=True, exist_ok=True)
    table.to_parquet(folder / "search.parquet", index=False)
    table.to_csv(folder / "search.csv", index=False)
    label = lambda s: "; ".join(levers[i].label for i in sorted(s))  # noqa: E731
    pd.DataFrame([{"changes": label(s), "size": len(s), "screening_probability": p,
                   "screening_mean_split_year": y} for s, (p, y) in scores.items()]
                 ).to_parquet(folder / "screened.parquet", index=False)
    if reached:
        shares = pd.Series([levers[i].label for s in reached for i in s]).value_counts()
        shares = (shares / len(reached)).rename("share_of_sets").rename_axis("change")
        shares.reset_index().to_csv(folder / "changes.csv", index=False)
        common = "; ".join(c for c, share in shares.items() if share == 1.0) or "none"
        verdict = (f"{len(reached)} sets of {len(reached[0])} changes reach the target in "
                   f"screening (the smallest size found); in all of them: {common}")
    else:
        verdict = f"no set of up to {max(map(len, scores), default=0)} changes reached the target"
    plot_findings(table, target, f"What would it take to keep the alliance through {year} in "
                  f"{target:.0%} of worlds?\n{verdict.split(';')[0]}; {caption}",
                  folder / "search.png")
    return verdict


def main() -> None:
    study_app("search", run, check)


if __name__ == "__main__":
    main()
