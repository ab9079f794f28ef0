"""report.md: one page per run, in plain Markdown that a code-hosting site renders as it is.

It holds the summary table, the comparison with the baseline, the history check, survival
and hazard, why the alliance split, the outcomes by who held power, every plot (linked
relative to the run folder) and a link to the chronicle. It reads only the summary, so it
says nothing summary.json does not.
"""

from __future__ import annotations

from pathlib import Path

from sim.analysis.history import shown_value
from sim.analysis.holders import SHOWN_SHARE, SHOWN_WORLDS, contested, shown
from sim.analysis.summary import own_turns
from sim.calendar import month_year
from sim.calibration.text import question_lines
from sim.engine.schedule import DRIVER, HEADLINE, OUTCOMES
from sim.outputs.naming import capitalised, label_of, short_overrides, title_of
from sim.outputs.plots import period_label

CAPTIONS = {
    "survival": "Probability the alliance still stands, by year (Kaplan-Meier, 95% band)",
    "split_years": "When the alliance split: share of worlds splitting each year",
    "cohesion": "Cohesion across worlds: median, 50% and 90% bands, split threshold, milestones",
    "outcomes": "How often each outcome happened, with 95% intervals",
    "drivers": "Why it split: the change in cohesion accounted for by mechanism",
}


def _missing(x) -> bool:
    return x is None or x != x   # None, or NaN where no world could tell


def _pct(p: float | None, form: str = ".1%") -> str:
    return "-" if _missing(p) else f"{p:{form}}"


def _ci(pair, form: str = ".1%") -> str:
    if pair is None or _missing(pair[0]) or _missing(pair[1]):
        return "-"
    return f"{pair[0]:{form}} - {pair[1]:{form}}"


def _points(d: dict) -> str:
    low, high = d["ci95"]
    return f"{d['difference'] * 100:+.1f} ({low * 100:+.1f} to {high * 100:+.1f})"


def outcome_table(summary: dict) -> list[str]:
    vs = summary.get("vs_baseline")
    head = "| outcome | probability | 95% CI | median | quartiles |"
    rule = "|---|---:|---|---|---|"
    if vs:
        head += f" {vs['reference']} | difference, points (paired 95% CI) | median shift, years |"
        rule += "---:|---|---|"
    lines = [head, rule]
    for outcome in OUTCOMES:
        name, label = outcome.id, outcome.title
        o = summary["outcomes"][name]
        quartiles = "-" if o["quartiles"] is None else \
            f"{month_year(o['quartiles'][0])} - {month_year(o['quartiles'][1])}"
        line = (f"| {label} | {_pct(o['probability'])} | {_ci(o['ci95'])} | "
                f"{month_year(o['median_year'])} | {quartiles} |")
        if vs:
            d = vs[name]
            shift = "-" if d["median_shift"] is None else (
                f"{d['median_shift']:+.1f} ({d['median_shift_ci95'][0]:+.1f} to "
                f"{d['median_shift_ci95'][1]:+.1f})")
            line += f" {_pct(d['reference']['probability'])} | {_points(d)} | {shift} |"
        lines.append(line)
    return lines


def own_turns_lines(summary: dict) -> list[str]:
    """Where each ally turned in some world, each ally's own turns (the outcome is the
    first)."""
    lines = []
    for outcome in OUTCOMES:
        turns = own_turns(summary["outcomes"][outcome.id])
        if turns:
            lines += ["", f"The {outcome.title} is the first of the allies' turns; each ally's "
                      f"own turns, as a share of the worlds: {turns}."]
    return lines


def survival_table(summary: dict) -> list[str]:
    s = summary["survival"]
    vs = s.get("vs_baseline")
    head, rule = "| year | still allied | 95% band |", "|---|---:|---|"
    if vs:
        head += " difference from the baseline, points (paired 95% CI) |"
        rule += "---|"
    lines = [head, rule]
    for year, at in s["at_milestones"].items():
        line = f"| {year} | {_pct(at['probability'])} | {_ci(at['ci95'])} |"
        if vs:
            line += f" {_points(vs[year])} |"
        lines.append(line)
    lines += ["", "Split hazard by period: splits per 100 world-years at risk among the worlds "
              "still allied, with an exact Poisson interval. It is a rate, not a share: above "
              "100 where the worlds still allied mostly split within the year.", "",
              "| period | splits | world-years at risk | splits per 100 world-years | 95% CI |",
              "|---|---:|---:|---:|---|"]
    for p in s["hazard"]["periods"]:
        rate, (low, high) = p["rate"], p["ci95"]
        per_100 = "-" if _missing(rate) else f"{100 * rate:.2f}"
        ci = "-" if _missing(low) or _missing(high) else f"{100 * low:.2f} - {100 * high:.2f}"
        lines.append(f"| {period_label(p['years'])} | {p['splits']:,} | "
                     f"{p['world_years']:,.0f} | {per_100} | {ci} |")
    return lines


def drivers_table(summary: dict) -> list[str]:
    block = summary["drivers"]
    split, every = block["split_worlds"], block["all_worlds"]
    lines = ["Mean contribution of each mechanism to a world's change in cohesion, in points "
             "of cohesion on its 0-1 scale; negative values pushed the allies apart. The "
             "contributions add up to the change itself (net change).", "",
             f"| mechanism | worlds that split ({split['worlds']:,}): {split['span']} | "
             f"all worlds ({every['worlds']:,}): {every['span']} |", "|---|---:|---:|"]
    for d in block["drivers"]:
        mine = "-" if split["mean"] is None else f"{split['mean'][d]:+.3f}"
        lines.append(f"| {DRIVER[d].label} | {mine} | {every['mean'][d]:+.3f} |")
    total = "-" if split["total"] is None else f"{split['total']:+.3f}"
    lines.append(f"| **net change** | **{total}** | **{every['total']:+.3f}** |")
    return lines


def _held(row: dict | None) -> str:
    """A holder's cell: his share of the worlds still allied and, where `shown`, the share of
    them that split; '-' where he did not hold the office in any."""
    if row is None:
        return "-"
    share = "<1%" if row["share"] < 0.01 else f"{row['share']:.0%}"
    return f"{share} / {row[HEADLINE.id]['probability']:.0%}" if shown(row) else share


def holders_table(summary: dict) -> list[str]:
    """Outcomes by who held each office at each milestone, for each office that at least two
    persons held in enough worlds to tell their outcomes apart."""
    offices = contested(summary["holders"])
    if not offices:
        return ["At no milestone did two persons each hold an office in enough of the worlds "
                f"still allied (at least {SHOWN_SHARE:.0%} of them and {SHOWN_WORLDS} worlds) "
                "to tell their outcomes apart; summary.json (`holders`) has every holder."]
    lines = ["Of the worlds still allied as each milestone year began, the share in which each "
             "person held his nation's office then, and the share of those worlds that split "
             "after it, by the horizon (each cell: held / split; later milestones leave less "
             "time to split). A frequency among the worlds, not the person's effect: worlds "
             "that put different persons in office also differ in what brought them there. "
             "It counts the office holder, not a person with real power behind him "
             "(`real_power`). "
             f"The split is given where he held the office in at least {SHOWN_SHARE:.0%} of the "
             f"worlds and in {SHOWN_WORLDS} or more; '-' where he held it in none. "
             "summary.json (`holders`) has every holder, with 95% intervals and the "
             "realignment."]
    for office in offices:
        years = office["years"]
        lines += ["", f"| {office['name']} | " + " | ".join(years) + " |",
                  "|---|" + "---:|" * len(years),
                  "| *worlds still allied* | "
                  + " | ".join(f"{office['allied'][y]:,}" for y in years) + " |"]
        for rows in office["rows"].values():
            name = capitalised(next(iter(rows.values()))["name"])
            lines.append(f"| {name} | " + " | ".join(_held(rows.get(y)) for y in years) + " |")
    return lines


def history_table(summary: dict) -> list[str]:
    checks = summary.get("history_check") or []
    if not checks:
        return ["This scenario sets no history check."]
    passed = sum(c["passed"] for c in checks)
    lines = [f"{passed} of {len(checks)} within the historical record.", "",
             "| check | value | target | result |", "|---|---:|---|---|"]
    for c in checks:
        lines.append(f"| {c['name']} | {shown_value(c['statistic'], c['value'])} | {c['target']} | "
                     f"{'pass' if c['passed'] else '**miss**'} |")
    return lines


def _overridden(summary: dict) -> list[str]:
    shorts = short_overrides(summary.get("overrides"))
    if not shorts:
        return []
    given = " ".join(f"`{o}`" for o in summary["overrides"] if o.lstrip("+~").startswith(
        "scenario."))
    return ["", f"This run changed the scenario `{summary['scenario']}` as its file has it: "
            f"{given}."]


def render_report(summary: dict, plots: list[str]) -> str:
    """The page as Markdown; `plots` are paths relative to the run folder."""
    chronicle = summary["chronicle"]
    vs = summary.get("vs_baseline")
    lines = [
        f"# {title_of(summary)}",
        "",
        f"Scenario `{label_of(summary)}`: {summary['runs']:,} worlds, seed {summary['seed']}, "
        f"chunk size {summary['chunk_size']:,}, version {summary['version']}. Files: "
        "[summary.json](summary.json), [runs.parquet](runs.parquet) (one row per world), "
        f"[chronicle.md]({chronicle['file']}).",
        *_overridden(summary),
        "",
        *question_lines(summary),
        "## Outcomes",
        "",
        *outcome_table(summary),
        "",
        "A world with no split by the horizon counts as intact (censored), not as a failure.",
        *own_turns_lines(summary),
    ]
    if vs:
        lines += ["", f"Differences are from `{vs['reference']}` run on the same seeds, paired "
                  "world by world (common random numbers)."]
    if "given" in summary:
        from sim.calibration.text import given_markdown

        lines += ["", *given_markdown(summary)]
    departs = ["", "This scenario departs from history: a miss measures how far, not an error."]
    from sim.calibration.text import evidence_markdown

    lines += ["", "## History check", "", *history_table(summary), *evidence_markdown(summary),
              *(departs if vs else []),
              "", "## Survival of the alliance", "", *survival_table(summary),
              "", "## Why it split", "", *drivers_table(summary),
              "", "## The split by who held power", "", *holders_table(summary),
              "", "## Plots", ""]
    for path in plots:
        caption = CAPTIONS.get(Path(path).stem, Path(path).stem)
        lines += [f"### {caption}", "", f"![{caption}]({path})", ""]
    told = summary.get("chronicles") or [chronicle]
    lines += ["## A chronicle of one world" if len(told) == 1 else "## Chronicles", ""]
    lines += [f"[World {c['world']}]({c['file']}), {c['why']}." for c in told]
    lines += ["", "Each is told year by year: who held power, each turning point and the "
              "choice made, the crises, the split, with the cohesion at each turn. Any other "
              "world of this run: `python -m sim.outputs.chronicle FOLDER world=ID`."]
    return "\n".join(lines) + "\n"


def write_report(path: Path, summary: dict, plots: list[str]) -> None:
    path.write_text(render_report(summary, plots))
