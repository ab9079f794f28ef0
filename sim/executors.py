"""Where blocks of worlds run: in this process, a local process pool, or Dask distributed.

All three are driven through the same two calls (`submit`, `wait_first`), the
concurrent.futures style, so the runner never knows which one it has. `in_order` runs a list
of calls through a pool with a bounded number in flight and yields their results in order:
memory then holds at most `window` results, however many calls there are.

A run stopped by Ctrl-C or an error stops its pool at once: a process pool's workers ignore
Ctrl-C themselves (the parent decides) and are terminated rather than left to finish their
blocks; a Dask cluster started for the run is closed with it.
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

from sim.interrupts import held_back, ignore_in_worker

EXECUTORS = ("serial", "processes", "dask")


class _Deferred:
    """A call run in this process when its result is asked for, shaped like a future."""

    def __init__(self, fn, args):
        self._fn, self._args = fn, args

    def result(self):
        return self._fn(*self._args)


class SerialPool:
    """Runs the submitted calls one after another in this process (no start-up cost)."""

    workers = 1

    def submit(self, fn, *args):
        return _Deferred(fn, args)

    @staticmethod
    def wait_first(futures):
        return futures[0]


class FuturesPool:
    """A concurrent.futures executor, or a Dask client (which has the same interface)."""

    def __init__(self, executor, wait_first: Callable, workers: int):
        self.executor = executor
        self._wait_first = wait_first
        self.workers = workers

    def submit(self, fn, *args):
        with held_back():  # a process pool may start a worker here, which must not see Ctrl-C
            return self.executor.submit(fn, *args)

    def wait_first(self, futures):
        return self._wait_first(futures)


def _first_of(futures):
    done, _ = cf.wait(futures, return_when=cf.FIRST_COMPLETED)
    return min(done, key=futures.index)


def in_order(pool, fn: Callable, calls: Sequence[tuple], window: int | None = None) -> Iterator:
    """Yield `fn(*call)` for each call, in order, with at most `window` calls submitted and
    not yet yielded (default: two per worker, so that every worker has its next call queued
    while one result waits to be taken)."""
    window = max(1, window or 2 * pool.workers)
    futures: dict = {}
    results: dict[int, object] = {}
    submitted = taken = 0
    while taken < len(calls):
        while submitted < len(calls) and submitted - taken < window:
            futures[pool.submit(fn, *calls[submitted])] = submitted
            submitted += 1
        while taken not in results:
            future = pool.wait_first(list(futures))
            results[futures.pop(future)] = future.result()
        yield results.pop(taken)
        taken += 1


def _stop_pool(executor: cf.ProcessPoolExecutor) -> None:
    """Stop a process pool now: terminate its workers, then let it wind down (it notices
    they are gone, fails what was pending and ends its own thread cleanly)."""
    # the pool's own processes (a private attribute of concurrent.futures, read defensively:
    # without it the pool still stops, after the blocks in progress)
    processes = list((getattr(executor, "_processes", None) or {}).values())
    for process in processes:
        if process.is_alive():
            process.terminate()
    for process in processes:
        process.join(timeout=2)
    executor.shutdown(wait=True, cancel_futures=True)


@contextmanager
def make_executor(kind: str, workers: int = 1, address: str | None = None):
    """Yield a pool of the given kind; it is shut down on exit, at once on an error.

    A process pool uses the 'spawn' context explicitly: mesa 3.3 sets spawn globally on
    import anyway, and saying so keeps the behaviour the same on every platform.
    """
    if kind == "serial":
        yield SerialPool()
    elif kind == "processes":
        context = multiprocessing.get_context("spawn")
        executor = cf.ProcessPoolExecutor(max_workers=workers, mp_context=context,
                                          initializer=ignore_in_worker)
        try:
            yield FuturesPool(executor, _first_of, workers)
        except BaseException:
            _stop_pool(executor)
            raise
        executor.shutdown(wait=True)
    elif kind == "dask":
        from sim.dask_pool import dask_client, first_completed

        with dask_client(workers, address) as client:
            yield FuturesPool(client, first_completed, _dask_workers(client, workers, address))
    else:
        raise ValueError(f"unknown executor '{kind}'; allowed: {', '.join(EXECUTORS)}")


def _dask_workers(client, workers: int, address: str | None) -> int:
    if not address:
        return workers
    try:
        return max(1, sum(w.get("nthreads", 1)
                          for w in client.scheduler_info()["workers"].values()))
    except Exception:  # the scheduler's report is a convenience, never a reason to fail
        return workers
