"""Nations and persons as mesa agents, each "the same actor in W parallel worlds".

A mesa user will recognise the agents: they are `mesa.Agent`s registered with the model, and the
model's processes act on them through mesa's `AgentSet` (`model.agents_by_type[AllyAgent].do(...)`).
What differs from a textbook mesa model is the state: every attribute is a numpy array whose
first axis is the world, so one call advances the actor in every world of a batch at once, and
10,000 worlds cost one pass of array arithmetic rather than 10,000 Python objects.

An agent owns what the actor is and decides: a person's traits; an ally's capability, the
traits of whoever holds its office, the holder's choice at a juncture, a change of holder. The
rules that act on an actor over time (its leader's death or ouster, its line's drift, its
public polemics) live with their process in `sim/engine/processes/` and are applied to each
actor through `AgentSet.do`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np
from mesa.agent import AgentSet

from sim.engine.processes.junctures import CHOICE
from sim.engine.processes.offices import HOLDER
from sim.engine.rates import at
from sim.engine.series import along_paths, series_at
from sim.engine.specs import HOLD, IDEOLOGY, IDEOLOGY_TRAIT, PREDICTORS, TRAIT, TRAITS
from sim.engine.streams import inverse_cdf

ROW = {name: k for k, name in enumerate(PREDICTORS)}
"""Each trait's row in the Cast's stacked `traits`; PRIDE follows them."""
PRIDE = len(PREDICTORS)

if TYPE_CHECKING:
    from sim.scenario.schema import Juncture, Nation, Person, TraitSpec


def scaled(scale, series: np.ndarray) -> np.ndarray:
    """(T,) a series times a scale; (T, W) where the scale is drawn in each world, so that
    `[t]` is the value now either way."""
    if np.ndim(scale) == 0:
        return scale * series
    return series[:, None] * scale[None, :]


def sample_trait(spec: TraitSpec, rng: np.random.Generator, n: int) -> np.ndarray:
    """Draw `n` values by the inverse CDF of one uniform each (common random numbers).

    Using one uniform per world through the inverse CDF means two scenarios that give a trait
    different distributions still rank their worlds the same way on it.
    """
    u = rng.random(n)
    if spec.kind == "fixed":
        return np.full(n, spec.params[0])
    return inverse_cdf(spec.kind, spec.params, u)


class Cast:
    """Every person's state stacked by row, so an office's holder is one fancy index away.

    Attributes:
        ids: person ids, in row order (the scenario's order).
        nation: (P,) the nation each person belongs to.
        traits: (K + 1, P, W) sampled values of each of PREDICTORS, the five traits and the
            ideology, and last the pride each person gives his nation as its decider
            (`AllyAgent.pride`), stacked so that a decider's are gathered in one call.
        trait: trait name (and 'ideology') -> (P, W) its sampled values, a view of `traits`.
        death_year: (P, W) decimal year of death (set by the offices process).
        ousted: (P, W) removed from power for good.
        security: (P,) each person's hold on power when he takes office; (P, W) where a
            person's security is drawn in each world.
    """

    def __init__(self, persons: dict[str, Person], n_worlds: int):
        self.ids = list(persons)
        self.nation = np.array([p.nation for p in persons.values()])
        self.traits = np.empty((len(PREDICTORS) + 1, len(persons), n_worlds))
        self.trait = dict(zip(PREDICTORS, self.traits, strict=False))
        self.death_year = np.empty((len(persons), n_worlds))
        self.ousted = np.zeros((len(persons), n_worlds), dtype=bool)
        security = [p.security for p in persons.values()]
        if all(np.ndim(v) == 0 for v in security):
            self.security = np.array(security)
        else:
            self.security = np.stack([np.broadcast_to(v, n_worlds) for v in security])

    def row(self, person_id: str) -> int:
        return self.ids.index(person_id)

    def set_pride(self, amplification) -> None:
        """Each person's pride as a decider, once the traits are drawn: the nation's middling
        pride, which his prestige-seeking amplifies or damps by `amplification` (at 1, his
        prestige-seeking alone, as in the first version of the model)."""
        ps = self.trait["prestige_seeking"]
        self.traits[PRIDE] = ps if np.all(amplification == 1.0) else 0.5 + amplification * (
            ps - 0.5)

    def security_of(self, rows: np.ndarray, worlds: np.ndarray) -> np.ndarray:
        """The security of the persons in `rows` (Cast rows) in the `worlds` (an index array
        as long)."""
        if self.security.ndim == 1:
            return self.security[rows]
        return self.security[rows, worlds]


class FixedAgentSet(AgentSet):
    """A mesa AgentSet whose members stay the same for the whole run: the allies, the outside
    powers.

    mesa's AgentSet holds its agents by weak reference, so every pass over it (`do`, a loop,
    an index) walks a WeakKeyDictionary under an iteration guard, about 10 us, and the
    processes make some sixty passes a step. These agents live as long as the model, so the
    set also keeps them in a tuple, in order, and passes over that.
    """

    def __init__(self, agents):
        self._members = tuple(agents)
        super().__init__(self._members)

    def __iter__(self):
        return iter(self._members)

    def __len__(self) -> int:
        return len(self._members)

    def __getitem__(self, item):
        return self._members[item]

    def do(self, method, *args, **kwargs) -> FixedAgentSet:
        for agent in self._members:
            if isinstance(method, str):
                getattr(agent, method)(*args, **kwargs)
            else:
                method(agent, *args, **kwargs)
        return self


class PersonAgent(mesa.Agent):
    """A leader or contender in W worlds.

    Attributes:
        spec: the Person from the scenario.
        traits: trait name (and 'ideology') -> (W,) sampled values, a row of the model's Cast.
    """

    def __init__(self, model, spec: Person, row: int):
        super().__init__(model)
        self.spec = spec
        n, cast = model.n_worlds, model.cast
        for name in TRAITS:
            cast.trait[name][row] = sample_trait(
                spec.traits[name], model.streams(TRAIT.of(person=spec.id, trait=name)), n)
        cast.trait[IDEOLOGY_TRAIT][row] = sample_trait(
            spec.ideology, model.streams(IDEOLOGY.of(person=spec.id)), n)
        self.traits = {name: values[row] for name, values in cast.trait.items()}


class AllyAgent(mesa.Agent):
    """One of the two allies in W worlds, with its paramount office.

    Attributes:
        spec: the Nation from the scenario.
        index: 0 or 1, its place in `alliance.members`.
        holder: (W,) Cast row of the person holding the office (replaced by `install`, never
            changed in place, so that an observer may keep the last one).
        holder_cell: (W,) the holder's cell in the Cast's flattened (P, W) arrays, so that
            what the Cast records of him is one `take` away (a 2-D gather costs several).
        decider: (W,) Cast row of the person who decides for the nation: the holder, or a
            person with real power behind him (`real_power`).
        hold: (W,) the holder's hold on power in [0, 1] (starts at his `security`).
        failures: (W,) failures counted against the current holder.
        line: (W,) ideological line, 0 pragmatic/reformist to 1 radical/orthodox.
        grievance: (W,) accumulated grievance against the partner, decaying over time.
        recognition: (W,) status the partner grants this nation, in [0, 1].
        capability_path: (T,) the reference capability at each step.
        capability_paths: [(worlds, path)]: the (T,) reference the capability follows instead
            in the (W,) worlds that took an option with a `capability_path` effect, in the
            order taken (the last one a world took counts).
        capability_factor: (W,) this world's persistent deviation from the reference scores.
        capability_shock: (W,) a temporary shock (a collapse, a boom) that wears off.
        nuclear: (W,) whether this nation has the bomb.
        deference: (W,) its deference to the partner's founding leader, or None.
        coercion: (W,) how far its partner could and would force it back into line, or None
            (set by the Coercion process for a nation with a `coerced` series).
        partner: the other ally (set by the model once both exist).
    """

    def __init__(self, model, spec: Nation, index: int):
        super().__init__(model)
        n = model.n_worlds
        self.spec = spec
        self.index = index
        self.holder = np.full(n, model.cast.row(spec.holder), dtype=np.int64)
        self.holder_cell = self.holder * n + model.cols
        self.decider = self.holder
        self._traits = model.cast.traits.reshape(len(model.cast.traits), -1)[:, self.holder_cell]
        self._capability_at: int | None = None
        self.hold = np.full(n, model.world.persons[spec.holder].security)
        self.failures = np.zeros(n)
        self.line = np.full(n, spec.line)
        self.grievance = np.zeros(n)
        self.recognition = np.full(n, spec.recognition)
        self.capability_path = series_at(spec.capability, model.years)
        self.capability_paths: list = []
        self.capability_factor = np.ones(n)
        self.capability_shock = np.zeros(n)
        self.nuclear = np.zeros(n, dtype=bool)
        self.deference = np.full(n, spec.deference) if spec.deference_to else None
        self.coercion = None

    def holder_trait(self, name: str) -> np.ndarray:
        """(W,) trait `name` (or 'ideology') of whoever decides for the nation in each world:
        the office holder, or the person with real power behind him.

        Every process asks for it, so the decider's traits are kept, (K + 1, W), and updated
        in the worlds where he changes (`set_decider`): not to be changed by the caller.
        """
        return self._traits[ROW[name]]

    def set_decider(self, decider: np.ndarray, worlds: np.ndarray) -> None:
        """A new (W,) decider array (never changed in place, as the holder's is not), which
        differs from the last in the `worlds` (an index array) at most."""
        self.decider = decider
        cells = decider[worlds] * self.model.n_worlds + worlds
        self._traits[:, worlds] = self.model.cast.traits.reshape(len(self._traits), -1)[:, cells]

    def pride(self) -> np.ndarray:
        """(W,) how strongly the nation feels a slight and claims rank: its own middling pride,
        which its decider's prestige-seeking amplifies or damps (`leader_amplification`,
        `Cast.set_pride`). Kept with the decider's traits: not to be changed by the caller."""
        return self._traits[PRIDE]

    @property
    def restrained(self) -> bool:
        """Whether anything holds the nation back: deference or coercion."""
        return self.deference is not None or self.coercion is not None

    def restraint(self) -> np.ndarray | float:
        """How far the nation's claims, grievances and public attacks show: 1 - its deference
        to the partner, times 1 - its coercion by the partner (docs/MODEL.md, 'Deference' and
        'Coercion'); 1.0 for a nation held back by neither."""
        shown = 1.0 if self.deference is None else 1.0 - self.deference
        return shown if self.coercion is None else shown * (1.0 - self.coercion)

    @property
    def capability_shock(self) -> np.ndarray:
        """(W,) a temporary shock to capability (a collapse, a boom) that wears off."""
        return self._capability_shock

    @capability_shock.setter
    def capability_shock(self, shock: np.ndarray) -> None:
        self._capability_shock = shock
        self._capability_at = None

    def capability(self) -> np.ndarray:
        """(W,) material capability now, with this world's noise and shocks.

        Kept for the rest of the step once asked for (three processes ask), until the shock
        changes: not to be changed by the caller."""
        if self._capability_at != self.model.t:
            t = self.model.t
            reference = along_paths(self.capability_path[t], self.capability_paths, t)
            self._capability = (reference * self.capability_factor
                                * (1.0 + self.capability_shock))
            self._capability_at = self.model.t
        return self._capability

    def follow_capability(self, path, worlds: np.ndarray) -> None:
        """From now on, in the (W,) `worlds`, the reference capability follows the Series
        `path` (a secession, a union: a lasting change that only some worlds took)."""
        self.capability_paths.append((worlds.copy(), series_at(path, self.model.years)))
        self._capability_at = None

    def install(self, worlds: np.ndarray, person, how: str) -> None:
        """Put `person` (Cast rows, one per world, or one row) in office in the `worlds` (an
        index array).

        A new holder starts with no failures counted against him, his own `security` as his
        hold on power, and brings only part of his nation's grievance with him
        (`succession_grievance_reset`).
        """
        model = self.model
        self.holder = self.holder.copy()   # a new array: others may keep the old one
        self.holder[worlds] = person
        self.holder_cell = self.holder_cell.copy()
        self.holder_cell[worlds] = person * model.n_worlds + worlds
        decider = self.decider.copy()
        decider[worlds] = person
        self.set_decider(decider, worlds)
        self.hold[worlds] = model.cast.security_of(self.holder[worlds], worlds)
        self.failures[worlds] = 0.0
        self.grievance[worlds] *= at(1.0 - model.forces.succession_grievance_reset, worlds)
        model.emit(HOLDER, worlds, nation=self.spec.id, person=self.holder, how=how)

    def decide(self, juncture: Juncture, open_options: np.ndarray | None = None,
               u: np.ndarray | None = None) -> np.ndarray:
        """(W,) index of the option the decider takes.

        p(option) is proportional to `weight * exp(sum_k b_k (x_k - 0.5) + c (C - 0.5))`, a
        multinomial logit in which x_k are the decider's traits and ideology, C the cohesion,
        and `weight` the option's odds for an average decider at middling cohesion.

        Args:
            open_options: (K, W) which options are open in each world (an option's
                conditions, docs/MODEL.md 'Junctures'); None: all are.
            u: (W,) the juncture's uniforms, where they were drawn already (a juncture
                whose date differs between worlds draws them once); None: draw them now.
        """
        n = self.model.n_worlds
        if u is None:
            u = self.model.streams(CHOICE.of(juncture=juncture.id)).random(n)
        logits = np.empty((len(juncture.option_list), n))
        for k, option in enumerate(juncture.option_list):
            score = option.cohesion * (self.model.cohesion - 0.5)
            for name, b in option.traits.items():
                value = self.hold if name == HOLD else self.holder_trait(name)
                score = score + b * (value - 0.5)
            with np.errstate(divide="ignore"):
                logits[k] = np.log(option.weight) + score
        if open_options is not None:
            logits = np.where(open_options, logits, -np.inf)
            top = logits.max(axis=0)
            logits -= np.where(np.isfinite(top), top, 0.0)[None, :]
        else:
            logits -= logits.max(axis=0)
        p = np.exp(logits)
        cumulative = np.cumsum(p, axis=0) / p.sum(axis=0)
        choice = np.minimum((cumulative < u[None, :]).sum(axis=0), len(juncture.option_list) - 1)
        return choice


class OutsidePowerAgent(mesa.Agent):
    """A power outside the alliance: a threat that binds or divides the allies, a partner that
    may draw one of them away, a patron that may offer aid.

    Attributes:
        threat: ally id -> (T,) its threat to that ally at each step, scaled.
        openness: ally id -> (T,) its openness to that ally as a partner, scaled.
        offer: ally id -> (T,) the aid it offers that ally (zero where none).
        detente: ally id -> (T,) its detente with that ally (zero where none).
        leverage: (power id, ally id) -> (T,) how far it could hold back that other power's
            threat to that ally, were the ally to turn to it (only where the scenario gives it).
        threat_shift: ally id -> (W,) a lasting change to its threat to that ally made by
            juncture options (`threat` effect), where any.
        paths: (field, ally id) -> [(worlds, path)], for the fields 'threat_to', 'openness_to',
            'aid_to' and 'detente_with': the (T,) path the series follows instead of the
            scenario's in the (W,) worlds that took an option with a `threat_path`,
            `openness_path`, `offer_path` or `detente_path` effect, in the order taken (the
            last one a world took counts).
        capability_path: (T,) its capability, or None where the scenario gives none.
    """

    def __init__(self, model, spec: Nation, index: int):
        super().__init__(model)
        self.spec = spec
        self.index = index
        years, zero = model.years, np.zeros(len(model.years))
        self.threat = {m: scaled(spec.threat_scale, series_at(s, years))
                       for m, s in spec.threat_to.items()}
        self.openness = {m: scaled(spec.openness_scale, series_at(s, years))
                         for m, s in spec.openness_to.items()}
        self.offer = {m: series_at(spec.aid_to[m], years) if m in spec.aid_to else zero
                      for m in model.world.members}
        self.capability_path = (None if spec.capability is None
                                else series_at(spec.capability, years))
        self.detente = {m: series_at(spec.detente_with[m], years) if m in spec.detente_with
                        else zero for m in model.world.members}
        self.leverage = {(power, m): series_at(s, years)
                         for power, block in spec.leverage_over.items() for m, s in block.items()}
        self.threat_shift: dict[str, np.ndarray] = {}
        self.paths: dict[tuple[str, str], list] = {}
        # the scenario's series and their scales, by the field that gives them
        self.fields = {"threat_to": (self.threat, spec.threat_scale),
                       "openness_to": (self.openness, spec.openness_scale),
                       "aid_to": (self.offer, 1.0),
                       "detente_with": (self.detente, 1.0)}

    def now(self, field: str, ally_id: str):
        """The series of `field` ('threat_to', 'openness_to', 'aid_to' or 'detente_with')
        toward the ally now: the scenario's, or, in the worlds where a juncture set it on
        another path (a war not fought), that path's. A number where every world has the
        scenario's, else (W,)."""
        t, paths = self.model.t, self.paths.get((field, ally_id), ())
        return along_paths(self.fields[field][0][ally_id][t], paths, t)

    def threat_now(self, ally_id: str):
        """Its threat to the ally now (`now`), shifted in the worlds where a juncture moved it
        (a second patron restraining the threat, a war that raised it)."""
        threat = self.now("threat_to", ally_id)
        shift = self.threat_shift.get(ally_id)
        return threat if shift is None else np.maximum(0.0, threat + shift)

    def follow(self, field: str, ally_id: str, path, worlds: np.ndarray) -> None:
        """From now on, in `worlds`, the series of `field` toward the ally follows the Series
        `path`, scaled as the scenario's is."""
        values = scaled(self.fields[field][1], series_at(path, self.model.years))
        self.paths.setdefault((field, ally_id), []).append((worlds.copy(), values))
