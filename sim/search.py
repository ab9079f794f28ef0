"""What would it take: the smallest sets of changes that keep the alliance standing.

    python -m sim.search                         # the question in configs/search.yaml
    python -m sim.search max_changes=2 beam=100 executor=processes workers=2

A premise (scenario values every candidate keeps, e.g. who stays in power and which choices
stay made) is applied first. The levers are discrete changes: force one option of a juncture
the premise leaves open; move a leader's trait to either end of the range the sources allow
(the scenario's own distribution); set the third power's posture to a declared value. Each set
of levers is judged by the share of worlds in which the alliance still stands at the end of the
target year.

Method: a breadth-first beam search over the number of changes. Size 1 tries every lever;
size k adds every compatible lever to each of the `beam` best sets of size k - 1; the search
stops at the first size at which some set reaches the target, so the sets reported are the
smallest found (with `beam` at least the number of levers, sizes 1 and 2 are exhaustive).
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
from sim.engine.specs import TRAITS
from sim.errors import ScenarioError, SettingsError
from sim.scenario.library import load_world
from sim.scenario.schema import World
from sim.settings import RunSettings
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
    for pid in persons:
        if pid not in world.persons:
            raise ScenarioError(f"unknown person '{pid}' in levers.persons; allowed: "
                                f"{', '.join(world.persons)}")
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
        """(R,) split years per set (NaN: no split by the horizon)."""
        worlds = [self.world(s) for s in sets]
        bar = tqdm(total=len(worlds), unit="set", disable=not self.settings.progress,
                   leave=False)
        years = run_variants(worlds, self.settings.replace(runs=runs, seed=seed),
                             progress=lambda done: bar.update(done - bar.n))
        bar.close()
        return years

    def score(self, years: np.ndarray) -> tuple[float, float]:
        """(share of worlds intact at the end of the target year, mean split year with
        no-split worlds counted at the horizon). The second breaks ties: far from
        the target every set may keep no world intact, yet some postpone the split more."""
        intact = ~(years < self.year + 1)  # NaN (no split) compares False
        lasts = np.where(np.isnan(years), self.horizon, years)
        return float(intact.mean()), float(lasts.mean())


def beam_search(evaluator: Evaluator, target: float, max_changes: int,
                beam: int) -> tuple[dict[frozenset[int], tuple[float, float]],
                                    list[frozenset[int]]]:
    """Search by set size; return every set's screening score (see `Evaluator.score`) and the
    smallest sets found that reach `target` (empty when none does within `max_changes`)."""
    levers = evaluator.levers
    scores: dict[frozenset[int], tuple[float, float]] = {}
    frontier = [frozenset()]
    for _ in range(max_changes):
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
        frontier = sorted(candidates, key=lambda s: scores[s], reverse=True)[:beam]
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
    beam: int
    report: int
    confirm_runs: int


def request_of(cfg: DictConfig, scenario_name: str) -> Request:
    """Read and check a search's settings before anything runs (raises InputError): a target
    the worlds can reach (a share in (0, 1], a year the scenario simulates), whole numbers of
    at least 1 for the sizes, and a premise and levers that make valid scenarios."""
    settings = RunSettings.from_config(cfg)
    world = load_world(cfg.scenario, scenario_name)
    scenario = OmegaConf.to_container(cfg.scenario, resolve=False)
    scenario.pop("defaults", None)
    year = check_year(cfg.target.year, world, "target.year")
    target = cfg.target.probability
    if isinstance(target, bool) or not isinstance(target, (int, float)) or not 0 < target <= 1:
        raise SettingsError(f"target.probability must be a share of worlds above 0 and at most "
                            f"1, got {type(target).__name__} {target!r}")
    sizes = {name: whole_setting(cfg, name, 1) for name in ("max_changes", "beam", "report",
                                                            "confirm_runs")}
    premise = (OmegaConf.to_container(cfg.premise, resolve=False)
               if cfg.premise is not None else {})
    if not isinstance(premise, dict):
        raise SettingsError("premise must map scenario paths to the values they keep")
    levers_cfg = (OmegaConf.to_container(cfg.levers, resolve=False)
                  if cfg.levers is not None else {})
    if not isinstance(levers_cfg, dict):
        raise SettingsError("levers must hold 'persons' and 'values'")
    kept = variant(scenario, scenario_name, premise)
    persons = levers_cfg.get("persons") or []
    if not isinstance(persons, list):
        raise SettingsError(f"levers.persons must list person ids, got {persons!r}")
    levers = (juncture_levers(kept, premise) + trait_levers(kept, persons)
              + value_levers(levers_cfg.get("values") or {}))
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
          f"(beam {r.beam}) with {r.settings.runs:,} worlds each")
    scores, reached = beam_search(evaluator, r.target, r.max_changes, r.beam)
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
