"""A Dask distributed client for the Monte Carlo runner: a local cluster, or a scheduler's.

Dask is imported only here, so runs that never ask for it do not pay for its import.
"""

from __future__ import annotations

import tempfile
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def dask_client(workers: int, address: str | None = None):
    """Yield `(client, as_completed)`; close the client (and any cluster it started) on exit.

    Args:
        workers: processes of a LocalCluster (one thread each: a block of worlds is numpy
            work that holds the GIL between calls, so processes, not threads, scale).
        address: a running scheduler, e.g. 'tcp://10.0.0.5:8786'; None starts a LocalCluster
            whose spill files live in a temporary folder removed on exit, with no dashboard.
    """
    import dask
    from dask.distributed import Client, LocalCluster, as_completed

    if address:
        with Client(address) as client:
            yield client, as_completed
        return
    with tempfile.TemporaryDirectory(prefix="alliance-dask-") as scratch:
        with dask.config.set({"temporary-directory": scratch}):
            with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                              dashboard_address=None, local_directory=str(Path(scratch)),
                              ) as cluster, Client(cluster) as client:
                yield client, as_completed
