"""Named random streams: one per random process per seed block, spawned from the run's seed.

Following numpy's guide to parallel random number generation, every stream is a child of one
`SeedSequence(seed)`. Each block of worlds and each named process (a juncture, mortality, a
trait) gets its own child, so adding a juncture or a person to a scenario does not shift the
draws of any other process. That is what makes comparisons with common random numbers sharp.
"""

from __future__ import annotations

import zlib

import numpy as np


def inverse_cdf(kind: str, params, u: np.ndarray) -> np.ndarray:
    """The values at probabilities `u` of a `uniform`, `triangular` or `beta` distribution
    (one uniform per world: two scenarios that give a quantity different distributions
    still rank their worlds the same way on it)."""
    if kind == "uniform":
        return params[0] + (params[1] - params[0]) * u
    if kind == "triangular":
        low, mode, high = params
        cut = (mode - low) / (high - low)
        left = low + np.sqrt(u * (high - low) * (mode - low))
        right = high - np.sqrt((1 - u) * (high - low) * (high - mode))
        return np.where(u < cut, left, right)
    if kind == "beta":
        from scipy.special import betaincinv  # the beta's quantile function

        return betaincinv(params[0], params[1], u)
    raise ValueError(f"no inverse CDF here for a {kind} distribution")


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


class TiledStreams(Streams):
    """The streams of one block, with its worlds repeated: `copies` stacked copies of the same
    worlds, each drawing exactly the random numbers the block's worlds draw alone.

    A study that compares many variants of a world (the search, sim/search.py) runs them side
    by side in one batch, each variant a copy, and keeps common random numbers between them.
    Every draw in the engine asks for one value per world, so a draw of `copies * n` values is
    `n` values tiled.
    """

    def __init__(self, seed: int, block: int, copies: int):
        super().__init__(seed, block)
        self.copies = copies

    def __call__(self, name: str) -> _Tiled:
        return _Tiled(super().__call__(name), self.copies)


class _Tiled:
    """A generator whose every draw is one copy's draw, repeated for each copy."""

    def __init__(self, rng: np.random.Generator, copies: int):
        self._rng, self._copies = rng, copies

    def _one(self, size: int) -> int:
        if size % self._copies:
            raise ValueError(f"a tiled draw of {size} values is not {self._copies} copies")
        return size // self._copies

    def random(self, size: int) -> np.ndarray:
        return np.tile(self._rng.random(self._one(size)), self._copies)

    def standard_normal(self, size: int) -> np.ndarray:
        return np.tile(self._rng.standard_normal(self._one(size)), self._copies)

    def exponential(self, scale: float, size: int) -> np.ndarray:
        return np.tile(self._rng.exponential(scale, self._one(size)), self._copies)


class _KeptGenerator:
    """A generator-like object: each call draws a whole block from every block's generator
    (the size as the last positional argument, as the engine always passes it) and returns
    the kept positions, blocks in order."""

    def __init__(self, parts: list[tuple[np.random.Generator, int, np.ndarray]]):
        self.parts = parts
        self.size = sum(len(positions) for _, _, positions in parts)

    def __getattr__(self, method: str):
        def draw(*args, **kwargs):
            *params, size = args
            if kwargs or size != self.size:
                raise RuntimeError(f"a stream was asked for {size} values by {method}(); the "
                                   f"engine must ask for n_worlds ({self.size}) positionally")
            return np.concatenate([getattr(rng, method)(*params, n)[positions]
                                   for rng, n, positions in self.parts])
        return draw


class KeptStreams:
    """The streams of the worlds `worlds` (ids in the run) of a run of `runs` worlds in blocks
    of `chunk_size` from `seed`, in the order of `worlds` sorted.

    A world's random numbers are positions in its block's streams, which draw for the whole
    block at once. Each draw asks the generator of every block the worlds come from for a whole
    block's worth (so it advances exactly as in the full run) and keeps only their positions:
    a few worlds are re-simulated alone with exactly the numbers the run gave them (the kept
    worlds of a calibration, the chronicle's world), at the cost of drawing, not simulating,
    the rest of their blocks.

    Attributes:
        worlds: (K,) the kept worlds' ids, ascending: world k of the model is worlds[k].
    """

    def __init__(self, seed: int, chunk_size: int, runs: int, worlds):
        self.seed = seed
        self.worlds = np.unique(np.asarray(worlds, dtype=np.int64))
        if self.worlds.size and (self.worlds[0] < 0 or self.worlds[-1] >= runs):
            raise ValueError(f"world ids must lie in [0, {runs})")
        blocks = self.worlds // chunk_size
        self._plan = [(int(b), min(chunk_size, runs - int(b) * chunk_size),
                       self.worlds[blocks == b] - b * chunk_size) for b in np.unique(blocks)]
        self._blocks = {b: Streams(seed, b) for b, _, _ in self._plan}
        self._cache: dict[str, _KeptGenerator] = {}

    def __call__(self, name: str) -> _KeptGenerator:
        if name not in self._cache:
            self._cache[name] = _KeptGenerator([(self._blocks[b](name), n, positions)
                                                for b, n, positions in self._plan])
        return self._cache[name]
