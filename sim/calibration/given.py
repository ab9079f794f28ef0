"""Counterfactuals given history: the worlds that match the record, re-run under a change.

    python run.py scenario=molotov_successor given=history
    python run.py scenario=molotov_successor given=before
    python run.py scenario=molotov_successor given=history posterior=results/calibrate/...

Pearl's three steps (Causality, 2009, ch. 7): abduction keeps the worlds of a calibration whose
history matches the evidence (sim/calibrate.py), each with its own parameter values and its own
chance events; action applies the scenario's change, composed with the calibration's priors so
that each world keeps its parameter values (a field the scenario itself changes is the
intervention and takes the scenario's value); prediction re-runs exactly those worlds
(sim/calibration/kept.py). `given=history` keeps the worlds matching every piece the
calibration used; `given=before` only the pieces the record had settled by the scenario's
point of divergence (the date that starts its `divergence`, 'YYYY-MM-DD: ...').
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pyarrow.parquet as pq

from sim.analysis.compare import compare
from sim.analysis.stats import proportion_ci
from sim.analysis.summary import summarise_outcome
from sim.calendar import decimal_year_of, iso_date
from sim.calibrate import digest, prior_world
from sim.calibration.evidence import Resolution, items_of, known_before, not_yet
from sim.calibration.kept import rerun
from sim.engine.schedule import HEADLINE, OUTCOMES
from sim.errors import SettingsError
from sim.settings import RunSettings
from sim.studies.variants import relative_path

MODES = ("history", "before")
QUESTION = {
    None: "From the scenario's first day, what happens? (no conditioning on the record: every "
          "world starts afresh, with the values of the scenario file and of any change)",
    "history": "Given everything we know happened, what would have followed had this one "
               "thing gone otherwise? (the worlds whose history matches the record, each with "
               "its own parameters and chance events, re-run with the change)",
    "before": "Given only what was known before the point of divergence, what would have "
              "followed had this one thing gone otherwise? (the worlds matching the record up "
              "to the divergence, re-run with the change)",
}


def find_posterior(family: str, path: str | None = None, root: Path | None = None) -> Path:
    """`posterior=PATH`, or the newest finished calibration of the scenario family under
    results/calibrate/<family>/ (one with every piece used; a holdout run is skipped)."""
    if path:
        folder = Path(path)
        if not (folder / "summary.json").is_file() or not (folder / "worlds.parquet").is_file():
            raise SettingsError(f"posterior={path} is not a finished calibration folder "
                                "(summary.json, posterior.parquet, worlds.parquet)")
        return folder
    base = (root or Path.cwd() / "results" / "calibrate") / family
    for folder in sorted(base.glob("*"), reverse=True):
        summary = folder / "summary.json"
        if summary.is_file() and (folder / "worlds.parquet").is_file():
            if json.loads(summary.read_text()).get("holdout") in (None, "all"):
                return folder
    raise SettingsError(f"no finished calibration of '{family}' under {base}; run "
                        f"python -m sim.calibrate scenario={family} first, or give "
                        "posterior=PATH")


def divergence_date(world) -> float:
    """The date that starts the scenario's `divergence` text ('YYYY-MM-DD: ...')."""
    match = re.match(r"\s*(\d{4})-(\d{2})-(\d{2})\b", world.divergence or "")
    if not match:
        raise SettingsError(f"scenario '{world.name}' states no date of divergence (its "
                            "divergence must start 'YYYY-MM-DD: ...'); given=before needs one")
    return decimal_year_of(dt.date(*map(int, match.groups())))


def intervened(data: dict, reference: dict, priors: dict) -> dict:
    """The priors to compose the scenario with: all but those on a field the scenario itself
    changes from its reference (the change is the intervention; it keeps its own value)."""
    def at(node, keys):
        for key in keys:
            if not isinstance(node, dict) or key not in node:
                return None
            node = node[key]
        return node

    return {path: prior for path, prior in priors.items()
            if at(data, relative_path(path)) == at(reference, relative_path(path))}


def kept_worlds(folder: Path, names: list[str]):
    """(world ids matching every piece named, their outcome dates) from worlds.parquet."""
    columns = ["world", *(f"evidence.{n}" for n in names), *(o.column for o in OUTCOMES)]
    table = pq.read_table(folder / "worlds.parquet", columns=columns)
    ok = np.ones(table.num_rows, dtype=bool)
    for name in names:
        ok &= table.column(f"evidence.{name}").to_numpy(zero_copy_only=False)
    ids = table.column("world").to_numpy()[ok]
    years = {o.id: np.asarray(table.column(o.column).to_numpy(zero_copy_only=False),
                              dtype=float)[ok] for o in OUTCOMES}
    return ids, years


def _result(name: str, years: dict, seed: int):
    """What compare() reads of a run."""
    return SimpleNamespace(years=years, seed=seed, world=SimpleNamespace(name=name))


def counterfactual(mode: str, name: str, data: dict, reference_name: str, reference: dict,
                   settings: RunSettings, posterior: str | None = None,
                   max_worlds: int | None = None, root: Path | None = None) -> dict:
    """The `given` block of summary.json: the kept worlds of the calibration re-run under the
    scenario's change, against the same worlds as history had them."""
    if mode not in MODES:
        raise SettingsError(f"unknown given '{mode}'; allowed: {', '.join(MODES)} or null")
    folder = find_posterior(reference_name, posterior, root)
    calibration = json.loads((folder / "summary.json").read_text())
    if calibration.get("scenario") != reference_name:
        raise SettingsError(f"the calibration in {folder} is of '{calibration.get('scenario')}'"
                            f", not of '{reference_name}', the reference of '{name}'")
    if calibration.get("scenario_digest") != digest(reference):
        raise SettingsError(f"the calibration in {folder} was made from another version of "
                            f"'{reference_name}' (its file or evidence changed since); run "
                            f"python -m sim.calibrate scenario={reference_name} again")
    priors = calibration["priors"]
    factual_world = prior_world(reference, reference_name, priors)
    changed = intervened(data, reference, priors)
    world = prior_world(data, name, changed) if changed else None
    if world is None:
        from sim.scenario.validate import parse_world
        world = parse_world(data, name)
    names = list(calibration["evidence_used"])
    divergence, pending = None, []
    if mode == "before":
        divergence = divergence_date(world)
        items = [i for i in items_of(factual_world) if i.name in names]
        names = [i.name for i in known_before(items, divergence)]
        pending = not_yet(items, divergence)
    ids, factual = kept_worlds(folder, names)
    if pending:   # nor had an outcome the record dates later come by the divergence
        start = Resolution(factual_world).step_start(divergence)
        ok = np.logical_and.reduce([~(factual[o] < start - 1e-9) for o in pending])
        ids, factual = ids[ok], {k: v[ok] for k, v in factual.items()}
    total = ids.size
    if max_worlds is not None and ids.size > max_worlds:   # the first by world id: worlds
        ids = ids[:max_worlds]                             # are exchangeable
        factual = {k: v[:max_worlds] for k, v in factual.items()}
    if ids.size == 0:
        raise SettingsError(f"no world of the calibration in {folder} matches the evidence "
                            f"{', '.join(names) or '(none)'}")
    seed, chunk = calibration["seed"], calibration["chunk_size"]
    rows = rerun(world, ids, seed, chunk, calibration["runs"], settings, groups=settings.workers)
    changed_years = {o.id: np.asarray(rows.column(o.column).to_numpy(zero_copy_only=False),
                                      dtype=float) for o in OUTCOMES}
    return {
        "mode": mode, "posterior": str(folder), "evidence": names, "not_yet": pending,
        "divergence": None if divergence is None else iso_date(divergence),
        "kept_worlds": int(ids.size), "matching_worlds": int(total),
        "calibration_worlds": calibration["runs"],
        "interventions": sorted(set(priors) - set(changed)),
        **figures(changed_years, factual, name, reference_name, seed),
    }


def figures(changed: dict, factual: dict, name: str, reference_name: str, seed: int) -> dict:
    """Each outcome's probability under the change and as history had it, among the kept
    worlds; the probability of necessity of the split; the shift in its date."""
    outcomes = {}
    for o in OUTCOMES:
        kf, n = int(np.sum(~np.isnan(factual[o.id]))), changed[o.id].size
        outcomes[o.id] = {**summarise_outcome(changed[o.id]), "factual": kf / n,
                          "factual_ci95": list(proportion_ci(kf, n))}
    split_c, split_f = ~np.isnan(changed[HEADLINE.id]), ~np.isnan(factual[HEADLINE.id])
    prevented = int(np.sum(split_f & ~split_c))
    both = split_f & split_c
    shifts = changed[HEADLINE.id][both] - factual[HEADLINE.id][both]
    shift = {"worlds": int(both.sum()), "median": None, "ci95": None, "range90": None}
    if shifts.size:
        rng = np.random.default_rng(seed)
        boot = [np.median(shifts[rng.integers(0, shifts.size, shifts.size)]) for _ in range(400)]
        shift.update(median=float(np.median(shifts)),
                     ci95=[float(v) for v in np.percentile(boot, [2.5, 97.5])],
                     range90=[float(v) for v in np.percentile(shifts, [5, 95])],
                     mean=float(shifts.mean()))
    return {
        "outcomes": outcomes,
        "necessity": {"outcome": HEADLINE.id, "split_in_history": int(split_f.sum()),
                      "not_under_the_change": prevented,
                      "probability": prevented / split_f.sum() if split_f.any() else None,
                      "ci95": list(proportion_ci(prevented, int(split_f.sum())))},
        "split_shift": shift,
        "vs_history": compare(_result(name, changed, seed), _result(reference_name, factual,
                                                                       seed)),
    }


def mode_block(given: dict | None) -> dict:
    """summary.json's `mode`: the question the figures answer and how many worlds stand
    behind the conditioned ones."""
    if given is None:
        return {"given": None, "question": QUESTION[None]}
    return {"given": given["mode"], "question": QUESTION[given["mode"]],
            "kept_worlds": given["kept_worlds"], "posterior": given["posterior"]}


def check_given(cfg, name: str) -> None:
    """Refuse, before anything runs, a `given` that cannot be answered: an unknown mode, or a
    family with no finished calibration (the rest is checked when the worlds are read)."""
    mode = cfg.get("given")
    if not mode:
        return
    if mode not in MODES:
        raise SettingsError(f"unknown given '{mode}'; allowed: {', '.join(MODES)} or null")
    find_posterior(cfg.compare_with or name, cfg.get("posterior"))


def given_of(cfg, name: str) -> dict | None:
    """The `given` block for a composed run config (None when `given` is null)."""
    if not cfg.get("given"):
        return None
    from omegaconf import OmegaConf

    from sim.calibrate import scenario_data
    from sim.scenario.library import composed_data

    reference_name = cfg.compare_with or name
    reference = composed_data(reference_name) if reference_name != name \
        else scenario_data(cfg.scenario)
    max_worlds = cfg.get("given_worlds")
    return counterfactual(cfg.given, name, scenario_data(cfg.scenario), reference_name,
                          reference, RunSettings.from_config(cfg),
                          OmegaConf.select(cfg, "posterior"), max_worlds)


def given_rows(entries, cfg, settings: RunSettings) -> list[dict]:
    """The scenario table's rows given history: each scenario's change among the kept worlds
    of its family's calibration, against the same worlds as history had them (a family with
    no calibration is left out, and said so)."""
    import sys

    from sim.scenario.library import composed_data

    rows, data = [], {}

    def data_of(name):
        if name not in data:
            data[name] = composed_data(name)
        return data[name]

    for entry in entries:
        family = entry.reference or entry.name
        try:
            block = counterfactual(cfg.given, entry.name, data_of(entry.name), family,
                                   data_of(family), settings, cfg.get("posterior"),
                                   cfg.get("given_worlds"))
        except SettingsError as error:
            print(f"  skipped {entry.name}: {error}", file=sys.stderr)
            continue
        print(f"  {entry.name}: {block['kept_worlds']:,} kept worlds", file=sys.stderr)
        vs = block["vs_history"] if entry.name != family else None
        rows.append({"entry": entry, "outcomes": block["outcomes"], "vs": vs,
                     "kept": block["kept_worlds"]})
    return rows
