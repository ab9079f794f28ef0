"""Named random streams: one per random process per seed block, spawned from the run's seed.

Following numpy's guide to parallel random number generation, every stream is a child of one
`SeedSequence(seed)`. Each block of worlds and each named process (a juncture, mortality, a
trait) gets its own child, so adding a juncture or a person to a scenario does not shift the
draws of any other process. That is what makes comparisons with common random numbers sharp.
"""

from __future__ import annotations

import zlib

import numpy as np


def process_key(name: str) -> int:
    """A stable 32-bit key for a process name (Python's hash() differs between runs)."""
    return zlib.crc32(name.encode("utf-8"))


class Streams:
    """The random streams of one seed block.

    Args:
        seed: the run's seed.
        block: index of the block of worlds (block b holds worlds b*chunk_size onwards).
    """

    def __init__(self, seed: int, block: int):
        self.seed = seed
        self.block = block
        self._cache: dict[str, np.random.Generator] = {}

    def __call__(self, name: str) -> np.random.Generator:
        """The generator of process `name` in this block, created on first use."""
        if name not in self._cache:
            sequence = np.random.SeedSequence(self.seed, spawn_key=(self.block, process_key(name)))
            self._cache[name] = np.random.Generator(np.random.PCG64(sequence))
        return self._cache[name]
