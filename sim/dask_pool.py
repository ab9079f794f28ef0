"""A Dask distributed client for the Monte Carlo runner: a local cluster, or a scheduler's.

Dask is imported only here, so runs that never ask for it do not pay for its import. A
scheduler that cannot be reached is reported in one line after CONNECT_SECONDS, not after
Dask's own 30 s and a page of traceback.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

from sim.errors import SettingsError
from sim.interrupts import shielded

CONNECT_SECONDS = 5
"""How long to wait for a scheduler given by `dask_address` before giving up."""

CLOSE_SECONDS = 10
"""How long closing a client or a local cluster may take."""


def _unreachable(address: str, reason: str) -> SettingsError:
    return SettingsError(f"cannot reach the Dask scheduler at {address} within "
                         f"{CONNECT_SECONDS} s ({reason}); start one (dask scheduler) or leave "
                         "dask_address=null for a local cluster")


def check_reachable(address: str) -> None:
    """Refuse a `tcp://HOST:PORT` scheduler that does not accept connections, in one line
    (other schemes are left to the client)."""
    parts = urlsplit(address if "://" in address else f"tcp://{address}")
    if parts.scheme != "tcp":
        return
    try:
        port = parts.port
    except ValueError:
        port = None
    if not parts.hostname or port is None:
        raise SettingsError(f"dask_address must be an address like tcp://HOST:8786, "
                            f"got {address!r}")
    try:
        with socket.create_connection((parts.hostname, port), timeout=CONNECT_SECONDS):
            pass
    except OSError as error:
        raise _unreachable(address, error.strerror or str(error) or "timed out") from None


def first_completed(futures):
    """The first of the futures to finish (the earliest submitted among those done)."""
    from dask.distributed import wait

    done = wait(futures, return_when="FIRST_COMPLETED").done
    return min(done, key=futures.index)


@contextmanager
def dask_client(workers: int, address: str | None = None):
    """Yield a client; close it (and any cluster it started) on exit.

    Args:
        workers: processes of a LocalCluster (one thread each: a block of worlds is numpy
            work that holds the GIL between calls, so processes, not threads, scale).
        address: a running scheduler, e.g. 'tcp://10.0.0.5:8786'; None starts a local cluster
            (`local_cluster`).
    """
    from dask.distributed import Client

    with contextlib.ExitStack() as stack:
        if not address:
            address = stack.enter_context(local_cluster(workers))
        else:
            check_reachable(address)
        try:
            client = Client(address, timeout=f"{CONNECT_SECONDS}s")
        except (OSError, TimeoutError) as error:
            raise _unreachable(address, str(error).splitlines()[0] if str(error)
                               else type(error).__name__) from None
        try:
            yield client
        finally:
            with shielded(), contextlib.suppress(Exception):
                client.close(timeout=CLOSE_SECONDS)


@contextmanager
def local_cluster(workers: int):
    """Start a LocalCluster in a helper process of its own session; yield its address.

    In its own session the cluster never receives the Ctrl-C meant for the program (a
    terminal sends it to its whole foreground group): the program decides, and on the way out
    closes the cluster, or, when it was interrupted or failed, kills the helper's whole
    process group, which is immediate and silent. Its spill files live in a temporary folder
    removed on exit; it has no dashboard; its own log goes to that folder, not the terminal.
    """
    import subprocess

    import sim

    with tempfile.TemporaryDirectory(prefix="alliance-dask-", ignore_cleanup_errors=True) \
            as scratch:
        root = str(Path(sim.__file__).resolve().parents[1])
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(
            [root, *filter(None, [os.environ.get("PYTHONPATH")])])}
        with open(Path(scratch) / "cluster.log", "w") as log:
            helper = subprocess.Popen(
                [sys.executable, "-c", f"from sim.dask_pool import serve; "
                                       f"serve({int(workers)}, {scratch!r})"],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log, text=True,
                env=env, start_new_session=True)
        finished = False
        try:
            address = helper.stdout.readline().strip()
            if not address:
                last = (Path(scratch) / "cluster.log").read_text().strip().splitlines()
                raise SettingsError("the local Dask cluster did not start"
                                    + (f": {last[-1]}" if last else ""))
            yield address
            finished = True
        finally:
            with shielded():
                _end_helper(helper, graceful=finished)


def _end_helper(helper, graceful: bool) -> None:
    """Close the helper's cluster (graceful) or kill its process group at once."""
    import subprocess

    if graceful:
        with contextlib.suppress(OSError):
            helper.stdin.close()  # the helper closes its cluster and exits
        try:
            helper.wait(timeout=CLOSE_SECONDS)
            return
        except subprocess.TimeoutExpired:
            pass
    with contextlib.suppress(OSError):
        os.killpg(helper.pid, signal.SIGKILL)
    helper.wait()


def serve(workers: int, scratch: str) -> None:
    """The helper process of `local_cluster`: start the cluster, print its address, and
    close it when standard input closes (the program is done, or has died)."""
    import dask
    from dask.distributed import LocalCluster

    with dask.config.set({"temporary-directory": scratch}), LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None,
            local_directory=scratch) as cluster:
        print(cluster.scheduler_address, flush=True)
        sys.stdin.read()
