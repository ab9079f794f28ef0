"""The alliance model: two allies, their leaders and a third power, stepped over W worlds at once.

Each quarter: leaders die or are ousted and successors are drawn; dated junctures are decided by
whoever holds the office in each world; the slow processes drift; cohesion relaxes toward the
level its forces warrant; and the outcomes (split, border clash, realignment) are recorded the
first time they happen. The mechanisms and their sources are in docs/MODEL.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import mesa
import numpy as np

from sim.agents import AllyAgent, PersonAgent, ThirdPowerAgent, halving_factor
from sim.streams import Streams
from sim.world import TRAITS, Juncture, World

MECHANISMS = ("threat", "aid", "ideology", "status", "grievance", "border")
"""The forces on cohesion, glue first; docs/MODEL.md gives each one's equation and theory."""

DRIVERS = MECHANISMS + ("baseline", "noise", "bound")
"""Every term of a cohesion change: the mechanisms, the pull toward the baseline, noise, and
clipping at [0, 1]. Their sum over a world's steps is exactly its change in cohesion."""

NOT_YET = -1
"""Step index recorded for an outcome that has not happened (yet)."""

COHESION_BINS = 100
"""Cohesion is histogrammed per step in bins of 1/COHESION_BINS, for fan charts."""


@dataclass
class Event:
    """One line of a traced world's history, for the chronicle."""

    step: int
    world: int
    kind: str
    details: dict = field(default_factory=dict)


class AllianceModel(mesa.Model):
    """W worlds of one scenario, stepped together.

    Args:
        world: the validated scenario.
        n_worlds: W, the number of worlds in this batch.
        streams: the named random streams of this seed block.
        trace: optional (W,) bool mask of worlds whose events are logged in `events`.

    Attributes:
        cohesion: (W,) current cohesion in [0, 1].
        aid: (W,) the junior partner's dependence on aid and trade, in [0, 1].
        border: (W,) border tension in [0, 1].
        split_step, clash_step, realign_step: (W,) step of each outcome, or NOT_YET.
        realign_nation: (W,) index (0 or 1) of the ally that realigned, or NOT_YET.
        split_holders: (W, 2) person row holding each ally's office when the split began.
        choices: dict juncture id -> (W,) index of the option taken, or NOT_YET.
        drivers_to_split: (W, len(DRIVERS)) contributions to cohesion from the start through
            the first quarter of the split (or to the horizon, in worlds that did not split).
        drivers_by_step: (T, len(DRIVERS)) contributions summed over worlds at each step.
        cohesion_histogram: (T, COHESION_BINS + 1) counts of worlds by cohesion at each step
            (the last bin holds cohesion exactly 1).
        polemics: (W,) number of public polemics.
    """

    def __init__(self, world: World, n_worlds: int, streams: Streams, trace=None):
        super().__init__(seed=streams.seed)  # mesa's own generators stay unused: every draw
        self.world = world                   # comes from a named stream of `streams`
        self.n_worlds = n_worlds
        self.streams = streams
        self.cols = np.arange(n_worlds)
        self.forces = world.forces
        self.t = 0
        self.years = world.year_of(np.arange(world.n_steps))
        self.trace = trace
        self.events: list[Event] = []
        self._lead_cache: dict[tuple[int, str], np.ndarray] = {}

        self.person_ids = list(world.persons)
        self.persons = [
            PersonAgent(self, world.persons[pid], i, streams, world.forces, world.start)
            for i, pid in enumerate(self.person_ids)
        ]
        self.trait = {t: np.stack([p.traits[t] for p in self.persons]) for t in TRAITS}
        self.trait["ideology"] = np.stack([p.ideology for p in self.persons])
        self.death_year = np.stack([p.death_year for p in self.persons])
        self.ousted = np.zeros((len(self.persons), n_worlds), dtype=bool)
        self.insecurity = np.array([1.0 - p.spec.security for p in self.persons])
        self.contender_weight = np.array([p.spec.contender_weight for p in self.persons])
        self.contender_from = np.array([p.spec.contender_from for p in self.persons])
        self.contender_until = np.array([p.spec.contender_until for p in self.persons])
        self.person_nation = np.array([world.persons[pid].nation for pid in self.person_ids])

        self.allies = [
            AllyAgent(self, world.nations[m], streams, world.forces,
                      self.person_ids.index(world.nations[m].holder), self.years)
            for m in world.members
        ]
        self.third = ThirdPowerAgent(self, world.nations[world.third_power], self.years)
        self.ally_index = {m: i for i, m in enumerate(world.members)}

        self.cohesion = np.full(n_worlds, world.initial_cohesion)
        self.aid = np.zeros(n_worlds)
        self.border = np.zeros(n_worlds)
        self.below = np.zeros(n_worlds, dtype=np.int64)
        self.sustain_steps = max(1, round(world.split_sustained_years * world.steps_per_year))
        self.split_step = np.full(n_worlds, NOT_YET)
        self.clash_step = np.full(n_worlds, NOT_YET)
        self.realign_step = np.full(n_worlds, NOT_YET)
        self.realign_nation = np.full(n_worlds, NOT_YET)
        self.spell_holders = np.zeros((n_worlds, 2), dtype=np.int64)
        self.split_holders = np.full((n_worlds, 2), NOT_YET)
        self.polemics = np.zeros(n_worlds, dtype=np.int64)
        self.choices = {j.id: np.full(n_worlds, NOT_YET) for j in world.junctures}
        self.junctures_at: dict[int, list[Juncture]] = {}
        for j in world.junctures:
            self.junctures_at.setdefault(world.step_of(j.date), []).append(j)

        self.drivers = np.zeros((n_worlds, len(DRIVERS)))
        self.spell_drivers = np.zeros((n_worlds, len(DRIVERS)))
        self.spell_cohesion = np.zeros(n_worlds)
        self.drivers_to_split = np.zeros((n_worlds, len(DRIVERS)))
        self.drivers_by_step = np.zeros((world.n_steps, len(DRIVERS)))
        self.cohesion_histogram = np.zeros((world.n_steps, COHESION_BINS + 1), dtype=np.int64)
        self._log("start", np.ones(n_worlds, bool), cohesion=self.cohesion)
        for ally in self.allies:
            self._log("holder", np.ones(n_worlds, bool), nation=ally.spec.id, person=ally.holder,
                      how="start")

    # ------------------------------------------------------------------ stepping

    def step(self) -> None:
        """Advance every world by one step."""
        self.fill_offices()
        self.decide_junctures()
        self.drift()
        self.update_cohesion()
        self.record_outcomes()
        self.t += 1

    def run(self) -> None:
        """Step from the start to the horizon."""
        for _ in range(self.world.n_steps):
            self.step()

    # ------------------------------------------------------------------ offices

    def lead(self, i: int, name: str) -> np.ndarray:
        """(W,) trait `name` (or 'ideology') of the person holding ally i's office.

        Cached until an office changes hands, since every process asks for it.
        """
        key = (i, name)
        if key not in self._lead_cache:
            self._lead_cache[key] = self.trait[name][self.allies[i].holder, self.cols]
        return self._lead_cache[key]

    def fill_offices(self) -> None:
        """Remove holders who died or were ousted this step, then draw their successors.

        Ouster hazard: `ouster_rate * (1 - security) * ouster_failure_factor ** failures` a
        year: a dictator is safer than a first among equals, and each failure (a failed
        policy, a lost confrontation) multiplies the risk.
        """
        dt, f = self.world.dt, self.forces
        end_of_step = self.years[self.t] + dt
        for i, ally in enumerate(self.allies):
            dead = self.death_year[ally.holder, self.cols] <= end_of_step
            rate = (f.ouster_rate * self.insecurity[ally.holder]
                    * f.ouster_failure_factor ** ally.failures)
            u = self.streams(f"ouster:{ally.spec.id}").random(self.n_worlds)
            ousted = ~dead & (u < -np.expm1(-rate * dt))
            self.ousted[ally.holder[ousted], self.cols[ousted]] = True
            self._log("death", dead, nation=ally.spec.id, person=ally.holder,
                      date=self.death_year[ally.holder, self.cols])
            self._log("ouster", ousted, nation=ally.spec.id, person=ally.holder)
            self._succeed(i, dead | ousted, "succession")

    def _succeed(self, i: int, vacant: np.ndarray, how: str) -> None:
        """Fill ally i's office in the `vacant` worlds by a weighted draw among contenders.

        Contenders are the nation's living persons, not ousted and not the outgoing holder,
        within their contender window, drawn with their scenario weights. If none is left the
        draw is uniform among those same persons regardless of window and weight; if nobody
        is left, the office stays as it was (a scenario should name enough contenders for its
        horizon).
        """
        ally = self.allies[i]
        u = self.streams(f"succession:{ally.spec.id}").random(self.n_worlds)
        worlds = np.flatnonzero(vacant)
        if worlds.size == 0:
            return
        year = self.years[self.t]
        rows = np.flatnonzero(self.person_nation == ally.spec.id)
        eligible = (self.death_year[np.ix_(rows, worlds)] > year + self.world.dt) & ~self.ousted[
            np.ix_(rows, worlds)] & (rows[:, None] != ally.holder[worlds][None, :])
        in_window = (self.contender_from[rows] <= year) & (year < self.contender_until[rows])
        weights = self.contender_weight[rows] * in_window
        w = eligible * weights[:, None]
        fallback = w.sum(axis=0) == 0
        w[:, fallback] = eligible[:, fallback]
        total = w.sum(axis=0)
        cumulative = np.cumsum(w, axis=0)
        pick = np.minimum((cumulative < (u[worlds] * total)[None, :]).sum(axis=0), rows.size - 1)
        person = ally.holder.copy()
        person[worlds] = rows[pick]
        filled = np.zeros(self.n_worlds, dtype=bool)
        filled[worlds[total > 0]] = True
        self._install(i, filled, person, how)

    def _install(self, i: int, worlds: np.ndarray, person, how: str) -> None:
        ally = self.allies[i]
        ally.holder = np.where(worlds, person, ally.holder)
        for key in [k for k in self._lead_cache if k[0] == i]:
            del self._lead_cache[key]
        ally.failures[worlds] = 0.0
        ally.grievance[worlds] *= 1.0 - self.forces.succession_grievance_reset
        self._log("holder", worlds, nation=ally.spec.id, person=ally.holder, how=how)

    # ------------------------------------------------------------------ junctures

    def decide_junctures(self) -> None:
        """Let the holder of the actor's office choose at each juncture dated this step."""
        for juncture in self.junctures_at.get(self.t, []):
            self._decide(juncture)

    def _decide(self, juncture: Juncture) -> None:
        """Choose an option in each world with probability from the holder's traits.

        p(option) is proportional to weight * exp(sum_k b_k (x_k - 0.5) + c (cohesion - 0.5)),
        a multinomial logit in which `weight` is the odds for an average holder.
        """
        i = self.ally_index[juncture.actor]
        u = self.streams(f"juncture:{juncture.id}").random(self.n_worlds)
        split = self.split_step != NOT_YET
        active = {"allied": ~split, "split": split, "always": np.ones_like(split)}[juncture.when]
        logits = np.empty((len(juncture.options), self.n_worlds))
        for k, option in enumerate(juncture.options):
            score = option.cohesion * (self.cohesion - 0.5)
            for name, b in option.coefficients.items():
                score = score + b * (self.lead(i, name) - 0.5)
            with np.errstate(divide="ignore"):
                logits[k] = np.log(option.weight) + score
        logits -= logits.max(axis=0)
        p = np.exp(logits)
        cumulative = np.cumsum(p, axis=0) / p.sum(axis=0)
        choice = (cumulative < u[None, :]).sum(axis=0)
        choice = np.minimum(choice, len(juncture.options) - 1)
        self.choices[juncture.id] = np.where(active, choice, NOT_YET)
        for k, option in enumerate(juncture.options):
            worlds = active & (choice == k)
            if worlds.any():
                self._apply(option.effects, worlds)
                self._log("juncture", worlds, juncture=juncture.id, option=option.id,
                          cohesion=self.cohesion)

    def _apply(self, effects, worlds: np.ndarray) -> None:
        """Apply an option's effects in the given worlds (docs/MODEL.md, 'Junctures')."""
        m = worlds.astype(float)
        for nid, amount in effects.grievance.items():
            i = self.ally_index[nid]
            self.allies[i].grievance += m * amount * 2.0 * self.lead(i, "prestige_seeking")
        for nid, amount in effects.sovereignty.items():
            ally = self.allies[self.ally_index[nid]]
            ally.grievance += m * amount * 2.0 * ally.spec.sovereignty_sensitivity
        for nid, shift in effects.line.items():
            ally = self.allies[self.ally_index[nid]]
            ally.line = np.clip(ally.line + m * shift, 0.0, 1.0)
        for nid, shift in effects.recognition.items():
            ally = self.allies[self.ally_index[nid]]
            ally.recognition = np.clip(ally.recognition + m * shift, 0.0, 1.0)
        for nid, shock in effects.capability.items():
            self.allies[self.ally_index[nid]].capability_shock += m * shock
        for nid, count in effects.failure.items():
            self.allies[self.ally_index[nid]].failures += m * count
        for nid in effects.nuclear:
            self.allies[self.ally_index[nid]].nuclear |= worlds
        self.aid = np.clip(self.aid + m * effects.aid, 0.0, 1.0)
        self.border = np.clip(self.border + m * effects.border, 0.0, 1.0)
        end_of_step = self.years[self.t] + self.world.dt
        for nid, pid in effects.leader.items():
            i, row = self.ally_index[nid], self.person_ids.index(pid)
            able = (worlds & (self.death_year[row] > end_of_step) & ~self.ousted[row]
                    & (self.allies[i].holder != row))
            self.ousted[self.allies[i].holder[able], self.cols[able]] = True
            self._install(i, able, row, "installed")

    # ------------------------------------------------------------------ continuous processes

    def drift(self) -> None:
        """Slow processes: lines, recognition, grievances, aid, shocks, polemics, border."""
        f, dt = self.forces, self.world.dt
        for i, ally in enumerate(self.allies):
            ally.drift(self.lead(i, "ideology"), self.lead(1 - i, "dominance"), f, dt)
        self.aid *= halving_factor(f.aid_half_life, dt)
        # Impulsive public criticism: each leader may attack the partner in public, more often
        # the colder the relationship; the target's grievance grows with its prestige-seeking.
        for i in range(2):
            rate = f.polemic_rate * self.lead(i, "impulsiveness") * (1.0 - self.cohesion)
            u = self.streams(f"polemic:{self.allies[i].spec.id}").random(self.n_worlds)
            attack = u < -np.expm1(-rate * dt)
            target = self.allies[1 - i]
            target.grievance += attack * f.polemic_grievance * 2.0 * self.lead(
                1 - i, "prestige_seeking")
            self.polemics += attack
            self._log("polemic", attack, nation=self.allies[i].spec.id,
                      person=self.allies[i].holder)
        # Border: militarised as cohesion falls below the split threshold, demobilised slowly.
        gap = np.maximum(0.0, self.world.split_threshold - self.cohesion)
        self.border = np.clip(
            self.border * halving_factor(f.border_half_life, dt) + f.border_rise * gap * dt, 0, 1
        )

    def forces_now(self) -> np.ndarray:
        """(len(MECHANISMS), W) each mechanism's term in the cohesion target, signed.

        Glue (positive): shared threat (Walt 1987) and aid and trade. Friction (negative):
        ideological distance times rigidity, the status gap, grievances, border tension.
        """
        f, t = self.forces, self.t
        a, b = self.allies
        threat = sum(self.lead(i, "threat_perception") * self.third.threat[ally.spec.id][t]
                     for i, ally in enumerate(self.allies)) / 2.0
        rigidity = (self.lead(0, "ideological_rigidity") + self.lead(1, "ideological_rigidity"))
        ideology = np.abs(a.line - b.line) * rigidity / 2.0
        return np.stack([
            f.threat_weight * threat,
            f.aid_weight * self.aid,
            -f.ideology_weight * ideology,
            -f.status_weight * self.status_gap(),
            -f.grievance_weight * (a.grievance + b.grievance),
            -f.border_weight * self.border,
        ])

    def status_gap(self) -> np.ndarray:
        """(W,) status demanded but not granted, summed over both allies.

        Each ally demands prestige_seeking * its power relative to the stronger partner
        (plus a bonus once nuclear); it is granted its recognition, but never more than the
        partner's own demand leaves over: leadership of the bloc is one indivisible stake.
        """
        caps = [ally.capability(self.t) for ally in self.allies]
        strongest = np.maximum(caps[0], caps[1])
        demand = [
            self.lead(i, "prestige_seeking")
            * np.minimum(1.0, caps[i] / strongest
                         + self.forces.nuclear_status_bonus * self.allies[i].nuclear)
            for i in range(2)
        ]
        gap = 0.0
        for i in range(2):
            granted = np.minimum(self.allies[i].recognition, np.maximum(0.0, 1.0 - demand[1 - i]))
            gap = gap + np.maximum(0.0, demand[i] - granted)
        return gap

    def update_cohesion(self) -> None:
        """Relax cohesion toward `baseline_cohesion + sum(forces)` and add noise.

        dC = rate (C* - C) dt + noise dW, stepped exactly for the relaxation and with an
        Euler-Maruyama step for the noise; each force's share of the step is booked to its
        mechanism so that a world's loss of cohesion can be
        accounted for (Axelrod & Bennett 1993: alignment as relaxation toward low frustration).
        """
        f, dt = self.forces, self.world.dt
        k = -np.expm1(-f.adjustment_rate * dt)
        terms = np.empty((len(DRIVERS), self.n_worlds))
        terms[: len(MECHANISMS)] = k * self.forces_now()
        terms[len(MECHANISMS)] = k * (f.baseline_cohesion - self.cohesion)
        noise = self.streams("noise").standard_normal(self.n_worlds)
        terms[len(MECHANISMS) + 1] = f.noise * np.sqrt(dt) * noise
        raw = self.cohesion + terms[:-1].sum(axis=0)
        new = np.clip(raw, 0.0, 1.0)
        terms[-1] = new - raw
        self.cohesion = new
        self.drivers += terms.T
        self.drivers_by_step[self.t] = terms.sum(axis=1)
        bins = (new * COHESION_BINS).astype(np.int64)
        self.cohesion_histogram[self.t] = np.bincount(bins, minlength=COHESION_BINS + 1)

    # ------------------------------------------------------------------ outcomes

    def record_outcomes(self) -> None:
        """Record the first split, armed clash and realignment in each world.

        Split: cohesion below `split.threshold` for `split.sustained_years` without a break;
        its date is the first step of that spell. Clash: a hazard proportional to border
        tension, the leaders' impulsiveness and hostility, `1 - cohesion / split.threshold`
        (none while cohesion is at or above the threshold: allies do not fight each other,
        however tense their border). Realignment: after the split, an ally turns
        to the third power at a rate proportional to the third power's openness and to how
        far the partner's threat exceeds the third power's, both as its leader perceives them.
        """
        f, dt, t = self.forces, self.world.dt, self.t
        below = self.cohesion < self.world.split_threshold
        starting = below & (self.below == 0)
        holders = np.stack([ally.holder for ally in self.allies], axis=1)
        self.spell_holders[starting] = holders[starting]
        self.spell_drivers[starting] = self.drivers[starting]
        self.spell_cohesion[starting] = self.cohesion[starting]
        self.below = np.where(below, self.below + 1, 0)
        new_split = (self.split_step == NOT_YET) & (self.below >= self.sustain_steps)
        self.split_step[new_split] = t - self.sustain_steps + 1
        self.split_holders[new_split] = self.spell_holders[new_split]
        self.drivers_to_split[new_split] = self.spell_drivers[new_split]
        self._log("split", new_split, cohesion=self.spell_cohesion)

        impulsive = self.lead(0, "impulsiveness") + self.lead(1, "impulsiveness")
        hostility = np.maximum(0.0, 1.0 - self.cohesion / self.world.split_threshold)
        rate = f.clash_rate * self.border * impulsive * hostility
        u = self.streams("clash").random(self.n_worlds)
        clash = (self.clash_step == NOT_YET) & (u < -np.expm1(-rate * dt))
        self.clash_step[clash] = t
        self._log("clash", clash, border=self.border)

        split = self.split_step != NOT_YET
        caps = [ally.capability(t) for ally in self.allies]
        for i, ally in enumerate(self.allies):
            perceive = self.lead(i, "threat_perception")
            from_partner = self.border * np.minimum(2.0, caps[1 - i] / caps[i]) * perceive
            from_third = self.third.threat[ally.spec.id][t] * perceive
            rate = f.realignment_rate * self.third.openness[ally.spec.id][t] * np.maximum(
                0.0, from_partner - from_third)
            u = self.streams(f"realignment:{ally.spec.id}").random(self.n_worlds)
            turn = split & (self.realign_step == NOT_YET) & (u < -np.expm1(-rate * dt))
            self.realign_step[turn] = t
            self.realign_nation[turn] = i
            self._log("realignment", turn, nation=ally.spec.id)

    def finish(self) -> None:
        """Close the books: worlds that never split are accounted for up to the horizon.

        Also lets the model be freed: mesa 3.3.1 keys a class-level id counter
        (`mesa.Agent._ids`) by model and never drops it, which kept every finished batch in
        memory (2.7 GB for a million worlds before this).
        """
        never = self.split_step == NOT_YET
        self.drivers_to_split[never] = self.drivers[never]
        mesa.Agent._ids.pop(self, None)

    # ------------------------------------------------------------------ tracing

    def _log(self, kind: str, worlds: np.ndarray, **details) -> None:
        """Record an event for each traced world in `worlds` (no-op when not tracing)."""
        if self.trace is None:
            return
        for w in np.flatnonzero(worlds & self.trace):
            values = {k: (v[w].item() if isinstance(v, np.ndarray) else v)
                      for k, v in details.items()}
            self.events.append(Event(self.t, int(w), kind, values))
