"""What a calibration and a run given history print in the terminal."""

from __future__ import annotations

from sim.calendar import month_year


def _num(value, form: str = ".3g") -> str:
    return "-" if value is None else f"{value:{form}}"


def _pair(pair, form: str = ".3g") -> str:
    return "-" if not pair or pair[0] is None else f"{pair[0]:{form}} - {pair[1]:{form}}"


def render_calibration(summary: dict, folder) -> str:
    a = summary["acceptance"]
    lines = [f"Calibration of {summary['scenario']} by rejection (ABC)",
             f"{a['worlds']:,} worlds from the priors, seed {summary['seed']}, chunk size "
             f"{summary['chunk_size']:,}, {summary['seconds']:.0f} s", "",
             f"kept {a['kept']:,} worlds: acceptance {a['rate']:.4%} (95% CI "
             f"{a['ci95'][0]:.4%} - {a['ci95'][1]:.4%}); effective sample size {a['ess']:,} "
             "(equal weights: the number kept)", "",
             "Evidence (share of all worlds matching each piece on its own; worlds kept "
             "without it):"]
    width = max((len(name) for name in a["pieces"]), default=0) + 2
    for name, piece in a["pieces"].items():
        used = f"{piece['kept_without_it']:>9,}" if piece["used"] else "   (not used)"
        lines.append(f"  {name:<{width}}{piece['share_matching']:7.1%}  {used}   "
                     f"{piece['record']}")
    strict = a["strictest"]
    if strict is not None:
        lines.append(f"  the strictest piece is {strict['piece']}: without it "
                     f"{strict['kept_without_it']:,} worlds would be kept")
    if a["kept"] < 500 and strict is not None:
        lines.append(f"  Too few worlds kept for stable figures: run more worlds, or relax the "
                     f"tolerance of {strict['piece']}.")
    lines += ["", f"  {'parameter':<34}{'prior median (90%)':>24}{'posterior median (90%)':>28}"
              f"{'width':>7}"]
    for name, p in summary["parameters"].items():
        prior, post = p["prior"], p["posterior"] or {}
        lines.append(f"  {name:<34}{_num(prior['median']):>8} ({_pair(prior['interval90'])})"
                     f"{_num(post.get('median')):>10} ({_pair(post.get('interval90'))})"
                     f"{_num(p['width_ratio'], '.2f'):>7}")
    lines.append("  (width: the posterior's 90% interval as a share of the prior's)")
    pairs = summary["correlations"]["pairs"][:5]
    if pairs:
        lines += ["", "Most correlated parameters among the kept worlds (Spearman):"]
        lines += [f"  {p['r']:+.2f}  {p['a']} ~ {p['b']}" for p in pairs]
    predictions = summary.get("leave_one_out") or (
        [summary["prediction"]] if summary.get("prediction") else [])
    if predictions:
        lines += ["", "Each piece predicted from the others (kept on the rest; share matching "
                  "it, against all worlds; dates: median and 90%):"]
        lines += ["  " + prediction_line(p) for p in predictions]
    lines += ["", f"Wrote {folder}"]
    return "\n".join(lines)


def prediction_line(p: dict) -> str:
    line = (f"{p['piece']:<24}{p['kept_on_the_rest']:>8,} kept  "
            f"{_num(p['share_matching'], '6.1%')} vs {p['share_among_all_worlds']:6.1%}")
    if "median_date" in p:
        line += (f"   {month_year(p['median_date'])} ({month_year((p['interval90'] or [None])[0])}"
                 f" - {month_year((p['interval90'] or [None, None])[1])}) vs "
                 f"{month_year(p['record_date'])}")
    return line


def _share(p: float, ci) -> str:
    return f"{p:6.1%} ({ci[0]:.1%}-{ci[1]:.1%})"


def _points(d: dict) -> str:
    return (f"{d['difference'] * 100:+.1f} ({d['ci95'][0] * 100:+.1f} to "
            f"{d['ci95'][1] * 100:+.1f})")


def given_lines(summary: dict) -> list[str]:
    """The unconditioned answer and the conditioned one, side by side."""
    from sim.calibration.given import QUESTION
    from sim.engine.schedule import HEADLINE, OUTCOMES

    g = summary["given"]
    label = "(b) given history" if g["mode"] == "history" else "(c) given before"
    vs = summary.get("vs_baseline")
    lines = ["", f"Two questions about \"{summary['title']}\":",
             f"  (a) {QUESTION[None]}", f"      {summary['runs']:,} worlds.",
             f"  {label[:3]} {QUESTION[g['mode']]}",
             f"      {g['kept_worlds']:,} worlds" + (
                 f" (the first by world id of {g['matching_worlds']:,})"
                 if g["matching_worlds"] > g["kept_worlds"] else "")
             + f" of the {g['calibration_worlds']:,} of the calibration in {g['posterior']}"
             + (f", matching the record known by {g['divergence']}" if g["divergence"]
                else ", matching the record"),
             f"      ({_record_known(g)}).", "",
             f"  {'':<14}{'(a) from the start':<26}{label:<26}{'history, same worlds':<22}"]
    for o in OUTCOMES:
        mine, theirs = summary["outcomes"][o.id], g["outcomes"][o.id]
        lines.append(f"  {o.label:<14}{_share(mine['probability'], mine['ci95']):<26}"
                     f"{_share(theirs['probability'], theirs['ci95']):<26}"
                     f"{theirs['factual']:6.1%}")
    if vs:
        lines.append(f"  {'split, points':<14}{_points(vs[HEADLINE.id]):<26}"
                     f"{_points(g['vs_history'][HEADLINE.id]):<26}"
                     f"(a) against {vs['reference']}, {label[:3]} against history")
    n = g["necessity"]
    if n["probability"] is not None:
        lines.append(f"  Probability of necessity of the split: {n['probability']:.1%} "
                     f"({n['ci95'][0]:.1%}-{n['ci95'][1]:.1%}): of the {n['split_in_history']:,}"
                     f" worlds that split in history, {n['not_under_the_change']:,} do not "
                     "split with the change.")
    s = g["split_shift"]
    if s["median"] is not None:
        lines.append(f"  Shift in the split date, {s['worlds']:,} worlds splitting both ways: "
                     f"median {s['median']:+.1f} years (95% CI {s['ci95'][0]:+.1f} to "
                     f"{s['ci95'][1]:+.1f}); 90% of worlds {s['range90'][0]:+.1f} to "
                     f"{s['range90'][1]:+.1f}.")
    lines.append("  The kept worlds differ in their parameters and their chance events: a "
                 "share among them averages over both, its interval is for the number of "
                 "worlds kept.")
    return lines


def given_markdown(summary: dict) -> list[str]:
    """report.md's section for a run given history."""
    return ["## The same change, given the record", "", "```", *given_lines(summary)[1:],
            "```"]


def evidence_markdown(summary: dict) -> list[str]:
    """report.md's table of the share of worlds matching each piece of the record."""
    if not summary.get("evidence"):
        return []
    lines = ["", "The record as evidence: the share of worlds matching each piece "
             "(history.evidence, and each juncture's historical option).", "",
             "| piece | the record | worlds matching | 95% CI |", "|---|---|---:|---|"]
    for name, e in summary["evidence"].items():
        lines.append(f"| {name} | {e['text']} | {e['share']:.1%} | {e['ci95'][0]:.1%} - "
                     f"{e['ci95'][1]:.1%} |")
    return lines


def _record_known(g: dict) -> str:
    """The pieces the kept worlds match, and the outcomes that had not yet come."""
    pieces = ", ".join(g["evidence"]) or "no evidence"
    pending = g.get("not_yet") or []
    if not pending:
        return pieces
    return f"{pieces}; and no {' or '.join(p.replace('_', ' ') for p in pending)} by then"


def question_lines(summary: dict) -> list[str]:
    """report.md's sentence (or two, with `given`) on which question the figures answer."""
    from sim.calibration.given import QUESTION

    mode = summary.get("mode")
    if mode is None:
        return []
    if mode["given"] is None:
        return [f"The question this run answers: {mode['question']}", ""]
    return [f"The tables answer (a): {QUESTION[None]}", "",
            f"The section \"The same change, given the record\" answers "
            f"({'b' if mode['given'] == 'history' else 'c'}), from {mode['kept_worlds']:,} "
            f"kept worlds: {mode['question']}", ""]
