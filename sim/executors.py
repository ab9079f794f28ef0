"""Where blocks of worlds run: in this process, a local process pool, or Dask distributed.

All three are driven through the same two calls (`submit`, `as_completed`), the
concurrent.futures style, so the runner never knows which one it has.
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
from contextlib import contextmanager

EXECUTORS = ("serial", "processes", "dask")


class _Deferred:
    """A call run in this process when its result is asked for, shaped like a future.

    Deferring keeps one block's rows in memory at a time, however many blocks are submitted.
    """

    def __init__(self, fn, args):
        self._fn, self._args = fn, args

    def result(self):
        return self._fn(*self._args)


class SerialPool:
    """Runs the submitted calls one after another in this process (no start-up cost)."""

    def submit(self, fn, *args):
        return _Deferred(fn, args)

    @staticmethod
    def as_completed(futures):
        for future in futures:
            yield future.result()


class FuturesPool:
    """A concurrent.futures executor (or a Dask client, which has the same interface)."""

    def __init__(self, executor, as_completed):
        self.executor = executor
        self._as_completed = as_completed

    def submit(self, fn, *args):
        return self.executor.submit(fn, *args)

    def as_completed(self, futures):
        for future in self._as_completed(futures):
            yield future.result()


@contextmanager
def make_executor(kind: str, workers: int = 1, address: str | None = None):
    """Yield a pool of the given kind; it is shut down on exit.

    A process pool uses the 'spawn' context explicitly: mesa 3.3 sets spawn globally on
    import anyway, and saying so keeps the behaviour the same on every platform.
    """
    if kind == "serial":
        yield SerialPool()
    elif kind == "processes":
        context = multiprocessing.get_context("spawn")
        with cf.ProcessPoolExecutor(max_workers=workers, mp_context=context) as executor:
            yield FuturesPool(executor, cf.as_completed)
    elif kind == "dask":
        from sim.dask_pool import dask_client

        with dask_client(workers, address) as (client, as_completed):
            yield FuturesPool(client, as_completed)
    else:
        raise ValueError(f"unknown executor '{kind}'; allowed: {', '.join(EXECUTORS)}")
