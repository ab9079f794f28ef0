"""The short text a person reads in the terminal at the end of a run."""

from __future__ import annotations

from sim.analysis.history import shown_value
from sim.analysis.summary import own_turns
from sim.calendar import month_year
from sim.engine.schedule import OUTCOMES
from sim.outputs.naming import label_of, title_of


def outcome_line(label: str, o: dict) -> str:
    low, high = o["ci95"]
    when = ""
    if o["median_year"] is not None:
        q1, q3 = o["quartiles"]
        when = f"   median {month_year(o['median_year'])}, quartiles {month_year(q1)} - " \
               f"{month_year(q3)}"
    return f"  {label:<13}{o['probability']:6.1%}  (95% CI {low:.1%} - {high:.1%}){when}"


def _no_shift(d: dict, reference: str) -> str:
    """Why an outcome has no shift of its median date: it happened in no world of one run (a
    median that exists in one run only has not stayed the same)."""
    theirs = d["reference"]["probability"]
    ours = theirs + d["difference"]
    if max(theirs, ours) < 1e-12:
        return "no median year: in no world of either run"
    return "no median year in " + ("this run" if ours < 1e-12 else reference) + ": in no world"


def comparison_lines(vs: dict) -> list[str]:
    """Differences from the reference run on the same seeds (common random numbers)."""
    lines = ["", f"Compared with {vs['reference']} on the same seeds (paired worlds):"]
    for outcome in OUTCOMES:
        d = vs[outcome.id]
        low, high = d["ci95"]
        shift = _no_shift(d, vs["reference"])
        if d["median_shift"] is not None:
            s_low, s_high = d["median_shift_ci95"]
            shift = f"median {d['median_shift']:+.1f} years ({s_low:+.1f} to {s_high:+.1f})"
        lines.append(f"  {outcome.label:<13}{d['difference'] * 100:+6.1f} points "
                     f"(95% CI {low * 100:+.1f} to {high * 100:+.1f})   {shift}")
        lines.append(f"  {'':<13}{vs['reference']}: {d['reference']['probability']:.1%}")
    return lines


def render(summary: dict, checks: list, folder) -> str:
    """The summary, the history check (if the scenario has one) and where the files went."""
    o = summary["outcomes"]
    lines = [
        title_of(summary),
        f"scenario {label_of(summary)}, {summary['runs']:,} worlds, seed {summary['seed']}",
        "",
    ]
    for outcome in OUTCOMES:
        lines.append(outcome_line(outcome.label, o[outcome.id]))
        for key in outcome.breakdowns():
            if len(o[outcome.id][key]) > 1:
                shares = ", ".join(f"{n} {p:.1%}" for n, p in o[outcome.id][key].items())
                lines.append(f"  {'':<13}{key.replace('_', ' ')}: {shares}")
        turns = own_turns(o[outcome.id])
        if turns:
            lines.append(f"  {'':<13}each ally's own turns: {turns}")
    for outcome in OUTCOMES:
        if o[outcome.id].get("by_year"):
            shares = ", ".join(f"{y}: {p:.0%}" for y, p in o[outcome.id]["by_year"].items())
            lines.append(f"  {outcome.label + ' by':<13}{shares}")
    lines.append("  (a world with no split by the horizon is counted as intact: censored)")
    if "vs_baseline" in summary:
        lines += comparison_lines(summary["vs_baseline"])
    if checks:
        passed = sum(c.passed for c in checks)
        lines += ["", f"History check: {passed} of {len(checks)} within the historical record"]
        if "vs_baseline" in summary:
            lines.append("  (this scenario departs from history: a miss measures how far, "
                         "not an error)")
        for c in checks:
            value = shown_value(c.check.statistic, c.value)
            mark = "pass" if c.passed else "MISS"
            lines.append(f"  [{mark}] {c.check.name:<34}{value:>8}   target {c.target}")
    if summary.get("evidence"):
        lines += evidence_lines(summary["evidence"])
    lines += ["", f"Wrote {folder}"]
    return "\n".join(lines)


def evidence_lines(evidence: dict) -> list[str]:
    """The share of worlds matching each piece of the record, told in the scenario's words (a
    juncture's option, which has none, by its juncture and option)."""
    width = max(len(name) for name in evidence) + 2
    return ["", "The record: share of worlds matching each piece of evidence",
            *(f"  {e['share']:6.1%}  {name:<{width}}{e['text']}" for name, e in evidence.items())]
