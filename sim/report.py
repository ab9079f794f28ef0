"""The short text a person reads at the end of a run."""

from __future__ import annotations

from sim.history import shown_value
from sim.world import calendar_date

MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()


def month_year(year: float | None) -> str:
    """1949.75 (1 October) -> 'Oct 1949'."""
    if year is None:
        return "-"
    date = calendar_date(year)
    return f"{MONTHS[date.month - 1]} {date.year}"


def outcome_line(label: str, o: dict) -> str:
    low, high = o["ci95"]
    when = ""
    if o["median_year"] is not None:
        q1, q3 = o["quartiles"]
        when = f"   median {month_year(o['median_year'])}, quartiles {month_year(q1)} - " \
               f"{month_year(q3)}"
    return f"  {label:<13}{o['probability']:6.1%}  (95% CI {low:.1%} - {high:.1%}){when}"


def comparison_lines(vs: dict) -> list[str]:
    """Differences from the reference run on the same seeds (common random numbers)."""
    lines = ["", f"Compared with {vs['reference']} on the same seeds (paired worlds):"]
    for name, label in (("split", "split"), ("border_clash", "border clash"),
                        ("realignment", "realignment")):
        d = vs[name]
        low, high = d["ci95"]
        shift = "median year unchanged: no events"
        if d["median_shift"] is not None:
            s_low, s_high = d["median_shift_ci95"]
            shift = f"median {d['median_shift']:+.1f} years ({s_low:+.1f} to {s_high:+.1f})"
        lines.append(f"  {label:<13}{d['difference'] * 100:+6.1f} points "
                     f"(95% CI {low * 100:+.1f} to {high * 100:+.1f})   {shift}")
        lines.append(f"  {'':<13}{vs['reference']}: {d['reference']['probability']:.1%}")
    return lines


def render(summary: dict, checks: list, folder) -> str:
    """The summary, the history check (if the scenario has one) and where the files went."""
    o = summary["outcomes"]
    lines = [
        summary["title"],
        f"scenario {summary['scenario']}, {summary['runs']:,} worlds, seed {summary['seed']}",
        "",
        outcome_line("split", o["split"]),
        outcome_line("border clash", o["border_clash"]),
        outcome_line("realignment", o["realignment"]),
    ]
    by_nation = ", ".join(f"{n} {p:.1%}" for n, p in o["realignment"]["by_nation"].items())
    lines.append(f"  {'':<13}by nation: {by_nation}")
    if o["split"]["by_year"]:
        shares = ", ".join(f"{y}: {p:.0%}" for y, p in o["split"]["by_year"].items())
        lines.append(f"  split by     {shares}")
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
    lines += ["", f"Wrote {folder}"]
    return "\n".join(lines)
