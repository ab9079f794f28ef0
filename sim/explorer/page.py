"""The explorer's page in Solara: controls in, figures out. Start it with `python -m
sim.explorer` (or `alliance-sim explore`), which sets Solara up to work offline.

The page only holds the settings (an ExplorerState, per browser tab) and shows what
sim/explorer/results.py computes from them; nothing here touches the engine.
"""

from __future__ import annotations

import html
import os
import threading
from dataclasses import replace
from pathlib import Path

import markdown
import solara
from solara.lab import use_task

from sim.calendar import parse_date
from sim.errors import InputError
from sim.explorer import engine
from sim.explorer import results as core
from sim.explorer import state as st
from sim.paths import SCENARIOS

SAVE_TO = Path(os.environ.get("ALLIANCE_SIM_SAVE_TO") or SCENARIOS)
"""Where "save" writes scenario files: scenarios/ (`python -m sim.explorer --save-to DIR`)."""
settings = solara.reactive(st.ExplorerState())
person = solara.reactive("")
juncture = solara.reactive("")
chronicle_pick = solara.reactive("median")
chronicle_where = solara.reactive("")
saved = solara.reactive(("", ""))   # (kind, message) of the last save: 'ok' or 'error'
tab = solara.reactive(0)
FIGURE_TABS = (("survival", "Survival"), ("outcomes", "Outcomes and the reference"),
               ("drivers", "Drivers"))

# Compose the baseline and run it once off the request path, so the first page is quick.
threading.Thread(target=lambda: core.compute(st.ExplorerState()), daemon=True).start()

AUTO = "as the holder decides"
STYLE = ("<style>.md strong{font-weight:bold}.md table{border-collapse:collapse;margin:0.5em 0}"
         ".md td,.md th{padding:2px 10px;"
         "border-bottom:1px solid #ddd;text-align:left}</style>")


def Html(text: str, classes: str = "", style: str = ""):
    """Markdown shown as HTML (any HTML in the text is shown as text). Not solara.Markdown:
    that loads KaTeX from a CDN for formulas, which the page neither needs nor may fetch
    offline."""
    body = markdown.markdown(html.escape(text, quote=False), extensions=["tables"])
    return solara.HTML(tag="div", unsafe_innerHTML=STYLE + body,
                       classes=["md", *classes.split()], style=style)


def _centre(value) -> float:
    """A fixed trait as it is; a distribution at its mode or centre (where a slider starts)."""
    if isinstance(value, dict):
        (kind, args), = value.items()
        if kind == "triangular":
            return float(args[1])
        if kind == "beta":
            return float(args[0] / (args[0] + args[1]))
        return float(sum(args) / len(args))
    return float(value)


def _compute(s: st.ExplorerState, gate: core.LatestOnly):
    try:
        return gate(s)
    except InputError as error:
        return f"error: {error}"


@solara.component
def Persons(s: st.ExplorerState, catalogue: st.Catalogue):
    names = {f"{p.name} ({p.nation})": p.id for p in catalogue.persons}
    chosen = person.value if person.value in names.values() else catalogue.persons[0].id
    label = next(k for k, v in names.items() if v == chosen)
    solara.Select("person", values=list(names), value=label,
                  on_value=lambda name: person.set(names[name]))
    for trait in catalogue.traits:
        path = st.trait_path(chosen, trait)
        value = s.value(path)
        solara.SliderFloat(trait.replace("_", " "), value=_centre(value), min=0.0, max=1.0,
                           step=0.05, on_value=lambda v, p=path: settings.set(
                               settings.value.set(p, round(v, 2))))
        if isinstance(value, dict):
            solara.Text(f"sampled in each world: {value}", style={"font-size": "small"})


@solara.component
def Junctures(s: st.ExplorerState, catalogue: st.Catalogue):
    titles = {f"{j.date[:4]}: {j.title}": j.id for j in catalogue.junctures}
    chosen = juncture.value if juncture.value in titles.values() else catalogue.junctures[0].id
    label = next(k for k, v in titles.items() if v == chosen)
    solara.Select("turning point", values=list(titles), value=label,
                  on_value=lambda title: juncture.set(titles[title]))
    j = catalogue.juncture(chosen)
    date = str(s.value(st.date_path(j.id)))
    problem, set_problem = solara.use_state("")

    def set_date(text):
        try:
            parse_date(text)
        except (InputError, ValueError) as error:
            set_problem(f"{text}: {error}")
            return
        set_problem("")
        settings.set(settings.value.set(st.date_path(j.id), text))

    solara.InputText("date (YYYY-MM-DD)", value=date, on_value=set_date,
                     error=problem or False, message=problem or None)
    options = [AUTO] + [f"{mode}: {o.id}" for mode in (st.FORCE, st.FORBID) for o in j.options]
    current = s.choice(j.id)
    solara.Select("choice", values=options,
                  value=AUTO if current is None else f"{current[0]}: {current[1]}",
                  on_value=lambda v: settings.set(settings.value.choose(
                      j.id, *((None,) if v == AUTO else v.split(": ")))))
    for o in j.options:
        solara.Text(f"{o.id}: {o.text} (weight {o.weight:g})", style={"font-size": "small"})


@solara.component
def Outside(s: st.ExplorerState, catalogue: st.Catalogue):
    for nation, name in catalogue.outside:
        for field in st.SCALES:
            what = field.removesuffix("_scale")
            path = f"nations.{nation}.{field}"
            own, value = s.own(path), s.value(path)
            shown = f"{value:g}" if isinstance(value, int | float) else "drawn in each world"
            solara.Checkbox(label=f"{name}: {what} (scale {shown})", value=bool(value),
                            on_value=lambda on, p=path, o=own: settings.set(
                                settings.value.set(p, (o or 1.0) if on else 0.0)))


@solara.component
def Changes(s: st.ExplorerState):
    changes = s.changes()
    if not changes:
        solara.Text("No changes: the scenario as its file has it.")
    for path, value in s.values:
        with solara.Row():
            solara.Text(f"{path} = {value}", style={"font-size": "small"})
            solara.Button("undo", text=True, small=True,
                          on_click=lambda p=path: settings.set(settings.value.unset(p)))
    for jid, mode, option in s.choices:
        with solara.Row():
            solara.Text(f"{jid}: {mode} {option}", style={"font-size": "small"})
            solara.Button("undo", text=True, small=True,
                          on_click=lambda j=jid: settings.set(settings.value.choose(j, None)))
    if changes:
        solara.Button("reset all", on_click=lambda: settings.set(settings.value.reset()))


@solara.component
def Save(s: st.ExplorerState):
    name, set_name = solara.use_state("")
    title, set_title = solara.use_state("")
    divergence, set_divergence = solara.use_state("")
    claim, set_claim = solara.use_state("")

    def save():
        try:
            path = st.save_scenario(s, SAVE_TO, name, title, divergence, claim)
        except InputError as error:
            saved.set(("error", str(error)))
            return
        saved.set(("ok", f"Wrote {path}. Run it: python run.py scenario={name}"))

    solara.InputText("file name (scenario=NAME)", value=name, on_value=set_name,
                     continuous_update=True)
    solara.InputText("title", value=title, on_value=set_title, continuous_update=True)
    solara.InputText("point of divergence (date: what differs)", value=divergence,
                     on_value=set_divergence, continuous_update=True)
    solara.InputText("claim tested", value=claim, on_value=set_claim, continuous_update=True)
    solara.Button(f"save as {SAVE_TO.name}/{name or 'NAME'}.yaml", on_click=save,
                  classes=["save-scenario"])
    kind, message = saved.value
    if kind == "ok":
        solara.Success(message, classes=["saved"])
    elif kind == "error":
        solara.Error(message, classes=["saved"])
    if name:
        text = st.scenario_file_of(s, name, title or "TITLE", divergence or "DIVERGENCE",
                                   claim or "CLAIM")
        # the header as it will be written: what the file will say, before it is saved
        solara.Preformatted("\n".join(text.splitlines()[:6]), class_="file-preview")
        solara.FileDownload(text, filename=f"{name}.yaml", label="download the file instead")


@solara.component
def Headline(r: core.Results):
    split = r.outcomes[0]
    with solara.Row(style={"align-items": "flex-end", "flex-wrap": "wrap"}):
        solara.Text(f"split {split.probability:.1%}", classes=["split-probability"],
                    style={"font-size": "1.6em", "font-weight": "bold"})
        solara.Text(f"(95% CI {split.ci95[0]:.1%} - {split.ci95[1]:.1%})")
        if r.reference_name:
            solara.Text(f"{r.reference_name} {split.reference:.1%}", classes=["reference"])
            low, high = split.difference_ci95
            solara.Text(f"paired difference {split.difference * 100:+.1f} points "
                        f"({low * 100:+.1f} to {high * 100:+.1f})", classes=["difference"])
        solara.Text(f"{r.state.runs:,} worlds, seed {r.state.seed}; computed in "
                    f"{r.seconds:.2f} s", classes=["compute-seconds"],
                    style={"color": "#666", "font-size": "small"})


@solara.component
def FigureTab(r: core.Results, name: str):
    """One chart, drawn in the background the first time its tab is shown."""
    drawn = use_task(lambda: r.figure(name), dependencies=[r.state, name], raise_error=False)
    solara.ProgressLinear(drawn.pending)
    if drawn.latest is not None:
        solara.Image(drawn.latest, width="100%", classes=[f"figure-{name}"])


@solara.component
def Chronicle(r: core.Results):
    def tell():
        try:
            return core.chronicle_of(r, chronicle_pick.value, chronicle_where.value or None)
        except InputError as error:
            return f"error: {error}"

    told = use_task(tell, dependencies=[r.state, chronicle_pick.value, chronicle_where.value],
                    raise_error=False)
    with solara.Row():
        solara.Select("world", values=["median", "earliest", "latest", "survivor"],
                      value=chronicle_pick.value, on_value=chronicle_pick.set)
        solara.InputText("where (a condition on the world's row, e.g. split_year > 1970)",
                         value=chronicle_where.value, on_value=chronicle_where.set)
    solara.ProgressLinear(told.pending)
    if told.latest:
        Html(told.latest, "chronicle", "max-height: 520px; overflow-y: auto")


@solara.component
def Page():
    s = settings.value
    gate = solara.use_memo(core.LatestOnly, dependencies=[])   # one per browser tab
    task = use_task(lambda: _compute(s, gate), dependencies=[s], raise_error=False)
    catalogue = solara.use_memo(lambda: st.catalogue(s.scenario), dependencies=[s.scenario])
    latest = task.latest

    solara.Title("alliance-sim explorer")
    with solara.Sidebar():
        solara.Select("scenario", values=engine.scenario_names(), value=s.scenario,
                      on_value=lambda name: settings.set(s.with_scenario(name)))
        solara.Select("worlds", values=list(st.RUNS), value=s.runs,
                      on_value=lambda n: settings.set(replace(s, runs=int(n))))
        with solara.Details("Persons: traits", expand=True):
            Persons(s, catalogue)
        with solara.Details("Turning points: date, force or forbid an option"):
            Junctures(s, catalogue)
        with solara.Details("Outside powers", expand=True):
            Outside(s, catalogue)
        with solara.Details("Your changes", expand=True):
            Changes(s)

    Html(f"### {catalogue.title}")
    solara.ProgressLinear(task.pending)
    if isinstance(latest, str):
        solara.Error(latest, classes=["run-error"])
    elif latest is not None:
        Headline(latest)
        Html(latest.table(), "outcomes-table")
        solara.HTML(tag="pre", unsafe_innerHTML=html.escape(st.command_of(latest.state)),
                    classes=["command"], style="white-space: pre-wrap")
        with solara.lab.Tabs(value=tab.value, on_value=tab.set):
            for k, (name, caption) in enumerate(FIGURE_TABS):
                with solara.lab.Tab(caption):
                    if tab.value == k:   # drawn when first shown
                        FigureTab(latest, name)
            with solara.lab.Tab("By who held power"):
                Html(latest.by_holder(), "holders-table")
            with solara.lab.Tab("One world's chronicle"):
                Chronicle(latest)
            with solara.lab.Tab("Save as a scenario file"):
                Save(s)
    if task.error:
        solara.Error(f"{task.exception}")
