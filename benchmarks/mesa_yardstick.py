"""Yardstick: a standard one-model-per-world Mesa 3.3.1 model of the engine's size.

    python benchmarks/mesa_yardstick.py 1000 2500    # worlds/s for each size, seed 1950

Our engine steps W worlds at once in numpy arrays. The usual way to write an agent-based
model is one `mesa.Model` per world, so that is what a speed figure is compared with. This
module is that comparison, written the way the Mesa 3 documentation writes models, and run in
the same process as the engine so both figures see the same interpreter and machine.

What one world is:

- 3 `NationAgent`s, each holding a cohesion contribution, a grievance and a capability, and
  6 `LeaderAgent`s, 2 per nation, each holding three traits (hawkishness, pragmatism,
  health) and a hold on power. A leader whose hold falls below zero or whose health runs
  out is replaced in place by a successor with freshly drawn traits.
- 168 quarterly steps (42 years). Each step activates the nations, then the leaders, each
  set in random order (`agents_by_type[...].shuffle_do("step")`); each agent step does a few
  arithmetic updates and scalar Gaussian draws from the model's own generator
  (`self.model.rng.normal`); the model then averages three quantities over its agents.
- A `mesa.DataCollector` records those 3 model-level variables (cohesion, mean grievance,
  mean hold) every step.

The numbers mean nothing: only the shape of the work (9 agents, 168 steps, 2-3 draws per
agent step, 3 recorded variables) is matched to the engine.

Worlds per second is models built, run to completion and released, per second of wall time,
on one core. Pitfalls handled or noted here (mesa 3.3.1):

- `import mesa` imports `mesa.batchrunner`, which forces the multiprocessing start method to
  "spawn" for the whole process (the engine imports mesa too, so it is already in force).
- mesa logs every `Model.step` at INFO on the "MESA" logger (set to DEBUG); the logger is
  raised to WARNING before measuring.
- `mesa.Agent._ids`, a class-level dict keyed by model, keeps every model alive for the life
  of the process. `Model.remove_all_agents()` (the supported teardown) drops the model's
  agents but not that entry; mesa 3.3.1 has no public way to drop it, so each finished model
  is also popped from `mesa.Agent._ids` (private, but the only thing that frees it).
  `release=False` measures the leak instead (mesa issue #3179; see
  `AllianceModel.release` in sim/engine/model.py).
"""

from __future__ import annotations

import logging
import sys
import time

import mesa

STEPS = 168
"""Quarterly steps per world."""

NATIONS = 3
LEADERS_PER_NATION = 2


class NationAgent(mesa.Agent):
    """A nation: its contribution to alliance cohesion, its grievance and its capability."""

    def __init__(self, model: YardstickModel) -> None:
        super().__init__(model)
        rng = model.rng
        self.contribution = 0.7 + 0.05 * rng.normal()
        self.grievance = abs(0.1 * rng.normal())
        self.capability = 1.0 + 0.2 * rng.normal()
        self.leaders: list[LeaderAgent] = []

    def step(self) -> None:
        rng = self.model.rng
        hawk = sum(leader.hawkishness * leader.hold for leader in self.leaders)
        self.capability *= 1.0 + 0.005 + 0.01 * rng.normal()
        self.grievance = max(0.0, 0.95 * self.grievance + 0.02 * hawk + 0.01 * rng.normal())
        pull = 0.7 - self.contribution
        self.contribution += 0.1 * pull - 0.05 * self.grievance + 0.02 * rng.normal()
        self.contribution = min(1.0, max(0.0, self.contribution))


class LeaderAgent(mesa.Agent):
    """A leader of a nation: three traits and a hold on power; replaced when it is lost."""

    def __init__(self, model: YardstickModel, nation: NationAgent) -> None:
        super().__init__(model)
        self.nation = nation
        nation.leaders.append(self)
        self.succeed()

    def succeed(self) -> None:
        """Draw a new leader's traits (in place: the office, not the person, is the agent)."""
        rng = self.model.rng
        self.hawkishness = rng.normal(0.0, 0.5)
        self.pragmatism = rng.normal(0.0, 0.5)
        self.health = 1.0 + 0.1 * rng.normal()
        self.hold = 0.5

    def step(self) -> None:
        rng = self.model.rng
        self.health -= 0.005 + 0.01 * abs(rng.normal())
        self.hold += 0.02 * self.pragmatism - 0.05 * self.nation.grievance + rng.normal(0, 0.05)
        if self.hold < 0.0 or self.health < 0.0:
            self.succeed()


class YardstickModel(mesa.Model):
    """One world: 3 nations, 6 leaders, stepped quarterly for STEPS steps."""

    def __init__(self, rng: mesa.model.SeedLike | None = None) -> None:
        super().__init__(rng=rng)
        nations = [NationAgent(self) for _ in range(NATIONS)]
        for nation in nations:
            for _ in range(LEADERS_PER_NATION):
                LeaderAgent(self, nation)
        self.cohesion = self.grievance = self.hold = 0.0
        self.datacollector = mesa.DataCollector(
            model_reporters={"cohesion": "cohesion", "grievance": "grievance", "hold": "hold"}
        )

    def step(self) -> None:
        nations = self.agents_by_type[NationAgent]
        leaders = self.agents_by_type[LeaderAgent]
        nations.shuffle_do("step")
        leaders.shuffle_do("step")
        self.cohesion = sum(nations.get("contribution")) / len(nations)
        self.grievance = sum(nations.get("grievance")) / len(nations)
        self.hold = sum(leaders.get("hold")) / len(leaders)
        self.datacollector.collect(self)
        self.running = self.steps < STEPS


def run_world(seed: int, world: int, release: bool = True) -> float:
    """Build, run to completion and (by default) release one world; return its final cohesion."""
    model = YardstickModel(rng=[seed, world])
    model.run_model()
    cohesion = model.datacollector.model_vars["cohesion"][-1]
    if release:
        model.remove_all_agents()
        mesa.Agent._ids.pop(model, None)  # the one reference remove_all_agents leaves behind
    return cohesion


def measure_mesa(worlds: int, seed: int, *, release: bool = True) -> dict:
    """Run `worlds` yardstick models one after another on this core and time them.

    Returns wall seconds, worlds per second, nanoseconds per world-step, and the mean final
    cohesion (a checksum: the same seed gives the same value).
    """
    logging.getLogger("MESA").setLevel(logging.WARNING)
    start = time.perf_counter()
    total = sum(run_world(seed, world, release) for world in range(worlds))
    seconds = time.perf_counter() - start
    return {
        "worlds": worlds,
        "seconds": seconds,
        "worlds_per_s": worlds / seconds,
        "ns_per_world_step": seconds / (worlds * STEPS) * 1e9,
        "mean_cohesion": total / worlds,
    }


def main(argv: list[str]) -> None:
    sizes = [int(a) for a in argv] or [1_000]
    print(f"mesa {mesa.__version__}, {STEPS} steps, one model per world, one core, seed 1950")
    print(f"{'worlds':>8} {'seconds':>9} {'worlds/s':>9} {'ns/world-step':>14}")
    for worlds in sizes:
        r = measure_mesa(worlds, seed=1950)
        print(f"{worlds:>8,} {r['seconds']:>9.3f} {r['worlds_per_s']:>9,.0f} "
              f"{r['ns_per_world_step']:>14,.0f}")


if __name__ == "__main__":
    main(sys.argv[1:])
