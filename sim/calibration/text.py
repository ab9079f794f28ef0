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
    for name, piece in a["pieces"].items():
        used = f"{piece['kept_without_it']:>9,}" if piece["used"] else "   (not used)"
        lines.append(f"  {name:<26}{piece['share_matching']:7.1%}  {used}   {piece['record']}")
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
