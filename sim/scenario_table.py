"""The scenario table: every scenario against its reference on the same seeds, as Markdown.

    python -m sim.scenario_table                  # 4,000 worlds each, the config's seed
    python -m sim.scenario_table runs=10000 seed=7 out=/tmp/table

Each file in `scenarios/` is composed exactly as `python run.py scenario=NAME` would compose
it (`composed_data`), run with `run_monte_carlo`, and compared with
its reference (its `compare_with`, else the baseline) on the same seeds, as `run.py` does.
`docs/scenarios.md` and `docs/scenarios.png` are written from those numbers only, with the
command, seed and version that made them, so rerunning the command regenerates both.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from omegaconf import DictConfig, OmegaConf  # noqa: E402

from sim import __version__  # noqa: E402
from sim.analysis.compare import compare  # noqa: E402
from sim.analysis.summary import summarise_outcome  # noqa: E402
from sim.calendar import month_year  # noqa: E402
from sim.engine.schedule import HEADLINE, OUTCOMES  # noqa: E402
from sim.errors import ScenarioError, SettingsError  # noqa: E402
from sim.montecarlo import MonteCarloResult, run_monte_carlo  # noqa: E402
from sim.paths import CONFIGS, SCENARIOS  # noqa: E402
from sim.scenario.library import (  # noqa: E402
    composed_data,
    refusal,
    scenario_files,
    scenario_names,
    world_from_data,
)
from sim.scenario.schema import World  # noqa: E402
from sim.settings import RunSettings  # noqa: E402
from sim.studies.variants import study_app  # noqa: E402

OTHERS = [outcome for outcome in OUTCOMES if outcome is not HEADLINE]
"""The outcomes shown as plain probabilities beside the split."""


@dataclass
class Entry:
    """One scenario as composed: its world, what the file says about it, and its reference."""

    name: str
    world: World
    divergence: str
    claim: str
    reference: str | None


def compose_entries(names: list[str]) -> list[Entry]:
    """Compose every scenario as `run.py` would; its reference is the resolved `compare_with`."""
    entries = []
    for name in names:
        data = composed_data(name)
        entries.append(Entry(name, world_from_data(data, name),
                             data.get("divergence") or "none: history",
                             data.get("claim") or "", reference_name(data)))
    return entries


def reference_name(scenario: dict) -> str | None:
    """The scenario's `compare_with` as run.py resolves it, by the rule of
    configs/config.yaml (its own, else the default there)."""
    config = OmegaConf.load(CONFIGS / "config.yaml")
    config.scenario = {k: v for k, v in scenario.items() if k == "compare_with"}
    return config.compare_with


def ordered(entries: list[Entry]) -> list[Entry]:
    """Each reference world (the one most compared with first), then the scenarios compared
    with it, by name."""
    by_name = {e.name: e for e in entries}
    roots = [e for e in entries if e.reference in (None, e.name) or e.reference not in by_name]
    followers = {root.name: sum(e.reference == root.name for e in entries) for root in roots}
    roots.sort(key=lambda e: (-followers[e.name], e.name))
    order = []
    for root in roots:
        order.append(root)
        order += sorted((e for e in entries if e.reference == root.name and e is not root),
                        key=lambda e: e.name)
    return order


def run_all(entries: list[Entry], settings: RunSettings) -> list[dict]:
    """Run every scenario (and each reference once) and return one row of figures each."""
    results: dict[str, MonteCarloResult] = {}

    def result_of(entry: Entry) -> MonteCarloResult:
        if entry.name not in results:
            print(f"  {entry.name}", file=sys.stderr)
            results[entry.name] = run_monte_carlo(entry.world, settings)
        return results[entry.name]

    by_name = {e.name: e for e in entries}
    rows = []
    for entry in ordered(entries):
        result = result_of(entry)
        outcomes = {o.id: summarise_outcome(result.years[o.id]) for o in OUTCOMES}
        reference = by_name.get(entry.reference)
        versus = None
        if reference is not None and reference.world != entry.world:
            versus = compare(result, result_of(reference))
        rows.append({"entry": entry, "outcomes": outcomes, "vs": versus})
    return rows


def _share(o: dict) -> str:
    low, high = o["ci95"]
    return f"{o['probability']:.1%} ({low:.1%}-{high:.1%})"


def _difference(vs: dict | None, reference: str | None) -> str:
    if vs is None:
        return f"reference world ({reference or 'none'})"
    d = vs[HEADLINE.id]
    low, high = d["ci95"]
    return (f"{d['difference'] * 100:+.1f} ({low * 100:+.1f} to {high * 100:+.1f}) "
            f"vs {vs['reference']}")


def _median(o: dict, vs: dict | None) -> str:
    text = month_year(o["median_year"])
    if vs is not None and vs[HEADLINE.id]["median_shift"] is not None:
        text += f" ({vs[HEADLINE.id]['median_shift']:+.1f} y)"
    return text


def markdown(rows: list[dict], command: str, runs: int, seed: int, chunk_size: int,
             given: str | None = None) -> str:
    """The whole of docs/scenarios.md."""
    lines = [
        "# Counterfactual scenarios",
        "",
        "<!-- Generated by the command below; do not edit by hand. -->",
        "",
        f"Made by `{command}` with alliance-sim {__version__}: {runs:,} worlds per scenario, "
        f"seed {seed}, chunk size {chunk_size}. Each scenario is compared with its reference "
        "world on the same seeds (common random numbers): the difference is paired world by "
        "world, in percentage points, with its 95% interval. A world with no split by the "
        "horizon counts as intact. Each scenario file's header gives its sources; "
        "run one with `python run.py scenario=NAME`.",
        "",
        *([f"Given {given}: each scenario's change is applied to the worlds of its family's "
           "calibration that match the record (`python -m sim.calibrate`), each with its own "
           "parameters and chance events, and compared with the same worlds as history had "
           "them; the run settings above do not apply (README, \"History as evidence\").",
           ""] if given else []),
        "| Scenario | Point of divergence | Split (95% CI) | Difference in split, points "
        "(95% CI) | Median split (shift) | "
        + " | ".join(o.label.capitalize() for o in OTHERS) + " |",
        "|---|---|---|---|---|" + "---|" * len(OTHERS),
    ]
    for row in rows:
        e, o, vs = row["entry"], row["outcomes"], row["vs"]
        split = o[HEADLINE.id]
        lines.append(
            f"| {e.world.title} (`{e.name}`) | {e.divergence} | {_share(split)} | "
            f"{_difference(vs, e.reference)} | {_median(split, vs)} | "
            + " | ".join(f"{o[other.id]['probability']:.1%}" for other in OTHERS) + " |"
        )
    lines += ["", "![Difference in split probability from the reference, with 95% intervals]"
              "(scenarios.png)", "", "## Claims tested", ""]
    for row in rows:
        e = row["entry"]
        if e.claim:
            lines.append(f"- **{e.world.title}** (`{e.name}`): {e.claim}.")
    return "\n".join(lines) + "\n"


def plot(rows: list[dict], path: Path, runs: int, seed: int) -> None:
    """Horizontal bars: each scenario's paired difference in split probability, with its CI."""
    compared = sorted((r for r in rows if r["vs"] is not None),
                      key=lambda r: r["vs"][HEADLINE.id]["difference"])
    labels = [r["entry"].world.title for r in compared]
    diff = [r["vs"][HEADLINE.id]["difference"] * 100 for r in compared]
    low = [d - r["vs"][HEADLINE.id]["ci95"][0] * 100 for d, r in zip(diff, compared, strict=True)]
    high = [r["vs"][HEADLINE.id]["ci95"][1] * 100 - d for d, r in zip(diff, compared, strict=True)]
    fig, ax = plt.subplots(figsize=(9, 0.42 * len(compared) + 1.6), dpi=110)
    colours = ["#2166ac" if d < 0 else "#b2182b" for d in diff]
    ax.barh(range(len(compared)), diff, color=colours, alpha=0.35)
    ax.errorbar(diff, range(len(compared)), xerr=[low, high], fmt="o", color="black",
                markersize=4, capsize=3, linewidth=1)
    ax.axvline(0, color="0.3", linewidth=1)
    ax.set_yticks(range(len(compared)), labels, fontsize=8)
    ax.set_xlabel("difference in split probability from the reference, points "
                  "(95% CI, paired worlds)", fontsize=9)
    ax.set_title("What would have changed the split? Each scenario against history",
                 fontsize=11)
    ax.text(0.01, 0.98, f"runs: {runs:,} each\nseed: {seed}\nalliance-sim {__version__}",
            transform=ax.transAxes, ha="left", va="top", fontsize=8, color="0.3",
            bbox={"boxstyle": "round", "facecolor": "white", "edgecolor": "0.8"})
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)


def library_names() -> list[str]:
    """Every scenario file's name; a file that cannot be used stops the table, in one line."""
    names = list(scenario_files(SCENARIOS))
    for name in names:
        reason = refusal(name)
        if reason or name not in scenario_names():
            raise ScenarioError(reason or f"scenario '{name}' is not registered")
    return names


def check(cfg: DictConfig, scenario_name: str) -> None:
    """The table's settings checked before Hydra starts (sim/preflight.py)."""
    RunSettings.from_config(cfg)
    library_names()
    if not isinstance(cfg.out, str) or not cfg.out.strip():
        raise SettingsError(f"out must name a folder, got {cfg.out!r}")


def write_table(cfg: DictConfig, command: str) -> Path:
    """Run every scenario with the config's settings and write the table into `cfg.out`."""
    settings = RunSettings.from_config(cfg)
    out = Path(cfg.out)
    names = library_names()
    mode = (f"given {cfg.given}: the kept worlds of each family's calibration" if
            cfg.get("given") else f"{settings.runs:,} worlds each")
    print(f"Running {len(names)} scenarios, {mode}:", file=sys.stderr)
    entries = compose_entries(names)
    given = cfg.get("given")
    if given:   # each change among the worlds of a calibration that match the record
        from sim.calibration.given import given_rows

        rows = given_rows(ordered(entries), cfg, settings)
    else:
        rows = run_all(entries, settings)
    out.mkdir(parents=True, exist_ok=True)
    plot(rows, out / "scenarios.png", settings.runs, settings.seed)
    (out / "scenarios.md").write_text(
        markdown(rows, command, settings.runs, settings.seed, settings.chunk_size, given),
        encoding="utf-8")
    print(f"Wrote {out / 'scenarios.md'} and {out / 'scenarios.png'}", file=sys.stderr)
    return out


def run(cfg: DictConfig, folder: Path, scenario_name: str) -> Path:
    """The plain function behind the command (configs/scenario_table.yaml)."""
    from hydra.core.hydra_config import HydraConfig

    overrides = [o for o in HydraConfig.get().overrides.task if not o.startswith("out=")]
    return write_table(cfg, " ".join(["python -m sim.scenario_table", *overrides]))


def main() -> None:
    study_app("scenario_table", run, check)


if __name__ == "__main__":
    main()
