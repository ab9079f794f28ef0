"""Junctures: dated decisions, each taken by whoever holds the actor's office in that world.

docs/MODEL.md, sections 3.3.5 and 3.3.6. The holder's choice is a multinomial logit on his traits
and the cohesion (`AllyAgent.decide`); the chosen option's effects are applied at once by the
processes that declare them, a change of leader last, so that the other effects fall on the
relationship as it stood when the choice was made.
"""

from __future__ import annotations

import math

import numpy as np

from sim.engine.processes.conditions import holds
from sim.engine.processes.power import Power
from sim.engine.processes.split import SPLIT
from sim.engine.specs import NOT_YET, EventKind, Labels, Process, Stream

CHOICE = Stream("juncture:{juncture}")

WHEN = ("allied", SPLIT.id, "always")
"""When a juncture arises: only in worlds allied (not split, or reconciled since), only in worlds
split and not reconciled, or always."""


def _sentence(text: str) -> str:
    text = text.strip()
    text = text[:1].upper() + text[1:]
    return text if text[-1:] in ".!?" else text + "."


def _tell_choice(event, story) -> str:
    juncture = story.juncture(event.details["juncture"])
    option = juncture.options[event.details["option"]]
    text = option.text.replace("{holder}", story.holder_of(juncture.actor))
    history = juncture.historical
    if history is None:
        return f"*{juncture.title}.* {_sentence(text)}"
    note = "as in history" if history is option else "unlike history"
    return f"*{juncture.title}.* {_sentence(text).rstrip('.')} ({note})."


CHOSEN = EventKind("juncture", "date", _tell_choice)


class Junctures(Process):
    """The dated turning points of the scenario, decided step by step."""

    name = "junctures"
    streams = (CHOICE,)
    events = (CHOSEN,)

    def __init__(self, model):
        super().__init__(model)
        world = model.world
        self.choices = {j.id: np.full(model.n_worlds, NOT_YET) for j in world.juncture_list}
        self.due: dict[int, list] = {}   # step -> [(juncture, the worlds it falls in or None)]
        self.uniforms: dict[str, np.ndarray] = {}
        for j in world.juncture_list:
            if np.ndim(j.date) == 0:
                self.due.setdefault(world.step_of(j.date), []).append((j, None))
                continue
            steps = world.step_of(j.date)
            for step in np.unique(steps):   # a date drawn in each world: decided in the step
                self.due.setdefault(int(step), []).append((j, steps == step))  # each falls in

    def decide(self) -> None:
        """Let the holder of the actor's office choose at each juncture dated this step, in
        date order with the step's challenges dated after its first juncture (Power)."""
        power = self.model.get(Power)
        for juncture, worlds in self.due.get(self.model.t, []):
            dates = juncture.date if worlds is None else np.asarray(juncture.date)[worlds]
            power.challenges_until(float(np.min(dates)))
            self._decide(juncture, worlds)
        power.challenges_until(math.inf)

    def _decide(self, juncture, worlds: np.ndarray | None = None) -> None:
        model = self.model
        split = model.split_unhealed()
        allied, after, always = WHEN
        active = {allied: ~split, after: split, always: np.ones_like(split)}[juncture.when]
        options = juncture.option_list
        if juncture.requires is not None or juncture.excludes is not None:
            active = active & holds(model, juncture.requires, juncture.excludes)
        u = None
        if worlds is not None:   # the uniforms are drawn once, for every world, when the
            active = active & worlds   # juncture first comes up in any of them
            if juncture.id not in self.uniforms:
                self.uniforms[juncture.id] = model.streams(CHOICE.of(
                    juncture=juncture.id)).random(model.n_worlds)
            u = self.uniforms[juncture.id]
        open_options = None
        if any(o.requires is not None or o.excludes is not None for o in options):
            open_options = np.stack([holds(model, o.requires, o.excludes) & (o.weight > 0)
                                     for o in options])
            active = active & open_options.any(axis=0)
        choice = model.ally(juncture.actor).decide(juncture, open_options, u)
        forced = model.forced.get(juncture.id)
        if forced is not None:
            choice = np.where(forced >= 0, forced, choice)
        self.choices[juncture.id] = np.where(active, choice, self.choices[juncture.id])
        for k, option in enumerate(juncture.option_list):
            worlds = active & (choice == k)
            if worlds.any():
                model.emit(CHOSEN, worlds, juncture=juncture.id, option=option.id,
                           cohesion=model.cohesion, date=juncture.date)
                model.apply_effects(option.effects, worlds, juncture.date)

    def columns(self) -> dict:
        return {f"choice.{j.id}": Labels(self.choices[j.id], list(j.options))
                for j in self.model.world.juncture_list}
